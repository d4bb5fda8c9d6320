"""Emulator drills from the window (Tools ▸ Emulator drills…): the list comes from the emulator
over HTTP, a drill is armed for N responses, the status bar says so until the emulator has used
it up, and it can be disarmed. Targets that are not an emulator on this machine are refused."""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.ui.helpers import WAIT_MS, add_profile, get_code, select, send_and_wait, text_of

from idconnect_tester.core.exchange import UnexpectedResponse
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.emulator.scenarios import SCENARIOS
from idconnect_tester.ui.drills_dialog import DrillsDialog
from idconnect_tester.ui.main_window import MainWindow


def open_drills(window: MainWindow, qtbot) -> DrillsDialog:
    window.actions_by_name["drills"].trigger()
    dialog = window.drills.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() > 0, timeout=WAIT_MS)
    return dialog


def armed_in(window: MainWindow) -> Any:
    """What the emulator itself says is armed."""
    return httpx.get(window.emulator.base_url + "/_emulator/scenarios").json()["active"]


def test_arm_a_drill_for_two_responses_the_mark_counts_down_and_goes(
    window: MainWindow, qtbot
) -> None:
    dialog = open_drills(window, qtbot)
    names = [dialog.list.topLevelItem(i).text(0) for i in range(dialog.list.topLevelItemCount())]  # type: ignore[union-attr]
    assert {"slow", "server_error_html", "expired_id_token"} <= set(names)
    mark = window.drills.mark
    assert not mark.isVisible()

    assert dialog.select("server_error_html")
    dialog.times.setValue(2)
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(mark.isVisible, timeout=WAIT_MS)
    assert mark.text() == "drill armed: server_error_html (2 left)"
    assert armed_in(window) == {"name": "server_error_html", "remaining": 2, "params": {}}

    get_code(window, qtbot)  # authorize is never drilled
    for left in (1, 0):
        exchange = send_and_wait(window, qtbot)
        assert exchange.status == 502 and isinstance(exchange.outcome, UnexpectedResponse)
        if left:
            qtbot.waitUntil(lambda: "(1 left)" in mark.text(), timeout=WAIT_MS)
        # The status bar's outcome says whose doing it was: the drill's, not the server's.
        qtbot.waitUntil(lambda: "server_error_html drill" in window.status.text(), timeout=WAIT_MS)
        assert window.status.text().startswith("502")
    qtbot.waitUntil(lambda: not mark.isVisible(), timeout=WAIT_MS)
    assert text_of(window, "errorStatus").startswith("502")
    assert "No drill armed" in dialog.status.text()
    get_code(window, qtbot)  # nothing armed now: no such word
    assert send_and_wait(window, qtbot).status == 200
    qtbot.waitUntil(lambda: window.controller.pending_tasks == 0, timeout=WAIT_MS)
    assert "drill" not in window.status.text()


def test_arming_a_second_drill_says_which_it_disarmed(window: MainWindow, qtbot) -> None:
    """Tryout AJ: arming bad_signature_id_token over alg_none_id_token said only the new one;
    the emulator arms one drill at a time, and the dialog says which went."""
    dialog = open_drills(window, qtbot)
    assert dialog.select("alg_none_id_token")
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "alg_none_id_token" in dialog.status.text(), timeout=WAIT_MS)
    assert "in place of" not in dialog.status.text()
    assert dialog.select("bad_signature_id_token")
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "bad_signature_id_token" in dialog.status.text(), timeout=WAIT_MS)
    said = dialog.status.text()
    assert "in place of alg_none_id_token" in said and "disarmed" in said, said
    assert armed_in(window)["name"] == "bad_signature_id_token"


