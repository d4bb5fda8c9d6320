"""The authorization request with PKCE (RFC 7636) for a native app (RFC 8252), and reading the
redirect that comes back — from the loopback listener or pasted by a person.

A pasted redirect is untrusted text: `parse_redirect` never raises, and a `state` that differs from
the one this run sent withholds the code (it may be a forged redirect or one from another attempt).
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from idconnect_tester import vendor
from idconnect_tester.core.pkce import PkcePair, generate_pair
from idconnect_tester.core.request import NOT_A_CODE, looks_like_a_token, ordered_scopes
from idconnect_tester.core.target import is_loopback_host, url_character_problem

MAX_PASTED_LENGTH: Final = 16_384  # a redirect URL is a few hundred characters; this is a file
_STATE_BYTES: Final = 24  # 192 random bits → 32 base64url characters
_REDIRECT_KEYS: Final = frozenset({"code", "state", "error", "error_description", "error_uri"})
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# How a problem starts when nothing answered at the authorization endpoint (its hint differs).
UNREACHABLE: Final = "The authorization server could not be reached"
NO_AUTHORIZE_PAGE: Final = "Nothing is at the authorization endpoint"  # its 404 or 410
_HAS_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # http://, or an app's own scheme


@dataclass(frozen=True)
class AuthorizeSession:
    """One authorization attempt: what was sent, so the redirect and id_token can be checked."""

    authorization_endpoint: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    nonce: str
    pkce: PkcePair = field(repr=False)  # the verifier is a secret until the code is redeemed
    login_hint: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def new(
        cls,
        authorization_endpoint: str,
        client_id: str,
        redirect_uri: str,
        scopes: Iterable[str],
        login_hint: str | None = None,
    ) -> AuthorizeSession:
        """A session with fresh random state, nonce and PKCE pair."""
        return cls(
            authorization_endpoint=authorization_endpoint.strip(),
            client_id=client_id.strip(),
            redirect_uri=redirect_uri.strip(),
            scopes=ordered_scopes(s.strip() for s in scopes if s.strip()),
            state=secrets.token_urlsafe(_STATE_BYTES),
            nonce=secrets.token_urlsafe(_STATE_BYTES),
            pkce=generate_pair(),
            login_hint=(login_hint or "").strip() or None,
        )

    def params(self) -> list[tuple[str, str]]:
        """The authorize parameters in the order the vendor lists them."""
        params = [
            ("client_id", self.client_id),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri),
            ("scope", " ".join(self.scopes)),
            ("state", self.state),
            ("nonce", self.nonce),
            ("code_challenge", self.pkce.code_challenge),
            ("code_challenge_method", self.pkce.method),
        ]
        if self.login_hint:
            params.append(("login_hint", self.login_hint))
        return params

    def url(self) -> str:
        """The authorization URL. A query already on the endpoint is kept (RFC 6749 §3.1), except
        for parameters this request sets itself: sending one twice is an error at the server."""
        parts = urlsplit(self.authorization_endpoint)
        ours = self.params()
        names = {name for name, _ in ours}
        kept = [
            piece
            for piece in parts.query.split("&")
            if piece and unquote(piece.split("=", 1)[0]) not in names
        ]
        # quote (not quote_plus): spaces as %20 read the same under every decoder; safe="" also
        # encodes "/" and ":" inside redirect_uri so nothing in a value looks like URL structure.
        added = urlencode(ours, quote_via=quote, safe="")
        query = "&".join([*kept, added])
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def endpoint_problem(url: str) -> str | None:
    """Why `url` can't be an authorization endpoint or issuer, or None when it can."""
    url = url.strip()
    if not url:
        return "Enter the authorization endpoint or the issuer, e.g. https://id.sumsub.com/"
    if (problem := url_character_problem(url)) is not None:
        return problem
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        return f"Not a valid URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return "The address must start with https:// (or http:// for this machine only)"
    if not parts.hostname:
        return "The address has no host name"
    if parts.fragment:
        return "An authorization endpoint must not have a #fragment (RFC 6749 §3.1)"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return f"Plain http:// is only allowed to this machine; use https://{parts.netloc}"
    return None


def is_authorization_endpoint(issuer_or_endpoint: str) -> bool:
    """True when the text names the authorize endpoint itself rather than an issuer (whose
    discovery document would say where the endpoint is)."""
    try:
        path = urlsplit(issuer_or_endpoint.strip()).path
    except ValueError:
        return False
    return path.rstrip("/").endswith("/authorize")


