"""A profile duplicated from the built-in emulator keeps working the next morning: after a
restart the emulator listens on another port, and the profile goes there with it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import WAIT_MS, add_profile, get_code, select, send_and_wait, type_into

from idconnect_tester.core.exchange import TokenGranted
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.ui.profile_dialog import FOLLOWS_EMULATOR_NOTE, ProfileDialog


@contextmanager
def port_taken(url: str) -> Iterator[None]:
    """Keep yesterday's port busy (bound, not listening: a connection there is refused), so the
    next emulator can't get it back by chance and the test proves the profile moved."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", urlsplit(url).port or 0))
        yield
    finally:
        holder.close()


@pytest.mark.parametrize("last_used", ["copy", "emulator"])
def test_a_duplicated_emulator_profile_sends_to_the_next_runs_emulator(
    loop, qtbot, last_used: str
) -> None:
    """The restart opens on the copy (the last profile used), or on the built-in emulator and
    the user picks the copy: either way Get code and Send reach today's emulator."""
    first = open_window(qtbot)
    assert first.targets.current.id == EMULATOR_PROFILE_ID
    first.target_panel.actions_by_name["duplicate"].trigger()  # Profile… ▸ Duplicate
    copy = first.targets.current
    assert first.target_panel.profile.currentText() == "Emulator copy"
    yesterday = first.emulator.base_url
    assert first.target_panel.base_url.text() == yesterday
    qtbot.waitUntil(lambda: first.targets.secrets.get(copy.id) is not None, timeout=WAIT_MS)
    if last_used == "emulator":
        select(first, EMULATOR_PROFILE_ID)
    close_window(first, qtbot)

    with port_taken(yesterday):
        second = open_window(qtbot)  # the same settings folder and keyring: a restart
        try:
            opened_on = second.targets.current.id
            assert opened_on == (copy.id if last_used == "copy" else EMULATOR_PROFILE_ID)
            select(second, copy.id)
            qtbot.waitUntil(lambda: second.emulator.started, timeout=WAIT_MS)
            today = second.emulator.base_url
            assert today != yesterday
            assert second.targets.current.id == copy.id
            assert second.target_panel.base_url.text() == today
            # Were its secret lost (no keyring), the empty field would say the emulator's.
            secret = second.target_panel.secret_key
            qtbot.waitUntil(lambda: "keyring" not in secret.placeholderText(), timeout=WAIT_MS)
            assert secret.placeholderText().startswith("emulator-secret-key")  # seen first

            get_code(second, qtbot)  # the issuer moved too: the code comes from today's
            exchange = send_and_wait(second, qtbot)

            assert isinstance(exchange.outcome, TokenGranted), exchange.outcome
            assert exchange.request is not None and exchange.request.url.startswith(today)
        finally:
            close_window(second, qtbot)


def test_the_settings_dialog_says_the_profile_follows_and_a_typed_url_ends_it(
    window, qtbot
) -> None:
    window.profile_actions.duplicate()
    copy = window.targets.current
    dialog = ProfileDialog(copy, title="Settings", emulator_url=window.emulator.base_url)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    note = dialog.messages["base_url"]
    assert note.text() == FOLLOWS_EMULATOR_NOTE and dialog.profile().follows_emulator

    type_into(qtbot, dialog.edits["base_url"], "http://127.0.0.1:9")
    assert note.text() == "" and not dialog.profile().follows_emulator

    dialog.use_emulator.click()  # and back
    assert dialog.edits["base_url"].text() == window.emulator.base_url
    assert note.text() == FOLLOWS_EMULATOR_NOTE and dialog.profile().follows_emulator
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None and save.isEnabled()


def test_a_profile_stuck_on_an_old_port_is_pointed_at_the_emulator_from_its_settings(
    loop, qtbot
) -> None:
    """A launch on a profile saved with yesterday's emulator port (before profiles could
    follow it) never starts the emulator; Settings ▸ Emulator still points the profile at it,
    as the unreachable-authorize hint says, and Get code and Send then work."""
    first = open_window(qtbot)
    stale = add_profile(first, "Old copy", base_url="http://127.0.0.1:9")
    close_window(first, qtbot)

    window = open_window(qtbot)
    try:
        assert window.targets.current.id == stale.id and not window.emulator.reserved
        pressed: list[bool] = []

        def press_emulator_and_save() -> None:
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, ProfileDialog)
            pressed.append(dialog.use_emulator.isEnabled())
            dialog.use_emulator.click()
            save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
            assert save is not None
            save.click()

        QTimer.singleShot(0, press_emulator_and_save)
        window.target_panel.actions_by_name["settings"].trigger()  # Profile… ▸ Settings…
        assert pressed == [True]
        assert window.targets.current.follows_emulator
        assert window.target_panel.base_url.text() == window.emulator.base_url
        type_into(qtbot, window.target_panel.secret_key, "emulator-secret-key")
        get_code(window, qtbot)
        assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    finally:
        close_window(window, qtbot)
