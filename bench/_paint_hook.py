"""Loaded at interpreter start-up (through a generated `sitecustomize`) in the start-up
benchmark's child processes: it reports when the first window has been painted, then exits.

How "first painted" is detected, the same way for every program measured:
- a meta-path hook waits for `PySide6.QtWidgets` to be imported (by the program itself, when it
  wants it: the hook imports nothing from Qt) and then wraps `QWidget.show`;
- the first `show()` of a top-level window installs an event filter on that window;
- on the window's first `QEvent.Paint` the filter posts a zero-delay timer. Qt paints a window's
  whole widget tree (and flushes the backing store to the screen) in one pass, so the timer runs
  when that pass is complete and control is back in the event loop: that is "first painted".
  A program that paints with `processEvents()` before it starts its event loop (a splash
  screen does; the app itself paints from its qasync loop) has painted when that call
  returns: `processEvents` is wrapped too, and whichever comes first counts.
The child then prints `IDCT-BENCH <mark> <CLOCK_MONOTONIC seconds>` lines and exits at once with
`os._exit(0)` (no shutdown work is measured) — unless `IDCT_BENCH_UNTIL_READY` is set: then the
program goes on and reports a later mark itself (`_startup_child.py`: the window's `ready`).
CLOCK_MONOTONIC is system-wide, so the parent can subtract the instant it spawned the child.
"""

from __future__ import annotations

import os
import sys
import time

# Not `from typing import TYPE_CHECKING`: the hook imports nothing a bare program would not.
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only (they are never evaluated at run time)
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

_marks: list[tuple[str, float]] = []


def _mark(name: str) -> None:
    _marks.append((name, time.clock_gettime(time.CLOCK_MONOTONIC)))


def _report_and_exit() -> None:
    _mark("painted")
    lines = "".join(f"IDCT-BENCH {name} {value:.6f}\n" for name, value in _marks)
    sys.stdout.write(lines)
    sys.stdout.flush()
    if not os.environ.get("IDCT_BENCH_UNTIL_READY"):
        os._exit(0)


def _patch_qt(module: ModuleType) -> None:
    _mark("qtwidgets_imported")
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

    widget_class: Any = module.QWidget
    original_show = widget_class.show
    original_process_events = QCoreApplication.processEvents
    state: dict[str, Any] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
            if event.type() == QEvent.Type.Paint and "painted" not in state:
                state["painted"] = True
                _mark("first_paint_event")
                QTimer.singleShot(0, _report_and_exit)
            return False

    def show(self: Any) -> None:
        if "filter" not in state and self.isWindow():
            _mark("show")
            state["filter"] = FirstPaint()
            self.installEventFilter(state["filter"])
        original_show(self)

    def process_events(*args: Any) -> None:
        # A program may paint its first frame with processEvents() and then go on loading
        # before it runs its event loop: the frame is complete (painted and flushed) when the
        # processEvents() call that delivered the paint returns.
        original_process_events(*args)
        if "painted" in state:
            _report_and_exit()

    widget_class.show = show
    QCoreApplication.processEvents = staticmethod(process_events)  # type: ignore[method-assign,assignment]


class _Loader:
    """Wraps the real loader of PySide6.QtWidgets; patches the module once it has loaded."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._inner.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        _patch_qt(module)


class _Finder:
    """A meta-path finder (duck-typed: importlib.abc would import half the standard library)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "PySide6.QtWidgets":
            return None
        sys.meta_path.remove(self)  # find the real one, once
        for finder in sys.meta_path:
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader)  # type: ignore[assignment]
                return spec
        return None


def install() -> None:
    _mark("interpreter_ready")
    sys.meta_path.insert(0, _Finder())
