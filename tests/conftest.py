"""Test-wide setup: headless Qt, a private home for every test, and a real emulator on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

# HYPOTHESIS_PROFILE=thorough searches far longer than CI's default 100 examples per property
# (e.g. for tests/core/test_id_token_differential.py; see the README's Development section).
settings.register_profile("thorough", max_examples=3000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--onscreen",
        action="store_true",
        help="show windows on the real display instead of Qt's offscreen platform",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Must happen before anything creates the QApplication.
    if not config.getoption("--onscreen"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_SCALE_FACTOR_ROUNDING_POLICY", "PassThrough")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, data, cache and keyring of every test live in a fresh temporary home, so no test
    reads or writes the developer's real files (and the leak tests can search all of it)."""
    home = tmp_path_factory.mktemp("home")
    for variable, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_RUNTIME_DIR", "run"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(variable, str(home / sub))
    (home / "run").chmod(0o700)
    monkeypatch.setenv("HOME", str(home))
    for variable in ("SUMSUB_APP_TOKEN", "SUMSUB_SECRET_KEY", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.lower(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    return home


@pytest.fixture(autouse=True)
def test_keyring() -> Iterator[object]:
    """Every test gets a fresh in-memory keyring: the app's keyring code runs for real, and no
    test touches the developer's keyring."""
    import keyring
    from tests.support.keyrings import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(EmulatorConfig(log=False)).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(shared_emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """The session's emulator with no fault scenario left over from an earlier test."""
    shared_emulator.clear_scenario()
    yield shared_emulator
    shared_emulator.clear_scenario()
