"""How a pasted token and a verdict are said: a token that one altered character made
unreadable is called damaged, with the parser's detail last; whitespace taken out of a paste is
counted in the note; "nothing checked the signature" is said once; a PKCE verifier is told both
its length and its characters when both are wrong."""

from __future__ import annotations

import asyncio
import base64
import json
import string

import pytest

from idconnect_tester.core.id_token_checks import VerificationContext, verify_id_token
from idconnect_tester.core.jwks import build_context
from idconnect_tester.core.jwt_decode import JwtDecodeError, decode_jwt, token_from_paste
from idconnect_tester.core.pkce import verifier_problem
from idconnect_tester.core.wording import sentences

BASE64URL = string.ascii_letters + string.digits + "-_"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


TOKEN = ".".join(
    (
        b64(json.dumps({"alg": "RS256", "kid": "k1"}).encode()),
        b64(
            json.dumps(
                {
                    "iss": "https://id.example.test/",
                    "sub": "USER-ONE",
                    "aud": "c",
                    "iat": 1_700_000_000,
                    "exp": 4_000_000_000,  # 2096: not what the verdict is about
                }
            ).encode()
        ),
        b64(bytes(256)),
    )
)


def one_character_altered(token: str, breaks_json_with: str) -> tuple[str, int]:
    """`token` with one payload character changed so that its base64url still decodes (and is
    canonical) but the JSON in it fails with `breaks_json_with`; and where the JSON fails."""
    header, payload, signature = token.split(".")
    for index in range(len(payload)):
        for character in BASE64URL:
            altered = payload[:index] + character + payload[index + 1 :]
            raw = unb64(altered)
            if b64(raw) != altered:
                continue  # stray bits: another failure than the one under test
            try:
                json.loads(raw.decode("utf-8"))
            except json.JSONDecodeError as exc:
                if breaks_json_with in exc.msg:
                    return f"{header}.{altered}.{signature}", exc.pos
            except UnicodeDecodeError:
                continue
    raise AssertionError(f"no one-character change gives {breaks_json_with!r}")


def test_a_token_with_one_character_altered_is_called_damaged_with_the_detail_last() -> None:
    altered, position = one_character_altered(TOKEN, "control character")
    decoded = decode_jwt(altered)
    assert isinstance(decoded, JwtDecodeError) and decoded.damaged
    assert "payload is not JSON" in decoded.message and "altered" in decoded.message
    # The parser's detail: short, in brackets, last, counted from 1 as a person counts.
    assert decoded.message.endswith(f"control character at character {position + 1})")
    assert "line 1 column" not in decoded.message


def test_a_payload_that_is_no_utf8_after_an_alteration_is_damaged_too() -> None:
    header, _, signature = TOKEN.split(".")
    not_utf8 = b64(b'{"sub": "\xff"}')  # byte 10 is no UTF-8
    decoded = decode_jwt(f"{header}.{not_utf8}.{signature}")
    assert isinstance(decoded, JwtDecodeError) and decoded.damaged
    assert "not UTF-8" in decoded.message and "byte 10" in decoded.message


@pytest.mark.parametrize(
    "text",
    [
        b64(b"not json") + ".e30.",  # base64url by chance: no JWT header starts so
        b64(json.dumps({"alg": "RS256"}).encode()) + "." + b64(b"[1]") + ".",  # valid JSON
    ],
)
def test_text_that_is_no_altered_jwt_is_not_called_damaged(text: str) -> None:
    decoded = decode_jwt(text)
    assert isinstance(decoded, JwtDecodeError) and not decoded.damaged
    assert "altered" not in decoded.message


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("\n".join(TOKEN[i : i + 60] for i in range(0, len(TOKEN), 60)), "line breaks"),
        (TOKEN[:40] + "\r\n" + TOKEN[40:], "1 line break inside"),  # CR LF is one break
        (TOKEN[:40] + "\n\t" + TOKEN[40:80] + " " + TOKEN[80:], "1 line break, 1 tab and 1 space"),
        (f"Bearer {TOKEN[:40]}\n{TOKEN[40:]}", "prefix and 1 line break"),
    ],
    ids=["wrapped", "crlf", "mixed", "with a prefix"],
)
def test_whitespace_inside_a_pasted_token_is_counted_in_the_note(pasted: str, said: str) -> None:
    token, note = token_from_paste(pasted)
    assert token == TOKEN
    assert note.startswith("Left out") and said in note, note
    if said == "line breaks":
        breaks = pasted.count("\n")
        assert f"{breaks} line breaks" in note, note


def test_whitespace_around_a_pasted_token_goes_unsaid() -> None:
    assert token_from_paste(f"\n  {TOKEN}\t\n") == (TOKEN, "")


def test_the_not_verified_verdict_says_once_that_nothing_checked_the_signature() -> None:
    """The default note of a check with no key source ends by saying the signature was not
    checked (its rows need that); the verdict, which says so itself, gives only the reason."""
    context = asyncio.run(build_context(None, client_id="c"))
    verification = verify_id_token(TOKEN, context)
    verdict = verification.summary().split("\n")[0]
    assert verdict.startswith("NOT VERIFIED"), verdict
    assert verdict.lower().count("checked") == 1, verdict
    assert "(no JWKS, issuer or key given)" in verdict, verdict
    kid = verification.row("kid")
    assert kid is not None and kid.detail == context.keys_note  # the row keeps it whole


def test_a_reason_keeps_its_capitals_where_they_are_a_name() -> None:
    context = VerificationContext(keys_note="JWKS could not be fetched: refused")
    verdict = verify_id_token(TOKEN, context).summary()
    assert "(JWKS could not be fetched: refused)" in verdict, verdict


def test_a_short_verifier_of_wrong_characters_is_told_both() -> None:
    problem = verifier_problem("short é x") or ""
    assert "9 characters" in problem and "43" in problem, problem
    assert "'é'" in problem and "' '" in problem, problem
    too_long = verifier_problem("a" * 129 + "+") or ""
    assert "130 characters" in too_long and "128" in too_long and "'+'" in too_long


def test_notes_run_together_as_sentences() -> None:
    assert sentences(["Skipped 'a': no URL", "Enter the secret.", "Done?"]) == (
        "Skipped 'a': no URL. Enter the secret. Done?"
    )
    assert sentences([]) == ""
