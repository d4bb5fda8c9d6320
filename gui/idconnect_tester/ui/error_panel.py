"""The error panel: what failed, Sumsub's error fields, and what to try next (`ErrorReport`)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from idconnect_tester.core.emulator_drills import staged_by
from idconnect_tester.core.error_report import ErrorReport
from idconnect_tester.core.session_events import ErrorView
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import FreshnessLine, ValueField, ValueLabel, announce, mark_stale


def _value_label(name: str, accessible: str) -> ValueLabel:
    label = ValueLabel(accessible)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ErrorPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPanel")
        self._shown: ErrorReport | None = None
        self._view: ErrorView | None = None
        self.freshness = FreshnessLine("errorFreshness")
        self.status = _value_label("errorStatus", "Error status")
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.code = _value_label("errorCode", "Sumsub error code")
        # Elided in the middle when the dock is narrow (a 32-character id doesn't wrap, and
        # forced a sideways scrollbar); Copy and the tooltip have it whole.
        self.correlation = ValueField("errorCorrelationId", "correlationId")
        self.description = _value_label("errorDescription", "Error description")
        self.api_error = _value_label("errorApiCode", "errorCode and errorName")
        self.hint = _value_label("errorHint", "What to try")
        # An outcome an emulator drill staged: the advice is for the real fault it imitates.
        self.drill = _value_label("errorDrill", "Staged by")
        set_tone(self.drill, Tone.WARNING)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.support_button = QPushButton("Copy for support")
        self.support_button.setObjectName("copyForSupportButton")
        self.support_button.setToolTip(
            "Copy status, code, correlationId, description, time and endpoint (no secrets)"
        )
        self.support_button.clicked.connect(self.copy_for_support)

        form = self._form = QFormLayout(self)
        # In a narrow dock the labels go above their values instead of forcing a scrollbar.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.freshness)
        form.addRow("Status", self.status)
        form.addRow("Staged by", self.drill)
        form.addRow("What to try", self.hint)
        # Sumsub's field name for Sumsub's words; the app's own account of a network fault or
        # a cancel is not a `description` the server sent.
        self._description_label = QLabel("description")
        form.addRow(self._description_label, self.description)
        form.addRow("code", self.code)
        form.addRow("correlationId", self.correlation)
        self._api_label = QLabel("errorCode")
        form.addRow(self._api_label, self.api_error)
        # At its own width, as a button beside the text it copies: a form's field column would
        # stretch it across the panel.
        self._support_row = QHBoxLayout()
        self._support_row.addWidget(self.support_button)
        self._support_row.addStretch(1)
        form.addRow("", self._support_row)
        self.show_error_view(None)

    def _show_rows_with_content(self) -> None:
        """A row with nothing in it (no correlationId after a network error, nothing at all
        when there is no error) is not shown as an empty label."""
        for field, value in (
            (self.drill, self.drill.text()),
            (self.hint, self.hint.text()),
            (self.description, self.description.text()),
            (self.code, self.code.text()),
            (self.correlation, self.correlation.value()),
            (self.api_error, self.api_error.text()),
        ):
            self._form.setRowVisible(field, bool(value))
        self._form.setRowVisible(self._support_row, self._shown is not None)

    @property
    def shown(self) -> ErrorReport | None:
        return self._shown

    @property
    def says_something(self) -> bool:
        """More than "No error": an error, or an id_token not to be trusted."""
        return self._view is not None and self._view.says_something

    def show_error_view(self, view: ErrorView | None) -> None:
        self._view = view
        self.freshness.show_freshness(view.freshness if view is not None else None)
        mark_stale(self, view.freshness if view is not None else None)
        report = view.report if view is not None else None
        if report is not None:
            self.show_report(report)
        elif view is not None and view.id_token_failed:
            self._show_id_token_failure(view.id_token_failed)
        elif view is not None and view.id_token_failed_since:
            self._show_id_token_failed_since(
                view.id_token_failed_since, view.failed_with_pasted_keys
            )
        else:
            # Nothing to show at all (a first step not taken yet — on an everyday launch too,
            # whose panels start empty): not "No error", which reads as a step that went well.
            # "in this run": the History may well list exchanges from earlier runs (tryout AK).
            self._clear("No error" if view is not None else "Nothing sent yet in this run")
            return
        if view is not None and view.drill:
            self.drill.setText(
                staged_by(
                    view.drill, cancelled=view.cancelled, in_the_servers_place=view.drill_answered
                )
            )
            self._show_rows_with_content()

    def _clear(self, status: str) -> None:
        self._shown = None
        self.status.setText(status)
        set_tone(self.status, Tone.MUTED)
        for label in (self.code, self.description, self.api_error, self.hint, self.drill):
            label.setText("")
        self.correlation.set_value("")
        self.correlation.label.setToolTip("")
        self.support_button.setEnabled(False)
        self._show_rows_with_content()

    def _show_id_token_failure(self, failed: tuple[str, ...]) -> None:
        """A 200 whose id_token failed its checks: no HTTP error, and yet no "No error" — the
        response is not one to trust."""
        self._clear("The id_token failed its checks")
        set_tone(self.status, Tone.ERROR)
        self.hint.setText(
            f"<b>Do not trust this response.</b> Its id_token failed: {escape(', '.join(failed))}"
            " — the ID token panel says why, check by check."
        )
        self._show_rows_with_content()

    def _show_id_token_failed_since(self, failed: tuple[str, ...], pasted_keys: bool) -> None:
        """A success whose id_token passed when it arrived and fails now (its exp passed, or
        keys the person pasted don't verify it): the step had no error, but "No error" beside
        an id_token not to be trusted reads as if all were well."""
        self._clear("No error in the exchange")
        if pasted_keys:  # the person's keys, not the token or the time, changed
            said = (
                f"Its id_token <b>fails its checks with the keys you pasted</b>: "
                f"{escape(', '.join(failed))} — it passed when it arrived, with the issuer's. "
                "Keys… ▸ Fetch from issuer checks it with those again."
            )
        else:
            said = (
                f"Its id_token <b>fails its checks now</b>: {escape(', '.join(failed))} — it "
                "passed when it arrived. The ID token panel says why, check by check."
            )
        self.hint.setText(said)
        self._show_rows_with_content()

    def show_report(self, report: ErrorReport) -> None:
        self._shown = report
        self.drill.setText("")  # said by show_error_view, for the step it shows
        self.status.setText(report.status)
        set_tone(self.status, Tone.ERROR)
        self.code.setText(report.code)
        self.correlation.set_value(report.correlation_id)
        self.correlation.label.setToolTip(report.correlation_id)
        self.description.setText(report.description)
        self._description_label.setText("description" if report.code else "What happened")
        self.api_error.setText(report.api_error)
        hint = report.hint
        self.hint.setText(
            f"<b>{escape(hint.title)}.</b> {escape(hint.advice)}" if hint is not None else ""
        )
        self.support_button.setEnabled(True)
        self._show_rows_with_content()

    def support_text(self) -> str:
        """What support needs, and — for an outcome a drill staged — that it was staged: the
        text alone reads like a real outage."""
        if self._shown is None:
            return ""
        staged = self.drill.text()
        return self._shown.support_text() + (f"\nStaged by: {staged}" if staged else "")

    def copy_for_support(self) -> None:
        QGuiApplication.clipboard().setText(self.support_text())
        announce(self.support_button, "Copied the error for support")
