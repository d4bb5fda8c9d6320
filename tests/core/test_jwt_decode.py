import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idconnect_tester.core.jwt_decode import (
    DecodedJwt,
    JwtDecodeError,
    authorization_response,
    claims_text,
    cut_off_jwt,
    decode_jwt,
    describe_time,
    numeric_date,
    token_from_paste,
    url_not_a_jwt,
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
        ("eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp", "cut off inside its header"),  # a paste cut short
        (b64(b'{"alg":"RSA-OAEP","enc":"A256GCM"}') + ".b.c.d.e", "encrypted"),
        ("a.b.c.d.e", "this has 5"),  # five parts, but no JWE's header: not "encrypted"
        (b64(b'{"alg":"RS256"}') + ".e30.c.d.e", "this has 5"),  # a JWS with parts glued on
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


@pytest.mark.parametrize("text", ["not.a.jwt", "hello.world.x", "abcd.abcd.abcd", "é30.e30."])
def test_text_that_cannot_begin_as_a_jwt_is_called_not_a_jwt_before_the_detail(text: str) -> None:
    """Tryout AJ: "not.a.jwt" was answered only with "not canonical base64url (its last
    character has stray bits)" — true, and no help to someone who pasted the wrong thing."""
    decoded = decode_jwt(text)
    assert isinstance(decoded, JwtDecodeError)
    assert decoded.message.startswith("Not a JWT: a JWT begins eyJ")
    assert "The header" in decoded.message  # what exactly, after it


@pytest.mark.parametrize("token", ["eyJhbGciOiJub25lIn0.not.sig", "e30.e30+.x", "e30x.e30.x"])
def test_a_token_that_begins_as_a_jwt_is_not_called_not_a_jwt(token: str) -> None:
    decoded = decode_jwt(token)
    assert isinstance(decoded, JwtDecodeError)
    assert "Not a JWT" not in decoded.message


@given(st.text(max_size=300))
def test_decoding_never_raises(token: str) -> None:
    decode_jwt(token)


@given(st.from_regex(r"(https?://|id_token=|)[\[\]#?&=%.a-zA-Z0-9_+-]{0,80}") | st.text())
def test_reading_a_paste_never_raises(pasted: str) -> None:
    token, _ = token_from_paste(pasted)
    url_not_a_jwt(token)
    cut_off_jwt(token)


@pytest.mark.parametrize(
    "wrapped",
    [
        "Bearer {t}",
        '"{t}"',
        "Authorization: Bearer {t}",
        '"Bearer {t}"',  # a JSON string holding a header value
        "Bearer '{t}'",
        "  'Authorization: Bearer {t}'  ",
    ],
)
def test_every_wrapper_around_a_pasted_token_comes_off(wrapped: str) -> None:
    compact = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
    token, note = token_from_paste(wrapped.format(t=compact))
    assert token == compact
    assert note.startswith("Left out")


def test_numeric_dates() -> None:
    assert numeric_date(0) == datetime(1970, 1, 1, tzinfo=UTC)
    nonsense: object
    for nonsense in (True, "1", None, float("nan"), float("inf"), 10**20, []):
        assert numeric_date(nonsense) is None


def test_time_claims_keep_their_values_and_are_annotated_readably() -> None:
    """Each value as the token has it (a number stays a number: the text up to `//` is the
    token's JSON), the readable time after the line; a claim of the same name inside another
    object, or a time claim that is no NumericDate, is left alone."""
    claims = {"exp": 1764158400, "sub": "u", "iat": "soon", "x": {"nbf": 1764158400}}
    lines = claims_text(claims).splitlines()
    assert '  "exp": 1764158400,  // 2025-11-26 12:00:00 UTC (' in "\n".join(lines)
    json_part = "\n".join(line.split("  // ")[0] for line in lines)
    assert json.loads(json_part) == claims
    assert sum("//" in line for line in lines) == 1
    assert describe_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).startswith(
        "2026-01-02 03:04:05 UTC"
    )


RS256_TOKEN = make(
    {"alg": "RS256", "kid": "k1"},
    {"iss": "https://id.example.test/", "sub": "u", "exp": 1764158400, "name": "Zoë \u2603"},
    bytes(range(256)),  # a 2048-bit key's signature is 256 octets
)


