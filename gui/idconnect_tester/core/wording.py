"""Small helpers for sentences shown to people."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 character`, `2 characters`, `1,024 bytes`: a number with its noun in the right form.

    `plural` is for nouns that don't just take an "s" (`counted(2, "entry", "entries")`).
    """
    form = noun if count == 1 else (plural if plural is not None else noun + "s")
    return f"{count:,} {form}"


def clock_time(moment: datetime) -> str:
    """`14:02:11` in local time: how the panels name the moment of an exchange."""
    return f"{moment.astimezone():%H:%M:%S}"


def clock_time_on(moment: datetime, now: datetime) -> str:
    """`14:02:11` today, `2026-12-02 14:02:11` on another day (local time): a moment a day
    away must not read as one that has passed."""
    local = moment.astimezone()
    same_day = local.date() == now.astimezone().date()
    return f"{local:%H:%M:%S}" if same_day else f"{local:%Y-%m-%d %H:%M:%S}"


def sentence_case(text: str) -> str:
    """`text` with its first letter in upper case and the rest as it is: `str.capitalize`
    lowers the rest, names too ("Auto-refresh of short ttl's tokens" for "Short TTL")."""
    return text[:1].upper() + text[1:]


def sentences(parts: Iterable[str]) -> str:
    """Notes written as clauses, run together as sentences: each ends in a full stop unless
    it ends in one already (`"Skipped 'a': no URL"` + `"Enter the secret."`)."""
    return " ".join(part if part.endswith((".", "!", "?")) else f"{part}." for part in parts)
