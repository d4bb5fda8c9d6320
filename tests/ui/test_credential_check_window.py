"""The credential check through the window: the Run check button (`checkButton`) fills
`checkResults` one row per step as results arrive, the window stays usable, the evidence goes
to the history and the exports, and Cancel stops it without leaving anything behind."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QPushButton, QTreeWidget
from tests.support.drills import private_executor
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.ui.helpers import (
    ANOTHER_CLIENT,
    WAIT_MS,
    add_profile,
    get_code,
    select,
    settled,
    text_of,
    token_flow,
    type_into,
)

from idconnect_tester.core.check_results import STEP_ORDER, StepId, StepResult
from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.core.history import HistoryRow
from idconnect_tester.core.id_token_checks import Verdict
from idconnect_tester.core.wording import clock_time
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer
from idconnect_tester.ui import theme
from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
from idconnect_tester.ui.check_panel import COLUMNS
from idconnect_tester.ui.main_window import MainWindow

STEP_IDS = [step.value for step in STEP_ORDER]


def run_check(window: MainWindow, qtbot) -> None:
    """Press Run check (found by its contract name) and wait until the check has ended (its
    report, or a stop)."""
    button = window.findChild(QPushButton, "checkButton")
    assert button is not None and button.isEnabled()
    assert window.findChild(QTreeWidget, "checkResults") is window.check_panel.results
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.check_runner.running
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)


def statuses(window: MainWindow) -> dict[str, str | None]:
    return {step: window.check_panel.step_status(step) for step in STEP_IDS}


def test_run_check_fills_a_row_per_step_as_they_arrive_and_all_pass(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    panel = window.check_panel
    rows_when_reported: list[int] = []
    send_enabled: list[bool] = []
    access_tokens: list[str] = []

    def seen(result: StepResult) -> None:
        rows_when_reported.append(panel.results.topLevelItemCount())
        send_enabled.append(window.form.send_button.isEnabled())
        if result.exchange is not None and isinstance(result.exchange.outcome, TokenGranted):
            access_tokens.append(result.exchange.outcome.access_token)

    code = get_code(window, qtbot)  # a code in the form: Send is usable before the check and after
    assert window.form.send_button.isEnabled()
    raw_before = window.raw_panel.request.toPlainText()  # the user's own authorize step
    window.controller.check_step.connect(seen)
    started = time.perf_counter()
    run_check(window, qtbot)
    took_ms = (time.perf_counter() - started) * 1000
    report = window.check_runner.report
    assert report is not None and report.passed
    # No step got a correlationId (Sumsub sends one with errors): its empty column gives
    # its room to "Why" (tryout X).
    assert panel.results.isColumnHidden(COLUMNS.index("correlationId"))

    assert panel.step_ids() == STEP_IDS
    assert [panel.step_status(step) for step in STEP_IDS] == ["pass"] * len(STEP_IDS)
    # Each row was on screen by the time the next step reported: they arrive one by one.
    assert rows_when_reported == list(range(1, len(STEP_IDS) + 1))
    assert send_enabled and not any(send_enabled)  # one operation at a time
    # The check over, the form is the user's again, with what they had in it.
    assert window.form.send_button.isEnabled() and window.form.get_code_button.isEnabled()
    assert not window.form.cancel_button.isEnabled()
    assert window.controller.pending_tasks == 0
    assert report.duration_ms < took_ms
    assert "PASS" in text_of(window, "checkSummary")
    assert clock_time(report.started_at) in text_of(window, "checkSummary")  # when it ran

    # The live panels are the user's own workflow: the check's tokens are not shown there.
    assert text_of(window, "accessTokenField") == ""
    assert window.raw_panel.request.toPlainText() == raw_before
    assert window.form.code.text() == code
    # The evidence is in the history: the authorize step and each signed exchange (after the
    # user's own authorize step).
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    endpoints = sorted(row.endpoint for row in window.history.store.list())
    assert endpoints == ["authorize", "authorize", "share_token", "token", "token"]
    # Each token request is listed with its grant, as the user's own are.
    grants = sorted(
        row.grant_type for row in window.history.store.list() if row.endpoint == "token"
    )
    assert grants == ["authorization_code", "refresh_token"]
    # …and each says the check made it, the user's own Get code not: the filter tells them apart.
    made = window.history.store.list("made by the credential check")
    assert len(made) == 4 and len(window.history.store.list()) == 5
    # The list tells them apart at a glance: the check's rows in italics, the person's not.
    qtbot.waitUntil(lambda: window.history_panel.row_count() == 5, timeout=WAIT_MS)
    tree = window.history_panel.table
    rows = [tree.topLevelItem(index) for index in range(tree.topLevelItemCount())]
    italic = [row.font(0).italic() for row in rows if row is not None]
    assert sorted(italic) == [False, True, True, True, True]
    # …and the list says what its italics mean (tryout AA: no legend anywhere on screen).
    assert "italics" in window.history_panel.count_label.text()

    # The exports: a Markdown report and JUnit XML, with no secret and no whole token.
    markdown = window.check_runner.export("markdown", tmp_path / "check.md")
    junit = window.check_runner.export("junit", tmp_path / "check.xml")
    assert markdown is not None and junit is not None
    written = markdown.read_text() + junit.read_text()
    assert EMULATOR_SECRET_KEY not in written
    assert access_tokens and not any(token in written for token in access_tokens)
    cases = ElementTree.parse(junit).getroot().iter("testcase")  # noqa: S314 - our own output
    assert [case.get("name") for case in cases] == STEP_IDS
    assert "| `share_token` | ✅ pass |" in markdown.read_text()

    # A change of colour scheme repaints the verdicts in the new palette's colours.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    first = panel.results.topLevelItem(0)
    assert first is not None
    try:
        window.set_scheme("dark")
        assert first.foreground(1).color() == theme.colours().ok
    finally:
        theme.apply_style(app, "light")


def test_a_client_without_sumsub_id_fails_the_token_step_with_the_404_hint(
    window: MainWindow, qtbot
) -> None:
    type_into(qtbot, window.target_panel.app_token, "sbx:emulator-disabled-token")
    run_check(window, qtbot)
    panel = window.check_panel
    statuses = {step: panel.step_status(step) for step in STEP_IDS}
    assert statuses == {
        **dict.fromkeys(STEP_IDS[:4], "pass"),
        "token": "fail",
        **dict.fromkeys(("id_token", "refresh", "share_token"), "skipped"),
    }
    (token,) = panel.results.findItems("token", Qt.MatchFlag.MatchExactly, 0)
    assert token.text(2) == "404" and token.text(3)  # HTTP status and correlationId
    assert not panel.results.isColumnHidden(COLUMNS.index("correlationId"))
    assert token.isExpanded()  # a failure opens to show what to try
    hints = [child.text(5) for i in range(token.childCount()) if (child := token.child(i))]
    assert any(h.startswith("What to try:") and "not enabled" in h for h in hints)
    assert "not enabled" in token.toolTip(0)
    # The first failure is selected and told in full under the list, however narrow the dock.
    assert panel.results.currentItem() is token
    detail = text_of(window, "checkDetail")
    assert (
        detail.startswith("token — ") and "Invalid clientId" in detail and "What to try" in detail
    )
    assert "FAIL" in text_of(window, "checkSummary")
    # The failed signed exchange is evidence too: it is in the history, with its correlationId.
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    (failed,) = window.history.store.list(status="404")
    assert failed.correlation_id == token.text(3)


def test_the_rows_are_marked_once_the_target_changes_and_current_again_on_return(
    window: MainWindow, qtbot
) -> None:
    run_check(window, qtbot)
    panel, dock = window.check_panel, window.docks["check"]
    assert not panel.property("stale") and not panel.freshness.isVisibleTo(panel)
    emulator_id = window.targets.current.id
    window.docks["check"].raise_()
    settled(window, qtbot)
    run_at = panel.run_button.mapTo(panel, panel.run_button.rect().topLeft())

    # Selected: another client at the same server — another target.
    other = add_profile(window, "Partner sandbox", **ANOTHER_CLIENT)
    assert panel.property("stale") and panel.freshness.isVisibleTo(panel)
    settled(window, qtbot)
    # Tryout U: the line came above Run check and pushed it down under the pointer.
    assert panel.run_button.mapTo(panel, panel.run_button.rect().topLeft()) == run_at
    assert (
        "another target" in panel.freshness.text() and "Built-in emulator" in panel.freshness.text()
    )
    assert "other target" in dock.windowTitle()
    assert statuses(window) == dict.fromkeys(STEP_IDS, "pass")  # the rows stay, marked
    # A copy (the same client at the same server) is named as the other panels name it.
    add_profile(window, "Copy of the emulator")
    assert panel.property("stale") and "other profile" in dock.windowTitle()

    select(window, emulator_id)  # back: the rows are this target's again
    assert not panel.property("stale") and "other target" not in dock.windowTitle()
    type_into(qtbot, window.target_panel.app_token, "sbx:emulator-disabled-token")
    assert panel.property("stale")  # another app token is another target…
    # …said as what it is: this very profile, edited — not "another target (Built-in emulator)".
    assert "Built-in emulator before its app token changed" in panel.freshness.text()
    assert "target edited" in dock.windowTitle()
    run_check(window, qtbot)  # checked as it is now: current
    assert not panel.property("stale")
    assert statuses(window)["token"] == "fail"
    select(window, other.id)
    assert panel.property("stale")


def test_back_on_a_target_its_own_check_shows_not_the_one_that_ran_last(
    window: MainWindow, qtbot
) -> None:
    """Tryout V: back on a profile, the check panel showed another target's failed check —
    labelled "the same client at the same server" — and hid this profile's own pass."""
    panel = window.check_panel
    run_check(window, qtbot)
    assert statuses(window) == dict.fromkeys(STEP_IDS, "pass")
    emulator_id = window.targets.current.id
    type_into(qtbot, window.target_panel.app_token, "sbx:emulator-disabled-token")
    run_check(window, qtbot)  # this profile edited: another target, whose token step fails
    assert statuses(window)["token"] == "fail"
    other = add_profile(window, "Partner sandbox", **ANOTHER_CLIENT)
    assert panel.property("stale")  # the failed check, marked as another target's

    select(window, emulator_id)  # the edit was for this run only: the profile as it was
    type_into(qtbot, window.target_panel.app_token, "sbx:emulator-app-token")
    assert statuses(window) == dict.fromkeys(STEP_IDS, "pass")  # its own check, whole
    assert not panel.property("stale")
    assert "PASS" in panel.summary.text()
    select(window, other.id)  # none of its own: the latest, marked
    assert panel.property("stale") and statuses(window)["token"] == "pass"


