""" "Copy as curl": the snippet, pasted into a real shell, signs and sends the exact request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from tests.support.flows import (
    EMULATOR_APP_TOKEN,
    EMULATOR_SECRET_KEY,
    get_code,
    granted_exchange,
    share_token_exchange,
)

from idconnect_tester import vendor
from idconnect_tester.core.curl_export import (
    MISSING_SECRET_MESSAGE,
    curl_command,
    curl_for_exchange,
    shell_quote,
    signed_path,
)
from idconnect_tester.core.exchange import Endpoint, Exchange, NotSent, Timings, TokenGranted
from idconnect_tester.core.request import ShareTokenRequest, encode_json_body

pytestmark = pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("curl") and shutil.which("openssl")),
    reason="needs bash, curl and openssl",
)


def _run(
    snippet: str, *, secret: str | None = EMULATOR_SECRET_KEY
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SUMSUB_SECRET_KEY"}
    if secret is not None:
        env["SUMSUB_SECRET_KEY"] = secret
    return subprocess.run(
        ["bash", "-c", snippet], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_the_snippet_gets_a_token_for_a_real_code(emulator) -> None:
    code = get_code(emulator.base_url, scopes=("openid", "offline_access"))
    body = code.token_request().body_bytes()
    snippet = curl_command(emulator.base_url + vendor.TOKEN_PATH, EMULATOR_APP_TOKEN, body)

    result = _run(snippet)

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["access_token"].startswith(vendor.ACCESS_TOKEN_PREFIX)
    assert answer["refresh_token"].startswith(vendor.REFRESH_TOKEN_PREFIX)
    assert answer["token_type"] == "Bearer"


def test_a_body_with_a_quote_survives_and_is_signed_correctly(emulator) -> None:
    first, _ = granted_exchange(emulator.base_url, scopes=("openid", "share"))
    assert isinstance(first.outcome, TokenGranted)
    # Sent once by the app, then replayed from the copied snippet: same bytes, fresh signature.
    shared = share_token_exchange(
        emulator.base_url, ShareTokenRequest(first.outcome.access_token, "O'Brien & Sons $HOME")
    )
    snippet = curl_for_exchange(shared, EMULATOR_APP_TOKEN)

    result = _run(snippet)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["forClientId"] == "O'Brien & Sons $HOME"


@pytest.mark.parametrize(
    "body",
    [
        encode_json_body({"forClientId": "it's a 'test' \\ $x `y` %s"}),
        b"raw\nlines 'quoted'\n\n",  # a trailing newline must survive too
    ],
)
def test_the_body_variable_holds_the_exact_bytes(body: bytes) -> None:
    snippet = curl_command("http://127.0.0.1:1/x", "sbx:t", body)
    # Everything up to the signature line, then print the body instead of sending it.
    prologue = snippet.split("  X_APP_ACCESS_TS=")[0].removeprefix("(\n")
    result = _run(prologue + 'printf %s "$BODY"')
    assert result.stdout == body.decode()


def test_without_the_secret_it_stops_with_a_clear_message() -> None:
    snippet = curl_command("http://127.0.0.1:1/resources/x", "sbx:t", b"{}")
    result = _run(snippet, secret=None)
    assert result.returncode != 0
    assert MISSING_SECRET_MESSAGE in result.stderr
    assert "curl:" not in result.stderr  # nothing was sent


def test_the_snippet_never_contains_the_secret(emulator) -> None:
    exchange, _ = granted_exchange(emulator.base_url)
    snippet = curl_for_exchange(exchange, EMULATOR_APP_TOKEN)
    assert EMULATOR_SECRET_KEY not in snippet
    assert "$SUMSUB_SECRET_KEY" in snippet
    assert f"X-App-Token: {EMULATOR_APP_TOKEN}" in snippet
    assert snippet.count("\\\n") >= 6  # one option per line, readable


def test_the_signed_path_includes_the_query_exactly() -> None:
    assert signed_path("https://h/a/b?x=1&y=%20z") == "/a/b?x=1&y=%20z"
    assert signed_path("https://h") == "/"
    snippet = curl_command("https://h/a/b?x=1&y=%20z", "sbx:t", b"{}")
    assert "POST/a/b?x=1&y=%20z" in snippet


def test_shell_quote_round_trips() -> None:
    value = "a'b\"c$d`e\\f"
    assert _run(f"printf %s {shell_quote(value)}").stdout == value


def test_nothing_sent_has_no_snippet() -> None:
    now = datetime.now(UTC)
    exchange = Exchange(Endpoint.TOKEN, None, None, NotSent("no"), Timings(0.0), now, now)
    with pytest.raises(ValueError, match="Nothing was sent"):
        curl_for_exchange(exchange, "sbx:t")
