"""Real-world flows through the window: verification rows, auto-refresh, share token, the
authorize step's errors, pasted redirects, and the PKCE and keys tools."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QTreeWidgetItem,
)
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import (
    ANOTHER_CLIENT,
    WAIT_MS,
    add_profile,
    answer_the_input_dialog,
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

from idconnect_tester.core.exchange import (
    ApiError,
    HintKind,
    NotSent,
    ShareTokenGranted,
    TokenGranted,
)
from idconnect_tester.core.id_token_checks import Verdict
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui.history_panel import COLUMN
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.tool_dialogs import KeysDialog, PkceCheckerDialog, ShareTokenDialog


def wait_for_checks(window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("decode") is not None, timeout=WAIT_MS
    )


def test_expired_id_token_fails_the_exp_row(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    scenario(window, "expired_id_token")
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status("exp") == "fail"
    assert window.id_token_panel.check_status("signature") == "pass"
    # The drill backdates iat too: issued before the request was sent, which is said.
    assert window.id_token_panel.check_status("iat") == "warn"
    assert "Do not trust" in window.id_token_panel.summary.text()
    assert text_of(window, "idTokenExpiryCountdown") == "Expired"
    # The tokens it came with are not shown live beside "Do not trust this response" (green,
    # in the Response and Expiry panels: tryout Q). Their time still counts, in red.
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "not trusted", timeout=WAIT_MS)
    assert text_of(window, "refreshTokenState") == "not trusted"
    assert text_of(window, "expiryCountdownState") == "not trusted"
    assert "exp" in window.response_panel.access_state.toolTip()

    token_flow(window, qtbot)  # the drill spent: a response to trust, and its tokens live
    wait_for_checks(window, qtbot)
    qtbot.waitUntil(lambda: window.id_token_panel.check_status("iat") == "pass", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "live", timeout=WAIT_MS)


def refresh_after_a_sign_in_failed_by(window: MainWindow, qtbot, drill: str, row: str) -> None:
    """A sign-in whose id_token an emulator drill made fail `row`, then a refresh of it (the
    drill spent: the emulator answers it normally)."""
    get_code(window, qtbot)
    scenario(window, drill)
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status(row) == "fail"
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)


def test_a_refresh_after_a_sign_in_not_to_trust_says_where_the_fault_lies(
    window: MainWindow, qtbot
) -> None:
    """Tryout R: after the expired_id_token drill on the sign-in, each refresh read "not
    trusted" with rows that blamed the refreshed id_token alone. It still fails (OIDC Core
    §12.2 compares it with the sign-in's), and says the sign-in's had itself failed."""
    refresh_after_a_sign_in_failed_by(window, qtbot, "expired_id_token", "exp")
    # The refreshed id_token's own verdict: its exp is fine, something else fails.
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("exp") == "pass" and "fail" in _statuses(window),
        timeout=WAIT_MS,
    )
    failing = [
        item.text(2)
        for item in _check_items(window)
        if item.data(1, Qt.ItemDataRole.UserRole) == "fail"
    ]
    assert failing and all("had itself failed its checks (exp)" in why for why in failing)


def test_a_refresh_of_a_sign_in_whose_id_token_was_forged_is_not_trusted_either(
    window: MainWindow, qtbot
) -> None:
    """Tryout S: after the bad_signature_id_token drill on the sign-in, a refresh answered with
    a properly signed id_token of the same claims read all green — "Verified", tokens live,
    "nonce is the sign-in's". The claims it is compared with never validated (OIDC Core
    §3.1.3.7, §12.2): its own sign-in row fails, and the tokens beside it are not trusted."""
    refresh_after_a_sign_in_failed_by(window, qtbot, "bad_signature_id_token", "signature")
    qtbot.waitUntil(
        lambda: (
            window.id_token_panel.check_status("signature") == "pass"
            and window.id_token_panel.check_status("sign-in") == "fail"
        ),
        timeout=WAIT_MS,
    )
    assert window.id_token_panel.summary.text().startswith("Do not trust")
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "not trusted", timeout=WAIT_MS)
    assert "sign-in" in window.response_panel.access_state.toolTip()

    window.form.set_grant("authorization_code")
    token_flow(window, qtbot)  # a new sign-in: a chain to trust, with no sign-in row
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "live", timeout=WAIT_MS)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status("sign-in") is None


def _check_items(window: MainWindow) -> list[QTreeWidgetItem]:
    checks = window.id_token_panel.checks
    items = (checks.topLevelItem(index) for index in range(checks.topLevelItemCount()))
    return [item for item in items if item is not None]


def _statuses(window: MainWindow) -> list[str]:
    return [str(item.data(1, Qt.ItemDataRole.UserRole)) for item in _check_items(window)]


def test_bad_signature_fails_the_signature_row(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    scenario(window, "bad_signature_id_token")
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status("signature") == "fail"
    assert window.id_token_panel.check_status("kid") == "pass"


def test_alg_none_fails_the_algorithm_row(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    scenario(window, "alg_none_id_token")
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status("algorithm") == "fail"
    assert window.id_token_panel.check_status("signature") == "fail"


def description_label(window: MainWindow) -> str:
    form = window.error_panel.layout()
    assert isinstance(form, QFormLayout)
    label = form.labelForField(window.error_panel.description)
    assert isinstance(label, QLabel)
    return label.text()


def test_request_cancel_is_on_only_while_there_is_something_to_cancel(window, qtbot) -> None:
    """Request ▸ Cancel (Esc) follows the Cancel button beside Send."""
    cancel = window.actions_by_name["cancel"]
    assert not cancel.isEnabled()
    get_code(window, qtbot)
    scenario(window, "slow", delay_s=1)
    window.form.send_button.click()
    qtbot.waitUntil(lambda: window.controller.busy, timeout=WAIT_MS)
    assert cancel.isEnabled() and window.form.cancel_button.isEnabled()
    cancel.trigger()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    assert not cancel.isEnabled()


def test_a_slow_exchange_is_listed_at_the_time_the_panels_show(window: MainWindow, qtbot) -> None:
    """The History and the panels name an exchange by the same moment — when it ended — so a
    slow one (here a second or more: another clock second) is found where they say."""
    get_code(window, qtbot)
    scenario(window, "slow", delay_s=1)
    exchange = send_and_wait(window, qtbot)
    assert clock_time(exchange.started_at) != clock_time(exchange.received_at)
    table = window.history_panel.table
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 2, timeout=WAIT_MS)  # authorize + it
    newest = table.topLevelItem(0)
    assert newest is not None
    assert newest.text(COLUMN["Time"]).endswith(clock_time(exchange.received_at))
    assert clock_time(exchange.received_at) in window.docks["raw"].windowTitle()


def test_cancelling_a_code_exchange_says_the_code_may_be_spent(window: MainWindow, qtbot) -> None:
    """Cancel stops the wait, not the server: after a cancelled code exchange the form says
    the code may have been redeemed, rather than leave the next Send's 401 unexplained."""
    get_code(window, qtbot)
    send_then_cancel_once_it_reached_the_server(window, qtbot)
    assert "may have redeemed the code" in window.status.text()
    assert "may be spent" in window.form.messages["code"].text()


