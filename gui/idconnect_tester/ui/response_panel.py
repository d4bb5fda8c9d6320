"""The response panel: every field of the latest granted token, each read-only with a copy
button, what each token is worth now, and the share token."""

from __future__ import annotations

import json
import reprlib
from typing import Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from idconnect_tester.core.session_events import (
    Freshness,
    IdTokenView,
    ShareView,
    TokenState,
    TokenStatus,
    TokenView,
)
from idconnect_tester.core.token_chain import REFRESH_RULE
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import (
    FreshnessLine,
    ValueField,
    ValueLabel,
    ValueNote,
    mark_stale,
)

_FIELDS = (
    ("access_token", "accessTokenField", "access token"),
    ("refresh_token", "refreshTokenField", "refresh token"),
    ("token_type", "tokenTypeField", "token type"),
    ("expires_in", "expiresInField", "expires in (seconds)"),
    ("id_token", "idTokenField", "ID token"),
)

STATE_TONES = {
    TokenState.LIVE: Tone.OK,
    TokenState.EXPIRED: Tone.ERROR,
    TokenState.REVOKED: Tone.ERROR,
    TokenState.REFUSED: Tone.ERROR,
    TokenState.SUSPECT: Tone.WARNING,
    TokenState.OTHER_TARGET: Tone.WARNING,
    TokenState.OTHER_PROFILE: Tone.WARNING,
    TokenState.TARGET_EDITED: Tone.WARNING,
    TokenState.UNTRUSTED: Tone.ERROR,
    TokenState.IN_LEEWAY: Tone.WARNING,
    TokenState.STAGED: Tone.WARNING,
}


# States whose reason says more of a token than where it came from.
_DOUBTS = frozenset({TokenState.SUSPECT, TokenState.REVOKED, TokenState.REFUSED, TokenState.STAGED})


def _short_json(value: object, limit: int = 40) -> str:
    """A one-line preview of any JSON value; a 5 MB field costs no more than a short one. A
    string is cut short enough that an unbroken one (a drill's padding) fits the panel with
    its length beside it: a label wraps between words only and cuts a longer word off."""
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


# Every state word of one or two short words: the width a state column keeps.
_USUAL_STATES: Final = (
    *(state.value for state in TokenState if state is not TokenState.OTHER_TARGET),
    "older",
)


