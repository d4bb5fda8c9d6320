"""Postman environments and collections become profiles; the secret key goes to the keyring or
nowhere, and nothing else in the file is run or kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from keyring.backends import fail
from tests.support.keyrings import MemoryKeyring
from tests.support.leaks import files_containing
from tests.support.postman import write_collection, write_environment

from idconnect_tester.core.postman_import import DEFAULT_BASE_URL
from idconnect_tester.core.profiles import ProfileError, ProfileStore
from idconnect_tester.core.secret_store import SERVICE_NAME, SecretStore

APP_TOKEN = "sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad"
SECRET = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq"


@pytest.fixture
def store() -> ProfileStore:
    return ProfileStore()  # the default file, inside the test's private home


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """Where the Postman files live: outside the private home, so a scan of the home sees only
    what the app wrote."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


def test_an_environment_becomes_a_profile_and_its_secret_goes_to_the_keyring(
    store: ProfileStore, sources: Path, private_home: Path, test_keyring: MemoryKeyring
) -> None:
    source = write_environment(
        sources / "Sumsub.postman_environment.json", app_token=APP_TOKEN, secret_key=SECRET
    )

    (profile,) = imported = store.import_profiles(source, secrets=SecretStore())

    assert (profile.name, profile.base_url, profile.app_token) == (
        "Sumsub sandbox",
        "https://api.sumsub.com",
        APP_TOKEN,
    )
    assert profile.client_id == ""  # its client_id variable is switched off in Postman
    assert test_keyring.items == {(SERVICE_NAME, profile.id): SECRET}
    assert ProfileStore().get(profile.id) == profile  # saved
    notes = " ".join(imported.notes)
    assert "keyring" in notes
    assert "levelName" in notes and "userId" in notes  # unrelated variables: named, not kept
    assert files_containing(private_home, SECRET) == []
    assert files_containing(private_home, "basic-kyc-level") == []


def test_a_collection_gives_its_variables_and_nothing_of_it_runs_or_stays(
    store: ProfileStore, sources: Path, private_home: Path, test_keyring: MemoryKeyring
) -> None:
    marker = sources / "a-script-ran.txt"
    source = write_collection(
        sources / "Sumsub.postman_collection.json",
        base_url="http://127.0.0.1:8088/",
        app_token=APP_TOKEN,
        secret_key=SECRET,
        client_id="acme-client",
        marker=marker,
    )

    (profile,) = imported = store.import_profiles(source, secrets=SecretStore())

    assert (profile.name, profile.base_url) == ("Sumsub ID Connect", "http://127.0.0.1:8088")
    assert (profile.app_token, profile.client_id) == (APP_TOKEN, "acme-client")
    assert test_keyring.items == {(SERVICE_NAME, profile.id): SECRET}
    notes = " ".join(imported.notes)
    assert "2 scripts" in notes and "none was run" in notes
    assert "2 auth settings" in notes and "1 request" in notes and "applicantId" in notes
    assert not marker.exists()
    for kept in ("writeFileSync", "X-App-Token", "snsId", "65f1c0ffee", SECRET):
        assert files_containing(private_home, kept) == [], kept


def test_without_a_keyring_the_secret_is_dropped_with_a_message(
    store: ProfileStore, sources: Path, private_home: Path
) -> None:
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key=SECRET)
    secrets = SecretStore(backend=fail.Keyring())

    (profile,) = imported = store.import_profiles(source, secrets=secrets)

    assert secrets.get(profile.id) is None  # not even kept in memory for this run
    assert any("not kept" in note and "keyring" in note for note in imported.notes)
    assert files_containing(private_home, SECRET) == []


