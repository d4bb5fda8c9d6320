"""An `Exchange` as a JSON record: for history, "Save exchange as JSON", and bug reports.

Tokens are masked (vendor prefix + last four, via `mask_token`) unless the caller opts in to full
tokens. Secrets are never here in either mode: the secret key is not part of an Exchange at all,
and the signature header was masked when the request was recorded; it is masked again here so a
hand-built Exchange can't carry one into a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from idconnect_tester import vendor
from idconnect_tester.core.exchange import (
    ApiError,
    Exchange,
    NetworkError,
    NetworkErrorKind,
    NotSent,
    Outcome,
    ReceivedResponse,
    SentRequest,
    ShareTokenGranted,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.masking import mask_secret, mask_token
from idconnect_tester.core.safe_files import atomic_write_text

RECORD_FORMAT: Final = "idconnect-tester/exchange"
RECORD_VERSION: Final = 1
MAX_BODY_BYTES: Final = 256 * 1024  # per body in a record: history holds up to 1,000 of them

# JSON keys whose string values are tokens, in requests and responses alike.
TOKEN_KEYS: Final = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        vendor.SHARE_FIELD_CONNECT_TOKEN,
    }
)
# What a token request sends that redeems tokens in its own right: the authorization code and
# its PKCE verifier. Masked like the tokens, in request bodies only (an error's "code" is not one).
REQUEST_TOKEN_KEYS: Final = TOKEN_KEYS | {vendor.FIELD_CODE, vendor.FIELD_CODE_VERIFIER}
# Header values that derive from the secret key or are credentials in their own right.
_SECRET_HEADERS: Final = frozenset({vendor.HEADER_ACCESS_SIG.lower(), "authorization"})

# Tokens wherever they appear in free text. The trailing look-ahead makes masking idempotent: a
# masked token ("snd-id-con-a-WRT7…seop") is not matched again.
_TOKEN_IN_TEXT: Final = re.compile(
    r"snd-id-con-[a-z]+-[A-Za-z0-9_\-]+(?![A-Za-z0-9_\-…])"  # vendor access/refresh tokens
    r"|_act-[A-Za-z0-9\-]{8,}(?![A-Za-z0-9\-…])"  # share tokens (_act-sbx-<uuid>)
    r"|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"  # a JWT (alg none: empty signature)
)
_MIN_VERBATIM_LENGTH: Final = 8  # shorter token values are masked by re-encoding, not replace()


class OutcomeKind(StrEnum):
    GRANTED = "granted"
    SHARE_GRANTED = "share_granted"
    API_ERROR = "api_error"
    NETWORK_ERROR = "network_error"
    CANCELLED = "cancelled"  # a NetworkError of kind CANCELLED: the person stopped the wait
    UNEXPECTED = "unexpected"
    NOT_SENT = "not_sent"
    # The authorize step, kept in the history beside the exchanges (`authorize_record`).
    AUTHORIZED = "authorized"
    AUTHORIZE_FAILED = "authorize_failed"


def outcome_kind(outcome: Outcome) -> OutcomeKind:
    match outcome:
        case TokenGranted():
            return OutcomeKind.GRANTED
        case ShareTokenGranted():
            return OutcomeKind.SHARE_GRANTED
        case ApiError():
            return OutcomeKind.API_ERROR
        case NetworkError(kind=NetworkErrorKind.CANCELLED):
            return OutcomeKind.CANCELLED
        case NetworkError():
            return OutcomeKind.NETWORK_ERROR
        case UnexpectedResponse():
            return OutcomeKind.UNEXPECTED
        case NotSent():
            return OutcomeKind.NOT_SENT
    raise TypeError(f"not an outcome: {outcome!r}")


def iso_utc(moment: datetime) -> str:
    """`2025-01-31T12:00:00.123Z`: fixed width, so the text sorts in time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- Masking ---


def mask_tokens_in_text(text: str) -> str:
    """Mask every vendor token and JWT found in free text (error messages, HTML pages)."""
    return _TOKEN_IN_TEXT.sub(lambda match: mask_token(match.group(0)), text)


def _cut(text: str) -> str:
    """A string no longer than MAX_BODY_BYTES characters (a record holds 1,000 of these)."""
    if len(text) <= MAX_BODY_BYTES:
        return text
    return text[:MAX_BODY_BYTES] + f"… ({len(text):,} characters in all)"


def _bounded(value: Any) -> Any:
    """A copy of parsed JSON whose long strings are cut (e.g. a 5 MB field in a response)."""
    if isinstance(value, dict):
        return {k: _bounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v) for v in value]
    return _cut(value) if isinstance(value, str) else value


