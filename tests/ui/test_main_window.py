"""The main window against the real emulator: the whole token flow, errors, cancel, layout."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QRect, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QScrollArea,
    QTabBar,
    QToolButton,
    QWidget,
)
from tests.support.flows import EMULATOR_SECRET_KEY
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import (
    WAIT_MS,
    add_profile,
    get_code,
    hint_shown,
    on_screen,
    select,
    send_and_wait,
    text_of,
    token_flow,
    type_into,
    wheel_down,
)

from idconnect_tester import vendor
from idconnect_tester.core.exchange import HintKind, TokenGranted, UnexpectedResponse
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.core.target_selection import EMULATOR_SECRET
from idconnect_tester.ui import window_layout
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.window_settings import LayoutKind, WindowSettings

HHMMSS = re.compile(r"^\d{2}:\d{2}:\d{2}$")


def test_the_emulator_starts_by_itself_after_the_first_paint(window: MainWindow) -> None:
    url = window.target_panel.base_url.text()
    assert url.startswith("http://127.0.0.1:") and url == window.emulator.base_url
    assert window.status.target.text() == f"Built-in emulator at {url}"
    assert window.form.send_blocked.text() != "Send is off: The built-in emulator is starting…"


def test_the_status_bar_shows_the_target_whole_beside_a_short_message(
    window: MainWindow, qtbot
) -> None:
    """At 1024 px a short message ("200 OK in 9 ms") leaves the target's URL whole; a message
    too long for the bar is the one cut short, and the window keeps its width."""
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=WAIT_MS)
    token_flow(window, qtbot)
    target = window.status.target
    whole = target.fontMetrics().horizontalAdvance(target.text())
    qtbot.waitUntil(lambda: target.contentsRect().width() >= whole, timeout=WAIT_MS)
    window.status.say("x" * 2000)
    QCoreApplication.sendPostedEvents()
    assert window.width() == 1024
    assert target.contentsRect().width() >= whole


def test_get_code_then_token_fills_every_panel(window: MainWindow, qtbot) -> None:
    code = get_code(window, qtbot)
    assert len(code) == 44 and code.endswith("=")  # the vendor's code format
    assert len(window.form.code_verifier.text()) >= 43

    exchange = send_and_wait(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)
    assert text_of(window, "accessTokenField").startswith("snd-id-con-a-")
    assert text_of(window, "refreshTokenField").startswith("snd-id-con-r-")
    assert text_of(window, "tokenTypeField") == "Bearer"
    assert text_of(window, "expiresInField") == "86400"
    assert text_of(window, "idTokenField").count(".") == 2
    # The refresh token lands in the form, ready for a refresh.
    assert window.form.refresh_token.text() == text_of(window, "refreshTokenField")

    countdown = window.countdown_panel.rows["access"].time
    assert HHMMSS.match(countdown.text()) and countdown.text() <= "24:00:00"
    first = countdown.text()
    qtbot.waitUntil(lambda: countdown.text() != first, timeout=3000)  # it ticks
    assert countdown.text() < first

    qtbot.waitUntil(lambda: window.id_token_panel.checks.topLevelItemCount() > 0, timeout=WAIT_MS)
    claims = window.id_token_panel.claims.toPlainText()
    assert '"aud": "emulator-client"' in claims
    assert re.search(r'"exp": \d+,  // \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(', claims)
    assert '"alg": "RS256"' in window.id_token_panel.header.toPlainText()
    for check in ("decode", "algorithm", "kid", "signature", "iss", "aud", "exp", "iat", "nonce"):
        assert window.id_token_panel.check_status(check) == "pass", check
    assert text_of(window, "errorStatus") == "No error"
    assert window.status.text().startswith("200 OK in ")


def test_refresh_with_the_filled_refresh_field(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    first_access = text_of(window, "accessTokenField")
    window.form.set_grant("refresh_token")
    assert not window.form.code.isEnabled() and window.form.refresh_token.isEnabled()
    exchange = send_and_wait(window, qtbot)
    assert isinstance(exchange.outcome, TokenGranted)
    assert exchange.outcome.refresh_token is None  # no rotation
    assert text_of(window, "accessTokenField") not in ("", first_access)
    assert exchange.request is not None
    body = json.loads(exchange.request.body)
    assert body["grant_type"] == "refresh_token" and body["refresh_token"].startswith(
        "snd-id-con-r"
    )


def test_reused_code_shows_invalid_code_with_hint(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again
    assert text_of(window, "errorStatus") == "401 Unauthorized"
    assert text_of(window, "errorCode") == "401"
    assert text_of(window, "errorDescription") == "Invalid code"
    correlation_id = text_of(window, "errorCorrelationId")
    assert re.fullmatch(r"[0-9a-f]{32}", correlation_id)
    assert hint_shown(window) is HintKind.CODE_REPLAYED  # this run sent that code before
    # In the narrow error dock the id is elided (whole in its tooltip and when copied) rather
    # than pushing the panel sideways into a scrollbar.
    label = window.findChild(QLabel, "errorCorrelationId")
    assert label is not None and label.toolTip() == correlation_id
    area = window.docks["error"].widget()
    assert isinstance(area, QScrollArea)
    QCoreApplication.sendPostedEvents()  # the layout the new text asked for, now
    assert not area.horizontalScrollBar().isVisible()
    copy = window.findChild(QToolButton, "errorCorrelationIdCopy")
    assert copy is not None
    copy.click()
    assert QGuiApplication.clipboard().text() == correlation_id
    # The last good token stays visible: a failed call doesn't erase it.
    assert text_of(window, "accessTokenField").startswith("snd-id-con-a-")


def test_disabled_client_gets_the_404_hint(window: MainWindow, qtbot) -> None:
    type_into(qtbot, window.target_panel.app_token, "sbx:emulator-disabled-token")
    get_code(window, qtbot)
    send_and_wait(window, qtbot)
    assert text_of(window, "errorStatus") == "404 Not Found"
    assert text_of(window, "errorDescription").startswith("Invalid clientId: ")
    assert hint_shown(window) is HintKind.SUMSUB_ID_NOT_ENABLED


def test_wrong_secret_is_a_signature_mismatch(window: MainWindow, qtbot) -> None:
    type_into(qtbot, window.target_panel.secret_key, "not-the-secret")
    get_code(window, qtbot)
    send_and_wait(window, qtbot)
    assert text_of(window, "errorStatus") == "401 Unauthorized"
    assert text_of(window, "errorApiCode") == "4003 app-token-signature mismatch"
    assert hint_shown(window) is HintKind.SIGNATURE_MISMATCH


def test_slow_response_is_cancelled_and_the_form_works_again(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("slow", delay_s=30)
    qtbot.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.busy, timeout=WAIT_MS)
    assert not window.form.send_button.isEnabled()  # no accidental second send
    assert window.form.cancel_button.isEnabled()
    assert window.status.busy.isVisible()
    assert "Sending" in window.form.send_blocked.text()
    # The status bar counts the seconds while it waits: a slow server looks slow, not frozen.
    qtbot.waitUntil(lambda: window.status.text().endswith("… 1 s"), timeout=3000)

    qtbot.mouseClick(window.form.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=2000)  # at once
    assert window.status.text().startswith("Cancelled")
    assert not window.status.busy.isVisible()
    assert window.form.send_button.isEnabled()

    window.emulator.server.clear_scenario()
    get_code(window, qtbot)
    assert isinstance(send_and_wait(window, qtbot).outcome, TokenGranted)


def test_malformed_response_is_shown_as_unexpected(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("malformed_json")
    exchange = send_and_wait(window, qtbot)
    assert isinstance(exchange.outcome, UnexpectedResponse)
    assert text_of(window, "errorStatus") == "200 OK — unexpected response"
    assert "not valid JSON" in text_of(window, "errorDescription")
    assert "HTTP/1.1 200 OK" in window.raw_panel.response.toPlainText()


def test_invalid_input_blocks_send_and_says_why(window: MainWindow, qtbot) -> None:
    form = window.form
    form.set_grant("authorization_code")
    type_into(qtbot, form.code, "x")
    type_into(qtbot, form.code, "")
    assert not form.send_button.isEnabled()
    assert "authorization code" in form.send_blocked.text()
    assert "authorization code" in form.messages["code"].text()
    type_into(qtbot, form.code, "abc def")
    assert "space" in form.messages["code"].text()
    type_into(qtbot, form.code, "abc")
    type_into(qtbot, form.code_verifier, "123456")
    assert form.send_button.isEnabled()  # a short verifier warns but doesn't block
    assert "43 to 128" in form.messages["code_verifier"].text()
    form.scope_boxes["offline_access"].click()
    assert "no refresh token will be issued" in form.messages["scope"].text()
    form.scope_boxes["offline_access"].click()
    assert form.messages["scope"].text() == ""


def test_invalid_target_blocks_send(window: MainWindow, qtbot) -> None:
    type_into(qtbot, window.target_panel.secret_key, "")
    get_code(window, qtbot)
    assert not window.form.send_button.isEnabled()
    assert "secret key" in window.form.send_blocked.text()
    assert window.target_panel.messages["secret_key"].isVisible()


def test_the_form_stays_put_while_the_missing_secret_is_typed(window: MainWindow, qtbot) -> None:
    """ "Enter the app token's secret key" goes at the first character typed: its line keeps
    its room while the field is typed in, so the request form below doesn't jump up under the
    pointer; it closes up once a change is made elsewhere."""
    panel = window.target_panel
    message = panel.messages["secret_key"]
    type_into(qtbot, panel.secret_key, "")
    assert message.isVisible() and message.text()
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    form_top = window.form.mapTo(window, window.form.rect().topLeft()).y()
    qtbot.keyClicks(panel.secret_key, "e")
    assert message.text() == "" and message.isVisible()
    for _ in range(3):  # laid out again, as shown: the label, its form, the scrolled column
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    assert window.form.mapTo(window, window.form.rect().topLeft()).y() == form_top
    type_into(qtbot, panel.secret_key, EMULATOR_SECRET_KEY)
    type_into(qtbot, panel.app_token, panel.app_token.text() + " ")  # a change elsewhere
    assert not message.isVisible()


def test_scope_checkboxes_have_the_reference_tooltips(window: MainWindow) -> None:
    assert "refresh_token" in window.form.scope_boxes["offline_access"].toolTip()
    assert "share token" in window.form.scope_boxes["share"].toolTip().lower()
    for box in window.form.scope_boxes.values():
        assert box.accessibleName().startswith("Scope ")


def test_copy_buttons_copy_the_whole_token(window: MainWindow, qtbot) -> None:
    token_flow(window, qtbot)
    field = window.response_panel.fields["id_token"]
    qtbot.mouseClick(field.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == field.value()
    assert len(field.value()) > 200  # long enough that the label elides it


def _copied_for_support(window: MainWindow, qtbot) -> dict[str, str]:
    qtbot.mouseClick(window.error_panel.support_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    return dict(line.split(": ", 1) for line in copied.splitlines())


_SUPPORT_KEYS = {"Status", "code", "correlationId", "description", "Time", "Endpoint"}


def _credentials_sent(window: MainWindow, body: bytes) -> list[str]:
    """What the request carried that redeems or signs: the code, verifier and refresh token
    it sent, the app token and the secret key."""
    sent = json.loads(body)
    fields = (vendor.FIELD_CODE, vendor.FIELD_CODE_VERIFIER, vendor.FIELD_REFRESH_TOKEN)
    values = [sent.get(name) for name in fields]
    target = window.targets.target()
    values += [target.app_token, target.secret_key.reveal()]
    return [value for value in values if value]


def test_copy_for_support_has_the_ids_and_no_secret(window: MainWindow, qtbot) -> None:
    """The support text is the error's ids, status and moment, line by line — and nothing of
    what the request carried: the code and verifier redeem tokens, the app token and secret
    key sign requests."""
    type_into(qtbot, window.target_panel.secret_key, "wrong-secret-key-123")
    get_code(window, qtbot)
    exchange = send_and_wait(window, qtbot)
    assert exchange.request is not None
    copied = _copied_for_support(window, qtbot)
    assert set(copied) == _SUPPORT_KEYS | {"errorCode/errorName"}
    assert copied["correlationId"] == text_of(window, "errorCorrelationId")
    assert copied["Status"].startswith("401") and copied["Endpoint"] == exchange.request.url
    secrets = _credentials_sent(window, exchange.request.body)
    assert "wrong-secret-key-123" in secrets and len(secrets) == 4  # code, verifier, both keys
    text = "\n".join(copied.values())
    assert not [secret for secret in secrets if secret in text]


def test_copy_for_support_after_a_refused_refresh_leaves_the_refresh_token_out(
    window: MainWindow, qtbot
) -> None:
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the code replayed: the server revokes the tokens it gave
    window.form.set_grant("refresh_token")
    exchange = send_and_wait(window, qtbot)
    assert exchange.request is not None and exchange.response is not None
    assert exchange.response.status == 403
    copied = _copied_for_support(window, qtbot)
    assert set(copied) >= _SUPPORT_KEYS and copied["Status"].startswith("403")
    secrets = _credentials_sent(window, exchange.request.body)
    assert window.form.refresh_token.text() in secrets
    text = "\n".join(copied.values())
    assert not [secret for secret in secrets if secret in text]


def test_raw_panel_shows_the_exact_request_with_the_signature_masked(window, qtbot) -> None:
    exchange = token_flow(window, qtbot)
    assert exchange.request is not None
    raw = window.raw_panel.request.toPlainText()
    assert raw.startswith("POST /resources/snsId/api/connect/token HTTP/1.1")
    assert exchange.request.body.decode() in raw
    signature_line = next(
        line for line in raw.splitlines() if line.lower().startswith("x-app-access-sig")
    )
    assert "••••" in signature_line and not re.search(r"[0-9a-f]{64}", raw)
    assert "total" in window.raw_panel.timings.text()


def test_second_send_is_refused_while_one_runs(window: MainWindow, qtbot) -> None:
    get_code(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("slow", delay_s=30)
    qtbot.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.busy, timeout=WAIT_MS)
    window.send()  # e.g. the shortcut pressed again
    assert "A request is running: Send is off" in window.status.text()
    assert window.controller.pending_tasks == 1
    window.controller.cancel()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=2000)


def test_closing_during_a_request_cancels_it_cleanly(loop, qtbot) -> None:
    window = open_window(qtbot)
    get_code(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("slow", delay_s=30)
    qtbot.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.busy, timeout=WAIT_MS)
    close_window(window, qtbot)
    assert window.controller.pending_tasks == 0
    assert window.emulator.server is None
    assert not [t for t in asyncio.all_tasks(loop) if not t.done()]


def test_layout_is_remembered_between_launches(loop, qtbot) -> None:
    first = open_window(qtbot)
    first.resize(760, 640)
    first.docks["raw"].setVisible(False)
    close_window(first, qtbot)

    second = open_window(qtbot)
    assert (second.width(), second.height()) == (760, 640)
    assert not second.docks["raw"].isVisible()
    second.reset_layout()
    assert second.docks["raw"].isVisible()
    close_window(second, qtbot)


def test_your_layout_opened_in_a_wider_window_gives_the_width_to_the_results(loop, qtbot) -> None:
    """A layout of your own, saved in a smaller window and opened in a wider one (a larger
    screen): the request column keeps the width it was saved with, the results take the rest
    — Qt gave all of it to the form (750 pixels of it at 1366×768, a re-test found)."""
    first = open_window(qtbot)
    first.resize(760, 640)
    qtbot.waitUntil(lambda: first.width() == 760, timeout=WAIT_MS)
    first.docks["raw"].setVisible(False)  # a layout of your own from now on
    QCoreApplication.sendPostedEvents()
    column = first.centralWidget()
    assert column is not None
    saved_width = column.width()
    close_window(first, qtbot)
    settings = WindowSettings()
    state = settings.state()
    assert state is not None and settings.default_layout() is None
    wider = QWidget()
    wider.resize(800, 640)
    settings.save_layout(wider.saveGeometry(), state, size=settings.saved_size())

    second = open_window(qtbot)
    assert second.width() >= 790 and not second.docks["raw"].isVisible()  # yours, wider
    QCoreApplication.sendPostedEvents()
    column = second.centralWidget()
    assert column is not None and abs(column.width() - saved_width) <= 4
    close_window(second, qtbot)


def test_the_auto_refresh_lead_chosen_is_there_at_the_next_launch(loop, qtbot) -> None:
    """Tryout AK: a lead of 5 s was 60 s again after a restart. The switch itself starts off
    (a launch never refreshes by itself); a setting edited into nonsense is ignored."""
    first = open_window(qtbot)
    lead = first.countdown_panel.auto_refresh_lead
    lead.setValue(5)
    first.countdown_panel.auto_refresh.setChecked(True)
    close_window(first, qtbot)

    second = open_window(qtbot)
    assert second.countdown_panel.auto_refresh_lead.value() == 5
    assert second.auto_refresh.lead_s == 5  # what it will use, not only what it shows
    assert not second.countdown_panel.auto_refresh.isChecked()
    close_window(second, qtbot)

    WindowSettings().set("auto_refresh_lead_s", "soon")
    third = open_window(qtbot)
    assert third.countdown_panel.auto_refresh_lead.value() == 60
    close_window(third, qtbot)


def test_the_default_layout_opened_in_a_larger_window_is_sized_for_it(loop, qtbot) -> None:
    """The default layout, saved in one window and opened in a larger one of the same kind:
    its docks get the sizes a fresh default layout has there (sized for the smaller window,
    they left a band under Send and fewer history rows on a larger screen)."""
    first = open_window(qtbot)
    first.resize(760, 600)
    qtbot.waitUntil(lambda: first.width() == 760, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: first.settled, timeout=WAIT_MS)  # saved as it was laid out
    close_window(first, qtbot)
    settings = WindowSettings()
    state, kind = settings.state(), settings.default_layout()
    assert state is not None and kind is not None
    larger = QWidget()
    larger.resize(800, 720)
    settings.save_layout(larger.saveGeometry(), state, default_layout=kind, size=QSize(760, 600))

    second = open_window(qtbot)
    assert second.height() >= 700
    assert window_layout.layout_kind(second, second.docks) == kind  # the same kind
    opened = _dock_layout(second)
    second.reset_layout()
    assert _dock_layout(second) == opened
    close_window(second, qtbot)


def _dock_layout(window: MainWindow) -> dict[str, tuple[object, ...]]:
    """Where each panel is: its area, floating or not, shown or closed, its tab mates, and —
    for the panels on screen (not behind another tab) — its geometry."""
    QCoreApplication.sendPostedEvents()  # the layout the last change asked for, now
    return {
        name: (
            window.dockWidgetArea(dock),
            dock.isFloating(),
            dock.isVisible(),
            sorted(d.objectName() for d in window.tabifiedDockWidgets(dock)),
            None if dock.visibleRegion().isEmpty() else dock.geometry().getRect(),
        )
        for name, dock in window.docks.items()
    }


def test_reset_layout_puts_every_panel_back_where_the_default_has_it(window, qtbot) -> None:
    default, size = _dock_layout(window), window.size()
    window.docks["raw"].setFloating(True)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.docks["history"])
    window.docks["countdown"].setVisible(False)
    window.resizeDocks([window.docks["response"]], [120], Qt.Orientation.Vertical)
    assert _dock_layout(window) != default and window.size() == size
    window.actions_by_name["reset_layout"].trigger()
    assert _dock_layout(window) == default


def test_reset_layout_brings_a_window_larger_than_its_screen_back_onto_it(window, qtbot) -> None:
    """Tryout X: made 3000×2000 on a 1024×700 screen (as a window moved from a large monitor
    is), Reset layout left it that size, most of it off the screen. Reset brings it within
    its screen, Send in view."""
    screen = window.screen()
    assert screen is not None
    available = screen.availableGeometry()
    window.resize(3000, 2000)
    qtbot.waitUntil(lambda: window.width() == 3000, timeout=WAIT_MS)
    window.actions_by_name["reset_layout"].trigger()
    qtbot.waitUntil(lambda: available.contains(window.frameGeometry()), timeout=WAIT_MS)
    assert on_screen(window.form.send_button)


def test_a_layout_remembered_before_the_check_existed_still_shows_it(loop, qtbot) -> None:
    """Qt places a dock the remembered state doesn't know with the others; this keeps it so."""
    first = open_window(qtbot)
    first.removeDockWidget(first.docks["check"])
    first.docks["check"].setObjectName("")  # saveState leaves it out: as an older version did
    close_window(first, qtbot)

    second = open_window(qtbot)
    check, history = second.docks["check"], second.docks["history"]
    assert second.dockWidgetArea(check) is not Qt.DockWidgetArea.NoDockWidgetArea
    assert check in second.tabifiedDockWidgets(history)
    close_window(second, qtbot)


