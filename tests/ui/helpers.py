"""Driving the real window the way a person does: click, type, wait for what shows up."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from idconnect_tester.core.exchange import Exchange, HintKind
from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.main_window import MainWindow

WAIT_MS = 10_000


def find(window: QWidget, name: str) -> QWidget:
    widget = window.findChild(QWidget, name)
    assert widget is not None, f"no widget named {name}"
    return widget


def text_of(window: QWidget, name: str) -> str:
    widget = find(window, name)
    assert isinstance(widget, QLabel | QLineEdit)
    return widget.text()


def hint_shown(window: MainWindow) -> HintKind | None:
    """The kind of hint the error panel shows, after checking that its title is on screen."""
    report = window.error_panel.shown
    hint = report.hint if report is not None else None
    if hint is None:
        assert text_of(window, "errorHint") == ""
        return None
    assert escape(hint.title) in text_of(window, "errorHint")
    return hint.kind


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    """Replace the field's text as typing would (textEdited fires, validation runs)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)


def answer_the_input_dialog(text: str | None) -> list[str]:
    """Answers the input dialog the next action opens, as a person does: select what it holds,
    type `text`, press OK (`None`: press Cancel). Returns a list that gets the text the dialog
    opened with, empty when no dialog opened.

    The dialog is modal and runs its own event loop, so the answer is queued before the action:
    the first event that loop handles finds the dialog open. If the action opened none, the
    queued answer finds nothing and does nothing."""
    opened_with: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            return
        opened_with.append(dialog.textValue())
        buttons = dialog.findChild(QDialogButtonBox)
        assert buttons is not None
        if text is None:
            buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
            return
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        edit.selectAll()
        QTest.keyClick(edit, Qt.Key.Key_Delete)
        QTest.keyClicks(edit, text)
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    return opened_with


def answer_the_question(yes: bool) -> list[str]:
    """Answers the question (a QMessageBox) the next action asks, as a person does: Yes, or
    Cancel. Returns a list that gets the question's text, empty when none was asked (queued
    before the action, like `answer_the_input_dialog`)."""
    asked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        asked.append(box.text())
        button = QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.Cancel
        box.button(button).click()

    QTimer.singleShot(0, answer)
    return asked


def wheel_down(widget: QWidget) -> None:
    """One notch of the mouse wheel with the pointer over the middle of `widget`."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QCoreApplication.sendEvent(widget, event)


def get_code(window: MainWindow, qtbot) -> str:
    window.form.code.clear()
    qtbot.mouseClick(window.form.get_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.form.code.text() != "" and not window.controller.busy, timeout=WAIT_MS
    )
    return window.form.code.text()


def send_and_wait(window: MainWindow, qtbot) -> Exchange:
    """Click Send and wait until the exchange has been rendered; returns the Exchange."""
    assert window.form.send_button.isEnabled(), window.form.send_blocked.text()
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    exchange = blocker.args[0]
    assert isinstance(exchange, Exchange)
    return exchange


def settled(window: MainWindow, qtbot) -> None:
    """Wait until what the last exchange started (the id_token's verification) has finished."""
    qtbot.waitUntil(lambda: window.controller.pending_tasks == 0, timeout=WAIT_MS)


def token_flow(window: MainWindow, qtbot) -> Exchange:
    get_code(window, qtbot)
    return send_and_wait(window, qtbot)


def on_screen(widget: QWidget) -> bool:
    """Whether the user can see `widget`: shown, and inside its parent all the way up. Qt keeps
    a dock that sits behind another dock's tab "visible" but moves it outside the window, so
    `isVisible()` alone would count it. A field merely scrolled out of view still counts."""
    child = widget
    while not child.isWindow():
        parent = child.parentWidget()
        if parent is None or not child.isVisible():
            return False
        if not parent.rect().intersects(child.geometry()):
            return False
        child = parent
    return child.isVisible()


# Another client at the same server: an app token and a client id of its own (the token
# endpoint knows the client by the app token). The window's emulator refuses its requests.
ANOTHER_CLIENT: dict[str, Any] = {"client_id": "partner-client", "app_token": "sbx:partner-app"}


def add_profile(window: MainWindow, name: str, **changes: Any) -> Profile:
    """A saved profile pointing at the window's own emulator (so requests really work)."""
    profile = Profile(
        new_profile_id(),
        name=name,
        base_url=window.emulator.base_url,
        app_token="sbx:emulator-app-token",
        client_id="emulator-client",
        issuer=window.emulator.base_url + "/",
    )
    return window.profile_actions.create(replace(profile, **changes))


def select(window: MainWindow, profile_id: str) -> None:
    combo = window.target_panel.profile
    combo.setCurrentIndex(combo.findData(profile_id))


def scenario(window: MainWindow, name: str, **params: Any) -> None:
    assert window.emulator.server is not None
    window.emulator.server.set_scenario(name, **params)


def send_then_cancel_once_it_reached_the_server(window: MainWindow, qtbot) -> None:
    server = window.emulator.server
    assert server is not None
    scenario(window, "slow", delay_s=1)
    window.form.send_button.click()
    qtbot.waitUntil(lambda: server.wait_scenario_used(0), timeout=WAIT_MS)
    window.form.cancel_button.click()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
