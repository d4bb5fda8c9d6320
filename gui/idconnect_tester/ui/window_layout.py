"""The window's default layout (first launch, and View → Reset layout), for any screen.

The request sits on the left (the window's central widget, scrolling vertically when the screen is
short), with the expiry countdown under it — always in view, in the room the form leaves (notes
that grow the form fold the countdown's "until …" lines into its tooltips; past what that gives,
they move it to the top of the results, where the layout for that form puts it). The results are
docks on the right: the response shares its place with the error panel (which comes to the front
after a failure), and what grows — the id_token's checks and claims, the raw exchange — gets the
rest of the height. On a wide screen the results take two columns: the response, the error and the
raw exchange in one, the id_token the whole height of the other. On a short screen (a 1024×700
laptop, 200% scaling) two panels one above the other would each be a few lines tall: the results
are tabs of one group instead, each with the whole height. On a tall screen the form leaves more
room under it than the countdown needs: the history (with the credential check) takes it, under the
countdown, instead of a tab beside the raw exchange.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QFormLayout,
    QMainWindow,
    QScrollArea,
    QTabBar,
    QWidget,
)
from shiboken6 import isValid

from idconnect_tester.core.tone import Tone
from idconnect_tester.ui.countdown_panel import CountdownPanel
from idconnect_tester.ui.response_panel import ResponsePanel
from idconnect_tester.ui.theme import tone_of
from idconnect_tester.ui.widgets import FieldMessage
from idconnect_tester.ui.window_settings import LayoutKind

# The result docks, by the names the layout places them under, with their titles.
DOCK_TITLES = {
    "countdown": "Expiry",
    "response": "Response",
    "error": "Error",
    "idToken": "ID token",
    "raw": "Raw exchange",
    "history": "History",
    "check": "Credential check",
}

# Saved with the dock layout; a layout saved under another number is set aside for the default
# one. Bump it when the default layout changes shape (0.1 saved 0: docks along the bottom;
# 1 could not tell the default layout from the user's, and a default made for a large screen
# came back squeezed on a laptop's; 2 had no tabbed results for a short screen).
LAYOUT_VERSION = 3
PREFERRED_SIZE = QSize(1400, 900)  # the least a first window gets, when the screen has it
FIRST_WINDOW_SHARE = 0.9  # of a large screen, for a first window (a laptop's: all of it)
WIDE_FROM_PX = 1600  # a window this wide gets two result columns
REQUEST_SHARE = 0.34  # of the window's width, for the request column
REQUEST_MIN_PX = 400
REQUEST_MAX_PX = 600  # beyond this a form only gets emptier
_BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
_RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
_VERTICAL = Qt.Orientation.Vertical
_HORIZONTAL = Qt.Orientation.Horizontal
# On the Response dock, while it has room taken from the panel under it: its height before
# (`give_the_response_room`).
_OWN_HEIGHT = "ownHeight"


def first_window_size(available: QRect) -> QSize:
    """A first launch's size: all of a laptop's screen (the results need the room), most of a
    large one — never more than the screen's available area, at any scale."""
    size = available.size()
    if size.width() >= WIDE_FROM_PX:
        size = QSize(
            round(size.width() * FIRST_WINDOW_SHARE), round(size.height() * FIRST_WINDOW_SHARE)
        )
    return size.expandedTo(PREFERRED_SIZE).boundedTo(available.size())


def size_on_another_screen(window: QSize, screen: QSize | None, available: QRect) -> QSize | None:
    """A window closed covering its screen (at least the share a first launch covers), opened
    on a screen of another size — another monitor, or the same one at another scale: the size
    a first launch takes there. None when it is the same screen, or the window had a size of
    its own choosing on it: that size is kept (within the screen)."""
    if screen is None or screen == available.size():
        return None
    share = FIRST_WINDOW_SHARE - 0.01  # a frame's pixels short of it still count
    if window.width() < screen.width() * share or window.height() < screen.height() * share:
        return None
    return first_window_size(available)


