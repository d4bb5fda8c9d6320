"""The Profile menu: new, duplicate, rename, delete, settings, import and export.

Secrets follow their profile by id: a duplicate gets a copy of the secret in the keyring, a
deleted profile's secret is removed from it, and an export never carries one (an imported
Postman file's secret goes to the keyring — without one, it is kept for this run, as a secret
typed in is; see `core.postman_import`).

A profile made from the built-in emulator — a duplicate, or one given its URL — follows it
(`Profile.follows_emulator`): the emulator's port changes every run, the profile goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import (
    Profile,
    ProfileError,
    edits_onto,
    new_profile_id,
)
from idconnect_tester.core.wording import counted, sentences
from idconnect_tester.ui.file_dialogs import file_name_from, open_path, save_path
from idconnect_tester.ui.profile_dialog import ProfileDialog
from idconnect_tester.ui.target_binding import TargetBinding
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.widgets import ask, ask_text


class Say(Protocol):
    def __call__(self, text: str, tone: Tone, *, for_profile: str | None) -> None: ...


class ProfileActions:
    def __init__(
        self,
        binding: TargetBinding,
        parent: QWidget,
        say: Say,
        changed: Callable[[str], None],
        emulator_url: Callable[[], str],
        why_keep_the_current: Callable[[], str | None] = lambda: None,
    ) -> None:
        """`changed(profile_id)`: the profiles changed; select that one and show them again.
        `emulator_url()`: the built-in emulator's URL, its port taken if it had none yet (the
        profile dialog's Emulator button needs it on a launch that never used the emulator).
        `why_keep_the_current()`: why an import should leave the current profile selected
        (auto-refresh runs on it), or None."""
        self._binding = binding
        self._emulator_url = emulator_url
        self._why_keep_the_current = why_keep_the_current
        self.targets = binding.selection
        self._parent = parent
        self._say_to = say
        self._changed = changed

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
        """About the profile selected now (added, saved, …): it goes with a switch."""
        self._say_to(text, tone, for_profile=self.targets.current.id)

    def _after_change(self, select_id: str) -> None:
        self._changed(select_id)

    # --- the actions ---

    def new(self) -> None:
        draft = Profile(
            id=new_profile_id(), name="", base_url="https://api.sumsub.com", app_token=""
        )
        dialog = ProfileDialog(
            draft,
            title="New profile",
            parent=self._parent,
            emulator_url=self._emulator_url(),
            keyring=self.targets.secrets_persist,
            taken_names=self._names_besides(draft),
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create(dialog.profile())

    def create(self, profile: Profile) -> Profile:
        added = self.targets.store.add(self.targets.following_the_emulator(profile))
        self._after_change(added.id)
        self._say(f"Profile {added.name!r} added — enter its secret key in the Target panel")
        return added

    def duplicate(self) -> None:
        source = self.targets.current
        if source.builtin:
            # The store makes it follow the built-in emulator: tomorrow's port, not today's.
            copy = self.targets.store.add(replace(source, name="Emulator copy"))
        else:
            copy = self.targets.store.duplicate(source.id)
        secret = self.targets.known_secret()
        if secret:
            self._binding.store_secret(copy.id, Secret(secret))
        self._after_change(copy.id)
        self._say(f"Duplicated as {copy.name!r}")

    def rename(self) -> None:
        """Asks again, with what was typed and why, until the name is free or the person
        cancels: a name taken already used to close the dialog and lose the typing."""
        profile = self.targets.current
        name, problem = profile.name, ""
        while True:
            label = f"{problem}\n\nNew name:" if problem else "New name:"
            name, ok = ask_text(self._parent, "Rename profile", label, name)
            if not ok or not name.strip():
                return
            try:
                self.targets.store.rename(profile.id, name.strip())
            except ProfileError as exc:
                problem = str(exc)
                continue
            break
        self._after_change(profile.id)
        self._say(f"Renamed to {name.strip()!r}")

    def delete(self) -> None:
        profile = self.targets.current
        if profile.builtin:
            raise ProfileError("The built-in emulator profile can't be deleted")
        answer = ask(
            self._parent,
            "Delete profile",
            f"Delete the profile {profile.name!r} and its secret key?\n\nIts exchanges stay "
            "in the History, under its name.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_now(profile.id)

    def delete_now(self, profile_id: str) -> None:
        """Delete a profile and its secret key. The current one gives way to its neighbour in
        the list — the next, or the one before the last (tryout AG: the built-in emulator
        took its place, not the copy of it beside it)."""
        profile = self.targets.store.get(profile_id)
        ids = [p.id for p in self.targets.store.profiles()]
        neighbour = ""
        if profile_id == self.targets.current.id and profile_id in ids:
            at = ids.index(profile_id)
            rest = ids[:at] + ids[at + 1 :]
            neighbour = rest[min(at, len(rest) - 1)] if rest else ""
        self.targets.store.delete(profile_id)
        self._binding.store_secret(profile_id, Secret(""))
        self._after_change(neighbour or self.targets.store.last_used)
        self._say(f"Profile {profile.name if profile else profile_id!r} deleted")

    def settings(self) -> None:
        profile = self.targets.current
        if profile.builtin:
            raise ProfileError("The built-in emulator's settings are fixed; duplicate it to edit")
        dialog = ProfileDialog(
            profile,
            title=f"Settings — {profile.name}",
            parent=self._parent,
            emulator_url=self._emulator_url(),
            keyring=self.targets.secrets_persist,
            taken_names=self._names_besides(profile),
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            # What the dialog changed, onto the profile as saved now: another window may
            # have saved other fields of it while the dialog was open.
            saved = self.targets.as_saved(profile.id)
            edited = dialog.profile()
            if saved is not None:
                edited = edits_onto(saved, dialog.opened_with, edited)
            self.save_settings(edited)

    def _names_besides(self, profile: Profile) -> list[str]:
        return [p.name for p in self.targets.store.profiles() if p.id != profile.id]

    def save_settings(self, profile: Profile) -> None:
        self.targets.store.update(self.targets.following_the_emulator(profile))
        self._after_change(profile.id)
        self._say(f"Profile {profile.name!r} saved")

    def import_profiles(self) -> None:
        path = open_path(
            self._parent, "Import profiles", "Profiles or Postman files (*.json);;All files (*)"
        )
        if path is not None:
            self.import_from(path)

    def import_from(self, path: Path) -> None:
        try:
            imported = self.targets.store.import_profiles(
                path, secrets=self.targets.secrets, secret_for_this_run=True
            )
        except ProfileError as exc:
            # Said in a window of its own too: cut to the status bar's width, the reason came
            # after the file's name and a long profile name, and was lost (tryout AP).
            self._say(str(exc), Tone.ERROR)
            self._show_notes(
                "importFailedBox",
                "Nothing imported",
                f"Nothing was imported from {path.name}:",
                [str(exc)],
                QMessageBox.Icon.Critical,
            )
            return
        done = f"Imported {counted(len(imported), 'profile')} from {path.name}."
        if imported:
            # An import is no reason to stop what runs on the current profile: the imported
            # one is then listed, not selected.
            keep = self._why_keep_the_current()
            self._after_change(self.targets.current.id if keep else imported[-1].id)
            if keep:
                done += (
                    f" {self.targets.current.name} stays selected ({keep}): pick "
                    f"{imported[-1].name} in the profile list."
                )
        if not imported.notes:
            self._say(done, Tone.OK)
            return
        # Every note asks for something (enter the secret, delete the plain-text file, fix a
        # skipped entry): too much for one status line, so they are listed in a window of
        # their own too (not modal: the profile is there to look at meanwhile).
        self._say(f"{done} {sentences(imported.notes)}", Tone.WARNING)
        self._show_notes(
            "importNotesBox", "Imported, with notes", done + " Please read:", imported.notes
        )

    def _show_notes(
        self,
        name: str,
        title: str,
        text: str,
        notes: Sequence[str],
        icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
    ) -> None:
        """`notes` in a window of their own, not modal: the profiles are there to look at
        meanwhile."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._parent)
        box.setObjectName(name)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the notes quote the imported file
        box.setInformativeText("\n\n".join(f"• {note}" for note in notes))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()

    def export(self) -> None:
        profile = self.targets.current
        if profile.builtin:
            raise ProfileError("The built-in emulator profile isn't exported; it is always there")
        suggested = file_name_from(profile.name, ".json", "profile")
        path = save_path(self._parent, "Export profile", suggested, "Profiles (*.json)")
        if path is not None:
            self.targets.store.export_profile(profile.id, path)
            self._say(f"Exported {profile.name!r} (without its secret key) to {path}")
