"""The window by keyboard alone: mnemonics that reach what they promise, Return that sends, and
a focus that is always somewhere the user can see and use."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetricsF, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QScrollArea,
    QStyle,
    QTabBar,
    QTreeWidget,
    QWidget,
)
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import (
    WAIT_MS,
    add_profile,
    get_code,
    on_screen,
    scenario,
    select,
    settled,
    text_of,
    token_flow,
    type_into,
)

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog

MENU_LETTERS = {"F": "File", "E": "Edit", "R": "Request", "T": "Tools", "V": "View", "H": "Help"}


def activate(window: MainWindow, qtbot) -> None:
    """Keys go to the active window (under a bare X server nothing activates it by itself)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def mnemonics(root: QWidget) -> list[tuple[str, str]]:
    """(key, what) for every Alt+letter in `root`: buttons, buddied labels, group boxes, tabs and
    the menu bar's menus. Items inside a menu are left out: they only count in an open menu."""
    found: list[tuple[str, str]] = []

    def add(text: str, what: str) -> None:
        key = QKeySequence.mnemonic(text).toString()
        if key:
            found.append((key, what))

    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QMenu):
            continue
        if isinstance(widget, QMenuBar):
            for action in widget.actions():
                add(action.text(), f"menu {action.text()}")
        elif isinstance(widget, QAbstractButton):
            add(widget.text(), f"button {widget.text()}")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), f"label {widget.text()}")
        elif isinstance(widget, QGroupBox):
            add(widget.title(), f"group {widget.title()}")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget.tabText(index), f"tab {widget.tabText(index)}")
    return found


def _clashes(found: list[tuple[str, str]]) -> dict[str, list[str]]:
    counts = Counter(key for key, _ in found)
    return {
        key: [what for k, what in found if k == key] for key, count in counts.items() if count > 1
    }


def test_mnemonics_are_unique_in_the_main_window(window: MainWindow) -> None:
    found = mnemonics(window)
    assert _clashes(found) == {}
    menus = {key for key, what in found if what.startswith("menu ")}
    assert menus == {f"Alt+{letter}" for letter in MENU_LETTERS}


def test_mnemonics_are_unique_in_the_profile_dialog(qtbot) -> None:
    draft = Profile(new_profile_id(), name="x", base_url="https://api.example.com", app_token="t")
    dialog = ProfileDialog(draft, title="New profile")
    qtbot.addWidget(dialog)
    found = mnemonics(dialog)
    # Save and Cancel get &S and &C on some desktops (GNOME's theme): keep those letters free.
    found += [("Alt+S", "button Save"), ("Alt+C", "button Cancel")]
    assert dialog.buttons.standardButtons() == (
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    assert _clashes(found) == {}
    labelled = [what for _, what in found if what.startswith("label ")]
    assert len(labelled) == len(dialog.edits) + 1  # every field and the timeout


def test_menu_mnemonics_open_their_menus(window: MainWindow, qtbot) -> None:
    activate(window, qtbot)
    window.form.code.setFocus()
    for letter, title in MENU_LETTERS.items():
        qtbot.keyClick(
            window.form.code, getattr(Qt.Key, f"Key_{letter}"), Qt.KeyboardModifier.AltModifier
        )
        qtbot.waitUntil(
            lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT_MS
        )
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu) and menu.title().replace("&", "") == title
        menu.close()
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=WAIT_MS)


def test_the_request_menu_shows_the_real_keys(window: MainWindow) -> None:
    shown = {
        name: window.actions_by_name[name].shortcut().toString()
        for name in ("get_code", "send", "cancel")
    }
    assert shown == {"get_code": "Ctrl+G", "send": "Ctrl+Return", "cancel": "Esc"}


def test_alt_g_gets_a_code_and_alt_s_sends_it(window: MainWindow, qtbot) -> None:
    """The underlined letters on Get code and Send do what they show; the focus follows as
    after a click (on to Send once the code is in)."""
    activate(window, qtbot)
    window.form.scope_boxes["openid"].setFocus()  # somewhere that isn't either button
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.form.code.text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.focusWidget() is window.form.send_button, timeout=WAIT_MS)
    window.form.code_verifier.setFocus()
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window.form.code_verifier, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert blocker.args[0].succeeded
    settled(window, qtbot)


