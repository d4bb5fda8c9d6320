"""The authorize step from start to finish, Qt-free: the `authorize` command, the credential check
and the window share it.

One run makes a fresh PKCE pair, state and nonce (`AuthorizeSession`), sends them to the authorize
endpoint (configured, or named by the issuer's discovery document), and gets the redirect back
in one of three ways (`RedirectCapture`):

- BROWSER: the system browser opens the URL and a loopback listener (RFC 8252 §7.3) catches the
  redirect. A redirect URI that is not loopback can't be caught: the person pastes it instead.
- PASTE: the URL is shown; the person opens it anywhere and pastes the redirect URL back.
- FOLLOW: this process fetches the URL and follows the redirect to its own listener, as a
  browser would. Only an authorization server that consents without a person (the emulator)
  redirects at once; whatever else it answers is reported as it came.

The answer is always an `AuthorizeAttempt`: a code, an OAuth error, or a problem sentence, and
whether the authorization server could be reached at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from idconnect_tester import vendor
from idconnect_tester.core.authorize import (
    NO_AUTHORIZE_PAGE,
    UNREACHABLE,
    AuthorizeResult,
    AuthorizeSession,
    authorization_endpoint_for,
    endpoint_problem,
    is_authorization_endpoint,
    parse_redirect,
)
from idconnect_tester.core.exchange import NetworkError
from idconnect_tester.core.jwks import JwksCache, KeyFetchError
from idconnect_tester.core.loopback import (
    LoopbackError,
    LoopbackListener,
    follow_in_place_of_browser,
    run_authorize_flow,
)
from idconnect_tester.core.target import is_loopback_host, is_on_this_machine

if TYPE_CHECKING:  # the caller brings the client: the window imports this without the library
    import httpx

FOLLOW_TIMEOUT_S: Final = 30.0  # the redirect is immediate; this only bounds a stuck listener
BROWSER_TIMEOUT_S: Final = 300.0  # a person signs in and consents
_MAX_ERROR_BODY_CHARS: Final = 300


class RedirectCapture(StrEnum):
    BROWSER = "browser"
    PASTE = "paste"
    FOLLOW = "follow"


@dataclass(frozen=True)
class AuthorizeTarget:
    """Who to ask for a code: the issuer (or the endpoint itself), the client and its redirect."""

    issuer: str
    client_id: str
    redirect_uri: str = ""  # "": a loopback listener on a free port
    scopes: tuple[str, ...] = vendor.SCOPES
    authorization_endpoint: str = ""  # "": named by the issuer's discovery document

    def problems(self, capture: RedirectCapture) -> list[str]:
        """What stops this target from being authorized with `capture`, in plain words."""
        return [message for _, message in self.problems_by_field(capture)]

    def problems_by_field(self, capture: RedirectCapture) -> list[tuple[str, str]]:
        """`problems`, each with the field it is about ("client_id", "issuer",
        "authorization_endpoint", "redirect_uri"): the command line names its option."""
        found: list[tuple[str, str]] = []
        if not self.client_id.strip():
            found.append(("client_id", "Enter the client id Sumsub gave you for Sumsub ID"))
        elif any(c.isspace() for c in self.client_id.strip()):
            found.append(("client_id", "The client id contains a space or line break"))
        for name, what, url in (
            ("issuer", "issuer", self.issuer),
            ("authorization_endpoint", "endpoint", self.authorization_endpoint),
        ):
            if url.strip() and (problem := endpoint_problem(url)) is not None:
                found.append((name, f"The {what}: {problem}"))
        redirect = self.redirect_uri.strip()
        if redirect and (problem := redirect_uri_problem(redirect)) is not None:
            found.append(("redirect_uri", problem))
        if capture is RedirectCapture.FOLLOW and not is_loopback_redirect(redirect):
            found.append(
                (
                    "redirect_uri",
                    "Following the redirect needs a loopback redirect URI "
                    "(http://127.0.0.1:PORT/path) or none",
                )
            )
        if capture is RedirectCapture.PASTE and not redirect:
            found.append(
                (
                    "redirect_uri",
                    "Give the redirect URI registered for the client: it is pasted back",
                )
            )
        return found


@dataclass(frozen=True)
class Interaction:
    """How the flow reaches the person at the keyboard (BROWSER and PASTE need one)."""

    say: Callable[[str], None]  # a message for the person
    open_browser: Callable[[str], bool]  # False when no browser could be started
    read_redirect: Callable[[], Awaitable[str]]  # what the person pasted; "" at end of input


@dataclass(frozen=True)
class AuthorizeAttempt:
    """What one authorize run gave: the session sent (None when nothing could be sent) and the
    result, plus what the authorization server answered when this process fetched the URL."""

    endpoint: str
    session: AuthorizeSession | None = field(repr=False)
    result: AuthorizeResult
    server_status: int | None = None  # 302 from a server that consented at once
    network_error: NetworkError | None = None  # the authorization server was not reachable

    @property
    def unreachable(self) -> bool:
        return self.network_error is not None


def redirect_uri_problem(redirect_uri: str) -> str | None:
    """Why the authorization server could never send a browser back to `redirect_uri`: it must
    be an absolute URI (https://…, http://127.0.0.1:PORT/…, or an app's own scheme such as
    com.example.app:/callback) without a #fragment (RFC 6749 §3.1.2)."""
    try:
        parts = urlsplit(redirect_uri.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        return f"The redirect URI is not a valid URL: {exc}"
    if (
        not parts.scheme
        or not (parts.netloc or parts.path)
        or any(c.isspace() for c in redirect_uri.strip())
    ):
        return "The redirect URI must be an absolute URI, e.g. http://127.0.0.1:8765/callback"
    if parts.fragment:
        return "The redirect URI must not have a #fragment (RFC 6749 §3.1.2)"
    if parts.scheme in ("http", "https") and not parts.hostname:
        return "The redirect URI has no host name"
    return None


def is_loopback_redirect(redirect_uri: str) -> bool:
    """ "" (a free loopback port is used) or an http URI on this machine, which a listener of
    this process can receive."""
    if not redirect_uri.strip():
        return True
    try:
        parts = urlsplit(redirect_uri.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme == "http" and is_loopback_host(parts.hostname or "")


def endpoint_from(target: AuthorizeTarget, discovery: Mapping[str, Any] | None) -> str:
    """The authorize endpoint: as configured, else from the discovery document (when there is
    one), else the vendor's path on the issuer."""
    if target.authorization_endpoint.strip():
        return target.authorization_endpoint.strip()
    return authorization_endpoint_for(target.issuer, discovery)


async def find_endpoint(
    http: httpx.AsyncClient, target: AuthorizeTarget, cache: JwksCache | None = None
) -> str:
    """`endpoint_from`, fetching the issuer's discovery document when it is needed. A document
    that can't be had is no error here: the vendor's path on the issuer is the fallback."""
    if target.authorization_endpoint.strip() or is_authorization_endpoint(target.issuer):
        return endpoint_from(target, None)
    issuer = target.issuer.strip() or vendor.DEFAULT_ISSUER
    try:
        discovery: dict[str, Any] | None = await (cache or JwksCache()).discovery(http, issuer)
    except KeyFetchError:
        discovery = None
    return endpoint_from(target, discovery)


async def run_authorize(
    http: httpx.AsyncClient,
    target: AuthorizeTarget,
    endpoint: str,
    capture: RedirectCapture,
    interaction: Interaction | None = None,
    *,
    timeout_s: float | None = None,
) -> AuthorizeAttempt:
    """One authorize run against `endpoint`. Never raises for what the server, the network or
    the person does; cancelling it stops any listener and propagates."""
    problems = target.problems(capture)
    if problems:
        return AuthorizeAttempt(endpoint, None, AuthorizeResult(problem="; ".join(problems)))
    if capture is RedirectCapture.FOLLOW:
        return await _follow(http, target, endpoint, timeout_s or FOLLOW_TIMEOUT_S)
    if interaction is None:
        raise ValueError(f"{capture.value} needs an Interaction to reach the person")
    if capture is RedirectCapture.BROWSER and is_loopback_redirect(target.redirect_uri):
        return await _browser(http, target, endpoint, interaction, timeout_s or BROWSER_TIMEOUT_S)
    return await _pasted(http, target, endpoint, capture, interaction)


async def _refused_at_once(
    http: httpx.AsyncClient, session: AuthorizeSession, interaction: Interaction
) -> AuthorizeAttempt | ProbeVerdict:
    """Ask the authorization server first (`probe_authorize`), as Get code does: an error it
    answers at once (an unregistered redirect URI, an unknown client) is the attempt's outcome
    now — not after a browser, a sign-in and a paste that can't succeed. Otherwise what it
    answered, for the words of the next step (no "sign in" where it consents at once)."""
    probe = await probe_authorize(http, session)
    if probe.result is not None:
        return AuthorizeAttempt(
            session.authorization_endpoint,
            session,
            probe.result,
            probe.status,
            probe.network_error,
        )
    interaction.say(probe.sentence)
    return probe.verdict


async def _start_listener(
    target: AuthorizeTarget, endpoint: str
) -> LoopbackListener | AuthorizeAttempt:
    """The listener, or the attempt that failed because the port could not be had."""
    try:
        return await LoopbackListener.start(target.redirect_uri.strip() or None)
    except LoopbackError as exc:
        return AuthorizeAttempt(endpoint, None, AuthorizeResult(problem=str(exc)))


def _new_session(target: AuthorizeTarget, endpoint: str, redirect_uri: str) -> AuthorizeSession:
    return AuthorizeSession.new(endpoint, target.client_id, redirect_uri, target.scopes)


@dataclass
class _ServerAnswer:
    """The authorization server's own answer to the authorize URL (the first hop)."""

    status: int | None = None
    error_body: str = ""
    network_error: NetworkError | None = None
    refused: bool = False  # the server answered, but not with a redirect to the listener

    async def record(self, response: httpx.Response) -> None:
        if self.status is not None:
            return  # a later hop: the listener's page
        self.status = response.status_code
        if not response.has_redirect_location:
            await response.aread()
            self.error_body = response.text[:_MAX_ERROR_BODY_CHARS]

    def refusal(self) -> AuthorizeResult:
        """The answer when no redirect reached the listener: an OAuth error body (RFC 6749
        §4.1.2.1 lets the server answer one itself), or a sentence saying what came instead."""
        try:
            body = json.loads(self.error_body)
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            described = body.get("error_description")
            return AuthorizeResult(
                error=body["error"],
                error_description=described if isinstance(described, str) else None,
            )
        if self.status is not None and 200 <= self.status < 300:
            return AuthorizeResult(
                problem=f"The authorization server answered HTTP {self.status} (a page for a "
                "person to sign in?) instead of redirecting at once: use the browser"
            )
        return AuthorizeResult(
            problem=f"The authorization server answered HTTP {self.status} instead of "
            "redirecting back"
        )


@contextlib.asynccontextmanager
async def _watching(http: httpx.AsyncClient, answer: _ServerAnswer) -> AsyncIterator[None]:
    # Only this run uses the client while the URL is followed, so the first response seen is
    # the authorization server's.
    hooks = http.event_hooks["response"]
    hooks.append(answer.record)
    try:
        yield
    finally:
        hooks.remove(answer.record)


async def _follow(
    http: httpx.AsyncClient, target: AuthorizeTarget, endpoint: str, timeout_s: float
) -> AuthorizeAttempt:
    listener = await _start_listener(target, endpoint)
    if isinstance(listener, AuthorizeAttempt):
        return listener
    session = _new_session(target, endpoint, listener.redirect_uri)
    return await follow_authorize(http, session, listener, timeout_s)


async def follow_authorize(
    http: httpx.AsyncClient,
    session: AuthorizeSession,
    listener: LoopbackListener,
    timeout_s: float = FOLLOW_TIMEOUT_S,
) -> AuthorizeAttempt:
    """FOLLOW for a session (and its listener) the caller made: fetch the URL, follow the
    redirect to the listener, and report what the authorization server answered if it did not
    redirect there at once — without waiting out `timeout_s` for a redirect that won't come.
    The listener is closed on every exit."""
    endpoint = session.authorization_endpoint
    answer = _ServerAnswer()

    async def open_url(url: str) -> None:
        import httpx  # loaded already: the caller's client is one

        from idconnect_tester.core.network_errors import classify

        try:
            async with _watching(http, answer):
                await follow_in_place_of_browser(http, url)
        except httpx.HTTPError as exc:
            answer.network_error = classify(exc)
            raise
        if not listener.redirect_received:
            answer.refused = True
            raise _NoRedirect

    result = await run_authorize_flow(session, listener, open_url, timeout_s)
    if answer.network_error is not None:
        error = answer.network_error
        result = AuthorizeResult(problem=f"{UNREACHABLE} ({error.kind.value}): {error.message}")
        return AuthorizeAttempt(endpoint, session, result, answer.status, error)
    if answer.refused:
        result = answer.refusal()
    return AuthorizeAttempt(endpoint, session, result, answer.status)


class _NoRedirect(Exception):
    """The followed URL ended somewhere other than the listener."""


async def _browser(
    http: httpx.AsyncClient,
    target: AuthorizeTarget,
    endpoint: str,
    interaction: Interaction,
    timeout_s: float,
) -> AuthorizeAttempt:
    listener = await _start_listener(target, endpoint)
    if isinstance(listener, AuthorizeAttempt):
        return listener
    session = _new_session(target, endpoint, listener.redirect_uri)
    try:
        answered = await _refused_at_once(http, session, interaction)
    except BaseException:  # cancelled while asking: the port is let go all the same
        await listener.close()
        raise
    if isinstance(answered, AuthorizeAttempt):
        await listener.close()
        return answered
    if answered is ProbeVerdict.CONSENTS_AT_ONCE:
        step = "The browser comes straight back (no sign-in)"
    else:
        step = "Sign in and consent in the browser"

    async def open_url(url: str) -> None:
        interaction.say(
            f"{step}; waiting up to {timeout_s:g} s for the redirect to "
            f"{listener.redirect_uri}\n{url}"
        )
        if not await asyncio.to_thread(interaction.open_browser, url):
            interaction.say("No browser could be started: open the URL above yourself.")

    result = await run_authorize_flow(session, listener, open_url, timeout_s)
    return AuthorizeAttempt(endpoint, session, result)


async def _pasted(
    http: httpx.AsyncClient,
    target: AuthorizeTarget,
    endpoint: str,
    capture: RedirectCapture,
    interaction: Interaction,
) -> AuthorizeAttempt:
    session = _new_session(target, endpoint, target.redirect_uri)
    answered = await _refused_at_once(http, session, interaction)
    if isinstance(answered, AuthorizeAttempt):
        return answered
    url = session.url()
    opened = capture is RedirectCapture.BROWSER and await asyncio.to_thread(
        interaction.open_browser, url
    )
    # The first line is whole on its own (a window shows it in its status bar, the URL in a
    # box of its own); whether a browser really opened, only the browser knows.
    where = "in the browser" if opened else "in a browser (the URL is below)"
    if answered is ProbeVerdict.CONSENTS_AT_ONCE:  # no "sign in" after "consents at once"
        step = f"Open the URL {where}: it comes straight back (no sign-in); paste"
    else:
        step = f"Sign in and consent {where}, then paste"
    interaction.say(
        f"{step} the address it lands on ({target.redirect_uri.strip()}?code=…) and press "
        f"Enter\n{url}"
    )
    pasted = await interaction.read_redirect()
    return AuthorizeAttempt(endpoint, session, parse_redirect(pasted, session))


# --- asking the authorization server before the browser goes there ---


class ProbeVerdict(StrEnum):
    SIGN_IN = "sign in"  # a page for a person (or a redirect to one): the browser is needed
    CONSENTS_AT_ONCE = "consents at once"  # redirected straight back with a code
    REFUSED = "refused"  # an OAuth error, or an error page: the browser would show the same
    DOUBTFUL = "doubtful"  # an answer that may be meant for this client only (see below)
    UNREACHABLE = "unreachable"


# Statuses a gateway or firewall in front of the server may give a client that is not a
# browser (bot protection, rate limits, a proxy's own failure): the browser may well get the
# real page, so they don't stop the attempt.
_NOT_FOR_BROWSERS: Final = frozenset({403, 407, 429, 502, 503, 504})
_PROBE_BODY_LIMIT: Final = 64 * 1024
_TITLE: Final = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class AuthorizeProbe:
    """What the authorization server answered to a twin of an attempt (`probe_authorize`)."""

    verdict: ProbeVerdict
    sentence: str  # what to tell the person
    result: AuthorizeResult | None = None  # for REFUSED and UNREACHABLE: what to show
    status: int | None = None
    network_error: NetworkError | None = None

    @property
    def stops(self) -> bool:
        """True when there is no point in opening the browser."""
        return self.result is not None


async def probe_authorize(http: httpx.AsyncClient, attempt: AuthorizeSession) -> AuthorizeProbe:
    """Ask the authorize endpoint once, without following redirects, what it answers to a
    request like `attempt` — so an error shows at once instead of after a long wait for a
    redirect that will never come, and a sign-in page is named as one.

    The probe is a twin of `attempt` with its own state, nonce and PKCE pair: the browser gets
    `attempt`'s URL, fresh and never used. An authorization server that consents at once issues
    the twin a code nobody redeems (it expires unused); one that shows a sign-in page has only
    been asked for the page, as a browser asks. The twin goes to the same redirect URI, but is
    not followed there: the listener never sees it (it would refuse its state anyway).

    Only answers that say this request is wrong stop the attempt: an error redirect, an OAuth
    error body, a 4xx other than the statuses bot protection and proxies use on non-browsers,
    or — for an endpoint on this machine — nothing listening. Everything else opens the
    browser, saying what the app saw."""
    twin = AuthorizeSession.new(
        attempt.authorization_endpoint, attempt.client_id, attempt.redirect_uri, attempt.scopes
    )
    local = is_on_this_machine(attempt.authorization_endpoint)
    import httpx  # loaded already: the caller's client is one

    from idconnect_tester.core.network_errors import classify

    try:
        async with http.stream("GET", twin.url(), follow_redirects=False) as response:
            body = await _read_some(response)
    except httpx.HTTPError as exc:
        error = classify(exc)
        reason = f"{UNREACHABLE} ({error.kind.value}): "
        reason += error.message
        if local:
            return AuthorizeProbe(
                ProbeVerdict.UNREACHABLE, reason, AuthorizeResult(problem=reason), None, error
            )
        return AuthorizeProbe(
            ProbeVerdict.DOUBTFUL,
            # What the app saw, not what it does next: the browser may fail to open too, and
            # the words of that step are the caller's.
            f"{reason}. A browser may still reach it, through another network or a proxy.",
            network_error=error,
        )
    status = response.status_code
    if response.has_redirect_location:
        return _probe_redirect(twin, str(response.url.join(response.headers["location"])), status)
    if 200 <= status < 300:
        kind = (
            "a sign-in page"
            if "html" in response.headers.get("content-type", "")
            else (f"HTTP {status}")
        )
        return AuthorizeProbe(
            ProbeVerdict.SIGN_IN,
            f"The authorization server answered {kind}: sign in and consent in the browser.",
            status=status,
        )
    answer = _ServerAnswer(status=status, error_body=body)
    refusal = answer.refusal()
    if refusal.error is None and (status in _NOT_FOR_BROWSERS or status < 400):
        return AuthorizeProbe(
            ProbeVerdict.DOUBTFUL,
            f"The authorization server answered the app HTTP {status}{_title(body)}; a browser "
            "may be answered differently. If it shows the same, that is why.",
            status=status,
        )
    if refusal.error is None and status in (404, 410):
        # No such page: the endpoint is wrong (an issuer with no discovery document gets
        # Sumsub's path on it), not the client, the redirect URI or the scopes.
        refusal = AuthorizeResult(
            problem=f"{NO_AUTHORIZE_PAGE} {attempt.authorization_endpoint}: it answered HTTP "
            f"{status}{_title(body)}"
        )
    elif refusal.error is None:
        refusal = AuthorizeResult(
            problem=f"The authorization server answered HTTP {status}{_title(body)} instead "
            "of a sign-in page: check the client id, the redirect URI registered for it and "
            "the scopes"
        )
    # The raw panel shows the attempt's URL, with its state: the server saw the twin's.
    twin_note = (
        "The authorization server was asked with a twin of this request (its own state, "
        "nonce and PKCE pair) and answered that; this URL itself was never opened"
    )
    refusal = replace(refusal, notes=(*refusal.notes, twin_note))
    return AuthorizeProbe(ProbeVerdict.REFUSED, refusal.summary(), refusal, status)


def _probe_redirect(twin: AuthorizeSession, location: str, status: int) -> AuthorizeProbe:
    if not _same_address(location, twin.redirect_uri):
        return AuthorizeProbe(
            ProbeVerdict.SIGN_IN,
            "The authorization server sends the browser to a sign-in page: sign in and "
            "consent there.",
            status=status,
        )
    result = parse_redirect(location, twin)
    if result.code is not None:
        return AuthorizeProbe(
            ProbeVerdict.CONSENTS_AT_ONCE,
            "The authorization server consents at once (no sign-in): the browser comes "
            "straight back with the code.",
            status=status,
        )
    if result.error is None:  # a redirect back with neither a code nor an error
        result = AuthorizeResult(problem=f"Redirected back without a code: {result.summary()}")
    return AuthorizeProbe(ProbeVerdict.REFUSED, result.summary(), result, status)


def _same_address(url: str, redirect_uri: str) -> bool:
    """Same scheme, host, port and path: where the redirect URI points, whatever the query."""
    try:
        a, b = urlsplit(url), urlsplit(redirect_uri)
        return (a.scheme, a.hostname, a.port, a.path or "/") == (
            b.scheme,
            b.hostname,
            b.port,
            b.path or "/",
        )
    except ValueError:
        return False


async def _read_some(response: httpx.Response) -> str:
    """The start of the body: enough for an error's JSON or a page's title."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= _PROBE_BODY_LIMIT:
            break
    return b"".join(chunks)[:_PROBE_BODY_LIMIT].decode("utf-8", "replace")


def _title(body: str) -> str:
    """(“Bad request”) from an HTML page's title, for a sentence; "" when there is none."""
    found = _TITLE.search(body)
    title = " ".join(found.group(1).split())[:80] if found else ""
    return f" (“{title}”)" if title else ""
