"""The session under random sequences of what a tester does — get a code (or be refused one),
exchange it, replay it, refresh, get revoked (after a replay, or by the service), let time pass,
switch target, resend an old request from the history — against a small model of the server.
After every step, what each panel shows must be the latest result for the current target or be
marked stale (the raw panel's may be the authorize step itself), and no token may look better
than the client has reason to believe."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from tests.support.exchanges import (
    FakeClock,
    Signer,
    api_error,
    cancelled,
    granted,
    network_error,
    origin,
    share_granted,
)

from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
from idconnect_tester.core.authorize_record import (
    AuthorizeOutcome,
    AuthorizeRecord,
    authorize_record_to_dict,
)
from idconnect_tester.core.exchange import Exchange
from idconnect_tester.core.id_token_checks import CheckStatus
from idconnect_tester.core.jwt_decode import DecodedJwt, numeric_date
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.session import Session
from idconnect_tester.core.session_events import (
    AuthorizeRecorded,
    ErrorChanged,
    ErrorView,
    ExchangeChanged,
    ExchangeView,
    IdTokenChanged,
    IdTokenView,
    Origin,
    PanelEvent,
    RawStep,
    SessionEvent,
    ShareTokenChanged,
    TokensChanged,
    TokenState,
    TokenView,
    VerificationJob,
    VerificationRequested,
)

# Two servers, and a copy of the first profile: the same client at the same server, whose
# codes and refresh tokens redeem there too.
TARGETS = (
    origin("Sandbox", profile_id="a", port=9101),
    origin("Other", profile_id="b", port=9102),
    origin("Sandbox copy", profile_id="c", port=9101),
)
SIGNER = Signer()
LEEWAY_S = 30


@dataclass
class ServerModel:
    """What the real service would answer, per target."""

    codes: dict[str, str] = field(default_factory=dict)  # code → "issued" | "used"
    refresh_tokens: dict[str, tuple[Origin, str]] = field(
        default_factory=dict
    )  # rt → (target, code)
    revoked_codes: set[str] = field(default_factory=set)
    revoked_refresh_tokens: set[str] = field(default_factory=set)  # revoked by the service


class SessionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.session = Session(clock=self.clock, leeway_s=LEEWAY_S)
        self.shown: dict[type[PanelEvent], PanelEvent] = {}
        self.jobs: list[VerificationJob] = []
        self.session.subscribe(self.receive)
        self.target = TARGETS[0]
        self.session.set_target(self.target)
        self.server = ServerModel()
        self.sent: list[tuple[TokenRequest, Origin]] = []
        self.latest: tuple[RawStep, Origin] | None = None  # the latest step of all
        self.latest_here: dict[tuple[str, ...], RawStep] = {}  # each target's latest step
        self.latest_token: dict[tuple[str, ...], Exchange] = {}
        self.attempts: dict[str, AuthorizeSession] = {}
        self.recorded: list[AuthorizeRecorded] = []
        self.refused: set[str] = set()  # refresh tokens the client saw refused (403)
        self.replayed: set[str] = set()  # codes the client saw refused on a second use
        self.counter = 0
        # Which target each chain of tokens is under (by its refresh token), and the chain of
        # each target's own: a refresh from a copy of the profile moves the chain to the copy.
        self.chain_under: dict[str, tuple[str, ...]] = {}
        self.own_chain: dict[tuple[str, ...], str] = {}

    def receive(self, event: SessionEvent) -> None:
        if isinstance(event, VerificationRequested):
            self.jobs.append(event.job)
        elif isinstance(event, AuthorizeRecorded):
            self.recorded.append(event)
        elif isinstance(
            event,
            TokensChanged | IdTokenChanged | ShareTokenChanged | ExchangeChanged | ErrorChanged,
        ):
            self.shown[type(event)] = event

    # --- what the tester does ---

    @rule(index=st.integers(0, len(TARGETS) - 1))
    def switch_target(self, index: int) -> None:
        self.target = TARGETS[index]
        self.session.set_target(self.target)

    def _authorize(
        self, result_for: Any, *, switch_to: Origin | None = None
    ) -> tuple[AuthorizeSession, AuthorizeRecord]:
        """One authorize step with this target; `switch_to` is selected while it runs. The raw
        panel shows the step, attributed to the target it went to."""
        base = self.target.profile.base_url
        attempt = AuthorizeSession.new(base + "/authorize", "test-client", base + "/cb", ["openid"])
        started_on = self.target
        self.session.authorize_started(attempt)
        if switch_to is not None:
            self.switch_target(TARGETS.index(switch_to))
        before = len(self.recorded)
        self.session.authorize_finished(attempt, result_for(attempt))
        assert len(self.recorded) == before + 1  # one record per step, for the history
        recorded = self.recorded[-1]
        record = recorded.record
        assert recorded.origin == started_on
        assert record.state == attempt.state and record.nonce == attempt.nonce
        assert record.code_challenge == attempt.pkce.code_challenge
        # The verifier stays in the app: never in what the raw panel or the history shows.
        verifier = attempt.pkce.code_verifier
        shown = record.request_text() + record.response_text() + record.url
        assert verifier not in shown
        assert verifier not in str(authorize_record_to_dict(record, full_tokens=True))
        self.latest = (record, started_on)
        self.latest_here[started_on.key] = record
        return attempt, record

    @rule()
    def get_code(self) -> None:
        self.counter += 1
        code = f"code-{self.counter}"
        attempt, record = self._authorize(
            lambda attempt: AuthorizeResult(code=code, state=attempt.state, state_checked=True)
        )
        assert record.outcome is AuthorizeOutcome.CODE and record.code == code
        self.server.codes[code] = "issued"
        self.attempts[code] = attempt

    @rule(switch_to=st.sampled_from(TARGETS))
    def authorize_refused(self, switch_to: Origin) -> None:
        """The authorization server says no (while the tester may switch target)."""
        _, record = self._authorize(
            lambda attempt: AuthorizeResult(error="access_denied", state=attempt.state),
            switch_to=switch_to,
        )
        assert record.outcome is AuthorizeOutcome.ERROR and record.code is None

    @precondition(lambda self: bool(self.server.codes))
    @rule(data=st.data())
    def exchange_a_code(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(sorted(self.server.codes)))
        self._send(TokenRequest.from_form("authorization_code", code=code, code_verifier="v" * 43))

    @precondition(lambda self: bool(self.server.refresh_tokens))
    @rule(data=st.data())
    def refresh(self, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(sorted(self.server.refresh_tokens)))
        self._send(TokenRequest.from_form("refresh_token", refresh_token=token))

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def resend_from_history(self, data: st.DataObject) -> None:
        request, _ = data.draw(st.sampled_from(self.sent))
        self._send(request)

    @precondition(lambda self: bool(self.server.codes or self.server.refresh_tokens))
    @rule(data=st.data())
    def cancel_once_it_reached_the_server(self, data: st.DataObject) -> None:
        """The server acts on the request (redeems the code, grants a new access token); the
        person cancels before the answer arrives, so the client sees only the cancel."""
        requests = [
            TokenRequest.from_form("authorization_code", code=code, code_verifier="v" * 43)
            for code in sorted(self.server.codes)
        ] + [
            TokenRequest.from_form("refresh_token", refresh_token=token)
            for token in sorted(self.server.refresh_tokens)
        ]
        self._send(data.draw(st.sampled_from(requests)), cancelled_before_the_answer=True)

    @precondition(lambda self: bool(self.server.refresh_tokens))
    @rule(data=st.data())
    def service_revokes_a_refresh_token(self, data: st.DataObject) -> None:
        """Revoked on the service's side (support, a security event): the client learns of it
        only from the next refresh's 403."""
        token = data.draw(st.sampled_from(sorted(self.server.refresh_tokens)))
        self.server.revoked_refresh_tokens.add(token)

    @rule()
    def network_fails(self) -> None:
        request = TokenRequest.from_form("refresh_token", refresh_token="whatever")
        self._finish(network_error(self.clock.now), request)

    @rule()
    def share_token(self) -> None:
        current = self.session.access_token()
        access = current[0] if current is not None else "none"
        request = ShareTokenRequest(access, "other-client", 1800)
        exchange = (
            share_granted(self.clock.now)
            if current
            else api_error(self.clock.now, 401, "Invalid token", share=True)
        )
        self._finish(exchange, request)

    @rule(seconds=st.sampled_from([1, 29, 31, 600, 3599, 3600, 3631, 90_000]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.session.tick()

    @precondition(lambda self: bool(self.jobs))
    @rule()
    def keys_arrive(self) -> None:
        job = self.jobs.pop(0)
        context = SIGNER.context(job.origin, job.nonce, job.leeway_s)
        self.session.verification_finished(job, context, "test keys")

    @rule()
    def verify_again(self) -> None:
        self.session.request_verification()

    # --- the server model ---

    def _send(self, request: TokenRequest, *, cancelled_before_the_answer: bool = False) -> None:
        now, target = self.clock.now, self.target
        if request.grant_type == "authorization_code":
            code = request.code
            state = self.server.codes.get(code)
            if state == "issued":
                self.server.codes[code] = "used"
                self.counter += 1
                refresh = f"rt-{self.counter}"
                self.server.refresh_tokens[refresh] = (target, code)
                attempt = self.attempts.get(code)
                id_token = SIGNER.id_token(
                    target, issued=now, nonce=attempt.nonce if attempt else None
                )
                exchange = granted(
                    now, access=f"at-{self.counter}", refresh=refresh, id_token=id_token
                )
                if not cancelled_before_the_answer:
                    self._chain_under(refresh, target)
            else:
                if state == "used":
                    self.server.revoked_codes.add(code)
                    self.replayed.add(code)
                exchange = api_error(now, 401, "Invalid code")
        else:
            owner = self.server.refresh_tokens.get(request.refresh_token)
            if owner is None or not owner[0].same_client(target):
                exchange = api_error(now, 401, "Invalid refresh token")
            elif (
                owner[1] in self.server.revoked_codes
                or request.refresh_token in self.server.revoked_refresh_tokens
            ):
                exchange = api_error(now, 403, "Refresh token has been revoked")
                if not cancelled_before_the_answer:  # the client learns of it from the 403
                    self.refused.add(request.refresh_token)
            else:
                self.counter += 1
                exchange = granted(now, access=f"at-{self.counter}")
                if not cancelled_before_the_answer:
                    self._chain_under(request.refresh_token, target)
        self.sent.append((request, target))
        self._finish(cancelled(now) if cancelled_before_the_answer else exchange, request)

    def _chain_under(self, refresh_token: str, target: Origin) -> None:
        """The chain of `refresh_token` got tokens under `target`: it is that target's own."""
        before = self.chain_under.get(refresh_token)
        if before is not None and self.own_chain.get(before) == refresh_token:
            del self.own_chain[before]
        self.chain_under[refresh_token] = target.key
        self.own_chain[target.key] = refresh_token

    def _finish(self, exchange: Exchange, request: TokenRequest | ShareTokenRequest) -> None:
        self.latest = (exchange, self.target)
        self.latest_here[self.target.key] = exchange
        if isinstance(request, TokenRequest):
            self.latest_token[self.target.key] = exchange
        self.session.exchange_finished(exchange, sent=request, origin=self.target)

    # --- what must always hold ---

    def _view(self, kind: type[PanelEvent]) -> Any:
        event = self.shown.get(kind)
        return event.view if event is not None else None

    @invariant()
    def panels_show_what_the_session_says(self) -> None:
        for event in self.session.panel_events():
            assert self.shown.get(type(event), type(event)(None)) == event

    @invariant()
    def current_tokens_are_the_latest_result_for_this_target(self) -> None:
        view: TokenView | None = self._view(TokensChanged)
        if view is None or view.freshness.stale:
            return
        assert view.origin.same_target(self.target)
        assert view.exchange is self.latest_token.get(self.target.key)

    @invariant()
    def a_target_with_tokens_of_its_own_shows_them(self) -> None:
        """Back on a profile its own tokens show, beside its own raw exchange and error — not
        a copy's newer ones (the same client at the same server)."""
        own = self.own_chain.get(self.target.key)
        view: TokenView | None = self._view(TokensChanged)
        if own is not None:
            assert view is not None and view.origin.same_target(self.target)

    @invariant()
    def current_raw_and_error_are_the_latest_exchange_here(self) -> None:
        raw: ExchangeView | None = self._view(ExchangeChanged)
        here = self.latest_here.get(self.target.key)
        if raw is not None and not raw.freshness.stale:
            assert here is not None and raw.exchange is here
            assert raw.origin.same_target(self.target)
        if here is not None:
            # This target's latest step, an authorize step included, is what the raw panel
            # shows — whatever another target did since.
            assert raw is not None and not raw.freshness.stale and raw.exchange is here
        error: ErrorView | None = self._view(ErrorChanged)
        if error is not None and not error.freshness.stale and error.origin is not None:
            assert error.origin.same_target(self.target)

    @invariant()
    def id_token_and_share_token_are_from_this_target_or_marked(self) -> None:
        for kind in (IdTokenChanged, ShareTokenChanged):
            view = self._view(kind)
            if view is not None and not view.freshness.stale:
                assert view.origin.same_target(self.target), kind.__name__

    @invariant()
    def no_token_looks_better_than_it_is(self) -> None:
        view: TokenView | None = self._view(TokensChanged)
        if view is None:
            return
        if view.access.state is TokenState.LIVE:
            assert self.clock.now < view.granted.expires_at
            assert view.origin.same_target(self.target)
        chain_refresh = self.session.refresh_token()
        if chain_refresh is not None and chain_refresh[0] in self.refused:
            # Refused once, never usable again: "revoked" here, "another target's" elsewhere
            # (what a Send of it to the current target would meet first).
            assert not chain_refresh[1].usable
            if view.origin.same_target(self.target):
                assert chain_refresh[1].state is TokenState.REVOKED

    @invariant()
    def an_expired_id_token_never_passes_its_exp_row(self) -> None:
        view: IdTokenView | None = self._view(IdTokenChanged)
        if view is None or view.verification is None:
            return
        decoded = view.decoded
        assert isinstance(decoded, DecodedJwt)
        assert view.verification.decoded == decoded  # the verdict is about the token shown
        exp = numeric_date(decoded.claims["exp"])
        assert exp is not None
        rows = {c.name: c.status for c in view.verification.checks}
        if self.clock.now >= exp + timedelta(seconds=LEEWAY_S):
            assert rows["exp"] is CheckStatus.FAIL

    @invariant()
    def the_next_deadline_is_in_the_future(self) -> None:
        deadline: datetime | None = self.session.next_deadline()
        assert deadline is None or deadline > self.clock.now


SessionMachine.TestCase.settings = settings(max_examples=400, stateful_step_count=30, deadline=None)
test_session_state_machine = SessionMachine.TestCase
