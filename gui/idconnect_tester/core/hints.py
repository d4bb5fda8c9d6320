"""Known failures → what they most likely mean and what to try, in plain words.

The table is ordered: the first rule that matches wins, so specific rules come before general
ones. Descriptions are matched case-insensitively as substrings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from idconnect_tester import vendor
from idconnect_tester.core.authorize import looks_like_redirect
from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Hint,
    HintKind,
    NetworkError,
    NetworkErrorKind,
    Outcome,
    ReceivedResponse,
    UnexpectedResponse,
)
from idconnect_tester.core.wording import clock_time


@dataclass(frozen=True)
class _ApiRule:
    hint: Hint
    status: int | None = None
    description: str | None = None  # substring, case-insensitive
    error_code: int | None = None
    endpoint: Endpoint | None = None

    def matches(self, error: ApiError, endpoint: Endpoint) -> bool:
        return (
            (self.status is None or self.status == error.status)
            and (self.error_code is None or self.error_code == error.error_code)
            and (self.endpoint is None or self.endpoint is endpoint)
            and (self.description is None or self.description.lower() in error.description.lower())
        )


_INVALID_CODE: Final = _ApiRule(
    Hint(
        HintKind.INVALID_CODE,
        "The authorization code was not accepted",
        "Codes are single-use and short-lived: it may have been used already (a second "
        "Send), have expired, or the code verifier does not match the code_challenge sent "
        "to authorize. Press Get code for a fresh code and verifier, then Send at once.",
    ),
    status=401,
    description=vendor.ERROR_INVALID_CODE,
)

_REFRESH_TOKEN_REFUSED: Final = _ApiRule(
    Hint(
        HintKind.REFRESH_TOKEN_REFUSED,
        "The refresh token was not accepted",
        "It may be mistyped, expired, or issued to another client. Get a new one with an "
        "authorization_code exchange that includes offline_access.",
    ),
    status=401,
    description="refresh token",
)

_REFRESH_VERIFIER: Final = Hint(
    HintKind.REFRESH_VERIFIER_MISMATCH,
    "The refresh was refused as an invalid code",
    'On a refresh the code is the one this refresh token came from, so "Invalid code" '
    "most likely means the codeVerifier sent is not that code's: a later Get code puts its "
    "own verifier in the form. Send the verifier of the code exchange that issued this "
    "refresh token (the form warns when it knows it is another), or check that the refresh "
    "token belongs to this client.",
)

# A cancel's consequences depend on the grant that was cancelled.
_CANCELLED_BY_GRANT: Final = {
    vendor.GRANT_AUTHORIZATION_CODE: Hint(
        HintKind.CANCELLED,
        "Cancelled before the answer came",
        "Cancel stops the wait, not the server: it may have redeemed the code already. If "
        "Send answers 401 Invalid code, press Get code for a fresh code and verifier.",
    ),
    vendor.GRANT_REFRESH_TOKEN: Hint(
        HintKind.CANCELLED,
        "Cancelled before the answer came",
        "Cancel stops the wait, not the server: it may have issued an access token you never "
        "received. The refresh token is still good: send a refresh_token request again.",
    ),
}

_URL_AS_CODE: Final = Hint(
    HintKind.URL_AS_CODE,
    "A whole URL was sent as the code",
    "The code sent looks like a redirect URL (…?code=…&state=…), not a code: a common cause "
    "when it was copied from the browser's address bar or another OAuth tool. Paste the URL "
    "into Code again (the app takes the code out of it and checks the state), or copy only "
    "the value after code=. Codes are single-use: if in doubt, press Get code for a fresh one.",
)

_ACCESS_TOKEN_REFUSED: Final = _ApiRule(
    Hint(
        HintKind.ACCESS_TOKEN_REFUSED,
        "The access token was not accepted",
        "The server names the access token (sumsubIdConnectToken), not the app token or "
        "the signature: it has expired, was never issued by this server, or belongs to "
        "another environment. Send again (a refresh, or Get code) for a new access token, "
        "then request the share token again.",
    ),
    status=401,
    description="sumsubIdConnectToken",
    endpoint=Endpoint.SHARE_TOKEN,
)


_API_RULES: Final[tuple[_ApiRule, ...]] = (
    _ApiRule(
        Hint(
            HintKind.TIMESTAMP_OFF,
            "The request timestamp is off",
            "X-App-Access-Ts must be within a minute of Sumsub's clock. Check this computer's "
            "clock and time zone (sync it with NTP), then send again.",
        ),
        error_code=vendor.ERROR_CODE_REQUEST_EXPIRED,
    ),
    _ApiRule(
        Hint(
            HintKind.SIGNATURE_MISMATCH,
            "The signature does not match",
            "The secret key is probably wrong for this app token (sandbox and production keys "
            "differ), or something changed the body or path after signing. Re-enter the secret "
            "key that was shown when the app token was created.",
        ),
        error_code=vendor.ERROR_CODE_SIGNATURE_MISMATCH,
    ),
    _ApiRule(
        Hint(
            HintKind.SIGNATURE_MISMATCH,
            "The signature does not match",
            "The secret key is probably wrong for this app token, or the body was altered "
            "after signing.",
        ),
        status=401,
        description="signature",
    ),
    _ApiRule(
        Hint(
            HintKind.SUMSUB_ID_NOT_ENABLED,
            "Sumsub ID is not enabled for this client key",
            "The app token belongs to a client (client key) without Sumsub ID Connect. Ask "
            "Sumsub support to enable Sumsub ID for your client key, or use the app token of "
            "the client that has it.",
        ),
        status=404,
        description=vendor.ERROR_INVALID_CLIENT_ID_PREFIX.strip(),
    ),
    _INVALID_CODE,
    _REFRESH_TOKEN_REFUSED,
    _ApiRule(
        Hint(
            HintKind.APP_TOKEN_UNKNOWN,
            "The app token was not recognised",
            "Check the app token (X-App-Token) for typos, and that it belongs to this "
            "environment: sandbox tokens start with sbx:.",
        ),
        status=401,
        description="app token",
    ),
    _ApiRule(
        Hint(
            HintKind.SIGNATURE_HEADERS_MISSING,
            "Missing signature headers",
            "Every request needs X-App-Token, X-App-Access-Ts and X-App-Access-Sig. If a proxy "
            "sits in between, check that it forwards them.",
        ),
        status=401,
        description="missing",
    ),
    _ACCESS_TOKEN_REFUSED,
    _ApiRule(
        Hint(
            HintKind.SHARE_SCOPE_MISSING,
            "The access token lacks the share scope",
            "Only a token granted with the share scope can mint share tokens. Tick share, "
            "press Get code, exchange the new code, then request the share token again.",
        ),
        status=403,
        description="scope",
        endpoint=Endpoint.SHARE_TOKEN,
    ),
    _ApiRule(
        Hint(
            HintKind.FORBIDDEN,
            "Forbidden: revoked token or wrong environment",
            "The token was revoked (for example because its authorization code was used "
            "twice), lacks the scope this call needs, or a sandbox (sbx:) credential was mixed "
            "with a production one. Start again from Get code with the right app token.",
        ),
        status=403,
    ),
    _ApiRule(
        Hint(
            HintKind.SHARE_FIELDS_MISSING,
            "Missing fields for the share token",
            "Fill in forClientId and make sure an access token is present.",
        ),
        status=400,
        endpoint=Endpoint.SHARE_TOKEN,
    ),
    _ApiRule(
        Hint(
            HintKind.MALFORMED_REQUEST,
            "The request was malformed",
            "Sumsub could not accept the body. Check the grant type and the fields it needs; "
            "the Raw panel shows exactly what was sent.",
        ),
        status=400,
    ),
    _ApiRule(
        Hint(
            HintKind.RATE_LIMITED,
            "Too many requests",
            "You are being rate limited. Wait a little (see the Retry-After header) and retry.",
        ),
        status=429,
    ),
    _ApiRule(
        Hint(
            HintKind.AUTHENTICATION_FAILED,
            "Authentication failed",
            "Check the app token and secret key, and this computer's clock.",
        ),
        status=401,
    ),
)


_NETWORK_HINTS: Final[dict[NetworkErrorKind, Hint]] = {
    NetworkErrorKind.REFUSED: Hint(
        HintKind.CONNECTION_REFUSED,
        "Connection refused",
        "Nothing is listening at that address and port. Check the base URL; for the emulator, "
        "check that it is running.",
    ),
    NetworkErrorKind.DNS: Hint(
        HintKind.HOST_NOT_FOUND,
        "Host name not found",
        "The host name could not be resolved. Check the base URL for typos, your network "
        "connection, and your DNS or VPN.",
    ),
    NetworkErrorKind.TIMEOUT: Hint(
        HintKind.TIMEOUT,
        "No answer in time",
        "The server did not answer within the timeout. Check your network, proxy or VPN, or "
        "raise the timeout in the profile.",
    ),
    NetworkErrorKind.TLS: Hint(
        HintKind.TLS,
        "TLS (certificate) problem",
        "The server's certificate could not be verified. Behind a corporate proxy, add its CA "
        "bundle to the profile; check this computer's date; never disable verification for "
        "production.",
    ),
    NetworkErrorKind.RESET: Hint(
        HintKind.CONNECTION_DROPPED,
        "The connection was dropped",
        "The server or something in between closed the connection mid-request. Retry; if it "
        "repeats, check proxies and firewalls.",
    ),
    NetworkErrorKind.PROTOCOL: Hint(
        HintKind.PROTOCOL,
        "The server broke the HTTP protocol",
        "The answer was not valid HTTP. Check that the base URL points at an HTTPS API, not at "
        "another kind of service or port.",
    ),
    NetworkErrorKind.PROXY: Hint(
        HintKind.PROXY,
        "The proxy failed",
        "The configured proxy refused or failed the request. Check the profile's proxy "
        "setting and the HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY environment variables.",
    ),
    NetworkErrorKind.CANCELLED: Hint(
        HintKind.CANCELLED,
        "Cancelled before the answer came",
        "Cancel stops the wait, not the server: a request that reached it may have been acted "
        "on. Send again to see what the server says now.",
    ),
    NetworkErrorKind.OTHER: Hint(
        HintKind.SEND_FAILED,
        "The request could not be sent",
        "See the message for details, and check the base URL and your network.",
    ),
}


# OpenSSL's words when the "TLS record" it read was plain text, such as an HTTP error page: the
# server on that port speaks HTTP, not HTTPS. The wording differs between OpenSSL versions.
_PLAIN_HTTP_PEER_PHRASES: Final = (
    "wrong version number",
    "record layer failure",
    "packet length too long",
    "unknown protocol",
)

_PLAIN_HTTP_PEER_HINT: Final = Hint(
    HintKind.PLAIN_HTTP_PEER,
    "The server answered in plain HTTP",
    "This port speaks HTTP, not HTTPS, so there is no certificate to check. For a server on "
    "this machine, such as the emulator, use http:// (plain http:// is allowed only to this "
    "machine); for a remote API, check the port: HTTPS is normally 443.",
)


def _network_hint(error: NetworkError) -> Hint:
    message = error.message.lower()
    if error.kind is NetworkErrorKind.TLS and any(p in message for p in _PLAIN_HTTP_PEER_PHRASES):
        return _PLAIN_HTTP_PEER_HINT
    return _NETWORK_HINTS[error.kind]


def _unexpected_hint(outcome: UnexpectedResponse) -> Hint:
    if outcome.status >= 500:
        return Hint(
            HintKind.SERVER_FAILED,
            "The server failed",
            "A server or gateway error, not Sumsub's JSON error shape. Retry in a moment; if it "
            "persists, check Sumsub's status page or your proxy.",
        )
    if 300 <= outcome.status < 400:
        return Hint(
            HintKind.REDIRECTED,
            "Redirected instead of answered",
            "The API answered with a redirect. The base URL is probably wrong (http vs https, "
            "or a web page instead of the API host, e.g. https://api.sumsub.com).",
        )
    return Hint(
        HintKind.UNDOCUMENTED_RESPONSE,
        "The response was not what Sumsub documents",
        "Look at the Raw panel for the body. If the base URL points at a proxy or mock, check "
        "what it returns.",
    )


def _looks_like_url(code: str) -> bool:
    return "://" in code or looks_like_redirect(code)


def is_invalid_code(outcome: ApiError, endpoint: Endpoint) -> bool:
    """The token endpoint's 401 "Invalid code": the code itself was refused (used already,
    expired, or not this verifier's) — not a signature or a timestamp the server refused."""
    return _INVALID_CODE.matches(outcome, endpoint)


