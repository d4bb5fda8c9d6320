"""The main window: puts the panels together and wires the form to the controller.

Layout: the target and the request form in the centre; the response, the expiry countdown, the
id_token, the errors, the raw exchange and the history in docks the user can resize and move
(remembered between launches). The window never awaits: it starts operations through the
`RequestController` and renders what its signals deliver.

Start-up comes in two steps. The constructor builds what the first frame shows — every panel,
dock, menu and the remembered layout — and nothing that needs the disk or the core's models
(nor PySide6's `Qt` namespace: see first_frame.py). Right after the first paint,
`finish_setup()` reads the profiles, fills in the target, loads the icon, builds the history's
panel (its tab starts behind the raw exchange's) and wires the profile actions and the history;
then the emulator starts. The first frame has its final layout and lacks only the target's
values (bench/README.md: ~25 ms).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester import APP_NAME, __version__, vendor
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.ui import default_layout, theme
from idconnect_tester.ui.auto_refresh import AutoRefresh
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.countdown_panel import CountdownPanel
from idconnect_tester.ui.emulator_host import EmulatorHost
from idconnect_tester.ui.error_panel import ErrorPanel, ShownError
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.menus import build_menus
from idconnect_tester.ui.raw_panel import RawPanel
from idconnect_tester.ui.refresh_tracking import RefreshTokenTracker
from idconnect_tester.ui.request_form import RequestForm
from idconnect_tester.ui.response_panel import ResponsePanel
from idconnect_tester.ui.status_bar import StatusBar
from idconnect_tester.ui.target_panel import TargetPanel
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.verify import KeySource
from idconnect_tester.ui.window_settings import WindowSettings

if TYPE_CHECKING:  # kept off the start-up path: see bench/README.md
    import asyncio

    from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
    from idconnect_tester.core.exchange import Exchange, Hint, TokenGranted
    from idconnect_tester.core.history import HistoryStore
    from idconnect_tester.core.id_token_checks import Verification
    from idconnect_tester.core.profiles import ProfileStore
    from idconnect_tester.core.secret_store import SecretStore
    from idconnect_tester.ui.authorize_dialog import AuthorizeDialog
    from idconnect_tester.ui.history_binding import HistoryBinding
    from idconnect_tester.ui.history_panel import HistoryPanel
    from idconnect_tester.ui.profile_actions import ProfileActions
    from idconnect_tester.ui.session import TargetSession

# Send stays off until finish_setup() has read the target (one frame after the first paint).
_NOT_READY = "reading the target…"


class MainWindow(QMainWindow):
    """`MainWindow()` with no arguments opens on the built-in emulator."""

    setup_finished = Signal()  # finish_setup() has run: `ready` is True

    def __init__(
        self,
        *,
        profile_store: ProfileStore | None = None,
        secret_store: SecretStore | None = None,
        history_store: HistoryStore | None = None,
        emulator_ttl_s: int | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.settings = WindowSettings()
        self.emulator = EmulatorHost(ttl_s=emulator_ttl_s)
        self.controller = RequestController(self)
        self._stores = (profile_store, secret_store, history_store)  # used by finish_setup()
        self.ready = False  # True once finish_setup() has run
        self._session: TargetSession | None = None
        self._profile_actions: ProfileActions | None = None
        self._history: HistoryBinding | None = None
        self._history_panel: HistoryPanel | None = None
        self.auto_refresh = AutoRefresh(self)
        self.refresh_tracker = RefreshTokenTracker()
        self.key_source = KeySource()

        self.target_panel = TargetPanel()
        self.form = RequestForm()
        self.response_panel = ResponsePanel()
        self.countdown_panel = CountdownPanel()
        self.id_token_panel = IdTokenPanel()
        self.error_panel = ErrorPanel()
        self.raw_panel = RawPanel()
        self.status = StatusBar()
        self.setStatusBar(self.status)

        self.last_exchange: Exchange | None = None
        self._last_granted: TokenGranted | None = None
        self._sent_form: TokenRequest | None = None  # the form behind the exchange in flight
        self._sent_by_auto_refresh = False
        self._auto_refresh_waiting = False  # it came due while another request ran
        self._authorize: AuthorizeSession | None = None  # this run's last authorize step
        self.chain_nonce: str | None = None  # nonce of the authorization the tokens came from
        self.authorize_dialog: AuthorizeDialog | None = None
        self._shutdown_task: asyncio.Future[None] | None = None

        self._build_central()
        self.docks: dict[str, QDockWidget] = {}
        self._build_docks()
        self.actions_by_name = build_menus(self)
        self._connect()
        self.form.set_external_block(_NOT_READY)
        self._restore_layout()
        # Profiles, the emulator and the history come right after the first paint (paintEvent):
        # none of them needs to stand between the user and the window.
        self._painted_once = False
        self._closing = False

    def finish_setup(self) -> None:
        """The second step of start-up (see the module docstring); runs once, right after the
        first paint, or at once when something needs the target before the window is shown."""
        if self._session is not None:
            return
        from idconnect_tester.ui.history_binding import HistoryBinding
        from idconnect_tester.ui.history_panel import HistoryPanel
        from idconnect_tester.ui.icons import app_icon
        from idconnect_tester.ui.profile_actions import ProfileActions
        from idconnect_tester.ui.session import TargetSession

        # The icon loads Qt's SVG plugin (~2 ms): the title bar can take it a frame later.
        self.setWindowIcon(app_icon())
        app = QApplication.instance()
        if isinstance(app, QApplication) and app.windowIcon().isNull():
            app.setWindowIcon(self.windowIcon())  # dialogs and the task bar
        profile_store, secret_store, history_store = self._stores
        self._session = TargetSession(self.emulator, profile_store, secret_store)
        self._profile_actions = ProfileActions(self)
        # The history's tab starts behind the raw exchange's, and its rows load after the
        # first paint anyway: its panel comes with them.
        self._history_panel = HistoryPanel()
        self._fill_dock(self.docks["history"], self._history_panel, scroll=True)
        self._history = HistoryBinding(self, self._history_panel, history_store)
        self.form.changed.connect(self._update_send_block)
        self.target_panel.profile_selected.connect(self._select_profile)
        self.target_panel.edited.connect(self._target_edited)
        self.target_panel.action_requested.connect(self.profile_actions.run)
        self.reload_profiles()
        self.ready = True
        self.setup_finished.emit()

    # The parts finish_setup() makes: asking for one before then finishes the setup at once.

    @property
    def session(self) -> TargetSession:
        self.finish_setup()
        assert self._session is not None
        return self._session

    @property
    def profile_actions(self) -> ProfileActions:
        self.finish_setup()
        assert self._profile_actions is not None
        return self._profile_actions

    @property
    def history(self) -> HistoryBinding:
        self.finish_setup()
        assert self._history is not None
        return self._history

    @property
    def history_panel(self) -> HistoryPanel:
        self.finish_setup()
        assert self._history_panel is not None
        return self._history_panel

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

    def _dock(
        self, name: str, title: str, widget: QWidget | None, *, scroll: bool = True
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{name}Dock")  # saveState() keys docks by objectName
        if widget is not None:
            self._fill_dock(dock, widget, scroll=scroll)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.docks[name] = dock
        return dock

    def _fill_dock(self, dock: QDockWidget, widget: QWidget, *, scroll: bool) -> None:
        if scroll:
            # A scroll area lets the window shrink below a form-like panel's natural height
            # (small screens, 200% scaling) without squashing or hiding fields. Panels made
            # of text views scroll by themselves and get the dock's size directly.
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.Shape.NoFrame)
            area.setWidget(widget)
            widget = area
        dock.setWidget(widget)

    def _build_docks(self) -> None:
        # Where they go is the layout's job: remembered, or the default (default_layout.py).
        self.setDockNestingEnabled(True)
        self._dock("response", "Response", self.response_panel)
        self._dock("countdown", "Expiry", self.countdown_panel)
        self._dock("idToken", "ID token", self.id_token_panel, scroll=False)
        self._dock("error", "Error", self.error_panel)
        self._dock("raw", "Raw exchange", self.raw_panel, scroll=False)
        self._dock("history", "History", None)  # filled in by finish_setup()

    def _connect(self) -> None:
        self.form.send_requested.connect(self.send)
        self.form.cancel_requested.connect(self.controller.cancel)
        self.form.get_code_requested.connect(self.get_code)
        self.controller.busy_changed.connect(self._busy_changed)
        self.controller.started.connect(self.status.show_busy)
        self.controller.exchange_finished.connect(self.show_exchange)
        self.controller.verification_finished.connect(self.show_verification)
        self.controller.code_finished.connect(self.code_received)
        self.controller.cancelled.connect(self._cancelled)
        self.controller.failed.connect(self._failed)
        self.response_panel.share_token_requested.connect(self.request_share_token)
        self.id_token_panel.verify_again_requested.connect(self.verify_current_id_token)
        self.id_token_panel.keys_requested.connect(self.open_keys_dialog)
        self.countdown_panel.expired.connect(self._countdown_expired)
        self.countdown_panel.auto_refresh.toggled.connect(self.auto_refresh.set_enabled)
        self.countdown_panel.auto_refresh_lead.valueChanged.connect(self.auto_refresh.set_lead)
        self.auto_refresh.state_changed.connect(self.countdown_panel.show_auto_refresh_state)
        self.auto_refresh.due.connect(self._auto_refresh_due)
        style_hints = QApplication.styleHints()
        style_hints.colorSchemeChanged.connect(lambda _scheme: self.set_scheme(None))

    # --- profiles and target ---

    def reload_profiles(self) -> None:
        self.session.reload()
        self.target_panel.set_profiles(self.session.profiles(), self.session.current.id)
        self._show_current_profile()

    def _show_current_profile(self) -> None:
        profile = self.session.current
        self.target_panel.show_profile(profile, self.session.secret_for_display())
        self.status.target.setText(self.session.describe_target())
        self._update_send_block()
        self._show_notices()

    def _show_notices(self) -> None:
        if (notice := self.session.take_notice()) is not None:
            self.status.say(notice, Tone.WARNING)

    def start_emulator(self) -> None:
        """Start the built-in emulator (if it isn't yet) and show its URL."""
        if not self.emulator.started:
            self.emulator.ensure_started()
            self.reload_profiles()

    def _select_profile(self, profile_id: str) -> None:
        self.session.select(profile_id)
        if self.session.current.builtin:
            self.start_emulator()
        self.key_source.use_fetched()  # keys pasted for one issuer don't apply to another
        self._show_current_profile()

    def _target_edited(self) -> None:
        base_url, app_token, secret = self.target_panel.values()
        self.session.edit_target(base_url, app_token, secret)
        self._update_send_block()
        self._show_notices()

    def _update_send_block(self) -> None:
        problems = self.session.target_problems()
        # The emulator starting (for a few ms after the first paint) is not the user's mistake:
        # it keeps Send off but isn't shown in red under the field.
        starting = self.session.current.builtin and not self.emulator.started
        self.target_panel.show_problems({} if starting else problems, self.session.warnings())
        self.form.set_external_block(next(iter(problems.values()), ""))

    # --- sending ---

    def send(self) -> None:
        if self.controller.busy:
            self.status.say("A request is running: Send is off until it ends or is cancelled")
            return
        self._send_token(self.form.token_request(), auto=False)

    def _send_token(self, request: TokenRequest, *, auto: bool) -> None:
        self._sent_form = request
        self._sent_by_auto_refresh = auto
        self.controller.send_token(self.session.target(), request)

    def _auto_refresh_due(self) -> None:
        if self.controller.busy:
            # Try again as soon as the running operation ends (once, however often it was due).
            self._auto_refresh_waiting = True
            return
        refresh_token = self.form.refresh_token.text().strip()
        if not refresh_token:
            self.auto_refresh.stop("there is no refresh token to refresh with")
            return
        request = TokenRequest.from_form(
            vendor.GRANT_REFRESH_TOKEN,
            code_verifier=self.form.code_verifier.text(),
            refresh_token=refresh_token,
            scopes=self.form.selected_scopes(),
        )
        self.status.say("Auto-refresh: refreshing the access token…")
        self._send_token(request, auto=True)

    def request_share_token(self) -> None:
        from PySide6.QtWidgets import QDialog

        from idconnect_tester.ui.tool_dialogs import ShareTokenDialog

        access_token = self.response_panel.access_token()
        if not access_token:
            self.status.say("Get an access token first (with the share scope)", Tone.WARNING)
            return
        dialog = ShareTokenDialog(self.settings.get("share_for_client_id", ""), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        for_client_id = dialog.for_client_id.text().strip()
        self.settings.set("share_for_client_id", for_client_id)
        self.send_share_token(for_client_id, dialog.ttl.value())

    def send_share_token(self, for_client_id: str, ttl_s: int) -> None:
        request = ShareTokenRequest(self.response_panel.access_token(), for_client_id, ttl_s)
        self._sent_form = None
        self._sent_by_auto_refresh = False
        self.controller.send_share_token(self.session.target(), request)

    # --- get code ---

    def get_code(self) -> None:
        from idconnect_tester.ui.get_code import start_get_code

        start_get_code(self)

    def paste_redirect(self) -> None:
        """Paste a redirect URL (or code) by hand; checked against this run's authorize step."""
        from PySide6.QtWidgets import QInputDialog

        from idconnect_tester.core.authorize import parse_redirect

        text, ok = QInputDialog.getText(
            self, "Paste redirect URL", "Redirect URL (…?code=…&state=…) or the code:"
        )
        if not ok or not text.strip():
            return
        result = parse_redirect(text, self._authorize)
        if self._authorize is None:
            self.status.say("No Get code in this run: the state could not be checked", Tone.WARNING)
            if result.code:
                self.form.code.setText(result.code)
            return
        self.code_received(self._authorize, result)

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
            self.form.set_grant(vendor.GRANT_AUTHORIZATION_CODE)
            self.form.code.setText(result.code)
            self.form.code_verifier.setText(session.pkce.code_verifier)
            notes = f" ({'; '.join(result.notes)})" if result.notes else ""
            self.status.say(f"{result.summary()}; press Send to exchange it{notes}", Tone.OK)
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
        self.status.say(f"{title}: {description}", Tone.ERROR)

    # --- results ---

    def _busy_changed(self, busy: bool) -> None:
        self.form.set_busy(busy)
        if not busy:
            self.status.show_idle()
            self.close_authorize_dialog()
            if self._auto_refresh_waiting:
                self._auto_refresh_waiting = False
                QTimer.singleShot(0, self._auto_refresh_due)

    def _cancelled(self, label: str) -> None:
        self.status.say(f"Cancelled: {label.rstrip('…')}", Tone.WARNING)

    def _failed(self, message: str) -> None:
        self.error_panel.show_error(ShownError(status="Failed", description=message))
        self.status.say(message, Tone.ERROR)

    def show_exchange(self, exchange: Exchange) -> None:
        """Render one exchange in every panel it concerns, and record it in the history."""
        from idconnect_tester.core.exchange import ShareTokenGranted, TokenGranted

        self.last_exchange = exchange
        self.raw_panel.show_exchange(exchange)
        self.error_panel.show_exchange(exchange)
        outcome = exchange.outcome
        if isinstance(outcome, TokenGranted):
            self._token_granted(exchange, outcome)
        elif isinstance(outcome, ShareTokenGranted):
            self.response_panel.show_share_token(outcome.token, outcome.for_client_id)
            lifetime = outcome.expires_at - exchange.received_at
            self.countdown_panel.start("share", outcome.expires_at, lifetime, "Share token")
        else:
            self.docks["error"].raise_()
            if self._sent_by_auto_refresh:
                self.auto_refresh.stop(f"the refresh failed ({exchange.summary()})")
        # Saved once the panels have painted: a big exchange's masking and SQLite write don't
        # add to the same frozen moment (bench: longest stall).
        self.history.record_soon(exchange, self._sent_form)
        prefix = "Auto-refresh: " if self._sent_by_auto_refresh else ""
        self.status.say(prefix + exchange.summary(), Tone.OK if exchange.succeeded else Tone.ERROR)

    def show_historic_exchange(self, exchange: Exchange, when: datetime, full: bool) -> None:
        """A history entry, read-only: raw, error and response panels, no side effects."""
        from idconnect_tester.core.exchange import TokenGranted

        self.raw_panel.show_exchange(exchange)
        self.error_panel.show_exchange(exchange)
        if isinstance(exchange.outcome, TokenGranted):
            self.response_panel.show_exchange(exchange)
        masking = "full tokens" if full else "tokens masked"
        self.status.say(
            f"Showing history from {when.astimezone():%Y-%m-%d %H:%M:%S} ({masking}, read-only)"
        )

    def _token_granted(self, exchange: Exchange, outcome: TokenGranted) -> None:
        self._last_granted = outcome
        self.response_panel.show_exchange(exchange)
        self.countdown_panel.start(
            "access",
            outcome.expires_at,
            timedelta(seconds=outcome.expires_in),
            f"{outcome.expires_in} s from {exchange.received_at.astimezone():%H:%M:%S}",
        )
        grant = self._sent_form.grant_type if self._sent_form else vendor.GRANT_REFRESH_TOKEN
        if outcome.refresh_token:
            self.form.refresh_token.setText(outcome.refresh_token)
        self.response_panel.show_refresh_info(
            self.refresh_tracker.granted(grant, outcome, exchange.received_at)
        )
        if grant == vendor.GRANT_AUTHORIZATION_CODE and self._authorize is not None:
            self.chain_nonce = self._authorize.nonce
        self.auto_refresh.token_granted(exchange.received_at, outcome.expires_at)
        if outcome.id_token:
            self.verify_current_id_token()
        else:
            self.id_token_panel.clear()
            self.countdown_panel.clear("id_token")

    def verify_current_id_token(self) -> None:
        from idconnect_tester.ui.verify import verify_in_background

        if self._last_granted is None or not self._last_granted.id_token:
            self.status.say("No id_token to verify", Tone.WARNING)
            return
        verify_in_background(self, self._last_granted.id_token)

    def show_verification(self, verification: Verification, note: str, id_token: str) -> None:
        from idconnect_tester.core.jwt_decode import DecodedJwt, numeric_date

        current = self._last_granted.id_token if self._last_granted is not None else None
        if id_token != current:
            return  # about a token no longer on display: showing it would mislead
        self.id_token_panel.show_verification(verification, note)
        decoded = verification.decoded
        exp = numeric_date(decoded.claims.get("exp")) if isinstance(decoded, DecodedJwt) else None
        if exp is None or not isinstance(decoded, DecodedJwt):
            self.countdown_panel.clear("id_token")
            return
        iat = numeric_date(decoded.claims.get("iat")) or exp
        self.countdown_panel.start("id_token", exp, exp - iat, "its own exp claim")

    def _countdown_expired(self, row: str) -> None:
        if row == "access":
            self.status.say("The access token has expired", Tone.WARNING)

    # --- tools ---

    def open_pkce_checker(self) -> None:
        from idconnect_tester.core.pkce import s256_challenge
        from idconnect_tester.ui.tool_dialogs import PkceCheckerDialog

        verifier = self.form.code_verifier.text().strip()
        challenge = (
            self._authorize.pkce.code_challenge
            if self._authorize is not None
            else (s256_challenge(verifier) if verifier.isascii() and verifier else "")
        )
        PkceCheckerDialog(verifier, challenge, self).exec()

    def open_keys_dialog(self) -> None:
        from PySide6.QtWidgets import QDialog

        from idconnect_tester.core.jwks import KeyFetchError, keys_from_text
        from idconnect_tester.ui.tool_dialogs import KeysDialog

        dialog = KeysDialog(self.key_source.pasted_text, self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            if dialog.use_issuer:
                self.key_source.use_fetched()
                break
            try:
                keys = keys_from_text(dialog.text.toPlainText(), "pasted keys")
            except KeyFetchError as exc:
                dialog.problem.setText(str(exc))
                continue
            self.key_source.use_pasted(
                keys, f"{len(keys)} pasted key(s)", dialog.text.toPlainText()
            )
            break
        else:
            return
        if self._last_granted is not None and self._last_granted.id_token:
            self.verify_current_id_token()

    # --- view ---

    def set_scheme(self, scheme: str | None) -> None:
        if scheme is not None:
            self.settings.set("scheme", scheme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_style(app, self.settings.get("scheme", "system"))

    def reset_layout(self) -> None:
        default_layout.restore(self, self.docks)
        default_layout.size_docks(self, self.docks)  # shares of the size the window has now

    def _restore_layout(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.state()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(default_layout.WINDOW_SIZE)
        self._needs_default_sizes = state is None or not self.restoreState(state)
        if self._needs_default_sizes:
            # Sized for the default window size; showEvent re-sizes them if the window isn't.
            default_layout.restore(self, self.docks)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt names it
        super().paintEvent(event)
        if not self._painted_once:
            self._painted_once = True
            # A zero timer fires once this paint cycle (children included) has finished.
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self._closing:
            return  # closed between its first paint and now: start nothing
        self.finish_setup()
        if self.session.current.builtin:
            self.start_emulator()
        self.history.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # Qt names it
        super().showEvent(event)
        if self._needs_default_sizes:
            # Now, not in a later turn: the first frame then has the sizes it keeps (set after
            # it, they made the docks jump). A window manager resizing the window later scales
            # them proportionally.
            self._needs_default_sizes = False
            if self.size() != default_layout.WINDOW_SIZE:
                default_layout.size_docks(self, self.docks)

    def save_layout(self) -> None:
        self.settings.save_layout(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))

    # --- shutdown ---

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel what runs, remember the layout. Closing connections needs the loop, so it
        is scheduled; `shutdown()` awaits it when the app exits."""
        self._closing = True
        self.save_layout()
        self.controller.cancel()
        self.auto_refresh.set_enabled(False)
        QTimer.singleShot(0, self._schedule_shutdown)
        super().closeEvent(event)

    def _schedule_shutdown(self) -> None:
        import asyncio

        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return
        if loop.is_running():
            self._shutdown_once()

    def _shutdown_once(self) -> asyncio.Future[None]:
        import asyncio

        if self._shutdown_task is None:
            self._shutdown_task = asyncio.ensure_future(self._shutdown())
        return self._shutdown_task

    async def shutdown(self) -> None:
        """Cancel every task, close connections and history, stop the emulator (idempotent)."""
        await self._shutdown_once()

    async def _shutdown(self) -> None:
        await self.controller.shutdown()
        if self._session is not None:
            self._session.close()
        if self._history is not None:
            self._history.close()
        self.emulator.stop()


def _authorize_hint(result: AuthorizeResult) -> Hint:
    from idconnect_tester.core.exchange import Hint

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
