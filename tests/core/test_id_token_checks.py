"""Every verification check, passing and failing, with real keys."""

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from idconnect_tester.core.id_token_checks import (
    CheckStatus,
    Verdict,
    VerificationContext,
    VerificationKey,
    verify_id_token,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ISSUER = "https://id.example.test/"
CLIENT = "client-1"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str, alg: str) -> dict:
    algorithm = jwt.get_algorithm_by_name(alg)
    jwk = json.loads(algorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


def claims(**overrides: object) -> dict:
    base = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "user",
        "iat": int(NOW.timestamp()) - 10,
        "exp": int(NOW.timestamp()) + 3600,
        "nonce": "n-123",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def context(keys: list[VerificationKey] | None, **overrides: object) -> VerificationContext:
    values = {"now": NOW, "issuer": ISSUER, "client_id": CLIENT, "nonce": "n-123", "keys": keys}
    values.update(overrides)
    return VerificationContext(**values)  # type: ignore[arg-type]


def rows(token: str, ctx: VerificationContext) -> dict[str, tuple[CheckStatus, str]]:
    return {r.name: (r.status, r.detail) for r in verify_id_token(token, ctx).checks}


@pytest.fixture(scope="module")
def keys(rsa_key: rsa.RSAPrivateKey) -> list[VerificationKey]:
    return [VerificationKey(public_jwk(rsa_key, "k1", "RS256"), "JWKS test")]


def sign(key: object, payload: dict, kid: str | None = "k1", alg: str = "RS256") -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)  # type: ignore[arg-type]


def test_a_good_token_passes_every_check(rsa_key, keys) -> None:
    result = verify_id_token(sign(rsa_key, claims()), context(keys))
    assert result.verdict is Verdict.VERIFIED
    statuses = {r.name: r.status for r in result.checks}
    assert statuses == {
        "decode": CheckStatus.PASS,
        "crit": CheckStatus.PASS,
        "typ": CheckStatus.PASS,
        "algorithm": CheckStatus.PASS,
        "kid": CheckStatus.PASS,
        "key": CheckStatus.PASS,
        "signature": CheckStatus.PASS,
        "iss": CheckStatus.PASS,
        "sub": CheckStatus.PASS,
        "aud": CheckStatus.PASS,
        "azp": CheckStatus.PASS,
        "exp": CheckStatus.PASS,
        "iat": CheckStatus.PASS,
        "nbf": CheckStatus.SKIPPED,
        "auth_time": CheckStatus.SKIPPED,
        "nonce": CheckStatus.PASS,
        "at_hash": CheckStatus.SKIPPED,
        "second-opinion": CheckStatus.PASS,
    }


def test_ec_tokens_verify_too() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = VerificationKey(public_jwk(key, "e1", "ES256"), "JWKS")
    assert (
        verify_id_token(sign(key, claims(), "e1", "ES256"), context([jwk])).verdict
        is Verdict.VERIFIED
    )


def test_without_keys_signature_checks_are_skipped_with_reason(rsa_key) -> None:
    found = rows(sign(rsa_key, claims()), context(None, keys_note="offline: no JWKS"))
    assert found["signature"] == (CheckStatus.SKIPPED, "offline: no JWKS")
    assert found["kid"][0] is CheckStatus.SKIPPED


def test_altered_signature_fails(rsa_key, keys) -> None:
    token = sign(rsa_key, claims())
    head, payload, sig = token.split(".")
    tampered = f"{head}.{payload}.{sig[:-6]}{'AAAAAA' if sig[-6:] != 'AAAAAA' else 'BBBBBB'}"
    found = rows(tampered, context(keys))
    assert found["signature"][0] is CheckStatus.FAIL
    assert "altered" in found["signature"][1]


def test_altered_claims_fail_the_signature(rsa_key, keys) -> None:
    good = sign(rsa_key, claims()).split(".")
    forged_payload = sign(rsa_key, claims(sub="admin")).split(".")[1]
    found = rows(f"{good[0]}.{forged_payload}.{good[2]}", context(keys))
    assert found["signature"][0] is CheckStatus.FAIL


