"""Profiles with secrets in the keyring, the history panel, and the exports — through the window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QScrollArea,
    QWidget,
)
from tests.support import flows
from tests.support.exchanges import granted
from tests.support.flows import EMULATOR_APP_TOKEN, EMULATOR_SECRET_KEY
from tests.support.leaks import files_containing
from tests.support.postman import write_collection, write_environment
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import (
    WAIT_MS,
    add_profile,
    answer_the_input_dialog,
    get_code,
    hint_shown,
    scenario,
    select,
    send_and_wait,
    text_of,
    token_flow,
    type_into,
    wheel_down,
)

from idconnect_tester.core.exchange import ApiError, HintKind, TokenGranted
from idconnect_tester.core.history import HistoryStore
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID, Profile, new_profile_id
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.secret_store import SERVICE_NAME
from idconnect_tester.core.session_events import SAME_CLIENT
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui import exports, file_dialogs
from idconnect_tester.ui.history_panel import COLUMN
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog
from idconnect_tester.ui.theme import Tone


def test_profile_crud_and_persistence_across_a_restart(loop, qtbot, test_keyring) -> None:
    first = open_window(qtbot)
    profile = add_profile(first, "Sandbox — team A")
    assert first.target_panel.profile.currentText() == "Sandbox — team A"
    type_into(qtbot, first.target_panel.secret_key, "team-a-secret")
    assert (SERVICE_NAME, profile.id) not in test_keyring.items  # not on every keystroke…
    qtbot.keyClick(first.target_panel.secret_key, Qt.Key.Key_Return)  # …but once it's done
    qtbot.waitUntil(lambda: (SERVICE_NAME, profile.id) in test_keyring.items, timeout=WAIT_MS)
    assert test_keyring.items[(SERVICE_NAME, profile.id)] == "team-a-secret"

    first.profile_actions.duplicate()
    assert first.target_panel.profile.currentText() == "Sandbox — team A copy"
    copy_id = first.targets.current.id
    qtbot.waitUntil(lambda: (SERVICE_NAME, copy_id) in test_keyring.items, timeout=WAIT_MS)
    assert test_keyring.items[(SERVICE_NAME, copy_id)] == "team-a-secret"
    rename = first.target_panel.actions_by_name["rename"]  # Profile ▸ Rename…
    opened_with = answer_the_input_dialog(None)
    rename.trigger()
    assert opened_with == ["Sandbox — team A copy"]  # the dialog holds the name, to edit
    assert first.target_panel.profile.currentText() == "Sandbox — team A copy"  # Cancel
    answer_the_input_dialog("Old copy")
    rename.trigger()
    assert first.target_panel.profile.currentText() == "Old copy"
    stored = first.targets.store.get(copy_id)
    assert stored is not None and stored.name == "Old copy"
    first.profile_actions.delete_now(copy_id)
    qtbot.waitUntil(lambda: (SERVICE_NAME, copy_id) not in test_keyring.items, timeout=WAIT_MS)
    select(first, profile.id)
    close_window(first, qtbot)

    second = open_window(qtbot)
    assert second.target_panel.profile.currentText() == "Sandbox — team A"  # last used
    secret = second.target_panel.secret_key
    qtbot.waitUntil(lambda: secret.text() == "team-a-secret", timeout=WAIT_MS)  # the keyring
    names = [
        second.target_panel.profile.itemText(i) for i in range(second.target_panel.profile.count())
    ]
    assert names == ["Built-in emulator", "Sandbox — team A"]
    close_window(second, qtbot)


def test_deleting_the_current_profile_selects_its_neighbour_in_the_list(
    window: MainWindow, qtbot
) -> None:
    """Tryout AG: deleting a profile selected the built-in emulator, not the copy beside it.
    The next profile in the list takes its place; the last one gives way to the one before."""
    first = add_profile(window, "Partner A")
    second = add_profile(window, "Partner B")
    third = add_profile(window, "Partner C")
    select(window, second.id)
    window.profile_actions.delete_now(second.id)
    assert window.targets.current.id == third.id
    assert window.target_panel.profile.currentText() == "Partner C"
    window.profile_actions.delete_now(third.id)  # the last one: the one before it
    assert window.targets.current.id == first.id
    window.profile_actions.delete_now(first.id)
    assert window.targets.current.builtin  # only the built-in emulator is left


def test_the_built_in_emulator_starts_when_picked_after_a_launch_on_another_profile(
    loop, qtbot, test_keyring
) -> None:
    """Launched on a saved profile, the emulator was never started; picking it from the
    profile list starts it, and Get code and Send work at once."""
    first = open_window(qtbot)
    add_profile(first, "Partner sandbox", base_url="http://127.0.0.1:9")
    close_window(first, qtbot)
    second = open_window(qtbot)
    assert second.target_panel.profile.currentText() == "Partner sandbox"
    assert not second.emulator.started
    type_into(qtbot, second.target_panel.secret_key, "a-secret")
    type_into(qtbot, second.form.code, "a-code")
    type_into(qtbot, second.form.code_verifier, "a-verifier-" + "v" * 40)
    send_and_wait(second, qtbot)  # nobody listens there: its outcome is on the status bar
    select(second, EMULATOR_PROFILE_ID)
    qtbot.waitUntil(lambda: second.emulator.started, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: second.target_panel.base_url.text().startswith("http://127.0.0.1:"), timeout=WAIT_MS
    )
    # Its port, known once it listens, is no edit of the profile (tryout AI: "Built-in
    # emulator edited", on the first switch to it after each launch).
    assert "edited" not in second.status.text()
    exchange = token_flow(second, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)
    close_window(second, qtbot)


def test_a_saved_profile_sends_real_requests(window: MainWindow, qtbot) -> None:
    add_profile(window, "Emulator via profile")
    type_into(qtbot, window.target_panel.secret_key, "emulator-secret-key")
    exchange = token_flow(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)


def test_what_the_status_bar_says_of_a_profile_goes_when_another_is_selected(
    window: MainWindow, qtbot
) -> None:
    """ "Added — enter its secret key" is about the profile just added: on another profile it
    would read as that one's. Back on the same one, nothing new is said."""
    added = add_profile(window, "Sandbox QA")
    assert added.name in window.status.text()
    select(window, added.id)  # selected already: nothing changes
    assert added.name in window.status.text()
    select(window, EMULATOR_PROFILE_ID)
    assert added.name not in window.status.text()
    select(window, added.id)
    assert added.name not in window.status.text()


def test_emulator_profile_cannot_be_broken(window: MainWindow, qtbot) -> None:
    assert window.target_panel.base_url.isReadOnly()
    window.profile_actions.run("delete")
    assert "can't be deleted" in window.status.text()
    assert not window.target_panel.actions_by_name["delete"].isEnabled()
    assert window.target_panel.profile.itemText(0) == "Built-in emulator"


def test_guard_rails_warn_about_sandbox_tokens_in_production(window: MainWindow, qtbot) -> None:
    add_profile(window, "Production EU", production=True)
    message = window.target_panel.messages["profile"]
    assert message.isVisible() and "sandbox token" in message.text()


