"""Qt's own log messages, as the app passes them on to stderr: the offscreen platform's noise
dropped, and no URL's query (an authorize URL's state, nonce and PKCE challenge) in a log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning

from idconnect_tester.ui.launch import qt_log_line, quiet_qt_log

AUTHORIZE = (
    "https://api.sumsub.com/idensic/oauth/authorize?response_type=code&client_id=c"
    "&state=st4te-value&nonce=n0nce-value&code_challenge=ch4llenge&code_challenge_method=S256"
)


@pytest.mark.no_qt_log  # this test installs the app's handler in place of pytest-qt's
def test_a_url_qt_could_not_open_is_logged_without_its_query(capfd) -> None:
    quiet_qt_log()
    try:
        qWarning(f"Unable to detect a web browser to launch '{AUTHORIZE}'")
        qWarning("This plugin does not support propagateSizeHints()")
    finally:
        qInstallMessageHandler(None)  # Qt's default handler again
    logged = capfd.readouterr().err
    assert "https://api.sumsub.com/idensic/oauth/authorize?…'" in logged
    for secret_ish in ("st4te-value", "n0nce-value", "ch4llenge", "client_id"):
        assert secret_ish not in logged
    assert "propagateSizeHints" not in logged


@pytest.mark.parametrize(
    ("message", "logged"),
    [
        ("plain words stay as they are", "plain words stay as they are"),
        ("see http://127.0.0.1:8080/cb#code=abc and go", "see http://127.0.0.1:8080/cb?… and go"),
        ('open "idconnect://x?y=1" failed', 'open "idconnect://x?…" failed'),
        ("no query: https://example.com/a/b", "no query: https://example.com/a/b"),
        # Qt decodes a query's %20 to a space: the quotes, not the space, end it (tryout AP).
        (
            "Unable to detect a web browser to launch 'http://h/authorize?scope=openid "
            "profile&state=st4te&nonce=n0nce'",
            "Unable to detect a web browser to launch 'http://h/authorize?…'",
        ),
    ],
)
def test_log_lines_lose_queries_and_fragments_only(message: str, logged: str) -> None:
    assert qt_log_line(message) == logged
