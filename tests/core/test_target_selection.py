"""The selected target and the names results carry: what was typed in the target fields this
run (a secret key, an app token) must not outlive the profile, nor keep a name it no longer has.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from idconnect_tester.core.profile_model import Profile, edits_onto, new_profile_id
from idconnect_tester.core.profiles import EMULATOR_PROFILE_ID, ProfileStore
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.session_events import Origin
from idconnect_tester.core.target_selection import TargetSelection

SERVER = "https://api.example"


@pytest.fixture
def selection(tmp_path: Path) -> TargetSelection:
    return TargetSelection(
        ProfileStore(tmp_path / "profiles.json"), SecretStore(), lambda: "http://127.0.0.1:40123"
    )


def _partner(selection: TargetSelection) -> Profile:
    profile = Profile(new_profile_id(), name="Partner A", base_url=SERVER, app_token="sbx:a")
    added = selection.store.add(profile)
    selection.select(added.id)
    return added


def test_a_deleted_profile_is_named_deleted_even_with_edits_typed_into_its_fields(
    selection: TargetSelection,
) -> None:
    """Found by a probe: a new profile's secret key typed, a token taken, the profile deleted —
    the results went on naming "Partner A" as if it were still in the list."""
    partner = _partner(selection)
    selection.edit(SERVER, "sbx:a", "typed-secret")  # what typing the secret key does
    origin = selection.origin()

    selection.store.delete(partner.id)  # here, or in another window
    selection.select(partner.id)  # what a stale id (last used, a History row) asks for

    assert origin.label == "Partner A (deleted)"
    assert selection.current.builtin  # the edits don't bring it back


def test_a_renamed_profile_keeps_its_typed_edits_under_its_new_name(
    selection: TargetSelection,
) -> None:
    partner = _partner(selection)
    selection.edit(SERVER, "sbx:typed", "typed-secret")
    origin = selection.origin()

    selection.store.rename(partner.id, "Partner B")
    selection.select(partner.id)

    assert origin.label == "Partner B"
    assert selection.current.name == "Partner B"
    assert selection.current.app_token == "sbx:typed"  # not thrown away by the rename


def test_saving_what_was_typed_keeps_another_windows_rename_and_settings(
    selection: TargetSelection,
) -> None:
    """Found by the state machine below: the typed app token was kept as a whole copy of the
    profile, and saving it wrote back the name and client id another window had just changed
    ("two windows may edit profiles at once: neither undoes the other's change")."""
    partner = _partner(selection)
    selection.edit(SERVER, "sbx:typed", "typed-secret")
    other_window = ProfileStore(selection.store.path)
    other_window.rename(partner.id, "Partner B")
    stored = other_window.get(partner.id)
    assert stored is not None
    other_window.update(replace(stored, client_id="client-2"))

    assert selection.save_edits().saved

    saved = ProfileStore(selection.store.path).get(partner.id)
    assert saved is not None
    assert (saved.name, saved.client_id, saved.app_token) == ("Partner B", "client-2", "sbx:typed")
    assert selection.current.name == "Partner B"


def test_catching_up_with_another_window_takes_its_changes_and_keeps_the_typing(
    selection: TargetSelection,
) -> None:
    partner = _partner(selection)
    selection.edit(SERVER, "sbx:typed", "typed-secret")
    other_window = ProfileStore(selection.store.path)
    stored = other_window.get(partner.id)
    assert stored is not None
    other_window.update(replace(stored, name="Partner B", client_id="client-2"))
    selection.store.catch_up()

    assert selection.follow_the_store()

    current = selection.current
    assert (current.name, current.client_id, current.app_token) == (
        "Partner B",
        "client-2",
        "sbx:typed",
    )
    assert selection.origin().profile.client_id == "client-2"  # what Get code sends now
    assert not selection.follow_the_store()  # nothing new the second time


class ProfilesEditedRenamedAndDeleted(RuleBasedStateMachine):
    """Profiles added, typed into, saved, renamed, deleted and selected (by stale ids too), in
    any order. Whatever happened, the selected target is a profile in the list (or the
    built-in emulator) under its listed name, and every result taken on the way names its
    profile as the list does now, or as it last did, marked "(deleted)"."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="idct-selection-"))
        self.selection = TargetSelection(
            ProfileStore(self.folder / "profiles.json"), SecretStore(), lambda: None
        )
        self.ids: list[str] = []  # every profile made, deleted ones too
        self.names: dict[str, str] = {}  # each profile's name, the last one it had
        self.listed: dict[str, str] = {}  # each profile's name as the list last showed it
        self.origins: list[Origin] = []  # results taken on the way
        self.made = 0
        self.behind = False  # another window changed the file; this one hasn't looked yet

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _listed(self) -> None:
        """What the window does after each change: the list is read again."""
        self.listed |= {profile.id: profile.name for profile in self.selection.profiles()}

    def _stored(self, index: int) -> str | None:
        if not self.ids:
            return None
        profile_id = self.ids[index % len(self.ids)]
        return profile_id if ProfileStore(self.selection.store.path).get(profile_id) else None

    @rule()
    def add(self) -> None:
        self.made += 1
        profile = Profile(new_profile_id(), name=f"P{self.made}", base_url=SERVER, app_token="x")
        added = self.selection.store.add(profile)
        self.ids.append(added.id)
        self.names[added.id] = added.name
        self._listed()

    @rule(index=st.integers(0, 20))
    def select(self, index: int) -> None:
        if self.ids:
            self.selection.select(self.ids[index % len(self.ids)])  # maybe deleted since

    @rule(app_token=st.sampled_from(["sbx:a", "sbx:b", ""]), secret=st.sampled_from(["", "s"]))
    def type_into_the_target_fields(self, app_token: str, secret: str) -> None:
        self.selection.edit(SERVER, app_token, secret)

    @rule()
    def save_what_was_typed(self) -> None:
        self.selection.save_edits()

    def _after_a_change_here(self, select_id: str) -> None:
        """What the window does after its own dialogs: it selects the profile the change was
        about (or, for a delete, another) and reads the list again."""
        self.selection.select(select_id)
        self.selection.reload()
        self._listed()

    @rule()
    def catch_up_with_another_window(self) -> None:
        """`TargetBinding.catch_up`, when the window is activated or its file changes: the file
        read again, the profile on screen kept unless it is gone."""
        self.selection.store.catch_up()
        if self.selection.store.get(self.selection.current.id) is None:
            self.selection.select(self.selection.store.last_used)
        else:
            self.selection.follow_the_store()
        self._listed()
        self.behind = False

    @rule(index=st.integers(0, 20), here=st.booleans())
    def rename(self, index: int, here: bool) -> None:
        profile_id = self._stored(index)
        if profile_id is None:
            return
        self.made += 1
        if here:
            self.selection.store.rename(profile_id, f"R{self.made}")
            self._after_a_change_here(profile_id)
        else:
            ProfileStore(self.selection.store.path).rename(profile_id, f"R{self.made}")
            self.behind = True
        self.names[profile_id] = f"R{self.made}"

    @rule(index=st.integers(0, 20), here=st.booleans())
    def delete(self, index: int, here: bool) -> None:
        profile_id = self._stored(index)
        if profile_id is None:
            return
        if here:
            self.selection.store.delete(profile_id)
            self._after_a_change_here(EMULATOR_PROFILE_ID)
        else:
            ProfileStore(self.selection.store.path).delete(profile_id)
            self.behind = True

    @rule()
    def take_a_result(self) -> None:
        self.origins.append(self.selection.origin())

    @invariant()
    def the_selected_target_is_in_the_list_under_its_name(self) -> None:
        current = self.selection.current
        if not current.builtin and not self.behind:
            stored = self.selection.store.get(current.id)
            assert stored is not None, "a deleted profile is still selected"
            assert current.name == stored.name

    @invariant()
    def no_name_given_is_undone(self) -> None:
        """Saving what was typed writes the typing, not an old copy of the profile over a
        rename."""
        for profile in ProfileStore(self.selection.store.path).profiles():
            if not profile.builtin:
                assert profile.name == self.names[profile.id]

    @invariant()
    def results_name_their_profile_as_the_list_does(self) -> None:
        if self.behind:
            return  # said again once the window looks (as the list is)
        for origin in self.origins:
            profile_id = origin.profile.id
            if origin.profile.builtin:
                continue
            # Renamed and then deleted in another window before this one looked, it is gone
            # under the name this window last listed: the new one was never seen here.
            gone = self.selection.store.get(profile_id) is None
            expected = f"{self.listed[profile_id]} (deleted)" if gone else self.names[profile_id]
            assert origin.label == expected


ProfilesEditedRenamedAndDeleted.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None
)
test_profiles_edited_renamed_and_deleted = ProfilesEditedRenamedAndDeleted.TestCase


def test_a_forms_edits_go_onto_the_profile_as_saved_now() -> None:
    before = Profile("p", name="A", base_url=SERVER, app_token="sbx:a", client_id="c1")
    after = replace(before, client_id="c2")  # what the form changed
    saved = replace(before, app_token="sbx:from-elsewhere", name="A renamed")
    merged = edits_onto(saved, before, after)
    assert (merged.client_id, merged.app_token, merged.name) == (
        "c2",
        "sbx:from-elsewhere",
        "A renamed",
    )
    assert edits_onto(saved, before, before) == saved  # nothing changed: nothing written over
