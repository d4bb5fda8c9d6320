"""A saved exchange record (history, a saved JSON file) back into an `Exchange`, so the panels
can show it read-only exactly as they show a live one.

Records come from disk and may be old, hand-edited or damaged: every field is checked, and a
record that can't be read gives a `RecordError` with a sentence, never a crash. Tokens in a
masked record stay masked — a history view shows what was stored, nothing more.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    Hint,
    HintKind,
    NetworkError,
    NetworkErrorKind,
    NotSent,
    Outcome,
    ReceivedResponse,
    SentRequest,
    ShareTokenGranted,
    Timings,
    TokenGranted,
    UnexpectedResponse,
)


class RecordError(ValueError):
    """The record can't be shown; the message says why."""


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{what} is missing or not an object")
    return value


def text_field(data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise RecordError(f"{key} is missing or not text")
    return value


def optional_text_field(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{key} is missing or not a whole number")
    return value


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_float(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def time_field(data: dict[str, Any], key: str) -> datetime:
    text = text_field(data, key)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RecordError(f"{key} is not a time: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (str(pair[0]), str(pair[1])) for pair in value if isinstance(pair, list) and len(pair) == 2
    )


def _body(data: dict[str, Any]) -> bytes:
    return text_field(data, "body", "").encode("utf-8")


def _request(value: Any) -> SentRequest | None:
    if value is None:
        return None
    data = _object(value, "the request")
    return SentRequest(
        method=text_field(data, "method", "POST"),
        url=text_field(data, "url"),
        headers=_headers(data.get("headers")),
        body=_body(data),
        tls_verification=text_field(data, "tls_verification", "unknown"),
    )


def _response(value: Any) -> ReceivedResponse | None:
    if value is None:
        return None
    data = _object(value, "the response")
    return ReceivedResponse(
        status=_int(data, "status"),
        reason=text_field(data, "reason", ""),
        http_version=text_field(data, "http_version", "HTTP/1.1"),
        headers=_headers(data.get("headers")),
        body=_body(data),
        truncated=bool(data.get("read_truncated", False)),
    )


def _outcome(value: Any) -> Outcome:
    data = _object(value, "the outcome")
    kind = data.get("kind")
    others = data.get("other_fields")
    other_fields = others if isinstance(others, dict) else {}
    notes = tuple(str(n) for n in data.get("notes", []) if isinstance(n, str))
    match kind:
        case "granted":
            return TokenGranted(
                access_token=text_field(data, "access_token"),
                token_type=text_field(data, "token_type", ""),
                expires_in=_int(data, "expires_in"),
                expires_at=time_field(data, "expires_at"),
                refresh_token=optional_text_field(data, "refresh_token"),
                id_token=optional_text_field(data, "id_token"),
                other_fields=other_fields,
                notes=notes,
            )
        case "share_granted":
            return ShareTokenGranted(
                token=text_field(data, "token"),
                for_client_id=text_field(data, "for_client_id", ""),
                expires_at=time_field(data, "expires_at"),
                other_fields=other_fields,
                notes=notes,
            )
        case "api_error":
            return ApiError(
                status=_int(data, "status"),
                description=text_field(data, "description", ""),
                code=_optional_int(data, "code"),
                correlation_id=optional_text_field(data, "correlation_id"),
                error_code=_optional_int(data, "error_code"),
                error_name=optional_text_field(data, "error_name"),
                other_fields=other_fields,
            )
        case "network_error" | "cancelled":
            try:
                network_kind = NetworkErrorKind(text_field(data, "error"))
            except ValueError:
                network_kind = NetworkErrorKind.OTHER
            return NetworkError(network_kind, text_field(data, "message", ""))
        case "unexpected":
            problems = data.get("problems")
            listed = [str(p) for p in problems] if isinstance(problems, list) else []
            return UnexpectedResponse(_int(data, "status"), tuple(listed))
        case "not_sent":
            return NotSent(text_field(data, "reason", ""))
    raise RecordError(f"unknown outcome kind {kind!r}")


def _hint(data: dict[str, Any]) -> Hint:
    """A recorded hint; one saved before hints had kinds (or of a kind this version no longer
    has) keeps its words and is of kind UNKNOWN."""
    try:
        kind = HintKind(str(data.get("kind")))
    except ValueError:
        kind = HintKind.UNKNOWN
    return Hint(kind, str(data.get("title", "")), str(data.get("advice", "")))


def exchange_from_record(record: Any) -> Exchange:
    """The `Exchange` a record describes. Raises `RecordError` when it can't be read."""
    data = _object(record, "the record")
    try:
        endpoint = Endpoint(text_field(data, "endpoint"))
    except ValueError as exc:
        raise RecordError(f"unknown endpoint {data.get('endpoint')!r}") from exc
    timings = data.get("timings") if isinstance(data.get("timings"), dict) else {}
    assert isinstance(timings, dict)
    hint_data = data.get("hint")
    hint = _hint(hint_data) if isinstance(hint_data, dict) else None
    return Exchange(
        endpoint=endpoint,
        request=_request(data.get("request")),
        response=_response(data.get("response")),
        outcome=_outcome(data.get("outcome")),
        timings=Timings(
            total_ms=_optional_float(timings, "total_ms") or 0.0,
            connect_ms=_optional_float(timings, "connect_ms"),
            tls_ms=_optional_float(timings, "tls_ms"),
            first_byte_ms=_optional_float(timings, "first_byte_ms"),
        ),
        started_at=time_field(data, "started_at"),
        received_at=time_field(data, "received_at"),
        hint=hint,
    )
