"""The session decides what every result panel shows and whether it is current: each test is a
sequence a QA engineer really goes through, checked on the views the panels would render."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from tests.support.exchanges import (
    FakeClock,
    Signer,
    answer_lost,
    api_error,
    cancelled,
    granted,
    network_error,
    origin,
    share_granted,
)

from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
from idconnect_tester.core.authorize_record import AuthorizeOutcome, AuthorizeRecord
from idconnect_tester.core.exchange import Exchange, Hint, HintKind, NetworkErrorKind, TokenGranted
from idconnect_tester.core.hints import hint_for
from idconnect_tester.core.id_token_checks import CheckStatus, Verdict
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.session import Session
from idconnect_tester.core.session_events import (
    AuthorizeRecorded,
    ErrorChanged,
    ExchangeChanged,
    FormFill,
    IdTokenChanged,
    IdTokenChecked,
    Notice,
    Origin,
    SessionEvent,
    ShareTokenChanged,
    TokensChanged,
    TokenState,
    VerificationRequested,
)
from idconnect_tester.core.token_chain import SpentHow
from idconnect_tester.core.wording import clock_time

SANDBOX = origin("Sandbox", profile_id="p-sandbox", port=9001)
PRODUCTION = origin("Production", profile_id="p-prod", port=9002)


class Panels:
    """What each panel shows: the last view it was handed."""

    def __init__(self, session: Session) -> None:
        self.events: list[SessionEvent] = []
        self.shown: dict[type, Any] = {}
        session.subscribe(self.receive)

    def receive(self, event: SessionEvent) -> None:
        self.events.append(event)
        panel_events = (TokensChanged, IdTokenChanged, ShareTokenChanged, ExchangeChanged)
        if isinstance(event, (*panel_events, ErrorChanged)):
            self.shown[type(event)] = event.view

    def of(self, kind: type) -> list[SessionEvent]:
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def tokens(self) -> Any:
        return self.shown.get(TokensChanged)

    @property
    def id_token(self) -> Any:
        return self.shown.get(IdTokenChanged)

    @property
    def raw(self) -> Any:
        return self.shown.get(ExchangeChanged)

    @property
    def error(self) -> Any:
        return self.shown.get(ErrorChanged)

    @property
    def share(self) -> Any:
        return self.shown.get(ShareTokenChanged)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(clock: FakeClock) -> Session:
    session = Session(clock=clock)
    session.set_target(SANDBOX)
    return session


@pytest.fixture
def panels(session: Session) -> Panels:
    return Panels(session)


def access_state(panels: Panels) -> TokenState:
    state: TokenState = panels.tokens.access.state
    return state


def share_state(panels: Panels) -> TokenState:
    state: TokenState = panels.share.status.state
    return state


def authorize(session: Session, code: str = "code-1") -> AuthorizeSession:
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "test-client", "http://127.0.0.1:1/cb", ["openid"]
    )
    session.authorize_started(attempt)
    session.authorize_finished(
        attempt, AuthorizeResult(code=code, state=attempt.state, state_checked=True)
    )
    return attempt


def exchange_code(
    session: Session,
    clock: FakeClock,
    signer: Signer,
    *,
    code: str = "code-1",
    nonce: str | None = None,
    target=SANDBOX,
):
    token = signer.id_token(target, issued=clock.now, nonce=nonce)
    exchange = granted(
        clock.now, access=f"access-{code}", refresh=f"refresh-{code}", id_token=token
    )
    request = TokenRequest.from_form("authorization_code", code=code, code_verifier="v" * 43)
    session.exchange_finished(exchange, sent=request, origin=target)
    return exchange


def code_refused_at(
    target: Origin, session: Session, clock: FakeClock, code: str = "code-1"
) -> None:
    """Five seconds on, `code` sent to `target`, which answers 401 Invalid code."""
    clock.advance(5)
    sent = TokenRequest.from_form("authorization_code", code=code, code_verifier="v" * 43)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=sent, origin=target)


def refresh_request(refresh_token: str) -> TokenRequest:
    return TokenRequest.from_form("refresh_token", refresh_token=refresh_token)


def share_the_access_token(session: Session, clock: FakeClock) -> None:
    """Three seconds on, a share token made from the sandbox's first access token."""
    clock.advance(3)
    session.exchange_finished(
        share_granted(clock.now),
        sent=ShareTokenRequest("access-code-1", "other-client", 1800),
        origin=SANDBOX,
    )


def refresh(session: Session, clock: FakeClock) -> None:
    """The sandbox's first refresh token taken: a new access token."""
    session.exchange_finished(
        granted(clock.now, access="access-2"),
        sent=refresh_request("refresh-code-1"),
        origin=SANDBOX,
    )


def refresh_with(session: Session, clock: FakeClock, id_token: str) -> None:
    """The sandbox's first refresh token taken: a new access token and `id_token`, and no
    new refresh token."""
    session.exchange_finished(
        granted(clock.now, access="access-2", id_token=id_token),
        sent=refresh_request("refresh-code-1"),
        origin=SANDBOX,
    )


def test_a_granted_code_shows_live_tokens_and_asks_to_verify_with_the_attempts_nonce(
    session, panels, clock, signer
) -> None:
    attempt = authorize(session)
    fills = panels.of(FormFill)
    assert fills[-1].code == "code-1" and fills[-1].code_verifier == attempt.pkce.code_verifier
    exchange = exchange_code(session, clock, signer, nonce=attempt.nonce)

    assert panels.tokens.exchange is exchange
    assert not panels.tokens.freshness.stale
    assert access_state(panels) is TokenState.LIVE
    assert panels.tokens.refresh.state is TokenState.LIVE
    assert panels.of(FormFill)[-1].refresh_token == "refresh-code-1"
    job = panels.of(VerificationRequested)[-1].job
    assert job.nonce == attempt.nonce
    assert job.origin == SANDBOX
    assert job.access_token == "access-code-1"
    assert panels.id_token.verification is None  # verifying: no verdict yet
    assert not panels.raw.freshness.stale and panels.error.report is None


