"""The request controller: runs each network step as a task on the qasync loop and reports back
through Qt signals. Panels never touch the network; the window never awaits.

One user-visible operation runs at a time (a send, a share token, or get code): Send is disabled
while it runs, Cancel ends it at once. Verification of an id_token runs after its exchange.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from idconnect_tester.ui.tasks import TaskOwner

if TYPE_CHECKING:
    import asyncio

    from idconnect_tester.core.authorize import AuthorizeSession
    from idconnect_tester.core.client import IdConnectClient
    from idconnect_tester.core.id_token_checks import Verification
    from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
    from idconnect_tester.core.target import Target

_ClientKey = tuple[str, float, bool, str | None, str | None]


def _client_key(target: Target) -> _ClientKey:
    return (target.base_url, target.timeout_s, target.verify_tls, target.ca_bundle, target.proxy)


class RequestController(QObject):
    busy_changed = Signal(bool)
    started = Signal(str)  # what is happening, for the status bar
    exchange_finished = Signal(object)  # Exchange
    # Verification, a note on where the keys came from, and the id_token it is about (results
    # can arrive out of order: a slow JWKS fetch for an older token finishes after a newer one).
    verification_finished = Signal(object, str, str)
    authorize_url_ready = Signal(str)  # the authorize URL, shown with a copy button
    code_finished = Signal(object, object)  # AuthorizeSession, AuthorizeResult
    cancelled = Signal(str)  # what was cancelled
    failed = Signal(str)  # an operation failed outside any exchange (e.g. listener port busy)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskOwner()
        self._current: asyncio.Task[Any] | None = None
        self._current_label = ""
        self._clients: dict[_ClientKey, IdConnectClient] = {}

    # --- lifecycle ---

    @property
    def busy(self) -> bool:
        # Cleared (with busy_changed) by the task's done-callback, so "not busy" and a usable
        # form always arrive together.
        return self._current is not None

    @property
    def pending_tasks(self) -> int:
        return self._tasks.pending

    def client_for(self, target: Target) -> IdConnectClient:
        """One client (one connection pool) per endpoint settings; credentials may change
        between requests without a new pool, because they only affect the headers."""
        from idconnect_tester.core.client import IdConnectClient  # httpx: not on the startup path

        key = _client_key(target)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = IdConnectClient(target)
        client.target = target
        return client

    def cancel(self) -> None:
        if self.busy and self._current is not None:
            self._current.cancel()

    async def shutdown(self) -> None:
        await self._tasks.shutdown()
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _run_exclusive(self, label: str, coroutine: Coroutine[Any, Any, None]) -> bool:
        """Start the one user-visible operation; refuse (and close the coroutine) if busy."""
        if self.busy:
            coroutine.close()
            return False
        task = self._tasks.start(self._guarded(label, coroutine), label)
        self._current = task
        # Finishing is handled by a done-callback, not inside the coroutine: a task cancelled
        # before its first step never runs its body (nor its try/finally).
        task.add_done_callback(lambda done: self._finished(done, label, coroutine))
        self.busy_changed.emit(True)
        self.started.emit(label)
        return True

    async def _guarded(self, label: str, coroutine: Coroutine[Any, Any, None]) -> None:
        import asyncio

        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not leave the window stuck in "busy"
            self.failed.emit(f"{label} failed: {type(exc).__name__}: {exc}")

    def _finished(
        self, task: asyncio.Task[Any], label: str, coroutine: Coroutine[Any, Any, None]
    ) -> None:
        coroutine.close()  # no-op once it ran; if cancelled before starting, it never will
        if self._current is task:
            self._current = None
        if task.cancelled():
            self.cancelled.emit(label)
        self.busy_changed.emit(False)

    def start_background(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        """A task that doesn't block Send (e.g. verifying an id_token)."""
        self._tasks.start(coroutine, name)

    # --- operations ---

    def send_token(self, target: Target, request: TokenRequest) -> bool:
        async def run() -> None:
            self.exchange_finished.emit(await self.client_for(target).token(request))

        return self._run_exclusive(f"Sending {request.grant_type} request…", run())

    def send_share_token(self, target: Target, request: ShareTokenRequest) -> bool:
        async def run() -> None:
            self.exchange_finished.emit(await self.client_for(target).share_token(request))

        return self._run_exclusive("Requesting a share token…", run())

    def get_code(
        self,
        start_session: Callable[[], Awaitable[tuple[AuthorizeSession, Any]]],
        open_url: Callable[[str], Awaitable[None] | None],
        timeout_s: float,
    ) -> bool:
        """Authorize with PKCE: start the loopback listener and session, open the URL (system
        browser, or in place of one for the emulator), wait for the redirect."""
        from idconnect_tester.core.loopback import run_authorize_flow

        async def run() -> None:
            session, listener = await start_session()
            self.authorize_url_ready.emit(session.url())
            try:
                result = await run_authorize_flow(session, listener, open_url, timeout_s)
            finally:
                await listener.close()
            self.code_finished.emit(session, result)

        return self._run_exclusive("Waiting for the authorization code…", run())

    def verify_later(
        self, id_token: str, verification: Callable[[], Awaitable[tuple[Verification, str]]]
    ) -> None:
        async def run() -> None:
            result, note = await verification()
            self.verification_finished.emit(result, note, id_token)

        self.start_background(run(), "verify id_token")
