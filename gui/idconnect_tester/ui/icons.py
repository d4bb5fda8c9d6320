"""The application icon, from the SVG shipped inside the package."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

ICON_FILE = "idconnect-tester.svg"


def icon_path() -> str:
    return str(resources.files("idconnect_tester").joinpath("assets", ICON_FILE))


def app_icon() -> QIcon:
    icon = QIcon(icon_path())
    if icon.isNull():  # no SVG image plugin (a trimmed bundle): fall back to an empty icon
        return QIcon(QPixmap())
    return icon
