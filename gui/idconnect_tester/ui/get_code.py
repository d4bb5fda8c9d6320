"""Get code: a fresh PKCE pair, the authorize step, and the code and verifier in the form.

- Built-in emulator: the loopback listener starts, and the app itself follows the emulator's
  302 to it, so the whole real mechanism runs without a browser. Whatever else the emulator
  answers (a 400 for a bad redirect, say) is shown at once.
- Any other authorization server, with a loopback redirect URI (or none: a free port is used):
  the listener starts, the system browser opens the authorize URL, a dialog shows the URL (to
  copy into another browser) and the code arrives by itself. The same holds for a server on this
  machine: only the built-in emulator is known to consent without a person.
- A redirect URI that is not loopback: no listener; the user pastes the redirect URL or code.

Before the browser opens, the authorization server is asked once what it answers
(`probe_authorize`, with a twin of the attempt: the browser's URL stays fresh). An error — an
error redirect, a 400 page, nothing listening on this machine — is shown in the error panel at
once instead of after minutes of waiting; a sign-in page is named as one while the app waits.

Nothing starts while the target can't be authorized (no client id, a malformed redirect URI):
the reason shows under Code and in the status bar.

Whatever comes back goes to the session, which checks it against this attempt and fills in the
form (or shows what went wrong).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any, Final

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from idconnect_tester import vendor
from idconnect_tester.core.authorize import (
    AuthorizeResult,
    AuthorizeSession,
    looks_like_redirect,
    parse_redirect,
)
from idconnect_tester.core.authorize_flow import (
    FOLLOW_TIMEOUT_S,
    AuthorizeProbe,
    AuthorizeTarget,
    ProbeVerdict,
    RedirectCapture,
    find_endpoint,
    follow_authorize,
    is_loopback_redirect,
    probe_authorize,
)
from idconnect_tester.core.loopback import LoopbackError, LoopbackListener, run_authorize_flow
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.session import Session
from idconnect_tester.core.target_selection import TargetSelection
from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.widgets import ask_text

BROWSER_TIMEOUT_S: Final = 300.0
EMULATOR_LABEL: Final = "Getting a code from the built-in emulator…"
BROWSER_LABEL: Final = "Waiting for the browser: sign in and consent there…"
_PROBE_TONES: Final = {ProbeVerdict.DOUBTFUL: Tone.WARNING}

Say = Callable[[str, Tone], None]
# The attempt, its result, and the authorization server's own HTTP status when the app
# fetched the URL itself (a 302 it followed, as the credential check records too).
Outcome = tuple[AuthorizeSession, AuthorizeResult, int | None] | None


def authorize_target(profile: Profile, scopes: list[str]) -> AuthorizeTarget:
    return AuthorizeTarget(
        issuer=profile.issuer,
        client_id=profile.client_id,
        redirect_uri=profile.redirect_uri,
        scopes=tuple(scopes),
        authorization_endpoint=profile.authorization_endpoint,
    )


def _after_doubt(probe: AuthorizeProbe, result: AuthorizeResult) -> AuthorizeResult:
    """A wait that ended without a code (cancelled, timed out) after a doubtful first answer:
    what the app saw then comes first, as the likely cause — a server it could not reach is
    advised on as one, not as a redirect that went astray."""
    if result.code is not None or result.error is not None or not result.problem:
        return result
    return replace(result, problem=f"{probe.sentence} {result.problem}")


class GetCode:
    def __init__(
        self,
        controller: RequestController,
        targets: TargetSelection,
        session: Session,
        parent: QWidget,
        say: Say,
        ensure_emulator: Callable[[], None],
        *,
        note_under_code: Say | None = None,
        show_redirect_result: Callable[[AuthorizeResult], None] | None = None,
    ) -> None:
        self._controller = controller
        self._targets = targets
        self._session = session
        self._parent = parent
        self._say = say
        self._ensure_emulator = ensure_emulator
        self._note = note_under_code or say
        self._show_redirect_result = show_redirect_result or (lambda _result: None)
        self.dialog: AuthorizeDialog | None = None
        # Set when a code arrives by hand while the browser flow waits: the wait ends quietly.
        self._by_hand: asyncio.Event | None = None
        controller.code_finished.connect(self._finished)
        controller.busy_changed.connect(self._busy_changed)

    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.close_dialog()  # the attempt is over, however it ended

    def start(self, scopes: list[str]) -> None:
        if self._targets.current.builtin:
            self._ensure_emulator()  # usually running since start-up; now it must be
        profile = self._targets.current
        target = authorize_target(profile, scopes)
        if profile.builtin:
            capture = RedirectCapture.FOLLOW
        elif is_loopback_redirect(profile.redirect_uri):
            capture = RedirectCapture.BROWSER
        else:
            capture = RedirectCapture.PASTE
        problems = target.problems(capture)
        if problems:
            message = f"Get code needs the profile settings fixed: {problems[0]}"
            self._note(message, Tone.ERROR)
            self._say(message + " (Profile… ▸ Settings…)", Tone.ERROR)
            return
        if capture is RedirectCapture.FOLLOW:
            self._emulator_flow(profile, target)
        elif capture is RedirectCapture.BROWSER:
            self._browser_flow(profile, target)
        else:
            self._paste_flow(profile, target)

    def _finished(
        self, attempt: AuthorizeSession, result: AuthorizeResult, server_status: int | None = None
    ) -> None:
        self.close_dialog()
        self._session.authorize_finished(attempt, result, server_status=server_status)

    # --- the three flows ---

    def _emulator_flow(self, profile: Profile, target: AuthorizeTarget) -> None:
        http = self._controller.http_for(profile)

        async def run() -> Outcome:
            listener = await self._listener(None)
            if listener is None:
                return None
            endpoint = profile.base_url.rstrip("/") + vendor.AUTHORIZE_PATH
            attempt = self._new_attempt(endpoint, target, listener.redirect_uri)
            followed = await follow_authorize(http, attempt, listener, FOLLOW_TIMEOUT_S)
            return attempt, followed.result, followed.server_status

        self._controller.get_code(run, EMULATOR_LABEL)

    def _browser_flow(self, profile: Profile, target: AuthorizeTarget) -> None:
        http = self._controller.http_for(profile)
        keys_http = self._controller.keys_http_for(profile)

        async def run() -> Outcome:
            endpoint = await find_endpoint(keys_http, target, self._controller.keys_cache)
            listener = await self._listener(target.redirect_uri.strip() or None)
            if listener is None:
                return None
            attempt = self._new_attempt(endpoint, target, listener.redirect_uri)
            probe = await probe_authorize(http, attempt)
            if probe.result is not None:
                await listener.close()
                return attempt, probe.result, None
            if probe.verdict is ProbeVerdict.CONSENTS_AT_ONCE:
                # Nobody signs in (a local emulator, a test server): a browser would add only
                # a window to close. Followed here, as for the built-in emulator.
                followed = await follow_authorize(http, attempt, listener, FOLLOW_TIMEOUT_S)
                return attempt, followed.result, followed.server_status
            dialog = self._open_dialog(attempt, listener.redirect_uri, probe)
            self._say(
                f"{probe.sentence} Waiting up to {BROWSER_TIMEOUT_S / 60:g} min for the "
                f"redirect to {listener.redirect_uri}",
                _PROBE_TONES.get(probe.verdict, Tone.MUTED),
            )

            def open_browser(_url: str) -> None:
                dialog.open_browser()  # says so in the dialog when no browser could start

            try:
                outcome = await self._wait_or_paste(
                    attempt, run_authorize_flow(attempt, listener, open_browser, BROWSER_TIMEOUT_S)
                )
            except asyncio.CancelledError:
                # The person's own cancel of a sign-in is no failure. After a doubtful first
                # answer (a server the app could not reach, a 403 for non-browsers) it is the
                # step's outcome — raw panel, error panel, history — with what the app saw.
                if probe.verdict is ProbeVerdict.DOUBTFUL:
                    cancelled = AuthorizeResult(problem="Cancelled while waiting for the browser.")
                    self._session.authorize_finished(attempt, _after_doubt(probe, cancelled))
                raise
            if outcome is None or probe.verdict is not ProbeVerdict.DOUBTFUL:
                return outcome
            _, result, status = outcome
            return attempt, _after_doubt(probe, result), status

        self._controller.get_code(run, BROWSER_LABEL)

    def _paste_flow(self, profile: Profile, target: AuthorizeTarget) -> None:
        http = self._controller.http_for(profile)
        keys_http = self._controller.keys_http_for(profile)

        # Not the one running operation: nothing is waited for, the dialog stays open until the
        # redirect URL is pasted (or cancelled).
        async def run() -> None:
            endpoint = await find_endpoint(keys_http, target, self._controller.keys_cache)
            attempt = self._new_attempt(endpoint, target, target.redirect_uri)
            probe = await probe_authorize(http, attempt)
            if probe.result is not None:
                self._finished(attempt, probe.result)
                return
            self._open_dialog(attempt, None, probe).open_browser()
            self._say(
                f"{probe.sentence} Then paste the redirect URL into the dialog or into Code",
                _PROBE_TONES.get(probe.verdict, Tone.MUTED),
            )

        self._controller.start_background(run(), "prepare the authorize step")
        self._say("Asking the authorization server…", Tone.MUTED)

    def _new_attempt(
        self, endpoint: str, target: AuthorizeTarget, redirect_uri: str
    ) -> AuthorizeSession:
        """A fresh state, nonce and PKCE pair, made the session's pending attempt at once: a
        redirect pasted while the browser is open is checked against it."""
        attempt = AuthorizeSession.new(endpoint, target.client_id, redirect_uri, target.scopes)
        self._session.authorize_started(attempt)
        return attempt

    async def _listener(self, redirect_uri: str | None) -> LoopbackListener | None:
        try:
            return await LoopbackListener.start(redirect_uri)
        except LoopbackError as exc:
            self._session.operation_failed(str(exc))
            return None

    async def _wait_or_paste(
        self, attempt: AuthorizeSession, waiting: Coroutine[Any, Any, AuthorizeResult]
    ) -> Outcome:
        """The redirect on the listener, unless a code is pasted first (that ends the wait
        without a "Cancelled": the attempt did not fail)."""
        by_hand = self._by_hand = asyncio.Event()
        redirect = asyncio.ensure_future(waiting)
        pasted = asyncio.ensure_future(by_hand.wait())
        try:
            await asyncio.wait({redirect, pasted}, return_when=asyncio.FIRST_COMPLETED)
            if redirect.done():
                return attempt, redirect.result(), None  # the browser's: no status seen here
            return None  # the pasted code was taken already
        finally:
            self._by_hand = None
            for task in (redirect, pasted):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    # --- the dialog ---

    def _open_dialog(
        self, attempt: AuthorizeSession, listening_on: str | None, probe: AuthorizeProbe
    ) -> AuthorizeDialog:
        self.close_dialog()
        dialog = AuthorizeDialog(attempt.url(), listening_on, self._parent)
        dialog.show_note(probe.sentence, _PROBE_TONES.get(probe.verdict, Tone.MUTED))
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
        self._took_by_hand()
        self._session.authorize_finished(attempt, result)

    def _took_by_hand(self) -> None:
        self.close_dialog()
        if self._by_hand is not None:
            self._by_hand.set()  # stop listening: the code came by hand

    def close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.blockSignals(True)  # closing it is not the user cancelling
            dialog.close()
            dialog.deleteLater()

    # --- redirects pasted elsewhere ---

    def use_redirect(self, text: str) -> AuthorizeResult:
        """A redirect URL (or code) from the Code field or the clipboard: checked against this
        run's authorize attempt, and what came of it said under Code."""
        result = self._session.redirect_pasted(text)
        if result.code is not None or (result.error is not None and result.state_checked):
            self._took_by_hand()  # the attempt's answer came: its window has nothing to wait for
        self._show_redirect_result(result)
        return result

    def paste_redirect(self) -> None:
        """Paste redirect URL…: the clipboard's redirect URL is used as it is; otherwise a
        dialog asks for it, holding what the clipboard has (a bare code, say)."""
        clipboard = QGuiApplication.clipboard().text().strip()
        if looks_like_redirect(clipboard):
            self.use_redirect(clipboard)
            return
        prefill = clipboard if clipboard and len(clipboard) < 2048 and "\n" not in clipboard else ""
        text, ok = ask_text(
            self._parent,
            "Paste redirect URL",
            "Redirect URL (…?code=…&state=…) or the code:",
            prefill,
            columns=72,  # a redirect URL is long: its code and state in view
        )
        if ok and text.strip():
            self.use_redirect(text)
