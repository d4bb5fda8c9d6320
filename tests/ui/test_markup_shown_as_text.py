"""Words that come from outside — a server's error fields, an error redirect's description, a
profile's name — are shown as the characters they are, never as markup: a hostile or broken
server could otherwise dress a 400 up as a large green "200 OK", put a link beside the secret
key, or have the window load a file. Checked everywhere the words go: the error panel, the
status bar, History ▸ Show, and a question that names a profile."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

from PySide6 import QtGui
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QTreeWidget, QWidget
from tests.support.browser import Browser
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.support.identity_provider import identity_provider
from tests.ui.helpers import (
    WAIT_MS,
    add_profile,
    get_code,
    scenario,
    select,
    send_and_wait,
    text_of,
    token_flow,
    type_into,
)
from tests.ui.test_pasted_redirects import paste_into, pending_attempt

from idconnect_tester.core.exchange import ApiError
from idconnect_tester.emulator.faults import MARKUP_DESCRIPTION, MARKUP_ERROR_NAME
from idconnect_tester.ui.main_window import MainWindow


def _labels_and_tips(roots: list[QWidget]) -> Iterator[tuple[str, str, bool]]:
    """(where, text, shown as markup) for every label's text and every tooltip under `roots`,
    list rows' tooltips included."""
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            where = f"{type(widget).__name__} {widget.objectName()!r}"
            if isinstance(widget, QLabel):
                text = widget.text()
                markup = widget.textFormat() is Qt.TextFormat.RichText or (
                    widget.textFormat() is Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
                )
                yield where, text, markup
            tip = widget.toolTip()
            yield f"{where} tooltip", tip, QtGui.Qt.mightBeRichText(tip)
            if isinstance(widget, QTreeWidget):
                for index in range(widget.topLevelItemCount()):
                    item = widget.topLevelItem(index)
                    assert item is not None
                    for column in range(widget.columnCount()):
                        tip = item.toolTip(column)
                        yield f"{where} row {index}", tip, QtGui.Qt.mightBeRichText(tip)


def rendered_as_markup(marker: str) -> list[str]:
    """Where in the open windows `marker` (a piece of markup) would be rendered, not shown."""
    roots = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    return [where for where, text, markup in _labels_and_tips(roots) if marker in text and markup]


def shown_anywhere(marker: str) -> bool:
    roots = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    return any(marker in text for _where, text, _markup in _labels_and_tips(roots))


def test_a_servers_error_fields_in_markup_are_shown_as_text(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    scenario(window, "markup_in_error")

    exchange = send_and_wait(window, qtbot)

    assert isinstance(exchange.outcome, ApiError) and exchange.outcome.status == 400
    assert text_of(window, "errorDescription") == MARKUP_DESCRIPTION  # the words, whole…
    assert MARKUP_ERROR_NAME in text_of(window, "errorApiCode")
    assert rendered_as_markup("<a href=") == []  # …and never rendered
    assert rendered_as_markup(MARKUP_ERROR_NAME) == []
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    top = window.history_panel.top_id()
    assert top is not None
    window.history.show_entry(top)  # History ▸ Show
    dialog = window.history.dialogs[-1]
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert any(
        "<a href=" in label.text() for label in dialog.findChildren(QLabel)
    )  # shown there too…
    assert rendered_as_markup("<a href=") == []  # …as text
    dialog.close()


def test_an_error_redirects_description_in_markup_is_shown_as_text(
    window: MainWindow, qtbot
) -> None:
    get_code(window, qtbot)
    attempt = pending_attempt(window)
    markup = '<span style="color:#080">Verified. No error.</span><a href="https://x.invalid/">'
    redirect = (
        f"{attempt.redirect_uri}?error=access_denied&error_description={quote(markup)}"
        f"&state={attempt.state}"
    )

    paste_into(qtbot, window.form.code, redirect)

    qtbot.waitUntil(lambda: shown_anywhere("<span style="), timeout=WAIT_MS)
    assert rendered_as_markup("<span style=") == []


def test_a_question_that_names_a_profile_shows_the_name_as_typed(window: MainWindow, qtbot) -> None:
    """A profile's name can come from an imported file: Delete quotes it as text."""
    name = "<b>Imported</b> <a href='x'>profile</a>"
    select(window, add_profile(window, name).id)
    asked: list[tuple[str, Qt.TextFormat]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append((box.text(), box.textFormat()))
            box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, answer)
    window.profile_actions.delete()

    assert asked and "<b>Imported</b>" in asked[0][0]
    assert asked[0][1] is Qt.TextFormat.PlainText
    assert window.targets.current.name == name  # kept: the answer was No


def test_a_bidi_override_in_an_error_redirect_is_shown_as_its_escape(
    window: MainWindow, qtbot, browser: Browser
) -> None:
    """U+202E draws the text after it reversed: "evil" would read "live". In the error panel,
    the status bar, every tooltip and the raw exchange it shows as the escape that spells it."""
    browser.follows = False  # the person's browser: the error comes back by a paste
    description = "Denied \u202eevil"
    with identity_provider() as provider:
        add_profile(
            window,
            "Local identity provider",
            client_id="idp-client",
            issuer=provider.issuer,
            redirect_uri="https://app.example/callback",
        )
        window.form.code.clear()
        window.form.get_code_button.click()  # a Get code that waits for its answer
        qtbot.waitUntil(lambda: len(browser.opened) == 1, timeout=WAIT_MS)
        state = parse_qs(urlsplit(browser.opened[0]).query)["state"][0]
        redirect = (  # that Get code's answer: an error, as the server sends it
            "https://app.example/callback?error=access_denied"
            f"&error_description={quote(description)}&state={state}"
        )
        paste_into(qtbot, window.form.code, redirect)

    qtbot.waitUntil(lambda: shown_anywhere("Denied \\u202eevil"), timeout=WAIT_MS)
    assert "Denied \\u202eevil" in text_of(window, "errorDescription")
    assert "Denied \\u202eevil" in window.status.message.text()
    roots = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    applied = [where for where, text, _ in _labels_and_tips(roots) if "\u202e" in text]
    assert applied == []
    raw = window.raw_panel.response.toPlainText()
    assert "\\u202e" in raw and "\u202e" not in raw


def test_a_bidi_override_in_a_profiles_name_is_shown_as_its_escape(
    window: MainWindow, qtbot
) -> None:
    """Tryout W: a profile imported with U+202E in its name redrew the profile list around it.
    The list and the history's profile column show the escape that spells it."""
    add_profile(window, "Evil\u202eeman")
    shown = window.target_panel.profile.currentText()
    assert shown == "Evil\\u202eeman"
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    history = window.history_panel.table
    qtbot.waitUntil(lambda: history.topLevelItemCount() > 0, timeout=WAIT_MS)
    newest = history.topLevelItem(0)
    assert newest is not None
    cells = [newest.text(column) for column in range(history.columnCount())]
    assert "Evil\\u202eeman" in cells and not any("\u202e" in cell for cell in cells)
