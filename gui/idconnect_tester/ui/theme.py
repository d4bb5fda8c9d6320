"""Colours and fonts that follow the system's light or dark scheme.

The app uses Qt's Fusion style everywhere (the same look on every platform, and it honours the
palette), and derives its few status colours from whether the palette is dark, so they stay
readable in both schemes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from idconnect_tester.core.session_events import Tone

__all__ = ["SCHEMES", "Colours", "Tone", "apply_style", "colours", "is_dark", "set_tone"]


@dataclass(frozen=True)
class Colours:
    ok: QColor
    warning: QColor
    error: QColor
    muted: QColor

    def for_tone(self, tone: Tone) -> QColor:
        return {Tone.OK: self.ok, Tone.WARNING: self.warning, Tone.ERROR: self.error}.get(
            tone, self.muted
        )


_LIGHT = Colours(QColor("#1b7f3b"), QColor("#9a5b00"), QColor("#b3261e"), QColor("#5f6368"))
_DARK = Colours(QColor("#6fd08c"), QColor("#f2b84b"), QColor("#ff8a80"), QColor("#a8adb4"))


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
    """Colour a label-like widget's text for its tone (works in light and dark schemes)."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colours().for_tone(tone))
    palette.setColor(QPalette.ColorRole.Text, colours().for_tone(tone))
    widget.setPalette(palette)


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
        (roles.Highlight, "#3d7bd9"),
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
        palette.setColor(disabled, role, QColor("#7a7d82"))
    return palette


def apply_style(app: QApplication, scheme: str = "system") -> None:
    """Fusion style in the system's colour scheme, or a chosen one ('light' or 'dark')."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")  # creating a style costs ~6 ms; often it already is Fusion
    system_dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    dark = scheme == "dark" or (scheme == "system" and system_dark)
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())