def test_return_in_a_request_field_sends(window: MainWindow, qtbot) -> None:
    activate(window, qtbot)
    get_code(window, qtbot)
    window.form.code_verifier.setFocus()
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window.form.code_verifier, Qt.Key.Key_Return)
    assert blocker.args[0].succeeded
    settled(window, qtbot)


def _meaningful(widget: QWidget | None) -> bool:
    """Somewhere a keyboard user can be: a visible, enabled control, not a container."""
    if widget is None or not on_screen(widget) or not widget.isEnabled():
        return False
    if isinstance(widget, QScrollArea | QLabel):
        return False
    return widget.focusPolicy() & Qt.FocusPolicy.TabFocus != Qt.FocusPolicy.NoFocus


def test_focus_starts_on_get_code(window: MainWindow, qtbot) -> None:
    assert window.focusWidget() is window.form.get_code_button
    activate(window, qtbot)
    assert QApplication.focusWidget() is window.form.get_code_button


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_return_or_enter_presses_the_focused_button(window: MainWindow, qtbot, key) -> None:
    """As in a dialog: a focused Get code, then a focused Send, each pressed by the key most
    people reach for (outside a dialog Qt's buttons take Space only)."""
    activate(window, qtbot)
    window.form.code.clear()
    assert QApplication.focusWidget() is window.form.get_code_button
    qtbot.keyClick(window.form.get_code_button, key)
    qtbot.waitUntil(
        lambda: window.form.code.text() != "" and not window.controller.busy, timeout=WAIT_MS
    )
    window.form.send_button.setFocus()
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.form.send_button, key)
    qtbot.waitUntil(lambda: window.response_panel.access_token() != "", timeout=WAIT_MS)
    copy = window.response_panel.fields["access_token"].copy_button  # a tool button
    QApplication.clipboard().clear()
    copy.setFocus()
    qtbot.keyClick(copy, key)
    qtbot.waitUntil(
        lambda: QApplication.clipboard().text() == window.response_panel.access_token(),
        timeout=WAIT_MS,
    )


def test_a_failure_that_covers_the_focused_panel_hands_the_focus_to_the_error(
    window: MainWindow, qtbot
) -> None:
    """Share token… had the focus; its 400 brings the Error tab to the front over it. The
    focus follows to the Error panel, not to a button of another panel that Return would
    press (Save report…)."""
    window.resize(1000, 660)  # a laptop: Response and Error share a row of tabs
    response, error = window.docks["response"], window.docks["error"]
    qtbot.waitUntil(lambda: error in window.tabifiedDockWidgets(response), timeout=WAIT_MS)
    activate(window, qtbot)
    token_flow(window, qtbot)
    share = window.response_panel.share_button
    share.setFocus()
    qtbot.waitUntil(share.hasFocus, timeout=WAIT_MS)
    scenario(window, "markup_in_error")  # a 400 for the share-token request

    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.send_share_token("partner-client", 600)

    qtbot.waitUntil(lambda: not window.docks["error"].visibleRegion().isEmpty(), timeout=WAIT_MS)
    focused = QApplication.focusWidget()
    assert focused is not None and window.docks["error"].isAncestorOf(focused), focused
    assert _meaningful(focused)


def test_focus_stays_visible_after_send(window: MainWindow, qtbot) -> None:
    activate(window, qtbot)
    get_code(window, qtbot)
    window.form.send_button.setFocus()
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.form.send_button, Qt.Key.Key_Space)
        # While the request runs Send is off: focus goes to Cancel, not to a hidden corner.
        assert QApplication.focusWidget() is window.form.cancel_button
    settled(window, qtbot)
    focus = QApplication.focusWidget()
    assert _meaningful(focus), focus
    assert focus in (window.form.send_button, window.form.get_code_button)


