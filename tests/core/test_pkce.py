import pytest
from hypothesis import given
from hypothesis import strategies as st

from idconnect_tester.core.pkce import (
    generate_pair,
    generate_verifier,
    s256_challenge,
    verifier_matches,
    verifier_problem,
)

# RFC 7636 Appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_s256_matches_the_rfc_example() -> None:
    assert s256_challenge(RFC_VERIFIER) == RFC_CHALLENGE


def test_generated_pairs_are_valid_unique_and_match() -> None:
    pairs = [generate_pair() for _ in range(50)]
    assert len({p.code_verifier for p in pairs}) == 50
    for pair in pairs:
        assert verifier_problem(pair.code_verifier) is None
        assert verifier_matches(pair.code_verifier, pair.code_challenge)
        assert pair.method == "S256"
        assert len(pair.code_challenge) == 43 and "=" not in pair.code_challenge


@pytest.mark.parametrize("length", [43, 64, 128])
def test_verifier_lengths(length: int) -> None:
    assert len(generate_verifier(length)) == length


@pytest.mark.parametrize("length", [42, 129])
def test_verifier_length_outside_rfc_is_refused(length: int) -> None:
    with pytest.raises(ValueError):
        generate_verifier(length)


def test_match_check() -> None:
    assert verifier_matches(RFC_VERIFIER, RFC_CHALLENGE)
    assert verifier_matches(f" {RFC_VERIFIER}\n", RFC_CHALLENGE + "=")  # pasted with padding
    assert not verifier_matches(RFC_VERIFIER + "x", RFC_CHALLENGE)
    assert not verifier_matches("", RFC_CHALLENGE)
    assert not verifier_matches("ünïcode", RFC_CHALLENGE)


def test_a_verifier_length_is_counted_in_words_that_agree() -> None:
    assert (verifier_problem("1") or "").startswith("is 1 character;")
    assert (verifier_problem("12") or "").startswith("is 2 characters;")


def test_verifier_problems_are_explained() -> None:
    assert "43 to 128" in (verifier_problem("123456") or "")
    assert "43 to 128" in (verifier_problem("a" * 129) or "")
    assert "'+'" in (verifier_problem("a+" * 30) or "")


@given(st.text(max_size=200), st.text(max_size=60))
def test_match_check_never_raises(verifier: str, challenge: str) -> None:
    verifier_matches(verifier, challenge)
    verifier_problem(verifier)
