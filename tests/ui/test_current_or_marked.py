"""What the result panels show is the latest result for the current target, or visibly marked as
older — through the real window against the real emulator, the way a QA engineer meets it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QTabBar, QWidget
from pytestqt.wait_signal import SignalBlocker
from tests.support.faulty_servers import closed_port, drop_mid_body_server
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import (
    ANOTHER_CLIENT,
    WAIT_MS,
    add_profile,
    answer_the_question,
    find,
    get_code,
    hint_shown,
    scenario,
    select,
    send_and_wait,
    send_then_cancel_once_it_reached_the_server,
    settled,
    text_of,
    token_flow,
    type_into,
)

from idconnect_tester import vendor
from idconnect_tester.core.exchange import ApiError, HintKind, NetworkError, TokenGranted
from idconnect_tester.core.id_token_checks import CheckStatus, Verdict, Verification
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.core.session_events import IdTokenChanged, TokenState
from idconnect_tester.core.token_chain import SpentHow
from idconnect_tester.core.wording import clock_time
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer
from idconnect_tester.ui import window_layout
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.theme import Tone, colours

RESULT_PANELS = ("responsePanel", "countdownPanel", "idTokenPanel", "errorPanel", "rawPanel")


def stale(window: MainWindow, name: str) -> bool:
    panel = window.findChild(QWidget, name)
    assert panel is not None, name
    return panel.property("stale") is True


def shown_verification(window: MainWindow) -> Verification | None:
    """The verdict the id_token panel has now (a new object each time the checks run)."""
    for event in window.session.panel_events():
        if isinstance(event, IdTokenChanged):
            return event.view.verification if event.view is not None else None
    return None


def wait_for_verdict(window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("signature") is not None, timeout=WAIT_MS
    )


def test_a_failure_marks_the_token_panels_older_and_a_success_clears_it(window, qtbot) -> None:
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    assert not any(stale(window, name) for name in RESULT_PANELS)
    assert "·" in window.docks["response"].windowTitle()  # "Response · 14:02:11"
    assert window.docks["error"].windowTitle() == "Error"  # no error: no time to show
    # The View menu names the panels, whatever they show.
    assert window.docks["response"].toggleViewAction().text().replace("&", "") == "Response"

    replay = send_and_wait(window, qtbot)  # the same code again: 401
    assert isinstance(replay.outcome, ApiError) and replay.outcome.status == 401
    for name in ("responsePanel", "countdownPanel", "idTokenPanel"):
        assert stale(window, name), name
    assert not stale(window, "errorPanel") and not stale(window, "rawPanel")
    said = window.response_panel.freshness.text()
    # Shown in its panel (the panel itself may sit behind the error panel's tab just now).
    freshness = window.response_panel.freshness
    assert freshness.isVisibleTo(window.response_panel) and "401" in said
    # The server revokes what a replayed code issued (RFC 6749 §4.1.2): not shown as live.
    assert text_of(window, "accessTokenState") == "suspect"
    # …and so is the id_token that came with them (its countdown says so, not just "older").
    assert text_of(window, "idTokenExpiryCountdownState") == "suspect"
    assert "older" in window.docks["idToken"].windowTitle()
    assert "·" in window.docks["error"].windowTitle()  # the 401, with its time
    assert window.docks["error"].isVisible() and not window.docks["error"].visibleRegion().isEmpty()

    token_flow(window, qtbot)  # a fresh code: current again
    wait_for_verdict(window, qtbot)
    assert not any(stale(window, name) for name in RESULT_PANELS)
    assert not window.docks["response"].visibleRegion().isEmpty()  # back in front
    window.docks["error"].raise_()  # the user looks at the (empty) error tab…
    token_flow(window, qtbot)  # …and the next success brings the response forward again
    assert not window.docks["response"].visibleRegion().isEmpty()
    assert text_of(window, "accessTokenState") == "live"
    assert not window.response_panel.freshness.isVisibleTo(window.response_panel)


def click_tab(window: MainWindow, qtbot, dock: str) -> None:
    """Click the tab of the dock `dock` (its title, time and all), as a person would."""
    title = window.docks[dock].windowTitle()
    for bar in window.findChildren(QTabBar):
        for index in range(bar.count()):
            if bar.isVisible() and bar.tabText(index) == title:
                qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
                return
    raise AssertionError(f"no tab for {dock}")


def test_each_new_failure_comes_to_the_front_after_another_tab_was_clicked(window, qtbot) -> None:
    """The error came to the front, the user clicked the response's tab to look at the older
    tokens, and Sent again: the new failure is in front, not behind the tab clicked before."""
    token_flow(window, qtbot)
    for _ in range(2):
        send_and_wait(window, qtbot)  # the same code again: 401
        assert not window.docks["error"].visibleRegion().isEmpty()
        click_tab(window, qtbot, "response")
        assert not window.docks["response"].visibleRegion().isEmpty()
        assert window.docks["error"].visibleRegion().isEmpty()


def test_back_on_a_profile_its_own_error_shows_and_the_tabs_stay_as_left(window, qtbot) -> None:
    """The emulator's replay (401), then another profile's refused connection: back on the
    emulator, the error panel shows its 401 — what the older tokens' note names — as current,
    and the switch brings no tab forward over the one the user picked."""
    unreachable = add_profile(
        window, "Unreachable", base_url=f"http://127.0.0.1:{closed_port()}", timeout_s=2.0
    )
    type_into(qtbot, window.target_panel.secret_key, "its-secret")
    select(window, EMULATOR_PROFILE_ID)
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    select(window, unreachable.id)
    qtbot.waitUntil(window.form.send_button.isEnabled, timeout=WAIT_MS)  # its secret read
    failed = send_and_wait(window, qtbot)
    assert failed.outcome is not None and text_of(window, "errorStatus").startswith("Network")
    click_tab(window, qtbot, "response")

    select(window, EMULATOR_PROFILE_ID)
    assert text_of(window, "errorStatus").startswith("401") and not stale(window, "errorPanel")
    assert "401" in window.response_panel.freshness.text()
    assert not window.docks["response"].visibleRegion().isEmpty()
    assert window.docks["error"].visibleRegion().isEmpty()


def test_back_on_a_profile_its_error_is_older_after_a_copy_of_it_succeeded(window, qtbot) -> None:
    """The emulator's replay (401), then a copy of its profile (the same client) gets new
    tokens: back on the emulator, the 401 and its advice are marked older, not the news; the
    tokens shown are the emulator's own, which its replay put in doubt."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    copy = add_profile(window, "Emulator copy")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    select(window, EMULATOR_PROFILE_ID)
    assert text_of(window, "errorStatus").startswith("401") and stale(window, "errorPanel")
    assert copy.name in window.error_panel.freshness.text()
    assert text_of(window, "accessTokenState") == "suspect"


def test_back_on_a_profile_every_panel_shows_its_own_exchange(window, qtbot) -> None:
    """A copy of the profile (the same client at the same server) gets tokens, then the
    profile itself: back on either, the Response's tokens are the ones its own raw exchange
    carried. (The copy showed the profile's newer tokens beside its own older raw exchange:
    two exchanges' stories in one window, a tryout found.)"""
    copy = add_profile(window, "Emulator copy")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    copy_exchange = token_flow(window, qtbot)
    select(window, EMULATOR_PROFILE_ID)
    own_exchange = token_flow(window, qtbot)

    for profile_id, exchange in ((copy.id, copy_exchange), (EMULATOR_PROFILE_ID, own_exchange)):
        select(window, profile_id)
        assert isinstance(exchange.outcome, TokenGranted)
        shown = window.response_panel.access_token()
        assert shown == exchange.outcome.access_token, profile_id
        assert shown in window.raw_panel.response.toPlainText(), profile_id
        assert not stale(window, "responsePanel") and not stale(window, "rawPanel")
        assert text_of(window, "accessTokenState") == "live"
        # The form's refresh token is the one the panels show (it sent the other's), and the
        # status bar marks nothing: no panel shows the other profile's results.
        assert window.form.refresh_token.text() == exchange.outcome.refresh_token, profile_id
        assert "marked" not in window.status.text()


def test_an_id_token_from_an_earlier_response_says_so_beside_not_trusted(window, qtbot) -> None:
    """A refresh without openid carries no id_token: the current panels keep the earlier one,
    whose checks failed. Its countdown says both (not trusted, older), and the Response's
    id_token row — empty in this response — says nothing of it."""
    scenario(window, "bad_signature_id_token")  # an id_token drill: authorize never uses it
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    assert text_of(window, "idTokenState") == "not trusted"
    window.form.set_grant("refresh_token")
    window.form.scope_boxes["openid"].setChecked(False)
    refreshed = send_and_wait(window, qtbot)
    assert isinstance(refreshed.outcome, TokenGranted) and refreshed.outcome.id_token is None
    assert not stale(window, "countdownPanel") and not stale(window, "responsePanel")
    state = window.findChild(QLabel, "idTokenExpiryCountdownState")
    assert state is not None and state.text() == "not trusted, older"
    assert state.property("tone") == Tone.ERROR.value
    assert text_of(window, "idTokenState") == ""


def test_the_error_panel_names_an_id_token_that_failed_instead_of_no_error(window, qtbot) -> None:
    """A 200 whose id_token failed its checks is not "No error": the Error panel says the
    id_token failed and which check, in red, with the step's time in its title — and the next
    clean success is "No error" again."""
    scenario(window, "bad_signature_id_token")
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    status = window.error_panel.status
    assert status.text() != "No error" and status.property("tone") == Tone.ERROR.value
    assert "signature" in window.error_panel.hint.text()
    assert window.docks["error"].windowTitle() != window_layout.DOCK_TITLES["error"]
    token_flow(window, qtbot)  # the drill is spent: a clean token
    wait_for_verdict(window, qtbot)
    assert status.text() == "No error" and status.property("tone") != Tone.ERROR.value
    assert window.docks["error"].windowTitle() == window_layout.DOCK_TITLES["error"]


