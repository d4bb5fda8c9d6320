"""What a handler answers: a plain value the HTTP layer writes (or, for drills, refuses to)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from idconnect_tester.emulator.errors import ApiError, new_correlation_id

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    close: bool = False  # answer, then close the connection (framing can't be trusted any more)
    reset: bool = False  # drill: abort the connection with a TCP RST and send nothing
    facts: tuple[tuple[str, str], ...] = field(default=())  # extra key=value pairs for the log


def json_response(
    status: int,
    payload: object,
    *,
    headers: tuple[tuple[str, str], ...] = (),
    facts: tuple[tuple[str, str], ...] = (),
) -> Response:
    # ensure_ascii keeps the body ASCII, so lone surrogates echoed from a request can't break it.
    body = json.dumps(payload).encode("ascii")
    return Response(status, body, headers=headers, facts=facts)


def error_response(error: ApiError, *, close: bool = False) -> Response:
    correlation_id = new_correlation_id()
    body = json.dumps(error.payload(correlation_id)).encode("ascii")
    return Response(
        error.status,
        body,
        headers=error.headers,
        close=close,
        facts=(("cid", correlation_id),),
    )
