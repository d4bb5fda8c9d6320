"""Fixtures for the emulator tests: real servers on 127.0.0.1, and a client that signs by itself.

The signing and PKCE helpers here are written independently of both the emulator and the
product's client, so neither can pass by agreeing with its own mistake.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.support.signature_oracle import vendor_signature

from idconnect_tester import vendor
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

APP_TOKEN = "sbx:emulator-app-token"
DISABLED_TOKEN = "sbx:emulator-disabled-token"
SECRET = "emulator-secret-key"
CLIENT_ID = "emulator-client"
ALL_SCOPES = "openid profile email name share offline_access"
REDIRECT_URI = "http://127.0.0.1:53682/callback"
CORRELATION_ID = re.compile(r"[0-9a-f]{32}")
_TLS_CONTEXT = ssl.create_default_context()


class FakeClock:
    """Real time plus an offset the test controls, or a frozen instant."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: float | None = None

    def __call__(self) -> float:
        with self._lock:
            return self._frozen if self._frozen is not None else time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds

    def freeze(self, at: float) -> None:
        with self._lock:
            self._frozen = at

    def reset(self) -> None:
        with self._lock:
            self._offset, self._frozen = 0.0, None


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Emu:
    """A test's handle on a running emulator: signed requests and the OAuth steps."""

    APP_TOKEN = APP_TOKEN
    DISABLED_TOKEN = DISABLED_TOKEN
    SECRET = SECRET
    CLIENT_ID = CLIENT_ID
    ALL_SCOPES = ALL_SCOPES
    REDIRECT_URI = REDIRECT_URI

    def __init__(self, server: EmulatorServer, clock: FakeClock) -> None:
        self.server = server
        self.clock = clock
        self.base_url = server.base_url
        self.http = self.new_client()

    def new_client(self) -> httpx.Client:
        # One shared TLS context: a fresh one per client loads the CA bundle (~35 ms) for nothing,
        # since the emulator speaks plain http.
        return httpx.Client(base_url=self.base_url, timeout=10, verify=_TLS_CONTEXT)

    def close(self) -> None:
        self.http.close()

    # --- Signed requests -------------------------------------------------------------------

    def signed(
        self,
        target: str,
        body: bytes | str | dict[str, Any] | list[Any] = b"",
        *,
        method: str = "POST",
        app_token: str | None = None,
        secret: str | None = None,
        ts: str | None = None,
        sig: str | None = None,
        content_type: str | None = "application/json",
        omit: tuple[str, ...] = (),
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        if isinstance(body, dict | list):
            raw = json.dumps(body).encode()
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = body
        ts = ts if ts is not None else str(int(self.clock()))
        app_token = app_token if app_token is not None else self.server.config.app_token
        secret = secret if secret is not None else self.server.config.secret_key
        headers = {
            vendor.HEADER_APP_TOKEN: app_token,
            vendor.HEADER_ACCESS_TS: ts,
            vendor.HEADER_ACCESS_SIG: sig
            if sig is not None
            else vendor_signature(secret, ts, method, target, raw),
        }
        if content_type is not None:
            headers["Content-Type"] = content_type
        for name in omit:
            headers.pop(name)
        return (client or self.http).request(method, target, content=raw, headers=headers)

    def token(self, body: bytes | str | dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.signed(vendor.TOKEN_PATH, body, **kwargs)

    def share(self, body: bytes | str | dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.signed(vendor.SHARE_TOKEN_PATH, body, **kwargs)

    # --- OAuth steps -----------------------------------------------------------------------

    def authorize(self, **overrides: str | None) -> tuple[httpx.Response, str]:
        """GET authorize with valid defaults, ``overrides`` replacing (None: dropping) params."""
        return self.authorize_on(self.http, overrides)

    def authorize_on(
        self, client: httpx.Client, overrides: dict[str, str | None]
    ) -> tuple[httpx.Response, str]:
        verifier, challenge = pkce_pair()
        params: dict[str, str | None] = {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": ALL_SCOPES,
            "state": "state-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        sent = {key: value for key, value in params.items() if value is not None}
        response = client.get(vendor.AUTHORIZE_PATH, params=sent)
        return response, verifier

    @staticmethod
    def redirect_params(response: httpx.Response) -> dict[str, list[str]]:
        assert response.status_code == 302, response.text
        return parse_qs(urlsplit(response.headers["location"]).query, keep_blank_values=True)

    def get_code(self, scope: str = ALL_SCOPES, **overrides: str | None) -> tuple[str, str]:
        response, verifier = self.authorize_on(self.http, {"scope": scope, **overrides})
        return self.redirect_params(response)["code"][0], verifier

    def login(self, scope: str = ALL_SCOPES, **overrides: str | None) -> tuple[dict[str, Any], str]:
        """Authorize and exchange the code: the token response body and the verifier."""
        code, verifier = self.get_code(scope, **overrides)
        response = self.token(
            {"grant_type": "authorization_code", "code": code, "codeVerifier": verifier}
        )
        assert response.status_code == 200, response.text
        return response.json(), verifier

    def refresh(self, refresh_token: str, **fields: Any) -> httpx.Response:
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token, **fields})

    def arm(self, name: str, times: int = 1, **params: Any) -> httpx.Response:
        response = self.http.post(
            "/_emulator/scenario", json={"name": name, "times": times, **params}
        )
        assert response.status_code == 200, response.text
        return response

    def active_scenario(self) -> dict[str, Any] | None:
        active: dict[str, Any] | None = self.http.get("/_emulator/scenarios").json()["active"]
        return active

    def jwks(self) -> dict[str, Any]:
        keys: dict[str, Any] = self.http.get(vendor.JWKS_PATH).json()
        return keys

    # --- Assertions ------------------------------------------------------------------------

    @staticmethod
    def assert_error(
        response: httpx.Response,
        status: int,
        description: str | None = None,
        *,
        contains: str | None = None,
        error_code: int | None = None,
        error_name: str | None = None,
    ) -> dict[str, Any]:
        """The response is Sumsub's error shape with this status (and description/code)."""
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json"
        body: dict[str, Any] = response.json()
        assert set(body) <= {"code", "correlationId", "description", "errorCode", "errorName"}
        assert body["code"] == status
        assert CORRELATION_ID.fullmatch(body["correlationId"]), body
        assert isinstance(body["description"], str) and body["description"]
        if description is not None:
            assert body["description"] == description
        if contains is not None:
            assert contains in body["description"], body["description"]
        if error_code is not None:
            assert body["errorCode"] == error_code
        if error_name is not None:
            assert body["errorName"] == error_name
        return body

    def raw(self, data: bytes, *, until_close: bool = True, timeout: float = 5) -> bytes:
        """Send raw bytes on a fresh connection; read until the server closes it."""
        parts = urlsplit(self.base_url)
        assert parts.hostname is not None and parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
            sock.sendall(data)
            received = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return received
                received += chunk
                if not until_close and b"\r\n\r\n" in received:
                    return received


@pytest.fixture(scope="session")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def shared_server(clock: FakeClock) -> Iterator[EmulatorServer]:
    server = EmulatorServer(EmulatorConfig(log=False), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def emu(shared_server: EmulatorServer, clock: FakeClock) -> Iterator[Emu]:
    """The shared emulator with fresh state: no codes, no tokens, no drill, real time."""
    clock.reset()
    shared_server.reset()
    handle = Emu(shared_server, clock)
    yield handle
    handle.close()
    clock.reset()
    shared_server.reset()


@pytest.fixture
def make_server(clock: FakeClock) -> Iterator[Callable[..., Emu]]:
    """Start a dedicated emulator with its own config; stopped after the test."""
    started: list[Emu] = []

    def make(log_stream: io.StringIO | None = None, **config: Any) -> Emu:
        config.setdefault("log", log_stream is not None)
        server = EmulatorServer(EmulatorConfig(**config), log_stream=log_stream, clock=clock)
        handle = Emu(server.start(), clock)
        started.append(handle)
        return handle

    yield make
    for handle in started:
        handle.close()
        handle.server.stop()
    clock.reset()