def arm(window: MainWindow, qtbot, drill: str) -> None:
    """Arm an emulator drill as a person would, from its dialog: the window knows."""
    window.actions_by_name["drills"].trigger()
    drills = window.drills.dialog
    assert drills is not None
    qtbot.waitUntil(lambda: drills.select(drill), timeout=WAIT_MS)
    drills.arm_button.click()
    qtbot.waitUntil(lambda: window.drills.mark.isVisible(), timeout=WAIT_MS)
    drills.close()


def test_a_revocation_a_drill_staged_says_so_on_the_tokens(window, qtbot) -> None:
    """Tryout Q: the revoked_token drill's 403 read as a real revocation on every token row,
    and the next refresh, which the emulator granted, contradicted it without a word."""
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    arm(window, qtbot, "revoked_token")
    staged = send_and_wait(window, qtbot).outcome
    assert isinstance(staged, ApiError) and staged.status == 403
    # What the 403 means stays (what the drill is for), and each row says who staged it.
    qtbot.waitUntil(
        lambda: "drill" in window.response_panel.refresh_state.toolTip(), timeout=WAIT_MS
    )
    assert text_of(window, "refreshTokenState") == "revoked"
    assert "revoked_token" in window.response_panel.access_state.toolTip()
    assert "revoked_token" in window.id_token_panel.summary.toolTip()
    # …and in the ID token panel's own words, where "Revoked now." stood alone (tryout AQ).
    summary = window.id_token_panel.summary.text()
    assert summary.startswith("Revoked") and "revoked_token drill" in summary.split(".")[0]
    note = window.response_panel.refresh_info.text()
    assert "revoked_token drill" in note
    assert note.count("(") == note.count(")"), note  # tryout AK: its ")" was lost
    # Staged, the revocation is the drill's word alone: the emulator holds the token until
    # then, and the line under its "—" names the drill (tryout AP) — as does the note under
    # Refresh token, which told the person to get new tokens they still had.
    access = window.countdown_panel.rows["access"]
    assert access.detail.text().startswith("until ") and "revoked_token" in access.detail.text()
    advice = window.form.messages["refresh_token"].text()
    assert "revoked_token" in advice and "get new tokens" not in advice
    # The advice beside it is a real revocation's ("Press Get code for new tokens"): the
    # drill's row says the server never saw the request (tryout AO: they contradicted).
    assert window.error_panel.hint.text()
    drill_row = window.error_panel.drill.text()
    assert "revoked_token" in drill_row and "never saw this request" in drill_row

    granted = send_and_wait(window, qtbot)  # the emulator never revoked it: granted
    assert isinstance(granted.outcome, TokenGranted)
    assert text_of(window, "refreshTokenState") == "live"
    assert access.detail.text().startswith("until ")
    assert "drill" not in window.response_panel.refresh_state.toolTip()


def test_the_error_panel_and_the_history_say_which_drill_staged_a_failure(window, qtbot) -> None:
    """A 502 the emulator's drill staged reads like a real outage: the Error panel says the
    drill made it, for that step only, and so does its history entry, read later."""
    get_code(window, qtbot)
    arm(window, qtbot, "server_error_html")
    failed = send_and_wait(window, qtbot)
    assert failed.outcome.status == 502  # type: ignore[union-attr]
    staged = window.error_panel.drill
    qtbot.waitUntil(lambda: "server_error_html" in staged.text(), timeout=WAIT_MS)
    assert staged.isVisibleTo(window.error_panel)
    window.error_panel.support_button.click()  # Copy for support says so too
    assert "server_error_html" in QGuiApplication.clipboard().text().splitlines()[-1]
    history = window.history
    qtbot.waitUntil(
        lambda: "server_error_html" in history.store.list(status="502")[0].summary,
        timeout=WAIT_MS,
    )
    # Its row, listed before the drill's note was written, turns to italics with it, and the
    # list says what italics mean.
    listed = window.history_panel.table.topLevelItem(0)
    qtbot.waitUntil(lambda: listed is not None and listed.font(0).italic(), timeout=WAIT_MS)
    assert "italics" in window.history_panel.count_label.text()
    type_into(qtbot, window.target_panel.secret_key, "not-the-secret-key")
    refused = send_and_wait(window, qtbot)  # the drill is spent: a real failure, the secret's
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
    assert staged.text() == "" and not staged.isVisibleTo(window.error_panel)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    granted = send_and_wait(window, qtbot)
    assert isinstance(granted.outcome, TokenGranted)
    assert staged.text() == "" and not staged.isVisibleTo(window.error_panel)
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    (real,) = history.store.list(status="401")
    assert "drill" not in real.summary
    (made,) = history.store.list(text="server_error_html")  # the filter finds it by the drill
    assert made.status == 502


def test_a_drill_used_up_from_outside_the_window_is_not_blamed_for_a_real_failure(
    window, qtbot
) -> None:
    """Tryout AB: the slow drill, armed in the window, was used up by a copied curl command;
    the next Send's real 404 (a disabled app token) was then said to be the drill's."""
    token_flow(window, qtbot)
    arm(window, qtbot, "slow")
    server = window.emulator.server
    assert server is not None
    # Any POST to the token endpoint uses a delay drill up (it applies before authentication).
    outside = httpx.post(window.emulator.base_url + vendor.TOKEN_PATH, content=b"{}", timeout=30)
    assert outside.headers["X-Emulator-Drill"] == "slow; kind=delay"
    type_into(qtbot, window.target_panel.app_token, "sbx:emulator-disabled-token")
    window.form.set_grant("refresh_token")
    failed = send_and_wait(window, qtbot)
    assert failed.response is not None and failed.response.status == 404
    qtbot.waitUntil(lambda: not window.drills.mark.isVisible(), timeout=WAIT_MS)  # counted down
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    assert window.error_panel.drill.text() == ""
    assert "drill" not in window.status.text()
    (row,) = window.history.store.list(status="404")
    assert "drill" not in row.summary


def test_a_send_cancelled_while_the_slow_drill_held_it_is_the_persons_own(window, qtbot) -> None:
    """The slow drill holds the answer back; the person presses Cancel. The cancel was theirs:
    the status bar and the history say the drill held the answer back, not that it made the
    exchange (its row is not listed in italics as one the person did not make); the Error
    panel still names the drill beside the cancel."""
    get_code(window, qtbot)
    window.actions_by_name["drills"].trigger()  # armed as a person would: the window knows
    drills = window.drills.dialog
    assert drills is not None
    qtbot.waitUntil(lambda: drills.select("slow"), timeout=WAIT_MS)
    drills.params["delay_s"].setValue(5)
    drills.arm_button.click()
    qtbot.waitUntil(lambda: window.drills.mark.isVisible(), timeout=WAIT_MS)
    drills.close()
    server = window.emulator.server
    assert server is not None
    window.form.send_button.click()
    qtbot.waitUntil(lambda: server.wait_scenario_used(0), timeout=WAIT_MS)
    window.form.cancel_button.click()
    qtbot.waitUntil(lambda: "slow" in window.error_panel.drill.text(), timeout=WAIT_MS)

    assert window.status.text().startswith("Cancelled")
    assert "slow drill held the answer back" in window.status.text()
    assert "made by" not in window.status.text()
    history = window.history
    qtbot.waitUntil(lambda: "slow drill" in history.store.list()[0].summary, timeout=WAIT_MS)
    (cancelled,) = history.store.list(text="slow drill")
    assert cancelled.outcome.value == "cancelled" and cancelled.made_by == ""
    listed = window.history_panel.table.topLevelItem(0)
    assert listed is not None and not listed.font(0).italic()
    # The Error panel names the drill beside the cancel, for the wait it staged alone.
    staged = window.error_panel.drill.text()
    assert "wait" in staged and "not a fault of the server" not in staged


def test_an_id_token_not_to_trust_stays_red_once_older(window, qtbot) -> None:
    """An older verified verdict goes grey (no green for an older token); "do not trust" does
    not: marked older and suspect after the replay of its code, it is still a warning."""
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401, the verified verdict older
    summary = window.id_token_panel.summary
    assert stale(window, "idTokenPanel") and summary.property("tone") != Tone.OK.value
    scenario(window, "bad_signature_id_token")
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    assert summary.text().startswith("Do not trust")
    assert summary.property("tone") == Tone.ERROR.value
    send_and_wait(window, qtbot)  # that code again: 401, its tokens suspect
    assert stale(window, "idTokenPanel") and summary.text().startswith(
        "Suspect now. Its own checks: Do not trust"
    )
    assert summary.property("tone") == Tone.ERROR.value


def test_claims_on_a_token_whose_signature_fails_read_unverified_not_pass(window, qtbot) -> None:
    """Tryout AI: under a bad signature's red verdict, iss, sub, aud, exp, nonce… each read
    "✔ pass" in green — claims anyone could have written. They read "unverified", greyed;
    the signature's own row says what failed."""
    scenario(window, "bad_signature_id_token")
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    table = window.id_token_panel.checks
    rows = {
        item.text(0): item
        for item in (table.topLevelItem(i) for i in range(table.topLevelItemCount()))
        if item is not None
    }
    assert rows["signature"].text(1).endswith("fail")
    for name in ("iss", "sub", "aud", "exp", "nonce"):
        assert rows[name].text(1).endswith("unverified"), (name, rows[name].text(1))
        shown = rows[name].foreground(1).color()
        assert shown != colours().ok, name
    assert rows["decode"].text(1).endswith("pass")  # the token does decode

    token_flow(window, qtbot)  # no drill: a signature that verifies proves its claims
    wait_for_verdict(window, qtbot)
    rows = {
        item.text(0): item
        for item in (table.topLevelItem(i) for i in range(table.topLevelItemCount()))
        if item is not None
    }
    assert all(rows[name].text(1).endswith("pass") for name in ("iss", "aud", "exp"))


