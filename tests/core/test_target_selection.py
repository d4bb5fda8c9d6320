"""The selected target and the names results carry: what was typed in the target fields this
run (a secret key, an app token) must not outlive the profile, nor keep a name it no longer has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.secret_store import SecretStore
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
