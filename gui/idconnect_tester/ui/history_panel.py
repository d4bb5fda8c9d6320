"""The history panel: every exchange, newest first, filterable; show one read-only in the panels
or load its request back into the form.

The list reads only the summary columns (the stored records are fetched when an entry is
opened), so a thousand entries load in a few milliseconds.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QHelpEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.history import HistoryRow
from idconnect_tester.core.wording import counted
from idconnect_tester.ui.theme import Colours, Tone, colours, set_tone
from idconnect_tester.ui.widgets import RowTree, name_clear_button

STATUS_FILTERS = (
    ("All", None),
    ("Success (2xx)", "2xx"),
    ("Client errors (4xx)", "4xx"),
    ("Server errors (5xx)", "5xx"),
    ("Network errors", "network"),
    ("Cancelled", "cancelled"),
    ("Any success", "success"),  # the authorize step's redirect with a code (a 302) too
    ("Any failure", "error"),
)
# When and how it ended come first: a narrow dock shows them without scrolling sideways.
_COLUMNS = ("Time", "Status", "Outcome", "Endpoint", "Grant", "Profile", "correlationId", "ms")
COLUMN = {title: index for index, title in enumerate(_COLUMNS)}
# The widest value each column shows in full (correlationId and Profile get a useful part;
# a person can widen them). Sizing from the font, not from the rows, costs nothing per refresh.
_WIDEST = (
    "2000-12-31 23:59:59",
    "Status",
    "authorize failed",  # the longest outcome
    "share_token",
    "authorization_code",
    "MMMMMMMMMMMM",
    "MMMMMMMMMMMMMMMM",
    "99999",
)
# The list fits its width, never scrolling sideways (a dock is often narrow: a laptop, 200%
# scaling). When it is too narrow for every column at its width above, these give way, in this
# order, each down to its least width: the ones a person tells rows apart by last go first, the
# time of day last of all. Status and ms never shrink (a few characters each). correlationId
# takes whatever room is left over.
_SHRINK_ORDER = ("correlationId", "Profile", "Grant", "Endpoint", "Outcome", "Time")
_STRETCH = "correlationId"
_LEAST = {"Time": "…23:59:59", "Outcome": "MMMM"}
_LEAST_DEFAULT = "MMM"
# How a cell too narrow for its text cuts it (the whole text is its tooltip): the time keeps
# its time of day (the date is the same for most rows), an id its two ends (both tell ids
# apart); the rest read from the start.
_ELIDE = {"Time": Qt.TextElideMode.ElideLeft, "correlationId": Qt.TextElideMode.ElideMiddle}


class _ElidingCells(QStyledItemDelegate):
    """Each column cut as _ELIDE says, and a cell cut short shows its whole text as a tooltip
    (a cell with a tooltip of its own adds the whole text above it)."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = _ELIDE.get(_COLUMNS[index.column()], Qt.TextElideMode.ElideRight)

    def is_elided(
        self, view: QAbstractItemView, index: QModelIndex | QPersistentModelIndex
    ) -> bool:
        """The cell's text does not fit the room its column gives it (measured as the style
        draws it: the text's own rectangle, less the margins Qt keeps inside it)."""
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.rect = view.visualRect(index)
        self.initStyleOption(option, index)
        style = view.style()
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return option.fontMetrics.horizontalAdvance(option.text) > room.width() - 2 * margin

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if event.type() != QEvent.Type.ToolTip or not self.is_elided(view, index):
            return super().helpEvent(event, view, option, index)
        whole = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        own = index.data(Qt.ItemDataRole.ToolTipRole)
        QToolTip.showText(
            event.globalPos(), f"{whole}\n{own}" if own else whole, view, view.visualRect(index)
        )
        return True


_SUCCEEDED = Qt.ItemDataRole.UserRole + 1
_FIRST_ROWS = 100  # listed at once: more than any dock shows
_ROWS_PER_TURN = 250  # then this many per turn of the event loop
_WHAT_LOAD_GIVES = Qt.ItemDataRole.UserRole + 2  # Load's tooltip for the row; "" when none
_CANNOT_LOAD = "Only a token request can be loaded into the form"
_TOKENS_SENT = {"authorization_code": "code and verifier", "refresh_token": "refresh token"}


