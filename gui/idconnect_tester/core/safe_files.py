"""Writing user files so that a crash never leaves half a file, and keeping damaged files aside.

Shared by the profiles file, exported exchanges and the history database's recovery.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Final

PRIVATE_FILE_MODE: Final = 0o600  # the files hold app tokens and (masked) tokens: owner only
PRIVATE_DIR_MODE: Final = 0o700
SHARED_FILE_MODE: Final = 0o644  # a report to hand over: no secret, tokens masked


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` owner-only, or make an existing one owner-only.

    An existing folder may have been created by someone else first (a settings file written
    beside ours, an older version, a copy) with the usual 0755, which lets every local user
    list and read what is in it: it is narrowed to 0700. Parents keep their modes: they are
    the user's (~/.config), not ours. On Windows, access is governed by ACLs, and the
    per-user application folders are private already.
    """
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):  # not ours to change (a shared mount): leave it as is
        if stat.S_IMODE(directory.stat().st_mode) & ~PRIVATE_DIR_MODE:
            os.chmod(directory, PRIVATE_DIR_MODE)


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace `path` with `data` so that readers see the old file or the new one, never a mix.

    The temporary file lives in the same directory (os.replace is only atomic within one file
    system) and is fsynced before the rename, so a power cut can't leave an empty file behind.
    The directory is the caller's to make and keep: the app's own are made owner-only
    (`ensure_private_dir`); a folder the person chose for an export keeps its mode — narrowing
    it to 0700 locked others out of a shared CI workspace, or of /tmp.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as tmp_file:
            # mkstemp already creates 0600; chmod anyway for an explicitly requested mode.
            with contextlib.suppress(OSError):  # not every file system supports modes
                os.chmod(tmp, mode)
            tmp_file.write(data)
            tmp_file.flush()
            os.fsync(tmp_file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(path.parent)


def atomic_write_text(path: Path, text: str, *, mode: int = PRIVATE_FILE_MODE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where directories can't be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def aside_path(path: Path, label: str, *, now: datetime | None = None) -> Path:
    """`profiles.json.corrupt-20250101-120000`: a free name beside `path` for a kept-aside file."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 2
    while candidate.exists():  # two recoveries within one second
        candidate = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
        counter += 1
    return candidate


def move_aside(path: Path, label: str, *, companions: Iterable[str] = ()) -> Path:
    """Rename `path` to a timestamped name beside it and return that name.

    `companions` are suffixes of files that belong to it (SQLite's "-wal", "-shm"); they move to
    the same new name plus their suffix, so the kept copy still opens as it was.
    """
    destination = aside_path(path, label)
    os.replace(path, destination)
    for suffix in companions:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            with contextlib.suppress(OSError):
                os.replace(companion, destination.with_name(destination.name + suffix))
    return destination
