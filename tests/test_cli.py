"""The command line as a user runs it: `python -m idconnect_tester …` in a real process, against
the real emulator on 127.0.0.1, checking the contract's exit codes and what lands on stdout
(the response body alone) and stderr (everything else)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.faulty_servers import closed_port
from tests.support.flows import (
    ALL_SCOPES,
    EMULATOR_APP_TOKEN,
    EMULATOR_CLIENT_ID,
    EMULATOR_SECRET_KEY,
    emulator_target,
    get_code,
    save_profile_of,
    send_token_request,
)
from tests.support.oidc import emulator_id_token

from idconnect_tester import __version__, vendor
from idconnect_tester.cli import main
from idconnect_tester.cli_contract import ENV_EMULATOR_SECRET_KEY
from idconnect_tester.cli_hints import hint_line
from idconnect_tester.core import credential_check, hints
from idconnect_tester.core.authorize import AuthorizeSession
from idconnect_tester.core.exchange import Endpoint, Hint, HintKind, UnexpectedResponse
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.request import TokenRequest
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

SECRETS = {"SUMSUB_APP_TOKEN": EMULATOR_APP_TOKEN, "SUMSUB_SECRET_KEY": EMULATOR_SECRET_KEY}
VERIFIER_CHARS = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
REFRESH = ["--grant-type", "refresh_token", "--refresh-token", "snd-id-con-r-x"]


def cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter. `env` is added to this test's environment (its
    private HOME, NO_PROXY for loopback, no SUMSUB_* variables)."""
    return subprocess.run(
        [sys.executable, "-m", "idconnect_tester", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def only_json(stdout: str) -> dict[str, Any]:
    """stdout holds one JSON object and nothing else (a trailing newline aside)."""
    assert stdout.endswith("\n") and stdout.count("\n") == 1, stdout
    value = json.loads(stdout)
    assert isinstance(value, dict)
    return value


def token_args(base_url: str, *extra: str) -> list[str]:
    return ["token", "--base-url", base_url, *extra]


def code_args(emulator: EmulatorServer, scopes: tuple[str, ...] = ALL_SCOPES) -> list[str]:
    code = get_code(emulator.base_url, scopes=scopes)
    return token_args(
        emulator.base_url,
        "--grant-type",
        "authorization_code",
        "--code",
        code.code,
        "--code-verifier",
        code.code_verifier,
    )


def assert_no_secret(done: subprocess.CompletedProcess[str], secret: str) -> None:
    assert secret not in done.stdout and secret not in done.stderr


# --- the basics ----------------------------------------------------------------------------


def test_version_and_help_with_examples() -> None:
    version = cli("--version")
    assert (version.returncode, version.stdout) == (0, f"idconnect-tester {__version__}\n")

    shown = cli("--help")
    assert shown.returncode == 0
    assert "examples:" in shown.stdout
    for command in ("emulator", "token", "share-token", "pkce", "id-token", "profile"):
        assert f"idconnect-tester {command}" in shown.stdout, command
    assert "SUMSUB_SECRET_KEY" in shown.stdout


@pytest.mark.parametrize(
    ("command", "its_own", "not_its"),
    [("token", "--grant-type", "share-token"), ("share-token", "--for-client-id", "--grant-type")],
)
def test_a_commands_help_shows_its_own_examples(command: str, its_own: str, not_its: str) -> None:
    """`token --help` listed every command's examples (the window's, the emulator's, pkce…)."""
    shown = cli(command, "--help")
    assert shown.returncode == 0
    examples = shown.stdout.split("examples:", 1)[1]
    commands = re.findall(r"idconnect-tester ([a-z-]+)", examples)
    assert commands and set(commands) <= {command, "authorize"}
    assert its_own in examples and not_its not in examples
    assert "SUMSUB_SECRET_KEY" in examples  # where secrets come from


def _assert_valid_pair(pair: dict[str, Any]) -> None:
    assert set(pair) == {"code_verifier", "code_challenge", "method"}
    assert pair["method"] == "S256"
    assert VERIFIER_CHARS.fullmatch(pair["code_verifier"])
    digest = hashlib.sha256(pair["code_verifier"].encode("ascii")).digest()
    assert pair["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_pkce_prints_a_fresh_valid_s256_pair(capsys: pytest.CaptureFixture[str]) -> None:
    done = cli("pkce")
    assert done.returncode == 0 and done.stderr == ""
    pair = only_json(done.stdout)
    _assert_valid_pair(pair)

    assert main(["pkce"]) == 0  # a second pair (in-process: a process each costs 0.3 s)
    other = json.loads(capsys.readouterr().out)
    _assert_valid_pair(other)
    assert other["code_verifier"] != pair["code_verifier"]


# --- token ---------------------------------------------------------------------------------


def test_token_code_then_refresh_from_stdin_with_secrets_from_the_environment(
    emulator: EmulatorServer,
) -> None:
    exchanged = cli(*code_args(emulator), env=SECRETS)
    assert exchanged.returncode == 0, exchanged.stderr
    body = only_json(exchanged.stdout)
    assert body["access_token"].startswith(vendor.ACCESS_TOKEN_PREFIX)
    assert body["refresh_token"].startswith(vendor.REFRESH_TOKEN_PREFIX)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    assert "id_token" in body
    assert "200 OK" in exchanged.stderr
    # No --scope: the scope was fixed at authorize, so no warning that contradicts the answer
    # (nor the window's note that its next Get code would need a scope ticked).
    assert "offline_access" not in exchanged.stderr
    assert "warning" not in exchanged.stderr

    refreshed = cli(
        *token_args(emulator.base_url, "--grant-type", "refresh_token", "--refresh-token", "-"),
        "--scope",
        "openid name",
        stdin=body["refresh_token"] + "\n",
        env=SECRETS,
    )
    assert refreshed.returncode == 0, refreshed.stderr
    again = only_json(refreshed.stdout)
    assert again["access_token"] != body["access_token"]
    assert "refresh_token" not in again and "id_token" in again
    for done in (exchanged, refreshed):
        assert_no_secret(done, EMULATOR_SECRET_KEY)


def test_an_unknown_option_is_reported_by_its_command(emulator: EmulatorServer) -> None:
    """An option the command does not know: its own usage line and name (argparse said it
    with the top-level usage, which names no command); exit 2, nothing sent."""
    done = cli(*code_args(emulator), "--bogus", env=SECRETS)
    assert done.returncode == 2 and done.stdout == ""
    assert "usage: idconnect-tester token " in done.stderr
    assert "idconnect-tester token: error: unrecognized arguments: --bogus" in done.stderr
    top = cli("--bogus")
    assert top.returncode == 2 and "idconnect-tester: error: unrecognized" in top.stderr
    # A value the command refuses is named by the command too (tryout AD: "idconnect-tester:
    # error: --port must be 0–65535" named none).
    bad = cli("emulator", "--port", "99999")
    assert bad.returncode == 2 and bad.stderr.startswith("idconnect-tester emulator: error:")


def test_a_value_read_from_empty_stdin_is_said_to_be_empty_not_missing(
    emulator: EmulatorServer,
) -> None:
    """`--refresh-token -` with nothing piped in: the option was given, standard input was
    empty — said so, not "--refresh-token is needed"."""
    done = cli(
        *token_args(emulator.base_url, "--grant-type", "refresh_token", "--refresh-token", "-"),
        stdin="",
        env=SECRETS,
    )
    assert done.returncode == 2
    assert "--refresh-token -: standard input was empty" in done.stderr
    assert "is needed" not in done.stderr


def test_an_api_error_prints_its_json_alone_and_exits_1(emulator: EmulatorServer) -> None:
    wrong_secret = "a-wrong-secret-key-from-the-command-line"
    done = cli(
        *code_args(emulator),
        "--app-token",
        EMULATOR_APP_TOKEN,
        "--secret-key",
        wrong_secret,
    )
    assert done.returncode == 1, done.stderr
    error = only_json(done.stdout)
    assert error["code"] == 401 and error["errorCode"] == vendor.ERROR_CODE_SIGNATURE_MISMATCH
    assert error["description"] == vendor.ERROR_SIGNATURE_MISMATCH
    assert "API error: Request signature mismatch" in done.stderr
    assert "hint: The signature does not match." in done.stderr
    assert_no_secret(done, wrong_secret)


# The window's controls, named in its hints ("press Get code", "the Raw panel"): nothing a
# terminal has.
WINDOW_WORDS = re.compile(
    r"Get code|\b[Pp]ress\b|\bSend\b|\b[Pp]anel\b|the form|\bTick\b|in the profile"
)


def test_a_replayed_code_is_answered_with_what_to_run_not_what_to_press(
    emulator: EmulatorServer,
) -> None:
    """Tryout W: the command line's hints said "Press Get code … then Send"."""
    args = code_args(emulator)
    assert cli(*args, env=SECRETS).returncode == 0
    done = cli(*args, env=SECRETS)  # the same code again
    assert done.returncode == 1
    hint = next(line for line in done.stderr.splitlines() if line.startswith("hint:"))
    assert "idconnect-tester authorize" in hint and "--code-verifier" in hint
    assert not WINDOW_WORDS.search(hint), hint


def _hints_a_command_can_print() -> list[Hint]:
    """Every hint the token, share-token and check commands can print: the answers' hints
    (API errors by rule, network failures by kind, unexpected answers by status) and the
    credential check's own. Not a cancelled wait's: a command has no Cancel (Ctrl+C ends it)."""
    found: list[Hint | None] = [rule.hint for rule in hints._API_RULES]
    found += [hints._URL_AS_CODE, hints._REFRESH_VERIFIER, hints._PLAIN_HTTP_PEER_HINT]
    found += hints._NETWORK_HINTS.values()
    found += [
        hints.hint_for(UnexpectedResponse(status, ()), Endpoint.TOKEN) for status in (302, 418, 502)
    ]
    found += [value for value in vars(credential_check).values() if isinstance(value, Hint)]
    return [hint for hint in found if hint is not None and hint.kind is not HintKind.CANCELLED]


def test_no_hint_on_the_command_line_names_a_control_of_the_window() -> None:
    printed = [hint_line(hint) for hint in _hints_a_command_can_print()]
    assert len(printed) > 20
    named = [line for line in printed if WINDOW_WORDS.search(line)]
    assert named == []
    # The window's hints do name its controls: the words above are the ones it uses.
    assert any(WINDOW_WORDS.search(hint.advice) for hint in _hints_a_command_can_print())


def test_an_unexpected_response_exits_1(emulator: EmulatorServer) -> None:
    args = code_args(emulator)
    emulator.set_scenario("server_error_html")
    done = cli(*args, env=SECRETS)
    assert done.returncode == 1
    assert "502 Bad Gateway" in done.stdout  # the body as received, for a look at it
    assert "unexpected response: HTTP 502" in done.stderr
    assert "hint: The server failed." in done.stderr


def test_a_network_error_exits_3_with_nothing_on_stdout() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    done = cli(*token_args(base, *REFRESH), env=SECRETS)
    assert done.returncode == 3
    assert done.stdout == ""
    assert "network error (refused)" in done.stderr
    assert "hint: Connection refused." in done.stderr


def test_https_to_the_plain_http_emulator_says_so(emulator: EmulatorServer) -> None:
    base = emulator.base_url.replace("http://", "https://")
    done = cli(*token_args(base, *REFRESH), env=SECRETS)
    assert done.returncode == 3
    hint = next(line for line in done.stderr.splitlines() if line.startswith("hint:"))
    assert "plain HTTP" in hint and "http://" in hint
    assert "certificate could not be verified" not in done.stderr


@pytest.mark.parametrize(
    ("args", "env", "base_url", "message"),
    [
        (
            ["--grant-type", "authorization_code", "--code-verifier", "v" * 43],
            SECRETS,
            None,
            "error: --code is needed with --grant-type authorization_code",
        ),
        (REFRESH, {}, None, "no app token: pass --app-token or set SUMSUB_APP_TOKEN"),
        (
            REFRESH,
            {"SUMSUB_APP_TOKEN": EMULATOR_APP_TOKEN},
            None,
            "no secret key: set SUMSUB_SECRET_KEY",
        ),
        (
            REFRESH,
            SECRETS,
            "http://api.example.com",
            "Plain http:// is only allowed to this machine",
        ),
        (
            ["--ca-bundle", "/nonexistent.pem", *REFRESH],
            SECRETS,
            None,
            "The CA bundle /nonexistent.pem does not exist: give the path of a PEM file",
        ),
    ],
    ids=["missing-code", "no-app-token", "no-secret", "http-to-another-host", "no-ca-bundle"],
)
def test_usage_errors_exit_2_and_send_nothing(
    emulator: EmulatorServer,
    args: list[str],
    env: dict[str, str],
    base_url: str | None,
    message: str,
) -> None:
    emulator.set_scenario("server_error_html")  # a request reaching the emulator would use it
    done = cli(*token_args(base_url or emulator.base_url, *args), env=env)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert message in done.stderr
    assert not emulator.wait_scenario_used(0), "nothing may be sent on a usage error"


def test_a_usage_error_says_nothing_was_sent_not_what_a_warning_would_send_anyway(
    emulator: EmulatorServer,
) -> None:
    """Tryout S: `--code ""` with a short verifier exited 2 and said the verifier was "sent
    anyway". Past an error nothing is sent: the error alone is said."""
    args = ["--grant-type", "authorization_code", "--code", "", "--code-verifier", "x"]
    done = cli(*token_args(emulator.base_url, *args), env=SECRETS)
    assert done.returncode == 2
    assert "error: --code is needed" in done.stderr
    assert "sent anyway" not in done.stderr and "warning:" not in done.stderr


def test_token_and_share_token_take_a_saved_profile_as_authorize_and_check_do(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tryout S: `authorize` and `check` take --profile, `token` and `share-token` did not. With
    it, the base URL and app token are the profile's and the secret key its keyring entry."""
    profile = save_profile_of(emulator)
    SecretStore().set(profile.id, Secret(EMULATOR_SECRET_KEY))
    code = get_code(emulator.base_url, scopes=ALL_SCOPES)
    by_profile = ["--profile", profile.name.upper()]  # found whatever its case, as elsewhere
    exchange = ["--grant-type", "authorization_code", "--code", code.code]
    verifier = ["--code-verifier", code.code_verifier]
    assert main(["token", *by_profile, *exchange, *verifier]) == 0
    access_token = json.loads(capsys.readouterr().out)["access_token"]
    share = ["--access-token", access_token, "--for-client-id", "partner"]
    assert main(["share-token", *by_profile, *share]) == 0
    assert json.loads(capsys.readouterr().out)["forClientId"] == "partner"
    # One place or the other: a profile and a base URL together are a usage error.
    with pytest.raises(SystemExit) as both:
        main(["token", *by_profile, "--base-url", emulator.base_url, *REFRESH])
    assert both.value.code == 2


# --- share-token ---------------------------------------------------------------------------


def _access_token(emulator: EmulatorServer, scopes: tuple[str, ...]) -> str:
    done = cli(*code_args(emulator, scopes), env=SECRETS)
    assert done.returncode == 0, done.stderr
    token: str = json.loads(done.stdout)["access_token"]
    return token


def share_args(emulator: EmulatorServer, access_token: str, for_client_id: str) -> list[str]:
    return [
        "share-token",
        "--base-url",
        emulator.base_url,
        "--access-token",
        access_token,
        "--for-client-id",
        for_client_id,
    ]


def test_share_token_success_with_the_access_token_from_stdin(emulator: EmulatorServer) -> None:
    access_token = _access_token(emulator, ("openid", "share"))
    done = cli(*share_args(emulator, "-", "CoolCompanyLtd"), stdin=access_token + "\n", env=SECRETS)
    assert done.returncode == 0, done.stderr
    body = only_json(done.stdout)
    assert body["forClientId"] == "CoolCompanyLtd"
    assert body["token"].startswith("_act-sbx-")


def test_share_token_without_the_share_scope_is_403_exit_1(emulator: EmulatorServer) -> None:
    access_token = _access_token(emulator, ("openid", "name"))
    done = cli(*share_args(emulator, access_token, "CoolCompanyLtd"), env=SECRETS)
    assert done.returncode == 1
    assert only_json(done.stdout)["code"] == 403
    assert "hint: The access token lacks the share scope." in done.stderr


def test_share_token_with_an_empty_client_id_is_refused_before_sending(
    emulator: EmulatorServer,
) -> None:
    # The server's documented 400 (both fields required) is caught here first, as the GUI does;
    # tests/core/test_client_integration.py shows the 400 itself with validation bypassed.
    emulator.set_scenario("server_error_html")
    done = cli(*share_args(emulator, "snd-id-con-a-x", " "), env=SECRETS)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "forClientId" in done.stderr
    assert not emulator.wait_scenario_used(0)
    # A client id with a space inside is none either (the profile and share dialogs say so).
    done = cli(*share_args(emulator, "snd-id-con-a-x", "Cool Company"), env=SECRETS)
    assert (done.returncode, done.stdout) == (2, "")
    assert "space" in done.stderr
    assert not emulator.wait_scenario_used(0)


# --- emulator ------------------------------------------------------------------------------


def _lines(stream: Any) -> queue.Queue[str]:
    """The stream's lines, read by a thread, so a test can wait for one with a timeout."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


@contextlib.contextmanager
def running_emulator(
    *options: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """`idconnect-tester emulator --port 0 …` in a process of its own (`env` added to its
    environment), ended afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "idconnect_tester", "emulator", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def emulator_process() -> Iterator[subprocess.Popen[str]]:
    with running_emulator() as process:
        yield process


def test_emulator_registers_a_web_redirect_uri_for_the_paste_flow() -> None:
    """A web app's callback (not on this machine) is accepted once registered: the browser is
    sent there with a code, which the person then pastes into the app."""
    callback = "https://app.example.test/callback"
    with running_emulator("--quiet", "--redirect-uri", callback) as process:
        assert process.stdout is not None
        base_url = _lines(process.stdout).get(timeout=15).strip()

        def authorize(redirect_uri: str) -> httpx.Response:
            attempt = AuthorizeSession.new(
                base_url + vendor.AUTHORIZE_PATH, "emulator-client", redirect_uri, vendor.SCOPES
            )
            return httpx.get(attempt.url(), follow_redirects=False, trust_env=False)

        sent = authorize(callback)
        assert sent.status_code == 302 and sent.headers["location"].startswith(callback + "?code=")
        assert authorize("https://elsewhere.example.test/cb").status_code == 400


def test_emulator_help_says_the_credentials_a_client_of_it_needs() -> None:
    """Run alone, the emulator prints its URL: what to sign with is in --help, and it is
    what the emulator accepts."""
    done = cli("emulator", "--help")
    assert done.returncode == 0
    said = " ".join(done.stdout.split())  # argparse wraps the help at the terminal's width
    defaults = EmulatorConfig()
    for value in (defaults.app_token, defaults.secret_key, defaults.client_id):
        assert f"default: {value}" in said, value
    for option in ("--ttl SECONDS", "--code-ttl SECONDS"):  # every option says what it does
        assert f"{option} " in said and said.split(f"{option} ", 1)[1][:1].islower(), option


def test_emulator_takes_a_secret_of_your_own_from_the_environment_not_the_arguments() -> None:
    """Tryout W: the emulator took its secret only as --secret-key, which every user of the
    machine reads in ps. From $IDCONNECT_EMULATOR_SECRET_KEY it signs with that one — and
    no argument of the process holds it."""
    secret = "a-secret-of-my-own"
    with running_emulator("--quiet", env={ENV_EMULATOR_SECRET_KEY: secret}) as process:
        assert process.stdout is not None
        base_url = _lines(process.stdout).get(timeout=15).strip()
        code = get_code(base_url)
        request = TokenRequest.from_form(
            "authorization_code", code=code.code, code_verifier=code.code_verifier
        )
        target = emulator_target(base_url, secret_key=secret)
        assert asyncio.run(send_token_request(target, request)).succeeded
        # What ps shows of it (Linux: the process's command line).
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert b"idconnect_tester" in command_line and secret.encode() not in command_line


def test_emulator_refuses_a_redirect_uri_that_is_no_url() -> None:
    done = cli("emulator", "--port", "0", "--redirect-uri", "app.example.test/callback")
    assert done.returncode == 2 and "--redirect-uri" in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_emulator_prints_its_url_first_serves_and_stops_on_sigterm(
    emulator_process: subprocess.Popen[str],
) -> None:
    assert emulator_process.stdout is not None and emulator_process.stderr is not None
    lines = _lines(emulator_process.stdout)
    first = lines.get(timeout=15)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+\n", first), first
    base_url = first.strip()

    discovery = httpx.get(base_url + vendor.DISCOVERY_PATH, trust_env=False)
    assert discovery.status_code == 200
    assert discovery.json()["issuer"] == base_url + "/"
    log_line = lines.get(timeout=10)
    assert f"GET {vendor.DISCOVERY_PATH} 200" in log_line

    emulator_process.send_signal(signal.SIGTERM)
    assert emulator_process.wait(timeout=10) == 0
    stderr = emulator_process.stderr.read()
    assert "Traceback" not in stderr and "WARNING" not in stderr  # on loopback: nothing to say


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_emulator_off_loopback_warns_loudly_on_stderr() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "idconnect_tester", "emulator", "--host", "0.0.0.0", "--port", "0"],  # noqa: S104
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        first = _lines(process.stdout).get(timeout=15)  # stdout's first line is still the URL
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+\n", first), first
        warning = _lines(process.stderr).get(timeout=15)
        assert warning.startswith("WARNING: the emulator listens on 0.0.0.0")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_emulator_on_a_port_in_use_exits_2_with_a_clear_message(
    emulator: EmulatorServer,
) -> None:
    port = emulator.base_url.rsplit(":", 1)[1]
    done = cli("emulator", "--port", port)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "in use" in done.stderr.lower()
    assert "--port 0" in done.stderr  # the way out, named
    assert "Traceback" not in done.stderr


# --- id-token through the main CLI ---------------------------------------------------------


def test_id_token_exit_codes_through_the_main_cli(emulator: EmulatorServer) -> None:
    import asyncio

    session, good = asyncio.run(emulator_id_token(emulator))
    emulator.set_scenario("expired_id_token")
    _, expired = asyncio.run(emulator_id_token(emulator))
    checks = ["--issuer", emulator.issuer, "--client-id", EMULATOR_CLIENT_ID]

    passed = cli("id-token", good, *checks, "--nonce", session.nonce)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "PASS  signature" in passed.stdout

    failed = cli("id-token", "-", *checks, stdin=expired)
    assert failed.returncode == 1
    assert "FAIL  exp" in failed.stdout and "FAILED: exp" in failed.stderr

    misused = cli("id-token", good, "--leeway", "-5")
    assert misused.returncode == 2
    assert "--leeway" in misused.stderr and misused.stdout == ""


# --- the GUI without a display -------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland need DISPLAY")
def test_the_gui_without_a_display_explains_instead_of_aborting() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    done = subprocess.run(
        [sys.executable, "-m", "idconnect_tester"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode > 0, "a clean non-zero exit, not a signal (Qt's abort is SIGABRT)"
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert "xvfb" in done.stderr.lower()
    assert "qt.qpa" not in done.stderr  # Qt's own plugin message never came up


def test_values_that_begin_with_a_dash_are_values(emulator: EmulatorServer) -> None:
    """PKCE verifiers and codes are random base64url: about 1 in 64 begins with "-"."""
    from idconnect_tester.cli import _join_option_values

    assert _join_option_values(["token", "--code-verifier", "-4GK", "--code", "-x="]) == [
        "token",
        "--code-verifier=-4GK",
        "--code=-x=",
    ]
    assert _join_option_values(["--refresh-token", "-"]) == ["--refresh-token=-"]
    done = cli(
        "token",
        "--base-url",
        emulator.base_url,
        "--grant-type",
        "authorization_code",
        "--code",
        "-not-a-real-code=",
        "--code-verifier",
        "-" + "v" * 50,
        env=SECRETS,
    )
    assert done.returncode == 1  # sent and refused by the emulator, not a usage error
    assert only_json(done.stdout)["description"] == "Invalid code"
