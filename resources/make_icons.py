"""Render the app icon for every platform from the one SVG inside the package.

    .venv/bin/python resources/make_icons.py          # (re)write resources/icons/
    .venv/bin/python resources/make_icons.py --check  # exit 1 if they are out of date

The package's `assets/idconnect-tester.svg` is the single source. From it this writes, under
`resources/icons/`:
- `hicolor/scalable/apps/idconnect-tester.svg` (a byte copy) and `hicolor/<N>x<N>/apps/
  idconnect-tester.png` for the sizes desktops look up, laid out as the freedesktop hicolor theme
  so the .deb copies the tree as it is;
- `idconnect-tester.ico` (Windows: executable, installer and shortcuts) and
  `idconnect-tester.icns` (macOS .app), both made of the same PNG images.

Rendering uses Qt's own `QSvgRenderer`, the renderer the running app uses for its window icon, so
the installed icons look like the one in the title bar. ICO and ICNS are written here rather than
through Qt's image plugins: both formats are a small header around PNG images, and Qt's ICO
writer stores only one size per file. tests/packaging/test_resources.py checks that the files
match the SVG.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
SOURCE_SVG: Final = ROOT / "gui" / "idconnect_tester" / "assets" / "idconnect-tester.svg"
ICONS_DIR: Final = Path(__file__).resolve().parent / "icons"
HICOLOR: Final = ICONS_DIR / "hicolor"
NAME: Final = "idconnect-tester"

# The hicolor sizes desktops ask for (menus 16–48, docks and software centres 64–512).
PNG_SIZES: Final = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# Windows shows 16–48 in Explorer and the taskbar, 256 for large tiles.
ICO_SIZES: Final = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types that hold PNG data, and the pixel size of each.
ICNS_TYPES: Final = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),  # 16 pt @2x
    (b"ic12", 64),  # 32 pt @2x
    (b"ic13", 256),  # 128 pt @2x
    (b"ic14", 512),  # 256 pt @2x
)
# A record of the SVG the files were made from: a changed SVG makes --check (and the test) fail
# even where a re-render would differ only by a few pixels.
SOURCE_HASH_FILE: Final = ICONS_DIR / "SOURCE.sha256"


def png_path(size: int) -> Path:
    return HICOLOR / f"{size}x{size}" / "apps" / f"{NAME}.png"


def scalable_path() -> Path:
    return HICOLOR / "scalable" / "apps" / f"{NAME}.svg"


def ico_path() -> Path:
    return ICONS_DIR / f"{NAME}.ico"


def icns_path() -> Path:
    return ICONS_DIR / f"{NAME}.icns"


def source_hash(svg: bytes) -> str:
    return hashlib.sha256(svg).hexdigest()


def render_png(svg: bytes, size: int) -> bytes:
    """The SVG drawn by QSvgRenderer into a transparent size×size image, as PNG bytes."""
    # Imported here so the file's helpers (paths, ICO/ICNS packing) work without Qt.
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        # No window is shown; offscreen lets this run on a build machine without a display.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _keep_alive.append(QGuiApplication([sys.argv[0]]))
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("QSvgRenderer cannot read the icon SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)  # transparent
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # QImageWriter rather than QImage.save: PySide6's save() rejects the bytes format its own
    # type stubs ask for (6.11), and accepts only the str they reject.
    writer = QImageWriter(buffer, QByteArray(b"PNG"))
    if not writer.write(image):
        raise RuntimeError(f"could not encode the {size}px icon as PNG: {writer.errorString()}")
    return bytes(data.data())


_keep_alive: list[object] = []  # the QGuiApplication render_png made, kept for later calls


def pack_ico(pngs: Iterable[tuple[int, bytes]]) -> bytes:
    """An ICO file whose images are PNGs (Windows Vista and later read these)."""
    images = list(pngs)
    header = struct.pack("<HHH", 0, 1, len(images))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(images)
    directory, blobs = b"", b""
    for size, png in images:
        side = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + directory + blobs


def pack_icns(elements: Iterable[tuple[bytes, bytes]]) -> bytes:
    """An ICNS file: 'icns' + total length, then (type, length, data) elements, big-endian."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def expected_files(svg: bytes, pngs: dict[int, bytes]) -> dict[Path, bytes]:
    """Every generated file and its content, given the PNG for each size."""
    files: dict[Path, bytes] = {scalable_path(): svg}
    files.update({png_path(size): pngs[size] for size in PNG_SIZES})
    files[ico_path()] = pack_ico((size, pngs[size]) for size in ICO_SIZES)
    files[icns_path()] = pack_icns((kind, pngs[size]) for kind, size in ICNS_TYPES)
    files[SOURCE_HASH_FILE] = f"{source_hash(svg)}  {SOURCE_SVG.name}\n".encode()
    return files


def all_sizes() -> list[int]:
    return sorted(set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})


def generate() -> dict[Path, bytes]:
    svg = SOURCE_SVG.read_bytes()
    return expected_files(svg, {size: render_png(svg, size) for size in all_sizes()})


def stale_files() -> list[Path]:
    """Generated files that are missing or no longer follow from the SVG.

    Byte for byte: the SVG copy, the source hash, and the ICO/ICNS packed from the committed PNGs.
    The PNGs themselves are not re-rendered here, since a newer Qt may antialias a few pixels
    differently; the test compares them with a fresh render, with a tolerance.
    """
    svg = SOURCE_SVG.read_bytes()
    stale = []
    committed: dict[int, bytes] = {}
    for size in all_sizes():
        path = png_path(size)
        if path.is_file():
            committed[size] = path.read_bytes()
        else:
            stale.append(path)
    if stale:
        return stale
    for path, content in expected_files(svg, committed).items():
        if not path.is_file() or path.read_bytes() != content:
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="report stale files, change nothing")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        if stale:
            print("run: python resources/make_icons.py", file=sys.stderr)
        return 1 if stale else 0
    for path, content in generate().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {path.relative_to(ROOT)} ({len(content)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