def test_a_drills_parameters_can_be_set_and_a_bad_one_is_refused_in_words(
    window: MainWindow, qtbot
) -> None:
    dialog = open_drills(window, qtbot)
    note = dialog.params_note
    assert dialog.selected() is None and note.isVisible()  # says to pick one
    assert dialog.select("server_error_html")
    assert dialog.params == {}  # nothing to set for this one, and the band says so
    assert note.isVisible() and "server_error_html" in note.text()
    size, arm_at = dialog.size(), dialog.arm_button.mapTo(dialog, dialog.arm_button.rect().center())
    assert dialog.select("slow")
    delay = dialog.params["delay_s"]
    # Its parameter takes room kept for it: the dialog keeps its size, Arm stays put.
    qtbot.waitUntil(lambda: delay.isVisible(), timeout=WAIT_MS)
    assert not note.isVisible()
    layout = dialog.layout()
    assert layout is not None
    layout.activate()  # laid out now, with the new row
    assert dialog.size() == size
    assert dialog.arm_button.mapTo(dialog, dialog.arm_button.rect().center()) == arm_at
    assert delay.value() == 3  # the emulator's default, as it lists it
    item = dialog.list.currentItem()
    assert item is not None and item.text(1).endswith(". By default: delay 3 s.")  # in words
    # Every row in words: no drill's parameter shows by its API name ("delay_s").
    rows = [dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())]
    names = {name for spec in SCENARIOS.values() for name in spec.params}
    assert names and not [
        (row.text(0), name)
        for row in rows
        if row is not None
        for name in names
        if name in row.text(1)
    ]
    # The description is longer than its column: it wraps onto more lines, whole.
    description = dialog.list.fontMetrics().horizontalAdvance(item.text(1))
    assert description > dialog.list.columnWidth(1)
    lines = dialog.list.visualItemRect(item).height() // dialog.list.fontMetrics().lineSpacing()
    assert lines >= 2
    delay.setValue(0.5)
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.drills.mark.isVisible, timeout=WAIT_MS)
    assert armed_in(window) == {"name": "slow", "remaining": 1, "params": {"delay_s": 0.5}}
    assert window.drills.mark.text() == "drill armed: slow, delay 0.5 s (1 left)"
    assert dialog.arm_button.isDefault() and not dialog.reload_button.autoDefault()

    delay.setValue(301)  # above what the emulator allows
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "300" in dialog.status.text(), timeout=WAIT_MS)  # the range, said
    assert armed_in(window)["params"] == {"delay_s": 0.5}  # the armed one is unchanged
    assert dialog.select("huge_body") and set(dialog.params) == {"size_mb"}


def test_disarm_and_other_targets(window: MainWindow, qtbot) -> None:
    dialog = open_drills(window, qtbot)
    dialog.select("slow")
    dialog.times.setValue(5)
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.drills.mark.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.disarm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.drills.mark.isVisible(), timeout=WAIT_MS)
    assert armed_in(window) is None

    # A real API host is no emulator: nothing is sent to it, and the dialog says why.
    # Said as the target is selected, without Reload.
    remote = add_profile(window, "Sumsub sandbox", base_url="https://api.sumsub.com")
    select(window, remote.id)
    assert "not one" in dialog.target.text()
    assert dialog.list.topLevelItemCount() == 0 and not dialog.arm_button.isEnabled()
    # Back on the built-in emulator, its drills again (tryout AJ: "not one" and an empty list
    # stayed until Reload).
    select(window, EMULATOR_PROFILE_ID)
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() > 0, timeout=WAIT_MS)
    assert dialog.target.text().startswith("Emulator: Built-in emulator")
    assert dialog.select("slow") and dialog.arm_button.isEnabled()


def test_the_mark_names_the_drills_emulator_while_another_target_is_selected(
    window: MainWindow, qtbot
) -> None:
    """Beside another target's address in the status bar, "drill armed: slow" read as that
    target's drill."""
    dialog = open_drills(window, qtbot)
    dialog.select("rate_limited")
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    mark = window.drills.mark
    qtbot.waitUntil(mark.isVisible, timeout=WAIT_MS)
    assert "Built-in emulator" not in mark.text()  # the selected target: said by the address
    elsewhere = add_profile(window, "Sumsub sandbox", base_url="https://api.sumsub.com")
    select(window, elsewhere.id)
    assert mark.text().endswith("on Built-in emulator")
    select(window, EMULATOR_PROFILE_ID)
    assert "on Built-in emulator" not in mark.text()


