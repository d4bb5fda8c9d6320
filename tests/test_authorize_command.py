"""`idconnect-tester authorize` as a user runs it: a real process against the real emulator,
with the contract's output ({code, code_verifier, state, nonce, redirect_uri}) and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import httpx
import pytest
from tests.support.faulty_servers import closed_port
from tests.support.flows import save_profile_of
from tests.test_cli import SECRETS, cli, only_json

from idconnect_tester.cli import main
from idconnect_tester.core.target import is_loopback_host
from idconnect_tester.emulator import EmulatorServer

KEYS = {"code", "code_verifier", "state", "nonce", "redirect_uri"}


def authorize(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return cli("authorize", *args, **options)


def test_follow_prints_a_code_that_token_and_id_token_accept(
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    done = authorize("--base-url", emulator.base_url, "--follow")
    assert done.returncode == 0, done.stderr
    printed = only_json(done.stdout)
    assert set(printed) == KEYS
    assert is_loopback_host(httpx.URL(printed["redirect_uri"]).host)
    assert "state verified" in done.stderr

    # The next commands take it from there (in-process: a process each costs 0.3 s).
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    code = main(
        [
            "token",
            *("--base-url", emulator.base_url, "--grant-type", "authorization_code"),
            *("--code", printed["code"], "--code-verifier", printed["code_verifier"]),
        ]
    )
    body = json.loads(capsys.readouterr().out)
    assert code == 0 and "id_token" in body
    verified = main(
        [
            "id-token",
            body["id_token"],
            *("--issuer", emulator.issuer, "--client-id", "emulator-client"),
            *("--nonce", printed["nonce"]),
        ]
    )
    assert verified == 0, capsys.readouterr()


def test_an_oauth_error_exits_1_with_the_servers_words(emulator: EmulatorServer) -> None:
    done = authorize("--base-url", emulator.base_url, "--client-id", "nobody", "--follow")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "invalid_request: Unknown client_id" in done.stderr


def test_an_unreachable_authorization_server_exits_3() -> None:
    done = authorize("--base-url", f"http://127.0.0.1:{closed_port()}", "--follow")
    assert done.returncode == 3 and done.stdout == ""
    assert "could not be reached (refused)" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --profile NAME or --base-url URL"),
        (["--profile", "Nope", "--base-url", "http://127.0.0.1:1"], "--profile takes"),
        (["--profile", "Nope"], "no profile named 'Nope'"),
        (["--profile", "Built-in emulator"], "runs inside the app"),
        (["--base-url", "http://api.example.com"], "Plain http:// is only allowed"),
        (
            ["--base-url", "http://127.0.0.1:1", "--redirect-uri", "https://x.example/cb"],
            "needs a loopback redirect URI",
        ),
        (["--base-url", "http://127.0.0.1:1", "--scope", "openid everything"], "unknown scope"),
        (["--base-url", "http://127.0.0.1:1", "--client-id", ""], "Enter the client id"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = authorize(*args, "--follow")
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and message in done.stderr


def test_paste_needs_a_redirect_uri_and_options_exclude_each_other() -> None:
    done = authorize("--base-url", "http://127.0.0.1:1", "--no-browser")
    assert done.returncode == 2 and "redirect URI" in done.stderr
    assert "--redirect-uri:" in done.stderr  # the option that gives it (tryout Z)
    done = authorize("--base-url", "http://127.0.0.1:1", "--no-browser", "--follow")
    assert done.returncode == 2 and "not allowed with" in done.stderr


def run_pasting(
    *args: str, rewrite_state: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command in --no-browser mode as a person would: read the authorize URL it prints
    on stderr, consent (the emulator redirects at once), paste the address the browser would
    land on. `rewrite_state` forges the redirect's state."""
    process = subprocess.Popen(
        [sys.executable, "-m", "idconnect_tester", *args, "--no-browser"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stderr is not None
    said: list[str] = []
    while not (found := re.search(r"http://\S+/authorize\?\S+", "".join(said))):
        line = process.stderr.readline()
        assert line, f"the URL never came: {said}"
        said.append(line)
    location = httpx.get(found.group(0), trust_env=False).headers["location"]
    if rewrite_state is not None:
        location = re.sub(r"state=[^&]+", f"state={rewrite_state}", location)
    stdout, stderr = process.communicate(location + "\n", timeout=30)
    return subprocess.CompletedProcess(
        process.args, process.returncode, stdout, "".join(said) + stderr
    )


def paste_args(emulator: EmulatorServer) -> list[str]:
    redirect_uri = f"http://127.0.0.1:{closed_port()}/callback"  # nothing listens: it is pasted
    return ["--base-url", emulator.base_url, "--redirect-uri", redirect_uri]


def test_no_browser_reads_the_pasted_redirect(emulator: EmulatorServer) -> None:
    args = paste_args(emulator)
    done = run_pasting("authorize", *args)
    assert done.returncode == 0, done.stderr
    printed = only_json(done.stdout)
    assert set(printed) == KEYS and printed["redirect_uri"] == args[-1]
    # The emulator consents at once: what to do next says so, no "sign in" after that.
    assert "consents at once" in done.stderr and "sign in and consent" not in done.stderr.lower()


def test_a_redirect_uri_the_server_refuses_exits_1_before_asking_for_a_paste(
    emulator: EmulatorServer,
) -> None:
    """The authorization server is asked first, as Get code asks it: its refusal comes at
    once, not after a browser and a paste that could never succeed."""
    args = ["--base-url", emulator.base_url, "--redirect-uri", "https://unregistered.example/cb"]
    done = authorize(*args, "--no-browser", stdin="")
    assert done.returncode == 1 and done.stdout == ""
    assert "redirect_uri" in done.stderr and "paste" not in done.stderr.lower()


def test_a_pasted_redirect_with_another_state_exits_1_without_a_code(
    emulator: EmulatorServer,
) -> None:
    done = run_pasting("authorize", *paste_args(emulator), rewrite_state="forged")
    assert done.returncode == 1 and done.stdout == ""
    assert "state in the redirect differs" in done.stderr


def test_a_saved_profile_is_the_target(emulator: EmulatorServer) -> None:
    save_profile_of(emulator)
    done = authorize("--profile", "local EMULATOR", "--follow", "--scope", "openid")
    assert done.returncode == 0, done.stderr
    assert set(only_json(done.stdout)) == KEYS


def test_token_takes_the_code_and_verifier_from_what_authorize_printed(
    emulator: EmulatorServer, tmp_path: Any
) -> None:
    """Tryout AM: the README's flow put the code and its verifier on token's command line,
    where the process list shows them (the two redeem tokens for a minute). --authorized
    reads them from authorize's output: a file, or standard input."""
    done = authorize("--base-url", emulator.base_url, "--follow")
    assert done.returncode == 0, done.stderr
    saved = tmp_path / "auth.json"
    saved.write_text(done.stdout)
    redeemed = cli(
        "token",
        *("--base-url", emulator.base_url, "--grant-type", "authorization_code"),
        *("--authorized", str(saved)),
        env=SECRETS,
    )
    assert redeemed.returncode == 0, redeemed.stderr
    assert "id_token" in only_json(redeemed.stdout)
    # The same again: a replay, whose hint names the option used (tryout AN: it blamed
    # --code-verifier, which was never given).
    replayed = cli(
        "token",
        *("--base-url", emulator.base_url, "--grant-type", "authorization_code"),
        *("--authorized", str(saved)),
        env=SECRETS,
    )
    assert replayed.returncode == 1
    hint = next(line for line in replayed.stderr.splitlines() if line.startswith("hint:"))
    assert "--authorized" in hint, hint


@pytest.mark.parametrize(
    ("given", "stdin", "said"),
    [
        ((), "not json", "not the JSON object"),
        ((), '{"code": "abc"}', "no code_verifier in it"),
        ((), '{"state": "s"}', "no code and no code_verifier in it"),
        (("--code", "abc"), '{"code": "abc", "code_verifier": "v"}', "not both"),
    ],
)
def test_token_says_what_is_wrong_with_authorized_input_and_sends_nothing(
    emulator: EmulatorServer, given: tuple[str, ...], stdin: str, said: str
) -> None:
    done = cli(
        "token",
        *("--base-url", emulator.base_url, "--grant-type", "authorization_code"),
        *("--authorized", "-", *given),
        stdin=stdin,
        env=SECRETS,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "--authorized" in done.stderr and said in done.stderr, done.stderr


def test_authorized_input_is_for_the_code_grant_only(emulator: EmulatorServer) -> None:
    """Tryout AN: with refresh_token, --authorized was silently unused (the only message was
    that --refresh-token is needed)."""
    done = cli(
        "token",
        *("--base-url", emulator.base_url, "--grant-type", "refresh_token"),
        *("--authorized", "-"),
        stdin='{"code": "abc", "code_verifier": "v"}',
        env=SECRETS,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "--authorized" in done.stderr and "authorization_code" in done.stderr, done.stderr
