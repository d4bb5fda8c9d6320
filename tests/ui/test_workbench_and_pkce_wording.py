"""The same in the real widgets of the JWT workbench and the PKCE checker: the decode-only
verdict says once that nothing checked the signature, a token with one character altered is a
damaged token (and no keys are fetched for it), whitespace taken out of a paste is counted, and
a short verifier of wrong characters is told its length too."""

from __future__ import annotations

import base64
import json

import pytest
from tests.ui.test_jwt_workbench import (
    emulator_id_token,
    open_workbench,
    requests_sent,
    said_by,
    verify,
)

from idconnect_tester.core.pkce import s256_challenge
from idconnect_tester.ui.jwt_workbench import KEYS_FROM_ISSUER, KEYS_NONE
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.tool_dialogs import PkceCheckerDialog

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def one_payload_character_altered(token: str) -> str:
    """`token` with one payload character changed so that the payload still is canonical
    base64url but its JSON has a control character in a string: the reported slip."""
    header, payload, signature = token.split(".")
    for index in range(len(payload)):
        for character in BASE64URL:
            altered = payload[:index] + character + payload[index + 1 :]
            raw = _unb64(altered)
            if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != altered:
                continue
            try:
                json.loads(raw.decode("utf-8"))
            except json.JSONDecodeError as exc:
                if "control character" in exc.msg:
                    return f"{header}.{altered}.{signature}"
            except UnicodeDecodeError:
                continue
    raise AssertionError("no one-character change puts a control character in the payload")


def test_the_decode_only_verdict_says_once_that_nothing_checked_the_signature(
    window: MainWindow, qtbot
) -> None:
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    summary = verify(bench, qtbot, token, KEYS_NONE)
    assert summary.startswith("NOT VERIFIED"), summary
    assert summary.lower().count("nothing checked the signature") == 1, summary
    assert summary.lower().count("no keys chosen") == 1, summary
    keys = [line for line in summary.split("\n") if "Keys:" in line]
    assert len(keys) == 1 and "signature" not in keys[0], summary
    assert bench.panel.check_status("signature") == "skipped"


def test_a_token_with_a_payload_character_altered_is_a_damaged_token_not_text(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = emulator_id_token(window, qtbot)
    damaged = one_payload_character_altered(token)
    sent = requests_sent(monkeypatch)
    bench = open_workbench(window)
    summary = verify(bench, qtbot, damaged, KEYS_FROM_ISSUER)
    verdict = summary.split("\n")[0]
    assert verdict.startswith("Do not trust this token"), verdict
    assert "payload is not JSON" in verdict and "altered" in verdict, verdict
    assert "(invalid control character at character " in verdict, verdict
    assert "not a JWT" not in said_by(bench)
    assert "line 1 column" not in said_by(bench)  # the parser's detail, short
    assert bench.panel.check_status("decode") == "fail"
    assert sent == []  # no key can read a payload that is not JSON: none are fetched


def test_whitespace_taken_out_of_a_pasted_token_is_counted_in_the_note(
    window: MainWindow, qtbot
) -> None:
    token = emulator_id_token(window, qtbot)
    lines = [token[i : i + 64] for i in range(0, len(token), 64)]
    bench = open_workbench(window)
    assert verify(bench, qtbot, "\n".join(lines)).startswith("Verified")
    note = bench.problem.text()
    assert note.startswith("Left out") and f"{len(lines) - 1} line breaks" in note, note
    assert verify(bench, qtbot, token).startswith("Verified")
    assert bench.problem.text() == ""  # nothing left out, nothing said


def test_the_pkce_checker_tells_a_short_verifier_its_length_and_its_characters(qtbot) -> None:
    dialog = PkceCheckerDialog("short é x", s256_challenge("a" * 43))
    qtbot.addWidget(dialog)
    verdict = dialog.verdict.text()
    assert verdict.startswith("✘ No match"), verdict
    assert "9 characters" in verdict and "43" in verdict, verdict
    assert "'é'" in verdict and "' '" in verdict, verdict


def test_a_short_verifier_that_matches_is_no_green_tick(qtbot) -> None:
    """RFC 7636 §4.1: 43 to 128 characters. The pair is consistent, and still a conforming
    server refuses the verifier: a warning, not a pass."""
    dialog = PkceCheckerDialog("abc", s256_challenge("abc"))
    qtbot.addWidget(dialog)
    verdict = dialog.verdict.text()
    assert "Match" in verdict and "✔" not in verdict and "3 characters" in verdict, verdict
    assert dialog.verdict.property("tone") == Tone.WARNING.value


def test_a_padded_challenge_that_matches_is_no_green_tick(qtbot) -> None:
    """Tryout AJ: a challenge ending in '=' read "✔ Match", and the emulator refused it at
    authorize, as RFC 7636 §4.2 lets a server: it is sent without padding."""
    verifier = "a" * 43
    dialog = PkceCheckerDialog(verifier, s256_challenge(verifier) + "=")
    qtbot.addWidget(dialog)
    verdict = dialog.verdict.text()
    assert "Match" in verdict and "✔" not in verdict and "'='" in verdict, verdict
    assert dialog.verdict.property("tone") == Tone.WARNING.value
    dialog.challenge.setText(s256_challenge(verifier))  # the same, as sent: a match
    assert dialog.verdict.text().startswith("✔ Match")
