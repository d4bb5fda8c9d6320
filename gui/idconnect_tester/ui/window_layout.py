"""The window's default layout (first launch, and View → Reset layout), for any screen.

The request sits on the left (the window's central widget, scrolling vertically when the screen
is short); the results are docks on the right. The expiry countdown stays in view at the top;
the response shares its place with the error panel (which comes to the front after a failure);
what grows — the id_token's checks and claims, the raw exchange — gets the rest of the height.
On a wide screen the results take two columns, so the id_token and the raw exchange stand side
by side with the response instead of behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

PREFERRED_SIZE = QSize(1400, 900)
WIDE_FROM_PX = 1600  # a window this wide gets two result columns
REQUEST_SHARE = 0.36  # of the window's width, for the request column
REQUEST_MIN_PX = 400
_RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
_VERTICAL = Qt.Orientation.Vertical
_HORIZONTAL = Qt.Orientation.Horizontal


def first_window_size(available: QRect) -> QSize:
    """The preferred size, shrunk to the screen's available area (never larger than it)."""
    return PREFERRED_SIZE.boundedTo(available.size())


def is_wide(width: int) -> bool:
    return width >= WIDE_FROM_PX


def arrange(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Place every dock for the window's current width (the dock API, as Qt documents it)."""
    for dock in docks.values():
        window.removeDockWidget(dock)  # re-adding a placed dock leaves a stale item behind
    window.setCorner(Qt.Corner.TopRightCorner, _RIGHT)
    window.setCorner(Qt.Corner.BottomRightCorner, _RIGHT)
    window.addDockWidget(_RIGHT, docks["countdown"])
    if is_wide(window.width()):
        window.splitDockWidget(docks["countdown"], docks["idToken"], _HORIZONTAL)
        window.splitDockWidget(docks["countdown"], docks["response"], _VERTICAL)
        window.splitDockWidget(docks["response"], docks["error"], _VERTICAL)
        window.splitDockWidget(docks["idToken"], docks["raw"], _VERTICAL)
        window.tabifyDockWidget(docks["raw"], docks["history"])
    else:
        # Split first, then tabify: splitting a dock that is already in tabs adds a tab.
        window.splitDockWidget(docks["countdown"], docks["response"], _VERTICAL)
        window.splitDockWidget(docks["response"], docks["idToken"], _VERTICAL)
        window.tabifyDockWidget(docks["response"], docks["error"])
        window.tabifyDockWidget(docks["idToken"], docks["raw"])
        window.tabifyDockWidget(docks["raw"], docks["history"])
    window.tabifyDockWidget(docks["history"], docks["check"])
    for dock in docks.values():
        dock.setVisible(True)
    docks["response"].raise_()
    # Tabs show their first page: the response (not the error), the id_token (not raw).
    docks["idToken"].raise_()
    size_docks(window, docks)


def size_docks(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Sizes as shares of the window: the request column its share, the compact panels their
    natural height, and everything else to the panels that grow."""
    width, height = window.width(), window.height()
    request = max(REQUEST_MIN_PX, round(width * REQUEST_SHARE))
    results = max(0, width - request)
    countdown = docks["countdown"].sizeHint().height()
    response = docks["response"].sizeHint().height()
    if is_wide(width):
        window.resizeDocks(
            [docks["countdown"], docks["idToken"]],
            [results // 2, results - results // 2],
            _HORIZONTAL,
        )
        window.resizeDocks(
            [docks["countdown"], docks["response"], docks["error"]],
            [countdown, response, max(0, height - countdown - response)],
            _VERTICAL,
        )
        window.resizeDocks(
            [docks["idToken"], docks["raw"]],
            [round(height * 0.55), round(height * 0.45)],
            _VERTICAL,
        )
    else:
        window.resizeDocks([docks["countdown"]], [results], _HORIZONTAL)
        window.resizeDocks(
            [docks["countdown"], docks["response"], docks["idToken"]],
            [countdown, response, max(0, height - countdown - response)],
            _VERTICAL,
        )
