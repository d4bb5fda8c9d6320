"""What this run knows against the request in the form, said under its fields before Send:
a code it sent already (codes are single-use), a code another target's Get code gave, a refresh
token the server refused or that is in doubt, a verifier that is not the one the code came with.
None of it stops Send: testing what the server does with them is allowed."""

from __future__ import annotations

from idconnect_tester import vendor
from idconnect_tester.core.request import TokenRequest, looks_like_a_token
from idconnect_tester.core.session import Session
from idconnect_tester.core.session_events import Origin, TokenState, TokenStatus
from idconnect_tester.core.target_selection import TargetSelection
from idconnect_tester.core.tone import Tone
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui.request_form import RequestForm


class RequestNotes:
    """Keeps the notes under Code, Verifier and Refresh token in step with the session: the
    window calls it when the form, the target or the session's chains change."""

    def __init__(self, form: RequestForm, session: Session, targets: TargetSelection) -> None:
        self._form = form
        self._session = session
        self._targets = targets

    def note_the_code(self) -> None:
        """What this run knows of the code in the form, under Code and before Send: that it
        was sent already (codes are single-use: a replay gets 401 and may revoke the tokens it
        gave), or that another target's Get code gave it (only there can it be redeemed)."""
        # Said again from what the session knows now: a note about another target's code,
        # or about the redirect of an earlier attempt, is over.
        self._form.clear_code_note()
        code = self._form.code.text()
        if self.note_a_spent_code(code):
            return
        current = self._targets.origin()
        source = self._session.code_from(code)
        if source is None:
            return
        if source.same_target(current):
            self._form.note_under_code(f"From Get code on {source.label}", Tone.MUTED)
        elif current.same_client(source):
            # Another profile or app token, but the same server and client id: it redeems
            # here if this app token is that client's (the app token names the client key).
            # Short, the change last (one line under Code): the rest is in its tooltip.
            self._form.note_under_code(
                f"Redeems here: {_got(source, current)}",
                Tone.MUTED,
                "Same server and client id as at Get code: from Get code on "
                f"{source.differences(current)}.",
            )
        elif current.same_issuer_and_client(source):
            # Another base URL than at Get code: the code is still its issuer's, for this
            # client; whether this base URL's token endpoint takes it is the server's to say.
            self._form.note_under_code(
                f"A code of this issuer and client: {_got(source, current)}",
                Tone.MUTED,
                "Issued for this issuer and client id: from Get code on "
                f"{source.differences(current)}. Whether this base URL's token endpoint takes "
                "it is the server's to say.",
            )
        else:
            self._form.note_under_code(
                f"From Get code on {source.label}, not this target", Tone.WARNING
            )

    def note_a_spent_code(self, code: str) -> bool:
        """A code in Code (typed, pasted, a space more or less) that this run sent already is
        said to be spent, at once: Send would replay it. True when it was."""
        note = self._session.code_note(code, self._targets.origin())
        if note is not None:
            self._form.note_under_code(note, Tone.WARNING)
        return note is not None

    def advise(self) -> None:
        """Before Send, what this run knows against the request: the refresh token was
        refused (403) or is in doubt; the verifier is not the one the code (or the refresh
        token's code) came with — a later Get code put its own in the form, or a code was
        pasted without its own: 401 "Invalid code"."""
        request = self._form.token_request()
        refreshing = request.grant_type == vendor.GRANT_REFRESH_TOKEN
        known = self._session.refresh_token_status(request.refresh_token)
        advice = details = ""
        if refreshing and known is not None:
            issued_by, status = known
            if status.state is TokenState.OTHER_TARGET:  # whose, first: the line is short
                advice = f"{issued_by.label}'s token: this server will refuse it"
            elif not status.usable:
                advice, details = _refresh_token_note(status), status.why
        self._form.set_refresh_token_advice(advice, details)
        self._advise_on_the_verifier(request, refreshing)

    def _advise_on_the_verifier(self, request: TokenRequest, refreshing: bool) -> None:
        verifier, session = request.code_verifier, self._session
        if refreshing:
            expected = session.verifier_for_refresh(request.refresh_token)
            # A later Get code replaced the one its code was exchanged with.
            wrong = "Not this refresh token's verifier: expect 401"
        else:
            expected = session.verifier_for_code(request.code)
            wrong = "Not this code's verifier: expect 401"
        if expected is not None and verifier not in ("", expected):
            self._form.set_verifier_advice(wrong, expected)
        elif (
            expected is None
            and not refreshing
            and request.code.strip()  # no code, no "another code" (tryout AH)
            and not looks_like_a_token(request.code)  # Code says that already
            and session.verifier_of_another_code(request.code, verifier)
        ):
            self._form.set_verifier_advice(
                "Another code's verifier: expect 401 — use this code's own"
            )
        else:
            self._form.set_verifier_advice("")


def _refresh_token_note(status: TokenStatus) -> str:
    """What a refresh with a token in doubt will get, and since when, short enough for the
    line under Refresh token (the server's words go to its tooltip)."""
    at = f" at {clock_time(status.since)}" if status.since is not None else ""
    since = f" since {clock_time(status.since)}" if status.since is not None else ""
    if status.staged_by:
        # The drill answered in the server's place: "get new tokens" would send the person
        # after tokens they still have (tryout AP: the next Send of this one got 200).
        said = f"{status.state.value.capitalize()}{at} by the {status.staged_by} drill"
        return f"{said}: the server still holds it"
    notes = {
        TokenState.REVOKED: f"Revoked{at} (403): get new tokens",
        TokenState.REFUSED: f"Refused{at} (401): expect 401 again",
        TokenState.SUSPECT: f"Suspect{since}: a refresh may get 403",
        TokenState.TARGET_EDITED: "From before the profile changed",
    }
    return notes.get(status.state, status.why)


def _got(source: Origin, current: Origin) -> str:
    """Where a code came from, in few words (the line under Code is one line: tryout AN saw
    "from Get code on Emu TTL30 (2) befo…", the change it was about cut off)."""
    if source.is_other_profile(current):
        return f"got on {source.label}"
    return f"got before the {source.changed_in(current)} changed"
