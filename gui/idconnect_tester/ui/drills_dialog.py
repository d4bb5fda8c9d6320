"""Emulator drills from the window (Tools ▸ Emulator drills…): the emulator's own list of drills,
read over HTTP from its control endpoint; arm one for the next N responses, or disarm it.

While a drill is armed the status bar says so ("drill armed: slow (2 left)"), so nobody takes a
drilled failure for a real one. The emulator counts down, not the app: after every operation
the mark asks the emulator what is left, and disappears when the drill is used up.

Drills work on an emulator on this machine: the built-in one, or `idconnect-tester emulator`
selected through a profile. Other targets are refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.emulator_drills import (
    MAX_TIMES,
    ArmedDrill,
    Drill,
    DrillError,
    DrillState,
    arm_drill,
    disarm_drill,
    drills_problem,
    param_label,
    read_drills,
)
from idconnect_tester.core.exchange import Exchange
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.target import normalise_base_url
from idconnect_tester.core.target_selection import TargetSelection
from idconnect_tester.core.wording import sentence_case
from idconnect_tester.ui.controller import RequestController
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import (
    WrappingLabel,
    correct_to_nearest,
    give_mnemonics,
    mnemonic_letters,
    with_mnemonic,
    wrap_rows,
)

if TYPE_CHECKING:
    import httpx

_TIMES_LABEL: Final = "For the &next"
# A parameter box's own bounds; the emulator checks each parameter's range and says what it takes.
_PARAM_MAX: Final = 1_000_000


class DrillsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drillsDialog")
        self.setWindowTitle("Emulator drills")
        self.setModal(False)
        intro = QLabel(
            "A drill makes the emulator's next responses of the token and share-token endpoints "
            "misbehave the way a real server or network can, to see what the app (and you) do "
            "then. Discovery, keys and authorize are never affected."
        )
        intro.setWordWrap(True)
        self.target = WrappingLabel("")
        self.target.setObjectName("drillsTarget")
        set_tone(self.target, Tone.MUTED)
        self._grown = False  # made taller for its list once, when first filled
        self.list = QTreeWidget()
        self.list.setObjectName("drillsList")
        self.list.setAccessibleName("Emulator drills")
        self.list.setHeaderLabels(["Drill", "What it does"])
        self.list.setRootIsDecorated(False)
        wrap_rows(self.list)  # a drill's description, whole
        self.list.setAlternatingRowColors(True)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.times = QSpinBox()
        self.times.setObjectName("drillTimesSpin")
        self.times.setAccessibleName("How many responses the drill changes")
        self.times.setRange(1, MAX_TIMES)
        self.times.setSuffix(" response(s)")
        correct_to_nearest(self.times)
        self.times.setToolTip(
            f"How many responses the drill changes: {self.times.minimum():,} to "
            f"{self.times.maximum():,}"
        )
        self.arm_button = QPushButton("&Arm")
        self.arm_button.setObjectName("drillArmButton")
        self.arm_button.setToolTip("Arm the selected drill for the next responses")
        self.disarm_button = QPushButton("&Disarm")
        self.disarm_button.setObjectName("drillDisarmButton")
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setObjectName("drillReloadButton")
        # Return arms the selected drill (what the dialog is for), never reloads or disarms.
        for button in (self.reload_button, self.disarm_button):
            button.setAutoDefault(False)
        self.arm_button.setDefault(True)
        self.status = WrappingLabel("")
        self.status.setObjectName("drillsStatus")
        form = QFormLayout()
        form.addRow(_TIMES_LABEL, self.times)
        # The selected drill's parameters (the slow drill's delay_s…), at the emulator's
        # defaults; the emulator checks the ranges and says what it accepts.
        # Their room is kept for the drill with the most (see show_state): picking another
        # drill never moves the buttons below, nor resizes the dialog.
        # A drill without settings says so there, rather than leave a blank band.
        self.params_box = QWidget()
        params_layout = QVBoxLayout(self.params_box)
        params_layout.setContentsMargins(0, 0, 0, 0)
        self.params_note = QLabel()
        self.params_note.setObjectName("drillParamsNote")
        set_tone(self.params_note, Tone.MUTED)
        params_layout.addWidget(self.params_note)
        self.params_form = QFormLayout()
        params_layout.addLayout(self.params_form)
        params_layout.addStretch(1)
        self.params: dict[str, QDoubleSpinBox] = {}
        self._drills: dict[str, Drill] = {}
        form.addRow(self.params_box)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.reload_button)
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.disarm_button)
        buttons_row.addWidget(self.arm_button)
        close = self.close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        give_mnemonics(close.buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.target)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addLayout(buttons_row)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        metrics = self.fontMetrics()
        self.resize(metrics.horizontalAdvance("M") * 64, metrics.lineSpacing() * 30)
        self._selection_changed()

    def selected(self) -> str | None:
        items = self.list.selectedItems()
        return items[0].text(0) if items else None

    def select(self, name: str) -> bool:
        for index in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(index)
            if item is not None and item.text(0) == name:
                self.list.setCurrentItem(item)
                return True
        return False

    def _selection_changed(self) -> None:
        name = self.selected()
        self.arm_button.setEnabled(name is not None)
        drill = self._drills.get(name) if name is not None else None
        wanted = drill.params if drill is not None else {}
        self.params_note.setVisible(not wanted)
        self.params_note.setText(
            "Pick a drill above to arm it."
            if drill is None
            else f"{name} has no settings: it is armed as it is."
        )
        if set(wanted) == set(self.params):
            return  # the same parameters: keep what the person set
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.params = {}
        # Alt+letters of their own, besides the buttons' and "For the next"'s.
        buttons = (self.arm_button, self.disarm_button, self.reload_button)
        taken = mnemonic_letters(
            [_TIMES_LABEL, *(b.text() for b in (*buttons, *self.close_box.buttons()))]
        )
        for param, default in wanted.items():
            spin = QDoubleSpinBox()
            spin.setObjectName(f"drillParam_{param}")
            spin.setAccessibleName(f"Drill parameter {param}")
            spin.setRange(0, _PARAM_MAX)
            spin.setDecimals(0 if drill is not None and param in drill.whole else 1)
            spin.setValue(default)
            correct_to_nearest(spin)
            spin.setToolTip(
                f"{param} for {name} (the emulator's default: {default:g}): 0 to {_PARAM_MAX:,}"
            )
            label = with_mnemonic(sentence_case(param_label(param)), taken)
            self.params_form.addRow(label, spin)
            self.params[param] = spin
        # Made after the buttons, the settings would come after Close in the Tab order: they
        # belong with "For the next", before the buttons that arm.
        order = [self.times, *self.params.values(), self.reload_button]
        for before, after in pairwise(order):
            QWidget.setTabOrder(before, after)

    def param_values(self) -> dict[str, float | int]:
        """As the emulator takes them: whole numbers as integers (it refuses a 5.0)."""
        return {
            param: round(spin.value()) if spin.decimals() == 0 else spin.value()
            for param, spin in self.params.items()
        }

    def clear_drills(self) -> None:
        """No drills to list (the target is no emulator): listed again in full next time."""
        self._drills = {}
        self.list.clear()

    def show_state(self, state: DrillState) -> None:
        chosen = self.selected()
        # Read again at every opening: listed again only when the drills differ, so the rows
        # don't move under a pointer already on its way (tryout AC: a click meant for one
        # drill armed another).
        if list(self._drills.values()) != list(state.drills):
            self._drills = {drill.name: drill for drill in state.drills}
            self._list(state.drills)
            if chosen is not None:
                self.select(chosen)
        most = max((len(drill.params) for drill in state.drills), default=0)
        row = QDoubleSpinBox().sizeHint().height() + max(0, self.params_form.verticalSpacing())
        self.params_box.setMinimumHeight(most * row)
        self.show_armed(state.armed)
        if not self._grown and self.isVisible():
            self._grown = True
            self._grow_to_list_every_drill()

    def _list(self, drills: Sequence[Drill]) -> None:
        self.list.clear()
        for drill in drills:
            params = ", ".join(param_label(k, v) for k, v in drill.params.items())
            # The description is a sentence of its own (ending "… button)."): the defaults
            # are another, not a bracket after its full stop.
            text = drill.description + (f" By default: {params}." if params else "")
            item = QTreeWidgetItem([drill.name, text])
            item.setToolTip(1, text)
            self.list.addTopLevelItem(item)

    def _grow_to_list_every_drill(self) -> None:
        """Taller, on a screen with room, by what the list needs to show every drill without
        scrolling: the default size is a laptop's, and listed half the drills on a large one."""
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the settings box just changed height: the list's is due
        self.list.doItemsLayout()  # the rows' wrapped heights at the dialog's width
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        rows = sum(self.list.visualItemRect(item).height() for item in items if item is not None)
        missing = rows - self.list.viewport().height()
        screen = self.screen()
        if missing <= 0 or screen is None:
            return
        room = screen.availableGeometry().height() * 9 // 10
        self.resize(self.width(), max(self.height(), min(self.height() + missing, room)))

    def show_armed(self, armed: ArmedDrill | None) -> None:
        self.disarm_button.setEnabled(armed is not None)
        if armed is None:
            self.say("No drill armed: the emulator answers normally.", Tone.MUTED)
        else:
            said = sentence_case(armed.describe())
            if armed.replaced is not None:
                # One drill at a time: the one armed before is gone (tryout AJ: nothing said
                # so, and it read as two armed).
                gone = armed.replaced
                said += f"; in place of {gone.name} ({gone.remaining} left), now disarmed"
            self.say(said, Tone.WARNING)

    def say(self, text: str, tone: Tone) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)


