"""The target: which profile, its base URL, app token and secret key (masked unless asked)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from idconnect_tester.core.profile_model import Profile
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import FieldMessage, WrappedNote, with_hidden_shown


def _transparent_base() -> QPalette:
    """A palette that sets only the field's background, to none: every other colour still
    follows the scheme (a palette's unset roles come from the application's)."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
    return palette


def _application() -> QCoreApplication:
    app = QApplication.instance()
    assert app is not None  # a panel exists: so does the application
    return app


class TargetPanel(QGroupBox):
    profile_selected = Signal(str)  # profile id
    edited = Signal()  # base URL, app token or secret key changed by the user
    editing_finished = Signal()  # a field lost focus or got Return: a good moment to save
    action_requested = Signal(str)  # "new", "duplicate", "rename", "delete", "settings", ...

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Target", parent)
        self._loading = False
        self._closing_after_the_click = False  # see _on_editing_finished

        self.profile = QComboBox()
        self.profile.setObjectName("profileCombo")
        self.profile.setAccessibleName("Profile")
        self.profile.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # A push button with a menu: Qt leaves room for its arrow (a tool button in instant
        # popup mode draws the arrow over the end of its text).
        self.profile_menu_button = QPushButton("Profi&le…")
        self.profile_menu_button.setObjectName("profileMenuButton")
        self.profile_menu_button.setAccessibleName("Profile actions")
        self.profile_menu_button.setToolTip(
            "New, duplicate, rename, delete, settings, import, export"
        )
        menu = QMenu(self.profile_menu_button)
        self.actions_by_name: dict[str, QAction] = {}
        for name, text in (
            ("new", "&New profile…"),
            ("duplicate", "&Duplicate"),
            ("rename", "&Rename…"),
            ("delete", "De&lete"),
            ("settings", "&Settings…"),
            ("import", "&Import…"),
            ("export", "&Export…"),
        ):
            action = menu.addAction(text)
            action.setObjectName(f"profileAction_{name}")
            action.triggered.connect(lambda _=False, n=name: self.action_requested.emit(n))
            self.actions_by_name[name] = action
        self.profile_menu_button.setMenu(menu)

        self.base_url = self._edit("baseUrlEdit", "Base URL", "https://api.sumsub.com")
        self.app_token = self._edit("appTokenEdit", "App token", "sbx:… or prd:… (X-App-Token)")
        self.secret_key = self._edit("secretKeyEdit", "Secret key", "the app token's secret key")
        self.secret_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_secret = QToolButton()
        self.show_secret.setObjectName("secretKeyShowButton")
        self.show_secret.setText("Show")
        self.show_secret.setCheckable(True)
        self.show_secret.setAccessibleName("Show or hide the secret key")
        self.show_secret.setToolTip("Show the secret key (it is stored in the system keyring)")
        self.show_secret.toggled.connect(self._toggle_secret)

        self._fields: dict[str, QWidget] = {
            "base_url": self.base_url,
            "app_token": self.app_token,
            "secret_key": self.secret_key,
            "profile": self.profile,
        }
        self.messages = {name: FieldMessage(f"{name}Message") for name in self._fields}
        # Each message is read with its field by screen readers.
        for name, field in self._fields.items():
            self.messages[name].tie_to(field)
        # Room for three lines from the start (the emulator's note, in a narrow column): filling
        # the note in must not move the rows below.
        self.note = WrappedNote("targetNote", lines=3)
        set_tone(self.note, Tone.MUTED)

        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile, 1)
        profile_row.addWidget(self.profile_menu_button)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret_key, 1)
        secret_row.addWidget(self.show_secret)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._label("&Profile", self.profile), profile_row)
        form.addRow("", self.messages["profile"])
        form.addRow(self._label("&Base URL", self.base_url), self.base_url)
        form.addRow("", self.messages["base_url"])
        form.addRow(self._label("&App token", self.app_token), self.app_token)
        form.addRow("", self.messages["app_token"])
        form.addRow(self._label("Secret &key", self.secret_key), secret_row)
        form.addRow("", self.messages["secret_key"])
        form.addRow("", self.note)

        self.profile.currentIndexChanged.connect(self._on_profile_index)
        for edit in (self.base_url, self.app_token, self.secret_key):
            edit.textEdited.connect(self._on_edited)
            edit.editingFinished.connect(self._on_editing_finished)

    def _edit(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.setFont(monospace_font())
        return edit

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _toggle_secret(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.secret_key.setEchoMode(mode)
        self.show_secret.setText("Hide" if shown else "Show")

    def hide_secret(self) -> None:
        self.show_secret.setChecked(False)

    def _on_profile_index(self, index: int) -> None:
        if not self._loading and index >= 0:
            self.profile_selected.emit(str(self.profile.itemData(index)))

    def _on_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _on_editing_finished(self) -> None:
        # The room a message kept while its field was typed in goes with the focus: left
        # there, it was a blank band between the fields for good (tryout W). Left by a press
        # on a button below, the rows move up once the press is over: moved under the
        # pointer before the release, they lost the click.
        if QApplication.mouseButtons() == Qt.MouseButton.NoButton:
            self._close_kept_rooms()
        elif not self._closing_after_the_click:
            self._closing_after_the_click = True
            _application().installEventFilter(self)
        if not self._loading:
            self.editing_finished.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._closing_after_the_click and event.type() is QEvent.Type.MouseButtonRelease:
            self._closing_after_the_click = False
            _application().removeEventFilter(self)
            QTimer.singleShot(0, self._close_kept_rooms)  # once the release has clicked
        return False

    def _close_kept_rooms(self) -> None:
        for message in self.messages.values():
            if not message.text():
                message.clear_message()

    # --- called by the window ---

    def set_profiles(self, profiles: list[Profile], current_id: str) -> None:
        self._loading = True
        try:
            self.profile.clear()
            for profile in profiles:
                # A name from an imported file is shown as the characters it is: a
                # right-to-left override in it would redraw the list around it.
                self.profile.addItem(with_hidden_shown(profile.name), profile.id)
            index = self.profile.findData(current_id)
            self.profile.setCurrentIndex(max(index, 0))
        finally:
            self._loading = False

    def current_profile_id(self) -> str:
        return str(self.profile.currentData())

    def show_profile(self, profile: Profile, secret: str) -> None:
        self._loading = True
        try:
            self.base_url.setText(profile.base_url)
            self.app_token.setText(profile.app_token)
            self.secret_key.setText(secret)
            self.hide_secret()
        finally:
            self._loading = False
        # The emulator's URL is whatever port it got; editing it would only break it. Read-only
        # looks it: no box, so nobody tries to type into it (the text can still be copied).
        self.base_url.setReadOnly(profile.builtin)
        self.base_url.setFrame(not profile.builtin)
        self.base_url.setPalette(_transparent_base() if profile.builtin else QPalette())
        self.base_url.setToolTip(
            "The built-in emulator's address: its port is chosen when it starts"
            if profile.builtin
            else ""
        )
        # The built-in emulator is fixed and always there: nothing to rename, delete, set or
        # export (tryout AJ: Export was on, and then refused it in red).
        for name in ("rename", "delete", "settings", "export"):
            self.actions_by_name[name].setEnabled(not profile.builtin)

    def show_saved_fields(self, profile: Profile) -> None:
        """Base URL and app token as saved now (another window changed them), where nothing
        is typed: the secret key stays as it is."""
        self._loading = True
        try:
            for edit, value in (
                (self.base_url, profile.base_url),
                (self.app_token, profile.app_token),
            ):
                if edit.text() != value:
                    edit.setText(value)
        finally:
            self._loading = False

    def show_secret_value(self, secret: str) -> None:
        self._loading = True
        try:
            self.secret_key.setText(secret)
        finally:
            self._loading = False

    def set_secret_reading(self, reading: bool, suggestion: str | None = None) -> None:
        """While the keyring is asked, the field says so rather than looking empty (typing
        into it meanwhile is fine: what is typed wins). `suggestion`: the secret the profile
        most likely has (the built-in emulator's, for a profile that follows it)."""
        if reading:
            placeholder = "reading the system keyring…"
        elif suggestion:
            # The value first: a laptop's narrow field showed "the built-in emulator's is
            # emula…", the one word it was there to give cut off.
            placeholder = f"{suggestion} (the built-in emulator's)"
        else:
            placeholder = "the app token's secret key"
        self.secret_key.setPlaceholderText(placeholder)

    def values(self) -> tuple[str, str, str]:
        return self.base_url.text().strip(), self.app_token.text().strip(), self.secret_key.text()

    def show_problems(
        self, problems: dict[str, str], warnings: list[str], beside: dict[str, str]
    ) -> None:
        """Errors under their fields; a warning about one field (`beside`, by field name)
        under that field, where the eye is; the profile's other warnings under the profile."""
        if "issuer" in beside and "base_url" not in beside:
            # The issuer has no field here, and its warnings weigh it against the base URL
            # (two servers on this machine, Sumsub's issuer for an emulator): said under Base
            # URL, where the person types — not above it, under Profile (tryout AK).
            beside = {**beside, "base_url": beside["issuer"]}
        beside = {name: text for name, text in beside.items() if name in self._fields}
        for_the_profile = [text for text in warnings if text not in beside.values()]
        for name, message in self.messages.items():
            if name in problems:
                message.show_message(problems[name], Tone.ERROR)
            elif name in beside:
                message.show_message(beside[name], Tone.WARNING)
            elif name == "profile" and for_the_profile:
                message.show_message("\n".join(for_the_profile), Tone.WARNING)
            else:
                # A field being typed in keeps its message's room (the rows below stay under
                # the pointer); a profile picked from the list has no typing to protect.
                typing = name != "profile" and self._fields[name].hasFocus()
                message.clear_message(keep_room=typing)