def test_the_rows_are_marked_once_the_secret_key_changes(window: MainWindow, qtbot) -> None:
    """The check vouches for the credentials, the secret key among them: typing another key
    marks its PASS as older (tokens don't depend on it; the check does)."""
    run_check(window, qtbot)
    panel, dock = window.check_panel, window.docks["check"]
    said = window.status.text()
    assert said.startswith("Credential check")
    key = window.target_panel.secret_key
    original = key.text()
    type_into(qtbot, key, "not-the-secret-key")
    assert panel.property("stale") and "secret key" in panel.freshness.text()
    assert "secret changed" in dock.windowTitle()
    # In a narrow column, whole words: its short form, not a cut in the middle (tryout AM).
    line = panel.freshness
    short = "⚠ Secret key changed since this check ran at 00:00:00."
    line.resize(line.fontMetrics().horizontalAdvance(short) + 8, line.height())
    assert line.shown_text().startswith("⚠ Secret key changed since this check ran at ")
    assert "…" not in line.shown_text()
    # Tryout Z: the status bar kept the check's verdict (a red "failed", there) beside the
    # panel that called it older: it says so too.
    assert window.status.text() != said and "older" in window.status.text()
    assert not window.response_panel.property("stale")  # no token depends on the key
    older = window.status.text()
    type_into(qtbot, key, original)  # the key checked: current again
    assert not panel.property("stale")
    # …and the status bar no longer calls it older (tryout AP: it did, after the undo).
    assert window.status.text() != older and "older" not in window.status.text()


