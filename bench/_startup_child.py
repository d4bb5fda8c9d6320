"""The app as `idconnect-tester` starts it (`launch()`: the QApplication, the theme, the window,
the qasync loop), in a fresh process. The paint hook (see `_paint_hook.py`) reports the first
paint; this child then reports when the window is *ready* — painted, the target filled in, the
built-in emulator listening, Get code usable (`MainWindow.start()` has run) — and exits.

    IDCT_BENCH_UNTIL_READY=1 python bench/_startup_child.py
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer

from idconnect_tester.ui.main_window import MainWindow


def _report_ready_after_start() -> None:
    start = MainWindow.start

    def report() -> None:
        sys.stdout.write(f"IDCT-BENCH ready {time.clock_gettime(time.CLOCK_MONOTONIC):.6f}\n")
        sys.stdout.flush()
        os._exit(0)

    def start_and_report(window: MainWindow) -> None:
        start(window)
        if not window.ready:
            return
        hook = sys.modules.get("_paint_hook")
        if hook is not None and not any(name == "painted" for name, _ in hook._marks):
            # start() ran in the first show, before the first paint (as the app does): the
            # window is ready once that paint is done — report right after the hook does.
            report_painted = hook._report_and_exit

            def painted_then_ready() -> None:
                report_painted()
                report()

            hook._report_and_exit = painted_then_ready  # type: ignore[attr-defined]
            return
        # start() ran after the first paint: ready once the filled-in window is painted.
        window.repaint()
        QTimer.singleShot(0, report)

    MainWindow.start = start_and_report  # type: ignore[method-assign,assignment]


def main() -> int:
    from idconnect_tester.ui.launch import launch

    _report_ready_after_start()
    return launch(self_test=False, stdout=sys.stdout, stderr=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
