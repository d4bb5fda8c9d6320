"""Get code: a fresh PKCE pair, the authorize step, and the code and verifier in the form.

- Built-in emulator: the loopback listener starts, and the app itself follows the emulator's
  302 to it, so the whole real mechanism runs without a browser.
- A real target with a loopback redirect URI (or none: a free port is used): the listener
  starts, the system browser opens the authorize URL, the code arrives by itself.
- A redirect URI that is not loopback: no listener; the user pastes the redirect URL or code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from idconnect_tester import vendor
from idconnect_tester.core.authorize import AuthorizeSession, parse_redirect
from idconnect_tester.core.target import is_loopback_host
from idconnect_tester.ui.theme import Tone

if TYPE_CHECKING:
    from idconnect_tester.core.loopback import LoopbackListener
    from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
    from idconnect_tester.ui.main_window import MainWindow

EMULATOR_TIMEOUT_S: Final = 30.0
BROWSER_TIMEOUT_S: Final = 300.0


def _loopback_redirect(redirect_uri: str) -> bool:
    if not redirect_uri:
        return True
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(redirect_uri)
    except ValueError:
        return False
    return parts.scheme == "http" and is_loopback_host(parts.hostname or "")


def start_get_code(window: MainWindow) -> None:
    if window.session.current.builtin:
        window.start_emulator()  # usually running since the first paint; now it must be
    profile = window.session.current
    scopes = window.form.selected_scopes()
    if profile.builtin:
        _emulator_flow(window, scopes)
    elif _loopback_redirect(profile.redirect_uri):
        _browser_flow(window, scopes)
    else:
        _paste_flow(window, scopes)


def _emulator_flow(window: MainWindow, scopes: list[str]) -> None:
    from idconnect_tester.core.loopback import LoopbackListener, follow_in_place_of_browser

    profile = window.session.current
    http = window.controller.client_for(window.session.target()).http()

    async def start_session() -> tuple[AuthorizeSession, LoopbackListener]:
        listener = await LoopbackListener.start(None)
        endpoint = profile.base_url.rstrip("/") + vendor.AUTHORIZE_PATH
        session = AuthorizeSession.new(endpoint, profile.client_id, listener.redirect_uri, scopes)
        return session, listener

    async def open_url(url: str) -> None:
        await follow_in_place_of_browser(http, url)

    window.controller.get_code(start_session, open_url, EMULATOR_TIMEOUT_S)


async def _endpoint(window: MainWindow) -> str:
    """The authorize endpoint: as configured, else from the issuer's discovery document."""
    from idconnect_tester.core.authorize import authorization_endpoint_for
    from idconnect_tester.core.jwks import KeyFetchError

    profile = window.session.current
    if profile.authorization_endpoint:
        return profile.authorization_endpoint
    http = window.controller.client_for(window.session.target()).http()
    try:
        discovery = await window.key_source.cache.discovery(http, profile.issuer)
    except KeyFetchError:
        discovery = None  # fall back to the vendor's path on the issuer
    return authorization_endpoint_for(profile.issuer, discovery)


def _browser_flow(window: MainWindow, scopes: list[str]) -> None:
    from idconnect_tester.core.loopback import LoopbackListener, follow_in_place_of_browser
    from idconnect_tester.ui.authorize_dialog import AuthorizeDialog

    profile = window.session.current
    http = window.controller.client_for(window.session.target()).http()
    dialog_holder: list[AuthorizeDialog] = []

    async def start_session() -> tuple[AuthorizeSession, LoopbackListener]:
        endpoint = await _endpoint(window)
        listener = await LoopbackListener.start(profile.redirect_uri or None)
        session = AuthorizeSession.new(endpoint, profile.client_id, listener.redirect_uri, scopes)
        if not _is_local(endpoint):
            dialog = AuthorizeDialog(session.url(), listener.redirect_uri, window)
            dialog.cancelled.connect(window.controller.cancel)
            dialog.pasted.connect(lambda text: _use_pasted(window, dialog, session, text))
            dialog_holder.append(dialog)
            window.show_authorize_dialog(dialog)
        return session, listener

    async def open_url(url: str) -> None:
        if dialog_holder:
            dialog_holder[0].open_browser()
        else:
            # An authorization server on this machine (the emulator run on its own, say)
            # consents at once: follow its redirect to the listener as a browser would.
            await follow_in_place_of_browser(http, url)

    window.controller.get_code(start_session, open_url, BROWSER_TIMEOUT_S)


def _is_local(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return is_loopback_host(urlsplit(url).hostname or "")
    except ValueError:
        return False


def _paste_flow(window: MainWindow, scopes: list[str]) -> None:
    from idconnect_tester.ui.authorize_dialog import AuthorizeDialog

    profile = window.session.current

    async def build() -> None:
        endpoint = await _endpoint(window)
        session = AuthorizeSession.new(endpoint, profile.client_id, profile.redirect_uri, scopes)
        dialog = AuthorizeDialog(session.url(), None, window)
        dialog.pasted.connect(lambda text: _use_pasted(window, dialog, session, text))
        window.show_authorize_dialog(dialog)
        dialog.open_browser()

    window.controller.start_background(build(), "prepare authorize")
    window.status.say("Authorize in the browser, then paste the redirect URL", Tone.MUTED)


def _use_pasted(
    window: MainWindow, dialog: AuthorizeDialog, session: AuthorizeSession, text: str
) -> None:
    result = parse_redirect(text, session)
    if result.problem is not None and result.code is None:
        dialog.show_problem(result.problem)
        return
    window.controller.cancel()  # stop listening: the code came by hand
    window.code_received(session, result)
