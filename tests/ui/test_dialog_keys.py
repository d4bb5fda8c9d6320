"""The tool dialogs by keyboard: every field and button has an Alt+letter of its own, and a box
for pasted text is a field of its form — Tab moves on, and an Alt+letter never types into it
(tryout X: Tab put tab characters into the token, and a stray Alt+D a "d" at its end)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from tests.ui.helpers import WAIT_MS, token_flow
from tests.ui.test_jwt_workbench import emulator_id_token, open_workbench
from tests.ui.test_keyboard import _clashes, mnemonics

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.jwt_workbench import KEYS_PASTED, JwtWorkbench
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog
from idconnect_tester.ui.tool_dialogs import KeysDialog, PkceCheckerDialog, ShareTokenDialog


def _workbench(window: MainWindow) -> QDialog:
    bench = open_workbench(window)
    bench.key_buttons[KEYS_PASTED].setChecked(True)  # its keys box too
    return bench


DIALOGS: dict[str, Callable[[MainWindow], QDialog]] = {
    "share token": lambda window: ShareTokenDialog("partner", window),
    "PKCE checker": lambda window: PkceCheckerDialog(parent=window),
    "keys": lambda window: KeysDialog("", 60, parent=window),
    "JWT workbench": _workbench,
    "drills": lambda window: open_drills_dialog(window),
}


def open_drills_dialog(window: MainWindow) -> QDialog:
    window.actions_by_name["drills"].trigger()
    dialog = window.drills.dialog
    assert dialog is not None
    return dialog


def _controls(dialog: QDialog) -> list[QWidget]:
    """The dialog's fields and buttons a person can reach, less the results shown in it (a
    result panel's buttons are a Tab away)."""
    found: list[QWidget] = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog) or not widget.isEnabled():
            continue
        if any(isinstance(parent, IdTokenPanel) for parent in _parents(widget, dialog)):
            continue
        if isinstance(widget.parent(), QLineEdit):
            continue  # a field's own clear button: the field counts
        if isinstance(widget, QAbstractButton):
            found.append(widget)  # Cancel and Close too (tryout Y: on openbox they had none)
        elif isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
            continue  # the spin box's own editor: the spin box counts
        elif isinstance(widget, QLineEdit | QAbstractSpinBox | QComboBox) or (
            isinstance(widget, QPlainTextEdit) and not widget.isReadOnly()
        ):
            found.append(widget)
    return found


def _parents(widget: QWidget, top: QWidget) -> list[QWidget]:
    chain: list[QWidget] = []
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        chain.append(parent)
        parent = parent.parentWidget()
    return chain


def _reached_by_a_letter(control: QWidget, dialog: QDialog) -> bool:
    if isinstance(control, QAbstractButton):
        return bool(QKeySequence.mnemonic(control.text()).toString())
    return any(
        label.buddy() is control and QKeySequence.mnemonic(label.text()).toString()
        for label in dialog.findChildren(QLabel)
    )


@pytest.mark.parametrize("name", DIALOGS)
def test_every_field_and_button_of_a_dialog_has_an_alt_letter_of_its_own(
    window: MainWindow, qtbot, name: str
) -> None:
    dialog = DIALOGS[name](window)
    dialog.show()
    qtbot.waitExposed(dialog)
    controls = _controls(dialog)
    assert controls
    without = [
        control.accessibleName() or control.objectName() or type(control).__name__
        for control in controls
        if not _reached_by_a_letter(control, dialog)
    ]
    assert without == []
    found = [(key, what) for key, what in mnemonics(dialog) if not what.startswith("tab ")]
    assert _clashes(found) == {}
    dialog.close()


def _focus_in(bench: JwtWorkbench, qtbot, box: QPlainTextEdit) -> None:
    bench.activateWindow()
    assert QTest.qWaitForWindowActive(bench)
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=WAIT_MS)


def test_tab_moves_on_from_the_workbenchs_paste_boxes(window: MainWindow, qtbot) -> None:
    bench = _workbench(window)
    assert isinstance(bench, JwtWorkbench)
    for box in (bench.token, bench.keys):
        box.setPlainText("abc")
        _focus_in(bench, qtbot, box)
        qtbot.keyClick(box, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda box=box: not box.hasFocus(), timeout=WAIT_MS)
        assert box.toPlainText() == "abc"  # no tab typed in


def test_an_alt_letter_in_the_token_box_is_the_dialogs_not_a_letter_of_the_token(
    window: MainWindow, qtbot
) -> None:
    token_flow(window, qtbot)
    token = emulator_id_token(window, qtbot)
    bench = _workbench(window)
    assert isinstance(bench, JwtWorkbench)
    bench.key_buttons["none"].setChecked(True)
    bench.token.setPlainText(token)
    _focus_in(bench, qtbot, bench.token)
    qtbot.keyClick(bench.token, Qt.Key.Key_Z, Qt.KeyboardModifier.AltModifier)  # no such letter
    assert bench.token.toPlainText() == token
    with qtbot.waitSignal(bench.verified, timeout=WAIT_MS):  # Alt+D: Decode and verify
        qtbot.keyClick(bench.token, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert bench.token.toPlainText() == token
    assert "decode failed" not in bench.panel.summary.text()


def test_the_keys_dialog_refuses_a_paste_too_long_to_be_keys(window: MainWindow, qtbot) -> None:
    """The Keys dialog's box is bounded as the workbench's is: 2 MB on one line would hold
    the window for minutes. It says why, and keeps what it held."""
    dialog = KeysDialog('{"keys": []}', 60, parent=window)
    qtbot.addWidget(dialog)
    dialog.text.selectAll()
    dialog.text.insertPlainText("x" * 2_000_000)
    assert dialog.text.toPlainText() == '{"keys": []}'
    assert "2,000,000" in dialog.problem.text()


def test_the_same_field_has_the_same_alt_letter_in_every_dialog(window: MainWindow) -> None:
    """Tryout AI: Alt+I was Client id in the profile dialog and Issuer in the JWT workbench;
    typed from habit, the client id went into the issuer field."""
    draft = Profile(new_profile_id(), name="", base_url="https://api.sumsub.com", app_token="")
    dialogs = (ProfileDialog(draft, title="New profile", parent=window), open_workbench(window))

    def letters(dialog: QDialog) -> dict[str, str]:
        """Each field's label, without its mark, and its Alt+letter."""
        return {
            label.text().replace("&", "").strip(): QKeySequence.mnemonic(label.text()).toString()
            for label in dialog.findChildren(QLabel)
            if label.buddy() is not None and "&" in label.text()
        }

    profile_letters, bench_letters = (letters(dialog) for dialog in dialogs)
    for field in ("Issuer", "Client id"):
        assert profile_letters[field] == bench_letters[field], field
    for dialog in dialogs:
        dialog.close()


def test_the_share_dialog_names_a_character_that_cannot_be_seen(window: MainWindow) -> None:
    """Tryout AP: a right-to-left override typed into forClientId reordered the field, and
    Send stayed on without a word (the Code field names such characters)."""
    dialog = ShareTokenDialog("partner", window)
    dialog.for_client_id.setText("Ev\u202eil")
    assert not dialog.send.isEnabled() and "U+202E" in dialog.why_not.text()
    dialog.for_client_id.setText("Evil")
    assert dialog.send.isEnabled() and dialog.why_not.text() == ""
    dialog.deleteLater()
