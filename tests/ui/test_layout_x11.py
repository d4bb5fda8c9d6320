"""The window on a real X server (Xvfb, Qt's xcb platform) as a first launch opens it: on a
laptop's 1024×700 every request control is reachable without sideways scrolling, Send is in
view, and no status message can widen the window; at 200% scaling on a 1920×1080 screen the
window and the New profile dialog fit the screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("xvfb-run") is None, reason="xvfb-run missing (apt-get install xvfb xauth)"
)


def probe(screen: str, *args: str, scale: str | None = None) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("QT_SCALE_FACTOR", None)
    if scale is not None:
        env["QT_SCALE_FACTOR"] = scale
    done = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            f"-screen 0 {screen}x24",
            sys.executable,
            "-m",
            "tests.support.layout_probe",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_a_laptop_screen_shows_the_whole_request_and_never_widens() -> None:
    report = probe("1024x700")
    assert report["frame"][0] <= report["screen"][0] and report["frame"][1] <= report["screen"][1]
    assert report["clipped_sideways"] == []
    assert report["sideways_scrollbars"] == []
    assert report["send_visible"] and report["get_code_visible"]
    assert report["countdown_visible"]
    before, after = report["width_before_after_long_status"]
    assert after == before


def test_at_200_percent_the_window_fits_the_screen() -> None:
    report = probe("1920x1080", scale="2")
    screen_w, screen_h = report["screen"]
    assert report["frame"][0] <= screen_w and report["frame"][1] <= screen_h
    assert report["clipped_sideways"] == []
    assert report["sideways_scrollbars"] == []
    assert report["send_visible"] and report["get_code_visible"]


def test_at_200_percent_the_new_profile_dialog_fits_and_save_is_reachable() -> None:
    report = probe("1920x1080", "--dialog", scale="2")
    screen_w, screen_h = report["screen"]
    dialog_w, dialog_h = report["dialog"]
    assert dialog_w <= screen_w and dialog_h <= screen_h
    assert report["buttons_visible"]
