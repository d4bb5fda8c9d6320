"""The credential check: every step of Sumsub ID Connect, in order, against one target — the
evidence that a set of credentials works.

`iterate_check` yields each step's result as soon as it is known (a window shows rows as they
arrive); `run_check` collects them into a `CheckReport`. Both are plain asyncio: cancelling the
task that runs them stops the step in flight and closes every connection and listener.

Nothing raises for what the target answers: every failure is a `fail` row with why and the hint
the error panel would give, and a step whose input did not come skips with a row saying so.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
import jwt

from idconnect_tester import vendor
from idconnect_tester.core.authorize_flow import (
    AuthorizeAttempt,
    Interaction,
    RedirectCapture,
    endpoint_from,
    is_loopback_redirect,
    run_authorize,
)
from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.check_results import (
    STEP_NEEDS,
    STEP_ORDER,
    CheckReport,
    CheckSettings,
    StepId,
    StepResult,
    StepStatus,
    step_result,
)
from idconnect_tester.core.client import IdConnectClient
from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    Hint,
    HintKind,
    NetworkError,
    NotSent,
    ShareTokenGranted,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.hints import hint_for
from idconnect_tester.core.id_token_checks import (
    ALLOWED_ALGORITHMS,
    CheckStatus,
    Verdict,
    Verification,
    VerificationKey,
    verify_id_token,
)
from idconnect_tester.core.id_token_model import signing_keys
from idconnect_tester.core.jwks import JwksCache, KeyFetchError, build_context, signing_algorithms
from idconnect_tester.core.jwt_decode import sign_in_claims
from idconnect_tester.core.key_fit import key_problem
from idconnect_tester.core.masking import mask_token
from idconnect_tester.core.network_errors import classify
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.target import is_on_this_machine
from idconnect_tester.core.wording import counted

MAX_CLOCK_SKEW_S: Final = vendor.SIGNATURE_MAX_SKEW_S

# The hint the error panel gives when Sumsub rejects a request's timestamp (errorCode 4004):
# a clock this far off gets exactly that answer at the token step.
CLOCK_HINT: Final = hint_for(
    ApiError(401, "", error_code=vendor.ERROR_CODE_REQUEST_EXPIRED), Endpoint.TOKEN
)
DISCOVERY_HINT: Final = Hint(
    HintKind.DISCOVERY_UNUSABLE,
    "The issuer's discovery document could not be used",
    "Check the issuer exactly as Sumsub gives it (https://id.sumsub.com/, trailing slash "
    "included) and that this machine can reach it.",
)
JWKS_HINT: Final = Hint(
    HintKind.KEYS_UNUSABLE,
    "id_tokens from this issuer can't be verified",
    "The key set must hold a public key for every algorithm the issuer says it signs with. "
    "Check the jwks_uri in the discovery document.",
)
AUTHORIZE_HINT: Final = Hint(
    HintKind.AUTHORIZE_REFUSED,
    "The authorization server refused the request",
    "Check the client id Sumsub gave you for Sumsub ID, that Sumsub ID is enabled for it, "
    "and that the redirect URI is registered for it exactly as sent.",
)
ID_TOKEN_HINT: Final = Hint(
    HintKind.ID_TOKEN_UNTRUSTED,
    "Do not trust this id_token",
    "A failed row means the token is not what the issuer signed for this client in this run "
    "(an expired token can also mean this computer's clock is off). See each row's reason.",
)


def id_token_verified(verification: Verification) -> bool:
    """Did the id_token step pass: a key checked the signature and every applicable row passed."""
    return verification.verdict is Verdict.VERIFIED


def _skip_reason(step: StepId, results: dict[StepId, StepResult]) -> StepResult | None:
    clock = results.get(StepId.CLOCK)
    if step is StepId.AUTHORIZE and clock is not None and clock.unreachable:
        # The code would go to the same unreachable API: don't send a person to a browser
        # and a five-minute wait for a code nobody can exchange.
        return step_result(
            step,
            StepStatus.SKIPPED,
            "The API server could not be reached (clock step): a code could not be exchanged",
        )
    for needed in STEP_NEEDS.get(step, ()):
        status = results[needed].status
        if status is not StepStatus.PASS:
            verb = "failed" if status is StepStatus.FAIL else "was skipped"
            return step_result(step, StepStatus.SKIPPED, f"The {needed} step {verb}")
    return None


async def iterate_check(
    settings: CheckSettings,
    *,
    interaction: Interaction | None = None,
    clock: Callable[[], float] = time.time,
) -> AsyncGenerator[StepResult, None]:
    """Run the steps in order, yielding each result as it finishes.

    `clock` is this machine's clock for the whole run (the clock step, the signatures and the
    id_token's time checks): a test can set it minutes off. `interaction` reaches the person
    when the authorize step needs one (a browser, or a pasted redirect). A consumer that may
    stop early wraps the iteration in `contextlib.aclosing`, so connections close at once.
    """
    async with IdConnectClient(settings.target, clock=clock) as client:
        run = _CheckRun(settings, client, interaction, clock)
        results: dict[StepId, StepResult] = {}
        for step in STEP_ORDER:
            result = _skip_reason(step, results) or await run.timed(step)
            results[step] = result
            yield result


async def run_check(
    settings: CheckSettings,
    *,
    interaction: Interaction | None = None,
    clock: Callable[[], float] = time.time,
    on_result: Callable[[StepResult], None] | None = None,
) -> CheckReport:
    """The whole check as a report; `on_result` sees each step as it finishes."""
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    results: list[StepResult] = []
    steps = iterate_check(settings, interaction=interaction, clock=clock)
    async with contextlib.aclosing(steps):
        async for result in steps:
            results.append(result)
            if on_result is not None:
                on_result(result)
    duration_ms = (time.perf_counter() - started) * 1000
    return CheckReport(settings, started_at, duration_ms, tuple(results))


def _failure_text(exchange: Exchange) -> str:
    match exchange.outcome:
        case ApiError(status=status, description=description, error_code=code, error_name=name):
            named = f" (errorCode {code}{f' {name}' if name else ''})" if code is not None else ""
            return f"HTTP {status}: {description}{named}"
        case NetworkError(kind=kind, message=message):
            return f"Network error ({kind.value}): {message}"
        case UnexpectedResponse(status=status, problems=problems):
            return f"HTTP {status}, not what Sumsub documents: {'; '.join(problems)}"
        case NotSent(reason=reason):
            return f"Not sent: {reason}"
    return exchange.summary()


def _exchange_failure(step: StepId, exchange: Exchange) -> StepResult:
    outcome = exchange.outcome
    return step_result(
        step,
        StepStatus.FAIL,
        _failure_text(exchange),
        hint=exchange.hint,
        http_status=exchange.status,
        correlation_id=outcome.correlation_id if isinstance(outcome, ApiError) else None,
        unreachable=isinstance(outcome, NetworkError),
        exchange=exchange,
    )


def _network_hint(failure: NetworkError) -> Hint | None:
    """The error panel's hint for a network failure (the same for every endpoint)."""
    return hint_for(failure, Endpoint.TOKEN)


