"""What every handler needs: settings, clock, state, key and drills of one emulator instance."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from idconnect_tester.emulator.config import EmulatorConfig
from idconnect_tester.emulator.jwt_keys import SigningKey
from idconnect_tester.emulator.scenarios import ScenarioState
from idconnect_tester.emulator.tokens import TokenStore


class Answering:
    """How many requests are being answered right now (read, their answer not yet written)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0

    @contextmanager
    def one(self) -> Iterator[None]:
        with self._changed:
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self._changed.notify_all()

    def wait_until_none(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout)


@dataclass
class EmulatorContext:
    config: EmulatorConfig
    clock: Callable[[], float]
    base_url: str = ""  # known once the socket is bound
    store: TokenStore = field(default_factory=TokenStore)
    keys: SigningKey = field(default_factory=SigningKey)
    scenarios: ScenarioState = field(default_factory=ScenarioState)
    # Set by stop(): a drill's delay waits on it, so stopping never waits out a `slow` request.
    stopping: threading.Event = field(default_factory=threading.Event)
    answering: Answering = field(default_factory=Answering)

    @property
    def issuer(self) -> str:
        return self.base_url + "/"
