"""Get code against an authorization server that is not the built-in emulator — here a small
identity provider on this machine — the way a person meets it: the browser opens with a fresh
URL that the dialog also shows, a sign-in page is named as one while the app waits for the
browser, an error page or an error redirect shows in the error panel at once (no five-minute
wait), and nothing starts for a profile without a client id."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from tests.support.browser import Browser
from tests.support.identity_provider import Behaviour, IdentityProvider, identity_provider
from tests.ui.helpers import WAIT_MS, add_profile, hint_shown, text_of

from idconnect_tester.core.exchange import HintKind
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
from idconnect_tester.ui.history_panel import COLUMN
from idconnect_tester.ui.main_window import MainWindow


@pytest.fixture
def browser(browser: Browser) -> Browser:
    """The browser of these tests only notes what it is sent: the test plays the person."""
    browser.follows = False
    return browser


def use_provider(window: MainWindow, provider: IdentityProvider, **changes: Any) -> Profile:
    fields = {"client_id": "idp-client", "issuer": provider.issuer, **changes}
    created = add_profile(window, "Local identity provider", **fields)
    assert window.targets.current.id == created.id
    return created


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


async def sign_in(provider: IdentityProvider, url: str) -> httpx.Response:
    """What the person does in the browser: load the page, sign in, consent, land back."""
    async with httpx.AsyncClient(trust_env=False) as http:
        page = await http.get(url)
        assert page.status_code == 200 and "Sign in" in page.text
        return await http.get(provider.consent_url(state_of(url)), follow_redirects=True)


def test_a_sign_in_page_opens_the_browser_with_a_fresh_url_and_the_code_arrives(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    with identity_provider(Behaviour.SIGN_IN) as provider:
        use_provider(window, provider)
        window.form.code.clear()
        window.form.get_code_button.click()
        qtbot.waitUntil(lambda: len(browser.opened) == 1, timeout=WAIT_MS)
        url = browser.opened[0]

        dialog = window.get_code_flow.dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.url_view.toPlainText() == url  # shown, with its Copy URL button
        assert "sign-in page" in dialog.status.text()
        assert "sign-in page" in window.status.text()
        # The form says what it waits for: the browser, not a request being sent.
        assert window.controller.busy
        assert "browser" in window.form.send_blocked.text().lower()
        assert "Sending" not in window.form.send_blocked.text()
        # The app asked the server once before the browser went there — with another state:
        # the browser's URL is fresh, nothing of it was spent.
        assert len(provider.states_seen) == 1
        assert provider.states_seen[0] != state_of(url)

        landed = asyncio.ensure_future(sign_in(provider, url))
        qtbot.waitUntil(lambda: landed.done() and not window.controller.busy, timeout=WAIT_MS)
        assert landed.result().status_code == 200

    assert provider.states_seen == [provider.states_seen[0], state_of(url)]
    assert window.form.code.text() == "idp-code-" + state_of(url)[:8]
    attempt = window.session.pending_authorize
    assert attempt is not None
    assert window.form.code_verifier.text() == attempt.pkce.code_verifier
    assert "state verified" in window.status.text()
    assert window.get_code_flow.dialog is None


@pytest.mark.parametrize(
    ("behaviour", "shown"),
    [(Behaviour.BAD_REQUEST, "Unknown client"), (Behaviour.ERROR_REDIRECT, "consent refused")],
)
def test_an_error_from_the_authorization_server_shows_at_once(
    window: MainWindow, qtbot, browser: Browser, behaviour: Behaviour, shown: str
) -> None:
    with identity_provider(behaviour) as provider:
        use_provider(window, provider)
        window.form.get_code_button.click()
        qtbot.waitUntil(
            lambda: text_of(window, "errorStatus").startswith("Authorize"), timeout=3000
        )

    assert shown in text_of(window, "errorDescription")
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=1000)
    assert browser.opened == []  # no browser sent to an error page, no wait for a redirect
    assert window.get_code_flow.dialog is None
    assert window.form.code.text() == ""


def test_a_refusal_is_marked_older_once_the_profiles_redirect_uri_is_changed(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    """The refusal on screen was for the redirect URI the profile had: after the user changes
    it in the profile's settings, the error and raw panels say their content is older."""
    with identity_provider(Behaviour.BAD_REQUEST) as provider:
        profile = use_provider(window, provider, redirect_uri="https://app.example/callback")
        window.form.get_code_button.click()
        qtbot.waitUntil(
            lambda: text_of(window, "errorStatus").startswith("Authorize"), timeout=3000
        )
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    error, raw = window.error_panel, window.raw_panel
    assert error.property("stale") is False and raw.property("stale") is False

    window.profile_actions.save_settings(
        replace(profile, redirect_uri="https://app.example/oauth/callback")
    )
    assert error.property("stale") is True and raw.property("stale") is True
    assert "https://app.example/oauth/callback" in text_of(window, "errorFreshness")
    assert "older" in window.docks["error"].windowTitle()


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"client_id": ""}, "client id"),
        ({"redirect_uri": "https://app.example/cb#section"}, "fragment"),
    ],
)
def test_nothing_starts_for_a_profile_that_cannot_be_authorized(
    window: MainWindow, browser: Browser, changes: dict[str, str], said: str
) -> None:
    with identity_provider() as provider:
        use_provider(window, provider, **changes)
        tasks_before = window.controller.pending_tasks
        window.form.get_code_button.click()

        # Anything started would be running now: the wait, or a task asking the server.
        assert not window.controller.busy
        assert window.controller.pending_tasks == tasks_before
        assert provider.states_seen == [] and browser.opened == []
    assert said in window.form.messages["code"].text()
    assert said in window.status.text()


