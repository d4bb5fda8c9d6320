"""The JWT workbench (Tools ▸ Decode and verify a JWT…): any pasted JWT decoded and checked in
the window — verified with the issuer's keys or pasted ones, failed when tampered with, NOT
VERIFIED without keys — and whatever is pasted, a message rather than a crash."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QTreeWidget, QWidget
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import WAIT_MS, add_profile, token_flow, type_into

from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer
from idconnect_tester.ui.jwt_workbench import (
    KEYS_FROM_ISSUER,
    KEYS_NONE,
    KEYS_PASTED,
    JwtWorkbench,
)
from idconnect_tester.ui.main_window import MainWindow


def emulator_id_token(window: MainWindow, qtbot) -> str:
    exchange = token_flow(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted) and exchange.outcome.id_token
    return exchange.outcome.id_token


def tampered(token: str) -> str:
    """The same token with one claim changed and the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def open_workbench(window: MainWindow) -> JwtWorkbench:
    window.actions_by_name["jwt_workbench"].trigger()
    bench = window.workbench
    assert bench is not None and bench.isVisible()
    return bench


def verify(bench: JwtWorkbench, qtbot, token: str, source: str | None = None) -> str:
    """Paste, press Decode and verify, wait for the verdict (keys may be fetched first)."""
    bench.token.setPlainText(token)
    if source is not None:
        bench.key_buttons[source].setChecked(True)
    with qtbot.waitSignal(bench.verified, timeout=WAIT_MS):
        qtbot.mouseClick(bench.verify_button, Qt.MouseButton.LeftButton)
    summary = bench.findChild(QLabel, "workbenchSummary")
    assert summary is not None
    return summary.text()


def check_rows(bench: JwtWorkbench) -> dict[str, str]:
    return {
        name: status
        for name in ("signature", "iss", "aud", "exp", "nonce")
        if (status := bench.panel.check_status(name)) is not None
    }


def test_an_emulator_id_token_verifies_with_the_issuers_keys(window: MainWindow, qtbot) -> None:
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    # The current target's issuer and client id are filled in.
    assert bench.issuer.text() == window.targets.current.issuer
    assert bench.client_id.text() == window.targets.current.client_id
    verdict = verify(bench, qtbot, token)
    assert verdict.startswith("Verified")
    rows = check_rows(bench)
    assert rows["signature"] == rows["iss"] == rows["aud"] == rows["exp"] == "pass"
    assert rows["nonce"] == "skipped"  # no nonce entered: not checked
    assert '"sub"' in bench.panel.claims.toPlainText() and "UTC" in bench.panel.claims.toPlainText()
    assert '"RS256"' in bench.panel.header.toPlainText()
    # The window's own panel keeps its names: scripts still find the live one.
    checks = window.findChild(QTreeWidget, "idTokenChecks")
    assert checks is window.id_token_panel.checks
    assert window.findChild(QWidget, "workbenchChecks") is bench.panel.checks

    # The nonce this run sent makes the nonce row pass; a wrong one fails it.
    attempt = window.session.pending_authorize
    assert attempt is not None
    bench.nonce.setText(attempt.nonce)
    assert (
        verify(bench, qtbot, token).startswith("Verified") and check_rows(bench)["nonce"] == "pass"
    )
    bench.nonce.setText("not-the-nonce")
    assert verify(bench, qtbot, token).startswith("Do not trust")


@pytest.mark.parametrize(
    "wrap",
    [
        lambda token: f"Bearer {token}",
        lambda token: f"Authorization: Bearer {token}\n",
        lambda token: f'"{token}"',
        lambda token: "\n".join(token[i : i + 60] for i in range(0, len(token), 60)),
    ],
    ids=["bearer", "header line", "json quotes", "wrapped"],
)
def test_a_token_pasted_with_its_surroundings_still_verifies(
    window: MainWindow, qtbot, wrap: Callable[[str], str]
) -> None:
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    assert verify(bench, qtbot, wrap(token)).startswith("Verified")
    said = bench.problem.text()
    assert said.startswith("Left out"), said  # the line breaks of a wrapped one too