# The dock layout 0.1 saved (QMainWindow.saveState, version 0): response, countdown and
# id_token stacked on the right; the error panel beside the raw exchange and history at the
# bottom; no credential check yet.
_EARLIER_STATE = (
    "000000ff00000000fd0000000200000001000001cf00000293fc0200000003fb000000180072006500730070"
    "006f006e007300650044006f0063006b0100000013000000a90000005400fffffffb0000001a0063006f0075"
    "006e00740064006f0077006e0044006f0063006b01000000c2000000940000005400fffffffb000000160069"
    "00640054006f006b0065006e0044006f0063006b010000015c0000014a000000e200ffffff00000003000002"
    "2b0000014dfc0100000002fb00000012006500720072006f00720044006f0063006b01000000000000007400"
    "00004400fffffffc0000007a000001b10000013b00fffffffa000000000100000002fb0000000e0072006100"
    "770044006f0063006b0100000000ffffffff0000011200fffffffb000000160068006900730074006f007200"
    "790044006f0063006b0100000000ffffffff0000013b00ffffff0000022b0000014000000004000000020000"
    "000800000002fc00000000"
)


def test_a_layout_saved_by_0_1_gives_way_to_the_default_layout(loop, qtbot) -> None:
    """0.1's docks along the bottom squeezed the request off a laptop screen and knew no
    credential check: that layout is set aside, the window size kept."""
    WindowSettings().save_layout(QByteArray(), QByteArray.fromHex(_EARLIER_STATE.encode()))
    window = open_window(qtbot)
    docks = window.docks
    assert all(
        window.dockWidgetArea(d) is not Qt.DockWidgetArea.NoDockWidgetArea for d in docks.values()
    )
    assert window.dockWidgetArea(docks["error"]) is Qt.DockWidgetArea.RightDockWidgetArea
    assert docks["check"] in window.tabifiedDockWidgets(docks["history"])
    assert on_screen(window.form.send_button)
    close_window(window, qtbot)