def is_wide(width: int) -> bool:
    return width >= WIDE_FROM_PX


def request_width(window_width: int) -> int:
    return min(REQUEST_MAX_PX, max(REQUEST_MIN_PX, round(window_width * REQUEST_SHARE)))


def _separator(window: QMainWindow) -> int:
    return window.style().pixelMetric(window.style().PixelMetric.PM_DockWidgetSeparatorExtent)


def _chrome(window: QMainWindow) -> int:
    """The menu bar's and the status bar's heights: what the docks and the request don't get
    (their hints: before the first show, the bars' heights are not their real ones yet)."""
    return window.menuBar().sizeHint().height() + window.statusBar().sizeHint().height()


def request_height(window: QMainWindow) -> int:
    """The height the request column needs at the width it gets (its content, not the scroll
    area; wrapped notes make it depend on the width)."""
    central = window.centralWidget()
    request = central.widget() if isinstance(central, QScrollArea) else central
    if request is None:
        return 0
    # The column is the request's share less the splitter beside it — and less a scrollbar:
    # measured without one, a column a few pixels short would wrap more beside the scrollbar
    # it then needs, and keep it.
    scrollbar = (
        central.verticalScrollBar().sizeHint().width() if isinstance(central, QScrollArea) else 0
    )
    return request.heightForWidth(request_width(window.width()) - _separator(window) - scrollbar)


def _countdown_height(window: QMainWindow, docks: dict[str, QDockWidget]) -> int:
    """The countdown's height once it counts: its natural height plus the two "until …" lines
    that appear under the bars with the first token, and the line that marks it older after a
    failure (so none of them pushes Auto-refresh out)."""
    return docks["countdown"].sizeHint().height() + 3 * window.fontMetrics().lineSpacing()


def _errors_height(window: QMainWindow) -> int:
    """The height the request's error messages take ("Enter the app token's secret key"):
    each is there until its field is fixed, and Send is off meanwhile."""
    central = window.centralWidget()
    if central is None:
        return 0
    return sum(
        message.height() + _row_spacing(message)
        for message in central.findChildren(FieldMessage)
        if message.isVisible() and tone_of(message) is Tone.ERROR
    )


def _row_spacing(widget: QWidget) -> int:
    """The spacing above `widget`, a row of its parent's form."""
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    return max(0, layout.verticalSpacing()) if isinstance(layout, QFormLayout) else 0


def countdown_under_request(window: QMainWindow, docks: dict[str, QDockWidget]) -> bool:
    """Whether the countdown fits under the request without pushing Send out of view; on a
    short screen (200% scaling) it goes to the top of the results instead. The request is
    measured without its error messages: while one shows, the request takes its room from
    the countdown below (`give_the_request_room`), and a layout made for the minutes before
    a secret key is typed would be the wrong one once it is (tryout AM: Reset layout, on a
    profile whose secret key was not typed yet, put the results in tabs)."""
    chrome = _chrome(window)
    # The splitter between the request and the dock area takes a little more than the two
    # heights say: leave room for it, and as much again, rather than hide Send.
    slack = 2 * _separator(window)
    request = request_height(window) - _errors_height(window)
    needed = request + _countdown_height(window, docks) + chrome + slack
    return window.height() >= needed


# Raised in this order when the panels in front are laid out again: the last one raised is in
# front where they share a row of tabs — an error above all (an id_token that failed its checks
# is one: the error panel says so), then the response before the id_token's checks (made
# narrow, a window showing both put "No id_token to show" in front of the response).
FRONT_PRIORITY = ("check", "history", "raw", "idToken", "response", "error")
# The id_token panel is worth a place of its own beside the response only with this many
# lines for its checks and claims beyond its least height (about five check rows and five
# lines of claims); with fewer, the results are tabs.
_ID_TOKEN_LINES = 12
_LONG_ROW_OF_TABS = 5
# The history goes under the countdown when the request's column has room there for this many
# lines of its list, beyond the countdown's own height; else that room stays the countdown's.
_HISTORY_LINES = 8


