"""`idconnect-tester profile list | export | import`: profiles for scripts, Postman files too.

Most runs are in-process (`main([...])`) so that the test's in-memory keyring is the one the
command uses; one run goes through a fresh interpreter to prove the real entry point.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from tests.support.flows import EMULATOR_APP_TOKEN, EMULATOR_SECRET_KEY, get_code
from tests.support.keyrings import MemoryKeyring
from tests.support.leaks import files_containing
from tests.support.postman import write_collection, write_environment

from idconnect_tester.cli import main
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.secret_store import SERVICE_NAME, SecretStore
from idconnect_tester.emulator import EmulatorServer

APP_TOKEN = "sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad"
SECRET = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq"
LISTED = {"name", "base_url", "app_token", "client_id", "issuer", "redirect_uri"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["profile", *args])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    profiles = json.loads(out)
    assert isinstance(profiles, list)
    return profiles


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """Files the user brings, outside the private home that the leak scans read."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


def test_a_postman_environment_imports_and_its_profile_signs_real_requests(
    capsys: pytest.CaptureFixture[str],
    emulator: EmulatorServer,
    sources: Path,
    private_home: Path,
    test_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = write_environment(
        sources / "Sumsub.postman_environment.json",
        base_url=emulator.base_url,
        app_token=EMULATOR_APP_TOKEN,
        secret_key=EMULATOR_SECRET_KEY,
    )

    code, out, err = run(capsys, "import", str(source))

    assert (code, out) == (0, "Sumsub sandbox\n")
    assert "note:" in err and "keyring" in err
    (profile,) = listed(capsys)
    assert set(profile) == LISTED  # exactly the contract's fields: no secret among them
    assert (profile["base_url"], profile["app_token"]) == (emulator.base_url, EMULATOR_APP_TOKEN)
    assert files_containing(private_home, EMULATOR_SECRET_KEY) == []
    # The secret is in the keyring under the profile's id, and it is the right one: `token`
    # signing with what the keyring holds gets a token from the emulator.
    (saved,) = [p for p in ProfileStore().profiles() if not p.builtin]
    assert test_keyring.items == {(SERVICE_NAME, saved.id): EMULATOR_SECRET_KEY}
    secret = SecretStore().get(saved.id)
    assert secret is not None
    monkeypatch.setenv("SUMSUB_APP_TOKEN", saved.app_token)
    monkeypatch.setenv("SUMSUB_SECRET_KEY", secret.reveal())
    authorization = get_code(emulator.base_url)
    granted = main(
        [
            "token",
            "--base-url",
            saved.base_url,
            "--grant-type",
            "authorization_code",
            "--code",
            authorization.code,
            "--code-verifier",
            authorization.code_verifier,
        ]
    )
    assert granted == 0, capsys.readouterr().err


def test_a_postman_collection_imports_without_running_or_keeping_anything_else(
    capsys: pytest.CaptureFixture[str],
    sources: Path,
    private_home: Path,
    test_keyring: MemoryKeyring,
) -> None:
    marker = sources / "a-script-ran.txt"
    source = write_collection(
        sources / "Sumsub ID Connect.postman_collection.json",
        base_url="https://api.sumsub.com",
        app_token=APP_TOKEN,
        secret_key=SECRET,
        client_id="acme-client",
        marker=marker,
    )

    code, out, err = run(capsys, "import", str(source), "--name", "Acme sandbox")

    assert (code, out) == (0, "Acme sandbox\n")
    assert "none was run" in err
    (profile,) = listed(capsys)
    assert (profile["name"], profile["client_id"]) == ("Acme sandbox", "acme-client")
    assert list(test_keyring.items.values()) == [SECRET]
    assert not marker.exists()
    for kept in (SECRET, "writeFileSync", "65f1c0ffee"):
        assert files_containing(private_home, kept) == [], kept


def test_without_a_keyring_the_secret_is_dropped_with_a_message(
    capsys: pytest.CaptureFixture[str], sources: Path, private_home: Path
) -> None:
    keyring.set_keyring(fail.Keyring())  # the autouse test_keyring fixture restores it
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key=SECRET)

    code, out, err = run(capsys, "import", str(source))

    assert (code, out) == (0, "Sumsub sandbox\n")
    assert "no usable system keyring" in err and "not kept" in err
    assert files_containing(private_home, SECRET) == []