def test_back_on_a_target_its_untrusted_id_token_is_not_said_with_anothers_answer(
    window, qtbot
) -> None:
    """Tryout AJ: back on the built-in emulator, the status bar read "200 OK in 12 ms — id_token
    not trusted": the 200 another server's, the verdict this one's, the drill gone. The
    verdict was said with the answer that brought it; a switch back doesn't say it again."""
    scenario(window, "alg_none_id_token")
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    said = window.status.text()
    assert "not trusted" in said and "alg_none_id_token" in said, said
    add_profile(window, "Own emu")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    elsewhere = token_flow(window, qtbot)
    select(window, EMULATOR_PROFILE_ID)
    qtbot.waitUntil(lambda: window.targets.current.builtin, timeout=WAIT_MS)
    wait_for_verdict(window, qtbot)
    assert elsewhere.summary() not in window.status.text(), window.status.text()


def test_an_id_token_not_to_trust_stays_red_after_a_later_failure(window, qtbot) -> None:
    """A wrong secret fails the next request and leaves the tokens as they were, only older:
    the verdict on the older id_token is still "do not trust", in red."""
    scenario(window, "bad_signature_id_token")
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    window.target_panel.secret_key.setText("not-the-secret-key")
    window.target_panel.edited.emit()
    failed = token_flow(window, qtbot)
    assert isinstance(failed.outcome, ApiError) and failed.outcome.status == 401
    summary = window.id_token_panel.summary
    assert stale(window, "idTokenPanel") and summary.text().startswith("Do not trust")
    assert summary.property("tone") == Tone.ERROR.value


def test_a_usable_token_from_before_a_failure_counts_down_marked_older(window, qtbot) -> None:
    """A wrong secret fails the next request but revokes nothing: the earlier access token is
    still live, and both panels say it is from an older result — in the same word — instead of
    shining green."""
    token_flow(window, qtbot)
    assert text_of(window, "expiryCountdownState") == ""
    assert text_of(window, "accessTokenState") == "live"
    window.target_panel.secret_key.setText("not-the-secret-key")
    window.target_panel.edited.emit()
    failed = token_flow(window, qtbot)
    assert isinstance(failed.outcome, ApiError) and failed.outcome.status == 401
    assert stale(window, "countdownPanel") and stale(window, "responsePanel")
    for state in ("accessTokenState", "refreshTokenState", "idTokenState", "expiryCountdownState"):
        assert text_of(window, state) == "older", state
        assert "401" in find(window, state).toolTip(), state


def test_the_reported_sequence_replay_then_revoked_refresh(window, qtbot) -> None:
    """Exchange a code, Send it again (401), refresh (403 revoked): nothing looks live."""
    granted = token_flow(window, qtbot)
    replay = send_and_wait(window, qtbot)
    # The 401's advice names the replay: this run used the code, at that time.
    assert clock_time(granted.received_at) in text_of(window, "errorHint")
    assert hint_shown(window) is HintKind.CODE_REPLAYED
    code_note = window.form.messages["code"]
    assert "suspect" in code_note.text()
    window.form.set_grant("refresh_token")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 403
    assert text_of(window, "refreshTokenState") == "revoked"
    # The note under Code says it too (once Code is in use again): the tokens that code gave
    # are revoked, not suspect.
    assert code_note.text() == ""  # greyed out under refresh_token
    window.form.set_grant("authorization_code")
    assert "revoked" in code_note.text() and "suspect" not in code_note.text()
    window.form.set_grant("refresh_token")
    assert text_of(window, "accessTokenState") in ("revoked", "suspect")
    # The id_token came with the tokens the 403 confirmed revoked: no longer "suspect" beside
    # them, in the Response as in the Expiry panel — the sign-in it stands for is over.
    assert text_of(window, "idTokenState") == "revoked"
    assert text_of(window, "idTokenExpiryCountdownState") == "revoked"
    assert stale(window, "responsePanel") and stale(window, "countdownPanel")
    # Revoked tokens have no time left to count: no clock runs beside "revoked", in red or
    # not, and the bar is empty (a running 23:58:52 read as a token good for a day).
    for countdown in ("expiryCountdown", "idTokenExpiryCountdown"):
        assert text_of(window, f"{countdown}State") == "revoked", countdown
        assert text_of(window, countdown) == "—", countdown
    access = window.countdown_panel.rows["access"]
    assert access.bar.value() == 0
    # No "until …" under a revoked token's "—", as if it still lasted (tryout AL).
    assert access.detail.text().startswith("was to last until ")
    assert "drill" not in access.detail.text()
    assert "403" in window.response_panel.freshness.text()
    # Its verdict judged it as issued; the panel says first what it is worth now.
    verdict = window.id_token_panel.summary
    assert verdict.text().startswith("Revoked") and stale(window, "idTokenPanel")
    assert verdict.property("tone") == Tone.ERROR.value and "revoked" in verdict.toolTip()
    assert text_of(window, "errorStatus").startswith("403")
    # What to try names the cause this run knows (the replay, and when), not the three maybes.
    assert hint_shown(window) is HintKind.REVOKED_BY_REPLAY
    assert clock_time(replay.received_at) in text_of(window, "errorHint")
    # History ▸ Show says what the error panel said, not the generic maybes.
    live_hint = window.error_panel.shown.hint
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 4, timeout=WAIT_MS)  # + authorize
    panel.select_row(0)
    panel.show_button.click()
    shown = find(window.history.dialogs[-1], "historyEntryHint")
    assert isinstance(shown, QLabel) and shown.text().startswith(live_hint.title)
    # Auto-refresh has nothing worth refreshing with now, and says so.
    window.countdown_panel.auto_refresh.setChecked(True)
    window.auto_refresh.due.emit()
    assert window.countdown_panel.auto_refresh_state.text().startswith("Stopped")
    assert "revoked" in window.countdown_panel.auto_refresh_state.text()


