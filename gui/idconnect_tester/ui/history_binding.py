"""Connects the history store to its panel and to the window: record every exchange, list and
filter, show an entry read-only, load its request back into the form, save it to a file, clear,
retention."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from idconnect_tester.core.authorize_record import (
    AuthorizeRecord,
    authorize_record_from_dict,
    is_authorize_record,
)
from idconnect_tester.core.exchange import Endpoint, Exchange
from idconnect_tester.core.exchange_record import RecordError, exchange_from_record
from idconnect_tester.core.history import HistoryError, HistoryStore
from idconnect_tester.core.id_token_checks import Verification
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.request import TokenRequest
from idconnect_tester.ui import exports
from idconnect_tester.ui.history_dialog import HistoryEntryDialog
from idconnect_tester.ui.history_panel import HistoryPanel
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.widgets import ask
from idconnect_tester.ui.window_settings import WindowSettings

RETENTION_SETTING = "history_retention"
_LIST_LIMIT = 1000

Say = Callable[[str, Tone], None]
Step = Exchange | AuthorizeRecord  # what the history keeps: exchanges and authorize steps
RunBlocking = Callable[[Callable[[], str | None]], Awaitable[str | None]]
# Exchanges written lately, with their rows: an id_token's verdict may come after the write.
_RECENT_WRITES = 16


@dataclass
class _Write:
    step: Step
    form: TokenRequest | None
    profile: Profile
    id_token: Verification | None = None  # its verdict, when that came before the write
    drill_note: str = ""  # what an emulator drill did to it (`drill_note`), if known by then
    made_by: str = ""  # who made it when not the person ("made by the credential check")


@dataclass
class _Amendment:
    """What became known of an entry after it was written (its id_token's verdict, the drill
    that staged its outcome), and how the store records it."""

    entry_id: int
    apply: Callable[[HistoryStore, int], None]


def _same_exchange(step: Step, exchange: Exchange) -> bool:
    """`step` is `exchange` as recorded: the window records a copy that carries the hint the
    error panel gave (see MainWindow), so identity can't tell; when it ended can."""
    return (
        isinstance(step, Exchange)
        and step.endpoint is exchange.endpoint
        and step.received_at == exchange.received_at
    )