def test_controls_are_keyboard_reachable_and_named(window: MainWindow) -> None:
    for widget in (
        window.form.grant_type,
        window.form.code,
        window.form.code_verifier,
        window.form.refresh_token,
        window.target_panel.base_url,
        window.target_panel.app_token,
        window.target_panel.secret_key,
    ):
        assert widget.accessibleName(), widget.objectName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
    # The buttons keep their Alt+ mnemonics; the shortcuts live on the menu items, shown there.
    form = window.form
    assert [b.shortcut().toString() for b in (form.get_code_button, form.send_button)] == [
        "Alt+G",
        "Alt+S",
    ]
    menu_shortcuts = {
        a.text().replace("&", ""): a.shortcut().toString()
        for a in window.findChildren(QAction)
        if not a.shortcut().isEmpty()
    }
    go_to = {
        dock.windowTitle().split(" · ")[0]: f"Ctrl+{n}"
        for n, dock in enumerate(window.docks.values(), 1)
    }
    assert menu_shortcuts == {
        **go_to,  # View ▸ Go to panel
        "Save exchange as JSON…": "Ctrl+S",
        "Quit": "Ctrl+Q",
        "Copy request as curl": "Ctrl+Shift+C",
        "Copy response as JSON": "Ctrl+Shift+J",
        "Get code": "Ctrl+G",
        "Send": "Ctrl+Return",
        "Cancel": "Esc",
        "Share token…": "Ctrl+H",
        "Paste redirect URL…": "Ctrl+Shift+V",
        "Run credential check": "Ctrl+Shift+K",
        "PKCE checker…": "Ctrl+Shift+P",
        "Decode and verify a JWT…": "Ctrl+Shift+D",
        "Keyboard shortcuts": "F1",
    }
    # None takes a key a text field edits with (tryout AA: Ctrl+K, "delete to the end of the
    # line" on this platform, opened the PKCE checker from inside a field).
    editing = {
        binding.toString()
        for key in (
            QKeySequence.StandardKey.DeleteEndOfLine,
            QKeySequence.StandardKey.DeleteStartOfWord,
            QKeySequence.StandardKey.DeleteEndOfWord,
            QKeySequence.StandardKey.SelectAll,
            QKeySequence.StandardKey.Undo,
            QKeySequence.StandardKey.Redo,
            QKeySequence.StandardKey.Copy,
            QKeySequence.StandardKey.Cut,
            QKeySequence.StandardKey.Paste,
            QKeySequence.StandardKey.MoveToStartOfLine,
            QKeySequence.StandardKey.MoveToEndOfLine,
        )
        for binding in QKeySequence.keyBindings(key)
    } | {"Ctrl+K"}  # X11 desktops' "delete to the end of the line", whichever plugin runs this
    assert editing.isdisjoint(menu_shortcuts.values()), editing & set(menu_shortcuts.values())
    assert window.windowTitle().startswith("ID Connect Tester")
    assert not window.windowIcon().isNull()


