"""Request signing and body framing on the two signed endpoints, in the documented order."""

from __future__ import annotations

import json
import time

import pytest
from tests.support.signature_oracle import vendor_signature

from idconnect_tester import vendor

SIGNED_PATHS = [vendor.TOKEN_PATH, vendor.SHARE_TOKEN_PATH]
HEADERS = [vendor.HEADER_APP_TOKEN, vendor.HEADER_ACCESS_TS, vendor.HEADER_ACCESS_SIG]
PASSES_AUTH = {"grant_type": "password"}  # a body that only fails after authentication


def _passed_auth(emu, response):
    """Authentication accepted: the request reached the grant_type check."""
    emu.assert_error(response, 400, "unsupported grant_type 'password'")


def test_fixed_vector_computed_with_openssl(emu):
    # printf '1700000000POST/resources/snsId/api/connect/token{body}' |
    #   openssl dgst -sha256 -hmac emulator-secret-key
    emu.clock.freeze(1_700_000_000)
    body = b'{"grant_type": "authorization_code", "code": "x", "codeVerifier": "y"}'
    sig = "a45d0d8733f2aaf6bbd949eb72f42141365800130be28c32d750f83b3aa18653"
    response = emu.token(body, ts="1700000000", sig=sig)
    emu.assert_error(response, 401, vendor.ERROR_INVALID_CODE)  # got past the signature


@pytest.mark.parametrize("path", SIGNED_PATHS)
@pytest.mark.parametrize("missing", [(h,) for h in HEADERS] + [tuple(HEADERS)])
def test_missing_headers_are_401_naming_them(emu, path, missing):
    response = emu.signed(path, PASSES_AUTH, omit=missing)
    body = emu.assert_error(response, 401)
    for name in missing:
        assert name in body["description"]
    assert "errorCode" not in body


def test_blank_header_counts_as_missing(emu):
    response = emu.token(PASSES_AUTH, ts="")
    emu.assert_error(response, 401, contains=vendor.HEADER_ACCESS_TS)


@pytest.mark.parametrize("path", SIGNED_PATHS)
def test_unknown_app_token_is_401(emu, path):
    response = emu.signed(path, PASSES_AUTH, app_token="sbx:someone-else")
    emu.assert_error(response, 401, "Invalid app token")


@pytest.mark.parametrize("ts", ["abc", "1700000000.5", "-5", "+1700000000", "1e9", "0x10", "1 2"])
def test_timestamp_must_be_integer_seconds(emu, ts):
    response = emu.token(PASSES_AUTH, ts=ts)
    body = emu.assert_error(response, 401, contains=vendor.HEADER_ACCESS_TS)
    assert "errorCode" not in body


@pytest.mark.parametrize("skew", [61, -61, 3600, -86400])
def test_timestamp_off_by_more_than_a_minute_is_4004(emu, skew):
    # The server's clock held still: read live, its fraction of a second (lost by int())
    # could bring a 61 s skew within the minute (a flaky 400 on CI).
    emu.clock.freeze(1_800_000_000)
    response = emu.token(PASSES_AUTH, ts=str(1_800_000_000 + skew))
    emu.assert_error(
        response,
        401,
        error_code=vendor.ERROR_CODE_REQUEST_EXPIRED,
        error_name=vendor.ERROR_NAME_REQUEST_EXPIRED,
    )


@pytest.mark.parametrize("skew", [55, -55, 0])
def test_timestamp_within_a_minute_is_accepted(emu, skew):
    emu.clock.freeze(1_800_000_000)
    _passed_auth(emu, emu.token(PASSES_AUTH, ts=str(1_800_000_000 + skew)))


def test_server_clock_decides_not_the_client_clock(emu):
    emu.clock.advance(3600)  # the server lives an hour ahead
    late = emu.token(PASSES_AUTH, ts=str(int(time.time())))
    emu.assert_error(late, 401, error_code=4004)
    _passed_auth(emu, emu.token(PASSES_AUTH))  # signed with the server's clock


def _mismatch(emu, response):
    emu.assert_error(
        response,
        401,
        vendor.ERROR_SIGNATURE_MISMATCH,
        error_code=vendor.ERROR_CODE_SIGNATURE_MISMATCH,
        error_name=vendor.ERROR_NAME_SIGNATURE_MISMATCH,
    )


@pytest.mark.parametrize("path", SIGNED_PATHS)
def test_wrong_secret_is_4003(emu, path):
    _mismatch(emu, emu.signed(path, PASSES_AUTH, secret="not-the-secret"))