def test_token_signed_by_an_unknown_key_fails(other_rsa_key, keys) -> None:
    found = rows(sign(other_rsa_key, claims(), kid="stranger"), context(keys))
    assert found["kid"] == (
        CheckStatus.FAIL,
        '"stranger" is not in JWKS test (signed by an unknown key?)',
    )
    assert found["signature"][0] is CheckStatus.FAIL


def test_a_kid_naming_a_key_for_encryption_is_told_so_and_never_verifies(
    rsa_key, other_rsa_key
) -> None:
    """A JWKS may publish encryption keys beside the signing ones (use: enc). Even a token
    really signed with that key pair fails: such a key never verifies a signature — and the
    row says why, not "not in the key set"."""
    signing = VerificationKey(public_jwk(other_rsa_key, "sig-1", "RS256"), "JWKS test")
    encrypting = VerificationKey(
        {**public_jwk(rsa_key, "enc-1", "RS256"), "use": "enc"}, "JWKS test"
    )
    found = rows(sign(rsa_key, claims(), kid="enc-1"), context([signing, encrypting]))
    status, detail = found["kid"]
    assert status is CheckStatus.FAIL and "encryption" in detail and "enc-1" in detail
    assert found["signature"][0] is CheckStatus.FAIL
    token = sign(rsa_key, claims(), kid="enc-1")
    assert verify_id_token(token, context([signing, encrypting])).verdict is Verdict.FAILED


def test_an_encryption_key_beside_the_one_signing_key_leaves_the_only_key_rule(
    rsa_key, other_rsa_key
) -> None:
    """No kid in the token and one key for signatures (plus one for encryption): the one
    signing key is the key, as it would be alone."""
    signing = {k: v for k, v in public_jwk(rsa_key, "x", "RS256").items() if k != "kid"}
    encrypting = {**public_jwk(other_rsa_key, "enc-1", "RS256"), "use": "enc"}
    keys = [VerificationKey(signing, "JWKS test"), VerificationKey(encrypting, "JWKS test")]
    found = rows(sign(rsa_key, claims(), kid=None), context(keys))
    assert found["kid"][0] is CheckStatus.PASS
    assert found["signature"][0] is CheckStatus.PASS
    # Only encryption keys: nothing can verify.
    found = rows(sign(rsa_key, claims(), kid=None), context(keys[1:]))
    assert found["kid"][0] is CheckStatus.FAIL and "no key for signatures" in found["kid"][1]


def test_unknown_key_reusing_a_known_kid_fails_the_signature(other_rsa_key, keys) -> None:
    found = rows(sign(other_rsa_key, claims(), kid="k1"), context(keys))
    assert found["kid"][0] is CheckStatus.PASS
    assert found["signature"][0] is CheckStatus.FAIL


def test_alg_none_is_rejected(keys) -> None:
    token = jwt.encode(claims(), None, algorithm="none")  # type: ignore[arg-type]
    found = rows(token, context(keys))
    assert found["algorithm"][0] is CheckStatus.FAIL and "unsigned" in found["algorithm"][1]
    assert found["signature"][0] is CheckStatus.FAIL


def test_hmac_with_the_public_key_is_rejected(rsa_key, keys) -> None:
    # The classic confusion attack: HS256 keyed with the RSA public key's bytes.
    import base64

    import jwt.utils

    head = jwt.utils.base64url_encode(b'{"alg":"HS256","kid":"k1"}').decode()
    body = jwt.utils.base64url_encode(json.dumps(claims()).encode()).decode()
    forged = f"{head}.{body}.{base64.urlsafe_b64encode(b'x' * 32).rstrip(b'=').decode()}"
    found = rows(forged, context(keys))
    assert found["algorithm"][0] is CheckStatus.FAIL
    assert "algorithm-confusion" in found["algorithm"][1]


def test_algorithm_not_on_allowlist(keys) -> None:
    import jwt.utils

    head = jwt.utils.base64url_encode(b'{"alg":"RS1","kid":"k1"}').decode()
    found = rows(f"{head}.e30.AAAA", context(keys))
    assert found["algorithm"][0] is CheckStatus.FAIL and "allowlist" in found["algorithm"][1]