def test_cancelling_a_refresh_says_only_that_it_was_cancelled(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    send_then_cancel_once_it_reached_the_server(window, qtbot)
    assert window.status.text().startswith("Cancelled")
    assert "redeemed" not in window.form.messages["code"].text()


def test_a_cancelled_exchange_is_recorded_and_marks_the_earlier_tokens(
    window: MainWindow, qtbot
) -> None:
    """A cancelled request may have reached the server (a refresh may have replaced the
    refresh token): it is an exchange of its own — in the History, the raw exchange and the
    error panel — and the tokens from before it are marked older, not shown as the latest."""
    token_flow(window, qtbot)
    table = window.history_panel.table
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 2, timeout=WAIT_MS)  # authorize + 200
    window.form.set_grant("refresh_token")
    send_then_cancel_once_it_reached_the_server(window, qtbot)

    qtbot.waitUntil(lambda: table.topLevelItemCount() == 3, timeout=WAIT_MS)
    newest = table.topLevelItem(0)
    assert newest is not None and newest.text(COLUMN["Outcome"]) == "cancelled"
    assert newest.text(COLUMN["Grant"]) == "refresh"
    assert window.status.text().startswith("Cancelled after")
    assert window.response_panel.property("stale") is True
    assert "cancelled" in window.response_panel.freshness.text()
    assert text_of(window, "errorStatus") == "Cancelled"
    assert description_label(window) == "What happened"  # the app's words, not Sumsub's
    assert hint_shown(window) is HintKind.CANCELLED
    assert "Get code" not in text_of(window, "errorHint")  # a refresh's cancel, not a code's
    assert '"grant_type": "refresh_token"' in window.raw_panel.request.toPlainText()
    assert window.raw_panel.response.toPlainText().startswith("No response: cancelled after")
    window.history_panel.status_filter.setCurrentIndex(
        window.history_panel.status_filter.findData("cancelled")
    )
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 1, timeout=WAIT_MS)


def test_a_refresh_with_a_later_get_codes_verifier_is_warned_and_explained(
    window: MainWindow, qtbot
) -> None:
    """Get code, Send, Get code again, then a refresh: the form now holds the second code's
    verifier, not the one the refresh token's code was exchanged with. The form says so under
    Verifier before Send (without stopping it), the 401 "Invalid code" gets advice about the
    verifier — not "get a fresh code" — and the right verifier, one click away, refreshes."""
    token_flow(window, qtbot)
    form = window.form
    chains_verifier = form.code_verifier.text()
    get_code(window, qtbot)  # a second attempt: its own verifier replaces the chain's
    form.set_grant("refresh_token")
    message = form.messages["code_verifier"]
    assert "401" in message.text() and form.send_button.isEnabled()

    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
    assert hint_shown(window) is HintKind.REFRESH_VERIFIER_MISMATCH
    assert description_label(window) == "description"  # Sumsub's own field, its own name

    # The fix is one click away, beside the field: it puts the chain's verifier back.
    fix = form.use_right_verifier
    assert fix.isVisibleTo(form)
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    assert form.code_verifier.text() == chains_verifier
    assert message.text() == "" and not fix.isVisibleTo(form)
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    form.code_verifier.clear()  # optional on a refresh: no advice either
    assert message.text() == ""


def test_a_code_sent_with_another_get_codes_verifier_is_explained_as_that(
    window: MainWindow, qtbot
) -> None:
    """Tryout AF: the note under Verifier said "Not this code's verifier" before the Send, and
    the 401 after it got the generic "used already, expired, or…"."""
    form = window.form
    first_code = get_code(window, qtbot)
    get_code(window, qtbot)  # a second attempt: its verifier in the form
    type_into(qtbot, form.code, first_code)
    assert form.messages["code_verifier"].text().startswith("Not this code's verifier")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 401
    assert hint_shown(window) is HintKind.VERIFIER_MISMATCH


def test_the_first_failing_check_is_brought_into_view(window: MainWindow, qtbot) -> None:
    """at_hash is checked late, below what a short panel shows: its failure is scrolled to."""
    window.docks["idToken"].raise_()
    get_code(window, qtbot)
    scenario(window, "wrong_at_hash_id_token")
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    checks = window.id_token_panel.checks
    qtbot.waitUntil(lambda: checks.viewport().height() > 0, timeout=WAIT_MS)
    failing = next(
        item
        for index in range(checks.topLevelItemCount())
        if (item := checks.topLevelItem(index)) is not None and item.text(0) == "at_hash"
    )
    rows_in_view = checks.viewport().height() // checks.visualItemRect(failing).height()
    assert rows_in_view < checks.topLevelItemCount()  # the list is longer than the view…
    assert checks.viewport().rect().contains(checks.visualItemRect(failing))  # …yet it shows


