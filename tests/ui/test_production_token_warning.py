"""The `prd:` app token in a profile not marked as production is warned about wherever the `sbx:`
one in a production profile is: the profile's settings, the Target panel, an imported profile."""

from __future__ import annotations

from pathlib import Path

from tests.support.flows import EMULATOR_SECRET_KEY
from tests.support.postman import write_environment
from tests.ui.helpers import add_profile, type_into

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog

PRODUCTION_TOKEN = "prd:emulator-app-token"


def test_the_settings_dialog_warns_until_production_is_ticked(qtbot) -> None:
    draft = Profile(
        new_profile_id(),
        name="Acme KYC",
        base_url="https://api.sumsub.com",
        app_token="sbx:abcdefgh",
        client_id="acme-client",
    )
    dialog = ProfileDialog(draft, title="Profile settings")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.warnings.isVisible()

    type_into(qtbot, dialog.edits["app_token"], PRODUCTION_TOKEN)
    assert dialog.warnings.isVisible() and "prd:" in dialog.warnings.text()

    dialog.production.setChecked(True)
    assert not dialog.warnings.isVisible()


def test_the_target_panel_warns_of_a_production_token_in_an_unmarked_profile(
    window: MainWindow, qtbot
) -> None:
    add_profile(window, "Acme KYC", app_token=PRODUCTION_TOKEN)
    message = window.target_panel.messages["profile"]
    assert message.isVisible() and "prd:" in message.text()

    add_profile(window, "Acme KYC live", app_token=PRODUCTION_TOKEN, production=True)
    assert "prd:" not in message.text()


def test_an_imported_postman_environment_with_a_production_token_is_warned_about(
    window: MainWindow, qtbot, tmp_path: Path, test_keyring
) -> None:
    source = write_environment(
        tmp_path / "Acme.postman_environment.json",
        name="Acme KYC",
        base_url=window.emulator.base_url,
        app_token=PRODUCTION_TOKEN,
        secret_key=EMULATOR_SECRET_KEY,
    )
    window.profile_actions.import_from(source)

    assert window.target_panel.profile.currentText() == "Acme KYC"
    assert not window.targets.current.production
    message = window.target_panel.messages["profile"]
    assert message.isVisible() and "prd:" in message.text()