def test_a_later_failure_marks_the_tokens_stale_and_says_why(
    session, panels, clock, signer
) -> None:
    first = exchange_code(session, clock, signer)
    clock.advance(30)
    failure = api_error(clock.now, 500, "boom")
    session.exchange_finished(failure, sent=refresh_request("refresh-code-1"), origin=SANDBOX)

    assert panels.tokens.freshness.stale
    note = panels.tokens.freshness.note
    # Why it is older comes before which exchange is shown: a narrow panel (the Expiry dock)
    # cuts the end, and the panels' own rows say when theirs came ("Issued …", "until … from").
    assert note.index("500") < note.index(clock_time(first.received_at))
    # Named for what failed: after a Get code since, "the latest" alone read as that step.
    assert "token request" in note
    assert panels.id_token.freshness.stale
    assert panels.raw.exchange is failure and not panels.raw.freshness.stale
    assert panels.error.report.status.startswith("500") and not panels.error.freshness.stale

    clock.advance(5)
    again = granted(clock.now, access="access-2")
    session.exchange_finished(again, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    assert panels.tokens.exchange is again and not panels.tokens.freshness.stale
    assert panels.error.report is None


def test_a_replayed_code_answered_401_makes_its_tokens_suspect(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    clock.advance(10)
    replay = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(
        api_error(clock.now, 401, "Invalid code"), sent=replay, origin=SANDBOX
    )

    assert panels.tokens.access.state is TokenState.SUSPECT
    assert panels.tokens.refresh.state is TokenState.SUSPECT
    assert panels.tokens.freshness.stale


def test_a_code_sent_is_remembered_as_spent_and_how(session, panels, clock, signer) -> None:
    """Used stays used through its replay's 401 — and its note says the replay happened, not
    that one would; a code refused at once is "refused"."""
    exchange_code(session, clock, signer)
    used_at = clock.now
    before = session.code_spent("code-1")
    assert before is not None and "a replay may revoke" in before.note(SANDBOX)
    clock.advance(10)
    replay = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(
        api_error(clock.now, 401, "Invalid code"), sent=replay, origin=SANDBOX
    )
    spent = session.code_spent(" code-1 ")  # as the form may hold it
    assert spent is not None and spent.how is SpentHow.USED and spent.at == used_at
    assert spent.replayed_at == clock.now
    note = spent.note(SANDBOX)
    assert "a replay may" not in note and clock_time(clock.now) in note and "suspect" in note

    clock.advance(10)
    other = TokenRequest.from_form("authorization_code", code="code-2", code_verifier="v" * 43)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=other, origin=SANDBOX)
    refused = session.code_spent("code-2")
    assert refused is not None and refused.how is SpentHow.REFUSED
    assert session.code_spent("code-3") is None


def test_a_code_spent_at_one_target_is_that_targets_not_a_replay_elsewhere(
    session, panels, clock, signer
) -> None:
    """Only the target that issued a code knows it: after a switch, the note under Code names
    where it went instead of "used", and the other target's 401 for it is not called a replay
    (that would promise revoked tokens there)."""
    exchange_code(session, clock, signer)
    spent = session.code_spent("code-1")
    assert spent is not None and spent.to.same_target(SANDBOX)
    assert spent.note(SANDBOX).startswith("Used at")
    elsewhere = spent.note(PRODUCTION)
    assert elsewhere.endswith(f"to {SANDBOX.label}, not here") and "Used at" not in elsewhere

    session.set_target(PRODUCTION)
    code_refused_at(PRODUCTION, session, clock)
    hint = panels.error.report.hint
    assert hint is None or hint.kind is not HintKind.CODE_REPLAYED
    kept = session.code_spent("code-1")
    assert kept is not None and kept.how is SpentHow.USED and kept.to.same_target(SANDBOX)

    session.set_target(SANDBOX)
    code_refused_at(SANDBOX, session, clock)
    assert panels.error.report.hint.kind is HintKind.CODE_REPLAYED  # at its own target, it is one


def test_a_copy_of_the_profile_marks_the_results_but_says_its_tokens_are_good_there(
    session, panels, clock, signer
) -> None:
    """A duplicate profile is another target — the panels say their content came from the
    original — but the same client at the same server: its tokens are not called useless."""
    exchange_code(session, clock, signer)
    copy = Origin(replace(SANDBOX.profile, id="p-copy", name="Sandbox copy"))
    session.set_target(copy)
    tokens = panels.tokens
    assert tokens.freshness.stale and tokens.freshness.label == "other profile"
    assert "same client" in tokens.freshness.note and SANDBOX.label in tokens.freshness.note
    assert "same client" in tokens.access.why and "same client" in tokens.refresh.why
    # Its state says so in a word, not "from another target" (which reads as of no use here).
    assert tokens.access.state is tokens.refresh.state is TokenState.OTHER_PROFILE
    session.set_target(PRODUCTION)  # another client: no such word
    assert panels.tokens.freshness.label == "other target"
    assert "same client" not in panels.tokens.refresh.why
    assert panels.tokens.access.state is TokenState.OTHER_TARGET


def test_a_code_is_its_server_and_clients_whichever_app_token_or_profile_sends_it(
    session, panels, clock, signer
) -> None:
    """A code is bound to the client it was issued to, not to an app token or a profile name:
    sent again after the app token was edited (or from a copy of the profile), it is the same
    code at the same server — still spent, and its 401 a replay that revokes its tokens."""
    exchange_code(session, clock, signer)
    edited = Origin(replace(SANDBOX.profile, app_token="sbx:another-app-token-of-this-client"))
    copy = Origin(replace(SANDBOX.profile, id="p-copy", name="Sandbox copy"))
    assert not edited.same_target(SANDBOX) and not copy.same_target(SANDBOX)
    spent = session.code_spent("code-1")
    assert spent is not None
    for current in (edited, copy):
        assert current.same_client(SANDBOX)
        assert spent.note(current).startswith("Used at")
    assert not PRODUCTION.same_client(SANDBOX)
    other_client = Origin(
        replace(SANDBOX.profile, app_token="sbx:another-clients-app", client_id="another-client")
    )
    assert not other_client.same_client(SANDBOX)
    # The token endpoint knows the client by its app token: the same one is the same client,
    # whatever client id a profile names (tryout AQ: a Postman import with none)…
    unnamed = Origin(replace(SANDBOX.profile, id="p-postman", client_id=""))
    assert unnamed.same_client(SANDBOX) and SANDBOX.same_client(unnamed)
    # …and two app tokens with no client id to go by are not said to be one client.
    unknown = Origin(replace(SANDBOX.profile, id="p-other", app_token="sbx:other", client_id=""))
    assert not unknown.same_client(unnamed)

    session.set_target(edited)
    clock.advance(5)
    replay = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=replay, origin=edited)
    assert panels.error.report.hint.kind is HintKind.CODE_REPLAYED
    session.set_target(SANDBOX)
    assert panels.tokens.access.state is TokenState.SUSPECT
    # That 401 is the latest word on these tokens: they are an older result, and say whose
    # request spoke last (a copy's, here; the edited profile's is another target's).
    session.set_target(copy)
    clock.advance(5)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=replay, origin=copy)
    session.set_target(SANDBOX)
    freshness = panels.tokens.freshness
    assert freshness.stale and freshness.label == "older"
    assert "Sandbox copy" in freshness.note and "401" in freshness.note
    assert panels.id_token.freshness.stale


def test_tokens_for_a_code_whose_earlier_send_was_cancelled_are_suspect(
    session, panels, clock, signer
) -> None:
    """Cancel stops the wait, not the server: the first request may still redeem the code,
    and then this grant was a second use — whose tokens the server revokes (RFC 6749 §4.1.2).
    A code sent once is live as usual."""
    first = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(cancelled(clock.now), sent=first, origin=SANDBOX)
    clock.advance(5)
    exchange_code(session, clock, signer, code="code-1")
    assert panels.tokens.access.state is TokenState.SUSPECT
    assert panels.tokens.refresh.state is TokenState.SUSPECT
    assert "cancelled" in panels.tokens.access.why
    exchange_code(session, clock, signer, code="code-2")
    assert access_state(panels) is TokenState.LIVE


def test_a_401_for_a_code_whose_earlier_send_was_cancelled_names_that_send(
    session, panels, clock
) -> None:
    """Tryout Z: Send, Cancel, Send again — the 401 got the generic "it may have been used
    already, expired, or…". The cancelled Send had reached the server: the hint says so."""
    first = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(cancelled(clock.now), sent=first, origin=SANDBOX)
    cancelled_at = clock_time(clock.now)
    clock.advance(5)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=first, origin=SANDBOX)
    hint = panels.error.report.hint
    assert hint.kind is HintKind.CODE_REPLAYED and cancelled_at in hint.title
    # Another client's cancelled Send of a code says nothing of its 401 from this client.
    other = TokenRequest.from_form("authorization_code", code="code-3", code_verifier="v" * 43)
    session.exchange_finished(cancelled(clock.now), sent=other, origin=PRODUCTION)
    clock.advance(5)
    session.set_target(SANDBOX)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=other, origin=SANDBOX)
    hint = panels.error.report.hint
    assert hint is None or hint.kind is not HintKind.CODE_REPLAYED  # the client's, if any


def test_a_code_whose_answer_was_lost_once_it_was_sent_may_be_spent_as_after_a_cancel(
    session, panels, clock, signer
) -> None:
    """Tryout AG: a connection reset once the request was out left the code "From Get code",
    while a cancel then said "may be spent" — the server may have redeemed it either way. A
    failure before the request began to go out (or a cancel then) leaves the code unspent."""
    sandbox = SANDBOX
    request = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    for kind, said in (
        (NetworkErrorKind.RESET, "Reset"),
        (NetworkErrorKind.TIMEOUT, "Timed out"),
        (NetworkErrorKind.PROTOCOL, "Cut off"),
    ):
        code = f"code-{kind.value}"
        sent = replace(request, code=code)
        session.exchange_finished(answer_lost(clock.now, kind), sent=sent, origin=sandbox)
        note = session.code_note(code, sandbox)
        assert note is not None and note.startswith(f"{said} at {clock_time(clock.now)}")
    lost_at = clock_time(clock.now)
    clock.advance(5)
    session.exchange_finished(
        api_error(clock.now, 401, "Invalid code"),
        sent=replace(request, code="code-reset"),
        origin=sandbox,
    )
    hint = panels.error.report.hint
    assert hint.kind is HintKind.CODE_REPLAYED and lost_at in hint.title and "reset" in hint.title
    # Tokens for such a code are in doubt, as after a cancel.
    exchange_code(session, clock, signer, code="code-timeout")
    assert panels.tokens.access.state is TokenState.SUSPECT
    assert "timed out" in panels.tokens.access.why

    # A reset an emulator drill made (the whole answer, before the server looked): unspent.
    staged = replace(request, code="code-staged")
    session.exchange_finished(
        answer_lost(clock.now, NetworkErrorKind.RESET), sent=staged, origin=sandbox
    )
    session.drill_answered("slow")  # a wait the drill held back: the server's to answer
    assert session.code_note("code-staged", sandbox) is not None
    session.drill_answered("connection_reset", made_up=True)
    assert session.code_note("code-staged", sandbox) is None

    for unsent in (
        answer_lost(clock.now, NetworkErrorKind.RESET, may_have_arrived=False),
        cancelled(clock.now, may_have_arrived=False),
        network_error(clock.now),  # refused: nothing reached the server
    ):
        session.exchange_finished(unsent, sent=replace(request, code="code-9"), origin=sandbox)
        assert session.code_note("code-9", sandbox) is None


def test_a_code_sent_to_another_server_is_said_to_be_its_issuers_still(
    session, panels, clock
) -> None:
    """Tryout Z: Get code here, a switch to another server, Send: its 401 got the generic
    "used already, expired, or…", and back here the note said "Get code for this one" — where
    the code then redeemed fine. The other server's refusal is said as such, and back here the
    code is still this target's."""
    authorize(session)  # Sandbox's Get code gives code-1
    session.set_target(PRODUCTION)
    code_refused_at(PRODUCTION, session, clock)
    hint = panels.error.report.hint
    assert hint.kind is HintKind.INVALID_CODE and SANDBOX.label in hint.title
    note = session.code_note("code-1", PRODUCTION)
    assert note is not None and note.startswith("Refused at")  # there, it was
    session.set_target(SANDBOX)
    note = session.code_note("code-1", SANDBOX)
    assert note is not None and note.startswith("Unused here")


