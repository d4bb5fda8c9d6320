"""Shared benchmark plumbing with no Qt in it: the result table, statistics, /proc readers, the
private environment every child process runs in, and running a child that reports JSON.

Qt-side helpers (stall probe, waiting on signals, painting) are in `_qt.py`; those modules are
only imported by the child processes, so the orchestrator stays light.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
BENCH: Final = ROOT / "bench"
PYTHON: Final = Path(sys.executable)
# The console entry point installed next to this interpreter (pip's generated script).
CONSOLE_SCRIPT: Final = PYTHON.parent / "idconnect-tester"
RESULT_PREFIX: Final = "IDCT-RESULT "


# --- the table ---


@dataclass(frozen=True)
class Row:
    """One line of the table. `ratio` holds the ratio (or the figure) against its target."""

    measure: str
    ours: str
    floor: str
    ratio: str
    verdict: str


def verdict(ok: bool | None, detail: str = "") -> str:
    word = "info" if ok is None else ("PASS" if ok else "FAIL")
    return f"{word} {detail}".strip()


def render_table(rows: Sequence[Row], title: str = "") -> str:
    header = Row("measure", "ours", "floor", "ratio / target", "verdict")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in Row.__dataclass_fields__]
    lines = [title] if title else []
    for index, row in enumerate(table):
        cells = [
            getattr(row, f).ljust(w) for f, w in zip(Row.__dataclass_fields__, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """`min–max` in ms, for the notes under the table."""
    return f"{min(values) * 1000:.1f}–{max(values) * 1000:.1f} ms"


# --- /proc readers (Linux) ---


def proc_status_kb(field: str, pid: int | str = "self") -> int:
    """A `kB` field of /proc/PID/status, e.g. VmRSS (resident now) or VmHWM (peak resident)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def open_fd_targets() -> list[str]:
    """What each open file descriptor of this process points at (`socket:[…]`, paths…)."""
    targets = []
    for entry in os.scandir("/proc/self/fd"):
        try:
            targets.append(os.readlink(entry.path))
        except OSError:
            continue  # the descriptor scandir itself used, already closed
    return targets


@dataclass(frozen=True)
class Handles:
    fds: int
    sockets: int
    threads: int
    tasks: int
    rss_kb: int

    def describe(self) -> str:
        return (
            f"fds {self.fds} (sockets {self.sockets}), threads {self.threads}, "
            f"tasks {self.tasks}, RSS {self.rss_kb / 1024:.1f} MB"
        )


def handles(tasks: int = 0) -> Handles:
    targets = open_fd_targets()
    return Handles(
        fds=len(targets),
        sockets=sum(t.startswith("socket:") for t in targets),
        threads=threading.active_count(),
        tasks=tasks,
        rss_kb=proc_status_kb("VmRSS"),
    )


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (CLOCK_PROCESS_CPUTIME_ID: ns
    resolution, unlike os.times()' 10 ms ticks)."""
    return time.process_time()


# --- child processes ---


def private_env(home: Path, **extra: str) -> dict[str, str]:
    """Offscreen Qt and a throw-away home: nothing a benchmark does touches the user's settings,
    history or keyring, and no earlier run's settings change the window."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        NO_PROXY="127.0.0.1,localhost,::1",
        PYTHONUNBUFFERED="1",
    )
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env.pop(variable, None)
    for variable, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_RUNTIME_DIR", "run"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        env[variable] = str(path)
    (home / "run").chmod(0o700)
    env.update(extra)
    return env


def run_child(args: Sequence[str], env: dict[str, str], timeout_s: float = 600) -> dict[str, Any]:
    """Run `python bench/<module>.py args…` and return the JSON it reported."""
    completed = subprocess.run(
        [str(PYTHON), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    raise RuntimeError(
        f"{' '.join(args)} reported nothing (exit {completed.returncode}):\n"
        f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
    )


def report(result: dict[str, Any]) -> None:
    """The one line a child prints for its parent."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()
