"""Facts about the app that every packaging recipe shares, read from the package's own files.

The version lives in one place, `gui/idconnect_tester/__init__.py`. Reading it with `ast` instead
of importing the package keeps the spec and the build script independent of the environment they
run in: a stale editable install or a missing dependency cannot give an installer the wrong
version.

This file is loaded by path (by the spec and by build.py, which put this folder on `sys.path`,
and by the tests): `packaging/` is deliberately not a Python package, because a package named
`packaging` would shadow the PyPI `packaging` library that pip, pytest and PyInstaller import.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGE_DIR: Final = ROOT / "gui" / "idconnect_tester"

APP_ID: Final = "idconnect-tester"  # executable, .deb package, desktop file and icon name
APP_NAME: Final = "ID Connect Tester"
# Reverse-DNS id used by AppStream and the macOS bundle; the project owns no domain, so it sits
# under the io.github namespace AppStream recommends for such projects.
REVERSE_DNS_ID: Final = "io.github.idconnect_tester.IdConnectTester"
SUMMARY: Final = "Test Sumsub ID Connect credentials by hand, with a built-in emulator"
MAINTAINER: Final = "ID Connect Tester contributors <idconnect-tester@users.noreply.github.com>"
HOMEPAGE: Final = "https://github.com/idconnect-tester/idconnect-tester"
LICENSE: Final = "MIT"
ICON_SVG: Final = PACKAGE_DIR / "assets" / f"{APP_ID}.svg"


def read_version(init_file: Path = PACKAGE_DIR / "__init__.py") -> str:
    """The `__version__ = "…"` string literal assigned at the top of the package's __init__."""
    tree = ast.parse(init_file.read_text(encoding="utf-8"), filename=str(init_file))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError(f"no __version__ string literal in {init_file}")
