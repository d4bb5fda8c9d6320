"""The claims rows of id_token verification: OpenID Connect Core §3.1.3.7 (and §2 for what an
id_token must carry), with RFC 7519 for the shape of each claim. One function per row; each
returns a `CheckResult` whose detail says why, citing the rule when it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from idconnect_tester.core.id_token_model import (
    CheckResult,
    CheckStatus,
    VerificationContext,
    failed,
    passed,
    row,
    skipped,
    warned,
)
from idconnect_tester.core.jwt_decode import b64url_encode, describe_seconds, numeric_seconds
from idconnect_tester.core.visible_text import escape_hidden, shown_value
from idconnect_tester.core.wording import clock_time_on, counted

SUB_MAX_LENGTH: Final = 255  # OIDC Core §2: sub "MUST NOT exceed 255 ASCII characters"
_HASH_FOR_ALG_SIZE: Final = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


def _same(value: str, expected: str) -> bool:
    return hmac.compare_digest(value.encode(), expected.encode())


def _as_at_sign_in(
    result: CheckResult, claims: dict[str, Any], context: VerificationContext
) -> CheckResult:
    """`result`, failed when a refreshed id_token's claim differs from the sign-in's: OIDC
    Core §12.2 says its iss, sub, aud and auth_time MUST be the same (another sub is another
    user)."""
    original, name = context.original_claims, result.name
    if original is None or result.status is CheckStatus.FAIL or name not in original:
        return result
    now, then = claims.get(name), original[name]
    if name == "aud":  # the same audiences, as a string or a list
        now, then = (frozenset(_audiences({name: value}) or ()) for value in (now, then))
    if now == then:
        return result
    return failed(
        name,
        f"{name} is {shown_value(claims.get(name))}, but the sign-in's id_token had "
        f"{shown_value(original[name])}: "
        f"a refreshed id_token's {name} MUST be the same (OIDC Core §12.2)"
        + _sign_in_note(context),
    )


def _sign_in_note(context: VerificationContext) -> str:
    """After a difference from the sign-in's id_token: when that one failed its own checks,
    so (a sign-in not to trust can't be made one by refreshing it: a new Get code can)."""
    if not context.original_failed:
        return ""
    return (
        f" — the sign-in's id_token had itself failed its checks "
        f"({', '.join(context.original_failed)}): a new Get code starts a chain to trust"
    )


def sign_in_rows(context: VerificationContext) -> tuple[CheckResult, ...]:
    """For a refreshed id_token whose sign-in's id_token failed its checks when it came: one
    failed row. §12.2 validates a refreshed id_token against the sign-in's claims, which never
    validated; §3.1.3.7 says information that failed to validate MUST NOT be used. Its own rows
    may all pass (the same claims, signed again): the chain is still not one to trust."""
    if context.original_claims is None or not context.original_failed:
        return ()
    return (
        failed(
            "sign-in",
            f"The sign-in's id_token had itself failed its checks "
            f"({', '.join(context.original_failed)}): a refreshed id_token is checked against "
            "its claims (OIDC Core §12.2), which never validated (§3.1.3.7) — a new Get code "
            "starts a chain to trust",
        ),
    )


def _not_compared(name: str, value: str, expectation: str, rule: str) -> CheckResult:
    """A claim the checks could not compare: a warning, not a pass — an id_token is only
    validated once its iss and aud are compared with what is expected."""
    return warned(
        name,
        f"{name} is {value}, not compared: no {expectation} given "
        f"(OIDC Core §3.1.3.7 {rule} requires the comparison)",
    )


def issuer_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    iss = claims.get("iss")
    if iss is None:
        return failed("iss", "The token has no iss claim (OIDC Core §2: REQUIRED)")
    if not isinstance(iss, str) or not iss:
        return failed(
            "iss", f"iss is {shown_value(iss)}: it must be a non-empty string (RFC 7519 §4.1.1)"
        )
    if context.issuer is None:
        result = _not_compared("iss", repr(iss), "issuer", "item 2")
    else:
        result = row(
            "iss",
            _same(iss, context.issuer),
            f"iss is {context.issuer}",
            f"iss is {shown_value(iss)}, expected {shown_value(context.issuer)} "
            "(OIDC Core §3.1.3.7 item 2)",
        )
    return _as_at_sign_in(result, claims, context)


def subject_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if "sub" not in claims:
        return failed("sub", "The token has no sub claim (OIDC Core §2: REQUIRED)")
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub:
        return failed(
            "sub", f"sub is {shown_value(sub)}: it must be a non-empty string (OIDC Core §2)"
        )
    if len(sub) > SUB_MAX_LENGTH or not sub.isascii():
        return failed(
            "sub",
            f"sub is {counted(len(sub), 'character')}{'' if sub.isascii() else ', not all ASCII'}: "
            f"OIDC Core §2 allows at most {SUB_MAX_LENGTH} ASCII characters",
        )
    return _as_at_sign_in(passed("sub", f"sub is {shown_value(sub)}"), claims, context)


def _audiences(claims: dict[str, Any]) -> list[str] | None:
    """`aud` as a list of strings; None when missing or not StringOrURI (RFC 7519 §4.1.3)."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(member, str) for member in aud):
        return aud
    return None


def audience_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    audiences = _audiences(claims)
    if audiences is None:
        found = (
            "aud is missing"
            if "aud" not in claims
            else f"aud is {json.dumps(claims['aud'])}, not a string or a list of strings"
        )
        return failed("aud", f"{found} (OIDC Core §2 requires it; RFC 7519 §4.1.3)")
    client = context.client_id
    if client is None:
        result = _not_compared("aud", repr(claims["aud"]), "client id", "item 3")
    elif client not in audiences:
        result = failed(
            "aud",
            f"aud is {shown_value(claims['aud'])}; it should contain {shown_value(client)} "
            "(OIDC Core §3.1.3.7 item 3)",
        )
    elif others := sorted(set(audiences) - {client}):
        # This app knows of no other audience the client trusts: each one is untrusted.
        result = failed(
            "aud",
            f"aud also lists {', '.join(map(repr, others))}, which this client does not trust: "
            "OIDC Core §3.1.3.7 item 3 says to reject the token",
        )
    else:
        result = passed("aud", f"aud is {client}, this client")
    return _as_at_sign_in(result, claims, context)


def authorized_party_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    """OIDC Core §2 and §3.1.3.7 item 5. azp names the client the token was issued to: another
    client's id means this token was not meant for us. Several audiences without azp leave that
    unsaid, which warns (the aud row fails any audience besides this client anyway). A
    refreshed id_token keeps the sign-in's azp, or its absence (§12.2)."""
    original = context.original_claims
    if original is not None and claims.get("azp") != original.get("azp"):

        def said(claims_of: Mapping[str, Any]) -> str:
            return repr(claims_of["azp"]) if "azp" in claims_of else "none"

        return failed(
            "azp",
            f"azp is {said(claims)}, but the sign-in's id_token had {said(original)}: a "
            "refreshed id_token's azp MUST be the same, and absent if it was (OIDC Core §12.2)"
            + _sign_in_note(context),
        )
    audiences = _audiences(claims) or []
    distinct = list(dict.fromkeys(audiences))  # one audience listed twice is still one
    if "azp" not in claims:
        if len(distinct) > 1:
            # The token's own strings, unquoted (every other row quotes with repr, which
            # escapes them): a bidi override in one would redraw the rest of the row.
            named = escape_hidden(", ".join(distinct))
            return warned(
                "azp",
                f"Several audiences ({named}) and no azp: nothing in the token says which "
                "client it was issued to (OIDC Core §2 defines azp for that)",
            )
        return passed("azp", "No azp; with a single audience none is needed")
    azp = claims["azp"]
    if not isinstance(azp, str):
        return failed("azp", f"azp is {shown_value(azp)}: it must be a string (OIDC Core §2)")
    if context.client_id is None:
        return skipped("azp", f"azp is {shown_value(azp)}; no client id configured to compare with")
    return row(
        "azp",
        _same(azp, context.client_id),
        f"azp is {context.client_id}, this client",
        f"azp is {shown_value(azp)}: the token was issued to another client, not "
        f"{shown_value(context.client_id)} "
        "(OIDC Core §3.1.3.7 item 5)",
    )


def _numeric_time(name: str, claims: dict[str, Any], required: bool) -> CheckResult | float:
    """The claim in seconds, or the row to show when it is absent or not a NumericDate."""
    if name not in claims:
        if required:
            return failed(name, f"The token has no {name} (OIDC Core §2: REQUIRED)")
        return skipped(name, f"The token has no {name}")
    seconds = numeric_seconds(claims[name])
    if seconds is None and _beyond_a_double(claims[name]):
        # A JSON number still, so "not a NumericDate" would be untrue: one too large to read
        # as a time, which RFC 8259 §6 lets a reader refuse and I-JSON tells senders not to send.
        return failed(
            name,
            f"{name} is {_huge(claims[name])}: past the range of a double-precision number "
            "(about ±1.8e308), so it can't be compared as a time (RFC 8259 §6 lets a reader "
            "limit the range of numbers; I-JSON, RFC 7493 §2.2, rules such numbers out)",
        )
    if seconds is None:
        return failed(
            name,
            f"{name} is not a NumericDate: {shown_value(claims[name])} "
            "(RFC 7519 §2: a JSON number)",
        )
    return seconds


def _beyond_a_double(value: Any) -> bool:
    """A JSON number a double can't hold: an integer past its range, or a literal such as
    1e400 that Python's JSON reader turns into infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return numeric_seconds(value) is None


def _huge(value: int | float) -> str:
    """`a number of 401 digits`: a row can't show the number itself (a float read from 1e400
    is infinity: the digits it had are gone)."""
    if isinstance(value, float):
        return f"a number that reads as {'minus ' if value < 0 else ''}infinity"
    sign = "a negative number" if value < 0 else "a number"
    return f"{sign} of {counted(len(str(abs(value))), 'digit')}"


def time_checks(claims: dict[str, Any], context: VerificationContext) -> list[CheckResult]:
    """exp, iat and nbf, compared as numbers (RFC 7519 §2): a date past year 9999 is still a
    NumericDate, only not one a calendar here can show."""
    leeway = context.leeway_s
    now = context.now.timestamp()
    exp = _numeric_time("exp", claims, required=True)
    iat = _numeric_time("iat", claims, required=True)
    nbf = _numeric_time("nbf", claims, required=False)
    issued = None if isinstance(iat, CheckResult) else iat
    return [
        exp if isinstance(exp, CheckResult) else _expiry_row(exp, issued, now, leeway),
        iat if isinstance(iat, CheckResult) else _issued_at_row(iat, now, context),
        nbf if isinstance(nbf, CheckResult) else _not_before_row(nbf, now, leeway),
    ]


def _not_before_row(nbf: float, now: float, leeway: int) -> CheckResult:
    if now + leeway < nbf:  # RFC 7519 §4.1.5: now may equal nbf
        return failed("nbf", f"Not valid before {describe_seconds(nbf)} (leeway {leeway} s)")
    if now < nbf:
        # Accepted by the leeway RFC 7519 §4.1.5 allows for clock skew, but not yet valid by
        # the token's own word: never "valid since" a moment still to come.
        return passed(
            "nbf",
            f"Valid from {describe_seconds(nbf)}, not yet by this machine's clock; accepted "
            f"within the {leeway} s leeway for clock skew",
        )
    return passed("nbf", f"Valid since {describe_seconds(nbf)}")


def _expiry_row(exp: float, iat: float | None, now: float, leeway: int) -> CheckResult:
    if now < exp + leeway and iat is not None and exp <= iat:
        # Within the leeway RFC 7519 §4.1.4 allows, as the standard's libraries accept it —
        # but by its issuer's own clock it expired when it was issued, which no clock skew
        # explains: never a plain pass.
        return warned(
            "exp",
            f"Expires {describe_seconds(exp)}, no later than it was issued "
            f"({describe_seconds(iat)}): by its issuer's own clock it was never valid; "
            f"accepted only within the {leeway} s leeway for clock skew",
        )
    if now >= exp + leeway:  # RFC 7519 §4.1.4: now must be *before* exp
        return failed("exp", f"Expired {describe_seconds(exp)} (leeway {leeway} s)")
    if now >= exp:
        # Accepted by the leeway RFC 7519 §4.1.4 allows for clock skew, but expired by the
        # token's own word: said, so that "Verified" never stands beside a countdown at zero.
        return warned(
            "exp",
            f"Expired {describe_seconds(exp)}; accepted within the {leeway} s leeway for "
            "clock skew, no longer after it",
        )
    return passed("exp", f"Expires {describe_seconds(exp)} (leeway {leeway} s)")


def _issued_at_row(iat: float, now: float, context: VerificationContext) -> CheckResult:
    if iat > now + context.leeway_s:
        return failed("iat", f"Issued in the future, {describe_seconds(iat)}: check the clocks")
    original = context.original_claims
    then = numeric_seconds(original.get("iat")) if original is not None else None
    if then is not None and iat < then:
        # OIDC Core §12.2: a refreshed id_token's iat "MUST represent the time that the new
        # ID Token is issued" — never before the token it follows.
        return failed(
            "iat",
            f"Issued {describe_seconds(iat)}, before the sign-in's id_token "
            f"({describe_seconds(then)}): a refreshed id_token's iat MUST be when it was "
            "issued (OIDC Core §12.2)" + _sign_in_note(context),
        )
    requested = context.requested_at
    if requested is not None and iat < requested.timestamp() - context.leeway_s:
        # OIDC Core §3.1.3.7 item 10 leaves to the client how old an iat may be: this one
        # predates the request it answered, which no honest issuer with a right clock does.
        return warned(
            "iat",
            f"Issued {describe_seconds(iat)}, before its request was sent "
            f"({clock_time_on(requested, context.now)} local, leeway {context.leeway_s} s): "
            "kept and replayed, or the issuer's clock is behind (OIDC Core §3.1.3.7)",
        )
    return passed("iat", f"Issued {describe_seconds(iat)}")


def auth_time_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    """OIDC Core §2: when present, auth_time is a NumericDate (it is REQUIRED only when
    max_age or the auth_time claim was requested, which this app never does)."""
    auth_time = _numeric_time("auth_time", claims, required=False)
    if isinstance(auth_time, CheckResult):
        return auth_time
    if auth_time > context.now.timestamp() + context.leeway_s:
        # Nothing requires the check without max_age (which this app never sends), but a
        # sign-in that has not happened yet says the issuer's clock, or the claim, is wrong.
        result = warned(
            "auth_time",
            f"The sign-in time is in the future, {describe_seconds(auth_time)}: check the clocks",
        )
    else:
        result = passed("auth_time", f"Signed in {describe_seconds(auth_time)}")
    return _as_at_sign_in(result, claims, context)


def nonce_check(claims: dict[str, Any], context: VerificationContext) -> CheckResult:
    if context.original_claims is not None:
        result = _refreshed_nonce_check(claims, context.original_claims)
        if result.status is CheckStatus.FAIL and context.original_failed:
            return failed("nonce", result.detail + _sign_in_note(context))
        return result
    if context.authorization_response is not None and claims.get("nonce") is None:
        # The implicit and hybrid flows return the id_token in the redirect, where a token
        # stolen from another one could be put: its nonce is what ties it to this request.
        return failed(
            "nonce",
            "The token has no nonce: an id_token from the authorization endpoint (a redirect "
            "URL) MUST carry the one sent to authorize (OIDC Core §3.2.2.11, §3.3.2.12)",
        )
    if context.nonce is None:
        # The window knows the nonce of its own Get code; the command line takes --nonce.
        return skipped("nonce", "No nonce to compare with: none known from an authorize step")
    nonce = claims.get("nonce")
    if nonce is None:
        return failed("nonce", "A nonce was sent but the token has none")
    return row(
        "nonce",
        isinstance(nonce, str) and _same(nonce, context.nonce),
        "nonce matches the one sent to authorize",
        # Both values, as the aud row gives both (tryout AI): which authorize step the token
        # is from is found by its nonce.
        f"nonce {shown_value(nonce)} differs from the {shown_value(context.nonce)} sent to "
        "authorize (replayed token?)",
    )


def _refreshed_nonce_check(claims: dict[str, Any], original: Mapping[str, Any]) -> CheckResult:
    """OIDC Core §12.2: a refreshed id_token SHOULD NOT have a nonce; one it has MUST be the
    sign-in's."""
    if "nonce" not in claims:
        return passed("nonce", "No nonce, as a refreshed id_token should (OIDC Core §12.2)")
    nonce, expected = claims["nonce"], original.get("nonce")
    if not isinstance(expected, str):
        return failed(
            "nonce", "The sign-in's id_token had no nonce, this refreshed one has (OIDC Core §12.2)"
        )
    return row(
        "nonce",
        isinstance(nonce, str) and _same(nonce, expected),
        "nonce is the sign-in's, as a refreshed id_token's must be (OIDC Core §12.2)",
        "nonce differs from the sign-in's id_token: a refreshed id_token's MUST be the same "
        "(OIDC Core §12.2)",
    )