def test_a_narrow_panel_says_what_was_edited_since_the_check(window: MainWindow, qtbot) -> None:
    """Tryout AN: after an edit to the app token, the short note in a narrow column read
    "From <the profile on show>: this check ran at …" — no word of the edit."""
    run_check(window, qtbot)
    panel = window.check_panel
    app_token = window.target_panel.app_token
    type_into(qtbot, app_token, app_token.text() + "x")
    assert panel.property("stale")
    line = panel.freshness
    short = "⚠ App token changed since this check ran at 00:00:00."
    line.resize(line.fontMetrics().horizontalAdvance(short) + 8, line.height())
    assert line.shown_text().startswith("⚠ App token changed since this check ran at ")
    assert "…" not in line.shown_text()


def test_an_expired_id_token_fails_the_id_token_step_and_the_rest_still_runs(
    window: MainWindow, qtbot
) -> None:
    server = window.emulator.server
    assert server is not None
    server.set_scenario("expired_id_token")
    run_check(window, qtbot)
    # The refreshed id_token is held to that sign-in's, which never validated (OIDC Core
    # §12.2, as the ID token panel holds it); the share token still comes.
    failed = {"id_token": "fail", "refresh": "fail"}
    assert statuses(window) == {**dict.fromkeys(STEP_IDS, "pass"), **failed}
    (id_token,) = window.check_panel.results.findItems("id_token", Qt.MatchFlag.MatchExactly, 0)
    assert id_token.text(5).startswith("exp:")  # the why column names the failed row
    assert "FAIL" in text_of(window, "checkSummary")


