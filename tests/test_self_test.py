"""`idconnect-tester --self-test`, run as a person runs it to check an installation — by someone
whose last profile is a real target: it still goes to the built-in emulator, passes, and leaves
the user's home exactly as it found it (no history, no settings, no window geometry written)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.faulty_servers import closed_port

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.core.profiles import ProfileStore


def snapshot(home: Path) -> dict[str, tuple[int, int]]:
    """Every file under `home`: its size and modification time, to the nanosecond."""
    return {
        str(path.relative_to(home)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in home.rglob("*")
        if path.is_file()
    }


def test_self_test_uses_the_emulator_and_leaves_the_home_untouched(
    private_home: Path, tmp_path: Path
) -> None:
    # A user whose last profile is another target (here one where nothing listens).
    store = ProfileStore()
    dead = store.add(
        Profile(
            new_profile_id(),
            name="Production",
            base_url=f"http://127.0.0.1:{closed_port()}",
            app_token="prd:someone-real",
            client_id="their-client",
            issuer=f"http://127.0.0.1:{closed_port()}/",
        )
    )
    store.last_used = dead.id
    assert ProfileStore().last_used == dead.id
    assert list(tmp_path.iterdir()) == []  # its scratch directory went with it
    before = snapshot(private_home)

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # Whatever the self-test did with secrets, it may not reach a real keyring.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TMPDIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "idconnect_tester", "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("PASS") and "Built-in emulator" in first
    assert "FAIL" not in result.stdout
    # Each step lists the fields its response carried: the code's brings a refresh token,
    # the refresh none (the emulator, like Sumsub, does not rotate it).
    steps = {line.split()[1]: line for line in result.stdout.splitlines() if line.count(" ") > 1}
    assert "refresh_token" in steps["token"] and "id_token" in steps["token"]
    assert "refresh_token" not in steps["refresh"].split(";", 1)[1]
    assert snapshot(private_home) == before  # nothing new, nothing changed
    assert ProfileStore().last_used == dead.id
    assert list(tmp_path.iterdir()) == []  # its scratch directory went with it


def _listens(pid: int) -> bool:
    """Whether process `pid` has a TCP socket listening (the built-in emulator, once the window
    is up): its socket inodes against the kernel's table of listening ones."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed since it was listed (the app is starting: files come and go)
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                listening.add(fields[9])
    return bool(inodes & listening)


def test_an_everyday_launch_killed_leaves_nothing_in_the_temporary_directory(
    private_home: Path, tmp_path: Path
) -> None:
    """Killed (or crashed) after start-up, the app leaves no directory behind in /tmp: only
    the self-test works in one."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    app = subprocess.Popen(
        [sys.executable, "-m", "idconnect_tester"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _listens(app.pid):
            assert app.poll() is None, "the app ended by itself"
            assert time.monotonic() < deadline, "the emulator never listened"
            time.sleep(0.05)
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=30)
    assert list(tmp_path.iterdir()) == []
