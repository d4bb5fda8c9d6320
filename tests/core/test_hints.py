import asyncio

import pytest
from tests.support.flows import emulator_target

from idconnect_tester import vendor
from idconnect_tester.core.client import IdConnectClient
from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    HintKind,
    NetworkError,
    NetworkErrorKind,
    UnexpectedResponse,
)
from idconnect_tester.core.hints import hint_for
from idconnect_tester.core.request import TokenRequest
from idconnect_tester.emulator import EmulatorServer


@pytest.mark.parametrize(
    ("error", "endpoint", "kind", "advice_fragment"),
    [
        (
            ApiError(404, "Invalid clientId: client_id", 404, "c"),
            Endpoint.TOKEN,
            HintKind.SUMSUB_ID_NOT_ENABLED,
            "Ask Sumsub support",
        ),
        (ApiError(401, "Invalid code", 401), Endpoint.TOKEN, HintKind.INVALID_CODE, "verifier"),
        (
            ApiError(401, "Request signature mismatch", 401, None, 4003),
            Endpoint.TOKEN,
            HintKind.SIGNATURE_MISMATCH,
            "secret key",
        ),
        (
            ApiError(401, "Request expired", 401, None, 4004, "app-token-request-expired"),
            Endpoint.TOKEN,
            HintKind.TIMESTAMP_OFF,
            "clock",
        ),
        (ApiError(403, "Token revoked", 403), Endpoint.SHARE_TOKEN, HintKind.FORBIDDEN, "sandbox"),
        (
            ApiError(400, "'forClientId' and 'sumsubIdConnectToken' must be provided", 400),
            Endpoint.SHARE_TOKEN,
            HintKind.SHARE_FIELDS_MISSING,
            "forClientId",
        ),
        (
            ApiError(401, "Invalid refresh token", 401),
            Endpoint.TOKEN,
            HintKind.REFRESH_TOKEN_REFUSED,
            "offline",
        ),
        (ApiError(429, "Too many", 429), Endpoint.TOKEN, HintKind.RATE_LIMITED, "Retry-After"),
    ],
)
def test_known_api_errors_get_plain_hints(error, endpoint, kind, advice_fragment) -> None:
    hint = hint_for(error, endpoint)
    assert hint is not None
    assert hint.kind is kind
    assert advice_fragment.lower() in hint.advice.lower()


def test_4004_wins_over_the_generic_401() -> None:
    hint = hint_for(ApiError(401, "whatever", error_code=4004), Endpoint.TOKEN)
    assert hint is not None and hint.kind is HintKind.TIMESTAMP_OFF


@pytest.mark.parametrize("kind", list(NetworkErrorKind))
def test_every_network_kind_has_advice(kind: NetworkErrorKind) -> None:
    hint = hint_for(NetworkError(kind, "x"), Endpoint.TOKEN)
    assert hint is not None and hint.advice
    assert hint.kind is not HintKind.UNKNOWN


def test_each_network_kind_has_a_hint_of_its_own() -> None:
    kinds = {hint_for(NetworkError(kind, "x"), Endpoint.TOKEN) for kind in NetworkErrorKind}
    assert len({hint.kind for hint in kinds if hint is not None}) == len(NetworkErrorKind)


@pytest.mark.parametrize(
    "message",
    [
        "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
        "[SSL: RECORD_LAYER_FAILURE] record layer failure (_ssl.c:1000)",
        "[SSL: PACKET_LENGTH_TOO_LONG] packet length too long (_ssl.c:1000)",
    ],
    ids=["openssl-3.0", "openssl-3.2", "openssl-1.1"],
)
def test_tls_to_a_plain_http_port_says_so_instead_of_blaming_certificates(message: str) -> None:
    hint = hint_for(NetworkError(NetworkErrorKind.TLS, message), Endpoint.TOKEN)
    assert hint is not None and hint.kind is HintKind.PLAIN_HTTP_PEER
    assert "http://" in hint.advice and "this machine" in hint.advice


