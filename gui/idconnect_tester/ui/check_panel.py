"""The credential check's panel: the Run button, one row per step as results arrive, and the
exports (a Markdown report for a support ticket, JUnit XML for CI).

A row shows the step id, pass / fail / skipped, the HTTP status, the correlationId, the step's
time and why; what the error panel would advise and the step's details (one line per id_token
check, say) are the row's children and its tooltip. Under the list, the selected step is told
in full (a narrow window cuts the rows short); the first failure is selected by itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.check_results import STEP_TITLES, CheckReport, StepResult, StepStatus
from idconnect_tester.core.session_events import Freshness
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui.theme import Tone, colours, set_tone
from idconnect_tester.ui.widgets import (
    FreshnessLine,
    RowTree,
    WrappingLabel,
    mark_stale,
    plain_tip,
)

_TONE = {StepStatus.PASS: Tone.OK, StepStatus.FAIL: Tone.ERROR, StepStatus.SKIPPED: Tone.MUTED}
_MARK = {StepStatus.PASS: "✔", StepStatus.FAIL: "✘", StepStatus.SKIPPED: "–"}
COLUMNS = ("Step", "Result", "HTTP", "correlationId", "Time", "Why")
_STATUS_COLUMN = 1
_CORRELATION_COLUMN = 3
_WHY_COLUMN = len(COLUMNS) - 1  # the long one, last: it takes the room that is left
_FULL_TEXT = Qt.ItemDataRole.UserRole + 1  # the step told in full, for the detail line


class CheckPanel(QWidget):
    run_requested = Signal()
    export_requested = Signal(str)  # "markdown" or "junit"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkPanel")
        self.freshness = FreshnessLine("checkFreshness")
        self._summary_tone = Tone.MUTED
        self.run_button = QPushButton("Run check")
        self.run_button.setObjectName("checkButton")
        self.run_button.setToolTip(
            "Check the current target step by step: clock, discovery, keys, authorize, token, "
            "id_token, refresh, share token (Ctrl+Shift+K)"
        )
        self.run_button.clicked.connect(self.run_requested)
        self.summary = QLabel(
            "Checks every step of Sumsub ID Connect against the current target, with evidence "
            "to hand over."
        )
        self.summary.setObjectName("checkSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the server
        self.summary.setWordWrap(True)
        set_tone(self.summary, Tone.MUTED)

        self.results = RowTree()
        self.results.setObjectName("checkResults")
        self.results.setAccessibleName("Credential check results")
        self.results.setColumnCount(len(COLUMNS))
        self.results.setHeaderLabels(list(COLUMNS))
        self.results.at_least_one_row()
        self.results.setAlternatingRowColors(True)
        self.results.setWordWrap(True)
        self.results.setUniformRowHeights(False)
        self.results.currentItemChanged.connect(lambda *_: self._show_detail())
        header = self.results.header()
        for column in range(_WHY_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # A correlationId is 32 characters: its start tells ids apart, the whole one is in the
        # step's detail and tooltip; the room goes to Why.
        header.setSectionResizeMode(_CORRELATION_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(_CORRELATION_COLUMN, self.fontMetrics().horizontalAdvance("0" * 14))
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setSectionResizeMode(_WHY_COLUMN, QHeaderView.ResizeMode.Stretch)

        self.save_markdown = QPushButton("Save report…")
        self.save_markdown.setObjectName("checkSaveReportButton")
        self.save_markdown.setToolTip(
            "A Markdown report for a support ticket: no secret, tokens shortened"
        )
        self.save_markdown.clicked.connect(lambda: self.export_requested.emit("markdown"))
        self.save_junit = QPushButton("Save JUnit XML…")
        self.save_junit.setObjectName("checkSaveJunitButton")
        self.save_junit.setToolTip("One testcase per step, for a CI system")
        self.save_junit.clicked.connect(lambda: self.export_requested.emit("junit"))
        for button in (self.save_markdown, self.save_junit):
            button.setEnabled(False)
        self.detail = WrappingLabel("")
        self.detail.setObjectName("checkDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("The selected step in full")
        self.detail.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.summary, 1)
        # The exports above the rows, not under them: in view however short the panel is.
        exports = QHBoxLayout()
        exports.addStretch(1)
        exports.addWidget(self.save_markdown)
        exports.addWidget(self.save_junit)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        # Under Run check, not above it: the line comes when the target changes, and above, it
        # pushed the button down as the pointer went to it (tryout U: clicks landed on nothing).
        layout.addWidget(self.freshness)
        layout.addLayout(exports)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.detail)

    def _show_step_text(self, text: str) -> None:
        """The selected step in full, under the rows; no empty line while none is selected
        (a laptop's short dock has none to spare)."""
        self.detail.setText(text)
        self.detail.setVisible(bool(text))

    # --- what the runner says ---

    def set_busy(self, busy: bool) -> None:
        """One operation at a time: no check while a request runs (and the other way round)."""
        self.run_button.setEnabled(not busy)

    def show_report(self, report: CheckReport) -> None:
        """A check that ran before, whole: its rows, its summary and its exports."""
        self.started("")
        for result in report.results:
            self.add_result(result)
        self.finished(report)

    def started(self, target: str) -> None:
        self.results.clear()
        self.results.setColumnHidden(_CORRELATION_COLUMN, True)  # until a step gets an id
        self._show_step_text("")
        for button in (self.save_markdown, self.save_junit):
            button.setEnabled(False)
        self.say(f"Checking {target}… (Cancel or Esc stops it)", Tone.MUTED)

    def say(self, text: str, tone: Tone = Tone.MUTED) -> None:
        self.summary.setText(text)
        self._summary_tone = tone
        set_tone(self.summary, tone)

    def show_freshness(self, freshness: Freshness | None) -> None:
        """Marks the rows as a check of another target than the one selected now (or not)."""
        self.freshness.show_freshness(freshness)
        mark_stale(self, freshness)
        stale = freshness is not None and freshness.stale
        # Another target's PASS is not shown in green; back on its target, it is again.
        set_tone(self.summary, Tone.MUTED if stale else self._summary_tone)

    def add_result(self, result: StepResult) -> None:
        status = result.status
        item = QTreeWidgetItem(
            [
                result.step.value,
                f"{_MARK[status]} {status.value}",
                "" if result.http_status is None else str(result.http_status),
                result.correlation_id or "",
                result.took,
                result.why,
            ]
        )
        item.setData(_STATUS_COLUMN, Qt.ItemDataRole.UserRole, status.value)
        item.setForeground(_STATUS_COLUMN, colours().for_tone(_TONE[status]))
        if result.correlation_id:
            # Only a failed step has one (Sumsub sends it with errors): a column empty on
            # every row of a passing check took the room "Why" needed (tryout X).
            self.results.setColumnHidden(_CORRELATION_COLUMN, False)
        lines = [f"{result.step.value} — {STEP_TITLES[result.step]}: {status.value}", result.why]
        if result.correlation_id:
            lines.append(f"correlationId: {result.correlation_id}")
        if result.hint is not None:
            advice = f"What to try: {result.hint.title}. {result.hint.advice}"
            lines.append(advice)
            item.addChild(self._detail(advice))
        for detail in result.details:
            item.addChild(self._detail(detail))
        lines += list(result.details)
        item.setData(0, _FULL_TEXT, "\n".join(lines))
        for column in range(len(COLUMNS)):
            item.setToolTip(column, plain_tip("\n".join(lines)))
        self.results.addTopLevelItem(item)
        item.setExpanded(status is StepStatus.FAIL)
        if status is StepStatus.FAIL and self.results.currentItem() is None:
            self.results.setCurrentItem(item)  # the first failure, told in full below
        self.results.scrollToItem(item)

    def recolour(self) -> None:
        """The status marks in the colours of the scheme now in use."""
        for index in range(self.results.topLevelItemCount()):
            item = self._item(index)
            status = StepStatus(item.data(_STATUS_COLUMN, Qt.ItemDataRole.UserRole))
            item.setForeground(_STATUS_COLUMN, colours().for_tone(_TONE[status]))

    def finished(self, report: CheckReport) -> None:
        counts = (
            f"{report.count(StepStatus.PASS)} passed, {report.count(StepStatus.FAIL)} failed, "
            f"{report.count(StepStatus.SKIPPED)} skipped"
        )
        verdict = "PASS" if report.passed else "FAIL"
        # When: its tokens expire, and a PASS from this morning is no news this afternoon.
        self.say(
            f"{verdict}: {counts} in {report.duration_ms:.0f} ms, at "
            f"{clock_time(report.started_at)}",
            Tone.OK if report.passed else Tone.ERROR,
        )
        for button in (self.save_markdown, self.save_junit):
            button.setEnabled(True)

    def stopped(self, why: str) -> None:
        """The check ended before its last step: the rows say what ran and what didn't, and
        that much can be saved."""
        self.say(
            f"Stopped: {why}. The rows say which steps ran; the rest are marked not run.",
            Tone.WARNING,
        )
        for button in (self.save_markdown, self.save_junit):
            button.setEnabled(True)

    def _show_detail(self) -> None:
        item = self.results.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()  # a child line: tell its step
        self._show_step_text(str(item.data(0, _FULL_TEXT) or "") if item is not None else "")

    @staticmethod
    def _detail(text: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setText(_WHY_COLUMN, text)
        item.setToolTip(_WHY_COLUMN, plain_tip(text))
        return item

    # --- for scripts and tests ---

    def step_ids(self) -> list[str]:
        return [self._item(i).text(0) for i in range(self.results.topLevelItemCount())]

    def step_status(self, step: str) -> str | None:
        """'pass', 'fail' or 'skipped' for one step's row; None while it has none."""
        for index in range(self.results.topLevelItemCount()):
            item = self._item(index)
            if item.text(0) == step:
                return str(item.data(_STATUS_COLUMN, Qt.ItemDataRole.UserRole))
        return None

    def _item(self, index: int) -> QTreeWidgetItem:
        item = self.results.topLevelItem(index)
        assert item is not None
        return item
