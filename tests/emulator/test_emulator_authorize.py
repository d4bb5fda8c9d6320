"""GET /api/snsId/oauth/authorize: the code redirect, and where each error goes."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from idconnect_tester import vendor

CODE_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}=")


def test_success_redirects_with_a_padded_code_and_the_state(emu):
    response, _ = emu.authorize(state="xyz-state")
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == emu.REDIRECT_URI
    params = parse_qs(location.query)
    assert params["state"] == ["xyz-state"]
    code = params["code"][0]
    assert CODE_FORMAT.fullmatch(code), code  # like the doc's NLEeKU…qZs= example
    assert len(base64.urlsafe_b64decode(code)) == 32
    assert "error" not in params


def test_codes_are_unique(emu):
    assert emu.get_code()[0] != emu.get_code()[0]


def test_existing_query_on_the_redirect_uri_is_preserved(emu):
    response, _ = emu.authorize(redirect_uri="http://127.0.0.1:8123/cb?tab=2&x=a%20b")
    location = response.headers["location"]
    assert location.startswith("http://127.0.0.1:8123/cb?tab=2&x=a%20b&code=")
    params = parse_qs(urlsplit(location).query)
    assert params["tab"] == ["2"] and params["x"] == ["a b"] and params["state"] == ["state-123"]


def test_no_state_means_none_echoed(emu):
    response, _ = emu.authorize(state=None)
    assert "state" not in emu.redirect_params(response)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:1/cb",
        "http://127.0.0.1:65535/deep/path",
        "http://127.0.0.1/no-port",
        "http://[::1]:5555/cb",
        "http://localhost:8080/callback",
        "http://LOCALHOST:8080/callback",
    ],
)
def test_loopback_redirect_uris_on_any_port_are_accepted(emu, redirect_uri):
    response, _ = emu.authorize(redirect_uri=redirect_uri)
    assert response.status_code == 302
    assert response.headers["location"].startswith(redirect_uri + "?code=")


def test_registered_redirect_uri_is_matched_exactly(make_server):
    emu = make_server(redirect_uris=("https://app.example.com/cb",))
    ok, _ = emu.authorize(redirect_uri="https://app.example.com/cb")
    assert ok.status_code == 302
    assert ok.headers["location"].startswith("https://app.example.com/cb?code=")
    refused, _ = emu.authorize(redirect_uri="https://app.example.com/cb/other")
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": None}, "invalid_request"),
        ({"client_id": ""}, "invalid_request"),
        ({"client_id": "someone-else"}, "invalid_request"),
        ({"client_id": "emulator-disabled-client"}, "unauthorized_client"),
        ({"redirect_uri": None}, "invalid_request"),
        ({"redirect_uri": "https://127.0.0.1:8080/cb"}, "invalid_request"),
        ({"redirect_uri": "http://example.com/cb"}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1.evil.example/cb"}, "invalid_request"),
        ({"redirect_uri": "http://user@127.0.0.1:80/cb"}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:8080/cb#frag"}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:notaport/cb"}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:8080/c b"}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:8080/é"}, "invalid_request"),
        ({"redirect_uri": "/relative"}, "invalid_request"),
    ],
)
def test_untrusted_client_or_redirect_answers_400_without_redirecting(emu, overrides, error):
    response, _ = emu.authorize(**overrides)
    assert response.status_code == 400
    assert "location" not in response.headers
    body = response.json()
    assert body["error"] == error and body["error_description"]


def test_duplicate_redirect_uri_is_not_trusted(emu):
    query = (
        "client_id=emulator-client&response_type=code&scope=openid&code_challenge_method=S256"
        "&code_challenge=" + "a" * 43 + "&redirect_uri=http://127.0.0.1:1/a"
        "&redirect_uri=http://127.0.0.1:2/b"
    )
    response = emu.http.get(f"{vendor.AUTHORIZE_PATH}?{query}")
    assert response.status_code == 400 and "location" not in response.headers


@pytest.mark.parametrize(
    ("overrides", "error", "hint"),
    [
        ({"response_type": "token"}, "unsupported_response_type", "code"),
        ({"response_type": None}, "invalid_request", "response_type"),
        ({"code_challenge": None}, "invalid_request", "code_challenge"),
        ({"code_challenge_method": "plain"}, "invalid_request", "S256"),
        ({"code_challenge_method": "s256"}, "invalid_request", "S256"),
        ({"code_challenge_method": None}, "invalid_request", "S256"),
        ({"code_challenge": "a" * 42}, "invalid_request", "43"),
        ({"code_challenge": "a" * 44}, "invalid_request", "43"),
        ({"code_challenge": "+" * 43}, "invalid_request", "43"),
        ({"scope": "openid banking"}, "invalid_scope", "banking"),
        ({"scope": ""}, "invalid_scope", "scope"),
        ({"scope": "   "}, "invalid_scope", "scope"),
        ({"scope": None}, "invalid_scope", "scope"),
    ],
)
def test_other_errors_travel_on_the_redirect(emu, overrides, error, hint):
    response, _ = emu.authorize(state="keep-me", **overrides)
    assert response.status_code == 302
    params = emu.redirect_params(response)
    assert params["error"] == [error]
    assert hint in params["error_description"][0]
    assert params["state"] == ["keep-me"]
    assert "code" not in params
    assert response.headers["location"].startswith(emu.REDIRECT_URI + "?")


def test_repeated_parameter_is_an_error_on_the_redirect(emu):
    first, _ = emu.authorize(state="one")
    again = emu.http.get(str(first.request.url) + "&state=two")
    params = emu.redirect_params(again)
    assert params["error"] == ["invalid_request"]
    assert "state" in params["error_description"][0]
    assert "code" not in params


def test_scope_names_may_repeat_and_be_spaced_out(emu):
    tokens, _ = emu.login(scope="openid  openid share")
    assert "id_token" in tokens and "refresh_token" not in tokens