def test_nothing_listening_at_a_local_endpoint_is_an_error_not_a_wait(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    with identity_provider() as provider:
        issuer = provider.issuer
    use_provider(window, provider, issuer=issuer, authorization_endpoint=issuer + "authorize")
    window.form.get_code_button.click()
    qtbot.waitUntil(lambda: text_of(window, "errorStatus").startswith("Authorize"), timeout=3000)
    assert "could not be reached" in text_of(window, "errorDescription")
    # What to try is about the server's address, not about pasting a redirect.
    assert hint_shown(window) is HintKind.AUTHORIZE_UNREACHABLE
    assert browser.opened == []


def test_with_a_redirect_uri_elsewhere_the_dialog_waits_for_the_pasted_redirect(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    with identity_provider() as provider:
        use_provider(window, provider, redirect_uri="https://app.example/callback")
        window.form.code.clear()
        window.form.get_code_button.click()
        qtbot.waitUntil(lambda: len(browser.opened) == 1, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.controller.pending_tasks == 0, timeout=WAIT_MS)
        dialog = window.get_code_flow.dialog
        assert dialog is not None and dialog.isVisible()  # still there: nothing came back yet
        url = browser.opened[0]
        # The person signs in; the browser lands on the app's own page, whose address they copy.
        assert httpx.get(url, trust_env=False).status_code == 200  # the sign-in page
        consent = httpx.get(
            provider.consent_url(state_of(url)), follow_redirects=False, trust_env=False
        )
        landed = consent.headers["location"]
    assert landed.startswith("https://app.example/callback?code=")

    assert dialog.focusWidget() is dialog.paste_edit  # a paste at once lands in it
    window.target_panel.secret_key.setText("a-secret-key")  # Send can go once there is a code
    window.target_panel.edited.emit()
    dialog.paste_edit.setText(landed)
    qtbot.keyClick(dialog.paste_edit, Qt.Key.Key_Return)

    assert browser.opened == [url]  # Return used the paste; it did not open the browser again
    assert window.form.code.text() == "idp-code-" + state_of(url)[:8]
    # The next Return sends it (not a second Get code).
    qtbot.waitUntil(lambda: window.focusWidget() is window.form.send_button, timeout=WAIT_MS)
    assert window.get_code_flow.dialog is None
    assert "state verified" in window.status.text()


def test_an_error_redirect_pasted_into_code_ends_the_attempt_and_its_window(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    """The attempt's answer came by another way: its window has nothing left to wait for, and
    a code for the same state afterwards is not taken (one state, one answer)."""
    with identity_provider() as provider:
        use_provider(window, provider, redirect_uri="https://app.example/callback")
        window.form.code.clear()
        window.form.get_code_button.click()
        qtbot.waitUntil(lambda: window.get_code_flow.dialog is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: len(browser.opened) == 1, timeout=WAIT_MS)
        state = state_of(browser.opened[0])
        refused = f"https://app.example/callback?error=access_denied&state={state}"
        window.get_code_flow.use_redirect(refused)  # as pasted into Code

        assert window.get_code_flow.dialog is None
        late = window.get_code_flow.use_redirect(
            f"https://app.example/callback?code=late-code&state={state}"
        )
    assert late.code == "late-code"  # read from the URL…
    assert window.form.code.text() == ""  # …and not taken as the attempt's answer
    assert "refused already" in window.status.text()


def test_a_server_that_consents_at_once_gives_its_code_without_a_browser(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    """A second emulator on this machine (any server that needs no sign-in): the app follows
    the redirect itself, as for the built-in one — no browser, no dialog to close."""
    add_profile(window, "Another local emulator")  # the window's emulator, as a profile
    assert not window.targets.current.builtin
    window.form.code.clear()
    window.form.get_code_button.click()
    qtbot.waitUntil(
        lambda: window.form.code.text() != "" and not window.controller.busy, timeout=WAIT_MS
    )
    assert browser.opened == []  # this browser only notes URLs: it never took one
    assert window.get_code_flow.dialog is None
    assert "press Send" in window.status.text()


def cancel_the_wait(window: MainWindow, qtbot) -> None:
    window.form.get_code_button.click()
    qtbot.waitUntil(lambda: window.get_code_flow.dialog is not None, timeout=WAIT_MS)
    dialog = window.get_code_flow.dialog
    assert dialog is not None
    dialog.reject()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)


def test_a_cancelled_wait_after_a_doubtful_answer_is_the_authorize_steps_outcome(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    """The first answer was doubtful (a 403 for non-browsers): Cancel ends the attempt, and
    the error panel and the history keep it with what the app saw. A plain cancel of a
    sign-in is the person's own: nothing failed, nothing is recorded."""
    with identity_provider(Behaviour.SIGN_IN) as provider:
        use_provider(window, provider)
        cancel_the_wait(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    assert window.history_panel.row_count() == 0
    assert not text_of(window, "errorStatus").startswith("Authorize")

    with identity_provider(Behaviour.BOT_WALL) as provider:
        use_provider(window, provider)
        cancel_the_wait(window, qtbot)
    assert text_of(window, "errorStatus").startswith("Authorize")
    description = text_of(window, "errorDescription")
    assert "Cancelled while waiting for the browser" in description and "403" in description
    history = window.history_panel
    qtbot.waitUntil(lambda: history.row_count() == 1, timeout=WAIT_MS)
    row = history.table.topLevelItem(0)
    assert row is not None and row.text(COLUMN["Endpoint"]) == "authorize"
    assert row.text(COLUMN["Status"]) == ""  # the browser saw the server's answer, not the app


def test_no_browser_is_said_beside_what_the_app_knew(qtbot, monkeypatch) -> None:
    """A machine without a browser: the dialog says so without losing the note it had (a
    server that could not be reached, say)."""
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    dialog = AuthorizeDialog("https://id.example.invalid/authorize?x=1", "http://127.0.0.1:1/cb")
    qtbot.addWidget(dialog)
    dialog.show_note("The authorization server could not be reached (dns).")
    assert not dialog.open_browser()
    text = dialog.status.text()
    assert "No browser could be opened" in text and "could not be reached (dns)" in text


def test_an_unreachable_remote_server_without_a_browser_says_one_thing_and_advises_on_the_server(
    window: MainWindow, qtbot, monkeypatch
) -> None:
    """A server elsewhere that the app could not reach may still be reached by a browser, so
    the browser is tried; on a machine with none the dialog says so, beside what the app saw,
    without also claiming to open it. A cancel then is advised on as the server's address —
    not as a redirect to paste."""
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    add_profile(
        window,
        "Remote identity provider",
        client_id="idp-client",
        issuer="https://id.sumsub.invalid/",
        authorization_endpoint="https://id.sumsub.invalid/authorize",
    )
    window.form.get_code_button.click()
    qtbot.waitUntil(lambda: window.get_code_flow.dialog is not None, timeout=WAIT_MS)
    dialog = window.get_code_flow.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: "No browser could be opened" in dialog.status.text(), timeout=WAIT_MS)
    said = dialog.status.text()
    assert "could not be reached" in said
    assert "Opening the browser" not in said and "Waiting for the redirect" not in said

    dialog.reject()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    assert text_of(window, "errorStatus").startswith("Authorize")
    assert "could not be reached" in text_of(window, "errorDescription")
    assert hint_shown(window) is HintKind.AUTHORIZE_UNREACHABLE
