"""What the error panel shows, whatever produced the failure: an exchange, the authorize step, or
an operation that broke outside any exchange.

"Copy for support" copies only what Sumsub support needs to find the request on their side —
status, code, correlationId, description, time and endpoint — never a secret or a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus

from idconnect_tester.core.authorize import UNREACHABLE, AuthorizeResult
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
    status = f"Authorize error: {result.error}" if result.error else "Authorize step failed"
    return ErrorReport(
        status, description, _authorize_hint(result), endpoint=endpoint, time=_utc(when)
    )


def report_for_failure(message: str, when: datetime) -> ErrorReport:
    """An operation broke outside any exchange (a listener port in use, a bug)."""
    return ErrorReport("Failed", message, time=_utc(when))


def _authorize_hint(result: AuthorizeResult) -> Hint:
    if result.error == "access_denied":
        return Hint(
            HintKind.CONSENT_REFUSED,
            "Consent was refused",
            "Press Get code again and approve the request.",
        )
    if result.error:
        return Hint(
            HintKind.AUTHORIZE_REFUSED,
            "The authorize request was refused",
            "Check the client id, the redirect URI registered with Sumsub, and the scopes.",
        )
    if (result.problem or "").startswith(UNREACHABLE):
        return Hint(
            HintKind.AUTHORIZE_UNREACHABLE,
            "Nothing answered at the authorization endpoint",
            "Check the profile's Base URL (or Authorization endpoint) and that the server runs. "
            "The built-in emulator gets a new port each launch: a profile that kept an old one "
            "follows it again with the Emulator button in its settings.",
        )
    return Hint(
        HintKind.NO_REDIRECT,
        "No usable redirect",
        "Press Get code again; if the redirect URI is not loopback, paste the whole redirect URL.",
    )
