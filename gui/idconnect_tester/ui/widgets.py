"""Small reusable widgets: middle-elided values with a copy button, inline field messages —
and what makes them readable by screen readers and usable by keyboard."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from PySide6 import QtGui
from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QFocusEvent,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeWidget,
    QWidget,
)
from shiboken6 import isValid

from idconnect_tester.core.session_events import Freshness
from idconnect_tester.core.visible_text import escape_hidden
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone


def plain_text(label: QLabel) -> str:
    """What a label says, as words: rich text without its markup."""
    text = label.text()
    text_format = label.textFormat()
    if text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    ):
        return QTextDocumentFragment.fromHtml(text).toPlainText()
    return text


def with_hidden_shown(text: str) -> str:
    """`text` with the characters a person can't see, or that redraw the text around them (a
    right-to-left override turns "evil" into "live"), as their escapes (`\\u202e`); line
    breaks stay. For labels that show words from outside: a server's, a paste's, a file's."""
    return escape_hidden(text, keep="\n")


def plain_tip(text: str) -> str:
    """`text` as a tooltip, shown character for character. Qt renders a tooltip that looks
    like HTML as HTML: a server's or a file's words (an error description, a claim, a profile
    name) could otherwise dress a failure up as a green success, or show a link. A long one
    goes as rich text too — escaped, so still character for character — because Qt wraps only
    those: a plain line ran past the screen's edge (a check row quoting two issuers)."""
    text = with_hidden_shown(text)
    if not QtGui.Qt.mightBeRichText(text) and len(text) <= _TIP_WRAPS_FROM:
        return text
    # Escaped, its spaces and line breaks kept: the same characters, wrapped at the spaces.
    return f'<p style="white-space: pre-wrap">{html.escape(text, quote=False)}</p>'


_TIP_WRAPS_FROM = 100  # characters: longer plain tooltips are wrapped


_YES_NO = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No


def ask(
    parent: QWidget,
    title: str,
    question: str,
    buttons: QMessageBox.StandardButton = _YES_NO,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.No,
) -> QMessageBox.StandardButton:
    """A question in a message box, as `QMessageBox.question` asks it, but in plain text: it
    may name a profile, and an imported file names those."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(default)
    give_mnemonics(box.buttons())
    return QMessageBox.StandardButton(box.exec())


def give_mnemonics(buttons: Iterable[QAbstractButton]) -> None:
    """An Alt+letter for each button that has none: Qt gives Yes and No theirs, but not
    Discard, Save or Cancel ("Alt+D does nothing")."""
    buttons = list(buttons)
    taken = mnemonic_letters(button.text() for button in buttons)
    for button in buttons:
        button.setText(with_mnemonic(button.text(), taken))


def mnemonic_letters(texts: Iterable[str]) -> set[str]:
    """The Alt+letters `texts` have already (lower case)."""
    return {text[text.index("&") + 1].lower() for text in texts if "&" in text[:-1]}


def with_mnemonic(text: str, taken: set[str]) -> str:
    """`text` with an Alt+letter, the first of its letters not in `taken` (lower case), which
    joins `taken`. Text that has one already, or whose letters are all taken, stays as it is."""
    if "&" in text or not text:
        return text
    free = next((i for i, c in enumerate(text) if c.isalpha() and c.lower() not in taken), None)
    if free is None:
        return text
    taken.add(text[free].lower())
    return f"{text[:free]}&{text[free:]}"


def ask_text(
    parent: QWidget, title: str, label: str, text: str = "", *, columns: int = 40
) -> tuple[str, bool]:
    """A line of text asked for, as `QInputDialog.getText` asks it, in a dialog wide enough
    for `columns` characters: Qt's own fits its label only, and cut its title ("Renam…
    rofile") and a name being typed."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    dialog.resize(
        max(dialog.sizeHint().width(), dialog.fontMetrics().averageCharWidth() * columns),
        dialog.sizeHint().height(),
    )
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.textValue(), accepted


def narrow_minimum(label: QLabel, hint: QSize) -> QSize:
    """The minimum size of a word-wrapped label, no wider than about 16 characters.

    QLabel wraps between words only, so its minimum width is its longest word. A 400-character
    profile name or a server's unbroken value then set its panel's minimum width, and pushed
    the panel — and the window — past the screen's edge. Capped, such a word is cut at the
    panel's edge instead; `text()`, selection and screen readers still have all of it."""
    if not label.wordWrap():
        return hint
    return QSize(min(hint.width(), 16 * label.fontMetrics().averageCharWidth()), hint.height())


