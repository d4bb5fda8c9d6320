"""A claim or header value holding a hidden character — a RIGHT-TO-LEFT OVERRIDE that draws
`"sub": "\\u202etxt.exe"` reversed, its quotes seeming to move — is shown in the Claims and
Header panes as the escape that spells it, in the main window's id_token panel and in the JWT
workbench alike: a person reads the value the token holds. Letters of any script stay."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from tests.ui.test_jwt_workbench import open_workbench, verify

from idconnect_tester.core.id_token_checks import VerificationContext, verify_id_token
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.jwt_workbench import KEYS_NONE
from idconnect_tester.ui.main_window import MainWindow

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
HEADER: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": f"k{RLO}evil"}
CLAIMS: dict[str, Any] = {
    "iss": "https://issuer.example.test",
    "sub": f"{RLO}txt.exe",
    "aud": "client",
    "name": "José 東京",
    "iat": int(time.time()),
    "exp": int(time.time()) + 600,
}


def b64url(value: dict[str, Any]) -> str:
    raw = json.dumps(value, ensure_ascii=False).encode()  # the override as UTF-8, not \u202e
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token() -> str:
    return f"{b64url(HEADER)}.{b64url(CLAIMS)}.c2lnbmF0dXJl"


def assert_shown_escaped(header: str, claims: str) -> None:
    assert RLO not in header and RLO not in claims
    assert '"kid": "k\\u202eevil"' in header
    assert '"sub": "\\u202etxt.exe"' in claims
    assert "José 東京" in claims  # letters are letters
    assert "UTC" in claims  # exp and iat still have their readable times


def test_the_id_token_panel_shows_a_bidi_override_as_its_escape(qtbot) -> None:
    panel = IdTokenPanel()
    qtbot.addWidget(panel)
    panel.show_verification(verify_id_token(token(), VerificationContext()))
    header, claims = panel.header.toPlainText(), panel.claims.toPlainText()
    assert_shown_escaped(header, claims)
    # What the pane shows is JSON that means what the token says (the readable times are
    # after `//` at the end of their lines).
    assert json.loads(header) == HEADER
    shown = json.loads("\n".join(line.split("  // ")[0] for line in claims.splitlines()))
    assert shown == CLAIMS


@pytest.mark.parametrize(
    "pasted",
    [
        lambda t: t,
        lambda t: t.rsplit(".", 1)[0],  # cut off after its claims: shown as pasted
    ],
    ids=["whole", "cut off"],
)
def test_the_workbench_shows_a_bidi_override_as_its_escape(
    window: MainWindow, qtbot, pasted: Any
) -> None:
    bench = open_workbench(window)
    verify(bench, qtbot, pasted(token()), KEYS_NONE)
    assert_shown_escaped(bench.panel.header.toPlainText(), bench.panel.claims.toPlainText())


def test_the_workbench_shows_claims_cut_inside_with_the_override_escaped(
    window: MainWindow, qtbot
) -> None:
    header, payload, _ = token().split(".")
    bench = open_workbench(window)
    # Cut just after the sub claim's value (its override included), before the JSON ends.
    claims_json = json.dumps(CLAIMS, ensure_ascii=False).encode()
    upto = claims_json.index(b"txt.exe") + len(b"txt.exe")
    kept = len(base64.urlsafe_b64encode(claims_json[:upto]).rstrip(b"="))
    verdict = verify(bench, qtbot, f"{header}.{payload[:kept]}", KEYS_NONE)
    assert "cut off inside its claims" in verdict
    shown_header, shown_claims = bench.panel.header.toPlainText(), bench.panel.claims.toPlainText()
    assert RLO not in shown_header and RLO not in shown_claims
    assert '"kid": "k\\u202eevil"' in shown_header
    assert '"sub": "\\u202etxt.exe' in shown_claims


def test_a_servers_words_in_a_pasted_error_url_show_an_override_as_its_escape(
    window: MainWindow, qtbot
) -> None:
    """The workbench quotes an error redirect's own words: a bidi override in them is shown
    as its escape too, in the verdict and in the Header pane that says why nothing decoded."""
    bench = open_workbench(window)
    url = "https://app.example.test/cb?error=access_denied&error_description=no%E2%80%AEpe"
    verdict = verify(bench, qtbot, url, KEYS_NONE)
    header = bench.panel.header.toPlainText()
    assert RLO not in verdict and RLO not in header
    assert "no\\u202epe" in verdict and "no\\u202epe" in header
