"""Connects the history store to its panel and to the window: record every exchange, list and
filter, show an entry read-only, load its request back into the form, clear, retention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from idconnect_tester.ui.history_panel import HistoryPanel
from idconnect_tester.ui.theme import Tone

if TYPE_CHECKING:
    from idconnect_tester.core.exchange import Exchange
    from idconnect_tester.core.history import HistoryStore
    from idconnect_tester.core.request import TokenRequest
    from idconnect_tester.ui.main_window import MainWindow

RETENTION_SETTING = "history_retention"
_LIST_LIMIT = 1000


class HistoryBinding:
    def __init__(
        self, window: MainWindow, panel: HistoryPanel, store: HistoryStore | None = None
    ) -> None:
        self.window = window
        self.panel = panel
        self._store = store
        retention = int(window.settings.get(RETENTION_SETTING, "1000") or 1000)
        panel.retention.setValue(retention)
        panel.filter_changed.connect(self.refresh)
        panel.show_requested.connect(self.show_entry)
        panel.load_requested.connect(self.load_entry)
        panel.clear_requested.connect(self.clear)
        panel.retention_changed.connect(self.set_retention)
        # Exchanges are written a moment after they are shown, one per turn of the event loop.
        # A zero-interval timer, not a queued call: Qt delivers queued calls before it paints
        # or runs due timers, so rendering a 5 MB answer and writing it would freeze the
        # window as one (bench: longest stall); a timer comes after the paint.
        self._pending: list[tuple[Exchange, TokenRequest | None]] = []
        self._writer = QTimer()  # not the panel's child: close() may run after the panel is gone
        self._writer.setSingleShot(True)
        self._writer.setInterval(0)
        self._writer.timeout.connect(self._write_next)

    @property
    def store(self) -> HistoryStore:
        """Opened on first use (after the first paint), not on the startup path."""
        if self._store is None:
            from idconnect_tester.core.history import HistoryStore

            self._store = HistoryStore(retention=self.panel.retention.value())
            if self._store.recovery_message:
                self.window.status.say(self._store.recovery_message, Tone.WARNING)
        return self._store

    def record_soon(self, exchange: Exchange, form: TokenRequest | None) -> None:
        """Record after the window has shown the exchange (see __init__)."""
        self._pending.append((exchange, form))
        self._writer.start()

    @property
    def pending_writes(self) -> int:
        return len(self._pending)

    def _write_next(self) -> None:
        if self._pending:
            self.record(*self._pending.pop(0))
        if self._pending:
            self._writer.start()

    def record(self, exchange: Exchange, form: TokenRequest | None) -> None:
        from idconnect_tester.core.history import HistoryError

        try:
            entry_id = self.store.add(
                exchange,
                profile=self.window.session.current,
                form=form if exchange.endpoint.value == "token" else None,
            )
            row = self.store.row(entry_id)
            total = self.store.count()
        except HistoryError as exc:
            self.window.status.say(f"History not saved: {exc}", Tone.WARNING)
            return
        filtered = self.panel.filter_text.text().strip() or self.panel.status_value()
        if row is None or filtered:
            self.refresh()  # the new entry may or may not match: let the query decide
        else:
            # Rebuilding a 1,000-row list after every Send costs ~25 ms; one row costs nothing.
            self.panel.prepend_row(row, total, limit=min(_LIST_LIMIT, self.store.retention))

    def refresh(self) -> None:
        from idconnect_tester.core.history import HistoryError

        try:
            rows = self.store.list(
                self.panel.filter_text.text().strip(), self.panel.status_value(), _LIST_LIMIT
            )
            total = self.store.count()
        except HistoryError as exc:
            self.window.status.say(f"History unavailable: {exc}", Tone.WARNING)
            return
        self.panel.set_rows(rows, total)

    def show_entry(self, entry_id: int) -> None:
        from idconnect_tester.core.exchange_record import RecordError, exchange_from_record

        entry = self.store.get(entry_id)
        if entry is None:
            self.window.status.say("That history entry no longer exists", Tone.WARNING)
            return
        try:
            exchange = exchange_from_record(entry.record)
        except RecordError as exc:
            self.window.status.say(f"Cannot show this entry: {exc}", Tone.ERROR)
            return
        self.window.show_historic_exchange(exchange, entry.row.time, entry.row.full_tokens)

    def load_entry(self, entry_id: int) -> None:
        entry = self.store.get(entry_id)
        request = entry.form_request() if entry is not None else None
        if entry is None or request is None:
            self.window.status.say("This entry has no token request to load", Tone.WARNING)
            return
        self.window.form.load_request(request)
        masked = [name.replace("_", " ") for name in entry.masked_fields]
        if masked:
            self.window.status.say(
                f"Request loaded; the {', '.join(masked)} was stored masked — turn on "
                "'Store full tokens' in the profile settings to reload it",
                Tone.WARNING,
            )
        else:
            self.window.status.say("Request loaded into the form", Tone.OK)

    def clear(self) -> None:
        answer = QMessageBox.question(
            self.window,
            "Clear history",
            f"Delete all {self.store.count():,} saved exchanges? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.clear_now()

    def clear_now(self) -> None:
        self.store.clear()
        self.refresh()
        self.window.status.say("History cleared", Tone.OK)

    def set_retention(self, limit: int) -> None:
        self.window.settings.set(RETENTION_SETTING, str(limit))
        self.store.retention = limit
        self.refresh()

    def close(self) -> None:
        self._writer.stop()
        while self._pending:  # closing right after a Send still saves it
            self.record(*self._pending.pop(0))
        if self._store is not None:
            self._store.close()
