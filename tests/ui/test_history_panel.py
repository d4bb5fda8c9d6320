"""The history list as a person reads it in the dock the default layout gives it: the time of
day (the date on hover, or in the cell for another day's row), the status in view, a count that
is right — also after another instance of the app wrote to the same history — and said in good
English; a list that fits its dock's width, never scrolling sideways, with whatever it cuts
short whole in a tooltip; columns a person drags keep their widths; a row's own menu."""

from __future__ import annotations

import json
import re
import stat
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QHelpEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMenu,
    QPushButton,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.support.leaks import files_containing
from tests.ui.helpers import (
    WAIT_MS,
    add_profile,
    get_code,
    scenario,
    send_and_wait,
    settled,
    text_of,
    token_flow,
    type_into,
)

from idconnect_tester.core.emulator_drills import made_by
from idconnect_tester.core.exchange import Exchange, TokenGranted
from idconnect_tester.core.exchange_json import OutcomeKind, iso_utc
from idconnect_tester.core.history import ID_TOKEN_FAILED_FILTER, HistoryRow, HistoryStore
from idconnect_tester.core.id_token_checks import CheckStatus
from idconnect_tester.core.masking import mask_token
from idconnect_tester.core.session_events import IdTokenChanged
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui import file_dialogs, history_panel
from idconnect_tester.ui.history_panel import COLUMN, ElidingCells
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.theme import Tone, colours

CLOCK = re.compile(r"\d\d:\d\d:\d\d")


def rows_of(table: QTreeWidget) -> list[QTreeWidgetItem]:
    items = (table.topLevelItem(index) for index in range(table.topLevelItemCount()))
    return [item for item in items if item is not None]


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


def moved(exchange: Exchange, by: timedelta) -> Exchange:
    """The same exchange, started and ended `by` later."""
    return replace(
        exchange, started_at=exchange.started_at + by, received_at=exchange.received_at + by
    )


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
    """On the smallest laptop screen. Today's rows show the time of day (what tells them
    apart); the date is in the time's tooltip."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    table = history_in_view(window, qtbot, (1024, 700))
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 3, timeout=WAIT_MS)  # + authorize

    first = table.topLevelItem(0)
    assert first is not None and first.text(COLUMN["Status"]) == "401"
    time = first.text(COLUMN["Time"])
    assert CLOCK.fullmatch(time), time
    assert shown_whole(table, COLUMN["Time"]), "the time is cut off"
    assert shown_whole(table, COLUMN["Status"]), "the status is cut off or out of view"
    today = f"{datetime.now():%Y-%m-%d}"
    assert tooltip_over(qtbot, table, 0, "Time").startswith(f"{today} {time}\n")


@pytest.mark.parametrize("size", [(1024, 700), (960, 540)])  # a laptop; 1080p at 200%
def test_a_wait_of_minutes_shows_its_every_digit(
    window: MainWindow, qtbot, size: tuple[int, int]
) -> None:
    """A sign-in at authorize can take minutes: its milliseconds are never cut ("340…" of
    340,112 reads as 340 ms)."""
    get_code(window, qtbot)
    table = history_in_view(window, qtbot, size)
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 1, timeout=WAIT_MS)
    signed_in_slowly = replace(window.history.store.list()[0], total_ms=340_112.0)
    window.history_panel.set_rows([signed_in_slowly], 1)

    assert row(table, 0).text(COLUMN["ms"]) == "340112"
    assert shown_whole(table, COLUMN["ms"])
    assert not scrolls_sideways(table)


def test_a_failed_authorize_step_reads_whole_on_a_laptop(window: MainWindow, qtbot) -> None:
    """ "authorize fa…" at every size: a tester's refused sign-ins are not rare."""
    get_code(window, qtbot)
    table = history_in_view(window, qtbot, (1366, 768))
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 1, timeout=WAIT_MS)
    refused = replace(window.history.store.list()[0], outcome=OutcomeKind.AUTHORIZE_FAILED)
    window.history_panel.set_rows([refused], 1)

    assert row(table, 0).text(COLUMN["Outcome"]) == "authorize failed"
    assert shown_whole(table, COLUMN["Outcome"])


def test_rows_listed_before_midnight_get_their_date_with_the_first_row_after_it(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window left open overnight (auto-refresh runs for days): yesterday's rows, listed
    with their time of day alone, show their date once today's first exchange is listed, so
    23:58 and 00:01 don't read as one day."""
    token_flow(window, qtbot)
    table = window.history_panel.table
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 2, timeout=WAIT_MS)  # + authorize
    assert all(CLOCK.fullmatch(row.text(COLUMN["Time"])) for row in rows_of(table))

    tomorrow = history_panel._today() + timedelta(days=1)
    monkeypatch.setattr(history_panel, "_today", lambda: tomorrow)  # midnight passes
    stamp = f"{datetime.now():%Y-%m-%d} "  # the exchanges happened today, before "tomorrow"
    send_and_wait(window, qtbot)  # the first exchange of the new day (401: a replay)
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 3, timeout=WAIT_MS)
    older = [row.text(COLUMN["Time"]) for row in rows_of(table)[1:]]
    assert all(text.startswith(stamp) for text in older), older


def test_one_exchange_is_counted_in_the_singular(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)  # the authorize step: one exchange in the history
    qtbot.waitUntil(lambda: window.history_panel.row_count() == 1, timeout=WAIT_MS)
    assert window.history_panel.count_label.text() == "1 exchange"


