"""What every handler needs: settings, clock, state, key and drills of one emulator instance."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from idconnect_tester.emulator.config import EmulatorConfig
from idconnect_tester.emulator.jwt_keys import SigningKey
from idconnect_tester.emulator.scenarios import ScenarioState
from idconnect_tester.emulator.tokens import TokenStore


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

    @property
    def issuer(self) -> str:
        return self.base_url + "/"
