"""ID Connect Tester benchmarks: one command, one table — each figure beside its floor, measured
in the same run, as a ratio against its target.

    .venv/bin/python bench/run.py                  # everything (about 4 minutes)
    .venv/bin/python bench/run.py --quick          # fewer runs, shorter waits (about 1 minute)
    .venv/bin/python bench/run.py --only startup,send

Measures: startup, send, stalls, memory, cpu, throughput, check (see bench/README.md for what each
one measures, against which floor, and why). Every process that shows a window runs on Qt's
offscreen platform with a private, throw-away HOME.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import throughput
from bench._common import (
    BENCH,
    PYTHON,
    Row,
    median,
    ms,
    private_env,
    render_table,
    run_child,
    spread,
    verdict,
)

MEASURES = ("startup", "send", "stalls", "memory", "cpu", "throughput", "check")
STARTUP_READY_TARGET = 2.0
SEND_OVERHEAD_TARGET_S = 0.010
STALL_TARGET_S = 0.050
IDLE_RSS_TARGET_MB = 130
RSS_GROWTH_TARGET = 0.10
IDLE_CPU_TARGET = 0.01
CHECK_TARGET_S = 1.0


@dataclass(frozen=True)
class Settings:
    quick: bool
    startup_runs: int
    send_runs: int
    exchanges: int
    cpu_seconds: float
    throughput_seconds: float
    check_runs: int


@dataclass
class Report:
    rows: list[Row]
    notes: list[str]


# --- startup ---


def _spawn_until_painted(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning `command` to each mark the paint hook printed."""
    spawned = time.clock_gettime(time.CLOCK_MONOTONIC)
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    marks = {}
    for line in completed.stdout.splitlines():
        if line.startswith("IDCT-BENCH "):
            _, name, value = line.split()
            marks[name] = float(value) - spawned
    if "painted" not in marks:
        raise RuntimeError(
            f"{command} never painted (exit {completed.returncode}):\n{completed.stderr[-3000:]}"
        )
    return marks


