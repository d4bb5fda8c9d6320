"""Get code: a fresh PKCE pair, the authorize step, and the code and verifier in the form.

- Built-in emulator: the loopback listener starts, and the app itself follows the emulator's
  302 to it, so the whole real mechanism runs without a browser.
- A real target with a loopback redirect URI (or none: a free port is used): the listener
  starts, the system browser opens the authorize URL, the code arrives by itself.
- A redirect URI that is not loopback: no listener; the user pastes the redirect URL or code.

Whatever comes back goes to the session, which checks it against this attempt and fills in the
form (or shows what went wrong).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

from PySide6.QtWidgets import QInputDialog, QWidget

from idconnect_tester import vendor
from idconnect_tester.core.authorize import (
    AuthorizeResult,
    AuthorizeSession,
    authorization_endpoint_for,
    parse_redirect,
)
from idconnect_tester.core.jwks import KeyFetchError
from idconnect_tester.core.loopback import LoopbackListener, follow_in_place_of_browser
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.session import Session
from idconnect_tester.core.target import is_loopback_host
from idconnect_tester.core.target_selection import TargetSelection
from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.theme import Tone

EMULATOR_TIMEOUT_S: Final = 30.0
BROWSER_TIMEOUT_S: Final = 300.0


def _is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "http" and is_loopback_host(parts.hostname or "")


class GetCode:
    def __init__(
        self,
        controller: RequestController,
        targets: TargetSelection,
        session: Session,
        parent: QWidget,
        say: Callable[[str, Tone], None],
        ensure_emulator: Callable[[], None],
    ) -> None:
        self._controller = controller
        self._targets = targets
        self._session = session
        self._parent = parent
        self._say = say
        self._ensure_emulator = ensure_emulator
        self.dialog: AuthorizeDialog | None = None
        controller.code_finished.connect(self._finished)
        controller.busy_changed.connect(self._busy_changed)

    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.close_dialog()  # the attempt is over, however it ended

    def start(self, scopes: list[str]) -> None:
        if self._targets.current.builtin:
            self._ensure_emulator()  # usually running since start-up; now it must be
        profile = self._targets.current
        if profile.builtin:
            self._emulator_flow(profile, scopes)
        elif not profile.redirect_uri or _is_loopback_url(profile.redirect_uri):
            self._browser_flow(profile, scopes)
        else:
            self._paste_flow(profile, scopes)

    def _finished(self, attempt: AuthorizeSession, result: AuthorizeResult) -> None:
        self.close_dialog()
        self._session.authorize_finished(attempt, result)

    # --- the three flows ---

    def _emulator_flow(self, profile: Profile, scopes: list[str]) -> None:
        http = self._controller.http_for(profile)

        async def start_session() -> tuple[AuthorizeSession, LoopbackListener]:
            listener = await LoopbackListener.start(None)
            endpoint = profile.base_url.rstrip("/") + vendor.AUTHORIZE_PATH
            attempt = AuthorizeSession.new(
                endpoint, profile.client_id, listener.redirect_uri, scopes
            )
            self._session.authorize_started(attempt)
            return attempt, listener

        async def open_url(url: str) -> None:
            await follow_in_place_of_browser(http, url)

        self._controller.get_code(start_session, open_url, EMULATOR_TIMEOUT_S)

    async def _endpoint(self, profile: Profile) -> str:
        """The authorize endpoint: as configured, else from the issuer's discovery document."""
        if profile.authorization_endpoint:
            return profile.authorization_endpoint
        http = self._controller.keys_http_for(profile)
        try:
            discovery = await self._controller.keys_cache.discovery(http, profile.issuer)
        except KeyFetchError:
            discovery = None  # fall back to the vendor's path on the issuer
        return authorization_endpoint_for(profile.issuer, discovery)

    def _browser_flow(self, profile: Profile, scopes: list[str]) -> None:
        http = self._controller.http_for(profile)
        opened: list[AuthorizeDialog] = []

        async def start_session() -> tuple[AuthorizeSession, LoopbackListener]:
            endpoint = await self._endpoint(profile)
            listener = await LoopbackListener.start(profile.redirect_uri or None)
            attempt = AuthorizeSession.new(
                endpoint, profile.client_id, listener.redirect_uri, scopes
            )
            self._session.authorize_started(attempt)
            if not _is_loopback_url(endpoint):
                opened.append(self._open_dialog(attempt, listener.redirect_uri))
            return attempt, listener

        async def open_url(url: str) -> None:
            if opened:
                opened[0].open_browser()
            else:
                # An authorization server on this machine (the emulator run on its own, say)
                # consents at once: follow its redirect to the listener as a browser would.
                await follow_in_place_of_browser(http, url)

        self._controller.get_code(start_session, open_url, BROWSER_TIMEOUT_S)

    def _paste_flow(self, profile: Profile, scopes: list[str]) -> None:
        async def build() -> None:
            endpoint = await self._endpoint(profile)
            attempt = AuthorizeSession.new(
                endpoint, profile.client_id, profile.redirect_uri, scopes
            )
            self._session.authorize_started(attempt)
            self._open_dialog(attempt, None).open_browser()

        self._controller.start_background(build(), "prepare authorize")
        self._say("Authorize in the browser, then paste the redirect URL", Tone.MUTED)

    # --- the dialog and pasted redirects ---

    def _open_dialog(self, attempt: AuthorizeSession, listening_on: str | None) -> AuthorizeDialog:
        self.close_dialog()
        dialog = AuthorizeDialog(attempt.url(), listening_on, self._parent)
        dialog.cancelled.connect(self._controller.cancel)
        dialog.pasted.connect(lambda text: self._use_pasted(dialog, text))
        self.dialog = dialog
        dialog.show()
        return dialog

    def _use_pasted(self, dialog: AuthorizeDialog, text: str) -> None:
        attempt = self._session.pending_authorize
        if attempt is None:
            return
        result = parse_redirect(text, attempt)
        if result.problem is not None and result.code is None:
            dialog.show_problem(result.problem)
            return
        self._controller.cancel()  # stop listening: the code came by hand
        self.close_dialog()
        self._session.authorize_finished(attempt, result)

    def paste_redirect(self) -> None:
        """Paste a redirect URL (or code) by hand; checked against this run's authorize step."""
        text, ok = QInputDialog.getText(
            self._parent, "Paste redirect URL", "Redirect URL (…?code=…&state=…) or the code:"
        )
        if ok and text.strip():
            self._session.redirect_pasted(text)

    def close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.blockSignals(True)  # closing it is not the user cancelling
            dialog.close()
            dialog.deleteLater()