def authorization_endpoint_for(
    issuer_or_endpoint: str, discovery: Mapping[str, Any] | None = None
) -> str:
    """The authorize URL for what the user typed: an endpoint is used as given; an issuer (empty
    means Sumsub's) uses its discovery document's `authorization_endpoint`, or the vendor's
    path on the issuer when there is no document."""
    text = issuer_or_endpoint.strip() or vendor.DEFAULT_ISSUER
    if is_authorization_endpoint(text):
        return text
    if discovery is not None:
        found = discovery.get("authorization_endpoint")
        if isinstance(found, str) and endpoint_problem(found) is None:
            return found
    return text.rstrip("/") + vendor.AUTHORIZE_PATH


@dataclass(frozen=True)
class AuthorizeResult:
    """What a redirect said: exactly one of a code, an OAuth error, or a problem sentence."""

    code: str | None = field(default=None, repr=False)
    state: str | None = None  # as received
    error: str | None = None
    error_description: str | None = None
    error_uri: str | None = None
    problem: str | None = None
    state_checked: bool = False  # the received state was compared with the session's and matched
    # It came back through a redirect (not the authorization server's own answer to this app's
    # request): without a state that matched, nothing ties it to this run's Get code.
    by_redirect: bool = False
    received_url: str | None = None  # an error redirect's URL as pasted (it may be elsewhere)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        outcomes = sum(value is not None for value in (self.code, self.error, self.problem))
        if outcomes != 1:
            raise ValueError("an AuthorizeResult holds exactly one of code, error or problem")

    @property
    def ok(self) -> bool:
        return self.code is not None

    def summary(self) -> str:
        """One sentence for a status line."""
        if self.code is not None:
            checked = "state verified" if self.state_checked else "state NOT verified"
            return f"Authorization code received ({checked})"
        if self.error is not None:
            described = f": {self.error_description}" if self.error_description else ""
            if self.by_redirect and not self.state_checked:
                # Nothing ties it to this run's request: not said to be the server's answer.
                return f"An error redirect without this run's state says {self.error}{described}"
            return f"The authorization server answered {self.error}{described}"
        return str(self.problem)


def _problem(
    message: str, *, state: str | None = None, notes: list[str] | None = None
) -> AuthorizeResult:
    return AuthorizeResult(problem=message, state=state, notes=tuple(notes or ()))


