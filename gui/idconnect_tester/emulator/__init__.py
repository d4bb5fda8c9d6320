"""A local emulator of the Sumsub ID Connect endpoints (Qt-free, standard library + cryptography).

It checks signatures, PKCE and tokens with its own code, never the client's, so a client bug
can't hide by agreeing with itself. See docs/emulator.md.
"""

from idconnect_tester.emulator.config import EmulatorConfig
from idconnect_tester.emulator.runner import run_blocking
from idconnect_tester.emulator.scenarios import SCENARIOS, ScenarioError
from idconnect_tester.emulator.server import EmulatorServer

__all__ = ["SCENARIOS", "EmulatorConfig", "EmulatorServer", "ScenarioError", "run_blocking"]
