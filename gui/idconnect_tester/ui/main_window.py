"""The main window: puts the panels together and wires the form to the controller.

Layout: the target and the request form in the centre; the response, the expiry countdown, the
id_token, the errors, the raw exchange and the history in docks the user can resize and move
(remembered between launches). The window never awaits: it starts operations through the
`RequestController` and renders what its signals deliver.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester import APP_NAME, __version__
from idconnect_tester.core.exchange import (
    Endpoint,
    Exchange,
    Hint,
    ShareTokenGranted,
    TokenGranted,
)
from idconnect_tester.ui import theme
from idconnect_tester.ui.about import show_about
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.countdown_panel import CountdownPanel
from idconnect_tester.ui.emulator_host import EmulatorHost
from idconnect_tester.ui.error_panel import ErrorPanel, ShownError
from idconnect_tester.ui.icons import app_icon
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.raw_panel import RawPanel
from idconnect_tester.ui.request_form import RequestForm
from idconnect_tester.ui.response_panel import ResponsePanel
from idconnect_tester.ui.session import TargetSession
from idconnect_tester.ui.status_bar import StatusBar
from idconnect_tester.ui.target_panel import TargetPanel
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.verify import KeySource
from idconnect_tester.ui.window_settings import WindowSettings

if TYPE_CHECKING:
    from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
    from idconnect_tester.core.id_token_checks import Verification
    from idconnect_tester.core.profiles import ProfileStore
    from idconnect_tester.core.secret_store import SecretStore
    from idconnect_tester.ui.authorize_dialog import AuthorizeDialog


class MainWindow(QMainWindow):
    """`MainWindow()` with no arguments opens on the built-in emulator."""

    def __init__(
        self,
        *,
        profile_store: ProfileStore | None = None,
        secret_store: SecretStore | None = None,
        emulator_ttl_s: int | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.setWindowIcon(app_icon())
        self.settings = WindowSettings()
        self.emulator = EmulatorHost(ttl_s=emulator_ttl_s)
        self.controller = RequestController(self)
        self.session = TargetSession(self.emulator, profile_store, secret_store)

        self.target_panel = TargetPanel()
        self.form = RequestForm()
        self.response_panel = ResponsePanel()
        self.countdown_panel = CountdownPanel()
        self.id_token_panel = IdTokenPanel()
        self.error_panel = ErrorPanel()
        self.raw_panel = RawPanel()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self._last_exchange: Exchange | None = None
        self._last_granted: TokenGranted | None = None
        self._authorize: AuthorizeSession | None = None  # this run's last authorize step
        self.chain_nonce: str | None = None  # nonce of the authorization the tokens came from
        self.key_source = KeySource()
        self.authorize_dialog: AuthorizeDialog | None = None

        self._build_central()
        self.docks: dict[str, QDockWidget] = {}
        self._build_docks()
        self._build_menus()
        self._connect()
        self._load_profiles()
        self._restore_layout()

    # --- construction ---

    def _build_central(self) -> None:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.addWidget(self.target_panel)
        layout.addWidget(self.form)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("requestScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(column)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setCentralWidget(scroll)

    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{name}Dock")  # saveState() keys docks by objectName
        # A scroll area lets the window shrink below the panels' natural height (small
        # screens, 200% scaling) without squashing or hiding fields.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(widget)
        dock.setWidget(scroll)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.docks[name] = dock
        return dock

    def _build_docks(self) -> None:
        self.setDockNestingEnabled(True)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        response = self._dock("response", "Response", self.response_panel)
        countdown = self._dock("countdown", "Expiry", self.countdown_panel)
        id_token = self._dock("idToken", "ID token", self.id_token_panel)
        errors = self._dock("error", "Error", self.error_panel)
        raw = self._dock("raw", "Raw exchange", self.raw_panel)
        self.addDockWidget(right, response)
        self.splitDockWidget(response, countdown, Qt.Orientation.Vertical)
        self.splitDockWidget(countdown, id_token, Qt.Orientation.Vertical)
        self.addDockWidget(bottom, errors)
        self.splitDockWidget(errors, raw, Qt.Orientation.Horizontal)
        self.resizeDocks([response, countdown, id_token], [220, 150, 330], Qt.Orientation.Vertical)
        self.resizeDocks([errors, raw], [420, 760], Qt.Orientation.Horizontal)
        self.resizeDocks([errors], [240], Qt.Orientation.Vertical)
        self._default_state = self.saveState()

    def _action(self, menu_text: str, shortcut: str | None = None) -> QAction:
        action = QAction(menu_text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        quit_action = self._action("&Quit", "Ctrl+Q")
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        request_menu = bar.addMenu("&Request")
        for text, button in (
            ("&Get code", self.form.get_code_button),
            ("&Send", self.form.send_button),
            ("&Cancel", self.form.cancel_button),
        ):
            action = self._action(text)
            action.triggered.connect(button.click)
            request_menu.addAction(action)

        view_menu = bar.addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        scheme_menu = view_menu.addMenu("Colour &scheme")
        group = QActionGroup(self)
        current = self.settings.get("scheme", "system")
        for scheme in theme.SCHEMES:
            action = QAction(scheme.capitalize(), self, checkable=True)
            action.setChecked(scheme == current)
            action.triggered.connect(lambda _=False, s=scheme: self._set_scheme(s))
            group.addAction(action)
            scheme_menu.addAction(action)
        reset = self._action("&Reset layout")
        reset.triggered.connect(self.reset_layout)
        view_menu.addAction(reset)

        help_menu = bar.addMenu("&Help")
        about = self._action(f"&About {APP_NAME}")
        about.triggered.connect(lambda: show_about(self))
        help_menu.addAction(about)

    def _connect(self) -> None:
        self.form.send_requested.connect(self.send)
        self.form.cancel_requested.connect(self.controller.cancel)
        self.form.get_code_requested.connect(self.get_code)
        self.form.changed.connect(self._update_send_block)
        self.target_panel.profile_selected.connect(self._select_profile)
        self.target_panel.edited.connect(self._target_edited)
        self.controller.busy_changed.connect(self._busy_changed)
        self.controller.started.connect(self.status.show_busy)
        self.controller.exchange_finished.connect(self.show_exchange)
        self.controller.verification_finished.connect(self.show_verification)
        self.controller.code_finished.connect(self.code_received)
        self.controller.cancelled.connect(self._cancelled)
        self.controller.failed.connect(self._failed)
        self.id_token_panel.verify_again_requested.connect(self._verify_current_id_token)
        self.countdown_panel.expired.connect(self._countdown_expired)
        style_hints = QApplication.styleHints()
        style_hints.colorSchemeChanged.connect(lambda _: self._set_scheme(None))

    # --- profiles and target ---

    def _load_profiles(self) -> None:
        self.target_panel.set_profiles(self.session.profiles(), self.session.current.id)
        self._show_current_profile()
        if (notice := self.session.take_notice()) is not None:
            self.status.say(notice, Tone.WARNING)

    def _show_current_profile(self) -> None:
        profile = self.session.current
        self.target_panel.show_profile(profile, self.session.secret_for_display())
        self.status.target.setText(self.session.describe_target())
        self._update_send_block()

    def _select_profile(self, profile_id: str) -> None:
        self.session.select(profile_id)
        self._show_current_profile()

    def _target_edited(self) -> None:
        base_url, app_token, secret = self.target_panel.values()
        self.session.edit_target(base_url, app_token, secret)
        self._update_send_block()

    def _update_send_block(self) -> None:
        problems = self.session.target_problems()
        self.target_panel.show_problems(problems, self.session.warnings())
        first = next(iter(problems.values()), "")
        self.form.set_external_block(first)

    # --- operations ---

    def send(self) -> None:
        if self.controller.busy:
            self.status.say(
                "A request is already running: Send is off until it ends or is cancelled"
            )
            return
        request = self.form.token_request()
        target = self.session.target()
        self.controller.send_token(target, request)

    def get_code(self) -> None:
        from idconnect_tester.ui.get_code import start_get_code

        start_get_code(self)

    def show_authorize_dialog(self, dialog: AuthorizeDialog) -> None:
        self.close_authorize_dialog()
        self.authorize_dialog = dialog
        dialog.show()

    def close_authorize_dialog(self) -> None:
        if self.authorize_dialog is not None:
            dialog, self.authorize_dialog = self.authorize_dialog, None
            dialog.blockSignals(True)  # closing it is not the user cancelling
            dialog.close()
            dialog.deleteLater()

    def code_received(self, session: AuthorizeSession, result: AuthorizeResult) -> None:
        """The authorize step ended: fill in code and verifier, or show what went wrong."""
        self.close_authorize_dialog()
        self._authorize = session
        if result.code:
            self.form.set_grant("authorization_code")
            self.form.code.setText(result.code)
            self.form.code_verifier.setText(session.pkce.code_verifier)
            notes = f" ({'; '.join(result.notes)})" if result.notes else ""
            self.status.say(f"Code received; press Send to exchange it{notes}", Tone.OK)
            self.form.send_button.setFocus()
            return
        description = result.error_description or result.problem or "No code came back"
        title = f"Authorize error: {result.error}" if result.error else "Authorize step failed"
        self.error_panel.show_error(
            ShownError(
                status=title,
                description=description,
                endpoint=session.authorization_endpoint,
                hint=_authorize_hint(result),
            )
        )
        self.docks["error"].raise_()
        self.status.say(title + ": " + description, Tone.ERROR)

    def _busy_changed(self, busy: bool) -> None:
        self.form.set_busy(busy)
        if not busy:
            self.status.show_idle()
            self.close_authorize_dialog()

    def _cancelled(self, label: str) -> None:
        self.status.say(f"Cancelled: {label.rstrip('…')}", Tone.WARNING)

    def _failed(self, message: str) -> None:
        self.error_panel.show_error(ShownError(status="Failed", description=message))
        self.status.say(message, Tone.ERROR)

    def show_exchange(self, exchange: Exchange) -> None:
        """Render one exchange in every panel it concerns."""
        self._last_exchange = exchange
        self.raw_panel.show_exchange(exchange)
        self.error_panel.show_exchange(exchange)
        outcome = exchange.outcome
        if isinstance(outcome, TokenGranted):
            self._token_granted(exchange, outcome)
        elif isinstance(outcome, ShareTokenGranted):
            lifetime = outcome.expires_at - exchange.received_at
            self.countdown_panel.start("share", outcome.expires_at, lifetime, "Share token")
        elif exchange.endpoint is Endpoint.TOKEN or exchange.endpoint is Endpoint.SHARE_TOKEN:
            self.docks["error"].raise_()
        tone = Tone.OK if exchange.succeeded else Tone.ERROR
        self.status.say(exchange.summary(), tone)

    def _token_granted(self, exchange: Exchange, outcome: TokenGranted) -> None:
        self._last_granted = outcome
        self.response_panel.show_exchange(exchange)
        self.countdown_panel.start(
            "access",
            outcome.expires_at,
            timedelta(seconds=outcome.expires_in),
            f"expires_in {outcome.expires_in} s from {exchange.received_at.astimezone():%H:%M:%S}",
        )
        if outcome.refresh_token:
            self.form.refresh_token.setText(outcome.refresh_token)
        request_code = self.form.code.text().strip()
        if self._authorize is not None and request_code and exchange.endpoint is Endpoint.TOKEN:
            self.chain_nonce = self._authorize.nonce
        if outcome.id_token:
            self._verify_current_id_token()
        else:
            self.id_token_panel.clear()
            self.countdown_panel.clear("id_token")

    def _verify_current_id_token(self) -> None:
        from idconnect_tester.ui.verify import verify_in_background

        if self._last_granted is None or not self._last_granted.id_token:
            return
        verify_in_background(self, self._last_granted.id_token)

    def show_verification(self, verification: Verification, note: str) -> None:
        from idconnect_tester.core.jwt_decode import DecodedJwt, numeric_date

        self.id_token_panel.show_verification(verification, note)
        decoded = verification.decoded
        exp = numeric_date(decoded.claims.get("exp")) if isinstance(decoded, DecodedJwt) else None
        if exp is None or not isinstance(decoded, DecodedJwt):
            self.countdown_panel.clear("id_token")
            return
        iat = numeric_date(decoded.claims.get("iat")) or exp
        self.countdown_panel.start("id_token", exp, exp - iat, "The id_token's own exp claim")

    def _countdown_expired(self, row: str) -> None:
        if row == "access":
            self.status.say("The access token has expired", Tone.WARNING)

    # --- view ---

    def _set_scheme(self, scheme: str | None) -> None:
        if scheme is not None:
            self.settings.set("scheme", scheme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_style(app, self.settings.get("scheme", "system"))
        if self._last_exchange is not None:
            self.show_exchange(self._last_exchange)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.setVisible(True)

    def _restore_layout(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.state()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1360, 860)
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        self.settings.save_layout(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))

    # --- shutdown ---

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel what runs, remember the layout, stop the emulator. Closing connections needs
        the loop, so it is scheduled; `shutdown()` awaits it when the app exits."""
        self.save_layout()
        self.controller.cancel()
        QTimer.singleShot(0, self._schedule_shutdown)
        super().closeEvent(event)

    def _schedule_shutdown(self) -> None:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return
        if loop.is_running():
            self._shutdown_task = loop.create_task(self.shutdown())

    async def shutdown(self) -> None:
        await self.controller.shutdown()
        self.session.close()
        self.emulator.stop()


def _authorize_hint(result: AuthorizeResult) -> Hint:
    if result.error == "access_denied":
        return Hint("Consent was refused", "Press Get code again and approve the request.")
    if result.error:
        return Hint(
            "The authorize request was refused",
            "Check the client id, the redirect URI registered with Sumsub, and the scopes.",
        )
    return Hint(
        "No usable redirect",
        "Press Get code again; if the redirect URI is not loopback, paste the whole redirect URL.",
    )
