"""What one request/response round trip produced: the `Exchange` and its single outcome.

Typed results cross the boundary to the GUI and the CLI, not exceptions: a malformed answer or
a network fault is an outcome to show. Cancelling is the one exception that stays one (a
cancelled task must end cancelled), and `RequestCancelled` carries the exchange as it stood.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class HintKind(StrEnum):
    """Which known failure a hint is about. The title and advice are prose that gets reworded;
    the kind is the stable name a script (`--json`) or a test can match on."""

    # Sumsub answered with an error
    TIMESTAMP_OFF = "timestamp_off"
    SIGNATURE_MISMATCH = "signature_mismatch"
    SIGNATURE_HEADERS_MISSING = "signature_headers_missing"
    APP_TOKEN_UNKNOWN = "app_token_unknown"
    AUTHENTICATION_FAILED = "authentication_failed"
    SUMSUB_ID_NOT_ENABLED = "sumsub_id_not_enabled"
    INVALID_CODE = "invalid_code"
    CODE_REPLAYED = "code_replayed"
    REVOKED_BY_REPLAY = "revoked_by_replay"  # a refresh refused after its code's second use
    URL_AS_CODE = "url_as_code"
    VERIFIER_MISMATCH = "verifier_mismatch"  # a code sent with another Get code's verifier
    REFRESH_VERIFIER_MISMATCH = "refresh_verifier_mismatch"
    REFRESH_TOKEN_REFUSED = "refresh_token_refused"
    ACCESS_TOKEN_REFUSED = "access_token_refused"  # the share-token step's 401 for it
    SHARE_SCOPE_MISSING = "share_scope_missing"
    SHARE_FIELDS_MISSING = "share_fields_missing"
    FORBIDDEN = "forbidden"
    MALFORMED_REQUEST = "malformed_request"
    RATE_LIMITED = "rate_limited"
    # the answer was not Sumsub's error shape
    SERVER_FAILED = "server_failed"
    REDIRECTED = "redirected"
    UNDOCUMENTED_RESPONSE = "undocumented_response"
    # no answer
    CONNECTION_REFUSED = "connection_refused"
    HOST_NOT_FOUND = "host_not_found"
    TIMEOUT = "timeout"
    TLS = "tls"
    PLAIN_HTTP_PEER = "plain_http_peer"
    CONNECTION_DROPPED = "connection_dropped"
    PROTOCOL = "protocol"
    PROXY = "proxy"
    CANCELLED = "cancelled"
    SEND_FAILED = "send_failed"  # not the NotSent outcome: this request was tried
    # the authorize step
    CONSENT_REFUSED = "consent_refused"
    AUTHORIZE_REFUSED = "authorize_refused"
    CLIENT_ID_UNKNOWN = "client_id_unknown"
    CLIENT_NOT_ALLOWED = "client_not_allowed"
    REDIRECT_URI_REFUSED = "redirect_uri_refused"
    SCOPE_REFUSED = "scope_refused"
    AUTHORIZE_UNREACHABLE = "authorize_unreachable"
    NO_REDIRECT = "no_redirect"
    UNVERIFIED_REFUSAL = "unverified_refusal"  # an error redirect without this run's state
    # the credential check's own steps
    DISCOVERY_UNUSABLE = "discovery_unusable"
    KEYS_UNUSABLE = "keys_unusable"
    ID_TOKEN_UNTRUSTED = "id_token_untrusted"
    # a history record saved before hints had kinds
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Hint:
    """What an outcome most likely means, and what to try next, in plain words."""

    kind: HintKind
    title: str
    advice: str


class Endpoint(StrEnum):
    TOKEN = "token"
    SHARE_TOKEN = "share_token"


@dataclass(frozen=True)
class SentRequest:
    """The request exactly as sent, except that secret-derived header values are masked."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]  # masked for display
    body: bytes = field(repr=False)  # the exact bytes sent (and signed)
    tls_verification: str  # "on (OS trust store + CA bundle …)", or "OFF (explicitly disabled…)"

    @property
    def body_text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class ReceivedResponse:
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = field(repr=False)
    truncated: bool = False  # the body was larger than the client reads

    def header(self, name: str) -> str:
        """The first value of header `name` (any case), or ""."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type")

    @property
    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 by default); never raises."""
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name
            return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Timings:
    total_ms: float
    connect_ms: float | None = None  # TCP connect, when a new connection was opened
    tls_ms: float | None = None  # TLS handshake, for https on a new connection
    first_byte_ms: float | None = None  # from start until the response headers arrived

    @property
    def reused_connection(self) -> bool:
        """An answer came without a connection being opened: one from earlier carried it
        (keep-alive). A failure before any answer, such as a refused connect, is not that."""
        return self.connect_ms is None and self.first_byte_ms is not None


