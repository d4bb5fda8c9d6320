"""Fault-injection drills: control endpoints, each drill's answer, and what uses them up."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from datetime import UTC, datetime

import httpx
import jwt
import pytest

from idconnect_tester import vendor
from idconnect_tester.emulator.control import DRILL_HEADER

REQUIRED = {
    "slow",
    "server_error_html",
    "malformed_json",
    "wrong_types",
    "connection_reset",
    "huge_body",
    "expired_id_token",
    "bad_signature_id_token",
    "wrong_at_hash_id_token",
    "alg_none_id_token",
    "clock_skew",
}
ANY_TOKEN_BODY = {"grant_type": "password"}
JSON = {"Content-Type": "application/json"}


def _listing(emu):
    response = emu.http.get("/_emulator/scenarios")
    assert response.status_code == 200
    return response.json()


def test_listing_names_describes_and_gives_defaults(emu):
    listing = _listing(emu)
    assert listing["active"] is None
    by_name = {item["name"]: item for item in listing["scenarios"]}
    assert set(by_name) >= REQUIRED | {"rate_limited", "revoked_token"}
    assert all(
        item["description"] and isinstance(item["params"], dict) for item in by_name.values()
    )
    assert by_name["slow"]["params"] == {"delay_s": 3}
    assert by_name["huge_body"]["params"] == {"size_mb": 5}
    assert by_name["rate_limited"]["whole_params"] == ["retry_after_s"]  # 5.0 is refused
    assert by_name["slow"]["whole_params"] == []


def test_arm_and_clear_over_http(emu):
    response = emu.http.post("/_emulator/scenario", json={"name": "slow", "times": 2, "delay_s": 1})
    slow = {"name": "slow", "remaining": 2, "params": {"delay_s": 1}}
    assert response.json() == {"active": slow, "replaced": None}
    assert _listing(emu)["active"]["remaining"] == 2
    # One drill at a time: arming another says which it took the place of.
    again = emu.http.post("/_emulator/scenario", json={"name": "clock_skew"})
    assert again.json()["active"]["name"] == "clock_skew" and again.json()["replaced"] == slow
    assert emu.http.delete("/_emulator/scenario").json() == {"active": None}
    assert _listing(emu)["active"] is None


def test_arm_defaults_times_to_one(emu):
    response = emu.http.post("/_emulator/scenario", content=b'{"name": "clock_skew"}', headers=JSON)
    assert response.json()["active"]["remaining"] == 1


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"times": 1}',
        b'{"name": "no_such_drill"}',
        b'{"name": 5}',
        b'{"name": "slow", "times": 0}',
        b'{"name": "slow", "times": -1}',
        b'{"name": "slow", "times": "2"}',
        b'{"name": "slow", "times": true}',
        b'{"name": "slow", "times": 1.5}',
        b'{"name": "slow", "delay_s": -1}',
        b'{"name": "slow", "delay_s": "3"}',
        b'{"name": "slow", "delay_s": 1e9}',
        b'{"name": "slow", "size_mb": 1}',
        b'{"name": "huge_body", "size_mb": 0}',
        b'{"name": "rate_limited", "retry_after_s": 1.5}',
        b'{"name": "malformed_json", "extra": 1}',
        b'{"name": "slow", "self": 1}',
        b'{"name": "slow", "params": {"delay_s": 1}}',
    ],
)
def test_nonsense_is_refused_with_400(emu, body):
    response = emu.http.post("/_emulator/scenario", content=body, headers=JSON)
    emu.assert_error(response, 400)
    assert _listing(emu)["active"] is None


def test_python_api_validates_too(emu):
    with pytest.raises(ValueError, match="Unknown scenario"):
        emu.server.set_scenario("nope")
    with pytest.raises(ValueError, match="times"):
        emu.server.set_scenario("slow", times=0)
    with pytest.raises(ValueError, match="delay_s"):
        emu.server.set_scenario("slow", delay_s=float("nan"))
    emu.server.set_scenario("huge_body", times=3, size_mb=1)
    assert emu.active_scenario() == {"name": "huge_body", "remaining": 3, "params": {"size_mb": 1}}
    emu.server.clear_scenario()
    assert emu.active_scenario() is None


def test_times_counts_down_and_only_signed_endpoints_use_it_up(emu):
    emu.arm("server_error_html", times=2)
    # None of these touch the drill.
    emu.http.get(vendor.DISCOVERY_PATH)
    emu.http.get(vendor.JWKS_PATH)
    emu.authorize()
    emu.http.get("/_emulator/scenarios")
    emu.http.get("/no-such-path")
    assert emu.active_scenario()["remaining"] == 2

    first = emu.token(ANY_TOKEN_BODY)
    assert first.status_code == 502
    assert emu.active_scenario()["remaining"] == 1
    second = emu.share({"sumsubIdConnectToken": "x", "forClientId": "y"})
    assert second.status_code == 502
    assert emu.active_scenario() is None
    emu.assert_error(emu.token(ANY_TOKEN_BODY), 400)  # back to normal


@pytest.mark.parametrize(
    ("drill", "params", "kind"),
    [
        ("server_error_html", {}, "response"),
        ("slow", {"delay_s": 0}, "delay"),
        ("expired_id_token", {}, "id_token"),
    ],
)
def test_an_answer_a_drill_changed_names_the_drill_and_no_other_does(emu, drill, params, kind):
    """A client tells a staged outcome from a real one by the answer: the drill's countdown
    may have been used up by anything else on this machine meanwhile. The kind says how it
    changed it: a delay only held the server's own answer back."""
    code, verifier = emu.get_code()
    emu.arm(drill, **params)
    exchange = {"grant_type": "authorization_code", "code": code, "codeVerifier": verifier}
    staged = emu.token(exchange if drill == "expired_id_token" else ANY_TOKEN_BODY)
    assert staged.headers[DRILL_HEADER] == f"{drill}; kind={kind}"
    assert emu.active_scenario() is None
    real = emu.token(ANY_TOKEN_BODY)
    assert real.status_code == 400 and DRILL_HEADER not in real.headers


