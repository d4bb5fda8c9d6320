"""run_blocking: the emulator as a foreground process, for ``idconnect-tester emulator``."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, TextIO

from idconnect_tester.emulator.config import EmulatorConfig
from idconnect_tester.emulator.server import EmulatorServer

_CHECK_INTERVAL_S = 0.2
# What signal.signal() returns: a callable, SIG_DFL/SIG_IGN, or None if not set from Python.
_SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


def run_blocking(
    config: EmulatorConfig, *, stdout: TextIO, stop_event: threading.Event | None = None
) -> int:
    """Serve until Ctrl+C, SIGTERM or ``stop_event``; print the base URL alone on line one.

    Returns 0 after a clean stop; raises OSError if the address can't be bound.

    The base URL goes first and alone so a script can read one line and start talking to it;
    the request log follows on the same stream.
    """
    stop = stop_event if stop_event is not None else threading.Event()
    # Signal handlers only set a plain flag: touching a lock from a handler can deadlock with the
    # main thread holding it, so the loop below polls the flag instead.
    signalled: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        signalled.append(signum)

    previous: dict[signal.Signals, _SignalHandler] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)

    server = EmulatorServer(config, log_stream=stdout)
    try:
        server.start()  # OSError (port taken, host not local) propagates to the caller
        stdout.write(server.base_url + "\n")
        stdout.flush()
        while not signalled and not stop.wait(_CHECK_INTERVAL_S):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            # None: the old handler wasn't installed from Python; the default is the best guess.
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    return 0
