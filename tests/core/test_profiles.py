"""Saved profiles: kept across runs, never holding a secret, and recovering from a bad file."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.support.postman import write_environment

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.postman_import import profile_from_postman
from idconnect_tester.core.profiles import (
    EMULATOR_PROFILE_ID,
    Profile,
    ProfileError,
    ProfileStore,
    default_profiles_path,
    emulator_profile,
)

EMULATOR_URL = "http://127.0.0.1:40123"


def _profile(name: str = "Staging", **changes: Any) -> Profile:
    fields: dict[str, Any] = {
        "id": "",
        "name": name,
        "base_url": "https://api.sumsub.com",
        "app_token": "sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad",
        "client_id": "acme-client",
    }
    fields.update(changes)
    return Profile(**fields)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "profiles.json"


@pytest.fixture
def store(path: Path) -> ProfileStore:
    return ProfileStore(path, emulator_base_url=EMULATOR_URL)


def test_first_launch_has_only_the_built_in_emulator(store: ProfileStore, path: Path) -> None:
    (emulator,) = store.profiles()
    assert emulator == emulator_profile(EMULATOR_URL)
    assert emulator.builtin and emulator.issuer == EMULATOR_URL + "/"
    assert emulator.app_token == "sbx:emulator-app-token"
    assert emulator.client_id == "emulator-client"
    assert store.last_used == EMULATOR_PROFILE_ID
    assert store.recovery_message is None
    assert not path.exists()  # nothing to save yet


def test_the_default_file_is_in_the_user_config_dir(private_home: Path) -> None:
    assert default_profiles_path().is_relative_to(private_home)
    assert default_profiles_path().name == "profiles.json"


def test_profiles_are_kept_across_runs(store: ProfileStore, path: Path) -> None:
    staging = store.add(_profile("Staging", timeout_s=12.5, proxy="http://proxy.local:3128"))
    store.last_used = staging.id

    reopened = ProfileStore(path, emulator_base_url=EMULATOR_URL)

    assert [p.name for p in reopened.profiles()] == ["Built-in emulator", "Staging"]
    assert reopened.get(staging.id) == staging
    assert reopened.last_used == staging.id
    assert len(staging.id) == 32 and staging.id != ""
    document = json.loads(path.read_text())
    assert document["version"] == 1 and document["last_used"] == staging.id
    assert "\n  " in path.read_text()  # indented: readable by a person
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_the_profiles_folder_is_owner_only_and_a_looser_one_is_repaired_on_start(
    path: Path,
) -> None:
    # As an older version (or the window's settings file, written first) left it: any local
    # user could list the folder and read what is in it.
    path.parent.mkdir()
    path.parent.chmod(0o755)

    store = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    store.add(_profile())
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_edit_rename_duplicate_delete(store: ProfileStore, path: Path) -> None:
    staging = store.add(_profile("Staging"))
    edited = store.update(replace(staging, base_url="https://eu.example.com", production=True))
    renamed = store.rename(staging.id, "Staging EU")
    copy = store.duplicate(staging.id)
    store.last_used = staging.id
    store.delete(staging.id)

    assert edited.base_url == "https://eu.example.com"
    assert renamed.id == staging.id  # the keyring entry stays attached
    assert copy.name == "Staging EU copy" and copy.id != staging.id
    assert copy.base_url == "https://eu.example.com"
    reopened = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    assert [p.name for p in reopened.profiles()] == ["Built-in emulator", "Staging EU copy"]
    assert reopened.last_used == EMULATOR_PROFILE_ID  # the last used one was deleted


def test_two_windows_changing_profiles_keep_each_others_changes(path: Path) -> None:
    """Two windows of the app, each with the profiles it read at its start: a change in one
    never undoes what the other saved meanwhile."""
    first = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    second = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    staging = first.add(_profile("Staging"))
    second.add(_profile("Production", base_url="https://api.example.com"))
    first.rename(staging.id, "Staging EU")
    second.add(_profile("Staging EU"))  # the name the first window just took

    on_disk = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    assert [p.name for p in on_disk.profiles()] == [
        "Built-in emulator",
        "Staging EU",
        "Production",
        "Staging EU (2)",
    ]


def test_editing_a_profile_another_window_deleted_says_so(path: Path) -> None:
    first = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    staging = first.add(_profile("Staging"))
    second = ProfileStore(path, emulator_base_url=EMULATOR_URL)
    second.delete(staging.id)

    with pytest.raises(ProfileError, match="deleted"):
        first.update(replace(staging, base_url="https://eu.example.com"))
    assert ProfileStore(path, emulator_base_url=EMULATOR_URL).get(staging.id) is None


def test_names_are_made_unique_on_add_but_a_clashing_rename_is_refused(
    store: ProfileStore,
) -> None:
    first = store.add(_profile("Staging"))
    second = store.add(_profile("staging"))
    third = store.add(_profile("Staging"))
    emulator_named = store.add(_profile("Built-in emulator"))

    assert [second.name, third.name] == ["staging (2)", "Staging (3)"]
    assert emulator_named.name == "Built-in emulator (2)"
    with pytest.raises(ProfileError, match="already exists"):
        store.rename(first.id, "STAGING (2)")


def test_the_built_in_emulator_cannot_be_changed(store: ProfileStore, path: Path) -> None:
    emulator = store.get(EMULATOR_PROFILE_ID)
    assert emulator is not None
    with pytest.raises(ProfileError, match="can't be deleted"):
        store.delete(EMULATOR_PROFILE_ID)
    with pytest.raises(ProfileError, match="can't be renamed"):
        store.rename(EMULATOR_PROFILE_ID, "Mine")
    with pytest.raises(ProfileError, match="can't be edited"):
        store.update(replace(emulator, timeout_s=5.0))

    copy = store.duplicate(EMULATOR_PROFILE_ID)  # the way to get an editable one
    assert not copy.builtin and copy.base_url == EMULATOR_URL
    stored = json.loads(path.read_text())["profiles"]
    assert [p["name"] for p in stored] == ["Built-in emulator copy"]  # the built-in isn't stored


def test_the_emulator_follows_the_running_emulator_url(store: ProfileStore) -> None:
    store.emulator_base_url = "http://127.0.0.1:5555/"
    emulator = store.get(EMULATOR_PROFILE_ID)
    assert emulator is not None
    assert emulator.base_url == "http://127.0.0.1:5555"
    assert emulator.issuer == "http://127.0.0.1:5555/"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"base_url": "http://api.sumsub.com"}, "base_url", "only allowed to this machine"),
        ({"name": "  "}, "name", "Enter a name"),
        ({"app_token": ""}, "app_token", "Enter the app token"),
        ({"timeout_s": 0.0}, "timeout_s", "more than 0 and at most 600"),
        ({"proxy": "proxy.local"}, "proxy", "http://proxy.example:3128"),
    ],
)
def test_invalid_profiles_are_refused(
    store: ProfileStore, changes: dict[str, Any], field: str, message: str
) -> None:
    profile = _profile(**changes)
    assert message in profile.problems()[field]
    with pytest.raises(ProfileError, match=message):
        store.add(profile)
    assert len(store.profiles()) == 1


def test_plain_http_to_this_machine_is_allowed() -> None:
    assert _profile(base_url="http://127.0.0.1:8088").problems() == {}
    assert _profile(base_url="http://localhost:8088").problems() == {}


def test_a_sandbox_token_on_a_production_profile_is_flagged() -> None:
    sandbox_token = "sbx:abcdefgh"
    assert any(
        "sandbox token" in w for w in _profile("Prod EU", app_token=sandbox_token).warnings()
    )
    assert any("sandbox token" in w for w in _profile("payments-production").warnings())
    assert any(
        "sandbox token" in w
        for w in _profile("Acme", app_token=sandbox_token, production=True).warnings()
    )
    # Words that merely contain "prod" are not production names.
    assert _profile("Products", app_token=sandbox_token).warnings() == []
    assert _profile("preprod", app_token=sandbox_token).warnings() == []
    # Nor are names that say they are not production (tryout AQ: "production-like staging").
    for name in ("production-like staging", "non-prod", "pre-production", "prod copy for QA"):
        assert _profile(name, app_token=sandbox_token).warnings() == [], name


def test_a_production_token_on_a_sandbox_profile_is_flagged() -> None:
    production_token = "prd:abcdefghijkl"
    for name in ("Sandbox", "acme-sbx", "My SANDBOX 2"):
        warnings = _profile(name, app_token=production_token).warnings()
        assert any("production token" in w for w in warnings), name
    assert _profile("Acme", app_token=production_token, production=True).warnings() == []
    assert _profile("Sandbox", app_token="sbx:abcdefgh").warnings() == []


PRODUCTION_TOKEN = "prd:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad"


def _with_production_token(name: str = "Acme KYC", **changes: Any) -> Profile:
    return _profile(name, **{"app_token": PRODUCTION_TOKEN, **changes})


def _about_the_production_token(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "prd:" in w]


def test_a_production_token_in_a_profile_not_marked_production_is_flagged() -> None:
    """The mirror of the sbx: token in a production profile."""
    [warning] = _about_the_production_token(_with_production_token().warnings())
    assert "production" in warning
    # Spaces around a pasted token don't hide it.
    spaced = _with_production_token(app_token=f"  {PRODUCTION_TOKEN} ")
    assert _about_the_production_token(spaced.warnings())


def test_a_production_token_where_production_is_said_is_not_flagged() -> None:
    assert _with_production_token(production=True).warnings() == []
    # A production name says what the flag would, as it does for the sbx: warning.
    assert _with_production_token("Prod EU").warnings() == []
    # Neither prefix, or a sandbox token: nothing to say about production.
    assert _with_production_token(app_token="uY0CgwELmgUAEyl4hNWxLngb").warnings() == []
    assert _with_production_token(app_token="sbx:uY0CgwELmgUAEyl4hNWxLngb").warnings() == []


def test_a_sandbox_named_profile_gets_one_warning_about_its_production_token() -> None:
    """Its name's warning already calls the token a production one: not said twice."""
    warnings = _with_production_token("Sandbox EU").warnings()
    assert len([w for w in warnings if "production token" in w]) == 1