def is_refresh_token_refused(outcome: ApiError, endpoint: Endpoint) -> bool:
    """The token endpoint's 401 that names the refresh token: not taken (unknown to the
    server, expired, another client's) — not the verifier, the signature or the timestamp."""
    return _REFRESH_TOKEN_REFUSED.matches(outcome, endpoint)


def is_access_token_refused(outcome: ApiError, endpoint: Endpoint) -> bool:
    """The share-token endpoint's 401 that names the access token (sumsubIdConnectToken):
    the token itself was refused (invalid or expired) — not the app token or the signature."""
    return _ACCESS_TOKEN_REFUSED.matches(outcome, endpoint)


def retry_after_ends(response: ReceivedResponse | None, received_at: datetime) -> datetime | None:
    """When the wait a Retry-After of seconds asks for ends, by this computer's clock; None
    without one (or one too long to be a moment of this run)."""
    said = response.header("retry-after").strip() if response is not None else ""
    if not said.isdigit() or len(said) > 9:
        return None
    return received_at + timedelta(seconds=int(said))


def _rate_limited(retry_after: str, ends: datetime | None) -> Hint:
    """429 with the server's Retry-After (seconds, or an HTTP date): how long, in the hint —
    and until when by this computer's clock, so nobody has to count (tryout AE)."""
    if retry_after.isdigit():
        wait = f"{retry_after} s" + (f", until {clock_time(ends)}" if ends is not None else "")
    else:
        wait = f"until {retry_after}"
    return Hint(
        HintKind.RATE_LIMITED,
        "Too many requests",
        f"You are being rate limited. The server asks to wait {wait} (Retry-After) before the "
        "next request.",
    )