def _mask_json_value(
    value: Any, key: str | None = None, *, keys: frozenset[str] = TOKEN_KEYS
) -> Any:
    """A copy of parsed JSON with token values masked: by key (`keys`), and by shape anywhere.
    Long strings are cut first, so masking never scans megabytes."""
    if isinstance(value, dict):
        return {k: _mask_json_value(v, k, keys=keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_json_value(v, keys=keys) for v in value]
    if isinstance(value, str):
        return mask_token(value) if key in keys else mask_tokens_in_text(_cut(value))
    return value


def _token_values(value: Any, keys: frozenset[str], key: str | None = None) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_token_values(v, keys, k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(_token_values(v, keys) for v in value))
    if isinstance(value, str) and key in keys and value:
        return {value}
    return set()


def mask_body_text(text: str, *, keys: frozenset[str] = TOKEN_KEYS) -> str:
    """A body with its tokens masked, keeping the body's own layout where possible.

    A JSON body has the values under token keys replaced where they stand (so the record still
    shows the exact bytes otherwise); when a value can't be found verbatim (escaped, or too
    short to replace safely) the masked JSON is re-encoded instead. Then any token-shaped text
    left anywhere (a non-JSON body, an error message quoting a token) is masked too. `keys`
    are the JSON keys whose values are masked (a request's add `REQUEST_TOKEN_KEYS`).
    """
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return mask_tokens_in_text(text if len(text) <= 2 * MAX_BODY_BYTES else _cut(text))
    if len(text) > 2 * MAX_BODY_BYTES:
        # A huge body is stored cut anyway: mask its structure (cheap) rather than scanning
        # megabytes of text with every pattern.
        return json.dumps(_mask_json_value(parsed, keys=keys), ensure_ascii=False)
    values = sorted(_token_values(parsed, keys), key=len, reverse=True)
    if any(len(v) < _MIN_VERBATIM_LENGTH or v not in text for v in values):
        return json.dumps(_mask_json_value(parsed, keys=keys), ensure_ascii=False)
    for value in values:
        text = text.replace(value, mask_token(value))
    return mask_tokens_in_text(text)


def _body_record(
    body: bytes, text: str, *, full_tokens: bool, keys: frozenset[str] = TOKEN_KEYS
) -> dict[str, Any]:
    shown = text if full_tokens else mask_body_text(text, keys=keys)
    record: dict[str, Any] = {"body": shown, "body_bytes": len(body)}
    encoded = shown.encode("utf-8")
    if len(encoded) > MAX_BODY_BYTES:
        # Masked before cutting, so a token split by the cut can't escape the mask.
        record["body"] = encoded[:MAX_BODY_BYTES].decode("utf-8", errors="ignore")
        # Of the body's own size: the text masked may be a cut of it already (tryout AH:
        # "of 262,281 bytes" beside body_bytes 5,242,880).
        record["body_note"] = (
            f"truncated: the first {MAX_BODY_BYTES // 1024} KB of {len(body):,} bytes"
        )
    return record


def _headers_record(
    headers: tuple[tuple[str, str], ...], mask_text: Callable[[str], str]
) -> list[list[str]]:
    shown: list[list[str]] = []
    for name, value in headers:
        if name.lower() in _SECRET_HEADERS:
            value = mask_secret(value)
        shown.append([name, mask_text(value)])
    return shown


# --- The record ---


def exchange_to_dict(exchange: Exchange, *, full_tokens: bool = False) -> dict[str, Any]:
    """A JSON-ready record of `exchange`; tokens masked unless `full_tokens`."""

    def text(value: str) -> str:
        return value if full_tokens else mask_tokens_in_text(value)

    def token(value: str | None) -> str | None:
        return value if full_tokens or value is None else mask_token(value)

    def json_value(value: Any) -> Any:
        return _bounded(value) if full_tokens else _mask_json_value(value)

    timings = exchange.timings
    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "tokens": "full" if full_tokens else "masked",
        "endpoint": exchange.endpoint.value,
        "started_at": iso_utc(exchange.started_at),
        "received_at": iso_utc(exchange.received_at),
        "summary": text(exchange.summary()),
        "timings": {
            "total_ms": timings.total_ms,
            "connect_ms": timings.connect_ms,
            "tls_ms": timings.tls_ms,
            "first_byte_ms": timings.first_byte_ms,
        },
        "outcome": _outcome_record(exchange.outcome, text, token, json_value),
        "request": _request_record(exchange.request, text, full_tokens=full_tokens),
        "response": _response_record(exchange.response, text, full_tokens=full_tokens),
        "hint": (
            None
            if exchange.hint is None
            else {
                "kind": exchange.hint.kind.value,
                "title": text(exchange.hint.title),
                "advice": text(exchange.hint.advice),
            }
        ),
    }