def _history_fits_below(window: QMainWindow, docks: dict[str, QDockWidget]) -> bool:
    """Whether the room under the request, less the countdown's, holds the history with
    `_HISTORY_LINES` lines of its list (a tall window: 1920×1080 leaves a third of its height)."""
    chrome = _chrome(window)
    left_over = window.height() - chrome - request_height(window)
    room = left_over - _countdown_height(window, docks) - 3 * _separator(window)
    history = docks["history"].minimumSizeHint().height() + _tab_bar_height(window)
    return room >= history + _HISTORY_LINES * window.fontMetrics().lineSpacing()


def _results_too_short(
    window: QMainWindow, docks: dict[str, QDockWidget], *, countdown_below: bool
) -> bool:
    """Whether the results' column is too short for the response and, below it, an id_token
    panel with room to read its checks and claims (then the results are tabs of one group)."""
    results = window.width() - request_width(window.width())
    line = window.fontMetrics().lineSpacing()
    # The response's rows, not the notes on its latest answer: the kind of layout a size gets
    # must not change with what one answer said (a resize after a 5 MB body went to tabs).
    wanted = (
        _response_height(window, docks, results, tabbed=True, with_notes=False)
        + _least_height(window, docks["idToken"], results)
        + _ID_TOKEN_LINES * line
    )
    chrome = _chrome(window)
    top = 0 if countdown_below else _countdown_height(window, docks)
    return window.height() - chrome - top < wanted


def layout_kind(window: QMainWindow, docks: dict[str, QDockWidget]) -> LayoutKind:
    """What the default layout depends on."""
    wide = is_wide(window.width())
    below = countdown_under_request(window, docks)
    tabbed = not wide and _results_too_short(window, docks, countdown_below=below)
    return LayoutKind(wide, below, tabbed, below and _history_fits_below(window, docks))


def arrange(window: QMainWindow, docks: dict[str, QDockWidget]) -> LayoutKind:
    """Place every dock for the window's current size (the dock API, as Qt documents it);
    returns the kind of layout made."""
    countdown = _panel(docks["countdown"])
    if isinstance(countdown, CountdownPanel):
        countdown.fold(False)  # the default layout is made for the whole countdown
    kind = layout_kind(window, docks)
    for dock in docks.values():
        dock.setFloating(False)  # a dock the user tore off comes back into the window
        window.removeDockWidget(dock)  # re-adding a placed dock leaves a stale item behind
    # The right column runs the full height; the bottom area is under the request only.
    window.setCorner(Qt.Corner.TopRightCorner, _RIGHT)
    window.setCorner(Qt.Corner.BottomRightCorner, _RIGHT)
    if kind.countdown_below:
        window.addDockWidget(_BOTTOM, docks["countdown"])
        if kind.history_below:
            window.splitDockWidget(docks["countdown"], docks["history"], _VERTICAL)
        window.addDockWidget(_RIGHT, docks["response"])
    else:
        window.addDockWidget(_RIGHT, docks["countdown"])
        window.splitDockWidget(docks["countdown"], docks["response"], _VERTICAL)
    # Split first, then tabify: splitting a dock that is already in tabs adds a tab.
    if kind.wide:
        window.splitDockWidget(docks["response"], docks["idToken"], _HORIZONTAL)
        window.splitDockWidget(docks["response"], docks["error"], _VERTICAL)
        window.splitDockWidget(docks["error"], docks["raw"], _VERTICAL)
    elif kind.results_tabbed:
        for before, after in pairwise(("response", "error", "idToken", "raw")):
            window.tabifyDockWidget(docks[before], docks[after])
    else:
        window.splitDockWidget(docks["response"], docks["idToken"], _VERTICAL)
        window.tabifyDockWidget(docks["response"], docks["error"])
        window.tabifyDockWidget(docks["idToken"], docks["raw"])
    if not kind.history_below:
        window.tabifyDockWidget(docks["raw"], docks["history"])
    window.tabifyDockWidget(docks["history"], docks["check"])
    for dock in docks.values():
        dock.setVisible(True)
    # Tabs show their first page: the response (not the error), the id_token (not raw).
    docks["idToken"].raise_()
    docks["response"].raise_()
    # `resizeDocks` shares out the sizes the docks have in the layout: before the window's
    # first layout pass (a first show) they have none yet, and the countdown at the top of
    # 1024×700's tabbed results came up at twice its height until a resize came. Laid out
    # first, the docks take the sizes asked for from the first frame, window manager or not.
    layout = window.layout()
    if layout is not None:
        layout.activate()
    size_docks(window, docks)
    return kind


