"""The frozen app's launcher (packaging/launcher.py) starts Qt under a UTF-8 locale: no "Detected
locale "C" … which is not UTF-8" warning where no UTF-8 locale is set, and a user's own UTF-8
locale left alone. The installed .deb is checked the same way in test_deb.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASCII = "ANSI_X3.4-1968"  # what glibc calls the "C" locale's character set
QT_LOCALE_WARNING = "Detected locale"


@pytest.mark.parametrize(
    ("environ", "codeset", "expected"),
    [
        # Nothing set (containers, CI, cron) or LANG=C: only the character set changes.
        ({}, ASCII, {"LC_CTYPE": "C.UTF-8"}),
        ({"LANG": "C"}, ASCII, {"LC_CTYPE": "C.UTF-8"}),
        ({"LANG": "C", "LC_ALL": ""}, ASCII, {"LC_CTYPE": "C.UTF-8"}),
        ({"LANG": "de_DE.ISO-8859-1"}, "ISO-8859-1", {"LC_CTYPE": "C.UTF-8"}),
        # LC_ALL beats LC_CTYPE, so a non-UTF-8 LC_ALL must go as a whole.
        ({"LC_ALL": "C"}, ASCII, {"LC_ALL": "C.UTF-8"}),
        ({"LC_ALL": "POSIX", "LANG": "en_GB.UTF-8"}, ASCII, {"LC_ALL": "C.UTF-8"}),
        # A user's UTF-8 locale, however it is spelled or chosen, stays.
        ({"LANG": "en_GB.UTF-8"}, "UTF-8", {}),
        ({"LANG": "C", "LC_CTYPE": "de_DE.utf8"}, "UTF-8", {}),
        ({"LC_ALL": "fr_FR.UTF-8"}, "utf-8", {}),
    ],
)
def test_utf8_locale_overrides(
    launcher: ModuleType, environ: dict[str, str], codeset: str, expected: dict[str, str]
) -> None:
    assert launcher.utf8_locale_overrides(environ, codeset) == expected


def _locale_environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    # The `python` program would set LC_CTYPE=C.UTF-8 itself in a C locale (PEP 538); the frozen
    # app's embedded interpreter does not. Switch that off to see what the frozen app sees.
    env.update(PYTHONCOERCECLOCALE="0", PYTHONUTF8="0", QT_QPA_PLATFORM="offscreen", **variables)
    return env


@pytest.mark.parametrize(
    ("variables", "codeset"),
    [({"LANG": "C"}, ASCII), ({"LANG": "C.UTF-8"}, "UTF-8"), ({"LC_ALL": "no_SUCH.UTF-8"}, ASCII)],
)
def test_environment_codeset_asks_the_c_library(variables: dict[str, str], codeset: str) -> None:
    """A locale the system lacks leaves the C library in "C", whatever its name says."""
    script = (
        "import runpy, sys; "
        f"print(runpy.run_path({str(ROOT / 'packaging' / 'launcher.py')!r})"
        "['environment_codeset']())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_locale_environment(**variables),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == codeset


def test_launcher_starts_qt_without_the_locale_warning(tmp_path: Path) -> None:
    png = tmp_path / "window.png"
    result = subprocess.run(
        [sys.executable, ROOT / "packaging" / "launcher.py", "--screenshot", png],
        env=_locale_environment(LANG="C"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert png.exists()
    assert QT_LOCALE_WARNING not in result.stderr
