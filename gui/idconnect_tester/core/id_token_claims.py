"""The claims rows of id_token verification: OpenID Connect Core §3.1.3.7 (and §2 for what an
id_token must carry), with RFC 7519 for the shape of each claim. One function per row; each
returns a `CheckResult` whose detail says why, citing the rule when it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any, Final

from idconnect_tester.core.id_token_model import (
    CheckResult,
    CheckStatus,
    VerificationContext,
    failed,
    passed,
    row,
    skipped,
)
from idconnect_tester.core.jwt_decode import b64url_encode, describe_time, numeric_date

SUB_MAX_LENGTH: Final = 255  # OIDC Core §2: sub "MUST NOT exceed 255 ASCII characters"
_HASH_FOR_ALG_SIZE: Final = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


def _same(value: str, expected: str) -> bool:
    return hmac.compare_digest(value.encode(), expected.encode())


def issuer_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.issuer is None:
        return skipped("iss", "No issuer configured to compare with")
    iss = claims.get("iss")
    if iss is None:
        return failed("iss", "The token has no iss claim (OIDC Core §2: REQUIRED)")
    return row(
        "iss",
        isinstance(iss, str) and _same(iss, context.issuer),
        f"iss is {context.issuer}",
        f"iss is {iss!r}, expected {context.issuer!r} (OIDC Core §3.1.3.7 item 2)",
    )


def subject_check(claims: dict[str, Any]) -> CheckResult:
    if "sub" not in claims:
        return failed("sub", "The token has no sub claim (OIDC Core §2: REQUIRED)")
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub:
        return failed("sub", f"sub is {sub!r}: it must be a non-empty string (OIDC Core §2)")
    if len(sub) > SUB_MAX_LENGTH or not sub.isascii():
        return failed(
            "sub",
            f"sub is {len(sub)} characters{'' if sub.isascii() else ', not all ASCII'}: "
            f"OIDC Core §2 allows at most {SUB_MAX_LENGTH} ASCII characters",
        )
    return passed("sub", f"sub is {sub!r}")


def _audiences(claims: dict[str, Any]) -> list[str] | None:
    """`aud` as a list of strings; None when missing or not StringOrURI (RFC 7519 §4.1.3)."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(member, str) for member in aud):
        return aud
    return None


def audience_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.client_id is None:
        return skipped("aud", "No client id configured to compare with")
    audiences = _audiences(claims)
    if audiences is None:
        found = (
            "aud is missing"
            if "aud" not in claims
            else f"aud is {json.dumps(claims['aud'])}, not a string or a list of strings"
        )
        return failed("aud", f"{found} (OIDC Core §2 requires it; RFC 7519 §4.1.3)")
    return row(
        "aud",
        context.client_id in audiences,
        f"aud contains {context.client_id}",
        f"aud is {claims['aud']!r}; it should contain {context.client_id!r} "
        "(OIDC Core §3.1.3.7 item 3)",
    )


def authorized_party_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    """OIDC Core §3.1.3.7 items 4–5. azp names the client the token was issued to: another
    client's id means this token was not meant for us. Several audiences without azp is only a
    SHOULD in the standard, so it warns rather than fails."""
    audiences = _audiences(claims) or []
    if "azp" not in claims:
        if len(audiences) > 1:
            return CheckResult(
                "azp",
                CheckStatus.WARN,
                f"Several audiences ({', '.join(audiences)}) and no azp to say which client the "
                "token was issued to: OIDC Core §3.1.3.7 item 4 says to expect one",
            )
        return passed("azp", "No azp; with a single audience none is needed")
    azp = claims["azp"]
    if not isinstance(azp, str):
        return failed("azp", f"azp is {azp!r}: it must be a string (OIDC Core §2)")
    if context.client_id is None:
        return skipped("azp", f"azp is {azp!r}; no client id configured to compare with")
    return row(
        "azp",
        _same(azp, context.client_id),
        f"azp is {context.client_id}, this client",
        f"azp is {azp!r}: the token was issued to another client, not {context.client_id!r} "
        "(OIDC Core §3.1.3.7 item 5)",
    )