def what_load_gives(row: HistoryRow) -> str:
    """What Load puts back into the form for `row` ("" when it has no token request). With
    masked tokens that is the grant type and scopes only: said before the click, not after."""
    if row.endpoint != "token":
        return ""
    tokens = _TOKENS_SENT.get(row.grant_type)
    if tokens is None:
        return "Put this request's grant type and scopes back into the form"
    if row.full_tokens:
        return f"Put this request back into the form: grant type, scopes, {tokens}"
    were = "were" if " and " in tokens else "was"
    return (
        f"Puts back the grant type and scopes only: the {tokens} {were} stored masked, so "
        "the form keeps its own ('Store full tokens' in the profile settings keeps them)"
    )


def _colour(item: QTreeWidgetItem, palette: Colours) -> None:
    succeeded = bool(item.data(0, _SUCCEEDED))
    item.setForeground(COLUMN["Outcome"], palette.ok if succeeded else palette.error)


class HistoryPanel(QWidget):
    shown = Signal()  # the panel came into view: time to catch up with other instances
    filter_changed = Signal()
    show_requested = Signal(int)  # entry id: show it read-only in the panels
    load_requested = Signal(int)  # entry id: put its request back into the form
    clear_requested = Signal()
    retention_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.filter_text = QLineEdit()
        self.filter_text.setObjectName("historyFilterEdit")
        self.filter_text.setPlaceholderText("Filter: endpoint, grant, profile, correlationId…")
        self.filter_text.setAccessibleName("Filter history")
        name_clear_button(self.filter_text, "the history filter")
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("historyStatusCombo")
        self.status_filter.setAccessibleName("Filter history by status")
        # On Linux Qt announces a combo box by its current item: the label says what it is for.
        status_label = QLabel("Status")
        status_label.setBuddy(self.status_filter)
        for label, value in STATUS_FILTERS:
            self.status_filter.addItem(label, value)
        self.table = RowTree()  # tabbing in selects the newest row: the focus shows
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("History of exchanges")
        self.table.setColumnCount(len(_COLUMNS))
        self.table.setHeaderLabels(list(_COLUMNS))
        header_item = self.table.headerItem()
        for title in _SHRINK_ORDER:  # a title cut short in a narrow list: whole on hover
            header_item.setToolTip(COLUMN[title], title)
        self.table.at_least_one_row()
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)  # lets Qt lay out 1,000 rows without measuring each
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.header().setStretchLastSection(False)  # correlationId stretches: see _fit
        self.table.setItemDelegate(_ElidingCells(self.table))
        self._fitting = False
        self._preferred: list[int] = []
        self._least: dict[str, int] = {}
        self._size_columns()
        self.table.header().sectionResized.connect(self._column_resized)
        self.table.viewport().installEventFilter(self)
        self.show_button = QPushButton("Show")
        self.show_button.setObjectName("historyShowButton")
        self.show_button.setToolTip("Show this exchange in a read-only window of its own")
        self.load_button = QPushButton("Load into form")
        self.load_button.setObjectName("historyLoadButton")
        self.clear_button = QPushButton("Clear history…")
        self.clear_button.setObjectName("historyClearButton")
        self.retention = QSpinBox()
        self.retention.setObjectName("historyRetentionSpin")
        self.retention.setRange(10, 100_000)
        self.retention.setSingleStep(100)
        self.retention.setPrefix("Keep last ")
        self.retention.setAccessibleName("History retention limit")
        self.count_label = QLabel("")
        self.count_label.setObjectName("historyCount")
        set_tone(self.count_label, Tone.MUTED)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_text, 1)
        filters.addWidget(status_label)
        filters.addWidget(self.status_filter)
        # Two short rows, not one long one: the history shares the bottom area with the raw
        # exchange, and one row of five controls made it scroll sideways at the default size.
        retention = QHBoxLayout()
        retention.addWidget(self.count_label, 1)
        retention.addWidget(self.retention)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(retention)
        layout.addLayout(buttons)

        # Typing filters after a short pause, not on every key: each filter is a query.
        self._waiting: list[HistoryRow] = []  # listed, not built yet (see set_rows)
        self._more = QTimer(self)
        self._more.setSingleShot(True)
        self._more.setInterval(0)
        self._more.timeout.connect(self._add_waiting)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.filter_changed)
        self.filter_text.textChanged.connect(lambda _: self._debounce.start())
        self.status_filter.currentIndexChanged.connect(lambda _: self.filter_changed.emit())
        # Activated: a double-click, or Return on the row (the keyboard's way to Show it).
        self.table.itemActivated.connect(lambda *_: self._emit_for_current(self.show_requested))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.show_button.clicked.connect(lambda: self._emit_for_current(self.show_requested))
        self.load_button.clicked.connect(lambda: self._emit_for_current(self.load_requested))
        self.clear_button.clicked.connect(self.clear_requested)
        self.retention.editingFinished.connect(
            lambda: self.retention_changed.emit(self.retention.value())
        )
        # From the list straight to what acts on its row; the list's own settings come last.
        order = [
            self.filter_text,
            self.status_filter,
            self.table,
            self.load_button,
            self.show_button,
            self.clear_button,
            self.retention,
        ]
        for before, after in pairwise(order):
            QWidget.setTabOrder(before, after)
        self._selection_changed()

    def _size_columns(self) -> None:
        """Each column as wide as the widest value it shows in full (or its title), plus the
        cell's margins: the default width of 100 px cut the Time column to its date. These are
        the widths the list fits to its own (see _fit)."""
        metrics = self.table.fontMetrics()
        margin = 3 * self.table.style().pixelMetric(
            self.table.style().PixelMetric.PM_FocusFrameHMargin, None, self.table
        )
        padding = 2 * margin + 8
        self._preferred = [
            max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance(title)) + padding
            for title, widest in zip(_COLUMNS, _WIDEST, strict=True)
        ]
        self._least = {
            title: metrics.horizontalAdvance(_LEAST.get(title, _LEAST_DEFAULT)) + padding
            for title in _SHRINK_ORDER
        }
        self._fit()

    def _fit(self, keep: str = "") -> None:
        """Columns that add up to the list's width, so it never scrolls sideways: room to spare
        goes to correlationId; too little, and the _SHRINK_ORDER columns give way in turn, down
        to their least widths (below those, a very narrow list scrolls after all). `keep`, the
        column a person is dragging, is left at its width."""
        available = self.table.viewport().width()
        widths = dict(zip(_COLUMNS, self._preferred, strict=True))
        excess = sum(widths.values()) - available
        if excess < 0:
            widths[_STRETCH] -= excess
        for title in _SHRINK_ORDER:
            if excess <= 0:
                break
            if title == keep:
                continue
            give = min(excess, max(0, widths[title] - self._least[title]))
            widths[title] -= give
            excess -= give
        self._fitting = True  # our own resizing: not a person's choice of width
        try:
            for title, width in widths.items():
                self.table.header().resizeSection(COLUMN[title], width)
        finally:
            self._fitting = False

    def narrowest_fit(self) -> int:
        """The narrowest list (its viewport's width) that still fits every column, each given
        way down to its least width: narrower than this it scrolls sideways."""
        fixed = (w for t, w in zip(_COLUMNS, self._preferred, strict=True) if t not in self._least)
        return sum(fixed) + sum(self._least.values())

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        """A person dragged a column's edge: that width is the column's from now on, and the
        others give way around it (correlationId first), as when the list narrows."""
        if self._fitting:
            return
        self._preferred[column] = new
        self._fit(keep=_COLUMNS[column])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        # The viewport's width is the room the columns share: it changes with the dock, and
        # with the vertical scrollbar coming and going.
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:  # Qt names it
        super().showEvent(event)
        self.shown.emit()

    def status_value(self) -> str | None:
        value = self.status_filter.currentData()
        return str(value) if value else None

    @staticmethod
    def _item(row: HistoryRow, palette: Colours) -> QTreeWidgetItem:
        local = row.time.astimezone()
        item = QTreeWidgetItem(
            [
                f"{local:%Y-%m-%d %H:%M:%S}",
                "" if row.status is None else str(row.status),
                row.outcome.value.replace("_", " "),
                row.endpoint,
                row.grant_type,
                row.profile_name,
                row.correlation_id,
                f"{row.total_ms:.0f}",
            ]
        )
        item.setData(0, Qt.ItemDataRole.UserRole, row.id)
        item.setData(0, _SUCCEEDED, row.succeeded)
        item.setData(0, _WHAT_LOAD_GIVES, what_load_gives(row))
        _colour(item, palette)
        item.setToolTip(0, row.summary)
        return item

    def changeEvent(self, event: QEvent) -> None:  # Qt names it
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # another scheme: its own colours
            palette = colours()
            for index in range(self.table.topLevelItemCount()):
                item = self.table.topLevelItem(index)
                if item is not None:
                    _colour(item, palette)

    def set_rows(self, rows: list[HistoryRow], total: int) -> None:
        """List `rows` (newest first): a screenful at once, the rest a batch per turn of the
        event loop. Built in one go, 1,000 rows held the window still for ~50 ms on a slow
        machine; in batches no turn takes long, and the list is whole a few turns later."""
        selected = self._current_id()
        self._waiting = list(rows[_FIRST_ROWS:])
        self.table.clear()
        self._add(rows[:_FIRST_ROWS])
        # The row a person picked stays picked when the list is read again (a new limit, a
        # filter, another instance's rows): Show and Load keep working on it.
        index = next((i for i, row in enumerate(rows) if row.id == selected), None)
        if index is not None:
            self.select_row(index)
        self._show_count(total)
        if self._waiting:
            self._more.start()

    def _add(self, rows: list[HistoryRow]) -> None:
        palette = colours()
        self.table.addTopLevelItems([self._item(row, palette) for row in rows])

    def _add_waiting(self) -> None:
        batch, self._waiting = self._waiting[:_ROWS_PER_TURN], self._waiting[_ROWS_PER_TURN:]
        self._add(batch)
        if self._waiting:
            self._more.start()

    def prepend_row(self, row: HistoryRow, total: int, *, limit: int) -> None:
        """A new entry on top (newest first); the oldest beyond `limit` leave the list."""
        self.table.insertTopLevelItem(0, self._item(row, colours()))
        excess = self.row_count() - limit
        if excess > 0:
            dropped = min(excess, len(self._waiting))
            del self._waiting[len(self._waiting) - dropped :]
            for _ in range(excess - dropped):
                self.table.takeTopLevelItem(self.table.topLevelItemCount() - 1)
        self._show_count(total)

    def _show_count(self, total: int) -> None:
        shown = self.row_count()
        everything = counted(total, "exchange")
        filtered = bool(self.filter_text.text().strip() or self.status_value())
        if shown == total:
            text = everything
        elif filtered:
            text = f"{shown:,} of {everything} match"
        else:
            text = f"The latest {shown:,} of {everything}"
        self.count_label.setText(text)
        self._selection_changed()

    def top_id(self) -> int | None:
        """The id of the newest entry listed."""
        item = self.table.topLevelItem(0)
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def row_count(self) -> int:
        """The rows listed, those still waiting to be built included."""
        return self.table.topLevelItemCount() + len(self._waiting)

    def select_row(self, index: int) -> None:
        while index >= self.table.topLevelItemCount() and self._waiting:
            self._add_waiting()  # a row further down than built so far: build it now
        item = self.table.topLevelItem(index)
        if item is not None:
            self.table.setCurrentItem(item)

    def _current_id(self) -> int | None:
        item = self.table.currentItem()
        if item is None:
            return None
        value = item.data(0, Qt.ItemDataRole.UserRole)
        return int(value) if value is not None else None

    def _emit_for_current(self, signal: object) -> None:
        entry_id = self._current_id()
        if entry_id is not None:
            signal.emit(entry_id)  # type: ignore[attr-defined]

    def _selection_changed(self) -> None:
        selected = self._current_id() is not None
        self.show_button.setEnabled(selected)
        item = self.table.currentItem()
        gives = str(item.data(0, _WHAT_LOAD_GIVES) or "") if selected and item else ""
        self.load_button.setEnabled(bool(gives))
        self.load_button.setToolTip(gives or (_CANNOT_LOAD if selected else ""))
