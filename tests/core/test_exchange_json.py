"""What a saved exchange record shows — and never shows — about tokens and secrets."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from tests.support.flows import (
    EMULATOR_APP_TOKEN,
    EMULATOR_SECRET_KEY,
    granted_exchange,
    refresh_request,
    share_token_exchange,
    token_exchange,
)

from idconnect_tester.core.exchange import (
    Endpoint,
    Exchange,
    ReceivedResponse,
    SentRequest,
    Timings,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.exchange_json import (
    MAX_BODY_BYTES,
    exchange_to_dict,
    mask_body_text,
    response_as_json_text,
    save_exchange_json,
)
from idconnect_tester.core.masking import SECRET_MASK, mask_token
from idconnect_tester.core.request import ShareTokenRequest

ACCESS = "snd-id-con-a-WRT7FRBRfdejpsDR8a_cYeX9BU32QP_I_Hyc93saZcg5965PfGzrHGDEdrTRseop"
REFRESH = "snd-id-con-r-Qm9fZ8x1u2Kc0PzL7aT4n9H3eV6bY1wJ5sR8dF2gH4kM7pN0qX3cT6vB9yZ2"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXZhbHVl"
NOW = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


def _dump(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _hand_made(
    body: bytes,
    *,
    status: int = 502,
    content_type: str = "text/html",
    request_headers: tuple[tuple[str, str], ...] = (),
) -> Exchange:
    """An exchange the emulator can't produce: a body with tokens where they don't belong."""
    return Exchange(
        endpoint=Endpoint.TOKEN,
        request=SentRequest(
            method="POST",
            url="https://api.example.test/resources/snsId/api/connect/token",
            headers=request_headers,
            body=json.dumps({"grant_type": "refresh_token", "refresh_token": REFRESH}).encode(),
            tls_verification="on",
        ),
        response=ReceivedResponse(
            status=status,
            reason="Bad Gateway",
            http_version="HTTP/1.1",
            headers=(("Content-Type", content_type),),
            body=body,
        ),
        outcome=UnexpectedResponse(status, ("The body is not JSON",)),
        timings=Timings(total_ms=12.5),
        started_at=NOW,
        received_at=NOW,
    )


def test_a_granted_exchange_is_recorded_with_every_token_masked(emulator) -> None:
    exchange, _ = granted_exchange(emulator.base_url)
    granted = exchange.outcome
    assert isinstance(granted, TokenGranted) and granted.refresh_token and granted.id_token

    record = exchange_to_dict(exchange)
    text = _dump(record)

    for token in (granted.access_token, granted.refresh_token, granted.id_token):
        assert token not in text
    assert record["tokens"] == "masked"
    assert record["outcome"]["kind"] == "granted"
    assert record["outcome"]["access_token"] == mask_token(granted.access_token)
    assert record["outcome"]["refresh_token"] == mask_token(granted.refresh_token)
    # The response body keeps its layout, with the tokens masked where they stood.
    response_body = json.loads(record["response"]["body"])
    assert response_body["access_token"] == mask_token(granted.access_token)
    assert response_body["id_token"] == mask_token(granted.id_token)
    assert response_body["token_type"] == "Bearer"
    assert record["response"]["status"] == 200
    assert record["started_at"].endswith("Z")


def test_secrets_are_never_in_a_record_even_with_full_tokens(emulator) -> None:
    exchange, _ = granted_exchange(emulator.base_url)
    for full in (False, True):
        record = exchange_to_dict(exchange, full_tokens=full)
        headers = {name.lower(): value for name, value in record["request"]["headers"]}
        assert headers["x-app-access-sig"] == SECRET_MASK
        assert headers["x-app-token"] != EMULATOR_APP_TOKEN  # shown masked, as it was recorded
        assert EMULATOR_SECRET_KEY not in _dump(record)


def test_a_signature_recorded_in_clear_by_mistake_is_masked_anyway() -> None:
    exchange = _hand_made(
        b"oops",
        request_headers=(("X-App-Access-Sig", "a" * 64), ("Authorization", "Bearer " + ACCESS)),
    )
    for full in (False, True):
        text = _dump(exchange_to_dict(exchange, full_tokens=full))
        assert "a" * 64 not in text
        assert ACCESS not in text


def test_refresh_and_share_request_bodies_are_masked(emulator) -> None:
    first, _ = granted_exchange(emulator.base_url)
    assert isinstance(first.outcome, TokenGranted) and first.outcome.refresh_token
    refresh_token, access_token = first.outcome.refresh_token, first.outcome.access_token

    refreshed = token_exchange(emulator.base_url, refresh_request(refresh_token))
    request_body = json.loads(exchange_to_dict(refreshed)["request"]["body"])
    assert request_body["refresh_token"] == mask_token(refresh_token)
    assert request_body["grant_type"] == "refresh_token"

    shared = share_token_exchange(emulator.base_url, ShareTokenRequest(access_token, "partner-co"))
    record = exchange_to_dict(shared)
    assert json.loads(record["request"]["body"])["sumsubIdConnectToken"] == mask_token(access_token)
    assert json.loads(record["request"]["body"])["forClientId"] == "partner-co"
    share_token = json.loads(shared.response.body)["token"]  # type: ignore[union-attr]
    assert share_token not in _dump(record)
    assert record["outcome"]["kind"] == "share_granted"
    assert record["outcome"]["token"] == mask_token(share_token)


def test_tokens_inside_a_non_json_body_are_masked_and_the_text_kept() -> None:
    page = f"<html><body>upstream said: access={ACCESS}; id={JWT}</body></html>".encode()
    record = exchange_to_dict(_hand_made(page))
    body = record["response"]["body"]
    assert ACCESS not in body and JWT not in body
    assert mask_token(ACCESS) in body and mask_token(JWT) in body
    assert body.startswith("<html><body>upstream said: access=")
    assert REFRESH not in record["request"]["body"]


def test_full_tokens_opt_in_keeps_tokens_but_not_secrets(emulator) -> None:
    exchange, _ = granted_exchange(emulator.base_url)
    granted = exchange.outcome
    assert isinstance(granted, TokenGranted) and granted.refresh_token and granted.id_token
    assert exchange.response is not None
    record = exchange_to_dict(exchange, full_tokens=True)
    text = _dump(record)
    assert record["tokens"] == "full"
    assert record["outcome"]["access_token"] == granted.access_token
    assert granted.refresh_token in text
    assert granted.id_token in text
    assert json.loads(record["response"]["body"]) == json.loads(exchange.response.body)


def test_a_huge_body_is_cut_to_256_kb_with_a_note_after_masking() -> None:
    # The token straddles the cut: masking first means no part of it survives unmasked.
    filler = "x" * (MAX_BODY_BYTES - 20)
    exchange = _hand_made(f"{filler} {ACCESS} tail".encode() + b"y" * 500_000)
    response = exchange_to_dict(exchange)["response"]
    assert len(response["body"].encode()) <= MAX_BODY_BYTES
    assert "truncated" in response["body_note"]
    assert response["body_bytes"] == len(exchange.response.body)  # type: ignore[union-attr]
    # The note gives the body's own size, as body_bytes does (tryout AH: a 5 MB body's note
    # said 262,281 bytes: the size of a cut already made).
    assert f"{response['body_bytes']:,} bytes" in response["body_note"]
    assert ACCESS[13:30] not in response["body"]


def test_save_writes_an_owner_only_masked_file(emulator, tmp_path) -> None:
    exchange, _ = granted_exchange(emulator.base_url)
    assert isinstance(exchange.outcome, TokenGranted)
    tmp_path.chmod(0o755)  # the folder the person chose
    path = tmp_path / "exchange.json"
    save_exchange_json(exchange, path)
    content = path.read_text(encoding="utf-8")
    assert json.loads(content)["outcome"]["kind"] == "granted"
    assert exchange.outcome.access_token not in content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755  # the file is private, not the folder
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_copy_response_as_json_is_pretty_and_unmasked(emulator) -> None:
    exchange, _ = granted_exchange(emulator.base_url)
    assert isinstance(exchange.outcome, TokenGranted)
    copied = response_as_json_text(exchange)
    assert copied.startswith("{\n  ")
    assert json.loads(copied)["access_token"] == exchange.outcome.access_token


def test_copy_response_of_a_non_json_body_gives_the_text() -> None:
    assert response_as_json_text(_hand_made(b"<h1>502</h1>")) == "<h1>502</h1>"


_token_chars = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    min_size=24,
    max_size=80,
)


@given(
    suffix=_token_chars,
    prefix=st.sampled_from(["snd-id-con-a-", "snd-id-con-r-"]),
    before=st.text(max_size=30),
    after=st.sampled_from(["", " ", '"', "<", ".", ",", "\n"]),
)
def test_no_vendor_token_survives_masking_in_any_text(
    suffix: str, prefix: str, before: str, after: str
) -> None:
    token = prefix + suffix
    masked = mask_body_text(f"{before} {token}{after}")
    assert token not in masked
    assert mask_body_text(masked) == masked  # masking twice changes nothing
