"""POST /resources/snsId/api/connect/token: authorization_code and refresh_token grants."""

from __future__ import annotations

from idconnect_tester import vendor
from idconnect_tester.emulator.auth import SignedRequest
from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.errors import bad_request
from idconnect_tester.emulator.id_tokens import mint_id_token
from idconnect_tester.emulator.json_body import optional_string, required_string
from idconnect_tester.emulator.request_log import mask
from idconnect_tester.emulator.responses import Response, json_response
from idconnect_tester.emulator.scopes import ScopeError, parse_scope
from idconnect_tester.emulator.tokens import (
    AccessToken,
    RefreshToken,
    invalid_code,
    verifier_matches,
)


def handle_token(ctx: EmulatorContext, request: SignedRequest) -> Response:
    grant_type = required_string(request.body, vendor.FIELD_GRANT_TYPE)
    request.notes["grant"] = grant_type
    if grant_type == vendor.GRANT_AUTHORIZATION_CODE:
        return _exchange_code(ctx, request)
    if grant_type == vendor.GRANT_REFRESH_TOKEN:
        return _refresh(ctx, request)
    raise bad_request(f"unsupported grant_type '{grant_type[:100]}'")


def _exchange_code(ctx: EmulatorContext, request: SignedRequest) -> Response:
    code = required_string(request.body, vendor.FIELD_CODE)
    request.notes["code"] = mask(code)
    verifier = required_string(request.body, vendor.FIELD_CODE_VERIFIER)
    now = ctx.clock()
    issued = ctx.store.redeem_code(
        code,
        client_id=request.caller.client_id,
        code_verifier=verifier,
        now=now,
        code_ttl_s=ctx.config.code_ttl_s,
        access_ttl_s=ctx.config.ttl_s,
        refresh_ttl_s=ctx.config.refresh_ttl_s,
    )
    return _token_response(ctx, request, issued.access, issued.refresh, now)


def _refresh(ctx: EmulatorContext, request: SignedRequest) -> Response:
    body = request.body
    refresh_token = required_string(body, vendor.FIELD_REFRESH_TOKEN)
    request.notes["rt"] = mask(refresh_token)
    # Optional on refresh, but when sent it must be the original verifier (the vendor's example
    # sends it; a wrong one is a client bug worth surfacing, not ignoring).
    verifier = optional_string(body, vendor.FIELD_CODE_VERIFIER)
    if verifier == "":
        raise bad_request(f"'{vendor.FIELD_CODE_VERIFIER}' must not be empty")
    scope_text = optional_string(body, vendor.FIELD_SCOPE)
    requested: tuple[str, ...] | None = None
    if scope_text is not None:
        try:
            requested = parse_scope(scope_text)
        except ScopeError as exc:
            raise bad_request(str(exc)) from None

    now = ctx.clock()
    record = ctx.store.find_refresh(refresh_token, client_id=request.caller.client_id, now=now)
    grant = record.grant
    if verifier is not None and not verifier_matches(verifier, grant.code_challenge):
        raise invalid_code()
    scopes = grant.scopes
    if requested is not None:
        extra = [scope for scope in requested if scope not in grant.scopes]
        if extra:
            raise bad_request(
                f"scope not granted: {' '.join(extra)} (granted: {' '.join(grant.scopes)})"
            )
        scopes = requested
    access = ctx.store.issue_access(record, scopes=scopes, now=now, ttl_s=ctx.config.ttl_s)
    # No rotation: a refresh never returns a new refresh_token (the vendor's example has none).
    return _token_response(ctx, request, access, None, now)


def _token_response(
    ctx: EmulatorContext,
    request: SignedRequest,
    access: AccessToken,
    refresh: RefreshToken | None,
    now: float,
) -> Response:
    # Key order as in the vendor's example response.
    payload: dict[str, object] = {"access_token": access.token}
    if refresh is not None:
        payload["refresh_token"] = refresh.token
    payload["token_type"] = "Bearer"
    payload["expires_in"] = ctx.config.ttl_s
    if "openid" in access.scopes:
        # Only now is an id_token drill used up: a response without an id_token leaves it armed.
        drill = ctx.scenarios.take("id_token")
        if drill is not None:
            request.notes["drill"] = drill.name
            request.notes["drill_kind"] = drill.spec.kind
        payload["id_token"] = mint_id_token(
            ctx.keys,
            issuer=ctx.issuer,
            grant=access.grant,
            scopes=access.scopes,
            now=now,
            ttl_s=ctx.config.ttl_s,
            fault=drill.name if drill is not None else None,
        )
    return json_response(200, payload)