def test_for_the_window_without_a_keyring_the_secret_is_kept_for_this_run_only(
    store: ProfileStore, sources: Path, private_home: Path
) -> None:
    """The window keeps it in memory, as it keeps a secret typed in: the profile works until
    the app closes. Still never in a file."""
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key=SECRET)
    secrets = SecretStore(backend=fail.Keyring())

    (profile,) = imported = store.import_profiles(source, secrets=secrets, secret_for_this_run=True)

    kept = secrets.get(profile.id)
    assert kept is not None and kept.reveal() == SECRET and not secrets.persistent
    assert any("this run only" in note for note in imported.notes)
    assert not any("not kept" in note for note in imported.notes)
    assert files_containing(private_home, SECRET) == []


def test_without_a_secret_store_the_secret_is_dropped_too(
    store: ProfileStore, sources: Path, test_keyring: MemoryKeyring
) -> None:
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key=SECRET)
    imported = store.import_profiles(source)
    assert len(imported) == 1 and test_keyring.items == {}
    assert any("not kept" in note for note in imported.notes)


def test_an_explicit_name_is_used_and_must_be_free(store: ProfileStore, sources: Path) -> None:
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key=SECRET)
    (first,) = store.import_profiles(source, name="Team A sandbox")
    assert first.name == "Team A sandbox"
    with pytest.raises(ProfileError, match="already exists"):
        store.import_profiles(source, name="team a sandbox")
    (second,) = store.import_profiles(source)  # without a name: a unique one is made
    assert second.name == "Sumsub sandbox"


def test_a_name_for_a_file_of_several_profiles_is_refused(
    store: ProfileStore, sources: Path
) -> None:
    source = sources / "two.json"
    profile = {"base_url": "https://api.sumsub.com", "app_token": APP_TOKEN}
    source.write_text(json.dumps([{**profile, "name": "A"}, {**profile, "name": "B"}]))
    with pytest.raises(ProfileError, match="2 profiles"):
        store.import_profiles(source, name="C")
    assert [p.name for p in store.profiles()] == ["Built-in emulator"]


@pytest.mark.parametrize(
    ("extra", "note_fragment"),
    [
        # Two spellings of the app token that disagree: neither is guessed at.
        ({"key": "SUMSUB_APP_TOKEN", "value": "sbx:another", "enabled": True}, "twice"),
        # A reference to another variable is not resolved (nothing in the file is evaluated).
        ({"key": "redirect_uri", "value": "{{callback}}", "enabled": True}, "not resolved"),
    ],
    ids=["conflicting", "reference"],
)
def test_ambiguous_values_are_left_out_and_said(
    store: ProfileStore, sources: Path, extra: dict[str, object], note_fragment: str
) -> None:
    source = write_environment(
        sources / "env.json", app_token=APP_TOKEN, secret_key="", extra=(extra,)
    )
    if note_fragment == "twice":
        with pytest.raises(ProfileError, match="twice"):  # no app token left: nothing imported
            store.import_profiles(source)
        return
    (profile,) = imported = store.import_profiles(source)
    assert profile.redirect_uri == ""
    notes = " ".join(imported.notes)
    assert note_fragment in notes
    assert "no value for secret-key" in notes  # Postman exported the secret without its value


@pytest.mark.parametrize("name", ["Built-in emulator", "built-in EMULATOR (2)"])
def test_an_import_named_as_the_built_in_emulator_takes_its_hosts_name_instead(
    store: ProfileStore, sources: Path, test_keyring: MemoryKeyring, name: str
) -> None:
    """Tryout T: a file named "Built-in emulator" that targets production was imported as
    "Built-in emulator (2)" — a name that vouches for a harmless local target. It takes its
    host's name, and a note says why."""
    source = write_environment(
        sources / "env.json", name=name, app_token="prd:" + APP_TOKEN[4:], secret_key=SECRET
    )
    (profile,) = imported = store.import_profiles(source, secrets=SecretStore())
    assert profile.name == "api.sumsub.com"
    assert any("app's own emulator" in note and "api.sumsub.com" in note for note in imported.notes)


