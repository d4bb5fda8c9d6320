"""The emulator's memory: authorization codes, grants, access and refresh tokens, under one lock.

A *grant* is one consent at the authorize endpoint. Its code, and every token later issued from
it (including tokens from refreshes), point at the grant, so revoking the grant — which a reused
code does — revokes all of them at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from idconnect_tester import vendor
from idconnect_tester.emulator.errors import ApiError, forbidden, unauthorized
from idconnect_tester.emulator.users import User

INVALID_REFRESH_TOKEN = "Invalid refresh token"


def s256_challenge(code_verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2)."""
    # surrogatepass: a JSON body may carry lone surrogates; they must hash, not crash.
    digest = hashlib.sha256(code_verifier.encode("utf-8", "surrogatepass")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(code_verifier: str, code_challenge: str) -> bool:
    return hmac.compare_digest(s256_challenge(code_verifier), code_challenge)


def invalid_code() -> ApiError:
    return unauthorized(vendor.ERROR_INVALID_CODE)


@dataclass
class Grant:
    client_id: str
    user: User
    scopes: tuple[str, ...]
    code_challenge: str
    nonce: str | None
    auth_time: int
    redirect_uri: str
    revoked: bool = False


@dataclass
class AuthCode:
    grant: Grant
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class AccessToken:
    token: str
    grant: Grant
    scopes: tuple[str, ...]
    expires_at: float
    code: str  # the authorization code whose grant issued it

    @property
    def revoked(self) -> bool:
        return self.grant.revoked


@dataclass(frozen=True)
class RefreshToken:
    token: str
    grant: Grant
    expires_at: float
    code: str


@dataclass(frozen=True)
class IssuedTokens:
    access: AccessToken
    refresh: RefreshToken | None


def _new_code() -> str:
    # Like the doc's example: standard base64url of 32 random bytes, *with* its "=" padding.
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(48)  # 64 characters after the prefix


# Memory stays bounded however long the emulator runs (a soak sends thousands of requests):
# each table keeps at most this many records, dropping the oldest (dicts keep insertion order).
# A dropped record answers like an unknown one. Documented in docs/emulator.md.
MAX_RECORDS = 10_000


def _remember(table: dict[str, Any], key: str, record: Any) -> None:
    table[key] = record
    while len(table) > MAX_RECORDS:
        del table[next(iter(table))]


class TokenStore:
    """Thread-safe state. Every method takes ``now`` so a test clock drives all expiry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, AuthCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}

    def sizes(self) -> tuple[int, int, int]:
        """(codes, access tokens, refresh tokens) remembered now."""
        with self._lock:
            return len(self._codes), len(self._access), len(self._refresh)

    def reset(self) -> None:
        with self._lock:
            self._codes.clear()
            self._access.clear()
            self._refresh.clear()

    def issue_code(self, grant: Grant, *, now: float) -> str:
        code = _new_code()
        with self._lock:
            _remember(self._codes, code, AuthCode(grant=grant, issued_at=now))
        return code

    def redeem_code(
        self,
        code: str,
        *,
        client_id: str,
        code_verifier: str,
        now: float,
        code_ttl_s: int,
        access_ttl_s: int,
        refresh_ttl_s: int,
    ) -> IssuedTokens:
        """Exchange a code for tokens, or raise 401 ``Invalid code``.

        Every failure looks the same to the caller, as the vendor documents (wrong, reused,
        expired or PKCE mismatch). The check and the issue happen under one lock so two
        concurrent exchanges of one code can't both succeed.
        """
        with self._lock:
            record = self._codes.get(code)
            if record is None or record.grant.client_id != client_id:
                raise invalid_code()
            if record.used:
                # RFC 6749 §4.1.2: a reused code SHOULD revoke the tokens issued from it. A reuse
                # usually means the code leaked, so the strict reading does it.
                record.grant.revoked = True
                raise invalid_code()
            # Any attempt by the right client uses the code up, even one that fails below: a
            # code is single-use, not single-success.
            record.used = True
            if now - record.issued_at > code_ttl_s:
                raise invalid_code()
            if not verifier_matches(code_verifier, record.grant.code_challenge):
                raise invalid_code()
            grant = record.grant
            access = AccessToken(
                _new_token(vendor.ACCESS_TOKEN_PREFIX),
                grant,
                grant.scopes,
                now + access_ttl_s,
                code,
            )
            _remember(self._access, access.token, access)
            refresh = None
            if "offline_access" in grant.scopes:
                refresh = RefreshToken(
                    _new_token(vendor.REFRESH_TOKEN_PREFIX), grant, now + refresh_ttl_s, code
                )
                _remember(self._refresh, refresh.token, refresh)
            return IssuedTokens(access, refresh)

    def find_refresh(self, token: str, *, client_id: str, now: float) -> RefreshToken:
        """The live refresh token, or 401 (unknown, other client, expired) / 403 (revoked)."""
        with self._lock:
            record = self._refresh.get(token)
        if record is None or record.grant.client_id != client_id:
            raise unauthorized(INVALID_REFRESH_TOKEN)
        if record.grant.revoked:
            raise forbidden("Refresh token has been revoked")
        if now >= record.expires_at:
            raise unauthorized(INVALID_REFRESH_TOKEN)
        return record

    def issue_access(
        self, refresh: RefreshToken, *, scopes: tuple[str, ...], now: float, ttl_s: int
    ) -> AccessToken:
        access = AccessToken(
            _new_token(vendor.ACCESS_TOKEN_PREFIX), refresh.grant, scopes, now + ttl_s, refresh.code
        )
        with self._lock:
            _remember(self._access, access.token, access)
        return access

    def find_access(self, token: str, *, client_id: str, now: float) -> AccessToken:
        """The access token, or 401 (unknown, expired) / 403 (another client's, revoked)."""
        with self._lock:
            record = self._access.get(token)
        if record is None:
            raise unauthorized("Invalid sumsubIdConnectToken")
        if record.grant.client_id != client_id:
            raise forbidden("sumsubIdConnectToken was issued to another client")
        if record.revoked:
            raise forbidden("sumsubIdConnectToken has been revoked")
        if now >= record.expires_at:
            raise unauthorized("sumsubIdConnectToken has expired")
        return record