def test_the_keyboard_stays_on_show_when_the_list_is_read_again(window: MainWindow, qtbot) -> None:
    """Tryout AC: after a Show window closed, the list was read again (the window came back
    to the front) and the keyboard was on Clear history…, one Return from its question."""
    panel = window.history_panel
    get_code(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 1, timeout=WAIT_MS)
    window.docks["history"].raise_()
    panel.select_row(0)
    panel.show_button.setFocus()
    qtbot.waitUntil(panel.show_button.hasFocus, timeout=WAIT_MS)
    window.history.refresh()
    assert panel.show_button.hasFocus() and not panel.clear_button.hasFocus()
    with HistoryStore() as other_instance:  # another window cleared it: nothing to show
        other_instance.clear()
    window.history.refresh()
    assert panel.row_count() == 0 and not panel.show_button.isEnabled()
    assert panel.table.hasFocus()  # the list, not Clear history…


def test_the_italics_legend_never_widens_the_history(window: MainWindow, qtbot) -> None:
    """The count line's legend ("in italics: made by the credential check or a drill") is a
    sentence: on one line it made the panel wider than a narrow dock (537 px beside 373)."""
    panel = window.history_panel
    window.docks["history"].raise_()  # on screen: a hidden panel asks for no room
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    qtbot.waitUntil(panel.count_label.isVisible, timeout=WAIT_MS)
    least = panel.minimumSizeHint().width()
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("server_error_html")
    send_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "italics" in panel.count_label.text(), timeout=WAIT_MS)
    assert panel.minimumSizeHint().width() <= least


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