def test_a_share_token_and_auto_refresh_follow_the_tokens_they_came_from(window, qtbot) -> None:
    """Tryout Q: after a replay (401) and a refused refresh (403), the share token made from
    the access token stayed green and "live", and auto-refresh went on saying "Next refresh
    at …" (a day later) for a refresh token the server had revoked."""
    token_flow(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.send_share_token("CoolCompanyLtd", 600)
    window.countdown_panel.auto_refresh.setChecked(True)
    assert text_of(window, "shareTokenState") == "live"
    assert window.countdown_panel.auto_refresh_state.text().startswith("Next refresh")

    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    send_and_wait(window, qtbot)  # the code again: 401, its tokens in doubt
    assert text_of(window, "accessTokenState") == "suspect"
    for name in ("shareTokenState", "shareTokenCountdownState"):
        assert text_of(window, name) == "suspect", name
    assert "access token" in window.response_panel.share_state.toolTip()
    assert window.countdown_panel.auto_refresh_state.text().startswith("Stopped")
    assert not window.countdown_panel.auto_refresh.isChecked()

    window.form.set_grant("refresh_token")
    refused = send_and_wait(window, qtbot).outcome
    assert isinstance(refused, ApiError) and refused.status == 403  # revoked
    assert text_of(window, "shareTokenState") == "suspect"
    assert "revoked" in window.response_panel.share_state.toolTip()
    # Said beside it too, not only on hover (tryout AH: its line named only the exchange
    # that replaced its access token).
    assert "revoked" in window.response_panel.share_for.text()


def test_a_share_token_is_marked_older_after_a_later_failure(window, qtbot) -> None:
    """Tryout X: after a 400 (the markup_in_error drill) the Expiry panel marked the access
    token and the id_token "older" while the share token's countdown stayed green, with no
    word beside it."""
    token_flow(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.send_share_token("CoolCompanyLtd", 600)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    assert text_of(window, "shareTokenCountdownState") == ""  # live: the bar says it
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("markup_in_error")
    window.form.set_grant("refresh_token")
    failed = send_and_wait(window, qtbot)
    assert isinstance(failed.outcome, ApiError)
    for name in ("shareTokenState", "shareTokenCountdownState", "expiryCountdownState"):
        assert text_of(window, name) == "older", name
    assert "400" in window.response_panel.share_state.toolTip()


def test_a_profile_switch_marks_results_from_another_target(window, qtbot) -> None:
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    emulator_id = window.targets.current.id
    # Another client, and another issuer: the issuer is what Verify again must not take.
    other = add_profile(
        window, "Another target", **ANOTHER_CLIENT, issuer="https://id.example.invalid/"
    )
    assert window.targets.current.id == other.id
    for name in RESULT_PANELS:
        assert stale(window, name), name
    assert "another target" in window.response_panel.freshness.text().lower()
    assert text_of(window, "accessTokenState") == "from another target"
    assert text_of(window, "idTokenExpiryCountdownState") == "from another target"  # the same
    # Counted down in grey: amber is the last five minutes' colour, and a day is left.
    assert window.countdown_panel.rows["access"].time.property("tone") == Tone.MUTED.value

    # Verify again checks the token against the issuer that issued it, not the selected one.
    before = shown_verification(window)
    window.id_token_panel.verify_button.click()
    # A new verdict object (an equal one compares ==): the checks really ran again.
    qtbot.waitUntil(
        lambda: (now := shown_verification(window)) is not None and now is not before,
        timeout=WAIT_MS,
    )
    for row in ("kid", "signature", "iss"):
        assert window.id_token_panel.check_status(row) == "pass", row
    summary = window.id_token_panel.summary.text()
    # The verdict says when it was reached: a press of Verify again shows a sign that it ran.
    again = shown_verification(window)
    assert before is not None and again is not None
    assert before.checked_at is not None and again.checked_at is not None
    assert again.checked_at > before.checked_at
    assert f"Checked at {clock_time(again.checked_at)}" in summary
    assert window.emulator.base_url in summary and "example.invalid" not in summary

    combo = window.target_panel.profile
    combo.setCurrentIndex(combo.findData(emulator_id))
    assert not any(stale(window, name) for name in RESULT_PANELS)


def test_verify_again_on_a_revoked_id_token_is_no_green_verified(window, qtbot) -> None:
    """Tryout W: after a replay and a refused refresh, Verify again said "id_token checked
    again at …: verified" in green beside a panel that said "Revoked now". Its signature and
    claims check out; the status bar says what the server's answers said of it too."""
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401, its tokens suspect
    window.form.set_grant("refresh_token")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 403
    before = shown_verification(window)
    window.id_token_panel.verify_button.click()
    qtbot.waitUntil(lambda: shown_verification(window) is not before, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "checked again" in window.status.text(), timeout=WAIT_MS)
    said = window.status.text()
    assert "verified, but revoked" in said, said
    assert window.status.message.property("tone") == Tone.WARNING.value


def test_exp_passing_flips_the_verdict_without_verify_again(loop, qtbot) -> None:
    window = open_window(qtbot, emulator_ttl_s=2)  # the id_token's exp: 2 s after iat
    try:
        window.session.set_leeway(0)
        granted = token_flow(window, qtbot)
        assert isinstance(granted.outcome, TokenGranted)
        qtbot.waitUntil(
            lambda: window.id_token_panel.check_status("exp") == "pass", timeout=WAIT_MS
        )
        qtbot.waitUntil(
            lambda: window.id_token_panel.check_status("exp") == "fail", timeout=WAIT_MS
        )
        assert "Do not trust" in window.id_token_panel.summary.text() or (
            "FAILED" in window.id_token_panel.summary.text().upper()
        )
        assert text_of(window, "idTokenExpiryCountdown") == "Expired"
        # Genuine when it arrived, past its time now: "expired", not the "not trusted" of a
        # forged one (tryout AD could not tell them apart at a glance).
        assert text_of(window, "idTokenState") == "expired"
        assert text_of(window, "idTokenExpiryCountdownState") == "expired"
        assert window.id_token_panel.summary.text().startswith("Expired; it verified")
        # PyJWT agrees the token fails: that row is no green tick beside "Do not trust".
        checks = window.id_token_panel.checks
        rows = [checks.topLevelItem(i) for i in range(checks.topLevelItemCount())]
        opinion = next(row for row in rows if row is not None and row.text(0) == "second-opinion")
        assert window.id_token_panel.check_status("second-opinion") == "pass"
        assert "✔" not in opinion.text(1) and "agrees" in opinion.text(1)
        # The error panel is about the exchange, which succeeded — and yet no bare "No error"
        # beside an id_token not to be trusted: it names the check that fails now.
        assert "No error" in text_of(window, "errorStatus")
        assert window.error_panel.status.text() != "No error"
        assert "exp" in text_of(window, "errorHint")
        # The status bar says time did it, not the response (which arrived verified).
        said = window.status.message.text()
        assert "no longer" in said and "arrived verified" in said, said
        assert granted.summary() not in said
        # Another target: the line about this one's id_token goes; back here, it is not said
        # again as if it had just happened (the panel still says the verdict).
        add_profile(window, "Elsewhere", issuer="https://id.example.invalid/")
        assert "no longer" not in window.status.message.text()
        select(window, EMULATOR_PROFILE_ID)
        # Checked again with this profile's issuer ("Elsewhere" is the same client at the
        # same server, so there its own issuer judged the token): still failing exp.
        qtbot.waitUntil(
            lambda: window.id_token_panel.check_status("exp") == "fail", timeout=WAIT_MS
        )
        assert "no longer" not in window.status.message.text()
        # Tryout AE: on a copy of the profile, or another target, the expired id_token read
        # only "other profile" or "from another target" — where it came from said over what
        # it is worth, where an expired access token reads "expired".
        for name, changes in (("Copy", {}), ("Partner", ANOTHER_CLIENT)):
            add_profile(window, name, **changes)
            qtbot.waitUntil(
                lambda: window.id_token_panel.check_status("exp") == "fail", timeout=WAIT_MS
            )
            assert text_of(window, "idTokenState") == "expired", name
            assert text_of(window, "idTokenExpiryCountdownState") == "expired", name
    finally:
        close_window(window, qtbot)


def test_the_tokens_expire_on_time_after_a_tick_that_changed_nothing(loop, qtbot) -> None:
    """Tryout AC saw "live" in green beside an access token expired for 15 s. One way there:
    the window's timer fires before the expiry (a coarse timer may, by 5% of its wait), and
    without an id_token whose checks are run again, the session has nothing new to show —
    nothing was rendered, and nothing scheduled the next tick."""
    window = open_window(qtbot, emulator_ttl_s=3)
    try:
        window.form.set_scopes(["email"])  # no openid: no id_token
        token_flow(window, qtbot)
        settled(window, qtbot)  # nothing left to render but what time changes
        assert text_of(window, "accessTokenState") == "live"
        window._tick.stop()  # it fires early: nothing has expired yet
        window._tick.timeout.emit()
        assert text_of(window, "accessTokenState") == "live"
        assert window._tick.isActive()  # the expiry is still waited for (it was not)
        qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "expired", timeout=WAIT_MS)
        assert text_of(window, "expiryCountdown") == "Expired"
    finally:
        close_window(window, qtbot)


def test_an_id_token_within_the_leeway_after_exp_says_it_expired(loop, qtbot) -> None:
    """Past exp but within the clock-skew leeway the token is still accepted — and the exp
    row says it expired, in amber, instead of passing beside a countdown that reads Expired."""
    window = open_window(qtbot, emulator_ttl_s=2)
    try:
        token_flow(window, qtbot)
        qtbot.waitUntil(
            lambda: window.id_token_panel.check_status("exp") == "warn", timeout=WAIT_MS
        )
        assert text_of(window, "idTokenExpiryCountdown") == "Expired"
        summary = window.id_token_panel.summary.text()
        assert "exp" in summary and "leeway" in summary
        assert "every applicable check passed" not in summary  # one warned: no plain pass
        # Beside "Expired" in the Expiry and Response panels: why it is still accepted.
        qtbot.waitUntil(
            lambda: text_of(window, "idTokenExpiryCountdownState") == "in leeway", timeout=WAIT_MS
        )
        assert text_of(window, "idTokenState") == "in leeway"
    finally:
        close_window(window, qtbot)


def test_an_unsaved_invalid_base_url_is_kept_and_reported_on_a_switch(window, qtbot) -> None:
    profile = add_profile(window, "Edited")
    emulator_id = "builtin-emulator"
    type_into(qtbot, window.target_panel.base_url, "http://example.com")  # not allowed: http
    combo = window.target_panel.profile
    combo.setCurrentIndex(combo.findData(emulator_id))
    assert "not saved" in window.status.text() and "Edited" in window.status.text()
    combo.setCurrentIndex(combo.findData(profile.id))
    assert window.target_panel.base_url.text() == "http://example.com"  # still there to fix
    message = window.findChild(QWidget, "base_urlMessage")
    assert message is not None and message.isVisible()


def test_history_show_opens_its_own_window_and_leaves_the_panels(window, qtbot) -> None:
    token_flow(window, qtbot)
    get_code(window, qtbot)
    send_and_wait(window, qtbot)
    panel = window.history_panel
    # Newest first: the second token exchange, its authorize step, the first, its authorize.
    qtbot.waitUntil(lambda: panel.row_count() == 4, timeout=WAIT_MS)

    def live_panels() -> dict[str, str]:
        return {
            "access token": text_of(window, "accessTokenField"),
            "error": text_of(window, "errorStatus"),
            "raw response": window.raw_panel.response.toPlainText(),
            "id_token verdict": window.id_token_panel.summary.text(),
            "id_token claims": window.id_token_panel.claims.toPlainText(),
            "expiry": window.countdown_panel.rows["access"].detail.text(),
        }

    before = live_panels()
    panel.select_row(2)  # the older token exchange
    panel.show_button.click()
    assert len(window.history.dialogs) == 1
    assert live_panels() == before
    (dialog,) = window.history.dialogs
    window.close()  # windows the main window opened close with it
    assert not dialog.isVisible()


def test_a_code_from_another_targets_get_code_says_so_under_code(window, qtbot) -> None:
    """The form is the user's input and stays as typed, but a code only the other target can
    redeem is said to be one."""
    code = get_code(window, qtbot)
    emulator_id = window.targets.current.id
    add_profile(window, "Partner sandbox", **ANOTHER_CLIENT)  # another target
    note = window.form.messages["code"]
    assert window.form.code.text() == code  # nothing the user typed or got is thrown away
    assert "Built-in emulator" in note.text() and "not this target" in note.text()
    combo = window.target_panel.profile
    combo.setCurrentIndex(combo.findData(emulator_id))
    assert "not this target" not in note.text()
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)


def test_a_replay_refused_for_its_signature_leaves_the_codes_tokens_unsuspected(
    window, qtbot
) -> None:
    """Tryout AN: the used code sent again with a wrong secret key got 401 "signature
    mismatch" — the server refused the request before it looked at the code — and the code's
    tokens were marked suspect, as after a replay."""
    token_flow(window, qtbot)
    type_into(qtbot, window.target_panel.secret_key, "not-the-secret-key")
    refused = send_and_wait(window, qtbot)  # the same code again
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
    assert refused.hint is not None and refused.hint.kind is HintKind.SIGNATURE_MISMATCH
    assert text_of(window, "accessTokenState") != "suspect"
    assert text_of(window, "idTokenExpiryCountdownState") != "suspect"
    # The same Send with the right key is the replay, and says so.
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    send_and_wait(window, qtbot)
    assert text_of(window, "accessTokenState") == "suspect"


def test_a_code_got_with_another_app_token_of_the_same_client_is_no_other_targets(
    window, qtbot
) -> None:
    """A QA engineer gets a code while trying the disabled app token, then types the good
    one back: the code was issued to the same client at the same server, so it redeems — the
    note under Code says so quietly instead of warning that only the other target can."""
    app_token = window.target_panel.app_token
    type_into(qtbot, app_token, "sbx:emulator-disabled-token")
    get_code(window, qtbot)
    type_into(qtbot, app_token, "sbx:emulator-app-token-of-the-same-client")
    note = window.form.messages["code"]
    assert note.text() and note.property("tone") == Tone.MUTED.value
    assert note.text().startswith("Redeems here")
    # The change it is about, whole where the line ends (tryout AN: "…on Emu TTL30 (2) befo…").
    assert note.text().endswith("got before the app token changed"), note.text()
    assert note.fontMetrics().horizontalAdvance(note.text()) <= note.contentsRect().width()
    assert "same server and client" in note.toolTip().lower()  # why, behind it
    type_into(qtbot, app_token, "sbx:emulator-app-token")
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)