def test_an_edit_after_the_verdict_marks_it_older_until_verified_again(
    window: MainWindow, qtbot
) -> None:
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    assert verify(bench, qtbot, token).startswith("Verified")
    assert not bench.panel.property("stale") and not bench.panel.freshness.isVisible()

    def edits() -> list[Callable[[], None]]:
        return [
            lambda: bench.token.setPlainText(token + "XYZ"),  # the reported case
            lambda: bench.key_buttons[KEYS_NONE].setChecked(True),
            lambda: bench.nonce.setText("another-nonce"),
            lambda: bench.leeway.setValue(bench.leeway.value() + 1),
        ]

    for edit in edits():
        bench.nonce.clear()
        assert verify(bench, qtbot, token, KEYS_FROM_ISSUER).startswith("Verified")
        edit()
        assert bench.panel.property("stale")
        assert bench.panel.freshness.isVisibleTo(bench)
        assert "Edited" in bench.panel.freshness.text()
    # Verified again as it now stands: current again, and the verdict is about the edit.
    bench.key_buttons[KEYS_FROM_ISSUER].setChecked(True)
    assert verify(bench, qtbot, token + "XYZ").startswith("Do not trust")
    assert not bench.panel.property("stale")


def test_a_tampered_token_fails_and_no_keys_says_not_verified(window: MainWindow, qtbot) -> None:
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    assert verify(bench, qtbot, tampered(token)).startswith("Do not trust")
    assert check_rows(bench)["signature"] == "fail"

    verdict = verify(bench, qtbot, token, KEYS_NONE)
    assert verdict.startswith("NOT VERIFIED")
    assert check_rows(bench)["signature"] == "skipped"
    assert '"sub"' in bench.panel.claims.toPlainText()  # still decoded


