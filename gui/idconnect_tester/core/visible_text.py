"""Text from a token or a server, shown so that a person reads what it holds.

A character that can't be seen, or that changes how the text around it is drawn, lets a value
look like another: a RIGHT-TO-LEFT OVERRIDE (U+202E) in `"sub": "\\u202etxt.exe"` draws the value
reversed and seems to move its closing quote, a zero-width space hides inside an equal-looking
`kid`, a LINE SEPARATOR (U+2028) breaks a value onto what looks like a line of its own. Such
characters are shown as the JSON escapes that spell them (`\\u202e`): in JSON the text then still
means the same value, and the character is plain to see. Letters of any script (José, 東京) are
left as they are: they are what the value says.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Final

# Cc: control characters (C0, DEL, C1). Cf: format characters — bidi overrides, embeddings and
# isolates, zero-width space/joiners, the BOM, soft hyphen, tag characters. Cs: a lone surrogate
# (JSON's \ud800 decodes to one), which no font can draw. Zl, Zp: LINE and PARAGRAPH SEPARATOR,
# which a text view breaks the line at.
HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Printable ASCII never needs a look: the callback only sees the rest, so the usual
# all-ASCII JSON costs one regex scan and a call per line break.
_MAYBE_HIDDEN: Final = re.compile(r"[^\x20-\x7e]+")

JSON_LINE_BREAKS: Final = "\n"  # what json.dumps(indent=…) writes between members: kept


def is_hidden(character: str) -> bool:
    """Whether `character` is one a person can't see, or one that redraws the text around it."""
    return unicodedata.category(character) in HIDDEN_CATEGORIES


def json_escape(character: str) -> str:
    """`character` as a JSON escape: `\\u202e`; one beyond the BMP as its UTF-16 surrogate pair,
    which is how JSON spells it (RFC 8259 §7)."""
    code = ord(character)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_hidden(text: str, keep: str = JSON_LINE_BREAKS) -> str:
    """`text` with every hidden character (`is_hidden`) but those in `keep` shown as its JSON
    escape. Inside a JSON string the escape means the same character, so JSON text stays
    valid and means the same value."""

    seen = text
    for character in keep:
        seen = seen.replace(character, "")
    if seen.isprintable():
        # No control, format or separator character at all (Python's "printable" leaves out
        # every hidden category): the usual case, found without a look at each character.
        return text

    def escaped(run: re.Match[str]) -> str:
        return "".join(
            json_escape(character) if character not in keep and is_hidden(character) else character
            for character in run.group()
        )

    return _MAYBE_HIDDEN.sub(escaped, text)


def visible_json(value: Any) -> str:
    """`value` as indented JSON for a person to read: letters as they are (not `\\u00e9`), and
    hidden characters — in keys and values alike — as escapes. `json.dumps` escapes only C0
    controls itself; everything else it writes raw. Every raw newline in its output is one it
    put between members (a newline inside a string it writes as `\\n`), so those are kept."""
    return escape_hidden(json.dumps(value, indent=2, ensure_ascii=False))


def shown_value(value: Any) -> str:
    """A token's value quoted in a sentence as the JSON the token holds — `"abc"`, `true`,
    `null`, `["a", "b"]`, not Python's `'abc'`, `True`, `None`, `['a', 'b']` (tryouts AO, AP:
    "exp is not a NumericDate: True") — with its hidden characters as escapes."""
    try:
        return escape_hidden(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):  # not from JSON after all: as Python says it
        return repr(value)