def test_a_postman_environment_with_a_production_token_imports_unmarked_and_warned(
    tmp_path: Path,
) -> None:
    """The import sets no production flag (a Postman file has none); the warning says so."""
    source = write_environment(
        tmp_path / "Acme.postman_environment.json",
        name="Acme KYC",
        app_token=PRODUCTION_TOKEN,
        secret_key="Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq",
    )
    imported = profile_from_postman(json.loads(source.read_text("utf-8")), source.name)
    assert imported.profile.app_token == PRODUCTION_TOKEN
    assert not imported.profile.production
    assert _about_the_production_token(imported.profile.warnings())


def test_the_target_carries_the_secret_from_the_keyring_not_the_profile() -> None:
    profile = _profile(base_url="https://api.sumsub.com/", timeout_s=9.0, verify_tls=False)
    target = profile.target(Secret("k3y"))
    assert target.base_url == "https://api.sumsub.com"
    assert target.secret_key.reveal() == "k3y"
    assert (target.timeout_s, target.verify_tls) == (9.0, False)
    assert "secret" not in json.dumps(profile.to_json_dict()).lower()


def test_json_reading_is_tolerant_of_extra_keys_and_strict_about_types() -> None:
    data = {**_profile().to_json_dict(), "colour": "blue"}
    assert Profile.from_json_dict(data).name == "Staging"
    with pytest.raises(ProfileError, match=r"'timeout_s' should be a number"):
        Profile.from_json_dict({**data, "timeout_s": "30"})
    with pytest.raises(ProfileError, match=r"Profile 'Staging': the field 'verify_tls'"):
        Profile.from_json_dict({**data, "verify_tls": "yes"})
    with pytest.raises(ProfileError, match="JSON object"):
        Profile.from_json_dict(["not", "a", "profile"])