def test_a_refreshs_401_after_a_switch_back_is_the_verifiers_not_a_codes(
    session, panels, clock, signer
) -> None:
    """Tryout AP: tokens here, Get code on Production, back here, and a refresh — the form
    still holding Production's code and verifier. Its 401 "Invalid code" was blamed on
    Production's code ("only that server and client can redeem it"), which a refresh does not
    send: it is the verifier, not this refresh token's, as the note under Verifier said."""
    exchange_code(session, clock, signer)  # this chain's verifier: "v" * 43
    session.set_target(PRODUCTION)
    theirs = authorize(session, code="code-p")
    session.set_target(SANDBOX)
    clock.advance(5)
    sent = TokenRequest.from_form(
        "refresh_token",
        refresh_token="refresh-code-1",
        code="code-p",
        code_verifier=theirs.pkce.code_verifier,
    )
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=sent, origin=SANDBOX)
    hint = panels.error.report.hint
    assert hint.kind is HintKind.REFRESH_VERIFIER_MISMATCH, hint
    assert PRODUCTION.label in hint.advice and "redeem" not in hint.title
    # With this chain's own verifier the same 401 is no mismatch: the generic hint stands.
    clock.advance(5)
    own = replace(sent, code_verifier="v" * 43)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=own, origin=SANDBOX)
    hint = panels.error.report.hint
    assert hint is None or hint.kind is not HintKind.REFRESH_VERIFIER_MISMATCH


def test_a_401_for_another_code_leaves_the_tokens_valid(session, panels, clock, signer) -> None:
    exchange_code(session, clock, signer)
    other = TokenRequest.from_form("authorization_code", code="typo", code_verifier="v" * 43)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=other, origin=SANDBOX)
    assert panels.tokens.access.state is TokenState.LIVE
    assert panels.tokens.freshness.stale  # still: it is not the latest result


