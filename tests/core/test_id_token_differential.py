"""Differential tests: the app's id_token verdict against independent libraries on generated
tokens. Hypothesis signs tokens with keys made here (RSA 2048 and 1024, EC P-256/P-384/P-521),
serves the public keys and a discovery document from a local issuer over real HTTP, and the app
builds its context from them exactly as it does for a real issuer. The oracle
(tests/support/oracles.py) is jwcrypto for the signature and authlib for the claims.

First valid tokens, which both must accept; then tokens with mutated headers, claims, published
keys and signatures, where the app must say VERIFIED exactly when the oracle accepts — wherever
the standards leave no choice. Where they leave one, the app takes the strict reading and this
test says so (`app_is_stricter`):

- RSA keys under 2048 bits (RFC 7518 §3.3 binds the signer) and a JWK whose own `alg` differs
  from the token's (RFC 7517 §4.4): jwcrypto verifies anyway; the app, like PyJWT, refuses.
- No `kid` while the JWKS has several keys: OIDC Core §10.1 requires one; jwcrypto tries each.
- `crit` listing standard names or nothing (RFC 7515 §4.1.11: recipients MAY refuse), or `b64`
  (RFC 7797, which jwcrypto understands and the app doesn't: id_tokens never detach payloads).
- `sub` empty, longer than 255 or not ASCII (OIDC Core §2 bounds it; authlib doesn't check).
- An `at_hash` that isn't a string (OIDC Core §2), with no access token to compare it with:
  authlib doesn't look at it then; the app refuses a malformed claim whenever it sees one.
- Audiences besides the client: OIDC Core §3.1.3.7 item 3 rejects those the client doesn't
  trust, and it trusts none here: the app refuses, and so does the oracle (authlib lets them
  pass when `azp` names the client).

CI runs Hypothesis's default number of examples (a few seconds); a longer search is
`HYPOTHESIS_PROFILE=thorough .venv/bin/pytest --timeout=0 tests/core/test_id_token_differential.py`
(minutes: `--timeout=0` lifts the suite's two-minute limit per test).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.support.local_issuer import LocalIssuer, SigningKey, b64url_encode, local_issuer, sign
from tests.support.oracles import Expectations, app_verification, independent_verdict

from idconnect_tester.core.id_token_checks import (
    ALLOWED_ALGORITHMS,
    CheckStatus,
    Verdict,
    Verification,
)
from idconnect_tester.core.id_token_claims import access_token_hash

NOW = int(datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp())
CLIENT = "client-1"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "act-SlAV32hkKG"
ALGORITHMS_FOR = {
    "rsa": ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    "rsa_short": ("RS256", "PS256"),
    "p256": ("ES256",),
    "p384": ("ES384",),
    "p521": ("ES512",),
}
EVERY_ALGORITHM = sorted(ALLOWED_ALGORITHMS)
DROP: Any = object()  # a mutation that removes a member

# Generated cases share a module-wide issuer and keys, never per-example state.
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    def rsa_key(bits: int) -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)

    return {
        "rsa": SigningKey("rsa", rsa_key(2048)),
        "rsa_short": SigningKey("rsa-short", rsa_key(1024)),
        "p256": SigningKey("p256", ec.generate_private_key(ec.SECP256R1())),
        "p384": SigningKey("p384", ec.generate_private_key(ec.SECP384R1())),
        "p521": SigningKey("p521", ec.generate_private_key(ec.SECP521R1())),
        # signs with a kid it doesn't own: a forger who copied the header
        "stranger": SigningKey("rsa", rsa_key(2048)),
    }


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with local_issuer() as running:
        yield running


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One generated case: who signs what, what the issuer publishes, what the client expects."""

    signer: str
    alg: str
    discovery: list[str] | None  # id_token_signing_alg_values_supported; None: left out
    header: dict[str, Any]
    claims: dict[str, Any]
    published: list[dict[str, Any]]  # the JWKs served
    signature: str  # how the signature segment is mangled
    access_token: str | None  # the access token of the same response
    nonce: str | None  # the nonce sent to authorize

    @property
    def allowed(self) -> set[str]:
        return set(self.discovery or ["RS256"]) & ALLOWED_ALGORITHMS