def tab_stops(qtbot) -> list[QWidget]:
    """One full round of Tab key presses from the current focus."""
    start = QApplication.focusWidget()
    assert start is not None
    stops: list[QWidget] = []
    for _ in range(200):
        before = QApplication.focusWidget()
        assert before is not None
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert focus is not None and focus is not before, f"Tab is stuck in {_name(before)}"
        if focus is start:
            return stops
        stops.append(focus)
    raise AssertionError("Tab never came back to where it started")


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName() or '(unnamed)'}"


def test_every_tab_stop_is_visible_and_interactive(window: MainWindow, qtbot) -> None:
    activate(window, qtbot)
    get_code(window, qtbot)
    window.form.code.setFocus()
    stops = tab_stops(qtbot)
    assert window.form.send_button in stops
    bad = [_name(widget) for widget in stops if not _meaningful(widget)]
    assert bad == []
    # Every dock in front, in turn: still no stop behind a tab.
    for dock in window.docks.values():
        dock.raise_()
        bad += [_name(w) for w in tab_stops(qtbot) if not _meaningful(w)]
    assert bad == []


def _tab_into(start: QWidget, view: QWidget, qtbot) -> None:
    start.setFocus()
    for _ in range(10):
        if view.hasFocus():
            return
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {_name(view)}")


def test_tabbing_into_the_checks_shows_a_current_row(window: MainWindow, qtbot) -> None:
    activate(window, qtbot)
    window.docks["idToken"].raise_()
    checks = window.id_token_panel.checks
    for _ in range(2):  # the second time too, when the rows have been replaced
        get_code(window, qtbot)
        checks.clear()
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
            window.form.send_button.click()
        settled(window, qtbot)
        assert checks.topLevelItemCount() > 0
        _tab_into(window.id_token_panel.keys_button, checks, qtbot)
        # The row with the focus is highlighted, not just a faint frame around its first cell.
        assert checks.currentItem() is not None
        assert checks.selectedItems() == [checks.currentItem()]