def test_a_warning_about_one_field_is_shown_under_that_field(window: MainWindow, qtbot) -> None:
    """Tryout Q: "the app token looks like a URL" stood under the profile, above Base URL,
    away from the field it is about; the profile's own warnings stay under the profile."""
    add_profile(window, "Production EU", production=True)
    type_into(qtbot, window.target_panel.app_token, "https://api.sumsub.com")
    under_the_token = window.target_panel.messages["app_token"]
    under_the_profile = window.target_panel.messages["profile"]
    assert under_the_token.isVisible() and "looks like a URL" in under_the_token.text()
    assert under_the_token.property("tone") == Tone.WARNING.value
    assert "looks like a URL" not in under_the_profile.text()
    type_into(qtbot, window.target_panel.app_token, "sbx:abc")
    assert "sandbox token" in under_the_profile.text()  # about the profile: under it
    assert not under_the_token.text()


def test_a_warning_about_the_issuer_against_the_base_url_stands_under_base_url(
    window: MainWindow, qtbot
) -> None:
    """Tryout AK: "Issuer at …, Base URL at …: two servers on this machine" stood under the
    profile, above Base URL, while the person typed in Base URL (the issuer has no field
    here). It stands under the field being typed in, and goes with the URL typed back."""
    add_profile(window, "Local emulator")
    base_url = window.target_panel.base_url
    good = base_url.text()
    type_into(qtbot, base_url, "http://127.0.0.1:9")
    under_the_url = window.target_panel.messages["base_url"]
    under_the_profile = window.target_panel.messages["profile"]
    assert under_the_url.isVisible() and "two servers" in under_the_url.text()
    assert under_the_url.property("tone") == Tone.WARNING.value
    assert "two servers" not in under_the_profile.text()
    type_into(qtbot, base_url, good)
    assert not under_the_url.text()


def test_the_room_a_message_kept_while_typing_closes_when_the_field_is_left(
    window: MainWindow, qtbot
) -> None:
    """A message that goes while its field is typed in keeps its room (the rows below stay
    under the pointer); left, the field's blank room stayed, pushing the request down."""
    add_profile(window, "Sandbox A")
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    type_into(qtbot, window.target_panel.app_token, "sbx:a b")  # a space: an error
    message = window.target_panel.messages["app_token"]
    assert message.isVisible() and message.text()
    qtbot.keyClick(window.target_panel.app_token, Qt.Key.Key_Backspace)
    qtbot.keyClick(window.target_panel.app_token, Qt.Key.Key_Backspace)  # "sbx:a": fine
    assert message.text() == "" and message.isVisible()  # its room kept while typing
    window.form.code.setFocus()  # the person moves on
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=WAIT_MS)
    # Tryout W: the same for the secret key, whose "enter it" goes at the first character.
    secret = window.target_panel.messages["secret_key"]
    assert secret.isVisible() and secret.text()
    type_into(qtbot, window.target_panel.secret_key, "its-secret")
    assert secret.text() == ""
    window.form.code.setFocus()
    qtbot.waitUntil(lambda: not secret.isVisible(), timeout=WAIT_MS)


def test_the_room_closes_too_when_the_edit_was_undone(window: MainWindow, qtbot) -> None:
    """Tryout AO: a port out of range typed into Base URL, Ctrl+Z, and the field left — its
    message's blank room stayed until the next profile switch (the field was back as it was,
    so Qt never said its editing had finished)."""
    add_profile(window, "Sandbox A")
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    base_url = window.target_panel.base_url
    base_url.setFocus()
    base_url.end(False)
    qtbot.keyClicks(base_url, "0")  # …:NNNNN0, out of range
    message = window.target_panel.messages["base_url"]
    qtbot.waitUntil(lambda: bool(message.text()), timeout=WAIT_MS)
    qtbot.keyClick(base_url, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert base_url.text() == window.targets.current.base_url
    qtbot.waitUntil(lambda: message.text() == "", timeout=WAIT_MS)
    window.form.code.setFocus()  # the person moves on
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=WAIT_MS)


def settled_place(window: MainWindow, widget: QWidget) -> QPoint:
    """Where `widget` is in the window once the layouts pending have been made (each may
    post another: the column's, then the docks' sizes, then the column's again)."""
    for _ in range(20):
        place = widget.mapTo(window, widget.rect().center())
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        if widget.mapTo(window, widget.rect().center()) == place:
            return place
    raise AssertionError(f"{widget.objectName()} kept moving")


def test_a_click_that_leaves_a_typed_field_lands_where_it_was_aimed(
    window: MainWindow, qtbot
) -> None:
    """The room a message kept while its field was typed in closes when the field is left,
    and the rows below move up: left by a press on Get code, they must not move before the
    release, or the release falls beside the button and the click is lost."""
    add_profile(window, "Sandbox A")
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    type_into(qtbot, window.target_panel.app_token, "sbx:a b")  # a space: an error
    message = window.target_panel.messages["app_token"]
    qtbot.keyClick(window.target_panel.app_token, Qt.Key.Key_Backspace)
    qtbot.keyClick(window.target_panel.app_token, Qt.Key.Key_Backspace)  # "sbx:a": fine
    assert message.text() == "" and message.isVisible()  # its room kept while typing
    button = window.form.get_code_button
    aimed_at = settled_place(window, button)  # where the person sees it, and aims
    QTest.mousePress(button, Qt.MouseButton.LeftButton)  # the press takes the focus away
    assert not window.target_panel.app_token.hasFocus()
    assert settled_place(window, button) == aimed_at  # nothing moved it under the pointer
    with qtbot.waitSignal(button.clicked, timeout=WAIT_MS):
        QTest.mouseRelease(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=WAIT_MS)  # then it closes


def shown_profile_dialog(qtbot, profile: Profile, title: str) -> ProfileDialog:
    dialog = ProfileDialog(profile, title=title)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_profile_dialog_refuses_plain_http_to_a_remote_host(qtbot) -> None:
    draft = Profile(
        new_profile_id(), name="x", base_url="http://api.example.com", app_token="sbx:a"
    )
    dialog = ProfileDialog(draft, title="New profile")
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None and not save.isEnabled()
    assert "only allowed to this machine" in dialog.messages["base_url"].text()
    dialog.edits["base_url"].setText("https://api.example.com")
    assert save.isEnabled()


