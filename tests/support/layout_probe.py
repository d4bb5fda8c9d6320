"""Run in a child process on a real X server (see tests/ui/test_layout_x11.py): open the window
as a first launch does, make an exchange, and report what a person would see, as JSON on the
last line of stdout.

    python -m tests.support.layout_probe [--dialog] [--dark]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import qasync
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStyle,
    QStyleOptionFrame,
    QTabBar,
    QTreeWidget,
    QWidget,
)

from idconnect_tester import vendor
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID, Profile, new_profile_id
from idconnect_tester.ui import theme, window_layout
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog
from idconnect_tester.ui.theme import Tone

LONG_MESSAGE = (
    "The state in the redirect differs from the one this run sent: the code is withheld — "
    "http://127.0.0.1:8765/callback?code=" + "x" * 400 + "&state=" + "y" * 200
)


async def _until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.02)


async def _laid_out() -> None:
    """Until Qt has no layout left to do: the layouts a raised tab or a new row asked for are
    applied (they are posted events), and a turn of the loop lets what they resized repaint."""
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    await asyncio.sleep(0)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _rect(widget: QWidget, within: QWidget) -> QRect:
    return QRect(widget.mapTo(within, QPoint(0, 0)), widget.size())


def _request_controls(window: MainWindow) -> list[QWidget]:
    column = window.centralWidget()
    assert isinstance(column, QScrollArea)
    content = column.widget()
    assert content is not None
    kinds = (QLineEdit, QComboBox, QAbstractButton)
    return [
        w
        for w in content.findChildren(QWidget)
        if isinstance(w, kinds) and w.isVisibleTo(window) and w.objectName()
    ]


def _cut_at_the_top(window: MainWindow) -> list[str]:
    """Request controls and their labels the column's top edge cuts in two (half a row)."""
    column = window.centralWidget()
    assert isinstance(column, QScrollArea)
    viewport, content = column.viewport(), column.widget()
    assert content is not None
    parts = [w for w in content.findChildren(QLabel) if w.isVisibleTo(window) and w.text()]
    cut = []
    for widget in [*_request_controls(window), *parts]:
        box = _rect(widget, viewport)
        if box.top() < 0 < box.bottom():
            cut.append(widget.objectName() or (widget.text() if isinstance(widget, QLabel) else ""))
    return cut


def _clipped_sideways(window: MainWindow) -> list[str]:
    """Request controls that stick out of the column's viewport sideways (unreachable without
    a horizontal scrollbar)."""
    column = window.centralWidget()
    assert isinstance(column, QScrollArea)
    viewport = column.viewport()
    out = []
    for widget in _request_controls(window):
        box = _rect(widget, viewport)
        if box.left() < 0 or box.right() >= viewport.width():
            out.append(widget.objectName())
    return out


def _placeholders_cut(window: MainWindow) -> list[str]:
    """The request's empty fields whose placeholder is cut short: it says what goes there."""
    cut = []
    column = window.centralWidget()
    assert column is not None
    for edit in column.findChildren(QLineEdit):
        if not edit.isVisible() or edit.text() or not edit.placeholderText():
            continue
        option = QStyleOptionFrame()
        edit.initStyleOption(option)
        room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
        margins = edit.textMargins()
        # Qt keeps 2 px each side of the text inside the contents (QLineEditPrivate::
        # horizontalMargin).
        width = room.width() - margins.left() - margins.right() - 4
        if edit.fontMetrics().horizontalAdvance(edit.placeholderText()) > width:
            cut.append(edit.objectName())
    return cut


def _visible_in_column(window: MainWindow, widget: QWidget) -> bool:
    column = window.centralWidget()
    assert isinstance(column, QScrollArea)
    return column.viewport().rect().contains(_rect(widget, column.viewport()))


def _sideways_scrollbars(window: MainWindow) -> list[str]:
    areas = {"request": window.centralWidget()}
    areas.update((name, dock.widget()) for name, dock in window.docks.items())
    return [
        name
        for name, area in areas.items()
        if isinstance(area, QScrollArea) and area.horizontalScrollBar().isVisible()
    ]


def _request_scrolls(window: MainWindow) -> bool:
    column = window.centralWidget()
    assert isinstance(column, QScrollArea)
    return column.verticalScrollBar().isVisible()


def _panels_scrolling_whole(window: MainWindow) -> list[str]:
    """Result panels on show that scroll as a whole (the dock's own scrollbar), instead of
    fitting their dock with only their lists and texts scrolling inside."""
    return [
        name
        for name, dock in window.docks.items()
        if isinstance(area := dock.widget(), QScrollArea)
        and not dock.visibleRegion().isEmpty()
        and area.verticalScrollBar().isVisible()
    ]


def _wholly_shown(widget: QWidget) -> bool:
    """All of the widget is on screen (not scrolled out or cut by its pane)."""
    return widget.visibleRegion().boundingRect() == widget.rect()


def _text_shown(label: QLabel) -> bool:
    """All of the label is on screen, and so is its text: a line that does not wrap is not cut
    at the label's edge."""
    whole = label.wordWrap() or label.width() >= label.sizeHint().width()
    return whole and _wholly_shown(label)