def test_signature_variants_are_4003(emu):
    body = json.dumps(PASSES_AUTH).encode()
    ts = str(int(emu.clock()))
    good = emu.token(body, ts=ts)  # computed by the fixture
    _passed_auth(emu, good)
    right = good.request.headers[vendor.HEADER_ACCESS_SIG]
    for sig in (right.upper(), right[:-1], right + "0", right[:-1] + "g", "z" * 64, "0" * 64):
        _mismatch(emu, emu.token(body, ts=ts, sig=sig))


def test_signature_covers_the_exact_body_bytes(emu):
    ts = str(int(emu.clock()))
    signed_body = b'{"grant_type": "password"}'
    sig = emu.token(signed_body, ts=ts).request.headers[vendor.HEADER_ACCESS_SIG]
    _mismatch(emu, emu.token(b'{"grant_type":"password"}', ts=ts, sig=sig))


def test_signature_covers_the_query_string(emu):
    target = vendor.TOKEN_PATH + "?lang=en&x=1"
    _passed_auth(emu, emu.signed(target, PASSES_AUTH))
    ts = str(int(emu.clock()))
    without_query = emu.signed(vendor.TOKEN_PATH, PASSES_AUTH, ts=ts)
    sig = without_query.request.headers[vendor.HEADER_ACCESS_SIG]
    _mismatch(emu, emu.signed(target, PASSES_AUTH, ts=ts, sig=sig))


def test_signature_covers_the_method(emu):
    ts = str(int(emu.clock()))
    body = json.dumps(PASSES_AUTH).encode()
    sig = vendor_signature(emu.SECRET, ts, "post", vendor.TOKEN_PATH, body)
    _mismatch(emu, emu.token(body, ts=ts, sig=sig))


def test_duplicate_signing_header_is_refused(emu):
    ts = str(int(emu.clock()))
    body = json.dumps(PASSES_AUTH).encode()
    first = emu.token(body, ts=ts)
    headers = list(first.request.headers.multi_items())
    headers.append((vendor.HEADER_APP_TOKEN, emu.APP_TOKEN))
    response = emu.http.post(vendor.TOKEN_PATH, content=body, headers=headers)
    emu.assert_error(response, 401, contains="once")


@pytest.mark.parametrize("path", SIGNED_PATHS)
def test_disabled_client_is_404_invalid_client_id(emu, path):
    response = emu.signed(path, PASSES_AUTH, app_token=emu.DISABLED_TOKEN)
    emu.assert_error(
        response, 404, vendor.ERROR_INVALID_CLIENT_ID_PREFIX + "emulator-disabled-client"
    )


def test_disabled_client_is_checked_after_the_signature(emu):
    response = emu.token(PASSES_AUTH, app_token=emu.DISABLED_TOKEN, secret="wrong")
    _mismatch(emu, response)
    stale = emu.token(PASSES_AUTH, app_token=emu.DISABLED_TOKEN, ts=str(int(emu.clock()) - 600))
    emu.assert_error(stale, 401, error_code=4004)


def test_authentication_comes_before_body_checks(emu):
    response = emu.token(b"not json", content_type="text/plain", secret="wrong")
    _mismatch(emu, response)


# --- Body framing and Content-Type ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "contains"),
    [
        (None, "application/json"),
        ("text/plain", "application/json"),
        ("application/x-www-form-urlencoded", "application/json"),
        ("application/json-patch+json", "application/json"),
        ("application/json; charset=latin-1", "UTF-8"),
    ],
)
def test_content_type_must_be_json(emu, content_type, contains):
    emu.assert_error(emu.token(PASSES_AUTH, content_type=content_type), 400, contains=contains)


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"],
)
def test_json_content_type_with_parameters_is_accepted(emu, content_type):
    _passed_auth(emu, emu.token(PASSES_AUTH, content_type=content_type))


def test_chunked_body_is_411(emu):
    ts = str(int(emu.clock()))
    body = json.dumps(PASSES_AUTH).encode()
    sig = emu.token(body, ts=ts).request.headers[vendor.HEADER_ACCESS_SIG]
    headers = {
        vendor.HEADER_APP_TOKEN: emu.APP_TOKEN,
        vendor.HEADER_ACCESS_TS: ts,
        vendor.HEADER_ACCESS_SIG: sig,
        "Content-Type": "application/json",
    }
    response = emu.http.post(vendor.TOKEN_PATH, content=iter([body]), headers=headers)
    assert response.request.headers["transfer-encoding"] == "chunked"
    emu.assert_error(response, 411)
    assert response.headers["connection"] == "close"


