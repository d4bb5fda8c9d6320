"""Response bytes → one typed outcome. Never raises, whatever the bytes (tests prove it with
Hypothesis): every oddity becomes a sentence in an `UnexpectedResponse` or a note."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, Final

from idconnect_tester import vendor
from idconnect_tester.core.exchange import (
    ApiError,
    Outcome,
    ShareTokenGranted,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.visible_text import shown_value

# Anything beyond a century is nonsense and would overflow datetime arithmetic.
MAX_PLAUSIBLE_LIFETIME_S: Final = 100 * 365 * 86_400
_TITLE: Final = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_ERROR_SHAPE_KEYS: Final = frozenset({"code", "correlationId", "description", "errorCode"})


def _type_name(value: Any) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int():
            return "an integer"
        case float():
            return "a number"
        case str():
            return "a string"
        case list():
            return "an array"
        case dict():
            return "an object"
    return type(value).__name__


def _preview(value: Any, limit: int = 40) -> str:
    """A short rendering of a JSON value as the answer spells it — `"86400"`, `true`, `null`,
    not Python's `'86400'`, `True`, `None` — with hidden characters as escapes. A long string is
    cut before it is rendered (a container is as deep as the JSON reader let it be)."""
    text = shown_value(value[: limit + 1] if isinstance(value, str) else value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body.lstrip()[:64].lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<"))


def _not_json_problem(body: bytes, content_type: str) -> str | None:
    """Why the body can't be read as JSON at all, or None when it can be tried."""
    if not body.strip():
        return "The body is empty"
    if _looks_like_html(body, content_type):
        match = _TITLE.search(body[:65_536])
        title = match.group(1).decode("utf-8", errors="replace").strip() if match else ""
        return (
            "The body is an HTML page"
            + (f" titled {title[:80]!r}" if title else "")
            + (", not JSON (a proxy, gateway or web page answered)")
        )
    return None


def decode_json_object(body: bytes, content_type: str = "") -> tuple[dict[str, Any] | None, str]:
    """(object, "") on success, else (None, a sentence saying what is wrong)."""
    if (problem := _not_json_problem(body, content_type)) is not None:
        return None, problem
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"The body is not UTF-8 text (byte {exc.start} is invalid)"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        # json's messages may end in "at" ("Unterminated string starting at"): the place follows.
        what = exc.msg.removesuffix(" at")
        return None, f"The body is not valid JSON: {what} (line {exc.lineno}, column {exc.colno})"
    except (ValueError, RecursionError) as exc:  # e.g. a 5,000-digit number, absurd nesting
        return None, f"The body is not usable JSON: {type(exc).__name__}: {str(exc)[:120]}"
    if not isinstance(value, dict):
        return None, f"The body is {_type_name(value)}, not a JSON object"
    return value, ""


def _string_field(
    data: dict[str, Any], key: str, problems: list[str], *, required: bool
) -> str | None:
    if key not in data or (data[key] is None and not required):
        if required:
            problems.append(f"{key} is missing")
        return None
    value = data[key]
    if not isinstance(value, str):
        problems.append(f"{key} is {_type_name(value)} ({_preview(value)}), expected a string")
        return None
    if required and not value:
        problems.append(f"{key} is an empty string")
        return None
    return value


def _lifetime_field(data: dict[str, Any], key: str, problems: list[str]) -> int | None:
    if key not in data:
        problems.append(f"{key} is missing")
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{key} is {_type_name(value)} ({_preview(value)}), expected an integer")
        return None
    if value < 0:
        problems.append(f"{key} is negative ({value})")
        return None
    if value > MAX_PLAUSIBLE_LIFETIME_S:
        problems.append(f"{key} is implausibly large ({_preview(value)} seconds)")
        return None
    return value


def _error_hint_in_success(data: dict[str, Any]) -> list[str]:
    if _ERROR_SHAPE_KEYS & data.keys() and "description" in data:
        return [f"It looks like an error: {_preview(data.get('description'), 120)}"]
    return []


def _success_object(status: int, body: bytes, content_type: str) -> dict[str, Any] | Outcome:
    """The JSON object of a 2xx answer, or the outcome to report instead (an API error for a
    non-2xx status, an unexpected response for a body that isn't a JSON object)."""
    if not 200 <= status < 300:
        return parse_error_response(status, body, content_type)
    data, problem = decode_json_object(body, content_type)
    return UnexpectedResponse(status, (problem,)) if data is None else data


# Three tokens and their lifetimes take a few KB; an answer many times that size is worth a
# word even when it holds what a token response must.
UNUSUAL_ANSWER_BYTES: Final = 64 * 1024


