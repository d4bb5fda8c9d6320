"""`idconnect-tester check` as a CI job runs it: a real process, the built-in emulator or the
test's emulator as the target, JUnit / Markdown / JSON files, and the contract's exit codes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.core.test_check_report import assert_safe_to_share, parse_junit
from tests.support.faulty_servers import closed_port
from tests.support.flows import save_profile_of
from tests.test_authorize_command import paste_args, run_pasting
from tests.test_cli import SECRETS, cli

from idconnect_tester.cli import main
from idconnect_tester.core.check_results import STEP_ORDER
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.emulator import EmulatorServer

STEP_IDS = [step.value for step in STEP_ORDER]


def check(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return cli("check", *args, **options)


def step_lines(output: str) -> dict[str, str]:
    """Step id → its line (`PASS  clock  …`), in the order printed."""
    lines: dict[str, str] = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) > 1 and words[0] in ("PASS", "FAIL", "SKIP") and words[1] in STEP_IDS:
            lines[words[1]] = line
    return lines


def target_args(emulator: EmulatorServer) -> list[str]:
    return [
        *("--base-url", emulator.base_url, "--issuer", emulator.issuer),
        *("--client-id", "emulator-client"),
    ]


def test_no_options_checks_the_built_in_emulator_and_writes_every_report(
    tmp_path: Path,
) -> None:
    junit, report = tmp_path / "check.xml", tmp_path / "check.md"
    done = check("--junit", str(junit), "--report", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = step_lines(done.stdout)
    assert list(lines) == STEP_IDS
    assert all(line.startswith("PASS") for line in lines.values()), lines
    assert "check PASS" in done.stdout

    cases = parse_junit(junit.read_text(encoding="utf-8")).findall(".//testcase")
    assert [case.get("name") for case in cases] == STEP_IDS
    assert all(len(case) == 1 and case[0].tag == "system-out" for case in cases)
    text = report.read_text(encoding="utf-8")
    assert_safe_to_share(text)
    assert "**Result: PASS**" in text


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_reports_are_written_into_the_folder_as_it_is_and_readable_to_hand_over(
    tmp_path: Path,
) -> None:
    """A CI job's workspace (or /tmp) keeps its mode: the check writes two files there, it
    does not lock everyone else out of the folder."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    workspace.chmod(0o1777)
    junit, report = workspace / "check.xml", workspace / "check.md"
    done = check("--junit", str(junit), "--report", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    assert stat.S_IMODE(workspace.stat().st_mode) == 0o1777
    for written in (junit, report):  # no secret, tokens masked: others may read them
        assert stat.S_IMODE(written.stat().st_mode) == 0o644


def test_json_goes_alone_to_stdout() -> None:
    done = check("--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["passed"] is True
    assert [step["id"] for step in document["steps"]] == STEP_IDS
    assert list(step_lines(done.stderr)) == STEP_IDS  # the progress lines moved to stderr
    assert_safe_to_share(done.stdout)


def test_a_client_without_sumsub_id_fails_token_and_skips_the_rest(tmp_path: Path) -> None:
    junit, report = tmp_path / "check.xml", tmp_path / "check.md"
    done = check(
        "--junit",
        str(junit),
        "--report",
        str(report),
        env={"SUMSUB_APP_TOKEN": "sbx:emulator-disabled-token"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = step_lines(done.stdout)
    assert lines["token"].startswith("FAIL") and "HTTP 404" in lines["token"]
    assert "correlationId" in lines["token"]
    assert "hint: Sumsub ID is not enabled for this client key" in done.stdout
    for later in ("id_token", "refresh", "share_token"):
        assert lines[later].startswith("SKIP") and "token step failed" in lines[later]
    suite = parse_junit(junit.read_text(encoding="utf-8"))
    assert suite.find(".//testcase[@name='token']/failure") is not None
    assert len(suite.findall(".//testcase/skipped")) == 3
    assert_safe_to_share(report.read_text(encoding="utf-8"))


def test_an_expired_id_token_fails_its_step_against_a_running_emulator(
    emulator: EmulatorServer,
) -> None:
    emulator.set_scenario("expired_id_token")
    done = check(*target_args(emulator), env=SECRETS)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = step_lines(done.stdout)
    assert lines["id_token"].startswith("FAIL") and "exp: Expired" in lines["id_token"]
    assert lines["authorize"].startswith("PASS")  # followed: the emulator consents at once
    assert lines["share_token"].startswith("PASS")


def test_no_browser_prompts_on_stderr_and_reads_the_redirect_from_stdin(
    emulator: EmulatorServer,
) -> None:
    done = run_pasting("check", *paste_args(emulator), env=SECRETS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert step_lines(done.stdout)["authorize"].startswith("PASS")
    assert "/authorize?" not in done.stdout and "/authorize?" in done.stderr


def test_an_unreachable_target_exits_3() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    done = check("--base-url", base, "--issuer", base + "/", env=SECRETS)
    assert done.returncode == 3, done.stdout + done.stderr
    assert step_lines(done.stdout)["clock"].startswith("FAIL")
    assert "hint: Connection refused" in done.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--base-url", "http://127.0.0.1:1"], {}, "no app token"),
        (["--base-url", "http://127.0.0.1:1"], {"SUMSUB_APP_TOKEN": "sbx:x"}, "no secret key"),
        (["--issuer", "http://127.0.0.1:1/"], {}, "go with --base-url"),
        (["--junit", "/nonexistent/dir/check.xml"], {}, "no such directory"),
        # Tryout AD: refused only after the whole run (a sign-in, a spent code), with exit 2
        # hiding the check's own failure, and "" read as "Device or resource busy".
        (["--junit", "/tmp"], {}, "is a folder"),
        (["--report", ""], {}, "give a file name"),
        (["--base-url", "http://127.0.0.1:1", "--no-browser"], SECRETS, "redirect URI"),
        (["--profile", "Nope"], SECRETS, "no profile named"),
    ],
)
def test_usage_errors_exit_2(args: list[str], env: dict[str, str], message: str) -> None:
    done = check(*args, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and step_lines(done.stdout) == {}


def test_a_profile_without_a_secret_on_a_machine_without_a_keyring_is_not_told_to_save_one(
    emulator: EmulatorServer,
) -> None:
    """With no keyring the app can't keep a secret past its run: the way out is the variable."""
    save_profile_of(emulator)
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = check("--profile", "Local emulator", env=no_keyring)
    assert done.returncode == 2
    assert "SUMSUB_SECRET_KEY" in done.stderr and "no keyring" in done.stderr
    assert "save it" not in done.stderr


def test_a_profile_with_its_secret_in_the_keyring(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = save_profile_of(emulator)
    SecretStore().set(profile.id, Secret(SECRETS["SUMSUB_SECRET_KEY"]))
    assert main(["check", "--profile", "Local emulator"]) == 0
    printed = capsys.readouterr().out
    assert all(line.startswith("PASS") for line in step_lines(printed).values())
    assert "against Local emulator" in printed
