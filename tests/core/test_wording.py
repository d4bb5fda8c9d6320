"""Sentences shown to people keep the names in them as they are written."""

from __future__ import annotations

from idconnect_tester.core.wording import sentence_case


def test_a_sentence_starts_in_upper_case_and_keeps_the_case_of_the_names_in_it() -> None:
    # Tryout AI: "Auto-refresh of short ttl's tokens stopped", of a profile named "Short TTL".
    assert sentence_case("auto-refresh of Short TTL's tokens stopped") == (
        "Auto-refresh of Short TTL's tokens stopped"
    )
    assert sentence_case("made by the emulator's huge_body drill") == (
        "Made by the emulator's huge_body drill"
    )
    assert sentence_case("") == ""