def test_a_new_profile_form_is_not_red_before_typing_and_its_fields_never_move(qtbot) -> None:
    draft = Profile(new_profile_id(), name="", base_url="https://api.sumsub.com", app_token="")
    dialog = shown_profile_dialog(qtbot, draft, "New profile")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None and not save.isEnabled()
    assert all(message.text() == "" for message in dialog.messages.values())
    assert "Name" in dialog.needs.text() and "App token" in dialog.needs.text()
    type_into(qtbot, dialog.edits["base_url"], "not a url")
    # Tryout X: the summary said only "fill in: Name, App token" — the Base URL, its error
    # under it, is for Save to wait on too.
    assert dialog.messages["base_url"].text() != ""
    assert "Base URL" in dialog.needs.text() and "App token" in dialog.needs.text()
    dialog.edits["base_url"].setText("https://api.sumsub.com")

    fields = {
        name: edit.mapTo(dialog, edit.rect().topLeft()) for name, edit in dialog.edits.items()
    }
    type_into(qtbot, dialog.edits["name"], "x")
    dialog.edits["name"].clear()  # touched, then empty again: now it is said
    assert dialog.messages["name"].text() != ""
    dialog.edits["name"].setText("Staging")
    dialog.edits["app_token"].setText("http://127.0.0.1:9")  # a URL pasted in the wrong field
    assert "looks like a URL" in dialog.messages["app_token"].text()  # under the field
    QApplication.processEvents()
    assert {n: e.mapTo(dialog, e.rect().topLeft()) for n, e in dialog.edits.items()} == fields
    assert save.isEnabled() and not dialog.needs.isVisible()


def test_escape_on_a_profile_with_typing_asks_before_throwing_it_away(qtbot) -> None:
    draft = Profile(new_profile_id(), name="", base_url="https://api.sumsub.com", app_token="")
    dialog = shown_profile_dialog(qtbot, draft, "New profile")
    type_into(qtbot, dialog.edits["name"], "Half typed")
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Cancel))
    qtbot.keyClick(dialog.edits["name"], Qt.Key.Key_Escape)
    assert len(asked) == 1 and dialog.isVisible()  # kept, with what was typed
    assert dialog.edits["name"].text() == "Half typed"

    def discard_by_keyboard() -> None:  # Alt+D, the key its button underlines (tryout Q)
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        # Should the key do nothing, the box is closed later, so the test fails, not hangs.
        cancel = box.button(QMessageBox.StandardButton.Cancel)
        QTimer.singleShot(WAIT_MS, cancel, cancel.click)  # (not once the box is gone)
        box.activateWindow()  # keys reach the active window (offscreen: none is, at first)
        QTest.qWaitForWindowActive(box)
        qtbot.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)

    QTimer.singleShot(0, discard_by_keyboard)
    qtbot.keyClick(dialog.edits["name"], Qt.Key.Key_Escape)
    assert len(asked) == 2 and not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_settings_refuse_a_name_taken_in_the_dialog_keeping_every_other_edit(
    window: MainWindow, qtbot
) -> None:
    """Tryout T: Settings with another profile's name closed on Save, the store refused it,
    and every other edit was lost. The dialog says so under Name and keeps Save off until the
    name is free; the rest of what was typed is saved with it."""
    add_profile(window, "Sandbox A")
    seen: dict[str, object] = {}

    def edit_the_settings() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ProfileDialog)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        dialog.timeout.setValue(12)
        dialog.edits["name"].setText("built-in EMULATOR")  # another's, whatever its case
        seen["message"] = dialog.messages["name"].text()
        seen["save on"] = save.isEnabled()
        dialog.edits["name"].setText("Sandbox B")
        save.click()

    QTimer.singleShot(0, edit_the_settings)
    window.profile_actions.settings()
    assert "already exists" in str(seen["message"]) and seen["save on"] is False
    saved = window.targets.current
    assert saved.name == "Sandbox B" and saved.timeout_s == 12


def test_settings_saved_keep_what_another_window_saved_while_they_were_open(
    window: MainWindow, qtbot
) -> None:
    """Tryout AL: Settings opened, another window saved a new app token, Save here with a new
    client id — the app token went back to the old one. Save writes what the dialog changed,
    onto the profile as saved now."""
    mine = add_profile(window, "Sandbox A")

    def edit_the_settings() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ProfileDialog)
        elsewhere = ProfileStore()  # the other window, in its own process, meanwhile
        stored = elsewhere.get(mine.id)
        assert stored is not None
        elsewhere.update(replace(stored, app_token="sbx:from-the-other-window"))
        dialog.edits["client_id"].setText("client-from-here")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    QTimer.singleShot(0, edit_the_settings)
    window.profile_actions.settings()
    saved = ProfileStore().get(mine.id)
    assert saved is not None
    assert (saved.client_id, saved.app_token) == ("client-from-here", "sbx:from-the-other-window")
    assert window.targets.current.app_token == "sbx:from-the-other-window"


def test_fields_not_typed_in_show_what_another_window_saved_and_typing_keeps_it(
    window: MainWindow, qtbot
) -> None:
    """Tryout AL: another window saved a new app token; this one kept showing the old one,
    and a keystroke in Base URL here wrote the old token back over it."""
    mine = add_profile(window, "Sandbox A")
    elsewhere = ProfileStore()
    stored = elsewhere.get(mine.id)
    assert stored is not None
    elsewhere.update(replace(stored, app_token="sbx:from-the-other-window"))
    app_token = window.target_panel.app_token
    qtbot.waitUntil(lambda: app_token.text() == "sbx:from-the-other-window", timeout=WAIT_MS)

    base_url = window.target_panel.base_url
    type_into(qtbot, base_url, base_url.text())  # a keystroke, and nothing changed
    window.target_binding.save()
    saved = ProfileStore().get(mine.id)
    assert saved is not None and saved.app_token == "sbx:from-the-other-window"


def test_escape_on_a_profile_nothing_was_typed_in_closes_it_at_once(qtbot) -> None:
    draft = Profile(new_profile_id(), name="x", base_url="https://api.example.com", app_token="t")
    dialog = shown_profile_dialog(qtbot, draft, "Settings")
    qtbot.keyClick(dialog.edits["name"], Qt.Key.Key_Escape)  # no question: nothing to lose
    assert not dialog.isVisible()


def test_a_field_that_gets_the_focus_is_scrolled_into_view(qtbot) -> None:
    """On a short screen the dialog's fields scroll; a mnemonic (Alt+P) that jumps to a field
    out of view brings it into view, so nobody types into a field they can't see."""
    draft = Profile(new_profile_id(), name="x", base_url="https://api.example.com", app_token="t")
    dialog = ProfileDialog(draft, title="Settings")
    qtbot.addWidget(dialog)
    dialog.resize(dialog.width(), 260)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    proxy = dialog.edits["proxy"]
    area = next(
        a for a in dialog.findChildren(QScrollArea) if (c := a.widget()) and c.isAncestorOf(proxy)
    )

    def in_view() -> bool:
        top_left = proxy.mapTo(area.viewport(), proxy.rect().topLeft())
        return area.viewport().rect().contains(QRect(top_left, proxy.size()))

    assert not in_view()
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(proxy.hasFocus, timeout=WAIT_MS)
    assert in_view()


def test_a_wheel_over_the_unfocused_timeout_scrolls_the_dialog_not_the_value(qtbot) -> None:
    draft = Profile(new_profile_id(), name="x", base_url="https://api.example.com", app_token="t")
    dialog = ProfileDialog(draft, title="New profile")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    dialog.edits["name"].setFocus()
    before = dialog.timeout.value()
    wheel_down(dialog.timeout)
    assert dialog.timeout.value() == before
    dialog.timeout.setFocus()
    wheel_down(dialog.timeout)
    assert dialog.timeout.value() != before


