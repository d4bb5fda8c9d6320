"""What the app imports before its first paint that a bare PySide6 window does not, and who
imports it — the list to work through for a faster start.

    .venv/bin/python bench/importtime.py [--runs 5] [--top 30]

Runs the real console entry (`idconnect-tester`) and the floor (`_bare_child.py startup`) under
`python -X importtime`, with the same paint hook and private bytecode cache as `run.py`'s
start-up measure, so each run stops at the first paint: every import listed happened before it.
Times are medians over the runs, in ms; -X importtime itself adds some overhead to each import,
so read them as proportions of the "extra" total rather than as exact savings.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

from bench._common import BENCH, CONSOLE_SCRIPT, PYTHON, median, private_env


@dataclass
class Node:
    name: str
    self_us: int
    cumulative_us: int
    level: int
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


def parse(stderr: str) -> dict[str, Node]:
    """`-X importtime` lines (post-order, indented by nesting) → nodes by module name."""
    nodes: dict[str, Node] = {}
    pending: dict[int, list[Node]] = defaultdict(list)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, cumulative_us, raw_name = line.split("|", 0) + line[12:].split("|")
        name = raw_name.rstrip()
        level = (len(name) - len(name.lstrip()) - 1) // 2
        node = Node(name.strip(), int(self_us), int(cumulative_us), level)
        node.children = pending.pop(level + 1, [])
        for child in node.children:
            child.parent = node
        pending[level].append(node)
        nodes.setdefault(node.name, node)
    return nodes


def importer(node: Node) -> str:
    """The nearest idconnect_tester module (or the top of the chain) that pulled `node` in."""
    current = node.parent
    while current is not None:
        if current.name.startswith("idconnect_tester"):
            return current.name
        if current.parent is None:
            return current.name
        current = current.parent
    return "(top level)"


def run(command: list[str], env: dict[str, str]) -> dict[str, Node]:
    completed = subprocess.run(
        [str(PYTHON), "-X", "importtime", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "IDCT-BENCH painted" not in completed.stdout:
        raise RuntimeError(f"{command} never painted:\n{completed.stderr[-3000:]}")
    return parse(completed.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idct-imports-") as scratch_name:
        scratch = Path(scratch_name)
        hook = scratch / "hook"
        hook.mkdir()
        shutil.copy(BENCH / "_paint_hook.py", hook / "_paint_hook.py")
        (hook / "sitecustomize.py").write_text("import _paint_hook\n\n_paint_hook.install()\n")
        env = private_env(
            scratch / "home", PYTHONPATH=str(hook), PYTHONPYCACHEPREFIX=str(scratch / "pyc")
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        app = [str(CONSOLE_SCRIPT)]
        floor = [str(BENCH / "_bare_child.py"), "startup"]
        run(app, env)  # warm: page cache and the private bytecode cache
        run(floor, env)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        app_runs = [run(app, env) for _ in range(args.runs)]
        floor_modules = set(run(floor, env))

    last = app_runs[-1]
    extra = [name for name in last if name not in floor_modules]

    def self_ms(name: str) -> float:
        return median([r[name].self_us for r in app_runs if name in r]) / 1000

    def cumulative_ms(name: str) -> float:
        return median([r[name].cumulative_us for r in app_runs if name in r]) / 1000

    total = sum(self_ms(name) for name in extra)
    print("Imported before the first paint by idconnect-tester but not by a bare window:")
    print(f"{len(extra)} modules, {total:.0f} ms of import time (self, median of {args.runs}).\n")

    by_package: dict[str, float] = defaultdict(float)
    for name in extra:
        by_package[name.split(".")[0]] += self_ms(name)
    print("By top-level package (self time summed):")
    for package, spent in sorted(by_package.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {spent:7.1f} ms  {package}")

    print("\nThe app's own modules (self = its own code; cumulative = with what it pulls in):")
    own = [name for name in extra if name.startswith("idconnect_tester")]
    for name in sorted(own, key=cumulative_ms, reverse=True)[: args.top]:
        print(f"  {cumulative_ms(name):7.1f} cum  {self_ms(name):6.1f} self  {name}")

    print("\nHeaviest third-party / standard-library modules pulled in, and by which app module:")

    def pulled_in_from_outside(name: str) -> bool:
        """Not the app's own, and imported by another package (not by its own parent)."""
        parent = last[name].parent
        return (
            not name.startswith("idconnect_tester")
            and parent is not None
            and parent.name.split(".")[0] != name.split(".")[0]
        )

    foreign = [name for name in extra if pulled_in_from_outside(name)]
    for name in sorted(foreign, key=cumulative_ms, reverse=True)[: args.top]:
        print(f"  {cumulative_ms(name):7.1f} cum  {name:32} ← {importer(last[name])}")


if __name__ == "__main__":
    main()