def test_a_code_got_while_the_base_url_pointed_elsewhere_is_still_its_issuers(
    window, qtbot
) -> None:
    """Tryout AK: Get code with a dead base URL typed in (Get code goes to the issuer, and
    went well), Send refused by the dead server, the base URL typed back — and the note under
    Code warned "not this target" about a code that then redeemed."""
    add_profile(window, "Local emulator")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    base_url = window.target_panel.base_url
    good = base_url.text()
    type_into(qtbot, base_url, "http://127.0.0.1:9")
    get_code(window, qtbot)
    assert isinstance(send_and_wait(window, qtbot).outcome, NetworkError)
    type_into(qtbot, base_url, good)
    note = window.form.messages["code"]
    assert note.text() and note.property("tone") == Tone.MUTED.value
    assert "not this target" not in note.text()
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)


def test_an_edit_taken_back_shows_this_settings_results_and_says_a_later_step_failed(
    window, qtbot
) -> None:
    """Tryout AA: a Send with a disabled app token (404), then the right one typed back. The
    panels show the step made with these settings again — current, not marked — but the
    Error panel no longer calls it "the latest step" as if the 404 had not happened, and the
    status bar says the edit was undone instead of "edited"."""
    token_flow(window, qtbot)
    app_token = window.target_panel.app_token
    type_into(qtbot, app_token, "sbx:emulator-disabled-token")
    window.form.set_grant("refresh_token")
    failed = send_and_wait(window, qtbot)
    assert not failed.succeeded
    type_into(qtbot, app_token, "sbx:emulator-app-token")

    assert not stale(window, "errorPanel") and not stale(window, "responsePanel")
    said = window.error_panel.freshness.text()
    assert clock_time(failed.received_at) in said and "app token" in said
    assert str(failed.response.status if failed.response else "") in said
    assert "edited" not in window.status.text() and "before the edit" in window.status.text()


def test_a_switch_takes_the_last_outcome_off_the_status_bar(window, qtbot) -> None:
    """ "200 OK" in green (or a 401 in red) under another target's name reads as its own."""
    emulator = window.targets.current
    other = add_profile(window, "Another target")
    third = add_profile(window, "Third target")
    select(window, emulator.id)
    token_flow(window, qtbot)
    assert window.status.text().startswith("200 OK")
    select(window, other.id)
    assert "200 OK" not in window.status.text()
    assert "Another target" in window.status.text()
    # Tryout Z: Get code's "Authorization code received…; press Send to exchange it" stayed
    # after a switch, as if said of the profile switched to.
    select(window, emulator.id)
    get_code(window, qtbot)
    assert "press Send" in window.status.text()
    select(window, other.id)
    assert "press Send" not in window.status.text()
    assert window.status.text().startswith("Now on Another target")
    # And another target's answer that came after a switch goes at the next one.
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    with a_slow_code_exchange(window, qtbot):
        select(window, emulator.id)
    assert window.status.text().startswith("Another target: 200 OK")
    select(window, third.id)
    assert window.status.text().startswith("Now on Third target")


def test_a_redeemed_code_is_said_to_be_spent_before_it_is_sent_again(window, qtbot) -> None:
    """Codes are single-use: the form says so under Code right after the exchange and when
    History ▸ Load brings the code back (a profile that keeps full tokens) — Send stays on
    (testing a replay is allowed)."""
    add_profile(window, "Keeps full tokens", store_full_tokens=True)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    message = window.form.messages["code"]
    assert "Used at" in message.text() and window.form.send_button.isEnabled()

    window.form.set_grant("refresh_token")  # Code is greyed out: its note goes with it …
    assert not window.form.code.isEnabled() and message.text() == ""
    window.form.set_grant("authorization_code")  # … and comes back with it
    assert "Used at" in message.text()
    type_into(qtbot, window.form.code, "another-code")  # a new code: the note is over
    assert "Used at" not in message.text()
    history = window.history_panel
    qtbot.waitUntil(lambda: history.row_count() >= 2, timeout=WAIT_MS)  # authorize + 200
    history.select_row(0)  # the newest: the code exchange
    history.load_button.click()
    qtbot.waitUntil(lambda: "Used at" in message.text(), timeout=WAIT_MS)


def test_a_next_step_for_one_grant_leaves_the_status_bar_with_that_grant(window, qtbot) -> None:
    """ "Code received; press Send to exchange it" is wrong under refresh_token; an outcome
    ("200 OK") stays whatever the grant."""
    get_code(window, qtbot)
    assert "press Send" in window.status.text()
    window.form.set_grant("refresh_token")
    assert window.status.text() == ""

    window.form.set_grant("authorization_code")
    send_and_wait(window, qtbot)
    assert window.status.text().startswith("200 OK")
    window.form.set_grant("refresh_token")
    assert window.status.text().startswith("200 OK")


def test_a_code_sent_once_stays_spent_through_a_replay_and_a_profile_switch(window, qtbot) -> None:
    """Cancelled after it was sent, used, replayed (401), then the profile switched away and
    back: the note under Code keeps saying the code is spent — a stray Send would replay it
    and revoke its tokens — and, on the other target, that it was that target's code. A code
    the server refuses at once is said to be refused."""
    get_code(window, qtbot)
    message = window.form.messages["code"]
    send_then_cancel_once_it_reached_the_server(window, qtbot)
    assert "may be spent" in message.text()
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    assert message.text().startswith("Used at")
    replay = send_and_wait(window, qtbot)
    assert isinstance(replay.outcome, ApiError) and replay.outcome.status == 401
    # The use and its replay say more than the refusal would.
    assert message.text().startswith("Replayed at") and "suspect" in message.text()

    emulator = window.targets.current
    add_profile(window, "Same server and client")
    # A code belongs to its server and client, not to a profile: used there is used here.
    assert message.text().startswith("Replayed at")
    add_profile(window, "Another target", **ANOTHER_CLIENT)
    # There, the code is neither used nor fresh: only the client it was issued to knows it.
    assert not message.text().startswith("Replayed at")
    assert message.text().endswith(f"to {emulator.name}, not here")
    select(window, emulator.id)
    assert message.text().startswith("Replayed at")
    assert window.form.send_button.isEnabled()  # a replay may still be tested on purpose

    type_into(qtbot, window.form.code, "not-a-code-of-this-server")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
    assert message.text().startswith("Refused at")


def test_a_refresh_token_the_server_refused_is_said_so_before_the_next_send(window, qtbot) -> None:
    """A replay made the chain suspect, then a refresh got 403: under Refresh token the form
    says so before a second refresh is sent (Send stays on: testing it is allowed)."""
    token_flow(window, qtbot)
    message = window.form.messages["refresh_token"]
    window.form.set_grant("refresh_token")
    assert message.text() == ""  # a live refresh token: nothing to say
    window.form.set_grant("authorization_code")
    send_and_wait(window, qtbot)  # the replay: 401, the chain is suspect
    window.form.set_grant("refresh_token")
    assert message.text().startswith("Suspect since")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 403
    # What and when (short enough for its line: see the layout test); the server's words
    # are in its tooltip.
    assert message.text().startswith("Revoked at") and "403" in message.text()
    assert refused.outcome.description in message.toolTip()
    assert window.form.send_button.isEnabled()
    window.form.refresh_token.setText("snd-id-con-r-some-other-token")
    assert message.text() == ""  # another token: nothing known against it


def test_a_refresh_token_a_restarted_server_no_longer_knows_is_refused_not_kept(
    window, qtbot
) -> None:
    """The server forgot its tokens (restarted): the refresh gets 401 "Invalid refresh token".
    The token reads refused, in red; its note no longer says to keep using it; the form says
    so under the field before the next Send."""
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    assert window.emulator.server is not None
    window.emulator.server.reset()  # as a restart of the server would

    refused = send_and_wait(window, qtbot)

    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
    assert text_of(window, "refreshTokenState") == "refused"
    assert window.findChild(QLabel, "refreshTokenState").property("tone") == Tone.ERROR.value
    assert "keep using" not in window.response_panel.refresh_info.text()
    assert window.form.messages["refresh_token"].text().startswith("Refused")
    assert window.form.send_button.isEnabled()  # testing it again is allowed


def test_a_refresh_token_from_another_target_is_said_so_under_the_field(window, qtbot) -> None:
    """After a switch the form still holds the other target's refresh token: under the field
    it says whose it is (before Send), even when the server had also revoked it."""
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    refreshed = send_and_wait(window, qtbot)
    assert isinstance(refreshed.outcome, TokenGranted)
    message = window.form.messages["refresh_token"]
    assert message.text() == ""
    add_profile(window, "Same server and client")  # another profile, the same client there
    assert message.text() == ""  # its refresh token is good here too
    # The panels are marked (another profile's results), without calling the tokens useless.
    assert window.response_panel.property("stale") is True
    assert "same client" in window.response_panel.freshness.toolTip()
    assert text_of(window, "accessTokenState") == "other profile"  # not "from another target"
    assert window.response_panel.share_button.isEnabled()  # "good here too": so it is
    add_profile(window, "Another target", **ANOTHER_CLIENT)
    assert not window.response_panel.share_button.isEnabled()  # not this client's
    assert message.text().startswith("Built-in emulator's token")


