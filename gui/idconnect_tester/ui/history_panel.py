"""The history panel: every exchange, newest first, filterable; show one read-only in the panels,
load its request back into the form, or save it to a file.

The list reads only the summary columns (the stored records are fetched when an entry is
opened), so a thousand entries load in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import pairwise
from urllib.parse import urlsplit

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
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

from idconnect_tester import vendor
from idconnect_tester.core.exchange_json import iso_utc
from idconnect_tester.core.history import ID_TOKEN_FAILED_FILTER, HistoryRow
from idconnect_tester.core.id_token_checks import Verdict
from idconnect_tester.core.wording import counted, sentence_case
from idconnect_tester.ui.theme import Colours, Tone, colours, set_tone
from idconnect_tester.ui.widgets import (
    RowTree,
    WrappingLabel,
    correct_to_nearest,
    name_clear_button,
    plain_tip,
    with_hidden_shown,
)

# How each exchange ended first, then its HTTP status: "Success (2xx)" beside "Any success"
# read as one thing twice (a tryout). Each says on hover what it lists.
STATUS_FILTERS = (
    ("All", None, "Every exchange"),
    (
        "Succeeded",
        "success",
        "Tokens granted (an id_token that failed its checks is no success) and authorize "
        "steps that came back with a code",
    ),
    (
        "Failed",
        "error",
        "Everything that did not succeed: HTTP errors, network errors, cancels, refused "
        "authorize steps, and tokens whose id_token failed its checks",
    ),
    ("id_token not trusted", ID_TOKEN_FAILED_FILTER, "Tokens whose id_token failed its checks"),
    ("Network errors", "network", "No HTTP answer: refused, DNS, timeout, TLS, reset…"),
    ("Cancelled", "cancelled", "Sends stopped with Cancel"),
    ("HTTP 2xx", "2xx", "HTTP status 200–299"),
    ("HTTP 4xx", "4xx", "HTTP status 400–499: the request or its credentials"),
    ("HTTP 5xx", "5xx", "HTTP status 500–599: the server or a gateway"),
)
# When and how it ended come first: a narrow dock shows them without scrolling sideways.
_COLUMNS = ("Time", "Status", "Outcome", "Endpoint", "Grant", "Profile", "correlationId", "ms")
COLUMN = {title: index for index, title in enumerate(_COLUMNS)}
# The widest value each column shows in full (correlationId and Profile get a useful part;
# a person can widen them). Sizing from the font, not from the rows, costs nothing per refresh.
# A row of today shows the time of day only (the date is in its tooltip): the Time column asks
# for room for a date only while a row of another day is listed (see _widths_asked).
_WIDEST = (
    "2000-12-31 23:59:59",
    "Status",
    "authorize failed",  # the longest outcome
    "share_token",
    "refresh",  # the longest grant's short name (_GRANT_SHORT)
    # A profile's name whole, as listed, up to this: at twelve M's, "Local emulator 18769" was
    # cut while correlationId, empty in most rows, kept 350 px (tryout AK).
    "M" * 24,
    "MMMMMMMMMMMMMMMM",
    "9999",  # longer waits make room for their digits (see _LONG_WAIT)
)
_TIME_OF_DAY = "23:59:59"
# The Grant column says a known grant in one word (its tooltip and Show have the grant_type
# whole; the filter still finds "authorization_code"): in full, the widest grant took the room
# a narrow dock had for the endpoint and the profile, and cut both at every size.
_GRANT_SHORT = {vendor.GRANT_AUTHORIZATION_CODE: "code", vendor.GRANT_REFRESH_TOKEN: "refresh"}
# A person signing in at authorize takes minutes: while such a row is listed, the ms column
# makes room for six digits (~16 min). A number cut short ("119…" of 119,000) would read as a
# smaller one.
_LONG_WAIT = "999999"
# These columns show a few words each: each asks for its widest text *listed* (up to its
# _WIDEST), not the widest it could list — room kept for "authorize failed" while no row said
# it cut "authorize" in the Endpoint column beside it.
_SIZED_BY_ROWS = ("Outcome", "Endpoint", "Grant")
# The list fits its width, never scrolling sideways (a dock is often narrow: a laptop, 200%
# scaling). When it is too narrow for every column at its width above, these give way, in this
# order, each down to its least width: correlationId first, then the time's date (shortened to
# its day and month), the profile (the same on most rows), then the columns a person tells rows
# apart by, the grant last of all. Status and ms never shrink (a few characters each).
# correlationId takes whatever room is left over.
_SHRINK_ORDER = ("correlationId", "Time", "Profile", "Endpoint", "Outcome", "Grant")
_STRETCH = "correlationId"
# correlationId keeps room for a few characters at each end ("2f3a…91c1"): enough to match it
# with a server's log, which its two ends alone ("2…1") were not. The Time column's least is
# a row of another day's, shortened (see _time_that_fits).
_LEAST = {
    "Time": "31 May 23:59",
    "Endpoint": "token",
    "Outcome": "MMMM",
    "correlationId": "MMMMMMM",
}
_LEAST_DEFAULT = "MMM"
# How a cell too narrow for its text cuts it (the whole text is its tooltip): an id keeps its
# two ends (both tell ids apart); the rest read from the start. A time is shortened instead.
_ELIDE = {"correlationId": Qt.TextElideMode.ElideMiddle}
_STAMP = "%Y-%m-%d %H:%M:%S"


def _time_that_fits(stamp: str, fits: Callable[[str], bool]) -> str:
    """An earlier day's "2026-12-02 13:54:48" in a cell too narrow for it: "2 Dec 13:54:48",
    then "2 Dec 13:54" (the seconds are in its tooltip). Cut to its time of day it read as a
    row of today's (tryout AH: "…13:54:48")."""
    if fits(stamp):
        return stamp
    try:
        when = datetime.strptime(stamp, _STAMP)
    except ValueError:  # today's time of day: it fits, its column is sized for it
        return stamp
    for shorter in (f"{when.day} {when:%b %H:%M:%S}", f"{when.day} {when:%b %H:%M}"):
        if fits(shorter):
            return shorter
    return shorter


