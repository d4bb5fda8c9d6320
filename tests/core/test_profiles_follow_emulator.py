"""A saved profile made from the built-in emulator follows it from one run to the next.

The emulator listens on a port that changes every run. A profile duplicated from it (to try
another client id, or the disabled app token) must reach *that run's* emulator after a restart,
not the port it had the day it was made.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import EMULATOR_URL_MARK, Profile
from idconnect_tester.core.profiles import EMULATOR_PROFILE_ID, ProfileStore
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.target_selection import TargetSelection

TODAY = "http://127.0.0.1:40123"  # the emulator's URL in the run the profile was made in
TOMORROW = "http://127.0.0.1:51234"  # …and in the next run


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "profiles.json"


def _stored(path: Path) -> list[dict[str, object]]:
    entries = json.loads(path.read_text(encoding="utf-8"))["profiles"]
    assert isinstance(entries, list)
    return entries


def test_a_duplicate_of_the_emulator_profile_follows_it_after_a_restart(path: Path) -> None:
    today = ProfileStore(path, emulator_base_url=TODAY)
    copy = today.duplicate(EMULATOR_PROFILE_ID)
    today.update(replace(copy, app_token="sbx:emulator-disabled-token", client_id="other"))
    assert copy.follows_emulator and copy.base_url == TODAY  # today, today's URL
    assert "40123" not in path.read_text(encoding="utf-8")  # the file keeps no port

    tomorrow = ProfileStore(path, emulator_base_url=TOMORROW)
    loaded = tomorrow.get(copy.id)

    assert loaded is not None and loaded.follows_emulator
    assert (loaded.base_url, loaded.issuer) == (TOMORROW, TOMORROW + "/")
    assert (loaded.app_token, loaded.client_id) == ("sbx:emulator-disabled-token", "other")
    assert loaded.target(Secret("s")).url_for("/x") == TOMORROW + "/x"


def test_the_file_says_the_built_in_emulator_where_its_url_goes(path: Path) -> None:
    store = ProfileStore(path, emulator_base_url=TODAY)
    copy = store.duplicate(EMULATOR_PROFILE_ID)
    # An issuer that isn't on the emulator is the user's choice: it stays as typed.
    store.update(replace(copy, authorization_endpoint=TODAY + "/authorize"))
    other = store.add(
        replace(copy, name="Own issuer", issuer="https://issuer.example/", follows_emulator=True)
    )

    by_name = {entry["name"]: entry for entry in _stored(path)}
    assert by_name[copy.name]["base_url"] == EMULATOR_URL_MARK
    assert by_name[copy.name]["issuer"] == EMULATOR_URL_MARK + "/"
    assert by_name[copy.name]["authorization_endpoint"] == EMULATOR_URL_MARK + "/authorize"
    assert by_name[other.name]["issuer"] == "https://issuer.example/"
    moved = ProfileStore(path, emulator_base_url=TOMORROW).get(copy.id)
    assert moved is not None and moved.authorization_endpoint == TOMORROW + "/authorize"


def test_target_selection_sends_a_following_profile_to_this_runs_emulator(path: Path) -> None:
    """What the window uses: the selection resolves the stored profile to the URL its own
    emulator has — the store never learns it."""
    copy = ProfileStore(path, emulator_base_url=TODAY).duplicate(EMULATOR_PROFILE_ID)
    running: list[str | None] = [None]  # the emulator has no port yet at start-up
    selection = TargetSelection(ProfileStore(path), SecretStore(), lambda: running[0])
    selection.select(copy.id)
    assert not selection.emulator_ready  # nothing is sent to a guessed port meanwhile
    assert selection.target_problems() == {"base_url": "The built-in emulator is starting…"}

    running[0] = TOMORROW
    selection.reload()

    assert selection.emulator_ready and selection.target().base_url == TOMORROW
    listed = {p.id: p for p in selection.profiles()}
    assert listed[copy.id].issuer == TOMORROW + "/"
    assert "built-in emulator" in selection.describe()
    # After a restart with no keyring its secret is gone: the field suggests the emulator's.
    assert selection.secret_suggestion == "emulator-secret-key"
    selection.select(EMULATOR_PROFILE_ID)
    remote = replace(copy, name="Remote", base_url="https://api.example", follows_emulator=False)
    other = selection.store.add(remote)
    selection.select(other.id)
    assert selection.secret_suggestion is None


def test_typing_another_url_stops_following_and_the_emulators_url_starts_it(path: Path) -> None:
    store = ProfileStore(path, emulator_base_url=TODAY)
    copy = store.duplicate(EMULATOR_PROFILE_ID)
    selection = TargetSelection(store, SecretStore(), lambda: TODAY)
    selection.select(copy.id)

    selection.edit("http://127.0.0.1:9000", "sbx:emulator-app-token", "")
    assert selection.save_edits().saved
    (entry,) = _stored(path)
    assert entry["base_url"] == "http://127.0.0.1:9000"  # a URL of its own now, kept as typed
    assert entry["issuer"] == TODAY + "/"  # the issuer it had, no longer moving

    selection.edit(TODAY + "/", "sbx:emulator-app-token", "")  # the running emulator's URL
    assert selection.current.follows_emulator and selection.save_edits().saved
    (entry,) = _stored(path)
    assert entry["base_url"] == EMULATOR_URL_MARK


def test_a_new_profile_given_the_running_emulators_url_follows_it(path: Path) -> None:
    store = ProfileStore(path, emulator_base_url=TODAY)
    selection = TargetSelection(store, SecretStore(), lambda: TODAY)
    typed = Profile("", "Mine", base_url=TODAY, app_token="sbx:emulator-app-token")
    added = store.add(selection.following_the_emulator(typed))
    # Another server on this machine (a standalone emulator on its fixed port) is not it.
    standalone = replace(typed, name="Port 8088", base_url="http://127.0.0.1:8088")
    elsewhere = store.add(selection.following_the_emulator(standalone))

    reloaded = ProfileStore(path, emulator_base_url=TOMORROW)
    mine, fixed = reloaded.get(added.id), reloaded.get(elsewhere.id)
    assert mine is not None and mine.base_url == TOMORROW
    assert fixed is not None and fixed.base_url == "http://127.0.0.1:8088"  # never moved


def test_an_export_says_the_built_in_emulator_and_imports_onto_the_importers(
    path: Path, tmp_path: Path
) -> None:
    store = ProfileStore(path, emulator_base_url=TODAY)
    copy = store.duplicate(EMULATOR_PROFILE_ID)
    exported = tmp_path / "copy.json"
    store.export_profile(copy.id, exported)

    text = exported.read_text(encoding="utf-8")
    (entry,) = json.loads(text)["profiles"]
    assert entry["base_url"] == EMULATOR_URL_MARK and "40123" not in text
    assert "secret" not in {key.lower() for key in entry}

    elsewhere = ProfileStore(tmp_path / "theirs.json", emulator_base_url=TOMORROW)
    (imported,) = elsewhere.import_profiles(exported)
    assert imported.follows_emulator and imported.base_url == TOMORROW
    assert imported.issuer == TOMORROW + "/"


def test_profiles_stored_before_this_version_load_unchanged(path: Path) -> None:
    """Older files have concrete URLs and no mark: nothing is lost, nothing starts moving."""
    path.parent.mkdir(parents=True)
    old = {
        "id": "a" * 32,
        "name": "Emulator copy",
        "base_url": TODAY,
        "app_token": "sbx:emulator-app-token",
        "client_id": "emulator-client",
        "issuer": TODAY + "/",
    }
    path.write_text(json.dumps({"version": 1, "last_used": "a" * 32, "profiles": [old]}))

    store = ProfileStore(path, emulator_base_url=TOMORROW)

    loaded = store.get("a" * 32)
    assert store.recovery_message is None and store.last_used == "a" * 32
    assert loaded is not None and not loaded.follows_emulator
    assert (loaded.base_url, loaded.issuer) == (TODAY, TODAY + "/")
