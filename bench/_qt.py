"""Qt-side benchmark helpers: the stall probe, waiting on signals and paints from a coroutine
running on the qasync loop, and driving the real window like a user (click, wait)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from idconnect_tester.core.exchange import Exchange
    from idconnect_tester.emulator import EmulatorServer
    from idconnect_tester.ui.main_window import MainWindow

WAIT_S = 30.0


class StallProbe(QObject):
    """A 10 ms timer on the GUI thread; `stop()` returns the longest gap between its ticks.

    While the event loop is free, ticks come every ~10 ms. Anything that holds the GUI thread
    (parsing, layout, a blocking call) delays the next tick: the longest gap is the longest
    time the window could not react to input or repaint."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.max_gap = 0.0
        self.ticks = 0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.max_gap = 0.0
        self.ticks = 0
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self._last)
        self._last = now
        self.ticks += 1

    def stop(self) -> float:
        """Stop; the gap still open at this moment counts too (a stall at the very end)."""
        self._timer.stop()
        self.max_gap = max(self.max_gap, time.perf_counter() - self._last)
        return self.max_gap


def expect(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future for the next emission of `signal`: connect first, then act, then await.
    Cancelling the future (e.g. by a timeout) disconnects it."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
    connected = [True]

    def disconnect() -> None:
        if connected[0]:
            connected[0] = False
            signal.disconnect(slot)

    def slot(*args: Any) -> None:
        disconnect()
        if not future.done():
            future.set_result(args)

    signal.connect(slot)
    future.add_done_callback(lambda _: disconnect())
    return future


class _PaintWatch(QObject):
    """Resolves `future` with the instant the paint pass that paints `widget` is over.

    Qt paints a window's whole dirty region (and flushes it to the screen) in one pass, inside
    one event. The pass is over when Qt delivers its next event that is not a paint: from the
    widget's paint until then, an application-wide filter watches. A zero-delay timer is posted
    at the widget's paint so there always is a next event. (Waiting for that timer alone would
    also count whatever work the window had queued before it, such as the id_token's checks.)"""

    def __init__(self, widget: QWidget, future: asyncio.Future[float]) -> None:
        super().__init__()
        self._widget = widget
        self._future = future
        self._watching_pass = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.Paint:
            if watched is self._widget and not self._watching_pass:
                self._widget.removeEventFilter(self)
                self._watching_pass = True
                application().installEventFilter(self)
                QTimer.singleShot(0, lambda: None)
        elif self._watching_pass:
            application().removeEventFilter(self)
            self._watching_pass = False
            if not self._future.done():
                self._future.set_result(time.perf_counter())
        return False


def application() -> QCoreApplication:
    app = QCoreApplication.instance()
    assert app is not None, "a QApplication runs the benchmark"
    return app


_watches: set[_PaintWatch] = set()


def next_paint_done(widget: QWidget) -> asyncio.Future[float]:
    """A future for the perf_counter instant the widget's next paint has completed."""
    future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    watch = _PaintWatch(widget, future)
    _watches.add(watch)
    future.add_done_callback(lambda _: _watches.discard(watch))
    return future


async def wait_until(predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    """Poll a condition without blocking the loop (benchmarks only: tests use qtbot)."""
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.002)


async def open_window(**kwargs: Any) -> MainWindow:
    """The real main window, shown, once its first paint is complete."""
    from idconnect_tester.ui.main_window import MainWindow

    window = MainWindow(**kwargs)
    painted = next_paint_done(window)
    window.show()
    await asyncio.wait_for(painted, WAIT_S)
    await wait_until(lambda: window.ready)  # start(): the target is filled in after the show
    if window.targets.current.builtin:
        await emulator_of(window)
    return window


async def emulator_of(window: MainWindow) -> EmulatorServer:
    """The window's built-in emulator. The app starts it right after the first paint; wait
    for that (briefly), so the window is measured the way it runs."""
    with contextlib.suppress(TimeoutError):
        await wait_until(lambda: window.emulator.server is not None, timeout_s=2.0)
    if window.emulator.server is None:  # an app version that starts it only on demand
        window.start_emulator()
    server = window.emulator.server
    assert server is not None
    return server


def is_idle(window: MainWindow) -> bool:
    """No operation, no background task (id_token verification) and no history write left."""
    return (
        not window.controller.busy
        and window.controller.pending_tasks == 0
        and window.history.pending_writes == 0
    )


async def wait_idle(window: MainWindow, timeout_s: float = WAIT_S) -> None:
    await wait_until(lambda: is_idle(window), timeout_s)


async def get_code(window: MainWindow) -> str:
    await wait_idle(window)
    finished = expect(window.controller.code_finished)
    window.form.get_code_button.click()
    await asyncio.wait_for(finished, WAIT_S)
    await wait_until(lambda: not window.controller.busy)
    return window.form.code.text()


async def send(window: MainWindow) -> Exchange:
    """Click Send (once idle) and return the exchange the window received."""
    await wait_idle(window)
    finished = expect(window.controller.exchange_finished)
    window.form.send_button.click()
    exchange, _request, _origin = await asyncio.wait_for(finished, WAIT_S)
    result: Exchange = exchange
    return result


async def send_until_rendered(
    window: MainWindow, verdicts: list[float] | None = None
) -> tuple[Exchange, float]:
    """Click Send; return the exchange and the seconds from the click until it was rendered:
    `exchange_finished` handled by the window (every panel updated) and the paint pass that
    paints the panel that shows it (the access token, or the raw timings line for an answer
    without a token) over. The history write and the id_token's checks come after that paint
    (the stall measures include them). With `verdicts`, also wait until the id_token's verdict
    is painted and append the seconds from the click until then."""
    from idconnect_tester.core.exchange import TokenGranted

    await wait_idle(window)
    loop = asyncio.get_running_loop()
    rendered: asyncio.Future[float] = loop.create_future()
    verdict_painted: asyncio.Future[float] = loop.create_future()
    token_label = window.response_panel.fields["access_token"].label
    timings_label = window.raw_panel.timings
    received: list[Exchange] = []

    def handled(exchange: Exchange) -> None:
        # Connected after the window's own slot, so the panels are already updated here.
        window.controller.exchange_finished.disconnect(handled)
        received.append(exchange)
        outcome = exchange.outcome
        shown = isinstance(outcome, TokenGranted) and token_label.text() == outcome.access_token
        paint = next_paint_done(token_label if shown else timings_label)
        paint.add_done_callback(lambda done: rendered.set_result(done.result()))

    def verified(*_: object) -> None:
        window.controller.verification_finished.disconnect(verified)
        paint = next_paint_done(window.id_token_panel.summary)
        paint.add_done_callback(lambda done: verdict_painted.set_result(done.result()))

    window.controller.exchange_finished.connect(handled)
    if verdicts is not None:
        window.controller.verification_finished.connect(verified)
    started = time.perf_counter()
    window.form.send_button.click()
    finished = await asyncio.wait_for(rendered, WAIT_S)
    if verdicts is not None:
        verdicts.append(await asyncio.wait_for(verdict_painted, WAIT_S) - started)
    return received[0], finished - started
