"""./run.sh and ./test.sh install into .venv only when something changed, then start at once,
with no package index too.

A copy of the project (what a clone holds) is installed for real by its own ./run.sh, from the
package index as on a first launch. Later launches run with a pip that fails and records that
it was called (a `pip` package first on PYTHONPATH shadows the venv's for `python -m pip`) and
with no index: they must start the app without calling it. A new extra or an edited
pyproject.toml must call the real pip again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import idconnect_tester

pytestmark = pytest.mark.timeout(900)

ROOT = Path(__file__).resolve().parents[2]
# What a clone holds that the scripts and the install read (not .venv, build output or caches).
PROJECT_FILES = ("run.sh", "test.sh", "pyproject.toml", "README.md", "scripts", "gui")
# The tests' private home (tests/conftest.py) would leave pip an empty cache and make every run
# download Qt again; the cache is read here, at import, before that fixture moves HOME.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
)
FAILING_PIP = """\
import pathlib, sys
with open(pathlib.Path(__file__).parents[2] / "pip-calls", "a") as calls:
    calls.write(" ".join(sys.argv[1:]) + "\\n")
sys.exit("pip must not run here")
"""


@dataclass(frozen=True)
class Checkout:
    root: Path
    shadow: Path  # holds the failing pip

    @property
    def venv(self) -> Path:
        return self.root / ".venv"

    @property
    def pip_calls(self) -> list[str]:
        calls = self.shadow / "pip-calls"
        return calls.read_text().splitlines() if calls.exists() else []


def _environment(checkout: Checkout, *, pip_allowed: bool) -> dict[str, str]:
    env = dict(os.environ, PIP_CACHE_DIR=PIP_CACHE)
    env.pop("QT_QPA_PLATFORM", None)
    if not pip_allowed:
        # Offline: no index, no configured mirrors or wheel folders, and pip itself fails.
        for variable in [name for name in env if name.startswith("PIP_")]:
            del env[variable]
        env.update(
            PIP_CONFIG_FILE=os.devnull,
            PIP_NO_INDEX="1",
            PYTHONPATH=str(checkout.shadow / "site"),
        )
    return env


def _run(
    checkout: Checkout, command: list[str], *, pip_allowed: bool
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=checkout.root,
        env=_environment(checkout, pip_allowed=pip_allowed),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _ensure_venv(checkout: Checkout, extras: str, *, pip_allowed: bool) -> int:
    """What test.sh does before running the checks (the checks themselves are left out)."""
    script = f'source scripts/common.sh && ensure_venv "{extras}"'
    return _run(checkout, ["bash", "-c", script], pip_allowed=pip_allowed).returncode


def _version_line() -> str:
    return f"idconnect-tester {idconnect_tester.__version__}"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Checkout:
    """A copy of the project after its first ./run.sh (which creates .venv and installs)."""
    base = tmp_path_factory.mktemp("checkout")
    root = base / "idconnect-tester"
    root.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    shadow = base / "shadow"
    (shadow / "site" / "pip").mkdir(parents=True)
    (shadow / "site" / "pip" / "__init__.py").write_text("")
    (shadow / "site" / "pip" / "__main__.py").write_text(FAILING_PIP)
    made = Checkout(root, shadow)
    first = _run(made, ["./run.sh", "--version"], pip_allowed=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.strip() == _version_line()
    assert "Installing" in first.stderr, "the first launch should say it installs"
    return made


def test_second_launch_starts_without_pip_or_index(checkout: Checkout) -> None:
    result = _run(checkout, ["./run.sh", "--version"], pip_allowed=False)
    assert checkout.pip_calls == []
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == _version_line()
    assert result.stderr == ""


def test_new_extras_are_installed_once(checkout: Checkout) -> None:
    # The app's install has no test extra yet: asking for it must reach pip.
    assert _ensure_venv(checkout, "test", pip_allowed=False) != 0
    assert len(checkout.pip_calls) == 1 and "[test]" in checkout.pip_calls[0]
    assert _ensure_venv(checkout, "test", pip_allowed=True) == 0
    assert (checkout.venv / "bin" / "pytest").exists()
    # Now both the test extra and the plain app (a subset) are there.
    assert _ensure_venv(checkout, "test", pip_allowed=False) == 0
    assert _ensure_venv(checkout, "", pip_allowed=False) == 0
    assert len(checkout.pip_calls) == 1


def test_edited_pyproject_reinstalls(checkout: Checkout) -> None:
    pyproject = checkout.root / "pyproject.toml"
    text = pyproject.read_text()
    scripts = "[project.scripts]\n"
    assert scripts in text
    # A new command is something only a reinstall can create.
    pyproject.write_text(
        text.replace(scripts, scripts + 'idconnect-tester-probe = "idconnect_tester.cli:main"\n')
    )
    probe = checkout.venv / "bin" / "idconnect-tester-probe"
    assert not probe.exists()
    calls_before = len(checkout.pip_calls)

    offline = _run(checkout, ["./run.sh", "--version"], pip_allowed=False)
    assert offline.returncode != 0, "an edited pyproject.toml must not be ignored"
    assert len(checkout.pip_calls) == calls_before + 1

    result = _run(checkout, ["./run.sh", "--version"], pip_allowed=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == _version_line()
    assert probe.exists()
    again = _run(checkout, [str(probe), "--version"], pip_allowed=False)
    assert again.stdout.strip() == _version_line()
