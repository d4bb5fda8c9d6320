"""Real ID Connect flows against the emulator: an authorization code, then real `Exchange`s.

Synchronous helpers (for plain tests) wrap async ones (for tests that already run an event
loop, e.g. under qasync, where `asyncio.run` is not allowed).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from idconnect_tester import vendor
from idconnect_tester.core.client import IdConnectClient
from idconnect_tester.core.exchange import Exchange, TokenGranted
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.pkce import generate_pair
from idconnect_tester.core.profiles import Profile, ProfileStore
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.target import Target
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

_DEFAULTS = EmulatorConfig()
EMULATOR_APP_TOKEN = _DEFAULTS.app_token
EMULATOR_SECRET_KEY = _DEFAULTS.secret_key
EMULATOR_CLIENT_ID = _DEFAULTS.client_id
LOOPBACK_REDIRECT_URI = "http://127.0.0.1:1/cb"  # never contacted: the code is read off Location
ALL_SCOPES = ("openid", "profile", "email", "name", "share", "offline_access")


@dataclass(frozen=True)
class AuthorizationCode:
    code: str
    code_verifier: str
    scopes: tuple[str, ...]

    def token_request(self) -> TokenRequest:
        return TokenRequest.from_form(
            vendor.GRANT_AUTHORIZATION_CODE,
            code=self.code,
            code_verifier=self.code_verifier,
            scopes=self.scopes,
        )


def get_code(
    base_url: str,
    *,
    scopes: tuple[str, ...] = ("openid", "offline_access"),
    client_id: str = EMULATOR_CLIENT_ID,
    redirect_uri: str = LOOPBACK_REDIRECT_URI,
    state: str = "s",
) -> AuthorizationCode:
    """Consent at the emulator's authorize endpoint and read the code from the redirect."""
    pair = generate_pair()
    response = httpx.get(
        base_url.rstrip("/") + vendor.AUTHORIZE_PATH,
        params={
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge": pair.code_challenge,
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
        trust_env=False,
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert "code" in query, f"no code on the redirect: {response.headers['location']}"
    return AuthorizationCode(query["code"][0], pair.code_verifier, tuple(scopes))


def emulator_target(base_url: str, *, secret_key: str = EMULATOR_SECRET_KEY) -> Target:
    return Target(base_url=base_url, app_token=EMULATOR_APP_TOKEN, secret_key=Secret(secret_key))


async def send_token_request(target: Target, request: TokenRequest) -> Exchange:
    async with IdConnectClient(target) as client:
        return await client.token(request)


async def send_share_token_request(target: Target, request: ShareTokenRequest) -> Exchange:
    async with IdConnectClient(target) as client:
        return await client.share_token(request)


def token_exchange(base_url: str, request: TokenRequest) -> Exchange:
    """One token request to the emulator, signed with its default credentials."""
    return asyncio.run(send_token_request(emulator_target(base_url), request))


def share_token_exchange(base_url: str, request: ShareTokenRequest) -> Exchange:
    return asyncio.run(send_share_token_request(emulator_target(base_url), request))


def granted_exchange(
    base_url: str, *, scopes: tuple[str, ...] = ALL_SCOPES
) -> tuple[Exchange, TokenRequest]:
    """A fresh code exchanged for tokens: the Exchange (asserted granted) and the form sent."""
    request = get_code(base_url, scopes=scopes).token_request()
    exchange = token_exchange(base_url, request)
    assert isinstance(exchange.outcome, TokenGranted), exchange.summary()
    return exchange, request


def refresh_request(refresh_token: str, *, scopes: tuple[str, ...] = ()) -> TokenRequest:
    return TokenRequest.from_form(
        vendor.GRANT_REFRESH_TOKEN, refresh_token=refresh_token, scopes=scopes
    )


def save_profile_of(emulator: EmulatorServer, name: str = "Local emulator") -> Profile:
    """A saved profile (in this test's private home) that targets `emulator`."""
    return ProfileStore().add(
        Profile(
            id="",
            name=name,
            base_url=emulator.base_url,
            app_token="sbx:emulator-app-token",
            client_id="emulator-client",
            issuer=emulator.issuer,
        )
    )
