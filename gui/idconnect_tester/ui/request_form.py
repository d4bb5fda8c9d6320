"""The token request form: grant type, code, verifier, refresh token, scopes, and the buttons.

It validates as the user types (through the core's `TokenRequest.validate`) and shows each
message under its field; Send stays off while anything blocks it, and says why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester import vendor
from idconnect_tester.core.request import FieldIssue, TokenRequest
from idconnect_tester.core.session_events import FormFill
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import FieldMessage, name_clear_button

DEFAULT_SCOPES = ("openid", "profile", "email", "name", "share", "offline_access")
_GRANT_LABELS = {
    vendor.GRANT_AUTHORIZATION_CODE: "authorization_code — exchange a code",
    vendor.GRANT_REFRESH_TOKEN: "refresh_token — renew the access token",
}


class RequestForm(QGroupBox):
    send_requested = Signal()
    cancel_requested = Signal()
    get_code_requested = Signal()
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Token request", parent)
        self._busy = False
        self._external_block = ""  # a reason from outside the form (e.g. the target is invalid)

        self.grant_type = QComboBox()
        self.grant_type.setObjectName("grantTypeCombo")
        self.grant_type.setAccessibleName("Grant type")
        for grant in vendor.GRANT_TYPES:
            self.grant_type.addItem(_GRANT_LABELS[grant], grant)

        self.code = self._line_edit(
            "codeEdit", "Authorization code", "from the redirect, or Get code"
        )
        self.code_verifier = self._line_edit(
            "codeVerifierEdit", "Code verifier", "PKCE verifier whose challenge went to authorize"
        )
        self.refresh_token = self._line_edit(
            "refreshTokenEdit", "Refresh token", "snd-id-con-r-… (filled after a code exchange)"
        )
        self.messages = {
            name: FieldMessage(f"{name}Message")
            for name in ("grant_type", "code", "code_verifier", "refresh_token", "scope")
        }

        self.get_code_button = QPushButton("&Get code")
        self.get_code_button.setObjectName("getCodeButton")
        self.get_code_button.setToolTip(
            "New PKCE pair, then the authorize step; fills in code and verifier (Ctrl+G)"
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._label("Grant t&ype", self.grant_type), self.grant_type)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.get_code_button)
        form.addRow(self._label("&Code", self.code), code_row)
        form.addRow("", self.messages["code"])
        form.addRow(self._label("Ver&ifier", self.code_verifier), self.code_verifier)
        form.addRow("", self.messages["code_verifier"])
        form.addRow(self._label("Refresh toke&n", self.refresh_token), self.refresh_token)
        form.addRow("", self.messages["refresh_token"])
        form.addRow("", self.messages["grant_type"])

        self.scope_boxes: dict[str, QCheckBox] = {}
        scopes = QGridLayout()
        for index, scope in enumerate(vendor.SCOPES):
            box = QCheckBox(scope)
            box.setObjectName(f"scope_{scope}")
            box.setToolTip(vendor.SCOPE_DESCRIPTIONS[scope])
            box.setAccessibleName(f"Scope {scope}")
            box.setAccessibleDescription(vendor.SCOPE_DESCRIPTIONS[scope])
            box.setChecked(scope in DEFAULT_SCOPES)
            box.toggled.connect(self._on_changed)
            self.scope_boxes[scope] = box
            scopes.addWidget(box, index // 3, index % 3)
        form.addRow("Scopes", scopes)
        form.addRow("", self.messages["scope"])

        self.send_button = QPushButton("&Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Send the signed token request (Ctrl+Return)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop the request in flight (Esc)")
        self.cancel_button.setEnabled(False)
        self.send_blocked = QLabel()
        self.send_blocked.setObjectName("sendBlockedReason")
        self.send_blocked.setWordWrap(True)
        set_tone(self.send_blocked, Tone.MUTED)

        buttons = QHBoxLayout()
        buttons.addWidget(self.send_blocked, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)

        self.grant_type.currentIndexChanged.connect(self._on_changed)
        for edit in (self.code, self.code_verifier, self.refresh_token):
            edit.textChanged.connect(self._on_changed)
            edit.returnPressed.connect(self._return_pressed)
        # Each message is read with its field by screen readers.
        for name, edit in (
            ("code", self.code),
            ("code_verifier", self.code_verifier),
            ("refresh_token", self.refresh_token),
        ):
            self.messages[name].tie_to(edit)
        self.send_button.clicked.connect(self.send_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.get_code_button.clicked.connect(self.get_code_requested)
        self._on_changed()

    def _return_pressed(self) -> None:
        """Return in a request field sends, as the default button promises."""
        if self.send_button.isEnabled():
            self.send_button.click()

    # --- building blocks ---

    def _line_edit(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.setFont(monospace_font())
        name_clear_button(edit, accessible.lower())
        return edit

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # --- state ---

    def grant(self) -> str:
        return str(self.grant_type.currentData())

    def set_grant(self, grant: str) -> None:
        index = self.grant_type.findData(grant)
        if index >= 0:
            self.grant_type.setCurrentIndex(index)

    def selected_scopes(self) -> list[str]:
        return [scope for scope, box in self.scope_boxes.items() if box.isChecked()]

    def set_scopes(self, scopes: list[str] | tuple[str, ...]) -> None:
        for scope, box in self.scope_boxes.items():
            box.setChecked(scope in scopes)

    def token_request(self) -> TokenRequest:
        return TokenRequest.from_form(
            self.grant(),
            code=self.code.text(),
            code_verifier=self.code_verifier.text(),
            refresh_token=self.refresh_token.text(),
            scopes=self.selected_scopes(),
        )

    def load_request(self, request: TokenRequest) -> None:
        """Put a request (e.g. from history) back into the fields."""
        self.set_grant(request.grant_type)
        self.code.setText(request.code)
        self.code_verifier.setText(request.code_verifier)
        self.refresh_token.setText(request.refresh_token)
        self.set_scopes(request.scopes)

    def fill(self, values: FormFill) -> None:
        """Take what the session hands over: a code and its verifier, a new refresh token."""
        if values.grant_type is not None:
            self.set_grant(values.grant_type)
        for edit, value in (
            (self.code, values.code),
            (self.code_verifier, values.code_verifier),
            (self.refresh_token, values.refresh_token),
        ):
            if value is not None:
                edit.setText(value)

    def set_busy(self, busy: bool) -> None:
        """While a request runs, Send is off (no accidental second send) and Cancel is on."""
        buttons = (self.get_code_button, self.send_button, self.cancel_button)
        focused = any(button.hasFocus() for button in buttons)
        self._busy = busy
        # What comes on is enabled and focused before the focused button goes off: otherwise
        # Qt hands the focus to the next stop in the window, often in another panel.
        if busy:
            self.cancel_button.setEnabled(True)
        else:
            self.get_code_button.setEnabled(True)
            self._update_send_state(self._issues())
        if focused:
            self._focus_next_step()
        self.cancel_button.setEnabled(busy)
        self.get_code_button.setEnabled(not busy)
        self._update_send_state(self._issues())

    def _focus_next_step(self) -> None:
        """Cancel while a request runs; then Send when it can go, or Get code."""
        if self._busy:
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.send_button.isEnabled():
            self.send_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.get_code_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_external_block(self, reason: str) -> None:
        self._external_block = reason
        self._update_send_state(self._issues())

    # --- validation display ---

    def _issues(self) -> list[FieldIssue]:
        return self.token_request().validate()

    def _on_changed(self) -> None:
        uses_code = self.grant() == vendor.GRANT_AUTHORIZATION_CODE
        self.code.setEnabled(uses_code)
        self.get_code_button.setVisible(True)
        self.refresh_token.setEnabled(not uses_code)
        # The vendor's refresh example also sends codeVerifier, so it stays enabled for both.
        self.code_verifier.setEnabled(True)
        issues = self._issues()
        for message in self.messages.values():
            message.clear_message()
        for issue in issues:
            widget = self.messages.get(issue.field, self.messages["grant_type"])
            tone = Tone.ERROR if issue.blocks else Tone.WARNING
            prefix = "" if not widget.text() else widget.text() + "\n"
            widget.show_message(prefix + issue.message, tone)
        self._update_send_state(issues)
        self.changed.emit()

    def _update_send_state(self, issues: list[FieldIssue]) -> None:
        blockers = [i.message for i in issues if i.blocks]
        if self._external_block:
            blockers.insert(0, self._external_block)
        if self._busy:
            reason = "Sending… (press Cancel or Esc to stop)"
        elif blockers:
            reason = "Send is off: " + blockers[0]
        else:
            reason = ""
        self.send_button.setEnabled(not self._busy and not blockers)
        self.send_blocked.setText(reason)
        self.send_button.setToolTip(reason or "Send the signed token request (Ctrl+Return)")
