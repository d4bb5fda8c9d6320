"""A third reference for start-up: the least a two-step start-up could paint first — the app's
own request column (target panel, request form, status bar) with the modules they import, the
app's style, and the seven result docks present but empty, on the qasync loop. Nothing is
filled in and no result panel is built: if this alone is above the budget, building the
result panels after the first frame could not meet it either.

    python bench/_request_column_child.py   # the paint hook reports the first paint and exits
"""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QVBoxLayout, QWidget

from idconnect_tester.ui import theme
from idconnect_tester.ui.request_form import RequestForm
from idconnect_tester.ui.status_bar import StatusBar
from idconnect_tester.ui.target_panel import TargetPanel
from idconnect_tester.ui.widgets import FormColumn, scrolling_up_and_down
from idconnect_tester.ui.window_layout import DOCK_TITLES


async def _show(app: QApplication) -> None:
    theme.apply_style(app, "system")
    window = QMainWindow()
    column = FormColumn()
    layout = QVBoxLayout(column)
    layout.addWidget(TargetPanel())
    layout.addWidget(RequestForm())
    layout.addStretch(1)
    window.setCentralWidget(scrolling_up_and_down(column))
    window.setStatusBar(StatusBar())
    for title in DOCK_TITLES.values():
        dock = QDockWidget(title, window)
        dock.setWidget(QWidget())
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resize(1400, 900)
    window.show()
    await asyncio.Event().wait()  # the paint hook exits the process once it has painted


def main() -> int:
    app = QApplication(sys.argv[:1])
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(_show(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
