"""The Profile menu: new, duplicate, rename, delete, settings, import and export.

Secrets follow their profile by id: a duplicate gets a copy of the secret in the keyring, a
deleted profile's secret is removed from it, and an export never carries one (an imported
Postman file's secret goes to the keyring, see `core.postman_import`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from idconnect_tester.core.profile_model import Profile, ProfileError, new_profile_id
from idconnect_tester.core.wording import counted
from idconnect_tester.ui.theme import Tone

if TYPE_CHECKING:
    from idconnect_tester.ui.main_window import MainWindow


class ProfileActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.session = window.session

    def run(self, action: str) -> None:
        handler = {
            "new": self.new,
            "duplicate": self.duplicate,
            "rename": self.rename,
            "delete": self.delete,
            "settings": self.settings,
            "import": self.import_profiles,
            "export": self.export,
        }.get(action)
        if handler is not None:
            try:
                handler()
            except (ProfileError, OSError) as exc:
                self._say(str(exc), Tone.ERROR)

    def _say(self, text: str, tone: Tone = Tone.OK) -> None:
        self.window.status.say(text, tone)

    def _after_change(self, select_id: str) -> None:
        self.session.select(select_id)
        self.window.reload_profiles()

    # --- the actions ---

    def new(self) -> None:
        from idconnect_tester.ui.profile_dialog import ProfileDialog

        draft = Profile(
            id=new_profile_id(), name="", base_url="https://api.sumsub.com", app_token=""
        )
        dialog = ProfileDialog(draft, title="New profile", parent=self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create(dialog.profile())

    def create(self, profile: Profile) -> Profile:
        added = self.session.store.add(profile)
        self._after_change(added.id)
        self._say(f"Profile {added.name!r} added — enter its secret key in the Target panel")
        return added

    def duplicate(self) -> None:
        source = self.session.current
        if source.builtin:
            copy = self.session.store.add(
                replace(source, id=new_profile_id(), name="Emulator copy", builtin=False)
            )
        else:
            copy = self.session.store.duplicate(source.id)
        secret = self.session.secret_for_display()
        if secret:
            from idconnect_tester.core.masking import Secret

            self.session.secrets.set(copy.id, Secret(secret))
        self._after_change(copy.id)
        self._say(f"Duplicated as {copy.name!r}")

    def rename(self) -> None:
        profile = self.session.current
        name, ok = QInputDialog.getText(
            self.window, "Rename profile", "New name:", text=profile.name
        )
        if ok and name.strip():
            self.session.store.rename(profile.id, name.strip())
            self._after_change(profile.id)
            self._say(f"Renamed to {name.strip()!r}")

    def delete(self) -> None:
        profile = self.session.current
        if profile.builtin:
            raise ProfileError("The built-in emulator profile can't be deleted")
        answer = QMessageBox.question(
            self.window,
            "Delete profile",
            f"Delete the profile {profile.name!r} and its secret key from the keyring?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_now(profile.id)

    def delete_now(self, profile_id: str) -> None:
        profile = self.session.store.get(profile_id)
        self.session.store.delete(profile_id)
        self.session.secrets.delete(profile_id)
        self._after_change(self.session.store.last_used)
        self._say(f"Profile {profile.name if profile else profile_id!r} deleted")

    def settings(self) -> None:
        profile = self.session.current
        if profile.builtin:
            raise ProfileError("The built-in emulator's settings are fixed; duplicate it to edit")
        from idconnect_tester.ui.profile_dialog import ProfileDialog

        dialog = ProfileDialog(profile, title=f"Settings — {profile.name}", parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.save_settings(dialog.profile())

    def save_settings(self, profile: Profile) -> None:
        self.session.store.update(profile)
        self._after_change(profile.id)
        self._say(f"Profile {profile.name!r} saved")

    def import_profiles(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import profiles", "", "Profiles or Postman files (*.json);;All files (*)"
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        imported = self.session.store.import_profiles(path, secrets=self.session.secrets)
        if imported:
            self._after_change(imported[-1].id)
        notes = " ".join(imported.notes)
        self._say(f"Imported {counted(len(imported), 'profile')}. {notes}".strip(), Tone.OK)

    def export(self) -> None:
        profile = self.session.current
        if profile.builtin:
            raise ProfileError("The built-in emulator profile isn't exported; it is always there")
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export profile", f"{profile.name}.json", "Profiles (*.json)"
        )
        if path:
            self.session.store.export_profile(profile.id, Path(path))
            self._say(f"Exported {profile.name!r} (without its secret key) to {path}")
