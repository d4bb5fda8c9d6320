"""What the error panel shows, whatever produced the failure: an exchange, the authorize step, or
an operation that broke outside any exchange.

"Copy for support" copies only what Sumsub support needs to find the request on their side —
status, code, correlationId, description, time and endpoint — never a secret or a token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Final

from idconnect_tester.core.authorize import NO_AUTHORIZE_PAGE, UNREACHABLE, AuthorizeResult
from idconnect_tester.core.exchange import (
    ApiError,
    Exchange,
    Hint,
    HintKind,
    NetworkError,
    NotSent,
    UnexpectedResponse,
)


@dataclass(frozen=True)
class ErrorReport:
    status: str  # "401 Unauthorized", "Network error: refused", "Authorize error: access_denied"
    description: str
    hint: Hint | None = None
    code: str = ""  # Sumsub's `code` field
    correlation_id: str = ""
    api_error: str = ""  # errorCode and errorName
    endpoint: str = ""
    time: str = ""  # when it happened, UTC

    def support_text(self) -> str:
        lines = [
            f"Status: {self.status}",
            f"code: {self.code or '—'}",
            f"correlationId: {self.correlation_id or '—'}",
            f"description: {self.description}",
        ]
        if self.api_error:
            lines.append(f"errorCode/errorName: {self.api_error}")
        lines += [f"Time: {self.time}", f"Endpoint: {self.endpoint}"]
        return "\n".join(lines)


def status_text(status: int) -> str:
    """`401 Unauthorized`; just the number for a status HTTP doesn't name."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def report_for_exchange(exchange: Exchange) -> ErrorReport | None:
    """The error an exchange ended in, or None when it succeeded."""
    outcome = exchange.outcome
    endpoint = exchange.request.url if exchange.request else exchange.endpoint.value
    when = _utc(exchange.received_at)
    match outcome:
        case ApiError():
            api = " ".join(
                str(part) for part in (outcome.error_code, outcome.error_name) if part is not None
            )
            return ErrorReport(
                status=status_text(outcome.status),
                description=outcome.description,
                hint=exchange.hint,
                code="" if outcome.code is None else str(outcome.code),
                correlation_id=outcome.correlation_id or "",
                api_error=api,
                endpoint=endpoint,
                time=when,
            )
        case NetworkError():
            status = "Cancelled" if exchange.cancelled else f"Network error: {outcome.kind.value}"
            return ErrorReport(status, outcome.message, exchange.hint, endpoint=endpoint, time=when)
        case UnexpectedResponse():
            return ErrorReport(
                status=f"{status_text(outcome.status)} — unexpected response",
                description="\n".join(f"• {p}" for p in outcome.problems),
                hint=exchange.hint,
                endpoint=endpoint,
                time=when,
            )
        case NotSent():
            return ErrorReport(
                "Not sent", outcome.reason, exchange.hint, endpoint=endpoint, time=when
            )
    return None


def report_for_authorize(endpoint: str, result: AuthorizeResult, when: datetime) -> ErrorReport:
    """The authorize step ended without a code."""
    description = result.error_description or result.problem or "No code came back"
    if result.error_uri:
        # The server's own page about the error: named as the server's (shown, never a link).
        description += f"\nThe server's page about it (error_uri): {result.error_uri}"
    status = f"Authorize error: {result.error}" if result.error else "Authorize step failed"
    if result.error and result.by_redirect and not result.state_checked:
        status += " (state NOT verified)"
    return ErrorReport(
        status, description, _authorize_hint(result), endpoint=endpoint, time=_utc(when)
    )


def report_for_failure(message: str, when: datetime) -> ErrorReport:
    """An operation broke outside any exchange (a listener port in use, a bug)."""
    return ErrorReport("Failed", message, time=_utc(when))


_NAMES_THE_CLIENT: Final = re.compile(r"client_?id", re.IGNORECASE)  # client_id, clientId


