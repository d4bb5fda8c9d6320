"""The credential check from the window: on the selected target, through the request controller
as the one running operation (Send is off meanwhile; Cancel and Esc stop it).

- The built-in emulator (or any authorization server on this machine) consents at once: the
  check follows its redirect itself.
- A real target: the browser opens the authorize URL and the `AuthorizeDialog` shows it; a
  loopback redirect URI is caught by the check's listener, any other is pasted into the dialog.

Each result goes to the check panel as it arrives, and the evidence to the history: the
authorize step's record and every signed exchange (token, refresh, share token), passed or
failed. The check's exchanges do not go to the live panels: they are the check's own run (its
code, tokens and nonce), not the user's workflow, which stays as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from idconnect_tester import vendor
from idconnect_tester.core.authorize_flow import (
    AuthorizeTarget,
    Interaction,
    RedirectCapture,
    is_loopback_redirect,
)
from idconnect_tester.core.check_report import junit_xml, markdown_report
from idconnect_tester.core.check_results import (
    STEP_ORDER,
    CheckReport,
    CheckSettings,
    StepId,
    StepResult,
    StepStatus,
    step_result,
)
from idconnect_tester.core.emulator_drills import StagedBy, drill_note
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.safe_files import SHARED_FILE_MODE, atomic_write_text
from idconnect_tester.core.session_events import Freshness, Origin
from idconnect_tester.core.target import Target
from idconnect_tester.core.target_selection import TargetSelection
from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
from idconnect_tester.ui.check_panel import CheckPanel
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.file_dialogs import save_path
from idconnect_tester.ui.history_binding import HistoryBinding
from idconnect_tester.ui.theme import Tone

Say = Callable[[str, Tone], None]
# Said after the summary of every exchange the check made, in the history: apart from the
# person's own, and found by the filter.
MADE_BY_THE_CHECK: Final = "made by the credential check"
_EXPORTS: Final = {
    "markdown": ("Save check report", "md", "Markdown (*.md)", markdown_report),
    "junit": ("Save JUnit XML", "xml", "JUnit XML (*.xml)", junit_xml),
}


def check_settings(profile: Profile, target: Target) -> CheckSettings:
    """What to check for a profile: its API target and its Sumsub ID client, every scope (the
    refresh step needs offline_access, the share step share)."""
    authorize = AuthorizeTarget(
        issuer=profile.issuer or vendor.DEFAULT_ISSUER,
        client_id=profile.client_id,
        redirect_uri=profile.redirect_uri,
        scopes=vendor.SCOPES,
        authorization_endpoint=profile.authorization_endpoint,
    )
    capture = RedirectCapture.FOLLOW if profile.builtin else RedirectCapture.BROWSER
    return CheckSettings(target, authorize, capture=capture, label=profile.name)


class BrowserInteraction(QObject):
    """The person's side of a check's authorize step: the browser and the `AuthorizeDialog`
    (the URL with a copy button, a box for the redirect when it can't be caught here)."""

    # The flow asks for the browser from a worker thread; widgets are made on the GUI thread.
    _open_requested = Signal(str)

    def __init__(
        self, parent: QWidget, redirect_uri: str, cancel: Callable[[], None], say: Say
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        caught = is_loopback_redirect(redirect_uri)
        self._listening_on = (redirect_uri or "a free port on 127.0.0.1") if caught else None
        self._cancel = cancel
        self._say = say
        self._pasted: asyncio.Future[str] | None = None
        self._early: str | None = None  # pasted before the flow asked for it
        self.dialog: AuthorizeDialog | None = None
        self._open_requested.connect(self._open, Qt.ConnectionType.QueuedConnection)

    def interaction(self) -> Interaction:
        return Interaction(
            say=lambda text: self._say(text.splitlines()[0], Tone.MUTED),
            open_browser=self._open_browser,
            read_redirect=self._read_redirect,
        )

    def _open_browser(self, url: str) -> bool:
        self._open_requested.emit(url)
        return True  # the dialog says so itself when no browser could be started

    def _open(self, url: str) -> None:
        self.close()
        dialog = AuthorizeDialog(url, self._listening_on, self._parent)
        dialog.setWindowTitle("Credential check — authorize in the browser")
        dialog.cancelled.connect(self._cancel)
        dialog.pasted.connect(self._use_pasted)
        self.dialog = dialog
        dialog.show()
        dialog.open_browser()

    async def _read_redirect(self) -> str:
        if self._early is not None:
            text, self._early = self._early, None
            return text
        self._pasted = asyncio.get_running_loop().create_future()
        try:
            return await self._pasted
        finally:
            self._pasted = None

    def _use_pasted(self, text: str) -> None:
        if self._listening_on is not None:
            if self.dialog is not None:
                self.dialog.show_problem(
                    "The check catches this redirect by itself: finish signing in in the browser."
                )
            return
        if self._pasted is not None and not self._pasted.done():
            self._pasted.set_result(text)
        else:
            self._early = text  # the flow asks for it in a moment
        self.close()

    def close(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.blockSignals(True)  # closing it is not the user cancelling
            dialog.close()
            dialog.deleteLater()


def _digest(secret: str | None) -> str | None:
    """What tells one secret key from another without keeping it: its SHA-256, in memory."""
    return hashlib.sha256(secret.encode()).hexdigest() if secret is not None else None


class CheckRunner:
    def __init__(
        self,
        panel: CheckPanel,
        controller: RequestController,
        targets: TargetSelection,
        history: HistoryBinding,
        ensure_emulator: Callable[[], None],
        parent: QWidget,
        say: Say,
        show_panel: Callable[[], None],
    ) -> None:
        self._panel = panel
        self._controller = controller
        self._targets = targets
        self._history = history  # the evidence: each step's exchange, its verdict, its drill
        self._ensure_emulator = ensure_emulator
        self._parent = parent
        self._say = say
        self._show_panel = show_panel
        self.report: CheckReport | None = None
        self._profile: Profile | None = None  # the target of the check running now
        self._checked: Origin | None = None  # the target of the rows on show
        self._secret_checked: str | None = None  # the digest of the secret key they used
        # Each target's latest finished check, with the digest of its secret key: back on a
        # target, its own rows show again, not another's (tryout V: a copy of a profile showed
        # the original's failed check, and hid its own pass).
        self._by_target: dict[tuple[str, ...], tuple[CheckReport, Origin, str | None]] = {}
        self._stop_reason = ""
        # The running check's settings and the steps it has reported (for a stopped check's
        # report), and when it started.
        self._settings: CheckSettings | None = None
        self._results: list[StepResult] = []
        self._started_at = datetime.now(UTC)
        self._started = 0.0
        self._browser: BrowserInteraction | None = None
        panel.run_requested.connect(self.run)
        panel.export_requested.connect(self.export)
        controller.check_step.connect(self._step)
        controller.check_finished.connect(self._finished)
        controller.busy_changed.connect(self._busy_changed)
        controller.cancelled.connect(lambda _label: self._stopping("cancelled"))
        controller.failed.connect(self._stopping)

    @property
    def running(self) -> bool:
        return self._profile is not None

    def run(self) -> bool:
        """Start the check on the selected target; False (and why, in the panel) if it can't."""
        if self._controller.busy:
            self._say("A request is running: run the check once it has ended", Tone.WARNING)
            return False
        if self._targets.current.builtin:
            self._ensure_emulator()
        profile = self._targets.current
        problems = list(self._targets.target_problems().values())
        settings = check_settings(profile, self._targets.target())
        problems += settings.authorize.problems(settings.capture)
        self._show_panel()
        if problems:
            self._panel.say(f"Can't check {profile.name} yet: {problems[0]}", Tone.ERROR)
            return False
        browser = BrowserInteraction(
            self._parent, profile.redirect_uri, self._controller.cancel, self._tell
        )
        self._profile, self._stop_reason, self.report = profile, "", None
        self._settings, self._results = settings, []
        self._started_at, self._started = datetime.now(UTC), time.perf_counter()
        if not self._controller.run_credential_check(settings, browser.interaction()):
            self._profile = None
            browser.deleteLater()
            return False
        self._browser = browser
        self._checked = self._targets.origin()
        self._secret_checked = _digest(self._targets.known_secret())
        self._panel.started(profile.name)
        return True

    def follow_target(self, current: Origin) -> None:
        """Back on a target with a check of its own: its rows show again, not another's."""
        own = self._by_target.get(current.key)
        shown = self._checked
        if own is not None and not self.running and (shown is None or shown.key != current.key):
            self.report, self._checked, self._secret_checked = own
            self._panel.show_report(own[0])

    def freshness(self, current: Origin, secret: str | None = None) -> Freshness | None:
        """Whether the rows on show are a check of `current` with this `secret` (None: they
        are, or there are none) — or of a target the user has since left, or with a secret key
        since changed (the check vouches for the credentials, the secret among them)."""
        checked = self._checked
        if checked is None:
            return None
        when = f" at {self.report.started_at.astimezone():%H:%M:%S}" if self.report else ""
        if checked.same_target(current):
            if secret is None or _digest(secret) == self._secret_checked:
                return None
            return Freshness(
                stale=True,
                note=f"The secret key has changed since this check ran{when}. Run it again "
                "to check the key in use.",
                label="secret changed",
                # For a narrow column (the history's, at 1920×1080): whole words, not "since
                # this …8. Run it again" (tryout AM).
                short=f"Secret key changed since this check ran{when}.",
            )
        where = (
            f"profile {checked.label} (the same client at the same server)"
            if checked.is_other_profile(current) and checked.same_client(current)
            else checked.differences(current)
        )
        return Freshness(
            stale=True,
            note=f"From {where}: this check ran{when}. Run it again to check {current.label} as "
            "it is now.",
            label=checked.relation(current),
            # The profile's name alone read as a harmless attribution when it is the one on
            # show, edited since (tryout AN): then what changed is said.
            short=f"From {checked.label}: this check ran{when}."
            if checked.is_other_profile(current)
            else f"{checked.changed_in(current).capitalize()} changed since this check ran{when}.",
        )

    def _tell(self, text: str, tone: Tone) -> None:
        """A message from the authorize step ("sign in in the browser…"), where it is seen."""
        self._panel.say(text, tone)
        self._say(text, tone)

    def _step(self, result: StepResult) -> None:
        profile = self._profile
        if profile is None:
            return
        self._results.append(result)
        self._panel.add_result(result)
        history = self._history
        if result.authorize is not None:
            history.record_soon(result.authorize, None, profile, MADE_BY_THE_CHECK)
        exchange = result.exchange
        if exchange is not None:  # with its request: the history lists the grant
            history.record_soon(exchange, result.request, profile, MADE_BY_THE_CHECK)
            # A drill's doing is said there, as of the person's own (tryout AJ: the check's
            # forged id_tokens were listed as plain grants, no drill named).
            staged = StagedBy.of(exchange)
            if staged is not None:
                note = drill_note(
                    staged.name,
                    cancelled=exchange.cancelled,
                    delayed_only=staged.delayed_only,
                    made_up=staged.made_up,
                )
                history.note_drill(exchange, note)
        if result.id_token_verdict is not None:  # listed as "bad id_token" when it failed
            history.add_id_token_verdict(*result.id_token_verdict)
        if result.step is StepId.AUTHORIZE and self._browser is not None:
            self._browser.close()

    def _finished(self, report: CheckReport) -> None:
        if self._profile is None:
            return
        self._profile = None
        self.report = report
        if self._checked is not None:
            self._by_target[self._checked.key] = (report, self._checked, self._secret_checked)
        self._panel.finished(report)
        verdict = "passed" if report.passed else "failed"
        tone = Tone.OK if report.passed else Tone.ERROR
        self._say(f"Credential check {verdict} ({report.duration_ms:.0f} ms)", tone)

    def _stopping(self, why: str) -> None:
        if self.running:
            self._stop_reason = why

    def _busy_changed(self, busy: bool) -> None:
        self._panel.set_busy(busy)
        if busy:
            return
        if self._browser is not None:
            self._browser.close()
            self._browser.deleteLater()
            self._browser = None
        if self._profile is not None:  # the operation ended without a report
            self._profile = None
            self._report_what_ran(self._stop_reason or "the check ended early")

    def _report_what_ran(self, why: str) -> None:
        """A stopped check still makes a report — the steps that ran, and the rest listed as
        not run — so its failures can be saved and handed over like a finished one's."""
        ran = {result.step for result in self._results}
        not_run = [
            step_result(step, StepStatus.SKIPPED, f"Not run: {why}")
            for step in STEP_ORDER
            if step not in ran
        ]
        for result in not_run:
            self._panel.add_result(result)
        if self._settings is not None:
            self.report = CheckReport(
                self._settings,
                self._started_at,
                (time.perf_counter() - self._started) * 1000,
                (*self._results, *not_run),
            )
        self._panel.stopped(why)

    def export(self, kind: str, path: Path | None = None) -> Path | None:
        """The last report as Markdown ("markdown") or JUnit XML ("junit"): no secret in either,
        tokens shortened."""
        report = self.report
        if report is None:
            self._say("Run the check first: there is no report yet", Tone.WARNING)
            return None
        title, suffix, pattern, render = _EXPORTS[kind]
        if path is None:
            stamp = f"{report.started_at.astimezone():%Y%m%d-%H%M%S}"
            path = save_path(self._parent, title, f"credential-check-{stamp}.{suffix}", pattern)
            if path is None:
                return None
        try:
            atomic_write_text(path, render(report), mode=SHARED_FILE_MODE)  # to hand over
        except OSError as exc:
            self._say(f"Could not save: {exc.strerror or exc}", Tone.ERROR)
            return None
        self._say(f"{title.removeprefix('Save ')} saved to {path}", Tone.OK)
        return path
