"""Response parsing: every documented shape, every malformation, and never an exception."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idconnect_tester.core.exchange import (
    ApiError,
    ShareTokenGranted,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.parsing import (
    parse_error_response,
    parse_share_token_response,
    parse_token_response,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
REFERENCE_SUCCESS = (
    b"""{
"access_token" : "snd-id-con-a-WRT7FRBRfdejpsDR8a_cYeX9BU32QP_I_Hyc93saZcg5965PfGzrHGDEdrTRseop",
"refresh_token" : "snd-id-con-r-YtQ9-X9taNbYgAXpeAYnp_IzF6pIHrV8qJX8pt_mMxkRrmvYGTyufdREWkOP_",
"token_type" : "Bearer",
"expires_in" : 86400,
"id_token" : "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3OCIsIm5hbWUiOiJKb2huIERvZSJ9."""
    b"""hqkYfLq4pMJyY0HnLxD2kWZ4RyY5L7bB4gkDfnZpQvY"
}"""
)


def token(status: int, body: bytes, content_type: str = "application/json") -> object:
    return parse_token_response(status, body, content_type, NOW)


def test_an_answer_far_larger_than_a_token_response_says_so() -> None:
    """The reference answer needs no word; the same tokens with 100 KB of padding get one that
    gives its size (it still grants them: the tokens are there)."""
    plain = token(200, REFERENCE_SUCCESS)
    assert isinstance(plain, TokenGranted) and plain.notes == ()
    padded = REFERENCE_SUCCESS[:-1].rstrip() + b', "padding": "' + b"x" * 100_000 + b'"}'
    outcome = token(200, padded)
    assert isinstance(outcome, TokenGranted)
    assert any(f"{len(padded):,} bytes" in note for note in outcome.notes), outcome.notes


def test_reference_success_response() -> None:
    outcome = token(200, REFERENCE_SUCCESS)
    assert isinstance(outcome, TokenGranted)
    assert outcome.token_type == "Bearer" and outcome.expires_in == 86400
    assert outcome.expires_at == NOW + timedelta(days=1)
    assert outcome.refresh_token and outcome.refresh_token.startswith("snd-id-con-r-")
    assert outcome.id_token and outcome.id_token.count(".") == 2
    assert outcome.notes == ()


def test_a_token_expires_on_the_whole_second_its_id_token_would() -> None:
    """Tryout AI: the access token's countdown and the id_token's, both "until 16:13:00",
    read 28 and 27: one counted from the fraction of a second the answer came in, the other
    from an `exp` in whole seconds. Both now count from the whole second."""
    received_at = datetime(2026, 12, 3, 16, 12, 30, 700_000, tzinfo=UTC)
    outcome = parse_token_response(200, REFERENCE_SUCCESS, "application/json", received_at)
    assert isinstance(outcome, TokenGranted)
    assert outcome.expires_at == datetime(2026, 12, 4, 16, 12, 30, tzinfo=UTC)
    id_token_exp = int(received_at.timestamp()) + outcome.expires_in  # issued in that second
    assert outcome.expires_at.timestamp() == id_token_exp


def test_refresh_response_without_optional_fields() -> None:
    outcome = token(
        200,
        b'{"access_token": "snd-id-con-a-x", "token_type": "Bearer", "expires_in": 86400}',
    )
    assert isinstance(outcome, TokenGranted)
    assert outcome.refresh_token is None and outcome.id_token is None


def test_unknown_fields_are_kept_and_odd_token_type_noted() -> None:
    outcome = token(
        200, b'{"access_token": "a", "token_type": "mac", "expires_in": 5, "scope": "openid"}'
    )
    assert isinstance(outcome, TokenGranted)
    assert outcome.other_fields == {"scope": "openid"}
    assert any("always Bearer" in n for n in outcome.notes)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"token_type": "Bearer", "expires_in": 1}', "access_token is missing"),
        (b'{"access_token": 5, "token_type": "Bearer", "expires_in": 1}', "integer"),
        (
            b'{"access_token": "a", "token_type": "Bearer", "expires_in": "86400"}',
            'expires_in is a string ("86400"), expected an integer',
        ),
        (b'{"access_token": "a", "token_type": "Bearer", "expires_in": true}', "a boolean"),
        (b'{"access_token": "a", "token_type": "Bearer", "expires_in": -1}', "negative"),
        (b'{"access_token": "a", "token_type": "Bearer", "expires_in": 1e300}', "a number"),
        (b'{"access_token": "a", "token_type": "Bearer", "expires_in": 10000000000000}', "large"),
        (b'{"access_token": "", "token_type": "Bearer", "expires_in": 1}', "empty string"),
        (b"[1, 2]", "an array, not a JSON object"),
        (b'{"access_token": "a"', "not valid JSON"),
        (b"", "empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"<html><title>Bad Gateway</title></html>", "HTML page titled 'Bad Gateway'"),
        (b"[" * 100000 + b"]" * 100000, "not usable JSON"),
    ],
)
def test_malformed_success_bodies_say_what_is_wrong(body: bytes, expected: str) -> None:
    outcome = token(200, body)
    assert isinstance(outcome, UnexpectedResponse)
    assert any(expected in p for p in outcome.problems), outcome.problems


