"""The window on a real X server (Xvfb, Qt's xcb platform) as a first launch opens it: on a
laptop's 1024×700 or 1366×768, light or dark, every request control is reachable without
sideways scrolling, Send is in view, and no status message can widen the window; on 1920×1080
and 2560×1440 the extra room goes to the claims and the raw exchange; at 200% scaling on a
1920×1080 screen the window and the New profile dialog fit the screen."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from tests.support.x_server import needs_xvfb, run_probe

pytestmark = needs_xvfb


def probe(
    screen: str, *args: str, scale: str | None = None, window_manager: bool = False
) -> dict[str, Any]:
    return run_probe(
        "tests.support.layout_probe",
        *args,
        screen=screen,
        scale=scale,
        window_manager=window_manager,
    )


@pytest.mark.parametrize(
    ("screen", "options"), [("1024x700", ()), ("1024x700", ("--dark",)), ("1366x768", ())]
)
def test_a_laptop_screen_shows_the_whole_request_and_never_widens(
    screen: str, options: tuple[str, ...]
) -> None:
    report = probe(screen, *options)
    assert report["frame"][0] <= report["screen"][0] and report["frame"][1] <= report["screen"][1]
    assert "response" in report["in_front_at_launch"], report["in_front_at_launch"]
    assert "error" not in report["in_front_at_launch"], report["in_front_at_launch"]
    # The first frame has the sizes the default layout gives (at 1024×700 without a window
    # manager's resize, the countdown had twice its height and the results the rest).
    assert report["docks_resized_after_launch"] == []
    assert report["clipped_sideways"] == []
    # An empty field's placeholder, read whole (tryout AI: "from the redirect, or Get c…").
    assert report["placeholders_cut"] == [], report["placeholders_cut"]
    assert report["sideways_scrollbars"] == []
    assert report["send_visible"] and report["get_code_visible"]
    # The notes a usual run leaves under the fields ("Used at …" under the spent code, the
    # refresh's under the refresh token) read whole: each has one line, and cut short it hid
    # the warning at its end.
    assert report["field_messages_cut"] == [] and report["field_messages_cut_after_refresh"] == []
    # So do the notes on a refresh token in doubt, then refused.
    suspect, revoked = report["refresh_notes"]
    assert suspect.startswith("Suspect") and revoked.startswith("Revoked")
    assert report["field_messages_cut_when_refused"] == []
    assert report["countdown_visible"] and report["auto_refresh_visible"]
    before, after = report["width_before_after_long_status"]
    assert after == before
    # After a successful exchange every panel on show fits its dock (the id_token's checks and
    # claims scroll inside it), and so does the note that marks them older after a failure
    # ("Older: the latest token request (…) failed: …; this is from …").
    assert report["panels_scrolling_whole"] == []
    assert report["older_marked"]
    assert report["panels_scrolling_whole_when_older"] == []
    assert report["auto_refresh_visible_with_share"]
    # After a refresh (its note under the refresh token) and a share token (its row, its
    # note), and once Auto-refresh has stopped and says why: every panel still fits, the
    # countdown's "until …" lines beside their bars where the countdown is wide enough.
    assert report["panels_scrolling_whole_with_share"] == []
    assert report["share_row_shown"] and report["stop_reason_shown"]
    assert report["panels_scrolling_whole_with_stop"] == [], report["countdown_with_stop"]
    assert report["share_row_shown_with_stop"] and report["countdown_details_shown"]
    if screen == "1024x700":
        # Too short for the response and the id_token panel one above the other (each would
        # be a few lines tall): the results are tabs, each with the column's height.
        assert report["results_tabbed"]
        assert report["id_token_check_rows"] >= 10, report["id_token_check_rows"]
        assert report["id_token_claims_lines"] >= 6, report["id_token_claims_lines"]
    else:
        assert not report["results_tabbed"]
    # Every tab's name whole, its results marked older too.
    assert report["tabs_cut"] == [] and report["tabs_cut_when_older"] == []
    assert report["raw_from_first_line"]  # filled in behind another tab, read from the top
    # The note that marks the response older says which exchange it shows and how the latest
    # ended, whole on one line: "Older: the latest token request (…) failed: 401 …; this is from …".
    assert report["older_note_whole"]
    # Cut short, such a line keeps why (its start) and when its own result came (its end).
    assert set(report["older_notes"]) >= {"response", "countdown"}, report["older_notes"]
    for whole, shown in report["older_notes"].values():
        assert shown.startswith(whole[:12]) and shown.endswith(whole[-8:]), shown


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
@pytest.mark.parametrize("screen", ["1024x700", "1366x768"])
def test_with_a_window_manager_the_title_bar_and_the_status_bar_fit_too(screen: str) -> None:
    """A first launch fills a laptop's screen; the title bar the window manager adds on top
    must not push the status bar below the screen's edge."""
    report = probe(screen, window_manager=True)
    assert report["frame"][0] <= report["screen"][0] and report["frame"][1] <= report["screen"][1]
    assert report["status_bar_on_screen"]
    # The response in front of the results it shares its place with, not "No error".
    assert "response" in report["in_front_at_launch"], report["in_front_at_launch"]
    assert "error" not in report["in_front_at_launch"], report["in_front_at_launch"]
    assert report["sideways_scrollbars"] == []
    assert report["get_code_visible"] and report["send_visible"]
    assert report["countdown_visible"] and report["auto_refresh_visible"]
    # A replayed code (401) marks every result older and its tokens suspect: the response
    # and the id_token panel, each with its note and a longer verdict, still fit their docks.
    assert report["older_marked"]
    assert report["panels_scrolling_whole_when_older"] == []
    if screen == "1366x768":
        # The title bar leaves room enough: the countdown stays under the request (the
        # results keep their column's height), and the request column needs no scrolling.
        assert report["countdown_under_request"] and not report["request_scrolls"]
    # A share token's row, then the reason auto-refresh stopped: the Expiry dock grows for
    # them (from the room the request does not need) — every row whole, Send in view.
    assert report["share_row_shown"] and report["share_row_shown_with_stop"]
    assert report["stop_reason_shown"] and report["countdown_details_shown"]
    assert "countdown" not in report["panels_scrolling_whole_with_share"]
    # Auto-refresh on, its next run said, beside a share token's row; and its stop reason
    # (tryout Q: the dock scrolled by 8 and 4 pixels).
    assert report["share_row_shown_with_auto_refresh"] and report["auto_refresh_note_shown"]
    assert "countdown" not in report["panels_scrolling_whole_with_auto_refresh"]
    assert "countdown" not in report["panels_scrolling_whole_with_stop"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_second_launch_under_a_window_manager_keeps_the_whole_frame_on_the_screen() -> None:
    """Tryout AA: from the second launch on, the window came back 5 px lower than it was left,
    its status bar's bottom edge below the screen's (Qt restores the place before the window
    manager has framed the window)."""
    probe("1366x768", window_manager=True)
    again = probe("1366x768", "--relaunch", window_manager=True)
    assert again["frame_on_screen"], again["frame_at"]
    assert again["send_visible"]


@pytest.mark.parametrize("screen", ["1920x1080", "2560x1440"])
def test_a_large_screen_gives_its_height_to_the_claims_and_the_raw_exchange(screen: str) -> None:
    """The room a big screen adds goes to what grows, not to blank space under the form: the
    claims and the raw response show a screenful each, side by side with the rest."""
    report = probe(screen)
    assert report["frame"][0] <= report["screen"][0] and report["frame"][1] <= report["screen"][1]
    assert report["sideways_scrollbars"] == [] and report["clipped_sideways"] == []
    assert report["send_visible"] and report["countdown_visible"]
    assert report["claims_lines"] >= 20, report
    assert report["raw_response_lines"] >= 12, report
    # Two result columns: every panel fits its dock, after a failure too — the response keeps
    # room for its "older" note, the raw exchange's panes give way to the error panel above.
    assert report["panels_scrolling_whole"] == []
    assert report["panels_scrolling_whole_when_older"] == []


@pytest.mark.parametrize("window_manager", [False, True])
def test_at_200_percent_the_window_fits_the_screen(window_manager: bool) -> None:
    """1920×1080 at 200%: the request column scrolls, and at first sight it shows Send (and
    why it is off) — and no row cut in half at its top edge (the Profile row was)."""
    if window_manager and shutil.which("openbox") is None:
        pytest.skip("needs the openbox window manager")
    report = probe("1920x1080", scale="2", window_manager=window_manager)
    screen_w, screen_h = report["screen"]
    assert report["frame"][0] <= screen_w and report["frame"][1] <= screen_h
    assert report["clipped_sideways"] == []
    assert report["sideways_scrollbars"] == []
    assert report["send_visible_at_launch"]
    assert report["cut_at_the_top_at_launch"] == []
    assert report["send_visible"] and report["get_code_visible"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_at_200_percent_a_second_launch_opens_as_the_first_did() -> None:
    """1920×1080 at 200%, framed: the request column is too short for all of the request, and
    opens on Send with the Profile row above it. Launched again, the window came back a title
    bar shorter (Qt's restoreGeometry makes room for a title bar of its own guess): the
    Profile row was out of view above Send too."""
    first = probe("1920x1080", scale="2", window_manager=True)
    assert first["send_visible_at_launch"] and first["profile_visible_at_launch"]
    again = probe("1920x1080", "--relaunch", scale="2", window_manager=True)
    assert again["window"] == first["window_at_launch"], again
    assert again["frame_on_screen"], again["frame_at"]
    assert again["send_visible"] and again["profile_visible"], again
    assert again["cut_at_the_top"] == []


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_window_that_covered_its_screen_covers_the_next_one_too() -> None:
    """Closed covering 1920×1080 at 200% (960×540 of room), opened at 100% on 1024×700: it
    came back 958×527, a strip of the screen empty and the Profile row scrolled out of view
    (tryout AN). A window that covered its screen covers a screen of another size as a first
    launch there does."""
    laptop = probe("1024x700", window_manager=True)  # a first launch: the size to expect
    probe("1920x1080", "--relaunch", scale="2", window_manager=True)  # closed covering it
    again = probe("1024x700", "--relaunch", window_manager=True)
    assert again["window"] == laptop["window_at_launch"], again
    assert again["frame_on_screen"], again["frame_at"]
    assert again["send_visible"] and again["profile_visible"], again


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_at_200_percent_a_switch_of_profile_keeps_send_and_the_tab_names_in_view() -> None:
    """1920×1080 at 200%, framed, after the built-in emulator's tokens: a profile with no
    secret key (a message under Secret key), then the built-in emulator picked again in the
    Profile box. The results, another profile's, are marked so in a row of six tabs too
    narrow for the marks: every name was cut short ("⚠ Respo…", "Er…", "Hist…"). And the
    column, scrolled to Send and then to the focused Profile box with 50 px to spare around
    each, ended at its top: Send out of view, though both fit."""
    report = probe(
        "1920x1080",
        "--target-note",
        "--after-tokens",
        "--right-issuer",
        "--pick-the-emulator",
        scale="2",
        window_manager=True,
    )
    assert report["tabs_cut"] == []
    assert report["send_visible_after_pick"] and report["profile_visible_after_pick"], report
    assert report["cut_at_the_top_after_pick"] == []


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_at_200_percent_on_a_laptop_the_expiry_panel_shows_every_row() -> None:
    """1024×700 at 200% (a 2048×1400 screen), framed: the countdown sits above the results.
    With a share token and the reason Auto-refresh stopped, the Expiry dock shows all of it —
    every "until …" line whole — without a scrollbar of its own."""
    report = probe("2048x1400", scale="2", window_manager=True)
    assert report["screen"] == [1024, 700]
    assert not report["countdown_under_request"]
    assert report["share_row_shown"] and report["stop_reason_shown"]
    assert report["share_row_shown_with_stop"] and report["countdown_details_shown"]
    assert "countdown" not in report["panels_scrolling_whole_with_stop"], report[
        "countdown_with_stop"
    ]


def test_at_200_percent_the_new_profile_dialog_fits_and_save_is_reachable() -> None:
    report = probe("1920x1080", "--dialog", scale="2")
    screen_w, screen_h = report["screen"]
    dialog_w, dialog_h = report["dialog"]
    assert dialog_w <= screen_w and dialog_h <= screen_h
    assert report["buttons_visible"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
@pytest.mark.parametrize(("screen", "scale"), [("1920x1080", "2"), ("1024x700", None)])
def test_the_jwt_workbench_sized_for_reading_keeps_its_frame_on_the_screen(
    screen: str, scale: str | None
) -> None:
    """Tryout AD: at 200% the workbench took the screen's whole height and, with its title
    bar, ended 20 px past the screen's edge."""
    report = probe(screen, "--workbench", scale=scale, window_manager=True)
    assert report["frame_on_screen"], report
    assert report["close_visible"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
@pytest.mark.parametrize("screen", ["1024x700", "1366x768"])
def test_the_new_profile_dialog_takes_the_height_its_fields_need(screen: str) -> None:
    """Sized for all its fields, not Qt's 24-line guess for a scroll area: on a laptop it
    shows them whole (tryout AJ: at 1366×768 its last line was cut, and at 1024×700 it
    scrolled); with its title bar it ends above the screen's edge, Save in view."""
    report = probe(screen, "--dialog", window_manager=True)
    screen_w, screen_h = report["screen"]
    dialog_w, dialog_h = report["dialog"]
    assert dialog_w <= screen_w and dialog_h <= screen_h
    assert report["buttons_visible"]
    assert not report["fields_scroll"]


def test_a_second_launch_without_a_window_manager_keeps_the_request_whole() -> None:
    """The layout the first launch saved comes back in a window Qt restores a little shorter
    (no window manager): its default layout is made again rather than scroll the request."""
    probe("1366x768")
    again = probe("1366x768", "--relaunch")
    assert again["send_visible"] and not again["request_scrolls"], again


def test_a_request_that_grows_takes_the_room_from_the_countdown_below_it() -> None:
    """A profile with no secret key (and no keyring): a message and a note grow the target
    panel. The countdown under the request has room to spare, so the request takes it instead
    of scrolling Send out of view."""
    report = probe("1366x768", "--target-note")
    assert report["countdown_under_request"]
    assert report["send_visible"] and not report["request_scrolls"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_reset_layout_before_the_secret_key_is_typed_makes_the_usual_layout() -> None:
    """Tryout AM: Reset layout on a profile whose secret key was still to be typed (no
    keyring) put the countdown at the top of the results and the results into tabs; the
    first Send then moved every panel back. The message asking for the key goes once it is
    typed: the layout is made for the request without it."""
    report = probe(
        "1366x768", "--target-note", "--right-issuer", "--then-reset", window_manager=True
    )
    assert report["countdown_under_request_after_reset"], report
    assert not report["results_tabbed_after_reset"]
    assert report["send_visible_after_reset"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_the_countdown_comes_back_under_the_request_at_the_next_step() -> None:
    """Tryout AC: a new profile's notes moved the countdown to the top of the results, which
    then became tabs (the id_token behind one, the Response's tab half empty) — and stayed
    so once the notes were dealt with, until another profile was chosen. Now the person's
    next step (Send) puts the countdown back when the request leaves room; typing does not."""
    report = probe(
        "1366x768",
        "--target-note",
        "--after-tokens",
        "--right-issuer",
        "--production-name",
        "--then-a-step",
        window_manager=True,
    )
    assert not report["countdown_under_request"]  # the notes moved it
    assert not report["countdown_under_request_while_typing"]  # no docks jumping meanwhile
    assert report["countdown_under_request_after_a_step"], report
    assert not report["results_tabbed_after_a_step"]
    assert report["send_visible_after_a_step"] and not report["request_scrolls_after_a_step"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_countdown_with_no_room_left_folds_rather_than_scroll() -> None:
    """Tryout AJ: the tokens, a share token and why Auto-refresh stopped (two lines, after a
    switch) under the request at 1366×768: the share token's line scrolled under the dock's
    edge. With no more room to take from the request, the countdown folds its "until …" lines
    into their tooltips: every row in view, Send too."""
    report = probe("1366x768", "--stopped-by-a-switch", window_manager=True)
    assert report["countdown_under_request"]
    assert "countdown" not in report["panels_scrolling_whole"], report
    assert report["share_countdown_shown"] and report["stop_reason_shown"]
    assert report["send_visible"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_request_a_line_per_token_short_folds_the_countdown_and_keeps_the_layout() -> None:
    """Tryout AI: with a share token on show, a switch to a profile with no secret key moved
    the countdown to the top of the results and put the id_token behind a tab — the request's
    notes needed a line per token more than the countdown could give. The countdown's "until …"
    lines go into their tooltips instead: every countdown still in view, the layout as it was;
    back on a profile with fewer notes, the lines come back."""
    report = probe(
        "1366x768",
        "--target-note",
        "--right-issuer",
        "--after-tokens",
        "--share-token",
        "--switch-back",
        window_manager=True,
    )
    assert report["countdown_under_request"] and report["countdown_folded"], report
    assert not report["results_tabbed"]
    assert report["send_visible"] and not report["request_scrolls"], report
    assert report["share_countdown_shown"] and report["auto_refresh_visible"]
    assert report["countdown_under_request_after_switch"]
    assert not report["countdown_folded_after_switch"]
    assert not report["countdown_scrolls_after_switch"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
@pytest.mark.parametrize("notes", [(), ("--production-name",)])
def test_a_request_grown_past_what_the_countdown_can_give_moves_the_countdown(
    notes: tuple[str, ...],
) -> None:
    """The same profile (the secret key's message, the keyring's note, the warning under
    Issuer — and, named as production with a sandbox token, a fourth) in a window framed by a
    window manager, after the built-in emulator's tokens filled the countdown: the countdown
    under the request can't give the room the column needs. Tryout Z: the column scrolled,
    Send out of view and Auto-refresh cut; Reset layout put it right. The default layout now
    does so by itself: the countdown goes to the top of the results, the request is whole."""
    report = probe(
        "1366x768", "--target-note", "--after-tokens", "--switch-back", *notes, window_manager=True
    )
    assert not report["countdown_under_request"]
    assert report["send_visible"] and not report["request_scrolls"], report
    assert report["auto_refresh_visible"] and report["panels_scrolling_whole"] == []
    # Tryout AA: back on a profile whose request leaves room, the countdown goes back under
    # it — the room there stayed empty for the rest of the session.
    assert report["countdown_under_request_after_switch"], report
    assert report["send_visible_after_switch"] and not report["request_scrolls_after_switch"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_layout_of_ones_own_from_a_large_screen_gives_way_on_a_laptop() -> None:
    """Arranged on 1920×1080 (after an exchange, the id_token panel torn off), opened on
    1024×700: the docks that fitted there would cut the request short here (Send out of view).
    The default layout is shown, and the status bar says why."""
    own = probe("1920x1080", "--own-layout", window_manager=True)
    assert own["own_layout"]
    again = probe("1024x700", "--relaunch", window_manager=True)
    assert again["send_visible"] and not again["request_scrolls"], again
    assert again["status_warns"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_window_closed_maximised_comes_back_maximised() -> None:
    """Made smaller and moved, maximised, closed: the next launch opens maximised (under a
    window manager, which does the maximising), and un-maximised it has the size and the place
    it had before."""
    first = probe("1366x768", "--maximise", window_manager=True)
    again = probe("1366x768", "--relaunch", window_manager=True)
    assert again["maximised"], again
    assert again["window"] == first["maximised"]
    assert again["normal"] == [1000, 650]
    assert again["unmaximised"] == [1000, 650]
    assert again["normal_at"] == again["unmaximised_at"] == [150, 100]
    assert again["send_visible"] and not again["status_warns"]


@pytest.mark.skipif(
    shutil.which("openbox") is None or shutil.which("xprop") is None,
    reason="needs the openbox window manager and xprop (x11-utils)",
)
def test_a_panel_left_floating_comes_back_above_the_window() -> None:
    """Torn off and left floating, the id_token panel comes back with the next launch on top
    of the main window — not under it, unseen, while View says it is shown."""
    own = probe("1920x1080", "--own-layout", window_manager=True)
    assert own["own_layout"]
    again = probe("1920x1080", "--relaunch", window_manager=True)
    assert again["floating_on_top"] is True, again
    # …and stays there once the window is clicked (tryout AK: it went behind it).
    assert again["floating_on_top_after_a_click"] is True, again


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_on_a_tall_screen_the_history_takes_the_room_under_the_countdown() -> None:
    """1920×1080: the request leaves a third of the column empty under the countdown. The
    history takes it (a list worth reading), not a blank Expiry dock; the countdown keeps
    every row whole as it grows (a share token, auto-refresh's stop), Send stays in view."""
    report = probe("1920x1080", window_manager=True)
    assert report["history_under_countdown"] and report["countdown_under_request"]
    assert report["history_rows_shown"] >= 7  # with a share token's row and a stop above
    assert report["send_visible"] and not report["request_scrolls"]
    assert report["share_row_shown"] and report["share_row_shown_with_stop"]
    assert report["sideways_scrollbars"] == []
    # A request that grows (a note about the target): the history gives it the room.
    grown = probe("1920x1080", "--target-note", window_manager=True)
    assert grown["history_under_countdown"]
    assert grown["send_visible"] and not grown["request_scrolls"]


def test_on_a_laptop_the_history_stays_a_tab_beside_the_raw_exchange() -> None:
    """1366×768 leaves no room for a list under the countdown: the history is a result tab."""
    report = probe("1366x768")
    assert not report["history_under_countdown"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_warning_that_comes_with_a_keystroke_moves_no_panel() -> None:
    """Tryout AK: with tokens on screen, typing another server into Base URL brought a
    warning at the first character, and with it the countdown went to the top of the results
    and the results into tabs — the next click landed where Get code had been, and typing
    the URL back left them there. While the person types, the docks stay; the column
    scrolls, the field and Send in view."""
    report = probe("1366x768", "--typed-warning", window_manager=True)
    assert report["countdown_under_request_before"] and report["warned"], report
    assert report["countdown_under_request_while_typing"], report
    assert not report["results_tabbed_while_typing"]
    assert report["field_visible_while_typing"] and report["send_visible_while_typing"]
    assert report["countdown_under_request_typed_back"] and not report["request_scrolls_typed_back"]


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
@pytest.mark.parametrize("screen", ["1366x768", "1920x1080"])
def test_a_refusals_long_note_grows_the_response_rather_than_scroll_it(screen: str) -> None:
    """Tryout AK: after a refresh the server refused (revoked), the note under refresh_token
    says when and why in two lines more; the Response panel scrolled as a whole and its Share
    token button was cut. It takes the room from the panel under it, which scrolls inside, and
    gives it back when the next grant's note is short again."""
    report = probe(screen, "--revoked-refresh", window_manager=True)
    assert report["scrolling_before"] == [] and report["refresh_note_lines"] >= 2, report
    assert report["panels_scrolling_whole"] == [], report
    assert report["share_button_shown"]
    assert report["id_token_check_rows"] >= 5  # the ID token panel gave room, not all of it
    # Granted again, the note is short again: the response gives back the room it took.
    assert report["response_height_refused"] > report["response_height_before"], report
    assert report["response_height_granted_again"] == report["response_height_before"], report
    assert report["panels_scrolling_whole_granted_again"] == [], report


@pytest.mark.skipif(shutil.which("openbox") is None, reason="needs the openbox window manager")
def test_a_floating_expiry_panel_grows_with_its_note_rather_than_scroll() -> None:
    """Tryout AK: the Expiry panel floated, then auto-refresh stopped by a switch (a note of
    two lines): the floating window kept its size and scrolled."""
    report = probe("1366x768", "--float-countdown", window_manager=True)
    assert report["floating"] and not report["scrolls"], report
    assert report["on_screen"]
