"""id_token checks to the letter of OIDC Core §3.1.3.7 and RFC 7515/7518/7519/8725: a fixed table
of crafted tokens, each signed by keys made here and served from a local discovery document and
JWKS over real HTTP. Every case is one way a token must be refused (or, for a SHOULD of the
standard, warned about), and where the standards leave no choice the independent libraries
(tests/support/oracles.py) must refuse it too. tests/core/test_id_token_differential.py runs the
generated cases."""

from __future__ import annotations

import base64
import dataclasses
import json
import string
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from tests.support.local_issuer import LocalIssuer, SigningKey, local_issuer, sign
from tests.support.oracles import Expectations, app_verification, independent_verdict

from idconnect_tester.core.id_token_checks import (
    ALLOWED_ALGORITHMS,
    CheckStatus,
    Verdict,
    Verification,
    VerificationContext,
    VerificationKey,
    verify_id_token,
)
from idconnect_tester.core.id_token_claims import access_token_hash, code_hash
from idconnect_tester.core.id_token_model import SECOND_OPINION_ROW
from idconnect_tester.core.jwt_decode import b64url_encode, claims_text

NOW = int(datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp())
CLIENT = "client-1"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "act-SlAV32hkKG"


@dataclasses.dataclass(frozen=True)
class Keys:
    rsa: SigningKey
    rsa_short: SigningKey
    p256: SigningKey
    p384: SigningKey


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        rsa=SigningKey("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        rsa_short=SigningKey(
            # a short key is the point: the app must refuse it (RFC 7518 §3.3)
            "rsa-short",
            rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
        ),
        p256=SigningKey("p256", ec.generate_private_key(ec.SECP256R1())),
        p384=SigningKey("p384", ec.generate_private_key(ec.SECP384R1())),
    )


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with local_issuer() as running:
        yield running


def claims(issuer: LocalIssuer, **changes: object) -> dict[str, object]:
    """Good claims for `issuer`; a change of None removes the claim."""
    base: dict[str, object] = {
        "iss": issuer.issuer,
        "sub": "user-1",
        "aud": CLIENT,
        "iat": NOW - 10,
        "exp": NOW + 600,
        "nonce": NONCE,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def expectations(issuer: LocalIssuer, access_token: str | None = None) -> Expectations:
    return Expectations(issuer.issuer, CLIENT, NONCE, access_token, NOW)


def discovery_algorithms(issuer: LocalIssuer) -> set[str]:
    named = issuer.discovery().get("id_token_signing_alg_values_supported") or ["RS256"]
    return set(named) & ALLOWED_ALGORITHMS


def statuses(verification: Verification) -> dict[str, CheckStatus]:
    return {row.name: row.status for row in verification.checks}


# --- the good token, so every refusal below is for the one thing each case changes ------------


def test_a_good_token_is_verified_by_the_app_and_the_oracle(issuer, keys) -> None:
    issuer.publish(keys.rsa.public_jwk(alg="RS256"), keys.p256.public_jwk(), algorithms=["RS256"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer), "RS256")
    verification = app_verification(token, expectations(issuer))
    assert verification.verdict is Verdict.VERIFIED, verification.summary()
    assert statuses(verification)["second-opinion"] is CheckStatus.PASS
    oracle = independent_verdict(token, issuer.jwks, {"RS256"}, expectations(issuer))
    assert oracle.accepted, oracle.reason


# --- what the comparison with jwcrypto and authlib found: the app accepted each of these -------

Case = Callable[[LocalIssuer, Keys], str]


def no_sub(issuer: LocalIssuer, keys: Keys) -> str:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    return sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer, sub=None), "RS256")


def unknown_crit(issuer: LocalIssuer, keys: Keys) -> str:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    header = {"alg": "RS256", "kid": "rsa", "crit": ["exp-policy"], "exp-policy": "strict"}
    return sign(keys.rsa, header, claims(issuer), "RS256")


def signature_outside_base64url(issuer: LocalIssuer, keys: Keys) -> str:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer), "RS256")
    head, body, signature = token.split(".")
    # Four junk characters keep the length a multiple of 4: a lenient decoder skips them and
    # finds the very same signature.
    return f"{head}.{body}.{signature[:10]}!!!!{signature[10:]}"


def algorithm_not_in_discovery(issuer: LocalIssuer, keys: Keys) -> str:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    return sign(keys.rsa, {"alg": "RS512", "kid": "rsa"}, claims(issuer), "RS512")


def es256_with_a_p384_key(issuer: LocalIssuer, keys: Keys) -> str:
    issuer.publish(keys.p384.public_jwk(), algorithms=["RS256", "ES256", "ES384"])
    return sign(keys.p384, {"alg": "ES256", "kid": "p384"}, claims(issuer), "ES256")


def foreign_azp(issuer: LocalIssuer, keys: Keys) -> str:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    changed = claims(issuer, aud=[CLIENT], azp="another-client")
    return sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, changed, "RS256")


@pytest.mark.parametrize(
    ("case", "row"),
    [
        (no_sub, "sub"),
        (unknown_crit, "crit"),
        (signature_outside_base64url, "decode"),
        (algorithm_not_in_discovery, "algorithm"),
        (es256_with_a_p384_key, "key"),
        (foreign_azp, "azp"),
    ],
)
def test_found_cases_fail_like_the_independent_libraries(
    issuer: LocalIssuer, keys: Keys, case: Case, row: str
) -> None:
    token = case(issuer, keys)
    verification = app_verification(token, expectations(issuer))
    assert verification.verdict is Verdict.FAILED, verification.summary()
    assert statuses(verification)[row] is CheckStatus.FAIL, verification.checks
    oracle = independent_verdict(
        token, issuer.jwks, discovery_algorithms(issuer), expectations(issuer)
    )
    assert not oracle.accepted
    # The second opinion agrees: PyJWT refuses it too (or no key applied at all).
    assert statuses(verification).get("second-opinion") in (
        None,
        CheckStatus.PASS,
        CheckStatus.SKIPPED,
    )
    opinion = verification.row("second-opinion")
    if opinion is not None and opinion.status is CheckStatus.PASS:
        # "pass" is agreement on the failure, said so beside the green tick; for a check
        # PyJWT does not make, it has no opinion (skipped), not an agreement.
        assert opinion.detail.startswith("Agrees it fails"), opinion.detail