def _fetch_failure(step: StepId, exc: KeyFetchError, hint: Hint, status: int | None) -> StepResult:
    """A discovery or JWKS fetch that failed: the network's hint when it never got an answer."""
    cause = exc.__cause__
    if isinstance(cause, httpx.TransportError):
        network = _network_hint(classify(cause))
        # Discovery and the keys come from the issuer, not from the API's base URL.
        issuer_hint = (
            replace(network, advice=network.advice.replace("the base URL", "the issuer URL"))
            if network is not None
            else None
        )
        return step_result(step, StepStatus.FAIL, str(exc), hint=issuer_hint, unreachable=True)
    return step_result(step, StepStatus.FAIL, str(exc), hint=hint, http_status=status)


def _describe_skew(seconds: float) -> str:
    whole = round(abs(seconds))
    minutes, rest = divmod(whole, 60)
    amount = f"{minutes} min {rest} s" if minutes else f"{rest} s"
    return f"{amount} {'behind' if seconds > 0 else 'ahead of'}"


def _key_problem(key: VerificationKey, alg: str) -> str | None:
    """Why `key` can't verify `alg` signatures (the id_token checks' rule, and the key must
    load), or None when it can."""
    problem = key_problem(key.jwk, alg)
    if problem is not None:
        return problem
    try:
        jwt.get_algorithm_by_name(alg).from_jwk(key.jwk)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, NotImplementedError) as exc:
        return str(exc) or type(exc).__name__
    return None


