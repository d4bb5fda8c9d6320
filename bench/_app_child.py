"""The in-process measures, each run in a fresh child process with the real window on Qt's
offscreen platform and the app's own qasync loop; the result is one JSON line for `run.py`.

    python bench/_app_child.py send RUNS HISTORY_ROWS
    python bench/_app_child.py stalls
    python bench/_app_child.py memory EXCHANGES
    python bench/_app_child.py cpu SECONDS
    python bench/_app_child.py check RUNS
    python bench/_app_child.py fill-history ROWS    (prepares a history for another measure)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import qasync
from bench._common import cpu_seconds, proc_status_kb, report
from bench._qt import (
    StallProbe,
    emulator_of,
    get_code,
    next_paint_done,
    open_window,
    send,
    send_until_rendered,
    wait_idle,
)
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from idconnect_tester.ui.launch import quiet_qt_log

if TYPE_CHECKING:
    from idconnect_tester.ui.main_window import MainWindow

# Broken answers mixed into the memory run (one exchange in ten), so every outcome's path
# through the window is repeated, not just the happy one.
_FAILURES = ("server_error_html", "malformed_json", "rate_limited", "connection_reset")


async def _signed_in(window: MainWindow) -> None:
    """Get code, exchange it, and leave the form on the refresh grant (each Send a refresh)."""
    from idconnect_tester import vendor
    from idconnect_tester.core.exchange import TokenGranted

    await get_code(window)
    exchange = await send(window)
    assert isinstance(exchange.outcome, TokenGranted), exchange.summary()
    window.form.set_grant(vendor.GRANT_REFRESH_TOKEN)
    await wait_idle(window)


async def send_latency(runs: int, history_rows: int) -> dict[str, Any]:
    """Send → rendered through the window, against a bare httpx request for the same signed
    refresh, interleaved, on the same loop and the same emulator. With `history_rows`, the
    history holds that many real-ish exchanges before the window opens."""
    import httpx
    from bench._exchanges import fill_history

    from idconnect_tester import vendor
    from idconnect_tester.core.exchange import TokenGranted
    from idconnect_tester.core.signing import signed_headers

    if history_rows:
        await fill_history(history_rows)
    window = await open_window()
    await _signed_in(window)
    target = window.targets.target()
    url = target.url_for(vendor.TOKEN_PATH)
    body = window.form.token_request().body_bytes()  # the very bytes the window sends

    verdicts: list[float] = []  # click → the id_token's verdict painted (a frame later)
    async with httpx.AsyncClient(timeout=30, trust_env=False) as bare:

        async def floor_once() -> float:
            await wait_idle(window)
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                **signed_headers(
                    target.app_token, target.secret_key.reveal(), "POST", vendor.TOKEN_PATH, body
                ),
            }
            started = time.perf_counter()
            response = await bare.post(url, content=body, headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200 and "access_token" in response.json()
            return elapsed

        async def ours_once() -> float:
            exchange, elapsed = await send_until_rendered(window, verdicts)
            assert isinstance(exchange.outcome, TokenGranted), exchange.summary()
            return elapsed

        for _ in range(3):  # connections, caches and lazy imports: not what we measure
            await ours_once()
            await floor_once()
        verdicts.clear()
        ours: list[float] = []
        floor: list[float] = []
        for index in range(runs):
            pair: list[tuple[list[float], Callable[[], Awaitable[float]]]] = [
                (ours, ours_once),
                (floor, floor_once),
            ]
            for results, once in pair if index % 2 else reversed(pair):
                results.append(await once())
    shown_rows = window.history_panel.row_count()
    await window.shutdown()
    return {"ours": ours, "floor": floor, "verdicts": verdicts, "history_rows": shown_rows}


async def _probe_during(action: Callable[[], Awaitable[object]]) -> float:
    probe = StallProbe()
    probe.start()
    await action()
    await asyncio.sleep(0.05)  # and a few ticks after: a stall right at the end counts
    return probe.stop()


async def stalls() -> dict[str, Any]:
    """Longest gap of a 10 ms timer while (a) a 3 s slow answer is pending, (b) a 5 MB body is
    rendered, (c) 1,000 history rows load; the floor is the same probe with the window idle."""
    from bench._exchanges import fill_history

    from idconnect_tester.core.exchange import TokenGranted

    window = await open_window()
    server = await emulator_of(window)
    await _signed_in(window)
    result: dict[str, Any] = {}
    result["idle"] = await _probe_during(lambda: asyncio.sleep(3.0))

    async def send_rendered() -> None:
        exchange, _ = await send_until_rendered(window)
        await wait_idle(window)
        result.setdefault("outcomes", []).append(exchange.summary())

    server.set_scenario("slow", delay_s=3)
    result["slow"] = await _probe_during(send_rendered)

    server.set_scenario("huge_body", size_mb=5)
    result["huge"] = await _probe_during(send_rendered)
    last = window.session.latest_exchange()
    assert last is not None and last.response is not None
    assert isinstance(last.outcome, TokenGranted)
    result["huge_bytes"] = len(last.response.body)
    result["huge_shown"] = "bytes in all" in window.raw_panel.response.toPlainText()

    # (c): 1,000 real-ish rows written by another connection, then the list reloaded.
    result["rows_written"] = await fill_history(1000)
    timed: dict[str, float] = {}

    async def reload_history() -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def reload() -> None:
            started = time.perf_counter()
            window.history.refresh()
            timed["refresh_s"] = time.perf_counter() - started
            done.set_result(None)

        QTimer.singleShot(0, reload)
        await done
        await next_paint_done(window.history_panel.table.viewport())

    window.docks["history"].raise_()  # the list is on screen, so its rows are laid out and drawn
    result["history"] = await _probe_during(reload_history)
    result["history_refresh_s"] = timed["refresh_s"]
    result["history_rows"] = window.history_panel.row_count()

    # Extra: one ordinary Send with the history full (its row goes on top of 1,000 listed).
    window.docks["raw"].raise_()
    result["send_full_history"] = await _probe_during(send_rendered)
    await window.shutdown()
    return result


async def memory(exchanges: int) -> dict[str, Any]:
    """Peak RSS once the window is idle; RSS after warm-up and after `exchanges` more."""
    window = await open_window()
    await asyncio.sleep(1.0)  # the history is read after the first paint; let it settle
    gc.collect()
    result: dict[str, Any] = {
        "idle_hwm_kb": proc_status_kb("VmHWM"),
        "idle_rss_kb": proc_status_kb("VmRSS"),
    }
    server = await emulator_of(window)
    await _signed_in(window)
    for _ in range(20):  # lazy imports, connection pools, JWKS cache: warm before the baseline
        await send(window)
    await wait_idle(window)
    gc.collect()
    result["base_rss_kb"] = proc_status_kb("VmRSS")
    outcomes: dict[str, int] = {}
    for index in range(exchanges):
        if index % 10 == 9:
            server.set_scenario(_FAILURES[(index // 10) % len(_FAILURES)])
        exchange = await send(window)
        kind = type(exchange.outcome).__name__
        outcomes[kind] = outcomes.get(kind, 0) + 1
        if index + 1 == exchanges // 2:
            await wait_idle(window)
            gc.collect()
            result["mid_rss_kb"] = proc_status_kb("VmRSS")
    await wait_idle(window)
    gc.collect()
    result["after_rss_kb"] = proc_status_kb("VmRSS")
    result["hwm_kb"] = proc_status_kb("VmHWM")
    result["outcomes"] = outcomes
    result["history_rows"] = window.history_panel.row_count()
    await window.shutdown()
    return result


async def idle_cpu(seconds: float) -> dict[str, Any]:
    """CPU used by the whole process (emulator thread included) while the window sits idle
    with the expiry countdowns running."""
    window = await open_window()
    await _signed_in(window)
    await wait_idle(window)
    await asyncio.sleep(1.0)
    label = window.countdown_panel.rows["access"].time
    shown_before = label.text()
    assert window.countdown_panel.timer_active
    started_cpu, started_wall = cpu_seconds(), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu, wall = cpu_seconds() - started_cpu, time.perf_counter() - started_wall
    result = {"cpu_s": cpu, "wall_s": wall, "before": shown_before, "after": label.text()}
    await window.shutdown()
    return result


async def check_time(runs: int) -> dict[str, Any]:
    """The credential check through the window — click Run check until the report is shown
    (the summary's next paint) — against the same check run by the core alone (what
    `idconnect-tester check` does), interleaved, on the same loop and the same emulator."""
    from idconnect_tester.core.check_results import CheckReport
    from idconnect_tester.core.credential_check import run_check
    from idconnect_tester.ui.check_runner import check_settings

    window = await open_window()
    loop = asyncio.get_running_loop()

    async def ours_once() -> tuple[float, float]:
        await wait_idle(window)
        rendered: asyncio.Future[tuple[float, CheckReport]] = loop.create_future()

        def handled(report: CheckReport) -> None:
            # Connected after the window's own slot: the summary says the verdict already.
            window.controller.check_finished.disconnect(handled)
            paint = next_paint_done(window.check_panel.summary)
            paint.add_done_callback(lambda done: rendered.set_result((done.result(), report)))

        window.controller.check_finished.connect(handled)
        started = time.perf_counter()
        window.check_panel.run_button.click()
        painted, report = await asyncio.wait_for(rendered, 30)
        assert report.passed, [(r.step, r.why) for r in report.results]
        return painted - started, report.duration_ms / 1000

    async def floor_once() -> float:
        await wait_idle(window)
        settings = check_settings(window.targets.current, window.targets.target())
        started = time.perf_counter()
        report = await run_check(settings)
        elapsed = time.perf_counter() - started
        assert report.passed
        return elapsed

    for _ in range(2):  # lazy imports, the JWKS cache of the emulator's keys: warm first
        await ours_once()
        await floor_once()
    ours: list[float] = []
    own: list[float] = []
    floor: list[float] = []
    for index in range(runs):
        if index % 2:
            floor.append(await floor_once())
        shown, measured = await ours_once()
        ours.append(shown)
        own.append(measured)
        if not index % 2:
            floor.append(await floor_once())
    await window.shutdown()
    return {"ours": ours, "own": own, "floor": floor}


async def filled_history(rows: int) -> dict[str, Any]:
    from bench._exchanges import fill_history

    return {"rows": await fill_history(rows)}


def main(argv: list[str]) -> None:
    measure = argv[1]
    coroutine: Awaitable[dict[str, Any]]
    if measure == "send":
        coroutine = send_latency(int(argv[2]), int(argv[3]))
    elif measure == "stalls":
        coroutine = stalls()
    elif measure == "memory":
        coroutine = memory(int(argv[2]))
    elif measure == "cpu":
        coroutine = idle_cpu(float(argv[2]))
    elif measure == "check":
        coroutine = check_time(int(argv[2]))
    elif measure == "fill-history":
        coroutine = filled_history(int(argv[2]))
    else:
        raise SystemExit(f"unknown measure {measure!r}")
    quiet_qt_log()
    app = QApplication(argv[:1])
    app.setQuitOnLastWindowClosed(False)

    async def run() -> dict[str, Any]:
        return await coroutine

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        result = runner.run(run())
    report(result)


if __name__ == "__main__":
    main(sys.argv)