def test_import_and_export_never_carry_the_secret(window: MainWindow, qtbot, tmp_path) -> None:
    add_profile(window, "Exported")
    type_into(qtbot, window.target_panel.secret_key, "exported-secret-value")
    path = tmp_path / "profile.json"
    window.targets.store.export_profile(window.targets.current.id, path)
    assert "exported-secret-value" not in path.read_text()
    data = json.loads(path.read_text())
    data["profiles"][0]["secret_key"] = "smuggled"  # a hand-edited file
    path.write_text(json.dumps(data))
    window.profile_actions.import_from(path)
    assert window.target_panel.profile.currentText() == "Exported (2)"
    assert window.target_panel.secret_key.text() == ""
    assert "smuggled" not in window.targets.store.path.read_text()


def test_each_import_note_is_a_sentence_of_its_own(window: MainWindow, tmp_path) -> None:
    """Tryout AC: two notes ran together in the status line ("…imported as 'Short TTL (2)'
    'Built-in emulator' is the name…")."""
    add_profile(window, "Twice")
    path = tmp_path / "profiles.json"
    window.targets.store.export_profile(window.targets.current.id, path)
    data = json.loads(path.read_text())
    data["profiles"] = [data["profiles"][0], {**data["profiles"][0], "id": "another-id"}]
    path.write_text(json.dumps(data))
    window.profile_actions.import_from(path)
    said = window.status.text()
    assert said.count("exists already") == 2, said
    assert "'Twice (2)'. A profile" in said, said


def test_a_postman_environment_imports_from_the_menu_with_its_secret_in_the_keyring(
    window: MainWindow, qtbot, tmp_path: Path, test_keyring, private_home: Path
) -> None:
    source = write_environment(
        tmp_path / "Sumsub.postman_environment.json",
        base_url=window.emulator.base_url,
        app_token=EMULATOR_APP_TOKEN,
        secret_key=EMULATOR_SECRET_KEY,
    )
    window.profile_actions.import_from(source)

    assert window.target_panel.profile.currentText() == "Sumsub sandbox"
    secret = window.target_panel.secret_key
    qtbot.waitUntil(lambda: secret.text() == EMULATOR_SECRET_KEY, timeout=WAIT_MS)
    assert test_keyring.items == {(SERVICE_NAME, window.targets.current.id): EMULATOR_SECRET_KEY}
    assert "keyring" in window.status.text()
    # The imported profile signs with the imported secret: the emulator grants a token.
    code = flows.get_code(window.emulator.base_url)
    window.form.set_grant("authorization_code")
    type_into(qtbot, window.form.code, code.code)
    type_into(qtbot, window.form.code_verifier, code.code_verifier)
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
    assert files_containing(private_home, EMULATOR_SECRET_KEY) == []


