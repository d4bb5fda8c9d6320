"""A second floor for start-up: what any app of the same shape as ours pays before its own code
— the bare window of `_bare_child.py`, shown from a coroutine on the qasync loop, with asyncio,
qasync and PySide's `Qt` namespace loaded. The gap between the two floors is the price of the
shape (an asyncio loop inside Qt, Qt's enums); the gap from here to the app is its own code.

    python bench/_qasync_floor_child.py     # the paint hook reports the first paint and exits
"""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


async def _show() -> None:
    window = QMainWindow()
    label = QLabel("ID Connect Tester")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    window.setCentralWidget(label)
    window.resize(1400, 900)
    window.show()
    await asyncio.Event().wait()  # the paint hook exits the process once it has painted


def main() -> int:
    QApplication(sys.argv[:1])
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(_show())
    return 0


if __name__ == "__main__":
    sys.exit(main())