def _lines_shown(view: QPlainTextEdit) -> int:
    """How many lines of text the view shows without scrolling (0 when it is not on screen)."""
    if view.visibleRegion().isEmpty():
        return 0
    return view.viewport().height() // view.fontMetrics().lineSpacing()


def _rows_shown(view: QTreeWidget) -> int:
    """How many rows of the list show without scrolling (0 when it is not on screen)."""
    first = view.topLevelItem(0)
    if view.visibleRegion().isEmpty() or first is None:
        return 0
    return view.viewport().height() // max(1, view.visualItemRect(first).height())


def _tabs_cut(window: MainWindow) -> list[str]:
    """The names of dock tabs drawn shorter than their text (elided)."""
    return [
        bar.tabText(index)
        for bar in window.findChildren(QTabBar)
        if bar.isVisible()
        for index in range(bar.count())
        if bar.tabRect(index).width() < bar.tabSizeHint(index).width()
    ]


def _field_messages_cut(window: MainWindow) -> list[str]:
    """The request's field notes ("Used at …" under the code) that their line cuts short."""
    return [
        line.text()
        for line in window.form.messages.values()
        if line.isVisible()
        and line.contentsRect().width() < line.fontMetrics().horizontalAdvance(line.text())
    ]


async def _window_report(window: MainWindow) -> dict[str, Any]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    await _until(lambda: window.ready and window.emulator.started)
    await _laid_out()
    # Which results a first launch shows in front, before anything was sent.
    in_front_at_launch = [
        name for name, dock in window.docks.items() if not dock.visibleRegion().isEmpty()
    ]
    screen = window.screen().availableGeometry()
    # The X server applies the first size asynchronously: measure once it has.
    if "--window-manager" in sys.argv:
        # Framed by the window manager (its title bar arrives after the window is mapped),
        # then fitted to the screen: the frame's height is known when it differs.
        await _until(lambda: window.frameGeometry().size() != window.size())
        await _until(lambda: screen.contains(window.frameGeometry()))
    else:
        await _until(lambda: window.size() == window_layout.first_window_size(screen))
    await _laid_out()
    # The docks as the first frame has them, and as the default layout sizes them for this
    # window: the same, or a first launch shows other sizes than the layout code chose (the
    # countdown a panel of blank space on a 1024×700 laptop, the results squeezed below it).
    at_launch = {name: dock.size().toTuple() for name, dock in window.docks.items()}
    window_layout.size_docks(window, window.docks)
    await _laid_out()
    sized = {name: dock.size().toTuple() for name, dock in window.docks.items()}
    docks_resized_after_launch = sorted(name for name in sized if sized[name] != at_launch[name])
    # Send in view at first sight, before anything scrolled the column to a focused field.
    send_visible_at_launch = _visible_in_column(window, window.form.send_button)
    profile_visible_at_launch = _visible_in_column(window, window.target_panel.profile)
    window_at_launch = [window.width(), window.height()]
    cut_at_the_top_at_launch = _cut_at_the_top(window)
    placeholders_cut = _placeholders_cut(window)  # the fields are empty before Get code
    await _code_and_tokens(window)
    status_bar = window.statusBar()
    report: dict[str, Any] = {
        "status_bar_on_screen": screen.contains(
            QRect(status_bar.mapToGlobal(QPoint(0, 0)), status_bar.size())
        ),
        "screen": [screen.width(), screen.height()],
        "frame": [window.frameGeometry().width(), window.frameGeometry().height()],
        "clipped_sideways": _clipped_sideways(window),
        "placeholders_cut": placeholders_cut,
        "sideways_scrollbars": _sideways_scrollbars(window),
        "panels_scrolling_whole": _panels_scrolling_whole(window),
        "send_visible": _visible_in_column(window, window.form.send_button),
        "send_visible_at_launch": send_visible_at_launch,
        "profile_visible_at_launch": profile_visible_at_launch,
        "window_at_launch": window_at_launch,
        "cut_at_the_top_at_launch": cut_at_the_top_at_launch,
        "get_code_visible": _visible_in_column(window, window.form.get_code_button),
        "countdown_visible": not window.countdown_panel.visibleRegion().isEmpty(),
        "countdown_under_request": window.dockWidgetArea(window.docks["countdown"])
        is Qt.DockWidgetArea.BottomDockWidgetArea,
        "request_scrolls": _request_scrolls(window),
        "history_under_countdown": window.dockWidgetArea(window.docks["history"])
        is Qt.DockWidgetArea.BottomDockWidgetArea,
        "history_rows_shown": _rows_shown(window.history_panel.table),
        "auto_refresh_visible": _wholly_shown(window.countdown_panel.auto_refresh),
        "claims_lines": _lines_shown(window.id_token_panel.claims),
        "raw_response_lines": _lines_shown(window.raw_panel.response),
        "results_tabbed": len(window.tabifiedDockWidgets(window.docks["response"])) >= 4,
        "tabs_cut": _tabs_cut(window),
        "field_messages_cut": _field_messages_cut(window),
        "in_front_at_launch": in_front_at_launch,
        "docks_resized_after_launch": docks_resized_after_launch,
    }
    # The id_token panel brought to the front (on a short screen it is a tab of the results):
    # how much of its checks and claims it shows.
    window.docks["idToken"].raise_()
    await _until(lambda: not window.docks["idToken"].visibleRegion().isEmpty())
    await _until(lambda: window.id_token_panel.check_status("signature") is not None)
    await _laid_out()
    report["id_token_check_rows"] = _rows_shown(window.id_token_panel.checks)
    report["id_token_claims_lines"] = _lines_shown(window.id_token_panel.claims)
    window.docks["response"].raise_()
    width = window.width()
    # A widening would come as a resize some time after the message: no event marks its
    # absence, so give the X server a moment before each look.
    window.status.say(LONG_MESSAGE)
    await asyncio.sleep(0.3)
    window.form.send_button.click()  # another Send after it, as the user did
    await _until(lambda: not window.controller.busy)
    window.status.say(LONG_MESSAGE * 3)
    await asyncio.sleep(0.3)
    report["width_before_after_long_status"] = [width, window.width()]
    # That second Send replayed the code (401): the tokens are marked older now, with a note.
    report["older_marked"] = window.response_panel.property("stale") is True
    window.docks["response"].raise_()  # the error panel came to the front; look behind it
    await _until(lambda: not window.docks["response"].visibleRegion().isEmpty())
    await _laid_out()  # the scroll area at the tab's size
    report["panels_scrolling_whole_when_older"] = _panels_scrolling_whole(window)
    report["tabs_cut_when_older"] = _tabs_cut(window)
    note = (
        window.response_panel.freshness
    )  # "Older: the latest token request (…) …; this is from …"
    report["older_note_whole"] = (
        note.contentsRect().width() >= note.fontMetrics().horizontalAdvance(note.text())
    )
    # Each "Older: …" line as painted, whole or cut: [whole, shown] (the Expiry panel's, under
    # the request at 1366×768, is too narrow for all of it).
    report["older_notes"] = {
        name: [line.text(), line.shown_text()]
        for name, line in (
            ("response", window.response_panel.freshness),
            ("countdown", window.countdown_panel.freshness),
            ("idToken", window.id_token_panel.freshness),
        )
        if line.text()
    }
    # The replay put the tokens in doubt, and a refresh with them is then refused (revoked):
    # before each Send the note under Refresh token says so.
    window.form.set_grant("refresh_token")
    refresh_notes = [window.form.messages["refresh_token"].text()]
    cut_when_refused = _field_messages_cut(window)
    window.form.send_button.click()
    await _until(lambda: not window.controller.busy)
    refresh_notes.append(window.form.messages["refresh_token"].text())
    cut_when_refused += _field_messages_cut(window)
    report["refresh_notes"] = refresh_notes
    report["field_messages_cut_when_refused"] = cut_when_refused
    window.form.set_grant("authorization_code")
    # A refresh adds its note under the refresh token, a share token its countdown and note:
    # Auto-refresh, above the share token's countdown, stays in view.
    window.form.get_code_button.click()
    await _until(lambda: not window.controller.busy)
    window.form.send_button.click()
    await _until(lambda: not window.controller.busy)
    window.form.set_grant("refresh_token")
    window.form.send_button.click()
    await _until(lambda: not window.controller.busy)
    window.send_share_token("probe-client", 600)
    await _until(lambda: window.response_panel.share_token.value() != "")
    await _laid_out()  # the dock's scroll area at the new height
    report["field_messages_cut_after_refresh"] = _field_messages_cut(window)
    report["auto_refresh_visible_with_share"] = _wholly_shown(window.countdown_panel.auto_refresh)
    report["panels_scrolling_whole_with_share"] = _panels_scrolling_whole(window)
    share = window.countdown_panel.rows["share"]
    report["share_row_shown"] = _wholly_shown(share.time) and _text_shown(share.detail)
    report["countdown_with_share"] = _countdown_measures(window)
    _screenshot("share")
    # Auto-refresh switched on: its next run said under its checkbox, beside the share row.
    window.countdown_panel.auto_refresh.setChecked(True)
    await _laid_out()  # the note's row…
    await _laid_out()  # …and the room the dock is given for it (the pass after)
    report["share_row_shown_with_auto_refresh"] = _wholly_shown(share.time) and _text_shown(
        share.detail
    )
    report["auto_refresh_note_shown"] = _wholly_shown(window.countdown_panel.auto_refresh_state)
    report["panels_scrolling_whole_with_auto_refresh"] = _panels_scrolling_whole(window)
    report["countdown_with_auto_refresh"] = _countdown_measures(window)
    _screenshot("auto-refresh")
    # Auto-refresh stops after a failed refresh and says why, under its checkbox.
    window.auto_refresh.stop("the refresh failed (400 Bad Request in 12 ms)")
    await _laid_out()
    report["stop_reason_shown"] = _wholly_shown(window.countdown_panel.auto_refresh_state)
    report["share_row_shown_with_stop"] = _wholly_shown(share.time) and _text_shown(share.detail)
    report["countdown_details_shown"] = all(
        _text_shown(row.detail) for row in window.countdown_panel.rows.values() if row.active
    )
    report["panels_scrolling_whole_with_stop"] = _panels_scrolling_whole(window)
    report["countdown_with_stop"] = _countdown_measures(window)
    _screenshot("stop")
    # The raw exchange was behind another tab through all of it: brought to the front, it
    # shows the latest exchange from its first line.
    window.docks["raw"].raise_()
    await _until(lambda: not window.docks["raw"].visibleRegion().isEmpty())
    await _laid_out()
    boxes = (window.raw_panel.request, window.raw_panel.response)
    report["raw_from_first_line"] = all(box.verticalScrollBar().value() == 0 for box in boxes)
    return report


