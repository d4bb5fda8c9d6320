"""No secret key — and no full token unless the profile opted in — in any file the app writes.

A whole session runs in a private HOME (XDG dirs included, see tests/conftest.py): a custom
profile with a unique secret, a token, a refresh, errors, history, exports and a restart. Then
every file under HOME is searched, byte for byte, including SQLite's WAL.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from PySide6.QtGui import QImage
from tests.support.leaks import files_containing
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import add_profile, get_code, send_and_wait, token_flow, type_into

from idconnect_tester.core.check_results import StepResult
from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer
from idconnect_tester.ui.main_window import MainWindow


def run_session(window: MainWindow, qtbot, secret: str, home: Path) -> list[str]:
    """Token, refresh, an API error, a network error, exports, the credential check and its
    reports. Returns the tokens (and the code and verifier) seen."""
    type_into(qtbot, window.target_panel.secret_key, secret)
    granted = token_flow(window, qtbot)
    assert isinstance(granted.outcome, TokenGranted)
    tokens = [
        granted.outcome.access_token,
        granted.outcome.refresh_token or "",
        granted.outcome.id_token or "",
        window.form.code.text(),  # the code and its verifier redeem tokens too
        window.form.code_verifier.text(),
    ]
    window.form.set_grant("refresh_token")
    refreshed = send_and_wait(window, qtbot)
    assert isinstance(refreshed.outcome, TokenGranted)
    tokens.append(refreshed.outcome.access_token)
    window.form.set_grant("authorization_code")
    send_and_wait(window, qtbot)  # reused code: 401, saved in history too
    window.copy_as_curl()
    window.copy_response_json()
    window.save_exchange(home / "saved-exchange.json")
    window.send_share_token("CoolCompanyLtd", 1800)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=10000)

    def keep(result: StepResult) -> None:
        outcome = result.exchange.outcome if result.exchange is not None else None
        if isinstance(outcome, TokenGranted):
            tokens.extend([outcome.access_token, outcome.refresh_token or ""])
            tokens.append(outcome.id_token or "")

    window.controller.check_step.connect(keep)
    window.check_panel.run_button.click()
    qtbot.waitUntil(lambda: window.check_runner.report is not None, timeout=10000)
    report = window.check_runner.report
    assert report is not None and report.passed
    window.check_runner.export("markdown", home / "check.md")
    window.check_runner.export("junit", home / "check.xml")
    return [t for t in tokens if t]


def emulator_with_secret(secret: str) -> EmulatorServer:
    """An emulator that accepts exactly this secret, so the session really uses it."""
    return EmulatorServer(EmulatorConfig(secret_key=secret, log=False)).start()


def test_no_secret_or_full_token_in_any_file(loop, qtbot, private_home: Path) -> None:
    secret = "leak-canary-" + secrets.token_hex(16)
    server = emulator_with_secret(secret)
    window = open_window(qtbot)
    add_profile(window, "Leak test", base_url=server.base_url, issuer=server.issuer)
    tokens = run_session(window, qtbot, secret, private_home)
    close_window(window, qtbot)

    # A restart reads everything back (and writes its layout again).
    again = open_window(qtbot)
    secret_field = again.target_panel.secret_key
    qtbot.waitUntil(lambda: secret_field.text() == secret, timeout=10000)  # from the keyring
    get_code(again, qtbot)
    close_window(again, qtbot)
    server.stop()

    written = [p for p in private_home.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"profiles.json", "window.ini", "history.sqlite3", "saved-exchange.json"} <= names
    assert {"check.md", "check.xml"} <= names
    assert files_containing(private_home, secret) == []
    for token in tokens:
        assert files_containing(private_home, token) == [], token[:16]


def test_full_tokens_are_stored_only_when_the_profile_opts_in(loop, qtbot, private_home) -> None:
    """The positive control: with the opt-in the same search does find the tokens, which
    proves the search above would have seen a leak."""
    secret = "opt-in-canary-" + secrets.token_hex(16)
    server = emulator_with_secret(secret)
    window = open_window(qtbot)
    add_profile(
        window,
        "Full tokens",
        base_url=server.base_url,
        issuer=server.issuer,
        store_full_tokens=True,
    )
    tokens = run_session(window, qtbot, secret, private_home)
    close_window(window, qtbot)
    server.stop()
    assert files_containing(private_home, secret) == []
    assert files_containing(private_home, tokens[0]) != []  # the access token, in history


def test_a_screenshot_of_the_window_does_not_depend_on_the_secret_key(
    window: MainWindow, qtbot
) -> None:
    """What a screenshot (the README's, a bug report's) shows of the secret key is the same
    for any key of its length: its dots, never its characters."""
    field = window.target_panel.secret_key
    token_flow(window, qtbot)  # results on show too: nothing in them repeats the key

    def shot(secret: str) -> QImage:
        field.setText(secret)
        return window.grab().toImage()

    one, other = secrets.token_urlsafe(15), secrets.token_urlsafe(15)
    assert len(one) == len(other) and one != other
    assert shot(one) == shot(other)
    assert shot(one) != shot(one + "x")  # a control: the grab does see the field