def test_a_certificate_failure_keeps_the_certificate_hint() -> None:
    message = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    hint = hint_for(NetworkError(NetworkErrorKind.TLS, message), Endpoint.TOKEN)
    assert hint is not None and hint.kind is HintKind.TLS


def test_unexpected_responses_are_explained_by_status() -> None:
    gateway = hint_for(UnexpectedResponse(502, ("HTML",)), Endpoint.TOKEN)
    redirect = hint_for(UnexpectedResponse(301, ("redirect",)), Endpoint.TOKEN)
    odd = hint_for(UnexpectedResponse(200, ("bad",)), Endpoint.TOKEN)
    assert gateway and gateway.kind is HintKind.SERVER_FAILED
    assert redirect and redirect.kind is HintKind.REDIRECTED and "api.sumsub.com" in redirect.advice
    assert odd and odd.kind is HintKind.UNDOCUMENTED_RESPONSE and "Raw panel" in odd.advice


def test_unknown_api_error_has_no_invented_hint() -> None:
    assert hint_for(ApiError(418, "I'm a teapot"), Endpoint.TOKEN) is None


@pytest.mark.parametrize(
    "sent_code",
    [
        "http://127.0.0.1:8765/callback?code=abc&state=xyz",
        "?code=abc&state=xyz",
        "code=abc&state=xyz",
        "https://oauth.pstmn.io/v1/callback?code=abc",
    ],
)
def test_invalid_code_for_a_url_sent_as_the_code_says_so(sent_code: str) -> None:
    hint = hint_for(ApiError(401, "Invalid code", 401), Endpoint.TOKEN, sent_code=sent_code)
    assert hint is not None
    assert hint.kind is HintKind.URL_AS_CODE
    assert "code=" in hint.advice


def test_invalid_code_for_a_plain_code_keeps_the_usual_hint() -> None:
    hint = hint_for(ApiError(401, "Invalid code", 401), Endpoint.TOKEN, sent_code="Zm9vYmFy-1")
    assert hint is not None and hint.kind is HintKind.INVALID_CODE
    assert "single-use" in hint.advice


def test_the_emulators_answer_to_a_url_sent_as_the_code_gets_the_url_hint(
    emulator: EmulatorServer,
) -> None:
    request = TokenRequest.from_form(
        vendor.GRANT_AUTHORIZATION_CODE,
        code=f"http://127.0.0.1:8765/callback?code={'a' * 20}&state=s",
        code_verifier="v" * 43,
    )

    async def send() -> Exchange:
        client = IdConnectClient(emulator_target(emulator.base_url))
        try:
            return await client.token(request)
        finally:
            await client.aclose()

    exchange = asyncio.run(send())
    assert isinstance(exchange.outcome, ApiError) and exchange.outcome.status == 401
    assert exchange.hint is not None and exchange.hint.kind is HintKind.URL_AS_CODE


def test_invalid_code_on_a_refresh_is_about_the_verifier_not_a_fresh_code() -> None:
    refused = ApiError(401, "Invalid code")
    on_refresh = hint_for(refused, Endpoint.TOKEN, grant_type="refresh_token")
    on_exchange = hint_for(refused, Endpoint.TOKEN, grant_type="authorization_code")
    assert on_refresh is not None and on_exchange is not None
    assert "verifier" in on_refresh.advice and "refresh token" in on_refresh.advice
    assert on_refresh.kind is HintKind.REFRESH_VERIFIER_MISMATCH
    assert on_exchange.kind is HintKind.INVALID_CODE


def test_a_cancel_is_explained_for_the_grant_that_was_cancelled() -> None:
    stopped = NetworkError(NetworkErrorKind.CANCELLED, "The wait was stopped")
    by_code = hint_for(stopped, Endpoint.TOKEN, grant_type="authorization_code")
    by_refresh = hint_for(stopped, Endpoint.TOKEN, grant_type="refresh_token")
    assert by_code is not None and by_code.kind is HintKind.CANCELLED
    assert "Get code" in by_code.advice
    assert by_refresh is not None and "Get code" not in by_refresh.advice
    assert "refresh token" in by_refresh.advice
