"""The authorize step as an exchange of its own: the URL that went out, the redirect that came
back, when, and how it ended — for the raw panel and the history.

The URL carries what the step sends in the open (client, redirect URI, scopes, state, nonce, the
PKCE challenge); the code verifier is never part of a record: it stays in the app until the code
is redeemed. The code itself is a token: a stored record masks it unless the profile keeps full
tokens, and `from_dict` reads masked and full records alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
from idconnect_tester.core.exchange_json import iso_utc, mask_tokens_in_text
from idconnect_tester.core.exchange_record import (
    RecordError,
    optional_text_field,
    text_field,
    time_field,
)
from idconnect_tester.core.masking import mask_token

AUTHORIZE_ENDPOINT: Final = "authorize"  # how the history names the step
RECORD_FORMAT: Final = "idconnect-tester/authorize"
RECORD_VERSION: Final = 1


class AuthorizeOutcome(StrEnum):
    CODE = "code"  # the redirect brought a code (its state matched, when one was sent)
    ERROR = "error"  # the redirect brought an OAuth error
    PROBLEM = "problem"  # no usable redirect: a timeout, a state mismatch, a bad paste


@dataclass(frozen=True, eq=False)
class AuthorizeRecord:
    """One authorize step. Like an `Exchange`, two records are never the same one."""

    endpoint: str
    url: str  # the authorization URL as sent
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    nonce: str
    code_challenge: str
    challenge_method: str
    started_at: datetime
    finished_at: datetime
    outcome: AuthorizeOutcome
    code: str | None = field(default=None, repr=False)
    error: str | None = None
    error_description: str | None = None
    error_uri: str | None = None  # the server's page about the error (RFC 6749 §4.1.2.1)
    problem: str | None = None
    received_state: str | None = None
    state_checked: bool = False  # the state that came back is the one sent
    by_redirect: bool = False  # an error that came through a redirect (see AuthorizeResult)
    received_url: str | None = None  # an error redirect's URL as pasted
    notes: tuple[str, ...] = ()
    server_status: int | None = None  # the authorization server's own answer, when fetched here
    full_code: bool = True  # False when `code` is a masked copy (read from a masked record)

    @classmethod
    def of(
        cls,
        attempt: AuthorizeSession,
        result: AuthorizeResult,
        finished_at: datetime,
        server_status: int | None = None,
    ) -> AuthorizeRecord:
        if result.code is not None:
            outcome = AuthorizeOutcome.CODE
        elif result.error is not None:
            outcome = AuthorizeOutcome.ERROR
        else:
            outcome = AuthorizeOutcome.PROBLEM
        return cls(
            endpoint=attempt.authorization_endpoint,
            url=attempt.url(),
            client_id=attempt.client_id,
            redirect_uri=attempt.redirect_uri,
            scopes=attempt.scopes,
            state=attempt.state,
            nonce=attempt.nonce,
            code_challenge=attempt.pkce.code_challenge,
            challenge_method=attempt.pkce.method,
            started_at=attempt.created_at,
            finished_at=finished_at,
            outcome=outcome,
            code=result.code,
            error=result.error,
            error_description=result.error_description,
            error_uri=result.error_uri,
            problem=result.problem,
            received_state=result.state,
            state_checked=result.state_checked,
            by_redirect=result.by_redirect,
            received_url=result.received_url,
            notes=result.notes,
            server_status=server_status,
        )

    def result(self) -> AuthorizeResult:
        """The step's result as the redirect gave it (e.g. for an error report)."""
        return AuthorizeResult(
            code=self.code if self.outcome is AuthorizeOutcome.CODE else None,
            state=self.received_state,
            error=self.error if self.outcome is AuthorizeOutcome.ERROR else None,
            error_description=self.error_description,
            error_uri=self.error_uri,
            problem=self.problem if self.outcome is AuthorizeOutcome.PROBLEM else None,
            state_checked=self.state_checked,
            by_redirect=self.by_redirect,
            received_url=self.received_url,
            notes=self.notes,
        )

    @property
    def succeeded(self) -> bool:
        return self.outcome is AuthorizeOutcome.CODE

    @property
    def duration_ms(self) -> float:
        return max(0.0, (self.finished_at - self.started_at).total_seconds() * 1000)

    def summary(self) -> str:
        """One line, like `Exchange.summary`: `code received (state verified) after 41 ms`."""
        took = f"after {self.duration_ms:.0f} ms"
        match self.outcome:
            case AuthorizeOutcome.CODE:
                checked = "state verified" if self.state_checked else "state NOT verified"
                return f"Code received ({checked}) {took}"
            case AuthorizeOutcome.ERROR:
                unverified = (
                    " (state NOT verified)" if self.by_redirect and not self.state_checked else ""
                )
                return f"OAuth error {self.error}{unverified} {took}"
        return f"No code {took}: {self.problem}"

    def redirect(self) -> str | None:
        """The redirect as it came back (the parameters that matter, on the redirect URI); None
        when none came that could be read."""
        if self.outcome is AuthorizeOutcome.ERROR and self.received_url is not None:
            return self.received_url  # as pasted: it may have been on another address
        if self.outcome is AuthorizeOutcome.CODE:
            params = [("code", self.code or "")]
        elif self.outcome is AuthorizeOutcome.ERROR:
            params = [("error", self.error or "")]
            if self.error_description is not None:
                params.append(("error_description", self.error_description))
            if self.error_uri is not None:
                params.append(("error_uri", self.error_uri))
        else:
            return None
        if self.received_state is not None:
            params.append(("state", self.received_state))
        parts = urlsplit(self.redirect_uri)
        query = "&".join(q for q in (parts.query, urlencode(params, quote_via=quote)) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def request_text(self) -> str:
        """The request for a raw view: the URL, then its parameters one a line."""
        parts = urlsplit(self.url)
        lines = [f"GET {parts.path}{'?' if parts.query else ''}{parts.query}", f"(to {self.url})"]
        lines += [
            "",
            f"client_id: {self.client_id}",
            "response_type: code",
            f"redirect_uri: {self.redirect_uri}",
            f"scope: {' '.join(self.scopes)}",
            f"state: {self.state}",
            f"nonce: {self.nonce}",
            f"code_challenge: {self.code_challenge}",
            f"code_challenge_method: {self.challenge_method}",
            "",
            "(The code_verifier stays in this app: it goes to the token endpoint, with the code.)",
        ]
        return "\n".join(lines)

    def response_text(self) -> str:
        """What came back, for a raw view."""
        lines: list[str] = []
        if self.server_status is not None:
            lines.append(f"The authorization server answered HTTP {self.server_status}")
        redirect = self.redirect()
        if redirect is None:
            lines.append(f"No usable redirect: {self.problem}")
        else:
            lines += [f"Redirect: {redirect}", ""]
            if self.outcome is AuthorizeOutcome.CODE:
                masked = "" if self.full_code else " (stored masked)"
                lines.append(f"code: {self.code}{masked}")
            else:
                lines.append(f"error: {self.error}")
                if self.error_description is not None:
                    lines.append(f"error_description: {self.error_description}")
                if self.error_uri is not None:
                    lines.append(f"error_uri: {self.error_uri}")
            lines.append(f"state: {self._state_line()}")
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def _state_line(self) -> str:
        if self.received_state is None:
            return "(none came back)"
        verdict = "the one sent" if self.state_checked else "NOT checked against the one sent"
        return f"{self.received_state} ({verdict})"


def authorize_record_to_dict(
    record: AuthorizeRecord, *, full_tokens: bool = False
) -> dict[str, Any]:
    """A JSON-ready copy of `record`; the code masked unless `full_tokens`."""
    code = record.code
    full = full_tokens and record.full_code
    if code is not None and not full_tokens:
        code = mask_token(code)

    def text(value: str | None) -> str | None:
        return value if value is None or full_tokens else mask_tokens_in_text(value)

    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "tokens": "full" if full else "masked",
        "endpoint": record.endpoint,
        "url": record.url,
        "client_id": record.client_id,
        "redirect_uri": record.redirect_uri,
        "scopes": list(record.scopes),
        "state": record.state,
        "nonce": record.nonce,
        "code_challenge": record.code_challenge,
        "challenge_method": record.challenge_method,
        "started_at": iso_utc(record.started_at),
        "finished_at": iso_utc(record.finished_at),
        "outcome": record.outcome.value,
        "code": code,
        "error": text(record.error),
        "error_description": text(record.error_description),
        "error_uri": text(record.error_uri),
        "problem": text(record.problem),
        "received_state": record.received_state,
        "state_checked": record.state_checked,
        "by_redirect": record.by_redirect,
        "received_url": text(record.received_url),
        "notes": [text(note) for note in record.notes],
        "server_status": record.server_status,
        "summary": text(record.summary()),
    }


