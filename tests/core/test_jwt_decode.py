import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idconnect_tester.core.jwt_decode import (
    DecodedJwt,
    JwtDecodeError,
    annotated_claims,
    decode_jwt,
    describe_time,
    numeric_date,
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make(header: object, claims: object, signature: bytes = b"sig") -> str:
    return ".".join(
        (b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature))
    )


def test_decodes_header_claims_and_signature() -> None:
    token = make({"alg": "RS256", "kid": "k1"}, {"sub": "u", "exp": 1})
    decoded = decode_jwt(token)
    assert isinstance(decoded, DecodedJwt)
    assert decoded.header == {"alg": "RS256", "kid": "k1"}
    assert decoded.claims == {"sub": "u", "exp": 1}
    assert decoded.signature == b"sig"
    assert decoded.signing_input == token.rsplit(".", 1)[0].encode()


def test_reference_example_token_decodes() -> None:
    example = (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3OCIsIm5hbWUiOiJKb2huIERvZSJ9."
        "hqkYfLq4pMJyY0HnLxD2kWZ4RyY5L7bB4gkDfnZpQvY"
    )
    decoded = decode_jwt(example)
    assert isinstance(decoded, DecodedJwt)
    assert decoded.claims == {"sub": "12345678", "name": "John Doe"}


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", "empty"),
        ("abc", "3 parts"),
        ("a.b.c.d.e", "encrypted"),
        (".e30.", "header part is empty"),
        ("e30.e30+.x", "outside base64url"),
        ("e30.e30=.x", "outside base64url"),
        (b64(b"not json") + ".e30.", "header is not JSON"),
        (b64(b"[1]") + ".e30.", "not an object"),
        ("e30." + b64(b"\xff\xfe") + ".", "not UTF-8"),
        ("e30.e30.a", "signature part"),
        ("é30.e30.", "outside base64url"),
    ],
)
def test_malformed_tokens_say_what_is_wrong(token: str, expected: str) -> None:
    decoded = decode_jwt(token)
    assert isinstance(decoded, JwtDecodeError)
    assert expected in decoded.message


@given(st.text(max_size=300))
def test_decoding_never_raises(token: str) -> None:
    decode_jwt(token)


def test_numeric_dates() -> None:
    assert numeric_date(0) == datetime(1970, 1, 1, tzinfo=UTC)
    nonsense: object
    for nonsense in (True, "1", None, float("nan"), float("inf"), 10**20, []):
        assert numeric_date(nonsense) is None


def test_time_claims_are_annotated_readably() -> None:
    shown = annotated_claims({"exp": 1764158400, "sub": "u", "iat": "soon"})
    assert shown["exp"].startswith("1764158400  →  2025-11-26 12:00:00 UTC (")
    assert shown["sub"] == "u" and shown["iat"] == "soon"
    assert describe_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).startswith(
        "2026-01-02 03:04:05 UTC"
    )