def in_a_long_row_of_tabs(window: QMainWindow, dock: QDockWidget) -> bool:
    """Whether `dock` is a tab among as many as the short screen's results make: there each
    tab gets a few words' width."""
    return len(window.tabifiedDockWidgets(dock)) >= _LONG_ROW_OF_TABS - 1


def tab_names_fit(window: QMainWindow, row: Sequence[QDockWidget], names: Sequence[str]) -> bool:
    """Whether tabs with these names fit side by side across the row of tabs `row` shares,
    each name whole (in a row too narrow for them Qt cuts every name short, "Er…"). A tab's
    room besides its text is the style's, the same for every tab: measured on a tab of the
    window."""
    bar = next((bar for bar in window.findChildren(QTabBar) if bar.count()), None)
    if bar is None or not row:
        return True  # no tabs yet: nothing is cut
    metrics = bar.fontMetrics()
    besides_the_text = bar.tabSizeHint(0).width() - metrics.horizontalAdvance(bar.tabText(0))
    needed = sum(metrics.horizontalAdvance(name) + besides_the_text for name in names)
    # The tab behind another keeps the row's width too; the widest is the row's.
    return needed <= max(dock.width() for dock in row)


def _panel(dock: QDockWidget) -> QWidget | None:
    """The panel a dock shows: inside the scroll area every dock's panel sits in."""
    area = dock.widget()
    return area.widget() if isinstance(area, QScrollArea) else area


def _response_height(
    window: QMainWindow,
    docks: dict[str, QDockWidget],
    width: int,
    tabbed: bool,
    *,
    with_notes: bool = True,
) -> int:
    """The height the response's rows take `width` wide, plus its tab bar when it shares its
    place with the error panel, plus the note that marks it older, so a failure does not push
    the share token out of view, and the note under refresh_token before there is one.
    `with_notes=False`: without the notes on the latest answer."""
    height = _unscrolled_height(docks["response"], width)
    panel = _panel(docks["response"])
    if isinstance(panel, ResponsePanel):
        height += panel.room_for_the_older_note() + panel.room_for_the_refresh_note()
        if not with_notes:
            height -= panel.height_of_the_notes()
    if tabbed:
        height += _tab_bar_height(window)
    return height