def test_a_drill_whose_parameter_is_whole_seconds_arms_with_its_default(
    window: MainWindow, qtbot
) -> None:
    """rate_limited's Retry-After takes whole seconds: the dialog offers no decimals, and
    arming sends a whole number (a 5.0 was refused with a 400)."""
    dialog = open_drills(window, qtbot)
    assert dialog.select("rate_limited")
    retry = dialog.params["retry_after_s"]
    assert retry.decimals() == 0 and retry.value() == 5
    retry.setValue(7)
    qtbot.mouseClick(dialog.arm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.drills.mark.isVisible, timeout=WAIT_MS)
    assert armed_in(window) == {
        "name": "rate_limited",
        "remaining": 1,
        "params": {"retry_after_s": 7},
    }


def test_the_keyboard_starts_on_the_list_and_a_drills_settings_come_before_its_buttons(
    window: MainWindow, qtbot
) -> None:
    """Tab goes list → For the next → the drill's own settings → Reload → Disarm → Arm: a
    setting made when the drill was picked is not the last stop, after Close."""
    dialog = open_drills(window, qtbot)
    qtbot.waitUntil(dialog.list.hasFocus, timeout=WAIT_MS)
    assert dialog.select("slow")
    delay = dialog.params["delay_s"]
    qtbot.waitUntil(delay.isVisible, timeout=WAIT_MS)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    dialog.times.setFocus()
    qtbot.waitUntil(dialog.times.hasFocus, timeout=WAIT_MS)
    stops = []
    for _ in range(2):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        stops.append(QApplication.focusWidget())
    assert stops == [delay, dialog.reload_button]


def test_on_a_screen_with_room_every_drill_is_listed_without_scrolling(
    window: MainWindow, qtbot
) -> None:
    """Tryout S: at 1920×1080 the dialog kept a laptop's size, and listed 7 of 15 drills. It
    grows for its list, as far as nine tenths of the screen's height."""
    dialog = open_drills(window, qtbot)
    screen = dialog.screen()
    assert screen is not None
    room = screen.availableGeometry().height() * 9 // 10
    qtbot.waitUntil(
        lambda: not dialog.list.verticalScrollBar().isVisible() or dialog.height() >= room,
        timeout=WAIT_MS,
    )
    assert dialog.height() <= screen.availableGeometry().height()


def test_alt_a_arms_the_selected_drill(window: MainWindow, qtbot) -> None:
    """Tryout T: Alt+A moved the focus to Arm and armed nothing. Each button has its own
    Alt+letter, and Arm's arms."""
    dialog = open_drills(window, qtbot)
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    assert dialog.select("slow")
    qtbot.keyClick(dialog.list, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: armed_in(window) is not None, timeout=WAIT_MS)
    assert armed_in(window)["name"] == "slow"


def _rows_cut_short(dialog: DrillsDialog) -> list[str]:
    """The drills whose description's row is shorter than its text wrapped at the column's
    width (the view then elides it: "…, …")."""
    view = dialog.list
    cut = []
    for index in range(view.topLevelItemCount()):
        item = view.topLevelItem(index)
        assert item is not None
        rect = view.visualItemRect(item)
        box = view.fontMetrics().boundingRect(
            0, 0, view.columnWidth(1) - 4, 100_000, Qt.TextFlag.TextWordWrap, item.text(1)
        )
        if rect.height() < box.height():
            cut.append(item.text(0))
    return cut


def test_no_drill_is_cut_short_however_the_dialog_is_sized_and_opened(
    window: MainWindow, qtbot
) -> None:
    """Tryout AC: opened again, some rows were one line ending in "…" and others wrapped, and
    the rows moved as the list was read again — a click meant for one drill armed another."""
    dialog = open_drills(window, qtbot)
    for width in (dialog.width() - 250, dialog.width() + 200):
        dialog.resize(width, dialog.height())
        qtbot.waitUntil(lambda: not _rows_cut_short(dialog), timeout=WAIT_MS)
    dialog.close()
    dialog = open_drills(window, qtbot)
    first = dialog.list.topLevelItem(0)
    assert first is not None
    first.setData(0, Qt.ItemDataRole.UserRole + 1, "the row listed before")
    window.drills.reload()  # read again, the same drills: the same rows, where they were
    qtbot.waitUntil(lambda: window.controller.pending_tasks == 0, timeout=WAIT_MS)
    again = dialog.list.topLevelItem(0)
    assert again is not None and again.data(0, Qt.ItemDataRole.UserRole + 1)
    assert not _rows_cut_short(dialog)
