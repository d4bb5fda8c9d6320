"""POST /resources/accessTokens/sumsubIdShareToken."""

from __future__ import annotations

import re

import pytest

from idconnect_tester import vendor

SANDBOX_SHARE = re.compile(r"_act-sbx-[0-9a-f-]{36}")


def test_share_token_success(emu):
    tokens, _ = emu.login()
    body = {"sumsubIdConnectToken": tokens["access_token"], "forClientId": "CoolCompanyLtd"}
    response = emu.share({**body, "ttlInSecs": 1800})
    assert response.status_code == 200
    answer = response.json()
    assert list(answer) == ["token", "forClientId"]
    assert SANDBOX_SHARE.fullmatch(answer["token"])
    assert answer["forClientId"] == "CoolCompanyLtd"
    assert emu.share(body).status_code == 200  # ttlInSecs is optional
    assert emu.share({**body, "ttlInSecs": 86400}).status_code == 200
    assert emu.share({**body, "ttlInSecs": 1}).status_code == 200


def test_production_app_token_gets_a_production_share_token(make_server):
    emu = make_server(app_token="prd:emulator-app-token")
    tokens, _ = emu.login()
    response = emu.share(
        {"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x"},
        app_token="prd:emulator-app-token",
    )
    token = response.json()["token"]
    assert token.startswith("_act-") and not token.startswith("_act-sbx-")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"forClientId": "CoolCompanyLtd"},
        {"sumsubIdConnectToken": "snd-id-con-a-x"},
        {"sumsubIdConnectToken": "", "forClientId": "CoolCompanyLtd"},
        {"sumsubIdConnectToken": "snd-id-con-a-x", "forClientId": ""},
        {"sumsubIdConnectToken": None, "forClientId": "CoolCompanyLtd"},
        {"sumsubIdConnectToken": "snd-id-con-a-x", "forClientId": None},
    ],
)
def test_missing_fields_get_the_documented_message(emu, body):
    emu.assert_error(emu.share(body), 400, vendor.ERROR_SHARE_MISSING_FIELDS)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sumsubIdConnectToken": 5, "forClientId": "x"}, "sumsubIdConnectToken"),
        ({"sumsubIdConnectToken": "t", "forClientId": ["x"]}, "forClientId"),
    ],
)
def test_wrong_field_types_are_400(emu, body, field):
    emu.assert_error(emu.share(body), 400, contains=f"'{field}'")


@pytest.mark.parametrize("ttl", [0, -1, 86401, "1800", 1800.5, 1800.0, True, None, [1800]])
def test_ttl_must_be_a_positive_integer_up_to_a_day(emu, ttl):
    tokens, _ = emu.login()
    body = {"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x", "ttlInSecs": ttl}
    emu.assert_error(emu.share(body), 400, contains="'ttlInSecs'")


def test_unknown_access_token_is_401(emu):
    response = emu.share({"sumsubIdConnectToken": "snd-id-con-a-nope", "forClientId": "x"})
    emu.assert_error(response, 401)


def test_refresh_token_is_not_an_access_token(emu):
    tokens, _ = emu.login()
    response = emu.share({"sumsubIdConnectToken": tokens["refresh_token"], "forClientId": "x"})
    emu.assert_error(response, 401)


def test_expired_access_token_is_401(emu):
    tokens, _ = emu.login()
    emu.clock.advance(86401)
    response = emu.share({"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x"})
    emu.assert_error(response, 401, contains="expired")


def test_token_without_share_scope_is_403(emu):
    tokens, _ = emu.login(scope="openid name")
    response = emu.share({"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x"})
    emu.assert_error(response, 403, contains="'share' scope")


def test_disabled_client_is_404(emu):
    tokens, _ = emu.login()
    response = emu.share(
        {"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x"},
        app_token=emu.DISABLED_TOKEN,
    )
    emu.assert_error(
        response, 404, vendor.ERROR_INVALID_CLIENT_ID_PREFIX + "emulator-disabled-client"
    )
