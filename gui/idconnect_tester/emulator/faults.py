"""The answers of the ``response`` drills, which replace a signed endpoint's normal answer."""

from __future__ import annotations

import json
import secrets
import uuid

from idconnect_tester import vendor
from idconnect_tester.emulator.auth import request_expired
from idconnect_tester.emulator.errors import ApiError
from idconnect_tester.emulator.responses import Response, error_response, json_response
from idconnect_tester.emulator.scenarios import ActiveScenario

# Markup a rich-text label would render: a green "success", a link, a file loaded.
MARKUP_DESCRIPTION = (
    '<span style="color:#080;font-size:20pt">&#10004; 200 OK — granted</span><br>'
    '<a href="https://example.invalid/">Re-enter your secret key here</a>'
    '<img src="file:///etc/hostname">'
)
MARKUP_ERROR_NAME = "<i>no-error</i>"

_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _fake_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(48)


def _plausible_body(path: str) -> dict[str, object]:
    """A well-formed success body for the endpoint; its tokens are not registered anywhere."""
    if path == vendor.SHARE_TOKEN_PATH:
        return {"token": f"_act-sbx-{uuid.uuid4()}", "forClientId": "emulator-drill"}
    return {
        "access_token": _fake_token(vendor.ACCESS_TOKEN_PREFIX),
        "token_type": "Bearer",
        "expires_in": 86400,
    }


def fault_response(drill: ActiveScenario, path: str) -> Response:
    facts = (("drill", drill.name),)
    name = drill.name
    if name == "server_error_html":
        return Response(502, _GATEWAY_PAGE, content_type="text/html", facts=facts)
    if name == "malformed_json":
        whole = json.dumps(_plausible_body(path)).encode("ascii")
        return Response(200, whole[: len(whole) // 2], facts=facts)  # cut mid-value
    if name == "wrong_types":
        if path == vendor.SHARE_TOKEN_PATH:
            return json_response(200, {"token": 12345, "forClientId": None}, facts=facts)
        # No access_token at all, and the two typed fields with the wrong JSON types.
        return json_response(200, {"token_type": 1, "expires_in": "86400"}, facts=facts)
    if name == "connection_reset":
        return Response(0, reset=True, facts=facts)
    if name == "huge_body":
        size = int(drill.number("size_mb") * 1024 * 1024)
        head = json.dumps(_plausible_body(path)).encode("ascii")[:-1]  # drop the closing brace
        padding = b"x" * max(0, size - len(head) - 16)
        return Response(200, head + b', "padding": "' + padding + b'"}', facts=facts)
    if name == "clock_skew":
        error = request_expired(
            "Request timestamp is too far from the server clock "
            f"(allowed: {vendor.SIGNATURE_MAX_SKEW_S} s)"
        )
    elif name == "rate_limited":
        retry_after = str(int(drill.number("retry_after_s")))
        error = ApiError(429, "Too many requests", headers=(("Retry-After", retry_after),))
    elif name == "revoked_token":
        error = ApiError(403, "Token has been revoked")
    elif name == "markup_in_error":
        error = ApiError(400, MARKUP_DESCRIPTION, error_code=4000, error_name=MARKUP_ERROR_NAME)
    else:  # a scenario listed as a `response` drill but not handled above: a bug, fail loudly
        raise AssertionError(f"unhandled drill {name}")
    answer = error_response(error)
    return Response(
        answer.status,
        answer.body,
        headers=answer.headers,
        facts=answer.facts + facts,
    )
