"""An authorize step that ended without a code: What to try is about what the server named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from idconnect_tester.core.authorize import (
    UNREACHABLE,
    AuthorizeResult,
    AuthorizeSession,
    parse_redirect,
)
from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.error_report import report_for_authorize
from idconnect_tester.core.exchange import HintKind

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ENDPOINT = "http://127.0.0.1:8088/authorize"


def hint_kind(result: AuthorizeResult) -> HintKind:
    hint = report_for_authorize(ENDPOINT, result, NOW).hint
    assert hint is not None and hint.title and hint.advice
    return hint.kind


@pytest.mark.parametrize(
    ("error", "description", "kind"),
    [
        ("access_denied", "The user said no", HintKind.CONSENT_REFUSED),
        ("unauthorized_client", "Sumsub ID is not enabled", HintKind.CLIENT_NOT_ALLOWED),
        ("invalid_scope", "unknown scope: admin", HintKind.SCOPE_REFUSED),
        ("invalid_request", "Unknown client_id", HintKind.CLIENT_ID_UNKNOWN),
        ("invalid_request", "Invalid clientId: abc", HintKind.CLIENT_ID_UNKNOWN),
        ("invalid_client", "", HintKind.CLIENT_ID_UNKNOWN),
        # It names the client too, but the redirect URI is what was refused.
        (
            "invalid_request",
            "redirect_uri is not registered for client_id abc",
            HintKind.REDIRECT_URI_REFUSED,
        ),
        ("invalid_request", "response_type must be code", HintKind.AUTHORIZE_REFUSED),
        # The server's own trouble: nothing in the request to change, so no "check the client".
        ("server_error", "", HintKind.SERVER_FAILED),
        ("temporarily_unavailable", "try later", HintKind.SERVER_FAILED),
        ("server_error", "client_id lookup failed", HintKind.SERVER_FAILED),
    ],
)
def test_a_refusal_is_explained_by_what_it_names(
    error: str, description: str, kind: HintKind
) -> None:
    assert hint_kind(AuthorizeResult(error=error, error_description=description)) is kind


def test_no_answer_and_no_redirect_have_their_own_hints() -> None:
    unreachable = AuthorizeResult(problem=f"{UNREACHABLE}: connection refused")
    assert hint_kind(unreachable) is HintKind.AUTHORIZE_UNREACHABLE
    assert hint_kind(AuthorizeResult(problem="the state did not match")) is HintKind.NO_REDIRECT


def test_an_error_redirect_without_this_runs_state_is_not_called_a_refusal_of_it() -> None:
    """RFC 6749 §10.12: a redirect's state ties it to the request. An error redirect whose
    state is another (or none) may answer another attempt, or be forged: the status says the
    state is not verified, and What to try doesn't say consent was refused. The server's own
    answer to this app's request (a 400 body, no redirect) needs no state."""
    session = AuthorizeSession.new(ENDPOINT, "client", "http://127.0.0.1:5555/cb", ["openid"])
    for redirect in (
        "http://127.0.0.1:5555/cb?error=access_denied&state=from-elsewhere",
        "http://127.0.0.1:5555/cb?error=access_denied",
    ):
        result = parse_redirect(redirect, session)
        report = report_for_authorize(ENDPOINT, result, NOW)
        assert "state NOT verified" in report.status
        assert hint_kind(result) is HintKind.UNVERIFIED_REFUSAL
        # The note under Code and the history's line don't call it the server's answer.
        assert "authorization server answered" not in result.summary()
        record = AuthorizeRecord.of(session, result, NOW)
        assert "state NOT verified" in record.summary()
    answered = parse_redirect(
        f"http://127.0.0.1:5555/cb?error=access_denied&state={session.state}", session
    )
    assert hint_kind(answered) is HintKind.CONSENT_REFUSED
    assert "authorization server answered" in answered.summary()
    assert "NOT verified" not in report_for_authorize(ENDPOINT, answered, NOW).status
    direct = AuthorizeResult(error="invalid_request", error_description="Unknown client_id")
    assert hint_kind(direct) is HintKind.CLIENT_ID_UNKNOWN
