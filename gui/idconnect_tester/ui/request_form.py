"""The token request form: grant type, code, verifier, refresh token, scopes, and the buttons.

It validates as the user types (through the core's `TokenRequest.validate`); Send stays off
while anything blocks it, and the line beside it says why. A message under a field appears once
that field was touched (typed into, filled in) or the user tried to send: a form that opens
already covered in red tells nobody anything. Each message line keeps its room when empty, so
the rows below don't move as messages come and go.

A redirect URL pasted (or typed) into Code is not a code: the form hands it over
(`redirect_entered`) to be checked against the pending authorize attempt, and shows what came
of it under the field (`show_redirect_result`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
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
from shiboken6 import isValid

from idconnect_tester import vendor
from idconnect_tester.core.authorize import AuthorizeResult, looks_like_redirect
from idconnect_tester.core.request import FieldIssue, TokenRequest, dropped_space_note
from idconnect_tester.core.session_events import FormFill
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import FieldMessage, MessageLine, WrappedNote, name_clear_button

DEFAULT_SCOPES = ("openid", "profile", "email", "name", "share", "offline_access")
_SEND_TIP = "Send the signed token request (Ctrl+Return, or Return in a field)"
_GRANT_LABELS = {
    vendor.GRANT_AUTHORIZATION_CODE: "authorization_code — exchange a code",
    vendor.GRANT_REFRESH_TOKEN: "refresh_token — renew the access token",
}


class RequestForm(QGroupBox):
    send_requested = Signal()
    return_refused = Signal(str)  # Return did not send, and why (see `return_guard`)
    cancel_requested = Signal()
    get_code_requested = Signal()
    redirect_entered = Signal(str)  # a redirect URL (or query string) put into Code
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Token request", parent)
        self._busy = False
        self._busy_text = ""
        self._external_block = ""  # a reason from outside the form (e.g. the target is invalid)
        self._touched: set[str] = set()  # fields whose messages may show (see the docstring)
        # What came of a pasted redirect, or where the code came from: (text, tone, details).
        self._code_note: tuple[str, Tone, str] | None = None
        # From outside the form (the session knows the chain): why the verifier won't do for
        # a refresh of this refresh token, or "", and the verifier that would.
        self._verifier_advice = ""
        self._right_verifier = ""
        # What the session knows against the refresh token: a note, and its whole sentence.
        self._refresh_token_advice = ("", "")
        self._code_before_edit = ""
        # Until when the server asked to wait (a 429's Retry-After): said beside Send, which
        # stays on — a Send before then is the person's to make (testing the limit, say).
        self._wait_until: datetime | None = None
        self._wait_over = QTimer(self)
        self._wait_over.setSingleShot(True)
        self._wait_over.timeout.connect(lambda: self.set_wait_until(None))

        self.grant_type = QComboBox()
        self.grant_type.setObjectName("grantTypeCombo")
        self.grant_type.setAccessibleName("Grant type")
        for grant in vendor.GRANT_TYPES:
            self.grant_type.addItem(_GRANT_LABELS[grant], grant)

        # Placeholders short enough to be read whole at 1024×700 and at 200% (tryout AI: "from
        # the redirect, or Get c…"): Get code is beside the code, and fills both.
        self.code = self._line_edit("codeEdit", "Authorization code", "from the redirect")
        self.code_verifier = self._line_edit(
            "codeVerifierEdit", "Code verifier", "PKCE code_verifier (Get code fills it)"
        )
        self.refresh_token = self._line_edit(
            "refreshTokenEdit", "Refresh token", "snd-id-con-r-… (from a code exchange)"
        )
        # One line each, always there (the layout never jumps); the grant type's only shows
        # for a grant the combo can't offer (a request loaded from elsewhere).
        self.messages: dict[str, FieldMessage | MessageLine] = {
            name: MessageLine(f"{name}Message")
            for name in ("code", "code_verifier", "refresh_token", "scope")
        }
        self.messages["grant_type"] = FieldMessage("grant_typeMessage")

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
        # The one-click fix for the verifier advice, beside the field it fixes.
        self.use_right_verifier = QPushButton("Use its verifier")
        self.use_right_verifier.setObjectName("useChainVerifierButton")
        self.use_right_verifier.setToolTip(
            "Put back the verifier that goes with this code (or with this refresh token's code)"
        )
        self.use_right_verifier.setVisible(False)
        self.use_right_verifier.clicked.connect(
            lambda: self.code_verifier.setText(self._right_verifier)
        )
        verifier_row = QHBoxLayout()
        verifier_row.addWidget(self.code_verifier, 1)
        verifier_row.addWidget(self.use_right_verifier)
        form.addRow(self._label("Ver&ifier", self.code_verifier), verifier_row)
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
        # The main action, in bold — not as Qt's "default button": Fusion draws that exactly
        # like a focused button, so keyboard focus on Send could not be seen. Return in a
        # field sends all the same (`_return_pressed`).
        font = self.send_button.font()
        font.setBold(True)
        self.send_button.setFont(font)
        self.send_button.setToolTip(_SEND_TIP)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop the request in flight (Esc)")
        self.cancel_button.setEnabled(False)
        # As tall as its text at its width: QLabel's own guess wraps it narrower, and the
        # form then asked for lines it does not use (see WrappedNote).
        self.send_blocked = WrappedNote("sendBlockedReason", lines=1)
        set_tone(self.send_blocked, Tone.MUTED)

        # Top-aligned: the reason beside Send can wrap to more lines than the buttons are tall,
        # and Send must not move when it goes (the pointer is on its way to it).
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_blocked, 1, Qt.AlignmentFlag.AlignTop)
        buttons.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)

        self.grant_type.currentIndexChanged.connect(self._on_changed)
        for name, edit in (
            ("code", self.code),
            ("code_verifier", self.code_verifier),
            ("refresh_token", self.refresh_token),
        ):
            edit.textChanged.connect(self._on_changed)
            edit.textEdited.connect(lambda _text, n=name: self._touch(n))
            edit.returnPressed.connect(self._return_pressed)
        for box in self.scope_boxes.values():
            box.clicked.connect(lambda _checked: self._touch("scope"))
        self.code.textEdited.connect(self._code_edited)
        self.code.editingFinished.connect(self._code_finished)
        # Each message is read with its field by screen readers.
        for name, edit in (
            ("code", self.code),
            ("code_verifier", self.code_verifier),
            ("refresh_token", self.refresh_token),
        ):
            self.messages[name].tie_to(edit)
        self.send_button.clicked.connect(self.send_requested)
        # Why Return must not send now, or "": set by the window (a code exchanged already —
        # a second Return, pressed on the focused Send, replayed it and the server revoked the
        # tokens just received). A click, or Ctrl+Return, still sends: that is on purpose.
        self.return_guard: Callable[[], str] = lambda: ""
        self.send_button.installEventFilter(self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        # Get code takes the focus however it was pressed — Alt+G, Ctrl+G, the menu — as a
        # click does: so it passes on to Send once the code is in, instead of staying in the
        # field the shortcut was pressed in.
        self.get_code_button.clicked.connect(self._focus_get_code)
        # A new attempt: what was said under Code of the last one's redirect is over.
        self.get_code_button.clicked.connect(self.clear_code_note)
        self.get_code_button.clicked.connect(self.get_code_requested)
        self._on_changed()

    def _return_pressed(self) -> None:
        """Return in a request field sends, as the default button promises — unless Code holds
        a redirect URL: that is read first (editingFinished, which follows), not sent — or the
        window's `return_guard` says why not."""
        if looks_like_redirect(self.code.text()):
            return
        if why := self.return_guard():
            self.return_refused.emit(why)
            return
        self.try_send()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        """Return on the focused Send goes the way Return in a field goes."""
        if (
            watched is self.send_button
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._return_pressed()
            return True
        return super().eventFilter(watched, event)

    def try_send(self) -> None:
        """Send if nothing blocks it; otherwise show every field's message, so the user sees
        what to fix (Send itself says why it is off)."""
        if self.send_button.isEnabled():
            self.send_button.click()
        else:
            self._touch(*self.messages)

    # --- a redirect URL in Code ---

    def _code_edited(self, text: str) -> None:
        self._code_note = None
        # A paste arrives as one edit of many characters: read it at once. Typing arrives a
        # character at a time and is read when the field is left (or Return is pressed), so
        # half a URL is never taken for a whole one.
        pasted = len(text) - len(self._code_before_edit) > 1
        self._code_before_edit = text
        if pasted and looks_like_redirect(text):
            self.redirect_entered.emit(text.strip())

    def _code_finished(self) -> None:
        if looks_like_redirect(self.code.text()):
            self.redirect_entered.emit(self.code.text().strip())

    def show_redirect_result(self, result: AuthorizeResult) -> None:
        """Say under Code what came of the redirect URL put there. The code (and the verifier
        of the attempt it belongs to) arrive through `fill`; a code withheld leaves Code empty
        rather than holding a URL that Send would send."""
        if result.code is None:
            # Said under Code only when Code held the URL; pasted through the menu, the status
            # bar says it, and Code keeps what it says of the code it holds (spent, say).
            if looks_like_redirect(self.code.text()):
                self.code.setText("")
                self.note_under_code(result.summary(), Tone.ERROR)
            return
        verified = " (state verified; the verifier of that Get code filled in)"
        source = "from the redirect URL" if result.state is not None else "as pasted"
        text = f"Code taken {source}" + (verified if result.state_checked else "")
        notes = "; ".join(result.notes)
        tone = Tone.OK if result.state_checked else Tone.WARNING
        self.note_under_code(text + (f". {notes}" if notes else ""), tone)

    def has_code_note(self) -> bool:
        return self._code_note is not None

    def clear_code_note(self) -> None:
        if self._code_note is not None:
            self._code_note = None
            self._on_changed()

    def note_under_code(self, text: str, tone: Tone, details: str = "") -> None:
        """A message under Code that stays until Code changes (validation comes after it);
        `details`, the whole sentence behind a short note, in its tooltip."""
        self._code_before_edit = self.code.text()
        self._code_note = (text, tone, details)
        self._touched.add("code")
        self._on_changed()

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

    def load_request(self, request: TokenRequest, keep: Collection[str] = ()) -> None:
        """Put a request (e.g. from history) back into the fields it sends; the others keep
        what they hold (loading a code exchange must not wipe the refresh token in use), and
        so do the fields named in `keep` (a token the history stored masked comes back empty:
        the form's own value is worth more than nothing)."""
        self.set_grant(request.grant_type)
        edits = {
            "code": (self.code, request.code),
            "code_verifier": (self.code_verifier, request.code_verifier),
            "refresh_token": (self.refresh_token, request.refresh_token),
        }
        for name in request.sent_fields():
            if name in keep:
                continue
            edit, value = edits[name]
            edit.setText(value)
        self.set_scopes(request.scopes)
        self._code_before_edit = self.code.text()
        self._touch(*self.messages)  # a whole request was chosen: say all there is to say

    def fill(self, values: FormFill) -> None:
        """Take what the session hands over: a code and its verifier, a new refresh token."""
        if values.grant_type is not None:
            self.set_grant(values.grant_type)
        if values.code is not None:
            self._code_note = None  # a new code: what was said about the last one is over
        for edit, value in (
            (self.code, values.code),
            (self.code_verifier, values.code_verifier),
            (self.refresh_token, values.refresh_token),
        ):
            if value is not None:
                edit.setText(value)
        self._code_before_edit = self.code.text()
        filled = {"code": values.code, "code_verifier": values.code_verifier}
        self._touch(*(name for name, value in filled.items() if value is not None))
        if values.code:
            # After the turn that filled it (Send's state follows the fields a turn later).
            QTimer.singleShot(0, self._focus_send_after_a_code)

    def _focus_get_code(self) -> None:
        self.get_code_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _focus_send_after_a_code(self) -> None:
        """A code that came after Get code's own turn ended (pasted into its window): the next
        step is Send, not another Get code — also once that window gives the focus back."""
        if isValid(self) and self.window().focusWidget() is self.get_code_button:
            self._focus_next_step()

    def set_busy(self, busy: bool, text: str = "") -> None:
        """While a request runs, Send is off (no accidental second send) and Cancel is on;
        `text` says what is running (the line beside Send shows it)."""
        buttons = (self.get_code_button, self.send_button, self.cancel_button)
        focused = any(button.hasFocus() for button in buttons)
        self._busy = busy
        self._busy_text = text
        issues = self._issues()
        # What comes on is enabled and focused before the focused button goes off: otherwise
        # Qt hands the focus to the next stop in the window, often in another panel.
        if busy:
            self.cancel_button.setEnabled(True)
        else:
            self.get_code_button.setEnabled(True)
            self._update_send_state(issues)
        if focused:
            self._focus_next_step()
        self.cancel_button.setEnabled(busy)
        self.get_code_button.setEnabled(not busy)
        self._update_send_state(issues)

    def _focus_next_step(self) -> None:
        """Cancel while a request runs; then Send when it can go, or Get code."""
        if self._busy:
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.send_button.isEnabled():
            self.send_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.get_code_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_verifier_advice(self, text: str, right_verifier: str = "") -> None:
        """A warning under Verifier ("" for none), and the verifier that would do (offered as
        one click): it does not stop Send — testing what the server does with the wrong
        verifier is allowed."""
        if (text, right_verifier) != (self._verifier_advice, self._right_verifier):
            self._verifier_advice = text
            self._right_verifier = right_verifier
            self._on_changed()

    def set_refresh_token_advice(self, text: str, details: str = "") -> None:
        """A warning under Refresh token while the grant is refresh_token ("" for none), with
        the sentence behind it for the tooltip: the session knows the token was refused or is
        in doubt. Send stays on."""
        if (text, details) != self._refresh_token_advice:
            self._refresh_token_advice = (text, details)
            self._on_changed()

    def set_wait_until(self, until: datetime | None) -> None:
        """The server asked to wait until `until` (None: no wait, or it is over)."""
        left_ms = (until - datetime.now(UTC)).total_seconds() * 1000 if until else 0.0
        if left_ms <= 0:
            until = None
        if until == self._wait_until:
            return  # every exchange says so: the form is not checked again for nothing
        self._wait_until = until
        self._wait_over.stop()
        if until is not None:
            self._wait_over.start(int(left_ms) + 1)
        self._update_send_state(self._issues())

    def set_external_block(self, reason: str) -> None:
        self._external_block = reason
        self._update_send_state(self._issues())

    # --- validation display ---

    def _issues(self) -> list[FieldIssue]:
        return self.token_request().validate()

    def _touch(self, *names: str) -> None:
        if not set(names) <= self._touched:
            self._touched.update(names)
            self._on_changed()

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
        if self._code_note is not None and uses_code:  # a greyed-out Code says nothing
            self.messages["code"].show_message(*self._code_note)
        advise = bool(self._verifier_advice)
        if advise:
            self.messages["code_verifier"].show_message(self._verifier_advice, Tone.WARNING)
        self.use_right_verifier.setVisible(advise and bool(self._right_verifier))
        advice, details = self._refresh_token_advice
        if advice and not uses_code:
            self.messages["refresh_token"].show_message(advice, Tone.WARNING, details)
        for issue in issues:
            field = issue.field if issue.field in self.messages else "grant_type"
            if field not in self._touched:
                continue
            widget = self.messages[field]
            tone = Tone.ERROR if issue.blocks else Tone.WARNING
            said = widget.text()
            # A sentence said already ("… Start again.") is followed, not run on (".; ").
            prefix = "" if not said else said + (" " if said.endswith(".") else "; ")
            widget.show_message(prefix + issue.message, tone)
        token_fields = (
            ("code", self.code),
            ("code_verifier", self.code_verifier),
            ("refresh_token", self.refresh_token),
        )
        for name, edit in token_fields:
            dropped = dropped_space_note(edit.text())
            if dropped is not None and edit.isEnabled() and not self.messages[name].text():
                self.messages[name].show_message(dropped, Tone.MUTED)
        for name, edit in token_fields:
            if len(edit.text()) >= edit.maxLength():
                # Qt cuts a paste longer than a line field holds without a word: the length the
                # check above counted is what was left, not what was pasted.
                self.messages[name].show_message(
                    f"Cut at {edit.maxLength():,} characters, the most a field holds: what was "
                    "pasted was longer still, far beyond any token — check what was copied",
                    Tone.ERROR,
                )
        self._update_send_state(issues)
        self.changed.emit()

    def _update_send_state(self, issues: list[FieldIssue]) -> None:
        blockers = [i.message for i in issues if i.blocks]
        if self._external_block:
            blockers.insert(0, self._external_block)
        if self._busy:
            # One short line: it fits beside the buttons, so the form keeps its size through
            # a Send (Cancel is right there; its tooltip and the status bar name Esc).
            reason = self._busy_text or "Sending…"
        elif blockers:
            reason = "Send is off: " + blockers[0]
        elif self._wait_until is not None:
            reason = f"The server asked to wait until {clock_time(self._wait_until)} (Retry-After)"
        else:
            reason = ""
        self.send_button.setEnabled(not self._busy and not blockers)
        self.send_blocked.setText(reason)
        waiting = self._wait_until is not None and not self._busy and not blockers
        set_tone(self.send_blocked, Tone.WARNING if waiting else Tone.MUTED)
        stop = " Cancel or Esc stops it." if self._busy else ""
        self.send_button.setToolTip(f"{reason}{stop}\n{_SEND_TIP}" if reason else _SEND_TIP)
