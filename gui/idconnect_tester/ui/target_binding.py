"""Connects the target panel to the profiles and the keyring (`TargetSelection`).

The keyring is only ever called off the GUI thread: an unlock prompt or a slow D-Bus must not
freeze the window. Typing changes the target at once (Send uses what is on screen); the profile
file and the keyring are written once editing finishes — the field loses focus, Return, a pause
in typing, another profile, closing — never on every keystroke.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.session_events import Origin
from idconnect_tester.core.target_selection import SaveResult, SecretWrite, TargetSelection
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.target_panel import TargetPanel
from idconnect_tester.ui.tasks import TaskOwner
from idconnect_tester.ui.theme import Tone

SAVE_AFTER_MS = 1500  # a pause in typing this long counts as editing finished

Say = Callable[[str, Tone], None]


class TargetBinding(QObject):
    target_changed = Signal(object)  # Origin: the target requests now go to
    problems_changed = Signal(str)  # the first reason Send can't go to this target, or ""
    profiles_changed_elsewhere = Signal()  # the profile file, written by another program

    def __init__(
        self,
        selection: TargetSelection,
        panel: TargetPanel,
        controller: RequestController,
        say: Say,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.selection = selection
        self.panel = panel
        self._controller = controller
        self._say = say
        self._not_saved: str | None = None  # the profile whose last save was refused
        self._writes = TaskOwner()  # awaited on close: a secret typed last is not lost
        self._closed = False  # closing: answers that arrive from the keyring change nothing
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_AFTER_MS)
        self._save_timer.timeout.connect(self.save)
        panel.profile_selected.connect(self.select)
        panel.edited.connect(self._edited)
        panel.editing_finished.connect(self.save)
        self._file_watcher = QFileSystemWatcher(self)
        self._file_watcher.directoryChanged.connect(self.catch_up)

    # --- showing ---

    def reload(self) -> None:
        """Profiles changed (dialogs, import, the emulator listening): show them again."""
        self.selection.reload()
        self.panel.set_profiles(self.selection.profiles(), self.selection.current.id)
        self._show_current()

    # --- profiles another program changed ---

    def watch_the_profile_file(self, window: QWidget) -> None:
        """Profiles added elsewhere (`profile import` in a terminal, a second window) appear in
        the list as the file changes, and when the window is activated: a watch needs the
        file's folder, which the other program may have been the one to create."""
        self._watch_the_folder()
        window.installEventFilter(self)

    def _watch_the_folder(self) -> None:
        folder = str(self.selection.store.path.parent)
        if folder not in self._file_watcher.directories():
            self._file_watcher.addPath(folder)  # (refused, quietly, while it doesn't exist)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.WindowActivate:
            self._watch_the_folder()
            self.catch_up()
        return False

    def catch_up(self) -> None:
        """The list shows what the file holds now. The profile on screen stays as it is, with
        what is typed in it — unless another window deleted it: then the profile last used is
        selected, and the status bar says why (typing on into a deleted profile was refused
        at each save, "There is no profile with id …")."""
        store = self.selection.store
        listed = {profile.id for profile in self.selection.profiles()}
        recovery_before = store.recovery_message
        if self._closed or not store.catch_up():
            return
        current = self.selection.current
        profiles = self.selection.profiles()
        if all(profile.id != current.id for profile in profiles):
            self._save_timer.stop()  # what was typed has no profile to go to any more
            self.selection.select(store.last_used)
            self.panel.set_profiles(profiles, self.selection.current.id)
            self._show_current()
            self._say(
                f"Profile {current.name!r} was deleted outside this window: now on "
                f"{self.selection.current.name!r}",
                Tone.WARNING,
            )
            self.profiles_changed_elsewhere.emit()
            return
        followed = self.selection.follow_the_store()  # renamed there, say: typing here stays
        self.panel.set_profiles(profiles, current.id)
        if followed:
            if not self.selection.typed_in_the_target_fields():
                # Fields nobody typed in here show what the other window saved: left as they
                # were, the next keystroke here wrote their old values back over it (tryout AL).
                self.panel.show_saved_fields(self.selection.current)
            self._changed()  # requests go to the profile as it is now (a new client id)
        added = [profile.name for profile in profiles if profile.id not in listed]
        if store.recovery_message and store.recovery_message != recovery_before:
            self._say(store.recovery_message, Tone.WARNING)
        elif added:
            self._say(f"Profiles added outside this window: {', '.join(added)}", Tone.OK)
        self.profiles_changed_elsewhere.emit()

    def _show_current(self) -> None:
        profile = self.selection.current
        secret = self.selection.known_secret()
        self.panel.show_profile(profile, secret or "")
        self.panel.set_secret_reading(secret is None, self.selection.secret_suggestion)
        if secret is None:
            self._read_secret(profile.id)
        self._show_note()
        self._changed()

    def _show_note(self) -> None:
        profile = self.selection.current
        if profile.builtin:
            self.panel.note.setText(
                "Runs inside the app. Edits here last for this run only: try "
                "sbx:emulator-disabled-token (404) or a wrong secret (signature mismatch)."
            )
        elif self.selection.known_secret() is None:
            self.panel.note.setText("Reading the secret key from the system keyring…")
        elif self.selection.secrets_persist is not False:
            self.panel.note.setText(
                "The secret key is kept in the system keyring, never in a file."
            )
        else:
            self.panel.note.setText(
                "No system keyring: the secret key lasts for this run only, never written to a "
                "file."
            )

    def _changed(self) -> None:
        problems = self.selection.target_problems()
        starting = not self.selection.emulator_ready
        reading = self.selection.known_secret() is None
        # Waiting for the emulator or the keyring is not the user's mistake: Send stays off,
        # but nothing is shown in red under the fields.
        self.panel.show_problems(
            {} if starting or reading else problems,
            self.selection.warnings(),
            self.selection.field_warnings(),
        )
        self.problems_changed.emit(next(iter(problems.values()), ""))
        self.target_changed.emit(self.selection.origin())
        for notice in self.selection.take_notices():
            self._say(notice, Tone.WARNING)

    # --- the keyring, off the GUI thread ---

    def _read_secret(self, profile_id: str) -> None:
        async def run() -> None:
            await self._controller.run_blocking(self.selection.read_secret, profile_id)
            if self._closed:
                return
            self._keyring_answered()
            if self.selection.current.id != profile_id:
                return  # the user has moved on to another profile
            self.panel.set_secret_reading(False, self.selection.secret_suggestion)
            if not self.selection.typed_secret(profile_id):  # what was typed meanwhile wins
                self.panel.show_secret_value(self.selection.known_secret() or "")
            self._show_note()
            self._changed()

        self._controller.start_background(run(), "read the secret key")

    def _keyring_answered(self) -> None:
        """After a keyring call: the note says where secrets live; a keyring that proved
        unusable is reported once."""
        self._show_note()
        if (notice := self.selection.take_keyring_notice()) is not None:
            self._say(notice, Tone.WARNING)

    # --- editing ---

    def _edited(self) -> None:
        base_url, app_token, secret = self.panel.values()
        self.selection.edit(base_url, app_token, secret)
        self._changed()
        if self.selection.current.builtin:
            return
        if self._not_saved == self.selection.current.name:
            # "not saved: <why>" is on show: said again at once, saved or why not now, rather
            # than left standing seconds after the edit that fixed it (tryout AM).
            self.save()
        else:
            self._save_timer.start()

    def select(self, profile_id: str) -> None:
        self.save()  # the profile being left keeps what was typed into it
        self.selection.select(profile_id)
        self._show_current()

    def save(self) -> None:
        """Write what was typed: the profile now (a small file), the secret off the GUI thread."""
        self._save_timer.stop()
        name = self.selection.current.name
        result = self.selection.save_edits()
        self._report(name, result)
        if result.secret_write is not None:
            self._write_secret(result.secret_write)

    def store_secret(self, profile_id: str, secret: Secret) -> None:
        """Keep (or, when empty, delete) a profile's secret in the keyring, off the GUI thread."""
        self._write_secret(SecretWrite(profile_id, secret))

    def _write_secret(self, write: SecretWrite) -> None:
        async def run() -> None:
            await self._controller.run_blocking(write.run, self.selection.secrets)
            if not self._closed:
                self._keyring_answered()

        self._writes.start(run(), "store the secret key")

    async def close(self) -> None:
        """Save what is typed and wait for the keyring writes (closing must not lose them)."""
        self.save()
        self._closed = True
        await self._writes.wait()
        self.selection.forget_typed_secrets()

    def _report(self, name: str, result: SaveResult) -> None:
        if result.problem is not None:
            self._not_saved = name
            self._say(f"Profile {name!r} not saved: {result.problem}", Tone.WARNING)
        elif self._not_saved == name and result.saved:
            # The warning above it would stay on show, long after it stopped being true.
            self._not_saved = None
            self._say(f"Profile {name!r} saved", Tone.OK)

    def origin(self) -> Origin:
        return self.selection.origin()
