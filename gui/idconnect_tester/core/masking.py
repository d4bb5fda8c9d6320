"""Masking of secrets and tokens for anything a person or a file might see.

Two kinds of sensitive value:
- a *secret* (the app secret key, signatures derived from it) is never shown, not even in part;
- a *token* (access, refresh, id token, authorization code) is shown as prefix + last four
  characters, enough to tell two tokens apart in a log without being able to use either.
"""

from __future__ import annotations

from typing import Final

SECRET_MASK: Final = "••••••••"
_ELLIPSIS: Final = "…"

# The vendor prefixes say what kind of token a value is; keeping them visible helps a reader.
_KNOWN_PREFIXES: Final = ("snd-id-con-a-", "snd-id-con-r-", "_act-sbx-", "_act-", "sbx:", "prd:")


class Secret:
    """A string that will not print itself.

    `str()`, `repr()` and f-strings give a mask, so a secret passed to a logger, an exception
    message or a dataclass repr cannot leak. Call `reveal()` where the real value is needed
    (signing), and only there.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({SECRET_MASK if self._value else ''!r})"

    def __str__(self) -> str:
        return SECRET_MASK if self._value else ""

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling a secret would write it somewhere; refuse rather than leak.
        raise TypeError("Secret values cannot be pickled")


def mask_token(value: str, *, keep_last: int = 4) -> str:
    """`snd-id-con-a-WRT7…eop` style: a known vendor prefix (or the first 4 characters), an
    ellipsis, and the last `keep_last` characters. Short values are masked entirely."""
    if not value:
        return ""
    prefix = next((p for p in _KNOWN_PREFIXES if value.startswith(p)), "")
    visible_head = len(prefix) + 4
    if len(value) <= visible_head + keep_last + 4:
        # Too short to show both ends without giving most of it away.
        return (prefix or value[:2]) + _ELLIPSIS
    return value[:visible_head] + _ELLIPSIS + value[-keep_last:]


def mask_secret(value: str) -> str:
    """A secret is never shown, not even its length."""
    return SECRET_MASK if value else ""
