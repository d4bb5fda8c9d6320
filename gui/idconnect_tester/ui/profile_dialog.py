"""The profile settings dialog: everything a profile holds except its secret (which stays in
the target panel and goes to the keyring). Used for "New profile…" and "Settings…".

A profile that follows the built-in emulator says so under its base URL: the URL shown is the
emulator's in this run, and the next run's will be another. Typing another URL ends that;
*Emulator* (or typing the emulator's URL) starts it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester import vendor
from idconnect_tester.core.profile_model import EMULATOR_APP_TOKEN, EMULATOR_CLIENT_ID, Profile
from idconnect_tester.core.target import is_on_this_machine, normalise_base_url
from idconnect_tester.ui.file_dialogs import open_path
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import (
    MessageLine,
    WrappingLabel,
    ask,
    correct_to_nearest,
    guard_wheel,
    scrolling_up_and_down,
)
from idconnect_tester.ui.window_size import KeepsItsFrameOnScreen, fit_to_screen

# Each field's label: its accessible name too (without the &). The mnemonics leave S and C to
# Save and Cancel, which some desktops' themes give &S and &C.
_LABELS = {
    "name": "&Name",
    "base_url": "&Base URL",
    "app_token": "&App token",
    "client_id": "Client &id",
    "redirect_uri": "&Redirect URI",
    "issuer": "Iss&uer",
    "authorization_endpoint": "Authori&zation endpoint",
    "timeout_s": "&Timeout",
    "ca_bundle": "CA bun&dle",
    "proxy": "&Proxy",
}


# Where the secret key goes, as far as this run knows: None until the keyring was tried (the
# dialog never waits for it: an unlock prompt could hold it).
_SECRET_NOTES: Final = {
    True: "The secret key is entered in the main window and kept in the keyring.",
    False: "The secret key is entered in the main window and, with no keyring on this machine, "
    "kept for this run only.",
    None: "The secret key is entered in the main window and kept in the system keyring (where "
    "there is none, for this run only).",
}


def _label(name: str, buddy: QWidget) -> QLabel:
    label = QLabel(_LABELS[name])
    label.setBuddy(buddy)
    return label


FOLLOWS_EMULATOR_NOTE = (
    "Follows the built-in emulator: its URL in this run, another after a restart. Type another "
    "URL to stop."
)


def _align_label_columns(*forms: QFormLayout) -> None:
    """One label column for the sections: each form sizes its labels to its own longest, and
    the fields of one section would start further right than the others'."""
    labels: list[QWidget] = []
    for form in forms:
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if label is not None:
                labels.append(label)
    widest = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(widest)