def test_export_then_import_under_another_name(
    capsys: pytest.CaptureFixture[str], sources: Path
) -> None:
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key="")
    assert run(capsys, "import", str(source))[0] == 0
    exported = sources / "shared.json"

    code, out, err = run(capsys, "export", "sumsub SANDBOX", str(exported))  # case-blind

    assert (code, out) == (0, "")
    assert str(exported) in err
    assert run(capsys, "import", str(exported), "--name", "Copy for Anna")[:2] == (
        0,
        "Copy for Anna\n",
    )
    assert [p["name"] for p in listed(capsys)] == ["Sumsub sandbox", "Copy for Anna"]
    code, out, _ = run(capsys, "list")
    assert code == 0 and "Copy for Anna" in out and APP_TOKEN not in out  # masked for eyes


def test_a_name_that_would_redraw_the_terminal_is_printed_as_its_escape(
    capsys: pytest.CaptureFixture[str], sources: Path
) -> None:
    """Tryout W: an imported profile named "Evil\u202eeman" printed its right-to-left
    override raw, and the terminal drew the line backwards. Printed, it is the escape; read
    as JSON, the name is what the file said."""
    spoofing = "Evil\u202eeman"
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key="")
    assert run(capsys, "import", str(source), "--name", spoofing)[:2] == (0, "Evil\\u202eeman\n")
    code, out, _ = run(capsys, "list")
    assert code == 0 and "Evil\\u202eeman" in out and "\u202e" not in out
    code, out, _ = run(capsys, "list", "--json")
    assert "\u202e" not in out and [p["name"] for p in json.loads(out)] == [spoofing]
    # The name as printed, copied back, names the profile (tryout AD: it was refused).
    exported = sources / "exported.json"
    assert run(capsys, "export", "Evil\\u202eeman", str(exported))[0] == 0
    assert [p["name"] for p in json.loads(exported.read_text())["profiles"]] == [spoofing]


@pytest.mark.parametrize(
    ("args", "exit_code", "fragment"),
    [
        (["export", "Nope", "x.json"], 2, "no saved profile named 'Nope'"),
        (["export", "Built-in emulator", "x.json"], 2, "emulator is not saved"),
        (["import", "/nonexistent/profiles.json"], 1, "Could not read /nonexistent"),
    ],
    ids=["unknown-name", "emulator", "missing-file"],
)
def test_mistakes_exit_non_zero_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], args: list[str], exit_code: int, fragment: str
) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (exit_code, "")
    assert fragment in err


def test_the_installed_command_lists_json_for_scripts(sources: Path) -> None:
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key="")
    command = [sys.executable, "-m", "idconnect_tester", "profile"]
    imported = subprocess.run(
        [*command, "import", str(source)], capture_output=True, text=True, check=False, timeout=60
    )
    assert imported.returncode == 0, imported.stderr
    done = subprocess.run(
        [*command, "list", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [p["name"] for p in json.loads(done.stdout)] == ["Sumsub sandbox"]


def test_a_profile_that_follows_the_built_in_emulator_lists_as_such_and_has_no_cli_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No built-in emulator runs in a command: listing says "{built-in emulator}" rather than
    a made-up port, and a command given that profile says why it can't use it."""
    ProfileStore(emulator_base_url="http://127.0.0.1:40123").duplicate("builtin-emulator")

    (entry,) = listed(capsys)
    assert entry["base_url"] == "{built-in emulator}"
    assert entry["issuer"] == "{built-in emulator}/"
    with pytest.raises(SystemExit) as refused:
        main(["authorize", "--profile", "Built-in emulator copy"])
    assert refused.value.code == 2
    assert "runs inside the app" in capsys.readouterr().err
