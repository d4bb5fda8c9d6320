"""The authorize URL and reading the redirect: full URL, query, bare code, errors, junk."""

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idconnect_tester.core.authorize import (
    AuthorizeResult,
    AuthorizeSession,
    authorization_endpoint_for,
    endpoint_problem,
    is_authorization_endpoint,
    parse_redirect,
)
from idconnect_tester.core.pkce import s256_challenge, verifier_matches

ENDPOINT = "https://id.sumsub.com/api/snsId/oauth/authorize"
REDIRECT = "http://127.0.0.1:54321/callback"


def session(**overrides: object) -> AuthorizeSession:
    made = AuthorizeSession.new(
        ENDPOINT, "client-1", REDIRECT, ["offline_access", "openid", "name"], login_hint=None
    )
    return replace(made, **overrides)  # type: ignore[arg-type]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# --- the session and its URL -------------------------------------------------------------------


def test_new_session_has_fresh_randomness_and_vendor_scope_order() -> None:
    one, two = session(), session()
    assert one.scopes == ("openid", "name", "offline_access")
    assert one.state != two.state and one.nonce != two.nonce
    assert len(one.state) >= 32 and len(one.nonce) >= 32
    assert one.pkce.code_verifier != two.pkce.code_verifier
    assert verifier_matches(one.pkce.code_verifier, one.pkce.code_challenge)
    assert one.created_at.tzinfo is not None


def test_url_carries_every_parameter() -> None:
    s = session(login_hint="a+b@example.com")
    url = s.url()
    assert url.startswith(ENDPOINT + "?")
    q = query_of(url)
    assert q == {
        "client_id": ["client-1"],
        "response_type": ["code"],
        "redirect_uri": [REDIRECT],
        "scope": ["openid name offline_access"],
        "state": [s.state],
        "nonce": [s.nonce],
        "code_challenge": [s256_challenge(s.pkce.code_verifier)],
        "code_challenge_method": ["S256"],
        "login_hint": ["a+b@example.com"],
    }


def test_url_percent_encoding_is_unambiguous() -> None:
    url = session(login_hint="a+b c&d=e@x.test").url()
    query = urlsplit(url).query
    # spaces as %20 (never "+", which some decoders keep), reserved characters escaped
    assert "scope=openid%20name%20offline_access" in query
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A54321%2Fcallback" in query
    assert "login_hint=a%2Bb%20c%26d%3De%40x.test" in query
    assert " " not in url


def test_url_without_login_hint_omits_it() -> None:
    assert "login_hint" not in query_of(session().url())


def test_url_keeps_the_endpoints_own_query_but_not_duplicates() -> None:
    s = session(authorization_endpoint=ENDPOINT + "?tenant=a%20b&state=old#frag")
    url = s.url()
    q = query_of(url)
    assert q["tenant"] == ["a b"]
    assert q["state"] == [s.state]  # ours replaced the endpoint's
    assert "#" not in url
    assert url.startswith(ENDPOINT + "?tenant=a%20b&client_id=")


def test_endpoint_problem() -> None:
    assert endpoint_problem(ENDPOINT) is None
    assert endpoint_problem("http://127.0.0.1:8088/api/snsId/oauth/authorize") is None
    assert "http://" in str(endpoint_problem("http://id.example.com/authorize"))
    assert endpoint_problem("") is not None
    assert endpoint_problem("ftp://x/") is not None
    assert endpoint_problem("https://x/authorize#f") is not None
    assert endpoint_problem("https://x:99999/") is not None


def test_authorization_endpoint_for_issuer_endpoint_and_discovery() -> None:
    assert authorization_endpoint_for("") == ENDPOINT
    assert authorization_endpoint_for("https://id.sumsub.com/") == ENDPOINT
    assert authorization_endpoint_for("https://id.sumsub.com") == ENDPOINT
    assert is_authorization_endpoint(ENDPOINT)
    assert authorization_endpoint_for(ENDPOINT, {"authorization_endpoint": "x"}) == ENDPOINT
    discovered = {"authorization_endpoint": "https://login.example.com/oauth2/authorize"}
    assert (
        authorization_endpoint_for("https://login.example.com/", discovered)
        == "https://login.example.com/oauth2/authorize"
    )
    # a broken discovery value falls back to the vendor path on the issuer
    bad = {"authorization_endpoint": "javascript:alert(1)"}
    assert authorization_endpoint_for("https://id.sumsub.com/", bad) == ENDPOINT


# --- parse_redirect ----------------------------------------------------------------------------


def test_full_redirect_url_with_matching_state() -> None:
    s = session()
    result = parse_redirect(f"{REDIRECT}?code=abc%2B%3D%3D&state={s.state}", s)
    assert result.ok and result.code == "abc+==" and result.state == s.state
    assert result.state_checked and result.notes == ()
    assert "state verified" in result.summary()


def test_query_string_with_and_without_question_mark() -> None:
    s = session()
    for text in (f"?code=c1&state={s.state}", f"  code=c1&state={s.state}\n"):
        result = parse_redirect(text, s)
        assert result.code == "c1" and result.state_checked


