"""Checks a signed request: headers, app token, timestamp window, HMAC, enabled client.

Written independently of the client's signing code on purpose: if both shared one implementation,
a bug in it would sign and verify the same wrong bytes and every test would still pass.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

from idconnect_tester import vendor
from idconnect_tester.emulator.config import EmulatorConfig
from idconnect_tester.emulator.errors import ApiError, unauthorized

_TIMESTAMP = re.compile(r"[0-9]{1,15}")  # ASCII digits only: int() would also take "١٢" or "+1"
_SIGNATURE = re.compile(r"[0-9a-f]{64}")  # the doc says lowercase hex; accept nothing looser
_SIGNED_HEADERS = (vendor.HEADER_APP_TOKEN, vendor.HEADER_ACCESS_TS, vendor.HEADER_ACCESS_SIG)


@dataclass(frozen=True)
class Caller:
    """Who signed the request: the client behind the app token."""

    app_token: str
    client_id: str

    @property
    def sandbox(self) -> bool:
        return self.app_token.startswith(vendor.SANDBOX_TOKEN_PREFIX)


def request_expired(description: str) -> ApiError:
    return ApiError(
        401,
        description,
        error_code=vendor.ERROR_CODE_REQUEST_EXPIRED,
        error_name=vendor.ERROR_NAME_REQUEST_EXPIRED,
    )


def signature_mismatch() -> ApiError:
    return ApiError(
        401,
        vendor.ERROR_SIGNATURE_MISMATCH,
        error_code=vendor.ERROR_CODE_SIGNATURE_MISMATCH,
        error_name=vendor.ERROR_NAME_SIGNATURE_MISMATCH,
    )


def expected_signature(secret_key: str, ts: str, method: str, target: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 over ts + METHOD + path_with_query + body."""
    # The HTTP layer decodes the request line and headers as latin-1, so encoding back to latin-1
    # recovers exactly the bytes that were on the wire.
    message = ts.encode("latin-1") + method.encode("latin-1") + target.encode("latin-1") + body
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def authenticate(
    headers: Message,
    method: str,
    target: str,
    body: bytes,
    config: EmulatorConfig,
    clock: Callable[[], float],
) -> Caller:
    """Return the caller, or raise the ApiError the real service would answer, in its order."""
    values: dict[str, str] = {}
    missing: list[str] = []
    for name in _SIGNED_HEADERS:
        found = headers.get_all(name) or []
        if len(found) > 1:
            # Two different values can't both have been signed; refuse rather than pick one.
            raise unauthorized(f"Header {name} must be sent once, got {len(found)}")
        if not found or not found[0].strip():
            missing.append(name)
        else:
            values[name] = found[0].strip()
    if missing:
        raise unauthorized("Missing required header(s): " + ", ".join(missing))

    app_token = values[vendor.HEADER_APP_TOKEN]
    known = {config.app_token: config.client_id, config.disabled_app_token: ""}
    if app_token not in known:
        raise unauthorized("Invalid app token")

    ts = values[vendor.HEADER_ACCESS_TS]
    if not _TIMESTAMP.fullmatch(ts):
        raise unauthorized(f"{vendor.HEADER_ACCESS_TS} must be integer seconds since the epoch")
    skew = int(ts) - clock()
    if abs(skew) > vendor.SIGNATURE_MAX_SKEW_S:
        direction = "ahead of" if skew > 0 else "behind"
        raise request_expired(
            f"Request timestamp is {abs(skew):.0f} s {direction} the server clock "
            f"(allowed: {vendor.SIGNATURE_MAX_SKEW_S} s)"
        )

    given = values[vendor.HEADER_ACCESS_SIG]
    wanted = expected_signature(config.secret_key, ts, method, target, body)
    # compare_digest only after the format check: both sides are then ASCII of equal length.
    if not _SIGNATURE.fullmatch(given) or not hmac.compare_digest(given, wanted):
        raise signature_mismatch()

    if app_token == config.disabled_app_token:
        raise ApiError(404, vendor.ERROR_INVALID_CLIENT_ID_PREFIX + config.disabled_client_id)
    return Caller(app_token=app_token, client_id=config.client_id)


@dataclass
class SignedRequest:
    """A signed request that passed authentication, with its body already parsed."""

    caller: Caller
    body: dict[str, object]
    notes: dict[str, str]  # facts for the request's log line (already masked)
