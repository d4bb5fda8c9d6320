"""id_token verification as a list of checks, each pass / fail / skipped with the reason.

A person reads these rows to decide whether to trust a token, so every row says *why*. Rules
follow OpenID Connect Core §3.1.3.7 and RFC 8725 (JWT best practices): the algorithm comes from
an allowlist of asymmetric algorithms, never `none`, never HMAC keyed with a public key.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from idconnect_tester.core.jwt_decode import (
    DecodedJwt,
    JwtDecodeError,
    decode_jwt,
    describe_time,
    numeric_date,
)

DEFAULT_LEEWAY_S: Final = 60
# RFC 8725 §3.1: verify with an explicit allowlist. Sumsub signs RS256; these are its relatives.
ALLOWED_ALGORITHMS: Final = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
_KEY_TYPE_FOR_ALG_PREFIX: Final = {"RS": "RSA", "PS": "RSA", "ES": "EC"}


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    detail: str


@dataclass(frozen=True)
class VerificationKey:
    """One public key as a JWK dict, plus where it came from (for the row's explanation)."""

    jwk: dict[str, Any]
    source: str


@dataclass(frozen=True)
class VerificationContext:
    """What the checks compare against. Anything left None makes its check `skipped`."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    leeway_s: int = DEFAULT_LEEWAY_S
    issuer: str | None = None
    client_id: str | None = None
    nonce: str | None = None
    keys: Sequence[VerificationKey] | None = None  # None: no key source; [] : a JWKS with none
    keys_note: str = "no JWKS or key configured"  # why keys is None, shown on skipped rows


@dataclass(frozen=True)
class Verification:
    decoded: DecodedJwt | JwtDecodeError
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        """Every applicable check passed (skipped rows don't count against it)."""
        return all(c.status is not CheckStatus.FAIL for c in self.checks) and isinstance(
            self.decoded, DecodedJwt
        )


def _row(name: str, ok: bool, good: str, bad: str) -> CheckResult:
    return CheckResult(name, CheckStatus.PASS if ok else CheckStatus.FAIL, good if ok else bad)


def _skipped(name: str, why: str) -> CheckResult:
    return CheckResult(name, CheckStatus.SKIPPED, why)


def _algorithm_check(header: dict[str, Any]) -> CheckResult:
    alg = header.get("alg")
    if not isinstance(alg, str):
        return CheckResult("algorithm", CheckStatus.FAIL, "The header has no `alg`")
    if alg.lower() == "none":
        return CheckResult(
            "algorithm",
            CheckStatus.FAIL,
            "alg is none: the token is unsigned and must never be trusted (RFC 8725 §3.1)",
        )
    if alg.upper().startswith("HS"):
        return CheckResult(
            "algorithm",
            CheckStatus.FAIL,
            f"alg is {alg} (HMAC): verifying it with a public key is the algorithm-confusion "
            "attack (RFC 8725 §2.1); Sumsub signs RS256",
        )
    return _row(
        "algorithm",
        alg in ALLOWED_ALGORITHMS,
        f"{alg} is on the allowlist",
        f"{alg} is not on the allowlist ({', '.join(sorted(ALLOWED_ALGORITHMS))})",
    )


def _find_key(
    header: dict[str, Any], context: VerificationContext
) -> tuple[CheckResult, VerificationKey | None]:
    if context.keys is None:
        return _skipped("kid", context.keys_note), None
    kid = header.get("kid")
    keys = list(context.keys)
    if kid is None:
        if len(keys) == 1:
            return CheckResult("kid", CheckStatus.PASS, "No kid; the only key was used"), keys[0]
        return CheckResult("kid", CheckStatus.FAIL, f"No kid in the header, {len(keys)} keys"), None
    for key in keys:
        if key.jwk.get("kid") == kid:
            return CheckResult("kid", CheckStatus.PASS, f"{kid!r} found in {key.source}"), key
    sources = sorted({k.source for k in keys}) or ["the key set"]
    return (
        CheckResult(
            "kid",
            CheckStatus.FAIL,
            f"{kid!r} is not in {', '.join(sources)} (signed by an unknown key?)",
        ),
        None,
    )


def _signature_check(
    decoded: DecodedJwt, key: VerificationKey | None, algorithm_ok: bool, kid_row: CheckResult
) -> CheckResult:
    if not algorithm_ok:
        return CheckResult("signature", CheckStatus.FAIL, "Not verified: the algorithm is refused")
    if key is None:
        if kid_row.status is CheckStatus.SKIPPED:
            return _skipped("signature", kid_row.detail)
        return CheckResult("signature", CheckStatus.FAIL, "No matching key to verify with")
    alg = str(decoded.header["alg"])
    expected_kty = _KEY_TYPE_FOR_ALG_PREFIX.get(alg[:2])
    if key.jwk.get("kty") != expected_kty:
        return CheckResult(
            "signature",
            CheckStatus.FAIL,
            f"The key is {key.jwk.get('kty')!r} but {alg} needs an {expected_kty} key",
        )
    key_alg = key.jwk.get("alg")
    if key_alg is not None and key_alg != alg:
        return CheckResult(
            "signature", CheckStatus.FAIL, f"The key is for {key_alg}, the token says {alg}"
        )
    import jwt  # PyJWT + cryptography cost ~60 ms to import; only pay it when verifying

    try:
        algorithm = jwt.get_algorithm_by_name(alg)
        public_key = algorithm.from_jwk(key.jwk)
        valid = algorithm.verify(decoded.signing_input, public_key, decoded.signature)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        return CheckResult("signature", CheckStatus.FAIL, f"The key could not be used: {exc}")
    return _row(
        "signature",
        bool(valid),
        f"Valid {alg} signature by {key.source}",
        "The signature does not match: the token was altered or signed by another key",
    )


def _issuer_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.issuer is None:
        return _skipped("iss", "No issuer configured to compare with")
    iss = claims.get("iss")
    if iss is None:
        return CheckResult("iss", CheckStatus.FAIL, "The token has no iss claim")
    return _row(
        "iss",
        isinstance(iss, str) and hmac.compare_digest(iss.encode(), context.issuer.encode()),
        f"iss is {context.issuer}",
        f"iss is {iss!r}, expected {context.issuer!r}",
    )


def _audience_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.client_id is None:
        return _skipped("aud", "No client id configured to compare with")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
    if audiences is None:
        return CheckResult("aud", CheckStatus.FAIL, f"aud is missing or malformed ({aud!r})")
    ok = context.client_id in audiences
    detail = f"aud contains {context.client_id}"
    if ok and len(audiences) > 1 and claims.get("azp") not in (None, context.client_id):
        return CheckResult("aud", CheckStatus.FAIL, "Several audiences and azp is another client")
    return _row("aud", ok, detail, f"aud is {aud!r}; it should contain {context.client_id!r}")


def _time_checks(claims: dict[str, Any], context: VerificationContext) -> list[CheckResult]:
    leeway = timedelta(seconds=context.leeway_s)
    now = context.now
    rows: list[CheckResult] = []
    exp = numeric_date(claims.get("exp"))
    if "exp" not in claims:
        rows.append(CheckResult("exp", CheckStatus.FAIL, "The token has no exp (OIDC requires it)"))
    elif exp is None:
        rows.append(CheckResult("exp", CheckStatus.FAIL, f"exp is not a time: {claims['exp']!r}"))
    else:
        rows.append(
            _row(
                "exp",
                now < exp + leeway,
                f"Expires {describe_time(exp)} (leeway {context.leeway_s} s)",
                f"Expired {describe_time(exp)} (leeway {context.leeway_s} s)",
            )
        )
    iat = numeric_date(claims.get("iat"))
    if "iat" not in claims:
        rows.append(CheckResult("iat", CheckStatus.FAIL, "The token has no iat (OIDC requires it)"))
    elif iat is None:
        rows.append(CheckResult("iat", CheckStatus.FAIL, f"iat is not a time: {claims['iat']!r}"))
    else:
        rows.append(
            _row(
                "iat",
                iat <= now + leeway,
                f"Issued {describe_time(iat)}",
                f"Issued in the future, {describe_time(iat)}: check the clocks",
            )
        )
    if "nbf" not in claims:
        rows.append(_skipped("nbf", "The token has no nbf"))
    else:
        nbf = numeric_date(claims.get("nbf"))
        rows.append(
            CheckResult("nbf", CheckStatus.FAIL, f"nbf is not a time: {claims['nbf']!r}")
            if nbf is None
            else _row(
                "nbf",
                now + leeway >= nbf,
                f"Valid since {describe_time(nbf)}",
                f"Not valid before {describe_time(nbf)}",
            )
        )
    return rows


def _nonce_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.nonce is None:
        return _skipped("nonce", "No nonce was sent in this run's authorize step")
    nonce = claims.get("nonce")
    if nonce is None:
        return CheckResult("nonce", CheckStatus.FAIL, "A nonce was sent but the token has none")
    return _row(
        "nonce",
        isinstance(nonce, str) and hmac.compare_digest(nonce.encode(), context.nonce.encode()),
        "nonce matches the one sent to authorize",
        "nonce differs from the one sent to authorize (replayed token?)",
    )


def verify_id_token(token: str, context: VerificationContext) -> Verification:
    decoded = decode_jwt(token)
    if isinstance(decoded, JwtDecodeError):
        return Verification(decoded, (CheckResult("decode", CheckStatus.FAIL, decoded.message),))
    rows = [CheckResult("decode", CheckStatus.PASS, "Header and claims are valid JSON")]
    algorithm_row = _algorithm_check(decoded.header)
    kid_row, key = _find_key(decoded.header, context)
    rows += [
        algorithm_row,
        kid_row,
        _signature_check(decoded, key, algorithm_row.status is CheckStatus.PASS, kid_row),
        _issuer_check(decoded.claims, context),
        _audience_check(decoded.claims, context),
        *_time_checks(decoded.claims, context),
        _nonce_check(decoded.claims, context),
    ]
    return Verification(decoded, tuple(rows))
