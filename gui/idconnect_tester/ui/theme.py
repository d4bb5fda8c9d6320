"""Colours and fonts that follow the system's light or dark scheme.

The app uses Qt's Fusion style everywhere (the same look on every platform, and it honours the
palette), and derives its few status colours from whether the palette is dark, so they stay
readable in both schemes.

Readable means WCAG 2.1 AA, checked by tests/ui/test_contrast.py: every text colour reaches
4.5:1 against the backgrounds it is drawn on (window, fields, alternate table rows) — the status
tones, placeholders and disabled text included — and the outline of a checkbox or radio button
reaches 3:1 against the window, as does the edge of a text field, a spin box or a combo box.
Fusion derives those outlines from the window colour (darker by 40%), which left unticked
boxes, fields and spin boxes at ~1.2:1 in the dark scheme; `_AppStyle` draws them again. The
control with the keyboard focus gets a two-pixel edge in the link blue (3:1 or more against the
window in both schemes), on buttons and fields alike. It
draws the edge of a popup menu (menu bar, context menu, combo list) in the same colour:
Fusion's is darker than the window by a shade, so a dark menu over a dark window had no
visible edge. A dock's float and close buttons get a glyph of 3:1 in either scheme.

A widget's tone is remembered (a dynamic property) and painted again whenever the scheme
changes: a colour picked for the light scheme stays ~2.4:1 on the dark one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComboBox,
    QStyleOptionComplex,
    QStyleOptionSpinBox,
    QStyleOptionTab,
    QTabBar,
    QWidget,
)

from idconnect_tester.core.tone import Tone

__all__ = [
    "SCHEMES",
    "Colours",
    "Tone",
    "apply_style",
    "clear_tone",
    "colours",
    "is_dark",
    "outline_colour",
    "set_tone",
    "tone_of",
]

_TONE_PROPERTY = "tone"


@dataclass(frozen=True)
class Colours:
    ok: QColor
    warning: QColor
    error: QColor
    muted: QColor
    # A muted *fill* (an older countdown's bar): muted text has to stand out to be read, but
    # a bar in that light grey outshone the live green ones beside it in the dark scheme.
    muted_fill: QColor

    def for_tone(self, tone: Tone) -> QColor:
        return {Tone.OK: self.ok, Tone.WARNING: self.warning, Tone.ERROR: self.error}.get(
            tone, self.muted
        )

    def fill_for_tone(self, tone: Tone) -> QColor:
        return self.muted_fill if tone is Tone.MUTED else self.for_tone(tone)


_LIGHT = Colours(
    QColor("#17703a"), QColor("#8c5300"), QColor("#b3261e"), QColor("#595d62"), QColor("#8a8f96")
)
_DARK = Colours(
    QColor("#6fd08c"), QColor("#f2b84b"), QColor("#ff8a80"), QColor("#a8adb4"), QColor("#6b7078")
)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colours() -> Colours:
    return _DARK if is_dark() else _LIGHT


def monospace_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def set_tone(widget: QWidget, tone: Tone) -> None:
    """Colour a label-like widget's text for its tone, in this scheme and the next."""
    if widget.property(_TONE_PROPERTY) == tone.value:
        return  # painted in it already (a change of scheme paints every tone again)
    widget.setProperty(_TONE_PROPERTY, tone.value)
    _paint_tone(widget, tone)


def tone_of(widget: QWidget) -> Tone | None:
    """The tone `set_tone` gave the widget, or None (the scheme's own colour)."""
    value = widget.property(_TONE_PROPERTY)
    return Tone(value) if value else None


def clear_tone(widget: QWidget) -> None:
    """Back to the scheme's own text colour."""
    widget.setProperty(_TONE_PROPERTY, None)
    widget.setPalette(QPalette())  # an empty palette: every colour from the parent's


def _paint_tone(widget: QWidget, tone: Tone) -> None:
    # Only the two text roles are set: the widget's other colours still follow the scheme.
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.WindowText, colours().for_tone(tone))
    palette.setColor(QPalette.ColorRole.Text, colours().for_tone(tone))
    widget.setPalette(palette)


