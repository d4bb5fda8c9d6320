"""The instance's RSA signing key, its JWKS, and compact JWT encoding (RS256 or unsigned).

The JWT encoding is a few lines written here rather than PyJWT: the client verifies id_tokens with
PyJWT, and the emulator must not share that code path with what it is testing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE wants it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _json_segment(obj: dict[str, object]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class _LoadedKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    jwk: dict[str, str]


class SigningKey:
    """One RSA-2048 key per emulator instance, generated lazily and only once.

    Generating a key takes tens to hundreds of milliseconds, so starting the server doesn't wait
    for it: ``warm_up_in_background`` starts it early and the first JWKS or id_token waits for it
    under the lock if it isn't ready yet.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: _LoadedKey | None = None

    @property
    def ready(self) -> bool:
        return self._loaded is not None

    def warm_up_in_background(self) -> None:
        threading.Thread(target=self._load, name="emulator-rsa-keygen", daemon=True).start()

    def _load(self) -> _LoadedKey:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                # cryptography loads here, in the key's own thread: starting the emulator (the
                # app's first target) doesn't wait for it.
                from cryptography.hazmat.primitives.asymmetric import rsa

                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                numbers = key.public_key().public_numbers()
                n, e = _uint_b64url(numbers.n), _uint_b64url(numbers.e)
                # RFC 7638 thumbprint: stable for the key, and short enough to read in a log.
                canonical = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"))
                kid = b64url(hashlib.sha256(canonical.encode("ascii")).digest())[:16]
                jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e}
                self._loaded = _LoadedKey(key, kid, jwk)
            return self._loaded

    @property
    def kid(self) -> str:
        return self._load().kid

    def jwks(self) -> dict[str, object]:
        return {"keys": [dict(self._load().jwk)]}

    def sign_rs256(self, claims: dict[str, object]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        loaded = self._load()
        header: dict[str, object] = {"alg": "RS256", "typ": "JWT", "kid": loaded.kid}
        signing_input = _json_segment(header) + "." + _json_segment(claims)
        signature = loaded.private_key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return signing_input + "." + b64url(signature)


def encode_unsigned(claims: dict[str, object]) -> str:
    """An ``alg: none`` JWT: what a client must refuse however valid the claims look."""
    return _json_segment({"alg": "none", "typ": "JWT"}) + "." + _json_segment(claims) + "."


def corrupt_signature(token: str) -> str:
    """Flip bits in the signature while keeping it valid base64url of the same length."""
    head, _, signature = token.rpartition(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0xFF
    raw[-1] ^= 0x01
    return head + "." + b64url(bytes(raw))