def test_without_any_key_source_a_forged_token_is_not_verified(issuer, keys) -> None:
    forger = SigningKey("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    token = sign(forger, {"alg": "RS256", "kid": "rsa"}, claims(issuer), "RS256")
    context = VerificationContext(
        now=datetime.fromtimestamp(NOW, UTC), issuer=issuer.issuer, client_id=CLIENT, nonce=NONCE
    )
    verification = verify_id_token(token, context)
    assert verification.verdict is Verdict.NOT_VERIFIED
    assert statuses(verification)["signature"] is CheckStatus.SKIPPED
    assert verification.summary().startswith("NOT VERIFIED")
    assert "passed" not in verification.summary()


# --- more of the letter: each row's rule, and where the standards leave a choice ----------------


def unsigned(header: dict[str, object], payload: dict[str, object]) -> str:
    encoded = (b64url_encode(json.dumps(part).encode()) for part in (header, payload))
    return ".".join(encoded) + "."


def test_alg_none_passes_no_key_row(issuer, keys) -> None:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = unsigned({"alg": "none"}, claims(issuer))
    found = statuses(app_verification(token, expectations(issuer)))
    assert found["algorithm"] is CheckStatus.FAIL
    # The only key in the set can't apply to an unsigned token: nothing key-related passes.
    assert found["kid"] is CheckStatus.SKIPPED and found["key"] is CheckStatus.SKIPPED
    assert found["signature"] is CheckStatus.FAIL


def test_claims_that_match_prove_nothing_without_a_verified_signature(issuer, keys) -> None:
    """Tryout AI: an alg none token's iss, aud, exp… read as passes under its red verdict.
    What they compared anyone could have written (RFC 7519 §7.2: the signature comes first):
    they are unproven. The same claims, signed, are proven; a claim that fails still fails."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    forged = app_verification(unsigned({"alg": "none"}, claims(issuer)), expectations(issuer))
    assert {"iss", "sub", "aud", "exp", "iat", "nonce"} <= forged.unproven
    assert not forged.unproven & {"decode", "crit", "typ", "signature", SECOND_OPINION_ROW}
    assert all(statuses(forged)[name] is CheckStatus.PASS for name in forged.unproven)
    signed = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer), "RS256")
    assert app_verification(signed, expectations(issuer)).unproven == frozenset()
    wrong_audience = unsigned({"alg": "none"}, {**claims(issuer), "aud": "another-client"})
    verification = app_verification(wrong_audience, expectations(issuer))
    assert "aud" not in verification.unproven and "aud" in verification.failed


@pytest.mark.parametrize("alg", ["None", "NONE", "rs256", "Rs256", "hs256"])
def test_an_algorithm_name_in_another_case_is_no_algorithm(issuer, keys, alg: str) -> None:
    """Names are case-sensitive (RFC 7515 §4.1.1): "None" is neither alg none nor any other
    algorithm. It fails — as the independent library says too — and the row quotes the header
    as it is, not as "alg is none" or an HMAC."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    header: dict[str, object] = {"alg": alg, "kid": "rsa"}
    token = (
        unsigned(header, claims(issuer))
        if alg.lower() == "none"
        else sign(keys.rsa, {**header, "alg": "RS256"}, claims(issuer), "RS256")
    )
    if alg.lower() != "none":  # the same signature, under a header that names another alg
        _, payload, signature = token.split(".")
        token = ".".join((b64url_encode(json.dumps(header).encode()), payload, signature))
    verification = app_verification(token, expectations(issuer))
    row = verification.row("algorithm")
    assert row is not None and row.status is CheckStatus.FAIL
    assert row.detail.startswith(f"{alg} is not") and "case-sensitive" in row.detail
    assert "unsigned" not in row.detail and "HMAC" not in row.detail
    assert verification.verdict is Verdict.FAILED
    oracle = independent_verdict(
        token, issuer.jwks, discovery_algorithms(issuer), expectations(issuer)
    )
    assert not oracle.accepted


@pytest.mark.parametrize(
    ("crit", "fragment"),
    [
        ([], "non-empty list"),
        ("exp-policy", "non-empty list"),
        ([7], "non-empty list"),
        (["alg"], "standard parameters"),
        (["exp-policy", "missing"], "the header lacks"),
        # RFC 7797's b64: jwcrypto and PyJWT understand it, this app doesn't (an id_token never
        # has a detached payload), so as RFC 7515 §4.1.11 says, it refuses.
        (["b64"], "doesn't"),
    ],
)
def test_crit_must_be_a_list_of_understood_extensions(issuer, keys, crit, fragment) -> None:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    header = {"alg": "RS256", "kid": "rsa", "crit": crit, "exp-policy": 1, "b64": True}
    token = sign(keys.rsa, header, claims(issuer), "RS256")
    verification = app_verification(token, expectations(issuer))
    crit_row = verification.row("crit")
    assert crit_row is not None and crit_row.status is CheckStatus.FAIL
    assert fragment in crit_row.detail


@pytest.mark.parametrize("crit", [None, ["b64"]], ids=["b64 not in crit", "b64 in crit"])
def test_an_unencoded_payload_is_refused_on_the_crit_row(issuer, keys, crit) -> None:
    """RFC 7797 §7: a JWT MUST NOT use "b64": false; §6 makes b64 critical, so that a reader
    that doesn't know it refuses the token. Left out of crit, every row passed such a token and
    only the second opinion (PyJWT, which knows b64) refused it, as "a check here missed
    something"."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    header: dict[str, object] = {"alg": "RS256", "kid": "rsa", "b64": False}
    if crit is not None:
        header["crit"] = crit
    token = sign(keys.rsa, header, claims(issuer), "RS256")
    verification = app_verification(token, expectations(issuer))
    assert verification.failed == ["crit"], verification.summary()
    crit_row = verification.row("crit")
    assert crit_row is not None and "RFC 7797 §7" in crit_row.detail
    assert ("crit doesn't list b64" in crit_row.detail) is (crit is None), crit_row.detail
    opinion = verification.row("second-opinion")
    assert opinion is not None, verification.checks
    assert opinion.detail.startswith("Agrees it fails"), opinion.detail
    oracle = independent_verdict(token, issuer.jwks, {"RS256"}, expectations(issuer))
    assert not oracle.accepted


@pytest.mark.parametrize(
    ("mangle", "fragment"),
    [
        (lambda s: s + "=", "= padding"),
        (lambda s: s[:5] + " " + s[5:], "outside base64url"),
        (lambda s: s[:5] + "\n" + s[5:], "outside base64url"),
        (lambda s: s[:5] + "+" + s[5:], "outside base64url (+)"),
        (lambda s: s[:5] + "é" + s[5:], "outside base64url"),
    ],
)
@pytest.mark.parametrize("segment", [0, 1, 2])
def test_every_segment_is_strict_base64url(issuer, keys, mangle, fragment, segment) -> None:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    parts = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer), "RS256").split(".")
    parts[segment] = mangle(parts[segment])
    verification = app_verification(".".join(parts), expectations(issuer))
    assert verification.verdict is Verdict.FAILED
    decode = verification.row("decode")
    assert decode is not None and decode.status is CheckStatus.FAIL and fragment in decode.detail


def test_a_segment_must_be_the_canonical_encoding(issuer, keys) -> None:
    # A header of 3n+1 bytes ends in a character carrying 4 unused bits, which must be zero
    # (RFC 4648 §3.5); setting one gives other text for the same bytes — a second token with
    # the same signature.
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    header = {"alg": "RS256", "kid": "rsa", "typ": "JWT"}
    while len(json.dumps(header)) % 3 != 1:
        header["typ"] += " "
    token = sign(keys.rsa, header, claims(issuer), "RS256")
    assert app_verification(token, expectations(issuer)).verdict is Verdict.VERIFIED
    head, rest = token.split(".", 1)
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    stray = alphabet[alphabet.index(head[-1]) | 1]
    verification = app_verification(f"{head[:-1]}{stray}.{rest}", expectations(issuer))
    decode = verification.row("decode")
    assert decode is not None and decode.status is CheckStatus.FAIL
    assert "canonical" in decode.detail


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        # RFC 7519 §4 lets a parser take the last duplicate or refuse; this app refuses (jwcrypto
        # and authlib take the last one: the standards leave the choice).
        (b'{"sub": "user-1", "sub": "admin"}', "duplicate member names ('sub')"),
        (b'{"exp": NaN}', "not a JSON number"),
        (b'["a list"]', "not an object"),
    ],
)
def test_the_claims_must_be_one_json_object(issuer, keys, payload, fragment) -> None:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, payload, "RS256")
    decode = app_verification(token, expectations(issuer)).row("decode")
    assert decode is not None and decode.status is CheckStatus.FAIL and fragment in decode.detail


def published(key: SigningKey, **changes: object) -> Callable[[LocalIssuer], None]:
    def publish(issuer: LocalIssuer) -> None:
        issuer.publish(key.public_jwk(**changes), algorithms=sorted(ALLOWED_ALGORITHMS))

    return publish


@pytest.mark.parametrize(
    ("key_name", "alg", "changes", "fragment", "oracle_refuses"),
    [
        ("rsa", "RS256", {"use": "signature"}, "not for signatures", True),
        ("rsa", "RS256", {"key_ops": ["encrypt"]}, "do not include verify", True),
        ("p256", "ES256", {"crv": "P-384", "x": None, "y": None}, "curve", True),
        ("p256", "RS256", {}, "needs an RSA key", True),
        # A key's own alg (RFC 7517 §4.4) and RSA's 2048-bit floor (RFC 7518 §3.3) bind the
        # issuer; jwcrypto doesn't enforce them on verification, PyJWT and this app do.
        ("rsa", "PS256", {"alg": "RS256"}, "the key is for RS256", False),
        ("rsa_short", "RS256", {}, "1024 bits", False),
    ],
)
def test_the_key_must_fit_the_algorithm(
    issuer, keys, key_name, alg, changes, fragment, oracle_refuses
) -> None:
    key: SigningKey = getattr(keys, key_name)
    published(key, **changes)(issuer)
    signer = keys.rsa if alg.startswith(("RS", "PS")) and key_name == "p256" else key
    token = sign(signer, {"alg": alg, "kid": key.kid}, claims(issuer), alg)
    verification = app_verification(token, expectations(issuer))
    key_row = verification.row("key")
    assert verification.verdict is Verdict.FAILED
    assert key_row is not None and key_row.status is CheckStatus.FAIL
    assert fragment.lower() in key_row.detail.lower(), key_row.detail
    oracle = independent_verdict(token, issuer.jwks, ALLOWED_ALGORITHMS, expectations(issuer))
    assert oracle.accepted is not oracle_refuses, oracle.reason


@pytest.mark.parametrize("carrier", ["jwk", "jku", "x5c", "x5u"])
def test_a_key_the_header_brings_is_never_used_and_is_warned_of(issuer, keys, carrier) -> None:
    """OIDC Core §2: id_tokens SHOULD NOT carry jwk, jku, x5c or x5u — their keys are known in
    advance (§10) — and RFC 8725 §3.10 says not to trust them. The app never used them, but
    said nothing: the kid row now warns. A forger's token signed by the key it carries still
    fails on its signature."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    forger = SigningKey("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    carried = {
        "jwk": forger.public_jwk(),
        "jku": "https://attacker.test/jwks.json",
        "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],
        "x5u": "https://attacker.test/chain.pem",
    }[carrier]
    header = {"alg": "RS256", "kid": "rsa", carrier: carried}
    genuine = sign(keys.rsa, header, claims(issuer), "RS256")
    verification = app_verification(genuine, expectations(issuer))
    assert verification.verdict is Verdict.VERIFIED, verification.summary()
    kid = verification.row("kid")
    assert kid is not None and kid.status is CheckStatus.WARN, kid
    assert f"the header's {carrier} was not used" in kid.detail and "OIDC Core §2" in kid.detail
    assert 'Warning – kid: "rsa" found in JWKS' in verification.summary()
    assert independent_verdict(genuine, issuer.jwks, {"RS256"}, expectations(issuer)).accepted
    forged = sign(forger, header, claims(issuer), "RS256")
    refused = app_verification(forged, expectations(issuer))
    assert refused.verdict is Verdict.FAILED and refused.failed == ["signature"], refused.checks
    assert not independent_verdict(forged, issuer.jwks, {"RS256"}, expectations(issuer)).accepted


def test_algorithms_follow_discovery_and_its_default(issuer, keys) -> None:
    token = sign(keys.p256, {"alg": "ES256", "kid": "p256"}, claims(issuer), "ES256")
    issuer.publish(keys.p256.public_jwk(), algorithms=["ES256"])
    assert app_verification(token, expectations(issuer)).verdict is Verdict.VERIFIED
    issuer.publish(keys.p256.public_jwk(), algorithms=None)  # the document names none: RS256
    refused = app_verification(token, expectations(issuer))
    algorithm = refused.row("algorithm")
    assert algorithm is not None and algorithm.status is CheckStatus.FAIL
    assert "default" in algorithm.detail
    issuer.publish(keys.p256.public_jwk(), algorithms=["HS256", "none"])  # nothing it may use
    assert app_verification(token, expectations(issuer)).verdict is Verdict.FAILED
    # An empty list names nothing either: RS256, which Discovery §3 says the OP MUST support —
    # and the row says the list is empty, not that the document has none.
    issuer.publish(keys.p256.public_jwk(), algorithms=[])
    empty = app_verification(token, expectations(issuer)).row("algorithm")
    assert empty is not None and empty.status is CheckStatus.FAIL
    assert "id_token_signing_alg_values_supported is empty" in empty.detail, empty.detail


def test_pasted_keys_allow_any_asymmetric_algorithm_that_fits_and_say_so(keys) -> None:
    token = sign(
        keys.p384,
        {"alg": "ES384", "kid": "p384"},
        {"iss": "https://issuer.test/", "sub": "u", "aud": "c", "iat": NOW, "exp": NOW + 60},
        "ES384",
    )
    context = VerificationContext(
        now=datetime.fromtimestamp(NOW, UTC),
        issuer="https://issuer.test/",
        client_id="c",
        keys=[VerificationKey(keys.p384.public_jwk(), "pasted JWK")],
    )
    verification = verify_id_token(token, context)
    assert verification.verdict is Verdict.VERIFIED, verification.summary()
    algorithm = verification.row("algorithm")
    assert algorithm is not None and "no discovery document" in algorithm.detail


def test_an_audience_besides_the_client_fails_even_with_azp(issuer, keys) -> None:
    """OIDC Core §3.1.3.7 item 3: reject audiences the client doesn't trust (it trusts none
    but itself). Without azp the azp row warns too (item 4, a SHOULD)."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    changed = claims(issuer, aud=[CLIENT, "another-client"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, changed, "RS256")
    verification = app_verification(token, expectations(issuer))
    assert verification.verdict is Verdict.FAILED and verification.failed == ["aud"]
    aud = verification.row("aud")
    assert aud is not None and "another-client" in aud.detail
    assert "azp" in [w.name for w in verification.warnings]
    with_azp = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, {**changed, "azp": CLIENT}, "RS256")
    assert app_verification(with_azp, expectations(issuer)).failed == ["aud"]
    twice = sign(
        keys.rsa, {"alg": "RS256", "kid": "rsa"}, {**changed, "aud": [CLIENT] * 2}, "RS256"
    )
    assert app_verification(twice, expectations(issuer)).verdict is Verdict.VERIFIED


@pytest.mark.parametrize("alg", ["RS256", "ES384"])
def test_at_hash_is_checked_against_the_access_token(issuer, keys, alg) -> None:
    key = keys.rsa if alg == "RS256" else keys.p384
    issuer.publish(key.public_jwk(), algorithms=[alg])
    at_hash = access_token_hash(ACCESS_TOKEN, alg)
    token = sign(key, {"alg": alg, "kid": key.kid}, claims(issuer, at_hash=at_hash), alg)
    expect = expectations(issuer, access_token=ACCESS_TOKEN)
    good = app_verification(token, expect)
    assert good.verdict is Verdict.VERIFIED, good.summary()
    assert statuses(good)["at_hash"] is CheckStatus.PASS
    assert independent_verdict(token, issuer.jwks, {alg}, expect).accepted

    other = dataclasses.replace(expect, access_token="act-from-another-response")
    bad = app_verification(token, other)
    assert statuses(bad)["at_hash"] is CheckStatus.FAIL and bad.verdict is Verdict.FAILED
    assert not independent_verdict(token, issuer.jwks, {alg}, other).accepted

    unknown = app_verification(token, dataclasses.replace(expect, access_token=None))
    assert statuses(unknown)["at_hash"] is CheckStatus.SKIPPED


CODE = "SplxlOBeZQQYbYS6WxSbIA"


@pytest.mark.parametrize(
    ("beside", "changes", "failing"),
    [
        # response_type=id_token: nothing beside it to bind; the nonce is still required.
        ({"state": "s"}, {}, []),
        # id_token token: at_hash REQUIRED, and it must be the access token's (§3.2.2.9–10).
        ({"access_token": ACCESS_TOKEN}, {"at_hash": "right"}, []),
        ({"access_token": ACCESS_TOKEN}, {}, ["at_hash"]),
        ({"access_token": ACCESS_TOKEN}, {"at_hash": "another"}, ["at_hash"]),
        # code id_token: c_hash REQUIRED, and it must be the code's (§3.3.2.10–11).
        ({"code": CODE}, {"c_hash": "right"}, []),
        ({"code": CODE}, {}, ["c_hash"]),
        ({"code": CODE}, {"c_hash": "another"}, ["c_hash"]),
        # code id_token token: both.
        ({"code": CODE, "access_token": ACCESS_TOKEN}, {"c_hash": "right", "at_hash": "right"}, []),
        ({"code": CODE, "access_token": ACCESS_TOKEN}, {"c_hash": "right"}, ["at_hash"]),
    ],
    ids=[
        "id_token",
        "id_token token",
        "id_token token, no at_hash",
        "id_token token, another at_hash",
        "code id_token",
        "code id_token, no c_hash",
        "code id_token, another c_hash",
        "code id_token token",
        "code id_token token, no at_hash",
    ],
)
def test_an_id_token_from_a_redirect_is_bound_to_the_code_and_access_token_beside_it(
    issuer, keys, beside, changes, failing
) -> None:
    """The implicit and hybrid flows return the id_token in the redirect, beside a code or an
    access token; OIDC Core §3.2.2.10 and §3.3.2.11 make at_hash and c_hash REQUIRED then, and
    §3.2.2.9 and §3.3.2.10 say they must match. A pasted redirect URL's id_token was checked as
    if from the token endpoint: at_hash "optional in the code flow", c_hash never looked at."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    hashes = {
        ("at_hash", "right"): access_token_hash(ACCESS_TOKEN, "RS256"),
        ("at_hash", "another"): access_token_hash("act-from-another-response", "RS256"),
        ("c_hash", "right"): code_hash(CODE, "RS256"),
        ("c_hash", "another"): code_hash("another-code", "RS256"),
    }
    made = claims(issuer, **{name: hashes[name, which] for name, which in changes.items()})
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, made, "RS256")
    expect = dataclasses.replace(
        expectations(issuer), authorization_response={**beside, "id_token": token}
    )
    verification = app_verification(token, expect)
    assert verification.failed == failing, verification.summary()
    oracle = independent_verdict(token, issuer.jwks, {"RS256"}, expect)
    assert oracle.accepted is (not failing), oracle.reason
    # The same token from the token endpoint: nothing came beside it, nothing is required.
    assert app_verification(token, expectations(issuer)).verdict is Verdict.VERIFIED


