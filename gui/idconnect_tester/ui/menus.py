"""The menu bar. Every action is reachable by keyboard: the menus' mnemonics (Alt+F, E, R, T, V,
H — no widget of the window uses those letters) and the shortcuts, shown beside each item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QWidget

from idconnect_tester import APP_NAME
from idconnect_tester.ui import theme
from idconnect_tester.ui.widgets import first_control

Command = Callable[[], object]


@dataclass(frozen=True)
class MenuCommands:
    """What each menu item does: the window's actions, not its insides."""

    import_profiles: Command
    export_profile: Command
    save_exchange: Command
    quit: Command
    copy_curl: Command
    copy_response_json: Command
    get_code: Command
    send: Command
    cancel: Command
    share_token: Command
    paste_redirect: Command
    pkce_checker: Command
    keys: Command
    verify_again: Command
    reset_layout: Command
    about: Command
    shortcuts: Command
    set_scheme: Callable[[str], None]
    run_check: Command
    jwt_workbench: Command
    drills: Command


def _add(
    menu: QMenu,
    owner: QWidget,
    text: str,
    slot: Command,
    shortcut: str | QKeySequence.StandardKey | None = None,
    name: str | None = None,
) -> QAction:
    action = QAction(text, owner)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def bring_forward(dock: QDockWidget) -> None:
    """`dock` in front of the tabs it shares (shown again if it was closed), the first control
    of its panel focused (the panel's scroll area took the focus without showing it)."""
    dock.setVisible(True)
    dock.raise_()
    if dock.isFloating():
        dock.activateWindow()
    panel = dock.widget()
    if panel is not None:
        first = first_control(panel) or panel
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)


def build_menus(
    bar: QMenuBar,
    owner: QWidget,
    commands: MenuCommands,
    docks: list[QDockWidget],
    scheme: str,
) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}

    file_menu = bar.addMenu("&File")
    actions["import"] = _add(
        file_menu, owner, "&Import profiles…", commands.import_profiles, name="importAction"
    )
    actions["export"] = _add(
        file_menu, owner, "&Export profile…", commands.export_profile, name="exportAction"
    )
    file_menu.addSeparator()
    actions["save_exchange"] = _add(
        file_menu,
        owner,
        "&Save exchange as JSON…",
        commands.save_exchange,
        "Ctrl+S",
        "saveExchangeAction",
    )
    file_menu.addSeparator()
    actions["quit"] = _add(file_menu, owner, "&Quit", commands.quit, "Ctrl+Q", "quitAction")

    edit_menu = bar.addMenu("&Edit")
    actions["curl"] = _add(
        edit_menu,
        owner,
        "Copy request as &curl",
        commands.copy_curl,
        "Ctrl+Shift+C",
        "copyCurlAction",
    )
    actions["copy_json"] = _add(
        edit_menu,
        owner,
        "Copy response as &JSON",
        commands.copy_response_json,
        "Ctrl+Shift+J",
        "copyResponseJsonAction",
    )

    request_menu = bar.addMenu("&Request")
    actions["get_code"] = _add(
        request_menu, owner, "&Get code", commands.get_code, "Ctrl+G", "getCodeAction"
    )
    actions["send"] = _add(request_menu, owner, "&Send", commands.send, "Ctrl+Return", "sendAction")
    actions["cancel"] = _add(request_menu, owner, "&Cancel", commands.cancel, "Esc", "cancelAction")
    request_menu.addSeparator()
    actions["share"] = _add(
        request_menu, owner, "S&hare token…", commands.share_token, "Ctrl+H", "shareTokenAction"
    )
    actions["paste_redirect"] = _add(
        request_menu,
        owner,
        "&Paste redirect URL…",
        commands.paste_redirect,
        "Ctrl+Shift+V",
        "pasteRedirectAction",
    )
    request_menu.addSeparator()
    actions["check"] = _add(
        request_menu,
        owner,
        "Run credential chec&k",
        commands.run_check,
        "Ctrl+Shift+K",
        "runCheckAction",
    )

    tools_menu = bar.addMenu("&Tools")
    actions["pkce"] = _add(
        tools_menu, owner, "&PKCE checker…", commands.pkce_checker, "Ctrl+Shift+P", "pkceAction"
    )
    actions["keys"] = _add(tools_menu, owner, "id_token &keys…", commands.keys, name="keysAction")
    actions["verify"] = _add(
        tools_menu, owner, "&Verify id_token again", commands.verify_again, name="verifyAction"
    )
    tools_menu.addSeparator()
    actions["jwt_workbench"] = _add(
        tools_menu,
        owner,
        "Decode and verify a &JWT…",
        commands.jwt_workbench,
        "Ctrl+Shift+D",
        "jwtWorkbenchAction",
    )
    actions["drills"] = _add(
        tools_menu, owner, "Emulator &drills…", commands.drills, name="drillsAction"
    )

    view_menu = bar.addMenu("&View")
    for dock in docks:
        view_menu.addAction(dock.toggleViewAction())
    # By keyboard, a panel behind another's tab (on a short screen every result is one) is a
    # key away, not a walk through every field before its tab bar.
    go_menu = view_menu.addMenu("&Go to panel")
    for number, dock in enumerate(docks, start=1):
        actions[f"go_to_{dock.objectName()}"] = _add(
            go_menu,
            owner,
            dock.windowTitle(),
            partial(bring_forward, dock),
            f"Ctrl+{number}",
            f"goTo{dock.objectName()[0].upper()}{dock.objectName()[1:]}",
        )
    view_menu.addSeparator()
    scheme_menu = view_menu.addMenu("Colour &scheme")
    group = QActionGroup(owner)
    for name in theme.SCHEMES:
        action = QAction(f"&{name.capitalize()}", owner)  # System, Light, Dark: S, L, D
        action.setCheckable(True)
        action.setObjectName(f"scheme_{name}")
        action.setChecked(name == scheme)
        action.triggered.connect(lambda _checked=False, s=name: commands.set_scheme(s))
        group.addAction(action)
        scheme_menu.addAction(action)
    actions["reset_layout"] = _add(
        view_menu, owner, "&Reset layout", commands.reset_layout, name="resetLayoutAction"
    )

    help_menu = bar.addMenu("&Help")
    actions["shortcuts"] = _add(
        help_menu,
        owner,
        "&Keyboard shortcuts",
        commands.shortcuts,
        QKeySequence.StandardKey.HelpContents,
        "shortcutsAction",
    )
    actions["about"] = _add(
        help_menu, owner, f"&About {APP_NAME}", commands.about, name="aboutAction"
    )
    return actions