def test_secret_is_masked_until_shown(window: MainWindow, qtbot) -> None:
    from PySide6.QtWidgets import QLineEdit

    secret = window.target_panel.secret_key
    assert secret.echoMode() is QLineEdit.EchoMode.Password
    qtbot.mouseClick(window.target_panel.show_secret, Qt.MouseButton.LeftButton)
    assert secret.echoMode() is QLineEdit.EchoMode.Normal
    qtbot.mouseClick(window.target_panel.show_secret, Qt.MouseButton.LeftButton)
    assert secret.echoMode() is QLineEdit.EchoMode.Password


def test_no_panel_scrolls_sideways_at_the_default_size(window: MainWindow) -> None:
    """A first launch's window: every dock's panel fits its width, those behind a tab too."""
    for name, dock in window.docks.items():
        dock.raise_()
        QCoreApplication.sendPostedEvents()  # the layout the tab switch asked for, now
        area = dock.widget()
        if isinstance(area, QScrollArea):  # text-view panels scroll inside their views
            panel = area.widget()
            assert panel is not None
            assert area.width() >= panel.minimumSizeHint().width(), name
            assert not area.horizontalScrollBar().isVisible(), name


def test_every_tab_fits_its_dock_on_a_laptop_screen(window: MainWindow, qtbot) -> None:
    """1024×700 less a title bar, after an exchange: each panel — those behind a tab too, as a
    person clicks through them — fits its dock; its tables and texts give way and scroll
    inside, so History's Load and Show and the raw exchange's Copy stay in the panel."""
    window.resize(1024, 680)
    qtbot.waitUntil(lambda: window.height() == 680, timeout=WAIT_MS)
    token_flow(window, qtbot)
    for marked in (False, True):  # fresh results; then older ones, which say so in a line
        if marked:
            send_and_wait(window, qtbot)  # the same code again: 401, the tokens marked older
            assert window.id_token_panel.freshness.isVisibleTo(window.id_token_panel)
        for name, dock in window.docks.items():
            dock.raise_()
            QCoreApplication.sendPostedEvents()
            area = dock.widget()
            assert isinstance(area, QScrollArea)
            assert not area.verticalScrollBar().isVisible(), (name, marked)
        # Each tab's title whole: "ID token · ⚠ older", never "H…" for History beside it.
        for bar in window.findChildren(QTabBar):
            for index in range(bar.count()):
                wide = bar.fontMetrics().horizontalAdvance(bar.tabText(index))
                assert wide <= bar.tabRect(index).width(), bar.tabText(index)