def _repaint_tones(app: QApplication) -> None:
    for widget in app.allWidgets():
        if (tone := tone_of(widget)) is not None:
            _paint_tone(widget, tone)


def outline_colour(palette: QPalette) -> QColor:
    """The outline of checkboxes and radio buttons: the window's text colour, mixed into the
    window colour just enough to stand 3:1 or more against it (a full-strength outline would
    shout)."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    for percent in range(40, 101, 5):
        mixed = _mix(window, text, percent / 100)
        if contrast_ratio(mixed, window) >= 3.2:
            return mixed
    return text


def _channels(colour: QColor) -> tuple[float, float, float]:
    return colour.redF(), colour.greenF(), colour.blueF()


def _mix(base: QColor, other: QColor, share: float) -> QColor:
    """`share` of `other` over `base`."""
    mixed = (b + (o - b) * share for b, o in zip(_channels(base), _channels(other), strict=True))
    return QColor.fromRgbF(*mixed)


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.1's relative luminance of an opaque colour."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2.1's contrast ratio, 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _draw_popup_edge(painter: QPainter, option: QStyleOption) -> None:
    """A popup floats over the window: its edge is what tells it apart. Fusion draws it in the
    window colour 60% darker — 1.1:1 against the dark window, the menu itself a shade darker
    still — so a dark menu had no edge at all. One pixel, square, in the outline colour."""
    painter.save()
    painter.setPen(QPen(outline_colour(option.palette), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
    painter.restore()


def _draw_selected_tab_mark(painter: QPainter, option: QStyleOptionTab) -> None:
    rect, shape, width = option.rect, option.shape, 2
    south = (QTabBar.Shape.RoundedSouth, QTabBar.Shape.TriangularSouth)
    west = (QTabBar.Shape.RoundedWest, QTabBar.Shape.TriangularWest)
    east = (QTabBar.Shape.RoundedEast, QTabBar.Shape.TriangularEast)
    if shape in south:
        mark = QRect(rect.left(), rect.bottom() - width + 1, rect.width(), width)
    elif shape in west:
        mark = QRect(rect.left(), rect.top(), width, rect.height())
    elif shape in east:
        mark = QRect(rect.right() - width + 1, rect.top(), width, rect.height())
    else:
        mark = QRect(rect.left(), rect.top(), rect.width(), width)
    # The link blue, not the selection's: that one is dark enough for white text on it, and
    # so under 3:1 against the dark window.
    painter.fillRect(mark, option.palette.color(QPalette.ColorRole.Link))


def _has_focus(option: QStyleOption) -> bool:
    state = option.state
    return bool(state & QStyle.StateFlag.State_HasFocus and state & QStyle.StateFlag.State_Enabled)


def _draw_field_edge(painter: QPainter, option: QStyleOption, *, round_: bool = False) -> None:
    """The one-pixel edge of a control (a text field, a spin box, a combo box, a checkbox;
    `round_`: a radio button), over the faint one Fusion drew — or, with the keyboard focus,
    the focus edge."""
    if _has_focus(option):
        _draw_focus_edge(painter, option, round_=round_)
    else:
        _stroke_edge(painter, option.rect, outline_colour(option.palette), 1, round_=round_)


def _draw_focus_edge(painter: QPainter, option: QStyleOption, *, round_: bool = False) -> None:
    """Where the keyboard is: two pixels of the link blue round the control. Fusion's focus
    edge is the selection blue made darker, ~1.9:1 on a dark button; the link blue stands 3:1
    or more against the window in either scheme (the selected tab's mark), and two pixels
    tell it from the one-pixel edge of the controls around it."""
    link = option.palette.color(QPalette.ColorRole.Link)
    _stroke_edge(painter, option.rect, link, 2, round_=round_)


def _stroke_edge(
    painter: QPainter, rect: QRect, colour: QColor, width: int, *, round_: bool
) -> None:
    """`width` pixels of `colour` along the inside of `rect`: corners slightly rounded, or an
    ellipse."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(colour, width))
    inset = width / 2
    box = QRectF(rect).adjusted(inset, inset, -inset, -inset)
    if round_:
        painter.drawEllipse(box)
    else:
        painter.drawRoundedRect(box, 1 + inset, 1 + inset)
    painter.restore()


# A dock's float and close buttons: Fusion draws their glyphs in a fixed dark grey, 1.3:1 on the
# dark window. This grey stands 3:1 or more against the window of either scheme (3.4:1 on the
# light one, 3.5:1 on the dark), so one icon serves both and a scheme switch needs no new one.
_TITLE_BUTTON_GLYPH = QColor("#808080")
_TITLE_BUTTONS = (
    QStyle.StandardPixmap.SP_DockWidgetCloseButton,
    QStyle.StandardPixmap.SP_TitleBarCloseButton,
    QStyle.StandardPixmap.SP_TitleBarNormalButton,
)


def _in_colour(icon: QIcon, colour: QColor) -> QIcon:
    """`icon` drawn in `colour`, solid: Fusion's glyphs are partly see-through (the float
    button's strongest pixel is 80% opaque at 10 px), which would pale any colour. Laid three
    times over itself, the glyph is solid and keeps its smoothed edge."""
    coloured = QIcon()
    for size in icon.availableSizes():
        glyph = icon.pixmap(size)
        painter = QPainter(glyph)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(glyph.rect(), colour)
        painter.end()
        solid = QPixmap(glyph.size())
        solid.fill(Qt.GlobalColor.transparent)
        painter = QPainter(solid)
        for _ in range(3):
            painter.drawPixmap(0, 0, glyph)
        painter.end()
        coloured.addPixmap(solid)
    return coloured


class _AppStyle(QProxyStyle):
    """Fusion, with checkbox, radio, text-field, spin-box, combo-box and popup outlines that
    can be seen (see the module docstring)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self._title_buttons: dict[QStyle.StandardPixmap, QIcon] = {}

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        # A spin box (History's "Keep last", the auto-refresh lead) and a combo box get
        # Fusion's window-darker-by-40% edge too, drawn inside the complex control rather than
        # as a PE_FrameLineEdit: 1.2:1 (spin box) and 2.4:1 (combo box) against the dark
        # window, 2:1 in the light one. The edge goes over the outermost pixels only, so the
        # arrows and the line between the field and its buttons stay Fusion's.
        # (A frameless one — a combo box inside a table's cell — has no edge to redraw.)
        if isinstance(option, QStyleOptionSpinBox | QStyleOptionComboBox) and option.frame:
            _draw_field_edge(painter, option)

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        # Fusion tells the tab in front by a fill a shade off the others': in the dark scheme
        # the result tabs looked all alike. A blue line marks it, on the edge away from the
        # panel it shows.
        if element is QStyle.ControlElement.CE_TabBarTabShape and isinstance(
            option, QStyleOptionTab
        ):
            if option.state & QStyle.StateFlag.State_Selected:
                _draw_selected_tab_mark(painter, option)
            if _has_focus(option):
                # Fusion's dotted focus rectangle round a tab's label is ~1.5:1 in either
                # scheme (tryout AI could barely find it): the focus edge, as on any control.
                _draw_focus_edge(painter, option)

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element is QStyle.PrimitiveElement.PE_FrameMenu:
            # Fusion's frame is its faint edge and a bevel inside it: only the visible edge.
            _draw_popup_edge(painter, option)
            return
        super().drawPrimitive(element, option, painter, widget)
        if element is QStyle.PrimitiveElement.PE_PanelMenu:
            # The background of every popup — a menu, a combo box's list — with Fusion's faint
            # edge on its outermost pixels: the visible one over it.
            _draw_popup_edge(painter, option)
            return
        round_ = element is QStyle.PrimitiveElement.PE_IndicatorRadioButton
        # A text field's frame too: Fusion's is 1.2:1 against a dark window (WCAG 1.4.11
        # asks 3:1 for the edge of a control), so a field looked like a label.
        outlined = (
            QStyle.PrimitiveElement.PE_IndicatorCheckBox,
            QStyle.PrimitiveElement.PE_FrameLineEdit,
        )
        if element in outlined or round_:
            _draw_field_edge(painter, option, round_=round_)
        elif element is QStyle.PrimitiveElement.PE_PanelButtonCommand and _has_focus(option):
            _draw_focus_edge(painter, option)
        elif element is QStyle.PrimitiveElement.PE_Frame and _has_focus(option):
            # The frame of a list or a text view (a check table, the claims, the history):
            # Fusion marks none of them when the keyboard is in it — only a selected row, if
            # there is one.
            _draw_focus_edge(painter, option)

    def standardIcon(
        self,
        standard_icon: QStyle.StandardPixmap,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> QIcon:
        if standard_icon not in _TITLE_BUTTONS:
            return super().standardIcon(standard_icon, option, widget)
        # Qt asks again at every dock's every layout (hundreds of times at start-up): the
        # glyph is made once.
        coloured = self._title_buttons.get(standard_icon)
        if coloured is None:
            icon = super().standardIcon(standard_icon, option, widget)
            coloured = self._title_buttons[standard_icon] = _in_colour(icon, _TITLE_BUTTON_GLYPH)
        return coloured

    def polish(
        self, target: QWidget | QApplication | QPalette | QColor | Qt.GlobalColor, /
    ) -> None:
        # Fusion gives a menu no frame (PM_MenuPanelWidth is 0): its items reach its edge, and
        # a highlighted one is painted over it. A pixel of margin keeps them inside. Set here,
        # once a menu, rather than in pixelMetric(), which Qt asks thousands of times a layout.
        if isinstance(target, QMenu):
            target.setContentsMargins(1, 1, 1, 1)
        super().polish(target)


SCHEMES = ("system", "light", "dark")


def _dark_palette() -> QPalette:
    """Fusion only ships a light palette; platforms without a dark theme get this one."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2d30"),
        (roles.WindowText, "#e8e8e8"),
        (roles.Base, "#1f2023"),
        (roles.AlternateBase, "#2b2d30"),
        (roles.Text, "#e8e8e8"),
        (roles.Button, "#3a3d41"),
        (roles.ButtonText, "#e8e8e8"),
        (roles.BrightText, "#ffffff"),
        (roles.Highlight, "#3470c9"),  # white selected text on it: 4.9:1
        (roles.HighlightedText, "#ffffff"),
        (roles.ToolTipBase, "#3a3d41"),
        (roles.ToolTipText, "#e8e8e8"),
        (roles.PlaceholderText, "#8c9097"),
        (roles.Link, "#7fb2ff"),
        (roles.Light, "#4a4d52"),
        (roles.Midlight, "#3f4246"),
        (roles.Mid, "#2f3135"),
        (roles.Dark, "#1a1b1e"),
        (roles.Shadow, "#000000"),
    ):
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#a3a7ad"))
    # A field that is off sits flush with the window, as in Fusion's light palette: it no
    # longer looks like a place to type (Code, while the grant is refresh_token).
    palette.setColor(disabled, roles.Base, QColor("#2b2d30"))
    return palette


def _light_palette(app: QApplication) -> QPalette:
    """Fusion's own light palette, with placeholder and disabled text dark enough to read
    (its half-transparent black placeholder comes out at 3.9:1, its disabled grey at 1.6:1)
    and a selection dark enough for its white text (Fusion's blue gives 3.7:1)."""
    palette = app.style().standardPalette()
    roles = QPalette.ColorRole
    palette.setColor(roles.PlaceholderText, QColor("#6b6b6b"))
    palette.setColor(roles.Highlight, QColor("#2672aa"))  # white selected text on it: 5.2:1
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#6b6b6b"))
    return palette


def apply_style(app: QApplication, scheme: str = "system") -> None:
    """Fusion style in the system's colour scheme, or a chosen one ('light' or 'dark')."""
    if not isinstance(app.style(), _AppStyle):
        app.setStyle(_AppStyle("Fusion"))
    system_dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    dark = scheme == "dark" or (scheme == "system" and system_dark)
    app.setPalette(_dark_palette() if dark else _light_palette(app))
    _repaint_tones(app)