def test_export_and_import_round_trip(store: ProfileStore, tmp_path: Path) -> None:
    staging = store.add(_profile("Staging", redirect_uri="http://127.0.0.1:8765/cb"))
    exported = tmp_path / "staging.json"
    store.export_profile(staging.id, exported)

    (imported,) = store.import_profiles(exported)

    assert imported.name == "Staging (2)" and imported.id != staging.id
    assert replace(imported, id="", name="") == replace(staging, id="", name="")
    other = ProfileStore(tmp_path / "elsewhere.json")
    (fresh,) = other.import_profiles(exported)
    assert fresh.name == "Staging"
    assert "secret" in json.loads(exported.read_text())["note"].lower()  # says why it's missing


def test_an_imported_secret_key_is_dropped_and_reported(
    store: ProfileStore, path: Path, tmp_path: Path
) -> None:
    leaked = "sk-live-very-secret-value"
    source = tmp_path / "from-a-colleague.json"
    source.write_text(
        json.dumps(
            [
                {**_profile("Team A").to_json_dict(), "secret_key": leaked},
                {**_profile("Team B").to_json_dict(), "secretKey": leaked, "secret": leaked},
                {"name": "Broken", "base_url": "http://example.com", "app_token": "sbx:x"},
            ]
        )
    )

    result = store.import_profiles(source)

    assert [p.name for p in result] == ["Team A", "Team B"]
    notes = " ".join(result.notes)
    assert "secret_key" in notes and "secretKey" in notes and "not stored" in notes
    assert "Skipped 'Broken'" in notes
    assert leaked not in path.read_text()