def test_after_another_instances_rows_are_listed_a_send_adds_its_row_on_top(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows another instance wrote, listed since — whenever those exchanges ended: an import,
    a clock of its own — are not news at the next Send: its row goes on top, and the list
    is not read again (1,000 rows read again held the window still past 50 ms)."""
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)  # authorize, token
    with HistoryStore() as other_instance:  # written after ours, ended before them
        for _ in range(3):
            other_instance.add(
                moved(exchange, timedelta(hours=-1)), profile=window.targets.current, form=None
            )
    window.history.refresh()
    assert panel.row_count() == 5
    store = window.history.store
    reads: list[object] = []
    list_rows = store.list

    def counted_list(*args: Any) -> list[HistoryRow]:
        reads.append(args)
        return list_rows(*args)

    monkeypatch.setattr(store, "list", counted_list)

    send_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    assert panel.row_count() == 6 and panel.count_label.text() == "6 exchanges"
    assert panel.top_id() == store.last_id()  # the Send's own row, on top
    assert reads == []


def test_an_exchange_that_ended_before_the_newest_listed_goes_where_it_belongs(
    window: MainWindow, qtbot
) -> None:
    """The list is newest first. An exchange written after one that ended later (the clock
    set back meanwhile) is listed below it, not on top."""
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)  # authorize, token
    window.history.record_soon(moved(exchange, timedelta(minutes=-5)), None, window.targets.current)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    times = [history_panel._time_of(item) for item in rows_of(panel.table)]
    assert len(times) == 3 and times == sorted(times, reverse=True)
    assert panel.top_id() != window.history.store.last_id()  # the one written last is below


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


def test_a_history_another_window_cleared_is_listed_empty_on_coming_back(
    window: MainWindow, qtbot
) -> None:
    """Tryout V: Clear history in a second window left the first listing 23 rows, whose Show
    then said "That history entry no longer exists". Activated, the window lists again."""
    panel = window.history_panel
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    elsewhere = QWidget()  # the person is in the other window meanwhile
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    assert QTest.qWaitForWindowActive(elsewhere)
    with HistoryStore() as other_window:
        other_window.clear()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    qtbot.waitUntil(lambda: panel.row_count() == 0, timeout=WAIT_MS)
    assert panel.count_label.text().startswith("0 ")


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


def test_the_italics_are_explained_when_the_only_such_row_comes_in_a_later_batch(
    window: MainWindow, qtbot
) -> None:
    """The count says what italics mean as soon as a listed row is in them — one made by a
    drill near the end of a long list too, listed a few turns after the count was set."""
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    store = window.history.store
    rows = [
        replace(row, summary=f"{row.summary} — made by the emulator's slow drill")
        if index == 299
        else row
        for index, row in enumerate(
            store.row(store.add(exchange, profile=window.targets.current, form=None))
            for _ in range(300)
        )
        if row is not None
    ]
    panel.set_rows([], 0)
    assert "italics" not in panel.count_label.text()
    panel.set_rows(rows, len(rows))
    assert panel.table.topLevelItemCount() < 300  # the drill's row is not built yet…
    assert "italics" in panel.count_label.text()  # …and the count says what it will mean


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
    table = history_in_view(window, qtbot, (960, 540))  # 200% of 1080p
    token_row = row(table, 0)
    assert token_row.text(COLUMN["Status"]) == "401"
    assert token_row.text(COLUMN["Profile"]) == window.targets.current.name
    # Each launch's built-in emulator has the same name and a port of its own: the server
    # tells one run's rows from another's.
    emulator = urlsplit(window.targets.current.base_url)
    assert token_row.toolTip(COLUMN["Profile"]).endswith(f"://{emulator.netloc}")
    assert token_row.text(COLUMN["correlationId"])
    # The dock is too narrow for every column whole: the profile and the id are cut short,
    # the columns rows are told apart by are not (each asks for the widest text listed, not
    # the widest there could be; a grant is one word)…
    for column in ("Outcome", "Endpoint", "Grant"):
        assert shown_whole(table, COLUMN[column]), column
    for column in ("Profile", "correlationId"):
        whole = token_row.text(COLUMN[column])
        width = table.fontMetrics().horizontalAdvance(whole)
        assert width > table.header().sectionSize(COLUMN[column]), column
        # …and hovering shows them whole (the profile with the server, below).
        assert tooltip_over(qtbot, table, 0, column).splitlines()[0] == whole, column
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
    # The time of day stays whole (its date is on hover).
    assert shown_whole(table, COLUMN["Time"])
    assert CLOCK.fullmatch(row(table, 0).text(COLUMN["Time"]))


def test_on_a_laptop_the_correlation_id_shows_enough_to_tell_it_apart(
    window: MainWindow, qtbot
) -> None:
    """At 1024×700 the profile gives way before correlationId is cut below its two ends, a few
    characters each ("ae7…fe0"): enough to match it with the one in a server's log, where
    "a…0" matched anything. Nothing scrolls sideways; hovering shows both whole."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: a 401, which carries a correlationId
    table = history_in_view(window, qtbot, (1024, 700))
    assert not scrolls_sideways(table)
    cell = row(table, 0)
    whole = cell.text(COLUMN["correlationId"])
    assert len(whole) > 12
    room = table.header().sectionSize(COLUMN["correlationId"]) - 12  # the cell's margins
    shown = table.fontMetrics().elidedText(whole, Qt.TextElideMode.ElideMiddle, room)
    assert len(shown.replace("…", "")) >= 6, shown
    # The profile gave way for it, cut short but still read from its start ("Built-in em…").
    profile = table.fontMetrics().elidedText(
        cell.text(COLUMN["Profile"]),
        Qt.TextElideMode.ElideRight,
        table.header().sectionSize(COLUMN["Profile"]) - 12,
    )
    assert len(profile.replace("…", "")) >= 6, profile


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


def add_a_row_of_another_day(window: MainWindow, exchange: Exchange) -> None:
    """`exchange` again, as if it had ended yesterday (the list's oldest row)."""
    day = timedelta(days=1)
    outcome = exchange.outcome
    if isinstance(outcome, TokenGranted):  # its tokens granted yesterday too
        outcome = replace(outcome, expires_at=outcome.expires_at - day)
    yesterday = replace(exchange, received_at=exchange.received_at - day, outcome=outcome)
    window.history.store.add(yesterday, profile=window.targets.current, form=None)
    window.history.refresh()


def test_a_row_of_another_day_shows_its_date_shortened_before_the_grant(
    window: MainWindow, qtbot
) -> None:
    """A row of another day listed (at launch, or by a filter) shows its date: whole in a wide
    dock, the room taken from correlationId; in a narrow one the date is shortened before the
    grant or the outcome give way — to its day and month, never cut to the time of day alone,
    which read as a row of today's (tryout AH: "…13:54:48")."""
    exchange = token_flow(window, qtbot)
    panel = window.history_panel
    table = history_in_view(window, qtbot, (1366, 768))
    time = COLUMN["Time"]
    today_only = table.header().sectionSize(time)
    add_a_row_of_another_day(window, exchange)
    assert table.topLevelItemCount() == 3
    oldest = row(table, 2)
    stamp = oldest.text(time)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", stamp)
    assert shown_whole(table, time) and time_cell(table, 2) == (stamp, True)

    def day_and_time_in_view() -> bool:
        """The oldest row's cell shows its day, its month and its time to the minute, whole."""
        when = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
        text, fits = time_cell(table, 2)
        return fits and text.startswith(f"{when.day} {when:%b %H:%M}")

    table = history_in_view(window, qtbot, (1024, 700))
    assert not shown_whole(table, time) and day_and_time_in_view()
    assert time_cell(table, 0)[1]  # today's rows: the time of day, whole
    for column in ("Outcome", "Grant"):
        assert shown_whole(table, COLUMN[column]), column
    assert tooltip_over(qtbot, table, 2, "Time").startswith(f"{stamp}\n")

    # Listed only today's rows (a filter), the time needs no room for a date; listed all again,
    # it makes room for the shortened date, in a dock of the same size.
    panel.filter_text.setText("authorize")
    qtbot.waitUntil(lambda: panel.row_count() == 1, timeout=WAIT_MS)
    assert table.header().sectionSize(time) == today_only
    panel.filter_text.setText("")
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)
    assert day_and_time_in_view() and not scrolls_sideways(table)


def time_cell(table: QTreeWidget, index: int) -> tuple[str, bool]:
    """What row `index`'s Time cell is drawn with, and whether that fits."""
    item = table.topLevelItem(index)
    assert item is not None
    delegate = table.itemDelegate()
    assert isinstance(delegate, ElidingCells)
    return delegate.shown(table, table.indexFromItem(item, COLUMN["Time"]))


def test_at_the_smallest_laptop_size_every_column_but_the_id_shows_whole(
    window: MainWindow, qtbot
) -> None:
    """At 1024×700 an authorize, a code exchange and a refresh are listed with every cell
    whole but correlationId's: a grant in one word (its grant_type whole on hover) left the
    endpoint and the profile the room the longest grant took."""
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)
    table = history_in_view(window, qtbot, (1024, 700))
    assert [row(table, i).text(COLUMN["Grant"]) for i in range(3)] == ["refresh", "code", ""]
    assert tooltip_over(qtbot, table, 0, "Grant") == "grant_type refresh_token"
    assert row(table, 2).text(COLUMN["Endpoint"]) == "authorize"
    assert not scrolls_sideways(table)
    for column in COLUMN:
        if column != "correlationId":
            assert shown_whole(table, COLUMN[column]), column