def test_drills_apply_before_authentication(emu):
    emu.arm("server_error_html")
    assert emu.token(ANY_TOKEN_BODY, secret="wrong").status_code == 502


def test_framing_refusals_do_not_use_up_a_drill(make_server):
    emu = make_server(max_body_bytes=100)
    emu.arm("server_error_html")
    emu.assert_error(emu.token(b"x" * 101), 413)
    assert emu.active_scenario()["remaining"] == 1


def test_server_error_html(emu):
    emu.arm("server_error_html")
    response = emu.token(ANY_TOKEN_BODY)
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.lstrip().lower().startswith("<html")
    assert int(response.headers["content-length"]) == len(response.content)


@pytest.mark.parametrize("path", [vendor.TOKEN_PATH, vendor.SHARE_TOKEN_PATH])
def test_malformed_json(emu, path):
    emu.arm("malformed_json")
    response = emu.signed(path, ANY_TOKEN_BODY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_wrong_types_token(emu):
    emu.arm("wrong_types")
    body = emu.token(ANY_TOKEN_BODY).json()
    assert "access_token" not in body
    assert isinstance(body["expires_in"], str)
    assert isinstance(body["token_type"], int)


def test_wrong_types_share(emu):
    emu.arm("wrong_types")
    body = emu.share({"sumsubIdConnectToken": "x", "forClientId": "y"}).json()
    assert not isinstance(body["token"], str)


def test_connection_reset(emu):
    emu.arm("connection_reset")
    with pytest.raises(httpx.TransportError):
        emu.token(ANY_TOKEN_BODY)
    assert emu.active_scenario() is None
    emu.assert_error(emu.token(ANY_TOKEN_BODY), 400)  # the client recovers with a new connection


def test_the_listing_says_which_drill_was_used_last_and_when(emu):
    """A reset carries no X-Emulator-Drill header: a client learns from `last_used` that a
    drill was behind the request that got no answer, whoever armed it."""
    assert _listing(emu)["last_used"] is None
    emu.arm("connection_reset")
    before = datetime.now(UTC)
    with pytest.raises(httpx.TransportError):
        emu.token(ANY_TOKEN_BODY)
    after = datetime.now(UTC)
    used = _listing(emu)["last_used"]
    assert used["name"] == "connection_reset" and used["kind"] == "response"
    assert before <= datetime.fromisoformat(used["at"]) <= after
    emu.token(ANY_TOKEN_BODY)  # no drill armed: the last use stays the last
    assert _listing(emu)["last_used"] == used


def test_connection_reset_is_a_reset_not_a_clean_close(emu):
    emu.arm("connection_reset")
    with pytest.raises(ConnectionResetError):
        emu.raw(
            f"POST {vendor.TOKEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n"
            "{}".encode()
        )


def test_huge_body(emu):
    emu.arm("huge_body", size_mb=2)
    response = emu.token(ANY_TOKEN_BODY)
    assert response.status_code == 200
    assert len(response.content) >= 2 * 1024 * 1024
    body = response.json()
    assert body["access_token"].startswith(vendor.ACCESS_TOKEN_PREFIX)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400


def test_huge_body_default_is_several_megabytes(emu):
    emu.arm("huge_body")
    response = emu.share({"sumsubIdConnectToken": "x", "forClientId": "y"})
    assert len(response.content) >= 5 * 1024 * 1024
    assert response.json()["token"].startswith("_act-sbx-")


def test_clock_skew(emu):
    emu.arm("clock_skew")
    emu.assert_error(
        emu.token(ANY_TOKEN_BODY),
        401,
        error_code=vendor.ERROR_CODE_REQUEST_EXPIRED,
        error_name=vendor.ERROR_NAME_REQUEST_EXPIRED,
    )


def test_rate_limited(emu):
    emu.arm("rate_limited", retry_after_s=7)
    response = emu.token(ANY_TOKEN_BODY)
    emu.assert_error(response, 429)
    assert response.headers["retry-after"] == "7"


def test_revoked_token(emu):
    emu.arm("revoked_token")
    emu.assert_error(emu.share({"sumsubIdConnectToken": "x", "forClientId": "y"}), 403)


def test_markup_in_error_answers_html_in_the_error_fields(emu):
    emu.arm("markup_in_error")
    response = emu.token(ANY_TOKEN_BODY)
    emu.assert_error(response, 400)
    body = response.json()
    assert "<a href=" in body["description"] and body["errorName"].startswith("<")


def test_slow_waits_then_answers_normally(emu):
    code, verifier = emu.get_code()
    emu.arm("slow", delay_s=0.3)
    started = time.monotonic()
    response = emu.token(
        {"grant_type": "authorization_code", "code": code, "codeVerifier": verifier}
    )
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and "access_token" in response.json()


# --- id_token drills -------------------------------------------------------------------------


def _kid_key(emu, token):
    jwks = jwt.PyJWKSet.from_dict(emu.jwks())
    return jwks[jwt.get_unverified_header(token)["kid"]].key


def test_expired_id_token(emu):
    emu.arm("expired_id_token")
    token = emu.login()[0]["id_token"]
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, _kid_key(emu, token), algorithms=["RS256"], audience=emu.CLIENT_ID)
    claims = jwt.decode(
        token,
        _kid_key(emu, token),
        algorithms=["RS256"],
        options={"verify_exp": False},
        audience=emu.CLIENT_ID,
    )
    assert claims["exp"] <= time.time() - 3600
    assert claims["iat"] < claims["exp"]


