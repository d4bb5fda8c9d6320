"""Boxes for pasted text — a JWT, a JWKS, a PEM key — in a dialog's form.

A paste box behaves as a field of the form around it (Tab moves on, Alt+letter is the
dialog's), and one with a limit refuses text too long to be what it holds, saying so: Qt lays
out a line with no break point in time that grows with the square of its length, so 2 MB pasted
on one line held the window for minutes.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QWidget

# What each box takes. A real id_token is one to a few thousand characters, and common servers'
# default limit for a header is about 8 KB: 64 KiB is far above any real JWT, and wrapped
# anywhere Qt lays it out in ~40 ms (measured on one line, with the box's wrapping).
MAX_TOKEN_CHARS: Final = 64 * 1024
# A provider's JWKS is a few KB (up to tens with certificate chains, x5c), a PEM key or chain
# less: 128 KiB leaves room for the largest, and even on one line is laid out in ~90 ms.
MAX_KEYS_CHARS: Final = 128 * 1024


class PasteBox(QPlainTextEdit):
    """A box for pasted text — a token, keys — in a form: Tab moves on to the next field, as
    in any form (nothing such a box holds has a tab worth typing), and Alt+letter is left to
    the dialog's mnemonics. A plain-text box types an Alt+letter that no mnemonic takes as
    the letter: a stray Alt+D put a "d" at the end of the token being checked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt names it
        modifiers = event.modifiers()
        alt = Qt.KeyboardModifier.AltModifier
        # Ctrl+Alt is AltGr on Windows: the way some layouts type "@" or "{".
        if modifiers & alt and not modifiers & Qt.KeyboardModifier.ControlModifier:
            event.ignore()
            return
        super().keyPressEvent(event)


class BoundedTextEdit(PasteBox):
    """A paste box that never holds more than `limit` characters from a paste, a drop or
    `setPlainText`: text that would take it past the limit is not put in (what the box held
    stays) and `refused` says how much was offered.

    Qt lays out a line with no break point in time that grows with the square of its length,
    on the GUI thread: 2 MB pasted on one line held the window for minutes. Typing can't get
    near such a limit; what comes in whole can. The check is in `insertFromMimeData`, which
    Ctrl+V, the context menu's Paste and a drop all go through; `canInsertFromMimeData` keeps
    Qt's answer, so a drop too large is still taken — and refused with a word, rather than
    turned away by the mouse cursor without one."""

    # The characters offered, and how many the box would have held with them.
    refused = Signal(int, int)

    def __init__(self, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        # Wrapped anywhere: a token or a minified JWKS has no spaces to wrap at, and Qt's
        # search for one is what makes a long line slow to lay out (64 KiB: ~1.1 s, not ~40 ms).
        self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)

    def _length_with(self, added: int, *, replacing_all: bool = False) -> int:
        """How long the text would be with `added` characters in place of the selection (of
        everything, for `setPlainText`)."""
        if replacing_all:
            return added
        cursor = self.textCursor()
        held = self.document().characterCount() - 1  # less the last paragraph's separator
        return held - (cursor.selectionEnd() - cursor.selectionStart()) + added

    def _fits(self, added: int, *, replacing_all: bool = False) -> bool:
        total = self._length_with(added, replacing_all=replacing_all)
        if total <= self.limit:
            return True
        self.refused.emit(added, total)
        return False

    def insertFromMimeData(self, source: QMimeData) -> None:  # Qt names it
        if self._fits(_offered_length(source)):
            super().insertFromMimeData(source)

    def setPlainText(self, text: str, /) -> None:
        if self._fits(len(text), replacing_all=True):
            super().setPlainText(text)

    def insertPlainText(self, text: str, /) -> None:
        if self._fits(len(text)):
            super().insertPlainText(text)


def _offered_length(source: QMimeData) -> int:
    """The length of the text a paste or drop of `source` would insert: its plain text, or
    its Markdown, which Qt inserts in a plain-text box too when it comes first."""
    text = len(source.text()) if source.hasText() else 0
    if not source.hasFormat("text/markdown"):
        return text
    markdown = bytes(source.data("text/markdown").data()).decode("utf-8", errors="replace")
    return max(text, len(markdown))


def too_long(holds: str, limit: int, offered: int, total: int, *, kept: bool) -> str:
    """Why a paste did not go in: too long to be what the box holds (`holds`: "a JWT").
    `total` is what the box would have held with it; `kept`: the box held something, and
    still does."""
    if total == offered:
        size = f"that text is {offered:,} characters long"
    else:  # not much on its own, but added to what the box holds
        size = f"{offered:,} characters more would make the box {total:,} characters long"
    return (
        f"Not pasted: {size} — too long for {holds} (this box takes up to {limit:,} "
        f"characters).{' What the box held is kept.' if kept else ''}"
    )