class DrillMark(QLabel):
    """The status bar's "drill armed: name (N left)", hidden while no drill is armed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drillMark")
        self.setTextFormat(Qt.TextFormat.PlainText)  # a drill's name, as the server lists it
        self.setAccessibleName("Armed emulator drill")
        set_tone(self, Tone.WARNING)
        self.setVisible(False)

    def show_armed(self, armed: ArmedDrill | None, base_url: str, elsewhere: str = "") -> None:
        """`elsewhere`: the profile the drill is armed on, when another target is selected —
        beside that target's address, the mark read as that target's drill."""
        said = armed.describe() if armed is not None else ""
        self.setText(f"{said} on {elsewhere}" if said and elsewhere else said)
        self.setToolTip(f"On the emulator at {base_url} — Tools ▸ Emulator drills… to disarm")
        self.setVisible(armed is not None)


class Drills:
    """The drills dialog and the mark, for the selected target, through the controller's HTTP
    client (in the background: Send stays usable)."""

    def __init__(
        self,
        controller: RequestController,
        targets: TargetSelection,
        ensure_emulator: Callable[[], None],
        parent: QWidget,
        answered: Callable[[str, str], None] = lambda _name, _kind: None,
        to_ask_about: Callable[[], tuple[Exchange, Profile] | None] = lambda: None,
    ) -> None:
        """`answered(name, kind)`: the drill `name` answered the request that just ended (the
        one armed here counted down with it, or the emulator used one while it was on its way;
        `kind` as the emulator lists it, "" when unknown),
        so what came of it is the drill's doing, not the server's. `to_ask_about()`: the latest
        request, and the target it went to, when the emulator may say more of it than its
        answer did (it got none, or it named a drill armed elsewhere)."""
        self._controller = controller
        self._targets = targets
        self._ensure_emulator = ensure_emulator
        self._parent = parent
        self._answered = answered
        self._to_ask_about = to_ask_about
        self._asked_about: Exchange | None = None  # the emulator is asked once per request
        self.mark = DrillMark()
        self.dialog: DrillsDialog | None = None
        self._armed_on: Profile | None = None  # where the mark's drill is armed
        self._armed: ArmedDrill | None = None  # as the emulator last said
        controller.busy_changed.connect(self._busy_changed)

    # --- the dialog ---

    def open_dialog(self) -> DrillsDialog:
        if self.dialog is None:
            dialog = DrillsDialog(self._parent)
            dialog.arm_button.clicked.connect(self._arm_selected)
            dialog.disarm_button.clicked.connect(self.disarm)
            dialog.reload_button.clicked.connect(self.reload)
            dialog.list.itemDoubleClicked.connect(lambda *_: self._arm_selected())
            self.dialog = dialog
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.list.setFocus()  # the keyboard starts where the drill is picked
        self.reload()
        return self.dialog

    def _profile(self) -> Profile | None:
        """The selected target, if drills can be armed there; the dialog says why not."""
        if self._targets.current.builtin:
            self._ensure_emulator()
        profile = self._targets.current
        problem = drills_problem(profile.base_url)
        if self.dialog is not None:
            self.dialog.target.setText(problem or f"Emulator: {profile.name} at {profile.base_url}")
            if problem is not None:
                self.dialog.arm_button.setEnabled(False)
                self.dialog.disarm_button.setEnabled(False)
        return None if problem is not None else profile

    def reload(self) -> None:
        profile = self._profile()
        if profile is None:
            if self.dialog is not None:
                self.dialog.clear_drills()
            return

        async def run(http: httpx.AsyncClient) -> None:
            state = await read_drills(http, profile.base_url)
            if self.dialog is not None:
                self.dialog.show_state(state)
            self._show_mark(state.armed, profile)

        self._start(profile, run, "read the emulator's drills")

    def _arm_selected(self) -> None:
        dialog = self.dialog
        if dialog is not None and (name := dialog.selected()) is not None:
            self.arm(name, dialog.times.value(), dialog.param_values())

    def arm(self, name: str, times: int, params: dict[str, float | int] | None = None) -> None:
        profile = self._profile()
        if profile is None:
            return

        async def run(http: httpx.AsyncClient) -> None:
            armed = await arm_drill(http, profile.base_url, name, times, params)
            self._show_mark(armed, profile)
            if self.dialog is not None:
                self.dialog.show_armed(armed)

        self._start(profile, run, f"arm the {name} drill")

    def disarm(self) -> None:
        profile = self._profile()
        if profile is None:
            return

        async def run(http: httpx.AsyncClient) -> None:
            await disarm_drill(http, profile.base_url)
            self._show_mark(None, profile)
            if self.dialog is not None:
                self.dialog.show_armed(None)

        self._start(profile, run, "disarm the drill")

    # --- the mark ---

    def _busy_changed(self, busy: bool) -> None:
        """An operation ended: it may have used the armed drill up (the emulator knows)."""
        profile = self._armed_on
        if busy:
            return
        if profile is None:
            self._ask_the_emulator()
            return

        async def run(http: httpx.AsyncClient) -> None:
            state = await read_drills(http, profile.base_url)
            if self._armed_on is profile:
                before, after = self._armed, state.armed
                self._show_mark(after, profile)
                if before is not None and (
                    after is None
                    or (after.name == before.name and after.remaining < before.remaining)
                ):  # it counted down with the request that just ended
                    self._answered(before.name, "")
                if self.dialog is not None and self.dialog.isVisible():
                    self.dialog.show_armed(state.armed)

        self._start(profile, run, "count the drill down")

    def _ask_the_emulator(self) -> None:
        """A request that got no answer (a reset, a cancel) to an emulator here, with no drill
        armed from this window: one armed from outside it (curl, a script) may have been
        behind it — and the answer, which would have said so, never came (tryout AG: a reset
        armed with curl went into the History as a real network failure). The emulator says
        which drill it used last, and when. An answer that named a drill armed from outside:
        the mark says what it has left (tryout AH: none until the drills dialog was opened)."""
        waiting = self._to_ask_about()
        if waiting is None or waiting[0] is self._asked_about:
            return
        exchange, profile = waiting
        self._asked_about = exchange
        if drills_problem(profile.base_url) is not None:
            return

        async def run(http: httpx.AsyncClient) -> None:
            try:
                # Any server on this machine may be asked: an emulator answers at once.
                state = await read_drills(http, profile.base_url, timeout_s=1.0)
            except DrillError:
                return  # not an emulator of ours: nothing more to learn
            if state.armed is not None:
                self._show_mark(state.armed, profile)
            used, still = state.last_used, self._to_ask_about()
            if (
                exchange.response is None
                and used is not None
                and used.during(exchange)
                and still
                and still[0] is exchange
            ):
                self._answered(used.name, used.kind)

        self._start(profile, run, "ask the emulator which drill answered")

    def _show_mark(self, armed: ArmedDrill | None, profile: Profile) -> None:
        self._armed_on = profile if armed is not None else None
        self._armed = armed
        self._update_mark()

    def target_changed(self) -> None:
        """Another target selected: the mark for it, and the dialog, if open, reads that
        target's drills (tryout AJ: it went on saying the last target was no emulator, its
        list empty, until Reload)."""
        self._update_mark()
        if self.dialog is not None and self.dialog.isVisible():
            self.reload()

    def _update_mark(self) -> None:
        """The mark for the target selected now: it names the drill's emulator when that is
        not the selected target."""
        armed_on = self._armed_on
        if self._armed is None or armed_on is None:
            self.mark.show_armed(None, "")
            return
        here = normalise_base_url(armed_on.base_url) == normalise_base_url(
            self._targets.current.base_url
        )
        self.mark.show_armed(self._armed, armed_on.base_url, "" if here else armed_on.name)

    def _start(
        self,
        profile: Profile,
        step: Callable[[httpx.AsyncClient], Coroutine[Any, Any, None]],
        what: str,
    ) -> None:
        http = self._controller.http_for(profile)

        async def run() -> None:
            try:
                await step(http)
            except DrillError as exc:
                if self.dialog is not None:
                    self.dialog.say(f"Could not {what}: {exc}", Tone.ERROR)

        self._controller.start_background(run(), what)