def _countdown_measures(window: MainWindow) -> dict[str, Any]:
    """The Expiry dock's height, what its panel would scroll, and the docks on show."""
    dock = window.docks["countdown"]
    area = dock.widget()
    assert isinstance(area, QScrollArea)
    return {
        "dock": dock.height(),
        "scrolls_by": area.verticalScrollBar().maximum(),
        "docks": {
            n: d.height() for n, d in window.docks.items() if not d.visibleRegion().isEmpty()
        },
    }


async def _code_and_tokens(window: MainWindow) -> None:
    """Get code, then Send: the target's tokens on screen."""
    window.form.get_code_button.click()
    await _until(lambda: window.form.code.text() != "" and not window.controller.busy)
    window.form.send_button.click()
    await _until(lambda: not window.controller.busy and window.session.latest() is not None)


def _a_profile_of_the_emulator(window: MainWindow, name: str) -> Profile:
    """A saved profile of the window's own emulator (its issuer too), selected."""
    base = window.emulator.base_url
    return window.profile_actions.create(
        Profile(
            new_profile_id(),
            name=name,
            base_url=base,
            app_token="sbx:emulator-app-token",
            client_id="emulator-client",
            issuer=f"{base}/",
        )
    )


def _screenshot(name: str) -> None:
    """With --screenshot=PREFIX, the screen as it is now, to PREFIX-name.png."""
    for arg in sys.argv:
        if arg.startswith("--screenshot="):
            screen = QApplication.primaryScreen()
            screen.grabWindow(0).save(f"{arg.partition('=')[2]}-{name}.png")