def test_a_403_on_refresh_revokes_the_refresh_token_for_good(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    note = session.code_note("code-1", SANDBOX)
    assert note is not None and "revoked" not in note  # used: a replay would revoke them
    refused = api_error(clock.now, 403, "Refresh token has been revoked")
    session.exchange_finished(refused, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    assert panels.tokens.refresh.state is TokenState.REVOKED
    assert "revoked" in panels.tokens.refresh.why
    # The line under Code says so too: the tokens that code gave are revoked.
    note = session.code_note("code-1", SANDBOX)
    assert note is not None and note.endswith(f"tokens revoked at {clock_time(clock.now)}")
    assert panels.tokens.access.state is TokenState.REVOKED
    # The id_token beside them is no "suspect" or live token: the sign-in it stands for ended.
    assert panels.id_token.status.state is TokenState.REVOKED
    assert panels.id_token.trust().state is TokenState.REVOKED
    token = session.refresh_token()
    assert token is not None and not token[1].usable  # auto-refresh won't use it
    session.tick()
    assert panels.tokens.refresh.state is TokenState.REVOKED


def test_a_403_for_a_refresh_token_issued_to_the_same_app_token_is_said_to_be_a_revocation(
    session, panels, clock, signer
) -> None:
    """Tryout AK: the generic 403 hint guessed at a sandbox credential mixed with a production
    one, for a sandbox profile refreshing the token its own app token was given. With the same
    app token, only a revocation is left; with another, the generic hint stands."""
    exchange_code(session, clock, signer)
    refused = forbidden(api_error(clock.now, 403, "Refresh token has been revoked"))
    session.exchange_finished(refused, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    hint = panels.error.report.hint
    assert hint is not None and hint.kind is HintKind.FORBIDDEN
    assert hint.title == "Refresh token revoked" and "production one" not in hint.advice

    exchange_code(session, clock, signer, code="code-2")
    other_app_token = Origin(replace(SANDBOX.profile, app_token="prd:another-app-token"))
    session.set_target(other_app_token)
    refused = forbidden(api_error(clock.now, 403, "Forbidden"))
    session.exchange_finished(
        refused, sent=refresh_request("refresh-code-2"), origin=other_app_token
    )
    hint = panels.error.report.hint
    assert hint is not None and "production one" in hint.advice  # a mix-up may be it


def forbidden(exchange: Exchange) -> Exchange:
    """A 403 with the hint the client gives it (the session's own hints replace it)."""
    hint = hint_for(exchange.outcome, exchange.endpoint, grant_type="refresh_token")
    assert hint is not None and hint.kind is HintKind.FORBIDDEN
    return replace(exchange, hint=hint)


def test_a_401_naming_the_refresh_token_marks_it_refused_and_only_it(
    session, panels, clock, signer
) -> None:
    """Not taken (a server that forgot it, an expired one): refused, so no "keep using this
    one" and auto-refresh won't send it again — but nothing was said against the access token
    or the sign-in. A 401 for the verifier or the signature says nothing of the token."""
    exchange_code(session, clock, signer)
    for other_401 in ("Invalid code", "Request signature mismatch"):
        beside = api_error(clock.now, 401, other_401)
        session.exchange_finished(beside, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
        assert panels.tokens.refresh.state is TokenState.LIVE, other_401

    refused = api_error(clock.now, 401, "Invalid refresh token")
    session.exchange_finished(refused, sent=refresh_request("refresh-code-1"), origin=SANDBOX)

    assert panels.tokens.refresh.state is TokenState.REFUSED
    assert "Invalid refresh token" in panels.tokens.refresh.why
    assert "keep using" not in panels.tokens.refresh_note
    token = session.refresh_token()
    assert token is not None and not token[1].usable  # auto-refresh won't send it again
    assert panels.tokens.access.state is TokenState.LIVE
    assert panels.id_token.status is None


def test_a_refresh_the_server_takes_after_refusing_it_was_no_revocation(
    session, panels, clock, signer
) -> None:
    """A 403 (a drill, a fault on the server's side), then the same refresh token granted: the
    server had not revoked it. Nothing reads "revoked" on, the id_token beside it neither."""
    exchange_code(session, clock, signer)
    refused = api_error(clock.now, 403, "Refresh token has been revoked")
    session.exchange_finished(refused, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    assert panels.id_token.status.state is TokenState.REVOKED
    clock.advance(5)
    again = granted(
        clock.now,
        access="access-2",
        id_token=signer.id_token(SANDBOX, issued=clock.now, nonce=None),
    )
    session.exchange_finished(again, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    assert panels.tokens.refresh.state is TokenState.LIVE
    assert panels.tokens.access.state is TokenState.LIVE
    assert panels.id_token.status is None


def test_a_network_error_says_nothing_about_the_tokens_but_they_are_older(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    session.exchange_finished(
        network_error(clock.now), sent=refresh_request("refresh-code-1"), origin=SANDBOX
    )
    assert panels.tokens.access.state is TokenState.LIVE
    assert panels.tokens.freshness.stale
    assert panels.error.report.status == "Network error: refused"


def test_switching_target_marks_every_result_stale_and_back_makes_them_current(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    session.set_target(PRODUCTION)
    assert panels.tokens.freshness.stale and "Sandbox" in panels.tokens.freshness.note
    assert panels.tokens.access.state is TokenState.OTHER_TARGET
    assert panels.id_token.freshness.stale
    assert panels.raw.freshness.stale
    assert panels.error.freshness.stale
    session.set_target(SANDBOX)
    assert not panels.tokens.freshness.stale
    assert access_state(panels) is TokenState.LIVE


def test_back_on_a_target_the_error_panel_shows_how_its_own_latest_step_ended(
    session, panels, clock, signer
) -> None:
    """The tokens' note says "the latest token request (…) failed: 401"; after a detour to
    another target that failed otherwise, the error panel shows that 401 again, current — not
    the other target's error, which the notes never mention."""
    exchange_code(session, clock, signer)
    clock.advance(5)
    replay = api_error(clock.now, 401, "Invalid code")
    session.exchange_finished(replay, sent=None, origin=SANDBOX)
    session.set_target(PRODUCTION)
    assert panels.error.report.status.startswith("401") and panels.error.freshness.stale
    clock.advance(5)
    session.exchange_finished(network_error(clock.now), sent=None, origin=PRODUCTION)
    assert panels.error.report.status.startswith("Network error")
    assert not panels.error.freshness.stale

    session.set_target(SANDBOX)
    assert panels.error.report.status.startswith("401") and panels.error.at == replay.received_at
    assert not panels.error.freshness.stale and panels.error.origin.same_target(SANDBOX)
    assert "401" in panels.tokens.freshness.note  # what the older tokens' note refers to
    # For a narrow panel, the same without the request's name and time (the error panel
    # beside says both), not cut in the middle of a word (tryout AM).
    short = panels.tokens.freshness.short
    assert short.startswith("Older: the latest failed: 401; this is from "), short
    assert len(short) < len(panels.tokens.freshness.note)
    # A network error by its kind: "Network error (refused) after 3 ms" cut in the middle
    # had lost it ("Netw…fter 3 ms", tryout AO).
    clock.advance(5)
    session.exchange_finished(network_error(clock.now), sent=None, origin=SANDBOX)
    assert "Network error (refused)" in panels.tokens.freshness.note
    short = panels.tokens.freshness.short
    assert short.startswith("Older: the latest failed: refused; this is from "), short
    session.set_target(PRODUCTION)
    clock.advance(5)
    session.exchange_finished(network_error(clock.now), sent=None, origin=PRODUCTION)
    session.set_target(PRODUCTION)
    assert panels.error.report.status.startswith("Network error")
    # A target with no step of its own shows the latest step anywhere, marked as another's.
    session.set_target(origin("Staging", profile_id="p-staging", port=9003))
    assert panels.error.report.status.startswith("Network error")
    assert panels.error.freshness.stale


def test_a_get_code_after_a_failed_exchange_leaves_its_error_shown_but_not_as_the_latest_step(
    session, panels, clock, signer
) -> None:
    """Tryout AG: a 502 from the token endpoint, then a Get code that went well: the error
    panel said "The latest step, at <the 502's time>" — the Get code was. The 502 stays (the
    token endpoint's latest word, what the tokens' notes refer to), said to be older than it."""
    exchange_code(session, clock, signer)
    clock.advance(5)
    session.exchange_finished(network_error(clock.now), sent=None, origin=SANDBOX)
    failed_at = clock.now
    assert not panels.error.freshness.aside  # the latest step: nothing to add
    clock.advance(2)
    authorize(session, code="code-2")
    assert panels.error.report.status.startswith("Network error")
    assert panels.error.at == failed_at and not panels.error.freshness.stale
    # Said in its own line, with the Get code's time: the title's time is the failure's.
    assert panels.error.freshness.aside
    assert clock_time(clock.now) in panels.error.freshness.note
    assert panels.error.freshness.label == clock_time(failed_at)
    clock.advance(2)
    session.exchange_finished(network_error(clock.now), sent=None, origin=SANDBOX)
    assert not panels.error.freshness.aside  # the next exchange is the latest step again


def test_back_on_a_target_its_error_is_older_once_a_copy_of_it_took_a_later_step(
    session, panels, clock, signer
) -> None:
    """A copy of the profile (the same client at the same server) succeeded after this
    profile's 401: back here, the 401 is marked older, naming the later step — not shown as
    the news beside the copy's newer tokens."""
    exchange_code(session, clock, signer)
    clock.advance(5)
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=None, origin=SANDBOX)
    copy = Origin(replace(SANDBOX.profile, id="p-copy", name="Sandbox copy"))
    session.set_target(copy)
    clock.advance(5)
    exchange_code(session, clock, signer, code="code-2", target=copy)
    session.set_target(SANDBOX)
    assert panels.error.report.status.startswith("401")
    assert panels.error.freshness.stale and panels.error.freshness.label == "older"
    assert "Sandbox copy" in panels.error.freshness.note
    assert "succeeded" in panels.error.freshness.note


def test_back_on_a_target_that_succeeded_a_copys_later_failure_leaves_its_panels_current(
    session, panels, clock, signer
) -> None:
    """Tryout Z: tokens here, then a copy of the profile failed (a wrong secret key there):
    back here the error panel said its "No error" was older — as if this profile had failed —
    while the tokens beside it were current. Both are this profile's latest word."""
    exchange_code(session, clock, signer)
    copy = Origin(replace(SANDBOX.profile, id="p-copy", name="Sandbox copy"))
    session.set_target(copy)
    clock.advance(5)
    session.exchange_finished(
        api_error(clock.now, 401, "Request signature mismatch"), sent=None, origin=copy
    )
    session.set_target(SANDBOX)
    assert panels.error.report is None and not panels.error.freshness.stale
    assert not panels.tokens.freshness.stale


def assert_from_sandbox_before_an_edit(panels: Panels, changed: str) -> None:
    """The token, raw and error panels show Sandbox's results, marked as from before the edit."""
    for view in (panels.tokens, panels.raw, panels.error):
        assert view.freshness.stale
        assert f"Sandbox before its {changed} changed" in view.freshness.note
        assert view.freshness.label == "target edited"


def test_an_edit_to_the_profile_says_what_changed_not_another_target(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    edited = replace(SANDBOX.profile, app_token="sbx:another-app-token")
    session.set_target(Origin(edited))
    assert_from_sandbox_before_an_edit(panels, "app token")
    for view in (panels.tokens, panels.raw, panels.error):
        # Too long for a narrow panel: that it was an edit, and when, rather than a cut in
        # the middle of a word (tryout AM: "Built-in emulator befor…changed").
        assert view.freshness.short.startswith("From Sandbox before an edit, ")
    assert access_state(panels) is TokenState.TARGET_EDITED  # the row tags say so too
    assert panels.tokens.refresh.state is TokenState.TARGET_EDITED
    session.set_target(PRODUCTION)
    assert "another target (Sandbox)" in panels.tokens.freshness.note
    # For a narrow panel: the profile's name whole, the explanation dropped (tryout AK).
    assert panels.tokens.freshness.short.startswith("From Sandbox, received at ")
    assert panels.tokens.freshness.label == "other target"
    assert access_state(panels) is TokenState.OTHER_TARGET


def test_an_edit_shows_this_profiles_own_results_though_another_targets_are_newer(
    session, panels, clock, signer
) -> None:
    """Tryout AO: tokens on Sandbox, newer ones on Production, back on Sandbox, and one
    character of its base URL edited: every panel showed Production's tokens ("From another
    target"), Sandbox's own results gone from view. They are Sandbox's, marked as from before
    the edit — whichever target was used last."""
    exchange_code(session, clock, signer)
    session.set_target(PRODUCTION)
    clock.advance(30)
    exchange_code(session, clock, signer, code="code-2", target=PRODUCTION)
    session.set_target(SANDBOX)
    edited = replace(SANDBOX.profile, base_url="http://127.0.0.1:19001")
    session.set_target(Origin(edited))
    assert_from_sandbox_before_an_edit(panels, "base URL")
    assert panels.tokens.granted.access_token == "access-code-1"
    assert access_state(panels) is TokenState.TARGET_EDITED
    # Another profile's results still show on a profile that has none of its own.
    fresh = Origin(replace(SANDBOX.profile, id="p-new", name="New", base_url="http://h:1"))
    session.set_target(fresh)
    assert panels.tokens.granted.access_token == "access-code-2"
    assert panels.tokens.freshness.label == "other target"


def test_verify_again_after_a_switch_checks_against_the_tokens_own_issuer(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    session.set_target(PRODUCTION)
    assert session.request_verification()
    job = panels.of(VerificationRequested)[-1].job
    assert job.origin == SANDBOX
    session.verification_finished(job, signer.context(job.origin, None, 60), "the test JWKS")
    verification = panels.id_token.verification
    assert {c.name: c.status for c in verification.checks}["iss"] is CheckStatus.PASS
    assert {c.name: c.status for c in verification.checks}["signature"] is CheckStatus.PASS


def test_a_copy_with_a_wrong_issuer_judges_its_own_view_not_the_profile_it_copies(
    session, panels, clock, signer
) -> None:
    """A copy of the profile (same client, same server) whose issuer is wrong refreshes the
    tokens: there its id_token is checked with that issuer. Back on the original profile the
    tokens are its too, and are checked with what it expects — not marked untrusted by the
    copy's mistake; Verify again there uses its issuer, and the copy's view stays its own."""
    wrong_issuer = Origin(
        replace(SANDBOX.profile, id="p-copy", name="Copy", issuer="https://wrong.example/")
    )
    exchange_code(session, clock, signer)
    session.verification_finished(
        panels.of(VerificationRequested)[-1].job, signer.context(SANDBOX, None, 60), "keys"
    )
    session.set_target(wrong_issuer)
    clock.advance(10)
    token = signer.id_token(SANDBOX, issued=clock.now, nonce=None)  # the server's real iss
    session.exchange_finished(
        granted(clock.now, access="access-2", id_token=token),
        sent=refresh_request("refresh-code-1"),
        origin=wrong_issuer,
    )
    there = panels.of(VerificationRequested)[-1].job
    assert there.origin == wrong_issuer
    session.verification_finished(there, signer.context(wrong_issuer, None, 60), "keys")
    on_the_copy = panels.id_token.verification
    assert on_the_copy.verdict is Verdict.FAILED and "iss" in on_the_copy.failed

    requests_before = len(panels.of(VerificationRequested))
    session.set_target(SANDBOX)
    here = panels.of(VerificationRequested)[-1].job
    assert len(panels.of(VerificationRequested)) == requests_before + 1
    assert here.origin == SANDBOX and here.id_token == token
    session.verification_finished(here, signer.context(SANDBOX, None, 60), "keys")
    assert panels.id_token.verification.verdict is Verdict.VERIFIED
    # The copy's tokens, good here (not "not trusted"), and no failed check claimed for them.
    assert access_state(panels) is TokenState.OTHER_PROFILE
    assert panels.tokens.refresh.state is not TokenState.UNTRUSTED
    assert panels.error.id_token_failed_since == ()
    assert session.request_verification()  # Verify again: this profile's issuer
    assert panels.of(VerificationRequested)[-1].job.origin == SANDBOX

    session.set_target(wrong_issuer)
    assert panels.of(VerificationRequested)[-1].job.origin == wrong_issuer


def test_an_id_token_still_being_checked_on_a_switch_to_a_copy_gets_its_own_targets_verdict(
    session, panels, clock, signer
) -> None:
    """A switch to a copy of the profile with another issuer before the id_token's first
    check ended: the arrival verdict (the history's) is still the issuing profile's; the
    copy's own verdict follows it."""
    wrong_issuer = Origin(
        replace(SANDBOX.profile, id="p-copy", name="Copy", issuer="https://wrong.example/")
    )
    exchange = exchange_code(session, clock, signer)
    arrival = panels.of(VerificationRequested)[-1].job
    session.set_target(wrong_issuer)
    assert panels.of(VerificationRequested)[-1].job == arrival  # not asked again meanwhile
    session.verification_finished(arrival, signer.context(SANDBOX, None, 60), "keys")
    (checked,) = panels.of(IdTokenChecked)
    assert checked.exchange is exchange and checked.verification.verdict is Verdict.VERIFIED
    on_the_copy = panels.of(VerificationRequested)[-1].job
    assert on_the_copy.origin == wrong_issuer
    session.verification_finished(on_the_copy, signer.context(wrong_issuer, None, 60), "keys")
    assert "iss" in panels.id_token.verification.failed
    assert len(panels.of(IdTokenChecked)) == 1  # the record keeps the arrival verdict


def test_an_edit_taken_back_shows_its_settings_step_with_the_later_one_aside(
    session, panels, clock, signer
) -> None:
    """A step with a wrong app token, then the profile as it was: the error view is the step
    made with these settings — current — and it says, aside, that a later one failed."""
    exchange_code(session, clock, signer)
    edited = Origin(replace(SANDBOX.profile, app_token="sbx:disabled"))
    session.set_target(edited)
    code_refused_at(edited, session, clock, code="code-2")
    session.set_target(SANDBOX)
    view = panels.error
    assert view.report is None and not view.freshness.stale and view.freshness.aside
    assert "app token" in view.freshness.note and "401" in view.freshness.note


def test_a_copy_shows_the_step_made_with_its_own_app_token_not_anothers_failure(
    session, panels, clock, signer
) -> None:
    """Tryout AB: after a 404 with a disabled app token was taken back, a copy of the profile
    (with the good token) showed that 404 as its latest step."""
    exchange_code(session, clock, signer)
    edited = Origin(replace(SANDBOX.profile, app_token="sbx:disabled"))
    session.set_target(edited)
    code_refused_at(edited, session, clock, code="code-2")
    session.set_target(SANDBOX)
    copy = Origin(replace(SANDBOX.profile, id="p-copy", name="Copy"))
    session.set_target(copy)
    assert panels.error.report is None  # the original's step with this token: no error


def test_exp_passing_flips_the_verdict_without_fetching_anything(
    session, panels, clock, signer
) -> None:
    attempt = authorize(session)
    exchange_code(session, clock, signer, nonce=attempt.nonce)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, attempt.nonce, 0), "keys")
    rows = {c.name: c.status for c in panels.id_token.verification.checks}
    assert rows["exp"] is CheckStatus.PASS and rows["nonce"] is CheckStatus.PASS
    requests_before = len(panels.of(VerificationRequested))

    deadline = session.next_deadline()
    assert deadline is not None and deadline == clock.now + __import__("datetime").timedelta(
        hours=1
    )
    clock.now = deadline
    session.tick()
    rows = {c.name: c.status for c in panels.id_token.verification.checks}
    assert rows["exp"] is CheckStatus.FAIL
    assert len(panels.of(VerificationRequested)) == requests_before  # no new fetch
    # The step had no error, and its id_token arrived verified; the error view says the
    # check it fails now, so "No error" does not stand alone beside it.
    assert panels.error.report is None and panels.error.id_token_failed == ()
    assert panels.error.id_token_failed_since == ("exp",)


def test_an_exchanges_id_token_verdict_is_handed_on_once_as_it_was_when_it_arrived(
    session, panels, clock, signer
) -> None:
    """The history keeps what an exchange's id_token was worth when it arrived: its first
    verdict. Verify again, other keys, or its exp passing change the panels, not that."""
    attempt = authorize(session)
    first = exchange_code(session, clock, signer, nonce=attempt.nonce)
    assert panels.of(IdTokenChecked) == []  # nothing checked yet: the keys are being fetched
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, attempt.nonce, 0), "keys")
    (checked,) = panels.of(IdTokenChecked)
    assert checked.exchange is first
    assert checked.verification.verdict is Verdict.VERIFIED

    assert session.request_verification()  # Verify again, with keys that don't fit
    again = panels.of(VerificationRequested)[-1].job
    session.verification_finished(again, signer.context(PRODUCTION, attempt.nonce, 0), "keys")
    assert panels.id_token.verification.verdict is Verdict.FAILED  # the panel says so…
    clock.now += timedelta(hours=2)
    session.tick()
    assert len(panels.of(IdTokenChecked)) == 1  # …the exchange's verdict stays as it was

    refreshed = granted(clock.now, access="a2", refresh="r2", id_token="not.a.jwt")
    session.exchange_finished(refreshed, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, None, 0), "keys")
    latest = panels.of(IdTokenChecked)[-1]
    assert latest.exchange is refreshed  # the next exchange's id_token has a verdict of its own
    assert latest.verification.verdict is Verdict.FAILED


def test_a_refresh_whose_id_token_fails_leaves_the_refresh_token_it_used_trusted(
    session, panels, clock, signer
) -> None:
    """Tryout Z: after a refresh whose id_token failed its checks (and which returned no new
    refresh token), the refresh token issued by the earlier, verified exchange read "not
    trusted". The new access token is not to be trusted; the refresh token did not come in
    that response."""
    attempt = authorize(session)
    exchange_code(session, clock, signer, nonce=attempt.nonce)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, attempt.nonce, 0), "keys")
    clock.advance(5)
    token = signer.id_token(SANDBOX, issued=clock.now, nonce=attempt.nonce)
    refresh_with(session, clock, token)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(PRODUCTION, attempt.nonce, 0), "keys")
    assert panels.tokens.access.state is TokenState.UNTRUSTED
    assert panels.tokens.refresh.state is TokenState.LIVE


def test_the_error_view_names_a_success_whose_id_token_failed_its_checks(
    session, panels, clock, signer
) -> None:
    """A 200 whose id_token fails its checks is no "no error": the error view says which
    checks failed — as they were when it arrived — until a later step replaces it, or Verify
    again with keys that fit passes it (no "do not trust" beside a verified id_token)."""
    attempt = authorize(session)
    exchange_code(session, clock, signer, nonce=attempt.nonce)
    assert panels.error.report is None and panels.error.id_token_failed == ()  # checking
    job = panels.of(VerificationRequested)[-1].job
    # The production issuer's context: the token's iss is the sandbox's.
    session.verification_finished(job, signer.context(PRODUCTION, attempt.nonce, 0), "keys")
    assert panels.error.report is None and panels.error.id_token_failed == ("iss",)

    assert session.request_verification()  # Verify again, with the keys that fit
    again = panels.of(VerificationRequested)[-1].job
    session.verification_finished(again, signer.context(SANDBOX, attempt.nonce, 0), "keys")
    assert panels.id_token.verification.verdict is Verdict.VERIFIED  # the panel: passes now
    assert panels.error.id_token_failed == () and not panels.error.says_something
    assert session.request_verification()  # and with the keys that don't fit, fails again
    again = panels.of(VerificationRequested)[-1].job
    session.verification_finished(again, signer.context(PRODUCTION, attempt.nonce, 0), "keys")
    assert panels.error.id_token_failed == ("iss",)

    clock.advance(5)
    session.exchange_finished(
        api_error(clock.now, 401, "Invalid code"), sent=refresh_request("x"), origin=SANDBOX
    )
    assert panels.error.report is not None and panels.error.id_token_failed == ()

    clock.advance(5)
    exchange_code(session, clock, signer, code="code-2", nonce=attempt.nonce)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, attempt.nonce, 0), "keys")
    assert panels.error.report is None and panels.error.id_token_failed == ()