def size_docks(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Sizes as shares of the window: the request column its share, the compact panels their
    natural height, and everything else to the panels that grow."""
    width, height = window.width(), window.height()
    docks["response"].setProperty(_OWN_HEIGHT, None)  # sized afresh: nothing taken
    central = window.centralWidget()
    request_px = max(request_width(width), central.minimumWidth() if central is not None else 0)
    results = max(0, width - request_px)
    countdown = _countdown_height(window, docks)
    chrome = _chrome(window)
    # Sized as the docks are placed (`arrange` decided where).
    if window.dockWidgetArea(docks["countdown"]) is _BOTTOM:
        # It takes the height the request leaves, or at least what it needs — or, with the
        # history under it, what it shows now, and the history the rest: the history gives
        # back what the countdown comes to need (`give_the_countdown_room`).
        left_over = height - chrome - _separator(window) - request_height(window)
        if _history_below(window, docks) is not None:
            countdown = _unscrolled_height(docks["countdown"], request_px)
            history = left_over - countdown - _separator(window)
            window.resizeDocks(
                [docks["countdown"], docks["history"]], [countdown, history], _VERTICAL
            )
        else:
            window.resizeDocks([docks["countdown"]], [max(countdown, left_over)], _VERTICAL)
        top = 0
    else:
        top = countdown  # at the top of the results: its natural height, the rest below
    # The response gets what it needs: up to three fifths of the column, and beyond that as
    # long as the id_token panel below it keeps its least height. On a short screen (200%
    # scaling) the id_token's checks need room too, and the response scrolls instead; on a
    # 1024×700 laptop the id_token panel gives the last few pixels (its lists scroll inside).
    column = height - chrome - top
    response_width = results // 2 if is_wide(width) else results
    response = min(
        _response_height(window, docks, response_width, tabbed=not is_wide(width)),
        max(column * 3 // 5, column - _least_height(window, docks["idToken"], results)),
    )
    if is_wide(width):
        window.resizeDocks(
            [docks["response"], docks["idToken"]],
            [response_width, results - response_width],
            _HORIZONTAL,
        )
        error = docks["error"].sizeHint().height()
        # As in the narrow column below: heights that add up to the column, less the
        # separators, or Qt takes the excess from the response too.
        rest = max(0, column - 2 * _separator(window) - response - error)
        window.resizeDocks(
            [docks["response"], docks["error"], docks["raw"]], [response, error, rest], _VERTICAL
        )
    elif in_a_long_row_of_tabs(window, docks["response"]):
        window.resizeDocks([docks["response"]], [results], _HORIZONTAL)
        if top:
            docks_height = column - 2 * _separator(window)
            window.resizeDocks(
                [docks["countdown"], docks["response"]], [top, docks_height], _VERTICAL
            )
        return
    else:
        window.resizeDocks([docks["response"]], [results], _HORIZONTAL)
        # Heights that add up to the column (a tabbed dock's with its tab bar, as Qt counts
        # it), less the separators between them: what is asked beyond it, Qt takes from
        # every dock in proportion — the countdown's lines too.
        docks_height = column - (2 if top else 1) * _separator(window)
        column_docks = [docks["response"], docks["idToken"]]
        sizes = [response, max(0, docks_height - response)]
        if top:  # one call for the whole column: a later one would take from the response
            column_docks.insert(0, docks["countdown"])
            sizes.insert(0, top)
        window.resizeDocks(column_docks, sizes, _VERTICAL)
        return
    if top:
        window.resizeDocks([docks["countdown"]], [top], _VERTICAL)


def _tab_bar_height(window: QMainWindow) -> int:
    bars = [bar.sizeHint().height() for bar in window.findChildren(QTabBar) if bar.count()]
    return max(bars, default=0)


def _unscrolled_height(dock: QDockWidget, width: int) -> int:
    """The least height of a dock `width` wide that shows its whole panel unscrolled: its
    panel's (not its scroll area's, which can be shorter) with its title's."""
    height = dock.minimumSizeHint().height()
    area, panel = dock.widget(), _panel(dock)
    if isinstance(area, QScrollArea) and panel is not None:
        least = panel.minimumSizeHint().height()
        if panel.hasHeightForWidth():  # wrapped lines need more height in a narrow column
            least = max(least, panel.heightForWidth(width - area.verticalScrollBar().width()))
        height += least - area.minimumSizeHint().height()
    return height


def _least_height(window: QMainWindow, dock: QDockWidget, width: int) -> int:
    """The least height of a dock `width` wide that shares its place with tabs, unscrolled,
    with the tab bar's and a separator's."""
    return _unscrolled_height(dock, width) + _tab_bar_height(window) + _separator(window)


