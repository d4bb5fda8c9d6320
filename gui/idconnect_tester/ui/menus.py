"""The menu bar. Every action here is also reachable by keyboard (mnemonics and shortcuts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from idconnect_tester import APP_NAME
from idconnect_tester.ui import theme
from idconnect_tester.ui.first_frame import set_qt_property

if TYPE_CHECKING:
    from idconnect_tester.ui.main_window import MainWindow


def _add(
    menu: QMenu,
    window: MainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: str | None = None,
    name: str | None = None,
) -> QAction:
    action = QAction(window)  # QAction(text, …) would first try text as a QIcon: its 3 enums
    action.setText(text)
    if shortcut:
        set_qt_property(action, "shortcut", shortcut)
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(window: MainWindow) -> dict[str, QAction]:
    bar = window.menuBar()
    actions: dict[str, QAction] = {}

    # What the actions open is imported when they are used, not before the first paint.
    def profile(action: str) -> None:
        window.profile_actions.run(action)

    def save_exchange() -> None:
        from idconnect_tester.ui.exports import save_exchange

        save_exchange(window)

    def copy_as_curl() -> None:
        from idconnect_tester.ui.exports import copy_as_curl

        copy_as_curl(window)

    def copy_response_json() -> None:
        from idconnect_tester.ui.exports import copy_response_json

        copy_response_json(window)

    def about() -> None:
        from idconnect_tester.ui.about import show_about

        show_about(window)

    file_menu = bar.addMenu("&File")
    actions["import"] = _add(
        file_menu, window, "&Import profiles…", lambda: profile("import"), name="importAction"
    )
    actions["export"] = _add(
        file_menu, window, "&Export profile…", lambda: profile("export"), name="exportAction"
    )
    file_menu.addSeparator()
    actions["save_exchange"] = _add(
        file_menu,
        window,
        "&Save exchange as JSON…",
        save_exchange,
        "Ctrl+S",
        "saveExchangeAction",
    )
    file_menu.addSeparator()
    _add(file_menu, window, "&Quit", window.close, "Ctrl+Q")

    edit_menu = bar.addMenu("&Edit")
    actions["curl"] = _add(
        edit_menu,
        window,
        "Copy request as &curl",
        copy_as_curl,
        "Ctrl+Shift+C",
        "copyCurlAction",
    )
    actions["copy_json"] = _add(
        edit_menu,
        window,
        "Copy response as &JSON",
        copy_response_json,
        "Ctrl+Shift+J",
        "copyResponseJsonAction",
    )

    request_menu = bar.addMenu("&Request")
    _add(request_menu, window, "&Get code", window.form.get_code_button.click)
    _add(request_menu, window, "&Send", window.form.send_button.click)
    _add(request_menu, window, "&Cancel", window.form.cancel_button.click)
    request_menu.addSeparator()
    _add(request_menu, window, "S&hare token…", window.request_share_token, "Ctrl+H")
    _add(request_menu, window, "&Paste redirect URL…", window.paste_redirect, "Ctrl+Shift+V")

    tools_menu = bar.addMenu("&Tools")
    _add(tools_menu, window, "&PKCE checker…", window.open_pkce_checker, "Ctrl+K")
    _add(tools_menu, window, "id_token &keys…", window.open_keys_dialog)
    _add(tools_menu, window, "&Verify id_token again", window.verify_current_id_token)

    view_menu = bar.addMenu("&View")
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    scheme_menu = view_menu.addMenu("Colour &scheme")
    group = QActionGroup(window)
    current = window.settings.get("scheme", "system")
    for scheme in theme.SCHEMES:
        action = QAction(window)
        action.setText(scheme.capitalize())
        action.setCheckable(True)
        action.setObjectName(f"scheme_{scheme}")
        action.setChecked(scheme == current)
        action.triggered.connect(lambda _checked=False, s=scheme: window.set_scheme(s))
        group.addAction(action)
        scheme_menu.addAction(action)
    _add(view_menu, window, "&Reset layout", window.reset_layout)

    help_menu = bar.addMenu("&Help")
    _add(help_menu, window, f"&About {APP_NAME}", about, name="aboutAction")
    return actions
