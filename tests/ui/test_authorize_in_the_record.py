"""The authorize step as an exchange of its own, in the window: Get code shows it in the raw
panel (URL with state, nonce and challenge; the redirect that came back) and keeps it in the
history, where it opens read-only with the code masked — never with the verifier."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from PySide6.QtWidgets import QWidget
from tests.ui.helpers import WAIT_MS, get_code, send_and_wait

from idconnect_tester.ui.main_window import MainWindow


def test_get_code_shows_the_authorize_step_in_the_raw_panel_and_the_history(
    window: MainWindow, qtbot
) -> None:
    code = get_code(window, qtbot)
    verifier = window.form.code_verifier.text()
    attempt = window.session.pending_authorize
    assert attempt is not None and verifier

    raw = window.raw_panel
    request, response = raw.request.toPlainText(), raw.response.toPlainText()
    sent = parse_qs(urlsplit(request.splitlines()[1].removeprefix("(to ").rstrip(")")).query)
    assert sent["state"] == [attempt.state] and sent["nonce"] == [attempt.nonce]
    assert sent["code_challenge"] == [attempt.pkce.code_challenge]
    redirect = next(line for line in response.splitlines() if line.startswith("Redirect: "))
    came_back = parse_qs(urlsplit(redirect.removeprefix("Redirect: ")).query)
    assert came_back == {"code": [code], "state": [attempt.state]}
    assert verifier not in request + response
    assert raw.property("stale") is False
    assert raw.timings.text().startswith("Authorize")

    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 1, timeout=WAIT_MS)
    row = panel.table.topLevelItem(0)
    assert row is not None and "authorize" in [row.text(i) for i in range(row.columnCount())]
    panel.select_row(0)
    panel.show_button.click()
    (dialog,) = window.history.dialogs
    shown = dialog.raw.request.toPlainText() + dialog.raw.response.toPlainText()
    assert attempt.state in shown and attempt.nonce in shown
    assert code not in shown and "stored masked" in shown  # the profile doesn't keep tokens
    assert verifier not in shown
    assert window.findChild(QWidget, "rawRequest") is window.raw_panel.request

    # The next exchange takes the raw panel over; the authorize step stays in the history.
    send_and_wait(window, qtbot)
    assert "POST /resources/snsId/api/connect/token" in raw.request.toPlainText()
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