def _where_the_docks_are(window: MainWindow, when: str) -> dict[str, Any]:
    """The countdown under the request or not, the results in tabs or not, Send in view and
    the request scrolling or not — each key ending in `_{when}`."""
    return {
        f"countdown_under_request_{when}": window.dockWidgetArea(window.docks["countdown"])
        is Qt.DockWidgetArea.BottomDockWidgetArea,
        f"results_tabbed_{when}": len(window.tabifiedDockWidgets(window.docks["response"])) >= 4,
        f"send_visible_{when}": _visible_in_column(window, window.form.send_button),
        f"request_scrolls_{when}": _request_scrolls(window),
    }


async def _target_note_report(window: MainWindow) -> dict[str, Any]:
    """A profile with no secret key, and no keyring to keep one: the target panel grows by a
    message and a note once the keyring has been asked — and by a warning under Issuer (the
    profile keeps Sumsub's, for an API on this machine). Where does Send end up? With
    --after-tokens, the built-in emulator's tokens come first: the countdown, showing them
    marked as another profile's, has lines of its own to keep."""
    await _until(lambda: window.ready and _exposed(window))
    if "--after-tokens" in sys.argv:
        await _until(lambda: window.emulator.started)
        await _code_and_tokens(window)
        if "--share-token" in sys.argv:  # its row in the countdown: a line less to give
            window.send_share_token("CoolCompanyLtd", 1800)
            await _until(lambda: window.response_panel.share_token.value() != "")
        await _laid_out()
    window.profile_actions.create(
        Profile(
            new_profile_id(),
            # With --production-name, a fourth note: a production name, a sandbox token.
            name="Production, no secret yet"
            if "--production-name" in sys.argv
            else "No secret yet",
            base_url=window.emulator.base_url,
            app_token="sbx:emulator-app-token",
            client_id="emulator-client",
            # With --right-issuer, the emulator's: no warning under Issuer.
            issuer=f"{window.emulator.base_url}/"
            if "--right-issuer" in sys.argv
            else vendor.DEFAULT_ISSUER,
        )
    )
    secret = window.target_panel.secret_key
    await _until(lambda: secret.isEnabled() and "keyring" not in secret.placeholderText())
    await _laid_out()
    with contextlib.suppress(TimeoutError):
        await _until(lambda: not _request_scrolls(window), timeout_s=2.0)
    _screenshot("target-note")
    report = {
        "countdown_under_request": window.dockWidgetArea(window.docks["countdown"])
        is Qt.DockWidgetArea.BottomDockWidgetArea,
        "send_visible": _visible_in_column(window, window.form.send_button),
        "request_scrolls": _request_scrolls(window),
        "history_under_countdown": window.dockWidgetArea(window.docks["history"])
        is Qt.DockWidgetArea.BottomDockWidgetArea,
        "auto_refresh_visible": _wholly_shown(window.countdown_panel.auto_refresh),
        "panels_scrolling_whole": _panels_scrolling_whole(window),
        # The results are another profile's now: marked so in their tabs' names.
        "tabs_cut": _tabs_cut(window),
        "countdown_folded": window.countdown_panel.folded,
        "results_tabbed": len(window.tabifiedDockWidgets(window.docks["response"])) >= 4,
        "share_countdown_shown": _wholly_shown(window.countdown_panel.rows["share"].time),
    }
    if "--pick-the-emulator" in sys.argv:
        # The person scrolls up to the Profile box, clicks it (it takes the focus) and picks
        # the built-in emulator: its request is shorter again, and lays the column out again.
        column = window.centralWidget()
        assert isinstance(column, QScrollArea)
        column.verticalScrollBar().setValue(0)
        combo = window.target_panel.profile
        combo.setFocus(Qt.FocusReason.MouseFocusReason)
        combo.setCurrentIndex(combo.findData(EMULATOR_PROFILE_ID))
        await _until(lambda: window.targets.current.id == EMULATOR_PROFILE_ID)
        await _laid_out()
        await asyncio.sleep(0.3)  # the column's own layout pass, then the window's answer to it
        await _laid_out()
        _screenshot("picked")
        report["send_visible_after_pick"] = _visible_in_column(window, window.form.send_button)
        report["profile_visible_after_pick"] = _visible_in_column(window, combo)
        report["cut_at_the_top_after_pick"] = _cut_at_the_top(window)
    if "--then-a-step" in sys.argv:
        # The production name changed and the secret key typed (their notes go: the request
        # leaves room again), then the person's next step: the countdown goes back under the
        # request at that step — not while they type.
        window.profile_actions.save_settings(replace(window.targets.current, name="Plain name"))
        await _laid_out()
        secret.setFocus()
        QTest.keyClicks(secret, "emulator-secret-key")  # typed, as a person does
        await _laid_out()
        report["countdown_under_request_while_typing"] = (
            window.dockWidgetArea(window.docks["countdown"])
            is Qt.DockWidgetArea.BottomDockWidgetArea
        )
        # Clicked, as a person does (the focus leaves the field): the code again, a 401, a step.
        QTest.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
        await _until(lambda: not window.controller.busy)
        await _laid_out()
        _screenshot("after-a-step")
        report |= _where_the_docks_are(window, "after_a_step")
    if "--then-reset" in sys.argv:
        # View ▸ Reset layout while the secret key is still to be typed (tryout AM: after a
        # relaunch, the results went into tabs, and came back at the first Send).
        window.reset_layout()
        await _laid_out()
        await asyncio.sleep(0.3)  # as above
        await _laid_out()
        _screenshot("reset")
        report |= _where_the_docks_are(window, "after_reset")
    if "--switch-back" in sys.argv:  # to the built-in emulator, whose request has no notes
        combo = window.target_panel.profile
        combo.setCurrentIndex(combo.findData(EMULATOR_PROFILE_ID))
        await _laid_out()
        with contextlib.suppress(TimeoutError):
            await _until(
                lambda: (
                    window.dockWidgetArea(window.docks["countdown"])
                    is Qt.DockWidgetArea.BottomDockWidgetArea
                ),
                timeout_s=2.0,
            )
        with contextlib.suppress(TimeoutError):  # its lines back, once the request has room
            await _until(
                lambda: (
                    not window.countdown_panel.folded
                    and "countdown" not in _panels_scrolling_whole(window)
                ),
                timeout_s=2.0,
            )
        report["countdown_under_request_after_switch"] = (
            window.dockWidgetArea(window.docks["countdown"])
            is Qt.DockWidgetArea.BottomDockWidgetArea
        )
        report["countdown_folded_after_switch"] = window.countdown_panel.folded
        report["countdown_scrolls_after_switch"] = "countdown" in _panels_scrolling_whole(window)
        report["send_visible_after_switch"] = _visible_in_column(window, window.form.send_button)
        report["request_scrolls_after_switch"] = _request_scrolls(window)
    return report