def as_tall_as_its_text(label: QLabel, hint: QSize) -> QSize:
    """`hint`, as tall as the label's wrapped text at the width it has (before it has one, at
    the hint's): QLabel's own hint wraps at a guessed narrow width, and in a form that left a
    gap of lines it does not use."""
    width = label.width() if label.width() > 0 else hint.width()
    return QSize(hint.width(), label.heightForWidth(width))


def height_follows_width(label: QLabel, event: QResizeEvent) -> None:
    """A wrapped label's height hint follows its width: at a new width its layout asks again.
    A hint kept from a narrower width (a layout restored at start-up) left unused lines."""
    if event.size().width() != event.oldSize().width():
        label.updateGeometry()


class WrappingLabel(QLabel):
    """A word-wrapped label for text that comes from outside (names, servers, file paths):
    shown as plain text (never as markup), it wraps, and never makes its panel wider
    (`narrow_minimum`)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)
        self.setWordWrap(True)

    def setText(self, text: str, /) -> None:
        super().setText(with_hidden_shown(text))

    def minimumSizeHint(self) -> QSize:
        return narrow_minimum(self, super().minimumSizeHint())


class ValueLabel(QLabel):
    """A label that shows a value — a token, a status, the time left — readable by screen
    readers as what it is *and* what it says.

    Qt exports a label's accessible name in place of its text, and a label has no other way
    (no value, no text interface) to hand its text to AT-SPI or UI Automation. So the name says
    what the value is ("Access token") and the accessible description is the value itself,
    whole (even when it is painted elided), kept in step with every `setText`. A tooltip's
    detail, which the description would otherwise hide, is read after the value.

    A value is plain text, as are its tooltip's words: a server's words are never markup. A
    label of the app's own words with markup in it says so (`setTextFormat`)."""

    def __init__(self, what: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tip = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(what)
        self.setText(text)

    def setText(self, text: str, /) -> None:
        shown = with_hidden_shown(text)
        if shown != self.text():  # panels set every value on every render: most stay
            super().setText(shown)
            self._describe()

    def setToolTip(self, tip: str, /) -> None:
        if tip != self._tip:
            self._tip = tip
            super().setToolTip(plain_tip(tip))
            self._describe()

    def minimumSizeHint(self) -> QSize:
        return narrow_minimum(self, super().minimumSizeHint())

    def _describe(self) -> None:
        value, tip = plain_text(self), self._tip
        described = f"{value} — {tip}" if value and tip and tip not in value else value or tip
        self.setAccessibleDescription(described)


class ElidedLabel(ValueLabel):
    """A label whose `text()` is the whole value but which paints it elided (in the middle by
    default), so a 400-character token fits the panel and still shows its prefix and its last
    characters — and a long message never makes its window wider."""

    def __init__(
        self,
        what: str,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(what, text, parent)
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def minimumSizeHint(self) -> QSize:
        metrics = QFontMetrics(self.font())
        return QSize(metrics.horizontalAdvance("M" * 8), metrics.height())

    def shown_text(self) -> str:
        """The text as painted: cut to the label's width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), self._mode, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.text():
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())


def announce(widget: QWidget, text: str) -> None:
    """Have screen readers say `text` (politely: after what they are saying) — for a result
    that shows nowhere they would look, such as "Copied"."""
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)


class CopyButton(QToolButton):
    """Copies a value supplied on click (so it is always the current, whole value)."""

    def __init__(self, what: str, parent: QWidget | None = None, *, label: str = "Copy") -> None:
        super().__init__(parent)
        self._what = what
        self._value = ""
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setToolTip(f"Copy the whole {what}")
        self.setEnabled(False)
        self.clicked.connect(self._copy)
        # A child timer dies with the button: no callback into a deleted widget.
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(1200)
        self._restore.timeout.connect(lambda: self._show(label))
        self._show(label)

    def _show(self, text: str) -> None:
        self.setText(text)
        # The new name is spoken to whoever has the focus here (changing the text alone
        # changes nothing a screen reader hears: the accessible name takes its place).
        verb = text.split()[0]
        self.setAccessibleName(f"{verb} {self._what}")

    def set_value(self, value: str) -> None:
        self._value = value
        self.setEnabled(bool(value))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._value)
        self._show("Copied")
        announce(self, f"Copied {self._what}")
        self._restore.start()


class ValueField(QWidget):
    """A read-only value (elided in the middle, monospace) with its copy button."""

    def __init__(self, object_name: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(what)
        self.label.setObjectName(object_name)
        self.label.setFont(monospace_font())
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


class ValueNote(ValueLabel):
    """A value that wraps (a note under a token): as tall as its text at the width it has, and
    never wider than its panel. In a form, QLabel's own hint — wrapped at a guessed narrow
    width — left a gap above and below it, and scrolled a panel that had the room."""

    def __init__(self, what: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(what, parent=parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return as_tall_as_its_text(self, hint) if self.text() else QSize(hint.width(), 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height_follows_width(self, event)


class WrappedNote(QLabel):
    """A word-wrapped note as tall as its text at the width it has, and at least `lines` lines.

    QLabel's own size hint wraps the text at a guessed narrow width, so in a form it came out
    several lines taller than its text (a gap above it). The minimum keeps the room a note
    usually needs, so filling it in (or changing it) doesn't move the rows below."""

    def __init__(self, object_name: str, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setMinimumHeight(lines * self.fontMetrics().lineSpacing())

    def setText(self, text: str, /) -> None:
        super().setText(with_hidden_shown(text))

    def sizeHint(self) -> QSize:
        hint = as_tall_as_its_text(self, super().sizeHint())
        return hint.expandedTo(QSize(0, self.minimumHeight()))

    def minimumSizeHint(self) -> QSize:
        return narrow_minimum(self, super().minimumSizeHint())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height_follows_width(self, event)


class _FieldDescription:
    """A message under a field is also the field's accessible description (`tie_to`), so a
    screen reader reads it with the field."""

    _field: QWidget | None = None

    def tie_to(self, field: QWidget) -> None:
        self._field = field
        self._describe_field(self.text())  # type: ignore[attr-defined]

    def _describe_field(self, text: str) -> None:
        if self._field is not None:
            # Empty: the field's own description (a line edit's placeholder) comes back.
            self._field.setAccessibleDescription(text)


def _smaller(label: QLabel) -> None:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)


class FieldMessage(_FieldDescription, QLabel):
    """The message shown under a form field: an error (red) or a warning (amber); hidden when
    there is nothing to say — except while its field is being typed in: a message that goes
    at the first character typed keeps its room, so the rows below don't jump under the
    pointer (they close up at the next change made elsewhere)."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)  # it may quote what was typed or pasted
        self.setWordWrap(True)
        self.setVisible(False)
        _smaller(self)

    def show_message(self, text: str, tone: Tone, details: str = "") -> None:
        """`text` under the field (wrapped: all of it shows); `details`, the whole sentence
        behind a short note, in its tooltip."""
        self.setMinimumHeight(0)
        self.setText(with_hidden_shown(text))
        self.setToolTip(details)
        set_tone(self, tone)
        self.setVisible(bool(text))
        self._describe_field(text)

    def clear_message(self, *, keep_room: bool = False) -> None:
        keeping = keep_room and not self.isHidden()
        # Empty, a label is shorter than its line: its height is what keeps the room.
        self.setMinimumHeight(self.height() if keeping else 0)
        self.setText("")
        self.setVisible(keeping)
        self._describe_field("")


class MessageLine(_FieldDescription, ElidedLabel):
    """The message under a request field: one line that is always there (empty when all is
    well), so the fields below never move as messages come and go while the user types. A
    message longer than the line ends in "…"; `text()` and the tooltip have all of it."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__("Message", parent=parent, mode=Qt.TextElideMode.ElideRight)
        self.setObjectName(object_name)
        _smaller(self)
        self.setMinimumHeight(self.fontMetrics().lineSpacing())

    def show_message(self, text: str, tone: Tone, details: str = "") -> None:
        """`text` on the line; `details`, the whole sentence behind a short note, in its
        tooltip after it."""
        self.setText(text)
        self.setToolTip(f"{text}\n{details}" if details else text)
        set_tone(self, tone)
        self._describe_field(text)

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


class FreshnessLine(ElidedLabel):
    """The line at the top of a result panel that says, in words nobody misses, that what the
    panel shows is not the latest result for the current target. (Where a current result came
    from is said in the panel's dock title: it needs no line of its own.) One line, whatever
    the panel's width: three panels say it at once after a failure, and on a laptop's screen
    wrapped notes would push what they mark out of view. The note starts with why and ends
    with when its result came: cut short, it loses its middle (tryout AG: "…; this is…" lost
    the time of the result it marks). The tooltip and `text()` have all of it."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__("Not the latest result", parent=parent)
        self.setObjectName(object_name)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        set_tone(self, Tone.WARNING)
        self._says_when = False
        self._freshness: Freshness | None = None
        self.show_freshness(None)

    def say_when(self, on: bool) -> None:
        """Say where a *current* result came from too ("From the … exchange at 14:02:11"), in
        grey: for a panel that is a tab in a short screen's long row, whose title has no room
        for the time."""
        self._says_when = on
        self.show_freshness(self._freshness)

    def show_freshness(self, freshness: Freshness | None) -> None:
        self._freshness = freshness
        stale = freshness is not None and freshness.stale
        said = freshness is not None and (stale or freshness.aside or self._says_when)
        note = freshness.note if freshness is not None and said else ""
        self.setText(f"⚠ {note}" if stale else note)
        self.setToolTip(note)
        set_tone(self, Tone.WARNING if stale else Tone.MUTED)
        self.setVisible(said)
        self.update()

    def shown_text(self) -> str:
        """All of the note where it fits; else its short form, cut in the middle if need be."""
        freshness = self._freshness
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        if (
            freshness is None
            or not freshness.short
            or metrics.horizontalAdvance(self.text()) <= width
        ):
            return super().shown_text()
        short = f"⚠ {freshness.short}" if freshness.stale else freshness.short
        return metrics.elidedText(short, Qt.TextElideMode.ElideMiddle, width)


def correct_to_nearest(box: QAbstractSpinBox) -> None:
    """A typed value out of the box's range becomes the nearest limit when the box is left:
    Qt's default puts the previous value back, without a word, and the nearest limit is
    closer to what was asked for."""
    box.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)


def mark_stale(panel: QWidget, freshness: Freshness | None) -> None:
    """The panel's `stale` property: true while it shows something other than the latest result
    for the current target (scripts and tests read it; stylesheets may use it)."""
    panel.setProperty("stale", freshness is not None and freshness.stale)


def name_clear_button(edit: QLineEdit, what: str) -> None:
    """A name for the line edit's clear (×) button, which Qt leaves nameless."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        button.setAccessibleName(f"Clear {what}")
        button.setToolTip(f"Clear {what}")


class RowTree(QTreeWidget):
    """A read-only table of rows whose keyboard focus shows: the whole row, and tabbing in
    selects the row Qt makes current (otherwise only a faint frame around its first cell)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAllColumnsShowFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt names it
        # Qt's own Ctrl+C copies the current cell's text: a check's name, without the reason
        # that a narrow panel cuts short — which a keyboard can't hover to read (tryout AA).
        if event.matches(QKeySequence.StandardKey.Copy) and self.selectedItems():
            self.copy_selected_rows()
            return
        super().keyPressEvent(event)

    def copy_selected_rows(self) -> None:
        """The selected rows whole, a line each and their cells apart by tabs, in the order
        they are listed."""
        rows = sorted(self.selectedItems(), key=self.indexOfTopLevelItem)
        columns = range(self.columnCount())
        text = "\n".join("\t".join(item.text(column) for column in columns) for item in rows)
        QGuiApplication.clipboard().setText(text)
        announce(self, "Copied" if len(rows) == 1 else f"Copied {len(rows)} rows")

    def at_least_one_row(self) -> None:
        """Ask for no more than the header and one row: on a laptop's short dock the table
        gives way (and scrolls inside) before the buttons under it leave the panel."""
        header = self.header().sizeHint().height()
        self.setMinimumHeight(header + self.fontMetrics().lineSpacing() + 2 * self.frameWidth())

    def sizeHint(self) -> QSize:
        return _asking_for_its_minimum_height(self, super().sizeHint())

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # makes the first row current when none is
        current = self.currentItem()
        by_keyboard = event.reason() != Qt.FocusReason.MouseFocusReason
        if by_keyboard and current is not None and not self.selectedItems():
            current.setSelected(True)


class _WrappedRows(QStyledItemDelegate):
    """Rows as tall as their text wrapped at its column's width: a tree view's own size hint
    ignores the width, so a long cell is elided on one line even with word wrap on."""

    def __init__(self, view: QTreeWidget) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        style = self._view.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._view) + 1
        width = max(1, self._view.columnWidth(index.column()) - 2 * margin)
        box = QRect(0, 0, width, 100_000)
        text = shown.fontMetrics.boundingRect(box, Qt.TextFlag.TextWordWrap, shown.text)
        return QSize(hint.width(), max(hint.height(), text.height() + 2))


def wrap_rows(view: QTreeWidget) -> None:
    """Long cells wrap onto more lines instead of being elided (the tooltip had the rest)."""
    view.setWordWrap(True)
    view.setItemDelegate(_WrappedRows(view))
    view.header().sectionResized.connect(lambda *_: view.doItemsLayout())


class PaneSplitter(QSplitter):
    """A splitter of panes that grow with the panel they are in (rows above, text below)."""

    def sizeHint(self) -> QSize:
        return _asking_for_its_minimum_height(self, super().sizeHint())


def _asking_for_its_minimum_height(widget: QWidget, hint: QSize) -> QSize:
    """`hint`, no taller than the widget's minimum. For a view that takes whatever height its
    panel has: when the panel also wraps text, Qt's scroll area treats the panel's preferred
    height as its minimum and scrolls the whole panel in a short dock. Asking for little, the
    view shrinks first and scrolls inside itself; given room, it still takes all of it."""
    return QSize(hint.width(), min(hint.height(), widget.minimumSizeHint().height()))


def hide_while_covered(dock: QDockWidget) -> None:
    """Hide the dock's content while another dock's tab covers it.

    Qt keeps a dock behind a tab "visible" and moves it out of the window: Tab would stop on
    controls nobody can see, and screen readers would read them as showing. Hidden, they are
    neither; the content keeps its size, so the dock area doesn't change when tabs switch."""

    def follow(visible: bool) -> None:
        content = dock.widget()
        if content is not None:
            policy = content.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            content.setSizePolicy(policy)
            content.setVisible(visible)

    dock.visibilityChanged.connect(follow)


class FormColumn(QWidget):
    """A column of forms whose notes wrap. Its size hint is its height at the width it has:
    Qt's scroll area keeps a wrapping widget no shorter than the widget's size hint, and the
    hint QLabel and the form layouts guess (at a narrower width, so more lines) would scroll
    a column that fits."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if not self.testAttribute(Qt.WidgetAttribute.WA_Resized) or not self.hasHeightForWidth():
            return hint  # not laid out yet: Qt's guess is all there is
        return QSize(self.width(), self.heightForWidth(self.width()))


class LayoutWatch(QObject):
    """Says when a widget's layout is done again — a row or a note came, went or wrapped — so
    the window can give it the room it now needs: once per turn of the event loop, after the
    layout pass, when the sizes are known."""

    relaid_out = Signal()

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._after_the_pass = QTimer(self)
        self._after_the_pass.setSingleShot(True)
        self._after_the_pass.setInterval(0)
        self._after_the_pass.timeout.connect(self.relaid_out)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.LayoutRequest:
            self._after_the_pass.start()
        return False


class _AskingForAll(QScrollArea):
    """A scroll area whose size hint is its content's whole height: Qt's caps it at 24 lines,
    and a dialog sized to it scrolls on a screen with room for all of it."""

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        frame = 2 * self.frameWidth()
        hint = content.sizeHint()
        return QSize(
            hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height() + frame
        )


def scrolling_up_and_down(content: QWidget, *, ask_for_all: bool = False) -> QScrollArea:
    """`content` in a scroll area that scrolls up and down only when it must (a short screen,
    200% scaling) — never sideways: the area can't get narrower than the content. With
    `ask_for_all`, its size hint is the content's whole height (a dialog's fields)."""
    area = _AskingForAll() if ask_for_all else QScrollArea()
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame, not a Tab stop
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    scrollbar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(content.minimumSizeHint().width() + scrollbar)
    _FocusInView(area)
    return area


def less_room_above_and_below(panel: QWidget) -> None:
    """Half the usual margin above and below a panel in a dock: the dock's title bar already
    sets it apart, and on a laptop's screen the three panels in a column need those lines."""
    layout = panel.layout()
    if layout is not None:
        margins = layout.contentsMargins()
        layout.setContentsMargins(
            margins.left(), margins.top() // 2, margins.right(), margins.bottom() // 2
        )


def no_row_cut_at_the_top(area: QScrollArea, keep: Sequence[QWidget]) -> None:
    """Scrolled part way into a row, the area's top edge cuts its label and field in half (at
    200% the request column opens on Send under half a Profile row): scroll back to that
    row's start, or on past its end, whichever keeps each widget in `keep` whole in view."""
    content, bar = area.widget(), area.verticalScrollBar()
    top = bar.value()
    if content is None or top == 0:
        return
    parts = (
        _rect_in(content, control)
        for control in content.findChildren(QWidget)
        if isinstance(control, _ROW_PARTS) and control.isVisibleTo(content)
    )
    cut = [rect for rect in parts if rect.top() < top <= rect.bottom()]
    if not cut:
        return
    row_start = min(rect.top() for rect in cut)
    row_end = min(max(rect.bottom() + 1 for rect in cut), bar.maximum())
    for value in (row_start, row_end):
        room = QRect(0, value, content.width(), area.viewport().height())
        if all(room.contains(_rect_in(content, widget)) for widget in keep):
            bar.setValue(value)
            return


def _rect_in(content: QWidget, widget: QWidget) -> QRect:
    """`widget`'s rectangle in `content`'s coordinates (it lies somewhere inside it)."""
    return QRect(widget.mapTo(content, QPoint(0, 0)), widget.size())


# What a row of a form shows: its label, its field, its buttons.
_ROW_PARTS = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)


