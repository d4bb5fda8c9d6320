"""Reads a signed request's body as a JSON object, and its fields with their types checked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from idconnect_tester.emulator.errors import ApiError, bad_request

JsonObject = Mapping[str, Any]


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259), even though Python's reader takes them.
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            # Which value would the server use? Refusing is the only answer a client can't misread.
            raise ValueError(f"duplicate field '{key}'")
        result[key] = value
    return result


def check_json_content_type(content_type: str | None) -> None:
    media_type, _, params = (content_type or "").partition(";")
    if media_type.strip().lower() != "application/json":
        shown = content_type if content_type else "none"
        raise bad_request(f"Content-Type must be application/json, got {shown}")
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise bad_request("JSON bodies must be UTF-8 (charset=utf-8)")


def parse_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or 400 saying what is wrong with it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"Request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and int strings over Python's digit limit;
        # RecursionError covers absurd nesting.
        reason = str(exc)[:200] if isinstance(exc, ValueError) else "nested too deeply"
        raise bad_request(f"Request body is not valid JSON: {reason}") from None
    if not isinstance(value, dict):
        raise bad_request(f"Request body must be a JSON object, got {_json_type(value)}")
    return value


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def wrong_type(field: str, expected: str, value: object) -> ApiError:
    return bad_request(f"'{field}' must be {expected}, got {_json_type(value)}")


def optional_string(body: JsonObject, field: str) -> str | None:
    """The field's string value; None when absent; 400 for any other type (null included)."""
    if field not in body:
        return None
    value = body[field]
    if not isinstance(value, str):
        raise wrong_type(field, "a string", value)
    return value


def required_string(body: JsonObject, field: str) -> str:
    """A present, non-empty string, or 400 naming the field."""
    value = optional_string(body, field)
    if value is None:
        raise bad_request(f"'{field}' must be provided")
    if not value:
        raise bad_request(f"'{field}' must not be empty")
    return value
