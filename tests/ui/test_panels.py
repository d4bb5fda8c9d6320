"""Panels on their own: what they show for odd input, and that idle costs nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint
from PySide6.QtGui import QAction, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLabel,
    QStyle,
    QWidget,
)
from tests.ui.helpers import WAIT_MS, text_of, token_flow

from idconnect_tester.core.id_token_checks import (
    VerificationContext,
    VerificationKey,
    verify_id_token,
)
from idconnect_tester.ui import theme
from idconnect_tester.ui.about import versions_text
from idconnect_tester.ui.countdown_panel import CountdownPanel, format_remaining
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.widgets import ValueNote


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (86400, "24:00:00"),
        (3599.9, "00:59:59"),
        (61, "00:01:01"),
        (0.4, "00:00:00"),
        (0, "Expired"),
        (-5, "Expired"),
        (400000, "111:06:40"),
    ],
)
def test_remaining_time_format(seconds: float, shown: str) -> None:
    assert format_remaining(timedelta(seconds=seconds)) == shown


def test_a_malformed_id_token_says_what_is_wrong(qtbot) -> None:
    panel = IdTokenPanel()
    qtbot.addWidget(panel)
    panel.show_verification(
        verify_id_token("eyJhbGciOiJSUzI1NiJ9.not*base64.x", VerificationContext())
    )
    assert "Cannot decode this id_token" in panel.header.toPlainText()
    assert "base64url" in panel.header.toPlainText()
    assert panel.check_status("decode") == "fail"
    assert "Traceback" not in panel.header.toPlainText()
    assert "Do not trust" in panel.summary.text()


def test_countdown_is_idle_without_a_token_and_stops_once_expired(qtbot) -> None:
    panel = CountdownPanel()
    qtbot.addWidget(panel)
    assert not panel.timer_active  # nothing to count: no timer at all
    now = datetime.now(UTC)
    panel.rows["access"].start(now + timedelta(seconds=1.2), timedelta(seconds=2), "test")
    panel.tick()
    assert panel.timer_active
    qtbot.waitUntil(lambda: panel.rows["access"].time.text() == "Expired", timeout=5000)
    assert not panel.timer_active


def test_countdown_turns_amber_in_the_last_five_minutes(qtbot) -> None:
    panel = CountdownPanel()
    qtbot.addWidget(panel)
    now = datetime.now(UTC)
    panel.rows["access"].start(now + timedelta(minutes=4), timedelta(hours=1), "test")
    panel.tick()
    colour = panel.rows["access"].time.palette().color(panel.rows["access"].time.foregroundRole())
    assert colour == theme.colours().warning
    panel.rows["access"].start(now + timedelta(minutes=30), timedelta(hours=1), "test")
    panel.tick()
    colour = panel.rows["access"].time.palette().color(panel.rows["access"].time.foregroundRole())
    assert colour == theme.colours().ok


def test_a_folded_countdown_keeps_its_until_lines_in_its_tooltips(qtbot) -> None:
    """Folded to leave the request a line per token, a countdown still says until when: on
    hover over its time or its bar; unfolded, the line is back under the bar. A row with no
    token shows no line either way."""
    panel = CountdownPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 300)  # under the request: each line under its bar
    panel.show()
    access, share = panel.rows["access"], panel.rows["share"]
    access.start(datetime.now(UTC) + timedelta(hours=1), timedelta(hours=1), "test")
    assert not access.detail_beside and access.detail.isVisible()
    height = panel.minimumSizeHint().height()
    panel.fold(True)
    assert panel.folded and not access.detail.isVisible()
    assert panel.minimumSizeHint().height() < height
    assert access.time.toolTip() == access.detail.text() == access.bar.toolTip()
    assert access.detail.text().startswith("until ")
    assert not share.detail.isVisible()
    panel.fold(False)
    assert access.detail.isVisible() and not share.detail.isVisible()
    assert access.time.toolTip() == ""


def test_about_names_the_versions() -> None:
    import platform

    from PySide6.QtCore import qVersion

    from idconnect_tester import __version__

    text = versions_text()
    assert __version__ in text and qVersion() in text and platform.python_version() in text


def _relaunched_lightness(tmp_path: Path, name: str) -> float:
    """Launch the app as a person does (same settings), grab its first window, and return how
    light it is on average (0 black … 1 white)."""
    shot = tmp_path / f"{name}.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "idconnect_tester", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(shot)).scaled(64, 64)
    pixels = [image.pixelColor(x, y).lightnessF() for x in range(64) for y in range(64)]
    return sum(pixels) / len(pixels)


def test_the_scheme_picked_in_the_view_menu_is_applied_and_kept_for_the_next_launch(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    menu_item = {action.objectName(): action for action in window.findChildren(QAction)}
    try:
        menu_item["scheme_dark"].trigger()
        assert theme.is_dark() and menu_item["scheme_dark"].isChecked()
        dark = _relaunched_lightness(tmp_path, "dark")
        menu_item["scheme_light"].trigger()
        assert not theme.is_dark() and menu_item["scheme_light"].isChecked()
        light = _relaunched_lightness(tmp_path, "light")
    finally:
        theme.apply_style(app, "light")
    assert dark < 0.4 < 0.6 < light, (dark, light)


def _signed_id_token(
    header: dict[str, object] | None = None, **claims: object
) -> tuple[str, VerificationKey]:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.get_algorithm_by_name("RS256").to_jwk(key.public_key()))
    now = int(datetime.now(UTC).timestamp())
    body = {"iss": "https://id.test/", "sub": "u", "aud": "c", "iat": now, "exp": now + 600}
    headers = {"kid": "k", **(header or {})}
    token = jwt.encode({**body, **claims}, key, algorithm="RS256", headers=headers)
    return token, VerificationKey({**jwk, "kid": "k"}, "pasted JWKS")


def _summary_colour(panel: IdTokenPanel) -> object:
    return panel.summary.palette().color(QPalette.ColorRole.WindowText)


def test_a_signature_nothing_checked_says_not_verified_never_passed(qtbot) -> None:
    panel = IdTokenPanel()
    qtbot.addWidget(panel)
    token, _ = _signed_id_token()
    panel.show_verification(verify_id_token(token, VerificationContext(client_id="c")))
    summary = panel.summary.text()
    assert summary.startswith("NOT VERIFIED") and "passed" not in summary
    assert _summary_colour(panel) == theme.colours().for_tone(theme.Tone.WARNING)


def test_a_warning_is_a_row_and_a_line_of_the_summary(qtbot) -> None:
    panel = IdTokenPanel()
    qtbot.addWidget(panel)
    token, key = _signed_id_token(header={"typ": "example"})  # a type id_tokens don't carry
    context = VerificationContext(issuer="https://id.test/", client_id="c", keys=[key])
    panel.show_verification(verify_id_token(token, context))
    assert panel.check_status("typ") == "warn"
    assert panel.summary.text().startswith("Verified")
    assert "Warning – typ" in panel.summary.text()
    assert _summary_colour(panel) == theme.colours().for_tone(theme.Tone.WARNING)


def test_the_auto_refresh_row_keeps_its_controls_apart(qtbot) -> None:
    """The lead time's state is the style's gap away from its spin box: the grid's close rows
    once left none ("expiry▲▼Off")."""
    panel = CountdownPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 200)
    panel.show()
    qtbot.waitExposed(panel)
    check, lead, state = panel.auto_refresh, panel.auto_refresh_lead, panel.auto_refresh_state
    gap = panel.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
    assert gap > 0
    assert lead.geometry().left() > check.geometry().right()
    assert state.geometry().left() - lead.geometry().right() - 1 >= gap


def test_a_long_auto_refresh_state_takes_a_row_of_its_own_in_a_narrow_panel(qtbot) -> None:
    """Wrapped in the corner beside the lead time, the next refresh's sentence stood five lines
    tall and scrolled a narrow Expiry dock: there it takes the panel's width, under the
    controls; in a wide panel it stays beside them, a line less."""
    panel = CountdownPanel()
    qtbot.addWidget(panel)
    panel.resize(440, 300)
    panel.show()
    qtbot.waitExposed(panel)
    lead, state = panel.auto_refresh_lead, panel.auto_refresh_state
    sentence = (
        "Next refresh at 2026-12-02 17:56:52 (17280 s before expiry; the 86400 s lead leaves "
        "nothing of the token's 86400 s)"
    )
    panel.show_auto_refresh_state(sentence, theme.Tone.MUTED)
    qtbot.waitUntil(lambda: state.geometry().top() > lead.geometry().bottom())
    assert state.geometry().width() > panel.width() * 0.8
    assert lead.width() == lead.sizeHint().width()  # the controls keep their own width
    lines = state.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: state.height() == state.heightForWidth(state.width()))
    assert state.height() <= 3 * lines
    panel.resize(1400, 300)
    qtbot.waitUntil(lambda: state.geometry().top() < lead.geometry().bottom())
    assert state.geometry().left() > lead.geometry().right()
    panel.show_auto_refresh_state("Off", theme.Tone.MUTED)
    panel.resize(440, 300)
    qtbot.waitUntil(lambda: panel.width() == 440)
    assert state.geometry().left() > lead.geometry().right()  # "Off" fits beside


def test_a_wrapped_note_gets_shorter_when_its_panel_gets_wider(qtbot) -> None:
    """A note under a token, wrapped on two lines in a narrow panel, takes one line once the
    panel is wide: no gap of an unused line is left under it (seen after a restored layout)."""
    panel = QWidget()
    form = QFormLayout(panel)
    form.addRow("refresh_token", QLabel("snd-id-con-r-…"))
    note = ValueNote("Refresh token note", "refreshTokenInfo")
    form.addRow("", note)
    form.addRow("token_type", QLabel("Bearer"))
    qtbot.addWidget(panel)
    panel.resize(300, 200)
    panel.show()
    qtbot.waitExposed(panel)
    note.setText("Issued 20:36:32 by the authorization_code exchange, in a few more words.")
    qtbot.waitUntil(lambda: note.height() == note.heightForWidth(note.width()))
    lines = note.fontMetrics().lineSpacing()
    assert note.height() >= 2 * lines  # wrapped, narrow
    panel.resize(1200, 200)
    qtbot.waitUntil(lambda: note.width() > 1000)
    qtbot.waitUntil(lambda: note.height() == note.heightForWidth(note.width()))
    assert note.height() < 2 * lines


def test_the_copy_buttons_stay_put_when_a_token_state_changes(window: MainWindow, qtbot) -> None:
    """Tryout AD: "live" turned "not trusted" (an id_token that failed its checks) and every
    Copy button moved left, leaving an empty strip at the panel's edge."""
    button = window.response_panel.fields["access_token"].copy_button
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "live", timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents()
    at = button.mapTo(window.response_panel, QPoint(0, 0)).x()
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("bad_signature_id_token")
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "not trusted", timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents()
    assert button.mapTo(window.response_panel, QPoint(0, 0)).x() == at


def test_the_response_rows_are_evenly_spaced_until_there_is_a_note_under_refresh_token(
    window: MainWindow, qtbot
) -> None:
    """Before the first token the row for the note under refresh_token ("Issued … by …") was
    an empty gap between refresh_token and token_type, as if a value were missing."""
    fields = window.response_panel.fields

    def top(key: str) -> int:
        return fields[key].mapTo(window.response_panel, QPoint(0, 0)).y()

    def gaps() -> tuple[int, int]:
        QCoreApplication.sendPostedEvents()
        layout = window.response_panel.layout()
        assert layout is not None
        layout.activate()
        return top("token_type") - top("refresh_token"), top("expires_in") - top("token_type")

    under_refresh, usual = gaps()
    assert under_refresh == usual
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: window.response_panel.refresh_info.text() != "", timeout=WAIT_MS)
    under_refresh, usual = gaps()
    assert under_refresh > usual  # the note has its line now