def _request_spare(window: QMainWindow) -> int | None:
    """The height the request column has beyond what its content needs (less than 0: it is
    short of that, and scrolls); None when there is no column to measure."""
    central = window.centralWidget()
    request = central.widget() if isinstance(central, QScrollArea) else None
    if request is None:
        return None
    assert isinstance(central, QScrollArea)
    viewport = central.viewport()
    return viewport.height() - request.heightForWidth(viewport.width())


def give_the_request_room(window: QMainWindow, docks: dict[str, QDockWidget]) -> bool:
    """The request column grew past its height (a note about the target, a message under a
    field) and would scroll, Send out of view: the countdown under it gives the room it has
    beyond its own need — or, with the history under the countdown, the history gives it. It
    never takes more, so a dock made small stays small. False when that is not enough: the
    column still scrolls."""
    countdown = docks["countdown"]
    if countdown.isFloating() or window.dockWidgetArea(countdown) != _BOTTOM:
        return True  # nothing under the column to take room from
    request_spare = _request_spare(window)
    if request_spare is None or request_spare >= 0:
        return True  # it fits (the usual case, after every Send): nothing to measure below
    below = _history_below(window, docks)
    if below is not None:
        # The history under the countdown gives it (its list scrolls), down to its least.
        spare = below.height() - below.minimumSizeHint().height()
        give = min(-request_spare, spare)
        if give > 0:
            window.resizeDocks(
                [countdown, below], [countdown.height(), below.height() - give], _VERTICAL
            )
        return give >= -request_spare
    spare = countdown.height() - _unscrolled_height(countdown, countdown.width())
    panel = _panel(countdown)
    if spare < -request_spare and isinstance(panel, CountdownPanel) and not panel.folded:
        panel.fold(True)  # its "until …" lines: the line per token the request needs first
        spare = countdown.height() - _unscrolled_height(countdown, countdown.width())
    give = min(-request_spare, spare)
    if give > 0:
        window.resizeDocks([countdown], [countdown.height() - give], _VERTICAL)
    return give >= -request_spare


