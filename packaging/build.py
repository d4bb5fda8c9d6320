"""Build ID Connect Tester's installers: one entry command for every platform.

    .venv/bin/python packaging/build.py linux [--fast]  # bundle, .deb and .tar.gz in dist/
    .venv/bin/python packaging/build.py windows         # bundle and Inno Setup installer
    .venv/bin/python packaging/build.py macos           # .app and .dmg

Run it with the Python of the environment the app is installed in (`pip install -e .[packaging]`):
PyInstaller bundles what that environment imports. Every platform starts from the same PyInstaller
one-dir bundle (packaging/idconnect-tester.spec), then wraps it the platform's way:

- linux: a `.deb` (dpkg-deb; xz for releases, zstd with --fast, which is ~60x faster to compress
  and ~35% larger) installing the bundle in /opt/idconnect-tester, and a portable `.tar.gz`;
- windows: an installer made by Inno Setup's `iscc` from packaging/windows/idconnect-tester.iss;
- macos: `ID Connect Tester.app` (the spec's BUNDLE step) in a compressed `.dmg` (hdiutil).

The version comes from `gui/idconnect_tester/__init__.py` (read_version below; the spec loads
this file for it), so the bundle, the installers and their file names always agree.

This folder is not a Python package on purpose: a package named `packaging` would shadow the
PyPI library of that name, which pip, pytest and PyInstaller import. The spec and the tests load
this file by its path.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGING: Final = ROOT / "packaging"
RESOURCES: Final = ROOT / "resources"
PACKAGE_INIT: Final = ROOT / "gui" / "idconnect_tester" / "__init__.py"
SPEC: Final = PACKAGING / "idconnect-tester.spec"
INNO_SCRIPT: Final = PACKAGING / "windows" / "idconnect-tester.iss"
COPYRIGHT: Final = PACKAGING / "linux" / "copyright"

APP_ID: Final = "idconnect-tester"  # executable, Debian package, desktop file and icon name
APP_NAME: Final = "ID Connect Tester"
# AppStream and macOS want a reverse-DNS id; the project owns no domain, so it uses the
# io.github namespace AppStream suggests for such projects.
REVERSE_DNS_ID: Final = "io.github.idconnect_tester.IdConnectTester"
MAINTAINER: Final = "ID Connect Tester contributors <idconnect-tester@users.noreply.github.com>"
HOMEPAGE: Final = "https://github.com/idconnect-tester/idconnect-tester"
SUMMARY: Final = "test Sumsub ID Connect credentials by hand"
DESCRIPTION: Final = """\
A desktop tool for QA and integration engineers: fill in a signed token
request, send it, and see every response field, a live countdown to expiry,
the decoded and verified id_token, and an error panel that says what went
wrong and what to try. A built-in local emulator of the ID Connect endpoints
makes it work without credentials.
.
An independent tool, not made or endorsed by Sumsub."""
INSTALL_DIR: Final = f"/opt/{APP_ID}"


def read_version(init_file: Path = PACKAGE_INIT) -> str:
    """The `__version__ = "…"` literal in the package's __init__, read without importing it
    (a stale editable install or a missing dependency cannot change what the installers say)."""
    tree = ast.parse(init_file.read_text(encoding="utf-8"), filename=str(init_file))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError(f"no __version__ string literal in {init_file}")


class BuildError(Exception):
    """The build cannot go on; the message says why and what to do."""


def _run(
    command: Sequence[str | Path], *, capture_output: bool = False, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    shown = " ".join(str(part) for part in command)
    print("+ " + (shown if len(shown) < 300 else shown[:300] + " …"), flush=True)
    try:
        return subprocess.run(
            [str(part) for part in command],
            check=True,
            text=True,
            capture_output=capture_output,
            cwd=cwd,
        )
    except FileNotFoundError as exc:
        raise BuildError(f"{command[0]} is not installed ({exc})") from exc
    except subprocess.CalledProcessError as exc:
        detail = f": {exc.stderr.strip()[-2000:]}" if exc.stderr else ""
        raise BuildError(f"{command[0]} failed with exit code {exc.returncode}{detail}") from exc


def _tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BuildError(f"{name} not found: {hint}")
    return found


# --- Linux: what the build needs -----------------------------------------------------------------


@dataclass(frozen=True)
class MissingRequirement:
    """Something the Linux build needs that this machine lacks, and where it comes from: a Debian
    package (`debian_package`) or, when no package provides it, what to do (`how`)."""

    what: str
    debian_package: str | None = None
    how: str = ""


# Programs the build runs, and the Debian package of each.
LINUX_BUILD_TOOLS: Final = (
    ("dpkg-deb", "dpkg"),  # builds the .deb
    ("dpkg", "dpkg"),  # `dpkg -S`: which package provides each system library (Depends)
    ("objdump", "binutils"),  # what the bundle links against (here and inside PyInstaller)
    ("strip", "binutils"),  # the spec strips the bundle's libraries
    ("ldd", "libc-bin"),  # PyInstaller's dependency scan
)


def _python_library_requirement() -> MissingRequirement | None:
    """PyInstaller bundles the Python library (libpython3.X.so.1.0), which the bundle's program
    loads. Debian's python3.X program has the interpreter linked in and ships the library
    separately, in the `libpython3.X` package, which a bare machine lacks."""
    from PyInstaller.depend.bindepend import get_python_library_path

    try:
        get_python_library_path()
        return None
    except (SystemExit, OSError):  # PyInstaller's PythonLibraryNotFoundError is a SystemExit
        pass
    soname = sysconfig.get_config_var("INSTSONAME") or "libpython3.X.so.1.0"
    what = f"the Python library {soname}"
    owner = subprocess.run(
        ["dpkg", "-S", os.path.realpath(sys.executable)], capture_output=True, check=False
    )
    if owner.returncode == 0:  # Debian's own Python
        return MissingRequirement(what, f"libpython{sys.version_info[0]}.{sys.version_info[1]}")
    return MissingRequirement(
        what, how=f"use a Python built with --enable-shared, not {sys.executable}"
    )


def missing_linux_build_requirements() -> list[MissingRequirement]:
    """Everything `build.py linux` needs that is missing here, found before it starts."""
    missing = [
        MissingRequirement(tool, package)
        for tool, package in LINUX_BUILD_TOOLS
        if shutil.which(tool) is None
    ]
    if importlib.util.find_spec("PyInstaller") is None:
        missing.append(MissingRequirement("PyInstaller", how="pip install -e '.[packaging]'"))
    elif shutil.which("ldd") is not None and shutil.which("dpkg") is not None:
        library = _python_library_requirement()
        if library is not None:
            missing.append(library)
    return missing


def install_hint(missing: Sequence[MissingRequirement]) -> str:
    """One line that installs them: `apt-get install …` for the Debian packages, and the rest."""
    packages = sorted({m.debian_package for m in missing if m.debian_package})
    steps = [f"apt-get install {' '.join(packages)}"] if packages else []
    steps += [m.how for m in missing if not m.debian_package]
    return "; ".join(dict.fromkeys(steps))


# --- The PyInstaller bundle ---------------------------------------------------------------------


def build_bundle(dist: Path, work: Path) -> Path:
    """Run the spec; return the one-dir bundle (dist/idconnect-tester)."""
    if importlib.util.find_spec("PyInstaller") is None:
        raise BuildError("PyInstaller is missing: pip install -e '.[packaging]'")
    _run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work / 'pyinstaller'}",
            SPEC,
        ],
        cwd=ROOT,
    )
    bundle = dist / APP_ID
    check_bundle_contents(bundle)
    return bundle


# What must be inside every bundle: files found at run time by path, and modules found at run
# time by name (which PyInstaller's import scan does not see). A missing one fails the build
# instead of a user's first launch.
REQUIRED_DATA: Final = (
    "idconnect_tester/assets/idconnect-tester.svg",
    "certifi/cacert.pem",
    "keyring-*.dist-info/entry_points.txt",
)
REQUIRED_MODULES: Final = (
    "idconnect_tester.cli",
    "idconnect_tester.ui.main_window",
    "idconnect_tester.emulator",
    "keyring.backends.chainer",
    "keyring.backends.fail",
)
PLATFORM_KEYRING_BACKEND: Final = {
    "linux": "keyring.backends.SecretService",
    "win32": "keyring.backends.Windows",
    "darwin": "keyring.backends.macOS",
}


def check_bundle_contents(bundle: Path) -> None:
    from PyInstaller.archive.readers import pkg_archive_contents

    internal = bundle / "_internal"
    missing = [pattern for pattern in REQUIRED_DATA if not any(internal.glob(pattern))]
    executable = bundle / (APP_ID + (".exe" if sys.platform == "win32" else ""))
    modules = set(pkg_archive_contents(str(executable)))
    wanted = [*REQUIRED_MODULES, PLATFORM_KEYRING_BACKEND.get(sys.platform, "keyring.backends")]
    missing += [module for module in wanted if module not in modules]
    if missing:
        raise BuildError(
            f"the bundle lacks {', '.join(missing)}: see the spec's datas and hiddenimports"
        )


# --- Linux: which system libraries the bundle needs (the .deb's Depends) -------------------------


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    path: str
    package: str
    needed_by: tuple[str, ...]


@dataclass(frozen=True)
class Dependencies:
    depends: list[str]
    libraries: list[SystemLibrary]


_FILE_HEADER = re.compile(r"^(\S.*):\s+file format \S+$", re.MULTILINE)
_NEEDED = re.compile(r"^\s+NEEDED\s+(\S+)$", re.MULTILINE)
# objdump -T: "0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.14) memcpy"; no version
# (or "Base") for libraries without symbol versioning.
_UNDEFINED = re.compile(r"\*UND\*\s+[0-9a-f]+\s+(?:\(?([\w.]+)\)?\s+)?(\S+)$")


def _split_by_file(output: str) -> dict[str, str]:
    """objdump output for several files → each file's part."""
    headers = list(_FILE_HEADER.finditer(output))
    ends = [h.start() for h in headers[1:]] + [len(output)]
    return {h.group(1): output[h.end() : end] for h, end in zip(headers, ends, strict=True)}