def test_bad_signature_id_token(emu):
    emu.arm("bad_signature_id_token")
    token = emu.login()[0]["id_token"]
    signature = token.split(".")[2]
    assert jwt.utils.base64url_decode(signature)  # still valid base64url
    assert len(jwt.utils.base64url_decode(signature)) == 256
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, _kid_key(emu, token), algorithms=["RS256"], audience=emu.CLIENT_ID)
    # The claims themselves are fine: only the signature is wrong.
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == emu.CLIENT_ID


def test_wrong_at_hash_id_token(emu):
    emu.arm("wrong_at_hash_id_token")
    tokens = emu.login()[0]
    claims = jwt.decode(
        tokens["id_token"],
        _kid_key(emu, tokens["id_token"]),
        algorithms=["RS256"],
        audience=emu.CLIENT_ID,
    )  # signed and valid: only the binding to the access token is wrong
    digest = hashlib.sha256(tokens["access_token"].encode("ascii")).digest()
    right = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")
    assert claims["at_hash"] != right
    assert len(base64.urlsafe_b64decode(claims["at_hash"] + "==")) == 16


def test_alg_none_id_token(emu):
    emu.arm("alg_none_id_token")
    token = emu.login()[0]["id_token"]
    assert token.endswith(".")
    assert jwt.get_unverified_header(token) == {"alg": "none", "typ": "JWT"}
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, _kid_key_default(emu), algorithms=["RS256"], audience=emu.CLIENT_ID)


