"""A `prd:` app token in a profile not marked as production is warned about, the mirror of the
`sbx:` token in a production profile — whether the profile was made by hand or imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.postman import write_environment

from idconnect_tester.core.postman_import import profile_from_postman
from idconnect_tester.core.profiles import Profile

PRODUCTION_TOKEN = "prd:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad"


def _profile(name: str = "Acme KYC", **changes: Any) -> Profile:
    fields: dict[str, Any] = {
        "id": "",
        "name": name,
        "base_url": "https://api.sumsub.com",
        "app_token": PRODUCTION_TOKEN,
        "client_id": "acme-client",
    }
    fields.update(changes)
    return Profile(**fields)


def _about_the_production_token(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "prd:" in w]


def test_a_production_token_in_a_profile_not_marked_production_is_flagged() -> None:
    [warning] = _about_the_production_token(_profile().warnings())
    assert "production" in warning
    # Spaces around a pasted token don't hide it.
    assert _about_the_production_token(_profile(app_token=f"  {PRODUCTION_TOKEN} ").warnings())


def test_a_production_token_where_production_is_said_is_not_flagged() -> None:
    assert _profile(production=True).warnings() == []
    # A production name says what the flag would, as it does for the sbx: warning.
    assert _profile("Prod EU").warnings() == []
    # Neither prefix, or a sandbox token: nothing to say about production.
    assert _profile(app_token="uY0CgwELmgUAEyl4hNWxLngb").warnings() == []
    assert _profile(app_token="sbx:uY0CgwELmgUAEyl4hNWxLngb").warnings() == []


def test_a_sandbox_named_profile_gets_one_warning_about_its_production_token() -> None:
    """Its name's warning already calls the token a production one: not said twice."""
    warnings = _profile("Sandbox EU").warnings()
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