def _numeric_time(name: str, claims: dict[str, Any], required: bool) -> CheckResult | datetime:
    """The claim as a time, or the row to show when it is absent or not a NumericDate."""
    if name not in claims:
        if required:
            return failed(name, f"The token has no {name} (OIDC Core §2: REQUIRED)")
        return skipped(name, f"The token has no {name}")
    moment = numeric_date(claims[name])
    if moment is None:
        return failed(name, f"{name} is not a time: {claims[name]!r} (RFC 7519 §2: a JSON number)")
    return moment


def time_checks(claims: dict[str, Any], context: VerificationContext) -> list[CheckResult]:
    leeway = timedelta(seconds=context.leeway_s)
    now = context.now
    exp = _numeric_time("exp", claims, required=True)
    iat = _numeric_time("iat", claims, required=True)
    nbf = _numeric_time("nbf", claims, required=False)
    return [
        exp
        if isinstance(exp, CheckResult)
        else row(
            "exp",
            now < exp + leeway,  # RFC 7519 §4.1.4: now must be *before* exp
            f"Expires {describe_time(exp)} (leeway {context.leeway_s} s)",
            f"Expired {describe_time(exp)} (leeway {context.leeway_s} s)",
        ),
        iat
        if isinstance(iat, CheckResult)
        else row(
            "iat",
            iat <= now + leeway,
            f"Issued {describe_time(iat)}",
            f"Issued in the future, {describe_time(iat)}: check the clocks",
        ),
        nbf
        if isinstance(nbf, CheckResult)
        else row(
            "nbf",
            now + leeway >= nbf,  # RFC 7519 §4.1.5: now may equal nbf
            f"Valid since {describe_time(nbf)}",
            f"Not valid before {describe_time(nbf)}",
        ),
    ]


def nonce_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.nonce is None:
        return skipped("nonce", "No nonce was sent in this run's authorize step")
    nonce = claims.get("nonce")
    if nonce is None:
        return failed("nonce", "A nonce was sent but the token has none")
    return row(
        "nonce",
        isinstance(nonce, str) and _same(nonce, context.nonce),
        "nonce matches the one sent to authorize",
        "nonce differs from the one sent to authorize (replayed token?)",
    )


def access_token_hash(access_token: str, alg: str) -> str | None:
    """OIDC Core §3.1.3.6: base64url of the left-most half of the hash of the access token's
    ASCII octets, with the hash of the id_token's `alg` (SHA-256 for RS256 …); None for an
    algorithm without such a hash."""
    hash_function = _HASH_FOR_ALG_SIZE.get(alg[-3:])
    if hash_function is None or alg[:2] not in ("RS", "PS", "ES", "HS"):
        return None
    digest = hash_function(access_token.encode("ascii", errors="replace")).digest()
    return b64url_encode(digest[: len(digest) // 2])


def access_token_hash_check(
    header: dict[str, Any], claims: dict[str, Any], context: VerificationContext
) -> CheckResult:
    if "at_hash" not in claims:
        return skipped("at_hash", "The token has no at_hash (optional in the code flow)")
    at_hash = claims["at_hash"]
    if not isinstance(at_hash, str):
        return failed("at_hash", f"at_hash is {at_hash!r}: it must be a string")
    if context.access_token is None:
        return skipped("at_hash", "No access token from the same response to compare with")
    alg = header.get("alg")
    expected = access_token_hash(context.access_token, alg) if isinstance(alg, str) else None
    if expected is None:
        return failed("at_hash", f"at_hash can't be computed for alg {alg!r}")
    return row(
        "at_hash",
        _same(at_hash, expected),
        "at_hash matches the access token of the same response",
        "at_hash does not match the access token of the same response: the two tokens were "
        "not issued together (OIDC Core §3.1.3.8, §3.2.2.9)",
    )
