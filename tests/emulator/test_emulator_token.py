"""POST /resources/snsId/api/connect/token: both grants, the full cycle, and every error."""

from __future__ import annotations

import re

import pytest

from idconnect_tester import vendor
from idconnect_tester.emulator.errors import ApiError
from idconnect_tester.emulator.tokens import Grant, TokenStore, s256_challenge
from idconnect_tester.emulator.users import user_for

ACCESS = re.compile(r"snd-id-con-a-[A-Za-z0-9_-]{64}")
REFRESH = re.compile(r"snd-id-con-r-[A-Za-z0-9_-]{64}")


def _exchange(emu, code, verifier):
    return emu.token({"grant_type": "authorization_code", "code": code, "codeVerifier": verifier})


def test_full_cycle_code_token_refresh_share(emu):
    code, verifier = emu.get_code()
    response = _exchange(emu, code, verifier)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    # Key order as in the vendor's example; no scope field.
    assert list(tokens) == ["access_token", "refresh_token", "token_type", "expires_in", "id_token"]
    assert ACCESS.fullmatch(tokens["access_token"])
    assert REFRESH.fullmatch(tokens["refresh_token"])
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 86400
    assert tokens["id_token"].count(".") == 2

    refreshed = emu.refresh(tokens["refresh_token"], codeVerifier=verifier)
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "id_token"]  # no rotation
    assert body["access_token"] != tokens["access_token"]

    share = emu.share({"sumsubIdConnectToken": body["access_token"], "forClientId": "CoolCo"})
    assert share.status_code == 200
    assert share.json()["forClientId"] == "CoolCo"


def test_refresh_token_can_be_used_again(emu):
    tokens, _ = emu.login()
    first = emu.refresh(tokens["refresh_token"])
    second = emu.refresh(tokens["refresh_token"])
    assert first.status_code == second.status_code == 200
    assert first.json()["access_token"] != second.json()["access_token"]


@pytest.mark.parametrize(
    ("scope", "keys"),
    [
        ("openid", ["access_token", "token_type", "expires_in", "id_token"]),
        ("share", ["access_token", "token_type", "expires_in"]),
        ("offline_access", ["access_token", "refresh_token", "token_type", "expires_in"]),
        ("name email profile", ["access_token", "token_type", "expires_in"]),
    ],
)
def test_refresh_token_and_id_token_only_for_their_scopes(emu, scope, keys):
    tokens, _ = emu.login(scope=scope)
    assert list(tokens) == keys


def test_expires_in_follows_the_config(make_server):
    emu = make_server(ttl_s=1234)
    tokens, _ = emu.login()
    assert tokens["expires_in"] == 1234
    assert emu.refresh(tokens["refresh_token"]).json()["expires_in"] == 1234


def test_refresh_without_verifier_is_accepted(emu):
    tokens, _ = emu.login()
    assert emu.refresh(tokens["refresh_token"]).status_code == 200


def test_refresh_with_a_wrong_verifier_is_invalid_code(emu):
    tokens, _ = emu.login()
    response = emu.refresh(tokens["refresh_token"], codeVerifier="not-the-verifier")
    emu.assert_error(response, 401, vendor.ERROR_INVALID_CODE)
    emu.assert_error(emu.refresh(tokens["refresh_token"], codeVerifier=""), 400)


def test_refresh_scope_subset_narrows_the_token(emu):
    tokens, _ = emu.login()
    narrowed = emu.refresh(tokens["refresh_token"], scope="share name").json()
    assert "id_token" not in narrowed
    share = emu.share({"sumsubIdConnectToken": narrowed["access_token"], "forClientId": "x"})
    assert share.status_code == 200
    no_share = emu.refresh(tokens["refresh_token"], scope="openid").json()
    assert "id_token" in no_share
    refused = emu.share({"sumsubIdConnectToken": no_share["access_token"], "forClientId": "x"})
    emu.assert_error(refused, 403, contains="share")


def test_refresh_scope_beyond_the_grant_is_400_naming_it(emu):
    tokens, _ = emu.login(scope="openid name offline_access")
    response = emu.refresh(tokens["refresh_token"], scope="openid share email")
    body = emu.assert_error(response, 400)
    assert "share" in body["description"] and "email" in body["description"]


@pytest.mark.parametrize("scope", ["openid banking", "", "   ", "openid,name"])
def test_refresh_with_an_unknown_or_empty_scope_is_400(emu, scope):
    tokens, _ = emu.login()
    emu.assert_error(emu.refresh(tokens["refresh_token"], scope=scope), 400)


# --- grant_type ------------------------------------------------------------------------------


def test_missing_grant_type_is_400(emu):
    emu.assert_error(emu.token({"code": "x"}), 400, "'grant_type' must be provided")
    emu.assert_error(emu.token({"grant_type": ""}), 400, contains="'grant_type'")


@pytest.mark.parametrize("grant", ["password", "client_credentials", "AUTHORIZATION_CODE"])
def test_unknown_grant_type_is_400(emu, grant):
    emu.assert_error(emu.token({"grant_type": grant}), 400, f"unsupported grant_type '{grant}'")


# --- authorization_code errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grant_type": "authorization_code", "codeVerifier": "v"}, "code"),
        ({"grant_type": "authorization_code", "code": "", "codeVerifier": "v"}, "code"),
        ({"grant_type": "authorization_code", "code": "c"}, "codeVerifier"),
        ({"grant_type": "authorization_code", "code": "c", "code_verifier": "v"}, "codeVerifier"),
    ],
)
def test_missing_code_or_verifier_is_400_naming_it(emu, body, field):
    emu.assert_error(emu.token(body), 400, contains=f"'{field}'")