def test_a_copy_of_the_profile_never_calls_tokens_the_server_revoked_good(window, qtbot) -> None:
    """Replay, then a refresh the server refuses (403 revoked), then a copy of the profile
    (the same client at the same server): the panels say whose tokens they are, and their
    rows say revoked — no note above them calls them good here (a tryout found "so they are
    good here too" over three rows that said "revoked")."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401, its tokens suspect
    window.form.set_grant("refresh_token")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 403

    add_profile(window, "Same server and client")

    for name in ("accessTokenState", "refreshTokenState"):
        assert text_of(window, name) == "revoked", name
    for panel in (window.response_panel, window.countdown_panel):
        said = f"{panel.freshness.text()} {panel.freshness.toolTip()}"
        assert "same client" in said and "good" not in said, said
    assert not window.response_panel.share_button.isEnabled()  # nothing good to share with


def test_a_refresh_token_is_sent_to_a_server_that_did_not_issue_it_only_if_confirmed(
    window, qtbot
) -> None:
    """The form keeps the emulator's refresh token across a switch to a profile at another
    server: Send asks first (Cancel is the default), and only Yes sends it there."""
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    unreachable = add_profile(
        window, "Elsewhere", base_url=f"http://127.0.0.1:{closed_port()}", timeout_s=2.0
    )
    type_into(qtbot, window.target_panel.secret_key, "its-secret")
    qtbot.waitUntil(window.form.send_button.isEnabled, timeout=WAIT_MS)
    assert window.targets.current.id == unreachable.id
    finished: list[object] = []
    window.controller.exchange_finished.connect(lambda exchange, *_: finished.append(exchange))
    asked = answer_the_question(yes=False)
    window.form.send_button.click()
    qtbot.waitUntil(lambda: asked != [], timeout=WAIT_MS)
    assert "127.0.0.1" in asked[0] and "Built-in emulator" in asked[0]
    assert window.status.text().startswith("Not sent")
    assert not window.controller.busy and finished == []
    asked = answer_the_question(yes=True)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.form.send_button.click()
    assert asked != [] and len(finished) == 1
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    # Back at the server that issued it, it goes without a question.
    select(window, EMULATOR_PROFILE_ID)
    asked = answer_the_question(yes=False)
    refreshed = send_and_wait(window, qtbot)
    assert asked == [] and isinstance(refreshed.outcome, TokenGranted)


def test_a_bare_code_pasted_after_a_get_code_gave_its_own_keeps_no_stale_pairing(
    window, qtbot
) -> None:
    """Get code, Send, then a bare code pasted: it can't be that Get code's (it gave its own),
    so the verifier left in the form is said to be another code's — before Send, beside the
    field — and a refused paste leaves the note about the spent code in Code alone."""
    token_flow(window, qtbot)
    used = window.form.code.text()
    code_note = window.form.messages["code"]
    assert code_note.text().startswith("Used at")
    window.get_code_flow.use_redirect("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")  # a JWT
    assert window.form.code.text() == used and code_note.text().startswith("Used at")
    assert window.status.message.property("tone") == Tone.ERROR.value

    window.get_code_flow.use_redirect("ZZfreshLookingCode9876543210abcdef")
    assert window.form.code.text() == "ZZfreshLookingCode9876543210abcdef"
    assert "Code taken as pasted" in window.status.text()
    assert window.status.message.property("tone") == Tone.WARNING.value
    verifier_note = window.form.messages["code_verifier"]
    assert verifier_note.text().startswith("Another code's verifier")
    # A redirect whose state is not this run's leaves Code empty: no code, no "another
    # code" under Verifier (tryout AH).
    forged = "http://127.0.0.1:1/cb?code=Zx9fake123&state=not-ours"
    window.form.code.setText(forged)  # pasted into Code
    window.get_code_flow.use_redirect(forged)
    assert window.form.code.text() == "" and verifier_note.text() == ""


def test_the_status_bar_follows_a_switch_away_and_back(window, qtbot) -> None:
    emulator = window.targets.current
    other = add_profile(window, "Another target")
    select(window, emulator.id)
    token_flow(window, qtbot)
    select(window, other.id)
    assert window.status.text().startswith("Now on Another target: ")
    assert "from Built-in emulator" in window.status.text()  # whose results are marked
    select(window, emulator.id)
    assert window.status.text() == "Now on Built-in emulator"


@contextmanager
def a_slow_code_exchange(window: MainWindow, qtbot) -> Iterator[SignalBlocker]:
    """Get code, then a Send the emulator holds for a second: the body runs while it waits
    at the server; the block ends once its answer is in (the blocker's `args` then hold the
    exchange)."""
    get_code(window, qtbot)
    server = window.emulator.server
    assert server is not None
    scenario(window, "slow", delay_s=1)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as late:
        window.form.send_button.click()
        qtbot.waitUntil(lambda: server.wait_scenario_used(0), timeout=WAIT_MS)
        yield late


def test_a_result_that_lands_after_a_switch_is_said_as_the_other_targets(window, qtbot) -> None:
    """A slow Send, then a profile switch while it waits: its "200 OK" is not this target's."""
    with a_slow_code_exchange(window, qtbot):
        add_profile(window, "Another target")
        # Tryout W: the line beside Cancel read "Sending authorization_code request…" on the
        # new target, as if Cancel stopped a request of its own.
        running = text_of(window, "sendBlockedReason")
        assert running.endswith("for Built-in emulator…"), running
        assert window.form.cancel_button.isEnabled()  # it stops that one
    assert window.status.text().startswith("Built-in emulator: 200 OK")
    assert window.status.message.property("tone") != Tone.OK.value


def test_auto_refresh_says_a_day_away_and_stops_at_once_for_a_refused_refresh_token(
    window, qtbot
) -> None:
    """A token that lives a day: the next refresh is named with its date (a bare time would
    read as passed). Switched on after a replay made the refresh token suspect: it stops at
    once and says why, not a day later."""
    token_flow(window, qtbot)
    window.countdown_panel.auto_refresh.setChecked(True)
    due = window.auto_refresh.next_at
    assert due is not None
    state = text_of(window, "autoRefreshState")
    today = datetime.now().astimezone().date()
    assert (f"{due.astimezone():%Y-%m-%d}" in state) == (due.astimezone().date() != today)
    window.countdown_panel.auto_refresh.setChecked(False)

    send_and_wait(window, qtbot)  # the replay: the chain is suspect
    window.countdown_panel.auto_refresh.setChecked(True)
    assert text_of(window, "autoRefreshState").startswith(
        "Stopped at "
    ) and "the refresh token is suspect" in text_of(window, "autoRefreshState")
    assert not window.countdown_panel.auto_refresh.isChecked()
    assert not window.auto_refresh.scheduled


def test_auto_refreshs_stop_names_whose_tokens_when_read_on_another_profile(window, qtbot) -> None:
    """Tryout W: auto-refresh stopped on one profile ("Stopped at …: the id_token failed its
    checks"), and the line stayed, unnamed, on the profile switched to — as if said of it.
    On another profile it names whose tokens it refreshed; back, it doesn't need to."""
    token_flow(window, qtbot)
    window.countdown_panel.auto_refresh.setChecked(True)
    send_and_wait(window, qtbot)  # the code again: 401, the refresh token suspect — it stops
    stopped = text_of(window, "autoRefreshState")
    assert stopped.startswith("Stopped at ") and "Built-in emulator" not in stopped
    another = add_profile(window, "Another target", **ANOTHER_CLIENT)
    elsewhere = text_of(window, "autoRefreshState")
    assert elsewhere.startswith("Stopped at ") and "on Built-in emulator" in elsewhere
    select(window, EMULATOR_PROFILE_ID)
    assert text_of(window, "autoRefreshState") == stopped

    # Tryout Y: a newer success of that profile, landing while another is shown, makes the
    # stop history there too: "Stopped at … on Built-in emulator" no longer stands.
    with a_slow_code_exchange(window, qtbot):
        select(window, another.id)
        assert "on Built-in emulator" in text_of(window, "autoRefreshState")
    assert window.status.text().startswith("Built-in emulator: 200 OK")
    assert text_of(window, "autoRefreshState") == "Off"


def test_a_switch_while_an_auto_refresh_is_on_its_way_says_it_still_comes_back(
    window, qtbot
) -> None:
    """Tryout AI: "Stopped at …: the profile was switched", then the refresh already sent
    landed five seconds later, unannounced. The stop says it will; once it has, the line on
    the other profile has nothing left to say of it."""
    another = add_profile(window, "Another target", **ANOTHER_CLIENT)
    select(window, EMULATOR_PROFILE_ID)
    token_flow(window, qtbot)
    window.countdown_panel.auto_refresh.setChecked(True)
    server = window.emulator.server
    assert server is not None
    scenario(window, "slow", delay_s=1)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.auto_refresh.due.emit()  # what its timer does when the refresh comes due
        qtbot.waitUntil(lambda: server.wait_scenario_used(0), timeout=WAIT_MS)
        assert window.auto_refresh.in_flight
        select(window, another.id)
        stopped = text_of(window, "autoRefreshState")
        assert stopped.startswith("Stopped at ") and "still comes back" in stopped
    assert window.status.text().startswith("Built-in emulator: Auto-refresh")
    assert text_of(window, "autoRefreshState") == "Off"