def _refusal_hint(error: str, description: str) -> Hint:
    """An authorize error (RFC 6749 §4.1.2.1), by what it names: the client, the redirect URI
    or the scopes; the description is matched only where the error code is too general."""
    if error == "unauthorized_client":
        return Hint(
            HintKind.CLIENT_NOT_ALLOWED,
            "This client may not use the authorize step",
            "The authorization server knows the client id but refuses it here: for Sumsub, "
            "Sumsub ID is not enabled for it. Ask Sumsub support to enable it, or use the "
            "client id that has it.",
        )
    if error in ("server_error", "temporarily_unavailable"):
        # RFC 6749 §4.1.2.1: the server's own trouble (an HTTP 500 or 503 it cannot send
        # through a redirect), not something in the request to change.
        busy = error == "temporarily_unavailable"
        return Hint(
            HintKind.SERVER_FAILED,
            "The authorization server is busy" if busy else "The authorization server failed",
            "Nothing in the request is at fault. Wait a moment and press Get code again; if it "
            "persists, note the time and the description and check the server's status page "
            "(for Sumsub, ask Sumsub support).",
        )
    if error == "invalid_scope":
        return Hint(
            HintKind.SCOPE_REFUSED,
            "A scope was refused",
            "Tick only the scopes this client may ask for (openid is always needed), then "
            "press Get code again.",
        )
    # The redirect URI first: its message often names the client too ("… for client_id x").
    if "redirect_uri" in description:
        return Hint(
            HintKind.REDIRECT_URI_REFUSED,
            "The redirect URI was refused",
            "Use the redirect URI registered for this client exactly as registered, or leave "
            "it empty for a loopback one (http://127.0.0.1:<port>/…, RFC 8252).",
        )
    # `invalid_client` is the token endpoint's word (RFC 6749 §5.2), seen from authorize too.
    if error == "invalid_client" or _NAMES_THE_CLIENT.search(description):
        return Hint(
            HintKind.CLIENT_ID_UNKNOWN,
            "The client id was not recognised",
            "Check the profile's Client id: it must be one this authorization server issued "
            "(for Sumsub ID, the one Sumsub gave you), and the Issuer or Authorization "
            "endpoint must be that server.",
        )
    return Hint(
        HintKind.AUTHORIZE_REFUSED,
        "The authorize request was refused",
        "Check the client id, the redirect URI registered for it, and the scopes.",
    )


def _authorize_hint(result: AuthorizeResult) -> Hint:
    if result.error and result.by_redirect and not result.state_checked:
        # RFC 6749 §10.12: without the state it was sent with, a redirect can't be tied to
        # this app's request — a refusal from another attempt, another tab, or forged.
        return Hint(
            HintKind.UNVERIFIED_REFUSAL,
            "Not known to answer this Get code",
            "The error came without this run's state, so it may answer another attempt, or "
            "be forged: nothing was refused that this app asked. Press Get code for a fresh "
            "attempt and use its own redirect.",
        )
    if result.error == "access_denied":
        return Hint(
            HintKind.CONSENT_REFUSED,
            "Consent was refused",
            "Press Get code again and approve the request.",
        )
    if result.error:
        return _refusal_hint(result.error, (result.error_description or "").lower())
    if (result.problem or "").startswith(NO_AUTHORIZE_PAGE):
        return Hint(
            HintKind.AUTHORIZE_UNREACHABLE,
            "No authorization endpoint there",
            "Get code goes to the profile's Authorization endpoint or, when that is empty, to "
            "the one its Issuer's discovery document names — or, without one, to Sumsub's path "
            "on the Issuer. Check those (not Base URL): the server answered, but not there.",
        )
    if (result.problem or "").startswith(UNREACHABLE):
        return Hint(
            HintKind.AUTHORIZE_UNREACHABLE,
            "Nothing answered at the authorization endpoint",
            "Get code goes to the profile's Authorization endpoint or, when that is empty, to "
            "the one its Issuer names: check those (not Base URL) and that the server runs. "
            "If it was the built-in emulator, whose port changes each launch, its settings' "
            "Emulator button points the profile at it again.",
        )
    return Hint(
        HintKind.NO_REDIRECT,
        "No usable redirect",
        "Press Get code again; if the redirect URI is not loopback, paste the whole redirect URL.",
    )
