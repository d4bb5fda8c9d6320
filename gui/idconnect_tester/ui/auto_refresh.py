"""Auto-refresh: renew the access token a set number of seconds before it expires.

Each refresh is a normal exchange, shown in the panels. A failed refresh switches auto-refresh
off and says why — it never retries in a loop. When the lead is longer than the token's whole
lifetime (a short emulator --ttl, say), the refresh happens at 80% of the lifetime instead of
at once, so a short-lived token can't turn this into a request storm.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal

from idconnect_tester.ui.first_frame import set_qt_property

DEFAULT_LEAD_S: Final = 60
_LATE_FRACTION: Final = 0.8
_MIN_GAP: Final = timedelta(seconds=1)


class AutoRefresh(QObject):
    due = Signal()  # time to refresh (the window sends it when it is idle)
    state_changed = Signal(str)  # a sentence for the panel: next run, off, or stopped and why

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self.lead_s = DEFAULT_LEAD_S
        self._received_at: datetime | None = None
        self._expires_at: datetime | None = None
        self.next_at: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        set_qt_property(self._timer, "timerType", "PreciseTimer")
        self._timer.timeout.connect(self.due)

    @property
    def scheduled(self) -> bool:
        return self._timer.isActive()

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self._reschedule()

    def set_lead(self, seconds: int) -> None:
        self.lead_s = max(1, seconds)
        self._reschedule()

    def token_granted(self, received_at: datetime, expires_at: datetime) -> None:
        self._received_at, self._expires_at = received_at, expires_at
        self._reschedule()

    def stop(self, why: str) -> None:
        """Switch off after a failure; the user switches it on again when ready."""
        self.enabled = False
        self._timer.stop()
        self.next_at = None
        self.state_changed.emit(f"Stopped: {why}")

    def _due_time(self) -> datetime | None:
        if self._received_at is None or self._expires_at is None:
            return None
        lifetime = self._expires_at - self._received_at
        due = self._expires_at - timedelta(seconds=self.lead_s)
        if timedelta(seconds=self.lead_s) >= lifetime:
            due = self._received_at + lifetime * _LATE_FRACTION
        return max(due, self._received_at + _MIN_GAP)

    def _reschedule(self) -> None:
        self._timer.stop()
        self.next_at = None
        if not self.enabled:
            self.state_changed.emit("Off")
            return
        due = self._due_time()
        if due is None:
            self.state_changed.emit("On — waiting for a token with a refresh token")
            return
        now = datetime.now(UTC)
        if self._expires_at is not None and self._expires_at <= now:
            self.state_changed.emit("On — the token has already expired; refreshing now")
            due = now
        self.next_at = due
        self._timer.start(max(0, round((due - now).total_seconds() * 1000)))
        self.state_changed.emit(
            f"Next refresh at {due.astimezone():%H:%M:%S} ({self.lead_s} s before expiry)"
        )
