"""Request signing, pinned to vectors computed independently with `openssl dgst -sha256 -hmac`."""

import hashlib
import hmac

import pytest

from idconnect_tester import vendor
from idconnect_tester.core.signing import signature, signed_headers

# printf '%s' '1700000000POST/resources/snsId/api/connect/token{...}' \
#   | openssl dgst -sha256 -hmac 'emulator-secret-key'
BODY = (
    b'{"grant_type": "authorization_code", "code": '
    b'"NLEeKUAjScy0CgIq7AbnB_bCB7Ro226BpLCstiNLqZs=", "codeVerifier": "123456"}'
)
OPENSSL_TOKEN_SIG = "06c99b3b83ff43481eaab040c03331e87e3e7c7cca659c7f43d421f76b957867"
# printf '%s' '1700000000GET/resources/applicants/-;externalUserId=a%20b/one?x=1&y=2' \
#   | openssl dgst -sha256 -hmac 'k'
OPENSSL_QUERY_SIG = "8e64435cbfa7ba125ee0bb10111e83e1ba5f20c6f8d417e2d708100d93eeae6e"


def test_signature_matches_openssl_for_the_token_request() -> None:
    assert (
        signature("emulator-secret-key", 1700000000, "POST", vendor.TOKEN_PATH, BODY)
        == OPENSSL_TOKEN_SIG
    )


def test_signature_covers_the_whole_query_and_no_body() -> None:
    path = "/resources/applicants/-;externalUserId=a%20b/one?x=1&y=2"
    assert signature("k", 1700000000, "get", path, b"") == OPENSSL_QUERY_SIG


@pytest.mark.parametrize(
    ("change", "args"),
    [
        ("secret", ("other", 1700000000, "POST", vendor.TOKEN_PATH, BODY)),
        ("timestamp", ("emulator-secret-key", 1700000001, "POST", vendor.TOKEN_PATH, BODY)),
        ("method", ("emulator-secret-key", 1700000000, "PUT", vendor.TOKEN_PATH, BODY)),
        ("path", ("emulator-secret-key", 1700000000, "POST", vendor.TOKEN_PATH + "?a=1", BODY)),
        ("body", ("emulator-secret-key", 1700000000, "POST", vendor.TOKEN_PATH, BODY + b" ")),
    ],
)
def test_every_signed_part_changes_the_signature(change: str, args: tuple) -> None:
    assert signature(*args) != OPENSSL_TOKEN_SIG, change


def test_signed_headers_use_the_clock_and_lowercase_hex() -> None:
    headers = signed_headers(
        "sbx:app",
        "emulator-secret-key",
        "POST",
        vendor.TOKEN_PATH,
        BODY,
        clock=lambda: 1700000000.9,
    )
    assert headers == {
        "X-App-Token": "sbx:app",
        "X-App-Access-Ts": "1700000000",
        "X-App-Access-Sig": OPENSSL_TOKEN_SIG,
    }
    assert headers["X-App-Access-Sig"] == headers["X-App-Access-Sig"].lower()


def test_signature_is_hmac_sha256_of_the_documented_concatenation() -> None:
    # The structure of the vendor's worked example: ts + METHOD + path + body, keyed by the secret.
    ts, body = 1607551635, b'{"levelName": "basic-kyc-level"}'
    expected = hmac.new(
        b"secret", b"1607551635POST/resources/applicants?levelName=x" + body, hashlib.sha256
    ).hexdigest()
    assert signature("secret", ts, "POST", "/resources/applicants?levelName=x", body) == expected


def test_a_path_without_leading_slash_is_refused() -> None:
    with pytest.raises(ValueError, match="start with"):
        signature("k", 1, "POST", "resources", b"")
