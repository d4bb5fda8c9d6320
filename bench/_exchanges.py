"""Real exchanges for filling a history: each produced by the app's own client against a real
emulator (grants, API errors, broken answers, network errors), then recorded many times over."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from idconnect_tester import vendor
from idconnect_tester.core.client import IdConnectClient
from idconnect_tester.core.exchange import Exchange, TokenGranted
from idconnect_tester.core.history import HistoryStore
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.pkce import generate_pair
from idconnect_tester.core.profile_model import emulator_profile
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.target import Target
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

APP_TOKEN = "sbx:emulator-app-token"
SECRET_KEY = "emulator-secret-key"
CLIENT_ID = "emulator-client"
ALL_SCOPES = tuple(vendor.SCOPES)


def authorization_code(base_url: str, scopes: tuple[str, ...] = ALL_SCOPES) -> TokenRequest:
    """Consent at the emulator's authorize endpoint; the code exchange request, ready to send."""
    pair = generate_pair()
    response = httpx.get(
        base_url + vendor.AUTHORIZE_PATH,
        params={
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": "http://127.0.0.1:1/cb",  # never contacted: read off Location
            "scope": " ".join(scopes),
            "state": "bench",
            "code_challenge": pair.code_challenge,
            "code_challenge_method": "S256",
        },
        trust_env=False,
    )
    code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
    return TokenRequest.from_form(
        vendor.GRANT_AUTHORIZATION_CODE, code=code, code_verifier=pair.code_verifier, scopes=scopes
    )


def _target(base_url: str, **changes: object) -> Target:
    target = Target(base_url=base_url, app_token=APP_TOKEN, secret_key=Secret(SECRET_KEY))
    return replace(target, **changes)  # type: ignore[arg-type]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def sample_exchanges(server: EmulatorServer) -> list[tuple[Exchange, TokenRequest | None]]:
    """About fifteen exchanges of every kind, with the form each was sent from."""
    base = server.base_url
    samples: list[tuple[Exchange, TokenRequest | None]] = []
    async with IdConnectClient(_target(base)) as client:
        code_request = authorization_code(base)
        granted = await client.token(code_request)
        samples.append((granted, code_request))
        assert isinstance(granted.outcome, TokenGranted), granted.summary()
        refresh = TokenRequest.from_form(
            vendor.GRANT_REFRESH_TOKEN, refresh_token=granted.outcome.refresh_token or ""
        )
        samples.append((await client.token(refresh), refresh))
        samples.append((await client.token(code_request), code_request))  # reused code: 401
        share = ShareTokenRequest(granted.outcome.access_token, "CoolCompanyLtd", 1800)
        samples.append((await client.share_token(share), None))
        for drill in (
            "server_error_html",
            "malformed_json",
            "wrong_types",
            "rate_limited",
            "revoked_token",
            "clock_skew",
            "connection_reset",
        ):
            server.set_scenario(drill)
            samples.append((await client.token(refresh), refresh))
    async with IdConnectClient(_target(base, secret_key=Secret("wrong"))) as client:
        samples.append((await client.token(refresh), refresh))  # signature mismatch
    async with IdConnectClient(_target(base, app_token="sbx:emulator-disabled-token")) as client:
        samples.append((await client.token(refresh), refresh))  # 404 Invalid clientId
    async with IdConnectClient(_target(f"http://127.0.0.1:{_closed_port()}")) as client:
        samples.append((await client.token(refresh), refresh))  # refused
    return samples


async def fill_history(rows: int) -> int:
    """Add `rows` real-ish exchanges to the default history (under this process's HOME)."""
    with EmulatorServer(EmulatorConfig(port=0, log=False)) as server:
        samples = await sample_exchanges(server)
        profile = emulator_profile(server.base_url)
    store = HistoryStore(retention=max(rows, 1000))
    try:
        for index in range(rows):
            exchange, form = samples[index % len(samples)]
            moved = timedelta(seconds=index - rows)
            exchange = replace(
                exchange,
                started_at=exchange.started_at + moved,
                received_at=exchange.received_at + moved,
            )
            store.add(exchange, profile=profile, form=form)
        return store.count()
    finally:
        store.close()
