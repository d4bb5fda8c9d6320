"""Start-up in two steps: the window paints first, then reads the profiles and fills in the
target (see `MainWindow.finish_setup`). What the first frame must not wait for is checked in a
fresh interpreter, where nothing has been imported yet."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from tests.ui.conftest import close_window

from idconnect_tester.core.profiles import default_profiles_path
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.window_settings import settings_path

# Loaded after the first paint, never before it: the disk, the keyring, the network stack and
# the core's models all wait until the window is on screen.
NOT_BEFORE_FIRST_PAINT = (
    "asyncio",
    "cryptography",
    "httpx",
    "json",
    "jwt",
    "keyring",
    "platformdirs",
    "sqlite3",
    "idconnect_tester.core.history",
    "idconnect_tester.core.profiles",
    "idconnect_tester.core.secret_store",
    "idconnect_tester.emulator",
    "idconnect_tester.ui.session",
)

_FIRST_FRAME_SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from idconnect_tester.ui.main_window import MainWindow
window = MainWindow()
window.show()
first_frame = sorted(sys.modules)
send = window.form.send_button.isEnabled(), window.form.send_blocked.text()
app.processEvents()  # the first paint (the step after it is queued behind it)
from PySide6 import QtCore
qt_namespace = {"first_paint": "Qt" in QtCore.__dict__, "ready_at_first_paint": window.ready}
while not window.ready:
    app.processEvents()
window.reset_layout()  # the dock API takes Qt.DockWidgetArea: proves the check sees the namespace
qt_namespace["after_reset_layout"] = "Qt" in QtCore.__dict__
import json
print(json.dumps({
    "first_frame": first_frame,
    "after_setup": sorted(sys.modules),
    "send_before": send,
    "profile_after": window.target_panel.profile.currentText(),
    "qt_namespace": qt_namespace,
}))
"""


def _fresh_python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`script` in a fresh interpreter, offscreen, with this test's private HOME and XDG
    folders (set for every test by tests/conftest.py)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def _loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_the_first_frame_waits_for_no_disk_keyring_or_network_module() -> None:
    done = _fresh_python(_FIRST_FRAME_SCRIPT)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    early = [name for name in NOT_BEFORE_FIRST_PAINT if _loaded(result["first_frame"], name)]
    assert early == []
    # The same check sees the second step's imports, so it would see them in the first.
    assert _loaded(result["after_setup"], "idconnect_tester.core.profiles")
    assert _loaded(result["after_setup"], "platformdirs")
    assert result["send_before"] == [False, "Send is off: reading the target…"]
    assert result["profile_after"] == "Built-in emulator"


def test_the_first_frame_does_without_the_qt_namespace() -> None:
    """PySide6 builds the `Qt` namespace's 93 Python enums the first time code touches it
    (~15 ms, a tenth of a cold start): nothing before the first paint may (first_frame.py)."""
    result = json.loads(_fresh_python(_FIRST_FRAME_SCRIPT).stdout.strip().splitlines()[-1])
    assert result["qt_namespace"] == {
        "first_paint": False,
        "ready_at_first_paint": False,
        "after_reset_layout": True,
    }


_LAUNCH_SCRIPT = """
import sys
import idconnect_tester.ui.main_window as main_window
seen = []
original = main_window.MainWindow.finish_setup
def finish_setup(self):
    seen.append("asyncio" in sys.modules)
    original(self)
main_window.MainWindow.finish_setup = finish_setup
from idconnect_tester.ui.launch import launch
code = launch(self_test=False, stdout=sys.stdout, stderr=sys.stderr, screenshot=sys.argv[1])
print("asyncio loaded at the first finish_setup:", seen[0])
sys.exit(code)
"""


def test_the_app_fills_in_the_target_before_loading_asyncio(tmp_path: Path) -> None:
    """`launch()` paints, fills in the target and paints again before asyncio and qasync load
    (left to the event loop, the target stayed empty for ~150 ms)."""
    shot = tmp_path / "shot.png"
    done = _fresh_python(_LAUNCH_SCRIPT, str(shot))
    assert "asyncio loaded at the first finish_setup: False" in done.stdout
    assert shot.stat().st_size > 0


def test_the_target_fills_in_right_after_the_first_paint(loop, qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.ready
    assert window.target_panel.profile.count() == 0
    assert not window.form.send_button.isEnabled()
    with qtbot.waitSignal(window.setup_finished, timeout=5000):
        window.show()
    assert window.ready
    assert window.target_panel.profile.currentText() == "Built-in emulator"
    assert window.target_panel.app_token.text() == "sbx:emulator-app-token"
    assert "reading the target" not in window.form.send_blocked.text()
    qtbot.waitUntil(lambda: window.emulator.started, timeout=5000)
    close_window(window, qtbot)


def test_asking_for_the_target_before_the_window_shows_sets_up_at_once(loop, qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.session.current.builtin  # no paint yet: the property finishes the setup
    assert window.ready
    assert window.target_panel.profile.currentText() == "Built-in emulator"
    close_window(window, qtbot)


class _FirstPaintLayout(QObject):
    """Notes where the panels are when the window paints for the first time."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.layout: dict[str, tuple[int, int, int, int]] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.Paint and self.layout is None:
            self.layout = _layout(self.window)
        return False


def _layout(window: MainWindow) -> dict[str, tuple[int, int, int, int]]:
    """Where the panels the user can see are (a dock whose tab is behind another is kept
    off-screen by Qt, at whatever size: not part of what anyone sees)."""
    widgets: dict[str, QWidget] = {"target": window.target_panel, "form": window.form}
    widgets.update(window.docks)
    seen = {name: w for name, w in widgets.items() if not w.visibleRegion().isEmpty()}
    assert {"target", "form", "raw", "error", "idToken"} <= set(seen)
    boxes = {name: widget.geometry() for name, widget in seen.items()}
    return {name: (b.x(), b.y(), b.width(), b.height()) for name, b in boxes.items()}


def test_the_first_frame_has_the_layout_it_keeps(loop, qtbot) -> None:
    """A first launch: the default dock sizes and the target's note are in place when the
    window first paints, so nothing moves when the target fills in just after."""
    window = MainWindow()
    qtbot.addWidget(window)
    watcher = _FirstPaintLayout(window)
    window.installEventFilter(watcher)
    with qtbot.waitSignal(window.setup_finished, timeout=5000):
        window.show()
    qtbot.waitUntil(lambda: window.emulator.started, timeout=5000)
    assert window.target_panel.note.text()  # the note is filled in now
    QCoreApplication.sendPostedEvents()  # the layout requests the fill-in made: run them now
    assert watcher.layout is not None
    assert watcher.layout == _layout(window)
    close_window(window, qtbot)


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
def test_window_settings_live_beside_the_profiles(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert settings_path().parent == default_profiles_path().parent
    assert settings_path().is_relative_to(tmp_path / "config")


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX modes in the XDG folders")
def test_a_first_start_leaves_the_profiles_folder_owner_only(window) -> None:
    # The window writes window.ini beside profiles.json, before any profile is saved: the
    # folder it creates must already be private.
    folder = default_profiles_path().parent
    assert settings_path().parent == folder and folder.is_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_closing_before_the_step_after_the_paint_starts_nothing(loop, qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    QApplication.processEvents()  # the first paint; the step after it is queued behind it
    assert not window.ready
    close_window(window, qtbot)  # closing (and shutting down) runs that queued step too
    assert not window.emulator.started  # no emulator left running after the shutdown
    assert not window.ready