def test_a_panel_opened_again_titles_its_row_of_tabs_for_its_length(
    window: MainWindow, qtbot
) -> None:
    """Tryout AC, 1024×700: Response and Error closed, then a failure opened Error again —
    the five tabs kept the titles of a short row, "ID token · ⚠ ol…", "Hist…" cut short."""
    window.resize(1024, 680)
    qtbot.waitUntil(lambda: window.height() == 680, timeout=WAIT_MS)
    token_flow(window, qtbot)
    window.docks["response"].close()
    window.docks["error"].close()
    send_and_wait(window, qtbot)  # the same code again: a 401 opens the Error panel again
    assert window.docks["error"].isVisible()
    qtbot.waitUntil(lambda: window.docks["idToken"].windowTitle() == "⚠ ID token", timeout=WAIT_MS)
    row = next(bar for bar in window.findChildren(QTabBar) if "Error" in _tab_texts(bar))
    assert len(_tab_texts(row)) >= 5 and not any("·" in text for text in _tab_texts(row))


def test_an_id_token_that_fails_its_checks_opens_the_closed_panels_that_say_so(
    window: MainWindow, qtbot
) -> None:
    """Tryout AD: with Response and Error closed, a 200 whose id_token failed its checks
    opened the Response again but not the Error panel; "Do not trust this response" could
    only be found through the View menu."""
    window.docks["response"].close()
    window.docks["error"].close()
    window.docks["idToken"].close()
    get_code(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("bad_signature_id_token")
    send_and_wait(window, qtbot)
    qtbot.waitUntil(
        lambda: window.id_token_panel.check_status("signature") == "fail", timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: not window.docks["idToken"].isHidden(), timeout=WAIT_MS)
    assert not window.docks["error"].isHidden()
    assert "not trust" in window.error_panel.status.text() + window.error_panel.hint.text()


def _tab_texts(bar: QTabBar) -> list[str]:
    return [bar.tabText(index) for index in range(bar.count())]


def test_long_unbroken_text_from_outside_never_widens_a_panel(window: MainWindow, qtbot) -> None:
    """A 300-character profile name in the "from another target" lines, and a server's long
    unbroken value in "Also returned": each panel still fits its dock, the window keeps its
    width (QLabel wraps between words only, so one long word used to set a panel's minimum)."""
    width = window.width()
    add_profile(window, "W" * 300)  # the window's own emulator, under a very long name
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET)
    token_flow(window, qtbot)
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("huge_body", size_mb=0.01)  # a 10 KB "padding" value
    window.form.set_grant("refresh_token")
    send_and_wait(window, qtbot)
    extra = window.response_panel.extra
    assert "Also returned: padding" in extra.text()
    assert re.search(r"\(\d{2},\d{3} characters\)", extra.text())  # its length, said
    # The value's preview is cut short enough to be read whole: no word wider than the label.
    widest = max(extra.text().split(), key=extra.fontMetrics().horizontalAdvance)
    assert extra.fontMetrics().horizontalAdvance(widest) <= extra.contentsRect().width()
    select(window, EMULATOR_PROFILE_ID)  # every result is now from "WWW…"
    assert window.response_panel.freshness.isVisibleTo(window.response_panel)
    assert "W" * 300 in window.response_panel.freshness.text()
    for name, dock in window.docks.items():
        dock.raise_()
        QCoreApplication.sendPostedEvents()
        area = dock.widget()
        if isinstance(area, QScrollArea):
            panel = area.widget()
            assert panel is not None
            assert area.width() >= panel.minimumSizeHint().width(), name
            assert panel.width() <= area.viewport().width(), name
    assert window.width() == width