class _FocusInView(QObject):
    """Scrolls its area to the widget that gets the focus inside it. Tab does that already; a
    mnemonic (Alt+A) does not, and the person would type into a field they can't see."""

    def __init__(self, area: QScrollArea) -> None:
        super().__init__(area)  # goes with the area (and so does the connection)
        self._area = area
        app = QGuiApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not isValid(self._area):  # the focus moves while a closing dialog is torn down
            return
        content = self._area.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            self._area.ensureWidgetVisible(new)


class _WheelGuard(QObject):
    """A wheel turned over a combo box or spin box that doesn't have the focus scrolls the
    page it sits in instead of changing the value (scrolling the form must not change the
    grant type). Ignored and still 'handled' here, the event goes on to the parents."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        unfocused = isinstance(watched, QWidget) and not watched.hasFocus()
        if event.type() == QEvent.Type.Wheel and unfocused:
            event.ignore()
            return True
        return False


_WHEEL_GUARD = _WheelGuard()


def guard_wheel(root: QWidget) -> None:
    """Every combo box and spin box under `root` changes by wheel only once it has the focus
    (it takes the focus by click or Tab, not by the wheel)."""
    for kind in (QComboBox, QAbstractSpinBox):
        for widget in root.findChildren(kind):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(_WHEEL_GUARD)


def first_control(panel: QWidget) -> QWidget | None:
    """The first widget under `panel`, in Tab order, that Tab would stop at now."""
    widget = panel.nextInFocusChain()
    while widget is not panel and widget is not None:
        if (
            panel.isAncestorOf(widget)
            and widget.isVisibleTo(panel)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(widget, QScrollArea)  # a panel's frame, not a control
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None


class _ReturnClicks(QObject):
    """Return or Enter on a focused tool button (Copy) clicks it, as on a push button."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if (
            isinstance(watched, QToolButton)
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            watched.animateClick()
            return True
        return False