def test_the_checks_forged_id_tokens_are_listed_as_bad_in_the_history(
    window: MainWindow, qtbot
) -> None:
    """Tryout AJ: a check whose id_tokens a drill had forged left two green "granted" rows in
    the History, no verdict and no drill named. Each token exchange of the check keeps its
    id_token's verdict, as the person's own do, and names the drill."""
    server = window.emulator.server
    assert server is not None
    server.set_scenario("bad_signature_id_token", times=2)  # the code's answer, the refresh's
    run_check(window, qtbot)
    assert statuses(window)["id_token"] == "fail" and statuses(window)["refresh"] == "fail"
    history = window.history
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)

    def token_rows() -> list[HistoryRow]:
        return [row for row in history.store.list() if row.endpoint == "token"]

    qtbot.waitUntil(
        lambda: [row.id_token_verdict for row in token_rows()] == [Verdict.FAILED] * 2,
        timeout=WAIT_MS,
    )
    for row in token_rows():
        assert "signature" in row.id_token_failed
        assert "bad_signature_id_token" in row.summary, row.summary
        assert "made by the credential check" in row.summary, row.summary


def test_a_clock_two_minutes_ahead_fails_the_clock_step_with_its_hint(
    window: MainWindow, qtbot
) -> None:
    window.controller.check_clock = lambda: time.time() + 120
    run_check(window, qtbot)
    found = statuses(window)
    assert found["clock"] == "fail"
    # Sumsub refuses the requests this clock signs: the token step fails too, on 401.
    assert found["token"] == "fail"
    (clock,) = window.check_panel.results.findItems("clock", Qt.MatchFlag.MatchExactly, 0)
    assert clock.isExpanded() and "ahead" in clock.text(5)
    hints = [child.text(5) for i in range(clock.childCount()) if (child := clock.child(i))]
    assert any(h.startswith("What to try:") for h in hints)


@pytest.mark.parametrize("how", ["Esc", "Cancel button"])
def test_cancel_in_the_middle_leaves_no_task_and_the_form_usable(
    window: MainWindow, qtbot, how: str, tmp_path: Path
) -> None:
    server = window.emulator.server
    assert server is not None
    server.set_scenario("slow", delay_s=5)  # the token step hangs until cancelled
    panel = window.check_panel
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.step_status("authorize") == "pass", timeout=WAIT_MS)
    assert window.controller.busy and not window.form.send_button.isEnabled()
    if how == "Esc":
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    else:
        cancel = window.findChild(QPushButton, "cancelButton")
        assert cancel is not None and cancel.isEnabled()
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)

    assert window.controller.pending_tasks == 0
    assert not window.check_runner.running
    # What ran is listed, and the rest as not run: a stopped check is a report too.
    assert panel.step_ids() == STEP_IDS
    ran = STEP_IDS[:4]
    assert all(panel.step_status(step) == "skipped" for step in STEP_IDS[len(ran) :])
    assert "Stopped" in text_of(window, "checkSummary")
    report = window.check_runner.report
    assert report is not None and [r.step.value for r in report.results] == STEP_IDS
    assert panel.save_markdown.isEnabled() and panel.save_junit.isEnabled()
    saved = window.check_runner.export("junit", tmp_path / "stopped.xml")
    assert saved is not None and "Not run: cancelled" in saved.read_text(encoding="utf-8")
    assert panel.run_button.isEnabled()
    exchange = token_flow(window, qtbot)  # the form works as before
    assert isinstance(exchange.outcome, TokenGranted)


def test_a_target_that_cant_be_checked_says_why_and_starts_nothing(
    window: MainWindow, qtbot
) -> None:
    profile = add_profile(window, "No client yet", client_id="")
    select(window, profile.id)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    qtbot.mouseClick(window.check_panel.run_button, Qt.MouseButton.LeftButton)
    assert not window.controller.busy and not window.check_runner.running
    assert "client id" in text_of(window, "checkSummary")
    assert window.check_panel.step_ids() == []