class ProfileDialog(QDialog):
    def __init__(
        self,
        profile: Profile,
        *,
        title: str,
        parent: QWidget | None = None,
        emulator_url: str | None = None,
        keyring: bool | None = True,
        taken_names: Collection[str] = (),
    ) -> None:
        """`emulator_url`: the built-in emulator's URL in this run (None: it has none yet);
        `keyring`: False when this machine has none (the secret is kept for the run only),
        None when that is not known yet; `taken_names`: the other profiles' names, refused
        here (Save closed the dialog, and the store's refusal lost every other edit)."""
        super().__init__(parent)
        self._taken = {name.strip().casefold() for name in taken_names}
        self.setObjectName("profileDialog")
        self.setWindowTitle(title)
        self._original = profile
        self._emulator_url = normalise_base_url(emulator_url) if emulator_url else None
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, MessageLine] = {}
        # A field's problem is said once the field holds something or was edited: a new
        # profile's empty form isn't a page of red. Save says what it still needs.
        self._touched = {name for name, value in vars(profile).items() if value}

        def edit(name: str, text: str, placeholder: str = "", mono: bool = True) -> QLineEdit:
            line = QLineEdit(text)
            line.setObjectName(f"profile_{name}")
            line.setPlaceholderText(placeholder)
            line.setAccessibleName(_LABELS[name].replace("&", ""))
            if mono:
                line.setFont(monospace_font())
            line.textChanged.connect(self._validate)
            line.textEdited.connect(lambda _text, touched=name: self._touch(touched))
            line.editingFinished.connect(lambda touched=name: self._touch(touched))
            self.edits[name] = line
            # One line always there: fields never move as messages come and go.
            self.messages[name] = MessageLine(f"profile_{name}Message")
            self.messages[name].tie_to(line)  # read with the field by screen readers
            return line

        def row(form: QFormLayout, name: str, field: QWidget | QHBoxLayout) -> None:
            buddy = field if isinstance(field, QWidget) else self.edits[name]
            form.addRow(_label(name, buddy), field)
            if name in self.messages:
                form.addRow("", self.messages[name])

        target = QGroupBox("Target")
        target_form = QFormLayout(target)
        row(target_form, "name", edit("name", profile.name, "e.g. Sandbox — team A", False))
        base_row = QHBoxLayout()
        base_row.addWidget(edit("base_url", profile.base_url, "https://api.sumsub.com"), 1)
        self.use_emulator = QPushButton("E&mulator")
        self.use_emulator.setObjectName("profile_useEmulator")
        self.use_emulator.setAccessibleName("Use the built-in emulator")
        self.use_emulator.setToolTip(
            "Send to the built-in emulator, whatever port it has in each run"
        )
        self.use_emulator.setEnabled(self._emulator_url is not None)
        self.use_emulator.clicked.connect(self._use_emulator)
        base_row.addWidget(self.use_emulator)
        row(target_form, "base_url", base_row)
        row(target_form, "app_token", edit("app_token", profile.app_token, "sbx:…"))
        self.production = QCheckBox("This is a pr&oduction profile")
        self.production.setObjectName("profile_production")
        self.production.setChecked(profile.production)
        self.production.toggled.connect(self._validate)
        target_form.addRow("", self.production)

        authorize = QGroupBox("Authorize step (Get code)")
        auth_form = QFormLayout(authorize)
        row(auth_form, "client_id", edit("client_id", profile.client_id, "your client id"))
        row(
            auth_form,
            "redirect_uri",
            edit(
                "redirect_uri", profile.redirect_uri, "empty: http://127.0.0.1:<free port>/callback"
            ),
        )
        row(auth_form, "issuer", edit("issuer", profile.issuer, vendor.DEFAULT_ISSUER))
        row(
            auth_form,
            "authorization_endpoint",
            edit(
                "authorization_endpoint",
                profile.authorization_endpoint,
                "empty: from the issuer's discovery document",
            ),
        )

        connection = QGroupBox("Connection")
        conn_form = QFormLayout(connection)
        self.timeout = QDoubleSpinBox()
        self.timeout.setObjectName("profile_timeout_s")
        self.timeout.setRange(0.5, 600)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(profile.timeout_s)
        self.timeout.setAccessibleName("Timeout")
        correct_to_nearest(self.timeout)
        self.timeout.setToolTip(
            f"How long a request may take: {self.timeout.minimum():g} to "
            f"{self.timeout.maximum():g} seconds"
        )
        row(conn_form, "timeout_s", self.timeout)
        self.verify_tls = QCheckBox("&Verify TLS certificates (never turn off for production)")
        self.verify_tls.setObjectName("profile_verify_tls")
        self.verify_tls.setChecked(profile.verify_tls)
        self.verify_tls.toggled.connect(self._validate)
        conn_form.addRow("", self.verify_tls)
        bundle_row = QHBoxLayout()
        bundle_row.addWidget(edit("ca_bundle", profile.ca_bundle or "", "extra CA bundle (PEM)"), 1)
        browse = QPushButton("Brows&e…")
        browse.setAccessibleName("Browse for a CA bundle")
        browse.clicked.connect(self._browse_bundle)
        bundle_row.addWidget(browse)
        row(conn_form, "ca_bundle", bundle_row)
        row(
            conn_form,
            "proxy",
            edit("proxy", profile.proxy or "", "empty: HTTP(S)_PROXY from the environment"),
        )
        self.full_tokens = QCheckBox(
            "Store &full tokens in history and exports (off: masked as prefix…last 4)"
        )
        self.full_tokens.setObjectName("profile_store_full_tokens")
        self.full_tokens.setChecked(profile.store_full_tokens)
        conn_form.addRow("", self.full_tokens)

        self.warnings = WrappingLabel()
        self.warnings.setObjectName("profileWarnings")
        set_tone(self.warnings, Tone.WARNING)
        self.needs = WrappingLabel()
        self.needs.setObjectName("profileNeeds")
        set_tone(self.needs, Tone.MUTED)
        note = QLabel(_SECRET_NOTES[keyring])
        note.setObjectName("profileSecretNote")
        note.setWordWrap(True)
        set_tone(note, Tone.MUTED)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.cancel)
        # The fields scroll when the screen is short (200% scaling): Save and Cancel stay put.
        fields = QWidget()
        fields_layout = QVBoxLayout(fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        for box in (target, authorize, connection):
            fields_layout.addWidget(box)
        fields_layout.addWidget(self.warnings)
        fields_layout.addWidget(note)
        fields_layout.addStretch(1)
        _align_label_columns(target_form, auth_form, conn_form)
        # The line kept under each field for its message parts the fields already: with the
        # usual spacing around it too, the dialog scrolled on a 1024×700 screen.
        for form in (target_form, auth_form, conn_form):
            form.setVerticalSpacing(2)
        for button_row in (base_row, bundle_row):  # no longer the form's spacing to inherit
            button_row.setSpacing(conn_form.horizontalSpacing())
        # What Save waits for stands beside it, where the eye goes to save — not on a line of
        # its own, which on a 768-pixel screen pushed the last field out of view.
        bottom = QHBoxLayout()
        bottom.addWidget(self.needs, 1)
        bottom.addWidget(self.buttons, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling_up_and_down(fields, ask_for_all=True), 1)
        layout.addLayout(bottom)
        self._validate()
        guard_wheel(self)  # the fields scroll: the wheel must not change the timeout
        fit_to_screen(self)
        KeepsItsFrameOnScreen(self)  # Save and Cancel stay above the screen's edge
        self.opened_with = self.profile()  # what Save's changes are counted from

    def cancel(self) -> None:
        """Cancel, or Escape: what was typed is not thrown away without a word (`reject()`
        closes as ever)."""
        if self._may_discard():
            self.reject()

    def _may_discard(self) -> bool:
        """Nothing typed, or the person says to discard it (the default keeps it)."""
        if self.profile() == self.opened_with:
            return True
        answer = ask(
            self,
            "Discard changes",
            "Discard what you typed in this profile?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt names it
        # The title bar's close button (the window manager's close: a spontaneous event) asks
        # as Cancel does. A close the app itself makes is not a person's and goes through.
        if event.spontaneous() and not self._may_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt names it
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.cancel()  # QDialog's own Escape would reject at once
            return
        super().keyPressEvent(event)

    def _browse_bundle(self) -> None:
        path = open_path(self, "CA bundle", "PEM files (*.pem *.crt *.cer);;All files (*)")
        if path is not None:
            self.edits["ca_bundle"].setText(str(path))

    def _use_emulator(self) -> None:
        """Point the profile at the built-in emulator: its issuer and endpoint go along where
        they were on the old base URL (or Sumsub's issuer, which can't verify the emulator's
        id_tokens); an empty app token and client id get the emulator's."""
        if self._emulator_url is None:
            return
        moved = replace(self.profile(), follows_emulator=True).follow(self._emulator_url)
        if moved.issuer.strip() in ("", vendor.DEFAULT_ISSUER) or is_on_this_machine(moved.issuer):
            # Sumsub's issuer can't verify the emulator's id_tokens, and one on this machine is
            # most likely an emulator's from an earlier run (its port changes every run).
            moved = replace(moved, issuer=self._emulator_url + "/")
        endpoint = moved.authorization_endpoint.strip()
        if is_on_this_machine(endpoint) and not endpoint.startswith(self._emulator_url + "/"):
            moved = replace(moved, authorization_endpoint="")  # the issuer's discovery names it
        moved = replace(
            moved,
            app_token=moved.app_token or EMULATOR_APP_TOKEN,
            client_id=moved.client_id or EMULATOR_CLIENT_ID,
        )
        for name in ("base_url", "app_token", "client_id", "issuer", "authorization_endpoint"):
            self.edits[name].setText(getattr(moved, name))
            self._touched.add(name)
        self._validate()

    def profile(self) -> Profile:
        text = {name: edit.text().strip() for name, edit in self.edits.items()}
        # Following the built-in emulator: kept while its URL stays, or started by its URL.
        return replace(
            self._original.at_base_url(text["base_url"], self._emulator_url),
            name=text["name"],
            app_token=text["app_token"],
            client_id=text["client_id"],
            redirect_uri=text["redirect_uri"],
            issuer=text["issuer"],
            authorization_endpoint=text["authorization_endpoint"],
            timeout_s=self.timeout.value(),
            verify_tls=self.verify_tls.isChecked(),
            ca_bundle=text["ca_bundle"] or None,
            proxy=text["proxy"] or None,
            production=self.production.isChecked(),
            store_full_tokens=self.full_tokens.isChecked(),
        )

    def _touch(self, name: str) -> None:
        if name not in self._touched:
            self._touched.add(name)
            self._validate()

    def _validate(self) -> None:
        profile = self.profile()
        problems = profile.problems()
        if "name" not in problems and profile.name.strip().casefold() in self._taken:
            problems["name"] = f"A profile named {profile.name.strip()!r} already exists"
        beside = profile.field_warnings()  # said under their field, where the eye is
        for name, message in self.messages.items():
            if name in problems and name in self._touched:
                message.show_message(problems[name], Tone.ERROR)
            elif name in beside:
                message.show_message(beside[name], Tone.WARNING)
            elif name == "base_url" and profile.follows_emulator:
                message.show_message(FOLLOWS_EMULATOR_NOTE, Tone.OK)
            else:
                message.clear_message()
        # Every field Save waits for: the untouched ones to fill in, and — said under them
        # already, but named here too, or "fill in: App token" read as all that was left —
        # the ones typed in to fix.
        unsaid = [_LABELS[name].replace("&", "") for name in problems if name not in self._touched]
        to_fix = [_LABELS[name].replace("&", "") for name in problems if name in self._touched]
        needs = [f"fill in {', '.join(unsaid)}"] if unsaid else []
        where = "it" if len(to_fix) == 1 else "each"
        needs += [f"fix {', '.join(to_fix)} (see under {where})"] if to_fix else []
        self.needs.setText(f"To save, {'; '.join(needs)}." if needs else "")
        self.needs.setVisible(bool(needs))
        warnings = [w for w in profile.warnings() if w not in beside.values()]
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setEnabled(not problems)