def test_a_verification_for_a_token_no_longer_shown_is_dropped(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer, code="code-1")
    old_job = panels.of(VerificationRequested)[-1].job
    clock.advance(5)
    exchange_code(session, clock, signer, code="code-2")
    session.verification_finished(old_job, signer.context(SANDBOX, None, 60), "keys")
    assert panels.id_token.verification is None
    assert panels.id_token.id_token != old_job.id_token


def test_an_nbf_within_the_leeway_is_checked_again_when_it_comes(
    session, panels, clock, signer
) -> None:
    """An nbf ahead of this machine's clock, within the leeway: accepted and said to be not yet
    valid (RFC 7519 §4.1.5) — and checked again at nbf itself, when "not yet" stops being true,
    as an exp is checked again when it passes."""
    attempt = authorize(session)
    token = signer.id_token(
        SANDBOX, issued=clock.now, nonce=attempt.nonce, not_before=clock.now + timedelta(seconds=30)
    )
    session.exchange_finished(
        granted(clock.now, access="a", refresh="r", id_token=token),
        sent=TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43),
        origin=SANDBOX,
    )
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, attempt.nonce, 60), "keys")
    nbf = panels.id_token.verification.row("nbf")
    assert nbf.status is CheckStatus.PASS and "not yet" in nbf.detail, nbf
    deadline = session.next_deadline()
    assert deadline == clock.now + timedelta(seconds=30)
    clock.now = deadline
    session.tick()
    nbf = panels.id_token.verification.row("nbf")
    assert nbf.status is CheckStatus.PASS and nbf.detail.startswith("Valid since"), nbf


def test_access_token_expiry_flips_its_state(session, panels, clock, signer) -> None:
    token = signer.id_token(SANDBOX, issued=clock.now, nonce=None)
    session.exchange_finished(
        granted(clock.now, access="a", id_token=token, expires_in=60),
        sent=TokenRequest.from_form("authorization_code", code="c"),
        origin=SANDBOX,
    )
    assert session.next_deadline() == clock.now + __import__("datetime").timedelta(seconds=60)
    clock.advance(60)
    session.tick()
    assert panels.tokens.access.state is TokenState.EXPIRED
    assert not panels.tokens.freshness.stale  # expired, but still the latest result


def test_a_share_token_step_leaves_the_token_panels_current(session, panels, clock, signer) -> None:
    exchange_code(session, clock, signer)
    share_request = ShareTokenRequest("access-code-1", "other-client", 1800)
    clock.advance(3)
    session.exchange_finished(share_granted(clock.now), sent=share_request, origin=SANDBOX)
    assert not panels.tokens.freshness.stale
    assert panels.share.status.state is TokenState.LIVE
    assert not panels.raw.freshness.stale
    failed = api_error(clock.now, 403, "sumsubIdConnectToken has been revoked", share=True)
    session.exchange_finished(failed, sent=share_request, origin=SANDBOX)
    assert not panels.tokens.freshness.stale
    assert panels.tokens.access.state is TokenState.REVOKED
    assert panels.error.report.status.startswith("403")


