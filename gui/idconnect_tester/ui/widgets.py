"""Small reusable widgets: middle-elided values with a copy button, inline field messages."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QGuiApplication, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.session_events import Freshness
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone


class ElidedLabel(QLabel):
    """A label whose `text()` is the whole value but which paints it elided (in the middle by
    default), so a 400-character token fits the panel and still shows its prefix and its last
    characters — and a long message never makes its window wider."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(text, parent)
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def minimumSizeHint(self) -> QSize:
        metrics = QFontMetrics(self.font())
        return QSize(metrics.horizontalAdvance("M" * 8), metrics.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.text():
            return
        painter = QPainter(self)
        rect = self.contentsRect()
        elided = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment()), elided)


class CopyButton(QToolButton):
    """Copies a value supplied on click (so it is always the current, whole value)."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self._value = ""
        self.setText("Copy")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setToolTip(f"Copy the whole {what}")
        self.setAccessibleName(f"Copy {what}")
        self.setEnabled(False)
        self.clicked.connect(self._copy)
        # A child timer dies with the button: no callback into a deleted widget.
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(1200)
        self._restore.timeout.connect(lambda: self.setText("Copy"))

    def set_value(self, value: str) -> None:
        self._value = value
        self.setEnabled(bool(value))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._value)
        self.setText("Copied")
        self._restore.start()


class ValueField(QWidget):
    """A read-only value (elided in the middle, monospace) with its copy button."""

    def __init__(self, object_name: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel()
        self.label.setObjectName(object_name)
        self.label.setFont(monospace_font())
        self.label.setAccessibleName(what)
        self.copy_button = CopyButton(what)
        self.copy_button.setObjectName(f"{object_name}Copy")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.copy_button)

    def set_value(self, value: str) -> None:
        self.label.setText(value)
        self.copy_button.set_value(value)

    def value(self) -> str:
        return self.label.text()


class WrappedNote(QLabel):
    """A word-wrapped note as tall as its text at the width it has, and at least `lines` lines.

    QLabel's own size hint wraps the text at a guessed narrow width, so in a form it came out
    several lines taller than its text (a gap above it). The minimum keeps the room a note
    filled in just after the first paint needs, so filling it in doesn't move the rows below."""

    def __init__(self, object_name: str, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setMinimumHeight(lines * self.fontMetrics().lineSpacing())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = self.width() if self.width() > 0 else hint.width()
        return QSize(hint.width(), max(self.heightForWidth(width), self.minimumHeight()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the height for the new width


class FieldMessage(QLabel):
    """The message shown under a form field: an error (red) or a warning (amber); hidden when
    there is nothing to say."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setVisible(False)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)

    def show_message(self, text: str, tone: Tone) -> None:
        self.setText(text)
        set_tone(self, tone)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.setVisible(False)


class MessageLine(ElidedLabel):
    """The message under a request field: one line that is always there (empty when all is
    well), so the fields below never move as messages come and go while the user types. A
    message longer than the line ends in "…"; `text()` and the tooltip have all of it."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, mode=Qt.TextElideMode.ElideRight)
        self.setObjectName(object_name)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)
        self.setMinimumHeight(self.fontMetrics().lineSpacing())

    def show_message(self, text: str, tone: Tone) -> None:
        self.setText(text)
        self.setToolTip(text)
        set_tone(self, tone)

    def clear_message(self) -> None:
        self.show_message("", Tone.MUTED)


def read_only_text(object_name: str, accessible: str) -> QPlainTextEdit:
    """A read-only, monospace, wrapping text view (JSON, raw HTTP)."""
    view = QPlainTextEdit()
    view.setObjectName(object_name)
    view.setAccessibleName(accessible)
    view.setReadOnly(True)
    view.setFont(monospace_font())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    view.setUndoRedoEnabled(False)
    return view


def titled(title: str, widget: QWidget) -> QWidget:
    """`widget` under a bold title that is its buddy (Alt+letter and screen readers)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(f"<b>{title}</b>")
    label.setBuddy(widget)
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


class FreshnessLine(QLabel):
    """The line at the top of a result panel that says where its content came from — and, when
    it is not the latest result for the current target, says so in a way nobody misses."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.show_freshness(None)

    def show_freshness(self, freshness: Freshness | None) -> None:
        if freshness is None:
            self.setText("")
            self.setVisible(False)
            return
        self.setVisible(True)
        self.setText(f"⚠ {freshness.note}" if freshness.stale else freshness.note)
        set_tone(self, Tone.WARNING if freshness.stale else Tone.MUTED)
        font = self.font()
        font.setBold(freshness.stale)
        self.setFont(font)


def mark_stale(panel: QWidget, freshness: Freshness | None) -> None:
    """The panel's `stale` property: true while it shows something other than the latest result
    for the current target (scripts and tests read it; stylesheets may use it)."""
    panel.setProperty("stale", freshness is not None and freshness.stale)