class _Browser(QObject):
    """Stands in for the system browser: Qt hands https URLs to it instead of opening one."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))


@pytest.fixture
def browser():
    browser = _Browser()
    # PySide6's stubs say bytes; at run time it wants the slot's name as text.
    for scheme in ("https", "http"):  # a website, or an authorization server on this machine
        QDesktopServices.setUrlHandler(scheme, browser, "open")  # type: ignore[arg-type]
    yield browser
    for scheme in ("https", "http"):
        QDesktopServices.unsetUrlHandler(scheme)


@contextlib.contextmanager
def partner_target(
    loop, window: MainWindow, qtbot, *, on_this_machine: bool = False
) -> Iterator[tuple[EmulatorServer, str]]:
    """A target whose authorize endpoint is a website (or, `on_this_machine`, the emulator's
    own) and whose redirect URI is not on this machine, selected and with its secret; yields
    its server and the redirect URI."""
    redirect_uri = "https://app.example.test/callback"
    server = EmulatorServer(EmulatorConfig(log=False, redirect_uris=(redirect_uri,))).start()
    # The flow asks for the browser from a worker thread: the loop's executor, ours to end.
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(server.stop)
        cleanup.enter_context(private_executor(loop))
        profile = add_profile(
            window,
            "Partner sandbox",
            base_url=server.base_url,
            issuer=server.issuer,
            authorization_endpoint=(
                "" if on_this_machine else "https://id.example.test/api/snsId/oauth/authorize"
            ),
            redirect_uri=redirect_uri,
        )
        select(window, profile.id)
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        yield server, redirect_uri


@pytest.mark.parametrize("on_this_machine", [False, True])
def test_a_real_target_opens_the_browser_and_takes_the_pasted_redirect(
    loop, window: MainWindow, qtbot, browser: _Browser, on_this_machine: bool
) -> None:
    """The browser opens the URL, the person pastes where it landed — also when the
    authorization server runs on this machine: a redirect URI elsewhere can't be caught
    here, so it is pasted back as Get code has it (it used to fail the step)."""
    with partner_target(loop, window, qtbot, on_this_machine=on_this_machine) as (
        server,
        redirect_uri,
    ):
        qtbot.mouseClick(window.check_panel.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(browser.opened), timeout=WAIT_MS)
        dialog = window.findChild(AuthorizeDialog, "authorizeDialog")  # the URL, a paste box
        assert dialog is not None and dialog.isVisible()
        assert dialog.url == browser.opened[0]
        qtbot.waitUntil(lambda: "paste" in window.status.text(), timeout=WAIT_MS)
        said = window.status.text()  # a whole sentence: the URL is in the dialog
        assert not said.endswith(":") and "http" not in said.split("(")[0]

        # The person signs in at the website; it sends the browser to the redirect URI.
        url = urlsplit(browser.opened[0])
        consent = httpx.get(f"{server.base_url}{url.path}?{url.query}", follow_redirects=False)
        landed = consent.headers["Location"]
        assert landed.startswith(redirect_uri + "?code=")
        type_into(qtbot, dialog.paste_edit, landed)
        qtbot.keyClick(dialog.paste_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)

        report = window.check_runner.report
        assert report is not None
        assert report.passed, [(r.step, r.why) for r in report.results]
        assert not any(d.isVisible() for d in window.findChildren(AuthorizeDialog))
        assert window.check_panel.step_status(StepId.ID_TOKEN.value) == "pass"


def test_cancelling_the_authorize_dialog_stops_the_check_and_leaves_nothing_behind(
    loop, window: MainWindow, qtbot, browser: _Browser
) -> None:
    with partner_target(loop, window, qtbot):
        qtbot.mouseClick(window.check_panel.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(browser.opened), timeout=WAIT_MS)
        dialog = window.findChild(AuthorizeDialog, "authorizeDialog")
        assert dialog is not None and dialog.isVisible()
        dialog.reject()  # the dialog's Cancel, or Esc in it
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)

        assert window.controller.pending_tasks == 0
        assert not window.check_runner.running
        assert window.check_panel.step_status(StepId.TOKEN.value) in (None, "skipped")
        assert window.check_panel.run_button.isEnabled()
        assert not any(d.isVisible() for d in window.findChildren(AuthorizeDialog))