@pytest.mark.parametrize("later", ["a token exchange", "a share-token request"])
def test_a_share_token_is_an_older_result_once_a_later_request_fails(
    session, panels, clock, signer, later
) -> None:
    """Tryout X: after a 400 from the token endpoint the tokens read "older" and the share
    token beside them stayed current, in green. A later request that failed — to either
    endpoint — makes it an older result too; the share token is still valid (nothing said
    otherwise), and the next share token is current again."""
    exchange_code(session, clock, signer)
    share_the_access_token(session, clock)
    assert not panels.share.freshness.stale
    clock.advance(3)
    failed_at = clock.now
    if later == "a token exchange":
        failed = api_error(clock.now, 400, "Invalid request")
        session.exchange_finished(failed, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
        assert panels.tokens.freshness.stale
    else:
        failed = api_error(clock.now, 400, "Invalid forClientId", share=True)
        request = ShareTokenRequest("access-code-1", "bad client", 1800)
        session.exchange_finished(failed, sent=request, origin=SANDBOX)
    share = panels.share.freshness
    assert share.stale and clock_time(failed_at) in share.note and "400" in share.note
    assert ("share-token request" in share.note) is (later == "a share-token request")
    assert share_state(panels) is TokenState.LIVE  # older, not revoked
    share_the_access_token(session, clock)
    assert not panels.share.freshness.stale


def test_a_share_token_is_replaced_only_by_a_grant_to_its_own_client(
    session, panels, clock, signer
) -> None:
    """The share row says which exchange replaced the access token it was made from: the
    refresh at its own target — not a later exchange with another target, which replaced
    nothing there."""
    exchange_code(session, clock, signer)
    share_the_access_token(session, clock)
    clock.advance(3)
    session.set_target(PRODUCTION)
    exchange_code(session, clock, signer, code="code-p", target=PRODUCTION)
    session.set_target(SANDBOX)
    assert not panels.share.freshness.stale  # nothing replaced the sandbox's access token
    assert panels.tokens.origin == SANDBOX  # back on the sandbox: its own tokens
    assert not panels.tokens.freshness.stale

    clock.advance(3)
    refreshed_at = clock.now
    refresh(session, clock)
    clock.advance(3)
    session.set_target(PRODUCTION)
    exchange_code(session, clock, signer, code="code-p2", target=PRODUCTION)
    session.set_target(SANDBOX)
    share = panels.share.freshness
    assert share.stale and clock_time(refreshed_at) in share.note and "refresh_token" in share.note
    assert clock_time(clock.now) not in share.note


@pytest.mark.parametrize("replaced_by", ["a new sign-in", "a refresh"])
def test_a_share_token_in_doubt_stays_in_doubt_once_a_later_grant_replaces_its_source(
    session, panels, clock, signer, replaced_by
) -> None:
    """Tryout R: a share token made from an access token the server then revoked read "live"
    (if older) as soon as a later grant replaced that access token."""
    exchange_code(session, clock, signer)
    share_request = ShareTokenRequest("access-code-1", "other-client", 1800)
    clock.advance(3)
    session.exchange_finished(share_granted(clock.now), sent=share_request, origin=SANDBOX)
    clock.advance(3)
    revoked = api_error(clock.now, 403, "sumsubIdConnectToken has been revoked", share=True)
    session.exchange_finished(revoked, sent=share_request, origin=SANDBOX)
    assert panels.share.status.state is TokenState.SUSPECT

    clock.advance(3)
    if replaced_by == "a refresh":  # the server took the refresh token: the chain goes on
        session.exchange_finished(
            granted(clock.now, access="access-2"),
            sent=refresh_request("refresh-code-1"),
            origin=SANDBOX,
        )
        assert panels.tokens.access.state is TokenState.LIVE
    else:
        exchange_code(session, clock, signer, code="code-2")
    assert panels.share.freshness.stale  # replaced: older …
    assert panels.share.status.state is TokenState.SUSPECT  # … and still in doubt
    assert "revoked" in panels.share.status.why


def test_a_share_token_follows_its_sign_in_after_a_refresh_replaced_its_access_token(
    session, panels, clock, signer
) -> None:
    """Refreshed, the sign-in's tokens go on: a revocation of its refresh token later still
    puts the share token made from its first access token in doubt — a new sign-in does not."""
    exchange_code(session, clock, signer)
    share_the_access_token(session, clock)
    clock.advance(3)
    refresh(session, clock)
    assert panels.share.freshness.stale
    assert share_state(panels) is TokenState.LIVE  # nothing is known against it

    clock.advance(3)
    session.exchange_finished(
        api_error(clock.now, 403, "Refresh token has been revoked"),
        sent=refresh_request("refresh-code-1"),
        origin=SANDBOX,
    )
    assert share_state(panels) is TokenState.SUSPECT
    assert "revoked" in panels.share.status.why

    clock.advance(3)
    exchange_code(session, clock, signer, code="code-2")  # a new sign-in clears nothing old
    assert share_state(panels) is TokenState.SUSPECT


def test_what_was_learned_since_an_exchange_follows_its_tokens(session, clock, signer) -> None:
    """History ▸ Show asks what this run learned, after a granted exchange, about its tokens:
    nothing while they are the latest and unrefused; then that a refresh replaced them; then
    that their sign-in's tokens were revoked. An exchange of another run is not known."""
    exchange_code(session, clock, signer)
    signed_in_at = clock.now
    assert session.learned_since(signed_in_at) is None
    assert session.learned_since(signed_in_at - timedelta(hours=1)) is None

    clock.advance(5)
    refreshed_at = clock.now
    refresh(session, clock)
    replaced = session.learned_since(signed_in_at)
    assert replaced is not None and "replaced" in replaced
    assert clock_time(refreshed_at) in replaced and "refresh_token" in replaced
    assert session.learned_since(refreshed_at) is None
    # Tryout W: refreshed again, the sign-in was still said to be replaced by the latest
    # refresh; it was the first that replaced it.
    clock.advance(5)
    session.exchange_finished(
        granted(clock.now, access="access-3"),
        sent=refresh_request("refresh-code-1"),
        origin=SANDBOX,
    )
    assert session.learned_since(signed_in_at) == replaced
    assert clock_time(clock.now) in (session.learned_since(refreshed_at) or "")

    clock.advance(5)
    session.exchange_finished(
        api_error(clock.now, 403, "Refresh token has been revoked"),
        sent=refresh_request("refresh-code-1"),
        origin=SANDBOX,
    )
    for moment in (signed_in_at, refreshed_at):
        said = session.learned_since(moment)
        assert said is not None and "revoked" in said and said.endswith(".")


def test_a_share_token_shows_with_the_tokens_of_its_own_target_only(
    session, panels, clock, signer
) -> None:
    """Tryout S: the built-in emulator's panels showed another profile's share token (grey,
    "from another target") beside the built-in's own tokens. Each target keeps its own: on a
    target with tokens of its own, no other target's share token shows; back, its own does."""
    exchange_code(session, clock, signer)
    share_the_access_token(session, clock)
    assert panels.share is not None
    clock.advance(3)
    session.set_target(PRODUCTION)
    assert panels.share is not None and panels.share.freshness.stale  # no tokens here yet:
    # the sandbox's are on display, marked as another target's, and its share token with them
    exchange_code(session, clock, signer, code="code-p", target=PRODUCTION)
    assert panels.tokens.origin == PRODUCTION
    assert panels.share is None
    session.set_target(SANDBOX)
    assert panels.share is not None and panels.share.origin == SANDBOX
    assert share_state(panels) is TokenState.LIVE


def test_a_copy_of_a_profile_shows_its_originals_error_not_another_targets(
    session, panels, clock, signer
) -> None:
    """A copy of this profile (the same client at the same server) has taken no step yet: its
    error panel shows the original's latest step — its tokens are the copy's too — marked
    "other profile", not a later error of an unrelated target."""
    exchange_code(session, clock, signer)
    clock.advance(3)
    session.exchange_finished(
        api_error(clock.now, 403, "Refresh token has been revoked"),
        sent=refresh_request("refresh-code-1"),
        origin=SANDBOX,
    )
    clock.advance(3)
    session.set_target(PRODUCTION)
    session.exchange_finished(network_error(clock.now), sent=None, origin=PRODUCTION)
    copy = origin("Sandbox copy", profile_id="p-sandbox-copy", port=9001)
    session.set_target(copy)
    assert panels.error.report.status.startswith("403")
    assert panels.error.freshness.stale and panels.error.freshness.label == "other profile"
    assert panels.tokens.freshness.label == "other profile"  # the same word, panel to panel


def test_a_refresh_without_id_token_keeps_the_old_one_visibly_older(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    clock.advance(60)
    session.exchange_finished(
        granted(clock.now, access="a2"), sent=refresh_request("refresh-code-1"), origin=SANDBOX
    )
    assert not panels.tokens.freshness.stale
    assert panels.id_token.freshness.stale
    assert "no id_token" in panels.id_token.freshness.note


@pytest.mark.parametrize(
    ("sub", "nonce_kept", "verdict", "failing"),
    [
        ("user-1", False, Verdict.VERIFIED, []),  # no nonce: what OIDC Core §12.2 advises
        ("user-1", True, Verdict.VERIFIED, []),  # a nonce, the sign-in's own
        ("user-2", True, Verdict.FAILED, ["sub"]),  # another user: §12.2 says the same sub
    ],
)
def test_a_refreshed_id_token_is_held_to_the_one_from_sign_in(
    session, panels, clock, signer, sub, nonce_kept, verdict, failing
) -> None:
    attempt = authorize(session)
    exchange_code(session, clock, signer, nonce=attempt.nonce)
    clock.advance(600)
    nonce = attempt.nonce if nonce_kept else None
    refreshed = signer.id_token(SANDBOX, issued=clock.now, nonce=nonce, sub=sub)
    refresh_with(session, clock, refreshed)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, job.nonce, 60), "the test JWKS")
    verification = panels.id_token.verification
    assert verification is not None
    assert verification.verdict is verdict and verification.failed == failing, (
        verification.summary()
    )


