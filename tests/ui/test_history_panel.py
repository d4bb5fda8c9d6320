"""The history list as a person reads it in the dock the default layout gives it: the time with
its date, the status in view, a count that is right — also after another instance of the app
wrote to the same history — and said in good English; a list that fits its dock's width, never
scrolling sideways, with whatever it cuts short whole in a tooltip."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QTreeWidget, QTreeWidgetItem
from tests.ui.helpers import WAIT_MS, get_code, send_and_wait, token_flow

from idconnect_tester.core.history import HistoryStore
from idconnect_tester.ui.history_panel import COLUMN
from idconnect_tester.ui.main_window import MainWindow


def shown_whole(table: QTreeWidget, column: int) -> bool:
    """The column lies inside the view at the view's width, and every cell's text fits it."""
    header = table.header()
    right = header.sectionViewportPosition(column) + header.sectionSize(column)
    if header.sectionViewportPosition(column) < 0 or right > table.viewport().width():
        return False
    metrics = table.fontMetrics()
    for index in range(table.topLevelItemCount()):
        item = table.topLevelItem(index)
        assert item is not None
        rect = table.visualItemRect(item)
        cell = table.visualRect(table.indexFromItem(item, column))
        if rect.isValid() and metrics.horizontalAdvance(item.text(column)) > cell.width() - 4:
            return False
    return True


def history_in_view(window: MainWindow, qtbot, size: tuple[int, int]) -> QTreeWidget:
    """The window at `size` with its History tab in front, laid out."""
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=WAIT_MS)
    window.docks["history"].raise_()
    QCoreApplication.sendPostedEvents()
    table = window.history_panel.table
    qtbot.waitUntil(lambda: table.isVisible() and table.viewport().width() > 0, timeout=WAIT_MS)
    # Shown, the list catches up with the history on record: the rows it will keep.
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents()
    return table


def scrolls_sideways(table: QTreeWidget) -> bool:
    bar = table.horizontalScrollBar()
    return bar.isVisible() or bar.maximum() > 0


def row(table: QTreeWidget, index: int) -> QTreeWidgetItem:
    item = table.topLevelItem(index)
    assert item is not None
    return item


def tooltip_over(qtbot, table: QTreeWidget, index: int, column: str) -> str:
    """Hover over the cell as a person does (the tooltip event Qt sends after a pause): the
    tooltip that shows, "" for none."""
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=WAIT_MS)
    at = table.visualItemRect(row(table, index))
    at.setLeft(table.header().sectionViewportPosition(COLUMN[column]))
    at.setWidth(table.header().sectionSize(COLUMN[column]))
    viewport = table.viewport()
    QApplication.sendEvent(
        viewport,
        QHelpEvent(QEvent.Type.ToolTip, at.center(), viewport.mapToGlobal(at.center())),
    )
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_time_and_status_show_whole_at_the_docks_default_width(window: MainWindow, qtbot) -> None:
    """On the smallest laptop screen (a narrower list gives the date way: see below)."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    table = history_in_view(window, qtbot, (1024, 700))
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 3, timeout=WAIT_MS)  # + authorize

    first = table.topLevelItem(0)
    assert first is not None and first.text(COLUMN["Status"]) == "401"
    assert ":" in first.text(COLUMN["Time"]) and "-" in first.text(COLUMN["Time"])
    assert shown_whole(table, COLUMN["Time"]), "the time is cut off"
    assert shown_whole(table, COLUMN["Status"]), "the status is cut off or out of view"


def test_one_exchange_is_counted_in_the_singular(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)  # the authorize step: one exchange in the history
    qtbot.waitUntil(lambda: window.history_panel.row_count() == 1, timeout=WAIT_MS)
    assert window.history_panel.count_label.text() == "1 exchange"


def test_rows_another_instance_wrote_are_listed_and_counted(window: MainWindow, qtbot) -> None:
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)  # authorize, token
    with HistoryStore() as other_instance:  # the same file, written by a second window
        for _ in range(2):
            other_instance.add(exchange, profile=window.targets.current, form=None)

    send_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    assert panel.row_count() == 5
    assert panel.count_label.text() == "5 exchanges"  # not "3 of 5"


def test_showing_the_history_catches_up_with_another_instance(window: MainWindow, qtbot) -> None:
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)  # authorize, token
    toggle = window.docks["history"].toggleViewAction()  # View ▸ History
    toggle.trigger()
    assert not panel.isVisible()
    with HistoryStore() as other_instance:
        other_instance.add(exchange, profile=window.targets.current, form=None)

    toggle.trigger()
    window.docks["history"].raise_()  # its tab in front: the rows the user sees now
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)
    assert panel.count_label.text() == "3 exchanges"


def test_a_long_list_is_built_a_batch_per_turn_and_ends_whole(window: MainWindow, qtbot) -> None:
    """600 rows: a screenful at once, the rest on the next turns of the event loop (so no turn
    holds the window still); the count is right from the start, and a new entry on top while
    the rest is still coming keeps the list at its limit, newest first."""
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    store = window.history.store
    for _ in range(598):
        store.add(exchange, profile=window.targets.current, form=None)
    rows = store.list("", None, 1000)
    panel.set_rows(rows, len(rows))
    built_at_once = panel.table.topLevelItemCount()
    assert 0 < built_at_once < 600 and panel.row_count() == 600
    assert panel.count_label.text() == "600 exchanges"
    newest = store.row(store.add(exchange, profile=window.targets.current, form=None))
    assert newest is not None
    panel.prepend_row(newest, 601, limit=600)
    assert panel.row_count() == 600 and panel.top_id() == newest.id
    qtbot.waitUntil(lambda: panel.table.topLevelItemCount() == 600, timeout=WAIT_MS)
    last = panel.table.topLevelItem(599)
    assert last is not None and last.data(0, Qt.ItemDataRole.UserRole) == rows[-2].id