def test_an_import_while_auto_refresh_runs_leaves_the_current_profile_selected(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    """Selecting the imported profile stopped auto-refresh on the one in use (tryout P): now
    the imported profile is listed, not selected, and the status bar says where it is."""
    token_flow(window, qtbot)
    window.countdown_panel.auto_refresh.setChecked(True)
    assert window.auto_refresh.scheduled
    source = write_environment(
        tmp_path / "Partner.postman_environment.json",
        name="Partner",
        app_token="sbx:partner",
        secret_key="partner-secret",
    )
    window.profile_actions.import_from(source)

    assert window.targets.current.builtin and window.auto_refresh.scheduled
    assert "Partner" in _profiles_listed(window)
    assert "Partner" in window.status.text() and "auto-refresh" in window.status.text()

    window.countdown_panel.auto_refresh.setChecked(False)  # nothing running: selected
    window.profile_actions.import_from(source)
    assert window.target_panel.profile.currentText().startswith("Partner (")  # a second one


def test_an_import_that_fails_says_why_in_full(window: MainWindow, tmp_path: Path) -> None:
    """Tryout AP: a file that was no JSON, or whose one profile was refused, was said in the
    status bar alone, cut to its width — with a long profile name, before the reason."""
    before = [profile.id for profile in window.targets.store.profiles()]
    long_name = tmp_path / "long-name.json"
    long_name.write_text(
        json.dumps(
            {
                "profiles": [
                    {
                        "name": "x" * 3000,
                        "base_url": "https://a.test",
                        "app_token": "sbx:t",
                        "timeout_s": -5,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    not_json = tmp_path / "not-json.postman_environment.json"
    not_json.write_text("this is not json", encoding="utf-8")
    for path, reason in ((long_name, "timeout"), (not_json, "not JSON")):
        window.profile_actions.import_from(path)
        shown = [b for b in window.findChildren(QMessageBox, "importFailedBox") if b.isVisible()]
        assert len(shown) == 1 and not shown[0].isModal()
        box = shown[0]
        assert reason in box.informativeText() and path.name in box.text()
        assert len(box.informativeText()) < 400  # the name cut short, not the reason
        assert window.status.message.property("tone") == Tone.ERROR.value
        box.close()
    assert [profile.id for profile in window.targets.store.profiles()] == before


def test_a_postman_collection_without_a_keyring_keeps_the_secret_for_this_run_and_says_so(
    loop, qtbot, tmp_path: Path, private_home: Path
) -> None:
    keyring.set_keyring(FailKeyring())  # no keyring at all (the fixture restores its own)
    window = open_window(qtbot)
    try:
        marker = tmp_path / "scripts-ran"
        source = write_collection(
            tmp_path / "Sumsub.postman_collection.json",
            base_url=window.emulator.base_url,
            app_token=EMULATOR_APP_TOKEN,
            secret_key=EMULATOR_SECRET_KEY,
            client_id="emulator-client",
            marker=marker,
        )
        window.profile_actions.import_from(source)
        assert window.target_panel.profile.currentText() == "Sumsub ID Connect"
        assert window.target_panel.app_token.text() == EMULATOR_APP_TOKEN
        # Kept for this run, as a secret typed in would be (and said so): the profile works.
        qtbot.waitUntil(
            lambda: window.target_panel.secret_key.text() == EMULATOR_SECRET_KEY, timeout=WAIT_MS
        )
        assert "this run only" in window.status.text()
        assert window.status.message.property("tone") == Tone.WARNING.value
        # Too long for the status line: every note is listed in a window of its own too.
        notes = window.findChild(QMessageBox, "importNotesBox")
        assert notes is not None and notes.isVisible() and not notes.isModal()
        assert "this run only" in notes.informativeText()
        assert "plain text" in notes.informativeText()  # delete the file: said in full
        assert not marker.exists()  # the collection's scripts never ran
        # It signs with the imported secret: the emulator grants a token.
        code = flows.get_code(window.emulator.base_url)
        window.form.set_grant("authorization_code")
        type_into(qtbot, window.form.code, code.code)
        type_into(qtbot, window.form.code_verifier, code.code_verifier)
        assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)
        assert files_containing(private_home, EMULATOR_SECRET_KEY) == []
        # The profile's settings say where a secret goes here: not into a keyring.
        seen: list[str] = []

        def look() -> None:
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, ProfileDialog)
            note = dialog.findChild(QLabel, "profileSecretNote")
            seen.append(note.text() if note is not None else "")
            dialog.reject()

        QTimer.singleShot(0, look)
        window.profile_actions.settings()
        assert seen and "this run only" in seen[0] and "kept in the keyring" not in seen[0]
    finally:
        close_window(window, qtbot)


def test_a_file_that_is_no_profile_is_refused_and_nothing_changes(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def names() -> list[str]:
        profiles = window.target_panel.profile
        return [profiles.itemText(i) for i in range(profiles.count())]

    before = names()
    junk = tmp_path / "notes.json"
    junk.write_text('{"hello": "world"}', encoding="utf-8")
    # The file the person picks in File ▸ Import profiles…
    started_in: list[str] = []

    def pick(_parent: object, _title: str, start: str, _pattern: str) -> tuple[str, str]:
        started_in.append(start)
        return str(junk), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick)
    monkeypatch.setattr(file_dialogs, "_last_folder", None)  # a first dialog in this run
    window.profile_actions.run("import")
    assert names() == before
    assert "notes.json" in window.status.text()
    assert window.status.message.property("tone") == Tone.ERROR.value
    # The dialog started in the home folder, not wherever the app was started from; the
    # next one starts where the last file was.
    window.profile_actions.run("import")
    assert started_in == [str(Path.home()), str(tmp_path)]


def test_a_name_taken_already_asks_again_with_the_typing_kept(window: MainWindow, qtbot) -> None:
    add_profile(window, "Taken")
    mine = add_profile(window, "Mine")
    select(window, mine.id)
    asked_again: list[tuple[str, str]] = []
    widths: list[tuple[int, int]] = []  # the dialog's, and its font's average character's

    def again() -> None:  # the second dialog: why, and what was typed, then Cancel
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        asked_again.append((dialog.labelText(), dialog.textValue()))
        dialog.reject()

    def first() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        widths.append((dialog.width(), dialog.fontMetrics().averageCharWidth()))
        dialog.setTextValue("Taken")
        QTimer.singleShot(0, again)
        dialog.accept()

    QTimer.singleShot(0, first)
    window.target_panel.actions_by_name["rename"].trigger()

    ((label, typed),) = asked_again
    assert "already exists" in label and typed == "Taken"
    # Wide enough for its title and a name: Qt's own fitted its label ("Renam… rofile").
    ((width, character),) = widths
    assert width >= 40 * character
    assert window.targets.current.name == "Mine"  # cancelled: unchanged


def test_export_suggests_a_file_name_that_is_one_name_whatever_the_profile_is_called(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name from an imported collection ("Sumsub <b>API</b> collection") held a "/": the
    suggested file went into a folder "Sumsub <b", named "b> collection.json"."""
    select(window, add_profile(window, "Sumsub <b>API</b>: sandbox?").id)
    suggested: list[str] = []

    def pick(_parent: object, _title: str, start: str, _pattern: str) -> tuple[str, str]:
        suggested.append(start)
        return str(tmp_path / Path(start).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", pick)
    monkeypatch.setattr(file_dialogs, "_last_folder", tmp_path)
    window.profile_actions.run("export")

    (start,) = suggested
    assert Path(start).parent == tmp_path  # one file name in the folder, no folder of its own
    assert Path(start).name.endswith(".json") and "Sumsub" in Path(start).name
    assert list(tmp_path.iterdir()) == [Path(start)]


def test_the_built_in_emulator_offers_no_export(window: MainWindow) -> None:
    """Tryout AJ: File ▸ Export profile… was on for the built-in emulator, and then said in
    red that it isn't exported. It is off there, in both menus, and on for a saved profile."""
    exports = (window.actions_by_name["export"], window.target_panel.actions_by_name["export"])
    assert window.targets.current.builtin
    assert not any(action.isEnabled() for action in exports)
    select(window, add_profile(window, "Partner").id)
    assert all(action.isEnabled() for action in exports)
    select(window, EMULATOR_PROFILE_ID)
    assert not any(action.isEnabled() for action in exports)


def test_history_lists_filters_shows_and_reloads(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)  # authorize, 200, 401
    status = COLUMN["Status"]
    statuses = [panel.table.topLevelItem(i).text(status) for i in range(2)]  # type: ignore[union-attr]
    assert statuses == ["401", "200"]  # newest first

    panel.status_filter.setCurrentIndex(panel.status_filter.findData("4xx"))
    qtbot.waitUntil(lambda: panel.row_count() == 1, timeout=WAIT_MS)
    panel.status_filter.setCurrentIndex(0)
    correlation = text_of(window, "errorCorrelationId")
    panel.filter_text.setText(correlation)
    qtbot.waitUntil(lambda: panel.row_count() == 1, timeout=WAIT_MS)
    panel.filter_text.setText("")
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)

    # Show the successful one: a read-only window of its own, tokens masked; the live panels
    # keep showing the latest exchange (the 401) and the tokens it made stale.
    live_access = text_of(window, "accessTokenField")
    live_raw = window.raw_panel.response.toPlainText()
    panel.select_row(1)
    panel.show_button.click()
    (dialog,) = window.history.dialogs
    assert dialog.isVisible()
    shown = dialog.raw.response.toPlainText()
    assert "HTTP/1.1 200" in shown and "snd-id-con-a-" in shown
    assert live_access not in shown  # masked
    assert text_of(window, "accessTokenField") == live_access
    assert window.raw_panel.response.toPlainText() == live_raw
    assert text_of(window, "errorStatus") == "401 Unauthorized"
    assert window.response_panel.property("stale") is True
    assert window.findChild(QWidget, "rawResponse") is window.raw_panel.response

    # Load its request into the form: the fields a code exchange sends. The history stored its
    # code and verifier masked, so the form keeps its own and says why; the refresh token the
    # form holds (the live one) stays.
    live_refresh = window.form.refresh_token.text()
    assert live_refresh
    window.form.set_grant("refresh_token")
    window.form.code.setText("typed-meanwhile")
    panel.load_button.click()
    assert window.form.grant() == "authorization_code"
    assert window.form.code.text() == "typed-meanwhile"
    assert window.form.refresh_token.text() == live_refresh
    assert "stored masked" in window.status.text()
    assert window.status.message.property("tone") == Tone.WARNING.value


def test_reloading_a_refresh_says_the_token_was_masked_and_keeps_the_forms(
    window: MainWindow, qtbot
) -> None:
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)
    live = window.form.refresh_token.text()
    assert live
    window.form.set_grant("authorization_code")
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)  # authorize, code, refresh
    panel.select_row(0)
    panel.load_button.click()
    assert window.form.grant() == "refresh_token"
    assert window.form.refresh_token.text() == live  # the masked one would be worth nothing
    assert "stored masked" in window.status.text()


def test_load_says_before_the_click_what_it_will_put_back(window: MainWindow, qtbot) -> None:
    """Under default masking Load can only put back the grant type and scopes: its tooltip
    says so while the row is selected. The authorize step has no request to load: Load is off.
    A profile that keeps full tokens loads the tokens too, and says that instead."""
    token_flow(window, qtbot)
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)  # authorize, code
    panel.select_row(0)  # the code exchange, masked
    assert panel.load_button.isEnabled()
    masked_tip = panel.load_button.toolTip()
    assert "scopes only" in masked_tip and "code and verifier" in masked_tip
    panel.select_row(1)  # the authorize step
    assert not panel.load_button.isEnabled() and panel.show_button.isEnabled()
    assert panel.load_button.toolTip() != masked_tip

    add_profile(window, "Keeps full tokens", store_full_tokens=True)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: panel.row_count() == 4, timeout=WAIT_MS)  # every profile's
    panel.select_row(0)
    full_tip = panel.load_button.toolTip()
    assert panel.load_button.isEnabled() and "code and verifier" in full_tip
    assert "only" not in full_tip