def test_auto_refresh_warns_when_its_lead_leaves_the_token_almost_no_life(window, qtbot) -> None:
    """A lead just short of the token's whole lifetime is kept — refreshing early is a thing to
    test — but each new token is then refreshed as soon: the line says how often, in amber."""
    exchange = token_flow(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)
    lifetime_s = exchange.outcome.expires_in
    window.countdown_panel.auto_refresh.setChecked(True)
    state = window.countdown_panel.auto_refresh_state
    assert state.property("tone") == Tone.MUTED.value  # the default minute's lead
    window.countdown_panel.auto_refresh_lead.setValue(lifetime_s - 15)
    assert state.property("tone") == Tone.WARNING.value
    assert "every 15 s" in state.text()
    window.countdown_panel.auto_refresh_lead.setValue(lifetime_s // 2 - 1)
    assert state.property("tone") == Tone.MUTED.value
    # Tryout S: a lead as long as the token's life can't be kept (it would refresh at once,
    # again and again): it refreshes earlier than asked, and says so in amber, not grey.
    window.countdown_panel.auto_refresh_lead.setValue(lifetime_s)
    assert state.property("tone") == Tone.WARNING.value
    assert f"{lifetime_s} s lead leaves nothing" in state.text()
    window.countdown_panel.auto_refresh.setChecked(False)
    assert state.property("tone") == Tone.MUTED.value and state.text() == "Off"


def test_a_code_sent_with_a_space_around_it_is_still_said_to_be_spent(window, qtbot) -> None:
    """A paste often brings a space; the request trims it. The note under Code that a second
    Send replays the code (and the server revokes its tokens) must not depend on it — nor on
    the space being typed away afterwards."""
    code = get_code(window, qtbot)
    window.form.code.setFocus()
    window.form.code.end(False)
    qtbot.keyClick(window.form.code, Qt.Key.Key_Space)
    assert window.form.code.text() == code + " "
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    message = window.form.messages["code"]
    spent = window.session.code_spent(code)
    assert spent is not None and spent.how is SpentHow.USED
    expected = spent.note(window.targets.origin())
    assert message.text() == expected and message.isVisible()

    qtbot.keyClick(window.form.code, Qt.Key.Key_Backspace)  # the space typed away
    assert window.form.code.text() == code
    assert message.text() == expected
    type_into(qtbot, window.form.code, "")  # a new code typed from scratch: the note is over
    assert message.text() != expected
    qtbot.keyClicks(window.form.code, code)  # …and the spent one typed back: said again
    assert message.text() == expected


@pytest.mark.parametrize(
    "client_id",
    [
        pytest.param("emulator-client", id="same client id"),
        # Tryout AQ: a Postman import with the same app token and no client id was told "this
        # server will refuse it"; the 200 then read "from an earlier run", its nonce unchecked.
        pytest.param("", id="no client id, same app token"),
    ],
)
def test_a_refresh_from_another_profile_of_the_same_client_continues_the_chain(
    window, qtbot, client_id: str
) -> None:
    """A new profile for the same server and client (say, made with its Emulator button, or
    imported from Postman with the same app token): the refresh token got on the first one is
    good there, says nothing against itself under the field, and its refresh continues this
    run's chain — current, not "from an earlier run", its id_token held to the sign-in's nonce."""
    token_flow(window, qtbot)
    add_profile(window, "Same server and client", client_id=client_id)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    window.form.set_grant("refresh_token")
    assert window.form.messages["refresh_token"].text() == ""
    refreshed = send_and_wait(window, qtbot)
    assert isinstance(refreshed.outcome, TokenGranted)
    assert text_of(window, "accessTokenState") == "live"
    assert not stale(window, "responsePanel")
    assert "earlier run" not in window.response_panel.refresh_info.text()
    panel = window.id_token_panel
    qtbot.waitUntil(lambda: panel.check_status("signature") == "pass", timeout=WAIT_MS)
    assert panel.check_status("nonce") == "pass"


def test_a_copy_with_a_wrong_issuer_leaves_the_original_profiles_verdict_alone(
    window, qtbot
) -> None:
    """Tryout Z: a copy of the profile whose issuer is Sumsub's refreshes on the emulator; its
    id_token fails iss there. Back on the original profile those tokens are its too, and are
    checked with its own issuer: verified, not "not trusted" because of the copy's mistake."""
    original = window.targets.current.id
    token_flow(window, qtbot)
    add_profile(window, "Copy with Sumsub's issuer", issuer="https://api.sumsub.com")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("iss") == CheckStatus.FAIL, timeout=WAIT_MS
    )

    select(window, original)
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("iss") == CheckStatus.PASS, timeout=WAIT_MS
    )
    verification = shown_verification(window)
    assert verification is not None and verification.verdict is Verdict.VERIFIED
    assert text_of(window, "accessTokenState") != TokenState.UNTRUSTED.value


def copy_buttons_left_edges(window: MainWindow) -> set[int]:
    panel = window.response_panel
    layout = panel.layout()
    assert layout is not None
    layout.activate()
    fields = [*panel.fields.values(), panel.share_token]
    return {
        field.copy_button.mapTo(panel, field.copy_button.rect().topLeft()).x() for field in fields
    }


def test_the_response_panels_copy_buttons_line_up_whatever_the_states_say(window, qtbot) -> None:
    """A state ("live", "from another target") beside some values and not others: the Copy
    buttons still stand in one column."""
    token_flow(window, qtbot)
    wait_for_verdict(window, qtbot)
    assert text_of(window, "accessTokenState") == "live"
    live = copy_buttons_left_edges(window)
    assert len(live) == 1
    add_profile(window, "Another target", **ANOTHER_CLIENT)
    assert text_of(window, "accessTokenState") == "from another target"
    assert len(copy_buttons_left_edges(window)) == 1
    # Back, they stand where they stood (tryout AI: they stayed to the left, the tokens beside
    # them cut in the middle where they had fitted).
    select(window, EMULATOR_PROFILE_ID)
    assert text_of(window, "accessTokenState") == "live"
    assert copy_buttons_left_edges(window) == live


def test_an_answer_after_a_switch_leaves_this_targets_tokens_and_form_alone(window, qtbot) -> None:
    """Tokens from a second server; then a slow Send on the built-in emulator, and a switch
    back to the second server before it answers. The late answer is the emulator's: the
    panels keep showing the second server's tokens as current, and the form keeps its refresh
    token (the emulator's would be refused there). Back on the emulator, its answer shows."""
    second = EmulatorServer(EmulatorConfig(log=False)).start()
    try:
        other = add_profile(window, "Second", base_url=second.base_url, issuer=second.issuer)
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        theirs = token_flow(window, qtbot)
        assert isinstance(theirs.outcome, TokenGranted)
        their_refresh = window.form.refresh_token.text()
        assert their_refresh == theirs.outcome.refresh_token

        select(window, EMULATOR_PROFILE_ID)
        with a_slow_code_exchange(window, qtbot) as late:
            select(window, other.id)
        assert late.args is not None
        emulators = late.args[0]
        assert isinstance(emulators.outcome, TokenGranted)

        assert window.form.refresh_token.text() == their_refresh
        shown = window.response_panel.fields["access_token"].label.text()
        assert shown == theirs.outcome.access_token
        assert not stale(window, "responsePanel")
        assert text_of(window, "accessTokenState") != "from another target"

        select(window, EMULATOR_PROFILE_ID)
        shown = window.response_panel.fields["access_token"].label.text()
        assert shown == emulators.outcome.access_token and not stale(window, "responsePanel")
        qtbot.waitUntil(lambda: shown_verification(window) is not None, timeout=WAIT_MS)
        assert window.id_token_panel.check_status("signature") == "pass"
        # The form's refresh token follows: here the second server's would be refused (and
        # a Send of it would ask first); the emulator's own is put back.
        assert window.form.refresh_token.text() == emulators.outcome.refresh_token
        # Put back by hand, the second server's token is still known for what it is: a Send
        # of it here asks first (Cancel is the default), though this target has tokens too.
        window.form.set_grant("refresh_token")
        type_into(qtbot, window.form.refresh_token, their_refresh)
        before = window.history.store.last_id()
        asked = answer_the_question(yes=False)
        window.form.send_button.click()
        assert asked and second.base_url in asked[0]  # it names the server that issued it
        assert not window.controller.busy and window.history.store.last_id() == before
        select(window, other.id)
        assert window.form.refresh_token.text() == their_refresh
    finally:
        second.stop()


def test_in_a_short_screens_row_of_tabs_the_error_panel_says_when(window, qtbot) -> None:
    """A short screen's results are a long row of tabs whose titles have no room for a time:
    the error panel then says when its step ended on a line of its own, as the wide layout's
    title does ("Error · 14:02:11")."""
    window.resize(1000, 650)
    qtbot.waitUntil(
        lambda: window_layout.in_a_long_row_of_tabs(window, window.docks["error"]),
        timeout=WAIT_MS,
    )
    token_flow(window, qtbot)
    failed = send_and_wait(window, qtbot)  # the same code again: 401
    line = window.error_panel.freshness
    when = clock_time(failed.received_at)
    assert line.isVisibleTo(window.error_panel) and when in line.text()
    assert not stale(window, "errorPanel")
    assert when not in window.docks["error"].windowTitle()  # no room there


def test_the_first_visit_to_a_profile_whose_secret_is_read_is_not_an_edit(window, qtbot) -> None:
    """Tryout AE (and Z, AD before it): on a second launch, the first visit to each profile
    said "Alpha edited" — its secret, read from the keyring after the switch, announced the
    same target again, and the status bar took the second announcement for an edit."""
    alpha = add_profile(window, "Alpha")
    select(window, EMULATOR_PROFILE_ID)
    close_window(window, qtbot)
    again = open_window(qtbot)
    try:
        token_flow(again, qtbot)  # an outcome on the status bar, as after a Send
        select(again, alpha.id)
        qtbot.waitUntil(lambda: again.targets.known_secret() is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not again.target_panel.secret_key.isReadOnly(), timeout=WAIT_MS)
        assert again.status.text().startswith("Now on Alpha"), again.status.text()
    finally:
        close_window(again, qtbot)


