"""Auto-refresh: renew the access token a set number of seconds before it expires.

Each refresh is a normal exchange, shown in the panels. A failed refresh switches auto-refresh
off and says why — it never retries in a loop. When the lead is as long as the token's whole
lifetime or longer (a short emulator --ttl, say), the refresh happens at 80% of the lifetime
instead of at once, so a short-lived token can't turn this into a request storm. A lead that
leaves less than half the lifetime (a minute short of a day, on a day's token) is kept, but
said in amber: each new token is refreshed again as soon, a request every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from idconnect_tester.core.emulator_drills import StagedBy, made_by
from idconnect_tester.core.exchange import Exchange
from idconnect_tester.core.hints import retry_after_ends
from idconnect_tester.core.parsing import counted_from
from idconnect_tester.core.tone import Tone
from idconnect_tester.core.wording import clock_time, clock_time_on
from idconnect_tester.ui.controller import RequestController

DEFAULT_LEAD_S: Final = 60
_LATE_FRACTION: Final = 0.8
_MIN_GAP: Final = timedelta(seconds=1)

MADE_BY_AUTO_REFRESH: Final = "made by auto-refresh"  # its exchanges, in the history


class AutoRefresh(QObject):
    """Says when to refresh (`due`), never while another request runs: a refresh that comes
    due then waits until the controller is idle, once, however often it came due."""

    due = Signal()  # time to refresh
    # A sentence for the panel — next run, off, or stopped and why — and its tone.
    state_changed = Signal(str, Tone)

    def __init__(
        self,
        controller: RequestController,
        parent: QObject | None = None,
        *,
        whose: Callable[[], str | None] = lambda: None,
    ) -> None:
        """`whose`: the name of the profile whose tokens it refreshes, for the line that says
        why it stopped, read on another profile (see `profile_shown`)."""
        super().__init__(parent)
        self._controller = controller
        self._whose = whose
        self._stop_why = ""
        self._stopped_whose: str | None = None  # whose tokens it refreshed when it stopped
        self._stop_tone = Tone.ERROR
        self._waiting = False
        self._in_flight = False  # the running request is one this started
        self.enabled = False
        self.lead_s = DEFAULT_LEAD_S
        self._received_at: datetime | None = None
        self._expires_at: datetime | None = None
        self.next_at: datetime | None = None
        self._stopped_at: datetime | None = None  # when it stopped by itself, until tokens come
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._came_due)
        controller.busy_changed.connect(self._busy_changed)

    def _came_due(self) -> None:
        if not self.enabled:  # switched off while a due one waited for a request to end
            return
        if self._controller.busy:
            self._waiting = True
        else:
            self.due.emit()

    def _busy_changed(self, busy: bool) -> None:
        if not busy and self._waiting:
            self._waiting = False
            # After the running operation's results have been shown, not in the middle of it.
            QTimer.singleShot(0, self._came_due)

    def sending(self) -> None:
        """The refresh it asked for is on its way."""
        self._in_flight = True

    @property
    def in_flight(self) -> bool:
        """The running request is the refresh this started (not the person's own)."""
        return self._in_flight

    def finished(self, exchange: Exchange) -> bool:
        """An exchange ended; True when it was the automatic refresh (which stops on failure)."""
        automatic, self._in_flight = self._in_flight, False
        if automatic and exchange.cancelled:  # the person's Cancel, not a failure
            self.stop("its refresh was cancelled", failure=False)
        elif automatic and not exchange.succeeded:
            self.stop(_why_it_failed(exchange))
        return automatic

    @property
    def scheduled(self) -> bool:
        return self._timer.isActive()

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self._stopped_at = None
        self._reschedule()

    def set_lead(self, seconds: int) -> None:
        self.lead_s = max(1, seconds)
        if self.enabled:
            self._reschedule()

    def token_granted(self, received_at: datetime, expires_at: datetime) -> None:
        """The tokens on display, to schedule from when on. Off, the line keeps saying why it
        stopped (tokens shown after the stop don't turn it into a plain "Off")."""
        self._received_at, self._expires_at = received_at, expires_at
        if self.enabled:
            self._reschedule()
        elif self._stopped_at is not None and received_at > self._stopped_at:
            # Tokens from an exchange after the stop: why it stopped is history now.
            self._stopped_at = None
            self._reschedule()

    def tokens_came_for(self, whose: str, received_at: datetime) -> None:
        """Tokens came for the profile `whose` while another is shown (a request that ended
        after a switch): if it stopped on that profile before they came, why it stopped is
        history there too — the line, read on this profile, would say otherwise (tryout Y)."""
        stopped_at = self._stopped_at
        if stopped_at is not None and whose == self._stopped_whose and received_at > stopped_at:
            self._stopped_at = None
            self._reschedule()  # off: "Off"

    def stop(self, why: str, *, failure: bool = True) -> None:
        """Switch off after a failure — or, `failure=False`, for a reason that is none (a
        profile switch: said in amber, not in a failure's red); the user switches it on again
        when ready."""
        self.enabled = False
        self._waiting = False
        self._timer.stop()
        self.next_at = None
        self._stopped_at = datetime.now(UTC)
        self._stop_why, self._stopped_whose = why, self._whose()
        self._stop_tone = Tone.ERROR if failure else Tone.WARNING
        self._say_why_it_stopped(self._stopped_whose)

    def profile_shown(self, name: str) -> None:
        """The profile now selected: the line that says why it stopped names whose tokens it
        refreshed when that is another profile — left as it was, it read as said of this one
        (tryout W) — and drops the name again back on that profile."""
        if not self.enabled and self._stopped_at is not None:
            self._say_why_it_stopped(name)

    def _say_why_it_stopped(self, shown: str | None) -> None:
        assert self._stopped_at is not None
        whose = self._stopped_whose
        on = f" on {whose}" if whose and whose != shown else ""
        # With when: without it, the line read as news long after.
        said = f"Stopped at {clock_time(self._stopped_at)}{on}: {self._stop_why}"
        self.state_changed.emit(said, self._stop_tone)

    def _lifetime(self) -> tuple[datetime, timedelta] | None:
        """Where the token's lifetime starts (the second it came in, as its expiry counts it),
        and how long it is."""
        if self._received_at is None or self._expires_at is None:
            return None
        start = counted_from(self._received_at)
        return start, self._expires_at - start

    def _due_time(self) -> datetime | None:
        lived = self._lifetime()
        if lived is None or self._expires_at is None:
            return None
        start, lifetime = lived
        due = self._expires_at - timedelta(seconds=self.lead_s)
        if timedelta(seconds=self.lead_s) >= lifetime:
            due = start + lifetime * _LATE_FRACTION
        return max(due, start + _MIN_GAP)

    def _reschedule(self) -> None:
        self._timer.stop()
        self.next_at = None
        if not self.enabled:
            self.state_changed.emit("Off", Tone.MUTED)
            return
        due = self._due_time()
        if due is None:
            self.state_changed.emit("On — waiting for a token with a refresh token", Tone.MUTED)
            return
        now = datetime.now(UTC)
        self.next_at = max(due, now)
        self._timer.start(max(0, round((due - now).total_seconds() * 1000)))
        lived = self._lifetime()
        assert lived is not None and self._expires_at is not None
        if self._expires_at <= now:
            self.state_changed.emit("On — the token has expired; refreshing now", Tone.MUTED)
            return
        start, lifetime = lived
        after = due - start
        before = round((self._expires_at - due).total_seconds())
        why, tone = f"{before} s before expiry", Tone.MUTED
        if before != self.lead_s:  # the lead is as long as the token lives: not that early
            lifetime_s = round(lifetime.total_seconds())
            why += f"; the {self.lead_s} s lead leaves nothing of the token's {lifetime_s} s"
            tone = Tone.WARNING  # the setting is not what runs: said in amber
        elif after < lifetime / 2:
            every = round(after.total_seconds())
            why += f": {every} s after the token came, so a refresh every {every} s or so"
            tone = Tone.WARNING
        self.state_changed.emit(f"Next refresh at {clock_time_on(due, now)} ({why})", tone)


def _why_it_failed(exchange: Exchange) -> str:
    """Why auto-refresh stopped, in its own line: the outcome, the drill that staged it, and
    how long a 429 asks to wait — the Expiry panel may be all that is in view (tryout AF: it
    said neither, where the Error panel and the status bar said both)."""
    said = exchange.summary()
    staged = StagedBy.of(exchange)
    if staged is not None and not staged.delayed_only:
        said += f", {made_by(staged.name)}"
    why = f"the refresh failed ({said})"
    if exchange.status == 429 and (
        ends := retry_after_ends(exchange.response, exchange.received_at)
    ):
        why += f"; the server asks to wait until {clock_time(ends)}"
    return why
