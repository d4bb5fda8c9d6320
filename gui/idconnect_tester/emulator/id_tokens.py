"""id_token claims per scope, and the drill variants (expired, bad signature, wrong at_hash,
alg none)."""

from __future__ import annotations

from idconnect_tester.emulator.jwt_keys import SigningKey, corrupt_signature, encode_unsigned
from idconnect_tester.emulator.tokens import Grant

MAX_ID_TOKEN_TTL_S = 3600  # an id_token proves a login; it needn't live as long as the access token
EXPIRED_BY_S = 3600 + 60  # "expired" drill: exp comfortably more than an hour in the past
# "wrong at_hash" drill: well-formed (16 bytes, base64url) and the hash of no access token.
WRONG_AT_HASH = "AAAAAAAAAAAAAAAAAAAAAA"


def id_token_claims(
    *, issuer: str, grant: Grant, scopes: tuple[str, ...], now: float, ttl_s: int, expired: bool
) -> dict[str, object]:
    lifetime = min(ttl_s, MAX_ID_TOKEN_TTL_S)
    iat = int(now)
    exp = iat + lifetime
    if expired:
        exp = iat - EXPIRED_BY_S
        iat = exp - lifetime
    user = grant.user
    claims: dict[str, object] = {
        "iss": issuer,
        "sub": user.subject,
        "aud": grant.client_id,
        "exp": exp,
        "iat": iat,
        "auth_time": min(grant.auth_time, iat),
    }
    if grant.nonce is not None:
        claims["nonce"] = grant.nonce
    if "name" in scopes:
        claims.update(given_name=user.given_name, family_name=user.family_name, name=user.name)
    if "email" in scopes:
        claims.update(email=user.email, email_verified=True)
    if "profile" in scopes:
        claims["created_at"] = user.created_at
    return claims


def mint_id_token(
    keys: SigningKey,
    *,
    issuer: str,
    grant: Grant,
    scopes: tuple[str, ...],
    now: float,
    ttl_s: int,
    fault: str | None,
) -> str:
    """An RS256 id_token, or the variant the armed ``*_id_token`` drill asks for."""
    claims = id_token_claims(
        issuer=issuer,
        grant=grant,
        scopes=scopes,
        now=now,
        ttl_s=ttl_s,
        expired=fault == "expired_id_token",
    )
    if fault == "wrong_at_hash_id_token":
        claims["at_hash"] = WRONG_AT_HASH
    if fault == "alg_none_id_token":
        return encode_unsigned(claims)
    token = keys.sign_rs256(claims)
    if fault == "bad_signature_id_token":
        return corrupt_signature(token)
    return token
