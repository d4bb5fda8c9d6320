"""Soak: many token + refresh cycles through the real window, with auto-refresh on a short TTL.

    .venv/bin/python bench/soak.py                    # 1,000 cycles (about 2 minutes)
    .venv/bin/python bench/soak.py --cycles 100       # a quick check

Each cycle presses Get code, Send (authorization_code) and Send (refresh_token), exactly as a
person would, against the window's built-in emulator started with a short access-token TTL
(`MainWindow(emulator_ttl_s=2)`). Auto-refresh is on with a 1 s lead, so it fires whenever the
window sits still for a second; every `--auto-every` cycles the soak stops and waits for it.
Every exchange the window receives — ours and auto-refresh's — must be granted.

Reported: failures (target 0), RSS growth, and open handles (file descriptors and sockets,
threads, asyncio tasks) before (after one warm-up cycle) and after; and once more after the
window has shut down. The history starts full (1,000 stored exchanges, its list limit), so the
RSS comparison measures steady state — a leak — not the list filling up by design. Runs on
Qt's offscreen platform unless QT_QPA_PLATFORM says otherwise, with a private, throw-away HOME.
Exit status 0 only when nothing failed or leaked.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import gc
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench._common import Handles, handles, private_env, proc_status_kb

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPushButton

    from idconnect_tester.core.exchange import Exchange
    from idconnect_tester.core.id_token_checks import Verification
    from idconnect_tester.core.session_events import SessionEvent
    from idconnect_tester.ui.main_window import MainWindow

STEP_TIMEOUT_S = 30.0
RSS_GROWTH_LIMIT = 0.10


@dataclass
class Tally:
    exchanges: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    auto_refreshes: int = 0
    verifications: int = 0
    failed_checks: Counter[str] = field(default_factory=Counter)


def running_tasks() -> int:
    return sum(not task.done() for task in asyncio.all_tasks())


def snapshot() -> Handles:
    gc.collect()
    return handles(tasks=running_tasks())


async def press(window: MainWindow, button: QPushButton, *, cycle: int, what: str) -> None:
    """Click once the window is free (auto-refresh may be running) and wait for the result."""
    from bench._qt import expect, wait_until

    await wait_until(
        lambda: not window.controller.busy and button.isEnabled(), timeout_s=STEP_TIMEOUT_S
    )
    # Synchronous from here to the click: nothing else can start an operation in between.
    signal = (
        window.controller.code_finished
        if button is window.form.get_code_button
        else window.controller.exchange_finished
    )
    finished = expect(signal)
    button.click()
    if not window.controller.busy:
        finished.cancel()
        raise RuntimeError(f"cycle {cycle}: {what} did not start")
    await asyncio.wait_for(finished, STEP_TIMEOUT_S)


async def cycle(window: MainWindow, index: int) -> None:
    from idconnect_tester import vendor

    form = window.form
    await press(window, form.get_code_button, cycle=index, what="get code")
    if not form.code.text():
        raise RuntimeError(f"cycle {index}: Get code filled in no code")
    form.set_grant(vendor.GRANT_AUTHORIZATION_CODE)
    await press(window, form.send_button, cycle=index, what="code exchange")
    form.set_grant(vendor.GRANT_REFRESH_TOKEN)
    await press(window, form.send_button, cycle=index, what="refresh")


async def soak(cycles: int, ttl_s: int, lead_s: int, auto_every: int) -> int:
    from bench._exchanges import fill_history
    from bench._qt import expect, open_window, wait_idle

    from idconnect_tester.core.exchange import TokenGranted
    from idconnect_tester.core.id_token_checks import CheckStatus
    from idconnect_tester.core.session_events import IdTokenChanged

    # The history list holds up to 1,000 rows by design: start with it full, so the RSS
    # comparison sees steady state (a leak), not the list filling to its limit.
    await fill_history(1000)
    window = await open_window(emulator_ttl_s=ttl_s)
    window.countdown_panel.auto_refresh_lead.setValue(lead_s)
    window.countdown_panel.auto_refresh.setChecked(True)
    tally = Tally()

    def on_exchange(exchange: Exchange) -> None:
        auto = window.status.text().startswith("Auto-refresh")
        tally.auto_refreshes += auto
        kind = type(exchange.outcome).__name__
        tally.exchanges[kind] += 1
        if not isinstance(exchange.outcome, TokenGranted):
            who = "auto-refresh" if auto else "send"
            tally.failures.append(f"{who}: {exchange.summary()} ({kind})")

    last_verdict: list[Verification | None] = [None]

    def on_session_event(event: SessionEvent) -> None:
        # Each id_token verdict the panel is given, once (a re-render hands the same one out).
        if not isinstance(event, IdTokenChanged) or event.view is None:
            return
        verification = event.view.verification
        if verification is None or verification is last_verdict[0]:
            return
        last_verdict[0] = verification
        tally.verifications += 1
        for check in verification.checks:
            if check.status is CheckStatus.FAIL:
                tally.failed_checks[check.name] += 1

    window.controller.exchange_finished.connect(on_exchange)
    window.session.subscribe(on_session_event)

    await cycle(window, 0)  # warm-up: pools, caches, lazy imports
    await wait_idle(window)
    before = snapshot()
    started = time.perf_counter()
    problems: list[str] = []
    trace: list[str] = []  # RSS every 100 cycles: a plateau or a slope
    for index in range(1, cycles + 1):
        try:
            await cycle(window, index)
            if auto_every and index % auto_every == 0:
                waited = expect(window.controller.exchange_finished)
                await asyncio.wait_for(waited, ttl_s + STEP_TIMEOUT_S)
                if not window.status.text().startswith("Auto-refresh"):
                    problems.append(f"cycle {index}: expected an auto-refresh exchange")
                if not window.countdown_panel.auto_refresh.isChecked():
                    problems.append(f"cycle {index}: auto-refresh switched itself off")
                    window.countdown_panel.auto_refresh.setChecked(True)
        except (RuntimeError, TimeoutError) as exc:
            problems.append(str(exc) or f"cycle {index}: timed out")
        if index % 100 == 0:
            rss_mb = proc_status_kb("VmRSS") / 1024
            trace.append(f"{rss_mb:.1f}")
            print(
                f"  {index} cycles, {time.perf_counter() - started:.0f} s, RSS {rss_mb:.1f} MB",
                file=sys.stderr,
            )
    elapsed = time.perf_counter() - started
    window.countdown_panel.auto_refresh.setChecked(False)
    await wait_idle(window)
    after = snapshot()
    rows = window.history_panel.row_count()
    await window.shutdown()
    window.close()
    await asyncio.sleep(0.2)
    closed = snapshot()

    growth = after.rss_kb / before.rss_kb - 1
    failures = tally.failures + problems
    handles_grew = (
        after.fds > before.fds or after.threads > before.threads or after.tasks > before.tasks
    )
    print(f"Soak: {cycles:,} cycles (get code → token → refresh) in {elapsed:.0f} s")
    print(f"  exchanges: {sum(tally.exchanges.values()):,} {dict(tally.exchanges)}")
    print(f"  auto-refresh exchanges: {tally.auto_refreshes} (TTL {ttl_s} s, lead {lead_s} s)")
    print(f"  failures: {len(failures)}")
    for failure in failures[:10]:
        print(f"    {failure}")
    print(
        f"  id_token verifications: {tally.verifications:,}; failed checks: "
        f"{dict(tally.failed_checks) or 'none'}"
    )
    print(f"  RSS: {before.rss_kb / 1024:.1f} MB → {after.rss_kb / 1024:.1f} MB ({growth:+.1%})")
    print(f"  RSS every 100 cycles (MB): {' '.join(trace) or '—'}")
    print(f"  before: {before.describe()}")
    print(f"  after:  {after.describe()}")
    print(f"  after shutdown: {closed.describe()}")
    print(f"  history rows listed: {rows}")
    missed = [
        *([f"{len(failures)} failures"] if failures else []),
        *([f"RSS {growth:+.1%} > +{RSS_GROWTH_LIMIT:.0%}"] if growth > RSS_GROWTH_LIMIT else []),
        *(["handles grew"] if handles_grew else []),
    ]
    print("  verdict:", f"FAIL ({'; '.join(missed)})" if missed else "PASS")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--ttl", type=int, default=2, help="access token lifetime (s)")
    parser.add_argument("--lead", type=int, default=1, help="auto-refresh lead (s)")
    parser.add_argument(
        "--auto-every", type=int, default=50, help="wait for an auto-refresh every N cycles"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idct-soak-") as scratch:
        os.environ.update(private_env(Path(scratch) / "home"))
        import qasync
        from PySide6.QtWidgets import QApplication

        from idconnect_tester.ui.launch import quiet_qt_log

        quiet_qt_log()
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            status = runner.run(soak(args.cycles, args.ttl, args.lead, args.auto_every))
        del app
    return status


if __name__ == "__main__":
    sys.exit(main())
