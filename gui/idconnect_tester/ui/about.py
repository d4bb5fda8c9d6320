"""The About dialog: what this is, that it is independent, and the versions in use."""

from __future__ import annotations

import platform
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from idconnect_tester import APP_NAME, __version__


def versions_text() -> str:
    python = f"{platform.python_implementation()} {sys.version.split()[0]}"
    return (
        f"{APP_NAME} {__version__}\n"
        f"Qt {qVersion()} · PySide6 {pyside_version}\n"
        f"Python {python} · {platform.system()} {platform.machine()}"
    )


def show_about(parent: QWidget) -> None:
    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setText(f"<h3>{APP_NAME} {__version__}</h3>")
    box.setInformativeText(
        "Test Sumsub ID Connect credentials by hand: signed token requests, a live expiry "
        "countdown, id_token verification and error details that say what to try next.<br><br>"
        "An independent tool, not made or endorsed by Sumsub.<br><br>"
        + versions_text().replace("\n", "<br>")
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()
