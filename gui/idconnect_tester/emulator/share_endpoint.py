"""POST /resources/accessTokens/sumsubIdShareToken: mints a share token from an access token."""

from __future__ import annotations

import uuid

from idconnect_tester import vendor
from idconnect_tester.emulator.auth import SignedRequest
from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.errors import bad_request, forbidden
from idconnect_tester.emulator.json_body import wrong_type
from idconnect_tester.emulator.request_log import mask
from idconnect_tester.emulator.responses import Response, json_response

MAX_SHARE_TTL_S = 86400


def handle_share_token(ctx: EmulatorContext, request: SignedRequest) -> Response:
    body = request.body
    connect_token = body.get(vendor.SHARE_FIELD_CONNECT_TOKEN)
    for_client_id = body.get(vendor.SHARE_FIELD_FOR_CLIENT_ID)
    # The vendor's one documented message covers both fields, absent (or null) and empty alike.
    if connect_token in (None, "") or for_client_id in (None, ""):
        raise bad_request(vendor.ERROR_SHARE_MISSING_FIELDS)
    if not isinstance(connect_token, str):
        raise wrong_type(vendor.SHARE_FIELD_CONNECT_TOKEN, "a string", connect_token)
    if not isinstance(for_client_id, str):
        raise wrong_type(vendor.SHARE_FIELD_FOR_CLIENT_ID, "a string", for_client_id)
    request.notes["at"] = mask(connect_token)
    ttl = body.get(vendor.SHARE_FIELD_TTL, vendor.SHARE_DEFAULT_TTL_S)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= MAX_SHARE_TTL_S:
        raise bad_request(
            f"'{vendor.SHARE_FIELD_TTL}' must be an integer from 1 to {MAX_SHARE_TTL_S}"
        )

    access = ctx.store.find_access(
        connect_token, client_id=request.caller.client_id, now=ctx.clock()
    )
    if "share" not in access.scopes:
        raise forbidden("sumsubIdConnectToken lacks the 'share' scope")
    # Sandbox app tokens get sandbox share tokens, as Sumsub's own access tokens are marked.
    prefix = "_act-sbx-" if request.caller.sandbox else "_act-"
    return json_response(200, {"token": prefix + str(uuid.uuid4()), "forClientId": for_client_id})
