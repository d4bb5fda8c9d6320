"""Shared by the packaging tests: the build script, the frozen app's launcher and the icon
generator, loaded by path.

Neither `packaging/` nor `resources/` is a Python package (a package named `packaging` would
shadow the PyPI library pytest itself imports), so they are loaded from their files.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_by_path(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    return load_by_path("idconnect_tester_build", ROOT / "packaging" / "build.py")


@pytest.fixture(scope="session")
def launcher() -> ModuleType:
    return load_by_path("idconnect_tester_launcher", ROOT / "packaging" / "launcher.py")


@pytest.fixture(scope="session")
def make_icons() -> ModuleType:
    return load_by_path("idconnect_tester_make_icons", ROOT / "resources" / "make_icons.py")