def test_a_file_imported_twice_says_the_second_took_another_name(
    store: ProfileStore, sources: Path, test_keyring: MemoryKeyring
) -> None:
    """Tryout U: the second import of one file made "Sumsub sandbox (2)" without a word."""
    source = write_environment(sources / "env.json", app_token=APP_TOKEN, secret_key=SECRET)
    store.import_profiles(source, secrets=SecretStore())
    (again,) = imported = store.import_profiles(source, secrets=SecretStore())
    assert again.name == "Sumsub sandbox (2)"
    assert any("exists already" in note and "(2)" in note for note in imported.notes)


def test_a_postman_file_without_sumsub_variables_is_refused(
    store: ProfileStore, sources: Path
) -> None:
    source = sources / "other-api.postman_environment.json"
    source.write_text(
        json.dumps(
            {
                "name": "Another API",
                "values": [{"key": "baseUrl", "value": "https://example.com", "enabled": True}],
                "_postman_variable_scope": "environment",
            }
        )
    )
    with pytest.raises(ProfileError, match="sumsub_root_url"):
        store.import_profiles(source)


def test_a_missing_root_url_means_the_vendor_host(store: ProfileStore, sources: Path) -> None:
    source = sources / "globals.json"
    source.write_text(
        json.dumps(
            {
                "name": "My Workspace Globals",
                "values": [{"key": "appToken", "value": APP_TOKEN, "enabled": True}],
                "_postman_variable_scope": "globals",
            }
        )
    )
    (profile,) = imported = store.import_profiles(source)
    assert (profile.base_url, profile.app_token) == (DEFAULT_BASE_URL, APP_TOKEN)
    assert any("sumsub_root_url" in note for note in imported.notes)


def test_a_root_url_on_this_machine_is_its_own_issuer(store: ProfileStore, sources: Path) -> None:
    """Tryout AJ: a Postman file for an emulator on this machine kept Sumsub's issuer, so Get
    code went to Sumsub and the emulator's id_tokens failed iss and kid. An emulator is its own
    issuer, as the profile dialog's Emulator button and its warning already say."""
    source = write_environment(
        sources / "local.json",
        base_url="http://127.0.0.1:8080",
        app_token="sbx:emulator-app-token",
        secret_key=SECRET,
    )
    (profile,) = imported = store.import_profiles(source)
    assert profile.issuer == "http://127.0.0.1:8080/"
    assert "issuer" not in profile.field_warnings()
    assert any("http://127.0.0.1:8080/" in note for note in imported.notes)


def test_a_root_url_elsewhere_keeps_sumsubs_issuer(store: ProfileStore, sources: Path) -> None:
    source = write_environment(sources / "sandbox.json", app_token=APP_TOKEN, secret_key=SECRET)
    (profile,) = imported = store.import_profiles(source)
    assert profile.issuer == "https://id.sumsub.com/"
    assert not any("issuer" in note for note in imported.notes)


def test_a_plain_http_root_url_to_another_host_is_refused(
    store: ProfileStore, sources: Path
) -> None:
    source = write_environment(
        sources / "env.json",
        base_url="http://api.sumsub.com",
        app_token=APP_TOKEN,
        secret_key=SECRET,
    )
    secrets = SecretStore(backend=MemoryKeyring())
    with pytest.raises(ProfileError, match="only allowed to this machine"):
        store.import_profiles(source, secrets=secrets)
    assert [p.name for p in store.profiles()] == ["Built-in emulator"]


def test_sumsub_variables_without_values_are_named_in_the_refusal(
    store: ProfileStore, sources: Path
) -> None:
    # Exported from Postman with initial values left empty: every Sumsub variable, no value.
    source = write_environment(sources / "env.json", base_url="", app_token="", secret_key="")
    with pytest.raises(ProfileError) as refused:
        store.import_profiles(source)
    said = str(refused.value)
    assert "no value for app-token" in said and "Enter the app token" in said
