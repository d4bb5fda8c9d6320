"""The OpenID discovery document and the JWKS."""

from __future__ import annotations

from idconnect_tester import vendor
from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.responses import Response, json_response

_CLAIMS = (
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "given_name",
    "family_name",
    "name",
    "email",
    "email_verified",
    "created_at",
)


def handle_discovery(ctx: EmulatorContext) -> Response:
    base = ctx.base_url
    return json_response(
        200,
        {
            "issuer": ctx.issuer,
            "authorization_endpoint": base + vendor.AUTHORIZE_PATH,
            "token_endpoint": base + vendor.TOKEN_PATH,
            "jwks_uri": base + vendor.JWKS_PATH,
            "scopes_supported": list(vendor.SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(vendor.GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "claims_supported": list(_CLAIMS),
        },
    )


def handle_jwks(ctx: EmulatorContext) -> Response:
    return json_response(200, ctx.keys.jwks(), facts=(("kid", ctx.keys.kid),))