def test_a_nonce_that_differs_is_given_beside_the_one_sent(issuer, keys) -> None:
    """Tryout AI: the row said only "nonce differs"; the aud row gives both values. Which
    authorize step a token came from is told by its nonce."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = sign(
        keys.rsa, {"alg": "RS256", "kid": "rsa"}, {**claims(issuer), "nonce": "other"}, "RS256"
    )
    nonce = app_verification(token, expectations(issuer)).row("nonce")
    assert nonce is not None and nonce.status is CheckStatus.FAIL
    assert '"other"' in nonce.detail and json.dumps(NONCE) in nonce.detail


def test_an_id_token_from_a_redirect_must_carry_a_nonce(issuer, keys) -> None:
    """OIDC Core §3.2.2.11 (and §3.3.2.12 for the hybrid flow): an id_token from the
    authorization endpoint carries the nonce sent to authorize — required even where the
    workbench was given none to compare it with; from the token endpoint it is optional."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer, nonce=None), "RS256")
    none_given = dataclasses.replace(expectations(issuer), nonce=None)
    assert app_verification(token, none_given).verdict is Verdict.VERIFIED
    in_redirect = dataclasses.replace(none_given, authorization_response={"state": "s"})
    verification = app_verification(token, in_redirect)
    assert verification.failed == ["nonce"], verification.summary()
    nonce = verification.row("nonce")
    assert nonce is not None and "§3.2.2.11" in nonce.detail
    assert not independent_verdict(token, issuer.jwks, {"RS256"}, in_redirect).accepted