def server_of(url: str) -> str:
    """The scheme, host and port of `url` (the whole of it when it has no host)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


class ElidingCells(QStyledItemDelegate):
    """Each column cut as _ELIDE says, and a cell cut short shows its whole text as a tooltip
    (a cell with a tooltip of its own adds the whole text above it)."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        column = _COLUMNS[index.column()]
        option.textElideMode = _ELIDE.get(column, Qt.TextElideMode.ElideRight)
        view = option.widget
        if column == "Time" and isinstance(view, QAbstractItemView):
            room = self._room(view, option)
            option.text = _time_that_fits(
                option.text, lambda text: option.fontMetrics.horizontalAdvance(text) <= room
            )

    @staticmethod
    def _room(view: QAbstractItemView, option: QStyleOptionViewItem) -> int:
        """The width a cell's text has, as the style draws it: the text's own rectangle, less
        the margins Qt keeps inside it."""
        style = view.style()
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return room.width() - 2 * margin

    def shown(
        self, view: QAbstractItemView, index: QModelIndex | QPersistentModelIndex
    ) -> tuple[str, bool]:
        """The text the cell is drawn with, and whether it fits (else the style cuts it)."""
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.rect = view.visualRect(index)
        option.widget = view
        self.initStyleOption(option, index)
        room = self._room(view, option)
        return option.text, option.fontMetrics.horizontalAdvance(option.text) <= room

    def is_elided(
        self, view: QAbstractItemView, index: QModelIndex | QPersistentModelIndex
    ) -> bool:
        """The cell shows less than its whole text: cut short, or a time shortened."""
        text, fits = self.shown(view, index)
        return not fits or text != str(index.data(Qt.ItemDataRole.DisplayRole) or "")

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
        tip = plain_tip(f"{whole}\n{own}" if own else whole)
        QToolTip.showText(event.globalPos(), tip, view, view.visualRect(index))
        return True