def test_import_of_a_file_without_profiles_explains(store: ProfileStore, tmp_path: Path) -> None:
    source = tmp_path / "notes.json"
    source.write_text('{"hello": 1}')
    with pytest.raises(ProfileError, match="no profiles"):
        store.import_profiles(source)
    source.write_text("not json")
    # Where the JSON breaks, and what the import takes: not the parser's own wording.
    with pytest.raises(ProfileError, match=r"not JSON \(line 1, column 1\): import takes") as e:
        store.import_profiles(source)
    assert "Expecting value" not in str(e.value) and "Postman" in str(e.value)


def test_the_profiles_file_never_contains_a_secret(store: ProfileStore, path: Path) -> None:
    secret = "my-bank-grade-secret"
    profile = store.add(_profile("Prod", app_token="prd:token-value-1234"))
    store.update(replace(profile, store_full_tokens=True))
    store.duplicate(profile.id)
    profile.target(Secret(secret))  # the secret only ever meets the profile here
    content = path.read_bytes()
    assert secret.encode() not in content
    assert b"secret" not in content.lower()


def test_a_secret_added_to_the_file_by_hand_is_purged(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "profiles": [{**_profile().to_json_dict(), "id": "a" * 32, "secret": "hunter2"}],
            }
        )
    )
    store = ProfileStore(path)
    assert [p.name for p in store.profiles()][1:] == ["Staging"]
    assert "hunter2" not in path.read_text()
    assert "secret key field" in (store.recovery_message or "")