# --- Outcomes: exactly one per exchange ---


@dataclass(frozen=True)
class TokenGranted:
    access_token: str = field(repr=False)
    token_type: str
    expires_in: int
    expires_at: datetime  # received_at + expires_in, timezone-aware UTC
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    other_fields: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()  # oddities worth showing that don't make it unusable


@dataclass(frozen=True)
class ShareTokenGranted:
    token: str = field(repr=False)
    for_client_id: str
    expires_at: datetime  # received_at + the requested ttlInSecs (the response doesn't say)
    other_fields: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiError:
    """A failure answered in Sumsub's error shape."""

    status: int
    description: str
    code: int | None = None
    correlation_id: str | None = None
    error_code: int | None = None
    error_name: str | None = None
    other_fields: dict[str, Any] = field(default_factory=dict)


class NetworkErrorKind(StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "refused"
    DNS = "dns"
    TLS = "tls"
    RESET = "reset"
    PROTOCOL = "protocol"
    PROXY = "proxy"
    OTHER = "other"
    # Not the network's doing: the person cancelled the wait. Kept with the failures because,
    # like them, it ends an exchange with no answer — and the request may have reached the
    # server all the same.
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class NetworkError:
    kind: NetworkErrorKind
    message: str  # the underlying error, as the library said it
    # The request had begun to go out when the wait ended (a reset, no answer in time, a
    # cancel): the server may have it whole, and have acted on it — redeemed a code, say.
    may_have_arrived: bool = False


@dataclass(frozen=True)
class UnexpectedResponse:
    """A response that is neither a usable success nor Sumsub's error shape."""

    status: int
    problems: tuple[str, ...]  # each a sentence: what was wrong


@dataclass(frozen=True)
class NotSent:
    """Refused before anything left the machine (invalid target or request)."""

    reason: str


Outcome = TokenGranted | ShareTokenGranted | ApiError | NetworkError | UnexpectedResponse | NotSent


@dataclass(frozen=True, eq=False)
class Exchange:
    """One round trip. Two exchanges are never the same one, even with the same content: equality
    is identity (the session tells "still showing this exchange" from "a new one arrived")."""

    endpoint: Endpoint
    request: SentRequest | None  # None only when NotSent
    response: ReceivedResponse | None  # None for network errors and NotSent
    outcome: Outcome
    timings: Timings
    started_at: datetime
    received_at: datetime  # when the response (or the failure) arrived; countdowns start here
    hint: Hint | None = None

    @property
    def succeeded(self) -> bool:
        return isinstance(self.outcome, TokenGranted | ShareTokenGranted)

    @property
    def cancelled(self) -> bool:
        return isinstance(self.outcome, NetworkError) and (
            self.outcome.kind is NetworkErrorKind.CANCELLED
        )

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None

    def summary(self) -> str:
        """One line for a status bar or a log: `200 OK in 43 ms`, `Network error (refused)
        after 2 ms`, `200 OK in 5 ms — unexpected response` (a status that says success is not
        left to speak for an answer that could not be used)."""
        ms = f"{self.timings.total_ms:.0f} ms"
        match self.outcome:
            case NotSent(reason=reason):
                return f"Not sent: {reason}"
            case NetworkError(kind=NetworkErrorKind.CANCELLED):
                return f"Cancelled after {ms}"
            case NetworkError(kind=kind):
                return f"Network error ({kind.value}) after {ms}"
            case _ if self.response is not None:
                line = f"{self.response.status} {self.response.reason} in {ms}".replace("  ", " ")
                if isinstance(self.outcome, UnexpectedResponse):
                    line += " — unexpected response"
                return line
        return ms


class RequestCancelled(asyncio.CancelledError):
    """The wait for an answer was cancelled once the request had been built. It cancels like
    any `CancelledError`, and carries the exchange as it stood, to be recorded: the server may
    have acted on a request that reached it (redeemed a code, replaced a refresh token)."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__(exchange.summary())
        self.exchange = exchange