def test_the_nonce_is_the_one_of_the_attempt_that_produced_the_code(window, qtbot) -> None:
    """Two Get codes, then the first code sent: its id_token is checked against the first
    attempt's nonce, not the latest attempt's."""
    first_code = get_code(window, qtbot)
    first_verifier = window.form.code_verifier.text()
    get_code(window, qtbot)
    window.form.code.setText(first_code)
    window.form.code_verifier.setText(first_verifier)
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status("nonce") == "pass"


def test_a_code_from_outside_this_run_has_no_nonce_to_compare(window, qtbot) -> None:
    import asyncio

    from tests.support.oidc import authorize_via_listener

    assert window.emulator.server is not None
    task = asyncio.ensure_future(authorize_via_listener(window.emulator.server))
    qtbot.waitUntil(task.done, timeout=WAIT_MS)
    attempt, result = task.result()
    QGuiApplication.clipboard().clear()
    answer_the_input_dialog(result.code)
    window.get_code_flow.paste_redirect()
    window.form.code_verifier.setText(attempt.pkce.code_verifier)
    send_and_wait(window, qtbot)
    wait_for_checks(window, qtbot)
    assert window.id_token_panel.check_status("nonce") == "skipped"


def test_pasted_jwks_verifies_offline_and_a_wrong_key_fails(window, qtbot) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from idconnect_tester.core.jwks import keys_from_text

    token_flow(window, qtbot)
    wait_for_checks(window, qtbot)
    jwks = httpx.get(window.targets.current.base_url + "/.well-known/jwks.json").text
    window.session.use_pasted_keys(tuple(keys_from_text(jwks, "pasted")), "1 pasted key")
    qtbot.waitUntil(lambda: "pasted" in window.id_token_panel.summary.text(), timeout=WAIT_MS)
    assert window.id_token_panel.check_status("signature") == "pass"

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = stranger.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    window.session.use_pasted_keys(tuple(keys_from_text(pem, "pem")), "a stranger's key")
    qtbot.waitUntil(lambda: "stranger" in window.id_token_panel.summary.text(), timeout=WAIT_MS)
    assert window.id_token_panel.check_status("signature") == "fail"
    # Tryout U: the Error panel says the pasted keys fail it, not that the token changed.
    assert "keys you pasted" in text_of(window, "errorHint")

    # Tryout U: the pasted keys stayed in force for the next exchange, whose genuine id_token
    # then read "not trusted" — and its history row kept "bad id_token" for good. A new
    # id_token is checked with the issuer's keys.
    exchange = token_flow(window, qtbot)
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("signature") == "pass", timeout=WAIT_MS
    )
    assert window.session.pasted_description == ""
    assert "set aside" in window.status.text()  # said with the outcome, not under it
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    newest = window.history.store.list()[0]
    assert abs(newest.time - exchange.received_at) < timedelta(milliseconds=1)  # that one
    assert newest.id_token_verdict is Verdict.VERIFIED


def in_keys_dialog(window: MainWindow, act: Callable[[KeysDialog], None]) -> None:
    """Open Keys… as the menu does and do `act` in it, as a person would."""

    def when_open() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, KeysDialog)
        act(dialog)

    QTimer.singleShot(0, when_open)
    window.open_keys_dialog()


