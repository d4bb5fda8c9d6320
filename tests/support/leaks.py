"""Leak scans: where a secret or a token turns up that it should not."""

from __future__ import annotations

from pathlib import Path


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under `root` whose bytes contain `needle`."""
    wanted = needle.encode()
    return [p for p in sorted(root.rglob("*")) if p.is_file() and wanted in p.read_bytes()]
