"""GET /api/snsId/oauth/authorize: consents at once and redirects back with a code.

Errors follow RFC 6749 §4.1.2.1: while the client or redirect URI is in doubt the emulator answers
400 itself (redirecting would hand the error, or a code, to an unverified address); once the
redirect is trustworthy, every other error travels on it as ``?error=…&error_description=…``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.responses import Response, json_response
from idconnect_tester.emulator.scopes import ScopeError, parse_scope
from idconnect_tester.emulator.tokens import Grant
from idconnect_tester.emulator.users import user_for

_CODE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # BASE64URL(SHA-256) without padding
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_SINGLE_VALUED = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "login_hint",
)


class _RedirectError(Exception):
    """An OAuth error to send back on the (already trusted) redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _refuse(error: str, description: str) -> Response:
    return json_response(
        400,
        {"error": error, "error_description": description},
        facts=(("error", error),),
    )


def _redirect(redirect_uri: str, params: list[tuple[str, str]], *, error: str = "") -> Response:
    parts = urlsplit(redirect_uri)
    added = urlencode(params)
    # Keep whatever query the client registered on its redirect URI; add ours after it.
    query = f"{parts.query}&{added}" if parts.query else added
    location = urlunsplit(parts._replace(query=query))
    facts = (("error", error),) if error else ()
    return Response(302, b"", content_type=None, headers=(("Location", location),), facts=facts)


def redirect_uri_allowed(uri: str, registered: tuple[str, ...]) -> bool:
    """Loopback http on any port (RFC 8252 §7.3), or exactly a registered URI."""
    # Printable ASCII only: the URI goes into a Location header, and a backslash or space is how
    # browsers and parsers are talked into disagreeing about the host.
    if not uri or any(not 0x21 <= ord(ch) <= 0x7E for ch in uri) or "\\" in uri or "#" in uri:
        return False
    if uri in registered:
        return True
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in _LOOPBACK_HOSTS
        and parts.username is None
        and parts.password is None
    )


def handle_authorize(ctx: EmulatorContext, target: str) -> Response:
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(urlsplit(target).query, keep_blank_values=True):
        values.setdefault(key, []).append(value)

    def first(name: str) -> str:
        return values.get(name, [""])[0]

    # --- Checks that decide whether the redirect URI can be trusted: answer them ourselves. ---
    for name in ("client_id", "redirect_uri"):
        if len(values.get(name, [])) > 1:
            return _refuse("invalid_request", f"{name} was sent more than once")
    client_id = first("client_id")
    if not client_id:
        return _refuse("invalid_request", "client_id is required")
    if client_id == ctx.config.disabled_client_id:
        return _refuse("unauthorized_client", f"Sumsub ID is not enabled for client {client_id}")
    if client_id != ctx.config.client_id:
        return _refuse("invalid_request", "Unknown client_id")
    redirect_uri = first("redirect_uri")
    if not redirect_uri:
        return _refuse("invalid_request", "redirect_uri is required")
    if not redirect_uri_allowed(redirect_uri, ctx.config.redirect_uris):
        return _refuse(
            "invalid_request",
            "redirect_uri is not registered: use a loopback http URI "
            "(http://127.0.0.1:<port>/…, http://[::1]:<port>/…, http://localhost:<port>/…) "
            "or one of the emulator's registered redirect URIs",
        )

    # --- From here on the redirect is trustworthy: errors go back on it. ---
    state = values.get("state", [None])[0]
    echo_state = [("state", state)] if state is not None else []
    try:
        scopes = _validate(values)
    except _RedirectError as exc:
        params = [("error", exc.error), ("error_description", exc.description), *echo_state]
        return _redirect(redirect_uri, params, error=exc.error)

    now = ctx.clock()
    grant = Grant(
        client_id=client_id,
        user=user_for(first("login_hint") or None),
        scopes=scopes,
        code_challenge=first("code_challenge"),
        nonce=first("nonce") or None,
        auth_time=int(now),
        redirect_uri=redirect_uri,
    )
    code = ctx.store.issue_code(grant, now=now)
    return _redirect(redirect_uri, [("code", code), *echo_state])


def _validate(values: dict[str, list[str]]) -> tuple[str, ...]:
    """The granted scopes, or the first error in the order a client would fix them."""
    for name in _SINGLE_VALUED:
        if len(values.get(name, [])) > 1:
            # RFC 6749 §3.1: parameters must not be sent more than once.
            raise _RedirectError("invalid_request", f"{name} was sent more than once")

    def first(name: str) -> str | None:
        found = values.get(name)
        return found[0] if found else None

    response_type = first("response_type")
    if not response_type:
        raise _RedirectError("invalid_request", "response_type is required")
    if response_type != "code":
        raise _RedirectError("unsupported_response_type", "only response_type=code is supported")
    challenge = first("code_challenge")
    if not challenge:
        raise _RedirectError("invalid_request", "code_challenge is required (PKCE)")
    if first("code_challenge_method") != "S256":
        # A missing method means "plain" (RFC 7636 §4.3), which is refused like an explicit one.
        raise _RedirectError("invalid_request", "only S256 is supported as code_challenge_method")
    if not _CODE_CHALLENGE.fullmatch(challenge):
        raise _RedirectError(
            "invalid_request", "code_challenge must be 43 base64url characters (S256)"
        )
    scope = first("scope")
    if scope is None or not scope.strip(" "):
        raise _RedirectError("invalid_scope", "scope is required")
    try:
        return parse_scope(scope)
    except ScopeError as exc:
        raise _RedirectError("invalid_scope", str(exc)) from None
