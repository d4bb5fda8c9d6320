"""id_tokens, verified with PyJWT against the emulator's JWKS (the emulator never uses PyJWT)."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt
import pytest


def _verify(emu, id_token, **options):
    jwks = jwt.PyJWKSet.from_dict(emu.jwks())
    kid = jwt.get_unverified_header(id_token)["kid"]
    return jwt.decode(
        id_token,
        jwks[kid].key,
        algorithms=["RS256"],
        audience=emu.CLIENT_ID,
        issuer=emu.base_url + "/",
        **options,
    )


def test_id_token_verifies_with_the_jwks(emu):
    tokens, _ = emu.login()
    header = jwt.get_unverified_header(tokens["id_token"])
    assert header == {"alg": "RS256", "typ": "JWT", "kid": emu.jwks()["keys"][0]["kid"]}
    claims = _verify(emu, tokens["id_token"])
    assert claims["iss"] == emu.server.issuer
    assert claims["aud"] == "emulator-client"
    assert claims["sub"].startswith("emu-user-")
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["auth_time"] <= claims["iat"]
    assert abs(claims["iat"] - emu.clock()) < 5


def test_id_token_lifetime_is_capped_by_the_access_token_ttl(make_server):
    emu = make_server(ttl_s=600)
    tokens, _ = emu.login()
    claims = _verify(emu, tokens["id_token"])
    assert claims["exp"] - claims["iat"] == 600


@pytest.mark.parametrize(
    ("scope", "present", "absent"),
    [
        ("openid", set(), {"given_name", "family_name", "name", "email", "created_at"}),
        ("openid name", {"given_name", "family_name", "name"}, {"email", "created_at"}),
        ("openid email", {"email", "email_verified"}, {"name", "created_at"}),
        ("openid profile", {"created_at"}, {"name", "email"}),
        (
            "openid profile email name",
            {"given_name", "family_name", "name", "email", "email_verified", "created_at"},
            set(),
        ),
    ],
)
def test_claims_follow_the_scopes(emu, scope, present, absent):
    tokens, _ = emu.login(scope=scope)
    claims = _verify(emu, tokens["id_token"])
    assert present <= set(claims)
    assert not absent & set(claims)
    if "name" in present:
        assert claims["name"] == f"{claims['given_name']} {claims['family_name']}"
    if "email" in present:
        assert "@" in claims["email"] and claims["email_verified"] is True
    if "created_at" in present:
        created = datetime.fromisoformat(claims["created_at"].replace("Z", "+00:00"))
        assert created.utcoffset() == timedelta(0)


def test_nonce_is_echoed_on_exchange_and_refresh(emu):
    tokens, verifier = emu.login(nonce="n-0S6_WzA2Mj")
    assert _verify(emu, tokens["id_token"])["nonce"] == "n-0S6_WzA2Mj"
    refreshed = emu.refresh(tokens["refresh_token"], codeVerifier=verifier).json()
    assert _verify(emu, refreshed["id_token"])["nonce"] == "n-0S6_WzA2Mj"


def test_no_nonce_without_one_in_the_authorize_request(emu):
    tokens, _ = emu.login()
    assert "nonce" not in _verify(emu, tokens["id_token"])


def test_refresh_id_token_claims_follow_the_narrowed_scope(emu):
    tokens, _ = emu.login()
    refreshed = emu.refresh(tokens["refresh_token"], scope="openid email").json()
    claims = _verify(emu, refreshed["id_token"])
    assert "email" in claims and "name" not in claims


def test_login_hint_selects_a_stable_subject(emu):
    default = _verify(emu, emu.login()[0]["id_token"])
    again = _verify(emu, emu.login()[0]["id_token"])
    alice = _verify(emu, emu.login(login_hint="alice@example.org")[0]["id_token"])
    alice_again = _verify(emu, emu.login(login_hint="alice@example.org")[0]["id_token"])
    assert default["sub"] == again["sub"]
    assert alice["sub"] == alice_again["sub"] != default["sub"]
    assert alice["email"] == "alice@example.org"
