"""A small identity provider on 127.0.0.1 that is not the built-in emulator: its authorize
endpoint shows a sign-in page (a person must act), answers a 400 page, or redirects back with an
OAuth error — what a real authorization server does that the emulator, which consents at once,
never does. It records the `state` of every authorize request it sees, so a test can tell the
app's probe from the browser's visit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

AUTHORIZE_PATH = "/oauth/authorize"
CONSENT_PATH = "/consent"


class Behaviour(Enum):
    SIGN_IN = "sign in"  # 200 HTML; GET /consent?state=… then redirects back with a code
    BAD_REQUEST = "bad request"  # 400 HTML page
    ERROR_REDIRECT = "error redirect"  # 302 back to redirect_uri?error=access_denied
    BOT_WALL = "bot wall"  # 403 for clients that are not browsers, as bot protection does


@dataclass
class IdentityProvider:
    behaviour: Behaviour = Behaviour.SIGN_IN
    base_url: str = ""
    states_seen: list[str] = field(default_factory=list)  # every authorize request, in order
    _params: dict[str, dict[str, str]] = field(default_factory=dict)  # by state

    @property
    def issuer(self) -> str:
        return self.base_url + "/"

    def consent_url(self, state: str) -> str:
        """Where the sign-in form sends a person who signs in and consents."""
        return f"{self.base_url}{CONSENT_PATH}?state={state}"

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        state = query.get("state", "")
        self.states_seen.append(state)
        self._params[state] = query
        if self.behaviour is Behaviour.BAD_REQUEST:
            page = b"<html><head><title>Unknown client</title></head><body>No.</body></html>"
            return 400, {"Content-Type": "text/html"}, page
        if self.behaviour is Behaviour.BOT_WALL:
            page = b"<html><head><title>Just a moment...</title></head></html>"
            return 403, {"Content-Type": "text/html"}, page
        if self.behaviour is Behaviour.ERROR_REDIRECT:
            back = urlencode(
                {"error": "access_denied", "error_description": "consent refused", "state": state}
            )
            return 302, {"Location": f"{query.get('redirect_uri', '')}?{back}"}, b""
        page = b"<html><head><title>Sign in</title></head><body><form>...</form></body></html>"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    def _consent(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        params = self._params.get(query.get("state", ""))
        if params is None:
            return 400, {"Content-Type": "text/plain"}, b"unknown state"
        back = urlencode({"code": "idp-code-" + params["state"][:8], "state": params["state"]})
        return 302, {"Location": f"{params['redirect_uri']}?{back}"}, b""

    def _discovery(self) -> tuple[int, dict[str, str], bytes]:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": self.base_url + AUTHORIZE_PATH,
            "token_endpoint": self.base_url + "/token",
            "jwks_uri": self.base_url + "/jwks.json",
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(document).encode()

    def answer(self, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if parts.path == AUTHORIZE_PATH:
            return self._authorize(query)
        if parts.path == CONSENT_PATH:
            return self._consent(query)
        if parts.path == "/.well-known/openid-configuration":
            return self._discovery()
        return 404, {"Content-Type": "text/plain"}, b"not found"


@contextmanager
def identity_provider(behaviour: Behaviour = Behaviour.SIGN_IN) -> Iterator[IdentityProvider]:
    provider = IdentityProvider(behaviour)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = provider.answer(self.path)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
