"""Small helpers for sentences shown to people."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 character`, `2 characters`, `1,024 bytes`: a number with its noun in the right form.

    `plural` is for nouns that don't just take an "s" (`counted(2, "entry", "entries")`).
    """
    form = noun if count == 1 else (plural if plural is not None else noun + "s")
    return f"{count:,} {form}"