async def _stopped_by_a_switch_report(window: MainWindow) -> dict[str, Any]:
    """The built-in emulator's tokens and a share token, then a copy of its profile with
    Auto-refresh on, then back: the countdown shows the tokens, the share token and why
    Auto-refresh stopped (two lines) — what tryout AJ saw scroll under the dock's edge."""
    await _until(lambda: window.ready and _exposed(window) and window.emulator.started)

    await _code_and_tokens(window)
    window.send_share_token("CoolCompanyLtd", 1800)
    await _until(lambda: window.response_panel.share_token.value() != "")
    _a_profile_of_the_emulator(window, "Short TTL")
    secret = window.target_panel.secret_key
    await _until(lambda: secret.isEnabled() and "keyring" not in secret.placeholderText())
    secret.setText("emulator-secret-key")
    window.target_panel.edited.emit()
    await _until(lambda: window.form.send_button.isEnabled() or window.form.code.text() == "")
    await _code_and_tokens(window)
    window.countdown_panel.auto_refresh.setChecked(True)
    combo = window.target_panel.profile
    combo.setCurrentIndex(combo.findData(EMULATOR_PROFILE_ID))
    await _until(lambda: window.countdown_panel.auto_refresh_state.text().startswith("Stopped"))
    await _laid_out()
    with contextlib.suppress(TimeoutError):
        await _until(lambda: "countdown" not in _panels_scrolling_whole(window), timeout_s=2.0)
    _screenshot("stopped-by-a-switch")
    return {
        "countdown_under_request": window.dockWidgetArea(window.docks["countdown"])
        is Qt.DockWidgetArea.BottomDockWidgetArea,
        "panels_scrolling_whole": _panels_scrolling_whole(window),
        "share_countdown_shown": _wholly_shown(window.countdown_panel.rows["share"].time),
        "stop_reason_shown": _wholly_shown(window.countdown_panel.auto_refresh_state),
        "send_visible": _visible_in_column(window, window.form.send_button),
    }


