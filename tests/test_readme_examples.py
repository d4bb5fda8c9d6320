"""The README's command-line examples run as written: every ```bash block is executed with bash
(`set -euo pipefail`, so any failing command fails the test), with this checkout's
`idconnect-tester` first on PATH, in a fresh directory. The blocks start their own emulator."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```$", re.MULTILINE | re.DOTALL)
BLOCKS = BASH_BLOCK.findall(README.read_text(encoding="utf-8"))
NEEDED = ("bash", "jq")


def test_the_readme_has_runnable_examples() -> None:
    joined = "\n".join(BLOCKS)
    for command in ("emulator", "authorize", "token", "id-token", "check"):
        assert f"idconnect-tester {command} " in joined, command
    assert "| jq " in joined and "jq -r" in joined


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in NEEDED),
    reason=f"the README examples need {' and '.join(NEEDED)} on PATH (`apt-get install jq`)",
)
@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{n + 1}" for n in range(len(BLOCKS))])
def test_a_readme_bash_block_runs(block: str, tmp_path: Path) -> None:
    entry_points = Path(sys.executable).parent  # this venv's idconnect-tester
    assert (entry_points / "idconnect-tester").exists()
    env = {**os.environ, "PATH": f"{entry_points}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: nothing it started outlives the test
    )
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        # The block and everything it started may be gone already.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    assert process.returncode == 0, f"stdout:\n{stdout}\nstderr:\n{stderr}"
    assert "Traceback" not in stderr