def test_a_check_asked_for_again_says_its_verdict_in_the_status_bar(window, qtbot) -> None:
    """Other keys, or the issuer's again: the status bar says the new verdict, so a red "not
    trusted" from the last check never stands beside a green panel, and a check that comes out
    the same is seen to have run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    token_flow(window, qtbot)
    wait_for_checks(window, qtbot)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = stranger.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()

    in_use: list[str] = []

    def paste_a_strangers_key(dialog: KeysDialog) -> None:
        in_use.append(dialog.in_use.text())  # what the token was checked with, before a change
        dialog.text.setPlainText(pem)
        dialog.accept()

    in_keys_dialog(window, paste_a_strangers_key)
    assert in_use and in_use[0].startswith("In use: 1 key(s) (kid ")
    assert "jwks.json" in in_use[0]
    qtbot.waitUntil(lambda: "checked again" in window.status.text(), timeout=WAIT_MS)
    assert "not trusted" in window.status.text()
    assert window.error_panel.says_something  # the step's id_token fails now
    assert window.status.message.property("tone") == Tone.ERROR.value
    assert window.id_token_panel.check_status("signature") == "fail"

    def fetch_from_the_issuer(dialog: KeysDialog) -> None:
        buttons = dialog.findChildren(QPushButton)
        next(b for b in buttons if b.text().replace("&", "") == "Fetch from issuer").click()

    in_keys_dialog(window, fetch_from_the_issuer)
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("signature") == "pass", timeout=WAIT_MS
    )
    assert window.status.text().startswith("id_token checked again at")
    assert window.status.text().endswith("verified")
    assert window.status.message.property("tone") == Tone.OK.value
    # The Error panel follows: no "do not trust" beside an id_token verified now.
    assert not window.error_panel.says_something

    window.status.say("")
    window.verify_again()
    qtbot.waitUntil(lambda: "checked again" in window.status.text(), timeout=WAIT_MS)


def test_the_keys_dialog_drops_its_complaint_once_the_text_changes(window, qtbot) -> None:
    """Text that is no key is refused in words under it; once the text is changed, the words
    go (they said "not JSON… nor a PEM key" beside a PEM key being pasted)."""
    said: list[str] = []

    def then_change_it(dialog: KeysDialog) -> None:
        said.append(dialog.problem.text())
        dialog.text.setPlainText("-----BEGIN PUBLIC KEY-----")
        said.append(dialog.problem.text())
        dialog.reject()

    def paste_no_key(dialog: KeysDialog) -> None:
        dialog.text.setPlainText("not a key")
        QTimer.singleShot(0, lambda: then_change_it(dialog))
        dialog.accept()  # Use these keys: refused, and the dialog stays open

    in_keys_dialog(window, paste_no_key)
    assert len(said) == 2 and said[0] and said[1] == ""


def test_auto_refresh_fires_before_expiry(loop, qtbot) -> None:
    window = open_window(qtbot, emulator_ttl_s=4)
    try:
        window.countdown_panel.auto_refresh_lead.setValue(2)
        window.countdown_panel.auto_refresh.setChecked(True)
        first = token_flow(window, qtbot)
        assert isinstance(first.outcome, TokenGranted)
        assert window.auto_refresh.scheduled
        assert "Next refresh at" in text_of(window, "autoRefreshState")
        assert "(2 s before expiry)" in text_of(window, "autoRefreshState")
        # A lead longer than the token lives can't be kept: the line says when it really is.
        window.countdown_panel.auto_refresh_lead.setValue(10)
        said = text_of(window, "autoRefreshState")
        assert "10 s before expiry" not in said and "the token's 4 s" in said
        window.countdown_panel.auto_refresh_lead.setValue(2)
        first_token = first.outcome.access_token
        # The refresh is due 2 s before the 4 s lifetime ends: wait for the exchange it makes.
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=6000) as blocker:
            pass
        refreshed = blocker.args[0]
        assert isinstance(refreshed.outcome, TokenGranted)
        assert refreshed.received_at < first.outcome.expires_at  # before expiry, not after
        assert refreshed.outcome.access_token != first_token
        assert "Auto-refresh" in window.status.text()
        assert window.auto_refresh.scheduled  # and the next one is lined up
        # In the history, told from the person's own Send (tryout AC: they read the same).
        qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
        automatic, own = window.history.store.list()[:2]
        assert automatic.made_by == "made by auto-refresh" and own.made_by == ""
        assert window.history.store.list(text="auto-refresh") == [automatic]
    finally:
        window.countdown_panel.auto_refresh.setChecked(False)
        close_window(window, qtbot)


def test_auto_refresh_leaves_the_tabs_and_the_keyboard_where_the_person_left_them(
    loop, qtbot
) -> None:
    """Tryout AA: every automatic refresh brought the Response tab to the front and moved the
    focus to its Copy button, so the ID token being read went behind it and keys typed across
    a refresh were lost. A Send of the person's own still brings its response forward."""
    window = open_window(qtbot, emulator_ttl_s=1)
    try:
        window.resize(1024, 700)  # a laptop: the results share one row of tabs
        id_token, response = window.docks["idToken"], window.docks["response"]
        qtbot.waitUntil(lambda: id_token in window.tabifiedDockWidgets(response), timeout=WAIT_MS)
        token_flow(window, qtbot)
        qtbot.waitUntil(lambda: text_of(window, "expiryCountdown") == "Expired", timeout=WAIT_MS)
        id_token.raise_()
        reading = window.id_token_panel.verify_button
        reading.setFocus(Qt.FocusReason.OtherFocusReason)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is reading, timeout=WAIT_MS)

        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
            window.countdown_panel.auto_refresh.setChecked(True)  # expired: refreshes now
        assert isinstance(blocker.args[0].outcome, TokenGranted)
        assert not id_token.visibleRegion().isEmpty() and response.visibleRegion().isEmpty()
        assert QApplication.focusWidget() is reading

        window.countdown_panel.auto_refresh.setChecked(False)
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)  # a next one ran
        id_token.raise_()
        window.form.set_grant("refresh_token")
        send_and_wait(window, qtbot)  # the person's own refresh: its response comes forward
        qtbot.waitUntil(lambda: not response.visibleRegion().isEmpty(), timeout=WAIT_MS)
    finally:
        window.countdown_panel.auto_refresh.setChecked(False)
        close_window(window, qtbot)


def test_auto_refresh_switched_on_after_expiry_refreshes_at_once_and_says_so(loop, qtbot) -> None:
    """Switched on once the token has expired: it refreshes now, and says that — not a "next
    refresh" in the past with a lead "longer than the token's lifetime"."""
    window = open_window(qtbot, emulator_ttl_s=1)
    try:
        first = token_flow(window, qtbot)
        assert isinstance(first.outcome, TokenGranted)
        qtbot.waitUntil(lambda: text_of(window, "expiryCountdown") == "Expired", timeout=WAIT_MS)
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
            window.countdown_panel.auto_refresh.setChecked(True)
            assert (
                text_of(window, "autoRefreshState") == "On — the token has expired; refreshing now"
            )
        refreshed = blocker.args[0]
        assert isinstance(refreshed.outcome, TokenGranted)
        assert refreshed.outcome.access_token != first.outcome.access_token
    finally:
        window.countdown_panel.auto_refresh.setChecked(False)
        close_window(window, qtbot)


def test_auto_refresh_stops_when_the_target_changes(window: MainWindow, qtbot) -> None:
    """Its schedule is for the tokens on display: another target's, after a switch."""
    window.countdown_panel.auto_refresh.setChecked(True)
    token_flow(window, qtbot)
    assert window.auto_refresh.scheduled
    add_profile(window, "Another target")
    assert not window.auto_refresh.scheduled
    assert "Another target" in text_of(window, "autoRefreshState")
    assert not window.countdown_panel.auto_refresh.isChecked()


def test_auto_refresh_stopped_by_a_switch_is_said_in_the_status_bar(
    window: MainWindow, qtbot
) -> None:
    """The Expiry panel may be a tab behind the results: where the eye goes says it too."""
    other = add_profile(window, "Another target")
    select(window, EMULATOR_PROFILE_ID)
    window.countdown_panel.auto_refresh.setChecked(True)
    token_flow(window, qtbot)
    select(window, other.id)
    said = window.status.text()
    assert said.startswith("Now on Another target") and "auto-refresh" in said
    assert "Built-in emulator" in said
    # A switch is no failure: the Expiry panel says it in amber, not red (tryout Z).
    state = window.countdown_panel.auto_refresh_state
    assert state.text().startswith("Stopped at ")
    assert state.property("tone") == Tone.WARNING.value