def measure_startup(settings: Settings, scratch: Path) -> Report:
    hook = scratch / "hook"
    hook.mkdir()
    shutil.copy(BENCH / "_paint_hook.py", hook / "_paint_hook.py")
    (hook / "sitecustomize.py").write_text("import _paint_hook\n\n_paint_hook.install()\n")

    def startup_env(home: str) -> dict[str, str]:
        env = private_env(
            scratch / home,
            PYTHONPATH=str(hook),
            # A private bytecode cache, written by the warm-up runs only: every measured run of
            # every program reads fresh .pyc files and none writes any, whatever state the
            # repository's own __pycache__ directories are in.
            PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    # The everyday launch: a history at its default retention, 1,000 exchanges.
    history_env = startup_env("home-startup-history")
    run_child([str(BENCH / "_app_child.py"), "fill-history", "1000"], history_env)
    app = [str(PYTHON), str(BENCH / "_startup_child.py")]
    programs = {
        "floor": ([str(PYTHON), str(BENCH / "_bare_child.py"), "startup"], startup_env("home")),
        # The same window on the qasync loop with the Qt namespace: the shape's own price.
        "qasync": (
            [str(PYTHON), str(BENCH / "_qasync_floor_child.py")],
            startup_env("home-qasync"),
        ),
        # The app's request column alone, result docks empty: what a two-step start-up could
        # paint first.
        "column": (
            [str(PYTHON), str(BENCH / "_request_column_child.py")],
            startup_env("home-column"),
        ),
        # The app child goes on after its first paint and reports when the window is `ready`.
        "app": (app, dict(startup_env("home-startup"), IDCT_BENCH_UNTIL_READY="1")),
        "app+history": (app, dict(history_env, IDCT_BENCH_UNTIL_READY="1")),
    }
    for command, env in programs.values():  # warm the page cache and the bytecode cache
        _spawn_until_painted(command, env)
    marks: dict[str, list[dict[str, float]]] = {name: [] for name in programs}
    names = list(programs)
    for run in range(settings.startup_runs):
        order = names[run % len(names) :] + names[: run % len(names)]  # rotate: no favourite
        for name in order:
            command, env = programs[name]
            marks[name].append(
                _spawn_until_painted(command, dict(env, PYTHONDONTWRITEBYTECODE="1"))
            )

    def mark(name: str, key: str) -> list[float]:
        return [m[key] for m in marks[name] if key in m]

    floor = median(mark("floor", "painted"))
    target = STARTUP_READY_TARGET
    rows = []
    for name, label in (
        ("app", "cold start → window ready (painted, target filled, Get code usable)"),
        ("app+history", "cold start → window ready, with a 1,000-exchange history"),
    ):
        ratio = median(mark(name, "ready")) / floor
        rows.append(
            Row(
                label,
                ms(median(mark(name, "ready"))),
                ms(floor),
                f"{ratio:.2f}× / ≤ {target}×",
                verdict(ratio <= target, "" if ratio <= target else f"(+{ratio / target - 1:.0%})"),
            )
        )
    notes = [f"startup: {settings.startup_runs} runs each, interleaved; floor = a bare PySide6 "]
    notes[-1] += "QMainWindow with one QLabel (1400×900) and nothing else imported, first paint."
    for name in names:
        phases = {
            key: median(mark(name, key))
            for key in ("interpreter_ready", "qtwidgets_imported", "show", "painted")
        }
        notes.append(
            f"  {name:11}: interpreter {ms(phases['interpreter_ready'])}, QtWidgets imported "
            f"{ms(phases['qtwidgets_imported'])}, show() {ms(phases['show'])}, painted "
            f"{ms(phases['painted'])} (range {spread(mark(name, 'painted'))})"
        )
    shape = median(mark("qasync", "painted"))
    notes.append(
        f"  the same bare window on the qasync loop, with asyncio, qasync and Qt's enums loaded "
        f"(_qasync_floor_child.py): painted at {ms(shape)} = {shape / floor:.2f}× the floor, "
        f"before any code of the app's own"
    )
    column = median(mark("column", "painted"))
    notes.append(
        f"  the app's request column alone, result docks empty (_request_column_child.py): "
        f"painted at {ms(column)} = {column / floor:.2f}× the floor — what a start-up that built "
        f"the result panels after the first frame could show first"
    )
    for name in ("app", "app+history"):
        ready = median(mark(name, "ready"))
        notes.append(
            f"  {name}: ready {ms(ready)} (range {spread(mark(name, 'ready'))}), "
            f"{ms(ready - median(mark(name, 'painted')))} after its first paint"
        )
    return Report(rows, notes)


# --- in-process measures (each in its own child) ---


def measure_send(settings: Settings, scratch: Path) -> Report:
    rows: list[Row] = []
    notes: list[str] = []
    for history in (0, 1000):
        env = private_env(scratch / f"home-send-{history}")
        result = run_child(
            [str(BENCH / "_app_child.py"), "send", str(settings.send_runs), str(history)], env
        )
        ours, floor = result["ours"], result["floor"]
        overhead = median([a - b for a, b in zip(ours, floor, strict=True)])
        label = "Send → rendered vs bare httpx"
        label += f" ({result['history_rows']}-row history)" if history else ""
        rows.append(
            Row(
                label,
                ms(median(ours)),
                ms(median(floor)),
                f"+{ms(overhead)} / ≤ +10 ms",
                verdict(overhead <= SEND_OVERHEAD_TARGET_S),
            )
        )
        notes.append(
            f"send ({history or 'empty'} history): {len(ours)} pairs interleaved; ours "
            f"{spread(ours)}, floor {spread(floor)}; overhead = median of paired differences; "
            f"the id_token's verdict painted {ms(median(result['verdicts']))} after the click"
        )
    return Report(rows, notes)


def measure_check(settings: Settings, scratch: Path) -> Report:
    env = private_env(scratch / "home-check")
    result = run_child([str(BENCH / "_app_child.py"), "check", str(settings.check_runs)], env)
    ours, own, floor = result["ours"], result["own"], result["floor"]
    row = Row(
        "Credential check, click → report shown",
        ms(median(ours)),
        ms(median(floor)),
        "< 1 s",
        verdict(median(ours) < CHECK_TARGET_S),
    )
    notes = [
        f"check: {len(ours)} runs of the 8 steps against the built-in emulator; click → report "
        f"painted {spread(ours)}; the check's own time (its report) {spread(own)}; floor = "
        f"the same check by the core alone, as the command line runs it, {spread(floor)}"
    ]
    return Report([row], notes)


def measure_stalls(settings: Settings, scratch: Path) -> Report:
    result = run_child([str(BENCH / "_app_child.py"), "stalls"], private_env(scratch / "home-st"))
    idle = result["idle"]
    rows = []
    for key, label in (
        ("slow", "longest stall: 3 s slow response pending"),
        ("huge", "longest stall: 5 MB response rendered"),
        ("history", "longest stall: 1,000 history rows load"),
        ("send_full_history", "longest stall: Send with 1,000-row history"),
    ):
        stall = result[key]
        ok = stall < STALL_TARGET_S
        detail = "" if ok else f"({stall / STALL_TARGET_S:.0f}× the target)"
        rows.append(Row(label, ms(stall), ms(idle), "< 50 ms", verdict(ok, detail)))
    notes = [
        "stalls: a 10 ms PreciseTimer on the GUI thread; longest gap between its ticks from the "
        "click until the answer is rendered, written to the history and every background task "
        "is done; floor = the same probe over 3 s of idle window.",
        f"  5 MB body: {result['huge_bytes']:,} bytes received; raw panel truncated it: "
        f"{result['huge_shown']}; history reload alone took {ms(result['history_refresh_s'])} "
        f"for {result['history_rows']} rows; outcomes {result['outcomes']}",
    ]
    return Report(rows, notes)


def measure_memory(settings: Settings, scratch: Path) -> Report:
    floor = run_child(
        [str(BENCH / "_bare_child.py"), "memory"], private_env(scratch / "home-mem-floor")
    )
    ours = run_child(
        [str(BENCH / "_app_child.py"), "memory", str(settings.exchanges)],
        private_env(scratch / "home-mem"),
        timeout_s=1800,
    )
    idle_mb, floor_mb = ours["idle_hwm_kb"] / 1024, floor["hwm_kb"] / 1024
    growth = ours["after_rss_kb"] / ours["base_rss_kb"] - 1
    count = settings.exchanges
    rows = [
        Row(
            "peak RSS at idle (VmHWM)",
            f"{idle_mb:.1f} MB",
            f"{floor_mb:.1f} MB",
            f"{idle_mb / floor_mb:.2f}× / ≤ {IDLE_RSS_TARGET_MB} MB",
            verdict(idle_mb <= IDLE_RSS_TARGET_MB),
        ),
        Row(
            f"RSS after {count:,} exchanges" + (" (--quick)" if settings.quick else ""),
            f"{ours['after_rss_kb'] / 1024:.1f} MB",
            f"{ours['base_rss_kb'] / 1024:.1f} MB",
            f"{growth:+.1%} / ≤ +10%",
            verdict(growth <= RSS_GROWTH_TARGET),
        ),
    ]
    notes = [
        "memory: VmHWM/VmRSS from /proc/self/status; idle = 1 s after the first paint; floor of "
        "the growth row = RSS after a warm-up (token + 20 refreshes), before the counted ones.",
        f"  RSS halfway {ours['mid_rss_kb'] / 1024:.1f} MB; peak over the run "
        f"{ours['hwm_kb'] / 1024:.1f} MB; outcomes {ours['outcomes']} (one in ten a drill); "
        f"{ours['history_rows']} history rows listed at the end",
    ]
    return Report(rows, notes)


def measure_cpu(settings: Settings, scratch: Path) -> Report:
    seconds = str(settings.cpu_seconds)
    with ThreadPoolExecutor(2) as pool:  # both idle: running them side by side costs nothing
        ours_job = pool.submit(
            run_child,
            [str(BENCH / "_app_child.py"), "cpu", seconds],
            private_env(scratch / "home-cpu"),
        )
        floor_job = pool.submit(
            run_child,
            [str(BENCH / "_bare_child.py"), "cpu", seconds],
            private_env(scratch / "home-cpu-floor"),
        )
        ours, floor = ours_job.result(), floor_job.result()
    ours_share = ours["cpu_s"] / ours["wall_s"]
    floor_share = floor["cpu_s"] / floor["wall_s"]
    label = f"idle CPU, countdown running {settings.cpu_seconds:.0f} s"
    label += " (--quick)" if settings.quick else ""
    rows = [
        Row(
            label,
            f"{ours_share:.2%}",
            f"{floor_share:.2%}",
            "< 1% of a core",
            verdict(ours_share < IDLE_CPU_TARGET),
        )
    ]
    notes = [
        f"cpu: process CPU time over {ours['wall_s']:.1f} s of wall time (emulator thread "
        f"included); countdown went {ours['before']} → {ours['after']}; floor = a bare window "
        "whose one label counts down once a second."
    ]
    return Report(rows, notes)


def measure_throughput(settings: Settings, scratch: Path) -> Report:
    ours, floor = throughput.measure(settings.throughput_seconds)
    ok = not ours.errors and ours.ok > 0
    rows = [
        Row(
            "emulator: signed refreshes, 20 clients",
            f"{ours.rps:.0f} req/s",
            f"{floor.rps:.0f} req/s",
            f"{ours.rps / floor.rps:.2f}× / 0 errors",
            verdict(ok, f"({len(ours.errors)} errors)"),
        )
    ]
    notes = [
        f"throughput: {settings.throughput_seconds:.0f} s per server after 1 s warm-up; latency "
        f"p50/p99 ours {median(ours.latencies) * 1000:.1f}/{ours.percentile(0.99) * 1000:.1f} ms,"
        f" floor {median(floor.latencies) * 1000:.1f}/{floor.percentile(0.99) * 1000:.1f} ms; "
        "floor = stdlib ThreadingHTTPServer answering a fixed body (no signature, no RSA).",
        f"  emulator RSS {ours.rss_before_kb / 1024:.1f} → {ours.rss_after_kb / 1024:.1f} MB "
        f"over {ours.ok:,} token requests (floor {floor.rss_before_kb / 1024:.1f} → "
        f"{floor.rss_after_kb / 1024:.1f} MB)",
    ]
    notes += [f"  error: {error}" for error in ours.errors[:5]]
    return Report(rows, notes)


RUNNERS: dict[str, Callable[[Settings, Path], Report]] = {
    "startup": measure_startup,
    "send": measure_send,
    "stalls": measure_stalls,
    "memory": measure_memory,
    "cpu": measure_cpu,
    "throughput": measure_throughput,
    "check": measure_check,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter waits")
    parser.add_argument("--only", default=",".join(MEASURES), help="comma-separated measures")
    parser.add_argument("--runs", type=int, help="start-up runs per program (default 11; 5)")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(MEASURES))
    if unknown:
        parser.error(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
    settings = Settings(
        quick=args.quick,
        startup_runs=args.runs or (5 if args.quick else 21),
        send_runs=10 if args.quick else 40,
        exchanges=200 if args.quick else 1000,
        cpu_seconds=10.0 if args.quick else 60.0,
        throughput_seconds=3.0 if args.quick else 10.0,
        check_runs=5 if args.quick else 21,
    )
    rows: list[Row] = []
    notes: list[str] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="idct-bench-") as scratch:
        for name in chosen:
            sys.stderr.write(f"measuring {name}…\n")
            report = RUNNERS[name](settings, Path(scratch))
            rows += report.rows
            notes += report.notes
    title = (
        f"ID Connect Tester benchmarks ({'quick' if args.quick else 'full'}; "
        f"{os.cpu_count()} CPUs, QT_QPA_PLATFORM=offscreen, {time.perf_counter() - began:.0f} s)"
    )
    print(render_table(rows, title))
    print()
    print("\n".join(notes))
    return 0 if all(not row.verdict.startswith("FAIL") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
