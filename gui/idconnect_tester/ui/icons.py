"""The application icon, from the SVG shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon, QPixmap

ICON_FILE = "idconnect-tester.svg"


def icon_path() -> str:
    # A plain path beside this package: it is always on disk (pip installs and the PyInstaller
    # bundle alike), and Qt reads the SVG from a path.
    return str(Path(__file__).resolve().parent.parent / "assets" / ICON_FILE)


def app_icon() -> QIcon:
    icon = QIcon(icon_path())
    if icon.isNull():  # no SVG image plugin (a trimmed bundle): fall back to an empty icon
        return QIcon(QPixmap())
    return icon