def test_post_without_content_length_is_411_once_authenticated(emu):
    ts = str(int(emu.clock()))
    signature = vendor_signature(emu.SECRET, ts, "POST", vendor.TOKEN_PATH, b"")
    head = (
        f"POST {vendor.TOKEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"{vendor.HEADER_APP_TOKEN}: {emu.APP_TOKEN}\r\n{vendor.HEADER_ACCESS_TS}: {ts}\r\n"
    )
    signed = f"{head}{vendor.HEADER_ACCESS_SIG}: {signature}\r\nConnection: close\r\n\r\n"
    answer = emu.raw(signed.encode())
    head_bytes, _, body = answer.partition(b"\r\n\r\n")
    assert head_bytes.startswith(b"HTTP/1.1 411 ")
    assert json.loads(body)["code"] == 411
    unsigned = emu.raw(f"{head}Connection: close\r\n\r\n".encode())
    assert unsigned.startswith(b"HTTP/1.1 401 ")


def test_body_over_the_limit_is_413(make_server):
    emu = make_server(max_body_bytes=1024)
    _passed_auth(emu, emu.token(json.dumps({**PASSES_AUTH, "pad": "x" * 900})))
    response = emu.token(json.dumps({**PASSES_AUTH, "pad": "x" * 1100}))
    emu.assert_error(response, 413, contains="1024")
    assert response.headers["connection"] == "close"


def test_default_limit_is_one_mebibyte(emu):
    response = emu.token(b"x" * (1_048_576 + 1))
    emu.assert_error(response, 413)


def test_huge_declared_length_is_refused_without_reading_it(emu):
    # Declares a gigabyte and sends a few bytes: the answer comes from the header alone (a
    # server reading the body would wait for bytes that never come, and answer nothing).
    answer = emu.raw(
        f"POST {vendor.TOKEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000000\r\n\r\n{}".encode(),
        until_close=False,
    )
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_expect_100_continue_with_a_huge_body_is_refused_up_front(emu):
    answer = emu.raw(
        f"POST {vendor.TOKEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n"
        "Expect: 100-continue\r\n\r\n".encode(),
        until_close=False,
    )
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_invalid_content_length_is_400(emu):
    answer = emu.raw(
        f"POST {vendor.TOKEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 400 ")


@pytest.mark.parametrize(
    ("body", "contains"),
    [
        (b"", "JSON"),
        (b"{", "JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[]", "JSON object"),
        (b'"grant_type"', "JSON object"),
        (b"null", "JSON object"),
        (b"42", "JSON object"),
        (b'{"grant_type": NaN}', "JSON"),
        (b'{"grant_type": "a", "grant_type": "b"}', "duplicate"),
        (b"[" * 100000 + b"]" * 100000, "JSON"),
        (b'{"n": ' + b"9" * 5000 + b"}", "JSON"),
        ('{"grant_type": "authorization_code"}'.encode("utf-16"), "UTF-8"),
    ],
)
def test_body_must_be_a_json_object(emu, body, contains):
    emu.assert_error(emu.token(body), 400, contains=contains)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grant_type": 5}, "grant_type"),
        ({"grant_type": None}, "grant_type"),
        ({"grant_type": ["authorization_code"]}, "grant_type"),
        ({"grant_type": "authorization_code", "code": 5, "codeVerifier": "v"}, "code"),
        ({"grant_type": "authorization_code", "code": "c", "codeVerifier": {}}, "codeVerifier"),
        ({"grant_type": "refresh_token", "refresh_token": True}, "refresh_token"),
        ({"grant_type": "refresh_token", "refresh_token": "r", "scope": ["openid"]}, "scope"),
        ({"grant_type": "refresh_token", "refresh_token": "r", "codeVerifier": 1}, "codeVerifier"),
    ],
)
def test_wrong_field_types_are_400_naming_the_field(emu, body, field):
    emu.assert_error(emu.token(body), 400, contains=f"'{field}'")


def test_correlation_ids_are_fresh(emu):
    ids = {emu.token(PASSES_AUTH).json()["correlationId"] for _ in range(5)}
    assert len(ids) == 5


def test_error_answers_keep_the_connection_alive(emu):
    with emu.new_client() as client:
        for _ in range(3):
            response = emu.token(PASSES_AUTH, client=client, secret="bad")
            assert response.status_code == 401
            assert response.headers.get("connection") != "close"
