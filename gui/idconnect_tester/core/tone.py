"""How a message should read. The session tags its notices with a tone and the window's theme
picks the colour for it, so the two share this one small module rather than the theme
importing the session's events (and, through them, most of the core)."""

from __future__ import annotations

from enum import StrEnum


class Tone(StrEnum):
    """How a message should read: fine, worth a look, wrong, or just information."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    MUTED = "muted"
