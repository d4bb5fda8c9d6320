"""The authorize step as a record: what the raw panel and the history show of it, stored masked
or in full, read back — and never the PKCE verifier."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest

from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession, parse_redirect
from idconnect_tester.core.authorize_record import (
    AuthorizeOutcome,
    AuthorizeRecord,
    authorize_record_from_dict,
    authorize_record_to_dict,
)
from idconnect_tester.core.error_report import report_for_authorize
from idconnect_tester.core.exchange_record import RecordError

CODE = "Zk3q-the-authorization-code-0123456789"


def attempt() -> AuthorizeSession:
    return AuthorizeSession.new(
        "http://127.0.0.1:9001/api/snsId/oauth/authorize",
        "test-client",
        "http://127.0.0.1:5555/callback",
        ["openid", "name"],
    )


def granted(session: AuthorizeSession) -> AuthorizeResult:
    return AuthorizeResult(code=CODE, state=session.state, state_checked=True)


def record_for(session: AuthorizeSession, result: AuthorizeResult) -> AuthorizeRecord:
    return AuthorizeRecord.of(session, result, session.created_at + timedelta(milliseconds=42))


def test_a_code_record_shows_what_went_out_and_what_came_back() -> None:
    session = attempt()
    pasted = f"{session.redirect_uri}?code={CODE}&state={session.state}"
    record = record_for(session, parse_redirect(pasted, session))
    assert record.succeeded and record.outcome is AuthorizeOutcome.CODE
    request = record.request_text()
    for sent in (session.state, session.nonce, session.pkce.code_challenge, "test-client"):
        assert sent in request and sent in record.url
    redirect = record.redirect()
    assert redirect is not None and redirect.startswith(session.redirect_uri + "?")
    assert f"code={CODE}" in redirect and f"state={session.state}" in redirect
    assert CODE in record.response_text() and "the one sent" in record.response_text()
    assert record.duration_ms == pytest.approx(42)
    assert session.pkce.code_verifier not in request + record.response_text()


def test_stored_masked_the_code_is_gone_and_reads_back_as_masked() -> None:
    session = attempt()
    record = record_for(session, granted(session))
    stored = json.loads(json.dumps(authorize_record_to_dict(record)))
    text = json.dumps(stored)
    assert CODE not in text and session.pkce.code_verifier not in text
    back = authorize_record_from_dict(stored)
    assert back.code is not None and back.code != CODE and not back.full_code
    assert "stored masked" in back.response_text()
    assert (back.state, back.nonce, back.url) == (record.state, record.nonce, record.url)
    assert abs(back.started_at - record.started_at) < timedelta(milliseconds=1)


def test_stored_in_full_the_code_comes_back_whole() -> None:
    session = attempt()
    record = record_for(session, granted(session))
    back = authorize_record_from_dict(authorize_record_to_dict(record, full_tokens=True))
    assert back.code == CODE and back.full_code
    stored = json.dumps(authorize_record_to_dict(record, full_tokens=True))
    assert session.pkce.code_verifier not in stored


def test_an_oauth_error_and_a_timeout_are_records_with_their_reasons() -> None:
    session = attempt()
    error = record_for(
        session, AuthorizeResult(error="access_denied", error_description="no", state=session.state)
    )
    assert error.outcome is AuthorizeOutcome.ERROR and not error.succeeded
    assert "error=access_denied" in (error.redirect() or "")
    timeout = record_for(session, AuthorizeResult(problem="No redirect arrived within 30 s"))
    assert timeout.redirect() is None and "No redirect arrived" in timeout.response_text()
    assert authorize_record_from_dict(authorize_record_to_dict(timeout)).problem == timeout.problem


def test_an_error_redirect_keeps_the_servers_error_uri_in_the_record_and_the_report() -> None:
    session = attempt()
    page = "https://id.example.test/docs/errors#invalid_scope"
    pasted = (
        f"{session.redirect_uri}?error=invalid_scope&error_description=bad%20scope"
        f"&error_uri={quote(page, safe='')}&state={session.state}"
    )
    record = record_for(session, parse_redirect(pasted, session))
    assert record.outcome is AuthorizeOutcome.ERROR and record.error_uri == page
    # What History ▸ Show puts in the raw view: the redirect as it came, and the line.
    back = authorize_record_from_dict(json.loads(json.dumps(authorize_record_to_dict(record))))
    assert back.error_uri == page
    assert f"error_uri: {page}" in back.response_text()
    assert f"error_uri={quote(page, safe='')}" in (back.redirect() or "")
    report = report_for_authorize(record.endpoint, back.result(), record.finished_at)
    assert page in report.description and "bad scope" in report.description
    # A record stored before the field was kept reads back without it.
    older = {k: v for k, v in authorize_record_to_dict(record).items() if k != "error_uri"}
    assert authorize_record_from_dict(older).error_uri is None


@pytest.mark.parametrize(
    "damaged",
    [None, [], {"outcome": "code"}, {"outcome": "teleported"}, {"format": 1, "outcome": 3}],
)
def test_a_damaged_record_is_a_record_error(damaged: object) -> None:
    with pytest.raises(RecordError):
        authorize_record_from_dict(damaged)


def test_an_error_redirect_from_another_address_is_shown_as_it_came() -> None:
    """A pasted error redirect to another port than this run's redirect URI: the record's
    redirect is that URL, not its parameters rebuilt on the app's own redirect URI."""
    session = attempt()
    pasted = "http://127.0.0.1:1234/callback?error=access_denied&state=x"
    record = record_for(session, parse_redirect(pasted, session))
    assert record.redirect() == pasted
    back = authorize_record_from_dict(json.loads(json.dumps(authorize_record_to_dict(record))))
    assert back.redirect() == pasted and f"Redirect: {pasted}" in back.response_text()