class StateLabel(ValueLabel):
    """A token's state ("live", "revoked", …) in its colour, with why as the tooltip."""

    def __init__(self, object_name: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(what, parent=parent)
        self.setObjectName(object_name)

    def show_status(self, status: TokenStatus | None) -> None:
        if status is None:
            self.setText("")
            self.setToolTip("")
            return
        self.setText(status.state.value)
        self.setToolTip(status.why)
        set_tone(self, STATE_TONES[status.state])

    def show_note(self, text: str, why: str) -> None:
        self.setText(text)
        self.setToolTip(why)
        set_tone(self, Tone.WARNING)

    def show_older(self, status: TokenStatus | None, why_older: str) -> None:
        """From an older result: "older" — and what is worse, first, when it is known (an
        id_token whose checks failed reads "not trusted, older", in red)."""
        if status is None or status.usable:
            self.show_note("older", why_older)
            return
        self.setText(f"{status.state.value}, older")
        self.setToolTip(f"{status.why}. {why_older}")
        set_tone(self, STATE_TONES[status.state])

    def show_token(self, status: TokenStatus | None, freshness: Freshness) -> None:
        """The token's state, in the Expiry panel's words: one still live but from an older
        result is "older" (the tooltip says why), not "live" beside a panel marked older."""
        if status is not None and freshness.stale and status.state is TokenState.LIVE:
            self.show_note("older", freshness.note)
        else:
            self.show_status(status)


class ResponsePanel(QWidget):
    share_token_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsePanel")
        self.freshness = FreshnessLine("responseFreshness")
        self.fields: dict[str, ValueField] = {}
        self.access_state = StateLabel("accessTokenState", "Access token state")
        self.refresh_state = StateLabel("refreshTokenState", "Refresh token state")
        self.id_token_state = StateLabel("idTokenState", "id_token state")
        states = {
            "access_token": self.access_state,
            "refresh_token": self.refresh_state,
            "id_token": self.id_token_state,
        }
        # Where the refresh token came from, under it (not under the id_token at the end).
        self.refresh_info = ValueNote("Refresh token note", "refreshTokenInfo")
        self.refresh_info.setToolTip(REFRESH_RULE)
        set_tone(self.refresh_info, Tone.MUTED)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.freshness)
        # Every row ends in a state cell, blank where a value has no state, all as wide as the
        # widest state shown (see _align_states): the Copy buttons line up in one column.
        self._state_cells: list[QLabel] = []
        for key, object_name, what in _FIELDS:
            field = ValueField(object_name, what)
            self.fields[key] = field
            cell = states.get(key) or QLabel()
            self._state_cells.append(cell)
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(cell)
            form.addRow(key, row)
            if key == "refresh_token":
                form.addRow("", self.refresh_info)
        self.extra = ValueLabel("Response notes")
        self.extra.setObjectName("responseNotes")
        self.extra.setWordWrap(True)
        self.extra.setVisible(False)
        form.addRow(self.extra)

        self.share_button = QPushButton("Share t&oken…")
        self.share_button.setObjectName("shareTokenButton")
        self.share_button.setToolTip(
            "Exchange this access token for a Sumsub ID share token (needs the share scope)"
        )
        self.share_button.setEnabled(False)
        self.share_button.clicked.connect(self.share_token_requested)
        self.share_token = ValueField("shareTokenField", "share token")
        self.share_state = StateLabel("shareTokenState", "Share token state")
        self._state_cells.append(self.share_state)
        share_row = QHBoxLayout()
        share_row.addWidget(self.share_token, 1)
        share_row.addWidget(self.share_state)
        form.addRow("share token", share_row)
        # The button under the value it makes, beside whose it is.
        self.share_for = ValueNote("Share token for", "shareTokenForClient")
        set_tone(self.share_for, Tone.MUTED)
        share_for_row = QHBoxLayout()
        share_for_row.addWidget(self.share_button)
        share_for_row.addWidget(self.share_for, 1)
        form.addRow("", share_for_row)
        self.placeholder = QLabel("No token yet: press Get code, then Send.")
        set_tone(self.placeholder, Tone.MUTED)
        form.addRow(self.placeholder)
        self.show_tokens(None)

    def room_for_the_older_note(self) -> int:
        """The height the note that marks a result older would add now: none while it is on
        show, or while the placeholder (one line, before the first result) holds its place."""
        if self.freshness.isVisibleTo(self) or self.placeholder.isVisibleTo(self):
            return 0
        return self.fontMetrics().lineSpacing() + self._row_spacing()

    def room_for_the_refresh_note(self) -> int:
        """The line the note under refresh_token ("Issued … by …") takes once a token is
        shown: counted while it is hidden, so the layout a window size gets is the same
        before the first token and after it."""
        if self.refresh_info.isVisibleTo(self):
            return 0
        return self.refresh_info.fontMetrics().lineSpacing() + self._row_spacing()

    def height_of_the_notes(self) -> int:
        """What the notes on this one answer take now (a 5 MB body, a token without an
        id_token): not the panel's own rows, so no measure of the room it usually needs."""
        if not self.extra.isVisibleTo(self):
            return 0
        return self.extra.height() + self._row_spacing()

    def _say_where_the_refresh_token_came_from(self, note: str) -> None:
        # Hidden while there is nothing to say: an empty row still took the form's spacing,
        # a gap under refresh_token that looked like a value gone missing.
        self.refresh_info.setText(note)
        self.refresh_info.setVisible(bool(note))

    def _row_spacing(self) -> int:
        layout = self.layout()
        return max(0, layout.spacing()) if layout is not None else 0

    def show_tokens(self, view: TokenView | None) -> None:
        self.freshness.show_freshness(view.freshness if view is not None else None)
        mark_stale(self, view.freshness if view is not None else None)
        self.placeholder.setVisible(view is None)
        if view is None:
            for field in self.fields.values():
                field.set_value("")
            self.access_state.show_status(None)
            self.refresh_state.show_status(None)
            self._say_where_the_refresh_token_came_from("")
            self.extra.setVisible(False)
            self.share_button.setEnabled(False)
            self._align_states()
            return
        granted = view.granted
        values = {
            "access_token": granted.access_token,
            "refresh_token": view.refresh_token or "",
            "token_type": granted.token_type,
            "expires_in": str(granted.expires_in),
            "id_token": granted.id_token or "",
        }
        for key, value in values.items():
            self.fields[key].set_value(value)
        self.access_state.show_token(view.access, view.freshness)
        self.refresh_state.show_token(view.refresh, view.freshness)
        self._say_where_the_refresh_token_came_from(view.refresh_note)
        lines = list(granted.notes)  # with why there is no id_token, when there is none
        for key, value in granted.other_fields.items():
            lines.append(f"Also returned: {key} = {_short_json(value)}")
        self.extra.setText("\n".join(lines))
        self.extra.setVisible(bool(lines))
        self.share_button.setEnabled(view.access.good_here)
        self._align_states()

    def show_share(self, view: ShareView | None) -> None:
        if view is None:
            self.share_token.set_value("")
            self.share_state.show_status(None)
            self.share_for.setText("")
            self._align_states()
            return
        self.share_token.set_value(view.granted.token)
        # Still valid on the server, but maybe not made from the tokens shown above it.
        self.share_state.show_token(view.status, view.freshness)
        who = view.granted.for_client_id
        # A doubt says why beside its state word (tryout AH: "suspect" beside a note of only
        # which exchange replaced its access token); else where and when it came from.
        doubted = view.status.state in _DOUBTS
        said = view.status.why if doubted else view.freshness.note
        self.share_for.setText((f"for client {who} · " if who else "") + said.rstrip("."))
        self._align_states()

    def show_id_token(self, view: IdTokenView | None) -> None:
        """The id_token's state when something is known against it (as the Expiry panel
        counts it down): not to trust, suspect, another target's — or older."""
        trust = view.trust() if view is not None else None
        if view is None or view.id_token != self.fields["id_token"].value():
            # An id_token from an earlier response (this one carried none): its state is the
            # ID token and Expiry panels' to say, not this empty row's.
            self.id_token_state.show_status(None)
        elif trust is None and view.freshness.stale:
            self.id_token_state.show_note("older", view.freshness.note)
        else:
            self.id_token_state.show_token(trust, view.freshness)
        self._align_states()

    def _align_states(self) -> None:
        """One column for the states (none shown: no room at all), as wide as the widest
        usual state word, whichever is shown: the Copy buttons stay put as "live" turns "not
        trusted" (tryout AD: they moved left, leaving a strip). A rare longer one ("from
        another target") widens it while it is shown."""
        # Measured from the words, not from each cell's size hint: a label's hint is never
        # less than its minimum width, so once widened for "from another target" a column of
        # "live" stayed that wide (tryout AI: the Copy buttons stayed to the left).
        shown = [_word_width(cell, cell.text()) for cell in self._state_cells if cell.text()]
        if not shown:
            widest = 0
        else:
            usual = max(_word_width(self._state_cells[0], word) for word in _USUAL_STATES)
            widest = max(*shown, usual)
        for cell in self._state_cells:
            cell.setFixedWidth(widest)

    def access_token(self) -> str:
        return self.fields["access_token"].value()


def _word_width(cell: QLabel, text: str) -> int:
    """The width `cell` needs for `text` on one line."""
    margins = cell.contentsMargins()
    return (
        cell.fontMetrics().horizontalAdvance(text)
        + margins.left()
        + margins.right()
        + 2 * cell.margin()
    )