def parse_needed(objdump_p: str) -> dict[str, list[str]]:
    """`objdump -p FILE…` → the NEEDED sonames of each file."""
    return {name: _NEEDED.findall(text) for name, text in _split_by_file(objdump_p).items()}


def parse_undefined_symbols(objdump_t: str) -> dict[str, set[str]]:
    """`objdump -T FILE…` → the symbols each file imports, as `name@VERSION` (or `name@Base`)."""
    imported: dict[str, set[str]] = {}
    for name, text in _split_by_file(objdump_t).items():
        symbols = imported.setdefault(name, set())
        for line in text.splitlines():
            if match := _UNDEFINED.search(line):
                version, symbol = match.groups()
                symbols.add(f"{symbol}@{version if version else 'Base'}")
    return imported


def elf_files(root: Path) -> list[Path]:
    """Regular files (not symlinks) that start with the ELF magic."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def ldconfig_paths() -> dict[str, str]:
    """soname → path of the system's copy for this machine, from the dynamic linker's cache."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    output = _run([ldconfig, "-p"], capture_output=True).stdout
    machine = "x86-64" if platform.machine() in {"x86_64", "AMD64"} else platform.machine()
    paths: dict[str, str] = {}
    for line in output.splitlines():
        match = re.match(r"^\s+(\S+) \(([^)]*)\) => (\S+)$", line)
        if match and machine in match.group(2):
            paths.setdefault(match.group(1), match.group(3))
    return paths


