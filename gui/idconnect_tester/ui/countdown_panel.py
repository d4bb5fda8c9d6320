"""Live countdowns to expiry: the access token, the id_token's own `exp`, and a share token.

Time left is always computed from the expiry instant (received-at + expires_in), never counted
down by ticks, so a late or skipped tick can't make it drift. One single-shot timer is armed for
the next moment a displayed second changes; with nothing to count, no timer runs at all — idle
costs no CPU.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Final

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSpinBox,
    QWidget,
)

from idconnect_tester.ui.first_frame import set_qt_property
from idconnect_tester.ui.theme import Tone, colours, monospace_font, set_tone

WARNING_WINDOW: Final = timedelta(minutes=5)
EXPIRED_TEXT: Final = "Expired"


def format_remaining(remaining: timedelta) -> str:
    """`HH:MM:SS` of whole seconds left (hours may exceed 24), or `Expired`."""
    seconds = math.floor(remaining.total_seconds())
    if seconds <= 0 and remaining.total_seconds() <= 0:
        return EXPIRED_TEXT
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


class CountdownRow:
    """One labelled countdown: `HH:MM:SS`, a progress bar of the lifetime left, and its tone."""

    def __init__(self, grid: QGridLayout, row: int, title: str, object_name: str) -> None:
        self.title = QLabel(title)
        self.time = QLabel("—")
        self.time.setObjectName(object_name)
        self.time.setAccessibleName(f"{title}: time left")
        font = monospace_font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.time.setFont(font)
        set_qt_property(self.time, "textInteractionFlags", "TextSelectableByMouse")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{object_name}Bar")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(f"{title}: lifetime left")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        set_tone(self.detail, Tone.MUTED)
        grid.addWidget(self.title, row, 0)
        grid.addWidget(self.time, row, 1)
        grid.addWidget(self.bar, row, 2)
        grid.addWidget(self.detail, row + 1, 1, 1, 2)
        self.expires_at: datetime | None = None
        self.lifetime = timedelta(0)
        self.set_visible(False)

    def set_visible(self, visible: bool) -> None:
        for widget in (self.title, self.time, self.bar, self.detail):
            widget.setVisible(visible)

    def start(self, expires_at: datetime, lifetime: timedelta, detail: str) -> None:
        self.expires_at = expires_at
        self.lifetime = max(lifetime, timedelta(seconds=1))
        local = expires_at.astimezone()
        self.detail.setText(f"{detail} · until {local:%Y-%m-%d %H:%M:%S}")
        self.detail.setToolTip(f"Expires {expires_at:%Y-%m-%d %H:%M:%S} UTC")
        self.set_visible(True)

    def clear(self) -> None:
        self.expires_at = None
        self.time.setText("—")
        self.set_visible(False)

    @property
    def active(self) -> bool:
        return self.expires_at is not None

    def update(self, now: datetime) -> float | None:
        """Redraw for `now`; return seconds until the displayed value next changes (None when
        it no longer will)."""
        if self.expires_at is None:
            return None
        remaining = self.expires_at - now
        text = format_remaining(remaining)
        self.time.setText(text)
        fraction = max(0.0, remaining / self.lifetime) if self.lifetime else 0.0
        self.bar.setValue(round(min(fraction, 1.0) * 1000))
        tone = (
            Tone.ERROR
            if text == EXPIRED_TEXT
            else Tone.WARNING
            if remaining <= WARNING_WINDOW
            else Tone.OK
        )
        set_tone(self.time, tone)
        palette = self.bar.palette()
        palette.setColor(QPalette.ColorRole.Highlight, colours().for_tone(tone))
        self.bar.setPalette(palette)
        if text == EXPIRED_TEXT:
            return None
        seconds = remaining.total_seconds()
        return seconds - math.floor(seconds) or 1.0


class CountdownPanel(QWidget):
    expired = Signal(str)  # the row that just expired: "access", "id_token" or "share"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countdownPanel")
        grid = QGridLayout(self)
        grid.setColumnStretch(2, 1)
        self.rows = {
            "access": CountdownRow(grid, 0, "Access token", "expiryCountdown"),
            "id_token": CountdownRow(grid, 2, "id_token exp", "idTokenExpiryCountdown"),
            "share": CountdownRow(grid, 4, "Share token", "shareTokenCountdown"),
        }
        self.rows["access"].set_visible(True)
        self.placeholder = QLabel("The countdown starts when a token arrives.")
        set_tone(self.placeholder, Tone.MUTED)
        grid.addWidget(self.placeholder, 6, 0, 1, 3)

        self.auto_refresh = QCheckBox("Auto-&refresh")
        self.auto_refresh.setObjectName("autoRefreshCheck")
        self.auto_refresh.setToolTip(
            "Refresh the access token with the stored refresh token before it expires"
        )
        self.auto_refresh_lead = QSpinBox()
        self.auto_refresh_lead.setObjectName("autoRefreshLeadSpin")
        self.auto_refresh_lead.setRange(1, 86_400)
        self.auto_refresh_lead.setValue(60)
        self.auto_refresh_lead.setSuffix(" s before expiry")
        self.auto_refresh_lead.setAccessibleName("Auto-refresh lead time")
        self.auto_refresh_state = QLabel("Off")
        self.auto_refresh_state.setObjectName("autoRefreshState")
        self.auto_refresh_state.setWordWrap(True)
        set_tone(self.auto_refresh_state, Tone.MUTED)
        auto_row = QHBoxLayout()
        auto_row.addWidget(self.auto_refresh)
        auto_row.addWidget(self.auto_refresh_lead)
        auto_row.addStretch(1)
        grid.addLayout(auto_row, 7, 0, 1, 3)
        grid.addWidget(self.auto_refresh_state, 8, 0, 1, 3)
        grid.setRowStretch(9, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        set_qt_property(self._timer, "timerType", "PreciseTimer")
        self._timer.timeout.connect(self.tick)
        self._was_expired: set[str] = set()

    @property
    def timer_active(self) -> bool:
        return self._timer.isActive()

    def show_auto_refresh_state(self, text: str) -> None:
        self.auto_refresh_state.setText(text)
        set_tone(self.auto_refresh_state, Tone.ERROR if text.startswith("Stopped") else Tone.MUTED)
        if text.startswith("Stopped") and self.auto_refresh.isChecked():
            self.auto_refresh.blockSignals(True)  # reflect the stop without re-triggering it
            self.auto_refresh.setChecked(False)
            self.auto_refresh.blockSignals(False)

    def start(self, row: str, expires_at: datetime, lifetime: timedelta, detail: str) -> None:
        self.rows[row].start(expires_at, lifetime, detail)
        self._was_expired.discard(row)
        self.placeholder.setVisible(False)
        self.tick()

    def clear(self, row: str) -> None:
        self.rows[row].clear()
        if row == "access":
            self.rows[row].set_visible(True)

    def tick(self) -> None:
        now = datetime.now(UTC)
        waits: list[float] = []
        for name, row in self.rows.items():
            if not row.active:
                continue
            wait = row.update(now)
            if wait is None:
                if name not in self._was_expired:
                    self._was_expired.add(name)
                    self.expired.emit(name)
            else:
                waits.append(wait)
        if waits:
            # +5 ms so the tick lands just after the second changes, not just before it.
            self._timer.start(max(1, round(min(waits) * 1000) + 5))
        else:
            self._timer.stop()
