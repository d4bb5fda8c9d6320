"""Whether a public key (a JWK) may verify a token signed with a given algorithm.

A signature that verifies under the wrong kind of key proves little: an ES256 signature checked
with a P-384 key, an RSA key too short to resist factoring, a key its owner published for
encryption only. Each rule cites the standard that makes it; `key_problem` says the first one a
key breaks, in a sentence, or None when the key fits.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Final

MIN_RSA_BITS: Final = 2048  # RFC 7518 §3.3 (RS*) and §3.5 (PS*): 2048 bits or larger MUST be used
_KEY_TYPE_FOR_ALG_PREFIX: Final = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
_CURVE_FOR_ALG: Final = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}  # RFC 7518 §3.4
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]+")
# RFC 7518 §6.3.2 (RSA) and §6.2.2 (EC): the members only a private key has.
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


def _rsa_modulus_bits(n: Any) -> int | None:
    """Bit length of the JWK's `n` (base64url of the big-endian modulus), or None if unreadable."""
    if not isinstance(n, str) or not _BASE64URL.fullmatch(n) or len(n) % 4 == 1:
        return None
    return int.from_bytes(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)), "big").bit_length()


def public_part(jwk: dict[str, Any]) -> dict[str, Any]:
    """The JWK without the members only a private key has."""
    return {name: value for name, value in jwk.items() if name not in _PRIVATE_MEMBERS}


def rsa_signature_size(jwk: dict[str, Any]) -> int | None:
    """The length in octets of every signature an RSA key makes (its modulus's), or None."""
    bits = _rsa_modulus_bits(jwk.get("n")) if jwk.get("kty") == "RSA" else None
    return (bits + 7) // 8 if bits else None


def key_problem(jwk: dict[str, Any], alg: str) -> str | None:
    """Why this key must not verify an `alg` signature, or None if it may."""
    private = sorted(_PRIVATE_MEMBERS & jwk.keys())
    if private:
        return (
            f"The key is a private key (it has {', '.join(private)}): whoever holds the key set "
            "can sign any token with it, so a signature proves nothing (RFC 7517 §9.2)"
        )
    kty = jwk.get("kty")
    wanted_kty = _KEY_TYPE_FOR_ALG_PREFIX.get(alg[:2])
    if wanted_kty is None:
        return f"{alg} is not an algorithm this app verifies with a public key"
    if kty != wanted_kty:
        return f"The key is {kty!r} but {alg} needs an {wanted_kty} key (RFC 7518 §3.1)"
    if kty == "EC" and jwk.get("crv") != _CURVE_FOR_ALG.get(alg):
        return (
            f"The key's curve is {jwk.get('crv')!r} but {alg} is ECDSA on "
            f"{_CURVE_FOR_ALG.get(alg, 'another curve')} (RFC 7518 §3.4)"
        )
    use = jwk.get("use")
    if use is not None and use != "sig":
        return f"The key is published for use {use!r}, not for signatures (RFC 7517 §4.2)"
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return f"The key's key_ops {key_ops!r} do not include verify (RFC 7517 §4.3)"
    key_alg = jwk.get("alg")
    if key_alg is not None and key_alg != alg:
        return f"The key is for {key_alg}, the token says {alg} (RFC 7517 §4.4)"
    if kty == "RSA":
        bits = _rsa_modulus_bits(jwk.get("n"))
        if bits is None:
            return "The key's modulus n is not base64url"
        if bits < MIN_RSA_BITS:
            return (
                f"The RSA key has {bits} bits; {alg} needs {MIN_RSA_BITS} or more (RFC 7518 §3.3)"
            )
    return None


def describe_key(jwk: dict[str, Any]) -> str:
    """`RSA 2048-bit` or `EC P-256`: what kind of key verified, for the row's explanation."""
    if jwk.get("kty") == "RSA":
        bits = _rsa_modulus_bits(jwk.get("n"))
        return f"RSA {bits}-bit" if bits else "RSA"
    return f"{jwk.get('kty')} {jwk.get('crv', '')}".strip()
