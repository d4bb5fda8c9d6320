""" "Copy as curl": the snippet, pasted into a real shell, signs and sends the exact request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

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
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("curl") and shutil.which("openssl")),
    reason="needs bash, curl and openssl",
)


def _run(
    snippet: str,
    *,
    secret: str | None = EMULATOR_SECRET_KEY,
    shell: str = "bash",
    path: str | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SUMSUB_SECRET_KEY"}
    if secret is not None:
        env["SUMSUB_SECRET_KEY"] = secret
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [shell, "-c", snippet], env=env, capture_output=True, text=True, timeout=30, check=False
    )


# Every program the snippet may start. Anything else is "command not found" under the
# recording PATH below, so a new program in the snippet can't escape the argument check.
_SNIPPET_PROGRAMS = ("date", "wc", "cat", "od", "openssl", "sed", "curl")


def _recording_path(directory: Path, log: Path) -> str:
    """A PATH of one folder of shims: each appends its program's argv (NUL-separated, one
    record per line) to `log`, then runs the real program with the same arguments."""
    directory.mkdir()
    for name in _SNIPPET_PROGRAMS:
        real = shutil.which(name)
        assert real is not None, name
        shim = directory / name
        shim.write_text(
            "#!/bin/sh\n"
            f'{{ printf \'%s\\0\' "$0" "$@"; echo; }} >> {shell_quote(str(log))}\n'
            f'exec {shell_quote(real)} "$@"\n'
        )
        shim.chmod(0o755)
    return str(directory)


# A key longer than SHA-256's block (hashed first), with the bytes whose pads are NUL
# ("6" ^ 0x36, "\\" ^ 0x5c) and characters beyond ASCII.
_AWKWARD_SECRET = "6\\" * 20 + "ключ-秘密-" + "k" * 30


@pytest.mark.parametrize("shell", ["sh", "bash", "zsh"])
@pytest.mark.parametrize("secret", [EMULATOR_SECRET_KEY, "6\\short", _AWKWARD_SECRET])
def test_the_secret_is_in_no_program_s_arguments(tmp_path: Path, shell: str, secret: str) -> None:
    """Arguments of running programs are public (`ps`, /proc/*/cmdline): the snippet signs
    without the secret ever being one, and the emulator still accepts the signature."""
    shell_path = shutil.which(shell)  # found here: PATH will hold only the shims
    if shell_path is None:
        pytest.skip(f"{shell} is not installed")
    log = tmp_path / "argv.log"
    recording = _recording_path(tmp_path / "shims", log)
    config = EmulatorConfig(secret_key=secret, log=False)
    with EmulatorServer(config) as server:
        body = get_code(server.base_url).token_request().body_bytes()
        snippet = curl_command(server.base_url + vendor.TOKEN_PATH, EMULATOR_APP_TOKEN, body)

        result = _run(snippet, secret=secret, shell=shell_path, path=recording)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["access_token"].startswith(vendor.ACCESS_TOKEN_PREFIX)
    records = log.read_bytes().split(b"\n")
    started = {record.split(b"\0", 1)[0].rsplit(b"/", 1)[-1] for record in records if record}
    assert {b"openssl", b"curl"} <= started  # the shims really saw the programs run
    assert secret.encode() not in log.read_bytes()
    assert secret not in snippet
    # Nor the body's code and verifier (or a refresh token): curl reads the body from a pipe.
    sent = {value for value in json.loads(body).values() if value != "authorization_code"}
    assert sent and all(value.encode() not in log.read_bytes() for value in sent)


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


def test_a_warning_comes_first_as_comment_lines_and_the_snippet_still_runs(emulator) -> None:
    code = get_code(emulator.base_url, scopes=("openid",))
    body = code.token_request().body_bytes()
    warning = "this code is spent\n$(touch /tmp/never) `id`; Get code first"
    snippet = curl_command(
        emulator.base_url + vendor.TOKEN_PATH, EMULATOR_APP_TOKEN, body, warning=warning
    )

    assert snippet.splitlines()[:2] == [
        "# Warning: this code is spent",
        "# Warning: $(touch /tmp/never) `id`; Get code first",  # a comment: never run
    ]
    result = _run(snippet)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["access_token"].startswith(vendor.ACCESS_TOKEN_PREFIX)


def test_a_body_with_a_quote_survives_and_is_signed_correctly(emulator) -> None:
    first, _ = granted_exchange(emulator.base_url, scopes=("openid", "share"))
    assert isinstance(first.outcome, TokenGranted)
    # Sent once by the app, then replayed from the copied snippet: same bytes, fresh signature.
    shared = share_token_exchange(
        emulator.base_url, ShareTokenRequest(first.outcome.access_token, "O'Brien&Sons$HOME`id`")
    )
    snippet = curl_for_exchange(shared, EMULATOR_APP_TOKEN)

    result = _run(snippet)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["forClientId"] == "O'Brien&Sons$HOME`id`"


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
