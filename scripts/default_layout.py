"""Regenerate the first launch's saved dock layout (`SAVED_STATE` in
gui/idconnect_tester/ui/default_layout.py) after changing `arrange()` or `size_docks()`.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/default_layout.py

Builds the real window in a throwaway HOME, lays its docks out with the dock API at the default
window size, and writes what `QMainWindow.saveState()` returns into default_layout.py.
tests/ui/test_default_layout.py says when that is needed.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "gui" / "idconnect_tester" / "ui" / "default_layout.py"


def main() -> int:
    home = tempfile.mkdtemp(prefix="idct-layout-")
    os.environ.update(HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from idconnect_tester.ui import default_layout, theme
    from idconnect_tester.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    theme.apply_style(app, "light")  # what launch() does; the layout doesn't depend on colours
    window = MainWindow()
    state = bytes(default_layout.arrange_and_save(window, window.docks).toBase64()).decode()
    lines = textwrap.wrap(state, 88)
    literal = "(\n" + "".join(f'    "{line}"\n' for line in lines) + ")"
    source = MODULE.read_text(encoding="utf-8")
    updated, count = re.subn(
        r"^SAVED_STATE = .*?(?=\n\n|\Z)", f"SAVED_STATE = {literal}", source, flags=re.S | re.M
    )
    if count != 1:
        sys.exit(f"no `SAVED_STATE = ...` in {MODULE}")
    MODULE.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")
    print(f"{MODULE.name}: SAVED_STATE is {len(state)} base64 characters")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