def test_a_refresh_token_a_later_sign_in_replaced_is_still_known_for_what_it_is(
    window, qtbot
) -> None:
    """Tryout AE: tokens on the emulator; then another Get code and a slow Send there, and a
    switch to a second server before it answers. The late answer's sign-in replaced the
    first in the session, which then forgot the first's refresh token — still in the form:
    back on the emulator the form kept it beside the new one in the panels; sent to the
    second server it went without the question; refreshed here with the new code's verifier
    there was no word under Verifier, and the 401 was called a replay of the code."""
    second = EmulatorServer(EmulatorConfig(log=False)).start()
    try:
        other = add_profile(window, "Second", base_url=second.base_url, issuer=second.issuer)
        select(window, EMULATOR_PROFILE_ID)
        first = token_flow(window, qtbot)
        assert isinstance(first.outcome, TokenGranted)
        first_refresh = window.form.refresh_token.text()
        assert first_refresh == first.outcome.refresh_token
        with a_slow_code_exchange(window, qtbot) as late:
            select(window, other.id)
        assert late.args is not None
        newer = late.args[0]
        assert isinstance(newer.outcome, TokenGranted)
        assert newer.outcome.refresh_token != first_refresh
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)

        # On the second server the form still holds the emulator's first refresh token: a
        # Send of it asks first.
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        window.form.set_grant("refresh_token")
        assert window.form.refresh_token.text() == first_refresh
        assert window.form.messages["refresh_token"].text().startswith("Built-in emulator's token")
        asked = answer_the_question(yes=False)
        window.form.send_button.click()
        assert asked and window.emulator.base_url in asked[0]
        assert not window.controller.busy

        assert window.status.text().startswith("Not sent")
        # Back on the emulator the form has its newest refresh token, as the panels show; the
        # status bar's word about the other profile's Send is gone with it.
        select(window, EMULATOR_PROFILE_ID)
        assert not window.status.text().startswith("Not sent")
        assert window.form.refresh_token.text() == newer.outcome.refresh_token
        # The first one put back by hand: the verifier in the form is the newer code's, not
        # the one the first token's code was exchanged with.
        type_into(qtbot, window.form.refresh_token, first_refresh)
        verifier_note = window.form.messages["code_verifier"].text()
        assert verifier_note.startswith("Not this refresh token's verifier"), verifier_note
        refused = send_and_wait(window, qtbot)
        assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
        hint = text_of(window, "errorHint")
        assert "codeVerifier" in hint and "replayed" not in hint, hint
    finally:
        second.stop()


def test_a_word_about_one_profiles_request_goes_with_a_switch(window, qtbot) -> None:
    """Tryout AE: "Copied as curl, but this code is spent (…)" stayed on the status bar after
    a switch to another profile, where it read as that profile's."""
    token_flow(window, qtbot)
    other = add_profile(window, "Another target", **ANOTHER_CLIENT)
    select(window, EMULATOR_PROFILE_ID)  # the outcome was said away by the switches
    window.copy_as_curl()
    assert window.status.text().startswith("Copied as curl")
    select(window, other.id)
    assert not window.status.text().startswith("Copied as curl")


def test_another_targets_no_error_is_marked_in_the_error_title_too(window, qtbot) -> None:
    """Tryout AF: the Error panel's line said "⚠ From another target (…)" while its dock's
    title read a plain "Error", beside "Response · ⚠ other target"."""
    token_flow(window, qtbot)
    add_profile(window, "Another target", **ANOTHER_CLIENT)
    assert stale(window, "errorPanel")
    assert "⚠" in window.docks["error"].windowTitle()
    assert "⚠" in window.docks["response"].windowTitle()


def test_a_get_code_after_a_failure_is_said_beside_the_error_it_leaves(window, qtbot) -> None:
    """Tryout AG: a failed Send, then a Get code that went well. The error stays (the token
    endpoint's latest word), but its panel no longer calls it the latest step: a line of its
    own says a Get code came since."""
    token_flow(window, qtbot)
    failed = send_and_wait(window, qtbot)  # the same code again: 401
    line = window.error_panel.freshness
    said_of_the_failure = line.text()
    get_code(window, qtbot)
    assert window.error_panel.status.text().startswith("401")
    assert line.isVisibleTo(window.error_panel) and line.text() != said_of_the_failure
    assert clock_time(failed.received_at) in line.text()
    assert not stale(window, "errorPanel")  # still this profile's latest exchange


def test_a_code_whose_answer_was_lost_once_sent_is_said_to_be_maybe_spent(window, qtbot) -> None:
    """Tryout AG: after a reset the note under Code still read "From Get code on …", while a
    cancel at the same point said the code may be spent. A real server may have redeemed it
    before the connection went: the next Send may be a replay. A reset an emulator drill made
    came before the emulator looked at the code: once the window knows, it is unspent."""
    emulator = window.targets.current
    note = window.form.messages["code"]
    with drop_mid_body_server() as dropping:
        add_profile(window, "Drops mid-body", base_url=dropping.base_url)
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        window.form.code.setText("a-code-sent-once")
        window.form.code_verifier.setText("v" * 43)
        lost = send_and_wait(window, qtbot)
        assert lost.response is None
        assert note.text().startswith("Reset at") and "may be spent" in note.text()
    select(window, emulator.id)
    get_code(window, qtbot)
    scenario(window, "connection_reset")  # armed outside the window, as curl would
    send_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: "may be spent" not in note.text(), timeout=WAIT_MS)
    assert window.error_panel.drill.text()  # said to be the drill's


def test_a_reset_staged_by_a_drill_armed_outside_the_window_is_said_to_be_the_drills(
    window, qtbot
) -> None:
    """Tryout AG: a connection_reset armed with curl went into the Error panel and the History
    as a real network failure (the drills dialog's own arming said "Staged by"): no answer
    came to name the drill, so the window asks the emulator which drill it used, and when."""
    get_code(window, qtbot)
    scenario(window, "connection_reset")  # straight to the emulator, as curl would arm it
    reset = send_and_wait(window, qtbot)
    assert reset.response is None
    qtbot.waitUntil(lambda: window.error_panel.drill.isVisibleTo(window), timeout=WAIT_MS)
    assert "connection_reset" in window.error_panel.drill.text()
    assert window.session.drill_that_made(reset) == "connection_reset"


def test_a_servers_retry_after_is_said_beside_send_until_it_is_over(window, qtbot) -> None:
    """Tryout AG: a 429 asked to wait 30 s and Send sent again 2 s later without a word. The
    wait is said beside Send (which stays on: testing the limit is allowed) until it ends,
    on its own target only, and the server's next answer ends it."""
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    note = window.form.send_blocked
    scenario(window, "rate_limited", retry_after_s=30)
    limited = send_and_wait(window, qtbot)
    assert isinstance(limited.outcome, ApiError) and limited.outcome.status == 429
    until = clock_time(limited.received_at.replace(microsecond=0) + timedelta(seconds=30))
    assert until in note.text() and note.property("tone") == Tone.WARNING.value
    assert window.form.send_button.isEnabled()
    emulator = window.targets.current
    add_profile(window, "Another server", base_url="http://127.0.0.1:9")
    assert until not in note.text()  # another server's wait says nothing of this one
    select(window, emulator.id)
    assert until in note.text()
    send_and_wait(window, qtbot)  # the server answered again: its wait is over
    assert note.text() == ""
    scenario(window, "rate_limited", retry_after_s=1)
    send_and_wait(window, qtbot)
    assert "Retry-After" in note.text()
    qtbot.waitUntil(lambda: note.text() == "", timeout=WAIT_MS)  # once the second is over


def test_a_drill_armed_outside_the_window_gets_its_mark_once_an_answer_names_it(
    window, qtbot
) -> None:
    """Tryout AH: bad_signature_id_token armed with curl for two answers staged the first,
    named — and the status bar said nothing of the one left until the drills dialog was
    opened: the next Send was staged with no word before it."""
    scenario(window, "bad_signature_id_token", times=2)  # straight to the emulator
    assert window.drills.mark.text() == ""
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: "1 left" in window.drills.mark.text(), timeout=WAIT_MS)
    assert "bad_signature_id_token" in window.drills.mark.text()


def test_verify_again_asks_the_issuer_for_its_keys_now(window, qtbot) -> None:
    """Tryout AO: a server started again with new keys (its old key no longer published), and
    Verify again said "Verified … kid found in JWKS <url>" from a 10-minute cache, as did Keys…
    ▸ Fetch from issuer — neither asked the server. A check the person asks for fetches the
    keys the issuer publishes now: the old key's token fails kid."""
    first = EmulatorServer(EmulatorConfig(log=False)).start()
    port = int(first.base_url.rsplit(":", 1)[1])
    try:
        add_profile(window, "Restarted", base_url=first.base_url, issuer=first.issuer)
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        token_flow(window, qtbot)
        wait_for_verdict(window, qtbot)
        assert window.id_token_panel.check_status("kid") == "pass"
    finally:
        first.stop()
    again = EmulatorServer(EmulatorConfig(log=False, port=port)).start()  # new keys
    try:
        for check_again in (
            window.id_token_panel.verify_button.click,
            window.session.use_fetched_keys,  # Keys… ▸ Fetch from issuer
        ):
            before = shown_verification(window)
            check_again()
            qtbot.waitUntil(
                lambda before=before: shown_verification(window) not in (None, before),
                timeout=WAIT_MS,
            )
            verification = shown_verification(window)
            assert verification is not None and verification.verdict is Verdict.FAILED
            assert window.id_token_panel.check_status("kid") == "fail"
            assert window.id_token_panel.check_status("signature") != "pass"
    finally:
        again.stop()


def test_a_check_with_keys_kept_from_an_earlier_one_says_when_they_were_fetched(
    window, qtbot
) -> None:
    """Tryout AQ: after the issuer was restarted with new keys, a switch away and back checked
    the token again with the keys the cache held: green, "Checked at <now>", "kid found in
    JWKS" — as if the issuer had just been asked. Such a check says when its keys were
    fetched, and Verify again asks the issuer."""
    token_flow(window, qtbot)  # the built-in emulator's own tokens, to switch to
    wait_for_verdict(window, qtbot)
    first = EmulatorServer(EmulatorConfig(log=False)).start()
    port = int(first.base_url.rsplit(":", 1)[1])
    try:
        restarted = add_profile(window, "Restarted", base_url=first.base_url, issuer=first.issuer)
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        token_flow(window, qtbot)
        wait_for_verdict(window, qtbot)
    finally:
        first.stop()
    again = EmulatorServer(EmulatorConfig(log=False, port=port)).start()  # new keys
    try:
        summary = window.id_token_panel.summary
        before = shown_verification(window)
        select(window, EMULATOR_PROFILE_ID)
        select(window, restarted.id)  # back: its token checked again, with the cached keys
        qtbot.waitUntil(lambda: shown_verification(window) not in (None, before), timeout=WAIT_MS)
        assert "as fetched at" in summary.text()
        window.id_token_panel.verify_button.click()  # asks the issuer: the old key is gone
        qtbot.waitUntil(
            lambda: window.id_token_panel.check_status("kid") == "fail", timeout=WAIT_MS
        )
        assert "as fetched at" not in summary.text()
    finally:
        again.stop()
