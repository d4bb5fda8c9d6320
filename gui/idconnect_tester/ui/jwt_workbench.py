"""The JWT workbench (Tools ▸ Decode and verify a JWT…): paste any JWT and see its header, its
claims with readable times, and one row per verification check — what people open jwt.io for,
without sending the token to a website.

Keys come from the issuer (its discovery document, then its JWKS: the only requests made, and
they carry no token), from a pasted JWKS or PEM key, or from nowhere (decode only: the verdict
then says NOT VERIFIED). The issuer, client id, nonce and leeway are editable; an empty field
skips its check. The results use the id_token panel's own widgets, under names of their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.id_token_checks import (
    DEFAULT_LEEWAY_S,
    Verification,
    VerificationContext,
    verdict_changes,
    verify_id_token,
)
from idconnect_tester.core.id_token_model import MAX_LEEWAY_S, failed
from idconnect_tester.core.jwks import JwksCache, KeyFetchError, build_context, keys_from_text
from idconnect_tester.core.jwt_decode import (
    CutOffJwt,
    DecodedJwt,
    JwtDecodeError,
    authorization_response,
    cut_off_jwt,
    decode_jwt,
    readable_despite_signature,
    token_from_paste,
    url_not_a_jwt,
)
from idconnect_tester.core.session_events import Freshness
from idconnect_tester.core.visible_text import escape_hidden, is_hidden, visible_json
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.paste_box import (
    MAX_KEYS_CHARS,
    MAX_TOKEN_CHARS,
    BoundedTextEdit,
    too_long,
)
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import (
    MomentTimer,
    WrappingLabel,
    announce,
    correct_to_nearest,
    give_mnemonics,
    mark_stale,
)
from idconnect_tester.ui.window_size import size_for_reading

if TYPE_CHECKING:
    import httpx

PREFIX: Final = "workbench"
KEYS_FROM_ISSUER: Final = "issuer"
KEYS_PASTED: Final = "pasted"
KEYS_NONE: Final = "none"
_PANEL_FAILED = "Do not trust this id_token"
_WORKBENCH_FAILED = "Do not trust this token as an id_token"

# Why the kid and signature rows were skipped; the verdict already says nothing checked it.
NO_KEYS_NOTE: Final = "Decode only: no keys chosen"
NO_KEYS_LINE: Final = "Keys: none (decode only)"
StartBackground = Callable[..., None]  # RequestController.start_background(coroutine, name)


def _optional(edit: QLineEdit) -> str | None:
    return edit.text().strip() or None


def _damaged(token: str) -> bool:
    """A JWT in shape whose header or payload is no JSON text: no key can help it."""
    decoded = decode_jwt(token)
    return isinstance(decoded, JwtDecodeError) and decoded.damaged


class JwtWorkbench(QDialog):
    verified = Signal(object)  # the Verification now on show

    def __init__(
        self,
        keys_http: Callable[[], httpx.AsyncClient],
        cache: JwksCache,
        start_background: StartBackground,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jwtWorkbenchDialog")
        self.setWindowTitle("JWT workbench — decode and verify")
        self.setModal(False)
        self._keys_http = keys_http
        self._cache = cache
        self._start_background = start_background
        self._generation = 0  # a result for an earlier press of Verify is dropped
        # The verdict on show is judged again when time changes it (exp passes, nbf comes),
        # as the main window's is: a green verdict on an expired token is the past.
        self._judged: tuple[str, VerificationContext, str] | None = None
        self._time_passes = MomentTimer(self)
        self._time_passes.timeout.connect(self._judge_again)

        intro = QLabel(
            "Paste a JWT (an id_token, say): it is decoded and checked on this computer. The "
            "only requests are for the issuer's discovery document and keys, which never carry "
            "the token."
        )
        intro.setWordWrap(True)
        self.token = self._bounded_box(MAX_TOKEN_CHARS, "a JWT")
        self.token.setObjectName(f"{PREFIX}TokenEdit")
        self.token.setAccessibleName("JWT to decode and verify")
        self.token.setPlaceholderText("eyJhbGciOi…  (header.payload.signature)")
        self.token.setFont(monospace_font())
        self.token.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)

        self.issuer = self._line_edit("IssuerEdit", "Issuer (iss)", "https://id.sumsub.com/")
        self.client_id = self._line_edit("ClientIdEdit", "Client id (aud)", "your client id")
        self.nonce = self._line_edit("NonceEdit", "Nonce", "empty: the nonce is not checked")
        self.leeway = QSpinBox()
        self.leeway.setObjectName(f"{PREFIX}LeewaySpin")
        self.leeway.setAccessibleName("Clock leeway for exp, iat and nbf")
        self.leeway.setRange(0, MAX_LEEWAY_S)
        self.leeway.setValue(DEFAULT_LEEWAY_S)
        self.leeway.setSuffix(" s")
        correct_to_nearest(self.leeway)
        self.leeway.setToolTip(
            "How far the clocks may disagree when exp, iat and nbf are checked: "
            f"{self.leeway.minimum():,} to {self.leeway.maximum():,} seconds"
        )
        # Every field and button has its Alt+letter; the paste boxes leave Alt+letter to them.
        form = QFormLayout()
        form.addRow("&Token", self.token)
        form.addRow("Iss&uer", self.issuer)  # the profile dialog's letters, for the same fields
        form.addRow("Client &id", self.client_id)
        form.addRow("&Nonce", self.nonce)
        form.addRow("Clock lee&way", self.leeway)

        self.key_source = QButtonGroup(self)
        sources = QHBoxLayout()
        self.key_buttons: dict[str, QRadioButton] = {}
        for source, text in (
            (KEYS_FROM_ISSUER, "The issuer's &keys"),
            (KEYS_PASTED, "&Pasted JWKS or PEM"),
            (KEYS_NONE, "N&one (decode only)"),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"{PREFIX}Keys_{source}")
            self.key_source.addButton(button)
            self.key_buttons[source] = button
            sources.addWidget(button)
        sources.addStretch(1)
        self.key_buttons[KEYS_FROM_ISSUER].setChecked(True)
        self.keys = self._bounded_box(MAX_KEYS_CHARS, "a JWKS or PEM key")
        self.keys.setObjectName(f"{PREFIX}KeysEdit")
        self.keys.setAccessibleName("Pasted JWKS, JWK or PEM public key")
        self.keys.setPlaceholderText('{"keys": [...]}  or  -----BEGIN PUBLIC KEY-----')
        self.keys.setFont(monospace_font())
        self.keys.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.key_source.buttonToggled.connect(lambda *_: self._key_source_changed())
        form.addRow("Keys", sources)
        self._keys_row = form.rowCount()
        form.addRow("JWK&S or PEM", self.keys)  # not &J: its underline hides in the descender
        self._form = form

        self.verify_button = QPushButton("&Decode and verify")
        self.verify_button.setObjectName(f"{PREFIX}VerifyButton")
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(self.verify)
        # From the paste box too, where Return is a new line: as Send is, with Ctrl.
        verify_key = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return)
        QShortcut(verify_key, self, self.verify)
        self.verify_button.setToolTip(
            f"Decode and verify ({verify_key.toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        self.problem = WrappingLabel("")
        self.problem.setObjectName(f"{PREFIX}Problem")
        self._said_about_the_inputs = False
        # A refused paste's box and what it held then: said until something else goes in.
        self._refused: tuple[BoundedTextEdit, str] | None = None
        set_tone(self.problem, Tone.ERROR)
        action = QHBoxLayout()
        action.addWidget(self.problem, 1)
        action.addWidget(self.verify_button)

        self.panel = IdTokenPanel(prefix=PREFIX)
        self._verdict_shown = False  # a verdict is on show: an edit makes it an older one
        self._fetching = False  # the issuer's keys are on their way for the last press
        self.panel.keys_button.setVisible(False)  # the key source is chosen above
        self.panel.verify_button.setVisible(False)
        self.panel.summary.setText("Paste a JWT and press Decode and verify.")

        inputs = QWidget()
        inputs_layout = QVBoxLayout(inputs)
        inputs_layout.setContentsMargins(0, 0, 0, 0)
        inputs_layout.addWidget(intro)
        inputs_layout.addLayout(form)
        inputs_layout.addLayout(action)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName(f"{PREFIX}DialogSplitter")
        split.addWidget(inputs)
        split.addWidget(self.panel)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 0)  # a taller dialog gives its room to the results
        split.setStretchFactor(1, 1)
        line = self.fontMetrics().lineSpacing()
        results = self.panel.findChild(QSplitter, f"{PREFIX}Splitter")
        if results is not None:  # checks, claims, header: the checks and claims are what counts
            results.setSizes([line * 12, line * 9, line * 4])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        give_mnemonics(buttons.buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        size_for_reading(self, columns=72, lines=46)
        self._key_source_changed()
        for pasted in (self.token, self.keys):
            pasted.textChanged.connect(self._inputs_edited)
        for setting in (self.issuer, self.client_id, self.nonce):
            setting.textChanged.connect(self._inputs_edited)
        self.leeway.valueChanged.connect(self._inputs_edited)
        self.key_source.buttonToggled.connect(lambda *_: self._inputs_edited())

    def _inputs_edited(self) -> None:
        """The verdict on show is about the token, keys and settings as they were: say so (and
        drop a fetch still running for them) until Decode and verify runs again. A message
        about the inputs ("Enter the issuer…") is about them as they were: it goes — and so
        does a refused paste's, once something else went in (tryout AD: "Not pasted: … too
        long" stayed under the token pasted after it)."""
        self._generation += 1
        self._stop_judging_again()
        refused = self._refused
        if self._said_about_the_inputs or (
            refused is not None and refused[0].toPlainText() != refused[1]
        ):
            self._say("")
        if self._fetching:  # for the inputs as they were: its result will be dropped
            self._fetching = False
            self.panel.summary.setText("Press Decode and verify.")
        if not self._verdict_shown:
            return
        edited = Freshness(
            stale=True,
            note="Edited since this verdict: it is about the token and keys as they were. "
            "Press Decode and verify.",
            label="edited",
        )
        self.panel.freshness.show_freshness(edited)
        mark_stale(self.panel, edited)
        set_tone(self.panel.summary, Tone.MUTED)  # an older verdict: not in green

    def _bounded_box(self, limit: int, holds: str) -> BoundedTextEdit:
        """A box for pasted text that refuses more than `limit` characters, saying so."""
        box = BoundedTextEdit(limit)
        box.refused.connect(
            lambda offered, total: self._say_too_long(holds, limit, offered, total, box)
        )
        return box

    def _say_too_long(
        self, holds: str, limit: int, offered: int, total: int, box: BoundedTextEdit
    ) -> None:
        """Why a paste into `box` did not go in. The box keeps its text, and the verdict on
        show stays current (nothing it is about changed)."""
        text = too_long(holds, limit, offered, total, kept=not box.document().isEmpty())
        self._say(text, about_the_inputs=False)  # about a paste that did not go in
        self._refused = (box, box.toPlainText())  # said until something else goes in
        announce(box, text)  # the focus is in the box, not on the line that says it

    def _line_edit(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"{PREFIX}{name}")
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        return edit

    def _key_source_changed(self) -> None:
        self._form.setRowVisible(self._keys_row, self.key_buttons[KEYS_PASTED].isChecked())

    def prefill(self, issuer: str, client_id: str) -> None:
        """The current target's issuer and client id, where the fields are still empty."""
        for edit, value in ((self.issuer, issuer), (self.client_id, client_id)):
            if not edit.text().strip():
                edit.setText(value)

    def selected_source(self) -> str:
        return next(name for name, button in self.key_buttons.items() if button.isChecked())

    # --- verifying ---

    def _say(self, text: str, tone: Tone = Tone.ERROR, *, about_the_inputs: bool = True) -> None:
        """`about_the_inputs`: what Decode and verify found in them ("Enter the issuer…"),
        which an edit of them makes untrue — unlike a refused paste, which changed nothing."""
        self.problem.setText(text)
        set_tone(self.problem, tone)
        self._said_about_the_inputs = about_the_inputs and bool(text)
        self._refused = None

    def verify(self) -> None:
        """Decode and check the pasted token with the chosen keys. Never raises for what was
        pasted: a token or key that can't be read is a message."""
        self._generation += 1
        self._stop_judging_again()
        token, left_out = token_from_paste(self.token.toPlainText())
        if not token:
            # A paste refused as too long says why the box is empty: "Paste a JWT first"
            # over it read as if nothing had been pasted (tryout AA).
            refusal = self.problem.text() if not self._said_about_the_inputs else ""
            if not refusal:
                self._say("Paste a JWT first.")
            return
        self._say("")
        self._say(left_out, Tone.MUTED)  # what was tidied away: a note, not a problem
        # Cut off first: `_not_a_jwt` would call a bare `header.payload` no JWT.
        cut = cut_off_jwt(token)
        why = self._not_a_jwt(token) if cut is None else None
        if cut is not None or why is not None or _damaged(token):
            # Nothing here for keys to check (and no reason to ask the issuer for them): the
            # verdict is the decode row alone, or a cut-off token's missing signature.
            context = VerificationContext(leeway_s=self.leeway.value())
            self._show(token, context, "", unreadable=(cut, why))
            return
        source = self.selected_source()
        # A redirect URL's id_token came from the authorization endpoint: the code and access
        # token beside it are checked against its c_hash and at_hash.
        response = authorization_response(self.token.toPlainText())
        if source == KEYS_FROM_ISSUER:
            if _optional(self.issuer) is None:
                self._say("Enter the issuer whose keys to fetch, or choose other keys.")
                return
            self._fetch_and_verify(token, self._generation, response)
            return
        keys = None
        keys_line = NO_KEYS_LINE
        if source == KEYS_PASTED:
            try:
                keys = tuple(keys_from_text(self.keys.toPlainText(), "pasted keys"))
            except KeyFetchError as exc:
                self._say(f"Those keys can't be used — {exc}")
                return
            keys_line = f"Keys: {len(keys)} pasted key(s)"
        context = VerificationContext(
            leeway_s=self.leeway.value(),
            issuer=_optional(self.issuer),
            client_id=_optional(self.client_id),
            nonce=_optional(self.nonce),
            keys=keys,
            keys_note=NO_KEYS_NOTE,  # read only when there are no keys
            authorization_response=response,
        )
        self._show(token, context, keys_line)

    def _fetch_and_verify(
        self, token: str, generation: int, response: dict[str, str] | None
    ) -> None:
        issuer = _optional(self.issuer)
        self.panel.summary.setText(f"Fetching the keys of {issuer}…")
        self._fetching = True
        set_tone(self.panel.summary, Tone.MUTED)
        leeway, client_id, nonce = (
            self.leeway.value(),
            _optional(self.client_id),
            _optional(self.nonce),
        )

        async def fetch() -> None:
            context = await build_context(
                self._keys_http(),
                token=token,
                cache=self._cache,
                issuer=issuer,
                client_id=client_id,
                nonce=nonce,
                leeway_s=leeway,
                # The person pressed Verify: the keys the issuer publishes now, not a copy
                # that may still hold a key since taken out of its set.
                fetch_again=True,
            )
            context = dataclasses.replace(context, authorization_response=response)
            if generation == self._generation:
                self._show(token, context, f"Keys: issuer {issuer}")

        self._start_background(fetch(), "workbench keys")

    @staticmethod
    def _not_a_jwt(token: str) -> str | None:
        """Why the pasted text is not a JWT at all, or None when it is one. A JWT whose header
        and claims decode is one, even with a damaged signature (a token with a character
        more): it is judged as an id_token. So is an encrypted JWT (a JWE), unreadable here:
        the panel's own words say so; and a JWT in shape whose header or payload is no JSON
        text (a character altered, most likely: `_show` says so). A URL is a URL first: its
        host's dots are not a token's (five parts would read as a JWE)."""
        url = url_not_a_jwt(token)
        if url is not None:
            # It may quote the server's error words: a bidi override there would redraw them.
            return escape_hidden(url)
        decoded = decode_jwt(token)
        if not isinstance(decoded, JwtDecodeError) or decoded.encrypted or decoded.damaged:
            return None
        if readable_despite_signature(token) is not None:
            return None
        hidden = sorted({f"U+{ord(c):04X}" for c in token if is_hidden(c)})
        if hidden:  # what the paste box can't show: a NUL, a bell, a bidi override
            return f"{decoded.message}; it holds characters that can't be seen: " + ", ".join(
                hidden[:5]
            )
        return decoded.message

    def _judge(
        self, token: str, context: VerificationContext, cut: CutOffJwt | None, why: str | None
    ) -> Verification:
        """The verdict on the pasted text. Text that is no JWT (`why`), and a JWT cut off
        (`cut`), are judged here in one failed row (nothing can verify them); everything else
        by the id_token checks, exactly as the main window's panel judges a token."""
        if cut is not None and cut.claims is not None:
            parts = token.split(".")
            # Decoded as far as it goes, for the Header and Claims tabs; the row says why no
            # signature was checked, and fails, so the verdict is "do not trust".
            shown = DecodedJwt(
                header=cut.header,
                claims=cut.claims,
                signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
                signature=b"",
            )
            return Verification(shown, (failed("signature", cut.why),), context.now)
        if cut is not None:
            return Verification(JwtDecodeError(cut.why), (failed("decode", cut.why),), context.now)
        if why is not None:
            # Said here, not by decode_jwt: a URL's message is the workbench's own.
            return Verification(JwtDecodeError(why), (failed("decode", why),), context.now)
        return verify_id_token(token, context)

    def _show(
        self,
        token: str,
        context: VerificationContext,
        keys_note: str,
        unreadable: tuple[CutOffJwt | None, str | None] = (None, None),
    ) -> None:
        """The verdict on screen. `unreadable`: what `verify` found the text to be, when keys
        can't help — cut off, or why it is no JWT at all."""
        cut, why = unreadable
        verification = self._judge(token, context, cut, why)
        self.panel.show_verification(verification, keys_note)
        lines = self.panel.summary.text().split("\n")
        decoded = verification.decoded
        if isinstance(decoded, JwtDecodeError) and decoded.damaged:
            # A token, not "text that is no JWT": what went wrong is in the copy, most likely.
            damage = decoded.message[0].lower() + decoded.message[1:]
            lines[0] = (
                f"Do not trust this token: {damage}. If it was copied, copy it again from "
                "where it came from."
            )
        elif cut is not None:
            lines[0] = self._cut_off_summary(cut)
            if cut.in_claims:
                self._show_cut_claims(cut)
        elif why is not None:
            # The panel speaks of "this id_token", which words, a URL or half a token pasted
            # here are not: until the text decodes as a JWT, it is called what it is.
            # ("Not a JWT: a JWT begins eyJ…" says it already: not twice, tryout AK.)
            reason = why.removeprefix("Not a JWT: ")
            reason = reason[0].lower() + reason[1:]
            url = why.startswith("This text is a URL")
            lines[0] = f"{why}." if url else f"This text is not a JWT: {reason}."
            self.panel.header.setPlainText(f"Cannot decode this text as a JWT:\n{why}")
            self.panel.claims.setPlainText("")
        elif lines[0].startswith(_PANEL_FAILED):
            # Any JWT pasted here is judged by the id_token checks: the verdict says so rather
            # than calling an access token, say, an id_token.
            lines[0] = _WORKBENCH_FAILED + lines[0].removeprefix(_PANEL_FAILED)
        self.panel.summary.setText("\n".join(lines))
        self.panel.freshness.show_freshness(None)
        mark_stale(self.panel, None)
        self._verdict_shown, self._fetching = True, False
        if isinstance(decoded, DecodedJwt) and cut is None and why is None:
            self._judge_again_when_time_changes(decoded, (token, context, keys_note))
        self.verified.emit(verification)

    def _judge_again_when_time_changes(
        self, decoded: DecodedJwt, judged: tuple[str, VerificationContext, str]
    ) -> None:
        now = judged[1].now
        future = [m for m in verdict_changes(decoded, judged[1].leeway_s) if m > now]
        if future:
            self._judged = judged
            self._time_passes.at(min(future))

    def _judge_again(self) -> None:
        """The same token, keys and settings, judged at this moment (no keys fetched again)."""
        if self._judged is not None:
            token, context, keys_note = self._judged
            self._show(token, dataclasses.replace(context, now=datetime.now(UTC)), keys_note)

    def _stop_judging_again(self) -> None:
        self._time_passes.stop()
        self._judged = None

    @staticmethod
    def _cut_off_summary(cut: CutOffJwt) -> str:
        if cut.in_claims:
            return (
                "Do not trust this token: the text looks cut off inside its claims, so they "
                "can't all be shown and nothing can verify it. Paste the whole token."
            )
        return (
            "Do not trust this token: the text looks cut off, so its signature is missing or "
            "incomplete and nothing can verify it. Its header and claims are shown as pasted; "
            "paste the whole token to verify it."
        )

    def _show_cut_claims(self, cut: CutOffJwt) -> None:
        """The header, and the claims as far as the text goes: what can still be read of a
        token cut inside its payload (the panel shows nothing for a decode error)."""
        self.panel.header.setPlainText(visible_json(cut.header))
        # The token's own JSON text, not one written here: its tabs and line breaks are its
        # layout (JSON whitespace) and stay; any other hidden character is shown as an escape.
        so_far = escape_hidden(cut.claims_so_far, keep="\t\n")
        self.panel.claims.setPlainText(
            f"Cut off inside the claims — their JSON as far as the text goes:\n{so_far}"
        )