def test_loading_another_profiles_refresh_token_says_it_will_be_refused(
    window: MainWindow, qtbot
) -> None:
    """A refresh token belongs to the server that issued it: History ▸ Load under another
    profile warns before Send; under its own profile it loads quietly."""
    own = add_profile(window, "Keeps full tokens", store_full_tokens=True)
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)  # authorize, code, refresh

    add_profile(window, "Another target")
    panel.select_row(0)
    panel.load_button.click()
    assert window.form.refresh_token.text().startswith("snd-id-con-r-")  # stored in full
    assert "Keeps full tokens" in window.status.text()
    assert window.status.message.property("tone") == Tone.WARNING.value

    select(window, own.id)
    qtbot.waitUntil(lambda: panel.row_count() == 3, timeout=WAIT_MS)
    panel.select_row(0)
    panel.load_button.click()
    assert window.status.message.property("tone") == Tone.OK.value


def answer_the_question(qtbot, button: QMessageBox.StandardButton) -> None:
    """Press `button` in the question box the next click opens, as soon as it is up."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, press)

    QTimer.singleShot(0, press)


def test_history_keeps_what_its_spin_box_says_and_clears_on_yes_only(
    window: MainWindow, qtbot
) -> None:
    panel, history = window.history_panel, window.history
    exchange = token_flow(window, qtbot)  # the authorize step and the exchange
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    for _ in range(10):
        history.store.add(exchange, profile=window.targets.current, form=None)
    assert history.store.count() == 12

    def keep_last(text: str) -> None:
        panel.retention.setFocus()
        panel.retention.selectAll()
        qtbot.keyClicks(panel.retention, text)
        qtbot.keyClick(panel.retention, Qt.Key.Key_Return)  # as typed: editing finished

    # A limit that deletes saved exchanges asks first, as Clear does; Cancel keeps them all.
    kept = panel.retention.value()
    answer_the_question(qtbot, QMessageBox.StandardButton.Cancel)
    keep_last("10")
    assert panel.retention.value() == kept and history.store.retention == kept
    assert history.store.count() == 12
    answer_the_question(qtbot, QMessageBox.StandardButton.Yes)
    keep_last("10")
    assert history.store.count() == 10  # at once, not at the next Send
    qtbot.waitUntil(lambda: panel.row_count() == 10, timeout=WAIT_MS)
    send_and_wait(window, qtbot)  # one more: the oldest beyond ten goes
    qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
    assert history.store.count() == 10
    relaunched = open_window(qtbot)  # the limit is remembered
    try:
        assert relaunched.history_panel.retention.value() == 10
    finally:
        close_window(relaunched, qtbot)

    answer_the_question(qtbot, QMessageBox.StandardButton.No)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert history.store.count() == 10 and panel.row_count() == 10
    answer_the_question(qtbot, QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert history.store.count() == 0 and panel.row_count() == 0


def test_copy_as_curl_runs_in_a_real_shell(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    command = window.copy_as_curl()
    assert command is not None and QGuiApplication.clipboard().text() == command
    assert "emulator-secret-key" not in command
    env = {**os.environ, "SUMSUB_SECRET_KEY": "emulator-secret-key", "NO_PROXY": "*"}
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["access_token"].startswith("snd-id-con-a-")


def _run_copied(command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUMSUB_SECRET_KEY": "emulator-secret-key", "NO_PROXY": "*"}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env)


def test_a_spent_code_copied_as_curl_is_warned_of_in_the_command_and_the_status_bar(
    window: MainWindow, qtbot
) -> None:
    """Run, the command would replay the code — and the server should revoke the tokens on
    screen. Whoever pastes it reads that first; it still runs (to the 401 it was warned of)."""
    token_flow(window, qtbot)  # the code in the form is used now
    command = window.copy_as_curl()
    assert command is not None
    first_line = command.splitlines()[0]
    assert first_line.startswith("# Warning:") and "Get code" in first_line
    assert window.status.message.property("tone") == Tone.WARNING.value
    assert json.loads(_run_copied(command).stdout)["code"] == 401

    get_code(window, qtbot)  # a fresh code: nothing to warn of
    command = window.copy_as_curl()
    assert command is not None and not command.startswith("#")
    assert window.status.message.property("tone") == Tone.OK.value

    # Tryout S: a refresh copied holds the refresh token in full (the history masks it): the
    # status bar says so, in amber, where it said only that the secret key is not in it.
    window.form.set_grant("refresh_token")
    command = window.copy_as_curl()
    assert command is not None and window.form.refresh_token.text() in command
    assert window.status.message.property("tone") == Tone.WARNING.value
    assert "refresh token" in window.status.text()
    assert not command.startswith("#")  # nothing known against it

    # Tryout W: once the server revoked it (a replay, then a refused refresh), the command
    # was copied with no word of that; it gets 403.
    window.form.set_grant("authorization_code")
    send_and_wait(window, qtbot)  # the fresh code: tokens
    send_and_wait(window, qtbot)  # and again: 401, its tokens revoked
    window.form.set_grant("refresh_token")
    refused = send_and_wait(window, qtbot)
    assert isinstance(refused.outcome, ApiError) and refused.outcome.status == 403
    command = window.copy_as_curl()
    assert command is not None and command.startswith("# Warning:")
    assert "revoked" in command.splitlines()[0] and "revoked" in window.status.text()


def test_a_401_after_the_copied_command_redeemed_the_code_names_the_copy(
    window: MainWindow, qtbot
) -> None:
    get_code(window, qtbot)
    command = window.copy_as_curl()
    assert command is not None
    assert "access_token" in json.loads(_run_copied(command).stdout)  # the command used it

    send_and_wait(window, qtbot)  # and then Send, from the app

    assert hint_shown(window) is HintKind.CODE_REPLAYED
    report = window.error_panel.shown
    assert report is not None and report.hint is not None
    assert "curl" in report.hint.title


def test_a_success_that_could_not_be_read_is_copied_with_a_warning_too(
    window: MainWindow, qtbot
) -> None:
    """Tryout AH: a 200 the app could not read (malformed JSON) was copied in green, though
    its body may hold whole tokens as much as a readable one."""
    get_code(window, qtbot)
    scenario(window, "malformed_json")
    send_and_wait(window, qtbot)
    window.copy_response_json()
    assert "access_token" in QGuiApplication.clipboard().text()
    assert window.status.message.property("tone") == Tone.WARNING.value


def test_copy_response_and_save_exchange(window: MainWindow, qtbot, tmp_path: Path) -> None:
    get_code(window, qtbot)  # an authorize step alone: no token exchange to save, and it says so
    assert window.save_exchange(tmp_path / "too-soon.json") is None
    assert not (tmp_path / "too-soon.json").exists()
    assert "token exchange" in window.status.text()
    assert window.status.message.property("tone") == Tone.WARNING.value
    exchange = send_and_wait(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)
    window.copy_response_json()
    copied = json.loads(QGuiApplication.clipboard().text())
    assert copied["token_type"] == "Bearer"
    # Tryout V: it holds the tokens whole, as received — said, in amber.
    assert copied["access_token"] == exchange.outcome.access_token
    assert window.status.message.property("tone") == Tone.WARNING.value
    assert "in full" in window.status.text()
    # Which exchange's: the latest may be a share token's, beside the tokens (tryout AG).
    assert "token exchange" in window.status.text()
    assert clock_time(exchange.received_at) in window.status.text()
    get_code(window, qtbot)  # an authorize step since: the latest exchange is still the token's
    qtbot.waitUntil(
        lambda: window.session.verdict_on_arrival(exchange) is not None, timeout=WAIT_MS
    )
    saved = window.save_exchange(tmp_path / "exchange.json")
    assert saved is not None
    said = window.status.text()  # which exchange went to the file, by its time
    assert "token exchange" in said and clock_time(exchange.received_at) in said
    assert said.startswith(f"Saved to {saved}")  # where, first: a long line is cut at its end
    text = saved.read_text()
    assert exchange.outcome.access_token not in text  # masked by default
    record = json.loads(text)
    assert record["outcome"]["access_token"].startswith("snd-id-con-a-")
    assert record["id_token_on_arrival"] == {"verdict": "verified", "held_back": []}
    assert "made_by" not in record


def test_an_exchange_saved_before_its_id_token_was_checked_says_so(
    window: MainWindow, tmp_path: Path
) -> None:
    """Saved while its keys are still being fetched: the id_token is said to be unchecked,
    not left out of the file (which reads as a response without one)."""
    exchange = granted(datetime.now(UTC), access="snd-id-con-a-x", id_token="e30.e30.sig")
    said: list[str] = []
    saved = exports.save_exchange(
        exchange,
        full_tokens=False,
        parent=window,
        say=lambda text, _tone: said.append(text),
        path=tmp_path / "early.json",
    )
    assert saved is not None and said
    record = json.loads(saved.read_text())
    assert record["id_token_on_arrival"] == {"verdict": "not checked yet", "held_back": []}


def test_a_saved_exchange_keeps_its_id_tokens_verdict_and_the_drill_that_staged_it(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    """Tryout Z: a response whose id_token failed its signature, saved for a ticket, read as
    a clean grant ("outcome": "granted", "hint": null), in a green "Saved…"; nothing said a
    drill had staged it."""
    window.actions_by_name["drills"].trigger()
    drills = window.drills.dialog
    assert drills is not None
    qtbot.waitUntil(lambda: drills.select("bad_signature_id_token"), timeout=WAIT_MS)
    drills.arm_button.click()
    drills.close()
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: text_of(window, "accessTokenState") == "not trusted", timeout=WAIT_MS)
    saved = window.save_exchange(tmp_path / "staged.json")
    assert saved is not None
    record = json.loads(saved.read_text())
    assert record["id_token_on_arrival"] == {"verdict": "failed", "held_back": ["signature"]}
    assert record["made_by"] == "made by the emulator's bad_signature_id_token drill"
    assert window.status.message.property("tone") == Tone.WARNING.value
    assert "failed" in window.status.text() and "bad_signature_id_token" in window.status.text()


def test_an_exchange_is_written_after_it_is_shown_and_kept_on_a_quick_close(loop, qtbot) -> None:
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.emulator.started, timeout=WAIT_MS)
    get_code(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)  # authorize
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
        window.form.send_button.click()
    # Shown at once; written a turn later (after the paint), so not yet...
    assert text_of(window, "accessTokenField").startswith("snd-id-con-a-")
    assert window.history.pending_writes == 1
    store_path = window.history.store.path
    window.history.close()  # ...and closing in this very turn still writes it
    reopened = HistoryStore(path=store_path)
    try:
        assert reopened.count() == 2  # the authorize step and the exchange
    finally:
        reopened.close()
    close_window(window, qtbot)


@pytest.mark.parametrize(
    ("keyring", "said", "not_said"),
    [
        (True, "kept in the keyring", "this run only"),
        (False, "this run only", "kept in the keyring"),
        (None, "where there is none", "kept in the keyring."),  # not tried yet: both ways
    ],
)
def test_the_profile_dialog_says_where_the_secret_goes_as_far_as_is_known(
    qtbot, keyring: bool | None, said: str, not_said: str
) -> None:
    draft = Profile(new_profile_id(), name="", base_url="https://api.sumsub.com", app_token="")
    dialog = ProfileDialog(draft, title="New profile", keyring=keyring)
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "profileSecretNote")
    assert note is not None and said in note.text() and not_said not in note.text()


def test_a_renamed_profile_is_named_so_in_the_history(window: MainWindow, qtbot) -> None:
    """Rows made with a profile renamed since say its new name — in the list, in Show and to
    the filter — as the profile dropdown does; a profile never renamed keeps its rows' name."""
    mine = add_profile(window, "Sandbox A")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    select(window, EMULATOR_PROFILE_ID)
    token_flow(window, qtbot)
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 4, timeout=WAIT_MS)

    select(window, mine.id)
    answer_the_input_dialog("Sandbox A (old key)")
    window.target_panel.actions_by_name["rename"].trigger()
    assert window.targets.current.name == "Sandbox A (old key)"

    def profiles_listed() -> list[str]:
        items = (panel.table.topLevelItem(i) for i in range(panel.row_count()))
        return [item.text(COLUMN["Profile"]) for item in items if item is not None]

    qtbot.waitUntil(lambda: "Sandbox A" not in profiles_listed(), timeout=WAIT_MS)
    assert profiles_listed() == ["Built-in emulator"] * 2 + ["Sandbox A (old key)"] * 2
    panel.filter_text.setText("old key")
    qtbot.waitUntil(lambda: panel.row_count() == 2, timeout=WAIT_MS)
    rows = window.history.store.list("old key")
    assert {row.profile_name for row in rows} == {"Sandbox A (old key)"}


