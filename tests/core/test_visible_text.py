"""Hidden characters — controls, bidi overrides, zero-width characters, line separators — are
shown as JSON escapes, so a value can't be drawn to read as another; letters of any script stay
as they are, and the JSON still means the same value."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idconnect_tester.core.id_token_claims import authorized_party_check
from idconnect_tester.core.id_token_model import CheckStatus, VerificationContext
from idconnect_tester.core.visible_text import (
    HIDDEN_CATEGORIES,
    escape_hidden,
    is_hidden,
    json_escape,
    visible_json,
)

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def raw_hidden(text: str) -> list[str]:
    """The hidden characters left raw in `text` (its line breaks aside)."""
    return [c for c in text if c != "\n" and unicodedata.category(c) in HIDDEN_CATEGORIES]


@pytest.mark.parametrize(
    ("character", "escape"),
    [
        ("\u202e", "\\u202e"),  # RIGHT-TO-LEFT OVERRIDE (Cf)
        ("\u2066", "\\u2066"),  # LEFT-TO-RIGHT ISOLATE (Cf)
        ("\u200b", "\\u200b"),  # ZERO WIDTH SPACE (Cf)
        ("\ufeff", "\\ufeff"),  # BOM (Cf)
        ("\u00ad", "\\u00ad"),  # SOFT HYPHEN (Cf)
        ("\x7f", "\\u007f"),  # DELETE (Cc): json.dumps leaves it raw
        ("\x85", "\\u0085"),  # NEXT LINE (Cc): a line break in some views
        ("\u2028", "\\u2028"),  # LINE SEPARATOR (Zl)
        ("\u2029", "\\u2029"),  # PARAGRAPH SEPARATOR (Zp)
        ("\U000e0041", "\\udb40\\udc41"),  # TAG LATIN CAPITAL LETTER A (Cf), beyond the BMP
        ("\ud800", "\\ud800"),  # a lone surrogate (Cs), which JSON's \ud800 decodes to
    ],
)
def test_each_hidden_character_is_its_json_escape(character: str, escape: str) -> None:
    assert is_hidden(character)
    assert json_escape(character) == escape
    assert escape_hidden(f"a{character}b") == f"a{escape}b"
    assert json.loads(f'"{escape}"') == character


def test_bidi_overrides_in_keys_and_values_are_escaped_and_mean_the_same() -> None:
    claims = {
        "sub": f"{RLO}txt.exe",
        f"k{RLO}id": "k\u2067evil\u2069",  # in a key too, and an isolate
        "nonce": "a\u200bb",
        "note": "one\u2028two\x7fthree",
    }
    shown = visible_json(claims)
    assert raw_hidden(shown) == []
    assert '"sub": "\\u202etxt.exe"' in shown
    assert '"k\\u202eid": "k\\u2067evil\\u2069"' in shown
    assert json.loads(shown) == claims


def test_letters_of_any_script_and_json_layout_stay_as_they_are() -> None:
    claims = {"name": "José Ñandú", "city": "東京", "greeting": "שלום", "emoji": "👩‍💻", "n": 1}
    shown = visible_json(claims)
    assert "José Ñandú" in shown and "東京" in shown and "שלום" in shown
    # The emoji's ZERO WIDTH JOINER (Cf) is shown: it joins two pictures into one.
    assert "👩\\u200d💻" in shown
    assert shown.startswith('{\n  "name"')  # indented as before, newlines between members
    assert json.loads(shown) == claims
    # A value's own newline and tab are json.dumps's escapes, as ever.
    assert visible_json({"a": "x\ny\tz"}) == '{\n  "a": "x\\ny\\tz"\n}'


def test_a_backslash_before_a_hidden_character_still_reads_back_the_same() -> None:
    value = {"kid": f"\\{RLO}\\u202e"}  # a backslash, the override, and the six letters
    shown = visible_json(value)
    assert raw_hidden(shown) == [] and json.loads(shown) == value


def test_keep_leaves_the_named_characters_raw() -> None:
    assert escape_hidden("a\tb\nc\rd", keep="\t\n") == "a\tb\nc\\u000dd"
    assert escape_hidden("a\nb", keep="") == "a\\u000ab"
    assert escape_hidden("plain ascii: {}[]\"'\\") == "plain ascii: {}[]\"'\\"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_any_value_reads_back_the_same_with_nothing_hidden_left_raw(value: Any) -> None:
    shown = visible_json(value)
    assert raw_hidden(shown) == []
    assert json.loads(shown) == value


def test_the_azp_row_names_several_audiences_with_their_hidden_characters_escaped() -> None:
    claims = {"aud": ["client", f"other{RLO}"]}
    row = authorized_party_check(claims, VerificationContext(client_id="client"))
    assert row.status is CheckStatus.WARN
    assert RLO not in row.detail and f"other{json_escape(RLO)}" in row.detail


@given(st.text(), st.sampled_from(["", "\n", "\n\t", "\n\r\t"]))
def test_every_hidden_character_but_those_kept_is_escaped_in_any_text(text: str, keep: str) -> None:
    """The shortcut for text with nothing hidden must never let a hidden character through."""
    shown = escape_hidden(text, keep=keep)
    assert all(c in keep or not is_hidden(c) for c in shown)
    if not any(is_hidden(c) and c not in keep for c in text):
        assert shown == text