def test_a_history_entry_from_a_long_named_profile_fits_the_screen(
    window: MainWindow, qtbot
) -> None:
    add_profile(window, "W" * 300, base_url="http://127.0.0.1:9")  # nothing listens there
    type_into(qtbot, window.target_panel.secret_key, EMULATOR_SECRET)
    window.form.code.setText("a-code")
    window.form.code_verifier.setText("v" * 43)
    send_and_wait(window, qtbot)  # refused: a network error, recorded under that name
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel.row_count() == 1, timeout=WAIT_MS)
    panel.select_row(0)
    panel.show_button.click()
    (dialog,) = window.history.dialogs
    qtbot.waitExposed(dialog)
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width()
    assert dialog.minimumSizeHint().width() <= screen.width()
    heading = dialog.findChild(QLabel, "historyEntryHeading")
    assert heading is not None and "W" * 300 in heading.text()
    # The raw exchange is what it is opened for: it gets a tall screen's height, up to 3/4.
    assert dialog.height() <= screen.height()
    assert dialog.height() >= screen.height() * 3 // 4 - 1


def test_on_a_wide_window_a_failure_gets_room_for_its_details(window: MainWindow, qtbot) -> None:
    """Two result columns: the error panel sits between the response and the raw exchange at
    the height "No error" needs; a 401's details get the height they need, not a scrollbar."""
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=WAIT_MS)
    window.reset_layout()
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    area = window.docks["error"].widget()
    assert isinstance(area, QScrollArea)
    QCoreApplication.sendPostedEvents()
    panel = window.error_panel
    assert not area.verticalScrollBar().isVisible()
    for row in (panel.hint, panel.correlation, panel.support_button):
        top_left = row.mapTo(area.viewport(), row.rect().topLeft())
        assert area.viewport().rect().contains(QRect(top_left, row.size())), row.objectName()