def test_a_list_in_view_from_the_start_makes_room_for_what_its_rows_say(
    window: MainWindow, qtbot
) -> None:
    """The History in view while it was still empty: correlationId took the room the other
    columns did not ask for yet. Rows that say more ("authorized", "authorize") take it back
    from the id, rather than being cut beside its spare room — in a dock too narrow for every
    column whole (200% of 1080p), where the profile gives way instead."""
    table = history_in_view(window, qtbot, (960, 540))
    assert table.topLevelItemCount() == 0
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: a 401, which carries a correlationId
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 3, timeout=WAIT_MS)
    assert row(table, 2).text(COLUMN["Outcome"]) == "authorized"
    for column in ("Time", "Status", "Outcome", "Endpoint", "Grant", "ms"):
        assert shown_whole(table, COLUMN[column]), column
    assert not scrolls_sideways(table)


def widths(table: QTreeWidget) -> dict[str, int]:
    return {title: table.header().sectionSize(column) for title, column in COLUMN.items()}


def test_dragged_columns_keep_their_widths_and_move_no_other(window: MainWindow, qtbot) -> None:
    """Narrow one column, then widen another, as dragging their edges does: each keeps the
    width it was given, the room goes to and comes from correlationId alone, and a narrower or
    wider dock later keeps both."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)
    table = history_in_view(window, qtbot, (1024, 700))
    header = table.header()
    steps = [("Outcome", -30), ("Grant", +20)]
    dragged: dict[str, int] = {}
    for title, by in steps:
        before = widths(table)
        dragged[title] = before[title] + by
        header.resizeSection(COLUMN[title], dragged[title])  # what dragging its edge does
        after = widths(table)
        assert {t: after[t] for t in dragged} == dragged, title
        moved = {t for t in COLUMN if after[t] != before[t]}
        assert moved == {title, "correlationId"}, (title, before, after)
        assert not scrolls_sideways(table)
        assert header.length() == table.viewport().width()

    # A narrower dock (200%) takes its room from the columns nobody dragged, a wider one gives
    # it back to them: the dragged ones keep their widths throughout.
    for size in ((960, 540), (1200, 700)):
        table = history_in_view(window, qtbot, size)
        assert {t: widths(table)[t] for t in dragged} == dragged, size
        assert not scrolls_sideways(table), size


def test_a_column_dragged_wider_than_there_is_room_stops_at_the_edge(
    window: MainWindow, qtbot
) -> None:
    """Dragging Grant's edge far to the right: correlationId gives what it can, then the
    dragged edge stops. No column before it (or anywhere else) shrinks to make room."""
    token_flow(window, qtbot)
    table = history_in_view(window, qtbot, (1366, 768))  # correlationId has room to give
    header = table.header()
    before = widths(table)
    header.resizeSection(COLUMN["Grant"], before["Grant"] + 600)  # far past the room there is
    after = widths(table)
    assert {t for t in COLUMN if after[t] != before[t]} == {"Grant", "correlationId"}
    assert before["Grant"] < after["Grant"] < before["Grant"] + 600  # it grew, then stopped
    assert not scrolls_sideways(table)
    assert header.length() == table.viewport().width()


def open_row_menu(window: MainWindow, qtbot, index: int) -> QMenu:
    """Right-click the row as a person does (through the window, as the platform delivers it):
    the menu that pops up."""
    table = window.history_panel.table
    at = table.visualItemRect(row(table, index)).center()
    handle = window.windowHandle()
    assert handle is not None
    where = table.viewport().mapTo(window, at)
    QTest.mouseClick(handle, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, where)
    menu = window.history_panel.row_menu
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    assert table.currentItem() is row(table, index)  # what the menu acts on: the row clicked
    return menu


def action(menu: QMenu, text: str) -> QAction | None:
    return next((a for a in menu.actions() if a.text().replace("&", "") == text), None)


def choose(qtbot, menu: QMenu, text: str) -> None:
    """Click the menu's item, as a person does (through its window, as the platform delivers
    it: Qt then knows the pointer left the menu, and the next right-click goes to the list)."""
    item = action(menu, text)
    assert item is not None and item.isEnabled(), text
    handle = menu.windowHandle()
    assert handle is not None
    at = menu.actionGeometry(item).center()
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=WAIT_MS)


def test_a_rows_menu_shows_loads_and_copies(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: a 401 with a correlationId
    table = history_in_view(window, qtbot, (1024, 700))
    panel, history = window.history_panel, window.history
    clipboard = QApplication.clipboard()
    assert clipboard is not None

    # The 401's id, whole on the clipboard though its cell shows it cut short.
    correlation_id = text_of(window, "errorCorrelationId")
    assert row(table, 0).text(COLUMN["correlationId"]) == correlation_id
    assert not shown_whole(table, COLUMN["correlationId"])
    menu = open_row_menu(window, qtbot, 0)
    # Each item with a letter of its own (tryout AI: none had one, in a menu the keyboard opens).
    letters = [QKeySequence.mnemonic(a.text()).toString() for a in menu.actions() if a.text()]
    assert len(letters) == 5 and all(letters) and len(set(letters)) == len(letters), letters
    choose(qtbot, menu, "Copy correlationId")
    assert clipboard.text() == correlation_id
    assert correlation_id in window.status.text()  # said where the eye can see it

    # Show: the read-only view the Show button opens, of the row clicked.
    panel.select_row(2)
    choose(qtbot, open_row_menu(window, qtbot, 1), "Show")
    qtbot.waitUntil(lambda: len(history.dialogs) == 1, timeout=WAIT_MS)
    assert "HTTP/1.1 200" in history.dialogs[0].raw.response.toPlainText()

    # Load: the form gets the request back, as with the Load button (the code was masked).
    window.form.set_grant("refresh_token")
    menu = open_row_menu(window, qtbot, 1)
    load = action(menu, "Load into form")
    assert load is not None and load.toolTip() == panel.load_button.toolTip()
    choose(qtbot, menu, "Load into form")
    assert window.form.grant() == "authorization_code"
    assert "stored masked" in window.status.text()

    # The time as the history keeps it: ISO 8601, UTC, to the millisecond.
    choose(qtbot, open_row_menu(window, qtbot, 1), "Copy time")
    stored = clipboard.text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stored), stored
    shown = datetime.fromisoformat(stored).astimezone()
    assert f"{shown:%H:%M:%S}" == row(table, 1).text(COLUMN["Time"])

    # The authorize step: nothing to load (off, saying why, as the button does), no id to copy.
    menu = open_row_menu(window, qtbot, 2)
    load = action(menu, "Load into form")
    assert load is not None and not load.isEnabled()
    assert load.toolTip() == panel.load_button.toolTip() != ""
    assert not panel.load_button.isEnabled()
    assert action(menu, "Copy correlationId") is None
    menu.hide()


def test_a_request_loaded_from_another_profiles_row_says_where_it_goes_now(
    window: MainWindow, qtbot
) -> None:
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    (token_row,) = window.history.store.list(status="2xx")
    add_profile(window, "Partner sandbox")  # selected: Load now fills its form

    window.history.load_entry(token_row.id)

    said = window.status.text()
    assert "'Built-in emulator'" in said and "'Partner sandbox'" in said
    assert window.status.message.property("tone") == Tone.WARNING.value


def test_shift_f10_and_the_menu_key_open_the_current_rows_menu(window: MainWindow, qtbot) -> None:
    """The keyboard's way, on the focused list. Shift+F10 is a key press; the platform turns the
    Menu key into a context-menu event for the focus widget at the current item's rectangle, in
    the widget's own coordinates (Qt's QWidgetWindow does; the offscreen platform of the tests
    does not, so the test sends that event)."""
    token_flow(window, qtbot)
    table = history_in_view(window, qtbot, (1024, 700))
    panel, menu = window.history_panel, window.history_panel.row_menu
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=WAIT_MS)
    panel.select_row(0)  # the token request
    qtbot.keyClick(table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    load = action(menu, "Load into form")
    assert load is not None and load.isEnabled()
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=WAIT_MS)

    panel.select_row(1)  # the authorize step
    at = table.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, table.mapToGlobal(at))
    QApplication.sendEvent(table, event)
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    assert table.currentItem() is row(table, 1)
    assert action(menu, "Copy correlationId") is None  # the authorize step's menu
    choose(qtbot, menu, "Show")
    qtbot.waitUntil(lambda: len(window.history.dialogs) == 1, timeout=WAIT_MS)


def test_an_id_tokens_verdict_reaches_its_row_before_or_after_the_row_is_written(
    window: MainWindow, qtbot
) -> None:
    """The id_token is checked once its keys arrive: before its exchange is written (the
    verdict goes in with it) or after (the listed row changes in place). Either way a token
    whose id_token failed its checks is listed as no success, saying which check failed."""
    panel, history = window.history_panel, window.history
    exchange = token_flow(window, qtbot)
    settled(window, qtbot)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    table = panel.table
    assert row(table, 0).text(COLUMN["Outcome"]) == "granted"
    assert row(table, 0).toolTip(COLUMN["Outcome"]) == "id_token verified when it arrived"
    (view,) = [e.view for e in window.session.panel_events() if isinstance(e, IdTokenChanged)]
    assert view is not None and view.verification is not None
    fail = CheckStatus.FAIL
    failed = replace(
        view.verification,
        checks=tuple(
            replace(c, status=fail) if c.name == "signature" else c
            for c in view.verification.checks
        ),
    )
    profile = window.targets.current

    after = replace(exchange, received_at=exchange.received_at + timedelta(seconds=1))
    history.record_soon(after, None, profile)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    listed = panel.row_count()
    assert row(table, 0).text(COLUMN["Outcome"]) == "granted"  # not checked yet
    history.add_id_token_verdict(after, failed)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    assert row(table, 0).text(COLUMN["Outcome"]) == "bad id_token"
    assert "signature failed" in row(table, 0).toolTip(COLUMN["Outcome"])
    assert row(table, 0).foreground(COLUMN["Outcome"]).color() == colours().error
    assert panel.row_count() == listed  # changed in place

    before = replace(exchange, received_at=exchange.received_at + timedelta(seconds=2))
    history.record_soon(before, None, profile)
    history.add_id_token_verdict(before, failed)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    assert [row(table, i).text(COLUMN["Outcome"]) for i in range(3)] == [
        "bad id_token",
        "bad id_token",
        "granted",
    ]
    # Show says it too, in the read-only window.
    panel.select_row(0)
    panel.show_current()
    qtbot.waitUntil(lambda: len(history.dialogs) == 1, timeout=WAIT_MS)
    said = history.dialogs[0].findChild(QLabel, "historyEntryIdToken")
    assert said is not None and "signature failed" in said.text()
    # And the filter for untrusted id_tokens lists those two alone.
    panel.status_filter.setCurrentIndex(panel.status_filter.findData(ID_TOKEN_FAILED_FILTER))
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)


def test_the_drill_that_staged_an_outcome_reaches_its_row_before_or_after_the_write(
    window: MainWindow, qtbot
) -> None:
    """Which drill staged an outcome is known once the emulator counted it down: before the
    exchange is written (it goes in with it) or after (the listed row changes in place). Either
    way the entry says so, once, where its summary is read."""
    panel, history = window.history_panel, window.history
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    profile = window.targets.current

    after = replace(exchange, received_at=exchange.received_at + timedelta(seconds=1))
    history.record_soon(after, None, profile)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    listed = panel.row_count()
    assert "drill" not in row(panel.table, 0).toolTip(0)
    history.note_drill(after, made_by("slow"))
    history.note_drill(after, made_by("slow"))  # said twice (two counts read): written once
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    assert row(panel.table, 0).toolTip(0).count("made by the emulator's slow drill") == 1
    assert panel.row_count() == listed  # changed in place

    before = replace(exchange, received_at=exchange.received_at + timedelta(seconds=2))
    history.record_soon(before, None, profile)
    history.note_drill(before, made_by("huge_body"))
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    newest, earlier = history.store.list()[:2]
    assert newest.summary.endswith("made by the emulator's huge_body drill")
    assert earlier.summary.endswith("made by the emulator's slow drill")
    # Show's heading says it too, in the read-only window.
    panel.select_row(0)
    panel.show_current()
    qtbot.waitUntil(lambda: len(history.dialogs) == 1, timeout=WAIT_MS)
    heading = history.dialogs[0].findChild(QLabel, "historyEntryHeading")
    assert heading is not None and "huge_body drill" in heading.text()


def test_the_status_filter_tells_how_it_ended_from_the_http_status(
    window: MainWindow, qtbot
) -> None:
    """ "Succeeded" lists the authorize step beside the token it led to, "HTTP 2xx" the token
    alone (the step has no HTTP status of its own); each choice says on hover what it lists."""
    token_flow(window, qtbot)
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    combo = panel.status_filter
    for index in range(combo.count()):
        assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole), combo.itemText(index)

    def listed(value: str) -> list[str]:
        combo.setCurrentIndex(combo.findData(value))
        qtbot.waitUntil(lambda: panel.status_value() == value, timeout=WAIT_MS)
        return sorted(
            row(panel.table, i).text(COLUMN["Endpoint"]) for i in range(panel.row_count())
        )

    qtbot.waitUntil(lambda: listed("success") == ["authorize", "token"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: listed("2xx") == ["token"], timeout=WAIT_MS)
    assert combo.itemText(combo.findData("success")) != combo.itemText(combo.findData("2xx"))


def test_an_empty_id_column_gives_its_room_to_the_profile(window: MainWindow, qtbot) -> None:
    """At 200% of 1080p, with no row that has a correlationId (an authorize step, a 200), the
    id column gives way to the profile's name; a 401 with an id takes its room back."""
    token_flow(window, qtbot)
    table = history_in_view(window, qtbot, (960, 540))
    assert not any(item.text(COLUMN["correlationId"]) for item in rows_of(table))
    without = widths(table)
    send_and_wait(window, qtbot)  # the same code again: a 401, which carries a correlationId
    table = history_in_view(window, qtbot, (960, 540))
    with_id = widths(table)
    assert without["correlationId"] < with_id["correlationId"]
    assert without["Profile"] > with_id["Profile"]
    assert not scrolls_sideways(table)