def test_a_switch_to_a_profile_with_tokens_of_its_own_stops_auto_refresh_too(
    window: MainWindow, qtbot
) -> None:
    """Tryout S: auto-refresh ticked on one profile went on after a switch to another with
    tokens of its own, now scheduled for those (a day away) — the first profile's refresh
    never ran, and nothing said so."""
    token_flow(window, qtbot)  # the built-in emulator's own tokens
    copy = add_profile(window, "Same server and client")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)  # and the copy's
    window.countdown_panel.auto_refresh.setChecked(True)
    assert window.auto_refresh.scheduled
    select(window, EMULATOR_PROFILE_ID)
    assert not window.countdown_panel.auto_refresh.isChecked()
    assert not window.auto_refresh.scheduled
    assert "Built-in emulator" in text_of(window, "autoRefreshState")
    said = window.status.text()
    assert "auto-refresh" in said and copy.name in said
    token_flow(window, qtbot)  # tokens from after the stop: why it stopped is history
    assert text_of(window, "autoRefreshState") == "Off"

    select(window, copy.id)  # an edit of where the tokens came from stops it as well
    window.countdown_panel.auto_refresh.setChecked(True)
    assert window.auto_refresh.scheduled
    window.target_panel.app_token.setText("sbx:another-app-token")
    window.target_panel.edited.emit()
    assert not window.auto_refresh.scheduled
    assert "edited" in text_of(window, "autoRefreshState")
    # Edited, not switched: the status bar does not say "Now on" the profile it was on.
    assert window.status.text().startswith(f"{copy.name} edited")


def test_auto_refresh_stops_on_failure_without_retrying(loop, qtbot) -> None:
    window = open_window(qtbot, emulator_ttl_s=3)
    try:
        window.countdown_panel.auto_refresh_lead.setValue(1)
        window.countdown_panel.auto_refresh.setChecked(True)
        token_flow(window, qtbot)
        scenario(window, "revoked_token", times=5)
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=6000) as blocker:
            pass
        assert isinstance(blocker.args[0].outcome, ApiError)
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
        assert not window.auto_refresh.scheduled  # no retry loop
        assert not window.countdown_panel.auto_refresh.isChecked()
        assert re.match(
            r"Stopped at \d\d:\d\d:\d\d: the refresh failed", text_of(window, "autoRefreshState")
        )
        assert text_of(window, "errorStatus") == "403 Forbidden"
        assert re.match(r"Auto-refresh at \d\d:\d\d:\d\d: 403", window.status.text())
    finally:
        close_window(window, qtbot)


def test_auto_refresh_stops_at_an_id_token_that_failed_its_checks(loop, qtbot) -> None:
    """The next refresh would paint a fresh green verdict over the red one: it stops, and the
    status bar says whose doing the failure was (the automatic refresh, the drill)."""
    window = open_window(qtbot, emulator_ttl_s=3)
    try:
        window.countdown_panel.auto_refresh_lead.setValue(1)
        window.countdown_panel.auto_refresh.setChecked(True)
        token_flow(window, qtbot)
        # Armed from Tools ▸ Emulator drills, as a person would: the window then knows it.
        window.actions_by_name["drills"].trigger()
        drills = window.drills.dialog
        assert drills is not None
        qtbot.waitUntil(lambda: drills.select("bad_signature_id_token"), timeout=WAIT_MS)
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=6000) as blocker:
            drills.arm_button.click()
        assert isinstance(blocker.args[0].outcome, TokenGranted)  # a refresh: 200, a bad id_token
        qtbot.waitUntil(
            lambda: not window.countdown_panel.auto_refresh.isChecked(), timeout=WAIT_MS
        )
        assert not window.auto_refresh.scheduled
        state = text_of(window, "autoRefreshState")
        assert state.startswith("Stopped at ") and "the id_token failed its checks" in state
        assert "signature" in state
        qtbot.waitUntil(lambda: "bad_signature_id_token" in window.status.text(), timeout=WAIT_MS)
        said = window.status.text()
        assert re.match(r"Auto-refresh at \d\d:\d\d:\d\d: 200", said) and "not trusted" in said
    finally:
        close_window(window, qtbot)


def test_auto_refresh_switched_on_over_a_response_not_to_be_trusted_stops_at_once(
    window: MainWindow, qtbot
) -> None:
    """Tryout Z: switched on while the panels said "not trusted" (the id_token's signature
    failed), it refreshed and painted a verified id_token over the red one, without a word.
    It stops at once instead, and says why, as it does when the checks fail while it runs."""
    scenario(window, "bad_signature_id_token")
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "not trusted", timeout=WAIT_MS)
    window.countdown_panel.auto_refresh.setChecked(True)
    assert not window.countdown_panel.auto_refresh.isChecked()
    assert not window.auto_refresh.scheduled
    state = text_of(window, "autoRefreshState")
    assert state.startswith("Stopped at ") and "signature" in state
    # Once a response whose id_token passes is on display, it can be switched on again.
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "live", timeout=WAIT_MS)
    window.countdown_panel.auto_refresh.setChecked(True)
    assert window.auto_refresh.scheduled
    window.countdown_panel.auto_refresh.setChecked(False)


def test_refresh_token_tracking(window: MainWindow, qtbot) -> None:
    granted = token_flow(window, qtbot).outcome
    assert isinstance(granted, TokenGranted) and granted.refresh_token
    assert "by the authorization_code exchange" in text_of(window, "refreshTokenInfo")
    window.form.set_grant("refresh_token")
    refreshed = send_and_wait(window, qtbot).outcome
    assert isinstance(refreshed, TokenGranted) and refreshed.refresh_token is None
    assert "returned none: keep using this one" in text_of(window, "refreshTokenInfo")
    # The note sits under the refresh token it is about, not under the id_token.
    panel = window.response_panel
    tops = {
        name: find(window, name).mapTo(panel, QPoint(0, 0)).y()
        for name in ("refreshTokenField", "refreshTokenInfo", "tokenTypeField", "idTokenField")
    }
    assert tops["refreshTokenField"] < tops["refreshTokenInfo"] < tops["tokenTypeField"]
    assert tops["refreshTokenInfo"] < tops["idTokenField"]
    # "This one" is on screen and can be copied: the token still in use, not an empty row.
    field = window.response_panel.fields["refresh_token"]
    assert field.value() == granted.refresh_token
    assert field.copy_button.isEnabled()
    assert "offline_access" in window.response_panel.refresh_info.toolTip()

    window.form.scope_boxes["offline_access"].setChecked(False)
    window.form.set_grant("authorization_code")
    token_flow(window, qtbot)
    assert "None issued" in text_of(window, "refreshTokenInfo")


