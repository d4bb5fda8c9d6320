"""The emulator stands alone: no Qt, no PyJWT, and nothing from the client it is testing."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "PySide6",
    "shiboken6",
    "qasync",
    "jwt",
    "idconnect_tester.core",
    "idconnect_tester.ui",
)


def test_importing_the_emulator_pulls_in_no_qt_no_pyjwt_and_no_client_code():
    probe = (
        "import json, sys\n"
        "import idconnect_tester.emulator\n"
        "from idconnect_tester.emulator import EmulatorServer\n"
        "with EmulatorServer() as server:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(result.stdout)
    offending = [
        name for name in loaded for bad in FORBIDDEN if name == bad or name.startswith(bad + ".")
    ]
    assert offending == []