def hint_for(
    outcome: Outcome,
    endpoint: Endpoint,
    *,
    sent_code: str = "",
    grant_type: str = "",
    response: ReceivedResponse | None = None,
    received_at: datetime | None = None,
) -> Hint | None:
    """The plain-words hint for an outcome, or None when there is nothing to add. `sent_code`:
    the authorization code that was sent, when there was one (a URL there has its own hint);
    `grant_type`: the token request's (a refresh's "Invalid code" has its own hint);
    `response`: the answer, for what its headers add (how long a rate limit lasts), which
    came at `received_at`."""
    if isinstance(outcome, ApiError) and outcome.status == 429 and response is not None:
        retry_after = response.header("retry-after").strip()
        if retry_after:
            ends = retry_after_ends(response, received_at) if received_at is not None else None
            return _rate_limited(retry_after, ends)
    if isinstance(outcome, ApiError):
        if _INVALID_CODE.matches(outcome, endpoint) and _looks_like_url(sent_code):
            return _URL_AS_CODE
        if _INVALID_CODE.matches(outcome, endpoint) and grant_type == vendor.GRANT_REFRESH_TOKEN:
            return _REFRESH_VERIFIER
        return next((r.hint for r in _API_RULES if r.matches(outcome, endpoint)), None)
    if isinstance(outcome, NetworkError):
        if outcome.kind is NetworkErrorKind.CANCELLED and grant_type in _CANCELLED_BY_GRANT:
            return _CANCELLED_BY_GRANT[grant_type]
        return _network_hint(outcome)
    if isinstance(outcome, UnexpectedResponse):
        return _unexpected_hint(outcome)
    return None
