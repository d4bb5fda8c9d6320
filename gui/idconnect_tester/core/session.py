"""The session: the one source of truth for what the window shows, and how current it is.

It takes in what happened — the target changed, an authorize step ended, an exchange finished,
keys arrived for an id_token, time passed — and hands out typed events (`session_events`): one
view per result panel, each saying where its content came from and whether it is still the
latest result for the current target. Panels render those views and keep no state of their own,
so no panel can show an old result as if it were current.

What it owns:
- the authorize attempts of this run (PKCE pair, state, nonce), so a code is always exchanged
  and its id_token checked against the attempt that produced it;
- the chain of tokens (code → token → refreshes) and what each token is worth now (live,
  expired, revoked, suspect, from another target);
- the id_token's verification, bound to the issuer and keys of the target that issued it, and
  re-run without the network when its `exp` passes.

It does no I/O: the Qt side runs the requests and the key fetches (`VerificationRequested`) and
reports back. Time comes from the injected clock; `next_deadline()` says when to call `tick()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from idconnect_tester import vendor
from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession, parse_redirect
from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.emulator_drills import StagedBy, made_by, made_up_by
from idconnect_tester.core.error_report import (
    ErrorReport,
    report_for_authorize,
    report_for_exchange,
    report_for_failure,
)
from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    Hint,
    HintKind,
    NetworkError,
    NetworkErrorKind,
    NotSent,
    ShareTokenGranted,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.exchange_json import iso_utc
from idconnect_tester.core.hints import (
    is_access_token_refused,
    is_invalid_code,
    is_refresh_token_refused,
)
from idconnect_tester.core.id_token_checks import (
    DEFAULT_LEEWAY_S,
    Verdict,
    Verification,
    VerificationContext,
    VerificationKey,
    verdict_changes,
    verify_id_token,
)
from idconnect_tester.core.id_token_model import signing_keys
from idconnect_tester.core.jwt_decode import DecodedJwt, decode_jwt, sign_in_claims
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.session_events import (
    SAME_CLIENT,
    AuthorizeRecorded,
    ErrorChanged,
    ErrorView,
    ExchangeChanged,
    ExchangeView,
    FormFill,
    Freshness,
    IdTokenChanged,
    IdTokenChecked,
    IdTokenView,
    Notice,
    Origin,
    PanelEvent,
    RawStep,
    SessionEvent,
    ShareTokenChanged,
    ShareView,
    TokensChanged,
    TokenState,
    TokenStatus,
    TokenView,
    VerificationJob,
    VerificationRequested,
)
from idconnect_tester.core.token_chain import (
    Grant,
    SpentCode,
    SpentHow,
    TokenChain,
)
from idconnect_tester.core.tone import Tone
from idconnect_tester.core.wording import clock_time

Listener = Callable[[SessionEvent], None]

_MAX_REMEMBERED_CODES: Final = 50  # codes of this run's authorize steps, newest kept
# Why a second use of a code got 401, whoever made it (a Send, a copied curl command).
_SINGLE_USE: Final = (
    "Codes are single-use: the server refuses a second use and (RFC 6749 §4.1.2) should "
    "revoke the tokens the first one gave. Press Get code for a fresh code and verifier, then "
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Verifying:
    """The id_token on display and what its checks were last run with."""

    def __init__(self, job: VerificationJob, exchange: Exchange) -> None:
        self.job = job
        self.exchange = exchange  # the one that delivered the id_token
        # Decoded once: every render and every timer reschedule reads its claims.
        self.decoded = decode_jwt(job.id_token)
        self.context: VerificationContext | None = None
        self.keys_note = "Fetching the issuer's keys…"
        self.result: Verification | None = None


def _expectations(origin: Origin) -> tuple[str, str]:
    """What an id_token's checks take from a target: the issuer (iss, and where its keys are
    found) and the client id (aud, azp)."""
    return origin.profile.issuer.strip(), origin.profile.client_id.strip()


class Session:
    def __init__(
        self, *, clock: Callable[[], datetime] = utc_now, leeway_s: int = DEFAULT_LEEWAY_S
    ) -> None:
        self._clock = clock
        self._leeway_s = leeway_s
        self._listeners: list[Listener] = []
        self._target: Origin | None = None
        self._pending_authorize: AuthorizeSession | None = None
        self._pending_origin: Origin | None = None  # the target the pending attempt went to
        self._attempt_for_code: dict[str, AuthorizeSession] = {}
        self._spent: dict[str, SpentCode] = {}  # codes this run sent, and what came of it
        self._origin_for_code: dict[str, Origin] = {}  # the target whose Get code gave it
        self._copied: dict[str, datetime] = {}  # codes copied out (as curl) before a Send
        # The chain each granted exchange of this run gave its tokens to, by when it arrived
        # as the history records it (to the millisecond), for what History ▸ Show says has
        # happened to them since.
        self._chain_granted_at: dict[str, TokenChain] = {}
        # The refresh that replaced each granted exchange's access token, by the same key:
        # the first one, not the chain's latest (tryout W: Show named a later refresh).
        self._replaced_by: dict[str, Grant] = {}
        # The authorization response each attempt (by state) got first.
        self._answered: dict[str, _Answer] = {}
        # Each target's own tokens (its latest chain), the one that changed last at the end.
        # The panels show the latest that the current target's client can use (its own, or a
        # copy of its profile's); with none, the chain of the target whose steps the error and
        # raw panels show, marked as another target's (see `_chain`). An answer that arrives
        # after a switch goes to its own target's chain and leaves the one on display alone.
        self._chains: dict[tuple[str, ...], TokenChain] = {}
        # Chains a newer code exchange at their target replaced, newest last: their refresh
        # tokens are still good at their server (a sign-in each), and the form may still
        # hold one — known, it is still kept from another server and its verifier checked.
        self._superseded: list[TokenChain] = []
        # Each target's latest share token; the one on display goes with the tokens on display.
        self._shares: dict[tuple[str, ...], _Share] = {}
        # The latest exchange an emulator drill answered (a staged outcome), and the drill.
        self._drill_made: tuple[Exchange, str] | None = None
        self._latest: tuple[Exchange, Origin] | None = None
        # What the raw panel shows: the latest exchange, or an authorize step that came after —
        # of all, and each target's own (chosen as the error panel's step is).
        self._raw: tuple[RawStep, Origin] | None = None
        self._raws: dict[tuple[str, ...], tuple[RawStep, Origin]] = {}
        # The latest exchange that reached the token endpoint, per target: a token view is
        # current only while it shows that exchange's result.
        self._latest_token_exchange: dict[tuple[str, ...], Exchange] = {}
        # The latest request to either endpoint, per target: a share token on display after
        # a later one is an older result, as the tokens beside it are.
        self._latest_sent: dict[tuple[str, ...], Exchange] = {}
        # The latest step's outcome, and each target's own: back on a target, the error panel
        # shows how its latest step ended (what its older results' notes refer to), not the
        # error of the target just left.
        self._error: _ShownError | None = None
        self._errors: dict[tuple[str, ...], _ShownError] = {}
        self._verifying: _Verifying | None = None
        # Each exchange's id_token's first verdict (handed on once, as IdTokenChecked).
        self._first_verdicts: dict[Exchange, IdTokenChecked] = {}
        self._pasted_keys: tuple[VerificationKey, ...] | None = None
        self._pasted_description = ""
        self._shown: dict[type[PanelEvent], PanelEvent] = {}

    # --- listeners ---

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with every event from now on (panels: render what it says)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: SessionEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _publish(self) -> None:
        """Recompute every panel's view and hand out those that changed."""
        for event in self.panel_events():
            if self._shown.get(type(event)) != event:
                self._shown[type(event)] = event
                self._emit(event)

    # --- inputs: the target ---

    @property
    def target(self) -> Origin | None:
        return self._target

    def set_target(self, origin: Origin) -> None:
        """The user selected or edited the target: its own tokens are shown, or results from
        another one, marked as such."""
        if self._target is not None and not origin.same_target(self._target):
            # Keys pasted for one issuer say nothing about another.
            self._pasted_keys, self._pasted_description = None, ""
        self._target = origin
        if not self._verifying_the_chain_on_display():
            self._start_verification()  # this target's own id_token, checked when it was left
        self._publish()

    @property
    def _chain(self) -> TokenChain | None:
        """The chain on display: this target's own; else the latest its client can use (a
        copy of its profile's); else the chain of the target whose steps the other panels
        show; else the latest. Its own first, as the raw and error panels do: back on a
        profile, a copy's newer tokens beside this profile's own exchange told two stories."""
        here = self._target.key if self._target is not None else None
        own = self._chains.get(here) if here is not None else None
        chains = list(reversed(self._chains.values()))
        usable = (chain for chain in chains if chain.origin.same_client(self._target))
        key = self._results_target()
        shown_with = self._chains.get(key) if key is not None else None
        return own or next(usable, shown_with or (chains[0] if chains else None))

    @property
    def _share(self) -> _Share | None:
        """The share token on display: the one made at the target whose tokens are on display
        (or, with none, at the current target) — never another target's beside these."""
        chain = self._chain
        key = chain.origin.key if chain is not None else None
        if key is None and self._target is not None:
            key = self._target.key
        return self._shares.get(key) if key is not None else None

    def _changed(self, chain: TokenChain) -> None:
        """`chain` got tokens: it is the latest (last in `_chains`), under its target now (a
        refresh from a copy of its profile makes its tokens that profile's)."""
        for key in [key for key, kept in self._chains.items() if kept is chain]:
            del self._chains[key]
        if chain in self._superseded:  # an older sign-in's refresh token sent again
            self._superseded.remove(chain)
        replaced = self._chains.pop(chain.origin.key, None)
        if replaced is not None:
            self._superseded.append(replaced)
            del self._superseded[:-_MAX_SUPERSEDED_CHAINS]
        self._chains[chain.origin.key] = chain

    def _chain_issuing(self, refresh_token: str) -> TokenChain | None:
        """The chain whose refresh token `refresh_token` is, whichever target it is: a
        target's own first, then one a newer sign-in there replaced."""
        token = refresh_token.strip()
        chains = [*reversed(self._chains.values()), *reversed(self._superseded)]
        return next((c for c in chains if c.uses_refresh_token(token)), None)

    def superseded_here(self, refresh_token: str) -> bool:
        """`refresh_token` is one a newer sign-in at the current target replaced."""
        token = refresh_token.strip()
        return any(
            chain.uses_refresh_token(token) and chain.origin.same_target(self._target)
            for chain in self._superseded
        )

    def _chain_with_access_token(self, access_token: str) -> TokenChain | None:
        """The chain whose latest access token `access_token` is (a share token's source)."""
        token = access_token.strip()
        return next(
            (c for c in reversed(self._chains.values()) if c.latest.granted.access_token == token),
            None,
        )

    def _verifying_the_chain_on_display(self) -> bool:
        chain = self._chain
        grant = chain.id_token_grant if chain is not None else None
        if chain is None or grant is None or grant.granted.id_token is None:
            return self._verifying is None
        verifying = self._verifying
        # Its exchange, not only its text: a refresh may bring the very same id_token back (in
        # the same second), and that exchange's verdict is checked, and kept, as its own. And
        # with what is expected here: back on a profile whose issuer differs from the copy's
        # that refreshed, the copy's verdict is not this profile's.
        return (
            verifying is not None
            and verifying.exchange is grant.exchange
            and verifying.job.id_token == grant.granted.id_token
            and _expectations(verifying.job.origin) == _expectations(self._checked_as(chain))
        )

    def _checked_as(self, chain: TokenChain) -> Origin:
        """Whose expectations (issuer, client id) the chain's id_token is checked with.

        On arrival, those of the target it came from: that verdict is the exchange's own, kept
        in the history. After that, the current target's when it is the same client at the
        same server — a copy of the profile, or this profile with its issuer corrected: its
        tokens are this target's too, so what this target expects judges them here, and a
        copy's wrong issuer does not make them "not trusted" on the profile it copied."""
        current = self._target
        grant = chain.id_token_grant
        arrived_unchecked = grant is not None and grant.exchange not in self._first_verdicts
        if arrived_unchecked or current is None or not chain.origin.same_client(current):
            return chain.origin
        return current

    def _chain_with_refresh_token(self, origin: Origin, refresh_token: str) -> TokenChain | None:
        """The chain whose refresh token a refresh to `origin` sent, if `origin` is where it
        redeems: its own target, or another of the same client (a copy of the profile)."""
        chain = self._chain_issuing(refresh_token)
        return chain if chain is not None and chain.origin.same_client(origin) else None

    # --- inputs: the authorize step ---

    @property
    def pending_authorize(self) -> AuthorizeSession | None:
        """This run's latest authorize attempt (its state is what a redirect is checked against)."""
        return self._pending_authorize

    def authorize_started(self, attempt: AuthorizeSession) -> None:
        self._pending_authorize = attempt
        self._pending_origin = self._target

    def authorize_finished(
        self,
        attempt: AuthorizeSession,
        result: AuthorizeResult,
        *,
        server_status: int | None = None,
    ) -> None:
        """The redirect came back (or didn't): the code goes into the form, or the error shows.
        The step itself becomes the raw panel's exchange, and an `AuthorizeRecorded` event
        hands its record on (for the history). `server_status` is the authorization server's
        own answer, when this app fetched the URL itself."""
        now = self._clock()
        if result.code is not None or (result.error is not None and result.state_checked):
            # An authorization response, tied to the attempt by its state. A refusal and a code
            # for one state can't both be its answer: the later one (a forged error before a
            # real code, or the reverse) is refused. Another code for it is the server's too —
            # the same URL opened twice — and the newer one is taken, as before.
            refused = result.code is None
            first = self._answered.get(attempt.state)
            if first is not None and first.refused != refused and result.state_checked:
                said = "refused" if first.refused else "answered with a code"
                self._emit(
                    Notice(
                        f"This Get code was {said} already, at {clock_time(first.at)}: "
                        f"{'a refusal' if refused else 'a code'} for the same state "
                        "now is not its answer. Press Get code for a fresh attempt.",
                        Tone.ERROR,
                    )
                )
                return
            self._answered.setdefault(attempt.state, _Answer(now, refused))
            _forget_the_oldest(self._answered)
        started_for = self._pending_origin if attempt is self._pending_authorize else None
        self._pending_authorize = attempt
        origin = started_for or self._target
        if origin is not None:
            record = AuthorizeRecord.of(attempt, result, now, server_status)
            self._set_raw(record, origin)
            self._emit(AuthorizeRecorded(record, origin))
        if result.code is not None:
            self._remember_code(result.code, attempt, origin)
            shown = self._errors.get(origin.key) if origin is not None else None
            if origin is not None and (shown is None or shown.from_authorize):
                # An earlier authorize failure is over (and a target's first step is this
                # success: its own, not another target's error); a failed exchange stays
                # until the next, said to be older than this Get code.
                self._set_error(_ShownError(None, origin, now, from_authorize=True))
            elif origin is not None and shown is not None:
                later = self._errors[origin.key] = replace(shown, code_since=now)
                if self._error is shown:
                    self._error = later
            self._emit(
                FormFill(
                    grant_type=vendor.GRANT_AUTHORIZATION_CODE,
                    code=result.code,
                    code_verifier=attempt.pkce.code_verifier,
                )
            )
            notes = f" ({'; '.join(result.notes)})" if result.notes else ""
            self._emit(
                Notice(
                    f"{result.summary()}; press Send to exchange it{notes}",
                    # A code whose state could not be checked may not be this attempt's.
                    Tone.OK if result.state_checked else Tone.WARNING,
                    for_grant=vendor.GRANT_AUTHORIZATION_CODE,
                )
            )
        else:
            report = report_for_authorize(attempt.authorization_endpoint, result, now)
            self._set_error(_ShownError(report, origin, now, from_authorize=True))
            self._emit(Notice(f"{report.status}: {report.description}", Tone.ERROR))
        self._publish()

    def redirect_pasted(self, text: str) -> AuthorizeResult:
        """A redirect URL (or a code) the user pasted: checked against this run's attempt."""
        attempt = self._pending_authorize
        result = parse_redirect(text, attempt)
        # What the state doesn't tie to the last Get code is that attempt's only while it waits
        # for its code on this target: another target's verifier can't redeem this target's
        # code, an attempt that has its code already gave no other, and a paste refused here
        # is not that attempt's result.
        elsewhere = self._pending_origin
        other_target = elsewhere is not None and not elsewhere.same_client(self._target)
        answered = any(given is attempt for given in self._attempt_for_code.values())
        unmatched = attempt is not None and not result.state_checked
        if unmatched and other_target and result.code is None:
            self._emit(Notice(result.summary(), Tone.ERROR))
        elif unmatched and (other_target or answered) and result.code is not None:
            why = (
                f"the last Get code was for {elsewhere.label}"
                if other_target and elsewhere is not None
                else "without a state it can't be tied to a Get code of this run"
            )
            self._emit(FormFill(grant_type=vendor.GRANT_AUTHORIZATION_CODE, code=result.code))
            self._emit(
                Notice(
                    f"Code taken as pasted: {why} — the verifier must be the one that goes with it",
                    Tone.WARNING,
                )
            )
        elif unmatched and answered:
            # The last Get code got its code already: what is pasted now answers none of this
            # run's attempts. Recorded as that attempt's failure, it read "authorize failed"
            # beside its success, with a wait made up from when it started.
            # One sentence of its own: the parser's "… Start again." beside "press Get code"
            # read as two pieces of advice (tryout X).
            self._emit(
                Notice(
                    "Not taken: no Get code is waiting — the last one got its code already, and "
                    "this redirect's state is not its (a redirect from an earlier attempt, or a "
                    "forged one). Press Get code for a new code.",
                    Tone.ERROR,
                )
            )
        elif (
            attempt is not None
            and result.state_checked
            and result.code is not None
            and self._attempt_for_code.get(result.code) is attempt
        ):
            self._pasted_again(attempt, result.code)
        elif attempt is not None:
            self.authorize_finished(attempt, result)
        elif result.code is not None:
            self._emit(FormFill(grant_type=vendor.GRANT_AUTHORIZATION_CODE, code=result.code))
            self._emit(
                Notice("No Get code in this run: the state could not be checked", Tone.WARNING)
            )
        else:
            self._emit(Notice(result.summary(), Tone.ERROR))
        return result

    def _pasted_again(self, attempt: AuthorizeSession, code: str) -> None:
        """The redirect that answered `attempt` pasted again: nothing new to record (each
        paste added an "authorized" row, and its "press Send to exchange it" hid that the code
        was spent — tryout Z). The code and its verifier go back into the form, and what is
        known of the code is said."""
        self._emit(
            FormFill(
                grant_type=vendor.GRANT_AUTHORIZATION_CODE,
                code=code,
                code_verifier=attempt.pkce.code_verifier,
            )
        )
        answered = self._answered.get(attempt.state)
        when = f" at {clock_time(answered.at)}" if answered is not None else ""
        spent = self._spent.get(code)
        known = spent.note(self._target) if spent is not None and self._target else ""
        self._emit(
            Notice(
                f"This redirect was taken already{when}, and its code is in Code"
                + (f": {known[0].lower()}{known[1:]}" if known else "; press Send to exchange it"),
                Tone.WARNING if known else Tone.MUTED,
                for_grant=None if known else vendor.GRANT_AUTHORIZATION_CODE,
            )
        )

    def _remember_code(self, code: str, attempt: AuthorizeSession, origin: Origin | None) -> None:
        self._attempt_for_code[code] = attempt
        if origin is not None:
            self._origin_for_code[code] = origin
        _forget_the_oldest(self._attempt_for_code, self._origin_for_code)

    def verifier_for_code(self, code: str) -> str | None:
        """The verifier of the Get code that gave `code` in this run, if one did."""
        attempt = self._attempt_for_code.get(code.strip())
        return attempt.pkce.code_verifier if attempt is not None else None

    def verifier_of_another_code(self, code: str, verifier: str) -> bool:
        """True when `verifier` is that of a Get code of this run that gave another code: sent
        with `code`, it gets 401 "Invalid code"."""
        code, verifier = code.strip(), verifier.strip()
        return any(
            attempt.pkce.code_verifier == verifier and given != code
            for given, attempt in self._attempt_for_code.items()
        )

    def code_from(self, code: str) -> Origin | None:
        """The target whose Get code (in this run) gave `code`; None for a code from elsewhere."""
        return self._origin_for_code.get(code.strip())

    # --- inputs: exchanges ---

    def exchange_finished(
        self,
        exchange: Exchange,
        *,
        sent: TokenRequest | ShareTokenRequest | None,
        origin: Origin,
    ) -> Hint | None:
        """An exchange with the token or share-token endpoint ended, however it ended. Returns
        its hint as the error panel shows it: the client's, or a more specific one from what
        this run knows (a replay), for the history to keep."""
        now = self._clock()
        self._latest = (exchange, origin)
        self._set_raw(exchange, origin)
        report = self._explained(report_for_exchange(exchange), exchange, sent, origin)
        self._set_error(_ShownError(report, origin, now, exchange=exchange))
        if not isinstance(exchange.outcome, NotSent):  # nothing reached the server
            self._latest_sent[origin.key] = exchange
        if exchange.endpoint is Endpoint.TOKEN:
            request = sent if isinstance(sent, TokenRequest) else None
            self._token_exchange(exchange, request, origin)
        else:
            share = sent if isinstance(sent, ShareTokenRequest) else None
            self._share_exchange(exchange, share, origin)
        drill = StagedBy.of(exchange)
        # The emulator says a drill changed this answer, whoever armed it — unless it only held
        # the server's own answer back: a 403 that came late is still the server's.
        if drill is not None and not drill.delayed_only:
            self._staged(exchange, drill.name)
        self._publish()
        return report.hint if report is not None else exchange.hint

    def _token_exchange(
        self, exchange: Exchange, sent: TokenRequest | None, origin: Origin
    ) -> None:
        if not isinstance(exchange.outcome, NotSent):  # nothing reached the server
            self._latest_token_exchange[origin.key] = exchange
        grant_type = sent.grant_type if sent is not None else vendor.GRANT_REFRESH_TOKEN
        spent_before: SpentCode | None = None
        if grant_type == vendor.GRANT_AUTHORIZATION_CODE and sent is not None and sent.code:
            spent_before = self._spent.get(sent.code.strip())
            self._note_spent(sent.code.strip(), exchange, origin)
        outcome = exchange.outcome
        chain = (  # the chain a refresh continues, whichever target's it is
            self._chain_with_refresh_token(origin, sent.refresh_token)
            if sent is not None and grant_type == vendor.GRANT_REFRESH_TOKEN
            else None
        )
        on_display = self._chain
        if isinstance(outcome, TokenGranted):
            if outcome.id_token and self._pasted_keys is not None:
                # Keys pasted for one id_token say nothing of the next: a genuine answer judged
                # by them read "not trusted", and its history row kept "bad id_token" for good.
                self._pasted_keys, self._pasted_description = None, ""
            grant = Grant(exchange, outcome, grant_type)
            continues = chain is not None
            for share in self._shares.values():
                if (
                    share.replaced_by is None
                    and origin.same_client(share.origin)
                    and outcome.access_token != share.made_from
                ):
                    # This client's access token is no longer that one: what was known against
                    # it stays with the share token made from it.
                    share.doubt_when_replaced = self._doubt_about_the_source(
                        share, exchange.received_at
                    )
                    share.replaced_by = grant
            if continues and chain is not None:
                self._replaced_by[iso_utc(chain.latest.exchange.received_at)] = grant
                _forget_the_oldest(self._replaced_by)
                chain.refreshed(grant, at=origin)
                self._changed(chain)
            else:
                by_code = grant_type == vendor.GRANT_AUTHORIZATION_CODE
                code = sent.code if by_code and sent is not None and sent.code else None
                attempt = self._attempt_for_code.get(code) if code else None
                used = sent.refresh_token if not by_code and sent is not None else None
                chain = TokenChain(
                    origin,
                    grant,
                    code=code,
                    nonce=attempt.nonce if attempt is not None else None,
                    refresh_token_used=used or None,
                    code_verifier=sent.code_verifier if sent is not None else None,
                )
                self._changed(chain)
                if (
                    spent_before is not None
                    and spent_before.how is SpentHow.MAYBE_USED
                    and origin.same_client(spent_before.to)
                ):
                    # A cancel (or a lost answer) stopped the wait, not the server: a first use
                    # still on its way there makes this one a second use, and both tokens
                    # revoked.
                    chain.code_sent_before(spent_before)
            self._chain_granted_at[iso_utc(exchange.received_at)] = chain
            _forget_the_oldest(self._chain_granted_at)
            if outcome.refresh_token and origin.same_client(self._target):
                # An answer that arrived after a switch to another server is not for this
                # form: its refresh token would replace the one the current target issued.
                self._emit(FormFill(refresh_token=outcome.refresh_token))
            if self._chain is not on_display or not self._verifying_the_chain_on_display():
                self._start_verification()  # what shows changed (not a late answer elsewhere)
            return
        if sent is None or not isinstance(outcome, ApiError):
            return  # a network fault or an odd answer says nothing about the tokens
        replayed = self._chain_from_code(origin, sent.code) if sent.code else None
        if (
            grant_type == vendor.GRANT_AUTHORIZATION_CODE
            and replayed is not None
            and is_invalid_code(outcome, exchange.endpoint)
        ):
            # The code's server and client refused it again, whichever app token sent it —
            # the code itself, not the request's signature or app token, which the server
            # checks first (tryout AN: a wrong secret's 401 marked the code's tokens suspect).
            replayed.code_replayed(exchange, origin)
        elif chain is not None and (
            outcome.status == 403 or is_refresh_token_refused(outcome, exchange.endpoint)
        ):
            # 403: revoked. A 401 naming it: not taken — unknown to the server, or expired.
            revoked = outcome.status == 403
            chain.refresh_refused(outcome.description, exchange.received_at, revoked=revoked)

    def _chain_from_code(self, origin: Origin, code: str) -> TokenChain | None:
        """The chain `code` was exchanged for, at `origin`'s server and client."""
        return next(
            (
                chain
                for chain in self._chains.values()
                if chain.code == code and chain.origin.same_client(origin)
            ),
            None,
        )

    def _explained(
        self,
        report: ErrorReport | None,
        exchange: Exchange,
        sent: TokenRequest | ShareTokenRequest | None,
        origin: Origin,
    ) -> ErrorReport | None:
        """The error report, its generic hint replaced where this run knows the cause."""
        if report is None or sent is None:
            return report
        if isinstance(sent, ShareTokenRequest):
            hint = self._access_token_hint(report, exchange, sent, origin)
        else:
            hint = (
                self._replay_hint(exchange, sent, origin)
                or self._elsewhere_hint(exchange, sent, origin)
                or self._verifier_hint(exchange, sent, origin)
                or self._refresh_verifier_hint(exchange, sent, origin)
                or self._refresh_token_elsewhere_hint(report, sent, origin)
                or self._revocation_hint(report, sent, origin)
            )
        return report if hint is None else replace(report, hint=hint)

    def _refresh_token_elsewhere_hint(
        self, report: ErrorReport, sent: TokenRequest, origin: Origin
    ) -> Hint | None:
        """A 401 for a refresh token another server issued (in this run; the form kept it
        across a switch, and the person said to send it) is that — not "mistyped, expired,
        or issued to another client" (tryout AC)."""
        if (
            report.hint is None
            or report.hint.kind is not HintKind.REFRESH_TOKEN_REFUSED
            or sent.grant_type != vendor.GRANT_REFRESH_TOKEN
        ):
            return None
        chain = self._chain_issuing(sent.refresh_token)
        if chain is None or chain.origin.same_client(origin):
            return None
        issuer = chain.origin.label
        return Hint(
            HintKind.REFRESH_TOKEN_REFUSED,
            f"This refresh token was issued by {issuer}: only that server and client can redeem it",
            f"Send it on {issuer}, or press Get code here and exchange the code for this "
            "target's own tokens.",
        )

    def _access_token_hint(
        self, report: ErrorReport, exchange: Exchange, sent: ShareTokenRequest, origin: Origin
    ) -> Hint | None:
        """A share-token 401 for an access token this run knows: expired before the request
        was sent, or another server's — said, not listed among the maybes (tryout AC)."""
        if report.hint is None or report.hint.kind is not HintKind.ACCESS_TOKEN_REFUSED:
            return None
        chain = self._chain_with_access_token(sent.access_token)
        if chain is None:
            return None
        again = "then ask for the share token again."
        if not chain.origin.same_client(origin):
            return Hint(
                HintKind.ACCESS_TOKEN_REFUSED,
                f"This access token was issued by {chain.origin.label}: only that server "
                "accepts it",
                f"Ask {chain.origin.label} for the share token, or get this target's own "
                f"tokens here (Get code, Send), {again}",
            )
        expired_at = chain.latest.granted.expires_at
        if expired_at > exchange.started_at:
            return None
        return Hint(
            HintKind.ACCESS_TOKEN_REFUSED,
            f"The access token had expired at {clock_time(expired_at)}, before this request",
            f"Refresh it (grant type refresh_token, Send), or Get code for new tokens, {again}",
        )

    def _elsewhere_hint(
        self, exchange: Exchange, sent: TokenRequest, origin: Origin
    ) -> Hint | None:
        """A 401 for a code another server's Get code gave (in this run) is that: only the
        server and client it was issued to can redeem it — not "used already, expired, or…"
        (tryout Z). Only a code exchange sends its code: a refresh after a switch back (the
        form still holding the other server's code) sends none (tryout AP)."""
        code = sent.code.strip()
        source = self._origin_for_code.get(code) if code else None
        outcome = exchange.outcome
        if (
            sent.grant_type != vendor.GRANT_AUTHORIZATION_CODE
            or source is None
            or origin.same_client(source)
            or not isinstance(outcome, ApiError)
            or not is_invalid_code(outcome, exchange.endpoint)
        ):
            return None
        return Hint(
            HintKind.INVALID_CODE,
            f"This code came from Get code on {source.label}: only that server and client "
            "can redeem it",
            f"Send it on {source.label} (another server refusing it leaves it unused there), "
            "or press Get code here for a code of this target's.",
        )

    def _replay_hint(self, exchange: Exchange, sent: TokenRequest, origin: Origin) -> Hint | None:
        """A 401 for a code this run used already, at the same server, is a replay, not a
        maybe: say when it was used, instead of the generic "it may have been used already,
        expired, or…". Only a code exchange can replay its code: a refresh sends the code's
        verifier, not the code (tryout AE: its 401 was called a replay)."""
        if sent.grant_type != vendor.GRANT_AUTHORIZATION_CODE:
            return None
        code = sent.code.strip()
        spent = self._spent.get(code) if code else None
        outcome = exchange.outcome
        copied = self._copied.get(code) if code else None
        if (
            copied is not None
            and (spent is None or spent.at >= exchange.received_at)  # its first Send
            and isinstance(outcome, ApiError)
            and is_invalid_code(outcome, exchange.endpoint)
        ):
            return Hint(
                HintKind.CODE_REPLAYED,
                f"This code was copied as curl at {clock_time(copied)}: if that command ran, "
                "it used the code",
                _SINGLE_USE + "send it once — from here or from the command, not both.",
            )
        if (
            spent is None
            or spent.how is SpentHow.REFUSED
            or not origin.same_client(spent.to)
            or not isinstance(outcome, ApiError)
            or not is_invalid_code(outcome, exchange.endpoint)
        ):
            return None
        if spent.how is SpentHow.MAYBE_USED:
            # The cancelled Send had reached the server (tryout Z: this 401 got the generic
            # "it may have been used already, expired, or…").
            return Hint(
                HintKind.CODE_REPLAYED,
                f"This code was sent before, at {clock_time(spent.at)}, and "
                f"{spent.wait_ended()}: the server most likely redeemed it then, and this Send "
                "was a second use",
                _SINGLE_USE + "Send once, and let it answer.",
            )
        return Hint(
            HintKind.CODE_REPLAYED,
            f"This code was used at {clock_time(spent.at)}: this Send replayed it",
            _SINGLE_USE + "Send once.",
        )

    def _verifier_hint(self, exchange: Exchange, sent: TokenRequest, origin: Origin) -> Hint | None:
        """A 401 "Invalid code" for a code of this run sent with another Get code's verifier
        is that mismatch, as the note under Verifier said before the Send — not the generic
        "used already, expired, or…" (tryout AF)."""
        outcome = exchange.outcome
        expected = self.verifier_for_code(sent.code)
        issued_by = self.code_from(sent.code)
        if (
            sent.grant_type != vendor.GRANT_AUTHORIZATION_CODE
            or expected is None
            or not origin.same_client(issued_by)  # another server's code: said as such
            or sent.code_verifier.strip() == expected
            or not isinstance(outcome, ApiError)
            or not is_invalid_code(outcome, exchange.endpoint)
        ):
            return None
        return Hint(
            HintKind.VERIFIER_MISMATCH,
            "Not this code's verifier",
            "The codeVerifier sent is not the one whose challenge went with this code's Get "
            "code (PKCE, RFC 7636 §4.6): the server refused the code, and may have spent it "
            "with this try. Press Get code for a fresh code and verifier, and send them "
            "together.",
        )

    def _refresh_verifier_hint(
        self, exchange: Exchange, sent: TokenRequest, origin: Origin
    ) -> Hint | None:
        """A refresh's 401 "Invalid code" sent with another verifier than the one its refresh
        token's code was exchanged with is that mismatch, as the note under Verifier said before
        the Send (tryout AP: after a switch back, the form held the other server's verifier)."""
        outcome = exchange.outcome
        chain = self._chain_issuing(sent.refresh_token)
        if (
            sent.grant_type != vendor.GRANT_REFRESH_TOKEN
            or chain is None
            or not chain.origin.same_client(origin)  # another server's token: said as such
            or not chain.code_verifier
            or sent.code_verifier.strip() == chain.code_verifier
            or not isinstance(outcome, ApiError)
            or not is_invalid_code(outcome, exchange.endpoint)
        ):
            return None
        source = self.code_from(sent.code)
        whose = (
            f"the one of Get code on {source.label}"
            if source is not None and not source.same_client(origin)
            else "another Get code's"
        )
        return Hint(
            HintKind.REFRESH_VERIFIER_MISMATCH,
            "Not this refresh token's verifier",
            f"The codeVerifier sent is {whose}, not the one this refresh token's code was "
            "exchanged with: the server refused the refresh. Use its verifier (under "
            "Verifier) puts that one back.",
        )

    def _revocation_hint(
        self, report: ErrorReport, sent: TokenRequest, origin: Origin
    ) -> Hint | None:
        """A 403 for a refresh token this run knows, in place of the generic "revoked, a
        missing scope, or sandbox and production mixed": the second use of its code, when
        this run saw one; else, sent with the very app token it was issued to, a revocation
        — no mix-up, and a refresh asks for no scope (tryout AK: the generic hint guessed at
        production for a sandbox-only profile)."""
        chain = self._chain_with_refresh_token(origin, sent.refresh_token)
        if (
            report.hint is None
            or report.hint.kind is not HintKind.FORBIDDEN
            or sent.grant_type != vendor.GRANT_REFRESH_TOKEN
            or chain is None
        ):
            return None
        if chain.replay_refused_at is not None and chain.suspect is not None:
            return Hint(
                HintKind.REVOKED_BY_REPLAY,
                "Revoked after its code was used twice",
                f"{chain.suspect}. Press Get code for a fresh code and verifier, then Send once.",
            )
        if chain.origin.profile.app_token.strip() != origin.profile.app_token.strip():
            return None
        issued = chain.refresh_issued_at
        at = f" at {clock_time(issued)}" if issued is not None else ""
        return Hint(
            HintKind.FORBIDDEN,
            "Refresh token revoked",
            f"It was issued to this very app token{at}, so this is no sandbox and production "
            "mix-up, and a refresh needs no scope: the server revoked it (a code used twice, "
            "or the sign-in taken back). Press Get code for new tokens.",
        )

    def _note_spent(self, code: str, exchange: Exchange, origin: Origin) -> None:
        """What a code exchange did to its code. A replay refused after a use stays "used":
        that says more. So does a use when the same code then goes to another target."""
        at = exchange.received_at
        before = self._spent.get(code)
        outcome = exchange.outcome
        refused = isinstance(outcome, ApiError) and is_invalid_code(outcome, exchange.endpoint)
        if made_up_by(exchange) is not None:
            # A drill answered before the server looked at the code: it is as unspent as
            # before (tryout AH: huge_body's made-up grant called it used; Send again got 200).
            return
        if isinstance(outcome, TokenGranted):
            self._spent[code] = SpentCode(SpentHow.USED, at, origin)
        elif before is not None and before.how is SpentHow.USED:
            if refused:  # the replay its note warned of: said as done, not as a risk
                self._spent[code] = replace(before, replayed_at=at)
            return
        elif refused:
            self._spent[code] = SpentCode(SpentHow.REFUSED, at, origin)
        elif isinstance(outcome, NetworkError) and outcome.may_have_arrived:
            # Tryout AG: a reset once the request was out said nothing of the code, while a
            # cancel then said "may be spent" — the server may have redeemed it either way.
            ended = _WAITS_ENDED.get(outcome.kind, outcome.kind.value)
            self._spent[code] = SpentCode(SpentHow.MAYBE_USED, at, origin, ended=ended)
        _forget_the_oldest(self._spent)

    def _share_exchange(
        self, exchange: Exchange, sent: ShareTokenRequest | None, origin: Origin
    ) -> None:
        outcome = exchange.outcome
        chain = self._chain_with_access_token(sent.access_token) if sent is not None else None
        if isinstance(outcome, ShareTokenGranted):
            made_from = sent.access_token if sent else ""
            self._shares[origin.key] = _Share(exchange, outcome, origin, made_from, source=chain)
            return
        if not isinstance(outcome, ApiError) or chain is None:
            return
        if outcome.status == 403 and "revoked" in outcome.description.lower():
            chain.access_refused(outcome.description, exchange.received_at)
        elif is_access_token_refused(outcome, exchange.endpoint):
            chain.access_refused(outcome.description, exchange.received_at, revoked=False)

    def operation_failed(self, message: str) -> None:
        """Something broke outside any exchange (a listener port in use, a bug)."""
        now = self._clock()
        self._set_error(_ShownError(report_for_failure(message, now), self._target, now))
        self._emit(Notice(message, Tone.ERROR))
        self._publish()

    # --- inputs: id_token verification ---

    @property
    def leeway_s(self) -> int:
        return self._leeway_s

    def set_leeway(self, seconds: int) -> None:
        self._leeway_s = max(0, seconds)
        self.request_verification()

    def use_pasted_keys(self, keys: tuple[VerificationKey, ...], description: str) -> bool:
        """Verify with these keys (offline) instead of fetching the issuer's. True when an
        id_token is being checked again with them."""
        self._pasted_keys, self._pasted_description = keys, description
        return self.request_verification()

    def use_fetched_keys(self) -> bool:
        self._pasted_keys, self._pasted_description = None, ""
        return self.request_verification()

    @property
    def pasted_description(self) -> str:
        return self._pasted_description

    def keys_in_use(self) -> str:
        """What the id_token on display was last checked with, in a line (the Keys dialog)."""
        verifying = self._verifying
        context = verifying.context if verifying is not None else None
        if context is None:
            return "No id_token has been checked yet."
        if not context.keys:
            return context.keys_note
        signing = signing_keys(context.keys)
        kids = [str(key.jwk["kid"]) for key in signing if "kid" in key.jwk]
        named = f" (kid {', '.join(kids)})" if kids else ""
        encrypting = len(context.keys) - len(signing)
        also = f" and {encrypting} for encryption" if encrypting else ""
        sources = sorted({key.source for key in context.keys})
        return f"{len(signing)} key(s){named}{also} from {'; '.join(sources)}"

    def request_verification(self) -> bool:
        """Check the displayed id_token again ("Verify again"), against its own issuer."""
        if self._chain is None or self._chain.id_token_grant is None:
            return False
        self._start_verification(fetch_keys_again=True)
        self._publish()
        return True

    def _start_verification(self, *, fetch_keys_again: bool = False) -> None:
        chain = self._chain
        grant = chain.id_token_grant if chain is not None else None
        if chain is None or grant is None or grant.granted.id_token is None:
            self._verifying = None
            return
        job = VerificationJob(
            id_token=grant.granted.id_token,
            origin=self._checked_as(chain),
            nonce=chain.nonce,
            access_token=grant.granted.access_token,
            pasted_keys=self._pasted_keys,
            pasted_description=self._pasted_description,
            leeway_s=self._leeway_s,
            sign_in_id_token=None if grant is chain.first else chain.first.granted.id_token or "",
            sign_in_failed=() if grant is chain.first else self._failed_on_arrival(chain.first),
            fetch_keys_again=fetch_keys_again,
            checked_before=grant.exchange in self._first_verdicts,
        )
        self._verifying = _Verifying(job, grant.exchange)
        self._emit(VerificationRequested(job))

    def _failed_on_arrival(self, grant: Grant) -> tuple[str, ...]:
        """The checks `grant`'s id_token failed when it came (none known: nothing)."""
        first = self._first_verdicts.get(grant.exchange)
        if first is None or first.verification.verdict is not Verdict.FAILED:
            return ()
        return tuple(first.verification.failed or ["decode"])

    def verification_finished(
        self, job: VerificationJob, context: VerificationContext, keys_note: str
    ) -> None:
        """Keys arrived for `job`; results about a token no longer on display are dropped."""
        verifying = self._verifying
        if verifying is None or verifying.job != job:
            return
        # Decoded once: the checks run again on every expiry, against the same sign-in.
        original = sign_in_claims(job.sign_in_id_token)
        verifying.context = replace(
            context,
            original_claims=original,
            original_failed=job.sign_in_failed,
            requested_at=verifying.exchange.started_at,
        )
        verifying.keys_note = keys_note
        self._check(verifying)
        checked: IdTokenChecked | None = None  # this exchange's first verdict, if it is that
        # Only the first: checked again (Verify again, back on its target) after it expired,
        # it did not arrive with that verdict.
        if verifying.result is not None and verifying.exchange not in self._first_verdicts:
            checked = IdTokenChecked(verifying.exchange, verifying.result)
            self._first_verdicts[verifying.exchange] = checked
            _forget_the_oldest(self._first_verdicts)
        if checked is not None and not self._verifying_the_chain_on_display():
            # Checked on arrival as its own target expects, on display on a copy of it that
            # expects another issuer: the panels show the copy's verdict.
            self._start_verification()
        self._publish()  # after the first verdict is kept: the error panel says if it failed
        if checked is not None:
            self._emit(checked)

    def _check(self, verifying: _Verifying) -> None:
        if verifying.context is not None:
            context = replace(verifying.context, now=self._clock())
            verifying.result = verify_id_token(verifying.job.id_token, context)

    # --- time ---

    def tick(self) -> None:
        """Time passed: expiries flip, and the id_token's time checks run again."""
        if self._verifying is not None:
            self._check(self._verifying)
        self._publish()

    def profiles_renamed(self) -> None:
        """A profile was renamed or deleted: what is said of results names their profile as
        the list does now (`Origin.label`)."""
        self._publish()

    def next_deadline(self) -> datetime | None:
        """The next moment a view changes by itself (an expiry), or None."""
        now = self._clock()
        moments: list[datetime] = []
        if self._chain is not None:
            moments.append(self._chain.latest.granted.expires_at)
        if self._share is not None:
            moments.append(self._share.granted.expires_at)
        if self._verifying is not None:
            decoded = self._verifying.decoded
            if isinstance(decoded, DecodedJwt):
                moments += verdict_changes(decoded, self._verifying.job.leeway_s)
        future = [m for m in moments if m > now]
        return min(future) if future else None

    # --- queries ---

    def access_token(self) -> tuple[str, TokenStatus] | None:
        """The access token on display (for the share-token step), with what it is worth."""
        if self._chain is None:
            return None
        status = self._chain.access_status(self._clock(), self._target)
        return self._chain.latest.granted.access_token, status

    def refresh_token(self) -> tuple[str, TokenStatus] | None:
        """The chain's refresh token (for auto-refresh and the form's advice), with what a
        Send of it to the current target is worth: another target's token is refused there,
        whatever else is known about it."""
        chain = self._chain
        if chain is None or chain.refresh_token is None:
            return None
        if not chain.origin.same_client(self._target):
            return chain.refresh_token, TokenStatus.not_this_target(chain.origin, self._target)
        # Another profile or app token of the same client at the same server redeems it: what
        # it is worth is what the server said of it.
        status = chain.refresh_status(chain.origin)
        assert status is not None
        return chain.refresh_token, status

    def refresh_token_status(self, refresh_token: str) -> tuple[Origin, TokenStatus] | None:
        """Where a refresh token (the form's) came from in this run, and what a Send of it to
        the current target is worth; None for a token this run did not get."""
        chain = self._chain_issuing(refresh_token)
        if chain is None or chain.refresh_token is None:
            return None
        if not chain.origin.same_client(self._target):
            return chain.origin, TokenStatus.not_this_target(chain.origin, self._target)
        status = chain.refresh_status(chain.origin)
        assert status is not None
        return chain.origin, status

    def learned_since(self, received_at: datetime) -> str | None:
        """What this run has learned, since, about the tokens of the granted exchange that
        arrived at `received_at` (History ▸ Show: the record keeps what was true then); None
        when nothing is known against them, or the exchange is not this run's."""
        chain = self._chain_granted_at.get(iso_utc(received_at))
        if chain is None:
            return None
        latest = chain.latest.exchange
        refusal = chain.refresh_refusal
        if refusal is not None and refusal.state is TokenState.REVOKED:
            learned = f"its sign-in's tokens were revoked. {refusal.why}"
        elif chain.suspect is not None:
            learned = f"its tokens are suspect. {chain.suspect}"
        elif iso_utc(latest.received_at) != iso_utc(received_at):
            replaced = self._replaced_by.get(iso_utc(received_at), chain.latest)
            learned = (
                f"its access token was replaced by the {replaced.grant_type} exchange at "
                f"{clock_time(replaced.exchange.received_at)}"
            )
        elif chain.access_refusal is not None:
            access = chain.access_refusal
            learned = f"its access token was {access.state.value}. {access.why}"
        elif refusal is not None:
            learned = f"its refresh token was {refusal.state.value}. {refusal.why}"
        else:
            return None
        return f"Since then {learned.rstrip('.')}."

    def code_copied(self, code: str) -> None:
        """`code` left the app in a copied request (curl): that command may redeem it first."""
        if code.strip():
            self._copied.setdefault(code.strip(), self._clock())
            _forget_the_oldest(self._copied)

    def code_spent(self, code: str) -> SpentCode | None:
        """What became of `code` when this run sent it, if it did: codes are single-use."""
        return self._spent.get(code.strip())

    def code_note(self, code: str, current: Origin) -> str | None:
        """The line under Code for a code this run sent (None: it sent no such code): what
        became of it, and — once a refresh of the tokens it gave was refused as revoked —
        when they were, as the token panels say."""
        spent = self.code_spent(code)
        if spent is None:
            return None
        chain = self._chain_from_code(spent.to, code.strip())
        refusal = chain.refresh_refusal if chain is not None else None
        revoked = refusal is not None and refusal.state is TokenState.REVOKED
        revoked_at = chain.refresh_refused_at if chain is not None and revoked else None
        return spent.note(current, revoked_at, issued_by=self.code_from(code))

    def checks_failed_on_display(self) -> tuple[str, ...]:
        """The checks that the id_token of the response on display failed when it came, and
        fails still (its tokens are shown "not trusted"); () when there are none."""
        chain = self._chain
        return self._id_token_failures(chain.latest.exchange)[0] if chain is not None else ()

    def verdict_on_arrival(self, exchange: Exchange) -> Verification | None:
        """The verdict the id_token `exchange` delivered had when it arrived (None: it brought
        none, or this run has forgotten it)."""
        first = self._first_verdicts.get(exchange)
        return first.verification if first is not None else None

    def arrival_verdict(self) -> Verification | None:
        """The verdict the id_token on display had when it arrived (None: none yet)."""
        chain = self._chain
        grant = chain.id_token_grant if chain is not None else None
        first = self._first_verdicts.get(grant.exchange) if grant is not None else None
        return first.verification if first is not None else None

    def chain_origin(self) -> Origin | None:
        """The target that issued the tokens on display, if any."""
        return self._chain.origin if self._chain is not None else None

    def verifier_for_refresh(self, refresh_token: str) -> str | None:
        """The verifier a refresh with `refresh_token` should send: the one the chain that
        issued it was granted with. None when the token is not this chain's or it is unknown."""
        chain = self._chain_issuing(refresh_token)
        if chain is None or not chain.origin.same_target(self._target):
            return None
        return chain.code_verifier or None

    def latest(self) -> tuple[Exchange, Origin] | None:
        """The latest exchange with any endpoint, and the target it went to."""
        return self._latest

    def latest_exchange(self) -> Exchange | None:
        return self._latest[0] if self._latest is not None else None

    def drill_answered(self, drill: str, *, made_up: bool = False) -> None:
        """The emulator's armed `drill` answered the latest exchange without an answer to say
        so (a reset connection, a cancel while it held the answer back; an answer a drill
        changed names it, and `exchange_finished` reads that): its outcome was staged, and
        the error panel says so beside the advice for a real one. `made_up`: the drill was
        the whole answer (a reset it made, not a wait), given before the server looked at the
        request — a code it carried is as unspent as before."""
        if self._latest is None:
            return
        exchange = self._latest[0]
        self._staged(exchange, drill)
        if made_up:
            for code, spent in list(self._spent.items()):
                if spent.how is SpentHow.MAYBE_USED and spent.at == exchange.received_at:
                    del self._spent[code]
        self._publish()

    def _staged(self, exchange: Exchange, drill: str) -> None:
        self._drill_made = (exchange, drill)
        for chain in self._chains.values():
            chain.refusal_staged(exchange.received_at, drill)

    def drill_that_made(self, exchange: Exchange | None) -> str | None:
        """The drill that answered `exchange`, if one did."""
        made = self._drill_made
        return (
            made[1] if made is not None and exchange is not None and made[0] is exchange else None
        )

    # --- views ---

    def panel_events(self) -> list[PanelEvent]:
        """What every result panel should show now."""
        now = self._clock()
        token_view = self._token_view(now)
        return [
            TokensChanged(token_view),
            IdTokenChanged(self._id_token_view(token_view)),
            ShareTokenChanged(self._share_view(now)),
            ExchangeChanged(self._exchange_view()),
            ErrorChanged(self._error_view()),
        ]

    def _token_view(self, now: datetime) -> TokenView | None:
        chain = self._chain
        if chain is None:
            return None
        grant = chain.latest
        refresh = chain.refresh_status(self._target)
        staged = made_up_by(grant.exchange)
        refresh_note = chain.refresh_note()
        if staged is not None and chain.refresh_token is None:
            refresh_note = f"None in this answer, {made_by(staged)}."
        return TokenView(
            exchange=grant.exchange,
            granted=grant.granted,
            grant_type=grant.grant_type,
            origin=chain.origin,
            access=self._trusted(chain.access_status(now, self._target), grant.exchange),
            refresh=self._trusted(refresh, self._refresh_token_came_in(chain))
            if refresh is not None
            else None,
            refresh_note=refresh_note,
            freshness=self._token_freshness(grant.exchange, chain, grant.grant_type),
            refresh_token=chain.refresh_token,
        )

    @staticmethod
    def _refresh_token_came_in(chain: TokenChain) -> Exchange | None:
        """The response the chain's refresh token came in: the latest when it brought one,
        else the first (Sumsub issues it with the code exchange); None for one from outside
        this run. A refresh that returned none and whose id_token failed its checks does not
        make the refresh token it used untrustworthy (tryout Z)."""
        for grant in (chain.latest, chain.first):
            if grant.granted.refresh_token is not None:
                return grant.exchange
        return None

    def _trusted(self, status: TokenStatus, exchange: Exchange | None) -> TokenStatus:
        """A token that nothing else speaks against is not shown live when it came in an
        answer an emulator drill made up (tryout AG: the huge_body drill's read "live"), or in
        a response whose id_token failed its checks when it came and fails them still: the
        response is not to be trusted (OIDC Core §3.1.3.7, §12.2), as the error panel says
        beside it."""
        if status.state is not TokenState.LIVE or exchange is None:
            return status
        staged = made_up_by(exchange)
        if staged is not None:
            return _staged_status(staged)
        failed, _ = self._id_token_failures(exchange)
        if not failed:
            return status
        return TokenStatus(
            TokenState.UNTRUSTED,
            f"It came with an id_token whose checks failed ({', '.join(failed)}): do not trust "
            "this response",
        )

    def _token_freshness(self, exchange: Exchange, chain: TokenChain, what: str) -> Freshness:
        """Whether `exchange`, a grant of `chain`, is the latest word on its tokens."""
        when, origin = clock_time(exchange.received_at), chain.origin
        if not origin.same_target(self._target):
            return self._other_target(origin, f"received at {when}")
        latest = self._latest_token_exchange.get(origin.key)
        if latest is not None and latest is not exchange:
            return _older_than(latest, when)
        replay, by = chain.replay, chain.replayed_by
        if replay is not None and by is not None and replay.received_at > exchange.received_at:
            # A copy of this profile (the same client) sent the chain's code again: its answer
            # is the latest word on these tokens, as the error panel beside them says.
            return Freshness(
                True,
                f"Older: the latest with this client ({clock_time(replay.received_at)}, "
                f"profile {by.label}) {_ended(replay)}; this is from {when}",
                "older",
            )
        return Freshness(False, f"From the {what} exchange at {when}.", when)

    def _id_token_view(self, tokens: TokenView | None) -> IdTokenView | None:
        chain, verifying = self._chain, self._verifying
        grant = chain.id_token_grant if chain is not None else None
        if chain is None or grant is None or grant.granted.id_token is None or tokens is None:
            return None
        if grant is chain.latest:
            freshness = tokens.freshness
        elif tokens.freshness.stale:
            freshness = self._token_freshness(grant.exchange, chain, grant.grant_type)
        else:
            when = clock_time(grant.exchange.received_at)
            freshness = Freshness(
                True,
                f"Older: {_the_latest(chain.latest.exchange)} carried no id_token; "
                f"this is from {when}",
                "older",
                short=f"Older: the latest carried no id_token; this is from {when}",
            )
        current = verifying is not None and verifying.job.id_token == grant.granted.id_token
        return IdTokenView(
            id_token=grant.granted.id_token,
            decoded=verifying.decoded
            if current and verifying is not None
            else decode_jwt(grant.granted.id_token),
            origin=chain.origin,
            verification=verifying.result if current and verifying is not None else None,
            keys_note=verifying.keys_note if current and verifying is not None else "",
            freshness=freshness,
            status=chain.id_token_status(self._target),
            verified_on_arrival=self._verified_on_arrival(grant.exchange),
        )

    def _verified_on_arrival(self, exchange: Exchange) -> bool:
        first = self._first_verdicts.get(exchange)
        return first is not None and first.verification.verdict is Verdict.VERIFIED

    def _share_view(self, now: datetime) -> ShareView | None:
        share = self._share
        if share is None:
            return None
        when = clock_time(share.exchange.received_at)
        expires_at = share.granted.expires_at
        doubt = self._doubt_about_the_source(share, now)
        staged = made_up_by(share.exchange)
        if now >= expires_at:
            status = TokenStatus(TokenState.EXPIRED, f"Expired at {clock_time(expires_at)}")
        elif staged is not None:  # tryout AH: the huge_body drill's read "live"
            status = _staged_status(staged)
        elif doubt is not None:
            status = doubt
        elif not share.origin.same_target(self._target):
            status = TokenStatus.not_this_target(share.origin, self._target)
        else:
            status = TokenStatus(TokenState.LIVE, f"Valid until {clock_time(expires_at)}")
        replaced_by = share.replaced_by
        if not share.origin.same_target(self._target):
            freshness = self._other_target(share.origin, f"received at {when}")
        elif replaced_by is not None:
            # Made from an access token a later grant to this client replaced: not part of
            # what this client's tokens are now.
            freshness = Freshness(
                True,
                f"Older result: made at {when} from an access token that the "
                f"{replaced_by.grant_type} exchange at "
                f"{clock_time(replaced_by.exchange.received_at)} replaced",
                "older",
            )
        elif (later := self._later_exchange(share)) is not None:
            freshness = _older_than(later, when)
        else:
            freshness = Freshness(False, f"From the share-token exchange at {when}.", when)
        return ShareView(share.exchange, share.granted, share.origin, status, freshness)

    def _later_exchange(self, share: _Share) -> Exchange | None:
        """The latest request to the share token's target, when it is not the one that made
        the share token (a token exchange that failed since, a share-token request refused):
        the share token is then an older result."""
        latest = self._latest_sent.get(share.origin.key)
        return latest if latest is not None and latest is not share.exchange else None

    def _doubt_about_the_source(self, share: _Share, now: datetime) -> TokenStatus | None:
        """A share token made from an access token since revoked, refused or in doubt is in
        doubt too: it stands for the same sign-in (whether the server takes it back with the
        access token, the vendor does not say, so "suspect", not "revoked"). Once a later grant
        has replaced that access token, the doubt it had then stays, and the sign-in's own
        later doubts (a replay of its code, its refresh token revoked) still reach it."""
        source = share.source
        if source is None:
            return None
        if source.latest.granted.access_token == share.made_from:
            access = source.access_status(now, source.origin)
            if access.state not in (TokenState.REVOKED, TokenState.REFUSED, TokenState.SUSPECT):
                return None
            return TokenStatus(
                TokenState.SUSPECT,
                f"Made from an access token now {access.state.value}: {access.why}",
            )
        if share.doubt_when_replaced is not None:
            return share.doubt_when_replaced
        sign_in = source.id_token_status(source.origin)  # known against the whole sign-in
        if sign_in is None or sign_in.state not in (TokenState.REVOKED, TokenState.SUSPECT):
            return None
        return TokenStatus(
            TokenState.SUSPECT,
            f"Made from an access token of a sign-in now {sign_in.state.value}: {sign_in.why}",
        )

    def _exchange_view(self) -> ExchangeView | None:
        here = self._target.key if self._target is not None else None
        key = here if here in self._raws else self._results_target()
        shown = self._raws.get(key, self._raw) if key is not None else self._raw
        if shown is None:
            return None
        step, origin = shown
        if isinstance(step, AuthorizeRecord):
            when, what = clock_time(step.finished_at), "The authorize step"
        else:
            when, what = clock_time(step.received_at), "The latest exchange"
        changed = self._redirect_changed(origin) if isinstance(step, AuthorizeRecord) else None
        if not origin.same_target(self._target):
            freshness = self._other_target(origin, f"at {when}")
        elif changed is not None:
            freshness = Freshness(
                True, f"Older result, {what.lower()} at {when}: {changed}.", "older"
            )
        else:
            freshness = Freshness(False, f"{what}, at {when}.", when)
        return ExchangeView(step, origin, freshness)

    def _set_raw(self, step: RawStep, origin: Origin) -> None:
        self._raw = self._raws[origin.key] = (step, origin)

    def _results_target(self) -> tuple[str, ...] | None:
        """Whose steps the error and raw panels show (and, with no tokens of this client, the
        token panels): the current target's; with none yet, the latest of its client's (a copy
        of its profile); else this profile's before an edit; else the target of the latest
        step anywhere — so every panel shows the same target's results."""
        target = self._target
        if target is None:
            return None
        if target.key in self._errors:
            return target.key
        same_client = [
            e for e in self._errors.values() if e.origin and e.origin.same_client(target)
        ]
        # With this app token first: a step refused for another one (a disabled token's 404)
        # says nothing of this target (tryout AB: a copy showed the original's 404 as its own).
        same_token = [
            e
            for e in same_client
            if e.origin is not None
            and e.origin.profile.app_token.strip() == target.profile.app_token.strip()
        ]
        # An edit of the base URL makes another client: the results the person was working
        # on are still this profile's, marked as from before the edit — not the latest
        # another profile happened to get (tryout AO).
        same_profile = [
            e for e in self._errors.values() if e.origin and not e.origin.is_other_profile(target)
        ]
        if mine := same_token or same_client or same_profile:
            latest = max(mine, key=lambda error: error.at)
            return latest.origin.key if latest.origin is not None else None
        return self._error.origin.key if self._error and self._error.origin else None

    def _set_error(self, shown: _ShownError) -> None:
        self._error = shown
        if shown.origin is not None:
            self._errors[shown.origin.key] = shown

    def _error_view(self) -> ErrorView | None:
        """This target's latest step; none here yet, the latest of this client at this server
        (a copy of this profile: its steps are this client's); else the latest anywhere —
        marked as such."""
        key = self._results_target()
        shown = (self._errors.get(key) if key is not None else None) or self._error
        if shown is None:
            return None
        report, origin, when = shown.report, shown.origin, shown.at
        changed = (
            self._redirect_changed(origin) if shown.from_authorize and origin is not None else None
        )
        later = self._error
        if origin is not None and not origin.same_target(self._target):
            freshness = self._other_target(origin, f"at {clock_time(when)}")
        elif (
            report is not None
            and later is not None
            and later is not shown
            and later.at > when
            and later.origin is not None
            and later.origin.same_client(self._target)
        ):
            # A copy of this profile (the same client at the same server) took a later step:
            # its codes and tokens are this client's too, so this error is no longer the news.
            # (A step that went well stays this profile's latest word, as its tokens beside it
            # do: "No error" marked older read as a failure of this profile's — tryout Z.)
            how = "succeeded" if later.report is None else f"failed: {later.report.status}"
            freshness = Freshness(
                True,
                f"Older: the latest with this client ({clock_time(later.at)}, profile "
                f"{later.origin.label}) {how}; this is from {clock_time(when)}",
                "older",
            )
        elif changed is not None:
            freshness = Freshness(
                True,
                f"Older result, the authorize step at {clock_time(when)}: {changed}.",
                "older",
            )
        elif (
            later is not None
            and later is not shown
            and later.at > when
            and later.origin is not None
            and self._target is not None
            and not later.origin.is_other_profile(self._target)
        ):
            # An edit of this profile taken back (a wrong app token tried, then the right one
            # typed again): this is the latest step with these settings, not the latest step.
            settings = later.origin.changed_in(self._target)
            how = "succeeded" if later.report is None else f"failed: {later.report.status}"
            freshness = Freshness(
                False,
                f"The latest step with this {settings}, at {clock_time(when)}. At "
                f"{clock_time(later.at)}, one with another {settings} {how}.",
                clock_time(when),
                aside=True,
            )
        elif shown.code_since is not None:
            endpoint = shown.exchange.endpoint.value if shown.exchange else "token"
            freshness = Freshness(
                False,
                f"The latest {endpoint.replace('_', '-')} request, at {clock_time(when)}. A Get "
                f"code since, at {clock_time(shown.code_since)}, went well.",
                clock_time(when),
                aside=True,
            )
        else:
            freshness = Freshness(
                False, f"The latest step, at {clock_time(when)}.", clock_time(when)
            )
        id_token_failed, failed_since = (
            self._id_token_failures(shown.exchange) if report is None else ((), ())
        )
        drill = self.drill_that_made(shown.exchange) or ""
        cancelled = shown.exchange is not None and shown.exchange.cancelled
        verifying = self._verifying
        with_pasted_keys = bool(failed_since) and (
            verifying is not None and verifying.job.pasted_keys is not None
        )
        return ErrorView(
            report,
            origin,
            freshness,
            when,
            id_token_failed=id_token_failed,
            id_token_failed_since=failed_since,
            drill=drill,
            drill_answered=shown.exchange is not None and made_up_by(shown.exchange) is not None,
            cancelled=cancelled,
            failed_with_pasted_keys=with_pasted_keys,
        )

    def _id_token_failures(
        self, exchange: Exchange | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """For a step with no error of its own: the checks its id_token failed when it
        arrived — while it still fails them (Verify again with other keys may pass it: the
        error panel then stops saying "do not trust" beside a verified id_token; the history
        keeps the arrival's verdict) — or, when it passed then, the checks it fails now (its
        exp passed, say)."""
        first = self._first_verdicts.get(exchange) if exchange is not None else None
        if exchange is None or first is None or first.exchange is not exchange:
            return (), ()  # no verdict on its id_token yet
        now = self._verdict_now(exchange)
        failing_now = now is None or now.verdict is Verdict.FAILED
        if first.verification.verdict is Verdict.FAILED:
            return (tuple(first.verification.failed or ["decode"]) if failing_now else ()), ()
        if now is not None and now.verdict is Verdict.FAILED:
            return (), tuple(now.failed or ["decode"])
        return (), ()

    def _verdict_now(self, exchange: Exchange) -> Verification | None:
        """The latest verdict on the id_token `exchange` delivered, while it is the one on
        display (checked again at every expiry)."""
        verifying = self._verifying
        if verifying is None or verifying.exchange is not exchange:
            return None
        return verifying.result

    def _other_target(self, origin: Origin, when: str) -> Freshness:
        """A result from a target that is not the current one: another profile, or this
        profile before an edit to what its results depend on (its URL, app token…)."""
        if origin.is_other_profile(self._target) and origin.same_client(self._target):
            # A copy of this profile, say: marked, since the target changed, but not as if
            # its tokens were no use here.
            # When last: cut short, such a line loses its middle (tryout AH: "received at
            # 14:38:…rver" had lost its time).
            return Freshness(
                True,
                f"From profile {origin.label} ({SAME_CLIENT}), {when}.",
                "other profile",
                short=f"From profile {origin.label}, {when}.",
            )
        # Short, for the narrow Expiry panel: the profile's name whole rather than "another
        # target (Quick T…leted))" (tryout AK); the dock's title says "other target".
        other = origin.is_other_profile(self._target)
        return Freshness(
            True,
            f"From {origin.differences(self._target)}, {when}.",
            origin.relation(self._target),
            short=f"From {origin.label}{'' if other else ' before an edit'}, {when}.",
        )

    def _redirect_changed(self, origin: Origin) -> str | None:
        """An authorize step depends on the redirect URI too (a refusal often names it): what
        changed in the target since the step, or None."""
        then = origin.profile.redirect_uri.strip()
        now = self._target.profile.redirect_uri.strip() if self._target is not None else then
        if then == now:
            return None
        return f"the redirect URI is now {_redirect_text(now)} (it was {_redirect_text(then)})"


@dataclass(frozen=True)
class _Answer:
    """An attempt's first authorization response: when, and whether it was a refusal."""

    at: datetime
    refused: bool


@dataclass
class _Share:
    """The share token on display: made from `made_from`, an access token of the client at
    `origin`, until a later grant to that client replaced it (another target's grants
    replace nothing of this one's)."""

    exchange: Exchange
    granted: ShareTokenGranted
    origin: Origin
    made_from: str = field(repr=False)
    source: TokenChain | None = None  # the chain whose access token that was, if this run's
    replaced_by: Grant | None = None
    doubt_when_replaced: TokenStatus | None = None


@dataclass(frozen=True)
class _ShownError:
    """What the error panel shows (a report, or None after a success) and where it came from."""

    report: ErrorReport | None
    origin: Origin | None
    at: datetime
    from_authorize: bool = False  # the authorize step's: it depends on the redirect URI too
    exchange: Exchange | None = None  # the token or share-token step's
    # A Get code that went well after this exchange's step: it stays the panel's result (the
    # token endpoint's latest word), no longer called the latest step.
    code_since: datetime | None = None


def _staged_status(drill: str) -> TokenStatus:
    """A token in an answer the emulator's `drill` made up."""
    said = made_by(drill)
    return TokenStatus(TokenState.STAGED, f"{said[0].upper()}{said[1:]}: no server issued it")


def _redirect_text(uri: str) -> str:
    return uri or "a loopback redirect"


# How a wait for an answer ended, for "Reset at 14:02:11 once sent: may be spent".
_WAITS_ENDED: Final = {
    NetworkErrorKind.CANCELLED: "cancelled",
    NetworkErrorKind.RESET: "reset",
    NetworkErrorKind.TIMEOUT: "timed out",
    NetworkErrorKind.PROTOCOL: "cut off",
}

# Older sign-ins whose refresh tokens are still recognised (the form kept one of them).
_MAX_SUPERSEDED_CHAINS = 20


def _forget_the_oldest(remembered: dict[Any, Any], *alongside: dict[Any, Any]) -> None:
    """Keep the newest `_MAX_REMEMBERED_CODES` entries (codes, or exchanges: dicts keep
    insertion order), and drop what `alongside` holds for the ones forgotten."""
    while len(remembered) > _MAX_REMEMBERED_CODES:
        oldest = next(iter(remembered))
        del remembered[oldest]
        for other in alongside:
            other.pop(oldest, None)


def _the_latest(exchange: Exchange) -> str:
    """ "the latest token request (14:03:05)": named for its endpoint, so that after a Get code
    — an authorize step, not a request of these — the line isn't read as about that step."""
    what = "share-token request" if exchange.endpoint is Endpoint.SHARE_TOKEN else "token request"
    return f"the latest {what} ({clock_time(exchange.received_at)})"


def _older_than(later: Exchange, when: str) -> Freshness:
    """A result marked older than `later`, the latest request to its target; `when`: the time
    the result came. Why first, when last: the short form (for the narrow Expiry panel) drops
    the request's name and time, which the error panel and its dock title say, rather than
    cut a word in the middle (tryout AM: "the latest token reque…led: 401")."""
    return Freshness(
        True,
        f"Older: {_the_latest(later)} {_ended(later)}; this is from {when}",
        "older",
        short=f"Older: the latest {_ended(later, brief=True)}; this is from {when}",
    )


def _ended(exchange: Exchange, *, brief: bool = False) -> str:
    """How an exchange ended, briefly, for "the latest token request (…) failed: 401" (the
    status's reason is on the Error panel beside, the timings in the raw exchange). `brief`:
    a network error by its kind alone ("failed: refused"), for a narrow panel — cut in the
    middle, "Network error (refused) after 3 ms" had lost the kind (tryout AO)."""
    if exchange.succeeded:
        return "succeeded"
    if exchange.cancelled:
        return "was cancelled" if brief else f"was {exchange.summary().lower()}"
    response = exchange.response
    if brief and isinstance(exchange.outcome, NetworkError):
        return f"failed: {exchange.outcome.kind.value}"
    if response is None:  # a network error, or nothing sent
        return f"failed: {exchange.summary()}"
    said = str(response.status)
    if isinstance(exchange.outcome, UnexpectedResponse):
        said += ", an unexpected answer"
    return f"failed: {said}"