def test_share_token_success_with_its_own_countdown(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    assert window.response_panel.share_button.isEnabled()
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        window.send_share_token("CoolCompanyLtd", 600)
    outcome = blocker.args[0].outcome
    assert isinstance(outcome, ShareTokenGranted)
    assert text_of(window, "shareTokenField").startswith("_act-sbx-")
    assert "CoolCompanyLtd" in text_of(window, "shareTokenForClient")
    assert text_of(window, "shareTokenCountdown") in ("00:10:00", "00:09:59", "00:09:58")


def test_the_share_dialog_warns_once_the_access_token_expires_while_it_is_open(loop, qtbot) -> None:
    """Tryout AN: the dialog, opened on a live 30 s token, said nothing when the token expired
    while it was open, and its Send spent a request the app knew would fail."""
    window = open_window(qtbot, emulator_ttl_s=2)
    try:
        token_flow(window, qtbot)
        seen: list[object] = []

        def while_open() -> None:
            dialog = window.findChild(ShareTokenDialog)
            assert dialog is not None
            try:
                seen.append(dialog.warning.isVisible())  # live when it opened: nothing to say
                qtbot.waitUntil(dialog.warning.isVisible, timeout=WAIT_MS)
                seen.append(dialog.warning.text())
            finally:
                dialog.reject()  # whatever was seen: the window's exec() returns

        QTimer.singleShot(0, while_open)
        window.request_share_token()
        assert seen[0] is False and "expired" in str(seen[1]), seen
    finally:
        close_window(window, qtbot)


def test_a_share_token_from_replaced_tokens_is_marked_older(window: MainWindow, qtbot) -> None:
    """A share token made from the last code exchange's access token is not part of the next
    exchange's response: once new tokens arrive it is marked older, not shown live beside them."""
    token_flow(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.send_share_token("CoolCompanyLtd", 600)
    assert text_of(window, "shareTokenState") == "live"
    assert text_of(window, "shareTokenCountdownState") == ""  # counting down, nothing to add

    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    token_flow(window, qtbot)  # a new code: new tokens, the share token is from the old ones
    assert text_of(window, "shareTokenState") == "older"
    assert "replaced" in window.response_panel.share_state.toolTip()
    assert text_of(window, "shareTokenCountdownState") == "older"


def test_typing_in_the_share_token_dialog_replaces_the_last_client_id(qtbot) -> None:
    """It opens with the last one, picked whole: typed after it, a doubled id was sent."""
    dialog = ShareTokenDialog("LastPartner")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.for_client_id, "NextPartner")
    assert dialog.for_client_id.text() == "NextPartner"


def test_the_share_token_dialog_says_why_send_is_off(qtbot) -> None:
    dialog = ShareTokenDialog("")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.send.isEnabled() and dialog.why_not.text()

    ttl_at = dialog.ttl.mapTo(dialog, QPoint(0, 0))
    qtbot.keyClicks(dialog.for_client_id, "CoolCompanyLtd")
    assert dialog.send.isEnabled() and not dialog.why_not.text()
    # The line went, and the fields stayed where they were (a click aimed at ttlInSecs had
    # landed in forClientId: tryout R).
    QApplication.sendPostedEvents()
    assert dialog.ttl.mapTo(dialog, QPoint(0, 0)) == ttl_at

    dialog.for_client_id.setText("   ")  # blanks are no client id
    assert not dialog.send.isEnabled() and dialog.why_not.text()
    # Nor is one with a space inside: the profile dialog refuses it too.
    dialog.for_client_id.setText("Cool Company")
    assert not dialog.send.isEnabled() and "space" in dialog.why_not.text()
    dialog.for_client_id.setText("CoolCompanyLtd")
    assert dialog.send.isEnabled() and not dialog.why_not.text()
    # Wide enough for a client id and the why on one line each, not a narrow column.
    assert dialog.width() >= dialog.fontMetrics().horizontalAdvance(dialog.why_not.text())


def test_a_share_token_ttl_out_of_range_is_never_sent_unseen(qtbot) -> None:
    """Typed 0, Send waits and says the range. Enter puts the nearest limit in the box and
    says so, without sending (it sent 1 s without a word); the next Enter sends it."""
    dialog = ShareTokenDialog("CoolCompanyLtd")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.ttl.selectAll()
    qtbot.keyClicks(dialog.ttl, "0")
    assert not dialog.send.isEnabled()
    assert f"{dialog.ttl.maximum():,}" in dialog.why_not.text()

    qtbot.keyClick(dialog.ttl, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.ttl.value() == dialog.ttl.minimum() and dialog.send.isEnabled()
    assert f"{dialog.ttl.minimum()} s" in dialog.why_not.text()

    QApplication.processEvents()  # that key press is over: the next one is the person's
    qtbot.keyClick(dialog.ttl, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_share_token_without_the_share_scope_is_refused(window: MainWindow, qtbot) -> None:
    window.form.scope_boxes["share"].setChecked(False)
    token_flow(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        window.send_share_token("CoolCompanyLtd", 1800)
    assert isinstance(blocker.args[0].outcome, ApiError)
    assert text_of(window, "errorStatus") == "403 Forbidden"
    assert "share" in text_of(window, "errorDescription")


def test_an_access_token_the_server_refuses_for_a_share_token_is_no_longer_live(
    window: MainWindow, qtbot
) -> None:
    """huge_body's tokens look valid but the emulator never issued them (they read "staged"):
    a share-token step with one, sent all the same, gets a 401 that names the access token,
    which then reads refused (and Share token… stays off), and the hint is about the access
    token, not the app token or the clock."""
    get_code(window, qtbot)
    scenario(window, "huge_body", size_mb=1)
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    assert text_of(window, "accessTokenState") == "staged"
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        window.send_share_token("CoolCompanyLtd", 600)
    assert isinstance(blocker.args[0].outcome, ApiError)
    assert hint_shown(window) is HintKind.ACCESS_TOKEN_REFUSED
    assert text_of(window, "accessTokenState") == "refused"
    assert text_of(window, "expiryCountdownState") == "refused"
    assert text_of(window, "expiryCountdown") == "—"  # no time worth counting
    assert not window.response_panel.share_button.isEnabled()


def test_tokens_a_drill_made_up_read_staged_and_nothing_blames_the_scopes(
    window: MainWindow, qtbot
) -> None:
    """Tryout AG: the huge_body drill's 200 read as a grant: "live" in green, Share token…
    on, "None issued: offline_access was not granted" and "No id_token (one comes when openid
    was among the scopes…)" — with every scope asked for. The tokens are the drill's."""
    get_code(window, qtbot)
    scenario(window, "huge_body", size_mb=0.01)
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    assert text_of(window, "accessTokenState") == "staged"
    assert text_of(window, "expiryCountdownState") == "staged"
    assert window.countdown_panel.rows["access"].time.property("tone") != Tone.OK.value
    assert not window.response_panel.share_button.isEnabled()
    notes = text_of(window, "responseNotes")
    assert "huge_body" in notes and "scope" not in notes
    refresh_note = window.response_panel.refresh_info.text()
    assert "huge_body" in refresh_note and "offline_access" not in refresh_note
    # The drill answered before the server looked at the code (tryout AH: it read "Used at"):
    # the same code, sent again, is redeemed — the next real grant, live again.
    assert not window.form.messages["code"].text().startswith("Used")
    send_and_wait(window, qtbot)
    assert text_of(window, "accessTokenState") == "live"
    # A share token the drill made up is no more live than its tokens (tryout AH).
    scenario(window, "huge_body", size_mb=0.01)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.send_share_token("CoolCompanyLtd", 600)
    assert text_of(window, "shareTokenState") == "staged"


def test_share_token_needs_a_for_client_id(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as blocker:
        window.send_share_token("", 1800)
    assert isinstance(blocker.args[0].outcome, NotSent)
    assert text_of(window, "errorStatus") == "Not sent"
    assert "forClientId" in text_of(window, "errorDescription")


def test_authorize_error_redirect_lands_in_the_error_panel(window: MainWindow, qtbot) -> None:
    for box in window.form.scope_boxes.values():
        box.setChecked(False)
    window.form.get_code_button.click()
    qtbot.waitUntil(
        lambda: text_of(window, "errorStatus").startswith("Authorize error"), timeout=WAIT_MS
    )
    assert text_of(window, "errorStatus") == "Authorize error: invalid_scope"
    assert hint_shown(window) is HintKind.SCOPE_REFUSED
    assert window.form.code.text() == ""


def test_a_get_code_that_brings_no_code_leaves_the_spent_one_said_to_be_spent(
    window: MainWindow, qtbot
) -> None:
    """Tryout W: Get code cleared the note under Code ("Used at …: a replay gets 401") and,
    refused, brought no code: the spent code stayed in the form with nothing said of it."""
    token_flow(window, qtbot)
    note = window.form.messages["code"]
    assert "replay" in note.text()
    for box in window.form.scope_boxes.values():
        box.setChecked(False)  # the emulator refuses this Get code: invalid_scope
    window.form.get_code_button.click()
    qtbot.waitUntil(
        lambda: text_of(window, "errorStatus").startswith("Authorize error"), timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    assert window.form.code.text()  # the spent code is still there
    assert "replay" in note.text()


def test_a_get_code_that_brings_no_code_leaves_another_targets_code_said_to_be_so(
    window: MainWindow, qtbot
) -> None:
    """Tryout AP: back on a profile, Code held another server's code with its note ("From Get
    code on Built-in emulator, not this target"); a Get code here that brought no code took
    the note away for good, and Send was on beside that code."""
    get_code(window, qtbot)  # the built-in emulator's code, in the form
    add_profile(window, "Another client", **ANOTHER_CLIENT)
    note = window.form.messages["code"]
    assert "Built-in emulator" in note.text()
    window.form.get_code_button.click()  # refused: this client is unknown to the server
    qtbot.waitUntil(
        lambda: text_of(window, "errorStatus").startswith("Authorize error"), timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
    assert window.form.code.text()  # the other server's code is still there…
    assert "Built-in emulator" in note.text()  # …and said to be its


@pytest.mark.parametrize(
    ("client_id", "error", "kind"),
    [
        ("another-client", "invalid_request", HintKind.CLIENT_ID_UNKNOWN),
        ("emulator-disabled-client", "unauthorized_client", HintKind.CLIENT_NOT_ALLOWED),
    ],
)
def test_an_authorize_refusal_is_explained_by_what_it_names(
    window: MainWindow, qtbot, client_id: str, error: str, kind: HintKind
) -> None:
    """The authorization server's 400 names the client: What to try is about the client id,
    not a list of everything an authorize request holds."""
    add_profile(window, "Another client", client_id=client_id)
    window.form.get_code_button.click()
    qtbot.waitUntil(
        lambda: text_of(window, "errorStatus").startswith("Authorize error"), timeout=WAIT_MS
    )
    assert text_of(window, "errorStatus") == f"Authorize error: {error}"
    assert hint_shown(window) is kind


def test_pasted_redirect_url_is_checked_against_this_runs_state(window, qtbot):
    get_code(window, qtbot)
    session = window.session.pending_authorize
    assert session is not None
    good = f"{session.redirect_uri}?code=PASTED-CODE&state={session.state}"
    QGuiApplication.clipboard().clear()
    answer_the_input_dialog(good)
    window.get_code_flow.paste_redirect()
    assert window.form.code.text() == "PASTED-CODE"

    forged = f"{session.redirect_uri}?code=FORGED&state=someone-elses"
    answer_the_input_dialog(forged)
    window.get_code_flow.paste_redirect()
    assert window.form.code.text() == "PASTED-CODE"  # not replaced
    # It answers no waiting Get code (the last has its code): said, and recorded as nothing.
    said = window.status.text()
    assert "state" in said.lower() and "no Get code is waiting" in said


def test_pkce_checker(qtbot) -> None:
    dialog = PkceCheckerDialog(
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    qtbot.addWidget(dialog)
    assert dialog.verdict.text().startswith("✔ Match")
    dialog.challenge.setText("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cX")
    assert dialog.verdict.text().startswith("✘ No match")
    dialog.verifier.setText("123456")
    assert "43 to 128" in dialog.verdict.text()


def test_the_pkce_checker_grows_to_show_its_whole_verdict(qtbot) -> None:
    """A mismatch with a short verifier says three things; none of them is cut off."""
    dialog = PkceCheckerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.challenge.setText("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    dialog.verifier.setText("abc")
    verdict = dialog.verdict
    assert "No match" in verdict.text() and "43" in verdict.text()
    qtbot.waitUntil(lambda: verdict.height() >= verdict.heightForWidth(verdict.width()))
    assert dialog.rect().contains(verdict.geometry())


def test_the_pkce_checker_never_pairs_values_from_two_attempts(window, qtbot) -> None:
    """The form's verifier is not the last Get code's: the checker is not handed that Get
    code's challenge beside it (a mismatch nobody made)."""
    get_code(window, qtbot)
    window.form.code_verifier.setText("a-verifier-typed-by-hand-" + "x" * 30)
    seen: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PkceCheckerDialog)
        seen.append(dialog.verdict.text())
        dialog.reject()

    QTimer.singleShot(0, look)
    window.open_pkce_checker()
    assert seen and "No match" not in seen[0]


def test_the_claims_keep_their_place_while_the_next_verdict_is_coming(window, qtbot) -> None:
    """Between a Send's answer and its id_token's checks the summary says it is verifying and
    the checks are empty; the checks and claims below it stay where the last verdict left
    them instead of jumping up, and back down a moment later, on every Send."""
    window.docks["idToken"].raise_()
    token_flow(window, qtbot)
    settled(window, qtbot)
    split = find(window, "idTokenSplitter")
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    after_the_verdict = split.geometry()
    seen: list[tuple[int, QRect]] = []

    def before_the_checks(*_args: object) -> None:
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        seen.append((window.id_token_panel.checks.topLevelItemCount(), split.geometry()))

    get_code(window, qtbot)  # a new sign-in: its id_token has a nonce of its own
    window.controller.exchange_finished.connect(before_the_checks)
    send_and_wait(window, qtbot)
    window.controller.exchange_finished.disconnect(before_the_checks)
    assert seen == [(0, after_the_verdict)]
    settled(window, qtbot)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    assert window.id_token_panel.checks.topLevelItemCount() > 0
    assert split.geometry() == after_the_verdict


def test_the_space_a_paste_brought_around_a_token_is_said_not_to_be_sent(
    window: MainWindow, qtbot
) -> None:
    """Tryout AA: a line break pasted after a refresh token was dropped without a word, so a
    test of what the server makes of it could not tell that it was never sent."""
    granted = token_flow(window, qtbot).outcome
    assert isinstance(granted, TokenGranted) and granted.refresh_token
    window.form.set_grant("refresh_token")
    note = window.form.messages["refresh_token"]
    window.form.refresh_token.clear()
    QGuiApplication.clipboard().setText(granted.refresh_token + "\r\n")
    window.form.refresh_token.paste()
    assert "line break after" in note.text()
    sent = send_and_wait(window, qtbot)
    assert sent.request is not None and b"\n" not in sent.request.body
    assert isinstance(sent.outcome, TokenGranted)  # the token, without the line break
    window.form.refresh_token.setText(granted.refresh_token)
    assert "line break" not in note.text()


def test_an_auto_refresh_cancelled_says_so_and_how_to_refresh_again(loop, qtbot) -> None:
    """Tryout AE: Esc while an auto-refresh waited — Auto-refresh said "the refresh failed
    (Cancelled …)", and the Error panel said "Send again" beside a form whose grant was
    still authorization_code: a Send then replayed the code and made the tokens suspect."""
    window = open_window(qtbot, emulator_ttl_s=3)
    try:
        window.countdown_panel.auto_refresh_lead.setValue(2)
        window.countdown_panel.auto_refresh.setChecked(True)
        token_flow(window, qtbot)
        server = window.emulator.server
        assert server is not None
        scenario(window, "slow", delay_s=5)
        qtbot.waitUntil(lambda: window.auto_refresh.in_flight, timeout=6000)
        qtbot.waitUntil(lambda: server.wait_scenario_used(0), timeout=WAIT_MS)
        window.form.cancel_button.click()
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
        state = text_of(window, "autoRefreshState")
        assert "cancelled" in state and "failed" not in state, state
        assert window.form.grant() == "authorization_code"  # the person's form, as it was
        assert "refresh_token request" in text_of(window, "errorHint")
    finally:
        close_window(window, qtbot)


def test_auto_refresh_stopped_by_a_429_says_the_drill_and_until_when(loop, qtbot) -> None:
    """Tryout AF: Auto-refresh's own line read "the refresh failed (429 Too Many Requests in
    9 ms)", where the Error panel and the status bar said which drill staged it and how long
    to wait — and the Expiry panel may be all that is in view."""
    window = open_window(qtbot, emulator_ttl_s=3)
    try:
        window.countdown_panel.auto_refresh_lead.setValue(1)
        window.countdown_panel.auto_refresh.setChecked(True)
        token_flow(window, qtbot)
        scenario(window, "rate_limited", retry_after_s=30, times=5)
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=6000) as blocker:
            pass
        limited = blocker.args[0]
        assert isinstance(limited.outcome, ApiError) and limited.outcome.status == 429
        qtbot.waitUntil(lambda: not window.auto_refresh.scheduled, timeout=WAIT_MS)
        state = text_of(window, "autoRefreshState")
        assert "rate_limited drill" in state, state
        until = clock_time(limited.received_at + timedelta(seconds=30))
        assert state.endswith(f"wait until {until}"), state
    finally:
        close_window(window, qtbot)