@pytest.mark.parametrize(
    ("pasted", "where"),
    [
        (f"https://app.example.test/cb#id_token={RS256_TOKEN}&state=xyz", "fragment"),
        (f"https://app.example.test/cb#state=xyz&id_token={RS256_TOKEN}", "fragment"),
        (f"https://app.example.test/cb?id_token={RS256_TOKEN}&state=xyz", "query"),
        (f"com.example.app:/cb#code=c&id_token={RS256_TOKEN}", "fragment"),  # RFC 8252 app
        (f'"https://app.example.test/cb#id_token={RS256_TOKEN}"', "fragment"),
        (f"https://app.example.test/cb#id_token={RS256_TOKEN[:50]}\n{RS256_TOKEN[50:]}", "fr"),
        (f"#id_token={RS256_TOKEN}&state=xyz", "fragment"),  # the fragment alone
        (f"id_token={RS256_TOKEN}&state=xyz", "the id_token=… value"),
    ],
)
def test_token_from_paste_takes_the_id_token_out_of_a_url(pasted: str, where: str) -> None:
    token, note = token_from_paste(pasted)
    assert token == RS256_TOKEN
    assert note.startswith("Left out") and where in note, note
    assert url_not_a_jwt(token) is None


def test_the_parameters_beside_a_redirects_id_token_are_its_authorization_response() -> None:
    """A redirect carrying an id_token is an authorization response (implicit or hybrid flow):
    the code and access token beside the token are what its c_hash and at_hash bind."""
    pasted = f'"https://app.test/cb#code=c%2B1&id_token={RS256_TOKEN}&access_token=at&state=s"'
    assert authorization_response(pasted) == {
        "code": "c+1",
        "id_token": RS256_TOKEN,
        "access_token": "at",
        "state": "s",
    }
    # The place that holds the id_token speaks for it: the query's code is another response's.
    both = f"https://app.test/cb?code=q#id_token={RS256_TOKEN}&state=s"
    assert authorization_response(both) == {"id_token": RS256_TOKEN, "state": "s"}
    for text in (RS256_TOKEN, "https://app.test/cb#code=c&state=s", "Bearer " + RS256_TOKEN):
        assert authorization_response(text) is None


def test_a_url_keeps_what_a_token_in_it_says_exactly() -> None:
    """A `+` (standard base64, not base64url) stays a `+`, to fail the check: parse_qs would
    read it as a space, which the paste cleaning would then drop — checking another token."""
    header, payload, signature = RS256_TOKEN.split(".")
    token, _ = token_from_paste(f"https://a.test/cb#id_token={header}.{payload}+.{signature}")
    assert token == f"{header}.{payload}+.{signature}"
    assert isinstance(decode_jwt(token), JwtDecodeError)
    # Percent-encoded characters are read as what they stand for.
    token, _ = token_from_paste(f"https://a.test/cb?id_token={RS256_TOKEN.replace('.', '%2E')}")
    assert token == RS256_TOKEN


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://app.example.test/token?code=abc.def&state=xyz", "authorization code"),
        ("https://api.sumsub.com/callback", "carries no id_token"),
        ("https://login.eu.id.example.test/cb#state=xyz", "carries no id_token"),
        ("https://app.example.test/cb#access_token=a.b.c&state=x", "access_token but no id"),
        ("https://a.test/cb?error=access_denied&error_description=User+said+no", "User said no"),
        ("https://a.test/cb#id_token=a.b.c&id_token=d.e.f", "2 different id_token"),
        ("https://a.test/cb?id_token=a.b.c#id_token=d.e.f", "2 different id_token"),
        ("https://[bad-host/cb?state=xyz", "carries no id_token"),
        ("myapp://cb#id_token=", "carries no id_token"),
    ],
)
def test_a_url_without_one_id_token_is_called_a_url(url: str, said: str) -> None:
    token, note = token_from_paste(url)
    assert (token, note) == (url, "")  # returned as pasted: nothing taken out of it
    message = url_not_a_jwt(token)
    assert message is not None and message.startswith("This text is a URL, not a JWT"), message
    assert said in message and "JWE" not in message


def test_what_is_no_url_is_not_called_one() -> None:
    for text in (RS256_TOKEN, "just words", "a.b.c.d.e", "Authorization:Bearer", "e30.e30."):
        assert url_not_a_jwt(text) is None
        assert token_from_paste(text)[1] == ""


def test_header_and_payload_alone_look_cut_off_after_the_claims() -> None:
    header_and_payload = RS256_TOKEN.rsplit(".", 1)[0]
    for text in (header_and_payload, header_and_payload + "."):
        cut = cut_off_jwt(text)
        assert cut is not None and not cut.in_claims, text
        assert cut.header == {"alg": "RS256", "kid": "k1"} and cut.claims is not None
        assert cut.claims["sub"] == "u" and "cut off" in cut.why


