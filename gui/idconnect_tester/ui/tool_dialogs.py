"""Small tool dialogs: the share-token request, the PKCE checker, and keys for offline checks."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester import vendor
from idconnect_tester.core.id_token_model import MAX_LEEWAY_S
from idconnect_tester.core.pkce import (
    challenge_problem,
    generate_pair,
    verifier_matches,
    verifier_problem,
)
from idconnect_tester.core.request import SHARE_MAX_TTL_S, client_id_problem
from idconnect_tester.ui.paste_box import MAX_KEYS_CHARS, BoundedTextEdit, too_long
from idconnect_tester.ui.theme import Tone, monospace_font, set_tone
from idconnect_tester.ui.widgets import WrappingLabel, correct_to_nearest, give_mnemonics
from idconnect_tester.ui.window_size import grow_to_show_all

_NEEDS_CLIENT_ID = "Send needs the client id the share token is for."


class ShareTokenDialog(QDialog):
    """forClientId and ttlInSecs for the share-token step."""

    def __init__(self, for_client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shareTokenDialog")
        self.setWindowTitle("Share token")
        self.for_client_id = QLineEdit(for_client_id)
        self.for_client_id.setObjectName("shareForClientIdEdit")
        self.for_client_id.setPlaceholderText("the client id the share token is for")
        self.for_client_id.setAccessibleName("forClientId")
        # The last one, picked whole: typing replaces it (appended, a doubled id was sent).
        self.for_client_id.selectAll()
        self.ttl = QSpinBox()
        self.ttl.setObjectName("shareTtlSpin")
        self.ttl.setRange(1, SHARE_MAX_TTL_S)
        self.ttl.setValue(vendor.SHARE_DEFAULT_TTL_S)
        self.ttl.setSuffix(" s")
        self.ttl.setAccessibleName("ttlInSecs")
        correct_to_nearest(self.ttl)
        self.ttl.setToolTip(
            f"How long the share token lives: {self.ttl.minimum():,} to "
            f"{self.ttl.maximum():,} seconds"
        )
        intro = QLabel(
            "Exchange the current access token for a Sumsub ID share token for another client. "
            "The access token needs the share scope."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&forClientId", self.for_client_id)
        form.addRow("&ttlInSecs", self.ttl)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.send = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert self.send is not None
        self.send.setText("&Send")
        self.send.setObjectName("shareSendButton")
        # Why Send is off, where the eye goes next: under the field it waits for.
        self.why_not = QLabel(_NEEDS_CLIENT_ID)
        self.why_not.setObjectName("shareSendReason")
        # Always there, empty when there is nothing to say: the fields above never move under
        # the pointer (hidden, its row went, and a click meant for ttlInSecs landed in
        # forClientId).
        self.why_not.setMinimumHeight(self.why_not.fontMetrics().lineSpacing())
        set_tone(self.why_not, Tone.MUTED)
        form.addRow("", self.why_not)
        self.for_client_id.textChanged.connect(self._allow_send)
        # A TTL typed out of range (0) becomes the nearest limit when the box is left or Enter
        # is pressed, which Qt does without a word. Until then Send waits, saying the range;
        # the Enter that corrects it does not send too (it reaches the dialog in the same key
        # press): the dialog says what the box holds now, and the next Enter sends it.
        self._ttl_out_of_range = False
        self._ttl_just_corrected = False
        self.ttl.lineEdit().textChanged.connect(self._ttl_edited)
        self.ttl.editingFinished.connect(self._ttl_finished)
        self._allow_send()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        give_mnemonics(buttons.buttons())  # Cancel and Close too, on every desktop
        self.warning = WrappingLabel("")
        self.warning.setObjectName("shareTokenWarning")
        self.warning.setVisible(False)
        set_tone(self.warning, Tone.WARNING)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.warning)
        layout.addLayout(form)
        layout.addWidget(buttons)
        # Wide enough for a client id and the warning on a line or two, not a narrow column.
        self.resize(self.fontMetrics().horizontalAdvance("M") * 45, self.sizeHint().height())

    def _ttl_edited(self) -> None:
        if not self.ttl.hasAcceptableInput():
            self._ttl_out_of_range = True
        self._allow_send()

    def _ttl_finished(self) -> None:
        corrected = self._ttl_out_of_range and self.ttl.hasAcceptableInput()
        self._ttl_out_of_range = False
        self._allow_send()
        if corrected and self.send.isEnabled():
            self.why_not.setText(
                f"ttlInSecs was out of range: it is now {self.ttl.value():,} s, the nearest limit"
            )
            set_tone(self.why_not, Tone.WARNING)
            self._ttl_just_corrected = True
            QTimer.singleShot(0, self._ttl_correction_told)

    def _ttl_correction_told(self) -> None:
        self._ttl_just_corrected = False

    def accept(self) -> None:
        if not self._ttl_just_corrected:
            super().accept()

    def _allow_send(self) -> None:
        why = self._why_not_send()
        self.send.setEnabled(why is None)
        self.why_not.setText(why or "")
        set_tone(self.why_not, Tone.ERROR if why and why != _NEEDS_CLIENT_ID else Tone.MUTED)

    def _why_not_send(self) -> str | None:
        client_id = self.for_client_id.text()
        if not client_id.strip():
            return _NEEDS_CLIENT_ID
        if (problem := client_id_problem(client_id)) is not None:
            return problem
        if not self.ttl.hasAcceptableInput():
            return f"ttlInSecs is {self.ttl.minimum():,} to {self.ttl.maximum():,} seconds"
        return None

    def warn(self, text: str) -> None:
        """Something the user should know before sending (e.g. the access token is revoked)."""
        self.warning.setText(text)
        self.warning.setVisible(True)


class PkceCheckerDialog(QDialog):
    """Paste a verifier and a challenge and see whether they match (S256)."""

    def __init__(
        self, verifier: str = "", challenge: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pkceCheckerDialog")
        self.setWindowTitle("PKCE checker")
        self.verifier = QLineEdit(verifier)
        self.verifier.setObjectName("pkceVerifierEdit")
        self.verifier.setAccessibleName("Code verifier")
        self.challenge = QLineEdit(challenge)
        self.challenge.setObjectName("pkceChallengeEdit")
        self.challenge.setAccessibleName("Code challenge")
        for edit in (self.verifier, self.challenge):
            edit.setFont(monospace_font())
            edit.textChanged.connect(self._check)
        self.verdict = WrappingLabel()
        self.verdict.setObjectName("pkceResult")
        generate = QPushButton("&Generate a pair")
        generate.setObjectName("pkceGenerateButton")
        generate.clicked.connect(self._generate)
        form = QFormLayout()
        form.addRow("code_&verifier", self.verifier)
        form.addRow("code_c&hallenge", self.challenge)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        give_mnemonics(buttons.buttons())  # Cancel and Close too, on every desktop
        row = QHBoxLayout()
        row.addWidget(generate)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addLayout(row)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 50, self.sizeHint().height())
        self._check()

    def _generate(self) -> None:
        pair = generate_pair()
        self.verifier.setText(pair.code_verifier)
        self.challenge.setText(pair.code_challenge)

    def _check(self) -> None:
        verifier, challenge = self.verifier.text().strip(), self.challenge.text().strip()
        if not verifier or not challenge:
            self.verdict.setText("Paste a code_verifier and a code_challenge (S256).")
            set_tone(self.verdict, Tone.MUTED)
            return
        self._say_verdict(verifier, challenge)
        grow_to_show_all(self)

    def _say_verdict(self, verifier: str, challenge: str) -> None:
        note = verifier_problem(verifier)
        suffix = f" Note: the verifier {note}." if note else ""
        refused = challenge_problem(challenge)
        if verifier_matches(verifier, challenge) and refused:
            # The digest is right, but written so a server refuses it at authorize (tryout
            # AJ: a padded challenge read "✔ Match"; the emulator refuses it, as it may).
            self.verdict.setText(
                "⚠ Match, but not a valid challenge: BASE64URL(SHA256(verifier)) equals it; "
                f"the challenge {refused}, and a server may refuse it.{suffix}"
            )
            set_tone(self.verdict, Tone.WARNING)
        elif verifier_matches(verifier, challenge) and note:
            # The pair is consistent, but RFC 7636 §4.1 makes such a verifier invalid: a
            # server is right to refuse it. Not a green tick.
            self.verdict.setText(
                "⚠ Match, but not a valid verifier: BASE64URL(SHA256(verifier)) equals the "
                f"challenge; the verifier {note}, and a server may refuse it."
            )
            set_tone(self.verdict, Tone.WARNING)
        elif verifier_matches(verifier, challenge):
            self.verdict.setText("✔ Match: BASE64URL(SHA256(verifier)) equals the challenge.")
            set_tone(self.verdict, Tone.OK)
        else:
            self.verdict.setText(
                "✘ No match: this verifier did not produce this challenge (S256). A token "
                "request with it gets 401 Invalid code." + suffix
            )
            set_tone(self.verdict, Tone.ERROR)


class KeysDialog(QDialog):
    """Paste a JWKS, a JWK or a PEM public key to verify id_tokens offline; set the leeway."""

    def __init__(
        self, current: str, leeway_s: int, in_use: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keysDialog")
        # What the id_token on display was checked with, so a change starts from what is.
        self.in_use = WrappingLabel(f"In use: {in_use}" if in_use else "")
        self.in_use.setObjectName("keysInUse")
        self.in_use.setVisible(bool(in_use))
        set_tone(self.in_use, Tone.MUTED)
        self.setWindowTitle("Keys for id_token verification")
        intro = QLabel(
            "By default keys are fetched from the profile's issuer (discovery, then JWKS). "
            "For offline checks, paste a JWKS, a single JWK, or a PEM public key or certificate."
        )
        intro.setWordWrap(True)
        self.text = BoundedTextEdit(MAX_KEYS_CHARS)
        self.text.setPlainText(current)
        self.text.setObjectName("keysTextEdit")
        self.text.setAccessibleName("Keys: JWKS, JWK or PEM")
        self.text.setFont(monospace_font())
        self.text.setPlaceholderText('{"keys": [...]}  or  -----BEGIN PUBLIC KEY-----')
        self.problem = WrappingLabel()
        self.problem.setObjectName("keysProblem")
        set_tone(self.problem, Tone.ERROR)
        # What was wrong with the text before is not said of the text typed or pasted since.
        self.text.textChanged.connect(lambda: self.problem.setText(""))
        self.text.refused.connect(
            lambda offered, total: self.problem.setText(
                too_long(
                    "a JWKS or PEM key",
                    MAX_KEYS_CHARS,
                    offered,
                    total,
                    kept=not self.text.document().isEmpty(),
                )
            )
        )
        text_label = QLabel("&Keys")
        text_label.setBuddy(self.text)
        self.use_issuer = False
        self.leeway = QSpinBox()
        self.leeway.setObjectName("keysLeewaySpin")
        self.leeway.setRange(0, MAX_LEEWAY_S)
        self.leeway.setValue(leeway_s)
        self.leeway.setSuffix(" s")
        self.leeway.setAccessibleName("Clock leeway for exp, iat and nbf")
        correct_to_nearest(self.leeway)
        self.leeway.setToolTip(
            "How far the clocks may disagree when exp, iat and nbf are checked: "
            f"{self.leeway.minimum():,} to {self.leeway.maximum():,} seconds"
        )
        leeway_row = QFormLayout()
        leeway_row.addRow("Clock &leeway", self.leeway)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("&Use these keys")
        fetch = buttons.addButton("&Fetch from issuer", QDialogButtonBox.ButtonRole.ResetRole)
        fetch.clicked.connect(self._fetch)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        give_mnemonics(buttons.buttons())  # Cancel and Close too, on every desktop
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.in_use)
        layout.addWidget(text_label)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.problem)
        layout.addLayout(leeway_row)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 60, 360)

    def _fetch(self) -> None:
        self.use_issuer = True
        self.accept()
