"""The id_token panel: decoded header and claims (with readable times) and one row per check."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTabWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.id_token_checks import CheckStatus, Verdict, Verification
from idconnect_tester.core.id_token_model import SECOND_OPINION_ROW
from idconnect_tester.core.jwt_decode import DecodedJwt, JwtDecodeError, claims_text
from idconnect_tester.core.session_events import IdTokenView, TokenState
from idconnect_tester.core.visible_text import escape_hidden, visible_json
from idconnect_tester.core.wording import clock_time
from idconnect_tester.ui.response_panel import STATE_TONES
from idconnect_tester.ui.theme import Tone, colours, set_tone
from idconnect_tester.ui.widgets import (
    FreshnessLine,
    PaneSplitter,
    RowTree,
    ValueLabel,
    mark_stale,
    plain_tip,
    read_only_text,
)

# Keyed by CheckStatus's string values: "pass", "fail", "skipped", "warn".
_TONE = {"pass": Tone.OK, "fail": Tone.ERROR, "skipped": Tone.MUTED, "warn": Tone.WARNING}
_MARK = {"pass": "✔", "fail": "✘", "skipped": "–", "warn": "!"}
_UNPROVEN_TIP = (
    "The claim is as expected, but the signature is not verified: anyone could have written "
    "it, so it proves nothing"
)
# Keyed by Verdict's values. A warning (or a second opinion that differs) turns "verified" amber.
_VERDICT_TONE = {"verified": Tone.OK, "failed": Tone.ERROR, "not verified": Tone.WARNING}


class IdTokenPanel(QWidget):
    """`prefix` names the widgets (the JWT workbench has its own, so a script looking for
    `idTokenChecks` finds the live panel's)."""

    verify_again_requested = Signal()
    keys_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, prefix: str = "idToken") -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Panel")
        self._decoded_shown: DecodedJwt | JwtDecodeError | None = None
        self._row_being_read: str | None = None  # see _remember_the_row_being_read
        self.freshness = FreshnessLine(f"{prefix}Freshness")
        self.header = read_only_text(f"{prefix}Header", "id_token header")
        self.claims = read_only_text(f"{prefix}Claims", "id_token claims")
        self.checks = RowTree()
        self.checks.setObjectName(f"{prefix}Checks")
        self.checks.setAccessibleName("id_token verification checks")
        self.checks.setColumnCount(3)
        self.checks.setHeaderLabels(["Check", "Result", "Why"])
        self.checks.setRootIsDecorated(False)
        self.checks.setAlternatingRowColors(True)
        self.checks.setWordWrap(True)
        header = self.checks.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.summary = ValueLabel(
            "id_token verdict", "No id_token yet (it comes with the openid scope)."
        )
        self.summary.setObjectName(f"{prefix}Summary")
        # Plain text: the verdict may quote a server's or a pasted URL's words, never markup.
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        set_tone(self.summary, Tone.MUTED)
        self.keys_button = QPushButton("Keys…")
        self.keys_button.setObjectName(f"{prefix}KeysButton")
        self.keys_button.setToolTip("Verify with a pasted JWKS or PEM key instead of fetching")
        self.keys_button.clicked.connect(self.keys_requested)
        self.verify_button = QPushButton("Verify again")
        self.verify_button.setObjectName(f"{prefix}VerifyButton")
        self.verify_button.setEnabled(False)
        self.verify_button.clicked.connect(self.verify_again_requested)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.keys_button)
        top.addWidget(self.verify_button)

        # Checks first: whether to trust the token is what a tester looks for at a glance.
        # Claims and header share the space below as tabs, so the claims get all of it.
        self.decoded_tabs = QTabWidget()
        self.decoded_tabs.setObjectName(f"{prefix}DecodedTabs")
        self.decoded_tabs.addTab(self.claims, "Claims")
        self.decoded_tabs.addTab(self.header, "Header")
        split = PaneSplitter(Qt.Orientation.Vertical)
        split.setObjectName(f"{prefix}Splitter")
        # The checks' own header ("Check · Result · Why") names them: no title above it, so a
        # laptop's short dock keeps that line for the rows.
        split.addWidget(self.checks)
        split.addWidget(self.decoded_tabs)
        split.setChildrenCollapsible(False)
        line = self.fontMetrics().lineSpacing()
        split.setSizes([line * 18, line * 14])
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        for view in (self.checks, self.claims, self.header):
            view.setMinimumHeight(line * 2)  # they scroll inside; the panel gives way last
        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def show_id_token(self, view: IdTokenView | None) -> None:
        """The id_token the session has on display: decoded at once, verdict when keys came."""
        self.freshness.show_freshness(view.freshness if view is not None else None)
        mark_stale(self, view.freshness if view is not None else None)
        self.summary.setToolTip("")
        if view is None:
            self.summary.setMinimumHeight(0)
            self._show_decoded(None)
            self.checks.clear()
            # Before any exchange too: so nothing that assumes a response.
            self.summary.setText(
                "No id_token to show: one comes in a token response when the openid scope "
                "is granted."
            )
            set_tone(self.summary, Tone.MUTED)
            self.verify_button.setEnabled(False)
            return
        self.verify_button.setEnabled(True)
        # "Do not trust this id_token" stays red, older or suspect: it never reads as calmer.
        failed = view.verification is not None and view.verification.verdict is Verdict.FAILED
        if view.verification is None:
            self._show_decoded(view.decoded)
            self._remember_the_row_being_read()
            self.checks.clear()
            # The verdict comes a moment later, in as many lines as the last one: the claims
            # and checks below keep their place instead of jumping up and back on every Send.
            self.summary.setMinimumHeight(self.summary.height())
            self.summary.setText(f"Verifying… {view.keys_note}".strip())
            set_tone(self.summary, Tone.MUTED)
        else:
            self.show_verification(view.verification, view.keys_note)
            if view.freshness.stale and not failed:
                set_tone(self.summary, Tone.MUTED)  # a verdict on an older token: not in green
        doubt = view.status
        if doubt is not None and doubt.state in (TokenState.SUSPECT, TokenState.REVOKED):
            # The checks judge the token as it was issued; what it is worth now is its chain's
            # (a replayed code's tokens are suspect, a refused refresh's revoked): the state's
            # word first, in its colour, and why in the tooltip — a few words, so a laptop's
            # short panel keeps its lines for the checks — then the verdict on the token itself,
            # which "Revoked. Verified: …" read as contradicting. (A token from another target: the
            # freshness line above says so.)
            state, verdict = doubt.state.value.capitalize(), self.summary.text()
            # A drill's: the emulator still holds it valid, said where "Revoked" is (tryout AQ).
            staged = f", staged by the {doubt.staged_by} drill" if doubt.staged_by else ""
            if view.verification is None:  # "Verifying…": no verdict to set it against yet
                self.summary.setText(f"{state}{staged}. {verdict}")
            else:
                self.summary.setText(f"{state} now{staged}. Its own checks: {verdict}")
            self.summary.setToolTip(doubt.why)
            set_tone(self.summary, Tone.ERROR if failed else STATE_TONES[doubt.state])
        trust = view.trust()
        if (
            view.verification is not None
            and trust is not None
            and trust.state is TokenState.EXPIRED
        ):
            # Genuine, and past its time: told apart from a forgery at a glance (tryout AD).
            verdict = self.summary.text()
            self.summary.setText(f"Expired; it verified when it arrived. Its checks now: {verdict}")
            self.summary.setToolTip(trust.why)

    def _remember_the_row_being_read(self) -> None:
        """The check the keyboard is on, kept through "Verifying…" (which empties the table)
        until the new rows are there."""
        current = self.checks.currentItem()
        if self.checks.hasFocus() and current is not None:
            self._row_being_read = current.text(0)

    def _show_decoded(self, decoded: DecodedJwt | JwtDecodeError | None) -> None:
        if decoded is not None and decoded == self._decoded_shown:
            return  # the same token again (its verdict arrived): the text is already there
        self._decoded_shown = decoded
        if isinstance(decoded, DecodedJwt):
            # Hidden characters (a bidi override in `sub`, a zero-width space in `kid`) as
            # escapes: drawn raw, they make a value read as another.
            self.header.setPlainText(visible_json(decoded.header))
            self.claims.setPlainText(claims_text(decoded.claims))
        elif isinstance(decoded, JwtDecodeError):
            message = escape_hidden(decoded.message)
            self.header.setPlainText(f"Cannot decode this id_token:\n{message}")
            self.claims.setPlainText("")
        else:
            self.header.setPlainText("")
            self.claims.setPlainText("")

    def show_verification(self, verification: Verification, keys_note: str = "") -> None:
        self.summary.setMinimumHeight(0)
        self._show_decoded(verification.decoded)
        # The row being read (by the keyboard, after an auto-refresh checked a new token)
        # stays the current one: Down went on from the top after every refresh (tryout AB).
        self._remember_the_row_being_read()
        was_reading, self._row_being_read = self._row_being_read, None
        self.checks.clear()
        palette_colours = colours()
        first_problem: QTreeWidgetItem | None = None
        kept: QTreeWidgetItem | None = None
        unproven = verification.unproven
        for check in verification.checks:
            status = check.status.value
            mark, word, tone = _MARK[status], status, _TONE[status]
            if (
                check.name == SECOND_OPINION_ROW
                and check.status is CheckStatus.PASS
                and verification.verdict is not Verdict.VERIFIED
            ):
                # PyJWT agrees the token is not to be trusted: a green tick there would read
                # as a pass for the token.
                mark, word, tone = "=", "agrees", Tone.MUTED
            elif check.name in unproven:
                # A claim compared on a token nobody's signature vouches for: not a pass.
                mark, word, tone = "?", "unverified", Tone.MUTED
            item = QTreeWidgetItem([check.name, status, check.detail])
            item.setForeground(1, palette_colours.for_tone(tone))
            item.setText(1, f"{mark} {word}")
            item.setData(1, Qt.ItemDataRole.UserRole, status)
            # Read as the word: the mark is for the eye.
            item.setData(1, Qt.ItemDataRole.AccessibleTextRole, word)
            item.setToolTip(2, plain_tip(check.detail))  # it quotes the token's claims
            if check.name in unproven:
                item.setToolTip(1, _UNPROVEN_TIP)
            self.checks.addTopLevelItem(item)
            if first_problem is None and check.status in (CheckStatus.FAIL, CheckStatus.WARN):
                first_problem = item
            if check.name == was_reading:
                kept = item
        # The rows keep the order the checks run in; the first failure (or warning) is brought
        # into view, so a short panel never hides why the verdict is what it is — unless a
        # row is being read.
        if kept is not None and self.checks.hasFocus():
            self.checks.setCurrentItem(kept)
            self.checks.scrollToItem(kept)
        elif first_problem is not None:
            self.checks.scrollToItem(first_problem, QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            self.checks.scrollToTop()
        # The verdict's own sentence: "NOT VERIFIED" when nothing checked the signature, never
        # "passed"; warnings and a differing second opinion on lines of their own.
        text = verification.summary()
        tone = _VERDICT_TONE[verification.verdict.value]
        if tone is Tone.OK and (verification.warnings or verification.second_opinion_differs):
            tone = Tone.WARNING
        # When it was checked: Verify again shows a new time even when the verdict is the same.
        checked = verification.checked_at
        when = f"Checked at {clock_time(checked)}." if checked is not None else ""
        details = " ".join(part for part in (when, keys_note) if part)
        self.summary.setText(text + (f"\n{details}" if details else ""))
        set_tone(self.summary, tone)
        self.verify_button.setEnabled(True)

    def check_status(self, name: str) -> str | None:
        """The status of one check row ('pass', 'fail', 'skipped'), for scripts and tests."""
        for index in range(self.checks.topLevelItemCount()):
            item = self.checks.topLevelItem(index)
            if item is not None and item.text(0) == name:
                return str(item.data(1, Qt.ItemDataRole.UserRole))
        return None