def unfold_the_countdown(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """The countdown's "until …" lines back under their bars once the request leaves room for
    them (a switch back to a profile with fewer notes): the countdown then takes that room
    (`give_the_countdown_room`)."""
    countdown, panel = docks["countdown"], _panel(docks["countdown"])
    if not isinstance(panel, CountdownPanel) or not panel.folded:
        return
    panel.fold(False)
    short = _unscrolled_height(countdown, countdown.width()) - countdown.height()
    at_the_bottom = window.dockWidgetArea(countdown) == _BOTTOM and not countdown.isFloating()
    if at_the_bottom and short > (_request_spare(window) or 0):
        panel.fold(True)  # not yet: the request still needs that room


def _history_below(window: QMainWindow, docks: dict[str, QDockWidget]) -> QDockWidget | None:
    """The history dock when it is under the countdown (see `_history_fits_below`)."""
    history = docks["history"]
    if history.isFloating() or window.dockWidgetArea(history) != _BOTTOM:
        return None
    return history


def give_the_countdown_room(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """The countdown grew (auto-refresh's state, a share token's row) past its dock and would
    scroll, a row out of view: under the request it takes the room the history under it has
    beyond its least height, or else the room the request column has beyond its own need
    (Send stays in view); at the top of the results, from the panel below it, whose lists
    scroll inside. The mirror of `give_the_request_room`."""
    countdown = docks["countdown"]
    if not countdown.isVisible():
        return
    short = _unscrolled_height(countdown, countdown.width()) - countdown.height()
    if short <= 0:
        return
    if countdown.isFloating():
        # A window of its own: taller, as far as the screen goes (tryout AK: floated, a
        # longer note scrolled it).
        screen = countdown.screen().availableGeometry()
        countdown.resize(countdown.width(), min(countdown.height() + short, screen.height()))
        return
    below = _history_below(window, docks)
    if below is not None and window.dockWidgetArea(countdown) == _BOTTOM:
        short = min(short, below.height() - below.minimumSizeHint().height())
        if short > 0:
            window.resizeDocks(
                [countdown, below], [countdown.height() + short, below.height() - short], _VERTICAL
            )
        return
    if window.dockWidgetArea(countdown) != _BOTTOM:
        window.resizeDocks([countdown], [countdown.height() + short], _VERTICAL)
        return
    give = min(short, max(0, _request_spare(window) or 0))
    if give > 0:
        window.resizeDocks([countdown], [countdown.height() + give], _VERTICAL)
    panel = _panel(countdown)
    if give < short and isinstance(panel, CountdownPanel) and not panel.folded:
        # Under the request, with no more room to take: its "until …" lines go into their
        # tooltips rather than a row scroll out of view (tryout AJ: with a share token and
        # Auto-refresh's stop note, the share token's line scrolled under the dock's edge).
        panel.fold(True)


def give_the_response_room(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """The Response panel grew past its dock (a refusal's note under refresh_token, two lines
    more) and would scroll as a whole, its Share token button cut (tryout AK): it takes the
    room from the panel under it — the ID token panel, or in the wide layout the raw exchange
    under the error panel (the error keeps the room its details need) — down to that panel's
    least height: its lists and texts scroll inside. When the panel needs less again (the next
    grant's short note), it gives back what it took, and no more: room the person gave it by
    dragging a splitter stays its own."""
    response = docks["response"]
    between: list[QDockWidget] = []
    below = _dock_under(window, docks, response)
    if below is docks["error"]:
        between, below = [below], _dock_under(window, docks, below)
    if below is None:
        return
    need, height = _unscrolled_height(response, response.width()), response.height()
    own = response.property(_OWN_HEIGHT)
    if need > height:
        if own is None:
            response.setProperty(_OWN_HEIGHT, height)
        give = min(need - height, below.height() - below.minimumSizeHint().height())
    elif own is not None and need < height:
        give = max(need, own) - height
        if need <= own:
            response.setProperty(_OWN_HEIGHT, None)  # back to its own: nothing taken
    else:
        return
    if give == 0:
        return
    window.resizeDocks(
        [response, *between, below],
        [
            _place_height(window, response) + give,
            *(_place_height(window, dock) for dock in between),
            _place_height(window, below) - give,
        ],
        _VERTICAL,
    )


def _place_height(window: QMainWindow, dock: QDockWidget) -> int:
    """The height of the place `dock` takes in its column, as `resizeDocks` counts it: a
    tabbed dock's has its tab bar too."""
    tabs = _tab_bar_height(window) if window.tabifiedDockWidgets(dock) else 0
    return dock.height() + tabs


def _dock_under(
    window: QMainWindow, docks: dict[str, QDockWidget], dock: QDockWidget
) -> QDockWidget | None:
    """The dock right under `dock` in its column, if both are docked and on show."""
    if dock.isFloating() or not dock.isVisible():
        return None
    area, tabbed = window.dockWidgetArea(dock), window.tabifiedDockWidgets(dock)
    left, right = dock.x(), dock.x() + dock.width()
    under = [
        other
        for other in docks.values()
        if other is not dock
        and other not in tabbed
        and not other.isFloating()
        and not other.visibleRegion().isEmpty()
        and window.dockWidgetArea(other) == area
        and other.y() > dock.y()
        and other.x() < right
        and other.x() + other.width() > left
    ]
    return min(under, key=lambda other: other.y(), default=None)


def make_room_for_the_error(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """In the wide layout the error panel shares its column with the raw exchange, at the
    height "No error" needs. When an error comes, the panel gets the height its details need
    (up to half the column), taken from the raw exchange below it."""
    if not is_wide(window.width()):
        return  # tabbed with the response: the error comes to the front instead
    error, raw = docks["error"], docks["raw"]
    area, panel = error.widget(), _panel(error)
    if panel is None:
        return
    if isinstance(area, QScrollArea):
        # Measured as if the scroll bar were showing: a bar that shows for a moment (the new
        # details laid out before the dock is resized) narrows the panel, a long hint wraps to
        # one more line, and that line would keep the bar for good. The height for the narrower
        # width fits at either.
        bar = area.verticalScrollBar()
        width = area.viewport().width() - (0 if bar.isVisible() else bar.sizeHint().width())
        chrome = error.height() - area.viewport().height()
    else:
        width, chrome = error.width(), 0
    wanted = panel.heightForWidth(width) if panel.hasHeightForWidth() else -1
    needed = (wanted if wanted > 0 else panel.sizeHint().height()) + chrome
    together = error.height() + raw.height()
    height = min(needed, together // 2)
    if height > error.height():
        window.resizeDocks([error, raw], [height, together - height], _VERTICAL)


class RequestColumnWidth(QObject):
    """The request column keeps the width it was laid out or dragged to as the window grows.

    Qt gives every pixel a wider window gains to its central widget (the request column), and
    every pixel it loses is taken from it only down to the column's least width, then from the
    docks: made small and then large again, the window had a 700-pixel form beside results
    squeezed to their tabs' first letters. What a wider window gains beyond the column's
    width goes to the results. The width is the column's own whenever it changes while the
    window's size does not (the layout, a dragged splitter)."""

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
        column = window.centralWidget()
        super().__init__(column)  # it watches the column: it goes with it
        self._window, self._docks = window, docks
        self._width: int | None = None  # the column's, as laid out or dragged
        self._window_size = window.size()  # as of its last resize handled here
        if column is not None:
            column.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if (
            event.type() == QEvent.Type.Resize
            and isinstance(watched, QWidget)
            and isValid(self._window)  # the window's teardown resizes its children too
            and self._window.size() == self._window_size  # not the window's own resize
        ):
            self._width = watched.width()
        return False

    def window_resized(self, before: QSize, *, give_back: bool) -> None:
        """Call after the window's resize (`before`: its size until then); `give_back`: the
        docks kept their sizes (no new default layout was made for the new size)."""
        self._window_size = self._window.size()
        column = self._window.centralWidget()
        if column is None or self._width is None or not give_back:
            return
        extra = column.width() - max(self._width, column.minimumSizeHint().width())
        if self._window.width() > before.width() and extra > 0:
            widen_the_results(self._window, self._docks, extra)


def lengthen_the_history(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Qt gives every pixel a taller window gains to its central widget, the request column,
    which needs none of it: with the history under the countdown, what the column does not
    need goes to the history's list (maximised at 1920×1080, a band of 200 blank pixels stood
    under Send above a history of three rows)."""
    below = _history_below(window, docks)
    countdown = docks["countdown"]
    if below is None or countdown.isFloating() or window.dockWidgetArea(countdown) != _BOTTOM:
        return
    layout = window.layout()
    if layout is not None:
        layout.activate()
    spare = _request_spare(window)
    if spare is not None and spare > 0:
        window.resizeDocks([below], [below.height() + spare], _VERTICAL)


def widen_the_results(window: QMainWindow, docks: dict[str, QDockWidget], extra: int) -> None:
    """`extra` pixels of width from the request column to the result docks on the right, each
    column of them in proportion to its width (before the first frame too: a dock behind
    another's tab lies outside the window)."""
    layout = window.layout()
    if layout is not None:
        layout.activate()
    shown = [
        dock
        for dock in docks.values()
        if window.dockWidgetArea(dock) is _RIGHT
        and not dock.isFloating()
        and not dock.isHidden()
        and window.rect().intersects(dock.geometry())
    ]
    columns: dict[int, QDockWidget] = {}
    for dock in shown:  # one dock for each column (its docks share a left edge)
        columns.setdefault(dock.geometry().x(), dock)
    if not columns:
        return
    widths = [dock.width() for dock in columns.values()]
    total = sum(widths) or 1
    window.resizeDocks(
        list(columns.values()),
        [width + extra * width // total for width in widths],
        _HORIZONTAL,
    )
