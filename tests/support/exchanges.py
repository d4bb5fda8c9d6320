"""Exchanges and id_tokens built in memory, for tests of the session's logic (the GUI and
integration tests get theirs from the real emulator over HTTP)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    NetworkError,
    NetworkErrorKind,
    Outcome,
    ReceivedResponse,
    SentRequest,
    ShareTokenGranted,
    Timings,
    TokenGranted,
)
from idconnect_tester.core.id_token_checks import VerificationContext, VerificationKey
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.session_events import Origin

KID = "test-key-1"
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Signer:
    """An RSA key that signs id_tokens and the JWK a verification context holds for it."""

    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.get_algorithm_by_name("RS256").to_jwk(self.key.public_key())
        )
        return {**jwk, "kid": KID, "alg": "RS256", "use": "sig"}

    def id_token(
        self,
        origin: Origin,
        *,
        issued: datetime,
        lifetime_s: int = 3600,
        nonce: str | None,
        sub: str = "user-1",
        not_before: datetime | None = None,
    ) -> str:
        claims: dict[str, Any] = {
            "iss": origin.profile.issuer,
            "aud": origin.profile.client_id,
            "sub": sub,
            "iat": int(issued.timestamp()),
            "exp": int(issued.timestamp()) + lifetime_s,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if not_before is not None:
            claims["nbf"] = int(not_before.timestamp())
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def context(self, origin: Origin, nonce: str | None, leeway_s: int) -> VerificationContext:
        return VerificationContext(
            issuer=origin.profile.issuer,
            client_id=origin.profile.client_id,
            nonce=nonce,
            keys=(VerificationKey(self.jwk(), "the test JWKS"),),
            leeway_s=leeway_s,
        )


def origin(name: str = "Sandbox", *, profile_id: str = "p-sandbox", port: int = 9001) -> Origin:
    base = f"http://127.0.0.1:{port}"
    return Origin(
        Profile(
            id=profile_id,
            name=name,
            base_url=base,
            app_token="sbx:test-app",
            client_id="test-client",
            issuer=base + "/",
        )
    )


def exchange(
    outcome: Outcome,
    *,
    at: datetime,
    endpoint: Endpoint = Endpoint.TOKEN,
    status: int | None = 200,
) -> Exchange:
    request = SentRequest("POST", "http://127.0.0.1/token", (), b"{}", "on")
    response = None if status is None else ReceivedResponse(status, "", "HTTP/1.1", (), b"{}")
    return Exchange(endpoint, request, response, outcome, Timings(5.0), at, at)


def granted(
    at: datetime,
    *,
    access: str,
    refresh: str | None = None,
    id_token: str | None = None,
    expires_in: int = 86_400,
) -> Exchange:
    outcome = TokenGranted(
        access_token=access,
        token_type="Bearer",
        expires_in=expires_in,
        expires_at=at + timedelta(seconds=expires_in),
        refresh_token=refresh,
        id_token=id_token,
    )
    return exchange(outcome, at=at)


def api_error(at: datetime, status: int, description: str, *, share: bool = False) -> Exchange:
    endpoint = Endpoint.SHARE_TOKEN if share else Endpoint.TOKEN
    return exchange(
        ApiError(status, description, code=status), at=at, endpoint=endpoint, status=status
    )


def network_error(at: datetime) -> Exchange:
    outcome = NetworkError(NetworkErrorKind.REFUSED, "connection refused")
    return exchange(outcome, at=at, status=None)


def cancelled(at: datetime, *, may_have_arrived: bool = True) -> Exchange:
    """The person stopped waiting after the request reached the server (or, `may_have_arrived`
    False, before it had begun to go out)."""
    outcome = NetworkError(
        NetworkErrorKind.CANCELLED, "Cancelled while waiting", may_have_arrived=may_have_arrived
    )
    return exchange(outcome, at=at, status=None)


def answer_lost(at: datetime, kind: NetworkErrorKind, *, may_have_arrived: bool = True) -> Exchange:
    """The connection failed (reset, timed out…) after the request had begun to go out — or,
    `may_have_arrived` False, before."""
    outcome = NetworkError(kind, f"{kind.value} by the test", may_have_arrived=may_have_arrived)
    return exchange(outcome, at=at, status=None)


def share_granted(at: datetime, *, ttl_s: int = 1800) -> Exchange:
    outcome = ShareTokenGranted("_act-sbx-share", "other-client", at + timedelta(seconds=ttl_s))
    return exchange(outcome, at=at, endpoint=Endpoint.SHARE_TOKEN)
