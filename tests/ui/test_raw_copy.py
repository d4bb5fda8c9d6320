"""The raw panes wrap long lines on screen only: select-all + copy gives the body with no line
break it didn't have (an id_token pastes whole into another tool), and each pane's Copy button
gives the whole message as sent or received — however long, and never pretty-printed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextOption
from PySide6.QtWidgets import QPlainTextEdit
from tests.ui.helpers import WAIT_MS, get_code, scenario, send_and_wait, token_flow

from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.ui.main_window import MainWindow


def select_all_and_copy(qtbot, view: QPlainTextEdit) -> str:
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    return QGuiApplication.clipboard().text()


def screen_lines(view: QPlainTextEdit, text: str) -> int:
    """How many lines the block holding `text` takes on screen."""
    block = view.document().begin()
    while block.isValid() and text not in block.text():
        block = block.next()
    assert block.isValid(), "no block holds the text"
    return block.layout().lineCount()


def test_select_all_and_copy_gives_the_response_body_unbroken(window: MainWindow, qtbot) -> None:
    window.docks["raw"].raise_()
    exchange = token_flow(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted) and exchange.response is not None
    body = exchange.response.text
    id_token = exchange.outcome.id_token
    assert id_token is not None and len(body) > 1000  # one long line

    copied = select_all_and_copy(qtbot, window.raw_panel.response)

    assert body in copied
    assert id_token in copied
    qtbot.waitUntil(lambda: screen_lines(window.raw_panel.response, id_token) > 1, timeout=WAIT_MS)


def test_the_copy_buttons_give_each_message_whole(window: MainWindow, qtbot) -> None:
    exchange = token_flow(window, qtbot)
    assert exchange.request is not None and exchange.response is not None
    window.raw_panel.pretty.setChecked(True)  # the view pretty-prints; Copy does not

    window.raw_panel.copy_request.click()
    request = QGuiApplication.clipboard().text()
    assert request.startswith("POST /resources/snsId/api/connect/token HTTP/1.1\n")
    assert request.endswith("\n\n" + exchange.request.body.decode())
    assert "TLS verification" not in request  # the app's note, not part of the request
    # The emulator speaks plain HTTP: the note says so, not which certificates were trusted.
    assert "TLS verification: none: plain HTTP" in window.raw_panel.request.toPlainText()

    window.raw_panel.copy_response.click()
    response = QGuiApplication.clipboard().text()
    assert response.startswith("HTTP/1.1 200 OK\n")
    assert response.endswith("\n\n" + exchange.response.text)


def test_copy_gives_a_body_larger_than_the_view_shows(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("huge_body", size_mb=1)
    exchange = send_and_wait(window, qtbot)
    assert exchange.response is not None
    body = exchange.response.text
    assert len(window.raw_panel.response.toPlainText()) < len(body)  # the view shows a part

    window.raw_panel.copy_response.click()
    assert QGuiApplication.clipboard().text().endswith("\n\n" + body)


def test_copy_gives_the_authorize_step_on_show_not_the_exchange_before_it(
    window: MainWindow, qtbot
) -> None:
    """Tryout T: with the authorize step on show, both Copy buttons said "Copied" and gave the
    token exchange shown before it — its full access and refresh tokens."""
    token_flow(window, qtbot)
    get_code(window, qtbot)  # the raw panel now shows the authorize step
    raw = window.raw_panel
    assert "authorize" in raw.request.toPlainText().lower()
    for button, view in ((raw.copy_request, raw.request), (raw.copy_response, raw.response)):
        assert button.isEnabled()
        button.click()
        copied = QGuiApplication.clipboard().text()
        assert copied == view.toPlainText()
        assert "access_token" not in copied and "/token" not in copied


def test_an_everyday_answer_wraps_between_words_a_huge_one_anywhere(
    window: MainWindow, qtbot
) -> None:
    """Tryout X: "Be / arer" — the raw panes cut words in two, a rule made for a 64 KB line
    (wrapped between words it takes Qt ~150 ms to lay out). An everyday answer wraps between
    words; one with a line that long wraps anywhere."""
    window.docks["raw"].raise_()
    token_flow(window, qtbot)
    view = window.raw_panel.response
    assert view.wordWrapMode() == QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
    window.form.set_grant("refresh_token")
    scenario(window, "huge_body", size_mb=1)
    send_and_wait(window, qtbot)
    assert view.wordWrapMode() == QTextOption.WrapMode.WrapAnywhere
