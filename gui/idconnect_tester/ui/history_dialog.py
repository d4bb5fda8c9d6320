"""A saved exchange (or authorize step), read-only, in a window of its own: the live panels
never show the past. Save as JSON… writes that entry to a file."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.error_report import report_for_authorize, report_for_exchange
from idconnect_tester.core.exchange import Exchange, ShareTokenGranted, TokenGranted
from idconnect_tester.core.history import HistoryRow
from idconnect_tester.core.id_token_checks import Verdict
from idconnect_tester.core.wording import clock_time_on
from idconnect_tester.ui.history_panel import SAVE_AS_JSON, SAVE_TIP
from idconnect_tester.ui.raw_panel import RawPanel
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import WrappingLabel
from idconnect_tester.ui.window_size import size_for_reading

_VERDICT_TONES: dict[Verdict | None, Tone] = {
    Verdict.FAILED: Tone.ERROR,
    Verdict.NOT_VERIFIED: Tone.WARNING,
}


class HistoryEntryDialog(QDialog):
    save_requested = Signal()  # Save as JSON…: this entry to a file

    def __init__(
        self,
        exchange: Exchange | AuthorizeRecord,
        row: HistoryRow,
        parent: QWidget | None = None,
        learned_since: str | None = None,
    ) -> None:
        """`learned_since`: what this run has learned about the entry's tokens after it was
        recorded (a revocation, a refresh that replaced them), said under the heading; the
        record itself keeps what was true then."""
        super().__init__(parent)
        self.setObjectName("historyEntryDialog")
        when = row.time.astimezone()
        self.setWindowTitle(f"History — {row.endpoint} at {when:%Y-%m-%d %H:%M:%S}")
        self.setModal(False)
        masking = "tokens stored in full" if row.full_tokens else "tokens masked"
        heading = WrappingLabel(
            # The row's summary: what was said of it then, a drill that staged it included.
            f"<b>{escape(row.summary)}</b> — {escape(row.endpoint)}"
            f"{' (' + escape(row.grant_type) + ')' if row.grant_type else ''}"
            f" · profile {escape(row.profile_name)}"
            f" · {when:%Y-%m-%d %H:%M:%S} · {masking} · read-only"
        )
        heading.setTextFormat(Qt.TextFormat.RichText)  # its values escaped above
        heading.setObjectName("historyEntryHeading")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        if learned_since:
            since = WrappingLabel(learned_since)
            since.setObjectName("historyEntrySince")
            set_tone(since, Tone.WARNING)
            layout.addWidget(since)
        expired = _expired_since(exchange, datetime.now(UTC))
        if expired:
            ended = WrappingLabel(expired)
            ended.setObjectName("historyEntryExpired")
            set_tone(ended, Tone.WARNING)
            layout.addWidget(ended)
        if isinstance(exchange, AuthorizeRecord):
            report = (
                None
                if exchange.succeeded
                else report_for_authorize(exchange.endpoint, exchange.result(), row.time)
            )
        else:
            report = report_for_exchange(exchange)
        if report is not None:
            error = WrappingLabel(f"{report.status}: {report.description}")
            error.setObjectName("historyEntryError")
            set_tone(error, Tone.ERROR)
            layout.addWidget(error)
            if report.hint is not None:  # advice, not the error: in the usual text colour
                hint = WrappingLabel(f"{report.hint.title}. {report.hint.advice}")
                hint.setObjectName("historyEntryHint")
                layout.addWidget(hint)
        if row.id_token_note:
            verdict = WrappingLabel(row.id_token_note)
            verdict.setObjectName("historyEntryIdToken")
            set_tone(verdict, _VERDICT_TONES.get(row.id_token_verdict, Tone.OK))
            layout.addWidget(verdict)
        self.raw = RawPanel(prefix="historyRaw")
        if isinstance(exchange, AuthorizeRecord):
            self.raw.show_authorize(exchange)
        else:
            self.raw.show_exchange(exchange)
        layout.addWidget(self.raw, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        # This entry to a file, as the row's menu saves it (the live exchange is File's).
        self.save_button = buttons.addButton(
            f"&{SAVE_AS_JSON}", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_button.setObjectName("historyEntrySaveButton")
        self.save_button.setToolTip(SAVE_TIP)
        self.save_button.setAutoDefault(False)  # Return in the dialog never writes a file
        self.save_button.clicked.connect(self.save_requested)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        size_for_reading(self, columns=80, lines=32)


def _expired_since(exchange: Exchange | AuthorizeRecord, now: datetime) -> str | None:
    """The entry's token has run out since it was recorded: said beside the verdict it had
    when it arrived (tryout AI: "verified when it arrived", in green, of a token an hour
    expired, and nothing else)."""
    if not isinstance(exchange, Exchange):
        return None
    outcome = exchange.outcome
    if not isinstance(outcome, TokenGranted | ShareTokenGranted) or outcome.expires_at > now:
        return None
    what = "access token" if isinstance(outcome, TokenGranted) else "share token"
    return f"Since then its {what} has expired, at {clock_time_on(outcome.expires_at, now)}."