def test_a_long_profile_name_shows_whole_while_the_id_column_has_room_to_give(
    window: MainWindow, qtbot
) -> None:
    """Tryout AK: "Local emulator 187…" was cut while the correlationId column, empty in
    most rows, kept 350 px. The id column gives way to the name first."""
    add_profile(window, "Local emulator 18769 (sandbox)")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the code again: a 401, whose row has a correlationId
    table = history_in_view(window, qtbot, (1366, 768))
    profile = COLUMN["Profile"]
    name = "Local emulator 18769 (sandbox)"
    needed = table.fontMetrics().horizontalAdvance(name) + 12  # the cell's margins
    assert table.header().sectionSize(profile) >= needed, widths(table)
    assert not scrolls_sideways(table)


def test_an_authorize_step_the_app_followed_lists_the_servers_status(
    window: MainWindow, qtbot
) -> None:
    """The built-in emulator's authorize step is fetched and followed by the app itself: its
    row lists the 302 the server answered, as the credential check's authorize row does
    (listed blank, it read as if the two steps differed)."""
    token_flow(window, qtbot)
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    authorize = row(panel.table, 1)
    assert authorize.text(COLUMN["Endpoint"]) == "authorize"
    assert authorize.text(COLUMN["Status"]) == "302"
    window.actions_by_name["check"].trigger()
    qtbot.waitUntil(lambda: window.check_runner.report is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    checked = [r for r in window.history.store.list() if r.made_by and r.endpoint == "authorize"]
    assert [r.status for r in checked] == [302]


def test_the_newest_row_is_in_view_unless_the_person_is_reading_down_the_list(
    window: MainWindow, qtbot
) -> None:
    """Tryout Q: a row shown earlier had scrolled the list down, and the rows of the next
    Sends went in above its top edge, out of sight. Go to panel ▸ History shows the newest
    too, and Down from the filter goes on to the first row."""
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    with HistoryStore() as other_instance:
        for _ in range(40):
            other_instance.add(
                moved(exchange, timedelta(hours=-1)), profile=window.targets.current, form=None
            )
    window.history.refresh()
    window.docks["history"].raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    scroll = panel.table.verticalScrollBar()

    def scrolled_down() -> None:
        panel.select_row(panel.row_count() - 1)
        last = panel.table.currentItem()
        assert last is not None
        panel.table.scrollToItem(last)
        assert scroll.value() > 0

    scrolled_down()
    window.form.send_button.setFocus()  # the person goes back to the form and Sends
    get_code(window, qtbot)
    send_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    assert panel.top_id() == window.history.store.last_id() and scroll.value() == 0

    scrolled_down()
    window.actions_by_name[f"go_to_{window.docks['history'].objectName()}"].trigger()
    assert panel.filter_text.hasFocus() and scroll.value() == 0
    qtbot.keyClick(panel.filter_text, Qt.Key.Key_Down)
    assert panel.table.hasFocus() and panel.table.currentItem() is panel.table.topLevelItem(0)


def line_shown(window: MainWindow, qtbot, index: int, name: str) -> QLabel | None:
    """The line `name` of the window History ▸ Show opens for row `index` (None: not there)."""
    panel, history = window.history_panel, window.history
    panel.select_row(index)
    panel.show_current()
    qtbot.waitUntil(lambda: len(history.dialogs) == 1, timeout=WAIT_MS)
    dialog = history.dialogs.pop()
    line = dialog.findChild(QLabel, name)
    dialog.close()
    return line


def test_show_says_what_this_run_learned_of_a_rows_tokens_since(window: MainWindow, qtbot) -> None:
    """Tryout Q: Show of a granted row said nothing of the replay that later put its tokens in
    doubt — the record keeps what was true then; a line under the heading says what is known
    now. A row of a refused exchange, which granted nothing, gets no such line."""
    history = window.history
    token_flow(window, qtbot)
    replay = send_and_wait(window, qtbot)  # the same code again: 401, its tokens suspect
    assert replay.status == 401
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)

    def shown(index: int) -> QLabel | None:
        return line_shown(window, qtbot, index, "historyEntrySince")

    rows = history.store.list()
    assert [r.status for r in rows[:2]] == [401, 200]
    since = shown(1)
    assert since is not None and "suspect" in since.text()
    assert CLOCK.search(since.text())  # when the replay was refused
    assert since.palette().windowText().color() == colours().warning
    assert shown(0) is None


