"""The layering docs/architecture.md describes: `core/` and `emulator/` are Qt-free, and neither
imports the other (the emulator checks signatures, PKCE and tokens with its own code, so a client
mistake cannot hide by agreeing with itself).

Ruff's banned-api rule covers the Qt half at lint time; this checks every import statement
(inside functions too, and `importlib.import_module("…")` with a literal name) and what a fresh
interpreter actually loads. Last, one rule for asyncio code in every layer: the loop is asked for
only from inside it (`get_running_loop`), never with `get_event_loop`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import idconnect_tester

PACKAGE_DIR = Path(idconnect_tester.__file__).parent
QT = ("PySide6", "qasync", "shiboken6")
FORBIDDEN = {
    "core": (*QT, "idconnect_tester.emulator", "idconnect_tester.ui"),
    "emulator": (*QT, "idconnect_tester.core", "idconnect_tester.ui"),
}


@dataclass(frozen=True)
class Import:
    module: str
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every module `source` imports, wherever the statement is, as absolute names."""
    found: list[Import] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ..core import y
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.append(Import(prefix, node.lineno))
            found += [Import(f"{prefix}.{alias.name}", node.lineno) for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in {"__import__", "import_module"}
                )
            )
        ):
            found.append(Import(node.args[0].value, node.lineno))
    return found


def _violations(layer: str) -> list[str]:
    banned = FORBIDDEN[layer]
    found = []
    for path in sorted((PACKAGE_DIR / layer).rglob("*.py")):
        module = _module_name(path)
        source = path.read_text(encoding="utf-8")
        for imported in imports_of(source, module, is_package=path.name == "__init__.py"):
            if any(imported.module == b or imported.module.startswith(b + ".") for b in banned):
                found.append(f"{path.relative_to(PACKAGE_DIR)}:{imported.line} {imported.module}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_stay_in_bounds(layer: str) -> None:
    assert (PACKAGE_DIR / layer / "__init__.py").is_file()
    assert _violations(layer) == []


def test_the_checker_finds_hidden_and_relative_imports() -> None:
    source = """
import json
def later():
    from PySide6.QtCore import QObject
    import qasync
class Lazy:
    def load(self):
        importlib.import_module("PySide6.QtWidgets")
from ..emulator import server
from . import sibling
"""
    modules = {i.module for i in imports_of(source, "idconnect_tester.core.client")}
    assert {
        "PySide6.QtCore",
        "qasync",
        "PySide6.QtWidgets",
        "idconnect_tester.emulator.server",
        "idconnect_tester.core.sibling",
    } <= modules
    in_package = imports_of("from . import x", "idconnect_tester.core", is_package=True)
    assert in_package[-1].module == "idconnect_tester.core.x"


def test_a_fresh_interpreter_loads_no_qt_for_the_core_and_the_emulator() -> None:
    # Every module of both layers, so a Qt import anywhere in them would show up here.
    modules = sorted(
        _module_name(path) for layer in FORBIDDEN for path in (PACKAGE_DIR / layer).rglob("*.py")
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "idconnect_tester.core.client" in modules and "idconnect_tester.emulator" in modules
    assert json.loads(done.stdout) == []


def _calls_to_get_event_loop(source: str) -> list[int]:
    """Lines that call `asyncio.get_event_loop()` (or the name imported from asyncio)."""
    lines: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        named = (isinstance(function, ast.Attribute) and function.attr == "get_event_loop") or (
            isinstance(function, ast.Name) and function.id == "get_event_loop"
        )
        if named:
            lines.append(node.lineno)
    return lines


def test_the_checker_finds_get_event_loop_however_it_is_reached() -> None:
    source = (
        "import asyncio\n"
        "from asyncio import get_event_loop\n"
        "asyncio.get_event_loop()\n"
        "get_event_loop()\n"
    )
    assert _calls_to_get_event_loop(source) == [3, 4]


def test_no_code_asks_for_the_event_loop_outside_a_running_one() -> None:
    """`asyncio.get_event_loop()` outside a coroutine makes (or finds) some loop that need not
    be the one Qt runs — deprecated for that reason since Python 3.12. Code that needs the loop
    runs in it and asks `asyncio.get_running_loop()`."""
    found = {
        str(path.relative_to(PACKAGE_DIR)): lines
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if (lines := _calls_to_get_event_loop(path.read_text(encoding="utf-8")))
    }
    assert found == {}
