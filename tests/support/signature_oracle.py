"""The vendor's request signature, written from its documentation page and nothing of the app's:
what the app's signing and the emulator's checking are compared with."""

from __future__ import annotations

import hashlib
import hmac


def vendor_signature(secret: str, ts: str, method: str, target: str, body: bytes) -> str:
    """HMAC-SHA256, keyed with the secret, over ts + METHOD + path (with query) + body, hex."""
    message = ts.encode() + method.encode() + target.encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
