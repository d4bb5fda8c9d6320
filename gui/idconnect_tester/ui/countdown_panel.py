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

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from idconnect_tester.core.jwt_decode import DecodedJwt, numeric_date
from idconnect_tester.core.parsing import counted_from
from idconnect_tester.core.session_events import (
    IdTokenView,
    ShareView,
    TokenState,
    TokenStatus,
    TokenView,
)
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui.response_panel import STATE_TONES, StateLabel
from idconnect_tester.ui.theme import Tone, colours, monospace_font, set_tone
from idconnect_tester.ui.widgets import (
    FreshnessLine,
    ValueLabel,
    WrappingLabel,
    correct_to_nearest,
    mark_stale,
)

WARNING_WINDOW: Final = timedelta(minutes=5)
EXPIRED_TEXT: Final = "Expired"
NOTHING_TO_COUNT: Final = "No token to count down"
NOT_COUNTED: Final = "—"  # no token, or one with no time worth counting (revoked, refused)
# A token the server took back or would not take: its time left is worth nothing.
_NOTHING_LEFT: Final = (TokenState.REVOKED, TokenState.REFUSED)
DETAIL_COLUMN: Final = 4  # where the "until …" line goes when it fits beside the bar
BAR_LEAST_CHARS: Final = 8  # a bar narrower than this many characters says nothing


def format_remaining(remaining: timedelta) -> str:
    """`HH:MM:SS` of whole seconds left (hours may exceed 24), or `Expired`."""
    seconds = math.floor(remaining.total_seconds())
    if seconds <= 0 and remaining.total_seconds() <= 0:
        return EXPIRED_TEXT
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


