"""The request controller: runs each network step as a task on the qasync loop and reports back
through Qt signals. Panels never touch the network; the window never awaits.

One user-visible operation runs at a time (a send, a share token, get code, or the credential
check): Send is disabled while it runs, Cancel ends it at once. Key fetches for id_token checks
run beside it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
from idconnect_tester.core.exchange import Exchange, RequestCancelled
from idconnect_tester.core.id_token_checks import VerificationContext
from idconnect_tester.core.jwks import JwksCache
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.session_events import Origin, VerificationJob
from idconnect_tester.core.target import Target
from idconnect_tester.core.verification import fetch_context
from idconnect_tester.ui.tasks import TaskOwner

if TYPE_CHECKING:
    import httpx

    from idconnect_tester.core.authorize_flow import Interaction
    from idconnect_tester.core.check_results import CheckSettings
    from idconnect_tester.core.client import IdConnectClient

T = TypeVar("T")
_ClientKey = tuple[str, float, bool, str | None, str | None]
# Unsigned requests (discovery, JWKS, authorize) go through a target without the secret.
_NO_SECRET = Secret("")
# An answer this big (Sumsub's are a few KB) takes tens of milliseconds to parse: see _exchange.
_BIG_BODY_BYTES = 256 * 1024


def _client_key(target: Target) -> _ClientKey:
    return (target.base_url, target.timeout_s, target.verify_tls, target.ca_bundle, target.proxy)


class RequestController(QObject):
    busy_changed = Signal(bool)
    started = Signal(str)  # what is happening, for the status bar
    # Exchange, the request sent (TokenRequest | ShareTokenRequest) and the Origin it went to.
    exchange_finished = Signal(object, object, object)
    # VerificationJob, VerificationContext and a note on where the keys came from.
    verification_finished = Signal(object, object, str)
    # AuthorizeSession, AuthorizeResult, and the server's HTTP status when fetched here (or None)
    code_finished = Signal(object, object, object)
    check_step = Signal(object)  # StepResult: a step of the credential check finished
    check_finished = Signal(object)  # CheckReport: the whole check ran
    cancelled = Signal(str)  # what was cancelled
    failed = Signal(str)  # an operation failed outside any exchange (e.g. listener port busy)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskOwner()
        self._current: asyncio.Task[Any] | None = None
        self._clients: dict[_ClientKey, IdConnectClient] = {}
        self.keys_cache = JwksCache()  # discovery and JWKS documents, per issuer
        # Blocking calls (the keyring, SQLite's integrity check) run here, one at a time: a
        # plain Python thread the app owns and ends, not the loop's default executor.
        self._blocking = ThreadPoolExecutor(max_workers=1, thread_name_prefix="idconnect-io")
        # This machine's clock as the credential check reads it (and signs with); a test can
        # set it off to see the check's clock step catch it.
        self.check_clock: Callable[[], float] = time.time

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
        # The network stack (httpx, TLS, the OS trust store) loads with the first request, not
        # with the window: it is most of what a start-up would otherwise import.
        from idconnect_tester.core.client import IdConnectClient

        key = _client_key(target)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = IdConnectClient(target)
        client.target = target
        return client

    def http_for(self, profile: Profile) -> httpx.AsyncClient:
        """The HTTP client for a profile's unsigned requests (following authorize redirects)."""
        return self.client_for(profile.target(_NO_SECRET)).http()

    def keys_http_for(self, profile: Profile) -> httpx.AsyncClient:
        """The HTTP client for a profile's discovery document and keys: TLS always verified,
        whatever the profile says for its API (a signature checked with keys anyone on the way
        could have swapped proves nothing)."""
        return self.client_for(profile.target(_NO_SECRET)).keys_http()

    async def run_blocking(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the worker thread, awaited without blocking the window."""
        return await asyncio.get_running_loop().run_in_executor(self._blocking, function, *args)

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel()

    async def shutdown(self) -> None:
        await self._tasks.shutdown()
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
        # A keyring call stuck on an unlock prompt must not hold the window open.
        self._blocking.shutdown(wait=False, cancel_futures=True)

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
        """A task that doesn't block Send (e.g. fetching keys for an id_token)."""
        task = self._tasks.start(self._guarded(name, coroutine), name)
        # Cancelled before it started (the window closing), it never ran: closed, rather than
        # left for the garbage collector to warn about.
        task.add_done_callback(lambda _task: coroutine.close())

    # --- operations ---

    def send_token(self, target: Target, request: TokenRequest, origin: Origin) -> bool:
        async def run() -> None:
            await self._exchange(self.client_for(target).token(request), request, origin)

        return self._run_exclusive(f"Sending {request.grant_type} request…", run())

    def send_share_token(self, target: Target, request: ShareTokenRequest, origin: Origin) -> bool:
        async def run() -> None:
            await self._exchange(self.client_for(target).share_token(request), request, origin)

        return self._run_exclusive("Requesting a share token…", run())

    async def _exchange(
        self,
        sending: Awaitable[Exchange],
        request: TokenRequest | ShareTokenRequest,
        origin: Origin,
    ) -> None:
        """`exchange_finished` however the exchange ends — cancelled too, once its request was
        built (it goes to the history: it may have reached the server); then `cancelled`."""
        try:
            exchange = await sending
        except RequestCancelled as cancelled:
            self.exchange_finished.emit(cancelled.exchange, request, origin)
            raise
        if exchange.response is not None and len(exchange.response.body) > _BIG_BODY_BYTES:
            # Reading and parsing a big answer took a long turn of the event loop; rendering
            # it in that same turn would hold the window still for both. A turn in between
            # lets Qt paint and run its timers.
            await asyncio.sleep(0)
        self.exchange_finished.emit(exchange, request, origin)

    def get_code(
        self,
        run: Callable[[], Awaitable[tuple[AuthorizeSession, AuthorizeResult, int | None] | None]],
        label: str = "Waiting for the authorization code…",
    ) -> bool:
        """The authorize step as the one running operation: `run` starts the listener and the
        session, opens the URL (system browser, or in place of one for the emulator) and waits
        for the redirect; what it returns is reported by `code_finished` (None: nothing to
        report, e.g. the person pastes the redirect later)."""

        async def task() -> None:
            outcome = await run()
            if outcome is not None:
                self.code_finished.emit(*outcome)

        return self._run_exclusive(label, task())

    def run_credential_check(self, settings: CheckSettings, interaction: Interaction) -> bool:
        """The credential check, each step's result reported as it finishes. Cancelling stops
        the step in flight and closes the check's connections and listener."""

        # Loaded with the first check, like the network stack it drives (see client_for).
        from idconnect_tester.core.credential_check import run_check

        async def run() -> None:
            report = await run_check(
                settings,
                interaction=interaction,
                clock=self.check_clock,
                on_result=self.check_step.emit,
            )
            self.check_finished.emit(report)

        return self._run_exclusive("Running the credential check…", run())

    def verify(self, job: VerificationJob) -> None:
        """Fetch keys for `job` from the issuer of the target that issued its token."""

        async def run() -> None:
            context: VerificationContext
            context, note = await fetch_context(
                job, self.keys_http_for(job.origin.profile), self.keys_cache
            )
            self.verification_finished.emit(job, context, note)

        self.start_background(run(), "verify id_token")
