"""Help ▸ Keyboard shortcuts: every menu command that has a key, read from the menu bar itself
(so the list can't drift from the keys that work), and the few keys fields and lists take."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QMenuBar,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.ui.widgets import RowTree
from idconnect_tester.ui.window_size import size_for_reading

# Keys that belong to a field or a list rather than to a menu command.
_IN_FIELDS = (
    ("Token request", "Send", "Return in Code, Verifier or Refresh token"),
    ("Token request", "Send a code exchanged already", "Ctrl+Return (Return does not)"),
    ("Anywhere", "Go to a field or button", "Alt + its underlined letter"),
    ("History", "Show an exchange", "Double-click its row, or Return on it"),
    ("History", "A row's menu (Show, Load, copy)", "Right-click it, Menu, or Shift+F10"),
)


def shortcut_rows(bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every menu command with a shortcut, in menu order; a
    submenu's are under its path ("View ▸ Go to panel")."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                walk(submenu, f"{path} ▸ {_plain(action.text())}")
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append((path, _plain(action.text()), keys))

    for top in bar.actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, _plain(top.text()))
    return rows


def _plain(text: str) -> str:
    """A menu text without its mnemonic mark ("&Get code" → "Get code")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def show_shortcuts(bar: QMenuBar, parent: QWidget) -> QDialog:
    dialog = QDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # each F1 makes a new one
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    table = RowTree()
    table.setObjectName("shortcutsTable")
    table.setAccessibleName("Keyboard shortcuts")
    table.setColumnCount(3)
    table.setHeaderLabels(["Where", "Command", "Keys"])
    table.setRootIsDecorated(False)
    table.setAlternatingRowColors(True)
    rows = [*shortcut_rows(bar), *_IN_FIELDS]
    for row in rows:
        table.addTopLevelItem(QTreeWidgetItem(list(row)))
    # The commands take the spare width: sized to their longest, "Save exchange as JSON…" ended
    # against the Keys column, and its own "…" read as a name cut off. Where and Keys follow
    # their contents (again whenever the font does), so nothing in them is elided either.
    header = table.header()
    header.setStretchLastSection(False)
    fit = QHeaderView.ResizeMode.ResizeToContents
    for column, mode in enumerate((fit, QHeaderView.ResizeMode.Stretch, fit)):
        header.setSectionResizeMode(column, mode)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table, 1)
    layout.addWidget(buttons)
    size_for_reading(dialog, columns=70, lines=len(rows) + 6)
    dialog.show()
    return dialog