def test_key_type_must_fit_the_algorithm(rsa_key) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    wrong = VerificationKey({**public_jwk(key, "k1", "ES256"), "alg": None}, "JWKS")
    found = rows(sign(rsa_key, claims()), context([wrong]))
    assert found["key"][0] is CheckStatus.FAIL and "needs an RSA key" in found["key"][1]
    assert found["signature"][0] is CheckStatus.FAIL


@pytest.mark.parametrize(
    ("overrides", "check", "fragment"),
    [
        ({"iss": "https://evil.test/"}, "iss", "expected"),
        ({"iss": None}, "iss", "no iss"),
        ({"aud": "someone-else"}, "aud", "should contain"),
        ({"aud": ["a", CLIENT], "azp": "a"}, "azp", "another client"),
        ({"aud": None}, "aud", "aud is missing (OIDC Core"),  # no Python None in the words
        ({"aud": 42}, "aud", "aud is 42, not a string or a list of strings"),
        ({"exp": int(NOW.timestamp()) - 3600}, "exp", "Expired"),
        ({"exp": None}, "exp", "no exp"),
        ({"exp": "tomorrow"}, "exp", "not a NumericDate"),
        # The JSON the token holds, not Python's spelling of it (tryout AO: "True").
        ({"exp": True}, "exp", "not a NumericDate: true "),
        ({"sub": ["a"]}, "sub", 'sub is ["a"]: it must be'),
        ({"sub": False}, "sub", "sub is false: it must be"),
        ({"iat": int(NOW.timestamp()) + 3600}, "iat", "future"),
        ({"nbf": int(NOW.timestamp()) + 3600}, "nbf", "Not valid before"),
        ({"nonce": "replayed"}, "nonce", "differs"),
        ({"nonce": None}, "nonce", "has none"),
    ],
)
def test_claim_checks_fail_with_reasons(rsa_key, keys, overrides, check, fragment) -> None:
    found = rows(sign(rsa_key, claims(**overrides)), context(keys))
    status, detail = found[check]
    assert status is CheckStatus.FAIL and fragment in detail, detail
    assert (
        verify_id_token(sign(rsa_key, claims(**overrides)), context(keys)).verdict is Verdict.FAILED
    )


def test_leeway_is_applied_and_stated(rsa_key, keys) -> None:
    just_expired = claims(iat=int(NOW.timestamp()) - 3600, exp=int(NOW.timestamp()) - 30)
    verification = verify_id_token(sign(rsa_key, just_expired), context(keys))
    status, detail = rows(sign(rsa_key, just_expired), context(keys))["exp"]
    # Accepted (RFC 7519 §4.1.4's leeway), but never a plain pass beside a countdown at zero.
    assert status is CheckStatus.WARN and "60 s leeway" in detail and "Expired" in detail
    assert verification.verdict is Verdict.VERIFIED and "exp" in verification.summary()
    # Its headline doesn't say every check passed: one warned.
    headline = verification.summary().splitlines()[0]
    assert "with a warning" in headline and "every applicable check passed" not in headline
    status, _ = rows(sign(rsa_key, just_expired), context(keys, leeway_s=0))["exp"]
    assert status is CheckStatus.FAIL
    status, detail = rows(sign(rsa_key, claims()), context(keys))["exp"]
    assert status is CheckStatus.PASS and "leeway 60 s" in detail


def test_an_id_token_issued_before_its_request_was_sent_is_no_plain_pass(rsa_key, keys) -> None:
    """Tryout AA: an iat of 1969 passed without a word. A token that answers a request cannot
    have been issued before it was sent: kept and replayed, or its issuer's clock is behind.
    OIDC Core leaves the range to the client, so it warns; a pasted token (no request) and
    clock skew within the leeway still pass."""
    sent = NOW - timedelta(seconds=5)
    for iat, expected in [
        (int(sent.timestamp()) - 60, CheckStatus.PASS),  # within the 60 s leeway
        (int(sent.timestamp()) - 61, CheckStatus.WARN),
        (-1, CheckStatus.WARN),  # 1969
    ]:
        token = sign(rsa_key, claims(iat=iat))
        status, detail = rows(token, context(keys, requested_at=sent))["iat"]
        assert status is expected, (iat, detail)
        if expected is CheckStatus.WARN:
            assert "before its request" in detail and "leeway 60 s" in detail
            verification = verify_id_token(token, context(keys, requested_at=sent))
            assert verification.verdict is Verdict.VERIFIED  # accepted, as the standards allow
            assert "with a warning" in verification.summary().splitlines()[0]
        assert rows(token, context(keys))["iat"][0] is CheckStatus.PASS  # pasted: no request


