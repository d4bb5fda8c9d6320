"""Helpers for the authorize / id_token tests: run the real flow against the emulator.

Everything goes over real HTTP on 127.0.0.1: the emulator's authorize endpoint redirects to a
real `LoopbackListener`, and the code is redeemed at the emulator's token endpoint.
"""

from __future__ import annotations

import json
import time

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
from idconnect_tester.core.client import IdConnectClient
from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.core.loopback import (
    LoopbackListener,
    follow_in_place_of_browser,
    run_authorize_flow,
)
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.request import TokenRequest
from idconnect_tester.core.target import Target
from idconnect_tester.emulator import EmulatorServer
from idconnect_tester.vendor import AUTHORIZE_PATH

CLIENT_ID = "emulator-client"
APP_TOKEN = "sbx:emulator-app-token"
SECRET_KEY = "emulator-secret-key"
ALL_SCOPES = ("openid", "profile", "email", "name", "offline_access")


def emulator_target(emulator: EmulatorServer) -> Target:
    return Target(base_url=emulator.base_url, app_token=APP_TOKEN, secret_key=Secret(SECRET_KEY))


def new_session(
    emulator: EmulatorServer, redirect_uri: str, scopes: tuple[str, ...] = ALL_SCOPES
) -> AuthorizeSession:
    return AuthorizeSession.new(emulator.base_url + AUTHORIZE_PATH, CLIENT_ID, redirect_uri, scopes)


async def authorize_via_listener(
    emulator: EmulatorServer, scopes: tuple[str, ...] = ALL_SCOPES
) -> tuple[AuthorizeSession, AuthorizeResult]:
    """The whole loopback flow: listener, authorize URL followed like a browser, redirect."""
    listener = await LoopbackListener.start(None)
    session = new_session(emulator, listener.redirect_uri, scopes)
    async with httpx.AsyncClient(trust_env=False) as http:

        async def open_url(url: str) -> None:
            await follow_in_place_of_browser(http, url)

        result = await run_authorize_flow(session, listener, open_url, timeout_s=10)
    return session, result


async def redeem(emulator: EmulatorServer, session: AuthorizeSession, code: str) -> TokenGranted:
    request = TokenRequest.from_form(
        "authorization_code",
        code=code,
        code_verifier=session.pkce.code_verifier,
        scopes=session.scopes,
    )
    async with IdConnectClient(emulator_target(emulator)) as client:
        exchange = await client.token(request)
    assert isinstance(exchange.outcome, TokenGranted), exchange.outcome
    return exchange.outcome


async def emulator_id_token(
    emulator: EmulatorServer, scopes: tuple[str, ...] = ALL_SCOPES
) -> tuple[AuthorizeSession, str]:
    """A fresh id_token from the emulator (any armed id_token scenario applies to it)."""
    session, result = await authorize_via_listener(emulator, scopes)
    assert result.code is not None, result
    granted = await redeem(emulator, session, result.code)
    assert granted.id_token is not None
    return session, granted.id_token


def foreign_token(issuer: str, audience: str, *, kid: str = "not-in-the-jwks") -> str:
    """A well-formed RS256 id_token signed by a fresh key the emulator has never published."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": "u", "iat": now, "exp": now + 600}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def jwks_of(emulator: EmulatorServer) -> dict[str, object]:
    response = httpx.get(emulator.base_url + "/.well-known/jwks.json", trust_env=False)
    response.raise_for_status()
    document: dict[str, object] = json.loads(response.text)
    return document
