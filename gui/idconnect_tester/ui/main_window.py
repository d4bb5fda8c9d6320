"""The main window: puts the panels together and forwards what the user does.

The window holds no workflow state of its own. What happened — an exchange, an authorize step,
keys for an id_token — goes to the `Session` (core), and every result panel renders the views
the session hands back, each saying how current it is. The `RequestController` runs the network
steps; small helpers own the rest (`TargetBinding`: profiles and keyring; `GetCode`: the
authorize step; `HistoryBinding`: the history; `AutoRefresh`: when to refresh).

Start-up has two steps. The constructor builds the window and everything in it. `start()` — run
by the first show, before its first paint, or by whoever wants it earlier — fills in the target
(the keyring is read off the GUI thread) and reserves the built-in emulator's port. What the
first frame doesn't need follows it: the emulator's server (`paintEvent`) and the history list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QElapsedTimer,
    QEvent,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QMoveEvent,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDialog,
    QDockWidget,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester import APP_NAME, __version__, vendor
from idconnect_tester.core.authorize import AuthorizeResult
from idconnect_tester.core.emulator_drills import StagedBy, drill_note, made_by
from idconnect_tester.core.exchange import Exchange, NetworkError
from idconnect_tester.core.hints import retry_after_ends
from idconnect_tester.core.history import HistoryStore
from idconnect_tester.core.id_token_checks import Verdict
from idconnect_tester.core.jwks import KeyFetchError, keys_from_text
from idconnect_tester.core.pkce import s256_challenge
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.session import Session
from idconnect_tester.core.session_events import (
    AuthorizeRecorded,
    ErrorChanged,
    ErrorView,
    ExchangeChanged,
    FormFill,
    Freshness,
    IdTokenChanged,
    IdTokenChecked,
    IdTokenView,
    Notice,
    Origin,
    SessionEvent,
    ShareTokenChanged,
    TokensChanged,
    TokenState,
    VerificationRequested,
)
from idconnect_tester.core.target_selection import EMULATOR_STARTING, TargetSelection
from idconnect_tester.core.token_chain import SpentHow
from idconnect_tester.core.wording import clock_time, sentence_case
from idconnect_tester.ui import exports, theme, window_layout
from idconnect_tester.ui.about import show_about
from idconnect_tester.ui.auto_refresh import MADE_BY_AUTO_REFRESH, AutoRefresh
from idconnect_tester.ui.check_panel import CheckPanel
from idconnect_tester.ui.check_runner import CheckRunner
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.countdown_panel import CountdownPanel
from idconnect_tester.ui.drills_dialog import Drills
from idconnect_tester.ui.emulator_host import EmulatorHost
from idconnect_tester.ui.error_panel import ErrorPanel
from idconnect_tester.ui.get_code import GetCode
from idconnect_tester.ui.history_binding import HistoryBinding
from idconnect_tester.ui.history_panel import HistoryPanel
from idconnect_tester.ui.icons import app_icon
from idconnect_tester.ui.id_token_panel import IdTokenPanel
from idconnect_tester.ui.jwt_workbench import JwtWorkbench
from idconnect_tester.ui.menus import MenuCommands, build_menus
from idconnect_tester.ui.profile_actions import ProfileActions
from idconnect_tester.ui.raw_panel import RawPanel
from idconnect_tester.ui.request_form import RequestForm
from idconnect_tester.ui.request_notes import RequestNotes
from idconnect_tester.ui.response_panel import ResponsePanel
from idconnect_tester.ui.shortcuts_dialog import show_shortcuts
from idconnect_tester.ui.status_bar import StatusBar
from idconnect_tester.ui.target_binding import TargetBinding
from idconnect_tester.ui.target_panel import TargetPanel
from idconnect_tester.ui.theme import Tone
from idconnect_tester.ui.tool_dialogs import KeysDialog, PkceCheckerDialog, ShareTokenDialog
from idconnect_tester.ui.widgets import (
    FormColumn,
    LayoutWatch,
    MomentTimer,
    ask,
    first_control,
    guard_wheel,
    hide_while_covered,
    less_room_above_and_below,
    no_row_cut_at_the_top,
    return_presses_buttons,
    scrolling_up_and_down,
    with_mnemonic,
)
from idconnect_tester.ui.window_settings import LayoutKind, WindowSettings
from idconnect_tester.ui.window_size import (
    KeepsItsNormalSize,
    bring_frame_inside,
    keep_frame_on_screen,
)

_NOT_READY = "reading the target…"
_SETTLING_MS = 2000
# What the server (or a replay) said against a refresh token: a command sending it is refused.
_REFUSED_STATES = frozenset({TokenState.REVOKED, TokenState.REFUSED, TokenState.SUSPECT})


def _automatic_prefix(exchange: Exchange) -> str:
    """Auto-refresh's outcome, with its time: every cycle says "200 OK", and the time tells
    this one from the last."""
    return f"Auto-refresh at {clock_time(exchange.received_at)}: "


class MainWindow(QMainWindow):
    """`MainWindow()` with no arguments opens on the built-in emulator."""

    setup_finished = Signal()  # start() has run: `ready` is True

    def __init__(
        self,
        *,
        profile_store: ProfileStore | None = None,
        secret_store: SecretStore | None = None,
        history_store: HistoryStore | None = None,
        emulator_ttl_s: int | None = None,
        settings: WindowSettings | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.ready = False
        self._closing = False
        self._painted = False  # the first frame is on screen
        self._cancel_reported = False  # a cancelled exchange was reported before `cancelled`
        self._status_shows: Origin | None = None  # the target whose outcome the status bar says
        self._check_said = ""  # the credential check's latest words in the status bar
        self._check_older_said = ""  # …or that the check is older now
        self._switch_said = ""  # what the status bar was told on the last switch of target
        self._status_target: Origin | None = None  # the target the status bar last spoke of
        # The latest "wait until" a server asked for (a 429's Retry-After), and whose.
        self._retry_after: tuple[Origin, datetime] | None = None
        # The target whose auto-refresh a switch stopped, until the status bar has said so.
        self._auto_refresh_stopped_for: Origin | None = None
        self._announce_verdict = False  # the next id_token verdict goes to the status bar too
        # The latest automatic refresh: the id_token's verdict, said later, says so again.
        self._automatic: Exchange | None = None
        self._placed = False  # the framed window was brought inside its screen (once)
        self._request_laid_out_for = ""  # the profile the request column was last laid out for
        # The request outgrew what the countdown under it can give while the person typed:
        # the docks move at their next step, not under their hands.
        self._room_owed_to_the_request = False
        self._untrusted_said: str | None = None  # the id_token whose expiry was said
        self._verdict_said: str | None = None  # the id_token whose failed checks were said
        self._arranging = False
        self._running: tuple[str, Origin] | None = None  # what runs, and for which target
        # The default layout's kind (see window_layout.layout_kind), None once the user moved
        # a dock: until then the default layout follows the window's size.
        self._default_layout: LayoutKind | None = None
        self._restored_default: LayoutKind | None = None  # the saved default's kind
        self._freshness_titled: dict[str, Freshness | None] = {}  # what each title says
        self._marks_fitted = True  # the long row of tabs had room for its ⚠ marks, last seen
        # Once the docks opened or closed at once are placed: the rows of tabs they make.
        self._retitling = QTimer(self)
        self._retitling.setSingleShot(True)
        self._retitling.setInterval(0)
        self._retitling.timeout.connect(self._retitle)
        self._settling = QElapsedTimer()  # since the first show: the window manager settles
        KeepsItsNormalSize(self)
        self._shutdown_task: asyncio.Future[None] | None = None
        self.settings = settings or WindowSettings()
        self.emulator = EmulatorHost(ttl_s=emulator_ttl_s)
        self.controller = RequestController(self)
        self.session = Session()
        self.targets = TargetSelection(
            profile_store or ProfileStore(),
            secret_store or SecretStore(),
            lambda: self.emulator.base_url if self.emulator.reserved else None,
        )

        self.target_panel = TargetPanel()
        self.form = RequestForm()
        self.response_panel = ResponsePanel()
        self.countdown_panel = CountdownPanel()
        self.id_token_panel = IdTokenPanel()
        self.error_panel = ErrorPanel()
        self.raw_panel = RawPanel()
        self.history_panel = HistoryPanel()
        self.check_panel = CheckPanel()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        request_column = self._build_central()
        self.docks = self._build_docks()
        self._request_width = window_layout.RequestColumnWidth(self, self.docks)
        # A request column that grows (a note, a message under a field) takes the room the
        # countdown below it has to spare rather than scroll Send away; a countdown that grows
        # (auto-refresh's state, a share token) takes what the request does not need; a Response
        # panel that grows (a refusal's note) takes room from the ID token panel below it.
        LayoutWatch(request_column).relaid_out.connect(self._fit_the_request)
        LayoutWatch(self.countdown_panel).relaid_out.connect(
            lambda: window_layout.give_the_countdown_room(self, self.docks)
        )
        LayoutWatch(self.response_panel).relaid_out.connect(
            lambda: window_layout.give_the_response_room(self, self.docks)
        )

        self.target_binding = TargetBinding(
            self.targets, self.target_panel, self.controller, self.status.say, self
        )
        self.target_binding.watch_the_profile_file(self)
        self.target_binding.profiles_changed_elsewhere.connect(self._follow_profile_names)
        self.auto_refresh = AutoRefresh(self.controller, self, whose=self._whose_tokens)
        self.request_notes = RequestNotes(self.form, self.session, self.targets)
        self.get_code_flow = GetCode(
            self.controller,
            self.targets,
            self.session,
            self,
            self.status.say,
            self.start_emulator,
            note_under_code=self.form.note_under_code,
            show_redirect_result=self._show_redirect_result,
        )
        self.history = HistoryBinding(
            self.history_panel,
            self.settings,
            self,
            self.status.say,
            self._load_request,
            lambda: self.targets.current,
            history_store,
            self.session.learned_since,
        )
        self.check_runner = CheckRunner(
            self.check_panel,
            self.controller,
            self.targets,
            self.history,
            self.start_emulator,
            self,
            self._say_for_the_check,
            lambda: self.docks["check"].raise_(),
        )
        self.drills = Drills(
            self.controller,
            self.targets,
            self.start_emulator,
            self,
            answered=self._made_by_a_drill,
            to_ask_about=self._to_ask_the_emulator_about,
        )
        self.status.addPermanentWidget(self.drills.mark)
        self.workbench: JwtWorkbench | None = None
        self.profile_actions = ProfileActions(
            self.target_binding,
            self,
            self.status.say,
            self._profiles_changed,
            self.emulator.reserve,
            lambda: "auto-refresh is on" if self.auto_refresh.enabled else None,
        )
        self.actions_by_name = build_menus(
            self.menuBar(),
            self,
            self._menu_commands(),
            list(self.docks.values()),
            self.settings.get("scheme", "system"),
        )
        self.actions_by_name["cancel"].setEnabled(False)  # nothing to cancel yet
        self._tick = MomentTimer(self)  # the next moment a view changes by itself (an expiry)
        self._tick.timeout.connect(self._time_passed)
        self._keys_text = ""  # what was last pasted into the keys dialog, to edit it again
        self._shown_error: ErrorView | None = None  # the error view the tabs were raised for
        self.session.subscribe(self._render)
        self._connect()
        self.form.set_external_block(_NOT_READY)
        guard_wheel(self)
        return_presses_buttons(self)
        self.form.get_code_button.setFocus()  # where every flow starts
        self._needs_arrange = self._restore_layout()

    # --- construction ---

    def _build_central(self) -> FormColumn:
        column = FormColumn()
        layout = QVBoxLayout(column)
        layout.addWidget(self.target_panel)
        layout.addWidget(self.form)
        layout.addStretch(1)
        scroll = scrolling_up_and_down(column)
        scroll.setObjectName("requestScroll")
        self.setCentralWidget(scroll)
        return column

    def _build_docks(self) -> dict[str, QDockWidget]:
        self.setDockNestingEnabled(True)
        panels: list[tuple[str, QWidget]] = [
            ("countdown", self.countdown_panel),
            ("response", self.response_panel),
            ("error", self.error_panel),
            ("idToken", self.id_token_panel),
            ("raw", self.raw_panel),
            ("history", self.history_panel),
            ("check", self.check_panel),
        ]
        docks: dict[str, QDockWidget] = {}
        # The View menu's names for them, each with an Alt+letter of its own (the menu's own
        # items keep G, S and R): opened by keyboard, a stray Return no longer closed the
        # first panel listed (tryout X).
        taken = {"g", "s", "r"}
        self._menu_texts = {
            name: with_mnemonic(window_layout.DOCK_TITLES[name], taken) for name, _ in panels
        }
        for name, panel in panels:
            dock = QDockWidget(window_layout.DOCK_TITLES[name], self)
            dock.toggleViewAction().setText(self._menu_texts[name])
            dock.setObjectName(f"{name}Dock")  # saveState() keys docks by objectName
            less_room_above_and_below(panel)
            dock.setWidget(scrolling_up_and_down(panel))
            dock.dockLocationChanged.connect(self._dock_moved)
            dock.topLevelChanged.connect(self._dock_moved)
            dock.toggleViewAction().toggled.connect(self._dock_moved)  # closed or opened
            # A panel closed or opened makes a row of tabs shorter or longer: each title's
            # words are chosen for the row it is in (tryout AC: "ID token · ⚠ ol…").
            dock.toggleViewAction().toggled.connect(lambda _shown: self._retitling.start())
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            hide_while_covered(dock)
            docks[name] = dock
        return docks

    def _menu_commands(self) -> MenuCommands:
        return MenuCommands(
            import_profiles=lambda: self.profile_actions.run("import"),
            export_profile=lambda: self.profile_actions.run("export"),
            save_exchange=self.save_exchange,
            quit=self.close,
            copy_curl=self.copy_as_curl,
            copy_response_json=self.copy_response_json,
            get_code=self.form.get_code_button.click,
            send=self.form.try_send,
            cancel=self.form.cancel_button.click,
            share_token=self.request_share_token,
            paste_redirect=self.get_code_flow.paste_redirect,
            pkce_checker=self.open_pkce_checker,
            keys=self.open_keys_dialog,
            verify_again=self.verify_again,
            reset_layout=self.reset_layout,
            about=lambda: show_about(self),
            shortcuts=lambda: show_shortcuts(self.menuBar(), self),
            set_scheme=self.set_scheme,
            run_check=self.check_panel.run_button.click,
            jwt_workbench=self.open_jwt_workbench,
            drills=self.drills.open_dialog,
        )

    def _connect(self) -> None:
        self.form.send_requested.connect(self.send)
        self.form.return_guard = self._why_return_does_not_replay
        self.form.return_refused.connect(lambda why: self.status.say(why, Tone.WARNING))
        self.form.changed.connect(self.request_notes.advise)
        self.form.changed.connect(lambda: self.status.grant_changed(self.form.grant()))
        self.form.cancel_requested.connect(self.controller.cancel)
        # A step the person starts is a calm moment to move the countdown: back under the
        # request, or away from it for a request that grew while they typed.
        for step in (self.form.send_requested, self.form.get_code_requested):
            step.connect(self._countdown_back_under_the_request)
            step.connect(self._room_for_the_request_at_a_step)
        self.form.get_code_requested.connect(
            lambda: self.get_code_flow.start(self.form.selected_scopes())
        )
        self.form.redirect_entered.connect(self.get_code_flow.use_redirect)
        # Before the session moves to the new target: auto-refresh is checked against the
        # tokens it was refreshing, which the session's views then replace.
        self.target_binding.target_changed.connect(self._stop_auto_refresh_for_another_target)
        self.target_binding.target_changed.connect(self.session.set_target)
        # The check's rows are not the session's: they are marked here, on a switch and a run.
        self.target_binding.target_changed.connect(self._mark_the_check)
        self.target_binding.target_changed.connect(self._refresh_token_of_the_target)
        self.target_binding.target_changed.connect(
            lambda _current: self.request_notes.note_the_code()
        )
        self.form.code.textEdited.connect(self.request_notes.note_a_spent_code)
        self.target_binding.target_changed.connect(lambda _: self.request_notes.advise())
        self.target_binding.target_changed.connect(self._status_for_the_target)
        self.target_binding.target_changed.connect(self._wait_of_the_target)
        self.target_binding.target_changed.connect(lambda _: self.drills.target_changed())
        self.target_binding.target_changed.connect(
            lambda current: self.status.profile_changed(current.profile.id)
        )
        self.target_binding.target_changed.connect(self._start_the_emulator_once_chosen)
        self.target_binding.target_changed.connect(  # as the Profile menu's own Export
            lambda current: self.actions_by_name["export"].setEnabled(not current.profile.builtin)
        )
        self.check_panel.run_requested.connect(lambda: self._mark_the_check(self.targets.origin()))
        self.target_binding.target_changed.connect(
            lambda _origin: self.status.target.setText(self.targets.describe())
        )
        self.target_binding.problems_changed.connect(self.form.set_external_block)
        self.target_panel.action_requested.connect(self.profile_actions.run)
        self.controller.busy_changed.connect(self._busy_changed)
        self.controller.started.connect(self._started)
        self.target_binding.target_changed.connect(self._say_whose_request_runs)
        self.target_binding.target_changed.connect(
            lambda current: self.auto_refresh.profile_shown(current.label)
        )
        self.controller.exchange_finished.connect(self._exchange_finished)
        self.controller.verification_finished.connect(self.session.verification_finished)
        self.controller.cancelled.connect(self._cancelled)
        self.controller.failed.connect(self.session.operation_failed)
        self.response_panel.share_token_requested.connect(self.request_share_token)
        self.id_token_panel.verify_again_requested.connect(self.verify_again)
        self.id_token_panel.keys_requested.connect(self.open_keys_dialog)
        self.countdown_panel.auto_refresh.toggled.connect(self._auto_refresh_toggled)
        lead = self.countdown_panel.auto_refresh_lead
        lead.valueChanged.connect(self.auto_refresh.set_lead)
        # The lead chosen stays for the next launch, as the share token's client id does
        # (tryout AK: 5 s was 60 s again after a restart). The switch itself starts off.
        lead.setValue(self.settings.whole_number("auto_refresh_lead_s", lead.value()))
        lead.valueChanged.connect(lambda s: self.settings.set("auto_refresh_lead_s", str(s)))
        self.auto_refresh.state_changed.connect(self.countdown_panel.show_auto_refresh_state)
        self.auto_refresh.due.connect(self._refresh_now)
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _: self.set_scheme(None))

    # --- start-up, the second step ---

    def start(self) -> None:
        """Fill in the target, reserve the built-in emulator's port and check the history file
        (runs once). The emulator's server and the history list wait for the first frame."""
        if self.ready or self._closing:
            return
        self.setWindowIcon(app_icon())
        app = QApplication.instance()
        if isinstance(app, QApplication) and app.windowIcon().isNull():
            app.setWindowIcon(self.windowIcon())  # dialogs and the task bar
        if self.targets.current.uses_builtin_emulator:
            self.emulator.reserve()  # its URL now; the server comes up after the first frame
        self.target_binding.reload()
        self.controller.start_background(
            self.history.check_integrity(self.controller.run_blocking), "check the history"
        )
        self.ready = True
        self.setup_finished.emit()

    def start_emulator(self) -> None:
        """Start the built-in emulator (if it isn't yet) and show its URL."""
        if self._closing or self.emulator.started:
            return
        known = self.emulator.reserved
        self.emulator.ensure_started()
        if not known:
            self.target_binding.reload()

    def _start_the_emulator_once_chosen(self, _current: Origin) -> None:
        """The built-in emulator picked from the profile list starts then: a launch on
        another profile had not even reserved its port. Before the first frame its port is
        reserved, and its server comes up after that frame (`_after_first_frame`)."""
        if not self.targets.current.uses_builtin_emulator or self.emulator.started:
            return
        if self._painted:
            self.start_emulator()
        elif not self.emulator.reserved:
            self.emulator.reserve()
            self.target_binding.reload()  # its URL, now that it has one

    def _countdown_back_under_the_request(self) -> None:
        """The countdown went to the top of the results for notes that grew the request: once
        the request leaves room for it again, the default layout puts it back under it — at
        a switch of profile, or when the person starts a step (Send, Get code), never while
        they type. The results it pushed into tabs (tryout AC: the id_token behind a tab, the
        Response's tab half empty) get their place again."""
        default = self._default_layout
        if (
            default is not None
            and not default.countdown_below
            and not self._arranging
            and window_layout.countdown_under_request(self, self.docks)
        ):
            self._arrange()

    def _room_for_the_request_at_a_step(self) -> None:
        """The room the request outgrew while the person typed, given now (see
        `_fit_the_request`), if it still needs it."""
        owed, self._room_owed_to_the_request = self._room_owed_to_the_request, False
        if (
            owed
            and not self._arranging
            and not window_layout.give_the_request_room(self, self.docks)
        ):
            self._arrange()

    def _typing_in_the_request(self) -> bool:
        """The keyboard is in one of the request column's text fields."""
        focused, column = QApplication.focusWidget(), self.centralWidget()
        return (
            isinstance(focused, (QLineEdit, QPlainTextEdit, QAbstractSpinBox))
            and column is not None
            and column.isAncestorOf(focused)
        )

    def _fit_the_request(self) -> None:
        """The request column was laid out again: room from the countdown under it; and when
        it still scrolls (200% on a small screen), Send's row scrolled into view — at first
        sight too — with the field being typed in kept in view above it."""
        fits = window_layout.give_the_request_room(self, self.docks)
        if fits:
            window_layout.unfold_the_countdown(self, self.docks)
        default = self._default_layout
        # Another profile since (not an edit of this one) may give the countdown back its
        # place under the request.
        laid_out_for, self._request_laid_out_for = (
            self._request_laid_out_for,
            self.targets.current.id,
        )
        switched = bool(laid_out_for) and laid_out_for != self._request_laid_out_for
        if (
            not fits
            and default is not None
            and default.countdown_below
            and not self._arranging
            and not window_layout.countdown_under_request(self, self.docks)
        ):
            # Notes grew the request past what the countdown under it can give (a profile
            # with four of them, on a laptop — tryout Z): the default layout for what the
            # column needs now puts the countdown at the top of the results, as Reset layout
            # did. Not while the person types, though: a warning that came with a keystroke
            # (a base URL on another server than the issuer) moved every panel, and the next
            # click landed where Get code had been (tryout AK). The column scrolls, the field
            # and Send in view, until their next step. A note typed away does not move the
            # docks back either (they would jump to and fro while typing) …
            if self._typing_in_the_request():
                self._room_owed_to_the_request = True
            else:
                self._arrange()
        elif switched:
            # … but another profile, whose request leaves room for it, does: the room under
            # the request stayed empty for the rest of the session (tryout AA).
            self._countdown_back_under_the_request()
        column = self.centralWidget()
        if not isinstance(column, QScrollArea) or not column.verticalScrollBar().maximum():
            return
        # Scrolled no further than each needs: Qt's default 50 px around a widget is a tenth
        # of a column at 200%. With it, Send scrolled the column to its end and the focused
        # Profile box then back to its top, Send out of view — though both fitted.
        keep: list[QWidget] = [self.form.send_button]
        if self.form.send_blocked.isVisible():  # why Send is off: its row's lowest part
            keep.append(self.form.send_blocked)
        for widget in keep:
            column.ensureWidgetVisible(widget, 0, 0)
        focused, request = QApplication.focusWidget(), column.widget()
        if focused is not None and request is not None and request.isAncestorOf(focused):
            column.ensureWidgetVisible(focused, 0, 0)
            keep.append(focused)
        no_row_cut_at_the_top(column, keep)

    def _profiles_changed(self, select_id: str) -> None:
        self.targets.select(select_id)
        self.target_binding.reload()  # the built-in emulator, if selected, starts then
        self._follow_profile_names()

    def _follow_profile_names(self) -> None:
        self.history.follow_profile_names(self.targets.store.profiles())
        self.session.profiles_renamed()

    # --- rendering what the session says ---

    def _render(self, event: SessionEvent) -> None:
        match event:
            case TokensChanged(view=view):
                self.response_panel.show_tokens(view)
                self.countdown_panel.show_tokens(view)
                self._title("response", view.freshness if view is not None else None)
                self._title("countdown", view.freshness if view is not None else None)
                if view is not None and not view.freshness.stale:
                    self.auto_refresh.token_granted(
                        view.exchange.received_at, view.granted.expires_at
                    )
            case IdTokenChanged(view=view):
                self.id_token_panel.show_id_token(view)
                self.countdown_panel.show_id_token(view)
                self.response_panel.show_id_token(view)
                self._title("idToken", view.freshness if view is not None else None)
                self._say_the_verdict(view)
            case ShareTokenChanged(view=view):
                self.response_panel.show_share(view)
                self.countdown_panel.show_share(view)
            case ExchangeChanged(view=view):
                self.raw_panel.show_view(view)
                self._title("raw", view.freshness if view is not None else None)
            case ErrorChanged(view=view):
                self.error_panel.show_error_view(view)
                # No error to show: a time would read as if there were one — but another
                # target's "No error" is marked, as the panel's own line marks it (tryout AF).
                marked = view is not None and (view.says_something or view.freshness.stale)
                self._title("error", view.freshness if view is not None and marked else None)
                self._raise_for(view)
            case FormFill():
                self.form.fill(event)
            case Notice(text=text, tone=tone, for_grant=for_grant):
                self.status.say(text, tone, for_grant=for_grant)
                # About this target's step ("…; press Send to exchange it"): a switch takes it
                # off the status bar, where it would read as the next target's (tryout Z).
                self._status_shows = self.targets.origin()
            case VerificationRequested(job=job):
                self.controller.verify(job)
            case AuthorizeRecorded(record=record, origin=origin):
                self.history.record_soon(record, None, origin.profile)
            case IdTokenChecked(exchange=exchange, verification=verification):
                self.history.add_id_token_verdict(exchange, verification)
                if verification.verdict is Verdict.FAILED:
                    # Like an error: a new token's id_token that failed its checks comes to
                    # the front, with the checks that failed (on a short screen, a tab) —
                    # unless auto-refresh's, over what the person is working in.
                    raised = self.docks["idToken"]
                    if exchange is not self._automatic or not self._covers_the_focus(raised):
                        # Opened again if closed, and the Error panel too, which says "Do
                        # not trust this response" (tryout AD: a closed one stayed closed,
                        # and only the History's red row told of it).
                        for dock in (self.docks["error"], raised):
                            if dock.isHidden():
                                dock.show()
                        raised.raise_()
                    if self.auto_refresh.enabled:  # the next refresh would paint over it
                        failed = ", ".join(verification.failed) or "decode"
                        self.auto_refresh.stop(f"the id_token failed its checks ({failed})")
        self._schedule_tick()

    def _say_the_verdict(self, view: IdTokenView | None) -> None:
        """A granted token with an id_token that failed its checks is no green "200 OK": the
        status bar says the id_token is not to be trusted. A check asked for again says its
        verdict, whatever it is."""
        verification = view.verification if view is not None else None
        if view is None or verification is None:
            return  # still checking
        if self._announce_verdict:
            self._announce_verdict = False
            failed = ", ".join(verification.failed) or "decode"
            said, tone = {
                Verdict.VERIFIED: ("verified", Tone.OK),
                Verdict.NOT_VERIFIED: (
                    f"NOT verified: {verification.not_verified_because}",
                    Tone.WARNING,
                ),
                Verdict.FAILED: (f"not trusted: {failed} failed", Tone.ERROR),
            }[verification.verdict]
            known = view.status  # what the server's answers said of the token since
            if verification.verdict is Verdict.VERIFIED and known and not known.good_here:
                # Its signature and claims check out, yet the server revoked it (or a replay
                # put it in doubt): no green beside the panel's "Revoked now".
                said, tone = f"verified, but {known.state.value}: {known.why}", Tone.WARNING
            checked = verification.checked_at
            when = f" at {clock_time(checked)}" if checked is not None else ""
            self.status.say(f"id_token checked again{when}: {said}", tone)
            return
        if view.freshness.stale:
            return
        if verification.verdict is Verdict.FAILED:
            failed = ", ".join(verification.failed) or "decode"
            arrived = self.session.arrival_verdict()
            if arrived is not None and arrived.verdict is not Verdict.FAILED:
                # Time did it (its exp passed): not the news of the response it came with. Said
                # once, when it happens — not again when its target is chosen again.
                if self._untrusted_said != view.id_token:
                    self._untrusted_said = view.id_token
                    self.status.say(
                        f"{view.origin.label}'s id_token is no longer to be trusted: {failed} "
                        f"failed (it arrived {arrived.verdict.value})",
                        Tone.ERROR,
                    )
                    self._status_shows = view.origin  # a switch takes it off the status bar
                return
            # Said with the answer that brought it, once: shown again (back on its target, or
            # when another target's answer lands), it is no news, and the latest exchange then
            # is another's (tryout AJ: "200 OK in 12 ms", another server's, "— id_token not
            # trusted", this one's).
            if self._verdict_said == view.id_token:
                return
            self._verdict_said = view.id_token
            latest = self.session.latest()
            exchange = latest[0] if latest and latest[1].same_target(view.origin) else None
            prefix = (
                _automatic_prefix(exchange)
                if exchange is not None and exchange is self._automatic
                else ""
            )
            done = f"{prefix}{exchange.summary()} — " if exchange is not None else ""
            drill_name = self.session.drill_that_made(exchange)
            drill = f" — {made_by(drill_name)}" if drill_name is not None else ""
            self.status.say(f"{done}id_token not trusted: {failed} failed{drill}", Tone.ERROR)

    def _made_by_a_drill(self, name: str, kind: str) -> None:
        """A drill answered the request that just ended: the one armed here counted down with
        it, or the emulator says it used one while it was on its way. An answer that
        came said itself whether a drill changed it (`X-Emulator-Drill`, noted as it
        arrived): a count-down beside an answer that did not say so was a request from
        outside the window (a copied curl command) using the drill up (tryout AB: a real 404
        was said to be the slow drill's). Without an answer (a reset, a cancel while the
        drill held it back), the count-down or the emulator's word is all there is to go by;
        `kind` is the drill's as the emulator lists it ("" when not known)."""
        latest = self.session.latest_exchange()
        if latest is None or latest.response is not None:
            return
        # A reset the drill made came before the server looked at the request: a code in it
        # is unspent (a wait the drill held back was the server's to answer after it).
        self.session.drill_answered(name, made_up=kind == "response")
        self._note_the_drill(latest, name, made_up=kind == "response")
        self.request_notes.note_the_code()

    def _to_ask_the_emulator_about(self) -> tuple[Exchange, Profile] | None:
        """The latest exchange, and its target, when the emulator may say more of it than it
        said itself: it ended with no answer once its request was out, and nothing has said
        yet that a drill was behind that — or its answer named a drill, which may have more
        answers to stage."""
        latest = self.session.latest()
        if latest is None:
            return None
        exchange, origin = latest
        if StagedBy.of(exchange) is not None:
            return exchange, origin.profile
        outcome = exchange.outcome
        if (
            exchange.response is not None
            or not isinstance(outcome, NetworkError)
            or not outcome.may_have_arrived
            or self.session.drill_that_made(exchange) is not None
        ):
            return None
        return exchange, origin.profile

    def _note_the_drill(
        self, exchange: Exchange, drill: str, *, delayed_only: bool = False, made_up: bool = False
    ) -> None:
        """The outcome just said was the drill's: the advice for the real error is not the
        whole story (a clock skew the emulator made up needs no NTP). A cancel was the
        person's own, and a delay drill's answer is the server's: the drill only held it
        back (said all the same: it explains the wait)."""
        note = drill_note(
            drill, cancelled=exchange.cancelled, delayed_only=delayed_only, made_up=made_up
        )
        self.history.note_drill(exchange, note)
        self.status.add(f" — {note}")

    def _retitle(self) -> None:
        for dock, freshness in self._freshness_titled.items():
            self._title(dock, freshness)

    def _title(self, dock: str, freshness: Freshness | None) -> None:
        """The dock's title says where its content came from: "Response · 14:02:11", or
        "Response · ⚠ older" (the panel then says why and when, in words). In a long row of
        tabs (a short screen's results) those words would cut every tab's name short: there
        a ⚠ alone marks what is older ("⚠ Response"), and the panel's own line says the rest."""
        self._freshness_titled[dock] = freshness
        title = window_layout.DOCK_TITLES[dock]
        in_a_long_row = window_layout.in_a_long_row_of_tabs(self, self.docks[dock])
        if dock == "error":
            # In a long row of tabs the title has no room for when: the panel says it. (The
            # others say it in their rows already: "Issued 14:02:11 by…", "Checked at…".)
            self.error_panel.freshness.say_when(in_a_long_row)
        if in_a_long_row:
            if freshness is not None and freshness.stale and self._marks_fit(dock):
                title = f"⚠ {title}"
        elif freshness is not None and freshness.label:
            title += f" · {'⚠ ' if freshness.stale else ''}{freshness.label}"
        self.docks[dock].setWindowTitle(title)
        # The View menu names the panel, not its content (Qt copies the title there).
        self.docks[dock].toggleViewAction().setText(self._menu_texts[dock])

    def _marks_fit(self, dock: str) -> bool:
        """Whether `dock`'s long row of tabs has room for every name with its ⚠. At 200% on
        1920×1080 six names fill the results' width: with their marks Qt cut every one of
        them short ("⚠ Respo…", "Er…", "Hist…"). Without room the names go unmarked (the
        panel's own line says it is older). Every tab of the row gets the same answer: when
        it changes, the whole row is titled again."""
        row = [self.docks[dock], *self.tabifiedDockWidgets(self.docks[dock])]
        names = [
            name for name, shown in self.docks.items() if shown in row and not shown.isHidden()
        ]
        titles = [
            f"⚠ {window_layout.DOCK_TITLES[name]}"
            if (freshness := self._freshness_titled.get(name)) is not None and freshness.stale
            else window_layout.DOCK_TITLES[name]
            for name in names
        ]
        fit = window_layout.tab_names_fit(self, [self.docks[name] for name in names], titles)
        if fit != self._marks_fitted:
            self._marks_fitted = fit
            self._retitling.start()  # the row's other tabs, marked or not as this one
        return fit

    def _show_redirect_result(self, result: AuthorizeResult) -> None:
        """What came of a redirect URL put in Code, under Code — and, for a code this run sent
        already (its redirect pasted again), that it is spent, not "Code taken"."""
        self.form.show_redirect_result(result)
        if result.code is not None:
            self.request_notes.note_a_spent_code(result.code)

    def _say_for_the_check(self, text: str, tone: Tone) -> None:
        self.status.say(text, tone)
        self._check_said = text

    def _mark_the_check(self, current: Origin) -> None:
        self.check_runner.follow_target(current)
        freshness = self.check_runner.freshness(current, self.targets.known_secret())
        self.check_panel.show_freshness(freshness)
        self._title("check", freshness)
        if freshness is not None and freshness.stale and self.status.text() == self._check_said:
            # The check's outcome in the status bar ("Credential check failed", in red) is as
            # old as the panel now says the check is (a secret key corrected since: tryout Z).
            self._check_older_said = f"The credential check is older now: {freshness.note}"
            self.status.say(self._check_older_said)
            self._check_said = ""
        elif (
            (freshness is None or not freshness.stale)
            and self._check_older_said
            and self.status.text() == self._check_older_said
        ):
            # The edit taken back: "older now" no longer holds (tryout AP saw it stay).
            self._check_older_said = ""
            self.status.say(
                "The credential check is current again: these settings are the ones it ran with"
            )

    def _raise_for(self, view: ErrorView | None) -> None:
        """A new step's failure brings the error panel to the front — opened again if it was
        closed: a failure said only in the status bar goes unseen — and its success, the
        response. A target switch shows a step of before (the same, or that target's own
        latest): the tabs stay as the user left them."""
        if view is None or (self._shown_error is not None and view.at <= self._shown_error.at):
            return
        self._shown_error = view
        raised = self.docks["error" if view.report is not None else "response"]
        covers_the_focus = self._covers_the_focus(raised)
        if self.auto_refresh.in_flight and (view.report is None or covers_the_focus):
            # Auto-refresh runs while the person reads or types elsewhere: its success
            # changes no tab, and its failure (said in the status bar and under Auto-refresh)
            # does not take the keyboard from the panel in use. Every refresh used to bring
            # the response to the front and move the focus to its Copy button, so keys typed
            # across it were lost (tryout AA).
            return
        if raised.isHidden():
            raised.show()
        raised.raise_()
        panel = raised.widget()
        if covers_the_focus and panel is not None:
            # Qt would hand the focus to the next stop in the window — a button in another
            # panel, where Return does something else: it goes to the front panel's first
            # control instead.
            (first_control(panel) or panel).setFocus(Qt.FocusReason.OtherFocusReason)
        if view.report is not None and self._default_layout is not None:
            self._arranging = True  # the layout's own move, not the user's
            window_layout.make_room_for_the_error(self, self.docks)
            self._arranging = False

    def _covers_the_focus(self, raised: QDockWidget) -> bool:
        """Bringing `raised` to the front would hide the widget with the keyboard focus (it is
        in a panel tabbed with it)."""
        focused = QApplication.focusWidget()
        if focused is None or raised.isAncestorOf(focused):
            return False
        return any(dock.isAncestorOf(focused) for dock in self.tabifiedDockWidgets(raised))

    def _time_passed(self) -> None:
        self.session.tick()
        # Scheduled again whatever the tick changed: a tick that changed no view renders
        # nothing, and the expiry after it would never flip (tryout AC: "live" in green
        # beside an access token expired for 15 s).
        self._schedule_tick()

    def _schedule_tick(self) -> None:
        self._tick.at(self.session.next_deadline())

    # --- sending ---

    def send(self) -> None:
        if self.controller.busy:
            self.status.say("A request is running: Send is off until it ends or is cancelled")
            return
        request = self.form.token_request()
        if self._may_leave_its_server(request):
            self._send_token(request)

    def _why_return_does_not_replay(self) -> str:
        """Why Return must not send the form now: its code was exchanged for the tokens on
        screen, and a second Return replays it — the server should then revoke them (RFC 6749
        §4.1.2). "" otherwise; a replay already refused has nothing more to lose."""
        request = self.form.token_request()
        if request.grant_type != vendor.GRANT_AUTHORIZATION_CODE:
            return ""
        spent = self.session.code_spent(request.code)
        if (
            spent is None
            or spent.how is not SpentHow.USED
            or spent.replayed_at is not None
            or not spent.to.same_client(self.targets.origin())
        ):
            return ""
        return (
            f"Return does not send a code exchanged already (at {clock_time(spent.at)}): "
            "a replay revokes its tokens. Click Send or press Ctrl+Return to test one; "
            "Get code for new tokens"
        )

    def _may_leave_its_server(self, request: TokenRequest) -> bool:
        """A refresh token this run got from one server, about to go to another (the form
        kept it across a switch of profile): the server that did not issue it would be handed
        it — a production token, say, sent to a sandbox. Asked first; no is the default."""
        known = self.session.refresh_token_status(request.refresh_token)
        if request.grant_type != vendor.GRANT_REFRESH_TOKEN or known is None:
            return True
        issued_by = known[0]
        there, here = issued_by.server, self.targets.origin().server
        if there == here:
            return True
        answer = ask(
            self,
            "Send the refresh token to another server?",
            f"This refresh token was issued by {there} ({issued_by.label}). Sent now, it goes "
            f"to {here}, which did not issue it and will refuse it — but will have seen it."
            "\n\nSend it anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            return True
        self._say_of_this_profile("Not sent: the refresh token is another server's", Tone.WARNING)
        return False

    def _send_token(self, request: TokenRequest) -> None:
        if self.emulator.reserved:
            self.start_emulator()  # a Send faster than the first frame: the server answers it
        self.controller.send_token(self.targets.target(), request, self.targets.origin())

    def _cancelled(self, label: str) -> None:
        """An operation was cancelled. A token exchange cancelled after its request was built
        has been reported already, as an exchange (`_exchange_finished`)."""
        if self._cancel_reported:
            self._cancel_reported = False
            return
        self.status.say(f"Cancelled: {label.rstrip('…')}", Tone.WARNING)

    def _exchange_finished(
        self, exchange: Exchange, request: TokenRequest | ShareTokenRequest, origin: Origin
    ) -> None:
        pasted_keys = self.session.pasted_description
        hint = self.session.exchange_finished(exchange, sent=request, origin=origin)
        # A 429 asks to wait (Retry-After): said beside Send until then; the server's next
        # answer ends the wait it asked for.
        ends = retry_after_ends(exchange.response, exchange.received_at)
        if ends is not None:
            self._retry_after = (origin, ends)
        elif self._retry_after is not None and self._retry_after[0].same_target(origin):
            self._retry_after = None
        self._wait_of_the_target(self.targets.origin())
        # Keys pasted for the last id_token are set aside for a new one: said with the outcome
        # (a notice of its own would be gone under it at once).
        set_aside = bool(pasted_keys) and not self.session.pasted_description
        automatic = self.auto_refresh.finished(exchange)
        # Saved once the panels have painted: a big exchange's masking and SQLite write don't
        # add to the same frozen moment. With the hint the error panel gave (History ▸ Show
        # says the same: "this Send replayed it", not the generic maybes).
        form = request if isinstance(request, TokenRequest) else None
        recorded = exchange if hint is exchange.hint else replace(exchange, hint=hint)
        # Auto-refresh's own are told from the person's Sends (tryout AC: they read the same).
        made_by = MADE_BY_AUTO_REFRESH if automatic else ""
        self.history.record_soon(recorded, form, origin.profile, made_by)
        self.request_notes.advise()  # a new chain, or a token refused: say so before Send
        if self.auto_refresh.enabled and (refused := self._why_the_refresh_token_will_not_do()):
            # Said now, not at the due time (a day later, "Next refresh at …" until then).
            self.auto_refresh.stop(refused)
        if form is not None:
            # The code stays in the form (a second Send replays it); after a refresh, what was
            # said of an earlier attempt's redirect is over.
            self.request_notes.note_the_code()
        self._automatic = exchange if automatic else None
        self._say_the_outcome(exchange, form, origin, automatic=automatic, set_aside=set_aside)
        staged = StagedBy.of(exchange)
        if staged is not None:  # the answer named the drill that changed it, or held it back
            self._note_the_drill(
                exchange, staged.name, delayed_only=staged.delayed_only, made_up=staged.made_up
            )

    def _say_the_outcome(
        self,
        exchange: Exchange,
        form: TokenRequest | None,
        origin: Origin,
        *,
        automatic: bool,
        set_aside: bool,
    ) -> None:
        prefix = _automatic_prefix(exchange) if automatic else ""
        if exchange.cancelled:
            self._cancel_reported = True  # the `cancelled` signal follows: said here already
            self._say_cancelled(exchange, form, prefix)
            return
        if not origin.same_target(self.targets.origin()):
            # It ended after a switch: another target's "200 OK" in green reads as this one's.
            self.status.say(f"{origin.label}: {prefix}{exchange.summary()}")
            self._status_shows = origin  # and the next switch takes it off
            if form is not None and exchange.succeeded:
                self.auto_refresh.tokens_came_for(origin.label, exchange.received_at)
            return
        if set_aside:
            self.status.say(
                f"{prefix}{exchange.summary()} — the new id_token is checked with the issuer's "
                "keys: the ones pasted for the last were set aside (Keys… to paste them again)",
                Tone.WARNING,
            )
        else:
            tone = Tone.OK if exchange.succeeded else Tone.ERROR
            self.status.say(prefix + exchange.summary(), tone)
        self._status_shows = origin

    def _refresh_token_of_the_target(self, current: Origin) -> None:
        """Back on a target with tokens of its own, the form's refresh token is its own when
        the form held another server's from this run (filled by that server's answer): that
        one would be refused here. So it is when the form held none (Get code elsewhere
        empties it), or this target's from a sign-in a later one replaced (that answer came
        while another profile was on show, and left the form alone). A token this run did
        not get (typed, loaded) stays."""
        own = self.session.refresh_token()
        issued_by = self.session.chain_origin()
        if own is None or issued_by is None:
            return
        in_form = self.form.refresh_token.text().strip()
        known = self.session.refresh_token_status(in_form) if in_form else None
        if issued_by.same_target(current) and (
            not in_form or self.session.superseded_here(in_form)
        ):
            replace_it = True
        elif known is None:
            replace_it = False
        else:
            # Another server's token would be refused here; a copy of this profile's would
            # not, but beside this profile's own tokens in the panels, the form sent the copy's.
            replace_it = (not known[0].same_client(current) and issued_by.same_client(current)) or (
                not known[0].same_target(current) and issued_by.same_target(current)
            )
        if replace_it:
            self.form.fill(FormFill(refresh_token=own[0]))

    def _wait_of_the_target(self, current: Origin) -> None:
        """A server's "wait until" (a 429's Retry-After) is said beside Send on its target
        only: another server's says nothing of this one."""
        waiting = self._retry_after
        self.form.set_wait_until(
            waiting[1] if waiting is not None and waiting[0].same_target(current) else None
        )

    def _status_for_the_target(self, current: Origin) -> None:
        """The status bar's last outcome is another target's after a switch: in green or red,
        it would read as this one's. An auto-refresh the switch stopped is said there too:
        the Expiry panel may be a tab behind the results."""
        if current.same_target(self._status_target) and self._auto_refresh_stopped_for is None:
            # The same target announced again (its secret read from the keyring once the
            # switch was made): neither a switch nor an edit — "Alpha edited" said it was.
            return
        stopped, self._auto_refresh_stopped_for = self._auto_refresh_stopped_for, None
        shown, self._status_shows = self._status_shows, None
        previous, self._status_target = self._status_target, current
        # The same profile with its URL or app token changed: not a switch, "Now on" it.
        edited = (
            previous is not None
            and not previous.is_other_profile(current)
            and not _awaited_the_emulator(previous)
        )
        said = ""
        if shown is not None and not shown.same_target(current):
            marked = self._another_targets_results(current)
            if edited and self._shows_its_own_results(current):
                # The edit taken back: the panels show this profile's own results again, and
                # the last outcome said was with the settings just undone.
                said = (
                    f"{current.label} as before the edit: its results with these settings are "
                    "shown (the last outcome was with the edit)"
                )
            elif edited:
                said = f"{current.label} edited: results from before are marked as such"
            else:
                said = f"Now on {current.label}" + (
                    f": results from {marked.label} are marked as such" if marked else ""
                )
        elif self._switch_said and self.status.text() == self._switch_said:
            # Back where the results are from: the last switch's "Now on …" is over.
            if not edited:
                said = f"Now on {current.label}"
            elif self._shows_its_own_results(current):
                said = (
                    f"{current.label} as before the edit: its results with these settings are shown"
                )
            else:
                said = f"{current.label} edited"
        if stopped is not None:
            note = f"auto-refresh of {stopped.label}'s tokens stopped"
            said = f"{said}; {note}" if said else sentence_case(note)
        if said:
            self._switch_said = said
            self.status.say(said, Tone.WARNING if stopped is not None else Tone.MUTED)

    def _shows_its_own_results(self, current: Origin) -> bool:
        """The panels show results got with `current`'s settings, none another's."""
        origins = [
            event.view.origin
            for event in self.session.panel_events()
            if event.view is not None and event.view.origin is not None
        ]
        return bool(origins) and all(origin.same_target(current) for origin in origins)

    def _another_targets_results(self, current: Origin) -> Origin | None:
        """Where the results on show come from when a panel shows another target's (marked as
        such), else None: back on a profile with results of its own, none does."""
        for event in self.session.panel_events():
            origin = event.view.origin if event.view is not None else None
            if origin is not None and not origin.same_target(current):
                return origin
        return None

    def _stop_auto_refresh_for_another_target(self, current: Origin) -> None:
        """Auto-refresh refreshes the tokens on display, one target's: after a switch (or an
        edit of where they came from) they are not the current target's to refresh. Run before
        the session moves to `current`, while its tokens are still the ones on display."""
        issued_by = self.session.chain_origin()
        if self.auto_refresh.enabled and issued_by and not issued_by.same_target(current):
            edited = not issued_by.is_other_profile(current)
            why = (
                f"{current.label}'s target was edited after it issued the tokens"
                if edited
                else f"the profile was switched to {current.label}"
            )
            if self.auto_refresh.in_flight:
                # Sent already: its answer still comes, and its tokens are kept (tryout AI: a
                # refresh landed after "Stopped", unannounced).
                why += "; the refresh already sent still comes back"
            self.auto_refresh.stop(why, failure=False)
            self._auto_refresh_stopped_for = issued_by

    def _load_request(self, request: TokenRequest, keep: Collection[str] = ()) -> None:
        """History ▸ Load: the request back in the form, and a word on a code already spent."""
        self.form.load_request(request, keep)
        self.request_notes.note_the_code()

    def _say_cancelled(self, exchange: Exchange, request: TokenRequest | None, prefix: str) -> None:
        """Cancel stops the wait, not the server: a code exchange it interrupted may have been
        redeemed anyway, and a second Send of that code then gets a 401 for no visible reason."""
        by_code = request is not None and request.grant_type == vendor.GRANT_AUTHORIZATION_CODE
        redeemed = " — the server may have redeemed the code" if by_code else ""
        self.status.say(prefix + exchange.summary() + redeemed, Tone.WARNING)
        self._status_shows = self.targets.origin()

    def _auto_refresh_toggled(self, on: bool) -> None:
        """Switched on with a refresh token this run knows the server refused (or that a
        replay put in doubt): said at once, not at the due time, a day later. So is a response
        on display whose id_token failed its checks: the next refresh would paint a verified
        one over it (tryout Z), as when the checks fail while it runs."""
        self.auto_refresh.set_enabled(on)
        refused = self._why_the_refresh_token_will_not_do()
        if not refused and (failed := self.session.checks_failed_on_display()):
            refused = f"the id_token on display failed its checks ({', '.join(failed)})"
        if on and refused:
            self.auto_refresh.stop(refused)

    def _why_the_refresh_token_will_not_do(self) -> str:
        """Why the chain's refresh token can't refresh — the server refused it, or a replay put
        it in doubt — or "" (none yet is not a reason: auto-refresh waits for one)."""
        current = self.session.refresh_token()
        if current is None or current[1].usable:
            return ""
        status = current[1]
        return f"the refresh token is {status.state.value} — {status.why}"

    def _refresh_now(self) -> None:
        """Auto-refresh came due: refresh with the chain's refresh token, if it is worth it."""
        current = self.session.refresh_token()
        if current is None:
            self.auto_refresh.stop("there is no refresh token to refresh with")
            return
        if refused := self._why_the_refresh_token_will_not_do():
            self.auto_refresh.stop(refused)
            return
        token = current[0]
        request = TokenRequest.from_form(
            vendor.GRANT_REFRESH_TOKEN,
            code_verifier=self.form.code_verifier.text(),
            refresh_token=token,
            scopes=self.form.selected_scopes(),
        )
        self.status.say("Auto-refresh: refreshing the access token…")
        self.auto_refresh.sending()
        self._send_token(request)

    def request_share_token(self) -> None:
        current = self.session.access_token()
        if current is None:
            self.status.say("Get an access token first (with the share scope)", Tone.WARNING)
            return
        token = current[0]
        dialog = ShareTokenDialog(self.settings.get("share_for_client_id", ""), self)

        def warn_unless_good() -> None:
            # Said when the dialog opens, and again when time changes what the token is worth
            # while it is open (tryout AN: it expired meanwhile, and Send spent the request).
            now = self.session.access_token()
            if now is not None and now[0] == token and not now[1].good_here:
                dialog.warn(f"The access token is {now[1].state.value}: {now[1].why}")

        warn_unless_good()
        self._tick.timeout.connect(warn_unless_good)  # after the session's own tick
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self._tick.timeout.disconnect(warn_unless_good)
        if not accepted:
            return
        for_client_id = dialog.for_client_id.text().strip()
        self.settings.set("share_for_client_id", for_client_id)
        self.send_share_token(for_client_id, dialog.ttl.value(), token)

    def send_share_token(self, for_client_id: str, ttl_s: int, access_token: str = "") -> None:
        if not access_token:
            current = self.session.access_token()
            access_token = current[0] if current is not None else ""
        request = ShareTokenRequest(access_token, for_client_id, ttl_s)
        self.controller.send_share_token(self.targets.target(), request, self.targets.origin())

    def _whose_tokens(self) -> str | None:
        """The name of the profile whose tokens are on display."""
        origin = self.session.chain_origin()
        return origin.label if origin is not None else None

    def _started(self, label: str) -> None:
        self._running = (label, self.targets.origin())
        self.status.show_busy(label)
        self.form.set_busy(True, label)

    def _say_whose_request_runs(self, current: Origin) -> None:
        """A request still running after a switch is the other target's: the line beside
        Cancel names it — Cancel stops that one — rather than read as this target's."""
        if not self.controller.busy or self._running is None:
            return
        label, origin = self._running
        if not origin.same_target(current):
            label = f"{label.removesuffix('…')} for {origin.label}…"
        self.form.set_busy(True, label)

    def _busy_changed(self, busy: bool) -> None:
        self.actions_by_name["cancel"].setEnabled(busy)  # as the Cancel button beside Send
        if not busy:  # (busy: `started` follows, and tells the form what runs)
            self.form.set_busy(False)
            self.status.show_idle()
            if not self.form.has_code_note():
                # Get code cleared the note and brought no code (refused, cancelled): the
                # code still in the form is as spent as it was (tryout W replayed it).
                self.request_notes.note_a_spent_code(self.form.code.text())

    # --- id_token ---

    def verify_again(self) -> None:
        self._recheck(self.session.request_verification)

    def _recheck(self, start: Callable[[], bool]) -> None:
        """Verify again, or other keys: the verdict goes to the status bar too, so a check that
        comes out the same is seen to have run — and a red "not trusted" there from the
        previous check doesn't outlive it."""
        self._announce_verdict = True
        if not start():
            self._announce_verdict = False
            self.status.say("No id_token to verify", Tone.WARNING)

    def open_keys_dialog(self) -> None:
        dialog = KeysDialog(
            self._keys_text, self.session.leeway_s, self.session.keys_in_use(), self
        )
        while dialog.exec() == QDialog.DialogCode.Accepted:
            self.session.set_leeway(dialog.leeway.value())
            if dialog.use_issuer:
                self._keys_text = ""
                self._recheck(self.session.use_fetched_keys)
                return
            text = dialog.text.toPlainText()
            try:
                keys = keys_from_text(text, "pasted keys")
            except KeyFetchError as exc:
                dialog.problem.setText(str(exc))
                continue
            self._keys_text = text
            description = f"{len(keys)} pasted key(s)"
            self._recheck(partial(self.session.use_pasted_keys, tuple(keys), description))
            return

    # --- tools and exports ---

    def open_jwt_workbench(self) -> JwtWorkbench:
        """Tools ▸ Decode and verify a JWT: keys from the current target's issuer (TLS always
        verified), a pasted JWKS or PEM, or none."""
        if self.workbench is None:
            self.workbench = JwtWorkbench(
                lambda: self.controller.keys_http_for(self.targets.current),
                self.controller.keys_cache,
                self.controller.start_background,
                self,
            )
        profile = self.targets.current
        self.workbench.prefill(profile.issuer, profile.client_id)
        self.workbench.show()
        self.workbench.raise_()
        return self.workbench

    def open_pkce_checker(self) -> None:
        attempt = self.session.pending_authorize
        verifier = self.form.code_verifier.text().strip()
        # The challenge of the Get code whose verifier is in the form, and only that one: a
        # pair from two attempts would show a mismatch nobody made.
        if attempt is not None and attempt.pkce.code_verifier == verifier:
            challenge = attempt.pkce.code_challenge
        else:
            challenge = s256_challenge(verifier) if verifier.isascii() and verifier else ""
        PkceCheckerDialog(verifier, challenge, self).exec()

    def copy_as_curl(self) -> str | None:
        request = self.form.token_request()
        code = request.code if request.grant_type == vendor.GRANT_AUTHORIZATION_CODE else ""
        spent = self.session.code_note(code, self.targets.origin()) if code.strip() else None
        known = (
            self.session.refresh_token_status(request.refresh_token)
            if request.grant_type == vendor.GRANT_REFRESH_TOKEN
            else None
        )
        refused = (
            f"the refresh token is {known[1].state.value} ({known[1].why.rstrip('.')})"
            if known is not None and known[1].state in _REFUSED_STATES
            else ""
        )
        command = exports.copy_as_curl(
            request,
            self.targets.target(),
            self._say_of_this_profile,
            spent_code=spent or "",
            refused_refresh_token=refused,
        )
        if command is not None and code.strip():
            self.session.code_copied(code)  # a 401 at the next Send may be the command's doing
        return command

    def _say_of_this_profile(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """A message about this profile's request: it goes with a switch to another, where
        it would read as that one's (tryout AE: "Not sent: the refresh token is another
        server's" stayed on a profile whose refresh token was its own)."""
        self.status.say(text, tone, for_profile=self.targets.current.id)

    def copy_response_json(self) -> None:
        exports.copy_response_json(self.session.latest_exchange(), self.status.say)

    def save_exchange(self, path: Path | None = None) -> Path | None:
        """The latest exchange as JSON (masked unless its own profile keeps full tokens)."""
        latest = self.session.latest()
        exchange = latest[0] if latest is not None else None
        return exports.save_exchange(
            exchange,
            full_tokens=latest is not None and latest[1].profile.store_full_tokens,
            parent=self,
            say=self.status.say,
            path=path,
            verdict=self.session.verdict_on_arrival(exchange) if exchange is not None else None,
            drill=self.session.drill_that_made(exchange),
        )

    # --- view ---

    def set_scheme(self, scheme: str | None) -> None:
        if scheme is not None:
            self.settings.set("scheme", scheme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_style(app, self.settings.get("scheme", "system"))
        # Tones are palette-dependent: render again in the new colours.
        for event in self.session.panel_events():
            self._render(event)
        self.check_panel.recolour()

    def reset_layout(self) -> None:
        """The default layout for the window's size — in a window brought back within its
        screen when it no longer fits there (made larger than a laptop's screen, or moved to
        one from a large monitor): a reset never leaves Send or the menus off the screen."""
        screen = self.screen()
        if screen is not None and not (self.isMaximized() or self.isFullScreen()):
            available = screen.availableGeometry()
            if not available.contains(self.frameGeometry()):
                self.resize(self.size().boundedTo(available.size()))
                self.move(available.topLeft())
                keep_frame_on_screen(self)  # with its title bar and borders
        self._arrange()

    def _arrange(self) -> None:
        """The default layout for the current size. Until the user moves a dock it follows the
        window: maximised or made narrow, the default layout for the new width."""
        # Before the first frame the docks are not laid out yet: every one of them counts as
        # on screen, and nobody has seen any of them in front. A wide layout shows the error
        # panel beside the rest, "No error" too: that is no reason to put it in front.
        in_front = [
            name
            for name, dock in self.docks.items()
            if self._painted
            and not dock.visibleRegion().isEmpty()
            and (name != "error" or self.error_panel.says_something)
        ]
        self._arranging = True
        self._default_layout = window_layout.arrange(self, self.docks)
        self._arranging = False
        self._retitle()  # tabs in a row or not
        # The panels that were in front stay in front (the layout's own picks are for a first
        # launch): a failure's error must not go behind the older response because the window
        # was resized. Where they now share one row of tabs, the result that matters most wins.
        for name in window_layout.FRONT_PRIORITY:
            if name in in_front:
                self.docks[name].raise_()

    def _dock_moved(self) -> None:
        if not self._arranging:
            self._default_layout = None  # the user's layout now: leave it alone

    @property
    def settled(self) -> bool:
        """The window manager's resizes after the first show are over: from now on a resize
        keeps the sizes the docks have (a person's splitters), not the default ones."""
        return self._settling.isValid() and self._settling.elapsed() >= _SETTLING_MS

    def changeEvent(self, event: QEvent) -> None:  # Qt names it
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            # Another window of the app may have written or cleared the history meanwhile.
            self.history.refresh_soon()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt names it
        super().resizeEvent(event)
        self._retitling.start()  # a wider or narrower row of tabs: room for its marks or not
        made_for = self._default_layout
        laid_out = False
        if made_for is None:
            pass
        elif made_for != window_layout.layout_kind(self, self.docks):
            self._arrange()
            laid_out = True
        elif not self.settled:
            # The window manager's own resizes just after the first show (maximising to the
            # screen, say) get the default sizes too; later, the user's splitters stay put.
            window_layout.size_docks(self, self.docks)
            laid_out = True
        self._request_width.window_resized(event.oldSize(), give_back=not laid_out)
        if not laid_out and self.height() > event.oldSize().height():
            window_layout.lengthen_the_history(self, self.docks)

    def _restore_layout(self) -> bool:
        """The remembered geometry and docks; True when the docks still need their default
        places (a first launch, a layout saved by a version with another layout, or a state
        this Qt can't read). Whether a restored default layout suits this screen is known at
        the first show (`_check_restored_layout`)."""
        geometry, state = self.settings.geometry(), self.settings.state()
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen() or QGuiApplication.primaryScreen()
            self.resize(window_layout.first_window_size(screen.availableGeometry()))
        else:
            self._take_back_the_saved_size()
        # The geometry brings the maximised flag back, and the size to return to. Into a
        # hidden maximised window Qt restores the docks twice: now, and again once the window
        # manager has maximised it — over a default layout made in between (a dangling dock
        # item: a crash). The docks are restored into the normal window instead; maximised,
        # it lays them out again like any resize.
        maximised = self.isMaximized()
        if maximised:
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMaximized)
        restored = state is not None and self.restoreState(state, window_layout.LAYOUT_VERSION)
        if maximised:  # the normal geometry is the one restored above
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        if not restored:
            return True
        self._restored_default = self.settings.default_layout()
        self._place_unknown_docks()
        return False

    def _take_back_the_saved_size(self) -> None:
        """`restoreGeometry` keeps room for a title bar of its own guess (the style's, 24 px
        at 200%) above a window as tall as the screen: it gives a shorter window, lower down.
        Framed by a title bar of 13 px, the second launch at 200% on 1920×1080 had 13 px less
        than the first, and the Profile row went out of view above Send. The window takes back
        the size it was closed at, within the screen, as a first launch does; the frame the
        window manager adds is fitted in once it is known (`moveEvent`)."""
        saved, screen = self.settings.saved_size(), self.screen()
        if saved is None or screen is None or self.isMaximized() or self.isFullScreen():
            return  # maximised, the saved size is the screen's: the normal one is restored
        available = screen.availableGeometry()
        covering = window_layout.size_on_another_screen(
            saved, self.settings.saved_screen(), available
        )
        if covering is not None:
            # Closed covering a screen of another size, it covers this one as a first launch
            # would. Closed at 200% on 1920×1080, opened at 100% on 1024×700, it had come back
            # 958×527, with the Profile row scrolled out of view (tryout AN).
            place = QRect(QPoint(), covering)
            place.moveCenter(available.center())
            self.setGeometry(place)
            return
        size = saved.boundedTo(available.size())
        if size.width() <= self.width() and size.height() <= self.height():
            return
        # Qt moved it down as far as it made it shorter: back up as far as it must to fit.
        place = QRect(self.pos(), size)
        place.moveBottom(min(place.bottom(), available.bottom()))
        place.moveRight(min(place.right(), available.right()))
        self.setGeometry(place.intersected(available))

    def _place_unknown_docks(self) -> None:
        """A layout saved by an earlier version doesn't know the panels added since, and Qt
        can leave those unplaced — drawn over the form. Each joins the history's tabs (where
        the default layout puts the newest panel); the rest of the user's layout stays."""
        unplaced = Qt.DockWidgetArea.NoDockWidgetArea
        history = self.docks["history"]
        for dock in self.docks.values():
            if self.dockWidgetArea(dock) is not unplaced or dock.isFloating():
                continue
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if dock is not history and self.dockWidgetArea(history) is not unplaced:
                self.tabifyDockWidget(history, dock)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt names it
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._after_first_frame)  # posted now: runs after this frame

    def _after_first_frame(self) -> None:
        """The first frame is on screen: now what it didn't need. The built-in emulator's
        server (a request sent before it answers waits in the reserved port's backlog) and the
        history list."""
        if self._closing:
            return
        if self.emulator.reserved:
            self.start_emulator()
        self.history.list_after_first_frame()
        if not self._placed:
            self._placed = bring_frame_inside(self)  # framed by now, without a move to say so
        # A panel left floating comes back with the window. Shown before the window was, it
        # was mapped while the window it belongs to was not managed yet: some window managers
        # then stack it as a window of its own — under the main window, where nobody sees it
        # though View says it is shown, or sent there by the next click on the window (tryout
        # AK). Shown again now, it is the window's own: kept above it.
        for dock in self.docks.values():
            if dock.isFloating() and dock.isVisible():
                dock.hide()
                dock.show()
                dock.raise_()

    def showEvent(self, event: QShowEvent) -> None:  # Qt names it
        super().showEvent(event)
        self._fit_to_screen()
        if not self.ready:
            # The second step, before the first paint: the default layout is then made for the
            # filled-in target and its messages, and nothing moves once the window is up.
            self.start()
        if not self._needs_arrange:
            self._needs_arrange = self._check_restored_layout()
        if self._needs_arrange:
            self._needs_arrange = False
            self._arrange()
            self._settling.start()

    def moveEvent(self, event: QMoveEvent) -> None:  # Qt names it
        super().moveEvent(event)
        # A window manager frames the window after it is shown (the title bar's height arrives
        # with a move): only then can the frame be made to fit.
        keep_frame_on_screen(self)  # the status bar must not end below the screen's edge
        if not self._placed:
            self._placed = bring_frame_inside(self)  # a remembered place, now framed

    def _check_restored_layout(self) -> bool:
        """At the first show, sized for this screen: True when the restored docks must give
        way to the default layout. A default layout saved for another kind of window (two
        result columns on a large screen, say, now on a laptop) is made again for this one;
        the same kind goes on following the window's size. The user's own layout stays —
        unless its docks can't all fit this screen (Send and the results would be cut off)."""
        restored, self._restored_default = self._restored_default, None
        saved = self.settings.saved_size()
        if restored is not None:
            if restored != window_layout.layout_kind(self, self.docks):
                return True
            self._default_layout = restored
            # The same kind, but a window that came back shorter than it was saved (without a
            # window manager, Qt restores it below where it was): docks sized for the taller
            # one would scroll the request, which the default layout never does.
            if self._request_cut_short():
                return True
            if saved is not None and saved != self.size():
                # Another size (a larger screen): the default sizes for this one, as a resize
                # gives them — docks sized for the smaller window left a gap under Send.
                window_layout.size_docks(self, self.docks)
            return False
        # Laid out in a larger window: docks that now cut the request short (Send out of view)
        # need that window. In a window of the size it was made in, a squeezed request is the
        # user's own choice.
        smaller = saved is not None and (
            self.width() < saved.width() or self.height() < saved.height()
        )
        cut_short = smaller and self._request_cut_short()
        if self._fits_the_screen(self.minimumSizeHint()) and not cut_short:
            if saved is not None and self.width() > saved.width():
                # Qt gives the width the window gained to the request column: it keeps the
                # width it was saved with, the results take the rest (as in a resize).
                window_layout.widen_the_results(self, self.docks, self.width() - saved.width())
            return False
        self.status.say(
            "Your saved layout needs a larger screen: the default layout is shown "
            "(arrange the panels again to make one for this screen)",
            Tone.WARNING,
        )
        return True

    def _request_cut_short(self) -> bool:
        """Whether the request column, laid out as restored, is shorter than its content."""
        layout = self.layout()
        central = self.centralWidget()
        if layout is None or central is None:
            return False
        layout.activate()
        return central.height() < window_layout.request_height(self)

    def _fits_the_screen(self, size: QSize) -> bool:
        screen = self.screen()
        if screen is None:
            return True
        available = screen.availableGeometry()
        return size.width() <= available.width() and size.height() <= available.height()

    def _fit_to_screen(self) -> None:
        """A remembered size from a larger screen (or another scale) never exceeds this one."""
        screen = self.screen()
        if screen is None:
            return
        available = screen.availableGeometry()
        if self.width() > available.width() or self.height() > available.height():
            self.resize(self.size().boundedTo(available.size()))

    def save_layout(self) -> None:
        self.settings.save_layout(
            QByteArray(self.saveGeometry()),
            QByteArray(self.saveState(window_layout.LAYOUT_VERSION)),
            default_layout=self._default_layout,
            size=self.size(),
            screen=screen.availableGeometry().size() if (screen := self.screen()) else None,
        )

    # --- shutdown ---

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel what runs, close the windows this one opened, remember the layout. Closing
        connections needs the loop, so it is scheduled; `shutdown()` awaits it at exit."""
        self._closing = True
        self.save_layout()
        self.controller.cancel()
        self.auto_refresh.set_enabled(False)
        self.get_code_flow.close_dialog()
        for dialog in self.findChildren(QDialog):
            dialog.close()
        QTimer.singleShot(0, self._schedule_shutdown)
        super().closeEvent(event)

    def _schedule_shutdown(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a window used without qasync): nothing to close
        self._shutdown_once()

    def _shutdown_once(self) -> asyncio.Future[None]:
        if self._shutdown_task is None:
            self._shutdown_task = asyncio.ensure_future(self._shutdown())
        return self._shutdown_task

    async def shutdown(self) -> None:
        """Cancel every task, close connections and history, stop the emulator (idempotent)."""
        await self._shutdown_once()

    async def _shutdown(self) -> None:
        await self.target_binding.close()
        await self.controller.shutdown()
        self.history.close()
        self.emulator.stop()


def _awaited_the_emulator(origin: Origin) -> bool:
    """`origin` is a profile that follows the built-in emulator, announced before the emulator
    had its port: the port that comes next is no edit of it (tryout AI: "Built-in emulator
    edited", said on the first switch to it after each launch)."""
    profile = origin.profile
    return (profile.builtin or profile.follows_emulator) and profile.base_url == EMULATOR_STARTING
