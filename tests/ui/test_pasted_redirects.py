"""A redirect URL where a code belongs: pasted or typed into Code, or waiting on the clipboard
for Paste redirect URL… — people who come from Postman or the OAuth Playground paste the whole
address. The app takes the code out of it, checks the state against the pending Get code, fills
in that attempt's verifier, and says what it did; a forged state gets nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from tests.support.flows import EMULATOR_CLIENT_ID
from tests.ui.helpers import (
    WAIT_MS,
    add_profile,
    answer_the_input_dialog,
    get_code,
    select,
    send_and_wait,
    token_flow,
    type_into,
)

from idconnect_tester import vendor
from idconnect_tester.core.authorize import AuthorizeSession
from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.request_form import RequestForm
from idconnect_tester.ui.theme import Tone
from idconnect_tester.vendor import AUTHORIZE_PATH


def pending_attempt(window: MainWindow) -> AuthorizeSession:
    attempt = window.session.pending_authorize
    assert attempt is not None
    return attempt


def consent(attempt: AuthorizeSession) -> str:
    """Where the emulator sends a browser for this attempt: the redirect URL with a fresh code
    issued to the attempt's PKCE challenge (as the address bar would show it)."""
    response = httpx.get(attempt.url(), follow_redirects=False, trust_env=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def code_in(redirect: str) -> str:
    return parse_qs(urlsplit(redirect).query)["code"][0]


def paste_into(qtbot, edit: Any, text: str) -> None:
    """Ctrl+V into an emptied field, as a person pastes."""
    type_into(qtbot, edit, "")
    QGuiApplication.clipboard().setText(text)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_a_pasted_redirect_url_becomes_the_code_with_its_attempts_verifier(
    window: MainWindow, qtbot
) -> None:
    get_code(window, qtbot)
    attempt = pending_attempt(window)
    redirect = consent(attempt)
    window.form.code_verifier.clear()

    paste_into(qtbot, window.form.code, redirect)

    assert window.form.code.text() == code_in(redirect)
    assert window.form.code_verifier.text() == attempt.pkce.code_verifier
    note = window.form.messages["code"].text()
    assert "redirect URL" in note and "state verified" in note
    exchange = send_and_wait(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)

    # Tryout Z: the same redirect pasted again read "Code taken … (state verified)" in green,
    # "press Send to exchange it", and added an "authorized" row each time. Its code is spent.
    paste_into(qtbot, window.form.code, redirect)
    assert window.form.code.text() == code_in(redirect)
    assert window.form.messages["code"].text().startswith("Used at")
    assert "taken already" in window.status.text() and "press Send" not in window.status.text()
    assert window.status.message.property("tone") == Tone.WARNING.value
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    rows = window.history.store.list()
    assert len([row for row in rows if row.endpoint == "authorize"]) == 2  # Get code, the paste


def test_a_redirect_with_another_state_is_withheld_and_says_so(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    attempt = pending_attempt(window)
    window.form.code_verifier.clear()
    forged = consent(attempt).replace(f"state={attempt.state}", "state=someone-elses")

    paste_into(qtbot, window.form.code, forged)

    assert window.form.code.text() == ""  # neither the URL nor its code
    assert window.form.code_verifier.text() == ""
    assert "state" in window.form.messages["code"].text().lower()
    assert not window.form.send_button.isEnabled()
    # The field's own message follows the note as a sentence (tryout AC: "… Start again.;
    # Enter the authorization code …").
    window.form.try_send()
    said = window.form.messages["code"].text()
    assert "Start again." in said and ".;" not in said, said
    # Tryouts T and V: the Get code it was checked against had its code already. Recorded as
    # that attempt's failure, it read "authorize failed" beside its success, with a made-up
    # wait; it answers no attempt, and the status bar says none is waiting.
    assert "no Get code is waiting" in window.status.text()
    assert "Start again" not in window.status.text()  # one piece of advice: press Get code
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    rows = window.history.store.list()
    assert [row.outcome.value for row in rows if row.endpoint == "authorize"] == ["authorized"]


def test_what_was_said_of_a_forged_redirect_ends_with_its_attempt(
    window: MainWindow, qtbot
) -> None:
    """Tryout S: the red "state differs" under Code stayed after a switch to another profile,
    a later Get code and a refresh — each a step that the old attempt's redirect has nothing to
    do with any more."""
    message = window.form.messages["code"]

    def paste_a_forged_redirect() -> str:
        attempt = pending_attempt(window)
        forged = consent(attempt).replace(f"state={attempt.state}", "state=someone-elses")
        paste_into(qtbot, window.form.code, forged)
        said = message.text()
        assert "state" in said.lower() and message.property("tone") == Tone.ERROR.value
        return said

    token_flow(window, qtbot)
    get_code(window, qtbot)
    said = paste_a_forged_redirect()
    add_profile(window, "Another target")
    assert message.text() != said
    select(window, EMULATOR_PROFILE_ID)
    assert message.text() != said  # back: that attempt's redirect is still over

    said = paste_a_forged_redirect()
    get_code(window, qtbot)
    assert message.text() != said

    said = paste_a_forged_redirect()
    window.form.set_grant("refresh_token")
    window.form.code_verifier.clear()  # the pending Get code's: not the one the tokens came with
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    window.form.set_grant("authorization_code")
    assert message.text() != said


def test_a_redirect_from_outside_this_run_gives_its_code_and_warns_the_state_was_unchecked(
    window: MainWindow, qtbot
) -> None:
    """Someone ran the authorize step elsewhere (their backend, another tool) and pastes where
    it landed: there is no Get code here to check the state against, and the app says so."""
    assert window.session.pending_authorize is None
    elsewhere = AuthorizeSession.new(
        window.emulator.base_url + AUTHORIZE_PATH,
        EMULATOR_CLIENT_ID,
        "http://127.0.0.1:8765/callback",
        vendor.SCOPES,
    )
    redirect = consent(elsewhere)
    QGuiApplication.clipboard().setText(redirect)
    dialogs = answer_the_input_dialog(None)

    window.actions_by_name["paste_redirect"].trigger()

    assert dialogs == [], "the clipboard holds a redirect URL: no dialog asks for one"

    assert window.form.code.text() == code_in(redirect)
    assert window.form.code_verifier.text() == ""  # not this run's: the person brings it
    assert "state could not be checked" in window.status.text()
    assert window.status.message.property("tone") == Tone.WARNING.value
    type_into(qtbot, window.form.code_verifier, elsewhere.pkce.code_verifier)
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)


def test_a_typed_redirect_url_is_read_on_return_not_sent(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    redirect = consent(pending_attempt(window))
    type_into(qtbot, window.form.code, redirect)
    assert window.form.code.text() == redirect  # half-typed URLs are left alone

    qtbot.keyClick(window.form.code, Qt.Key.Key_Return)

    assert window.session.latest_exchange() is None  # Return read the URL; nothing was sent
    assert window.form.code.text() == code_in(redirect)
    assert "state verified" in window.form.messages["code"].text()


def test_paste_redirect_uses_a_redirect_url_on_the_clipboard(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    attempt = pending_attempt(window)
    redirect = consent(attempt)
    window.form.code.clear()
    window.form.code_verifier.clear()
    QGuiApplication.clipboard().setText(redirect)
    dialogs = answer_the_input_dialog(None)

    window.actions_by_name["paste_redirect"].trigger()

    assert dialogs == [], "the clipboard holds a redirect URL: no dialog asks for one"

    assert window.form.code.text() == code_in(redirect)
    assert window.form.code_verifier.text() == attempt.pkce.code_verifier
    assert "state verified" in window.status.text()


def test_paste_redirect_opens_the_dialog_holding_what_the_clipboard_has(
    window: MainWindow, qtbot
) -> None:
    QGuiApplication.clipboard().setText("  just-a-code-123  ")
    opened_with = answer_the_input_dialog("just-a-code-123")
    window.actions_by_name["paste_redirect"].trigger()

    assert opened_with == ["just-a-code-123"]
    assert window.form.code.text() == "just-a-code-123"


@pytest.mark.parametrize("which", ["id_token", "access_token"])
def test_a_token_pasted_into_code_is_refused_before_send(
    window: MainWindow, qtbot, which: str
) -> None:
    """Copy beside a token, paste into Code: the field says it is a token, not a code, and
    Send stays off — a live token never leaves the app as a code."""
    get_code(window, qtbot)
    granted = send_and_wait(window, qtbot)
    assert isinstance(granted.outcome, TokenGranted)
    token = getattr(granted.outcome, which)
    assert token
    type_into(qtbot, window.form.code, token)
    qtbot.keyClick(window.form.code, Qt.Key.Key_Tab)
    assert "not an authorization code" in window.form.messages["code"].text()
    assert not window.form.send_button.isEnabled()
    assert window.form.send_blocked.text()
    # The verifier is not "another code's": there is no code to pair it with.
    assert window.form.messages["code_verifier"].text() == ""


def test_get_code_clears_what_was_said_of_the_last_attempts_redirect(qtbot) -> None:
    """A Get code that waits (for a browser, or a paste) starts with Code's note cleared: the
    red words about the previous attempt's redirect are not this attempt's."""
    form = RequestForm()
    qtbot.addWidget(form)
    form.note_under_code("The state in the redirect differs from the pending Get code", Tone.ERROR)
    assert form.messages["code"].text()
    with qtbot.waitSignal(form.get_code_requested, timeout=1000):
        form.get_code_button.click()
    assert "state" not in form.messages["code"].text()