class HistoryBinding:
    def __init__(
        self,
        panel: HistoryPanel,
        settings: WindowSettings,
        parent: QWidget,
        say: Say,
        load_request: Callable[[TokenRequest, Collection[str]], None],
        current_profile: Callable[[], Profile],
        store: HistoryStore | None = None,
        learned_since: Callable[[datetime], str | None] = lambda _received_at: None,
    ) -> None:
        self.panel = panel
        self._current_profile = current_profile
        self._settings = settings
        self._parent = parent
        self._say = say
        self._load_request = load_request
        self._store = store
        self._learned_since = learned_since
        self.dialogs: list[HistoryEntryDialog] = []
        retention = int(settings.get(RETENTION_SETTING, "1000") or 1000)
        panel.retention.setValue(retention)
        panel.filter_changed.connect(self.refresh)
        # Another instance of the app may have written rows meanwhile: catch up when shown.
        panel.shown.connect(self.refresh_soon)
        panel.show_requested.connect(self.show_entry)
        panel.load_requested.connect(self.load_entry)
        panel.save_requested.connect(self.save_entry)
        panel.clear_requested.connect(self.clear)
        panel.retention_changed.connect(self.set_retention)
        panel.copied.connect(self._say)  # the status bar says what went to the clipboard
        # Exchanges are written a moment after they are shown, one per turn of the event loop.
        # A zero-interval timer, not a queued call: Qt delivers queued calls before it paints
        # or runs due timers, so rendering a 5 MB answer and writing it would freeze the
        # window as one (bench: longest stall); a timer comes after the paint.
        self._pending: list[_Write | _Amendment] = []
        self._asking = False  # the retention question is open
        self._last_id_listed = 0  # the store's last id when the list was read or added to
        self._written: deque[tuple[Step, int]] = deque(maxlen=_RECENT_WRITES)
        self._writer = QTimer()  # not the panel's child: close() may run after the panel is gone
        self._writer.setSingleShot(True)
        self._writer.setInterval(0)
        self._writer.timeout.connect(self._write_next)
        # Listing 1,000 rows takes tens of milliseconds. The first listing waits for the
        # window's first frame (`list_after_first_frame`); after that, being shown several
        # times in one turn (a dock moved, then raised) lists once, after the paint.
        self._first_listed = False
        self._lister = QTimer()
        self._lister.setSingleShot(True)
        self._lister.setInterval(0)
        self._lister.timeout.connect(self.refresh)

    @property
    def store(self) -> HistoryStore:
        """Opened on first use: start-up shows the window before it reads the database."""
        if self._store is None:
            self._store = HistoryStore(retention=self.panel.retention.value())
            if self._store.recovery_message:
                self._say(self._store.recovery_message, Tone.WARNING)
        return self._store

    async def check_integrity(self, run_blocking: RunBlocking) -> None:
        """SQLite's integrity check reads the whole file: it runs on a worker thread."""
        store = self.store
        problems = await run_blocking(store.integrity_problems)
        if problems is not None:
            store.recover(problems)
            if store.recovery_message:
                self._say(store.recovery_message, Tone.WARNING)
            self.refresh()

    def record_soon(
        self, exchange: Step, form: TokenRequest | None, profile: Profile, made_by: str = ""
    ) -> None:
        """Record after the window has shown the exchange or step (see __init__)."""
        self._pending.append(_Write(exchange, form, profile, made_by=made_by))
        self._writer.start()

    def add_id_token_verdict(self, exchange: Exchange, verification: Verification) -> None:
        """The id_token `exchange` delivered has its verdict: kept with its entry (the list
        colours an id_token that failed, and says so)."""

        def before_the_write(write: _Write) -> None:
            write.id_token = verification

        self._amend(
            exchange,
            before_the_write,
            lambda store, entry_id: store.set_id_token_verdict(entry_id, verification),
        )

    def note_drill(self, exchange: Exchange | None, note: str) -> None:
        """An emulator drill answered `exchange` (`note`: what it did, `drill_note`): its entry
        says so, so that the history read later tells a staged fault from a real one."""

        def before_the_write(write: _Write) -> None:
            write.drill_note = note

        if exchange is not None:
            self._amend(
                exchange,
                before_the_write,
                lambda store, entry_id: store.note_staged(entry_id, note),
            )

    def _amend(
        self,
        exchange: Exchange,
        before_the_write: Callable[[_Write], None],
        after_the_write: Callable[[HistoryStore, int], None],
    ) -> None:
        """Something learnt of `exchange` after it ended: added to its write while that is
        still waiting, or to its entry once written."""
        for write in self._pending:
            if isinstance(write, _Write) and _same_exchange(write.step, exchange):
                before_the_write(write)
                return
        entry_id = next((i for step, i in self._written if _same_exchange(step, exchange)), None)
        if entry_id is None:
            return  # not recorded: it went before this window's history was read
        # Written a turn later, like the exchange: not in the turn that paints what was learnt.
        self._pending.append(_Amendment(entry_id, after_the_write))
        self._writer.start()

    def _record_amendment(self, amendment: _Amendment) -> None:
        try:
            amendment.apply(self.store, amendment.entry_id)
            row = self.store.row(amendment.entry_id)
        except HistoryError as exc:
            self._say(f"History not saved: {exc}", Tone.WARNING)
            return
        if row is not None and isValid(self.panel):
            self.panel.update_row(row)

    @property
    def pending_writes(self) -> int:
        return len(self._pending)

    def _write_next(self) -> None:
        if self._pending:
            self._write(self._pending.pop(0))
        if self._pending:
            self._writer.start()

    def _write(self, pending: _Write | _Amendment) -> None:
        if isinstance(pending, _Amendment):
            self._record_amendment(pending)
        else:
            self._record(pending)

    def _record(self, write: _Write) -> None:
        exchange, profile = write.step, write.profile
        try:
            if isinstance(exchange, AuthorizeRecord):
                entry_id = self.store.add_authorize(
                    exchange, profile=profile, made_by=write.made_by
                )
            else:
                entry_id = self.store.add(
                    exchange,
                    profile=profile,
                    form=write.form if exchange.endpoint is Endpoint.TOKEN else None,
                    id_token=write.id_token,
                    made_by=write.made_by,
                )
                if write.drill_note:
                    self.store.note_staged(entry_id, write.drill_note)
            self._written.append((exchange, entry_id))
            row = self.store.row(entry_id)
            total = self.store.count()
        except HistoryError as exc:
            self._say(f"History not saved: {exc}", Tone.WARNING)
            return
        if not isValid(self.panel):
            return  # saved while the window closes (an attempt its closing cancelled): no list
        filtered = self.panel.filter_text.text().strip() or self.panel.status_value()
        limit = min(_LIST_LIMIT, self.store.retention)
        listed, top = self.panel.row_count(), self.panel.top_time()
        # Rows this list hasn't seen: another instance of the app wrote them since it was read.
        others_wrote = total != min(listed + 1, limit) or entry_id != self._last_id_listed + 1
        # The list is newest first: a row that ended before the top one (the clock was set
        # back) goes where the query sorts it.
        out_of_order = row is not None and top is not None and row.time < top
        if row is None or filtered or others_wrote or out_of_order:
            self.refresh()  # let the query decide what is listed, and count again
        else:
            # Rebuilding a 1,000-row list after every Send costs ~25 ms; one row costs nothing.
            self.panel.prepend_row(row, total, limit=limit)
            self._last_id_listed = entry_id

    def follow_profile_names(self, profiles: Iterable[Profile]) -> None:
        """The profiles as they are now: rows of one renamed since say its new name."""
        try:
            changed = self.store.follow_profile_names({p.id: p.name for p in profiles})
        except HistoryError as exc:
            self._say(f"History not updated: {exc}", Tone.WARNING)
            return
        if changed:
            self.refresh()

    def list_after_first_frame(self) -> None:
        self._first_listed = True
        self.refresh()

    def refresh_soon(self) -> None:
        """List again once the window has painted what it is doing now (before the first
        frame: with the first listing, just after it)."""
        if self._first_listed:
            self._lister.start()

    def refresh(self) -> None:
        self._lister.stop()  # listed now: a pending request is answered
        try:
            # Read before the rows: an entry written in between is listed and read again at
            # the next write, never missed.
            last_id = self.store.last_id()
            rows = self.store.list(
                self.panel.filter_text.text().strip(), self.panel.status_value(), _LIST_LIMIT
            )
            total = self.store.count()
        except HistoryError as exc:
            self._say(f"History unavailable: {exc}", Tone.WARNING)
            return
        self._last_id_listed = last_id
        self.panel.set_rows(rows, total)

    def show_entry(self, entry_id: int) -> None:
        """Open the entry in a read-only window of its own; the live panels stay as they are."""
        entry = self.store.get(entry_id)
        if entry is None:
            self._say("That history entry no longer exists", Tone.WARNING)
            return
        try:
            exchange: Step = (
                authorize_record_from_dict(entry.record)
                if is_authorize_record(entry.record)
                else exchange_from_record(entry.record)
            )
        except RecordError as exc:
            self._say(f"Cannot show this entry: {exc}", Tone.ERROR)
            return
        since = (
            self._learned_since(exchange.received_at) if isinstance(exchange, Exchange) else None
        )
        dialog = HistoryEntryDialog(exchange, entry.row, self._parent, since)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.save_requested.connect(lambda: self.save_entry(entry_id, parent=dialog))
        self.dialogs.append(dialog)
        dialog.show()

    def save_entry(
        self, entry_id: int, parent: QWidget | None = None, path: Path | None = None
    ) -> Path | None:
        """Save entry `entry_id` — that one, whatever the latest exchange is — to a JSON file
        (`path`, or one the person picks over `parent`: the window Show opened, or the
        main one); the status bar says which, and where."""
        try:
            entry = self.store.get(entry_id)
        except HistoryError as exc:
            self._say(f"History unavailable: {exc}", Tone.WARNING)
            return None
        if entry is None:
            self._say("That history entry no longer exists", Tone.WARNING)
            return None
        return exports.save_history_entry(
            entry, parent=parent or self._parent, say=self._say, path=path
        )

    def _forget(self, dialog: HistoryEntryDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.deleteLater()

    def load_entry(self, entry_id: int) -> None:
        entry = self.store.get(entry_id)
        request = entry.form_request() if entry is not None else None
        if entry is None or request is None:
            self._say("This entry has no token request to load", Tone.WARNING)
            return
        sent = request.sent_fields()
        masked = [name for name in entry.masked_fields if name in sent]
        self._load_request(request, masked)
        current = self._current_profile()
        elsewhere = entry.row.profile_id != current.id
        # Said first when it came from another profile: it goes to this one's target.
        loaded = (
            f"'{entry.row.profile_name}' request loaded into '{current.name}'"
            if elsewhere
            else "Request loaded"
        )
        if request.refresh_token and elsewhere:
            # Tokens belong to the server that issued them: say so before Send, not after.
            self._say(
                f"{loaded}; its refresh token was issued under '{entry.row.profile_name}'"
                " — a server refuses another app's tokens",
                Tone.WARNING,
            )
        elif masked:
            said = " and ".join(name.replace("_", " ") for name in masked)
            were = "were" if len(masked) > 1 else "was"
            # Short enough for a laptop's status bar (the History's Load button says it before
            # the click, in its tooltip, with where the setting is).
            self._say(
                f"{loaded}; the {said} {were} stored masked: the form keeps its own"
                " ('Store full tokens' keeps them)",
                Tone.WARNING,
            )
        elif elsewhere:
            self._say(f"{loaded}: Send goes to this profile's target", Tone.WARNING)
        else:
            self._say("Request loaded into the form", Tone.OK)

    def clear(self) -> None:
        answer = ask(
            self._parent,
            "Clear history",
            f"Delete all {self.store.count():,} saved exchanges? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.clear_now()

    def clear_now(self) -> None:
        self.store.clear()
        self.refresh()
        self._say("History cleared", Tone.OK)

    def set_retention(self, limit: int) -> None:
        """A new limit, in force at once: one that deletes saved exchanges asks first, as
        Clear history does (an emptied box left reads as the least, 10)."""
        kept = self.store.retention
        if limit == kept or self._asking:
            # The box left without a change: nothing to trim, nothing to read again. Or the
            # question below took the focus from the box, which says it again.
            return
        saved = self.store.count()
        if limit < saved:
            self._asking = True
            try:
                answer = ask(
                    self._parent,
                    "Keep fewer exchanges",
                    f"Keep only the newest {limit:,} exchanges? The {saved - limit:,} older "
                    "ones are deleted now. This cannot be undone.",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Cancel,
                )
            finally:
                self._asking = False
            if answer != QMessageBox.StandardButton.Yes:
                self.panel.retention.setValue(kept)
                self._say(f"History still keeps the last {kept:,}", Tone.OK)
                return
        self._settings.set(RETENTION_SETTING, str(limit))
        self.store.retention = limit
        self.store.trim()
        self.refresh()

    def close(self) -> None:
        for dialog in list(self.dialogs):
            dialog.close()
        self._writer.stop()
        self._lister.stop()
        while self._pending:  # closing right after a Send still saves it
            self._write(self._pending.pop(0))
        if self._store is not None:
            self._store.close()