class CountdownRow:
    """One labelled countdown: `HH:MM:SS`, a progress bar of the lifetime left, what the token
    is worth now, and where it came from."""

    def __init__(self, grid: QGridLayout, row: int, title: str, object_name: str) -> None:
        self.title = QLabel(title)
        self.time = ValueLabel(f"{title}: time left", NOT_COUNTED)
        self.time.setObjectName(object_name)
        font = monospace_font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.time.setFont(font)
        self.time.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = StateLabel(f"{object_name}State", f"{title}: state")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{object_name}Bar")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(f"{title}: lifetime left")
        # The bar takes what the row's text leaves (its own wish, ~100 px, would squeeze an
        # "until …" line beside it), and never less than a few characters.
        self.bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.bar.setMinimumWidth(BAR_LEAST_CHARS * self.bar.fontMetrics().averageCharWidth())
        # Its value is per mille of the lifetime: the description says it in words.
        self.bar.setAccessibleDescription(NOTHING_TO_COUNT)
        self.detail = WrappingLabel("")
        set_tone(self.detail, Tone.MUTED)
        small = self.detail.font()
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.detail.setFont(small)
        grid.addWidget(self.title, row, 0)
        grid.addWidget(self.time, row, 1)
        grid.addWidget(self.bar, row, 2)
        grid.addWidget(self.state, row, 3)
        grid.addWidget(self.detail, row + 1, 1, 1, 3)
        self._grid, self._row = grid, row
        self.detail_beside = False
        self.folded = False  # the "until …" line under the bar is hidden: see CountdownPanel.fold
        self.expires_at: datetime | None = None
        self.lifetime = timedelta(0)
        self.status: TokenStatus | None = None
        self.older = False
        self.set_visible(False)

    def place_detail(self, beside: bool) -> None:
        """The "until …" line under the bar, or on the bar's line after it (one line less)."""
        if beside == self.detail_beside:
            return
        self.detail_beside = beside
        self._grid.removeWidget(self.detail)
        # Beside the bar it is chosen only when it fits whole: one line, never wrapped. Its
        # explicit minimum keeps it from widening the panel (and the window) meanwhile.
        self.detail.setWordWrap(not beside)
        self.detail.setMinimumWidth(1 if beside else 0)
        if beside:
            self._grid.addWidget(self.detail, self._row, DETAIL_COLUMN)
        else:
            self._grid.addWidget(self.detail, self._row + 1, 1, 1, 3)
        self._show_detail()

    def fold(self, folded: bool) -> None:
        """The "until …" line under the bar hidden, in the countdown's tooltip, or shown."""
        self.folded = folded
        self._show_detail()

    def _show_detail(self) -> None:
        # Beside the bar it takes no line of its own: folding it would save nothing.
        hidden = self.folded and not self.detail_beside
        self.detail.setVisible(not self.title.isHidden() and not hidden)
        tip = self.detail.text() if hidden else ""
        self.time.setToolTip(tip)
        self.bar.setToolTip(tip)

    def widths(self) -> tuple[int, int, int, int]:
        """What this row's title, time, state and "until …" line need, one line each."""
        if self.title.isHidden():  # no token of this kind: it takes no room
            return 0, 0, 0, 0
        detail = self.detail.fontMetrics().horizontalAdvance(self.detail.text())
        state = self.state.sizeHint().width()  # a column of its own, even empty
        # Counting, the time is as wide as "00:00:00" (its font is monospaced): measured before
        # the first tick it would still be "—".
        counting = self.time.fontMetrics().horizontalAdvance("00:00:00")
        time = max(self.time.sizeHint().width(), counting + 2 * self.time.margin())
        return self.title.sizeHint().width(), time, state, detail

    def set_visible(self, visible: bool) -> None:
        for widget in (self.title, self.time, self.state):
            widget.setVisible(visible)
        self._show_detail()
        # Without a countdown the bar would be an empty white box that looks like an input.
        self.bar.setVisible(visible and self.expires_at is not None)

    def start(
        self,
        expires_at: datetime,
        lifetime: timedelta,
        detail: str,
        status: TokenStatus | None = None,
        older: str | None = None,
    ) -> None:
        """`status`: what the token is worth; `older`: why this is not the latest result."""
        self.expires_at = expires_at
        self.lifetime = max(lifetime, timedelta(seconds=1))
        self.status = status
        local = expires_at.astimezone()
        # Revoked or refused, it no longer lasts until then: "until …" under a red "—" read
        # as a live expiry (tryout AL).
        # A drill's refusal is staged: the emulator still holds the token until then, and the
        # line says whose answer the red "—" is (tryout AP: "revoked", no word of the drill).
        staged = status.staged_by if status is not None else ""
        ended = status is not None and status.state in _NOTHING_LEFT and not staged
        until = "was to last until" if ended else "until"
        by = f" · staged by the {staged} drill" if staged else ""
        self.detail.setText(f"{until} {local:%Y-%m-%d %H:%M:%S} · {detail}{by}")
        self.detail.setToolTip(f"Expires {expires_at:%Y-%m-%d %H:%M:%S} UTC")
        if older is not None:
            self.state.show_older(status, older)
        else:
            self.state.show_status(status if status is not None and not status.usable else None)
        self.older = older is not None
        self.set_visible(True)

    def clear(self) -> None:
        self.expires_at = None
        self.status = None
        self.time.setText(NOT_COUNTED)
        self.bar.setAccessibleDescription(NOTHING_TO_COUNT)
        self.state.show_status(None)
        self.set_visible(False)

    @property
    def active(self) -> bool:
        return self.expires_at is not None

    def update(self, now: datetime) -> float | None:
        """Redraw for `now`; return seconds until the displayed value next changes (None when
        it no longer will)."""
        if self.expires_at is None:
            return None
        if self.status is not None and self.status.state in _NOTHING_LEFT:
            # Revoked or refused: no time left to count. A clock still running beside
            # "revoked" read as a token good for hours yet (a tryout); the "until …" line keeps
            # its expiry, the state beside the bar says what it is worth.
            self.time.setText(NOT_COUNTED)
            self.bar.setAccessibleDescription(self.status.state.value)
            self.bar.setValue(0)
            set_tone(self.time, Tone.ERROR)
            return None
        remaining = self.expires_at - now
        text = format_remaining(remaining)
        self.time.setText(text)
        self.bar.setAccessibleDescription(text if text == EXPIRED_TEXT else f"{text} left")
        fraction = max(0.0, remaining / self.lifetime) if self.lifetime else 0.0
        self.bar.setValue(round(min(fraction, 1.0) * 1000))
        if text == EXPIRED_TEXT:
            tone = Tone.ERROR
        elif self.older:
            tone = Tone.MUTED
        elif self.status is not None and not self.status.usable:
            # Time is left, but the token isn't worth it here: red when nothing should count on
            # it (an id_token that failed its checks), grey when it is in doubt or another
            # target's — amber is the last five minutes' colour, and the state's word beside
            # the bar says which doubt it is.
            dead = STATE_TONES[self.status.state] is Tone.ERROR
            tone = Tone.ERROR if dead else Tone.MUTED
        else:
            tone = Tone.WARNING if remaining <= WARNING_WINDOW else Tone.OK
        set_tone(self.time, tone)
        palette = self.bar.palette()
        palette.setColor(QPalette.ColorRole.Highlight, colours().fill_for_tone(tone))
        self.bar.setPalette(palette)
        if text == EXPIRED_TEXT:
            return None
        seconds = remaining.total_seconds()
        return seconds - math.floor(seconds) or 1.0