def _origin_and_path(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port if parts.port is not None else _DEFAULT_PORTS.get(scheme)
    return scheme, (parts.hostname or "").lower(), port, parts.path or "/"


def _redirect_base_note(received: str, session: AuthorizeSession) -> str | None:
    try:
        same = _origin_and_path(received) == _origin_and_path(session.redirect_uri)
    except ValueError:
        same = False
    if same:
        return None
    parts = urlsplit(received)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return (
        f"The redirect went to {base}, not to this run's redirect_uri {session.redirect_uri}: "
        "is it from another attempt or another app?"
    )


def state_matches(received: str | None, session: AuthorizeSession) -> bool:
    """True when a redirect's `state` is the one `session` sent (compared in constant time)."""
    if received is None:
        return False
    return hmac.compare_digest(received.encode("utf-8", "replace"), session.state.encode())


def _check_state(
    received: str | None, session: AuthorizeSession | None
) -> tuple[bool, str | None, str | None]:
    """(state verified, problem, note) for the state that came back."""
    if session is None:
        return (
            False,
            None,
            "No authorize request of this run to compare the state with: not verified",
        )
    if received is None:
        return (
            False,
            # What matters first: the line under Code shows about 50 characters.
            "No state in the redirect: paste just the code to use it anyway — this run sent "
            "one, and the server must return it (RFC 6749 §4.1.2).",
            None,
        )
    if not state_matches(received, session):
        return (
            False,
            "Not this run's state: code withheld — the state in the redirect differs from the "
            "one this run sent (a forged redirect — CSRF — or one from an earlier attempt). "
            "Start again.",
            None,
        )
    return True, None, None


def _from_params(
    params: list[tuple[str, str]], session: AuthorizeSession | None, notes: list[str]
) -> AuthorizeResult:
    values: dict[str, list[str]] = {}
    for key, value in params:
        values.setdefault(key, []).append(value)
    repeated = sorted(k for k in _REDIRECT_KEYS if len(values.get(k, [])) > 1)
    if repeated:
        return _problem(
            f"The redirect repeats {', '.join(repeated)}; OAuth parameters appear once "
            "(RFC 6749 §3.1)",
            notes=notes,
        )

    def first(name: str) -> str | None:
        found = values.get(name)
        return found[0] if found else None

    state = first("state")
    verified, state_problem, state_note = _check_state(state, session)
    error = first("error")
    if error is not None:
        # An error needs no secret to forge and grants nothing, so show it even if the state is
        # off, but say so.
        if state_problem is not None and state is not None:
            notes.append("The state does not match this run's: the error may be from elsewhere")
        elif state_problem is not None:
            notes.append(
                "The redirect carries no state: the error may not answer this run's Get code "
                "(RFC 6749 §4.1.2.1 returns the state with an error too)"
            )
        elif state_note is not None:
            notes.append(state_note)
        return AuthorizeResult(
            error=error or "(empty error)",
            error_description=first("error_description"),
            error_uri=first("error_uri"),
            state=state,
            state_checked=verified,
            by_redirect=True,
            notes=tuple(notes),
        )
    code = first("code")
    if code is None:
        return _problem(
            "The redirect has neither a code nor an error parameter", state=state, notes=notes
        )
    if not code.strip():
        return _problem("The code parameter is empty", state=state, notes=notes)
    if state_problem is not None:
        return _problem(state_problem, state=state, notes=notes)
    if state_note is not None:
        notes.append(state_note)
    return AuthorizeResult(code=code, state=state, state_checked=verified, notes=tuple(notes))


def _has_redirect_params(query: str) -> bool:
    return any(key in _REDIRECT_KEYS for key, _ in parse_qsl(query, keep_blank_values=True))


def _from_url(text: str, session: AuthorizeSession | None) -> AuthorizeResult:
    parts = urlsplit(text)
    notes: list[str] = []
    query = parts.query
    if not _has_redirect_params(query) and _has_redirect_params(parts.fragment):
        query = parts.fragment
        notes.append("The parameters came in the #fragment, not the query (response_mode?)")
    if session is not None and (note := _redirect_base_note(text, session)) is not None:
        notes.append(note)
    if not query:
        return _problem(
            "The URL has no query: paste the whole address the browser was sent to "
            "(…?code=…&state=…)",
            notes=notes,
        )
    result = _from_params(parse_qsl(query, keep_blank_values=True), session, notes)
    # An error's URL is kept as it came (a code's is not: the code in it is a secret).
    return replace(result, received_url=text) if result.error is not None else result


def _from_bare_code(text: str, session: AuthorizeSession | None) -> AuthorizeResult:
    if any(c.isspace() or not c.isprintable() for c in text):
        return _problem(
            "This is neither a redirect URL, a query string nor a code: it contains spaces "
            "or control characters"
        )
    if looks_like_a_token(text):
        return _problem(NOT_A_CODE)
    notes: list[str] = []
    code = text
    if "%" in text and (decoded := unquote(text)) != text:
        # Copied out of an address bar: the code is still percent-encoded there.
        code = decoded
        notes.append(f"The code had percent-escapes; decoded to {decoded[:12]}…")
    if session is not None:
        notes.append(
            "Only a code was pasted, so the state could not be verified: paste the whole "
            "redirect URL to check it"
        )
    else:
        notes.append("Only a code was pasted: the state could not be verified")
    return AuthorizeResult(code=code, state_checked=False, notes=tuple(notes))


def looks_like_redirect(text: str) -> bool:
    """True when `text` is a redirect URL or query string (it carries `code`, `state` or
    `error`) rather than a bare code: people who come from other OAuth tools paste the whole
    address into a code field."""
    text = text.strip()
    if len(text) > MAX_PASTED_LENGTH:
        return False
    try:
        if _HAS_SCHEME.match(text):
            parts = urlsplit(text)
            return _has_redirect_params(parts.query) or _has_redirect_params(parts.fragment)
        query = text[1:] if text[:1] in "?#" else text
        return _has_redirect_params(query)
    except ValueError:
        return False


def parse_redirect(pasted: str, session: AuthorizeSession | None) -> AuthorizeResult:
    """Read a full redirect URL, a query string (with or without `?`), or a bare code.

    Never raises: whatever was pasted, the answer is an `AuthorizeResult`.
    """
    try:
        text = pasted.strip()
        if not text:
            return _problem("Nothing was pasted: paste the redirect URL or the code")
        if len(text) > MAX_PASTED_LENGTH:
            return _problem(f"What was pasted is {len(text):,} characters — not a redirect")
        if _HAS_SCHEME.match(text):
            return _from_url(text, session)
        query = text[1:] if text[:1] in "?#" else text
        if text[:1] in "?#" or _has_redirect_params(query):
            return _from_params(parse_qsl(query, keep_blank_values=True), session, [])
        return _from_bare_code(text, session)
    except Exception as exc:  # a parser corner we didn't foresee must not crash the window
        return _problem(f"What was pasted could not be read: {exc}")