async def _typed_warning_report(window: MainWindow) -> dict[str, Any]:
    """Tokens on screen, a saved profile of the emulator selected, and then the person types
    another server into Base URL: at its first character a warning grows the request (the
    issuer and the base URL on two servers of this machine). Tryout AK: at that keystroke the
    countdown went to the top of the results and the results into tabs, and the next click
    landed where Get code had been. The docks stay while typing; the column scrolls."""
    await _until(lambda: window.ready and _exposed(window) and window.emulator.started)
    _a_profile_of_the_emulator(window, "Local emulator")
    base = window.emulator.base_url
    secret = window.target_panel.secret_key
    await _until(lambda: secret.isEnabled() and "keyring" not in secret.placeholderText())
    secret.setFocus()
    QTest.keyClicks(secret, "emulator-secret-key")
    await _until(lambda: window.form.get_code_button.isEnabled())
    await _code_and_tokens(window)
    window.countdown_panel.auto_refresh.setChecked(True)  # its state: a line more below
    await _laid_out()

    def under_request() -> bool:
        return (
            window.dockWidgetArea(window.docks["countdown"])
            is Qt.DockWidgetArea.BottomDockWidgetArea
        )

    report: dict[str, Any] = {"countdown_under_request_before": under_request()}
    field = window.target_panel.base_url
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "http://127.0.0.1:9")
    await _laid_out()
    await asyncio.sleep(0.3)  # the column's own layout pass, then the window's answer to it
    await _laid_out()
    _screenshot("typed-warning")
    report["warned"] = bool(window.targets.field_warnings() or window.targets.warnings())
    report["countdown_under_request_while_typing"] = under_request()
    report["results_tabbed_while_typing"] = (
        len(window.tabifiedDockWidgets(window.docks["response"])) >= 4
    )
    report["field_visible_while_typing"] = _visible_in_column(window, field)
    report["send_visible_while_typing"] = _visible_in_column(window, window.form.send_button)
    field.selectAll()
    QTest.keyClicks(field, base)  # typed back
    await _laid_out()
    await asyncio.sleep(0.3)
    await _laid_out()
    report["countdown_under_request_typed_back"] = under_request()
    report["request_scrolls_typed_back"] = _request_scrolls(window)
    return report


async def _revoked_refresh_report(window: MainWindow) -> dict[str, Any]:
    """Tokens, then a refresh the server refuses (the revoked_token drill): the note under
    refresh_token says when and why at length. Tryout AK: at 1366×768 it wrapped to two lines
    more, the Response panel scrolled as a whole and its Share token button was cut."""
    await _until(lambda: window.ready and _exposed(window) and window.emulator.started)
    await _code_and_tokens(window)
    await _laid_out()
    before = _panels_scrolling_whole(window)
    response_height_before = window.docks["response"].height()
    assert window.emulator.server is not None
    window.emulator.server.set_scenario("revoked_token")
    window.form.set_grant("refresh_token")
    window.form.send_button.click()
    await _until(lambda: window.controller.busy)
    await _until(lambda: not window.controller.busy)
    window.docks["response"].raise_()
    await _laid_out()
    await asyncio.sleep(0.3)  # the panel's own layout pass, then the window's answer to it
    await _laid_out()
    _screenshot("revoked-refresh")
    refused = {
        "refresh_note_lines": window.response_panel.refresh_info.height()
        // window.response_panel.refresh_info.fontMetrics().lineSpacing(),
        "panels_scrolling_whole": _panels_scrolling_whole(window),
        "share_button_shown": _wholly_shown(window.response_panel.share_button),
        "id_token_check_rows": _rows_shown(window.id_token_panel.checks),
        "response_height_refused": window.docks["response"].height(),
    }
    # A new grant: its note under refresh_token is one line again, and the room the refusal's
    # note took goes back to the panel under the response.
    window.form.set_grant("authorization_code")
    await _code_and_tokens(window)
    window.docks["response"].raise_()
    await _laid_out()
    await asyncio.sleep(0.3)  # as above
    await _laid_out()
    _screenshot("granted-again")
    return {
        "scrolling_before": before,
        **refused,
        "response_height_before": response_height_before,
        "response_height_granted_again": window.docks["response"].height(),
        "panels_scrolling_whole_granted_again": _panels_scrolling_whole(window),
    }