def test_a_refresh_that_returns_no_refresh_token_keeps_showing_the_one_in_use(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer)
    issued = panels.tokens.refresh_token
    assert issued
    clock.advance(60)
    refresh = granted(clock.now, access="a2", refresh=None)
    session.exchange_finished(refresh, sent=refresh_request(issued), origin=SANDBOX)
    assert panels.tokens.granted.refresh_token is None  # the response carried none…
    assert panels.tokens.refresh_token == issued  # …so the panel shows the one still in use
    assert panels.tokens.refresh.state is TokenState.LIVE


def test_a_pasted_redirect_with_a_wrong_state_fills_in_nothing(session, panels) -> None:
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "c", "http://127.0.0.1:1/cb", ["openid"]
    )
    session.authorize_started(attempt)
    result = session.redirect_pasted("http://127.0.0.1:1/cb?code=abc&state=forged")
    assert result.code is None
    assert panels.of(FormFill) == []
    assert panels.error.report.status == "Authorize step failed"
    assert any(n.tone == "error" for n in panels.of(Notice))


def test_an_attempt_takes_one_answer_a_second_for_its_state_is_refused(session, panels) -> None:
    """A state is single-use: after an error for it, a code for it (or the reverse) is not the
    attempt's answer — a forged error then a late real code would read as a normal flow."""
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "c", "http://127.0.0.1:1/cb", ["openid"]
    )
    session.authorize_started(attempt)
    session.redirect_pasted(f"http://127.0.0.1:1/cb?error=access_denied&state={attempt.state}")
    assert panels.error.report.status == "Authorize error: access_denied"
    recorded = len(panels.of(AuthorizeRecorded))

    session.redirect_pasted(f"http://127.0.0.1:1/cb?code=late&state={attempt.state}")

    assert panels.of(FormFill) == []  # not taken
    assert len(panels.of(AuthorizeRecorded)) == recorded  # nor written down as an answer
    notice = panels.of(Notice)[-1]
    assert notice.tone == "error" and "refused already" in notice.text


def test_a_bare_code_is_not_paired_with_another_targets_pending_attempt(session, panels) -> None:
    """Get code on one target, then a switch: a code pasted alone (no state to match) is taken
    without that attempt's verifier, and the notice says why; on the attempt's own target it
    is paired with it, in amber — its state could not be checked."""
    session.set_target(SANDBOX)
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "c", "http://127.0.0.1:1/cb", ["openid"]
    )
    session.authorize_started(attempt)
    session.set_target(PRODUCTION)
    session.redirect_pasted("bare-code-1")
    fill = panels.of(FormFill)[-1]
    assert fill.code == "bare-code-1" and fill.code_verifier is None
    notice = panels.of(Notice)[-1]
    assert notice.tone == "warning" and "Sandbox" in notice.text

    session.set_target(SANDBOX)
    session.redirect_pasted("bare-code-2")
    fill = panels.of(FormFill)[-1]
    assert fill.code == "bare-code-2" and fill.code_verifier == attempt.pkce.code_verifier
    assert panels.of(Notice)[-1].tone == "warning"


def test_a_token_pasted_as_a_code_is_refused(session, panels) -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    for token in (jwt, "snd-id-con-a-WRT7abcdefghijklmnop", "_act-sbx-1234abcd-0000"):
        result = session.redirect_pasted(token)
        assert result.code is None and "token" in str(result.problem), token
    assert panels.of(FormFill) == []


def test_an_authorize_error_clears_when_the_next_attempt_brings_a_code(session, panels) -> None:
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "c", "http://127.0.0.1:1/cb", ["openid"]
    )
    session.authorize_finished(attempt, AuthorizeResult(error="access_denied", state=attempt.state))
    assert panels.error.report.status == "Authorize error: access_denied"
    authorize(session)
    assert panels.error.report is None


def test_a_refused_authorize_step_is_older_once_the_redirect_uri_changes(
    session, panels, clock
) -> None:
    """An authorize refusal often names the redirect URI: once the target's redirect URI is
    another, the refusal on screen is marked older (it says what changed), and current again
    when the URI is put back. A token exchange doesn't depend on it."""
    registered = replace(SANDBOX.profile, redirect_uri="https://app.example.com/callback")
    session.set_target(Origin(registered))
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "c", registered.redirect_uri, ["openid"]
    )
    session.authorize_started(attempt)
    session.authorize_finished(
        attempt, AuthorizeResult(error="invalid_request", state=attempt.state)
    )
    assert not panels.error.freshness.stale and not panels.raw.freshness.stale

    fixed = replace(registered, redirect_uri="https://app.example.com/oauth/callback")
    session.set_target(Origin(fixed))
    for view in (panels.error, panels.raw):
        assert view.freshness.stale
        assert "https://app.example.com/oauth/callback" in view.freshness.note
        assert view.freshness.label.startswith("older")

    session.set_target(Origin(registered))
    assert not panels.error.freshness.stale and not panels.raw.freshness.stale


def test_a_failed_exchange_stays_current_when_only_the_redirect_uri_changes(
    session, panels, clock, signer
) -> None:
    session.exchange_finished(api_error(clock.now, 401, "Invalid code"), sent=None, origin=SANDBOX)
    session.set_target(Origin(replace(SANDBOX.profile, redirect_uri="https://x.example/cb")))
    assert not panels.error.freshness.stale and not panels.raw.freshness.stale


def test_only_changed_views_are_handed_out(session, panels, clock, signer) -> None:
    exchange_code(session, clock, signer)
    count = len(panels.events)
    session.tick()
    session.set_target(SANDBOX)
    assert len(panels.events) == count


def test_the_authorize_step_is_the_raw_panels_exchange_until_the_next_send(
    session, panels, clock, signer
) -> None:
    exchange_code(session, clock, signer, code="code-0")
    clock.advance(2)
    attempt = authorize(session)
    record = panels.raw.exchange
    assert isinstance(record, AuthorizeRecord) and not panels.raw.freshness.stale
    assert "authorize" in panels.raw.freshness.note
    assert record.state == attempt.state and record.nonce == attempt.nonce
    assert record.outcome is AuthorizeOutcome.CODE and record.finished_at == clock.now
    assert panels.of(AuthorizeRecorded)[-1].record is record  # handed on, for the history
    assert panels.of(AuthorizeRecorded)[-1].origin == SANDBOX
    # Another target makes it stale, like any exchange; the next exchange replaces it.
    session.set_target(PRODUCTION)
    assert panels.raw.exchange is record and panels.raw.freshness.stale
    session.set_target(SANDBOX)
    exchange = exchange_code(session, clock, signer)
    assert panels.raw.exchange is exchange


def test_a_refused_or_forged_redirect_is_recorded_too(session, panels) -> None:
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/authorize", "c", "http://127.0.0.1:1/cb", ["openid"]
    )
    session.authorize_started(attempt)
    session.redirect_pasted("http://127.0.0.1:1/cb?code=abc&state=forged")
    record = panels.raw.exchange
    assert isinstance(record, AuthorizeRecord)
    assert record.outcome is AuthorizeOutcome.PROBLEM and record.code is None
    assert "state" in (record.problem or "")
    assert len(panels.of(AuthorizeRecorded)) == 1


def test_a_refresh_refused_after_its_codes_replay_is_explained_by_the_replay(
    session, panels, clock, signer
) -> None:
    """403 on a refresh has three generic causes; when this run saw the chain's code used
    twice, the hint names that one (and when), instead of listing the maybes."""
    exchange_code(session, clock, signer)
    clock.advance(5)
    refused = refresh_request("refresh-code-1")

    def revoked() -> Exchange:  # as the client hands it over: with the generic 403 hint
        answer = api_error(clock.now, 403, "Refresh token has been revoked")
        return replace(answer, hint=hint_for(answer.outcome, answer.endpoint))

    def hint_kind() -> HintKind:
        hint = panels.error.report.hint
        assert isinstance(hint, Hint)
        return hint.kind

    session.exchange_finished(revoked(), sent=refused, origin=SANDBOX)
    assert hint_kind() is HintKind.FORBIDDEN  # no replay known: the maybes

    clock.advance(5)
    replay = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(
        api_error(clock.now, 401, "Invalid code"), sent=replay, origin=SANDBOX
    )
    clock.advance(5)
    session.exchange_finished(revoked(), sent=refused, origin=SANDBOX)
    assert hint_kind() is HintKind.REVOKED_BY_REPLAY


