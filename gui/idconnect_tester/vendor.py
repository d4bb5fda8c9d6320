"""Sumsub ID Connect constants: the few vendor facts both the client and the emulator read.

Only plain data lives here (paths, names, prefixes). Behaviour — signing, PKCE, token checks —
is written separately in `core/` and `emulator/` so that a mistake in one cannot hide by agreeing
with itself. Sources: the vendor's API reference for the token endpoint (docs.sumsub.com, "Get
Sumsub ID Connect token") and its Sumsub ID pages; docs/emulator.md says where it is silent.
"""

from __future__ import annotations

from typing import Final

# --- Endpoints (paths on the API host, and on the ID host for authorize/discovery) ---
TOKEN_PATH: Final = "/resources/snsId/api/connect/token"
SHARE_TOKEN_PATH: Final = "/resources/accessTokens/sumsubIdShareToken"
AUTHORIZE_PATH: Final = "/api/snsId/oauth/authorize"
DISCOVERY_PATH: Final = "/.well-known/openid-configuration"
JWKS_PATH: Final = "/.well-known/jwks.json"

DEFAULT_API_BASE_URL: Final = "https://api.sumsub.com"
DEFAULT_ISSUER: Final = "https://id.sumsub.com/"

# --- Request signing headers ---
HEADER_APP_TOKEN: Final = "X-App-Token"
HEADER_ACCESS_TS: Final = "X-App-Access-Ts"
HEADER_ACCESS_SIG: Final = "X-App-Access-Sig"
SIGNATURE_MAX_SKEW_S: Final = 60  # "must be within one minute of the server's clock"

SANDBOX_TOKEN_PREFIX: Final = "sbx:"

# --- Grant types and body field names (note the mixed casing of the vendor's body) ---
GRANT_AUTHORIZATION_CODE: Final = "authorization_code"
GRANT_REFRESH_TOKEN: Final = "refresh_token"
GRANT_TYPES: Final = (GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN)

FIELD_GRANT_TYPE: Final = "grant_type"
FIELD_CODE: Final = "code"
FIELD_CODE_VERIFIER: Final = "codeVerifier"  # camelCase, unlike its neighbours
FIELD_REFRESH_TOKEN: Final = "refresh_token"
FIELD_SCOPE: Final = "scope"

SHARE_FIELD_CONNECT_TOKEN: Final = "sumsubIdConnectToken"
SHARE_FIELD_FOR_CLIENT_ID: Final = "forClientId"
SHARE_FIELD_TTL: Final = "ttlInSecs"
SHARE_DEFAULT_TTL_S: Final = 1800

# --- Scopes, in the stable order they are sent, with the reference page's descriptions ---
SCOPE_DESCRIPTIONS: Final[dict[str, str]] = {
    "openid": "Returns the ID token (id_token). Required by OpenID Connect (OIDC).",
    "profile": "Grants access to the user's basic profile information.",
    "email": "Grants access to the user's email address.",
    "name": "Grants access to the user's name information.",
    "share": "Grants permission to generate a Sumsub ID Share token.",
    "offline_access": "Grants permission to obtain a refresh_token.",
}
SCOPES: Final = tuple(SCOPE_DESCRIPTIONS)

# --- Token prefixes seen in the vendor's examples ---
ACCESS_TOKEN_PREFIX: Final = "snd-id-con-a-"
REFRESH_TOKEN_PREFIX: Final = "snd-id-con-r-"

# --- Documented error bodies ---
ERROR_INVALID_CODE: Final = "Invalid code"
ERROR_INVALID_CLIENT_ID_PREFIX: Final = "Invalid clientId: "
ERROR_SHARE_MISSING_FIELDS: Final = (
    "'forClientId' and 'sumsubIdConnectToken' must be provided for creating Sumsub ID share token"
)
ERROR_SIGNATURE_MISMATCH: Final = "Request signature mismatch"
ERROR_CODE_SIGNATURE_MISMATCH: Final = 4003
ERROR_NAME_SIGNATURE_MISMATCH: Final = "app-token-signature mismatch"
ERROR_CODE_REQUEST_EXPIRED: Final = 4004
ERROR_NAME_REQUEST_EXPIRED: Final = "app-token-request-expired"