def _request_record(
    request: SentRequest | None, text: Callable[[str], str], *, full_tokens: bool
) -> dict[str, Any] | None:
    if request is None:
        return None
    return {
        "method": request.method,
        "url": request.url,
        "headers": _headers_record(request.headers, text),
        "tls_verification": request.tls_verification,
        **_body_record(
            request.body, request.body_text, full_tokens=full_tokens, keys=REQUEST_TOKEN_KEYS
        ),
    }


def _response_record(
    response: ReceivedResponse | None, text: Callable[[str], str], *, full_tokens: bool
) -> dict[str, Any] | None:
    if response is None:
        return None
    record = {
        "status": response.status,
        "reason": response.reason,
        "http_version": response.http_version,
        "headers": _headers_record(response.headers, text),
        **_body_record(response.body, response.text, full_tokens=full_tokens),
    }
    if response.truncated:
        record["read_truncated"] = True  # the client itself stopped reading a runaway body
    return record


def _outcome_record(
    outcome: Outcome,
    text: Callable[[str], str],
    token: Callable[[str | None], str | None],
    json_value: Callable[[Any], Any],
) -> dict[str, Any]:
    kind = outcome_kind(outcome).value
    match outcome:
        case TokenGranted():
            return {
                "kind": kind,
                "access_token": token(outcome.access_token),
                "token_type": outcome.token_type,
                "expires_in": outcome.expires_in,
                "expires_at": iso_utc(outcome.expires_at),
                "refresh_token": token(outcome.refresh_token),
                "id_token": token(outcome.id_token),
                "other_fields": json_value(outcome.other_fields),
                "notes": [text(n) for n in outcome.notes],
            }
        case ShareTokenGranted():
            return {
                "kind": kind,
                "token": token(outcome.token),
                "for_client_id": outcome.for_client_id,
                "expires_at": iso_utc(outcome.expires_at),
                "other_fields": json_value(outcome.other_fields),
                "notes": [text(n) for n in outcome.notes],
            }
        case ApiError():
            return {
                "kind": kind,
                "status": outcome.status,
                "code": outcome.code,
                "correlation_id": outcome.correlation_id,
                "description": text(outcome.description),
                "error_code": outcome.error_code,
                "error_name": outcome.error_name,
                "other_fields": json_value(outcome.other_fields),
            }
        case NetworkError():
            return {"kind": kind, "error": outcome.kind.value, "message": text(outcome.message)}
        case UnexpectedResponse():
            return {
                "kind": kind,
                "status": outcome.status,
                "problems": [text(p) for p in outcome.problems],
            }
        case NotSent():
            return {"kind": kind, "reason": text(outcome.reason)}
    raise TypeError(f"not an outcome: {outcome!r}")


def record_to_json_text(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def save_exchange_json(
    exchange: Exchange,
    path: Path,
    *,
    full_tokens: bool = False,
    id_token_on_arrival: tuple[str, list[str]] | None = None,
    made_by: str = "",
) -> None:
    """Write the record to `path` atomically (owner-only permissions), with what the window
    knew of it beyond the wire: the id_token's verdict when it arrived (`(verdict, the checks
    that held it back)`) and who made the outcome when a drill staged it. A file attached to a
    ticket must not show a response whose id_token failed its checks as a clean grant, nor a
    staged fault as a real one (tryout Z)."""
    save_record_json(
        exchange_to_dict(exchange, full_tokens=full_tokens),
        path,
        id_token_on_arrival=id_token_on_arrival,
        made_by=made_by,
    )


def save_record_json(
    record: dict[str, Any],
    path: Path,
    *,
    id_token_on_arrival: tuple[str, list[str]] | None = None,
    made_by: str = "",
) -> None:
    """Write a record made already — `exchange_to_dict`'s, or one the history keeps (an
    exchange's or an authorize step's, masked as it was stored) — as `save_exchange_json`
    does: atomically, owner-only, with the id_token's verdict on arrival and who made it."""
    record = dict(record)  # the caller's stays as it was
    if id_token_on_arrival is not None:
        verdict, held_back = id_token_on_arrival
        record["id_token_on_arrival"] = {"verdict": verdict, "held_back": held_back}
    if made_by:
        record["made_by"] = made_by
    atomic_write_text(path, record_to_json_text(record))


def response_as_json_text(exchange: Exchange) -> str:
    """The response body for "Copy response as JSON": pretty-printed when it is JSON, else as is.

    Tokens are deliberately NOT masked here: the user asked for the response on their own
    clipboard, usually to paste a token somewhere, and a masked copy would be useless. Nothing
    is written to disk by this function.
    """
    if exchange.response is None:
        return ""
    body = exchange.response.text
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return json.dumps(parsed, indent=2, ensure_ascii=False)