def test_bare_code_cannot_verify_state() -> None:
    s = session()
    result = parse_redirect("  dGhlLWNvZGU=  ", s)
    assert result.code == "dGhlLWNvZGU=" and not result.state_checked
    assert any("state could not be verified" in n for n in result.notes)
    assert "NOT verified" in result.summary()


def test_bare_code_copied_percent_encoded_is_decoded() -> None:
    result = parse_redirect("abc%3D%3D", None)
    assert result.code == "abc==" and any("percent" in n for n in result.notes)


def test_a_query_holding_a_url_is_still_a_query() -> None:
    s = session()
    result = parse_redirect(f"code=c&state={s.state}&from=https://x.test/", s)
    assert result.code == "c" and result.state_checked


def test_an_apps_own_scheme_is_a_url() -> None:
    s = session(redirect_uri="com.example.app:/oauth")
    result = parse_redirect(f"com.example.app://oauth?code=c&state={s.state}", s)
    assert result.code == "c" and result.state_checked


def test_without_session_the_state_is_not_verified() -> None:
    result = parse_redirect(f"{REDIRECT}?code=c&state=whatever", None)
    assert result.code == "c" and not result.state_checked and result.notes


def test_state_mismatch_withholds_the_code() -> None:
    s = session()
    result = parse_redirect(f"{REDIRECT}?code=c&state=someone-elses", s)
    assert result.code is None and not result.ok
    assert result.problem is not None and "CSRF" in result.problem
    assert result.state == "someone-elses" and not result.state_checked


def test_missing_state_is_a_problem_when_one_was_sent() -> None:
    s = session()
    result = parse_redirect(f"{REDIRECT}?code=c", s)
    assert result.code is None and "no state" in str(result.problem).lower()


def test_error_redirect_becomes_an_oauth_error() -> None:
    s = session()
    url = (
        f"{REDIRECT}?error=invalid_scope&error_description=unknown+scope+%27x%27"
        f"&error_uri=https%3A%2F%2Fdocs.example%2Fe&state={s.state}"
    )
    result = parse_redirect(url, s)
    assert result.error == "invalid_scope"
    assert result.error_description == "unknown scope 'x'"
    assert result.error_uri == "https://docs.example/e"
    assert result.state_checked and result.code is None
    assert "invalid_scope" in result.summary()


def test_error_without_state_is_shown_with_a_note_while_a_get_code_is_pending() -> None:
    """RFC 6749 §4.1.2.1 returns the state with an error too: one without it may not answer
    this run's Get code, and the error shown says so."""
    result = parse_redirect(f"{REDIRECT}?error=access_denied", session())
    assert result.error == "access_denied" and not result.state_checked
    assert any("no state" in note for note in result.notes)


def test_error_with_wrong_state_is_shown_with_a_note() -> None:
    result = parse_redirect(f"{REDIRECT}?error=access_denied&state=other", session())
    assert result.error == "access_denied" and not result.state_checked
    assert any("does not match" in n for n in result.notes)


def test_redirect_to_another_address_gets_a_note() -> None:
    s = session()
    result = parse_redirect(f"http://localhost:54321/callback?code=c&state={s.state}", s)
    assert result.code == "c" and any("not to this run's redirect_uri" in n for n in result.notes)
    same = parse_redirect(f"HTTP://127.0.0.1:54321/callback?code=c&state={s.state}", s)
    assert same.notes == ()


def test_parameters_in_the_fragment_are_read_with_a_note() -> None:
    s = session()
    result = parse_redirect(f"{REDIRECT}#code=c&state={s.state}", s)
    assert result.code == "c" and any("fragment" in n for n in result.notes)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Nothing was pasted"),
        ("   \n", "Nothing was pasted"),
        (f"{REDIRECT}", "no query"),
        (f"{REDIRECT}?foo=bar", "neither a code nor an error"),
        (f"{REDIRECT}?code=&state=s", "empty"),
        ("?code=a&code=b&state=s", "repeats code"),
        ("?foo=1", "neither a code nor an error"),
        ("two words", "spaces"),
        ("http://[::1/x?code=a", "could not be read"),
        ("x" * 20_000, "characters"),
    ],
)
def test_problems(text: str, fragment: str) -> None:
    result = parse_redirect(text, None)
    assert result.problem is not None and fragment in result.problem, result
    assert result.code is None


def test_result_holds_exactly_one_outcome() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        AuthorizeResult()
    with pytest.raises(ValueError, match="exactly one"):
        AuthorizeResult(code="c", problem="p")


def test_repr_hides_the_code_and_verifier() -> None:
    s = session()
    assert s.pkce.code_verifier not in repr(s)
    assert "secret-code" not in repr(AuthorizeResult(code="secret-code"))


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        st.text(),
        st.text(alphabet="?#&=%:/[]@+ abcode_stator", max_size=60),
        st.builds(lambda q: REDIRECT + "?" + q, st.text(max_size=80)),
    ),
    with_session=st.booleans(),
)
def test_parse_redirect_never_raises(text: str, with_session: bool) -> None:
    result = parse_redirect(text, session() if with_session else None)
    assert isinstance(result, AuthorizeResult)
    assert sum(v is not None for v in (result.code, result.error, result.problem)) == 1