@pytest.mark.parametrize(
    ("sub", "verified"),
    [("user-1", True), ("", False), (7, False), ("x" * 255, True), ("x" * 256, False)],
)
def test_sub_is_a_short_ascii_identifier(issuer, keys, sub, verified) -> None:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer, sub=sub), "RS256")
    verdict = app_verification(token, expectations(issuer)).verdict
    assert (verdict is Verdict.VERIFIED) is verified


@pytest.mark.parametrize(
    ("changes", "row"),
    [
        ({"auth_time": True}, "auth_time"),
        ({"auth_time": False}, "auth_time"),
        ({"auth_time": None}, "auth_time"),
        ({"azp": ""}, "azp"),
    ],
    ids=["auth_time true", "auth_time false", "auth_time null", "azp empty"],
)
def test_a_claim_present_with_a_false_value_is_read_not_skipped(issuer, keys, changes, row) -> None:
    """auth_time is a JSON number (OIDC Core §2), and an azp that is present must be this client
    (§3.1.3.7 item 5). authlib tests these for truth, not presence, and let them through; the
    app refuses them, and so does the oracle now."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    made = {**claims(issuer), **changes}  # a None here is JSON null, not a removed claim
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, made, "RS256")
    verification = app_verification(token, expectations(issuer))
    assert verification.failed == [row], verification.summary()
    assert not independent_verdict(token, issuer.jwks, {"RS256"}, expectations(issuer)).accepted


def test_a_sub_that_is_not_ascii_is_counted_in_words(keys) -> None:
    sub = verify_id_token(rs256(keys, good(sub="é")), offline(keys.rsa)).row("sub")
    assert sub is not None and sub.status is CheckStatus.FAIL
    assert sub.detail.startswith("sub is 1 character, not all ASCII: OIDC Core §2"), sub.detail


def test_json_audience_members_must_all_be_strings(issuer, keys) -> None:
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    changed = claims(issuer, aud=[CLIENT, 7], azp=CLIENT)
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, changed, "RS256")
    assert statuses(app_verification(token, expectations(issuer)))["aud"] is CheckStatus.FAIL
    assert not independent_verdict(token, issuer.jwks, {"RS256"}, expectations(issuer)).accepted


def test_the_context_keeps_the_access_token_out_of_its_repr() -> None:
    assert ACCESS_TOKEN not in repr(VerificationContext(access_token=ACCESS_TOKEN))


# --- Found by an independent audit against jwcrypto and authlib: each case once let a token
# through, crashed the checks, or refused a conforming token. ---

ISSUER = "https://issuer.test/"


def offline(key: SigningKey, **changes: object) -> VerificationContext:
    """The workbench's offline check: pasted keys, the issuer and client id typed in."""
    context = VerificationContext(
        now=datetime.fromtimestamp(NOW, UTC),
        issuer=ISSUER,
        client_id=CLIENT,
        keys=[VerificationKey(key.public_jwk(), "pasted JWKS")],
    )
    return dataclasses.replace(context, **changes)  # type: ignore[arg-type]


