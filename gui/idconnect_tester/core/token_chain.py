"""One chain of tokens: a code exchanged, then refreshed — what each token is worth right now.

A chain starts with a granted authorization_code exchange (or with a refresh token from
elsewhere) and grows with every refresh that uses its refresh token. The server's answers to
later requests can take a token's value away: a 403 on a refresh means its refresh token was
revoked, and a second use of the chain's code answered 401 means the server has (by RFC 6749
§4.1.2) revoked every token issued from that code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from idconnect_tester import vendor
from idconnect_tester.core.exchange import Exchange, TokenGranted
from idconnect_tester.core.session_events import Origin, TokenState, TokenStatus
from idconnect_tester.core.wording import clock_time

REFRESH_RULE = (
    "Sumsub issues a refresh token only on the first authorization_code exchange whose scope "
    "includes offline_access; refreshes don't replace it."
)


class SpentHow(StrEnum):
    USED = "used"  # exchanged for tokens
    REFUSED = "refused"  # answered 401: used already, expired, or not its verifier's
    # Sent (it had begun to go out), then no answer (the wait cancelled, the connection reset,
    # a timeout): the server may have used it.
    MAYBE_USED = "maybe used"


@dataclass(frozen=True)
class SpentCode:
    """What became of a code this run sent, and to which target. Codes are single-use: a
    replay gets 401, and the server should revoke the tokens the code gave."""

    how: SpentHow
    at: datetime
    to: Origin
    replayed_at: datetime | None = None  # a used code sent again, and refused (401)
    # How the wait for a MAYBE_USED code's answer ended: "cancelled", "reset", "timed out"…
    ended: str = "cancelled"

    def wait_ended(self) -> str:
        """How the answer to a MAYBE_USED code was lost, for a sentence."""
        if self.ended == "cancelled":
            return "that wait was cancelled"
        return f"its answer was lost ({self.ended})"

    def note(
        self,
        current: Origin,
        revoked_at: datetime | None = None,
        *,
        issued_by: Origin | None = None,
    ) -> str:
        """One line for under the Code field, said before the next Send to `current`: short
        enough to read whole in the request column of a 1024-pixel-wide window.
        `revoked_at`: when a refresh of the tokens the code gave got 403 (revoked), if one
        did. `issued_by`: the target whose Get code gave it, if known."""
        when = clock_time(self.at)
        if not current.same_client(self.to):
            if issued_by is not None and current.same_client(issued_by):
                # Sent elsewhere by mistake: that server can't have redeemed this one's code
                # (tryout Z: "Get code for this one" here, where it then redeemed fine).
                return f"Unused here: sent to {self.to.label} at {when}"
            # Only the server and client a code was issued to know it: here it is neither
            # used nor fresh.
            return f"Sent at {when} to {self.to.label}, not here"
        match self.how:
            case SpentHow.USED if revoked_at is not None:
                return f"Used at {when}; tokens revoked at {clock_time(revoked_at)}"
            case SpentHow.USED if self.replayed_at is not None:
                # The app cannot see the revocation, only the 401: "suspect", as its panels say.
                return f"Replayed at {clock_time(self.replayed_at)} (401): tokens now suspect"
            case SpentHow.USED:
                return f"Used at {when}: a replay may revoke its tokens"
            case SpentHow.REFUSED:
                return f"Refused at {when} (401): get a new code"
            case SpentHow.MAYBE_USED:
                return f"{self.ended.capitalize()} at {when} once sent: may be spent"


@dataclass(frozen=True)
class Grant:
    exchange: Exchange
    granted: TokenGranted = field(repr=False)
    grant_type: str


class TokenChain:
    """A plain class, not a dataclass: it changes, and a generated repr would print tokens."""

    def __init__(
        self,
        origin: Origin,
        first: Grant,
        *,
        code: str | None,
        nonce: str | None,
        refresh_token_used: str | None = None,
        code_verifier: str | None = None,
    ) -> None:
        self.origin = origin
        self.code = code  # the code the chain started from (None: a refresh token from elsewhere)
        self.nonce = nonce  # the nonce of the authorize step that code came from
        # The PKCE verifier the chain's first grant was given (and accepted with): a refresh
        # of this chain that sends a verifier must send this one.
        self.code_verifier = code_verifier
        # What the panels show: the first grant (how the chain began), the latest, and the
        # latest with an id_token. The ones in between are in the history, not kept here, so
        # a session that auto-refreshes for days does not grow.
        self.first = first
        self.latest = first
        self.id_token_grant: Grant | None = first if first.granted.id_token else None
        self.refresh_token: str | None = None
        self.refresh_issued_at: datetime | None = None
        self.refresh_issued_by = ""
        self.last_refresh_at: datetime | None = None
        self.last_refresh_rotated: bool | None = None
        # What the server said of the refresh token: revoked (403), or refused as invalid or
        # expired (401: a token it does not know, or no longer); None while it said nothing.
        self.refresh_refusal: TokenStatus | None = None
        # What the server said of the access token: revoked (403), or refused (a 401 that
        # named it); None while it has said nothing against it.
        self.access_refusal: TokenStatus | None = None
        self.refused_at: datetime | None = None  # when the latest of those two was said
        self.refresh_refused_at: datetime | None = None  # when the refresh token's was
        self.suspect: str | None = None  # why every token of the chain is in doubt
        self.suspect_since: datetime | None = None  # and since when
        # When the server refused a second use of the chain's code: then it revoked the chain
        # (not just maybe, as after a cancelled Send of the code).
        self.replay_refused_at: datetime | None = None
        self.replay: Exchange | None = None  # that second use, and who sent it
        self.replayed_by: Origin | None = None
        if first.granted.refresh_token is not None:
            self._issue_refresh(first, "the authorization_code exchange")
        elif refresh_token_used:
            # A chain that starts with a refresh: the token came from outside this run.
            self.refresh_token = refresh_token_used
            self.refresh_issued_by = "an earlier run (pasted or loaded from history)"

    def _issue_refresh(self, grant: Grant, by: str) -> None:
        self.refresh_token = grant.granted.refresh_token
        self.refresh_issued_at = grant.exchange.received_at
        self.refresh_issued_by = by

    def uses_refresh_token(self, refresh_token: str) -> bool:
        return bool(refresh_token) and refresh_token == self.refresh_token

    def refreshed(self, grant: Grant, *, at: Origin) -> None:
        """A refresh of this chain's token, sent `at` a target of the same client (maybe
        another profile of it): its tokens are that target's now."""
        self.origin = at
        self.latest = grant
        if grant.granted.id_token:
            self.id_token_grant = grant  # a refresh may return none: then the earlier one stays
        self.last_refresh_at = grant.exchange.received_at
        new = grant.granted.refresh_token
        self.last_refresh_rotated = new is not None and new != self.refresh_token
        if self.last_refresh_rotated:
            self._issue_refresh(grant, "a refresh (rotation)")
        # A new access token replaces a revoked one; the chain's doubt about it goes with it.
        self.access_refusal = None
        # The server took the refresh token it had refused before (a refusal that was not a
        # revocation: a drill, a fault on its side): it was not refused after all.
        self.refresh_refusal = None
        self.refresh_refused_at = None

    def refresh_refused(self, description: str, when: datetime, *, revoked: bool = True) -> None:
        """The server refused the refresh token: revoked (403) — and the access token with
        it, most likely — or, `revoked` False, not taken as invalid or expired (401), which
        says nothing of the access token."""
        self.refused_at = self.refresh_refused_at = when
        self.refresh_refusal = TokenStatus(
            TokenState.REVOKED if revoked else TokenState.REFUSED,
            f"The server refused it at {clock_time(when)}: {description}",
            since=when,
        )
        if revoked and self.access_refusal is None:
            self.access_refusal = TokenStatus(
                TokenState.REVOKED,
                "Its refresh token was revoked; the access token most likely was too",
                since=when,
            )

    def access_refused(self, description: str, when: datetime, *, revoked: bool = True) -> None:
        """The server refused the access token: revoked (403), or — `revoked` False — not
        taken at all, as invalid or expired (401)."""
        self.refused_at = when
        self.access_refusal = TokenStatus(
            TokenState.REVOKED if revoked else TokenState.REFUSED,
            f"The server refused it at {clock_time(when)}: {description}",
            since=when,
        )

    def refusal_staged(self, when: datetime, drill: str) -> None:
        """The refusal said at `when` was an emulator drill's answer: the token is refused as
        far as that answer goes (what the drill is for), and each row says the emulator did
        not take it back itself (the next use tells; a success clears the refusal)."""
        if self.refused_at != when:
            return
        staged = (
            f" (staged by the emulator's {drill} drill: the emulator itself still holds it "
            "valid; the next use will tell)"
        )
        if self.refresh_refusal is not None and not self.refresh_refusal.staged_by:
            self.refresh_refusal = replace(
                self.refresh_refusal, why=self.refresh_refusal.why + staged, staged_by=drill
            )
        if self.access_refusal is not None and not self.access_refusal.staged_by:
            self.access_refusal = replace(
                self.access_refusal, why=self.access_refusal.why + staged, staged_by=drill
            )

    def code_replayed(self, replay: Exchange, by: Origin) -> None:
        """The server refused a second use of the chain's code: `replay`, sent by `by` (this
        profile, or a copy of it: the same client at the same server)."""
        self.replay, self.replayed_by = replay, by
        self.replay_refused_at = self.suspect_since = when = replay.received_at
        self.suspect = (
            f"A second use of this chain's code was refused at {clock_time(when)}: by RFC 6749 "
            "§4.1.2 the server should revoke every token issued from that code"
        )

    def code_sent_before(self, before: SpentCode) -> None:
        """The chain's code had been sent `before`, and no answer came (see
        `SpentHow.MAYBE_USED`)."""
        self.suspect_since = before.at
        self.suspect = (
            f"This code was sent before, at {clock_time(before.at)}, and {before.wait_ended()}, "
            "not the request: if the server redeemed it then, this was a second use, which by "
            "RFC 6749 §4.1.2 should revoke every token issued from that code"
        )

    # --- what each token is worth now ---

    def access_status(self, now: datetime, current: Origin | None) -> TokenStatus:
        granted = self.latest.granted
        if self.access_refusal is not None:
            return self.access_refusal
        if self.suspect is not None:
            return TokenStatus(TokenState.SUSPECT, self.suspect, since=self.suspect_since)
        if now >= granted.expires_at:
            return TokenStatus(TokenState.EXPIRED, f"Expired at {clock_time(granted.expires_at)}")
        if not self.origin.same_target(current):
            return TokenStatus.not_this_target(self.origin, current)
        return TokenStatus(TokenState.LIVE, f"Valid until {clock_time(granted.expires_at)}")

    def refresh_status(self, current: Origin | None) -> TokenStatus | None:
        if self.refresh_token is None:
            return None
        if self.refresh_refusal is not None:
            return self.refresh_refusal
        if self.suspect is not None:
            return TokenStatus(TokenState.SUSPECT, self.suspect, since=self.suspect_since)
        if not self.origin.same_target(current):
            return TokenStatus.not_this_target(self.origin, current)
        return TokenStatus(TokenState.LIVE, "Not refused by the server so far")

    def id_token_status(self, current: Origin | None) -> TokenStatus | None:
        """What is known against the id_token, as for the access token it came with (its time
        left is its own `exp`): in doubt with the chain, or another target's; None otherwise."""
        refusal = self.refresh_refusal
        if refusal is not None and refusal.state is TokenState.REVOKED:
            # An id_token can't be taken back, but the sign-in it stands for is over: the
            # tokens it came with were revoked (as the rows beside it say).
            return TokenStatus(
                TokenState.REVOKED,
                f"The tokens it came with were revoked. {refusal.why}",
                since=refusal.since,
                staged_by=refusal.staged_by,
            )
        if self.suspect is not None:
            return TokenStatus(TokenState.SUSPECT, self.suspect, since=self.suspect_since)
        if not self.origin.same_target(current):
            return TokenStatus.not_this_target(self.origin, current)
        return None

    def refresh_note(self) -> str:
        """Where the refresh token came from and what the last refresh did, in a sentence."""
        if self.refresh_token is None:
            if self.first.grant_type == vendor.GRANT_AUTHORIZATION_CODE:
                return "None issued: offline_access was not granted."
            return ""
        if self.refresh_issued_at is None:
            text = f"Issued by {self.refresh_issued_by}."
        else:
            text = f"Issued {clock_time(self.refresh_issued_at)} by {self.refresh_issued_by}."
        if self.refresh_refusal is not None:  # "keep using this one" no longer holds
            return f"{text} {self.refresh_refusal.why}."
        if self.last_refresh_at is not None:
            when = clock_time(self.last_refresh_at)
            text += (
                f" Last refresh ({when}) returned a NEW one; the form holds it."
                if self.last_refresh_rotated
                else f" Last refresh ({when}) returned none: keep using this one."
            )
        return text
