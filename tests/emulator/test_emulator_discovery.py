"""Discovery, JWKS, routing errors and the HTTP plumbing (keep-alive, protocol errors)."""

from __future__ import annotations

import base64
import json
import threading

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from idconnect_tester import vendor
from idconnect_tester.emulator import EmulatorServer


def test_discovery_document(emu):
    response = emu.http.get(vendor.DISCOVERY_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    doc = response.json()
    base = emu.base_url
    assert doc["issuer"] == base + "/" == emu.server.issuer
    assert doc["authorization_endpoint"] == base + vendor.AUTHORIZE_PATH
    assert doc["token_endpoint"] == base + vendor.TOKEN_PATH
    assert doc["jwks_uri"] == base + vendor.JWKS_PATH
    assert doc["scopes_supported"] == list(vendor.SCOPES)
    assert doc["response_types_supported"] == ["code"]
    assert set(doc["grant_types_supported"]) == {"authorization_code", "refresh_token"}
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["subject_types_supported"] == ["public"]
    assert {"iss", "sub", "aud", "nonce", "email", "given_name", "created_at"} <= set(
        doc["claims_supported"]
    )


def test_base_url_has_no_trailing_slash(emu):
    assert not emu.base_url.endswith("/")
    assert emu.base_url.startswith("http://127.0.0.1:")


def test_jwks_shape(emu):
    keys = emu.jwks()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
    assert key["kid"] and key["kid"] == emu.jwks()["keys"][0]["kid"]  # stable
    for field in ("n", "e"):
        assert "=" not in key[field] and "+" not in key[field] and "/" not in key[field]
    modulus = base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4))
    assert int.from_bytes(modulus, "big").bit_length() == 2048
    assert key["e"] == "AQAB"
    # A real JOSE library accepts it.
    assert jwt.PyJWKSet.from_dict(emu.jwks())[key["kid"]].key_type == "RSA"


def test_each_instance_has_its_own_key(emu, make_server):
    other = make_server()
    assert other.jwks()["keys"][0]["kid"] != emu.jwks()["keys"][0]["kid"]
    assert other.base_url != emu.base_url


def test_start_does_not_wait_for_the_rsa_key(monkeypatch, make_server):
    release = threading.Event()
    original = rsa.generate_private_key

    def slow_keygen(*args, **kwargs):
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(rsa, "generate_private_key", slow_keygen)
    try:
        emu = make_server()  # would hang here if start() generated the key itself
        assert emu.http.get(vendor.DISCOVERY_PATH).status_code == 200
    finally:
        release.set()
    kids = {emu.jwks()["keys"][0]["kid"] for _ in range(3)}
    assert len(kids) == 1


def test_unknown_path_is_404_in_error_shape(emu):
    emu.assert_error(emu.http.get("/nope"), 404, contains="/nope")
    emu.assert_error(emu.http.post("/resources/snsId/api/connect/token/"), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", vendor.TOKEN_PATH),
        ("PUT", vendor.TOKEN_PATH),
        ("GET", vendor.SHARE_TOKEN_PATH),
        ("POST", vendor.DISCOVERY_PATH),
        ("DELETE", vendor.JWKS_PATH),
        ("POST", vendor.AUTHORIZE_PATH),
        ("PATCH", "/_emulator/scenario"),
    ],
)
def test_wrong_method_is_405_in_error_shape(emu, method, path):
    response = emu.http.request(method, path)
    emu.assert_error(response, 405)
    assert response.headers["allow"]


def test_unknown_method_is_405_not_an_html_501(emu):
    answer = emu.raw(
        b"BREW /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 ")
    assert json.loads(body)["code"] == 405


def test_head_gets_headers_only_and_keeps_the_connection_usable(emu):
    answer = emu.raw(
        b"HEAD /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    first, second = answer.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"405 ") and first.endswith(b"\r\n\r\n")  # no body after HEAD
    assert second.startswith(b"200 ")
    assert json.loads(second.partition(b"\r\n\r\n")[2])["issuer"] == emu.base_url + "/"


def test_keep_alive_serves_several_requests_on_one_connection(emu):
    request = b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = emu.raw(request * 3 + request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    assert answer.count(b"HTTP/1.1 200 OK") == 4


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n",
    ],
    ids=["bad-line", "bad-version", "uri-too-long", "too-many-headers"],
)
def test_protocol_errors_answer_json_not_html(emu, request_bytes):
    answer = emu.raw(request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    assert 400 <= status < 500 or status == 505
    payload = json.loads(body)
    assert payload["code"] == status and len(payload["correlationId"]) == 32
    assert b"<html" not in answer.lower()


def test_server_lifecycle(make_server):
    never_started = EmulatorServer()
    never_started.stop()  # safe
    with pytest.raises(RuntimeError):
        _ = never_started.base_url
    emu = make_server()
    with pytest.raises(RuntimeError):
        emu.server.start()
    emu.server.stop()
    emu.server.stop()  # idempotent
    assert not emu.server.running


def test_context_manager_starts_and_stops():
    with EmulatorServer() as server:
        assert server.running
        assert server.issuer == server.base_url + "/"
    assert not server.running


def test_ipv6_loopback_host(make_server):
    try:
        emu = make_server(host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    assert emu.base_url.startswith("http://[::1]:")
    assert emu.http.get(vendor.DISCOVERY_PATH).json()["issuer"] == emu.base_url + "/"