_STATE_ROW: Final = 7  # Auto-refresh's state, when it has a row of its own


class CountdownPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countdownPanel")
        self.freshness = FreshnessLine("countdownFreshness")
        grid = QGridLayout(self)
        grid.setColumnStretch(2, 1)
        # No gap between rows: each bar's "until …" line sets it off from the next, and under
        # the request on a laptop the dock has no line to spare (with a share token and
        # Auto-refresh's note, 2 px a row made it scroll).
        grid.setVerticalSpacing(0)
        grid.addWidget(self.freshness, 0, 0, 1, -1)
        self.rows = {
            "access": CountdownRow(grid, 1, "Access token", "expiryCountdown"),
            "id_token": CountdownRow(grid, 3, "id_token exp", "idTokenExpiryCountdown"),
            # Under Auto-refresh (row 6, and its state's row 7 in a narrow panel): it refreshes
            # the tokens above it, and a share token's rows coming in must not push it out of a
            # short dock.
            "share": CountdownRow(grid, 8, "Share token", "shareTokenCountdown"),
        }
        self.rows["access"].set_visible(True)
        self.placeholder = QLabel("The countdown starts when a token arrives.")
        set_tone(self.placeholder, Tone.MUTED)
        grid.addWidget(self.placeholder, 5, 0, 1, -1)

        self.auto_refresh = QCheckBox("A&uto-refresh")
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
        correct_to_nearest(self.auto_refresh_lead)
        lead = self.auto_refresh_lead
        lead.setToolTip(
            f"When Auto-refresh sends: {lead.minimum():,} to {lead.maximum():,} seconds before "
            "the access token expires"
        )
        self.auto_refresh_state = ValueLabel("Auto-refresh state", "Off")
        self.auto_refresh_state.setObjectName("autoRefreshState")
        self.auto_refresh_state.setWordWrap(True)
        set_tone(self.auto_refresh_state, Tone.MUTED)
        auto_row = self._auto_row = QHBoxLayout()
        auto_row.setSpacing(0)  # the check box's own margin keeps it off the lead time
        auto_row.addWidget(self.auto_refresh)
        auto_row.addWidget(self.auto_refresh_lead)
        # The state's text would touch the spin box's arrows ("expiry▲▼Off"): the style's gap.
        auto_row.addSpacing(grid.horizontalSpacing())
        auto_row.addWidget(self.auto_refresh_state, 1)
        grid.addLayout(auto_row, 6, 0, 1, -1)
        self._state_beside = True  # beside the lead time, or on a row of its own (see _reflow)
        grid.setRowStretch(10, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt names it
        super().resizeEvent(event)
        self._reflow()

    @property
    def folded(self) -> bool:
        return self.rows["access"].folded

    def fold(self, folded: bool) -> None:
        """Each "until …" line under its bar hidden — its text in the countdown's tooltip — or
        shown. Under the request on a laptop, a line per token is the room the request's notes
        need: folded, the countdown keeps its place (tryout AI: a switch to a profile with
        notes moved it to the top of the results, and the id_token behind a tab)."""
        for row in self.rows.values():
            row.fold(folded)

    def _reflow(self) -> None:
        """Each "until …" line beside its bar when the panel is wide enough for all of a row on
        one line, under it otherwise. On a short screen the countdown sits above the results,
        as wide as they are: a line less per token leaves room for the share token's row and
        the reason Auto-refresh stopped, so the dock shows them without scrolling. Decided by
        the width alone (the texts' widths, not where they are now), so placing them never
        changes the outcome."""
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        rows = [row.widths() for row in self.rows.values()]
        columns = [max(row[i] for row in rows) for i in range(4)]
        title, time, state, detail = columns
        margins = grid.contentsMargins()
        spacing = max(0, grid.horizontalSpacing())
        bar = self.rows["access"].bar.minimumWidth()
        needed = margins.left() + margins.right() + title + time + bar + state + detail
        beside = detail > 0 and self.width() >= needed + 4 * spacing
        for row in self.rows.values():
            row.place_detail(beside)
        self._place_auto_refresh_state(margins.left() + margins.right())

    def _place_auto_refresh_state(self, margins: int) -> None:
        """Auto-refresh's state beside its lead time when the whole sentence fits there on one
        line; on a row of its own, as wide as the panel, otherwise: wrapped in the corner
        beside the spin box ("Next refresh at … (… s before expiry …)") it stood five lines
        tall, and a narrow Expiry dock scrolled its share token's row out of view."""
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        state = self.auto_refresh_state
        controls = self.auto_refresh.sizeHint().width() + self.auto_refresh_lead.sizeHint().width()
        spare = self.width() - margins - controls - max(0, grid.horizontalSpacing())
        beside = state.fontMetrics().horizontalAdvance(state.text()) <= spare
        if beside == self._state_beside:
            return
        self._state_beside = beside
        if beside:
            grid.removeWidget(state)
            self._auto_row.takeAt(self._auto_row.count() - 1)  # the stretch in its place
            self._auto_row.addWidget(state, 1)
        else:
            self._auto_row.removeWidget(state)
            self._auto_row.addStretch(1)  # the controls keep their own width
            grid.addWidget(state, _STATE_ROW, 0, 1, -1)

    @property
    def timer_active(self) -> bool:
        return self._timer.isActive()

    def show_auto_refresh_state(self, text: str, tone: Tone) -> None:
        self.auto_refresh_state.setText(text)
        set_tone(self.auto_refresh_state, tone)
        self._reflow()  # a longer sentence may need a row of its own
        if text.startswith("Stopped") and self.auto_refresh.isChecked():
            self.auto_refresh.blockSignals(True)  # reflect the stop without re-triggering it
            self.auto_refresh.setChecked(False)
            self.auto_refresh.blockSignals(False)

    def show_tokens(self, view: TokenView | None) -> None:
        self.freshness.show_freshness(view.freshness if view is not None else None)
        mark_stale(self, view.freshness if view is not None else None)
        row = self.rows["access"]
        if view is None:
            row.clear()
            row.set_visible(True)
        else:
            granted = view.granted
            received = clock_time(view.exchange.received_at)
            # A token worth nothing says so (revoked, suspect); one still usable from an older
            # result is marked older, like the id_token's row.
            stale = view.freshness.stale and view.access.usable
            row.start(
                granted.expires_at,
                timedelta(seconds=granted.expires_in),
                f"{granted.expires_in} s from {received}",
                view.access,
                older=view.freshness.note if stale else None,
            )
        self.placeholder.setVisible(view is None)
        self._reflow()
        self.tick()

    def show_id_token(self, view: IdTokenView | None) -> None:
        row = self.rows["id_token"]
        decoded = view.decoded if view is not None else None
        exp = numeric_date(decoded.claims.get("exp")) if isinstance(decoded, DecodedJwt) else None
        if view is None or exp is None or not isinstance(decoded, DecodedJwt):
            row.clear()
        else:
            iat = numeric_date(decoded.claims.get("iat")) or exp
            trust = view.trust()  # one not to trust is not counted down in green
            older: str | None = None
            if self.property("stale") is True:  # the panel is marked older (show_tokens)
                # "older" only while nothing worse is known, as the access token's row.
                older = view.freshness.note if view.freshness.stale and trust is None else None
            elif view.freshness.stale:
                # An id_token from an earlier response (the latest carried none) in a current
                # panel: it says so beside whatever else it is.
                older = view.freshness.note
            row.start(exp, exp - iat, "its own exp claim", trust, older=older)
        self._reflow()
        self.tick()

    def show_share(self, view: ShareView | None) -> None:
        row = self.rows["share"]
        if view is None:
            row.clear()
        else:
            lifetime = view.granted.expires_at - counted_from(view.exchange.received_at)
            older = view.freshness.note if view.freshness.stale and view.status.usable else None
            row.start(view.granted.expires_at, lifetime, "Share token", view.status, older=older)
        self._reflow()
        self.tick()

    def tick(self) -> None:
        now = datetime.now(UTC)
        waits = [wait for row in self.rows.values() if (wait := row.update(now)) is not None]
        if waits:
            # +5 ms so the tick lands just after the second changes, not just before it.
            self._timer.start(max(1, round(min(waits) * 1000) + 5))
        else:
            self._timer.stop()