def test_a_signature_shorter_than_its_algorithm_allows_looks_cut_off() -> None:
    header, payload, signature = RS256_TOKEN.split(".")
    # Every cut inside the signature: 341 characters hold 255 octets, one short of 2048 bits.
    for kept in range(len(signature)):
        cut = cut_off_jwt(f"{header}.{payload}.{signature[:kept]}")
        if kept * 6 // 8 in (128, 192):  # a whole 1024- or 1536-bit key's length: maybe whole
            assert cut is None, kept
            continue
        assert cut is not None and cut.claims is not None, kept
        assert "RS256 signature has at least 256" in cut.why, cut.why
    # A whole token signed with a 1024-bit key is not cut off: its key is too small, which the
    # checks say (RFC 7518 §3.3).
    assert cut_off_jwt(make({"alg": "RS256"}, {"sub": "u"}, bytes(128))) is None
    es256 = make({"alg": "ES256"}, {"sub": "u"}, bytes(63))
    cut = cut_off_jwt(es256)
    assert cut is not None and "has exactly 64" in cut.why
    # Whole, or longer than a cut could make it: decode_jwt and the checks judge it.
    for text in (RS256_TOKEN, RS256_TOKEN + "X", make({"alg": "ES256"}, {}, bytes(64))):
        assert cut_off_jwt(text) is None, text
    # No algorithm it knows the size of (or no algorithm at all): nothing to say.
    for header_json in ({"alg": "none"}, {"alg": "XY256"}, {}):
        assert cut_off_jwt(make(header_json, {"sub": "u"}, b"s")) is None
    # A damaged signature is damaged, not cut off.
    assert cut_off_jwt(f"{header}.{payload}.{signature[:100]}!") is None


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(
            st.text(max_size=12),
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.booleans(),
            st.none(),
            st.lists(st.integers(), max_size=3),
        ),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
)
def test_claims_cut_anywhere_look_cut_off_inside_them(
    claims: dict[str, object], ascii_only: bool
) -> None:
    header = b64(json.dumps({"alg": "RS256"}).encode())
    payload = b64(json.dumps(claims, ensure_ascii=ascii_only).encode())
    for kept in range(len(payload)):
        cut = cut_off_jwt(f"{header}.{payload[:kept]}")
        assert cut is not None and cut.in_claims, (kept, payload[:kept])
        assert cut.header == {"alg": "RS256"} and cut.claims_so_far.lstrip("{") in (
            json.dumps(claims, ensure_ascii=ascii_only)
        )


def test_claims_damaged_rather_than_cut_are_not_called_cut_off() -> None:
    header, payload, _ = RS256_TOKEN.split(".")
    not_json = b64(b'{"sub": "u", oops')  # a wrong character, then the end
    for text in (
        f"{header}.{payload[:20]}!{payload[21:40]}",  # not base64url
        f"{header}.{not_json}",
        f"{header}.{b64(b'[1, 2')}",  # the start of an array: claims are an object
        f"{b64(b'{}')}.{payload[:40]}",  # a header without alg: no JWS header
        f"{header[:-3]}.{payload[:40]}",  # a header cut short is no header
        f"{header}.{payload[:40]}.{RS256_TOKEN.split('.')[2]}",  # the payload part ended
    ):
        assert cut_off_jwt(text) is None, text


def test_a_duplicate_among_a_hundred_thousand_claims_is_named_without_a_freeze() -> None:
    """A server under test (or a paste) can send an id_token with very many claims and one
    of them twice. It is refused, naming that one, in one pass over the names: counting each
    name among all the others took minutes here, with the window frozen (the test's timeout
    stops that)."""
    members = ",".join(f'"c{index}":0' for index in range(100_000))
    payload = ("{" + members + ',"c7":1}').encode()
    token = ".".join((b64(b'{"alg":"RS256"}'), b64(payload), b64(b"sig")))
    decoded = decode_jwt(token)
    assert isinstance(decoded, JwtDecodeError)
    assert "duplicate member names ('c7')" in decoded.message


@pytest.mark.parametrize("cty", ["JWT", "jwt", "application/jwt"])
def test_a_nested_jwt_is_named_as_one_not_as_damage(cty: str) -> None:
    """Tryout AD: a JWT whose payload is another JWT (RFC 7519 §5.2) read "the payload is not
    JSON — the token was probably altered or damaged … copy it again"."""
    inner = make({"alg": "HS256"}, {"sub": "user"})
    outer = f"{b64(json.dumps({'alg': 'none', 'cty': cty}).encode())}.{b64(inner.encode())}."
    decoded = decode_jwt(outer)
    assert isinstance(decoded, JwtDecodeError)
    assert "nested JWT" in decoded.message and not decoded.damaged
    # Announced, but claims after all: decoded, for the cty check to say so.
    assert isinstance(decode_jwt(make({"alg": "none", "cty": cty}, {"sub": "user"})), DecodedJwt)
    # Not announced: a JWT as payload is no claims, as before.
    plain = f"{b64(json.dumps({'alg': 'none'}).encode())}.{b64(inner.encode())}."
    assert "nested" not in decode_jwt(plain).message  # type: ignore[union-attr]