def good_claims(issuer: LocalIssuer, alg: str) -> dict[str, Any]:
    return {
        "iss": issuer.issuer,
        "sub": "user-1",
        "aud": CLIENT,
        "iat": NOW - 30,
        "exp": NOW + 600,
        "nonce": NONCE,
        "at_hash": access_token_hash(ACCESS_TOKEN, alg),
    }


@st.composite
def valid_scenarios(draw: st.DrawFn, issuer: LocalIssuer, keys: dict[str, SigningKey]) -> Scenario:
    """Tokens every reading of the standards accepts, in their variety: each key type and
    algorithm, with or without the optional claims and key members."""
    signer = draw(st.sampled_from(["rsa", "p256", "p384", "p521"]))
    alg = draw(st.sampled_from(ALGORITHMS_FOR[signer]))
    others = draw(st.lists(st.sampled_from(EVERY_ALGORITHM), max_size=3))
    discovery = None if alg == "RS256" and draw(st.booleans()) else sorted({alg, *others})
    claims = good_claims(issuer, alg)
    for optional in draw(st.sets(st.sampled_from(["nonce", "at_hash"]))):
        del claims[optional]
    if draw(st.booleans()):
        claims["nbf"] = NOW - draw(st.integers(0, 3600))
    if draw(st.booleans()):
        claims["aud"] = [CLIENT]  # a list of one is as good as the string
        if draw(st.booleans()):
            claims["azp"] = CLIENT
    claims["exp"] = NOW - 59 + draw(st.integers(0, 10**6))  # just inside the 60 s leeway, or later
    jwk = keys[signer].public_jwk(
        alg=draw(st.sampled_from([None, alg])),
        use=draw(st.sampled_from([None, "sig"])),
        key_ops=draw(st.sampled_from([None, ["verify"], ["sign", "verify"]])),
    )
    extra = [keys[k].public_jwk() for k in draw(st.sets(st.sampled_from(["p256", "p384"])))]
    published = [jwk, *(k for k in extra if k["kid"] != jwk["kid"])]
    return Scenario(
        signer=signer,
        alg=alg,
        discovery=discovery,
        header={"alg": alg, "kid": keys[signer].kid, "typ": draw(st.sampled_from(["JWT", None]))},
        claims={name: value for name, value in claims.items() if value is not None},
        published=published,
        signature="as signed",
        access_token=draw(st.sampled_from([ACCESS_TOKEN, None])),
        nonce=NONCE if "nonce" in claims else None,
    )


def signable(signer: str, alg: str) -> str:
    """`alg` if the signer's key can make such a signature at all (right or wrong for the key:
    ES256 with a P-384 key signs fine), else the signer's own first algorithm."""
    if signer in ("p256", "p384", "p521"):
        return alg if alg.startswith("ES") else ALGORITHMS_FOR[signer][0]
    if signer == "rsa_short":  # PSS with SHA-512 needs more than 1024 bits
        return alg if alg[:2] == "RS" or alg in ("PS256", "PS384") else "RS256"
    return alg if alg[:2] in ("RS", "PS") else "RS256"