def test_a_wheel_over_an_unfocused_combo_scrolls_instead_of_changing_it(window, qtbot) -> None:
    combo = window.form.grant_type
    window.form.code.setFocus()
    before = combo.currentIndex()
    wheel_down(combo)
    assert combo.currentIndex() == before  # the wheel was meant for the page
    combo.setFocus()
    wheel_down(combo)
    assert combo.currentIndex() != before  # focused: the wheel is for the combo


def test_the_default_layout_is_made_again_for_the_next_screen(loop, qtbot) -> None:
    """Docks left where the default put them on a large screen: the next launch, on a laptop,
    makes the default layout for the laptop's size instead of squeezing the large one."""
    first = open_window(qtbot)
    first.resize(1920, 1080)
    qtbot.waitUntil(lambda: first.width() == 1920, timeout=WAIT_MS)
    assert first.tabifiedDockWidgets(first.docks["response"]) == []  # two result columns
    close_window(first, qtbot)

    settings = WindowSettings()
    # Two columns, the countdown at the left and the history under it.
    assert settings.default_layout() == LayoutKind(
        wide=True, countdown_below=True, results_tabbed=False, history_below=True
    )
    # A default saved before the history could go under the countdown is still one.
    assert LayoutKind.from_text("1,1,0") == LayoutKind(True, True, False, history_below=False)
    settings.save_layout(
        QByteArray(), settings.state() or QByteArray(), default_layout=settings.default_layout()
    )  # the size is forgotten (a new screen); what the docks were is kept
    second = open_window(qtbot)
    second.resize(1024, 700)
    qtbot.waitUntil(lambda: second.width() == 1024, timeout=WAIT_MS)
    assert second.docks["error"] in second.tabifiedDockWidgets(second.docks["response"])
    assert on_screen(second.form.send_button)
    close_window(second, qtbot)


def test_a_users_layout_too_wide_for_the_screen_gives_way_and_says_so(loop, qtbot) -> None:
    first = open_window(qtbot)
    docks = first.docks
    first.resize(2400, 900)  # a large monitor: every panel side by side
    for left, right in (("response", "idToken"), ("idToken", "raw"), ("raw", "history")):
        first.splitDockWidget(docks[left], docks[right], Qt.Orientation.Horizontal)
    close_window(first, qtbot)
    assert WindowSettings().default_layout() is None  # the user's own

    second = open_window(qtbot)  # the offscreen screen is 800 px wide
    assert second.minimumSizeHint().width() <= second.width()
    assert on_screen(second.form.send_button)
    assert "layout" in second.status.text()
    close_window(second, qtbot)


@pytest.mark.parametrize("closed", ["error", "response"])
def test_a_closed_panel_opens_again_for_the_result_it_is_for(
    window: MainWindow, qtbot, closed: str
) -> None:
    """Tryout X: with the Error panel closed (View ▸ Error), a replay's 401 was said only in
    the status bar — no status, hint or correlationId anywhere in view. A failure opens the
    error panel again, in front; a success, the response."""
    dock = window.docks[closed]
    if closed == "response":
        token_flow(window, qtbot)
        send_and_wait(window, qtbot)  # a failure first: the error is in front
    dock.toggleViewAction().trigger()
    assert dock.isHidden()
    if closed == "error":
        token_flow(window, qtbot)
        send_and_wait(window, qtbot)  # the same code again: 401
    else:
        token_flow(window, qtbot)
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty(), timeout=WAIT_MS)
    assert dock.toggleViewAction().isChecked()


def test_a_resize_to_another_layout_keeps_the_current_error_in_front(
    window: MainWindow, qtbot
) -> None:
    """A code sent twice: the 401 is in front. Made short enough for the results to become
    one row of tabs, then large again, the window keeps the error in front — never the older
    response the layout would show first on a fresh launch."""
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=WAIT_MS)
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    error, response = window.docks["error"], window.docks["response"]

    def in_front(dock: QDockWidget) -> bool:
        return not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(error), timeout=WAIT_MS)
    for size in ((1000, 660), (1366, 768)):
        window.resize(*size)
        qtbot.waitUntil(lambda size=size: window.width() == size[0], timeout=WAIT_MS)
        tabbed = len(window.tabifiedDockWidgets(error)) >= 4
        assert tabbed == (size == (1000, 660))  # the other layout each time
        qtbot.waitUntil(lambda: in_front(error), timeout=WAIT_MS)
        assert not in_front(response)  # behind it, in its own row of tabs or in the one row
        # The id_token panel is in front below it, or behind it in the one row of tabs.
        assert in_front(window.docks["idToken"]) != tabbed