_ENTRY_ID = Qt.ItemDataRole.UserRole
_TONE = Qt.ItemDataRole.UserRole + 1  # how the Outcome cell is coloured
_FIRST_ROWS = 100  # listed at once: more than any dock shows
_ROWS_PER_TURN = 150  # then this many per turn of the event loop
_WHAT_LOAD_GIVES = Qt.ItemDataRole.UserRole + 2  # Load's tooltip for the row; "" when none
_CANNOT_LOAD = "Only a token request can be loaded into the form"
# The entry's time (POSIX seconds): formatted only when asked (a copy, midnight passing), since
# a list of 1,000 rows is built a batch per turn and each row's cost adds to that turn.
_TIMESTAMP = Qt.ItemDataRole.UserRole + 3
# Saving an entry, from its row's menu and from the window Show opens: that entry (an authorize
# step as a record of its own), as the history keeps it.
SAVE_AS_JSON = "Save as JSON…"
SAVE_TIP = (
    "Save this entry, not the latest exchange, to a JSON file as the history keeps it: tokens "
    "masked unless its profile keeps them in full, never the secret key"
)
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
    item.setForeground(COLUMN["Outcome"], palette.for_tone(Tone(item.data(0, _TONE))))


def outcome_text(row: HistoryRow) -> str:
    """The Outcome cell: how the exchange ended — and a token granted with an id_token that
    failed its checks is no plain "granted", nor is one a drill made up (no server issued it)."""
    if row.id_token_verdict is Verdict.FAILED:
        return "bad id_token"
    if row.succeeded and row.made_up:
        return "staged"
    return row.outcome.value.replace("_", " ")


def _grant_text(row: HistoryRow) -> str:
    return _GRANT_SHORT.get(row.grant_type, row.grant_type)


def _outcome_tone(row: HistoryRow) -> Tone:
    if not row.succeeded:
        return Tone.ERROR
    if row.made_up:  # a drill's answer in the server's place: no green for tokens nobody issued
        return Tone.WARNING
    return Tone.WARNING if row.id_token_verdict is Verdict.NOT_VERIFIED else Tone.OK