MUTATIONS = (
    *("signer", "alg", "discovery", "kid", "crit"),
    *("iss", "sub", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash"),
    *("nonce sent", "access token", "key use", "key ops", "key alg", "key rotated out"),
    "signature",
)


@st.composite
def mutated_scenarios(
    draw: st.DrawFn, issuer: LocalIssuer, keys: dict[str, SigningKey]
) -> Scenario:
    """A valid scenario with one to three things changed — alone, each change tests one rule;
    together, how the rules combine."""
    base = draw(valid_scenarios(issuer, keys))
    chosen = set(draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3, unique=True)))
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731 - reads better inline

    signer = pick(["rsa_short", "stranger", "p384"]) if "signer" in chosen else base.signer
    alg = signable(signer, pick(EVERY_ALGORITHM) if "alg" in chosen else base.alg)
    discovery = base.discovery
    if "discovery" in chosen:
        discovery = pick([["RS256"], ["ES256"], ["HS256", "none"], None])

    header = dict(base.header, alg=alg, kid=keys[signer].kid)
    if "kid" in chosen:
        header["kid"] = pick(["unknown-kid", 7, DROP, "p384"])
    if "crit" in chosen:
        crit = pick([["x-policy"], [], ["alg"], ["b64"], "x-policy", ["x-missing"]])
        header.update({"crit": crit, "x-policy": "strict", "b64": True})

    claims = dict(base.claims)
    near = NOW + draw(st.integers(-200, 200))
    claim_options: dict[str, list[Any]] = {
        "iss": ["https://evil.test/", 5, DROP],
        "sub": ["", 7, "x" * 256, "usér", DROP],
        "aud": [[CLIENT], [CLIENT, "other"], ["other"], [], [CLIENT, 7], 5, DROP],
        "azp": [CLIENT, "another-client", 5, DROP],
        "exp": [near, str(near), near + 0.5, DROP],
        "iat": [near, str(near), near + 0.5, DROP],
        "nbf": [near, str(near)],
        "nonce": ["other-nonce", 5, DROP],
        "at_hash": [access_token_hash("another-access-token", alg), 5, DROP],
    }
    for name, options in claim_options.items():
        if name in chosen:
            claims[name] = pick(options)

    published = [dict(jwk) for jwk in base.published]
    if signer != base.signer and signer != "stranger" and draw(st.booleans()):
        published.append(keys[signer].public_jwk())  # the new signer's key is published too
    serving = next((j for j in published if j.get("kid") == header.get("kid")), published[0])
    for mutation, member, options in (
        ("key use", "use", ["enc", "signature"]),
        ("key ops", "key_ops", [["sign"], ["encrypt"], "verify"]),
        ("key alg", "alg", ["RS256", "ES384", "PS512"]),
    ):
        if mutation in chosen:
            serving[member] = pick(options)
    if "key rotated out" in chosen:
        published = [jwk for jwk in published if jwk.get("kid") != header.get("kid")]

    return Scenario(
        signer=signer,
        alg=alg,
        discovery=discovery,
        header={k: v for k, v in header.items() if v is not DROP and v is not None},
        claims={k: v for k, v in claims.items() if v is not DROP},
        published=published,
        signature=(
            pick(["flip a byte", "truncate", "empty", "junk"])
            if "signature" in chosen
            else "as signed"
        ),
        access_token=(
            pick([ACCESS_TOKEN, None, "another-access-token"])
            if "access token" in chosen
            else base.access_token
        ),
        nonce=pick([NONCE, None, "another-nonce"]) if "nonce sent" in chosen else base.nonce,
    )


