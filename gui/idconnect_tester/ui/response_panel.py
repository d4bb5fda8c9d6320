"""The response panel: every field of a granted token, each read-only with a copy button."""

from __future__ import annotations

import reprlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from idconnect_tester.ui.refresh_tracking import RULE
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import ValueField

if TYPE_CHECKING:  # loaded with the first exchange, not at start-up
    from idconnect_tester.core.exchange import Exchange

_FIELDS = (
    ("access_token", "accessTokenField", "access token"),
    ("refresh_token", "refreshTokenField", "refresh token"),
    ("token_type", "tokenTypeField", "token type"),
    ("expires_in", "expiresInField", "expires in (seconds)"),
    ("id_token", "idTokenField", "id token"),
)


def _short_json(value: object, limit: int = 200) -> str:
    """A one-line preview of any JSON value; a 5 MB field costs no more than a short one."""
    import json  # not before the first paint (bench/README.md)

    if isinstance(value, str):
        shown = json.dumps(value[:limit], ensure_ascii=False)
        return shown if len(value) <= limit else f"{shown}… ({len(value):,} characters)"
    if isinstance(value, dict | list):
        return _PREVIEW.repr(value)
    return json.dumps(value)


def _preview_repr() -> reprlib.Repr:
    limited = reprlib.Repr()  # bounded depth and sizes: no value can make this slow
    limited.maxlevel, limited.maxstring, limited.maxother = 2, 60, 60
    limited.maxdict = limited.maxlist = 6
    return limited


_PREVIEW = _preview_repr()


class ResponsePanel(QWidget):
    share_token_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsePanel")
        self.fields: dict[str, ValueField] = {}
        form = QFormLayout(self)
        for key, object_name, what in _FIELDS:
            field = ValueField(object_name, what)
            self.fields[key] = field
            if key == "access_token":
                row = QHBoxLayout()
                row.addWidget(field, 1)
                self.share_button = QPushButton("S&hare token…")
                self.share_button.setObjectName("shareTokenButton")
                self.share_button.setToolTip(
                    "Exchange this access token for a Sumsub ID share token (needs the share scope)"
                )
                self.share_button.setEnabled(False)
                self.share_button.clicked.connect(self.share_token_requested)
                row.addWidget(self.share_button)
                form.addRow(key, row)
            else:
                form.addRow(key, field)
        self.refresh_info = QLabel("")
        self.refresh_info.setObjectName("refreshTokenInfo")
        self.refresh_info.setWordWrap(True)
        self.refresh_info.setToolTip(RULE)
        set_tone(self.refresh_info, Tone.MUTED)
        form.addRow("", self.refresh_info)
        self.share_token = ValueField("shareTokenField", "share token")
        self.share_label = QLabel("share token")
        form.addRow(self.share_label, self.share_token)
        self.share_for = QLabel("")
        self.share_for.setObjectName("shareTokenForClient")
        set_tone(self.share_for, Tone.MUTED)
        form.addRow("", self.share_for)
        for widget in (self.share_token, self.share_label, self.share_for):
            widget.setVisible(False)
        self.extra = QLabel()
        self.extra.setObjectName("responseNotes")
        self.extra.setWordWrap(True)
        self.extra.setVisible(False)
        form.addRow(self.extra)
        self.placeholder = QLabel("No token yet: press Get code, then Send.")
        set_tone(self.placeholder, Tone.MUTED)
        form.addRow(self.placeholder)

    def show_share_token(self, token: str, for_client_id: str) -> None:
        self.share_token.set_value(token)
        self.share_for.setText(f"for client {for_client_id}" if for_client_id else "")
        for widget in (self.share_token, self.share_label, self.share_for):
            widget.setVisible(True)

    def show_refresh_info(self, text: str) -> None:
        self.refresh_info.setText(text)

    def show_exchange(self, exchange: Exchange) -> None:
        """Show a granted token; other outcomes leave the last good token on display, because it
        is still valid and a failed refresh should not hide it."""
        from idconnect_tester.core.exchange import TokenGranted

        outcome = exchange.outcome
        if not isinstance(outcome, TokenGranted):
            return
        self.placeholder.setVisible(False)
        values = {
            "access_token": outcome.access_token,
            "refresh_token": outcome.refresh_token or "",
            "token_type": outcome.token_type,
            "expires_in": str(outcome.expires_in),
            "id_token": outcome.id_token or "",
        }
        for key, value in values.items():
            self.fields[key].set_value(value)
        lines = list(outcome.notes)
        if outcome.id_token is None:
            lines.append("No id_token (the openid scope was not granted).")
        for key, value in outcome.other_fields.items():
            lines.append(f"Also returned: {key} = {_short_json(value)}")
        self.extra.setText("\n".join(lines))
        self.extra.setVisible(bool(lines))
        self.share_button.setEnabled(True)

    def access_token(self) -> str:
        return self.fields["access_token"].value()

    def clear(self) -> None:
        for field in self.fields.values():
            field.set_value("")
        self.extra.setVisible(False)
        self.placeholder.setVisible(True)
        self.share_button.setEnabled(False)
        self.refresh_info.setText("")
        for widget in (self.share_token, self.share_label, self.share_for):
            widget.setVisible(False)