def _usr_merge_variants(path: str) -> list[str]:
    """On merged-/usr systems dpkg may know a library by its /lib or its /usr/lib name."""
    variants = {path, os.path.realpath(path)}
    for candidate in list(variants):
        if candidate.startswith("/usr/lib/"):
            variants.add(candidate.removeprefix("/usr"))
        elif candidate.startswith("/lib/"):
            variants.add("/usr" + candidate)
    return sorted(variants)


def dpkg_owners(paths: Iterable[str]) -> dict[str, str]:
    """path → Debian package owning it (arch qualifier dropped), for the paths dpkg knows."""
    paths = list(paths)
    queries = sorted({variant for path in paths for variant in _usr_merge_variants(path)})
    if not queries:
        return {}
    # dpkg -S exits 1 when any one path is unknown; the others are still answered.
    result = subprocess.run(["dpkg", "-S", *queries], capture_output=True, text=True, check=False)
    owners: dict[str, str] = {}
    for line in result.stdout.splitlines():
        if line.startswith("diversion "):
            continue
        packages, _, owned = line.partition(": ")
        owners[owned] = packages.split(",")[0].strip().split(":")[0]
    found: dict[str, str] = {}
    for path in paths:
        known = [owners[v] for v in _usr_merge_variants(path) if v in owners]
        if known:
            found[path] = known[0]
    return found


