"""App-token request signing, as the vendor's authentication page describes it.

X-App-Access-Sig = lowercase hex HMAC-SHA256(secret key, ts + METHOD + path_with_query + body),
where the path includes the whole query string and the body is exactly the bytes sent.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from idconnect_tester import vendor


def signature(secret_key: str, ts: int, method: str, path_with_query: str, body: bytes) -> str:
    if not path_with_query.startswith("/"):
        raise ValueError("the signed path must start with '/'")
    message = f"{ts}{method.upper()}{path_with_query}".encode() + body
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(
    app_token: str,
    secret_key: str,
    method: str,
    path_with_query: str,
    body: bytes,
    *,
    clock: Callable[[], float] = time.time,
) -> dict[str, str]:
    """The three X-App headers for one request."""
    ts = int(clock())
    return {
        vendor.HEADER_APP_TOKEN: app_token,
        vendor.HEADER_ACCESS_TS: str(ts),
        vendor.HEADER_ACCESS_SIG: signature(secret_key, ts, method, path_with_query, body),
    }
