"""The status bar: what is happening now (with a busy indicator) and where the emulator runs."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QProgressBar, QSizePolicy, QStatusBar, QWidget

from idconnect_tester.ui.theme import Tone, clear_tone, set_tone
from idconnect_tester.ui.widgets import ElidedLabel, announce


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        # Elided, never wrapped or widened: a long message (a pasted redirect, say) must not
        # make the window wider than the screen. The tooltip has it whole.
        self.message = ElidedLabel("Status", "Ready", mode=Qt.TextElideMode.ElideRight)
        self.message.setObjectName("statusMessage")
        self.busy = QProgressBar()
        self.busy.setObjectName("busyIndicator")
        self.busy.setRange(0, 0)  # indeterminate: "working", without a fake percentage
        self.busy.setMaximumWidth(self.fontMetrics().horizontalAdvance("M" * 8))
        self.busy.setMaximumHeight(self.fontMetrics().height())
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.busy.setAccessibleName("Busy")
        self.target = ElidedLabel("Target", mode=Qt.TextElideMode.ElideMiddle)
        self.target.setObjectName("statusTarget")
        set_tone(self.target, Tone.MUTED)
        # The target asks for its whole text and gets it while the bar has room; the message
        # takes the rest, so a short message leaves the URL whole and a long one is the one cut.
        self.target.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.addWidget(self.busy)
        self.addWidget(self.message, 1)
        self.addPermanentWidget(self.target)
        # While an operation runs its message counts the seconds: a slow server is seen to be
        # slow (and the app to be alive), as in the HTTP tools people know.
        self._busy_text = ""
        self._for_grant: str | None = None
        self._for_profile: str | None = None
        self._waiting = QElapsedTimer()
        self._waiting_tick = QTimer(self)
        self._waiting_tick.setInterval(1000)
        self._waiting_tick.timeout.connect(self._count_the_wait)

    def show_busy(self, text: str) -> None:
        self.busy.setVisible(True)
        self._busy_text = text
        self._waiting.start()
        self._waiting_tick.start()
        self.say(text)

    def show_idle(self) -> None:
        self.busy.setVisible(False)
        self._waiting_tick.stop()

    def _count_the_wait(self) -> None:
        if not self.message.text().startswith(self._busy_text):
            return  # something else was said meanwhile: leave it
        seconds = round(self._waiting.elapsed() / 1000)  # a tick can come a little early
        text = f"{self._busy_text} {seconds} s"
        self.message.setText(text)
        self.message.setToolTip(text)

    def say(
        self,
        text: str,
        tone: Tone = Tone.MUTED,
        *,
        for_grant: str | None = None,
        for_profile: str | None = None,
    ) -> None:
        """`for_grant`: the grant the message's next step is for ("press Send to exchange
        it"); once the form has another grant, the message is wrong and goes. `for_profile`:
        the profile (by id) it is about ("added — enter its secret key"); it goes once another
        profile is selected, where it would read as that one's."""
        self._for_grant = for_grant
        self._for_profile = for_profile
        self.message.setText(text)
        self.message.setToolTip(text)
        if tone is Tone.MUTED:
            clear_tone(self.message)  # plain text: the scheme's own colour
        else:
            set_tone(self.message, tone)
            # An outcome (200 OK, an error, "saved") is said too: nobody reading with a screen
            # reader watches the status bar.
            announce(self.message, text)

    def add(self, text: str) -> None:
        """More about the message on show, in its tone (what made the outcome it says)."""
        said = self.message.text() + text
        self.message.setText(said)
        self.message.setToolTip(said)

    def grant_changed(self, grant: str) -> None:
        if self._for_grant is not None and grant != self._for_grant:
            self.say("")

    def profile_changed(self, profile_id: str) -> None:
        if self._for_profile is not None and profile_id != self._for_profile:
            self.say("")

    def text(self) -> str:
        return self.message.text()
