"""The title bar's × on a dialog with typing in it asks first, as Cancel and Escape do — on a
real X server (Xvfb, Qt's xcb platform), where the close comes from outside the app."""

from __future__ import annotations

from tests.support.x_server import needs_xvfb, run_probe

pytestmark = needs_xvfb


def test_the_title_bar_close_on_a_profile_with_typing_asks_and_keeps_it_on_cancel() -> None:
    report = run_probe("tests.support.wm_close_probe")
    # Cancel: one question, and the dialog stays with what was typed.
    assert len(report["kept_asked"]) == 1
    assert report["kept_visible"] and report["kept_text"] == "Half typed"
    # Discard: one question, and it closes as Cancel would.
    assert len(report["discarded_asked"]) == 1
    assert not report["discarded_visible"] and report["discarded_result"]
    # Nothing typed: it closes at once.
    assert report["untouched_asked"] == [] and not report["untouched_visible"]
