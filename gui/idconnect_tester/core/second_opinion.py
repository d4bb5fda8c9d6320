"""A second opinion on an id_token from PyJWT's own `jwt.decode`, under the same key, algorithms
and expectations as the rows. The rows are this app's reading of the standards; PyJWT is a
widely used independent one. When the two disagree the verdict says so: a token PyJWT refuses
while every row passed is a bug in the rows to surface, never to hide.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any, Final

import jwt

from idconnect_tester.core.id_token_model import (
    SECOND_OPINION_ROW,
    CheckResult,
    CheckStatus,
    VerificationContext,
    VerificationKey,
    failed,
    passed,
    skipped,
    warned,
)
from idconnect_tester.core.jwt_decode import numeric_seconds
from idconnect_tester.core.key_fit import public_part

NAME: Final = SECOND_OPINION_ROW
# The rows whose rules PyJWT applies too under the options below. Rows outside this set (the
# nonce, azp, at_hash …) check what PyJWT doesn't, so their failing is no disagreement.
JUDGED_BY_PYJWT: Final = frozenset(
    {"crit", "algorithm", "key", "signature", "iss", "sub", "aud", "exp", "iat", "nbf"}
)
_REFUSALS: Final = (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError)


def _pyjwt_key(jwk: dict[str, Any], header_alg: object, algorithms: Collection[str]) -> jwt.PyJWK:
    # A PyJWK is bound to one algorithm: the JWK's own `alg` when it has one (PyJWT then refuses
    # a token naming another), else the token's when that is an allowed one, else PyJWT's
    # default for the key type (and PyJWT refuses the token's algorithm).
    bound = None if "alg" in jwk or header_alg not in algorithms else str(header_alg)
    # A private key in the key set fails the key row; PyJWT is asked about its public half.
    return jwt.PyJWK(public_part(jwk), algorithm=bound)


def _fraction_of(exp: object) -> float:
    seconds = numeric_seconds(exp)
    return seconds - int(seconds) if seconds is not None else 0.0


def pyjwt_refusal(
    token: str,
    key: VerificationKey,
    context: VerificationContext,
    algorithms: Collection[str],
    exp: object = None,
) -> str | None:
    """PyJWT's reason to refuse the token (whose `exp` claim is `exp`), or None when
    `jwt.decode` accepts it."""
    # PyJWT reads the wall clock and has no "now" to inject, while the context may judge at
    # another moment (a re-check after expiry, a test's fixed clock). Its leeway is the only
    # handle: exp is refused when exp <= wall - leeway, iat and nbf when > wall + leeway. So the
    # context's moment becomes two leeways, one per direction, and two decodes.
    drift = time.time() - context.now.timestamp()
    # PyJWT reads exp as whole seconds (int(), RFC 7519 §2 allows fractions): a token in the
    # last fraction of a second of its leeway would be refused for no rule. That fraction goes
    # back into its expiry leeway, so the two judge the same moment.
    expiry_leeway = context.leeway_s + drift + _fraction_of(exp)
    required = ["exp", "iat", "sub"]
    required += ["iss"] if context.issuer is not None else []
    required += ["aud"] if context.client_id is not None else []
    try:
        pyjwt_key = _pyjwt_key(key.jwk, jwt.get_unverified_header(token).get("alg"), algorithms)
        for leeway, expiry, early in (
            (expiry_leeway, True, False),
            (context.leeway_s - drift, False, True),
        ):
            jwt.decode(
                token,
                pyjwt_key,
                algorithms=sorted(algorithms),
                audience=context.client_id,
                issuer=context.issuer,
                leeway=leeway,
                options={
                    "require": required,
                    "verify_signature": True,
                    "verify_exp": expiry,
                    "verify_iat": early,
                    "verify_nbf": early,
                    "verify_iss": context.issuer is not None,
                    "verify_aud": context.client_id is not None,
                    "verify_sub": True,
                    "verify_jti": False,  # no row checks jti: neither should the second opinion
                    "enforce_minimum_key_length": True,
                },
            )
    except _REFUSALS as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None


def second_opinion(
    token: str,
    key: VerificationKey | None,
    context: VerificationContext,
    algorithms: Collection[str],
    rows: Sequence[CheckResult],
    exp: object = None,
) -> CheckResult:
    if key is None:
        return skipped(NAME, "No key was selected, so PyJWT has nothing to verify with")
    refusal = pyjwt_refusal(token, key, context, algorithms, exp)
    failing = [r.name for r in rows if r.status is CheckStatus.FAIL]
    judged = [name for name in failing if name in JUDGED_BY_PYJWT]
    if refusal is not None:
        if failing:
            # "pass" here means the two agree: the words say it is the failure they agree on,
            # or a green tick beside "refuses" reads as the token passing.
            return passed(NAME, f"Agrees it fails: PyJWT's jwt.decode refuses it too ({refusal})")
        return failed(
            NAME,
            f"PyJWT's jwt.decode refuses it ({refusal}) although every row passed: a check "
            "here missed something, so do not trust this verdict",
        )
    if judged:
        return warned(
            NAME,
            f"PyJWT's jwt.decode accepts it, but {', '.join(judged)} failed here: that row "
            "applies a rule PyJWT does not (see its detail), or it is wrong",
        )
    if failing:
        # No opinion, rather than "agrees" beside a verdict PyJWT had no part in (tryout AO:
        # "= agrees" on a token that failed only its nonce, which PyJWT never looks at).
        them = "them" if len(failing) > 1 else "it"
        return skipped(
            NAME,
            f"No second opinion on {', '.join(failing)}: PyJWT's jwt.decode does not check "
            f"{them}, and accepts the token",
        )
    return passed(NAME, "Agrees: PyJWT's jwt.decode accepts it too")