def test_tabbing_into_the_history_selects_the_newest_entry(window: MainWindow, qtbot) -> None:
    activate(window, qtbot)
    get_code(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.form.send_button.click()
    settled(window, qtbot)
    history = window.history_panel
    qtbot.waitUntil(lambda: history.row_count() == 2, timeout=WAIT_MS)  # authorize, token
    window.docks["history"].raise_()
    assert not history.show_button.isEnabled()
    _tab_into(history.filter_text, history.table, qtbot)
    assert history.table.selectedItems() == [history.table.topLevelItem(0)]
    assert history.show_button.isEnabled()  # so Tab, Tab… Space shows it


def _docks_agree(window: MainWindow) -> list[str]:
    """Docks whose content is hidden although they are in front, or shown behind a tab."""
    wrong = []
    for name, dock in window.docks.items():
        content = dock.widget()
        assert content is not None
        in_front = dock.isVisible() and window.rect().intersects(dock.geometry())
        if dock.isFloating():
            in_front = dock.isVisible()
        if content.isVisible() != in_front:
            wrong.append(f"{name}: in front {in_front}, content shown {content.isVisible()}")
    return wrong


def test_only_docks_behind_a_tab_hide_their_content(loop, qtbot) -> None:
    first = open_window(qtbot)
    assert _docks_agree(first) == []
    first.docks["error"].raise_()
    first.docks["history"].raise_()
    assert _docks_agree(first) == []
    first.docks["raw"].raise_()
    first.docks["raw"].setFloating(True)  # as its title bar's button does
    assert _docks_agree(first) == []
    first.docks["raw"].setFloating(False)
    assert _docks_agree(first) == []
    first.reset_layout()
    assert _docks_agree(first) == []
    first.resize(1700, 900)  # the wide arrangement: two columns, fewer tabs
    first.reset_layout()
    assert _docks_agree(first) == []
    first.resize(800, 700)
    first.reset_layout()
    first.docks["history"].raise_()
    close_window(first, qtbot)
    # The next launch restores the tabs as they were left.
    second = open_window(qtbot)
    assert second.docks["history"].widget().isVisible()
    assert _docks_agree(second) == []
    close_window(second, qtbot)


def test_help_lists_every_shortcut_the_menus_have(window: MainWindow, qtbot) -> None:
    """Help ▸ Keyboard shortcuts is read from the menus: each command with a key is there,
    with that key, and nothing the menus don't have."""
    window.actions_by_name["shortcuts"].trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTreeWidget, "shortcutsTable")
    assert table is not None
    listed = {
        (item.text(1), item.text(2))
        for index in range(table.topLevelItemCount())
        if (item := table.topLevelItem(index)) is not None
    }
    with_keys = [a for a in window.actions_by_name.values() if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 10
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert (action.text().replace("&", ""), keys) in listed, action.text()
    assert ("Get code", "Ctrl+G") in listed
    dialog.close()


def test_help_shows_every_command_and_key_whole(window: MainWindow, qtbot) -> None:
    """At the dialog's default size no cell is elided, all three columns are in sight, and a
    command ends clear of the Keys column: "Save exchange as JSON…" flush against it read as
    a name Qt had cut off (its own "…" looks like Qt's)."""
    window.actions_by_name["shortcuts"].trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QTreeWidget, "shortcutsTable")
    assert table is not None
    metrics = QFontMetricsF(table.font())
    # What the item delegate keeps clear on each side of a cell's text before it elides.
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    clear = metrics.horizontalAdvance("M")
    cut: list[str] = []
    crowded: list[str] = []
    for row in range(table.topLevelItemCount()):
        item = table.topLevelItem(row)
        assert item is not None
        for column in range(table.columnCount()):
            text_width = metrics.horizontalAdvance(item.text(column)) + 2 * margin
            if text_width > table.columnWidth(column):
                cut.append(item.text(column))
            if column == 1 and text_width + clear > table.columnWidth(column):
                crowded.append(item.text(column))
    assert cut == []
    assert crowded == []
    last = table.columnCount() - 1
    right_end = table.header().sectionViewportPosition(last) + table.columnWidth(last)
    assert right_end <= table.viewport().width(), "the Keys column runs out of sight"
    dialog.close()


@contextlib.contextmanager
def dismissing_dialogs() -> Iterator[None]:
    """Whatever modal dialog a command opens (a file chooser, the share token's, the pasted
    redirect's) is dismissed as soon as it is up, as a person pressing Esc would."""

    def dismiss() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            modal.reject()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(dismiss)
    timer.start()
    try:
        yield
    finally:
        timer.stop()


SHORTCUT_ACTIONS = [
    "save_exchange",
    "curl",
    "copy_json",
    "get_code",
    "send",
    "share",
    "paste_redirect",
    "check",
    "pkce",
    "jwt_workbench",
    "shortcuts",
]


def test_every_shortcut_but_quit_is_tried_below(window: MainWindow) -> None:
    with_keys = {n for n, a in window.actions_by_name.items() if not a.shortcut().isEmpty()}
    go_to = {f"go_to_{dock.objectName()}" for dock in window.docks.values()}
    assert with_keys == {*SHORTCUT_ACTIONS, *go_to, "cancel", "quit"}


def test_ctrl_and_a_number_brings_that_panel_to_the_front(window: MainWindow, qtbot) -> None:
    """On a short screen every result panel is a tab of one row: from a request field, the
    key the View menu shows brings each to the front, its panel focused — even one closed."""
    window.resize(1000, 660)
    qtbot.waitUntil(lambda: len(window.tabifiedDockWidgets(window.docks["raw"])) >= 4)
    activate(window, qtbot)
    window.docks["history"].close()
    for dock in window.docks.values():
        action = window.actions_by_name[f"go_to_{dock.objectName()}"]
        window.form.code_verifier.setFocus()
        qtbot.keySequence(window.form.code_verifier, action.shortcut())
        qtbot.waitUntil(lambda dock=dock: not dock.visibleRegion().isEmpty(), timeout=WAIT_MS)
        focused = QApplication.focusWidget()
        assert focused is not None and dock.isAncestorOf(focused), dock.objectName()
        # A control to act on, with its focus edge: not the panel's scroll area, from which
        # the first control was several Tabs away (a panel with none keeps the scroll area,
        # for the arrow keys).
        controls = [w for w in dock.findChildren(QWidget) if _meaningful(w)]
        assert _meaningful(focused) or not controls, (dock.objectName(), focused)