def test_made_small_then_larger_the_window_gives_the_results_the_width(
    window: MainWindow, qtbot
) -> None:
    """Made small, then larger again (800×560, then 1100×650, as a tryout did): the request
    column keeps the width it had, the results get the rest — Qt gave every new pixel to the
    form, 700 pixels of it beside results squeezed to their tabs' first letters. In the one
    row of tabs the response is in front, not an empty id_token panel."""
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=WAIT_MS)
    # Resizes from now on are the person's: the docks keep the sizes they have.
    qtbot.waitUntil(lambda: window.settled, timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents()
    column, response = window.centralWidget(), window.docks["response"]
    assert column is not None
    laid_out = column.width()
    assert laid_out <= window_layout.request_width(1366) + 20  # the layout's, not the window's
    for width, height in ((800, 560), (1100, 650)):
        window.resize(width, height)
        qtbot.waitUntil(lambda width=width: window.width() == width, timeout=WAIT_MS)
        QCoreApplication.sendPostedEvents()
    assert len(window.tabifiedDockWidgets(response)) >= 4  # one row of tabs at this size
    qtbot.waitUntil(lambda: column.width() <= laid_out, timeout=WAIT_MS)
    assert response.width() >= window.width() - laid_out - 20  # the rest, but a separator
    assert not response.visibleRegion().isEmpty()
    assert window.docks["idToken"].visibleRegion().isEmpty()


def test_from_the_wide_layout_no_error_stays_behind_the_response(window: MainWindow, qtbot) -> None:
    """Two result columns show the error panel beside the rest, "No error" too. Made narrow,
    where it shares a row of tabs with the response, the response is in front: an empty
    Error tab in front reads as if something had failed."""
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=WAIT_MS)
    token_flow(window, qtbot)
    error, response = window.docks["error"], window.docks["response"]
    assert not error.visibleRegion().isEmpty() and not window.error_panel.says_something
    window.resize(1300, 750)
    qtbot.waitUntil(lambda: window.width() == 1300, timeout=WAIT_MS)
    assert error in window.tabifiedDockWidgets(response)  # one place, two tabs
    qtbot.waitUntil(lambda: not response.visibleRegion().isEmpty(), timeout=WAIT_MS)
    assert error.visibleRegion().isEmpty()


def test_a_big_answer_does_not_change_the_kind_of_layout_a_resize_gives(
    window: MainWindow, qtbot
) -> None:
    """The notes on one answer (a 5 MB body says how much it was) are not the response's
    usual rows: a window resized afterwards keeps its two panels one above the other, as it
    would have before that answer, instead of turning the results into one row of tabs."""
    response = window.docks["response"]
    width, height = window.width(), window.height()
    assert len(window.tabifiedDockWidgets(response)) < 4  # two panels at this size
    token_flow(window, qtbot)
    window.form.set_grant("refresh_token")
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("huge_body", size_mb=5)
    big = send_and_wait(window, qtbot)
    assert isinstance(big.outcome, TokenGranted)
    assert window.response_panel.height_of_the_notes() > 0  # it says how big it was
    window.resize(width, height - 1)  # any resize: the layout is made again if its kind changed
    qtbot.waitUntil(lambda: window.height() == height - 1, timeout=WAIT_MS)
    assert len(window.tabifiedDockWidgets(response)) < 4


def test_a_profile_picked_from_the_list_leaves_no_empty_message_row(
    window: MainWindow, qtbot
) -> None:
    """A profile with a warning under Profile, then another without: the warning's row goes,
    rather than stay as a blank band between Profile and Base URL (the room is kept only for
    a field being typed in)."""
    warned = add_profile(window, "Production", production=True)  # with the sbx: token
    message = window.target_panel.messages["profile"]
    qtbot.waitUntil(lambda: message.isVisible() and "sandbox" in message.text(), timeout=WAIT_MS)
    window.activateWindow()
    window.target_panel.profile.setFocus()  # the list has the keyboard: picked from it
    qtbot.waitUntil(window.target_panel.profile.hasFocus, timeout=WAIT_MS)
    select(window, EMULATOR_PROFILE_ID)
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=WAIT_MS)
    select(window, warned.id)
    assert message.isVisible()


def test_a_taller_window_gives_its_height_to_the_history_not_a_band_under_send(
    window: MainWindow, qtbot
) -> None:
    """Tryout Q: made taller (maximised at 1920×1080 from a smaller size), the window left a
    band of 200 blank pixels under Send, above a history of three rows."""
    window.resize(1920, 1000)  # the default layout follows the window's size
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=WAIT_MS)
    assert window_layout.layout_kind(window, window.docks).history_below
    qtbot.waitUntil(lambda: window.settled, timeout=WAIT_MS)  # sizes are the person's now
    history = window.docks["history"]
    shorter = history.height()
    column = window.centralWidget()
    assert isinstance(column, QScrollArea)
    request = column.widget()
    assert request is not None

    def blank_under_send() -> int:
        return column.viewport().height() - request.heightForWidth(column.viewport().width())

    as_laid_out = blank_under_send()
    window.resize(1920, 1200)
    qtbot.waitUntil(lambda: window.height() == 1200, timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents()
    # No band under Send (Qt's dock layout hands out a little less than asked: 200 pixels
    # stood blank before, a line or so now).
    assert blank_under_send() <= as_laid_out + 2 * window.fontMetrics().lineSpacing()
    assert history.height() >= shorter + 150  # the history got the height


def test_copy_for_support_is_a_button_at_its_own_width(window: MainWindow, qtbot) -> None:
    """Tryout AA: it stretched across the whole Error panel, like a field."""
    token_flow(window, qtbot)
    send_and_wait(window, qtbot)  # the same code again: 401
    button = window.error_panel.support_button
    qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
    assert button.width() <= button.sizeHint().width() + 1
    assert button.width() < window.error_panel.width() // 2


def test_the_error_panel_says_nothing_was_sent_before_the_first_step(window, qtbot) -> None:
    """Tryout AF: an everyday launch brought the Error tab in front reading "No error" on a
    profile that had sent nothing — as if a step had gone well."""
    assert text_of(window, "errorStatus") == "Nothing sent yet in this run"
    token_flow(window, qtbot)
    assert text_of(window, "errorStatus") == "No error"
