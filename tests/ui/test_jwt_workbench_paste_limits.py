"""Bad input never hangs the workbench: text far longer than any JWT (or any JWKS) pasted,
dropped or set into its boxes is refused at once with a word in the workbench's message line,
and what the box held — and the verdict on show — stays.

2 MB pasted on one line held the window for minutes in Qt's line layout before the limit."""

from __future__ import annotations

import time

import httpx
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from tests.ui.test_jwt_workbench import emulator_id_token, open_workbench, verify

from idconnect_tester.ui.jwt_workbench import KEYS_PASTED, JwtWorkbench
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.paste_box import MAX_KEYS_CHARS, MAX_TOKEN_CHARS

# Refused in a few milliseconds; generous for a loaded CI machine, and far below the seconds
# (64 KiB) to minutes (2 MB) Qt took to lay out such a line before.
PROMPTLY_S = 1.0


def no_jwt(length: int) -> str:
    """The reported paste: a JWT's first letters, then one long line of nothing."""
    return "eyJ" + "A" * (length - 3)


def paste_at_end(qtbot, box: QPlainTextEdit, text: str) -> float:
    """Put `text` on the clipboard and press Ctrl+V at the end of the box, as a person does;
    the seconds the paste took."""
    clipboard = QApplication.clipboard()
    assert clipboard is not None
    clipboard.setText(text)
    box.setFocus()
    box.moveCursor(QTextCursor.MoveOperation.End)
    started = time.perf_counter()
    qtbot.keyClick(box, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    return time.perf_counter() - started


def said(bench: JwtWorkbench) -> str:
    return bench.problem.text()


@pytest.mark.parametrize(
    "length", [MAX_TOKEN_CHARS + 1, 2_000_003], ids=["just over the limit", "2 MB"]
)
def test_a_paste_too_long_for_a_jwt_is_refused_at_once_and_the_token_and_verdict_stay(
    window: MainWindow, qtbot, length: int
) -> None:
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    assert verify(bench, qtbot, token).startswith("Verified")

    took = paste_at_end(qtbot, bench.token, no_jwt(length))

    assert took < PROMPTLY_S, f"the paste took {took:.1f} s"
    assert bench.token.toPlainText() == token  # nothing in the box is lost
    message = said(bench)
    assert f"{length:,}" in message and f"{MAX_TOKEN_CHARS:,}" in message, message
    assert "JWT" in message
    # Nothing the verdict is about changed: it is still current, and still usable.
    assert not bench.panel.property("stale")
    assert bench.panel.summary.text().startswith("Verified")
    assert verify(bench, qtbot, bench.token.toPlainText()).startswith("Verified")
    assert said(bench) == ""  # the next Decode and verify speaks of its own token


def test_a_token_that_fits_is_pasted_as_ever(window: MainWindow, qtbot) -> None:
    bench = open_workbench(window)
    bench.token.clear()
    paste_at_end(qtbot, bench.token, no_jwt(MAX_TOKEN_CHARS))  # at the limit: it fits
    assert len(bench.token.toPlainText()) == MAX_TOKEN_CHARS
    assert said(bench) == ""


def test_a_paste_that_would_take_the_box_past_the_limit_says_both_numbers(
    window: MainWindow, qtbot
) -> None:
    bench = open_workbench(window)
    held = no_jwt(MAX_TOKEN_CHARS - 100)
    bench.token.setPlainText(held)
    paste_at_end(qtbot, bench.token, "B" * 200)
    assert bench.token.toPlainText() == held
    assert f"{200:,}" in said(bench) and f"{MAX_TOKEN_CHARS + 100:,}" in said(bench)
    # In place of a selection, the selection's length is what goes: all selected, it fits.
    bench.token.selectAll()
    qtbot.keyClick(bench.token, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert bench.token.toPlainText() == "B" * 200


def drop_onto(box: QPlainTextEdit, text: str) -> float:
    """Drag `text` over the box and drop it, as the drag manager delivers it (a drop comes
    only after the drag entered and moved); the seconds the drop took."""
    dropped = QMimeData()
    dropped.setText(text)
    where, copy = QPoint(5, 5), Qt.DropAction.CopyAction
    held = (Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    viewport = box.viewport()
    for kind in (QDragEnterEvent, QDragMoveEvent):
        drag = kind(where, copy, dropped, *held)
        QApplication.sendEvent(viewport, drag)
        assert drag.isAccepted()  # a drop too long is taken, then refused with a word
    started = time.perf_counter()
    QApplication.sendEvent(viewport, QDropEvent(QPointF(where), copy, dropped, *held))
    return time.perf_counter() - started


def test_a_drop_too_long_for_a_jwt_is_refused_and_the_box_keeps_its_text(
    window: MainWindow, qtbot
) -> None:
    bench = open_workbench(window)
    bench.token.setPlainText("eyJ.earlier.text")
    assert drop_onto(bench.token, no_jwt(MAX_TOKEN_CHARS + 1)) < PROMPTLY_S
    assert bench.token.toPlainText() == "eyJ.earlier.text"
    assert f"{MAX_TOKEN_CHARS + 1:,}" in said(bench)
    drop_onto(bench.token, "eyJ.")  # one that fits goes in, as ever
    assert bench.token.toPlainText() != "eyJ.earlier.text"


def test_setting_a_token_too_long_in_code_is_refused_too(window: MainWindow, qtbot) -> None:
    bench = open_workbench(window)
    bench.token.setPlainText("eyJ.earlier.text")
    bench.token.setPlainText(no_jwt(MAX_TOKEN_CHARS + 1))
    assert bench.token.toPlainText() == "eyJ.earlier.text"
    assert f"{MAX_TOKEN_CHARS + 1:,}" in said(bench)


def test_keys_too_long_for_a_jwks_are_refused_and_the_pasted_keys_stay(
    window: MainWindow, qtbot
) -> None:
    token = emulator_id_token(window, qtbot)
    jwks = httpx.get(window.emulator.base_url + "/.well-known/jwks.json").text
    bench = open_workbench(window)
    bench.key_buttons[KEYS_PASTED].setChecked(True)
    bench.keys.setPlainText(jwks)
    flood = '{"keys": [' + "A" * MAX_KEYS_CHARS + "]}"

    took = paste_at_end(qtbot, bench.keys, flood)

    assert took < PROMPTLY_S, f"the paste took {took:.1f} s"
    assert bench.keys.toPlainText() == jwks
    message = said(bench)
    assert f"{len(flood):,}" in message and f"{MAX_KEYS_CHARS:,}" in message, message
    assert "JWKS" in message
    # The keys kept still verify the token.
    assert verify(bench, qtbot, token, KEYS_PASTED).startswith("Verified")


def test_decode_on_an_empty_box_after_a_refused_paste_keeps_saying_why(
    window: MainWindow, qtbot
) -> None:
    """Tryout AA: the paste refused as too long left the box empty, and Decode and verify
    then replaced "Not pasted: … too long" with "Paste a JWT first." — as if nothing had been
    pasted at all."""
    bench = open_workbench(window)
    bench.token.clear()
    paste_at_end(qtbot, bench.token, no_jwt(MAX_TOKEN_CHARS + 1))
    refusal = said(bench)
    assert f"{MAX_TOKEN_CHARS:,}" in refusal
    bench.verify_button.click()
    assert said(bench) == refusal


def test_a_refused_paste_is_not_said_under_the_token_pasted_after_it(
    window: MainWindow, qtbot
) -> None:
    """Tryout AD: after a refused paste, a token that fits went in, and "Not pasted: … too
    long" stayed under it until Decode and verify."""
    token = emulator_id_token(window, qtbot)
    bench = open_workbench(window)
    bench.token.clear()
    paste_at_end(qtbot, bench.token, no_jwt(MAX_TOKEN_CHARS + 1))
    assert f"{MAX_TOKEN_CHARS:,}" in said(bench)
    paste_at_end(qtbot, bench.token, token)
    assert bench.token.toPlainText() == token
    assert said(bench) == ""