def debian_version_compare(a: str, b: str) -> int:
    """dpkg's version ordering (epoch:upstream-revision; '~' sorts before anything): <0, 0, >0."""

    def split(version: str) -> tuple[int, str, str]:
        epoch, _, rest = version.rpartition(":") if ":" in version else ("0", "", version)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        return int(epoch or 0), upstream, revision

    def order(char: str) -> int:
        if char == "~":
            return -1
        if char.isalpha():
            return ord(char)
        return ord(char) + 256

    def compare_part(x: str, y: str) -> int:
        while x or y:
            x_text, y_text = re.match(r"\D*", x).group(), re.match(r"\D*", y).group()  # type: ignore[union-attr]
            for i in range(max(len(x_text), len(y_text))):
                cx = order(x_text[i]) if i < len(x_text) else 0
                cy = order(y_text[i]) if i < len(y_text) else 0
                if cx != cy:
                    return cx - cy
            x, y = x[len(x_text) :], y[len(y_text) :]
            x_num, y_num = re.match(r"\d*", x).group(), re.match(r"\d*", y).group()  # type: ignore[union-attr]
            if int(x_num or 0) != int(y_num or 0):
                return int(x_num or 0) - int(y_num or 0)
            x, y = x[len(x_num) :], y[len(y_num) :]
        return 0

    (ea, ua, ra), (eb, ub, rb) = split(a), split(b)
    return (ea - eb) or compare_part(ua, ub) or compare_part(ra, rb)


def _newest(versions: Iterable[str]) -> str | None:
    newest: str | None = None
    for version in versions:
        if newest is None or debian_version_compare(version, newest) > 0:
            newest = version
    return newest


def _dpkg_info_file(package: str, suffix: str, info_dir: Path) -> Path | None:
    for name in (f"{package}:{_dpkg_arch()}.{suffix}", f"{package}.{suffix}"):
        if (info_dir / name).is_file():
            return info_dir / name
    return None