def test_a_corrupt_file_is_moved_aside_with_a_message(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"version": 1, "profiles": [{"name": "Half')

    store = ProfileStore(path)

    assert len(store.profiles()) == 1
    kept = list(path.parent.glob("profiles.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b'{"version": 1')
    assert store.recovery_message is not None
    assert "not valid JSON" in store.recovery_message and str(kept[0]) in store.recovery_message
    store.add(_profile())  # and the store works again
    assert ProfileStore(path).recovery_message is None


def test_readable_profiles_are_kept_from_a_partly_bad_file(path: Path) -> None:
    path.parent.mkdir(parents=True)
    good = {**_profile("Good").to_json_dict(), "id": "b" * 32}
    bad = {**_profile("Bad").to_json_dict(), "timeout_s": "soon"}
    path.write_text(json.dumps({"version": 1, "last_used": "b" * 32, "profiles": [good, bad]}))

    store = ProfileStore(path)

    assert [p.name for p in store.profiles()] == ["Built-in emulator", "Good"]
    assert store.last_used == "b" * 32
    assert "1 profile(s) could be read" in (store.recovery_message or "")
    assert len(list(path.parent.glob("profiles.json.corrupt-*"))) == 1
    assert ProfileStore(path).get("b" * 32) is not None  # the readable part was saved


def test_a_file_from_a_newer_version_is_kept_aside_untouched(path: Path) -> None:
    path.parent.mkdir(parents=True)
    original = json.dumps({"version": 2, "profiles": [], "groups": []})
    path.write_text(original)

    store = ProfileStore(path)

    (kept,) = path.parent.glob("profiles.json.newer-*")
    assert kept.read_text() == original
    assert "newer version" in (store.recovery_message or "")
    assert len(store.profiles()) == 1


def test_last_used_must_be_a_known_profile(store: ProfileStore) -> None:
    with pytest.raises(ProfileError, match="no profile"):
        store.last_used = "missing"


def test_an_api_on_this_machine_with_sumsubs_issuer_is_warned_under_issuer() -> None:
    """An emulator on this machine is its own issuer: with Sumsub's, Get code would go to
    id.sumsub.com and its keys would not verify the local server's id_tokens."""
    local = _profile("QA local", base_url="http://127.0.0.1:8099", issuer="https://id.sumsub.com/")
    assert "127.0.0.1:8099/" in local.field_warnings()["issuer"]
    left_empty = replace(local, issuer="")  # empty means Sumsub's issuer too
    assert "issuer" in left_empty.field_warnings()
    own_issuer = replace(local, issuer="http://127.0.0.1:8099/")
    assert "issuer" not in own_issuer.field_warnings()
    remote = _profile("Sandbox", base_url="https://api.sumsub.com", issuer="https://id.sumsub.com/")
    assert "issuer" not in remote.field_warnings()


@pytest.mark.parametrize("url", ["http://[::1", "https://[x", "http://[bad]:80/", "http://a:b"])
def test_a_malformed_url_being_typed_gets_its_problem_said_not_a_crash(url: str) -> None:
    """Half-typed text passes through the warnings at every keystroke: a bracket opened for an
    IPv6 host, a port not yet a number. The field says what is wrong; nothing raises."""
    for profile in (_profile("Local", base_url=url), _profile("Local", issuer=url)):
        assert isinstance(profile.field_warnings(), dict)
        assert isinstance(profile.warnings(), list)
    assert "base_url" in _profile("Local", base_url=url).problems()


def test_an_issuer_at_another_port_of_this_machine_is_warned_under_issuer() -> None:
    """Get code goes to the issuer's server, Send to the base URL's: on this machine, two
    ports is most likely an emulator's old port left in one of them."""
    local = _profile("QA local", base_url="http://127.0.0.1:8099", issuer="http://127.0.0.1:39313/")
    said = local.field_warnings()["issuer"]
    assert said.index("127.0.0.1:39313") < said.index("127.0.0.1:8099"), said  # each its own
    for same_server in ("http://127.0.0.1:8099/", "http://localhost:8099/", "http://[::1]:8099/"):
        assert "issuer" not in replace(local, issuer=same_server).field_warnings(), same_server
    default_port = _profile("Local", base_url="http://127.0.0.1", issuer="http://localhost:80/")
    assert "issuer" not in default_port.field_warnings()
    assert "issuer" not in replace(local, issuer="http://127.0.0.1:bad/").field_warnings()


def test_an_issuer_at_the_same_port_by_another_scheme_is_not_called_two_servers() -> None:
    """Tryout AM: https typed into Base URL for an http emulator read "Issuer at
    127.0.0.1:8099, Base URL at 127.0.0.1:8099: two servers" — the same one named twice."""
    local = _profile("QA local", base_url="https://127.0.0.1:8099", issuer="http://127.0.0.1:8099/")
    said = local.field_warnings()["issuer"]
    assert "two servers" not in said and "http://" in said and "https://" in said, said
    assert "127.0.0.1:8099" in said