def test_a_truncated_body_says_where_in_plain_words() -> None:
    outcome = token(200, b'{"access_token": "a')
    assert isinstance(outcome, UnexpectedResponse)
    (problem,) = outcome.problems
    assert "(line 1, column 18)" in problem  # where the string starts
    assert " at at " not in problem and not problem.endswith(" at")


def test_wrong_types_scenario_lists_every_problem() -> None:
    outcome = token(200, b'{"token_type": 7, "expires_in": "86400"}')
    assert isinstance(outcome, UnexpectedResponse)
    assert len(outcome.problems) == 3


def test_documented_errors() -> None:
    outcome = token(
        404,
        b'{"code": 404, "correlationId": "bc3cf3b178723bf584b4418943fcf791", '
        b'"description": "Invalid clientId: client_id"}',
    )
    assert outcome == ApiError(
        status=404,
        description="Invalid clientId: client_id",
        code=404,
        correlation_id="bc3cf3b178723bf584b4418943fcf791",
    )
    sig = token(
        401,
        b'{"code": 401, "correlationId": "c", "description": "Request signature mismatch", '
        b'"errorCode": 4003, "errorName": "app-token-signature mismatch"}',
    )
    assert isinstance(sig, ApiError)
    assert (sig.error_code, sig.error_name) == (4003, "app-token-signature mismatch")


def test_error_pages_that_are_not_the_error_shape() -> None:
    html = parse_error_response(502, b"<html><title>502 Bad Gateway</title></html>", "text/html")
    assert isinstance(html, UnexpectedResponse) and "HTML page" in html.problems[0]
    other = parse_error_response(400, b'{"error": "invalid_grant"}', "application/json")
    assert isinstance(other, UnexpectedResponse) and "not Sumsub's error shape" in other.problems[0]
    redirect = parse_error_response(302, b"", "")
    assert isinstance(redirect, UnexpectedResponse) and "redirect" in redirect.problems[0]


def test_error_shape_with_wrong_types_still_shows_what_is_there() -> None:
    outcome = parse_error_response(
        401, b'{"code": "401", "description": ["x"], "correlationId": 5}', ""
    )
    assert isinstance(outcome, ApiError)
    assert outcome.code is None and outcome.correlation_id is None
    assert "x" in outcome.description


def test_share_token_success_and_missing_token() -> None:
    ok = parse_share_token_response(
        200, b'{"token": "_act-sbx-1", "forClientId": "Cool"}', "", NOW, 1800
    )
    assert isinstance(ok, ShareTokenGranted)
    assert ok.for_client_id == "Cool" and ok.expires_at == NOW + timedelta(seconds=1800)
    bad = parse_share_token_response(200, b'{"forClientId": "Cool"}', "", NOW, 1800)
    assert isinstance(bad, UnexpectedResponse)


# --- Never raises, whatever comes back ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
token_like_objects = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in (
            "access_token",
            "token_type",
            "expires_in",
            "refresh_token",
            "id_token",
            "code",
            "description",
            "correlationId",
            "errorCode",
            "errorName",
            "token",
            "forClientId",
        )
    },
)
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502]) | st.integers(
    100, 599
)
content_types = st.sampled_from(
    ["application/json", "text/html", "", "application/json; charset=latin-1", "x;charset=nope"]
)


@settings(max_examples=300)
@given(statuses, st.binary(max_size=2000), content_types)
def test_arbitrary_bytes_never_raise(status: int, body: bytes, content_type: str) -> None:
    for outcome in (
        parse_token_response(status, body, content_type, NOW),
        parse_share_token_response(status, body, content_type, NOW, 1800),
    ):
        assert outcome is not None


@settings(max_examples=300)
@given(statuses, json_values | token_like_objects, content_types)
def test_arbitrary_json_never_raises(status: int, value: object, content_type: str) -> None:
    body = json.dumps(value).encode()
    outcome = parse_token_response(status, body, content_type, NOW)
    if isinstance(outcome, TokenGranted):
        assert isinstance(outcome.access_token, str) and outcome.access_token
        assert isinstance(outcome.expires_in, int)
    parse_share_token_response(status, body, content_type, NOW, 1800)