def token_for(scenario: Scenario, keys: dict[str, SigningKey]) -> str:
    token = sign(keys[scenario.signer], scenario.header, scenario.claims, scenario.alg)
    head, body, signature = token.split(".")
    if scenario.signature == "flip a byte":
        raw = bytearray(b64url_decode(signature))
        raw[len(raw) // 2] ^= 0x01
        signature = b64url_encode(bytes(raw))
    elif scenario.signature == "truncate":
        signature = b64url_encode(b64url_decode(signature)[:-4])
    elif scenario.signature == "empty":
        signature = ""
    elif scenario.signature == "junk":
        signature = signature[:8] + "!!!!" + signature[8:]
    return f"{head}.{body}.{signature}"


def b64url_decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def expectations(issuer: LocalIssuer, scenario: Scenario) -> Expectations:
    return Expectations(
        issuer.issuer,
        CLIENT,
        scenario.nonce,
        scenario.access_token,
        NOW,
    )


def app_is_stricter(scenario: Scenario) -> list[str]:
    """Where the standards leave a choice and the app refuses what the oracle may accept (see
    the module's docstring), the reasons present in this scenario."""
    reasons = []
    header, claims = scenario.header, scenario.claims
    kid = header.get("kid")
    signing_keys = [k for k in scenario.published if k.get("use") != "enc"]
    serving = [k for k in signing_keys if k.get("kid") == kid] if "kid" in header else signing_keys
    if scenario.signer == "rsa_short" and any(k.get("kid") == "rsa-short" for k in serving):
        reasons.append("RSA key under 2048 bits")
    if any("alg" in k and k["alg"] != scenario.alg for k in serving):
        reasons.append("the JWK's own alg differs")
    if "kid" not in header and len(signing_keys) > 1:
        reasons.append("no kid among several keys")
    crit = header.get("crit")
    if isinstance(crit, list) and (not crit or {"alg", "b64"} & set(crit)):
        reasons.append("crit empty, standard or b64")
    sub = claims.get("sub")
    if isinstance(sub, str) and (not sub or len(sub) > 255 or not sub.isascii()):
        reasons.append("sub empty, long or not ASCII")
    at_hash = claims.get("at_hash", "")
    if not isinstance(at_hash, str) and not scenario.access_token:
        reasons.append("at_hash not a string, nothing to compare")  # authlib looks only to compare
    # Not a choice but jwcrypto's leniency: RFC 7517 §4.3 makes key_ops an array, and jwcrypto
    # takes a bare string for a one-element list.
    if any(isinstance(k.get("key_ops"), str) for k in serving):
        reasons.append("key_ops not an array")
    return reasons


def publish(issuer: LocalIssuer, scenario: Scenario) -> None:
    issuer.publish(*scenario.published, algorithms=scenario.discovery)


@pytest.fixture(scope="module")
def check(issuer: LocalIssuer, keys: dict[str, SigningKey]) -> Any:
    def run(scenario: Scenario) -> tuple[Verification, bool, str]:
        publish(issuer, scenario)
        token = token_for(scenario, keys)
        expect = expectations(issuer, scenario)
        oracle = independent_verdict(token, issuer.jwks, scenario.allowed, expect)
        return app_verification(token, expect), oracle.accepted, oracle.reason

    return run


# The strategies need the module's issuer and keys, so each test draws its scenario from `data`.


@SETTINGS
@given(data=st.data())
def test_valid_tokens_are_verified_by_both(issuer, keys, check, data) -> None:
    verification, oracle_accepts, reason = check(data.draw(valid_scenarios(issuer, keys)))
    assert oracle_accepts, reason
    assert verification.verdict is Verdict.VERIFIED, verification.checks
    second = verification.row("second-opinion")
    assert second is not None and second.status is CheckStatus.PASS, second


@SETTINGS
@given(data=st.data())
def test_mutated_tokens_get_the_independent_verdict(issuer, keys, check, data) -> None:
    scenario = data.draw(mutated_scenarios(issuer, keys))
    verification, oracle_accepts, reason = check(scenario)
    stricter = app_is_stricter(scenario)
    expected = oracle_accepts and not stricter
    event("oracle accepts" if oracle_accepts else f"oracle refuses: {reason.split(':')[0]}")
    event("app verifies" if verification.verdict is Verdict.VERIFIED else "app refuses")
    for why in stricter:
        event(f"app stricter: {why}")
    # Keys are always reachable here, so "not verified" would be a wrong answer too.
    assert verification.verdict is (Verdict.VERIFIED if expected else Verdict.FAILED), (
        f"oracle: {reason or 'accepts'}; stricter: {stricter}; rows: {verification.checks}"
    )
    # PyJWT never refuses a token every row accepted (that row would fail the verdict).
    second = verification.row("second-opinion")
    assert second is None or second.status is not CheckStatus.FAIL, second
