"""The authorize dialog for real targets: the URL (with copy), the browser, and a paste box.

With a loopback redirect URI the code arrives by itself and the dialog closes; with a redirect
URI that is not loopback (HTTPS only, say) the user pastes the redirect URL or the code, and it
is checked against this attempt's state before anything is filled in.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import CopyButton, WrappingLabel


class AuthorizeDialog(QDialog):
    pasted = Signal(str)  # what the user pasted (redirect URL, query or code)
    cancelled = Signal()

    def __init__(self, url: str, listening_on: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("authorizeDialog")
        self.setWindowTitle("Get code — authorize in the browser")
        self.setModal(False)
        self.url = url
        self.listening = listening_on is not None

        intro = QLabel(
            "Sign in and consent in the browser. "
            + (
                f"The app listens on <b>{listening_on}</b> and fills in the code by itself."
                if listening_on
                else "Your redirect URI is not on this machine: after consenting, copy the "
                "whole address the browser lands on (or just the code) and paste it below."
            )
        )
        intro.setWordWrap(True)
        self.url_view = QPlainTextEdit(url)
        self.url_view.setObjectName("authorizeUrlView")
        self.url_view.setAccessibleName("Authorize URL")
        self.url_view.setReadOnly(True)
        self.url_view.setFont(monospace_font())
        self.url_view.setMaximumHeight(self.fontMetrics().height() * 5)
        copy = CopyButton("authorize URL", label="Copy URL")
        copy.setObjectName("authorizeCopyUrlButton")
        copy.set_value(url)
        open_browser = QPushButton("Open in browser")
        open_browser.setObjectName("authorizeOpenBrowserButton")
        open_browser.clicked.connect(self.open_browser)
        url_buttons = QHBoxLayout()
        url_buttons.addStretch(1)
        url_buttons.addWidget(copy)
        url_buttons.addWidget(open_browser)

        self._note = ""  # what the app knows while it waits (see show_note)
        self.status = WrappingLabel("Waiting for the redirect…" if listening_on else "")
        self.status.setObjectName("authorizeStatus")
        set_tone(self.status, Tone.MUTED)
        self.paste_edit = QLineEdit()
        self.paste_edit.setObjectName("authorizePasteEdit")
        self.paste_edit.setPlaceholderText("https://your-redirect/…?code=…&state=…  or the code")
        self.paste_edit.setAccessibleName("Pasted redirect URL or code")
        self.paste_edit.setFont(monospace_font())
        use = QPushButton("Use pasted")
        use.setObjectName("authorizeUsePastedButton")
        use.clicked.connect(self._use_pasted)
        # Return in the paste field uses what was pasted (not the first button, Open in
        # browser); on a focused button, Return presses that button.
        use.setDefault(True)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.paste_edit, 1)
        paste_row.addWidget(use)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.url_view)
        layout.addLayout(url_buttons)
        layout.addWidget(QLabel("Paste the redirect URL (or the code):"))
        layout.addLayout(paste_row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 60, self.sizeHint().height())
        self.paste_edit.setFocus()  # what is typed or pasted at once lands where it is used

    def open_browser(self) -> bool:
        opened = QDesktopServices.openUrl(QUrl(self.url))
        if not opened:
            # Said before what the app knew already (a server it could not reach, say), not
            # instead of it.
            noted = f" {self._note}" if self._note else ""
            self.show_problem(f"No browser could be opened: copy the URL into one yourself.{noted}")
        return opened

    def _use_pasted(self) -> None:
        text = self.paste_edit.text().strip()
        if text:
            self.pasted.emit(text)

    def show_note(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """What the app knows while it waits (e.g. "the server answered a sign-in page")."""
        waiting = " Waiting for the redirect…" if self.listening else ""
        self._note = text
        self.status.setText(text + waiting)
        set_tone(self.status, tone)

    def show_problem(self, text: str) -> None:
        self.status.setText(text)
        set_tone(self.status, Tone.ERROR)

    def reject(self) -> None:
        self.cancelled.emit()
        super().reject()