def _left_half_hash(text: str, alg: str) -> str | None:
    """base64url of the left-most half of the hash of `text`'s ASCII octets, with the hash of
    the id_token's `alg` (SHA-256 for RS256 …); None for an algorithm without such a hash."""
    hash_function = _HASH_FOR_ALG_SIZE.get(alg[-3:])
    if hash_function is None or alg[:2] not in ("RS", "PS", "ES", "HS"):
        return None
    digest = hash_function(text.encode("ascii")).digest()
    return b64url_encode(digest[: len(digest) // 2])


def access_token_hash(access_token: str, alg: str) -> str | None:
    """The at_hash of an access token (OIDC Core §3.1.3.6), or None for an algorithm without
    such a hash."""
    return _left_half_hash(access_token, alg)


def code_hash(code: str, alg: str) -> str | None:
    """The c_hash of an authorization code (OIDC Core §3.3.2.11): the same hash, of the code."""
    return _left_half_hash(code, alg)


@dataclass(frozen=True)
class _Bound:
    """What a hash claim binds the id_token to, in a row's words."""

    claim: str  # at_hash, c_hash
    value: str  # the access token or code that came with the id_token
    noun: str  # "access token"
    what: str  # "the access token of the same response"
    charset: str  # where its characters are defined: "RFC 6749 Appendix A.12"
    defined: str  # where the claim is defined: "§3.1.3.6"
    rule: str  # where the claim must match: "OIDC Core §3.1.3.8, §3.2.2.9"


def _hash_row(header: dict[str, Any], claimed: object, bound: _Bound) -> CheckResult:
    """The row for a hash claim present in the token, compared with what it binds."""
    name = bound.claim
    if not isinstance(claimed, str):
        return failed(name, f"{name} is {shown_value(claimed)}: it must be a string")
    if not bound.value.isascii():
        return failed(
            name,
            f"The {bound.noun} is not ASCII ({bound.charset}), so no {name} can match it "
            f"(OIDC Core {bound.defined} hashes its ASCII octets)",
        )
    alg = header.get("alg")
    expected = _left_half_hash(bound.value, alg) if isinstance(alg, str) else None
    if expected is None:
        return failed(name, f"{name} can't be computed for alg {shown_value(alg)}")
    return row(
        name,
        _same(claimed, expected),
        f"{name} matches {bound.what}",
        f"{name} does not match {bound.what}: the two were not issued together ({bound.rule})",
    )


def access_token_hash_check(
    header: dict[str, Any], claims: dict[str, Any], context: VerificationContext
) -> CheckResult:
    access_token = context.access_token_beside()
    in_redirect = context.authorization_response is not None
    if "at_hash" not in claims:
        if in_redirect and access_token is not None:
            return failed(
                "at_hash",
                "The token has no at_hash, though an access token came beside it in the "
                "redirect: an id_token issued with one by the authorization endpoint MUST carry "
                "it (OIDC Core §3.2.2.10, §3.3.2.11)",
            )
        optional = "without an access token beside it" if in_redirect else "in the code flow"
        return skipped("at_hash", f"The token has no at_hash (optional {optional})")
    if access_token is None:
        if not isinstance(claims["at_hash"], str):
            return failed(
                "at_hash", f"at_hash is {shown_value(claims['at_hash'])}: it must be a string"
            )
        return skipped("at_hash", "No access token from the same response to compare with")
    bound = _Bound(
        "at_hash",
        access_token,
        "access token",
        "the access token of the same response",
        "RFC 6749 Appendix A.12",
        "§3.1.3.6",
        "OIDC Core §3.1.3.8, §3.2.2.9",
    )
    return _hash_row(header, claims["at_hash"], bound)


def code_hash_rows(
    header: dict[str, Any], claims: dict[str, Any], context: VerificationContext
) -> tuple[CheckResult, ...]:
    """The c_hash row of an id_token that came in a redirect (the hybrid flow): REQUIRED when a
    code came beside it, and compared with that code (OIDC Core §3.3.2.10–11). None for an
    id_token from the token endpoint: its code was sent there, not issued beside it."""
    response = context.authorization_response
    if response is None:
        return ()
    code = response.get("code")
    if code is None:
        if "c_hash" not in claims:
            return ()
        return (skipped("c_hash", "No code beside the token in the redirect to compare with"),)
    if "c_hash" not in claims:
        return (
            failed(
                "c_hash",
                "The token has no c_hash, though a code came beside it in the redirect: an "
                "id_token issued with one by the authorization endpoint MUST carry it (OIDC "
                "Core §3.3.2.11)",
            ),
        )
    bound = _Bound(
        "c_hash",
        code,
        "code",
        "the code beside it in the redirect",
        "RFC 6749 Appendix A.11",
        "§3.3.2.11",
        "OIDC Core §3.3.2.10",
    )
    return (_hash_row(header, claims["c_hash"], bound),)
