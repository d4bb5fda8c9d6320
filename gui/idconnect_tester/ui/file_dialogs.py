"""Open and save dialogs that start where the person last was: the folder of the last file
chosen in this run, or the home folder — never the folder the app happened to be started from.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

_last_folder: Path | None = None
# What no file name may hold on one system or another (a separator, a device-name character,
# a control character): a profile named "Sumsub <b>API</b>" suggested "b> API.json" in a
# folder "Sumsub <b".
_NOT_IN_A_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def file_name_from(name: str, suffix: str, fallback: str) -> str:
    """`name` (a profile's, say) as a file name ending in `suffix`: what a file name can't
    hold becomes "_", and a name left with nothing (or only dots) is `fallback`."""
    cleaned = _NOT_IN_A_FILE_NAME.sub("_", name).strip(" .")
    return f"{cleaned or fallback}{suffix}"


def _start(file_name: str = "") -> str:
    folder = _last_folder if _last_folder is not None and _last_folder.is_dir() else Path.home()
    return str(folder / file_name) if file_name else str(folder)


def _remember(chosen: str) -> Path | None:
    global _last_folder
    if not chosen:
        return None
    path = Path(chosen)
    _last_folder = path.parent
    return path


def save_path(parent: QWidget | None, title: str, file_name: str, pattern: str) -> Path | None:
    """Where to save (None: cancelled), the suggested `file_name` in the starting folder."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, _start(file_name), pattern)
    return _remember(chosen)


def open_path(parent: QWidget | None, title: str, pattern: str) -> Path | None:
    """Which file to read (None: cancelled)."""
    chosen, _ = QFileDialog.getOpenFileName(parent, title, _start(), pattern)
    return _remember(chosen)