def parse_token_response(
    status: int, body: bytes, content_type: str, received_at: datetime
) -> Outcome:
    data = _success_object(status, body, content_type)
    if not isinstance(data, dict):
        return data
    problems: list[str] = []
    access_token = _string_field(data, "access_token", problems, required=True)
    token_type = _string_field(data, "token_type", problems, required=True)
    expires_in = _lifetime_field(data, "expires_in", problems)
    refresh_token = _string_field(data, "refresh_token", problems, required=False)
    id_token = _string_field(data, "id_token", problems, required=False)
    if problems or access_token is None or token_type is None or expires_in is None:
        return UnexpectedResponse(status, (*problems, *_error_hint_in_success(data)))
    notes: list[str] = []
    if len(body) > UNUSUAL_ANSWER_BYTES:
        notes.append(
            f"The answer is {len(body):,} bytes: a token response is a few KB — see what else "
            "it carried below"
        )
    if token_type.lower() != "bearer":
        notes.append(f"token_type is {token_type!r}; Sumsub documents it as always Bearer")
    if not access_token.startswith(vendor.ACCESS_TOKEN_PREFIX):
        notes.append(f"access_token does not start with {vendor.ACCESS_TOKEN_PREFIX}")
    known = {"access_token", "token_type", "expires_in", "refresh_token", "id_token"}
    return TokenGranted(
        access_token=access_token,
        token_type=token_type,
        expires_in=expires_in,
        expires_at=expiry(received_at, expires_in),
        refresh_token=refresh_token or None,
        id_token=id_token or None,
        other_fields={k: v for k, v in data.items() if k not in known},
        notes=tuple(notes),
    )


def counted_from(received_at: datetime) -> datetime:
    """Where the lifetime of a token granted in an answer received at `received_at` starts:
    the whole second the answer came in. The server issued it before then, and an id_token
    beside it gives its `exp` in whole seconds; counted from the fraction, the two countdowns
    of one sign-in ticked apart ("28" beside "27" — tryout AI)."""
    return received_at.replace(microsecond=0)


def expiry(received_at: datetime, lifetime_s: float) -> datetime:
    """When a token that an answer received at `received_at` granted for `lifetime_s` expires."""
    return counted_from(received_at) + timedelta(seconds=lifetime_s)


def parse_share_token_response(
    status: int, body: bytes, content_type: str, received_at: datetime, requested_ttl_s: int
) -> Outcome:
    data = _success_object(status, body, content_type)
    if not isinstance(data, dict):
        return data
    problems: list[str] = []
    token = _string_field(data, "token", problems, required=True)
    for_client_id = _string_field(data, "forClientId", problems, required=False)
    if problems or token is None:
        return UnexpectedResponse(status, (*problems, *_error_hint_in_success(data)))
    ttl = min(max(requested_ttl_s, 0), MAX_PLAUSIBLE_LIFETIME_S)
    return ShareTokenGranted(
        token=token,
        for_client_id=for_client_id or "",
        expires_at=expiry(received_at, ttl),
        other_fields={k: v for k, v in data.items() if k not in {"token", "forClientId"}},
    )


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_error_response(status: int, body: bytes, content_type: str) -> Outcome:
    """A non-2xx answer: Sumsub's error shape when it is one, else what was wrong."""
    if 300 <= status < 400 or status < 200:
        return UnexpectedResponse(
            status, (f"HTTP {status}: a redirect or interim answer instead of a JSON response",)
        )
    data, problem = decode_json_object(body, content_type)
    if data is None:
        return UnexpectedResponse(
            status, (f"HTTP {status} without Sumsub's JSON error body. {problem}",)
        )
    if not _ERROR_SHAPE_KEYS & data.keys():
        keys = ", ".join(sorted(data)[:8]) or "no fields"
        return UnexpectedResponse(
            status,
            (f"HTTP {status} with a JSON object that is not Sumsub's error shape ({keys})",),
        )
    description = data.get("description")
    error_name = data.get("errorName")
    correlation_id = data.get("correlationId")
    known = {"code", "correlationId", "description", "errorCode", "errorName"}
    return ApiError(
        status=status,
        description=description if isinstance(description, str) else _preview(description, 200),
        code=_optional_int(data.get("code")),
        correlation_id=correlation_id if isinstance(correlation_id, str) else None,
        error_code=_optional_int(data.get("errorCode")),
        error_name=error_name if isinstance(error_name, str) else None,
        other_fields={k: v for k, v in data.items() if k not in known},
    )