def test_unknown_code_is_invalid_code(emu):
    response = _exchange(emu, "NLEeKUAjScy0CgIq7AbnB_bCB7Ro226BpLCstiNLqZs=", "123456")
    emu.assert_error(response, 401, vendor.ERROR_INVALID_CODE)


def test_code_without_its_padding_is_unknown(emu):
    code, verifier = emu.get_code()
    emu.assert_error(_exchange(emu, code.rstrip("="), verifier), 401, vendor.ERROR_INVALID_CODE)


def test_verifier_mismatch_is_invalid_code_and_uses_the_code_up(emu):
    code, verifier = emu.get_code()
    emu.assert_error(_exchange(emu, code, verifier + "x"), 401, vendor.ERROR_INVALID_CODE)
    emu.assert_error(_exchange(emu, code, verifier), 401, vendor.ERROR_INVALID_CODE)


def test_expired_code_is_invalid_code(emu):
    code, verifier = emu.get_code()
    emu.clock.advance(61)
    emu.assert_error(_exchange(emu, code, verifier), 401, vendor.ERROR_INVALID_CODE)


def test_code_just_inside_its_lifetime_works(emu):
    code, verifier = emu.get_code()
    emu.clock.advance(59)
    assert _exchange(emu, code, verifier).status_code == 200


def test_code_lifetime_follows_the_config(make_server):
    emu = make_server(code_ttl_s=5)
    code, verifier = emu.get_code()
    emu.clock.advance(6)
    emu.assert_error(_exchange(emu, code, verifier), 401, vendor.ERROR_INVALID_CODE)


def test_code_reuse_is_refused_and_revokes_the_tokens_it_issued(emu):
    code, verifier = emu.get_code()
    tokens = _exchange(emu, code, verifier).json()
    refreshed = emu.refresh(tokens["refresh_token"]).json()  # also from that code
    other, _ = emu.login()  # an unrelated login stays valid

    emu.assert_error(_exchange(emu, code, verifier), 401, vendor.ERROR_INVALID_CODE)

    for access in (tokens["access_token"], refreshed["access_token"]):
        response = emu.share({"sumsubIdConnectToken": access, "forClientId": "x"})
        emu.assert_error(response, 403, contains="revoked")
    emu.assert_error(emu.refresh(tokens["refresh_token"]), 403, contains="revoked")
    assert emu.share({"sumsubIdConnectToken": other["access_token"], "forClientId": "x"}).is_success


def test_reset_forgets_codes_and_tokens(emu):
    tokens, _ = emu.login()
    code, verifier = emu.get_code()
    assert emu.http.post("/_emulator/reset", json={}).json() == {"reset": True, "active": None}
    emu.assert_error(_exchange(emu, code, verifier), 401, vendor.ERROR_INVALID_CODE)
    emu.assert_error(emu.refresh(tokens["refresh_token"]), 401, "Invalid refresh token")


# --- refresh_token errors ----------------------------------------------------------------------


def test_missing_refresh_token_is_400(emu):
    response = emu.token({"grant_type": "refresh_token", "codeVerifier": "123456"})
    emu.assert_error(response, 400, "'refresh_token' must be provided")


@pytest.mark.parametrize(
    "token",
    ["snd-id-con-r-YtQ9-X9taNbYgAXpeAYnp_IzF6pIHrV8qJX8pt_mMxkRrmvYGTyufdREWkOP_", "junk", "é"],
)
def test_unknown_or_malformed_refresh_token_is_401(emu, token):
    emu.assert_error(emu.refresh(token), 401, "Invalid refresh token")


def test_access_token_is_not_a_refresh_token(emu):
    tokens, _ = emu.login()
    emu.assert_error(emu.refresh(tokens["access_token"]), 401, "Invalid refresh token")


def test_expired_refresh_token_is_401(make_server):
    emu = make_server(refresh_ttl_s=100)
    tokens, _ = emu.login()
    emu.clock.advance(101)
    emu.assert_error(emu.refresh(tokens["refresh_token"]), 401, "Invalid refresh token")


# --- Store rules a single-client emulator can't reach over HTTP --------------------------------


def _grant(client_id, challenge):
    return Grant(
        client_id=client_id,
        user=user_for(None),
        scopes=("openid", "share", "offline_access"),
        code_challenge=challenge,
        nonce=None,
        auth_time=0,
        redirect_uri="http://127.0.0.1/cb",
    )


def test_store_keeps_each_clients_codes_and_tokens_to_itself():
    store = TokenStore()
    challenge = s256_challenge("v" * 43)
    code = store.issue_code(_grant("client-a", challenge), now=0)

    def redeem(client_id):
        return store.redeem_code(
            code,
            client_id=client_id,
            code_verifier="v" * 43,
            now=1,
            code_ttl_s=60,
            access_ttl_s=100,
            refresh_ttl_s=100,
        )

    with pytest.raises(ApiError, match="Invalid code") as other:
        redeem("client-b")
    assert other.value.status == 401
    issued = redeem("client-a")  # not used up by client-b's attempt
    assert issued.refresh is not None
    with pytest.raises(ApiError, match="another client") as share:
        store.find_access(issued.access.token, client_id="client-b", now=2)
    assert share.value.status == 403
    with pytest.raises(ApiError, match="Invalid refresh token") as refresh:
        store.find_refresh(issued.refresh.token, client_id="client-b", now=2)
    assert refresh.value.status == 401


def test_s256_matches_rfc7636_appendix_b():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