@pytest.mark.parametrize("name", SHORTCUT_ACTIONS)
def test_a_menu_shortcut_works_while_typing_in_the_form(
    window: MainWindow, qtbot, name: str
) -> None:
    """The keys the menus show work where a person is: typing in a request field (a line edit
    must not swallow them)."""
    token_flow(window, qtbot)  # an exchange on show: every command has something to act on
    action = window.actions_by_name[name]
    activate(window, qtbot)
    window.form.code_verifier.setFocus()
    with dismissing_dialogs(), qtbot.waitSignal(action.triggered, timeout=WAIT_MS):
        qtbot.keySequence(window.form.code_verifier, action.shortcut())
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)


def test_ctrl_g_gets_a_code_and_ctrl_shift_k_runs_the_check(window: MainWindow, qtbot) -> None:
    """Ctrl+G pressed in a field gets a code as the button does, focus and all: the next
    step, Send, has it once the code is in (it stayed in the field)."""
    activate(window, qtbot)
    window.form.code_verifier.setFocus()
    qtbot.keySequence(window.form.code_verifier, QKeySequence("Ctrl+G"))
    qtbot.waitUntil(lambda: window.form.code.text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.focusWidget() is window.form.send_button, timeout=WAIT_MS)
    qtbot.keySequence(window.form.code_verifier, QKeySequence("Ctrl+Shift+K"))
    qtbot.waitUntil(lambda: window.check_runner.report is not None, timeout=WAIT_MS)
    assert window.check_runner.report is not None and window.check_runner.report.passed


