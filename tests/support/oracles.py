"""An independent verdict on an id_token (and the app's, to compare), from libraries that share
no code with the app or with PyJWT (the app's second opinion): jwcrypto for the signature
(algorithm allowlist, `crit`, the key's type, curve, `use` and `key_ops`), authlib's OpenID
Connect `CodeIDToken` for the claims (OIDC Core §3.1.3.7: iss, sub, aud, azp, exp, iat, nbf,
nonce, at_hash), and joserfc — authlib's JOSE layer — for base64url without padding and with
zero unused bits.

Two rules they don't apply, so the oracle does. RFC 4648 §3.3 says a decoder MUST reject
characters outside the alphabet, and RFC 7515 §2 doesn't say otherwise — but jwcrypto and
joserfc both hand segments to Python's lenient base64 decoder, which skips them (`sig!!!!`
verifies like `sig`): the oracle checks the alphabet itself, in one regular expression. And OIDC
Core §3.1.3.7 item 3 says to reject an id_token with audiences the client doesn't trust; the
client here trusts none but itself, and authlib accepts others when `azp` names the client.
authlib also tests some claims for truth rather than presence (`"azp": ""`, `"auth_time": null`
pass unread, `"auth_time": true` as a number): the oracle reads those two itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from authlib.oidc.core import CodeIDToken, HybridIDToken, ImplicitIDToken
from joserfc import jws as joserfc_jws
from joserfc.jws import JWSRegistry
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from idconnect_tester.core.id_token_checks import Verification, verify_id_token
from idconnect_tester.core.jwks import build_context


@dataclass(frozen=True)
class Expectations:
    """What the token is checked against, the same for the app and the oracle."""

    issuer: str
    client_id: str
    nonce: str | None
    access_token: str | None
    now: int
    leeway_s: int = 60
    # The parameters beside the id_token when it came in a redirect (implicit or hybrid flow):
    # the app and authlib then hold it to those flows' rules (nonce, at_hash, c_hash).
    authorization_response: Mapping[str, str] | None = None


@dataclass(frozen=True)
class OracleVerdict:
    accepted: bool
    reason: str  # which library refused, and why ("" when accepted)
    claims: dict[str, Any] | None = None  # the verified claims, when the signature checked


_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _key_set(jwks: dict[str, Any]) -> Any:
    """The JWKS as jwcrypto's key set. A key jwcrypto can't import is left out, as the app
    leaves it unusable: a JWKS with one broken key still verifies with the others."""
    keys = jwcrypto_jwk.JWKSet()
    for entry in jwks.get("keys", []):
        try:
            keys.add(jwcrypto_jwk.JWK(**entry))
        except Exception:  # noqa: S112 - any refusal means "this key can't verify"
            continue
    return keys


def _joserfc_registry() -> JWSRegistry:
    """joserfc's rules for a compact JWS, without its size limit on the header: 512 bytes by
    default, which no standard sets — a header that carries a JWK or a certificate chain (OIDC
    Core §2 advises against it, RFC 7515 allows it) is longer, and the oracle refused it for
    its length alone."""
    registry = JWSRegistry()
    registry.max_header_length = 64 * 1024
    return registry


def _refusal(library: str, exc: BaseException) -> OracleVerdict:
    return OracleVerdict(False, f"{library}: {type(exc).__name__}: {exc}"[:300])


def independent_verdict(
    token: str, jwks: dict[str, Any], algorithms: Collection[str], expect: Expectations
) -> OracleVerdict:
    if not algorithms:
        # jwcrypto reads an empty allowlist as "its defaults"; nothing allowed means refuse.
        return OracleVerdict(False, "no algorithm allowed")
    if not _COMPACT_JWS.fullmatch(token):
        return OracleVerdict(False, "RFC 4648 §3.3: a character outside the base64url alphabet")
    try:
        joserfc_jws.extract_compact(token.encode(), registry=_joserfc_registry())
    except Exception as exc:  # every refusal, whatever its type, is the verdict
        return _refusal("joserfc", exc)
    try:
        verified = jwcrypto_jwt.JWT(
            jwt=token,
            key=_key_set(jwks),
            algs=sorted(algorithms),
            check_claims=False,  # the claims are authlib's job below
            expected_type="JWS",
        )
        header = json.loads(verified.header)
        claims = json.loads(verified.claims)
    except Exception as exc:
        return _refusal("jwcrypto", exc)
    if not isinstance(claims, dict):
        return OracleVerdict(False, "jwcrypto: the payload is not a JSON object")
    params: dict[str, Any] = {"client_id": expect.client_id}
    if expect.nonce is not None:
        params["nonce"] = expect.nonce
    if expect.access_token is not None:
        params["access_token"] = expect.access_token
    response = expect.authorization_response
    kind: Any = CodeIDToken
    if response is not None:
        # The flow's own class: the implicit one requires a nonce and, beside an access
        # token, at_hash; the hybrid one adds c_hash beside a code (OIDC Core §3.2.2, §3.3.2).
        kind = HybridIDToken if "code" in response else ImplicitIDToken
        params.pop("access_token", None)
        params.update({k: response[k] for k in ("access_token", "code") if k in response})
    audiences = claims.get("aud")
    if isinstance(audiences, list) and set(audiences) - {expect.client_id}:
        # OIDC Core §3.1.3.7 item 3: reject audiences the client doesn't trust, and this
        # client trusts no other. authlib lets them pass when azp names the client.
        return OracleVerdict(False, "OIDC Core §3.1.3.7 item 3: an untrusted audience", claims)
    skipped_by_authlib = _present_but_unread(claims, expect.client_id)
    if skipped_by_authlib is not None:
        return OracleVerdict(False, skipped_by_authlib, claims)
    id_token = kind(
        claims,
        header,
        options={
            "iss": {"essential": True, "value": expect.issuer},
            "aud": {"essential": True, "value": expect.client_id},
        },
        params=params,
    )
    try:
        id_token.validate(now=expect.now, leeway=expect.leeway_s)
    except Exception as exc:
        return OracleVerdict(False, _refusal("authlib", exc).reason, claims)
    return OracleVerdict(True, "", claims)


def _present_but_unread(claims: dict[str, Any], client_id: str) -> str | None:
    """A claim present with a value authlib lets through unread: it tests values for truth, so
    `"azp": ""` and `"auth_time": null` pass as absent, and `"auth_time": true` as a number
    (Python's bool is an int). The standards' reason to refuse, or None."""
    if "auth_time" in claims:
        auth_time = claims["auth_time"]
        if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
            return f"OIDC Core §2: auth_time is a JSON number, not {json.dumps(auth_time)}"
    if "azp" in claims and claims["azp"] != client_id:
        return "OIDC Core §3.1.3.7 item 5: azp is not this client (authlib skips an empty one)"
    return None


def app_verification(token: str, expect: Expectations) -> Verification:
    """The app's verdict under the same expectations, its keys and algorithms found over HTTP
    through the issuer's discovery document — the path a real issuer's tokens take."""

    async def run() -> Verification:
        async with httpx.AsyncClient(trust_env=False) as http:
            context = await build_context(
                http,
                token=token,
                issuer=expect.issuer,
                client_id=expect.client_id,
                nonce=expect.nonce,
                access_token=expect.access_token,
                leeway_s=expect.leeway_s,
                now=datetime.fromtimestamp(expect.now, UTC),
            )
        context = dataclasses.replace(context, authorization_response=expect.authorization_response)
        return verify_id_token(token, context)

    return asyncio.run(run())
