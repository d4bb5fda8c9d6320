"""Form fuzzing: whatever lands in the fields — pasted garbage, control characters, emoji,
megabyte-long tokens, URLs of every shape — the window never crashes, Send is either off and
says why or sends and shows an outcome, and afterwards the window still does a normal flow.

Requests that do go out stay on this machine: every proxy variable points at a closed local
port (loopback never goes through a proxy), so a fuzzed https:// host fails at the proxy
instead of reaching the internet.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from tests.support.faulty_servers import closed_port
from tests.ui.helpers import add_profile, text_of, token_flow

from idconnect_tester import vendor
from idconnect_tester.core.exchange import Exchange, TokenGranted
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.ui.main_window import MainWindow

WAIT_MS = 15_000

INTERESTING = (
    "",
    " ",
    "\t\n",
    "http://127.0.0.1:1",
    "http://localhost",
    "http://[::1]:8088/",
    "http://[::1",
    "https://",
    "https://api.sumsub.com/path?query=1#frag",
    "https://user:pass@example.invalid",
    "ftp://example.invalid",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://example.com",  # plain http to another host: refused by the form
    "sbx:emulator-app-token",
    "sbx:emulator-disabled-token",
    "emulator-secret-key",
    "snd-id-con-r-" + "A" * 64,
    "a" * 43,
    "é" * 50,
    "😀" * 30,
    "\x00\x01\x7f",
    "‮right-to-left",
    "%s%n%x",
    "' OR 1=1 --",
    "\\u0000",
)

field_text = st.one_of(
    st.sampled_from(INTERESTING),
    st.text(max_size=80),
    st.text(alphabet="abcdefABCDEF0123456789-._~:/?#[]@!$&'()*+,;=%", max_size=120),
    st.text(alphabet="xyz", min_size=2000, max_size=20_000),  # a megabyte-ish paste, shortened
)


def paste(edit: QLineEdit, text: str) -> None:
    """Select everything and paste `text`, as a user would (textEdited fires). A read-only
    field (the built-in emulator's URL) can't be typed into: leave it."""
    if edit.isReadOnly() or not edit.isEnabled():
        return
    edit.setFocus()
    edit.selectAll()
    edit.insert(text)


@pytest.fixture
def offline_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    dead_end = f"http://127.0.0.1:{closed_port()}"
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(variable, dead_end)
        monkeypatch.setenv(variable.lower(), dead_end)


FIELDS = ("base_url", "app_token", "secret", "code", "code_verifier", "refresh_token")
PKCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def test_random_input_never_breaks_the_window(
    window: MainWindow, qtbot, caplog: pytest.LogCaptureFixture, offline_proxies, own_executor
) -> None:
    caplog.set_level(logging.ERROR)
    failed: list[str] = []
    window.controller.failed.connect(failed.append)
    fuzz = add_profile(window, "Fuzzed target", timeout_s=2.0)  # on the window's emulator
    target, form = window.target_panel, window.form
    outcomes: list[str] = []
    plausible = st.text(alphabet=PKCE_ALPHABET, min_size=43, max_size=128)

    @settings(
        max_examples=60,
        derandomize=True,  # the same examples on every run: CI never fails by chance
        deadline=None,  # a real window and real requests: timing varies
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        profile=st.sampled_from((EMULATOR_PROFILE_ID, fuzz.id)),
        code=plausible,
        verifier=plausible,
        refresh_token=plausible.map(lambda t: vendor.REFRESH_TOKEN_PREFIX + t),
        # Start from a form that would send, then garble a few fields with anything at all.
        garbled=st.dictionaries(st.sampled_from(FIELDS), field_text, max_size=4),
        grant=st.sampled_from(vendor.GRANT_TYPES),
        scopes=st.sets(st.sampled_from(vendor.SCOPES)),
        press_send=st.booleans(),
    )
    def fill_and_send(
        profile: str,
        code: str,
        verifier: str,
        refresh_token: str,
        garbled: dict[str, str],
        grant: str,
        scopes: set[str],
        press_send: bool,
    ) -> None:
        target.profile.setCurrentIndex(target.profile.findData(profile))
        values = {
            "base_url": fuzz.base_url,
            "app_token": "sbx:emulator-app-token",
            "secret": "emulator-secret-key",
            "code": code,
            "code_verifier": verifier,
            "refresh_token": refresh_token,
        }
        values.update(garbled)
        paste(target.base_url, values["base_url"])
        paste(target.app_token, values["app_token"])
        paste(target.secret_key, values["secret"])
        form.set_grant(grant)
        paste(form.code, values["code"])
        paste(form.code_verifier, values["code_verifier"])
        paste(form.refresh_token, values["refresh_token"])
        form.set_scopes(tuple(scopes))

        assert not window.controller.busy
        if not form.send_button.isEnabled():
            # Off, and it says why — never silently.
            assert form.send_blocked.text().startswith("Send is off: "), form.send_blocked.text()
            return
        if not press_send:
            return
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as got:
            qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
        exchange = got.args[0]
        assert isinstance(exchange, Exchange)
        outcomes.append(type(exchange.outcome).__name__)
        # Whatever came back is on screen: a token, or an error with its status.
        if not isinstance(exchange.outcome, TokenGranted):
            assert text_of(window, "errorStatus") not in ("", "No error")
        assert window.status.text()

    fill_and_send()

    assert failed == []  # no operation died of an exception
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert len(outcomes) >= 5, f"too few examples pressed Send: {outcomes}"

    # Still usable: back on the emulator with its own credentials, a normal flow works.
    target.profile.setCurrentIndex(target.profile.findData(EMULATOR_PROFILE_ID))
    paste(target.app_token, "sbx:emulator-app-token")
    paste(target.secret_key, "emulator-secret-key")
    form.set_scopes(vendor.SCOPES)
    form.set_grant(vendor.GRANT_AUTHORIZATION_CODE)
    qtbot.waitUntil(lambda: window.controller.pending_tasks == 0, timeout=WAIT_MS)
    exchange = token_flow(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted), exchange.summary()
    assert text_of(window, "accessTokenField") == exchange.outcome.access_token


def test_non_ascii_app_token_is_flagged_before_send(window: MainWindow, qtbot) -> None:
    """HTTP headers are ASCII: such a token can never be sent, so Send stays off and says why
    (found by the fuzzing above: it used to end as 'Not sent: 'ascii' codec can't encode…')."""
    qtbot.waitUntil(lambda: window.emulator.server is not None, timeout=WAIT_MS)
    window.form.set_grant(vendor.GRANT_REFRESH_TOKEN)
    paste(window.form.refresh_token, vendor.REFRESH_TOKEN_PREFIX + "A" * 43)
    qtbot.waitUntil(window.form.send_button.isEnabled, timeout=WAIT_MS)  # a sendable form…
    paste(window.target_panel.app_token, "sbx:émulateur")  # …until the token can't be sent
    assert not window.form.send_button.isEnabled()
    assert "app token" in window.form.send_blocked.text().lower()


def test_a_paste_longer_than_a_field_holds_is_said_to_be_cut(window: MainWindow, qtbot) -> None:
    """Qt keeps the first 32,767 characters of a paste into a line field and says nothing: the
    message under the field says the paste was cut, not "The code is 32,767 characters"."""
    code = window.form.code
    QApplication.clipboard().setText("A" * 100_003)
    code.setFocus()
    code.selectAll()
    qtbot.keyClick(code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(code.text()) == code.maxLength()  # what Qt kept
    said = window.form.messages["code"].text()
    assert "Cut at" in said and f"{code.maxLength():,}" in said
    assert not window.form.send_button.isEnabled()
    paste(code, "A" * 20_000)  # too long still, but whole: the count is the paste's
    assert "Cut at" not in window.form.messages["code"].text()
    assert "20,000" in window.form.messages["code"].text()