_RETURN_CLICKS = _ReturnClicks()


def return_presses_buttons(root: QWidget) -> None:
    """Return and Enter press the focused button under `root`, as they do in a dialog: outside
    one, Qt's buttons take Space only, and most people press Return on the button they see
    focused. (An auto-default button only acts while it has the focus.)"""
    for button in root.findChildren(QPushButton):
        button.setAutoDefault(True)
    for tool in root.findChildren(QToolButton):
        tool.installEventFilter(_RETURN_CLICKS)


class MomentTimer(QTimer):
    """Fires once at a moment of the clock (an expiry), not after a wait: `at(None)` stops it.
    Precise: a coarse timer may fire 5% of its wait early or late — 4 s either side of a 90 s
    token's expiry, "live" beside a countdown at zero."""

    _LONGEST_MS = 2**31 - 1  # QTimer's longest wait: a later moment is waited for again

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setSingleShot(True)
        self.setTimerType(Qt.TimerType.PreciseTimer)

    def at(self, moment: datetime | None) -> None:
        if moment is None:
            self.stop()
            return
        wait_ms = (moment - datetime.now(UTC)).total_seconds() * 1000
        # A few ms late rather than early: at the moment itself, the change has come.
        self.start(min(self._LONGEST_MS, max(0, round(wait_ms)) + 5))
