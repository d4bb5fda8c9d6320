"""Window geometry, dock layout and view preferences, remembered between launches.

Only layout and preferences live here (an INI file beside the profiles) — never a secret, a
token or anything typed into the form.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import astuple, dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, QStandardPaths

from idconnect_tester.core.safe_files import PRIVATE_FILE_MODE, ensure_private_dir

APP_DIR_NAME = "idconnect-tester"


@dataclass(frozen=True)
class LayoutKind:
    """What the default layout depends on: one made for another kind of window is made again
    for this one (see `window_layout.layout_kind`)."""

    wide: bool  # two result columns
    countdown_below: bool  # the countdown under the request, not above the results
    results_tabbed: bool  # every result panel in one group of tabs (a short screen)
    # The history (and the credential check) under the countdown, in the room a tall window
    # leaves under the request — not a tab beside the raw exchange.
    history_below: bool = False

    def text(self) -> str:
        return ",".join(str(int(flag)) for flag in astuple(self))

    @classmethod
    def from_text(cls, text: str) -> LayoutKind | None:
        flags = text.split(",")
        if len(flags) not in (3, 4) or not set(flags) <= {"0", "1"}:
            return None  # (3: saved before the history could go under the countdown)
        return cls(*(flag == "1" for flag in flags))


def _size_text(size: QSize | None) -> str:
    """A size as saved: "1366,768" ("" for none)."""
    return f"{size.width()},{size.height()}" if size else ""


def settings_path() -> Path:
    """`window.ini` in the folder that holds `profiles.json`. The core finds that folder with
    platformdirs (it has no Qt); the window asks Qt, whose settings these are, for the same one
    (tests check they agree)."""
    # macOS: ~/Library/Application Support; Windows: %LOCALAPPDATA%; else $XDG_CONFIG_HOME.
    location = (
        QStandardPaths.StandardLocation.GenericDataLocation
        if sys.platform in ("darwin", "win32")
        else QStandardPaths.StandardLocation.GenericConfigLocation
    )
    return Path(QStandardPaths.writableLocation(location)) / APP_DIR_NAME / "window.ini"


class WindowSettings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        # The folder is shared with profiles.json: whoever creates it makes it owner-only.
        ensure_private_dir(self.path.parent)
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def default_layout(self) -> LayoutKind | None:
        """The kind of default layout the docks were saved in (see `window_layout.layout_kind`),
        or None for the user's own arrangement. A default layout is made for a window's size:
        restored into a window of another kind, it is made again instead."""
        return LayoutKind.from_text(str(self._settings.value("window/default_layout", "")))

    def _size(self, key: str) -> QSize | None:
        width, _, height = str(self._settings.value(key, "")).partition(",")
        if width.isdigit() and height.isdigit():
            return QSize(int(width), int(height))
        return None

    def saved_size(self) -> QSize | None:
        """The size of the window the docks were laid out in when they were saved."""
        return self._size("window/size")

    def saved_screen(self) -> QSize | None:
        """The available size of the screen the window was closed on (None before this was
        saved)."""
        return self._size("window/screen")

    def save_layout(
        self,
        geometry: QByteArray,
        state: QByteArray,
        *,
        default_layout: LayoutKind | None = None,
        size: QSize | None = None,
        screen: QSize | None = None,
    ) -> None:
        kind = "" if default_layout is None else default_layout.text()
        self._settings.setValue("window/geometry", geometry)
        self._settings.setValue("window/state", state)
        self._settings.setValue("window/default_layout", kind)
        self._settings.setValue("window/size", _size_text(size))
        self._settings.setValue("window/screen", _size_text(screen))
        self._sync()

    def clear_layout(self) -> None:
        self._settings.remove("window")
        self._sync()

    def _sync(self) -> None:
        """Written now, and owner-only like every file in the folder: Qt writes it with the
        umask's mode (0644, usually)."""
        self._settings.sync()
        with contextlib.suppress(OSError):  # not every file system has modes
            os.chmod(self.path, PRIVATE_FILE_MODE)

    def get(self, key: str, default: str) -> str:
        value = self._settings.value(f"view/{key}", default)
        return str(value) if value is not None else default

    def whole_number(self, key: str, default: int) -> int:
        """A setting kept as a whole number; `default` for anything else (a hand edit)."""
        try:
            return int(self.get(key, str(default)))
        except ValueError:
            return default

    def set(self, key: str, value: str) -> None:
        self._settings.setValue(f"view/{key}", value)
        self._sync()