def test_results_name_their_profile_as_the_list_does_after_a_rename_or_a_delete(
    window: MainWindow, qtbot
) -> None:
    """Tryout AG: the panels went on naming a deleted profile ("From … (Partner A)"), a name
    no longer in the list, and a renamed one by its old name while the History followed the
    rename. They name it as the list does now, and say when it is gone."""
    mine = add_profile(window, "Partner A")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    answer_the_input_dialog("Partner A (old key)")
    window.target_panel.actions_by_name["rename"].trigger()
    assert window.targets.current.name == "Partner A (old key)"
    select(window, EMULATOR_PROFILE_ID)
    notes = (window.response_panel.freshness, window.countdown_panel.freshness)
    qtbot.waitUntil(lambda: all("profile Partner A (old key) (" in note.text() for note in notes))

    ProfileStore().delete(mine.id)  # what another window does, in its own process
    qtbot.waitUntil(lambda: "Partner A (old key)" not in _profiles_listed(window))
    assert window.targets.current.builtin
    # As the list changes, not at the countdown's next tick (nothing ticks without tokens).
    assert all("Partner A (old key) (deleted)" in note.text() for note in notes)
    assert window.response_panel.property("stale") is True


def test_a_profile_deleted_here_is_named_deleted_though_its_secret_key_was_typed(
    window: MainWindow, qtbot
) -> None:
    """Found by a probe: typing the secret key keeps the profile's edits for the run, and
    those edits went on naming it in the results after it was deleted in this window."""
    mine = add_profile(window, "Quick TTL tokens")
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    token_flow(window, qtbot)
    # Typed again just now: the edits wait for a pause in typing to be saved.
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET_KEY)
    assert window.targets.has_unsaved_edits()

    window.profile_actions.delete_now(mine.id)

    assert window.targets.current.builtin
    notes = (window.response_panel.freshness, window.countdown_panel.freshness)
    assert all("Quick TTL tokens (deleted)" in note.text() for note in notes)

    # Where the whole note does not fit (the Expiry panel beside the request, on a laptop), the
    # profile's name and the time stay whole: the explanation between them goes first. Cut in
    # the middle, the line had read "From profile Quick T…, received at 18:46:56".
    line = window.countdown_panel.freshness
    room = line.fontMetrics().horizontalAdvance("⚠ From profile Quick TTL tokens (deleted), ")
    line.resize(room + line.fontMetrics().horizontalAdvance("received at 00:00:00.  "), 30)
    shown = line.shown_text()
    assert shown.startswith("⚠ From profile Quick TTL tokens (deleted), received at ")
    assert "…" not in shown and shown in line.text().replace(f" ({SAME_CLIENT})", "")
    assert SAME_CLIENT in line.toolTip()  # the explanation, on hover


