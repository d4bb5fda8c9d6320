"""Start-up time of the installed app against the same app run from the virtual environment.

    .venv/bin/python bench/installer_start.py [--runs 9] [--deb dist/idconnect-tester_*.deb]

Measures the time to the first painted window: each run starts the program with the hidden
`--screenshot PNG` flag (it saves the first painted window, then exits) on Qt's offscreen
platform, and the whole process is timed, from exec to exit. Both programs do exactly the same
work, so the difference is what packaging costs or saves: the PyInstaller bootloader and its
bundled, stripped libraries against the venv's interpreter importing from site-packages. (Both
times include the fixed 0.5 s the app waits before grabbing the window, in ui/launch.py.)

The first run of each program is reported on its own ("first"): it is the coldest start this
script can make without dropping the kernel's page cache (--drop-caches does that, as root, where
the kernel lets it). The median is over the remaining runs, which alternate between the two
programs so that neither gets a warmer machine. With --deb the package is installed first and
removed afterwards (root only).

Target (issue 6): the installed median within 1.3x of the venv's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = Path("/usr/bin/idconnect-tester")
VENV = ROOT / ".venv" / "bin" / "idconnect-tester"
TARGET_RATIO = 1.3


def isolated_env(home: Path) -> dict[str, str]:
    """Offscreen Qt and a throw-away home: no settings from earlier runs change the window."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home))
    for variable, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / sub)
    return env


def time_once(program: Path, env: dict[str, str], png: Path) -> float:
    png.unlink(missing_ok=True)
    started = time.perf_counter()
    result = subprocess.run(
        [str(program), "--screenshot", str(png)], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or not png.is_file():
        raise SystemExit(f"{program} --screenshot failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def measure(programs: dict[str, Path], runs: int, cold: bool) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {label: [] for label in programs}
    with tempfile.TemporaryDirectory(prefix="idct-bench-") as scratch:
        env = isolated_env(Path(scratch) / "home")
        png = Path(scratch) / "window.png"
        for label, program in programs.items():  # the first, coldest run of each
            if cold and not drop_caches():
                print("(cannot drop the page cache here: 'first' is a warm-ish start)")
                cold = False
            times[label].append(time_once(program, env, png))
        for _ in range(runs):
            for label, program in programs.items():
                times[label].append(time_once(program, env, png))
    return times


def print_table(times: dict[str, list[float]], programs: dict[str, Path]) -> float:
    venv_median = statistics.median(times["venv"][1:])
    print(
        f"\nTime to first painted window (--screenshot, offscreen), {len(times['venv']) - 1} runs"
    )
    print(f"{'program':10} {'first':>8} {'median':>8} {'min':>8} {'max':>8} {'ratio':>7}  path")
    for label, samples in times.items():
        rest = samples[1:]
        median = statistics.median(rest)
        print(
            f"{label:10} {samples[0]:7.3f}s {median:7.3f}s {min(rest):7.3f}s {max(rest):7.3f}s "
            f"{median / venv_median:6.2f}x  {programs[label]}"
        )
    return statistics.median(times["installed"][1:]) / venv_median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per program (default 9)")
    parser.add_argument("--installed", type=Path, default=INSTALLED)
    parser.add_argument("--venv", type=Path, default=VENV)
    parser.add_argument("--deb", type=Path, help="install this .deb first, remove it after (root)")
    parser.add_argument("--drop-caches", action="store_true", help="truly cold first runs (root)")
    args = parser.parse_args()
    if args.deb:
        subprocess.run(["dpkg", "-i", str(args.deb)], check=True, capture_output=True)
    try:
        programs = {"installed": args.installed, "venv": args.venv}
        for label, program in programs.items():
            if not (program.is_file() and os.access(program, os.X_OK)):
                hint = "pass --deb dist/idconnect-tester_*.deb" if label == "installed" else ""
                print(f"{label} program not found: {program} {hint}", file=sys.stderr)
                return 2
        ratio = print_table(measure(programs, args.runs, args.drop_caches), programs)
    finally:
        if args.deb and shutil.which("dpkg"):
            subprocess.run(["dpkg", "-r", "idconnect-tester"], check=True, capture_output=True)
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"installed/venv median ratio {ratio:.2f} ({verdict} the {TARGET_RATIO}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