@pytest.mark.parametrize("lifetime_s", [-30, 0])
def test_a_token_that_expired_when_it_was_issued_says_so_on_its_exp_row(
    rsa_key, keys, lifetime_s: int
) -> None:
    """Tryout AA: exp 30 s before iat, or equal to it, read as "expired", accepted within the
    leeway, like any token a little past its exp. Within the leeway the standard's libraries
    accept it too, so it still warns rather than fails — but the row says the issuer's own
    clock made it dead on arrival; past the leeway it fails as any expired token does."""
    issued = int(NOW.timestamp())
    token = sign(rsa_key, claims(iat=issued, exp=issued + lifetime_s))
    status, detail = rows(token, context(keys))["exp"]
    assert status is CheckStatus.WARN and "never valid" in detail
    status, _ = rows(token, context(keys, leeway_s=0))["exp"]
    assert status is CheckStatus.FAIL


def test_checks_without_expectations_say_so(rsa_key, keys) -> None:
    """No nonce sent: nothing to check. No issuer or client id: iss and aud were not compared,
    which OIDC Core §3.1.3.7 requires — a warning, not a quiet skip."""
    found = rows(sign(rsa_key, claims()), context(keys, issuer=None, client_id=None, nonce=None))
    assert found["nonce"][0] is CheckStatus.SKIPPED
    assert {found[n][0] for n in ("iss", "aud")} == {CheckStatus.WARN}


def test_malformed_token_is_one_failing_decode_row() -> None:
    result = verify_id_token("not-a-jwt", VerificationContext(now=NOW))
    assert [(r.name, r.status) for r in result.checks] == [("decode", CheckStatus.FAIL)]
    assert result.verdict is Verdict.FAILED


def test_expiry_is_judged_against_the_given_time(rsa_key) -> None:
    token = sign(rsa_key, claims())
    later = VerificationContext(now=NOW + timedelta(hours=2))
    assert rows(token, later)["exp"][0] is CheckStatus.FAIL


def test_an_empty_key_set_fails_the_kid_row_and_says_so(rsa_key) -> None:
    found = rows(sign(rsa_key, claims(), kid=None), context([]))
    assert found["kid"][0] is CheckStatus.FAIL and "no key" in found["kid"][1]
    assert found["signature"][0] is CheckStatus.FAIL


def test_one_audience_listed_twice_needs_no_azp(rsa_key, keys) -> None:
    """Tryout AA: ["client", "client"] read "Several audiences (client, client) and no azp"."""
    found = rows(sign(rsa_key, claims(aud=[CLIENT, CLIENT])), context(keys))
    assert found["azp"][0] is CheckStatus.PASS
    found = rows(sign(rsa_key, claims(aud=[CLIENT, "other"])), context(keys))
    assert found["azp"][0] is CheckStatus.WARN and "other" in found["azp"][1]


def test_a_token_not_yet_valid_says_the_leeway_it_was_given(rsa_key, keys) -> None:
    found = rows(sign(rsa_key, claims(nbf=int(NOW.timestamp()) + 3600)), context(keys))
    assert found["nbf"][0] is CheckStatus.FAIL and "leeway 60 s" in found["nbf"][1]


def test_a_failure_pyjwt_does_not_judge_gets_no_second_opinion(rsa_key, keys) -> None:
    """Tryout AO: a token failing only its nonce, which PyJWT never looks at, had "= agrees"
    in the second-opinion row beside a failed verdict: PyJWT accepts it, so it has no opinion
    on that failure — a skipped row saying so, not an agreement."""
    found = rows(sign(rsa_key, claims(nonce="replayed")), context(keys))
    assert found["nonce"][0] is CheckStatus.FAIL
    status, detail = found["second-opinion"]
    assert status is CheckStatus.SKIPPED and "nonce" in detail
    # A failure PyJWT judges too is an agreement on it.
    found = rows(sign(rsa_key, claims(aud="someone-else")), context(keys))
    assert found["second-opinion"][0] is CheckStatus.PASS