def _profiles_listed(window: MainWindow) -> list[str]:
    combo = window.target_panel.profile
    return [combo.itemText(i) for i in range(combo.count())]


def _import_in_a_terminal(source: Path) -> None:
    """`idconnect-tester profile import` in another process, as a person would in a terminal
    beside the window (same home; no keyring there: the secret is not the point here)."""
    done = subprocess.run(
        [sys.executable, "-m", "idconnect_tester", "profile", "import", str(source)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_profile_imported_in_a_terminal_appears_in_the_open_window(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    """It appeared only when the window next saved its profiles. What is typed in the profile
    on screen stays, and so does the selection."""
    mine = add_profile(window, "Sandbox A")
    type_into(qtbot, window.target_panel.app_token, "-typed")  # not saved yet
    typed = window.target_panel.app_token.text()
    source = write_environment(
        tmp_path / "Partner.postman_environment.json",
        name="Partner",
        app_token="prd:partner",
        secret_key="partner-secret",
    )

    _import_in_a_terminal(source)

    qtbot.waitUntil(lambda: "Partner" in _profiles_listed(window), timeout=WAIT_MS)
    assert window.targets.current.id == mine.id
    assert window.target_panel.profile.currentText() == "Sandbox A"
    assert window.target_panel.app_token.text() == typed
    assert "Partner" in window.status.message.text()


def test_the_profile_on_screen_deleted_in_another_window_gives_way_and_says_so(
    window: MainWindow, qtbot
) -> None:
    """Tryout V: deleted in a second window, the profile stayed selected in the first; typing
    in it then failed at each save ("There is no profile with id …")."""
    mine = add_profile(window, "Sandbox A")
    ProfileStore().delete(mine.id)  # what the other window does, in its own process
    qtbot.waitUntil(lambda: window.targets.current.id != mine.id, timeout=WAIT_MS)
    assert "Sandbox A" not in _profiles_listed(window)
    assert window.target_panel.profile.currentData() == window.targets.current.id
    said = window.status.message.text()
    assert "Sandbox A" in said and "deleted" in said
    type_into(qtbot, window.target_panel.app_token, "sbx:typed-after")  # saves, without a word
    window.target_binding.save()
    assert "not saved" not in window.status.message.text()


def test_another_windows_rename_and_client_id_reach_the_profile_on_screen_and_stay_saved(
    window: MainWindow, qtbot
) -> None:
    """A profile on screen with an app token typed in it, renamed and given another client id
    in a second window: this window sends with that client id from then on, and saving the
    typing keeps the other window's changes (a whole copy of the profile was written back,
    name and client id included)."""
    mine = add_profile(window, "Sandbox A")
    type_into(qtbot, window.target_panel.app_token, "sbx:typed-here")
    elsewhere = ProfileStore()  # what the other window does, in its own process
    stored = elsewhere.get(mine.id)
    assert stored is not None
    elsewhere.update(replace(stored, name="Sandbox B", client_id="client-from-there"))

    qtbot.waitUntil(lambda: "Sandbox B" in _profiles_listed(window), timeout=WAIT_MS)
    assert window.targets.current.id == mine.id
    assert window.target_panel.app_token.text() == "sbx:typed-here"
    target = window.session.target  # where requests go now
    assert target is not None and target.profile.client_id == "client-from-there"
    window.target_binding.save()

    saved = ProfileStore().get(mine.id)
    assert saved is not None
    assert (saved.name, saved.client_id, saved.app_token) == (
        "Sandbox B",
        "client-from-there",
        "sbx:typed-here",
    )


def test_profiles_added_where_nothing_could_watch_appear_when_the_window_is_activated(
    loop, qtbot, tmp_path: Path
) -> None:
    """A watch needs the profiles' folder: made by the other program after the window opened,
    it is watched from the next activation, which shows what it holds already."""
    profiles_file = tmp_path / "made-later" / "profiles.json"
    window = open_window(qtbot, profile_store=ProfileStore(profiles_file))
    terminal = QWidget()  # the window the person goes to, and comes back from
    qtbot.addWidget(terminal)
    terminal.show()
    terminal.activateWindow()
    assert QTest.qWaitForWindowActive(terminal)
    try:
        elsewhere = ProfileStore(profiles_file)  # what `profile import` does in its process
        elsewhere.add(Profile(new_profile_id(), "Partner", "https://api.sumsub.com", "prd:p"))
        assert "Partner" not in _profiles_listed(window)

        window.activateWindow()
        qtbot.waitUntil(lambda: "Partner" in _profiles_listed(window), timeout=WAIT_MS)
        assert window.targets.current.builtin  # still on the emulator's profile

        elsewhere.add(Profile(new_profile_id(), "Partner 2", "https://api.sumsub.com", "prd:p2"))
        qtbot.waitUntil(lambda: "Partner 2" in _profiles_listed(window), timeout=WAIT_MS)
    finally:
        close_window(window, qtbot)
