"""The .deb as a user gets it: build it (fast compression), install it with dpkg, run the
installed program the ways the installer smoke test and a person would, then remove it and
check that nothing is left behind.

What the build needs (packaging/build.py's missing_linux_build_requirements: dpkg, binutils,
Debian's libpython3.X, PyInstaller) and root (dpkg -i/-r) are checked before anything is built,
and the test says exactly what is missing and the line that installs it. On a developer's
machine it is then skipped: the rest of the suite stays useful without the packaging tools. In CI
(CI=true, run as root by .ci/run, which installs them) it fails instead, because there a skip
would hide a broken installer. The package is built once per session into a temporary folder;
the module's fixture removes the package again even when a test fails.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import idconnect_tester

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "idconnect-tester"
LAUNCHER = Path("/usr/bin/idconnect-tester")
INSTALL_DIR = Path("/opt/idconnect-tester")
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
INSTALLED_FILES = (
    LAUNCHER,
    INSTALL_DIR,
    Path("/usr/share/applications/idconnect-tester.desktop"),
    Path("/usr/share/metainfo/idconnect-tester.metainfo.xml"),
    Path("/usr/share/icons/hicolor/scalable/apps/idconnect-tester.svg"),
    Path("/usr/share/doc/idconnect-tester"),
    *(Path(f"/usr/share/icons/hicolor/{n}x{n}/apps/idconnect-tester.png") for n in ICON_SIZES),
)
# Targets from issue 6, checked on every build so a new dependency cannot creep past them.
MAX_INSTALLED_BYTES = 150_000_000


def _is_installed() -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True
    )
    return result.returncode == 0 and "installed" in result.stdout.split()


def _why_not_runnable(build_script: ModuleType) -> str | None:
    if not sys.platform.startswith("linux"):
        return "the .deb is built and installed on Linux only"
    if shutil.which("dpkg") is None:
        return "dpkg is missing: the .deb is built and installed on Debian and Ubuntu"
    missing = build_script.missing_linux_build_requirements()
    if missing:
        needed = ", ".join(requirement.what for requirement in missing)
        return f"building the .deb needs {needed}: {build_script.install_hint(missing)}"
    if os.geteuid() != 0:
        return "installing a .deb needs root (CI runs as root)"
    if _is_installed() and os.environ.get("CI") != "true":
        return f"{PACKAGE} is installed on this machine; the test would replace and remove it"
    return None


def _run(
    command: list[str | Path], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory, build_script: ModuleType) -> Path:
    reason = _why_not_runnable(build_script)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the .deb test must run in CI, but: {reason}")
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("deb-build")
    build = _run(
        [
            *(sys.executable, ROOT / "packaging" / "build.py", "linux", "--fast"),
            *("--dist", out / "dist", "--work", out / "work"),
        ],
        timeout=240,
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    debs = sorted((out / "dist").glob(f"{PACKAGE}_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


@pytest.fixture(scope="module")
def installed(deb: Path) -> Iterator[Path]:
    result = _run(["dpkg", "-i", deb], timeout=120)
    try:
        assert result.returncode == 0, (
            f"dpkg -i failed (a missing Depends? see .ci/run):\n{result.stdout}{result.stderr}"
        )
        yield LAUNCHER
    finally:
        if _is_installed():
            _run(["dpkg", "-r", PACKAGE], timeout=120)


def _fields(deb: Path) -> dict[str, str]:
    control = _run(["dpkg-deb", "-f", deb], timeout=30).stdout
    fields: dict[str, str] = {}
    for line in control.splitlines():
        if line and not line.startswith(" "):
            key, _, value = line.partition(": ")
            fields[key] = value
    return fields


def _app_env(**overrides: str) -> dict[str, str]:
    # HOME and XDG_* already point into the test's private home (tests/conftest.py).
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env.update(overrides)
    return env


def _assert_real_screenshot(png: Path) -> None:
    """A PNG of a plausible window size with more in it than a blank or one-colour fill."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert 600 <= width <= 4000 and 400 <= height <= 3000, (width, height)
    assert len(data) > 20_000, f"only {len(data)} bytes: an empty window?"
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert not image.isNull()
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), max(1, image.width() // 40))
        for y in range(0, image.height(), max(1, image.height() // 40))
    }
    assert len(colours) >= 8, f"{len(colours)} colours: nothing painted?"


def test_package_metadata(deb: Path) -> None:
    fields = _fields(deb)
    assert fields["Package"] == PACKAGE
    assert fields["Version"] == idconnect_tester.__version__
    assert deb.name == f"{PACKAGE}_{idconnect_tester.__version__}_{fields['Architecture']}.deb"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert any(d.startswith("libc6 (>= ") for d in depends), depends
    for needed in ("libxcb1", "libfontconfig1", "libxkbcommon0", "libgl1", "libdbus-1-3"):
        assert any(d.split()[0] == needed for d in depends), f"{needed} not in {depends}"
    for trimmed in ("libgtk-3-0", "libwayland-client0", "libqt6network6"):
        assert not any(d.split()[0] == trimmed for d in depends), f"{trimmed} in Depends"
    assert int(fields["Installed-Size"]) * 1024 < MAX_INSTALLED_BYTES


def test_package_contents(deb: Path) -> None:
    listing = _run(["dpkg-deb", "-c", deb], timeout=30).stdout
    paths = {line.split()[5].removeprefix(".") for line in listing.splitlines()}
    assert f"{LAUNCHER} -> {INSTALL_DIR}/idconnect-tester" in listing
    for path in INSTALLED_FILES:
        assert str(path) in paths or f"{path}/" in paths, f"{path} not in the package"
    # What the spec trims must stay out.
    for unwanted in ("libQt6Network", "libQt6Qml", "libQt6Quick", "libqwayland", "/translations/"):
        assert unwanted not in listing, f"{unwanted} is in the package"


def test_installed_version(installed: Path) -> None:
    result = _run([installed, "--version"], timeout=60, env=_app_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"idconnect-tester {idconnect_tester.__version__}"


def test_installed_self_test_offscreen(installed: Path) -> None:
    result = _run(
        [installed, "--self-test"], timeout=120, env=_app_env(QT_QPA_PLATFORM="offscreen")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps = result.stdout.strip().splitlines()
    assert len(steps) >= 5 and all(line.startswith("PASS") for line in steps), result.stdout


def test_installed_app_without_a_utf8_locale(installed: Path) -> None:
    """Where no UTF-8 locale is set (containers, CI, ssh sessions), the app starts without Qt's
    "Detected locale "C" … which is not UTF-8" warning (packaging/launcher.py)."""
    env = {
        name: value
        for name, value in _app_env(QT_QPA_PLATFORM="offscreen").items()
        if not name.startswith(("LC_", "LANG"))
    }
    result = _run([installed, "--self-test"], timeout=120, env={**env, "LANG": "C", "LC_ALL": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Detected locale" not in result.stderr, result.stderr


def test_installed_screenshot_offscreen(installed: Path, tmp_path: Path, qapp: object) -> None:
    png = tmp_path / "window.png"
    result = _run(
        [installed, "--screenshot", png], timeout=60, env=_app_env(QT_QPA_PLATFORM="offscreen")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_real_screenshot(png)


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="xvfb-run missing (apt-get install xvfb)")
def test_installed_app_under_xvfb(installed: Path, tmp_path: Path, qapp: object) -> None:
    """The xcb platform plugin and its system libraries, as on an X11 desktop."""
    png = tmp_path / "window.png"
    shot = _run(["xvfb-run", "-a", installed, "--screenshot", png], timeout=60, env=_app_env())
    assert shot.returncode == 0, shot.stdout + shot.stderr
    _assert_real_screenshot(png)
    self_test = _run(["xvfb-run", "-a", installed, "--self-test"], timeout=120, env=_app_env())
    assert self_test.returncode == 0, self_test.stdout + self_test.stderr


def test_installed_command_line_tools(installed: Path) -> None:
    result = _run([installed, "pkce"], timeout=60, env=_app_env())
    assert result.returncode == 0, result.stderr
    assert '"method": "S256"' in result.stdout


def test_installed_desktop_integration(installed: Path) -> None:
    desktop = Path("/usr/share/applications/idconnect-tester.desktop")
    if shutil.which("desktop-file-validate"):
        result = _run(["desktop-file-validate", desktop], timeout=30)
        assert result.returncode == 0, result.stdout
    assert (INSTALL_DIR / "idconnect-tester").resolve() == LAUNCHER.resolve()


def test_remove_leaves_nothing_behind(installed: Path) -> None:
    """Runs last (pytest keeps the file's order): removes the package the fixture installed."""
    result = _run(["dpkg", "-r", PACKAGE], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    left = [str(path) for path in INSTALLED_FILES if path.exists() or path.is_symlink()]
    assert left == [], f"left behind: {left}"
    assert not _is_installed()
    listed = _run(["dpkg", "-L", PACKAGE], timeout=30)
    assert listed.returncode != 0 or not listed.stdout.strip(), listed.stdout