async def _floated_countdown_report(window: MainWindow) -> dict[str, Any]:
    """Tokens, auto-refresh on, and the Expiry panel floated where it stands (its title bar's
    float button, or a double-click). Tryout AK: floated, it showed a scrollbar."""
    await _until(lambda: window.ready and _exposed(window) and window.emulator.started)
    await _code_and_tokens(window)
    window.countdown_panel.auto_refresh.setChecked(True)
    await _laid_out()
    dock = window.docks["countdown"]
    dock.setFloating(True)
    await _until(lambda: dock.isFloating() and _exposed(dock))
    await _laid_out()
    await asyncio.sleep(0.5)  # the window manager frames it, then the app's answer to that
    await _laid_out()
    # Then its note grows: auto-refresh stopped by a switch to another profile, said at length.
    other = _a_profile_of_the_emulator(window, "Another profile with a long name")
    await _until(lambda: window.targets.current.id == other.id)
    await _until(lambda: window.countdown_panel.auto_refresh_state.text().startswith("Stopped"))
    await _laid_out()
    await asyncio.sleep(0.3)
    await _laid_out()
    _screenshot("floated-countdown")
    area = dock.widget()
    assert isinstance(area, QScrollArea)
    screen = dock.screen().availableGeometry()
    return {
        "floating": dock.isFloating(),
        "scrolls": area.verticalScrollBar().isVisible(),
        "on_screen": screen.contains(dock.frameGeometry()),
    }


def _stacking() -> list[int]:
    """The window manager's clients, bottom to top (EWMH's _NET_CLIENT_LIST_STACKING)."""
    done = subprocess.run(
        ["xprop", "-root", "_NET_CLIENT_LIST_STACKING"],
        capture_output=True,
        text=True,
        check=False,
    )
    _, _, ids = done.stdout.partition("#")
    return [int(value, 16) for value in ids.replace(",", " ").split()]


async def _floating_docks_on_top(window: MainWindow) -> bool | None:
    """Whether every panel left floating is stacked above the main window (None: there is
    none, or no xprop to ask the window manager)."""
    floating = [dock for dock in window.docks.values() if dock.isFloating() and dock.isVisible()]
    if not floating or shutil.which("xprop") is None:
        return None
    main = int(window.winId())

    def on_top() -> bool:
        order = _stacking()
        docks = [int(dock.winId()) for dock in floating]
        return main in order and all(
            d in order and order.index(d) > order.index(main) for d in docks
        )

    try:
        await _until(on_top, timeout_s=5.0)
    except TimeoutError:
        return False
    return True


def _click_inside(window: MainWindow) -> None:
    """A person's click in the window, through the X server (so the window manager sees it)."""
    at = ["300", "200"]
    wid = str(int(window.winId()))
    subprocess.run(["xdotool", "mousemove", "--window", wid, *at, "click", "1"], check=False)


async def _after_a_click_on_the_window(window: MainWindow) -> bool | None:
    """Whether the panels left floating stay above the main window once a person clicks
    it (the window manager raises what is clicked; tryout AK: the panel went behind)."""
    if shutil.which("xdotool") is None:
        return None
    _click_inside(window)
    await asyncio.sleep(0.5)  # the window manager's answer to the click
    return await _floating_docks_on_top(window)


async def _relaunch_report(window: MainWindow) -> dict[str, Any]:
    """A second launch, with the layout the first one saved: what the window shows at once."""
    await _until(lambda: window.ready and _exposed(window))
    await asyncio.sleep(0.3)  # the X server's own placement and size, then the layout
    frame, screen = window.frameGeometry(), window.screen().availableGeometry()
    return {
        "window": [window.width(), window.height()],
        "frame_at": [frame.x(), frame.y(), frame.width(), frame.height()],
        "frame_on_screen": screen.contains(frame),
        "request_scrolls": _request_scrolls(window),
        "send_visible": _visible_in_column(window, window.form.send_button),
        "profile_visible": _visible_in_column(window, window.target_panel.profile),
        "cut_at_the_top": _cut_at_the_top(window),
        "status_warns": window.status.message.property("tone") == Tone.WARNING.value,
        "floating_on_top": await _floating_docks_on_top(window),
        "floating_on_top_after_a_click": await _after_a_click_on_the_window(window),
        "maximised": window.isMaximized(),
        "normal": [window.normalGeometry().width(), window.normalGeometry().height()],
        "normal_at": [window.normalGeometry().x(), window.normalGeometry().y()],
        "unmaximised": await _unmaximised_size(window),
        "unmaximised_at": [window.geometry().x(), window.geometry().y()],
    }


async def _unmaximised_size(window: MainWindow) -> list[int] | None:
    """The window's size once un-maximised (None: it was not maximised)."""
    if not window.isMaximized():
        return None
    screen = window.screen().availableGeometry()
    await _until(lambda: window.frameGeometry() == screen)  # maximised by the window manager
    maximised = window.size()
    # The window manager un-maximises in steps (the frame first, then the size it restores):
    # wait for a size clearly off the screen's, not for the first change. A request that comes
    # while it is still busy with the last one (a loaded machine) may go unheard: ask again.
    for _ in range(4):
        window.showNormal()
        try:
            await _until(
                lambda: (
                    not window.isMaximized()
                    and window.width() < maximised.width() - 50
                    and window.height() < maximised.height() - 50
                ),
                timeout_s=10.0,  # openbox on a machine busy with the rest of the suite
            )
            break
        except TimeoutError:  # unheard, or a window manager that keeps the size
            continue
    await _laid_out()
    return [window.width(), window.height()]