def is_authorize_record(data: object) -> bool:
    return isinstance(data, dict) and data.get("format") == RECORD_FORMAT


def authorize_record_from_dict(data: object) -> AuthorizeRecord:
    """The record a stored dict describes; `RecordError` when it can't be read."""
    if not isinstance(data, dict):
        raise RecordError("the record is missing or not an object")
    try:
        outcome = AuthorizeOutcome(text_field(data, "outcome"))
    except ValueError as exc:
        raise RecordError(f"unknown authorize outcome {data.get('outcome')!r}") from exc
    needed = {
        AuthorizeOutcome.CODE: "code",
        AuthorizeOutcome.ERROR: "error",
        AuthorizeOutcome.PROBLEM: "problem",
    }[outcome]
    text_field(data, needed)  # the outcome's own field must be there
    scopes, notes, status = data.get("scopes"), data.get("notes"), data.get("server_status")
    return AuthorizeRecord(
        endpoint=text_field(data, "endpoint"),
        url=text_field(data, "url"),
        client_id=text_field(data, "client_id"),
        redirect_uri=text_field(data, "redirect_uri"),
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
        state=text_field(data, "state"),
        nonce=text_field(data, "nonce"),
        code_challenge=text_field(data, "code_challenge"),
        challenge_method=optional_text_field(data, "challenge_method") or "S256",
        started_at=time_field(data, "started_at"),
        finished_at=time_field(data, "finished_at"),
        outcome=outcome,
        code=optional_text_field(data, "code"),
        error=optional_text_field(data, "error"),
        error_description=optional_text_field(data, "error_description"),
        error_uri=optional_text_field(data, "error_uri"),  # not in records before it was kept
        problem=optional_text_field(data, "problem"),
        received_state=optional_text_field(data, "received_state"),
        state_checked=data.get("state_checked") is True,
        by_redirect=data.get("by_redirect") is True,
        received_url=optional_text_field(data, "received_url"),
        notes=tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else (),
        server_status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        full_code=data.get("tokens") == "full",
    )