def test_esc_in_a_field_cancels_a_send_that_hangs(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    server = window.emulator.server
    assert server is not None
    server.set_scenario("slow", delay_s=30)
    activate(window, qtbot)
    window.form.code_verifier.setFocus()
    qtbot.keySequence(window.form.code_verifier, QKeySequence("Ctrl+Return"))
    assert window.controller.busy
    qtbot.waitUntil(lambda: server.wait_scenario_used(0), timeout=WAIT_MS)  # it hangs there
    with qtbot.waitSignal(window.controller.cancelled, timeout=WAIT_MS):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
    assert not window.controller.busy and window.form.send_button.isEnabled()


def return_then_ctrl_return(window: MainWindow, qtbot, where: tuple[QWidget, ...]) -> None:
    """Return on each of `where` sends nothing and says why (the code was exchanged); then
    Ctrl+Return replays it, and the server answers 401."""
    for widget in where:
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        assert not window.controller.busy  # nothing went out
        assert window.status.text().startswith("Return does not send a code exchanged")
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as replay:
        qtbot.keyClick(window.form.code, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert replay.args[0].status == 401
    settled(window, qtbot)


def test_a_second_return_does_not_replay_the_code_a_click_does(window: MainWindow, qtbot) -> None:
    """Tryout T: Get code, Return (Send), Return again — the second replayed the code, and the
    server revoked the tokens just received. Return does not send a code exchanged already,
    in a field or on the focused Send, and says why; a click or Ctrl+Return still replays it,
    which is there to be tested."""
    activate(window, qtbot)
    get_code(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as first:
        qtbot.keyClick(window.form.code, Qt.Key.Key_Return)
    assert first.args[0].status == 200
    settled(window, qtbot)
    return_then_ctrl_return(window, qtbot, (window.form.send_button, window.form.code))
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        # Replayed already, and refused: there is nothing more to lose, and Return sends.
        qtbot.keyClick(window.form.code, Qt.Key.Key_Return)


def test_return_does_not_replay_a_code_through_a_copy_whose_issuer_differs(
    window: MainWindow, qtbot
) -> None:
    """Tryout W: a copy of the profile whose issuer lost its trailing "/" counted as another
    server. Return sent it the code the profile had exchanged — the server revoked those
    tokens — and back on the profile they read "live", in green. The code goes to the same
    token endpoint for the same client whatever the issuer says: Return refuses, and after
    a deliberate replay the profile's tokens are in doubt."""
    activate(window, qtbot)
    token_flow(window, qtbot)
    emulator_id = window.targets.current.id
    add_profile(window, "Copy without the slash", issuer=window.emulator.base_url)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    qtbot.waitUntil(window.form.send_button.isEnabled, timeout=WAIT_MS)
    assert window.form.code.text()  # the form keeps the code across the switch
    return_then_ctrl_return(window, qtbot, (window.form.code,))
    select(window, emulator_id)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "suspect", timeout=WAIT_MS)
    # Tryout Y: the copy's 401 is the latest word on these tokens. The error panel beside them
    # said so; the token panels kept their time in their titles, as if current.
    for name in ("response", "countdown", "idToken"):
        title = window.docks[name].windowTitle()
        assert "older" in title, title
    assert window.response_panel.property("stale")
    assert "Copy without the slash" in window.response_panel.freshness.text()


def test_every_item_of_the_view_menu_has_an_alt_letter_of_its_own(window: MainWindow) -> None:
    """Tryout X: the panels' items had none, and the first was highlighted as the menu opened:
    a stray Return closed the Expiry panel. Each item has its own letter, panels included."""
    view = next(
        action.menu()
        for action in window.menuBar().actions()
        if action.text().replace("&", "") == "View"
    )
    assert isinstance(view, QMenu)
    texts = [action.text() for action in view.actions() if not action.isSeparator()]
    keys = [QKeySequence.mnemonic(text).toString() for text in texts]
    assert all(keys), texts
    assert len(set(keys)) == len(keys), texts
    window.actions_by_name["reset_layout"].trigger()  # the titles change: the letters stay
    assert [action.text() for action in view.actions() if not action.isSeparator()] == texts


def test_ctrl_c_on_a_check_row_copies_the_whole_row_with_its_reason(
    window: MainWindow, qtbot
) -> None:
    """Tryout AA: at 1024×700 a check's reason is cut short, and Ctrl+C on its row copied only
    the check's name — a keyboard user could not read the rest anywhere."""
    token_flow(window, qtbot)
    checks = window.id_token_panel.checks
    qtbot.waitUntil(lambda: window.id_token_panel.check_status("signature") is not None)
    (row,) = checks.findItems("signature", Qt.MatchFlag.MatchExactly, 0)
    checks.setFocus()
    checks.setCurrentItem(row)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(checks, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    name, result, why = QGuiApplication.clipboard().text().split("\t")
    assert (name, result) == ("signature", row.text(1))
    assert why == row.text(2) and len(why) > 40  # the whole reason, however the cell shows it


def test_the_check_row_being_read_stays_current_when_the_checks_run_again(
    window: MainWindow, qtbot
) -> None:
    """Tryout AB: after an auto-refresh checked a new id_token, Down went on from the top
    of the table, not from the row the keyboard was on."""
    token_flow(window, qtbot)
    checks = window.id_token_panel.checks
    qtbot.waitUntil(lambda: window.id_token_panel.check_status("exp") is not None)
    (exp,) = checks.findItems("exp", Qt.MatchFlag.MatchExactly, 0)
    checks.setFocus()
    qtbot.waitUntil(checks.hasFocus)
    checks.setCurrentItem(exp)
    window.form.set_grant("refresh_token")
    window.controller.send_token(
        window.targets.target(), window.form.token_request(), window.targets.origin()
    )  # as auto-refresh sends: the focus stays in the table
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.id_token_panel.check_status("exp") is not None)
    current = checks.currentItem()
    assert checks.hasFocus() and current is not None and current.text(0) == "exp"
    assert current is not exp  # a new row: the checks of the new id_token