def test_show_says_when_a_rows_token_has_expired_since(window: MainWindow, qtbot) -> None:
    """Tryout AI: Show of a row whose tokens ran out an hour ago said only "id_token verified
    when it arrived", in green. It says the access token has expired since, and when; a row
    whose token still runs says nothing of it."""
    panel = window.history_panel
    exchange = token_flow(window, qtbot)
    add_a_row_of_another_day(window, exchange)  # granted for a day, a day ago: expired now
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)

    def expired(index: int) -> QLabel | None:
        return line_shown(window, qtbot, index, "historyEntryExpired")

    said = expired(2)  # the oldest row
    assert said is not None and "access token" in said.text()
    assert re.search(r"\d\d:\d\d:\d\d", said.text())  # when
    assert said.palette().windowText().color() == colours().warning
    assert expired(0) is None  # today's: a day to run


# --- Saving an older entry (tryout: File ▸ Save exchange saved the latest, whatever row was
# picked, and a row's menu had no way to save one) ---


def saving_into(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, str]]:
    """The save dialog answered as a person does, with its suggested name in `folder`;
    returns (the dialog's parent, the suggested path) per dialog opened."""
    asked: list[tuple[object, str]] = []

    def pick(parent: object, _title: str, start: str, _pattern: str) -> tuple[str, str]:
        asked.append((parent, start))
        return str(folder / Path(start).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", pick)
    monkeypatch.setattr(file_dialogs, "_last_folder", folder)
    return asked


def two_exchanges(window: MainWindow, qtbot) -> tuple[Exchange, Exchange]:
    """A grant, then the same code again (a 401): the older row is the grant, in view."""
    granted = token_flow(window, qtbot)
    settled(window, qtbot)  # its id_token's verdict, kept with its row
    latest = send_and_wait(window, qtbot)
    assert (granted.status, latest.status) == (200, 401)
    history_in_view(window, qtbot, (1024, 700))
    rows = window.history.store.list()
    assert [r.status for r in rows[:2]] == [401, 200]  # the 401, the grant (the authorize step)
    return granted, latest


def assert_saved_as_the_history_keeps_it(saved: Path, granted: Exchange, latest: Exchange) -> None:
    """The grant's record — its time, its status — not the latest exchange's; owner-only; its
    tokens masked as the history keeps them; no secret key anywhere in it."""
    text = saved.read_text()
    record = json.loads(text)
    assert record["format"] == "idconnect-tester/exchange" and record["tokens"] == "masked"
    assert record["received_at"] == iso_utc(granted.received_at) != iso_utc(latest.received_at)
    assert record["response"]["status"] == 200 and record["outcome"]["kind"] == "granted"
    assert record["id_token_on_arrival"] == {"verdict": "verified", "held_back": []}
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    outcome = granted.outcome
    assert isinstance(outcome, TokenGranted) and outcome.refresh_token and outcome.id_token
    for token in (outcome.access_token, outcome.refresh_token, outcome.id_token):
        assert token not in text
    assert record["outcome"]["access_token"] == mask_token(outcome.access_token)
    assert files_containing(saved.parent, EMULATOR_SECRET_KEY) == []


def test_a_rows_menu_saves_that_older_exchange_not_the_latest(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    granted, latest = two_exchanges(window, qtbot)
    asked = saving_into(tmp_path, monkeypatch)

    choose(qtbot, open_row_menu(window, qtbot, 1), "Save as JSON…")

    ((parent, start),) = asked
    assert parent is window
    # The entry's own time names the file, as File ▸ Save exchange's does.
    name = f"exchange-{granted.received_at.astimezone():%Y%m%d-%H%M%S}.json"
    assert Path(start).name == name
    saved = tmp_path / name
    assert_saved_as_the_history_keeps_it(saved, granted, latest)
    # The status bar names it: where, which exchange (endpoint, time, summary), masked.
    said = window.status.text()
    assert said.startswith(f"Saved to {saved}: the token exchange of ")
    assert clock_time(granted.received_at) in said and f"({granted.summary()})" in said
    assert "tokens masked" in said
    assert window.status.message.property("tone") == Tone.OK.value


def test_the_entry_window_saves_the_entry_it_shows(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    granted, latest = two_exchanges(window, qtbot)
    asked = saving_into(tmp_path, monkeypatch)
    panel = window.history_panel
    panel.select_row(1)
    panel.show_button.click()
    (dialog,) = window.history.dialogs
    button = dialog.findChild(QPushButton, "historyEntrySaveButton")
    assert button is not None and button.isVisible() and button.text() == "&Save as JSON…"

    button.click()

    ((parent, start),) = asked
    assert parent is dialog  # over the window it was asked from
    saved = tmp_path / Path(start).name
    assert_saved_as_the_history_keeps_it(saved, granted, latest)
    assert window.status.text().startswith(f"Saved to {saved}: the token exchange of ")
    assert f"({granted.summary()})" in window.status.text()
    dialog.close()


def test_an_authorize_step_is_saved_as_a_record_of_its_own_from_menu_and_window(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step that brought the code: the authorize format, its code masked (it redeems
    tokens), never the PKCE verifier — from the row's menu and the entry window alike."""
    code = get_code(window, qtbot)
    verifier = window.form.code_verifier.text()
    history_in_view(window, qtbot, (1024, 700))
    (step,) = window.history.store.list()
    asked = saving_into(tmp_path, monkeypatch)

    menu = open_row_menu(window, qtbot, 0)
    save = action(menu, "Save as JSON…")
    assert save is not None and save.isEnabled() and save.toolTip()
    choose(qtbot, menu, "Save as JSON…")
    window.history.show_entry(step.id)
    (dialog,) = window.history.dialogs
    save_button = dialog.findChild(QPushButton, "historyEntrySaveButton")
    assert save_button is not None and save_button.isEnabled()
    assert save_button.toolTip() == save.toolTip()
    tmp_path.joinpath(Path(asked[0][1]).name).rename(tmp_path / "from-the-menu.json")
    save_button.click()
    dialog.close()

    name = f"authorize-{step.time.astimezone():%Y%m%d-%H%M%S}.json"
    assert [Path(start).name for _, start in asked] == [name, name]
    for saved in (tmp_path / "from-the-menu.json", tmp_path / name):
        text = saved.read_text()
        record = json.loads(text)
        assert record["format"] == "idconnect-tester/authorize"
        assert record["code"] == mask_token(code) and code not in text
        assert verifier not in text and EMULATOR_SECRET_KEY not in text
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert window.status.text().startswith(f"Saved to {tmp_path / name}: the authorize step of ")


def test_an_unwritable_path_is_said_and_the_window_goes_on(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    granted, _latest = two_exchanges(window, qtbot)
    saving_into(tmp_path / "no such folder", monkeypatch)

    choose(qtbot, open_row_menu(window, qtbot, 1), "Save as JSON…")

    said = window.status.text()
    assert said.startswith(
        f"Could not save the token exchange of {clock_time(granted.received_at)}"
    )
    assert str(tmp_path / "no such folder") in said and "No such file or directory" in said
    assert window.status.message.property("tone") == Tone.ERROR.value
    assert list(tmp_path.iterdir()) == []
    # The app keeps going: the next save, somewhere writable, works.
    saving_into(tmp_path, monkeypatch)
    choose(qtbot, open_row_menu(window, qtbot, 1), "Save as JSON…")
    assert window.status.text().startswith(f"Saved to {tmp_path}")


def test_a_saved_entry_keeps_its_id_tokens_failure_and_the_drill_that_staged_it(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As File ▸ Save exchange does (tryout Z): a file for a ticket does not show a grant whose
    id_token failed, staged by a drill, as a clean one — and the status bar says so, in amber."""
    scenario(window, "bad_signature_id_token")
    token_flow(window, qtbot)
    settled(window, qtbot)
    send_and_wait(window, qtbot)  # a later exchange: the staged grant is the older row
    history_in_view(window, qtbot, (1024, 700))
    qtbot.waitUntil(
        lambda: row(window.history_panel.table, 1).text(COLUMN["Outcome"]) == "bad id_token",
        timeout=WAIT_MS,
    )
    asked = saving_into(tmp_path, monkeypatch)

    choose(qtbot, open_row_menu(window, qtbot, 1), "Save as JSON…")

    record = json.loads((tmp_path / Path(asked[0][1]).name).read_text())
    assert record["response"]["status"] == 200
    assert record["id_token_on_arrival"] == {"verdict": "failed", "held_back": ["signature"]}
    assert record["made_by"] == made_by("bad_signature_id_token")
    said = window.status.text()
    assert "id_token failed" in said and made_by("bad_signature_id_token") in said
    assert window.status.message.property("tone") == Tone.WARNING.value
