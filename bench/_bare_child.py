"""The floor: a bare PySide6 window with one label, nothing else imported.

    python bench/_bare_child.py startup          # shows it; the paint hook reports and exits
    python bench/_bare_child.py memory           # peak and current RSS 1 s after the first paint
    python bench/_bare_child.py cpu SECONDS      # CPU used while a label counts down each second

Deliberately self-contained (no bench helpers): whatever it imports counts against the floor.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _report(result: dict[str, float]) -> None:
    sys.stdout.write("IDCT-RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    mode = argv[1]
    app = QApplication(argv[:1])
    window = QMainWindow()
    label = QLabel("ID Connect Tester")
    window.setCentralWidget(label)
    window.resize(1400, 900)  # the size the app opens at on a first launch
    window.show()
    if mode == "memory":

        def measure() -> None:
            _report({"hwm_kb": _status_kb("VmHWM"), "rss_kb": _status_kb("VmRSS")})
            app.quit()

        QTimer.singleShot(1000, measure)
    elif mode == "cpu":
        seconds = float(argv[2])
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        ends = time.time() + seconds + 3600

        def tick() -> None:  # the minimal countdown: one label, redrawn once a second
            left = int(ends - time.time())
            label.setText(f"{left // 3600:02d}:{left // 60 % 60:02d}:{left % 60:02d}")

        ticker = QTimer()
        ticker.timeout.connect(tick)
        ticker.start(1000)

        def measure() -> None:
            _report(
                {
                    "cpu_s": time.process_time() - started_cpu,
                    "wall_s": time.perf_counter() - started_wall,
                }
            )
            app.quit()

        QTimer.singleShot(round(seconds * 1000), measure)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