def test_a_refresh_refused_after_a_cancelled_send_of_its_code_keeps_the_maybes(
    session, panels, clock, signer
) -> None:
    """A cancelled Send of the code only maybe reached the server: its tokens are suspect, but
    a refused refresh is not said to be that second use's doing."""
    first = TokenRequest.from_form("authorization_code", code="code-1", code_verifier="v" * 43)
    session.exchange_finished(cancelled(clock.now), sent=first, origin=SANDBOX)
    clock.advance(5)
    exchange_code(session, clock, signer, code="code-1")
    assert panels.tokens.access.state is TokenState.SUSPECT
    clock.advance(5)
    answer = api_error(clock.now, 403, "Refresh token has been revoked")
    answer = replace(answer, hint=hint_for(answer.outcome, answer.endpoint))
    session.exchange_finished(answer, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    hint = panels.error.report.hint
    assert isinstance(hint, Hint) and hint.kind is HintKind.FORBIDDEN


def test_a_share_token_401_that_names_the_access_token_marks_it_refused(
    session, panels, clock, signer
) -> None:
    """The server would not take the access token (invalid or expired): not live any more. A
    401 for the signature says nothing about the token."""
    exchange_code(session, clock, signer)
    share_request = ShareTokenRequest("access-code-1", "other-client", 1800)
    clock.advance(3)
    mismatch = api_error(clock.now, 401, "Request signature mismatch", share=True)
    session.exchange_finished(mismatch, sent=share_request, origin=SANDBOX)
    assert access_state(panels) is TokenState.LIVE
    refused = api_error(clock.now, 401, "Invalid sumsubIdConnectToken", share=True)
    session.exchange_finished(refused, sent=share_request, origin=SANDBOX)
    assert panels.tokens.access.state is TokenState.REFUSED
    assert not panels.tokens.access.usable
    assert "Invalid sumsubIdConnectToken" in panels.tokens.access.why
    # A refresh brings a new access token: live again.
    clock.advance(3)
    session.exchange_finished(
        granted(clock.now, access="a2"), sent=refresh_request("refresh-code-1"), origin=SANDBOX
    )
    assert access_state(panels) is TokenState.LIVE


def test_an_answer_that_arrives_after_a_switch_goes_to_its_own_target(
    session, panels, clock, signer
) -> None:
    """Send on production, switch back to the sandbox before the answer comes: the sandbox's
    own tokens stay on display and in the form (its refresh token is still the one to use);
    production's answer is production's, shown — and checked — once production is chosen."""
    exchange_code(session, clock, signer)
    sandbox_fills = len(panels.of(FormFill))
    checks = len(panels.of(VerificationRequested))
    session.set_target(PRODUCTION)
    clock.advance(5)
    session.set_target(SANDBOX)  # production's request still on its way
    production_id_token = signer.id_token(PRODUCTION, issued=clock.now, nonce=None)
    late = granted(
        clock.now,
        access="access-p",
        refresh="refresh-p",
        id_token=production_id_token,
    )
    request = TokenRequest.from_form("authorization_code", code="code-p", code_verifier="v" * 43)
    session.exchange_finished(late, sent=request, origin=PRODUCTION)

    assert panels.tokens.origin == SANDBOX and not panels.tokens.freshness.stale
    assert panels.tokens.granted.access_token == "access-code-1"
    assert len(panels.of(FormFill)) == sandbox_fills  # the form keeps the sandbox's token
    assert len(panels.of(VerificationRequested)) == checks  # nothing new on display
    assert panels.raw.origin == SANDBOX  # the raw panel too shows this target's own step

    session.set_target(PRODUCTION)
    assert panels.tokens.origin == PRODUCTION and not panels.tokens.freshness.stale
    assert panels.tokens.granted.access_token == "access-p"
    assert panels.raw.origin == PRODUCTION and panels.raw.exchange is late
    job = panels.of(VerificationRequested)[-1].job
    assert job.origin == PRODUCTION and job.id_token == production_id_token
    session.set_target(SANDBOX)
    assert panels.tokens.granted.access_token == "access-code-1"


def test_a_refresh_token_is_judged_by_the_chain_that_issued_it_whichever_is_on_display(
    session, panels, clock, signer
) -> None:
    """The form may hold any target's refresh token from this run: what a Send of it to the
    current target is worth comes from its own chain, not from the chain on display."""
    exchange_code(session, clock, signer)  # the sandbox's refresh-code-1
    session.set_target(PRODUCTION)
    exchange_code(session, clock, signer, code="code-p", target=PRODUCTION)  # refresh-code-p
    found = session.refresh_token_status("refresh-code-1")
    assert found is not None
    issued_by, status = found
    assert issued_by == SANDBOX and status.state is TokenState.OTHER_TARGET
    own = session.refresh_token_status(" refresh-code-p ")
    assert own is not None and own[0] == PRODUCTION and own[1].state is TokenState.LIVE
    assert session.refresh_token_status("typed-by-hand") is None


def test_on_a_target_with_no_results_every_panel_shows_the_same_other_target(
    session, panels, clock, signer
) -> None:
    """Tokens on production last, then a failed step on the sandbox: a third target with no
    steps of its own shows the sandbox's latest step in the error and raw panels — and the
    sandbox's tokens, not production's newer ones, in the token panels: one target's
    results, marked."""
    exchange_code(session, clock, signer)  # the sandbox's tokens
    session.set_target(PRODUCTION)
    clock.advance(5)
    exchange_code(session, clock, signer, code="code-p", target=PRODUCTION)
    session.set_target(SANDBOX)
    clock.advance(5)
    session.exchange_finished(
        api_error(clock.now, 400, "Bad request"), sent=refresh_request("x"), origin=SANDBOX
    )
    third = origin("Third", profile_id="p-third", port=9003)
    session.set_target(third)
    assert panels.error.origin == SANDBOX and panels.raw.origin == SANDBOX
    assert panels.tokens.origin == SANDBOX
    assert panels.tokens.granted.access_token == "access-code-1"
    assert panels.tokens.freshness.stale and panels.raw.freshness.stale


def test_a_refresh_that_brings_the_same_id_token_back_is_checked_as_its_own(
    session, panels, clock, signer
) -> None:
    """In the same second a refresh can return the very same id_token text: that exchange's
    verdict is still checked and handed on (the history keeps one per exchange) — but a
    switch away and back, which brings no exchange, checks nothing again."""
    first = exchange_code(session, clock, signer)
    job = panels.of(VerificationRequested)[-1].job
    session.verification_finished(job, signer.context(SANDBOX, job.nonce, 60), "the test JWKS")
    assert isinstance(first.outcome, TokenGranted) and first.outcome.id_token is not None
    same = granted(clock.now, access="a2", id_token=first.outcome.id_token)
    session.exchange_finished(same, sent=refresh_request("refresh-code-1"), origin=SANDBOX)
    again = panels.of(VerificationRequested)[-1].job
    assert again is not job and again.id_token == job.id_token
    session.verification_finished(again, signer.context(SANDBOX, again.nonce, 60), "the JWKS")
    assert [c.exchange for c in panels.of(IdTokenChecked)] == [first, same]
    checks = len(panels.of(VerificationRequested))
    session.set_target(PRODUCTION)
    session.set_target(SANDBOX)
    assert len(panels.of(VerificationRequested)) == checks


def _hinted(answer: Exchange) -> Exchange:
    return replace(answer, hint=hint_for(answer.outcome, answer.endpoint))


def test_a_share_token_401_for_an_access_token_known_to_have_expired_says_so(
    session, panels, clock, signer
) -> None:
    """Tryout AC: the server said "sumsubIdConnectToken has expired", and the advice still
    listed "expired, never issued by this server, or another environment"."""
    granted_at = clock.now
    session.exchange_finished(
        granted(granted_at, access="a-short", refresh="r-short", expires_in=60),
        sent=TokenRequest.from_form("authorization_code", code="c", code_verifier="v" * 43),
        origin=SANDBOX,
    )
    share = ShareTokenRequest("a-short", "other-client", 1800)
    clock.advance(61)
    answer = _hinted(api_error(clock.now, 401, "sumsubIdConnectToken has expired", share=True))
    session.exchange_finished(answer, sent=share, origin=SANDBOX)
    hint = panels.error.report.hint
    assert isinstance(hint, Hint) and hint.kind is HintKind.ACCESS_TOKEN_REFUSED
    assert clock_time(granted_at + timedelta(seconds=60)) in hint.title
    assert "refresh" in hint.advice.lower()
    # Sent while it was live, a 401 is one of the maybes: the generic advice stays.
    fresh = granted(clock.now, access="a-live", refresh="r-live")
    session.exchange_finished(fresh, sent=refresh_request("r-short"), origin=SANDBOX)
    clock.advance(1)
    answer = _hinted(api_error(clock.now, 401, "Invalid sumsubIdConnectToken", share=True))
    live_share = ShareTokenRequest("a-live", "other-client", 1800)
    session.exchange_finished(answer, sent=live_share, origin=SANDBOX)
    assert panels.error.report.hint == answer.hint


def test_a_refresh_token_401_for_another_servers_token_names_that_server(
    session, panels, clock, signer
) -> None:
    """Tryout AC: after the person chose to send the other server's refresh token, its 401
    said "mistyped, expired, or issued to another client"."""
    exchange_code(session, clock, signer, target=SANDBOX)
    session.set_target(PRODUCTION)
    clock.advance(5)
    answer = _hinted(api_error(clock.now, 401, "Invalid refresh token"))
    session.exchange_finished(answer, sent=refresh_request("refresh-code-1"), origin=PRODUCTION)
    hint = panels.error.report.hint
    assert isinstance(hint, Hint) and hint.kind is HintKind.REFRESH_TOKEN_REFUSED
    assert SANDBOX.label in hint.title and "mistyped" not in hint.advice