class HistoryPanel(QWidget):
    shown = Signal()  # the panel came into view: time to catch up with other instances
    filter_changed = Signal()
    show_requested = Signal(int)  # entry id: show it read-only in the panels
    load_requested = Signal(int)  # entry id: put its request back into the form
    save_requested = Signal(int)  # entry id: save it to a JSON file of the person's choosing
    clear_requested = Signal()
    retention_changed = Signal(int)
    copied = Signal(str)  # what a row's menu put on the clipboard, in words

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
        for label, value, meaning in STATUS_FILTERS:
            self.status_filter.addItem(label, value)
            self.status_filter.setItemData(
                self.status_filter.count() - 1, meaning, Qt.ItemDataRole.ToolTipRole
            )
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
        self.table.setItemDelegate(ElidingCells(self.table))
        self._fitting = False
        self._preferred: dict[str, int] = {}
        self._least: dict[str, int] = {}
        self._time_of_day = 0  # the Time column's width for a time of day alone
        self._no_id_least = 0  # the correlationId column's least width while no row has one
        self._dated = False  # a row of another day than today is listed: it shows its date
        self._long_wait = 0  # the ms column's width for six digits
        self._long_waits = False  # a row with a wait of five digits or more is listed
        self._listed_on = _today()  # the day "today" meant when the rows were listed
        self._listed_texts: dict[str, set[str]] = {title: set() for title in _SIZED_BY_ROWS}
        self._ids_listed = False  # a listed row has a correlationId (an authorize step has none)
        self._dragged: set[str] = set()  # the columns a person gave a width of their own
        self._size_columns()
        self.table.header().sectionResized.connect(self._column_resized)
        self.table.viewport().installEventFilter(self)
        # A right-click on a row (or the Menu key, Shift+F10) offers what acts on it.
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu_asked)
        self.table.installEventFilter(self)  # the Menu key's request: see eventFilter
        self.filter_text.installEventFilter(self)  # Down to the list; its shortcut's focus
        # Windows turns Shift+F10 into a menu request, X11 and Wayland do not: the list does.
        menu_key = QShortcut(QKeySequence("Shift+F10"), self.table)
        menu_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        menu_key.activated.connect(self._current_row_menu)
        self.row_menu = QMenu(self.table)
        self.row_menu.setObjectName("historyRowMenu")
        self.row_menu.setToolTipsVisible(True)  # why Load is off, what it puts back
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
        correct_to_nearest(self.retention)
        self.retention.setToolTip(
            f"How many exchanges the history keeps, the newest: {self.retention.minimum():,} "
            f"to {self.retention.maximum():,}"
        )
        self._total = 0  # entries in the history file, as last counted
        self._others_listed = False  # a listed row the person did not make (italics)
        # It wraps: with the italics' legend it is a sentence, and one line of it made the
        # panel wider than a narrow dock (the History beside the request, on a laptop).
        self.count_label = WrappingLabel("")
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
        self.table.itemActivated.connect(lambda *_: self.show_current())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.show_button.clicked.connect(self.show_current)
        self.load_button.clicked.connect(self.load_current)
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
        cell's margins and a little air: the default width of 100 px cut the Time column to its
        date. These are the widths the list fits to its own (see _fit)."""
        metrics = self.table.fontMetrics()
        style = self.table.style()
        # The text's margins inside a cell (what the delegate keeps: see is_elided), and as much
        # again between one column's text and the next; a title needs no more than that.
        inside = 2 * (
            style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1
        )
        padding = self._padding = 2 * inside
        self._preferred = {
            title: max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance(title))
            + padding
            for title, widest in zip(_COLUMNS, _WIDEST, strict=True)
        }
        self._least = {
            title: metrics.horizontalAdvance(_LEAST.get(title, _LEAST_DEFAULT)) + padding
            for title in _SHRINK_ORDER
        }
        self._time_of_day = metrics.horizontalAdvance(_TIME_OF_DAY) + padding
        self._no_id_least = metrics.horizontalAdvance(_LEAST_DEFAULT) + padding
        self._long_wait = metrics.horizontalAdvance(_LONG_WAIT) + padding
        self._fit(fresh=True)

    def _widths_asked(self) -> tuple[dict[str, int], dict[str, int]]:
        """Each column's preferred and least width now: the Time column's date only while a
        row shows one, and never less than a person dragged a column to (until nothing else
        can give way: see _fit)."""
        preferred = dict(self._preferred)
        least = dict(self._least)
        if "Time" not in self._dragged and not self._dated:
            preferred["Time"] = least["Time"] = self._time_of_day
        if "ms" not in self._dragged and self._long_waits:
            preferred["ms"] = max(preferred["ms"], self._long_wait)
        metrics = self.table.fontMetrics()
        for title, texts in self._listed_texts.items():
            if title not in self._dragged:
                widest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
                heading = metrics.horizontalAdvance(title)
                preferred[title] = min(preferred[title], max(widest, heading) + self._padding)
        if not self._ids_listed and _STRETCH not in self._dragged:
            # No row has an id to show: its column gives way to the rest (its title is
            # whole on hover).
            least[_STRETCH] = min(least[_STRETCH], self._no_id_least)
        for title in least:
            least[title] = min(least[title], preferred[title])
        return preferred, least

    def _fit(self, *, fresh: bool = False, dragged: str = "") -> None:
        """Columns that add up to the list's width, so it never scrolls sideways.

        From the widths they have, not from scratch, so nothing a person did not touch moves
        without a reason: too little room, and correlationId, then the _SHRINK_ORDER columns
        give way in turn, down to their least widths (the columns a person dragged last of
        all; below that, a very narrow list scrolls after all); room to spare, from a wider
        dock, goes back to the columns that gave way (in the reverse order), the rest to
        correlationId. A column a person drags (`dragged`) keeps the width they gave it, and
        what it frees or takes is correlationId's alone: the other columns stay where they are
        (dragged wider than correlationId can give, its edge stops).
        `fresh`: every column starts from its preferred width (the first layout, and whenever
        what a column asks for changed: a date listed or gone, a longer outcome listed — the
        columns a person dragged ask for the width they gave them)."""
        header = self.table.header()
        preferred, least = self._widths_asked()
        if fresh:
            widths = dict(preferred)
        else:
            widths = {title: header.sectionSize(COLUMN[title]) for title in _COLUMNS}
        for title in _COLUMNS:  # one that asks for less (a date gone) gives it up; one that
            if title not in (_STRETCH, dragged):  # needs more (a date come) takes it; one
                # that never gives way (Status, ms) has what it asks for
                floor = least.get(title, preferred[title])
                widths[title] = max(floor, min(widths[title], preferred[title]))
        spare = self.table.viewport().width() - sum(widths.values())
        if dragged not in ("", _STRETCH):
            regrow: Iterable[str] = ()  # a drag is no reason for other columns to move
        else:
            regrow = (t for t in reversed(_SHRINK_ORDER) if t not in (_STRETCH, dragged))
        for title in regrow:
            give = min(spare, preferred[title] - widths[title])
            if give > 0:
                widths[title] += give
                spare -= give
        if spare > 0:
            widths[_STRETCH] += spare
            spare = 0
        if dragged not in ("", _STRETCH):
            # A drag takes its room from correlationId alone; past that the dragged edge stops
            # (the width it keeps is the one it got), and the columns a person left alone stay.
            take = min(max(0, -spare), max(0, widths[_STRETCH] - least[_STRETCH]))
            widths[_STRETCH] -= take
            spare += take
            if spare < 0:
                widths[dragged] = max(least.get(dragged, 0), widths[dragged] + spare)
                self._preferred[dragged] = widths[dragged]
                spare = 0
        undragged = [t for t in _SHRINK_ORDER if t not in self._dragged]
        for title in undragged + [t for t in _SHRINK_ORDER if t in self._dragged]:
            if spare >= 0:
                break
            if title == dragged:
                continue
            take = min(-spare, max(0, widths[title] - least[title]))
            widths[title] -= take
            spare += take
        self._fitting = True  # our own resizing: not a person's choice of width
        try:
            for title, width in widths.items():
                header.resizeSection(COLUMN[title], width)
        finally:
            self._fitting = False

    def narrowest_fit(self) -> int:
        """The narrowest list (its viewport's width) that still fits every column, each given
        way down to its least width: narrower than this it scrolls sideways."""
        preferred, least = self._widths_asked()
        return sum(least.get(title, width) for title, width in preferred.items())

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        """A person dragged a column's edge: that width is the column's from now on (every
        column dragged keeps its own), and correlationId makes up the difference."""
        if self._fitting:
            return
        title = _COLUMNS[column]
        if title != _STRETCH:  # the stretch column is what fills the rest: it has no width
            self._preferred[title] = new
            self._dragged.add(title)
        self._fit(dragged=title)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        # A right-click's request comes through the viewport, in its coordinates; the Menu
        # key's comes to the list itself, at the current row in the list's coordinates (not
        # the viewport's, which customContextMenuRequested passes on unchanged): it opens the
        # current row's menu here.
        if (
            watched is self.table
            and isinstance(event, QContextMenuEvent)
            and event.reason() == QContextMenuEvent.Reason.Keyboard
        ):
            self._current_row_menu()
            return True
        if watched is self.filter_text and self._filter_event(event):
            return True
        # The viewport's width is the room the columns share: it changes with the dock, and
        # with the vertical scrollbar coming and going.
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def _filter_event(self, event: QEvent) -> bool:
        """Come to by its shortcut (Go to panel), the history shows its newest rows, whatever
        was scrolled to before; Down from the filter goes on to the list's first row, as from
        a search box to its results (True: the key was taken)."""
        focused_by_shortcut = (
            isinstance(event, QFocusEvent)
            and event.type() == QEvent.Type.FocusIn
            and event.reason() == Qt.FocusReason.ShortcutFocusReason
        )
        if focused_by_shortcut:
            self.table.scrollToTop()
        down = (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        )
        if down and self.row_count():
            self.select_row(0)
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return False

    def showEvent(self, event: QShowEvent) -> None:  # Qt names it
        super().showEvent(event)
        self.shown.emit()

    def status_value(self) -> str | None:
        value = self.status_filter.currentData()
        return str(value) if value else None

    @staticmethod
    def _item(row: HistoryRow, palette: Colours, today: datetime) -> QTreeWidgetItem:
        stamp = f"{row.time.astimezone():{_STAMP}}"
        cells = [
            # Today's rows differ by their time of day: the date would take the room the grant
            # and the profile need in a narrow dock. Its tooltip has it.
            stamp[11:] if row.time >= today else stamp,
            "" if row.status is None else str(row.status),
            outcome_text(row),
            row.endpoint,
            _grant_text(row),
            row.profile_name,
            row.correlation_id,
            f"{row.total_ms:.0f}",
        ]
        # A server's words and an imported profile's name, as the characters they are.
        item = QTreeWidgetItem([with_hidden_shown(cell) for cell in cells])
        item.setData(0, _ENTRY_ID, row.id)
        item.setData(0, _TONE, _outcome_tone(row).value)
        item.setData(0, _WHAT_LOAD_GIVES, what_load_gives(row))
        item.setData(0, _TIMESTAMP, row.time.timestamp())
        _colour(item, palette)
        # A cell cut short has its whole text put above its tooltip (the delegate): only a
        # time shown without its date needs the date here.
        verdict = row.id_token_note
        said = "\n".join(line for line in (row.summary, verdict) if line)
        item.setToolTip(0, plain_tip(f"{stamp}\n{said}" if row.time >= today else said))
        made_by = sentence_case(row.made_by)
        if row.made_up and row.succeeded:
            made_by += ": no server issued its tokens"
        outcome_note = "\n".join(line for line in (verdict, made_by) if line)
        item.setToolTip(COLUMN["Outcome"], plain_tip(outcome_note))
        if row.grant_type in _GRANT_SHORT:
            item.setToolTip(COLUMN["Grant"], f"grant_type {row.grant_type}")
        if row.url:
            # The name alone does not tell runs apart: every launch's built-in emulator is
            # "Built-in emulator", each on a port of its own.
            item.setToolTip(COLUMN["Profile"], f"Sent to {server_of(row.url)}")
        if row.made_by:
            # Not the person's own exchange (the credential check's, an emulator drill's): in
            # italics, so the list tells them apart at a glance, as Show and the filter do.
            for column in range(len(_COLUMNS)):
                font = item.font(column)
                font.setItalic(True)
                item.setFont(column, font)
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
        focused = QApplication.focusWidget()
        keep_focus = focused if focused is not None and self.isAncestorOf(focused) else None
        self._waiting = list(rows[_FIRST_ROWS:])
        self.table.clear()
        self._listed_on = _today()
        self._set_dated(bool(rows) and rows[-1].time < self._listed_on)  # the oldest is last
        self._set_long_waits(any(_long_wait(row) for row in rows))
        # From the rows, not the items: most of a long list is added a few turns later.
        self._others_listed = any(row.made_by for row in rows)
        self._list_texts(rows, fresh=True)
        self._add(rows[:_FIRST_ROWS])
        # The row a person picked stays picked when the list is read again (a new limit, a
        # filter, another instance's rows): Show and Load keep working on it.
        index = next((i for i, row in enumerate(rows) if row.id == selected), None)
        if index is not None:
            self.select_row(index)
        if keep_focus is not None and QApplication.focusWidget() is not keep_focus:
            # Cleared, the list had no row picked: Show and Load were off for a moment, and
            # Qt moved the keyboard on — to Clear history, one Return from its question
            # (tryout AC: after a Show window closed, the list is read again).
            (keep_focus if keep_focus.isEnabled() else self.table).setFocus()
        self._show_count(total)
        if self._waiting:
            self._more.start()

    def _add(self, rows: list[HistoryRow]) -> None:
        palette, today = colours(), _today()
        self.table.addTopLevelItems([self._item(row, palette, today) for row in rows])

    def _list_texts(self, rows: list[HistoryRow], *, fresh: bool = False) -> None:
        """The texts `rows` show in the columns sized by what is listed (all the rows listed,
        when `fresh`): a text none showed before makes its column ask again."""
        listed = {
            title: set[str]() if fresh else set(texts)
            for title, texts in self._listed_texts.items()
        }
        ids = (not fresh and self._ids_listed) or any(row.correlation_id for row in rows)
        for row in rows:
            listed["Outcome"].add(outcome_text(row))
            listed["Endpoint"].add(row.endpoint)
            listed["Grant"].add(_grant_text(row))
        if listed != self._listed_texts or ids != self._ids_listed:
            self._listed_texts, self._ids_listed = listed, ids
            self._fit(fresh=True)

    def _set_long_waits(self, listed: bool) -> None:
        """Whether a listed row waited minutes: the ms column makes room for its digits, or
        gives that room back."""
        if listed != self._long_waits:
            self._long_waits = listed
            self._fit(fresh=True)

    def _set_dated(self, dated: bool) -> None:
        """Whether a listed row shows its date: the Time column makes room for it, or gives
        that room back to the other columns."""
        if dated != self._dated:
            self._dated = dated
            self._fit(fresh=True)

    def _date_rows_before(self, today: datetime) -> None:
        """Rows listed yesterday as "today" (their time of day alone) get their date back: in
        a window left open overnight, 23:58 and 00:01 would read as one day."""
        self._listed_on = today
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is None:
                continue
            when = _time_of(item)
            if when < today:
                item.setText(0, f"{when.astimezone():{_STAMP}}")
                self._set_dated(True)

    def _add_waiting(self) -> None:
        batch, self._waiting = self._waiting[:_ROWS_PER_TURN], self._waiting[_ROWS_PER_TURN:]
        self._add(batch)
        if self._waiting:
            self._more.start()

    def prepend_row(self, row: HistoryRow, total: int, *, limit: int) -> None:
        """A new entry on top (newest first); the oldest beyond `limit` leave the list."""
        today = _today()
        if today != self._listed_on:
            self._date_rows_before(today)  # midnight passed since the rows were listed
        self.table.insertTopLevelItem(0, self._item(row, colours(), today))
        if not self.table.hasFocus():
            # Nobody is reading down the list: its newest row is in view, not above the top
            # edge (a row shown earlier had scrolled the list down).
            self.table.scrollToTop()
        if _long_wait(row):
            self._set_long_waits(True)
        self._others_listed = self._others_listed or bool(row.made_by)
        self._list_texts([row])
        excess = self.row_count() - limit
        if excess > 0:
            dropped = min(excess, len(self._waiting))
            del self._waiting[len(self._waiting) - dropped :]
            for _ in range(excess - dropped):
                self.table.takeTopLevelItem(self.table.topLevelItemCount() - 1)
        self._show_count(total)

    def update_row(self, row: HistoryRow) -> None:
        """A listed entry changed (its id_token's verdict arrived after it was listed)."""
        self._list_texts([row])  # "granted" may now read "bad id_token"
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is not None and item.data(0, _ENTRY_ID) == row.id:
                fresh = self._item(row, colours(), self._listed_on)
                for column in range(self.table.columnCount()):
                    item.setText(column, fresh.text(column))
                    item.setToolTip(column, fresh.toolTip(column))
                    item.setFont(column, fresh.font(column))  # italics: made by a drill, say
                item.setData(0, _TONE, fresh.data(0, _TONE))
                _colour(item, colours())
                if row.made_by and not self._others_listed:  # in italics now: say why
                    self._others_listed = True
                    self._show_count(self._total)
                return

    def _show_count(self, total: int) -> None:
        self._total = total
        shown = self.row_count()
        everything = counted(total, "exchange")
        filtered = bool(self.filter_text.text().strip() or self.status_value())
        if shown == total:
            text = everything
        elif filtered:
            text = f"{shown:,} of {everything} match"
        else:
            text = f"The latest {shown:,} of {everything}"
        if self._others_listed:
            text += " · in italics: made by auto-refresh, the credential check or a drill"
        self.count_label.setText(text)
        self._selection_changed()

    def top_id(self) -> int | None:
        """The id of the newest entry listed."""
        item = self.table.topLevelItem(0)
        value = item.data(0, _ENTRY_ID) if item is not None else None
        return int(value) if value is not None else None

    def top_time(self) -> datetime | None:
        """When the newest entry listed ended."""
        item = self.table.topLevelItem(0)
        return _time_of(item) if item is not None else None

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
        value = item.data(0, _ENTRY_ID)
        return int(value) if value is not None else None

    def show_current(self) -> None:
        """Show the picked row read-only: the Show button, Return, a double-click, the menu."""
        entry_id = self._current_id()
        if entry_id is not None:
            self.show_requested.emit(entry_id)

    def load_current(self) -> None:
        """Load the picked row's request into the form: the Load button and the menu."""
        entry_id = self._current_id()
        if entry_id is not None and self.load_button.isEnabled():
            self.load_requested.emit(entry_id)

    def save_current(self) -> None:
        """Save the picked row — that entry, not the latest exchange — as JSON: the menu."""
        entry_id = self._current_id()
        if entry_id is not None:
            self.save_requested.emit(entry_id)

    def _row_menu_asked(self, at: QPoint) -> None:
        """A right-click at `at` (the viewport's coordinates): the menu of the row there."""
        item = self.table.itemAt(at)
        if item is not None:
            self._open_row_menu(item, at)

    def _current_row_menu(self) -> None:
        """The keyboard's request: the current row's menu, over that row."""
        item = self.table.currentItem()
        if item is not None:
            self.table.scrollToItem(item)
            rect = self.table.visualItemRect(item)
            self._open_row_menu(item, QPoint(rect.left() + rect.height(), rect.bottom()))

    def _open_row_menu(self, item: QTreeWidgetItem, at: QPoint) -> None:
        """`item`'s menu at `at` (in the viewport). The row becomes the picked one, so the
        menu, Show and Load agree on it."""
        self.table.setCurrentItem(item)
        self._fill_row_menu(item)
        self.row_menu.popup(self.table.viewport().mapToGlobal(at))

    def _fill_row_menu(self, item: QTreeWidgetItem) -> None:
        """What the row's menu offers: the buttons' own actions (in the buttons' state: Load
        off with its reason), saving the entry to a file (any row: an authorize step is a
        record of its own), and copies of what a cell may show cut short."""
        menu = self.row_menu
        menu.clear()  # each item with a letter of its own: the menu opens from the keyboard too
        menu.addAction("&Show", self.show_current).setEnabled(self.show_button.isEnabled())
        load = menu.addAction("&Load into form", self.load_current)
        load.setEnabled(self.load_button.isEnabled())
        load.setToolTip(self.load_button.toolTip())
        save = menu.addAction(SAVE_AS_JSON.replace("JSON", "&JSON"), self.save_current)
        save.setEnabled(self.show_button.isEnabled())
        save.setToolTip(SAVE_TIP)
        menu.addSeparator()
        correlation_id = item.text(COLUMN["correlationId"])  # whole: the cell only elides it
        if correlation_id:
            menu.addAction(
                "Copy &correlationId", lambda: self._copy("correlationId", correlation_id)
            )
        stored = iso_utc(_time_of(item))
        copy_time = menu.addAction("Copy &time", lambda: self._copy("time", stored))
        copy_time.setToolTip(f"{stored} (UTC, as the history keeps it)")

    def _copy(self, what: str, text: str) -> None:
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
            self.copied.emit(f"Copied the {what}: {text}")

    def _selection_changed(self) -> None:
        selected = self._current_id() is not None
        self.show_button.setEnabled(selected)
        item = self.table.currentItem()
        gives = str(item.data(0, _WHAT_LOAD_GIVES) or "") if selected and item else ""
        self.load_button.setEnabled(bool(gives))
        self.load_button.setToolTip(gives or (_CANNOT_LOAD if selected else ""))


def _long_wait(row: HistoryRow) -> bool:
    return len(f"{row.total_ms:.0f}") > len(_WIDEST[COLUMN["ms"]])


def _time_of(item: QTreeWidgetItem) -> datetime:
    return datetime.fromtimestamp(float(item.data(0, _TIMESTAMP)), UTC)


def _today() -> datetime:
    """The start of today, local time: a row from then on shows its time of day alone."""
    return datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