class _CheckRun:
    """One check's state: what each step hands on to the next."""

    def __init__(
        self,
        settings: CheckSettings,
        client: IdConnectClient,
        interaction: Interaction | None,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.client = client
        self.http = client.http()
        # Discovery and keys always over verified TLS, whatever the target says about its own
        # (keys fetched over an unchecked connection prove nothing).
        self.keys_http = client.keys_http()
        self.interaction = interaction
        self.clock = clock
        self.cache = JwksCache()
        self.discovery: dict[str, Any] | None = None
        self.attempt: AuthorizeAttempt | None = None
        self.granted: TokenGranted | None = None
        self.refreshed: TokenGranted | None = None
        self.sign_in_failed: tuple[str, ...] = ()  # the checks the sign-in's id_token failed
        self.sign_in_exchange: Exchange | None = None  # the token step's, which brought it
        self.issuer_unreachable = False  # the discovery step could not reach the issuer
        self.last_status: int | None = None
        self.http.event_hooks["response"].append(self._remember_status)
        self.keys_http.event_hooks["response"].append(self._remember_status)
        self._steps: dict[StepId, Callable[[], Awaitable[StepResult]]] = {
            StepId.CLOCK: self._clock,
            StepId.DISCOVERY: self._discovery,
            StepId.JWKS: self._jwks,
            StepId.AUTHORIZE: self._authorize,
            StepId.TOKEN: self._token,
            StepId.ID_TOKEN: self._id_token,
            StepId.REFRESH: self._refresh,
            StepId.SHARE_TOKEN: self._share_token,
        }

    async def _remember_status(self, response: httpx.Response) -> None:
        self.last_status = response.status_code

    async def timed(self, step: StepId) -> StepResult:
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        self.last_status = None
        result = await self._steps[step]()
        duration_ms = (time.perf_counter() - started) * 1000
        return replace(result, started_at=started_at, duration_ms=duration_ms)

    # --- the steps, one method each ----------------------------------------------------------

    async def _clock(self) -> StepResult:
        step = StepId.CLOCK
        url = self.settings.target.url_for("/")
        before = self.clock()
        try:
            response = await self.http.get(url)
        except httpx.HTTPError as exc:
            failure = classify(exc)
            why = f"{url} could not be reached ({failure.kind.value}): {failure.message}"
            hint = _network_hint(failure)
            return step_result(step, StepStatus.FAIL, why, hint=hint, unreachable=True)
        local = (before + self.clock()) / 2
        # Only the Date header counts here: the status of GET / (often 404) says nothing about
        # the credentials, so it stays out of the status column and goes in the details.
        answered = (
            f"The Date came with the answer to GET {url} (HTTP {response.status_code}: any "
            "answer carries one, its status doesn't matter here)"
        )
        date = response.headers.get("Date", "")
        try:
            server = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            why = f"The server sent no usable Date header ({date!r}): the clocks can't be compared"
            return step_result(step, StepStatus.SKIPPED, why, details=(answered,))
        skew = server - local
        here = datetime.fromtimestamp(local, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        details = (f"Server Date: {date}; this machine: {here} ({skew:+.1f} s)", answered)
        if abs(skew) > MAX_CLOCK_SKEW_S:
            why = (
                f"This machine's clock is {_describe_skew(skew)} the server's; Sumsub rejects a "
                f"request timestamp more than {MAX_CLOCK_SKEW_S} s off"
            )
            return step_result(step, StepStatus.FAIL, why, hint=CLOCK_HINT, details=details)
        why = f"Within {max(1, round(abs(skew)))} s of the server's clock"
        return step_result(step, StepStatus.PASS, why, details=details)

    async def _discovery(self) -> StepResult:
        step = StepId.DISCOVERY
        issuer = self.settings.issuer
        try:
            document = await self.cache.discovery(self.keys_http, issuer)
        except KeyFetchError as exc:
            failure = _fetch_failure(step, exc, DISCOVERY_HINT, self.last_status)
            self.issuer_unreachable = failure.unreachable
            return failure
        methods = document.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            why = f"code_challenge_methods_supported ({methods}) lacks S256, which this app sends"
            return step_result(step, StepStatus.FAIL, why, hint=DISCOVERY_HINT, http_status=200)
        self.discovery = document
        details = [
            f"{name}: {document[name]}"
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
            if isinstance(document.get(name), str)
        ]
        why = f"{issuer} describes itself, its keys and its endpoints"
        return step_result(step, StepStatus.PASS, why, http_status=200, details=details)

    async def _jwks(self) -> StepResult:
        step = StepId.JWKS
        assert self.discovery is not None  # the step needs discovery
        jwks_uri = str(self.discovery["jwks_uri"])
        try:
            keys = await self.cache.jwks(self.keys_http, jwks_uri)
        except KeyFetchError as exc:
            return _fetch_failure(step, exc, JWKS_HINT, self.last_status)
        named, source = signing_algorithms(self.discovery)
        advertised = sorted(named)
        notes = [f"Algorithms from {source}: {', '.join(advertised)}"]
        algorithms = [a for a in advertised if a in ALLOWED_ALGORITHMS]
        refused = [a for a in advertised if a not in ALLOWED_ALGORITHMS]
        if refused:
            notes.append(f"Never accepted for id_tokens here: {', '.join(refused)}")
        for key in keys:
            usable = [a for a in algorithms if _key_problem(key, a) is None]
            kid = key.jwk.get("kid", "(no kid)")
            verifies = ", ".join(usable) or "nothing"
            kind = "key for encryption (use: enc)" if key.for_encryption else "key"
            notes.append(f"kid {kid}: {key.jwk.get('kty')} {kind}, verifies {verifies}")
        signing = signing_keys(keys)
        missing = [a for a in algorithms if all(_key_problem(k, a) is not None for k in signing)]
        if not algorithms or missing or not signing:
            why = (
                f"No usable key for {', '.join(missing)} in {jwks_uri}"
                if missing
                else f"None of the advertised algorithms ({', '.join(refused)}) can be trusted"
                if not algorithms
                else f"{jwks_uri} holds no signing key"
            )
            return step_result(
                step, StepStatus.FAIL, why, hint=JWKS_HINT, http_status=200, details=notes
            )
        why = (
            f"{counted(len(signing), 'signing key')}; every advertised algorithm "
            f"({', '.join(algorithms)}) verifiable"
        )
        return step_result(step, StepStatus.PASS, why, http_status=200, details=notes)

    async def _authorize(self) -> StepResult:
        step = StepId.AUTHORIZE
        target = self.settings.authorize
        endpoint = endpoint_from(target, self.discovery)
        capture = self.settings.capture
        if (
            capture is RedirectCapture.BROWSER
            and is_on_this_machine(endpoint)
            and is_loopback_redirect(target.redirect_uri)
        ):
            # An authorization server on this machine (the emulator) consents at once, and a
            # listener here catches the redirect. A redirect URI elsewhere is pasted back, as
            # Get code has it.
            capture = RedirectCapture.FOLLOW
        if (
            capture is not RedirectCapture.FOLLOW
            and self.issuer_unreachable
            and urlsplit(endpoint).hostname == urlsplit(self.settings.issuer).hostname
        ):
            # No browser and five-minute wait for a sign-in page on a host this machine could
            # not reach a moment ago (tryout AJ: "waiting up to 300 s" beside "Name or service
            # not known").
            why = (
                f"{endpoint} is on the issuer's host, which could not be reached (discovery "
                "step): no one could sign in there"
            )
            return step_result(step, StepStatus.SKIPPED, why)
        if capture is not RedirectCapture.FOLLOW and self.interaction is None:
            why = f"{endpoint} needs a person to sign in, and this run has no way to ask one"
            return step_result(step, StepStatus.FAIL, why)
        attempt = await run_authorize(self.http, target, endpoint, capture, self.interaction)
        result = attempt.result
        status = attempt.server_status
        details = [f"endpoint: {endpoint}", *result.notes]
        record = (
            None
            if attempt.session is None
            else AuthorizeRecord.of(attempt.session, result, datetime.now(UTC), status)
        )
        hint: Hint | None = None
        if result.ok and attempt.session is not None:
            self.attempt = attempt
            details.append(f"redirect_uri: {attempt.session.redirect_uri}")
            verdict = StepStatus.PASS
        else:
            verdict = StepStatus.FAIL
            if attempt.network_error is not None:
                hint = _network_hint(attempt.network_error)
            elif result.error is not None:
                hint = AUTHORIZE_HINT
        return step_result(
            step,
            verdict,
            result.summary(),
            hint=hint,
            http_status=status,
            details=details,
            unreachable=attempt.unreachable,
            authorize=record,
        )

    async def _token(self) -> StepResult:
        step = StepId.TOKEN
        assert self.attempt is not None and self.attempt.session is not None
        session = self.attempt.session
        request = TokenRequest.from_form(
            vendor.GRANT_AUTHORIZATION_CODE,
            code=self.attempt.result.code or "",
            code_verifier=session.pkce.code_verifier,
            scopes=session.scopes,
        )
        result, self.granted = await self._token_exchange(step, request)
        self.sign_in_exchange = result.exchange
        return result

    async def _token_exchange(
        self, step: StepId, request: TokenRequest
    ) -> tuple[StepResult, TokenGranted | None]:
        """Send a token request: the step's result, and the tokens when they were granted."""
        exchange = await self.client.token(request)
        if not isinstance(exchange.outcome, TokenGranted):
            return replace(_exchange_failure(step, exchange), request=request), None
        granted = exchange.outcome
        extras = [name for name in ("refresh_token", "id_token") if getattr(granted, name)]
        with_extras = f", with {' and '.join(extras)}" if extras else ""
        why = (
            f"Granted {granted.token_type} {mask_token(granted.access_token)}, expires in "
            f"{granted.expires_in} s{with_extras}"
        )
        passed = step_result(
            step,
            StepStatus.PASS,
            why,
            http_status=exchange.status,
            details=granted.notes,
            exchange=exchange,
        )
        return replace(passed, request=request), granted

    async def _id_token(self) -> StepResult:
        step = StepId.ID_TOKEN
        assert self.granted is not None and self.attempt is not None
        assert self.attempt.session is not None
        token = self.granted.id_token
        if not token:
            why = "The token response has no id_token: was the openid scope granted?"
            return step_result(step, StepStatus.FAIL, why, hint=ID_TOKEN_HINT)
        verification = await self._verify(token, self.granted.access_token)
        self.sign_in_failed = tuple(verification.failed)
        details = _check_lines(verification)
        if id_token_verified(verification):
            rows = verification.checks
            passed = ", ".join(row.name for row in rows if row.status is CheckStatus.PASS)
            why = f"Every check passed ({passed})"
            result = step_result(step, StepStatus.PASS, why, details=details)
        else:
            why = _why_not(verification)
            result = step_result(step, StepStatus.FAIL, why, hint=ID_TOKEN_HINT, details=details)
        if self.sign_in_exchange is None:
            return result
        return replace(result, id_token_verdict=(self.sign_in_exchange, verification))

    async def _verify(
        self, token: str, access_token: str, sign_in_id_token: str | None = None
    ) -> Verification:
        """The id_token's checks: a sign-in's against this attempt's nonce; a refreshed one
        (`sign_in_id_token`) against its sign-in's claims, as the window checks it (OIDC Core
        §12.2)."""
        assert self.attempt is not None and self.attempt.session is not None
        context = await build_context(
            self.keys_http,
            token=token,
            cache=self.cache,
            issuer=self.settings.issuer,
            client_id=self.settings.client_id,
            nonce=self.attempt.session.nonce,
            access_token=access_token,  # the same response's: for at_hash
            now=datetime.fromtimestamp(self.clock(), UTC),
        )
        original = sign_in_claims(sign_in_id_token)
        if original is not None:
            context = replace(
                context, original_claims=original, original_failed=self.sign_in_failed
            )
        return verify_id_token(token, context)

    async def _refresh(self) -> StepResult:
        step = StepId.REFRESH
        assert self.granted is not None
        if not self.granted.refresh_token:
            why = "No refresh_token was granted: is offline_access allowed for this client?"
            return step_result(step, StepStatus.FAIL, why)
        request = TokenRequest.from_form(
            vendor.GRANT_REFRESH_TOKEN, refresh_token=self.granted.refresh_token
        )
        result, self.refreshed = await self._token_exchange(step, request)
        refreshed = self.refreshed
        if refreshed is None or refreshed.id_token is None:
            return result
        # Its id_token is checked too, as the window checks one (tryout AJ: a refresh whose
        # id_token a drill had forged passed as "Granted … with id_token").
        verification = await self._verify(
            refreshed.id_token, refreshed.access_token, self.granted.id_token
        )
        details = (*result.details, *_check_lines(verification))
        verdict = (result.exchange, verification) if result.exchange is not None else None
        if id_token_verified(verification):
            why = f"{result.why}, verified"
            return replace(result, why=why, details=details, id_token_verdict=verdict)
        why = f"Its id_token is not to be trusted: {_why_not(verification)}"
        return replace(
            result,
            status=StepStatus.FAIL,
            why=why,
            hint=ID_TOKEN_HINT,
            details=details,
            id_token_verdict=verdict,
        )

    async def _share_token(self) -> StepResult:
        step = StepId.SHARE_TOKEN
        latest = self.refreshed or self.granted
        assert latest is not None
        request = ShareTokenRequest(latest.access_token, self.settings.share_for)
        exchange = await self.client.share_token(request)
        outcome = exchange.outcome
        if not isinstance(outcome, ShareTokenGranted):
            return _exchange_failure(step, exchange)
        why = (
            f"Share token {mask_token(outcome.token)} for {outcome.for_client_id}, "
            f"valid {request.ttl_s} s"
        )
        return step_result(
            step, StepStatus.PASS, why, http_status=exchange.status, exchange=exchange
        )


def _check_lines(verification: Verification) -> list[str]:
    """One line per check for the step's details; a claim that matched on a token no verified
    signature vouches for says "unverified", not "pass" (`Verification.unproven`)."""
    unproven = verification.unproven
    return [
        f"{'unverified' if row.name in unproven else row.status.value}: {row.name} — {row.detail}"
        for row in verification.checks
    ]


def _why_not(verification: Verification) -> str:
    """Why an id_token was not verified: the rows that failed, or the signature's."""
    rows = verification.checks
    failed = [row for row in rows if row.status is CheckStatus.FAIL]
    shown = failed or [row for row in rows if row.name == "signature"]
    return "; ".join(f"{row.name}: {row.detail}" for row in shown) or "Not verified"