def test_a_row_is_shown_and_kept_picked_by_keyboard_alone(window: MainWindow, qtbot) -> None:
    """Pick a row with the arrow keys, Tab on to Load and Show, through the limit box and back:
    the row stays picked (so Show and Load stay on), and Return on it shows it."""
    panel, history = window.history_panel, window.history
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    window.docks["history"].raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_End)  # the authorize step…
    qtbot.keyClick(panel.table, Qt.Key.Key_Up)  # …and the token exchange above it
    picked = panel.table.currentItem()
    assert picked is not None and picked is panel.table.topLevelItem(0)
    picked_id = picked.data(0, Qt.ItemDataRole.UserRole)
    assert panel.show_button.isEnabled() and panel.load_button.isEnabled()
    tabbed: list[object] = []
    for _ in range(4):  # Load, Show, Clear, the limit box
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        tabbed.append(QApplication.focusWidget())
    assert tabbed == [panel.load_button, panel.show_button, panel.clear_button, panel.retention]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # left unchanged: nothing read
    history.refresh()  # and a list read again (another instance's rows) keeps the pick too
    current = panel.table.currentItem()
    assert current is not None and current.data(0, Qt.ItemDataRole.UserRole) == picked_id
    assert panel.show_button.isEnabled() and panel.load_button.isEnabled()

    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(history.dialogs) == 1, timeout=WAIT_MS)


@pytest.mark.parametrize(
    "size", [(1024, 700), (1366, 768), (960, 540)], ids=["1024x700", "1366x768", "200% of 1080p"]
)
def test_the_list_fits_a_laptops_dock_without_scrolling_sideways(
    window: MainWindow, qtbot, size: tuple[int, int]
) -> None:
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    table = history_in_view(window, qtbot, size)
    assert table.topLevelItemCount() == 3
    assert not scrolls_sideways(table), (size, table.viewport().width())
    # Every column in view, none squeezed to nothing, and no room left unused.
    assert table.header().length() == table.viewport().width()
    for column in COLUMN.values():
        assert table.header().sectionSize(column) >= table.fontMetrics().horizontalAdvance("MM")


def test_a_cell_cut_short_shows_its_whole_text_on_hover(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: a 401, which carries a correlationId
    table = history_in_view(window, qtbot, (1024, 700))
    token_row = row(table, 0)
    assert token_row.text(COLUMN["Status"]) == "401"
    assert token_row.text(COLUMN["Grant"]) == "authorization_code"
    assert token_row.text(COLUMN["correlationId"])
    # The dock is too narrow for every column whole: the grant and the id are cut short…
    for column in ("Grant", "correlationId"):
        whole = token_row.text(COLUMN[column])
        width = table.fontMetrics().horizontalAdvance(whole)
        assert width > table.header().sectionSize(COLUMN[column]), column
        # …and hovering shows them whole.
        assert tooltip_over(qtbot, table, 0, column) == whole, column
    # A cell shown whole has no tooltip to repeat it; the time keeps its own (the summary).
    assert tooltip_over(qtbot, table, 0, "Status") == ""
    assert tooltip_over(qtbot, table, 0, "Time") == row(table, 0).toolTip(COLUMN["Time"])


def test_a_narrow_floating_dock_cuts_its_columns_short_rather_than_scroll(
    window: MainWindow, qtbot
) -> None:
    token_flow(window, qtbot)
    table = history_in_view(window, qtbot, (1366, 768))
    panel, dock = window.history_panel, window.docks["history"]
    dock.setFloating(True)
    qtbot.waitUntil(lambda: dock.isVisible() and table.viewport().width() > 0, timeout=WAIT_MS)
    narrowest = panel.narrowest_fit()
    dock.resize(dock.width() - table.viewport().width() + narrowest, dock.height())
    qtbot.waitUntil(lambda: table.viewport().width() == narrowest, timeout=WAIT_MS)
    assert not scrolls_sideways(table)
    # The time of day stays in view when the time is cut short (its date goes first).
    time = row(table, 0).text(COLUMN["Time"])
    assert tooltip_over(qtbot, table, 0, "Time").startswith(f"{time}\n")
    assert table.fontMetrics().horizontalAdvance("99:99:99") < table.header().sectionSize(
        COLUMN["Time"]
    )


def test_a_column_a_person_widens_keeps_its_width_and_the_rest_give_way(
    window: MainWindow, qtbot
) -> None:
    token_flow(window, qtbot)
    table = history_in_view(window, qtbot, (1366, 768))
    header, profile = table.header(), COLUMN["Profile"]
    wider = header.sectionSize(profile) + 120
    header.resizeSection(profile, wider)  # what dragging its edge does
    assert header.sectionSize(profile) == wider
    assert not scrolls_sideways(table)
    assert header.length() == table.viewport().width()
