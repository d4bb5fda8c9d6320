"""pytest-qt + qasync: one qasync loop for the whole session, running inside Qt's event loop.

qtbot.wait*/waitUntil spin Qt's event loop, and with it the asyncio tasks the window starts —
so tests wait on conditions while real HTTP flows to the emulator. Never `loop.stop()` per
test: it calls app.exit(), after which every later qtbot.wait* returns at once.

The loop counts as *running* only while a test that asked for `loop` runs, so a test elsewhere
in the same session (a core test calling `asyncio.run`) still finds no loop running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from tests.support.browser import Browser
from tests.support.drills import private_executor

from idconnect_tester.ui.main_window import MainWindow


@pytest.fixture(scope="session")
def event_loop_qt(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio._set_running_loop(None)  # the `loop` fixture marks it running for its test
    asyncio.set_event_loop(loop)
    yield loop
    # A host-name lookup starts qasync's default executor (QThreads); left running, Qt aborts
    # the process at exit ("QThread: Destroyed while thread is still running").
    executor = loop._QEventLoop__default_executor  # qasync keeps it private
    if executor is not None:
        executor.shutdown(wait=True)
        loop.set_default_executor(None)
    asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def empty_clipboard(qapp: QApplication) -> None:
    """Each test starts with nothing on the clipboard: what an earlier test copied (a redirect
    URL, a token) would change what Paste redirect URL… does."""
    clipboard = QApplication.clipboard()
    assert clipboard is not None
    clipboard.clear()


@pytest.fixture(autouse=True)
def browser(qapp: QApplication) -> Iterator[Browser]:
    """The system browser for every GUI test: it follows what the app opens (see Browser)."""
    stand_in = Browser()
    stand_in.install()
    yield stand_in
    Browser.uninstall()


@pytest.fixture(scope="module")
def own_executor(event_loop_qt: qasync.QEventLoop) -> Iterator[None]:
    """The loop's default executor, for a module whose tests resolve host names (one stuck on
    an unresolvable name must not hold the executor other modules use)."""
    with private_executor(event_loop_qt):
        yield


@pytest.fixture
def loop(event_loop_qt: qasync.QEventLoop, qtbot) -> Iterator[qasync.QEventLoop]:
    asyncio._set_running_loop(event_loop_qt)
    yield event_loop_qt
    leftovers = [t for t in asyncio.all_tasks(event_loop_qt) if not t.done()]
    for task in leftovers:
        task.cancel()
    qtbot.waitUntil(lambda: all(t.done() for t in leftovers), timeout=5000)
    asyncio._set_running_loop(None)


def close_window(window: MainWindow, qtbot) -> None:
    """Close like a user would, then wait until the window's tasks, connections and emulator
    are really gone."""
    window.close()
    task = asyncio.ensure_future(window.shutdown())
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()


def open_window(qtbot, **kwargs: Any) -> MainWindow:
    """Open a window like a launch does and wait for the step after its first paint (profiles
    read, target filled in, emulator started: `MainWindow.ready`)."""
    main = MainWindow(**kwargs)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    qtbot.waitUntil(lambda: main.ready, timeout=5000)
    if main.targets.current.builtin:  # its server comes up just after the window is ready
        qtbot.waitUntil(lambda: main.emulator.started, timeout=5000)
    return main


@pytest.fixture
def window(loop, qtbot) -> Iterator[MainWindow]:
    main = open_window(qtbot)
    # The built-in emulator starts right after the first paint; the URL appears when it listens.
    qtbot.waitUntil(lambda: main.emulator.started, timeout=5000)
    yield main
    close_window(main, qtbot)