def requests_sent(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every HTTP request the app sends from now on (they still go out), in a list."""
    sent: list[httpx.Request] = []
    real_send = httpx.AsyncClient.send

    async def recording_send(client: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        sent.append(request)
        return await real_send(client, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", recording_send)
    return sent


def test_the_token_never_leaves_the_machine_only_the_issuers_keys_are_fetched(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = emulator_id_token(window, qtbot)
    sent = requests_sent(monkeypatch)
    bench = open_workbench(window)
    assert verify(bench, qtbot, token).startswith("Verified")
    assert sent, "the issuer's keys were fetched over HTTP"
    assert all(request.method == "GET" for request in sent)
    signature = token.split(".")[2]
    for request in sent:
        seen = str(request.url) + str(dict(request.headers)) + request.content.decode("latin-1")
        assert signature not in seen and token.split(".")[1] not in seen, request.url


def test_a_pasted_pem_public_key_verifies_offline(window: MainWindow, qtbot) -> None:
    token = emulator_id_token(window, qtbot)
    (jwk,) = httpx.get(window.emulator.base_url + "/.well-known/jwks.json").json()["keys"]
    public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    assert isinstance(public_key, rsa.RSAPublicKey)
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    bench = open_workbench(window)
    bench.keys.setPlainText(pem)
    assert verify(bench, qtbot, token, KEYS_PASTED).startswith("Verified")
    assert check_rows(bench)["signature"] == "pass"
    # Another key in PEM form: the signature fails, it isn't "not verified".
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    bench.keys.setPlainText(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
    )
    assert verify(bench, qtbot, token, KEYS_PASTED).startswith("Do not trust")


def test_pasted_keys_verify_offline_and_bad_input_is_a_message(window: MainWindow, qtbot) -> None:
    token = emulator_id_token(window, qtbot)
    jwks = httpx.get(window.emulator.base_url + "/.well-known/jwks.json").text
    bench = open_workbench(window)
    bench.keys.setPlainText(jwks)
    assert verify(bench, qtbot, token, KEYS_PASTED).startswith("Verified")
    assert "pasted key" in bench.panel.summary.text()

    bench.keys.setPlainText("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")
    qtbot.mouseClick(bench.verify_button, Qt.MouseButton.LeftButton)
    assert "can't be used" in bench.problem.text()

    for garbage in ("not a jwt at all", "a.b.c", "eyJ" + "A" * 5000, "😀.😀.😀"):
        verdict = verify(bench, qtbot, garbage, KEYS_NONE)
        assert verdict.startswith("This text is not a JWT") and check_rows(bench) == {}
        assert verdict.lower().count("not a jwt") == 1  # said once (tryout AK: twice)
        assert "Cannot decode" in bench.panel.header.toPlainText()
    bench.token.setPlainText("   ")
    qtbot.mouseClick(bench.verify_button, Qt.MouseButton.LeftButton)
    assert bench.problem.text() == "Paste a JWT first."


def said_by(bench: JwtWorkbench) -> str:
    """All the workbench says about what was pasted: the verdict, the checks, the header pane,
    the line beside the button."""
    rows = [
        " ".join(item.text(column) for column in range(3))
        for index in range(bench.panel.checks.topLevelItemCount())
        if (item := bench.panel.checks.topLevelItem(index)) is not None
    ]
    return "\n".join(
        [bench.panel.summary.text(), bench.panel.header.toPlainText(), bench.problem.text(), *rows]
    )


@pytest.mark.parametrize(
    "pasted",
    [
        "just some words someone pasted",
        "https://id.sumsub.com/authorize?client_id=abc&state=xyz",
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.not!base64",  # a header, then no payload
        "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ",  # a header, in a request's own words
    ],
    ids=["words", "url", "a header and garbage", "bearer and a header"],
)
def test_text_that_is_no_jwt_is_called_text_not_an_id_token(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch, pasted: str
) -> None:
    """The verdict is the decode row alone, and no request is made for the issuer's keys:
    there is nothing to check them against. The words speak of text, not of an id_token."""
    sent = requests_sent(monkeypatch)
    bench = open_workbench(window)
    verify(bench, qtbot, pasted, KEYS_FROM_ISSUER)
    assert bench.panel.check_status("decode") == "fail"
    assert bench.panel.checks.topLevelItemCount() == 1
    assert bench.panel.claims.toPlainText() == ""
    assert sent == []
    said = said_by(bench)
    # (A URL's message may say where an id_token would be: it never calls the text one.)
    assert "not a JWT" in said and "this id_token" not in said.lower(), said


def test_a_jwt_that_decodes_is_judged_as_an_id_token(window: MainWindow, qtbot) -> None:
    """Once the text decodes, it is judged by the id_token checks, and the verdict says so
    without calling any JWT pasted an id_token: a decoded JWT with another's signature fails
    on its rows, not as text."""
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    verdict = verify(bench, qtbot, tampered(token))
    assert verdict.startswith("Do not trust this token as an id_token: ")
    assert "signature" in verdict
    assert bench.panel.check_status("decode") == "pass"
    assert "not a JWT" not in said_by(bench)
    # A character more on its signature: still a token (its claims decode), a damaged one.
    verdict = verify(bench, qtbot, token + "X")
    assert verdict.startswith("Do not trust this token")
    assert bench.panel.check_status("decode") == "fail"
    assert "not a JWT" not in said_by(bench)
    # Its header and claims are shown as they are, as jwt.io shows them (tryout Q: an "@" in
    # the signature left both tabs saying "Cannot decode").
    head, body, signature = token.split(".")
    verify(bench, qtbot, f"{head}.{body}.{signature[:9]}@{signature[9:]}")
    assert bench.panel.check_status("decode") == "fail"
    assert '"kid"' in bench.panel.header.toPlainText()
    assert '"sub"' in bench.panel.claims.toPlainText()


@pytest.mark.parametrize(
    ("wrap", "where"),
    [
        (lambda token: f"https://app.example.test/cb#id_token={token}&state=xyz", "fragment"),
        (lambda token: f"https://app.example.test/cb?state=xyz&id_token={token}", "query"),
    ],
    ids=["fragment", "query"],
)
def test_a_redirect_url_carrying_an_id_token_verifies_that_token(
    window: MainWindow, qtbot, wrap: Callable[[str], str], where: str
) -> None:
    """The implicit and hybrid flows return the id_token in the redirect URL: pasted whole,
    the token in it is checked (with the issuer's keys), and the note says what was left out."""
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    verdict = verify(bench, qtbot, wrap(token))
    assert verdict.startswith("Verified"), verdict
    assert check_rows(bench)["signature"] == "pass"
    note = bench.problem.text()
    assert note.startswith("Left out the rest of the URL") and where in note, note
    # A URL whose token was altered still fails: the URL changes nothing about the checks.
    assert verify(bench, qtbot, wrap(tampered(token))).startswith("Do not trust")


@pytest.mark.parametrize("source", [KEYS_FROM_ISSUER, KEYS_NONE])
def test_a_redirects_id_token_is_held_to_the_code_beside_it(
    window: MainWindow, qtbot, source: str
) -> None:
    """OIDC Core §3.3.2.11: an id_token returned beside a code in the redirect (the hybrid
    flow) MUST carry c_hash, the code's hash. The emulator's code-flow token has none: pasted
    as part of such a redirect it fails on c_hash, whatever the keys; alone it verifies."""
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    hybrid = f"https://app.example.test/cb#code=abc&id_token={token}&state=xyz"
    verdict = verify(bench, qtbot, hybrid, source)
    assert verdict.startswith("Do not trust"), verdict
    assert bench.panel.check_status("c_hash") == "fail"
    assert "c_hash" in verdict
    alone = verify(bench, qtbot, token, KEYS_FROM_ISSUER)
    assert alone.startswith("Verified") and bench.panel.check_status("c_hash") is None, alone


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.test/token?code=abc.def&state=xyz",
        "https://api.sumsub.com/callback",
        "https://login.eu.id.example.test/cb#state=xyz",  # five dot-separated parts
        "https://app.example.test/cb#access_token=a.b.c&token_type=Bearer",
    ],
    ids=["code", "no parameters", "five parts", "access token only"],
)
def test_a_url_without_an_id_token_is_called_a_url_and_no_keys_are_fetched(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    sent = requests_sent(monkeypatch)
    bench = open_workbench(window)
    verdict = verify(bench, qtbot, url, KEYS_FROM_ISSUER)
    assert verdict.startswith("This text is a URL, not a JWT"), verdict
    assert "Paste the token itself" in verdict
    assert bench.panel.check_status("decode") == "fail"
    assert bench.panel.checks.topLevelItemCount() == 1
    assert bench.panel.claims.toPlainText() == ""
    said = said_by(bench)
    assert "JWE" not in said and "encrypted" not in said and "parts" not in said, said
    assert sent == []


def test_a_servers_words_in_a_pasted_error_url_are_shown_as_text_not_markup(
    window: MainWindow, qtbot
) -> None:
    bench = open_workbench(window)
    url = "https://app.example.test/cb?error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E"
    verdict = verify(bench, qtbot, url)
    assert "<b>no</b>" in verdict  # the words as the server wrote them…
    assert bench.panel.summary.textFormat() is Qt.TextFormat.PlainText  # …shown as text


def _signature_cut(token: str, characters: int) -> str:
    return token[: len(token) - characters]


@pytest.mark.parametrize(
    "cut",
    [
        lambda token: token.rsplit(".", 1)[0],  # header.payload
        lambda token: token.rsplit(".", 1)[0] + ".",  # and the dot
        lambda token: _signature_cut(token, 1),  # one character short
        lambda token: _signature_cut(token, 52),  # 820 of 872 characters
        lambda token: _signature_cut(token, len(token.split(".")[2]) - 10),
    ],
    ids=["no signature", "empty signature", "1 short", "52 short", "10 left"],
)
def test_a_token_cut_off_after_its_claims_shows_them_and_says_cut_off(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch, cut: Callable[[str], str]
) -> None:
    """What jwt.io does: the header and claims of a cut-off token are shown — but it is not
    trusted, and (there being no whole signature to check) no keys are fetched for it."""
    token = emulator_id_token(window, qtbot)
    sent = requests_sent(monkeypatch)
    bench = open_workbench(window)
    for source in (KEYS_FROM_ISSUER, KEYS_NONE):
        verdict = verify(bench, qtbot, cut(token), source)
        assert verdict.startswith("Do not trust this token"), verdict
        assert "cut off" in verdict
        assert bench.panel.check_status("signature") == "fail"
        assert "cut off" in said_by(bench) and "not a JWT" not in said_by(bench)
        assert '"sub"' in bench.panel.claims.toPlainText()
        assert "UTC" in bench.panel.claims.toPlainText()  # times shown readably, as ever
        assert '"RS256"' in bench.panel.header.toPlainText()
    assert sent == []


def test_a_token_cut_inside_its_claims_shows_its_header_and_says_cut_off(
    window: MainWindow, qtbot
) -> None:
    token = emulator_id_token(window, qtbot)
    header, payload, _ = token.split(".")
    bench = open_workbench(window)
    for kept in (len(payload) // 2, len(payload) // 2 + 1, len(payload) - 1):
        verdict = verify(bench, qtbot, f"{header}.{payload[:kept]}", KEYS_NONE)
        assert verdict.startswith("Do not trust this token"), verdict
        assert "cut off inside its claims" in verdict
        assert bench.panel.check_status("decode") == "fail"
        assert '"RS256"' in bench.panel.header.toPlainText()
        claims = bench.panel.claims.toPlainText()
        assert claims.startswith("Cut off inside the claims") and '{"' in claims, claims
    # Damaged rather than cut: a wrong character inside the claims is no cut.
    damaged = f"{header}.{payload[:20]}!{payload[21:]}"
    assert verify(bench, qtbot, damaged, KEYS_NONE).startswith("This text is not a JWT")
    assert bench.panel.claims.toPlainText() == ""


def test_ctrl_return_in_the_paste_box_verifies_and_hidden_characters_are_named(
    window: MainWindow, qtbot
) -> None:
    """Return in the paste box is a new line; Ctrl+Return decodes and verifies, as Send is
    pressed in the main window. Pasted text that is no JWT and holds characters the box can't
    show (a NUL, a bell, a bidi override) is told so, with which."""
    bench = open_workbench(window)
    bench.activateWindow()
    qtbot.waitUntil(bench.isActiveWindow, timeout=WAIT_MS)
    bench.token.setPlainText("not\x00a\x07token\u202e")
    bench.token.setFocus()
    with qtbot.waitSignal(bench.verified, timeout=WAIT_MS):
        qtbot.keyClick(bench.token, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    said = bench.problem.text() + bench.panel.summary.text()
    assert "U+0000" in said and "U+0007" in said and "U+202E" in said


def test_a_message_about_the_inputs_goes_once_they_change(window: MainWindow, qtbot) -> None:
    """No issuer to fetch keys from: Decode and verify says so; choosing pasted keys instead
    (or typing an issuer) makes that message no longer true, and it goes."""
    bench = open_workbench(window)
    bench.issuer.clear()
    bench.key_buttons[KEYS_FROM_ISSUER].setChecked(True)
    bench.token.setPlainText(emulator_id_token(window, qtbot))
    qtbot.mouseClick(bench.verify_button, Qt.MouseButton.LeftButton)
    assert "issuer" in bench.problem.text().lower()
    bench.key_buttons[KEYS_PASTED].setChecked(True)
    assert bench.problem.text() == ""


def test_a_long_check_detail_is_a_wrapped_tooltip_of_the_same_words(
    window: MainWindow, qtbot
) -> None:
    """Tryout X: the iss row's tooltip, quoting two issuers, was one line wider than the
    screen. A long tooltip is wrapped rich text — escaped, so it reads the same words."""
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    bench.issuer.setText("https://an-issuer-that-is-not-the-emulator.example/with/a/long/path/")
    verify(bench, qtbot, token)
    checks = bench.panel.checks
    rows = [checks.topLevelItem(index) for index in range(checks.topLevelItemCount())]
    row = next(row for row in rows if row is not None and row.text(0) == "iss")
    tip, detail = row.toolTip(2), row.text(2)
    assert len(detail) > 100 and QtGui.Qt.mightBeRichText(tip)
    assert QTextDocumentFragment.fromHtml(tip).toPlainText() == detail


def test_a_verdict_turns_when_exp_passes_without_verifying_again(loop, qtbot) -> None:
    """Tryout AM: a token verified in the workbench read "Verified" with exp ✔ a minute after
    it had expired; the main window's verdict turns by itself. So does the workbench's, with
    the keys it was verified with (none fetched again), and says when it was checked."""
    window = open_window(qtbot, emulator_ttl_s=2)  # the id_token's exp: 2 s after iat
    try:
        token = emulator_id_token(window, qtbot)
        bench = open_workbench(window)
        bench.leeway.setValue(0)
        assert verify(bench, qtbot, token, KEYS_FROM_ISSUER).startswith("Verified")
        assert check_rows(bench)["exp"] == "pass"
        checked = bench.panel.summary.text()
        with qtbot.waitSignal(bench.verified, timeout=WAIT_MS):
            pass  # exp passes: judged again, no press
        assert check_rows(bench)["exp"] == "fail"
        assert check_rows(bench)["signature"] == "pass"
        assert bench.panel.summary.text().startswith("Do not trust")
        assert bench.panel.summary.text() != checked
        # An edit after it: the verdict is marked older (time judges it again no more).
        bench.leeway.setValue(30)
        assert bench.panel.property("stale") is True
    finally:
        close_window(window, qtbot)


def test_verify_fetches_the_keys_the_issuer_publishes_now(window: MainWindow, qtbot) -> None:
    """Tryout AO: the issuer started again with new keys, and Decode and verify still said
    "kid … found in JWKS <url>" from the keys it had fetched minutes before. Each press asks
    the issuer: its token now fails kid."""
    first = EmulatorServer(EmulatorConfig(log=False)).start()
    port = int(first.base_url.rsplit(":", 1)[1])
    try:
        add_profile(window, "Restarted", base_url=first.base_url, issuer=first.issuer)
        type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
        token = emulator_id_token(window, qtbot)
        bench = open_workbench(window)
        assert bench.issuer.text() == first.issuer
        assert verify(bench, qtbot, token, KEYS_FROM_ISSUER).startswith("Verified")
    finally:
        first.stop()
    again = EmulatorServer(EmulatorConfig(log=False, port=port)).start()  # new keys
    try:
        assert verify(bench, qtbot, token).startswith("Do not trust")
        assert bench.panel.check_status("kid") == "fail"
    finally:
        again.stop()
