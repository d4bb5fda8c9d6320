"""id_token verification as a list of checks, each pass / fail / skipped (or warn) with the
reason, and one verdict: verified, failed, or not verified.

A person reads these rows to decide whether to trust a token, so every row says *why*, citing
the rule when it fails. The rules are OpenID Connect Core §3.1.3.7 and RFC 7515/7518/7519/8725:
the header's `crit` must be understood, the algorithm comes from an allowlist of asymmetric
algorithms narrowed by what the issuer's discovery document names (never `none`, never HMAC
keyed with a public key), and the key must fit the algorithm. This module checks the header,
the key and the signature; `id_token_claims` checks the claims; `second_opinion` asks PyJWT.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from idconnect_tester.core import id_token_claims
from idconnect_tester.core.id_token_model import (
    DEFAULT_LEEWAY_S,
    SECOND_OPINION_ROW,
    CheckResult,
    CheckStatus,
    VerificationContext,
    VerificationKey,
    failed,
    passed,
    row,
    signing_keys,
    skipped,
    warned,
)
from idconnect_tester.core.jwt_decode import (
    DecodedJwt,
    JwtDecodeError,
    decode_jwt,
    numeric_date,
    readable_despite_signature,
)
from idconnect_tester.core.key_fit import describe_key, key_problem, rsa_signature_size
from idconnect_tester.core.visible_text import shown_value

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_LEEWAY_S",
    "CheckResult",
    "CheckStatus",
    "Verdict",
    "Verification",
    "VerificationContext",
    "VerificationKey",
    "verify_id_token",
]

# RFC 8725 §3.1: verify with an explicit allowlist. Sumsub signs RS256; these are its relatives.
ALLOWED_ALGORITHMS: Final = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
# RFC 7515 §4.1 names these; §4.1.11 forbids listing them in `crit`.
_STANDARD_HEADER_NAMES: Final = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)
_DECODED: Final = "Header and claims are strict base64url and JSON objects"
# Extensions this app understands and so may honour when critical: none. (RFC 7797's `b64`
# is for detached payloads, which an id_token never has.)
_UNDERSTOOD_CRITICAL: Final = frozenset[str]()


# A key source's note may end by saying the signature was not checked, which a row needs and
# the verdict, already saying so, would say twice.
_RESTATED: Final = re.compile(
    r"\s*[:;,]\s*(?:the signature was not checked|nothing checked the signature)\.?$",
    re.IGNORECASE,
)


def _reason_in_brackets(detail: str) -> str:
    """A row's detail as the reason in the verdict's brackets: a clause, not a sentence of its
    own ("no keys chosen", but "JWKS could not…" keeps its capitals)."""
    reason = _RESTATED.sub("", detail)
    if reason[:1].isupper() and reason[1:2].islower():
        reason = reason[0].lower() + reason[1:]
    return reason


class Verdict(StrEnum):
    VERIFIED = "verified"  # a key checked the signature and every applicable row passed
    FAILED = "failed"  # a row failed: do not trust the token
    # Nothing could check the signature (no keys, unreachable), or iss and aud had nothing
    # to be compared with: the token is not validated, though no row found it at fault.
    NOT_VERIFIED = "not verified"

    @property
    def label(self) -> str:
        return self.value.upper()


@dataclass(frozen=True)
class Verification:
    decoded: DecodedJwt | JwtDecodeError
    checks: tuple[CheckResult, ...]
    checked_at: datetime | None = None  # the "now" the time checks used

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if c.status is CheckStatus.FAIL]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status is CheckStatus.WARN]

    @property
    def not_compared(self) -> list[str]:
        """iss and aud when nothing was given to compare them with (their rows warn). A valid
        signature on a token of any issuer, for any audience, validates nothing: OIDC Core
        §3.1.3.7 items 2–3 make both comparisons a MUST."""
        return [
            c.name
            for c in self.checks
            if c.name in _COMPARED_WITH_EXPECTED and c.status is CheckStatus.WARN
        ]

    @property
    def signature_checked(self) -> bool:
        signature = self.row("signature")
        return signature is not None and signature.status is CheckStatus.PASS

    @property
    def unproven(self) -> frozenset[str]:
        """The claim rows that passed on a token whose signature is not verified: what they
        compared is what anyone could have written, so they prove nothing (RFC 7519 §7.2: the
        signature is validated before the claims are; OIDC Core §3.1.3.7). Shown as such, not
        as passes (tryout AI: ten green rows under an alg none token's red verdict)."""
        if self.signature_checked:
            return frozenset()
        names = [c.name for c in self.checks]
        if "signature" not in names:
            return frozenset()
        claims = self.checks[names.index("signature") + 1 :]  # the claims' rows come after it
        return frozenset(
            c.name for c in claims if c.status is CheckStatus.PASS and c.name != SECOND_OPINION_ROW
        )

    @property
    def verdict(self) -> Verdict:
        if self.failed:
            return Verdict.FAILED
        if not self.signature_checked or self.not_compared:
            return Verdict.NOT_VERIFIED
        return Verdict.VERIFIED

    @property
    def held_back(self) -> list[str]:
        """The rows that kept the verdict from VERIFIED: those that failed; the signature's
        when nothing checked it; else iss and aud when they were not compared."""
        if self.failed:
            return self.failed
        if not self.signature_checked:
            return ["signature"]
        return self.not_compared

    @property
    def not_verified_because(self) -> str:
        """Why the verdict is NOT VERIFIED, in a few words ("" for another verdict)."""
        if self.verdict is not Verdict.NOT_VERIFIED:
            return ""
        return not_verified_because(self.held_back)

    @property
    def second_opinion_differs(self) -> CheckResult | None:
        """The second-opinion row when PyJWT's result differs from the rows', else None."""
        opinion = self.row(SECOND_OPINION_ROW)
        if opinion is not None and opinion.status in (CheckStatus.FAIL, CheckStatus.WARN):
            return opinion
        return None

    def row(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)

    def summary(self) -> str:
        """One sentence a person can act on: the verdict, and what stands out."""
        verdict = self.verdict
        if verdict is Verdict.FAILED:
            text = f"Do not trust this id_token: {', '.join(self.failed)} failed."
        elif verdict is Verdict.NOT_VERIFIED and self.signature_checked:
            unchecked = self.not_compared
            given = " or ".join(_EXPECTATION[name] for name in unchecked)
            text = (
                f"NOT VERIFIED: a key checked the signature, but {_and(unchecked)} "
                f"{'was' if len(unchecked) == 1 else 'were'} not compared (no {given} given): "
                "OIDC Core §3.1.3.7 validates an id_token only once they are."
            )
        elif verdict is Verdict.NOT_VERIFIED:
            signature = self.row("signature") or self.row("decode")
            why = "no signature row"
            if signature is not None:
                why = _reason_in_brackets(signature.detail)
            text = (
                f"NOT VERIFIED: nothing checked the signature ({why}). The other rows say "
                "what the token claims, not that it is genuine."
            )
        else:
            skipped_rows = [c.name for c in self.checks if c.status is CheckStatus.SKIPPED]
            warned = len(self.warnings)
            # A warning is no pass (an exp within the leeway: expired, accepted for clock skew):
            # the headline says so before the warning's own line says why.
            text = (
                f"Verified, with {'a warning' if warned == 1 else f'{warned} warnings'}: a key "
                "checked the signature and no check failed"
                if warned
                else "Verified: a key checked the signature and every applicable check passed"
            )
            text += f" ({', '.join(skipped_rows)} skipped)." if skipped_rows else "."
        differs = self.second_opinion_differs
        said = set(self.not_compared) if verdict is Verdict.NOT_VERIFIED else set()
        notes = [
            f"Warning – {c.name}: {c.detail}"
            for c in self.warnings
            if c is not differs and c.name not in said
        ]
        if differs is not None:
            notes.append(f"Second opinion differs – {differs.detail}")
        return "\n".join([text, *notes])


# The claims OIDC Core §3.1.3.7 compares with what the client expects, and what it expects.
_EXPECTATION: Final = {"iss": "issuer", "aud": "client id"}
_COMPARED_WITH_EXPECTED: Final = frozenset(_EXPECTATION)


def _and(names: list[str]) -> str:
    return " and ".join(names)


def not_verified_because(held_back: Sequence[str]) -> str:
    """A NOT VERIFIED verdict's reason in a few words, from the rows that held it back (as
    `Verification.held_back` names them, or a history entry keeps them)."""
    uncompared = [name for name in held_back if name in _COMPARED_WITH_EXPECTED]
    if uncompared:
        return f"{_and(uncompared)} not compared"
    return "nothing checked the signature"


def _crit_check(header: dict[str, Any]) -> CheckResult:
    """RFC 7515 §4.1.11: every extension listed in `crit` must be understood, or the JWS is
    invalid. The list itself must be a non-empty array of names present in the header and not
    among the standard ones."""
    if header.get("b64") is False:
        # RFC 7797's unencoded payload, which §6 makes critical so that a reader who doesn't
        # know it refuses the token rather than read its payload as base64url. Left out of
        # crit, it would pass unnoticed here — and §7 forbids it in any JWT anyway.
        listed = isinstance(header.get("crit"), list) and "b64" in header["crit"]
        return failed(
            "crit",
            "b64 is false: the payload would be unencoded, which a JWT MUST NOT be (RFC 7797 "
            "§7)" + ("" if listed else "; crit doesn't list b64 either, as §6 requires"),
        )
    if "crit" not in header:
        return passed("crit", "No crit header: no extension needs understanding")
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        return failed("crit", f"crit is {shown_value(crit)}: it must be a non-empty list of names")
    standard = sorted(set(crit) & _STANDARD_HEADER_NAMES)
    if standard:
        return failed("crit", f"crit lists standard parameters ({', '.join(standard)})")
    absent = [name for name in crit if name not in header]
    if absent:
        return failed("crit", f"crit lists {', '.join(absent)}, which the header lacks")
    unknown = [name for name in crit if name not in _UNDERSTOOD_CRITICAL]
    return row(
        "crit",
        not unknown,
        "Every critical extension is understood",
        f"crit requires understanding {', '.join(unknown)}, which this app doesn't: RFC 7515 "
        "§4.1.11 says to reject the token",
    )


def _type_check(header: dict[str, Any]) -> CheckResult:
    """What the header says the token is. RFC 8725 §3.11–3.12: a JWT explicitly typed as
    another kind (an access token, `at+jwt`; a logout token; a security event) must not be
    accepted as an id_token. `cty: JWT` announces a nested JWT (RFC 7519 §7.2 step 8), which
    an id_token signed once is not."""
    cty = header.get("cty")
    if isinstance(cty, str) and cty.lower() in ("jwt", "application/jwt"):
        return failed(
            "typ",
            f"cty is {shown_value(cty)}: the payload would be a nested JWT, but it is claims "
            "(RFC 7519 §7.2 step 8); an id_token is nested only inside encryption (OIDC Core §2)",
        )
    if "typ" not in header:
        return passed("typ", "No typ: an id_token needs none")
    typ = header["typ"]
    if not isinstance(typ, str):
        # A hint for the application, which a JWS implementation ignores (RFC 7515 §4.1.9).
        return warned("typ", f"typ is {shown_value(typ)}, not a string (RFC 7515 §4.1.9)")
    kind = typ.lower().removeprefix("application/")
    if kind in ("jwt", "jose"):
        return passed("typ", f"typ is {shown_value(typ)}")
    if kind.endswith("+jwt"):
        return failed(
            "typ",
            f"typ is {shown_value(typ)}: the issuer typed it as another kind of JWT, not an "
            "id_token (RFC 8725 §3.11–3.12)",
        )
    return warned(
        "typ", f"typ is {shown_value(typ)}, a type id_tokens don't carry (RFC 7515 §4.1.9)"
    )


def _permitted_algorithms(context: VerificationContext) -> frozenset[str]:
    if context.allowed_algorithms is None:
        return ALLOWED_ALGORITHMS
    return ALLOWED_ALGORITHMS & context.allowed_algorithms


_HMAC_ALGORITHMS: Final = frozenset({"HS256", "HS384", "HS512"})  # RFC 7518 §3.2
_REGISTERED_NAMES: Final = tuple(sorted(ALLOWED_ALGORITHMS | _HMAC_ALGORITHMS))


def _algorithm_check(header: dict[str, Any], context: VerificationContext) -> CheckResult:
    alg = header.get("alg")
    if not isinstance(alg, str):
        return failed("algorithm", "The header has no alg (RFC 7515 §4.1.1: REQUIRED)")
    if alg == "none":
        return failed(
            "algorithm",
            "alg is none: the token is unsigned and must never be trusted (RFC 8725 §3.1)",
        )
    if alg in _HMAC_ALGORITHMS:
        # OIDC Core §10.1 allows an id_token MACed with the client secret, which this app
        # never holds; what it holds are public keys, and checking an HMAC with one of those
        # is the algorithm-confusion attack.
        listed = context.allowed_algorithms is not None and alg in context.allowed_algorithms
        return failed(
            "algorithm",
            f"alg is {alg}, an HMAC keyed with the client secret"
            + (", which the issuer lists" if listed else "")
            + ": this app holds no client secret, and checking an HMAC with a public key is "
            "the algorithm-confusion attack (RFC 8725 §2.1)",
        )
    if alg not in ALLOWED_ALGORITHMS:
        # Names are case-sensitive (RFC 7515 §4.1.1): "None" or "rs256" is no algorithm at
        # all, and saying "alg is none" of it would misquote the header.
        near = next(
            (name for name in (*_REGISTERED_NAMES, "none") if name.lower() == alg.lower()), None
        )
        case = f"; names are case-sensitive (RFC 7515 §4.1.1): it is not {near}" if near else ""
        return failed(
            "algorithm",
            f"{alg} is not on the allowlist ({', '.join(sorted(ALLOWED_ALGORITHMS))}){case}",
        )
    if context.allowed_algorithms is None:
        return passed(
            "algorithm",
            f"{alg} is on the allowlist; with no discovery document naming the issuer's "
            "algorithms, any asymmetric one that fits the key is accepted",
        )
    named = ", ".join(sorted(context.allowed_algorithms)) or "none"
    source = context.algorithms_note or "the issuer"
    return row(
        "algorithm",
        alg in context.allowed_algorithms,
        f"{alg} is on the allowlist and among {named}, from {source}",
        f"{alg} is not among the algorithms the issuer signs id_tokens with: {named}, from "
        f"{source} (OIDC Core §3.1.3.7 item 7)",
    )


def _find_key(
    header: dict[str, Any], context: VerificationContext
) -> tuple[CheckResult, list[VerificationKey]]:
    """The kid row and the keys it points to — one, unless several share the kid (OIDC Core
    §10.1: several keys need a kid)."""
    if context.keys is None:
        return skipped("kid", context.keys_note), []
    kid = header.get("kid")
    keys = signing_keys(context.keys)
    alg = header.get("alg")
    if not keys:
        return failed("kid", "The key set has no key for signatures: nothing can verify"), []
    if kid is None:
        if len(keys) == 1:
            return passed("kid", f"No kid; {keys[0].source} has this one key"), keys[:1]
        return failed(
            "kid",
            f"No kid in the header and {len(keys)} keys: OIDC Core §10.1 requires a kid "
            "when there are several",
        ), []
    if not isinstance(kid, str):
        return failed(
            "kid", f"kid is {shown_value(kid)}: it must be a string (RFC 7515 §4.1.4)"
        ), []
    same_kid = [key for key in keys if key.jwk.get("kid") == kid]
    if not same_kid and len(keys) == 1 and "kid" not in keys[0].jwk:
        # One key given by hand without a kid (a PEM key or certificate): the person chose the
        # key, and a kid is only a hint for picking one (RFC 7515 §4.1.4).
        why = (
            f"The token names {shown_value(kid)}; the one key in {keys[0].source} has no kid, "
            "so it was used"
        )
        return passed("kid", why), keys[:1]
    encrypting = [key for key in context.keys if key.for_encryption and key.jwk.get("kid") == kid]
    if not same_kid and encrypting:
        return failed(
            "kid",
            f"{shown_value(kid)} in {encrypting[0].source} is a key for encryption (use: enc), "
            "which never verifies a signature (RFC 7517 §4.2)",
        ), []
    if not same_kid:
        sources = sorted({k.source for k in keys}) or ["the key set"]
        return failed(
            "kid", f"{shown_value(kid)} is not in {', '.join(sources)} (signed by an unknown key?)"
        ), []
    # RFC 7517 §4.5 lets keys of different types share a kid: take the one that fits.
    fitting = [k for k in same_kid if isinstance(alg, str) and key_problem(k.jwk, alg) is None]
    candidates = fitting or same_kid
    if len(candidates) > 1:
        # Distinct kids are only a SHOULD (RFC 7517 §4.5): each key of that kid is tried.
        return passed(
            "kid",
            f"{shown_value(kid)} names {len(candidates)} keys in {candidates[0].source}; "
            "each is tried",
        ), candidates
    return passed("kid", f"{shown_value(kid)} found in {candidates[0].source}"), candidates


# Header members that carry a key, or say where to fetch one. OIDC Core §2: id_tokens SHOULD NOT
# use them, their keys are known in advance (discovery, §10); RFC 8725 §3.10: a key a token
# brings along proves nothing, and a URL it names is the sender's choice.
_KEY_CARRIERS: Final = ("jwk", "jku", "x5c", "x5u")


def _with_key_carriers(header: dict[str, Any], kid_row: CheckResult) -> CheckResult:
    """The kid row, warning when the header also brings a key of its own: never used here
    (the key comes from the key set), but an issuer that sends one does what OIDC Core §2
    advises against, and a forger's token often does (its own key inside, CVE-2018-0114)."""
    carried = [name for name in _KEY_CARRIERS if name in header]
    if not carried or kid_row.status is not CheckStatus.PASS:
        return kid_row
    names = f"{', '.join(carried[:-1])} and {carried[-1]}" if len(carried) > 1 else carried[0]
    return warned(
        "kid",
        f"{kid_row.detail}; the header's {names} {'was' if len(carried) == 1 else 'were'} not "
        "used: an id_token SHOULD NOT carry a key or a key's URL, its keys are the issuer's "
        "(OIDC Core §2, §10; RFC 8725 §3.10)",
    )


def _key_check(key: VerificationKey | None, alg: str, kid_row: CheckResult) -> CheckResult:
    if key is None:
        return skipped("key", f"No key to judge ({kid_row.name}: {kid_row.status.value})")
    problem = key_problem(key.jwk, alg)
    if problem is not None:
        return failed("key", problem)
    return passed("key", f"{describe_key(key.jwk)} key fits {alg}")


def _signature_check(
    decoded: DecodedJwt, key: VerificationKey | None, key_row: CheckResult, kid_row: CheckResult
) -> CheckResult:
    if key is None:
        if kid_row.status is CheckStatus.SKIPPED:
            return skipped("signature", kid_row.detail)
        return failed("signature", "No matching key to verify with")
    if key_row.status is not CheckStatus.PASS:
        return failed("signature", "Not verified: the key does not fit the algorithm (see key)")
    # PyJWT (and cryptography under it) loads with the first signature to check: the window
    # and the command line's other commands import this module without needing either.
    import jwt

    alg = str(decoded.header["alg"])
    size = rsa_signature_size(key.jwk) if alg[:2] in ("RS", "PS") else None
    if size is not None and len(decoded.signature) != size:
        return failed(
            "signature",
            f"The signature is {len(decoded.signature)} octets; this key's signatures are "
            f"exactly {size} (RFC 8017 §8.1.2, §8.2.2)",
        )
    try:
        algorithm = jwt.get_algorithm_by_name(alg)
        public_key = algorithm.from_jwk(key.jwk)
        valid = algorithm.verify(decoded.signing_input, public_key, decoded.signature)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        return failed("signature", f"The key could not be used: {exc}")
    return row(
        "signature",
        bool(valid),
        f"Valid {alg} signature by {key.source}",
        "The signature does not match: the token was altered or signed by another key",
    )


def _key_rows(
    decoded: DecodedJwt, algorithm_row: CheckResult, context: VerificationContext
) -> tuple[list[CheckResult], VerificationKey | None]:
    """The kid, key and signature rows, and the key they used (None when none applied)."""
    kid_row, candidates = _find_key(decoded.header, context)
    kid_row = _with_key_carriers(decoded.header, kid_row)
    if algorithm_row.status is not CheckStatus.PASS:
        # No key can apply to a refused algorithm: say so rather than pass the kid lookup.
        why = "Not looked up: the algorithm is refused"
        return [
            skipped("kid", why),
            skipped("key", why),
            failed("signature", "Not verified: the algorithm is refused"),
        ], (candidates[0] if candidates else None)
    alg = str(decoded.header["alg"])
    tried: list[tuple[CheckResult, CheckResult, VerificationKey | None]] = []
    options: list[VerificationKey | None] = [*candidates] if candidates else [None]
    for option in options:
        key_row = _key_check(option, alg, kid_row)
        tried.append((key_row, _signature_check(decoded, option, key_row, kid_row), option))
    key_row, signature_row, used = next(
        (rows for rows in tried if rows[1].status is CheckStatus.PASS), tried[0]
    )
    if len(tried) > 1 and signature_row.status is not CheckStatus.PASS:
        named = f"None of the {len(tried)} keys named {shown_value(decoded.header.get('kid'))}"
        if any(key_row.status is CheckStatus.PASS for key_row, _, _ in tried):
            why = f"{named} verifies it: the token was altered or signed by another key"
        else:  # no signature was tried: the key row says why none fits
            why = f"{named} fits {alg} (the key row says why): nothing could verify it"
        signature_row = failed("signature", why)
    return [kid_row, key_row, signature_row], used


def verdict_changes(decoded: DecodedJwt, leeway_s: int) -> list[datetime]:
    """The moments a verdict on `decoded` changes by itself as time passes: its exp row warns
    (exp reached, within the leeway), then fails (past the leeway); its nbf row is accepted
    within the leeway, then valid. A verdict on show is judged again at each."""
    leeway = timedelta(seconds=leeway_s)
    moments = []
    for claim, shift in (
        ("exp", timedelta(0)),
        ("exp", leeway),
        ("nbf", -leeway),
        ("nbf", timedelta(0)),
    ):
        moment = numeric_date(decoded.claims.get(claim))
        if moment is not None:
            # A moment within the leeway of year 1 or 9999 has no neighbour: none to add.
            with contextlib.suppress(OverflowError):
                moments.append(moment + shift)
    return moments


def verify_id_token(token: str, context: VerificationContext) -> Verification:
    decoded = decode_jwt(token)
    if (
        isinstance(decoded, JwtDecodeError)
        and (readable := readable_despite_signature(token)) is not None
    ):
        # The token does not decode (its signature part), and fails there; its header and
        # claims do, and are shown as they are: nothing can check them without a signature.
        shown, why = readable
        return Verification(shown, (failed("decode", why),), context.now)
    if isinstance(decoded, JwtDecodeError):
        # An encrypted id_token is allowed (OIDC Core §2); this app can't decrypt it, so it
        # is not verified rather than failed.
        judged = skipped if decoded.encrypted else failed
        return Verification(decoded, (judged("decode", decoded.message),), context.now)
    header, claims = decoded.header, decoded.claims
    algorithm_row = _algorithm_check(header, context)
    key_rows, key = _key_rows(decoded, algorithm_row, context)
    rows = [
        passed("decode", _DECODED),
        _crit_check(header),
        _type_check(header),
        algorithm_row,
        *key_rows,
        id_token_claims.issuer_check(claims, context),
        id_token_claims.subject_check(claims, context),
        id_token_claims.audience_check(claims, context),
        id_token_claims.authorized_party_check(claims, context),
        *id_token_claims.time_checks(claims, context),
        id_token_claims.auth_time_check(claims, context),
        id_token_claims.nonce_check(claims, context),
        id_token_claims.access_token_hash_check(header, claims, context),
        *id_token_claims.code_hash_rows(header, claims, context),
        *id_token_claims.sign_in_rows(context),
    ]
    from idconnect_tester.core import second_opinion  # PyJWT: see _signature_check

    opinion = second_opinion.second_opinion(
        token.strip(), key, context, _permitted_algorithms(context), rows, claims.get("exp")
    )
    return Verification(decoded, (*rows, opinion), context.now)