def _kid_key_default(emu):
    return jwt.PyJWKSet.from_dict(emu.jwks()).keys[0].key


def test_id_token_drills_count_only_responses_with_an_id_token(emu):
    emu.arm("expired_id_token", times=1)
    tokens, _ = emu.login(scope="share offline_access")  # no openid: no id_token
    emu.share({"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x"})
    emu.assert_error(emu.token(ANY_TOKEN_BODY), 400)  # an error carries no id_token either
    emu.refresh(tokens["refresh_token"])  # a refresh without openid: still no id_token
    assert emu.active_scenario() == {"name": "expired_id_token", "remaining": 1, "params": {}}

    token = emu.login(scope="openid")[0]["id_token"]
    assert jwt.decode(token, options={"verify_signature": False})["exp"] < time.time()
    assert emu.active_scenario() is None
    fresh = emu.login(scope="openid")[0]["id_token"]
    assert jwt.decode(fresh, options={"verify_signature": False})["exp"] > time.time()


def test_id_token_drill_applies_to_a_refresh_too(emu):
    tokens, _ = emu.login()
    emu.arm("alg_none_id_token")
    assert emu.refresh(tokens["refresh_token"]).json()["id_token"].endswith(".")


def test_response_drills_are_not_used_up_by_id_token_checks(emu):
    emu.arm("rate_limited", times=1)
    emu.http.get(vendor.JWKS_PATH)
    assert emu.token(ANY_TOKEN_BODY).status_code == 429
    assert emu.active_scenario() is None


def test_wait_scenario_used(emu):
    emu.arm("clock_skew")
    assert not emu.server.wait_scenario_used(0.01)
    done = threading.Thread(target=emu.token, args=(ANY_TOKEN_BODY,))
    done.start()
    assert emu.server.wait_scenario_used(5)
    done.join(5)


# --- only this machine's tools may steer the emulator -------------------------------------

_ARM_SLOW = b'{"name": "slow", "times": 1, "delay_s": 1}'


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        # What a page may send cross-origin without asking first (a form, fetch no-cors):
        ({"Content-Type": "text/plain"}, 400),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 400),
        ({}, 400),
        # JSON, but from a page (the browser names it), or to a name rebound to 127.0.0.1:
        ({**JSON, "Origin": "https://evil.example"}, 403),
        ({**JSON, "Origin": "null"}, 403),
        ({**JSON, "Host": "evil.example"}, 403),
        ({**JSON, "Host": "127.0.0.1.nip.io:8088"}, 403),
    ],
)
def test_a_web_page_cannot_arm_drills(emu, headers, status):
    response = emu.http.post("/_emulator/scenario", content=_ARM_SLOW, headers=headers)
    emu.assert_error(response, status)
    assert emu.active_scenario() is None


def test_a_web_page_cannot_clear_or_reset(emu):
    emu.server.set_scenario("clock_skew", times=3)
    page = {"Origin": "https://evil.example"}
    emu.assert_error(emu.http.delete("/_emulator/scenario", headers=page), 403)
    emu.assert_error(emu.http.post("/_emulator/reset", json={}, headers=page), 403)
    emu.assert_error(emu.http.post("/_emulator/reset", content=b"{}"), 400)  # not JSON
    emu.assert_error(emu.http.get("/_emulator/scenarios", headers={"Host": "evil.example"}), 403)
    assert emu.active_scenario()["remaining"] == 3


@pytest.mark.parametrize(
    "headers",
    [
        JSON,
        {"Content-Type": "application/json; charset=utf-8", "Origin": "http://localhost:3000"},
        {**JSON, "Host": "localhost:8088"},
        {**JSON, "Host": "[::1]:8088", "Origin": "http://127.0.0.1:8088"},
    ],
)
def test_local_tools_steer_the_emulator(emu, headers):
    response = emu.http.post("/_emulator/scenario", content=_ARM_SLOW, headers=headers)
    assert response.status_code == 200, response.text
    assert emu.active_scenario()["name"] == "slow"