def parse_symbols_file(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """A deb-symbols(5) file → soname → (dependency template, {"name@VERSION": min version})."""
    sections: dict[str, tuple[str, dict[str, str]]] = {}
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith(" "):
            parts = line.split()
            # "(c++)", "(regex)", "(arch=…)" patterns are left out: a symbol they would have
            # matched only lowers the minimum version found, never makes it wrong by raising it.
            if len(parts) >= 2 and not parts[0].startswith("("):
                table[parts[0]] = parts[1]
        elif line.strip() and not line.startswith(("|", "*", "#")):
            soname, _, template = line.partition(" ")
            table = {}
            sections[soname] = (template.strip(), table)
    return sections


def symbols_dependency(
    package: str, used: dict[str, set[str]], info_dir: Path = Path("/var/lib/dpkg/info")
) -> str | None:
    """The package's dependency from its symbols file: the newest "minimum version" among the
    symbols the bundle imports from each of its sonames (`used`: soname → {"name@VERSION"}).
    This is how dpkg-shlibdeps keeps versions as low as the symbols really used allow, so the
    .deb also installs on older releases. None when the package ships no symbols file."""
    symbols_file = _dpkg_info_file(package, "symbols", info_dir)
    if symbols_file is None:
        return None
    sections = parse_symbols_file(symbols_file.read_text(encoding="utf-8"))
    template, minimums = package, []
    for soname, symbols in used.items():
        if soname not in sections:
            continue
        template, table = sections[soname]
        for symbol in symbols:
            version = table.get(symbol)
            if version is None and not symbol.endswith("@Base"):
                node = symbol.rpartition("@")[2]  # version nodes: "GLIBC_2.35@GLIBC_2.35 2.35"
                version = table.get(f"{node}@{node}")
            if version is not None and version != "0":
                minimums.append(version)
    newest = _newest(minimums)
    base = template.split(",")[0].replace("#MINVER#", "").strip() or package
    return f"{base} (>= {newest})" if newest else base


def shlibs_dependency(
    package: str, soname: str, info_dir: Path = Path("/var/lib/dpkg/info")
) -> str:
    """The dependency the package's shlibs file declares for this soname, or the bare package
    name (for packages without a symbols file)."""
    match = re.match(r"^(.*?)\.so\.(.+)$", soname) or re.match(r"^(.*?)-([\d.]+)\.so$", soname)
    shlibs = _dpkg_info_file(package, "shlibs", info_dir)
    if match and shlibs is not None:
        library, abi = match.groups()
        for line in shlibs.read_text(encoding="utf-8").splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[:2] == [library, abi]:
                return parts[2].split(",")[0].strip()
    return package


def compute_dependencies(bundle: Path) -> Dependencies:
    """Every library the bundle's ELF files link against (NEEDED) that is not inside the bundle,
    the Debian package that provides it here (dpkg -S), and from those the Depends line, with
    minimum versions from the packages' symbols files for the symbols the bundle imports."""
    objdump = _tool("objdump", "apt-get install binutils")
    files = [str(path) for path in elf_files(bundle)]
    needed = parse_needed(_run([objdump, "-p", *files], capture_output=True).stdout)
    imported = parse_undefined_symbols(_run([objdump, "-T", *files], capture_output=True).stdout)
    inside = {path.name for path in bundle.rglob("*")}
    needed_by: dict[str, list[str]] = {}
    for path, sonames in needed.items():
        for soname in sonames:
            if soname not in inside:
                needed_by.setdefault(soname, []).append(os.path.relpath(path, bundle))
    system = ldconfig_paths()
    unresolved = sorted(soname for soname in needed_by if soname not in system)
    if unresolved:
        raise BuildError(
            "the bundle links against libraries that are neither inside it nor installed here: "
            + "; ".join(f"{s} (needed by {', '.join(needed_by[s][:3])})" for s in unresolved)
        )
    owners = dpkg_owners(system[soname] for soname in needed_by)
    unowned = sorted(soname for soname in needed_by if system[soname] not in owners)
    if unowned:
        raise BuildError(
            "no Debian package provides these libraries here, so a user's machine may lack "
            f"them: {', '.join(f'{s} ({system[s]})' for s in unowned)}; bundle them instead"
        )
    libraries = [
        SystemLibrary(soname, system[soname], owners[system[soname]], tuple(needed_by[soname]))
        for soname in sorted(needed_by)
    ]
    depends: list[str] = []
    for package in sorted({library.package for library in libraries}):
        provided = [lib for lib in libraries if lib.package == package]
        used: dict[str, set[str]] = {}
        for lib in provided:
            used[lib.soname] = set()
            for user in lib.needed_by:
                used[lib.soname] |= imported.get(str(bundle / user), set())
        dependency = symbols_dependency(package, used)
        depends.append(dependency or shlibs_dependency(package, provided[0].soname))
    return Dependencies(depends=depends, libraries=libraries)


# --- Linux: the .deb and the tarball --------------------------------------------------------------


def _dpkg_arch() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "amd64"


def installed_size_kib(root: Path) -> int:
    """Installed-Size as dpkg-gencontrol counts it: each file rounded up to a KiB, plus one per
    directory and symlink."""
    total = 0
    for path in root.rglob("*"):
        if "DEBIAN" in path.relative_to(root).parts:
            continue
        if path.is_symlink() or path.is_dir():
            total += 1
        else:
            total += -(-path.stat().st_size // 1024)
    return total


def control_file(version: str, arch: str, depends: Sequence[str], installed_kib: int) -> str:
    description = "\n".join(f" {line}" for line in DESCRIPTION.splitlines())
    return (
        f"Package: {APP_ID}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        # The authorize dialog opens the browser through xdg-open; secrets are kept in a Secret
        # Service keyring when one runs (otherwise only for the session).
        "Recommends: xdg-utils\n"
        "Suggests: gnome-keyring\n"
        "Section: devel\n"
        "Priority: optional\n"
        f"Homepage: {HOMEPAGE}\n"
        f"Description: {SUMMARY}\n{description}\n"
    )


def _normalise_modes(root: Path) -> None:
    """0755 for directories and executables, 0644 for the rest: what dpkg expects, whatever the
    builder's umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or path.stat().st_mode & 0o111:
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def stage_deb_tree(bundle: Path, stage: Path) -> None:
    """Lay out the files the .deb installs, under `stage` as if it were `/`."""
    if stage.exists():
        shutil.rmtree(stage)
    shutil.copytree(bundle, stage / INSTALL_DIR.lstrip("/"), symlinks=True)
    bin_dir = stage / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    # A symlink is enough: PyInstaller's bootloader finds its _internal folder through
    # /proc/self/exe, which resolves the link.
    (bin_dir / APP_ID).symlink_to(f"{INSTALL_DIR}/{APP_ID}")
    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(RESOURCES / f"{APP_ID}.desktop", share / "applications")
    (share / "metainfo").mkdir()
    shutil.copy2(RESOURCES / f"{APP_ID}.metainfo.xml", share / "metainfo")
    shutil.copytree(RESOURCES / "icons" / "hicolor", share / "icons" / "hicolor")
    doc = share / "doc" / APP_ID
    doc.mkdir(parents=True)
    shutil.copy2(COPYRIGHT, doc / "copyright")
    _normalise_modes(stage)


def build_deb(bundle: Path, dist: Path, work: Path, version: str, *, fast: bool) -> Path:
    dpkg_deb = _tool("dpkg-deb", "apt-get install dpkg")
    arch = _dpkg_arch()
    stage = work / "deb" / f"{APP_ID}_{version}_{arch}"
    stage_deb_tree(bundle, stage)
    dependencies = compute_dependencies(stage / INSTALL_DIR.lstrip("/"))
    print("system libraries the bundle uses (Depends):")
    for library in dependencies.libraries:
        print(f"  {library.soname:28} {library.package:22} {library.path}")
    control_dir = stage / "DEBIAN"
    control_dir.mkdir()
    # No maintainer scripts: hicolor-icon-theme and desktop-file-utils refresh the icon cache
    # and the desktop database through dpkg file triggers when files land in their folders
    # ("Processing triggers for …" in dpkg's output), and software centres read
    # /usr/share/metainfo themselves.
    control = control_file(version, arch, dependencies.depends, installed_size_kib(stage))
    (control_dir / "control").write_text(control, encoding="utf-8")
    _normalise_modes(control_dir)
    deb = dist / f"{APP_ID}_{version}_{arch}.deb"
    # --root-owner-group: files belong to root in the package whoever builds it (no fakeroot).
    # xz -9 for releases (smallest download); zstd with --fast (1 s instead of a minute).
    compression = ["-Zzstd"] if fast else ["-Zxz", "-z9"]
    _run([dpkg_deb, "--root-owner-group", *compression, "--build", stage, deb])
    return deb


def build_tarball(bundle: Path, dist: Path, version: str, *, fast: bool) -> Path:
    """The bundle as `idconnect-tester-<version>/…`, owned by root, for unpacking anywhere."""
    machine = platform.machine().lower().replace("amd64", "x86_64")
    tarball = dist / f"{APP_ID}-{version}-linux-{machine}.tar.gz"
    top = f"{APP_ID}-{version}"

    def as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    # gzip -6 for releases: -9 takes three times as long (15 s) to save 0.4%.
    with tarfile.open(tarball, "w:gz", compresslevel=1 if fast else 6) as archive:
        archive.add(bundle, arcname=top, filter=as_root)
        for extra in (
            RESOURCES / f"{APP_ID}.desktop",
            RESOURCES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        ):
            archive.add(extra, arcname=f"{top}/share/{extra.name}", filter=as_root)
    return tarball


# --- Windows and macOS ----------------------------------------------------------------------------


def build_windows_installer(bundle: Path, dist: Path, version: str) -> Path:
    iscc = shutil.which("iscc") or r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"
    if not Path(iscc).exists():
        raise BuildError("Inno Setup's iscc not found: choco install innosetup")
    _run(
        [
            iscc,
            f"/DAppVersion={version}",
            f"/DBundleDir={bundle}",
            f"/DOutputDir={dist}",
            f"/DIconFile={RESOURCES / 'icons' / f'{APP_ID}.ico'}",
            INNO_SCRIPT,
        ]
    )
    return dist / f"{APP_ID}-{version}-windows-setup.exe"


def build_dmg(dist: Path, work: Path, version: str) -> Path:
    """A compressed disk image holding the .app and a link to /Applications to drag it onto."""
    hdiutil = _tool("hdiutil", "a .dmg can only be made on macOS")
    app = dist / f"{APP_NAME}.app"
    stage = work / "dmg"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    shutil.copytree(app, stage / app.name, symlinks=True)  # symlinks: keeps the signature valid
    (stage / "Applications").symlink_to("/Applications")
    dmg = dist / f"{APP_ID}-{version}-macos-{platform.machine()}.dmg"
    _run(
        [
            hdiutil,
            "create",
            "-volname",
            APP_NAME,
            "-srcfolder",
            stage,
            "-fs",  # HFS+: keeps the .app's symlinks and permissions; every macOS reads it
            "HFS+",
            "-format",  # UDZO: zlib-compressed and read-only
            "UDZO",
            "-ov",
            dmg,
        ]
    )
    return dmg


# --- Entry point ----------------------------------------------------------------------------------


def _megabytes(path: Path) -> str:
    size = (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        if path.is_dir()
        else path.stat().st_size
    )
    return f"{size / 1e6:.1f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("platform", choices=("linux", "windows", "macos"))
    parser.add_argument(
        "--fast", action="store_true", help="quick compression (CI): zstd .deb, gzip -1 tarball"
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch folder")
    args = parser.parse_args(argv)
    wanted = {"linux": "linux", "windows": "win32", "macos": "darwin"}[args.platform]
    if not sys.platform.startswith(wanted):
        parser.error(
            f"build {args.platform} installers on {args.platform}: PyInstaller does not cross-build"
        )
    if args.platform == "linux" and (missing := missing_linux_build_requirements()):
        needed = ", ".join(requirement.what for requirement in missing)
        print(
            f"build.py: error: this machine lacks {needed}: {install_hint(missing)}",
            file=sys.stderr,
        )
        return 1
    dist, work = args.dist.resolve(), args.work.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    version = read_version()
    timings: list[tuple[str, Path, float]] = []
    try:
        started = time.monotonic()
        bundle = build_bundle(dist, work)
        timings.append(("bundle (PyInstaller)", bundle, time.monotonic() - started))
        steps: dict[str, list[tuple[str, Callable[[], Path]]]] = {
            "linux": [
                ("deb", lambda: build_deb(bundle, dist, work, version, fast=args.fast)),
                ("tar.gz", lambda: build_tarball(bundle, dist, version, fast=args.fast)),
            ],
            "windows": [("installer", lambda: build_windows_installer(bundle, dist, version))],
            "macos": [("dmg", lambda: build_dmg(dist, work, version))],
        }
        for label, step in steps[args.platform]:
            started = time.monotonic()
            artifact = step()
            timings.append((label, artifact, time.monotonic() - started))
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"\n{APP_NAME} {version} ({args.platform}{', fast' if args.fast else ''}):")
    for label, artifact, seconds in timings:
        print(f"  {label:22} {_megabytes(artifact):>9} {seconds:6.1f} s  {artifact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