def good(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": ISSUER,
        "sub": "user-1",
        "aud": CLIENT,
        "iat": NOW - 10,
        "exp": NOW + 600,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def rs256(keys: Keys, claims: dict[str, object], **header: object) -> str:
    return sign(keys.rsa, {"alg": "RS256", "kid": "rsa", **header}, claims, "RS256")


def test_several_key_carriers_are_named_together(keys) -> None:
    header = {"jku": "https://attacker.test/jwks.json", "x5u": "https://attacker.test/c.pem"}
    verification = verify_id_token(rs256(keys, good(), **header), offline(keys.rsa))
    kid = verification.row("kid")
    assert kid is not None and "the header's jku and x5u were not used" in kid.detail, kid


@pytest.mark.parametrize("missing", ["iss", "aud"])
def test_iss_and_aud_are_required_even_with_nothing_to_compare_them_with(keys, missing) -> None:
    """OIDC Core §2: an id_token MUST carry iss and aud. A token without them (an access token
    signed by the same key, say) is no id_token, whatever the context knows."""
    token = rs256(keys, good(**{missing: None}))
    context = offline(keys.rsa, issuer=None, client_id=None)
    verification = verify_id_token(token, context)
    assert verification.verdict is Verdict.FAILED and verification.failed == [missing]
    present = verify_id_token(rs256(keys, good()), context)
    # Nothing to compare them with: each says it wasn't compared, and a genuine signature on
    # a token of any issuer, for any audience, is not a validated id_token (§3.1.3.7 items
    # 2–3): NOT VERIFIED, and saying which comparisons are missing.
    assert statuses(present)["iss"] is statuses(present)["aud"] is CheckStatus.WARN
    assert statuses(present)["signature"] is CheckStatus.PASS
    assert present.verdict is Verdict.NOT_VERIFIED
    assert present.held_back == ["iss", "aud"]
    assert "iss and aud" in present.not_verified_because
    only_aud = verify_id_token(rs256(keys, good()), offline(keys.rsa, client_id=None))
    assert only_aud.verdict is Verdict.NOT_VERIFIED and only_aud.held_back == ["aud"]
    both = verify_id_token(rs256(keys, good()), offline(keys.rsa))
    assert both.verdict is Verdict.VERIFIED and both.held_back == []


@pytest.mark.parametrize(
    ("header", "verdict"),
    [
        ({"typ": "at+jwt"}, Verdict.FAILED),  # an access token (RFC 9068)
        ({"typ": "application/logout+jwt"}, Verdict.FAILED),  # a logout token
        ({"cty": "JWT"}, Verdict.FAILED),  # claims announced as a nested JWT (RFC 7519 §7.2)
        ({"typ": "JWT"}, Verdict.VERIFIED),
        ({"typ": "example"}, Verdict.VERIFIED),  # unusual: a warning
    ],
)
def test_a_jwt_typed_as_another_kind_is_not_an_id_token(keys, header, verdict) -> None:
    verification = verify_id_token(rs256(keys, good(), **header), offline(keys.rsa))
    assert verification.verdict is verdict, verification.summary()
    expected = {Verdict.FAILED: CheckStatus.FAIL, Verdict.VERIFIED: CheckStatus.PASS}[verdict]
    if header.get("typ") == "example":
        expected = CheckStatus.WARN
    assert statuses(verification)["typ"] is expected


def test_auth_time_must_be_a_time_when_present(keys) -> None:
    assert statuses(verify_id_token(rs256(keys, good()), offline(keys.rsa)))["auth_time"] is (
        CheckStatus.SKIPPED
    )
    fine = verify_id_token(rs256(keys, good(auth_time=NOW - 60)), offline(keys.rsa))
    assert statuses(fine)["auth_time"] is CheckStatus.PASS
    wrong = verify_id_token(rs256(keys, good(auth_time="yesterday")), offline(keys.rsa))
    assert wrong.failed == ["auth_time"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York"])
def test_numeric_dates_at_the_calendars_ends_get_a_verdict(keys, zone, monkeypatch) -> None:
    """RFC 7519 §2: a NumericDate is any JSON number. exp at (or past) the end of year 9999
    is not expired, and iat at the start of year 1 is in the past, in every time zone."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for exp in (253_402_300_799, 10**13):
            late = verify_id_token(rs256(keys, good(exp=exp)), offline(keys.rsa))
            assert late.verdict is Verdict.VERIFIED, late.summary()
        early = good(iat=-62_135_596_800, nbf=-62_135_596_800)
        assert verify_id_token(rs256(keys, early), offline(keys.rsa)).verdict is Verdict.VERIFIED
        assert claims_text(good(exp=253_402_300_799, iat=-62_135_596_800))
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("name", ["exp", "iat", "nbf", "auth_time"])
@pytest.mark.parametrize(
    ("number", "said"),
    [
        ("1" + "0" * 400, "a number of 401 digits"),
        ("-1" + "0" * 400, "a negative number of 401 digits"),
        ("1e400", "a number that reads as infinity"),
    ],
)
def test_a_number_past_a_doubles_range_is_refused_as_too_large_not_as_no_number(
    keys, name, number, said
) -> None:
    """RFC 7519 §2: a NumericDate is any JSON number, and 1e400 is one. RFC 8259 §6 lets a
    reader limit the range of numbers (I-JSON, RFC 7493 §2.2, rules these out), so refusing
    it is allowed — but the row said it was "not a NumericDate … (a JSON number)", which it
    is."""
    body = json.dumps(good(**{name: 0})).replace(f'"{name}": 0', f'"{name}": {number}')
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, body.encode(), "RS256")
    verification = verify_id_token(token, offline(keys.rsa))
    row = verification.row(name)
    assert row is not None and row.status is CheckStatus.FAIL, verification.checks
    assert f"{name} is {said}: past the range of a double" in row.detail, row.detail
    assert "not a NumericDate" not in row.detail and "RFC 8259 §6" in row.detail


def test_text_that_is_not_unicode_is_refused_not_a_crash(keys) -> None:
    """ "\\ud800" alone is valid JSON syntax but no character: the claims are refused at decode,
    before any comparison or display meets it."""
    payload = json.dumps(good()).replace('"user-1"', '"\\ud800"').encode()
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, payload, "RS256")
    verification = verify_id_token(token, offline(keys.rsa))
    assert verification.verdict is Verdict.FAILED and verification.failed == ["decode"]


def test_a_key_set_with_a_private_key_proves_nothing(keys) -> None:
    """Whoever fetched a private key can sign with it (RFC 7517 §9.2): the key row fails, for
    RSA and EC alike, and nothing crashes."""
    for key, alg in ((keys.rsa, "RS256"), (keys.p256, "ES256")):
        private = json.loads(jwt.get_algorithm_by_name(alg).to_jwk(key.private))
        context = offline(key, keys=[VerificationKey({**private, "kid": key.kid}, "pasted")])
        token = sign(key, {"alg": alg, "kid": key.kid}, good(), alg)
        verification = verify_id_token(token, context)
        assert verification.verdict is Verdict.FAILED and "key" in verification.failed


def test_an_rsa_signature_must_be_exactly_the_moduluss_length(keys) -> None:
    """RFC 8017 §8.1.2 step 1: a PSS signature one octet short (its leading zero dropped) is
    invalid, though OpenSSL pads it back: the token string would not be the one signed."""
    for _ in range(2000):
        token = sign(keys.rsa, {"alg": "PS256", "kid": "rsa"}, good(jti=uuid.uuid4().hex), "PS256")
        head, signature = token.rsplit(".", 1)
        raw = base64.urlsafe_b64decode(signature + "==")
        if raw[0] == 0:
            break
    else:
        pytest.skip("no signature with a leading zero octet in 2,000 tries")
    assert verify_id_token(token, offline(keys.rsa)).verdict is Verdict.VERIFIED
    shortened = f"{head}.{b64url_encode(raw[1:])}"
    verification = verify_id_token(shortened, offline(keys.rsa))
    assert verification.failed[:1] == ["signature"], verification.summary()


def test_keys_sharing_a_kid_are_each_tried(keys) -> None:
    """Distinct kids are only a SHOULD (RFC 7517 §4.5): a token signed by the second key of a
    shared kid verifies; one signed by neither says none of them did."""
    other = SigningKey("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    shared = [VerificationKey(k.public_jwk(), "JWKS") for k in (keys.rsa, other)]
    token = sign(other, {"alg": "RS256", "kid": "rsa"}, good(), "RS256")
    assert verify_id_token(token, offline(keys.rsa, keys=shared)).verdict is Verdict.VERIFIED
    stranger = SigningKey("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    forged = sign(stranger, {"alg": "RS256", "kid": "rsa"}, good(), "RS256")
    refused = verify_id_token(forged, offline(keys.rsa, keys=shared))
    signature = refused.row("signature")
    assert signature is not None and "None of the 2 keys" in signature.detail


def test_an_encrypted_id_token_is_not_verified_rather_than_failed() -> None:
    """OIDC Core §2 allows encrypted id_tokens; this app can't decrypt one: nothing checked."""
    jwe_header = base64.urlsafe_b64encode(b'{"alg":"RSA-OAEP","enc":"A256GCM"}').rstrip(b"=")
    verification = verify_id_token(jwe_header.decode() + ".b.c.d.e", VerificationContext())
    assert verification.verdict is Verdict.NOT_VERIFIED
    assert "encrypted" in verification.summary()
    # Five parts whose first is no JWE's header (RFC 7516 §4.1.2: it names its "enc") are a
    # malformed token, which fails.
    glued = verify_id_token("a.b.c.d.e", VerificationContext())
    assert glued.verdict is Verdict.FAILED and "encrypted" not in glued.summary()


def test_at_hash_never_matches_an_access_token_that_is_not_ascii(keys) -> None:
    """OIDC Core §3.1.3.6 hashes the access token's ASCII octets; one with "é" (not a VSCHAR,
    RFC 6749 A.12) has none, and must not match the hash of "act-?"."""
    claims = good(at_hash=access_token_hash("act-?", "RS256"))
    token = rs256(keys, claims)
    assert verify_id_token(token, offline(keys.rsa, access_token="act-?")).failed == []
    verification = verify_id_token(token, offline(keys.rsa, access_token="act-é"))
    assert verification.failed == ["at_hash"]


def test_a_fractional_exp_in_its_last_second_is_judged_alike_by_the_second_opinion(keys) -> None:
    """RFC 7519 §2 allows a fractional NumericDate; PyJWT reads it in whole seconds. Half a
    second before the leeway ends the token is valid, and the second opinion agrees."""
    token = rs256(keys, good(exp=NOW - 60 + 0.5))
    verification = verify_id_token(token, offline(keys.rsa))
    assert verification.verdict is Verdict.VERIFIED, verification.summary()
    assert statuses(verification)["second-opinion"] is CheckStatus.PASS


@pytest.mark.parametrize(
    ("sign_in", "refreshed", "failing"),
    [
        ({}, {}, []),
        ({"iat": NOW - 600}, {}, []),  # issued after the sign-in's: as it must be
        ({"iat": NOW - 10}, {"iat": NOW - 10}, []),  # the same second: no earlier
        ({}, {"iat": NOW - 600}, ["iat"]),  # issued before the token it follows
        ({}, {"azp": CLIENT}, ["azp"]),  # an azp where the sign-in's had none
        ({"azp": CLIENT}, {}, ["azp"]),  # the sign-in's azp dropped
        ({"azp": CLIENT}, {"azp": CLIENT}, []),
        ({"azp": CLIENT}, {"azp": "client-2", "aud": [CLIENT, "client-2"]}, ["aud", "azp"]),
    ],
)
def test_a_refreshed_id_token_keeps_the_sign_ins_azp_and_is_issued_after_it(
    keys, sign_in: dict[str, object], refreshed: dict[str, object], failing: list[str]
) -> None:
    """OIDC Core §12.2: a refreshed id_token's iat is the time it was issued, and its azp is
    the sign-in's (none if the sign-in's had none)."""
    context = offline(keys.rsa, original_claims=good(**sign_in))
    verification = verify_id_token(rs256(keys, good(**refreshed)), context)
    assert verification.failed == failing, verification.summary()


def test_a_refreshed_id_token_of_a_sign_in_that_failed_is_not_trusted_on_its_own_rows(
    keys,
) -> None:
    """OIDC Core §12.2 checks a refreshed id_token against the sign-in's claims; §3.1.3.7 says
    information that failed to validate MUST NOT be used. The same claims signed again pass
    every row of their own, and the verdict still fails, on a row that names the sign-in's
    failure — and only for a refreshed id_token whose sign-in's failed."""
    token = rs256(keys, good())
    refreshed = offline(keys.rsa, original_claims=good(), original_failed=("signature",))
    verification = verify_id_token(token, refreshed)
    assert verification.failed == ["sign-in"], verification.summary()
    row = verification.row("sign-in")
    assert row is not None and "(signature)" in row.detail
    trusted_sign_in = offline(keys.rsa, original_claims=good())
    assert verify_id_token(token, trusted_sign_in).row("sign-in") is None
    assert verify_id_token(token, offline(keys.rsa, original_failed=("signature",))).failed == []


def test_keys_sharing_a_kid_that_none_fits_are_not_called_a_forgery(keys) -> None:
    """Two keys named 'rsa', each for RS512 only, and an RS256 token: the key row says why
    none fits, and the signature row says nothing could verify it — not that the token was
    altered, which no signature was tried to show."""
    restricted = [
        VerificationKey({**k.public_jwk(), "alg": "RS512"}, "JWKS")
        for k in (keys.rsa, SigningKey("rsa", rsa.generate_private_key(65537, 2048)))
    ]
    verification = verify_id_token(rs256(keys, good()), offline(keys.rsa, keys=restricted))
    assert verification.failed[:2] == ["key", "signature"], verification.summary()
    signature = verification.row("signature")
    assert signature is not None and "altered" not in signature.detail
    assert "fits RS256" in signature.detail


@pytest.mark.parametrize(
    ("ahead", "status", "said"),
    [
        (-30, CheckStatus.PASS, "Valid since"),
        (0, CheckStatus.PASS, "Valid since"),  # RFC 7519 §4.1.5: now may equal nbf
        (30, CheckStatus.PASS, "not yet by this machine's clock; accepted within the 60 s"),
        (60, CheckStatus.PASS, "not yet by this machine's clock; accepted within the 60 s"),
        (61, CheckStatus.FAIL, "Not valid before"),
    ],
)
def test_an_nbf_within_the_leeway_is_accepted_and_said_not_yet_valid(
    issuer, keys, ahead, status, said
) -> None:
    """RFC 7519 §4.1.5 allows a small leeway for clock skew, so an nbf a little ahead passes (as
    the oracle says too) — but its row said "Valid since" of a moment still to come."""
    issuer.publish(keys.rsa.public_jwk(), algorithms=["RS256"])
    token = sign(keys.rsa, {"alg": "RS256", "kid": "rsa"}, claims(issuer, nbf=NOW + ahead), "RS256")
    verification = app_verification(token, expectations(issuer))
    nbf = verification.row("nbf")
    assert nbf is not None and nbf.status is status and said in nbf.detail, nbf
    oracle = independent_verdict(token, issuer.jwks, {"RS256"}, expectations(issuer))
    assert oracle.accepted is (status is CheckStatus.PASS), oracle.reason


def test_a_sign_in_time_in_the_future_warns(keys) -> None:
    """auth_time is only required with max_age (never sent here), so it fails nothing; a
    sign-in that has not happened yet still says a clock or the claim is wrong."""
    ahead = verify_id_token(rs256(keys, good(auth_time=NOW + 11 * 86_400)), offline(keys.rsa))
    assert statuses(ahead)["auth_time"] is CheckStatus.WARN and ahead.failed == []
    within = verify_id_token(rs256(keys, good(auth_time=NOW + 30)), offline(keys.rsa))
    assert statuses(within)["auth_time"] is CheckStatus.PASS  # inside the leeway