async def _own_layout_report(window: MainWindow) -> dict[str, Any]:
    """A layout of the user's own: the id_token panel torn off into a window of its own
    (saved when the probe closes the window)."""
    await _until(lambda: window.ready and window.emulator.started and _exposed(window))
    await _code_and_tokens(window)
    window.docks["idToken"].setFloating(True)
    await _laid_out()
    return {"own_layout": window._default_layout is None}


async def _maximised_report(window: MainWindow) -> dict[str, Any]:
    """Made smaller by the user, then maximised (what the title bar's button asks the window
    manager), then closed: the window is saved maximised."""
    await _until(lambda: window.ready and _exposed(window))
    await _until(lambda: window.frameGeometry().size() != window.size())  # framed
    window.setGeometry(150, 100, 1000, 650)
    await _until(lambda: window.geometry() == QRect(150, 100, 1000, 650))
    window.showMaximized()
    await _until(lambda: window.isMaximized() and window.size() != QSize(1000, 650))
    return {"maximised": [window.width(), window.height()]}


async def _dialog_report(window: MainWindow) -> dict[str, Any]:
    """The New profile dialog fits the screen, and scrolls inside itself when it must."""
    await _until(lambda: window.ready)
    draft = Profile(id="probe", name="", base_url="https://api.sumsub.com", app_token="")
    # With no keyring, its longest note (tryout AJ: the last line cut at 1366×768).
    dialog = ProfileDialog(draft, title="New profile", parent=window, keyring=False)
    dialog.show()
    await _until(lambda: _exposed(dialog))  # mapped by the X server, at its given size
    screen = dialog.screen().availableGeometry()
    if "--window-manager" in sys.argv:  # framed after it is mapped, then fitted to the screen
        await _until(lambda: dialog.frameGeometry().size() != dialog.size())
        await _until(lambda: screen.contains(dialog.frameGeometry()))
    frame = dialog.frameGeometry()
    fields = dialog.findChild(QScrollArea)
    assert fields is not None
    report = {
        "screen": [screen.width(), screen.height()],
        "dialog": [frame.width(), frame.height()],
        "dialog_min": [dialog.minimumSizeHint().width(), dialog.minimumSizeHint().height()],
        "buttons_visible": _buttons_visible(dialog),
        "fields_scroll": fields.verticalScrollBar().maximum() > 0,
    }
    dialog.close()
    return report


async def _workbench_report(window: MainWindow) -> dict[str, Any]:
    """The JWT workbench, sized for reading (as large as the screen allows), framed: its
    frame within the screen, its Close button in view."""
    await _until(lambda: window.ready)
    bench = window.open_jwt_workbench()
    await _until(lambda: _exposed(bench))
    screen = bench.screen().availableGeometry()
    if "--window-manager" in sys.argv:
        await _until(lambda: bench.frameGeometry().size() != bench.size())
        with contextlib.suppress(TimeoutError):
            await _until(lambda: screen.contains(bench.frameGeometry()), timeout_s=3.0)
    frame = bench.frameGeometry()
    close = [b for b in bench.findChildren(QAbstractButton) if "Close" in b.text()]
    report = {
        "screen": [screen.left(), screen.top(), screen.width(), screen.height()],
        "frame": [frame.left(), frame.top(), frame.width(), frame.height()],
        "frame_on_screen": screen.contains(frame),
        "close_visible": bool(close)
        and all(screen.contains(QRect(b.mapToGlobal(QPoint(0, 0)), b.size())) for b in close),
    }
    bench.close()
    return report


def _exposed(widget: QWidget) -> bool:
    handle = widget.windowHandle()
    return handle is not None and handle.isExposed()


def _buttons_visible(dialog: QDialog) -> bool:
    buttons = [b for b in dialog.findChildren(QAbstractButton) if b.text() in ("Save", "&Save")]
    screen = dialog.screen().availableGeometry()
    return bool(buttons) and all(
        screen.contains(QRect(b.mapToGlobal(QPoint(0, 0)), b.size())) for b in buttons
    )


# What the probe reports on, by its flag (with none of them, the window as it opens).
_REPORTS: dict[str, Callable[[MainWindow], Awaitable[dict[str, Any]]]] = {
    "--dialog": _dialog_report,
    "--workbench": _workbench_report,
    "--relaunch": _relaunch_report,
    "--maximise": _maximised_report,
    "--own-layout": _own_layout_report,
    "--target-note": _target_note_report,
    "--stopped-by-a-switch": _stopped_by_a_switch_report,
    "--typed-warning": _typed_warning_report,
    "--revoked-refresh": _revoked_refresh_report,
    "--float-countdown": _floated_countdown_report,
}


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    if "--dark" in sys.argv:
        theme.apply_style(app, "dark")

    async def run() -> dict[str, Any]:
        window = MainWindow()
        window.show()
        try:
            for flag, report in _REPORTS.items():
                if flag in sys.argv:
                    return await report(window)
            return await _window_report(window)
        finally:
            window.close()
            await window.shutdown()

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        report = runner.run(run())
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
