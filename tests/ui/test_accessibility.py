"""What a screen reader gets from the window: walked through Qt's accessibility interface, the
same one AT-SPI (Linux) and UI Automation (Windows) read.

The walk is generic — every widget the user can see, whatever panel it belongs to — so a panel
added later is held to the same rules: a label's text can be read (in its accessible name,
value or description), a progress bar says what its value means, and every control has a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QAccessibleInterface,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QProgressBar,
    QToolButton,
    QWidget,
)
from tests.ui.helpers import (
    WAIT_MS,
    on_screen,
    send_and_wait,
    settled,
    token_flow,
    type_into,
)

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog
from idconnect_tester.ui.tool_dialogs import KeysDialog, PkceCheckerDialog, ShareTokenDialog

Role = QAccessible.Role
Text = QAccessible.Text

# Roles a user operates (by keyboard or pointer): each needs a name to be announced by.
INTERACTIVE_ROLES = {
    Role.Button,
    Role.ButtonMenu,
    Role.ButtonDropDown,
    Role.CheckBox,
    Role.RadioButton,
    Role.ComboBox,
    Role.EditableText,
    Role.SpinBox,
    Role.Slider,
    Role.PageTabList,
    Role.PageTab,
    Role.Tree,
    Role.Table,
    Role.List,
    Role.Link,
    Role.MenuItem,
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _shown_text(label: QLabel) -> str:
    """What the label shows, the way a person reads it: rich text as plain, mnemonics gone."""
    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if rich:
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    elif label.buddy() is not None:
        text = re.sub(r"&(.)", r"\1", text)
    return _flat(text)


def _short(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:57]}…"


def _describe(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName() or '(unnamed)'}"


def _exported(iface: QAccessibleInterface) -> tuple[str, str, str]:
    """(name, value, description): what AT-SPI and UI Automation hand a screen reader."""
    name, value, description = (
        _flat(iface.text(t)) for t in (Text.Name, Text.Value, Text.Description)
    )
    return name, value, description


def _labelled(iface: QAccessibleInterface) -> bool:
    return bool(iface.relations(QAccessible.RelationFlag.Label))


def _is_control(widget: QWidget, iface: QAccessibleInterface) -> bool:
    if widget.focusProxy() is not None:
        return False  # a tab widget hands its focus to its tab bar, which is walked itself
    parent = widget.parentWidget()
    if parent is not None:
        outer = QAccessible.queryAccessibleInterface(parent)
        if outer is not None and outer.role() in (Role.SpinBox, Role.ComboBox):
            return False  # a spin box's own line edit: the spin box speaks for it
    takes_tab = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    return iface.role() in INTERACTIVE_ROLES or takes_tab


def unreadable(root: QWidget) -> list[str]:
    """Every problem a screen reader user would meet in `root` as it is on screen now."""
    problems: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not on_screen(widget):
            continue
        iface = QAccessible.queryAccessibleInterface(widget)
        if iface is None:
            problems.append(f"{_describe(widget)}: no accessibility interface")
            continue
        name, value, description = _exported(iface)
        said = f"{name} {value} {description}"
        if isinstance(widget, QLabel) and (shown := _shown_text(widget)) and shown not in said:
            problems.append(
                f"{_describe(widget)} shows {_short(shown)!r} but exports {_short(said.strip())!r}"
            )
        if (
            isinstance(widget, QProgressBar)
            and widget.maximum() > widget.minimum()
            and not description
        ):
            problems.append(f"{_describe(widget)}: its value {value!r} says nothing in words")
        if _is_control(widget, iface):
            if not name:
                problems.append(f"{_describe(widget)} ({iface.role().name}) has no name")
            elif iface.role() is Role.ComboBox and name == value and not _labelled(iface):
                # On Linux Qt names a combo box by its current item; what the box is for comes
                # from the label whose buddy it is.
                problems.append(f"{_describe(widget)} is announced only as its value {value!r}")
        for index in range(iface.childCount()):
            child = iface.child(index)
            if child is None or isinstance(child.object(), QWidget):
                continue  # widgets are walked themselves
            if child.role() in (Role.MenuItem, Role.PageTab) and not _flat(child.text(Text.Name)):
                problems.append(f"{_describe(widget)}: a {child.role().name} without a name")
    return problems


def unreadable_in_every_dock(window: MainWindow) -> list[str]:
    """The walk with each dock in front in turn (docks share places as tabs)."""
    problems: list[str] = []
    for dock in window.docks.values():
        dock.raise_()
        QApplication.processEvents()
        problems += [p for p in unreadable(window) if p not in problems]
    return problems


def test_everything_on_screen_reads_after_an_exchange(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    settled(window, qtbot)
    # A filled line edit shows its clear (×) button: that is a control too.
    type_into(qtbot, window.history_panel.filter_text, "token")
    problems = unreadable_in_every_dock(window)
    assert not problems, "\n".join(problems)


def test_everything_on_screen_reads_after_an_error(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    settled(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401 Invalid code
    settled(window, qtbot)
    assert window.error_panel.shown is not None
    problems = unreadable_in_every_dock(window)
    assert not problems, "\n".join(problems)


def test_result_values_are_exported_whole_and_follow_the_value(window: MainWindow, qtbot) -> None:
    window.resize(800, 700)  # a response dock too narrow for a whole token
    window.reset_layout()
    token_flow(window, qtbot)
    settled(window, qtbot)
    field = window.response_panel.fields["access_token"].label
    first = field.text()
    iface = QAccessible.queryAccessibleInterface(field)
    assert iface.text(Text.Name).lower() == "access token"
    # Painted elided in the narrow dock, exported whole.
    assert field.fontMetrics().horizontalAdvance(first) > field.contentsRect().width()
    assert iface.text(Text.Description) == first
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)
    settled(window, qtbot)
    assert field.text() != first
    assert iface.text(Text.Description) == field.text()


def test_countdowns_say_the_time_left(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    settled(window, qtbot)
    row = window.countdown_panel.rows["access"]
    time_left = row.time.text()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", time_left)
    time_iface = QAccessible.queryAccessibleInterface(row.time)
    assert "Access token" in time_iface.text(Text.Name)
    assert time_iface.text(Text.Description) == time_left
    bar = QAccessible.queryAccessibleInterface(row.bar).text(Text.Description)
    assert bar == f"{time_left} left"


def test_error_fields_read_with_their_values(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    settled(window, qtbot)
    send_and_wait(window, qtbot)
    settled(window, qtbot)
    report = window.error_panel.shown
    assert report is not None
    for label, value in (
        (window.error_panel.status, report.status),
        (window.error_panel.description, report.description),
    ):
        iface = QAccessible.queryAccessibleInterface(label)
        assert iface.text(Text.Name) and iface.text(Text.Name) != value
        assert value in iface.text(Text.Description)
    assert report.hint is not None
    hint = QAccessible.queryAccessibleInterface(window.error_panel.hint)
    assert report.hint.advice in hint.text(Text.Description)
    assert "<b>" not in hint.text(Text.Description)


def test_check_rows_read_as_their_result(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    settled(window, qtbot)
    checks = window.id_token_panel.checks
    model = checks.model()
    results = {
        model.index(row, 0).data(): model.index(row, 1).data(Qt.ItemDataRole.AccessibleTextRole)
        for row in range(model.rowCount())
    }
    # Read as the word (the ✔/✘ mark is for the eye) and the same as check_status().
    assert results and all(
        value == window.id_token_panel.check_status(name) for name, value in results.items()
    )


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app asks screen readers to announce (Qt hands it on to AT-SPI / UIA)."""
    said: list[str] = []
    real_update = QAccessible.updateAccessibility

    def spy(event: QAccessibleEvent) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            said.append(event.message())
        real_update(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", spy)
    return said


def test_outcomes_are_announced(window: MainWindow, qtbot, announced: list[str]) -> None:
    exchange = token_flow(window, qtbot)
    settled(window, qtbot)
    assert any("code received" in text for text in announced), announced
    assert exchange.summary() in announced
    send_and_wait(window, qtbot)  # the used code again
    assert any("401" in text for text in announced[-2:]), announced


def test_copy_is_announced(window: MainWindow, qtbot, announced: list[str]) -> None:
    token_flow(window, qtbot)
    settled(window, qtbot)
    announced.clear()
    copy = window.response_panel.fields["access_token"].copy_button
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == window.response_panel.access_token()
    assert announced == ["Copied access token"]
    # Someone with focus on the button hears its new name too; it goes back after a moment.
    assert QAccessible.queryAccessibleInterface(copy).text(Text.Name).startswith("Copied")
    qtbot.waitUntil(
        lambda: QAccessible.queryAccessibleInterface(copy).text(Text.Name) == "Copy access token",
        timeout=WAIT_MS,
    )


def test_copying_the_authorize_url_is_announced(qtbot, announced: list[str]) -> None:
    url = "https://id.example.com/authorize?client_id=c&state=s&nonce=n&code_challenge=x"
    dialog = AuthorizeDialog(url, listening_on=None)
    qtbot.addWidget(dialog)
    copy = dialog.findChild(QAbstractButton, "authorizeCopyUrlButton")
    assert copy is not None and copy.text() == "Copy URL"
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == url
    assert announced == ["Copied authorize URL"]
    assert copy.text() == "Copied"


def _bad_profile() -> Profile:
    return Profile(new_profile_id(), name="x", base_url="http://api.example.com", app_token="")


def test_profile_dialog_speaks_human_names_and_ties_messages_to_fields(qtbot) -> None:
    dialog = ProfileDialog(_bad_profile(), title="New profile")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    names = {name: edit.accessibleName() for name, edit in dialog.edits.items()}
    assert names["base_url"] == "Base URL"
    assert names["ca_bundle"] == "CA bundle"
    assert all(name[0].isupper() and "_" not in name for name in names.values()), names
    base_url = QAccessible.queryAccessibleInterface(dialog.edits["base_url"])
    message = dialog.messages["base_url"].text()
    assert message and message in base_url.text(Text.Description)
    app_token = QAccessible.queryAccessibleInterface(dialog.edits["app_token"])
    assert dialog.messages["app_token"].text() in app_token.text(Text.Description)
    dialog.edits["base_url"].setText("https://api.example.com")
    assert message not in base_url.text(Text.Description)
    problems = unreadable(dialog)
    assert not problems, "\n".join(problems)


def test_target_messages_are_tied_to_their_fields(window: MainWindow, qtbot) -> None:
    panel = window.target_panel
    type_into(qtbot, panel.app_token, "")
    qtbot.waitUntil(lambda: panel.messages["app_token"].isVisible(), timeout=WAIT_MS)
    iface = QAccessible.queryAccessibleInterface(panel.app_token)
    message = panel.messages["app_token"].text()
    assert message in iface.text(Text.Description)
    type_into(qtbot, panel.app_token, "sbx:emulator-app-token")
    # Empty (its line keeps its room while the field is typed in: see FieldMessage).
    assert panel.messages["app_token"].text() == ""
    assert message not in iface.text(Text.Description)


def test_clear_buttons_are_named(window: MainWindow, qtbot) -> None:
    window.docks["history"].raise_()
    for edit in (window.form.code, window.form.code_verifier, window.history_panel.filter_text):
        edit.setText("something")
        buttons = [b for b in edit.findChildren(QToolButton) if b.isVisible()]
        assert buttons, edit.objectName()
        names = [QAccessible.queryAccessibleInterface(b).text(Text.Name) for b in buttons]
        assert all(name.startswith("Clear") for name in names), names


def test_authorize_dialog_reads(qtbot) -> None:
    dialog = AuthorizeDialog("https://id.example.com/authorize?client_id=x", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.paste_edit.setText("https://example.com/cb?code=x")
    problems = unreadable(dialog)
    assert not problems, "\n".join(problems)
    view = QAccessible.queryAccessibleInterface(dialog.url_view)
    assert view.text(Text.Name) and dialog.url in view.text(Text.Value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: KeysDialog("", 60),
        lambda: PkceCheckerDialog("a-verifier", "a-challenge"),
        lambda: ShareTokenDialog("a-client"),
    ],
    ids=["keys", "pkce", "share"],
)
def test_tool_dialogs_read(qtbot, make: Callable[[], QDialog]) -> None:
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    problems = unreadable(dialog)
    assert not problems, "\n".join(problems)
