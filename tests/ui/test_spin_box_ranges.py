"""A number typed out of a box's range becomes the nearest value the box takes — Qt's default put
the previous one back without a word — and every box's tooltip names its range."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QDialog, QWidget
from tests.ui.helpers import WAIT_MS
from tests.ui.test_jwt_workbench import open_workbench

from idconnect_tester.core.emulator_drills import Drill, DrillState
from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.drills_dialog import DrillsDialog
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.profile_dialog import ProfileDialog
from idconnect_tester.ui.tool_dialogs import KeysDialog, ShareTokenDialog

D = TypeVar("D", bound=QDialog)

LEAVE_KEYS = [
    pytest.param(Qt.Key.Key_Tab, id="tab"),
    pytest.param(Qt.Key.Key_Return, id="return"),
]


def type_then(qtbot, spin: QAbstractSpinBox, text: str, key: Qt.Key) -> None:
    """As a person does: select what the box holds, type, then leave it or press Return."""
    spin.window().activateWindow()
    spin.setFocus()
    assert spin.hasFocus()  # so that Tab really leaves it
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), key)


def shown(qtbot, dialog: D) -> D:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def _draft() -> Profile:
    return Profile(
        new_profile_id(),
        name="Acme KYC",
        base_url="https://api.sumsub.com",
        app_token="sbx:abcdefgh",
        client_id="acme-client",
    )


def _drills_dialog() -> DrillsDialog:
    dialog = DrillsDialog()
    slow = Drill("slow", "Answers late", {"delay_s": 3.0})
    dialog.show_state(DrillState((slow,), None))
    assert dialog.select("slow")  # its parameter gets a box of its own
    dialog.times.setValue(3)  # as set for the drill before: the previous value is not the least
    return dialog


@pytest.mark.parametrize("key", LEAVE_KEYS)
def test_a_lead_typed_below_its_range_becomes_the_least_and_auto_refresh_takes_it(
    window: MainWindow, qtbot, key: Qt.Key
) -> None:
    lead = window.countdown_panel.auto_refresh_lead
    assert lead.value() > lead.minimum()
    type_then(qtbot, lead, "0", key)
    assert lead.value() == lead.minimum() == 1
    assert window.auto_refresh.lead_s == 1


@pytest.mark.parametrize("key", LEAVE_KEYS)
def test_keep_last_typed_below_its_range_becomes_the_least_and_the_history_keeps_it(
    window: MainWindow, qtbot, key: Qt.Key
) -> None:
    window.docks["history"].raise_()
    retention = window.history_panel.retention
    qtbot.waitUntil(retention.isVisible, timeout=WAIT_MS)
    assert retention.value() > 10 == retention.minimum()
    type_then(qtbot, retention, "3", key)
    assert retention.value() == 10
    assert window.history.store.retention == 10


@pytest.mark.parametrize("key", LEAVE_KEYS)
@pytest.mark.parametrize(
    ("make", "box", "least"),
    [
        pytest.param(lambda: ShareTokenDialog("a-client"), "shareTtlSpin", 1, id="share ttl"),
        pytest.param(_drills_dialog, "drillTimesSpin", 1, id="drill times"),
        pytest.param(
            lambda: ProfileDialog(_draft(), title="Profile settings"),
            "profile_timeout_s",
            0.5,
            id="profile timeout",
        ),
    ],
)
def test_a_dialogs_box_typed_below_its_range_becomes_the_least(
    qtbot, make: Callable[[], QDialog], box: str, least: float, key: Qt.Key
) -> None:
    dialog = shown(qtbot, make())
    spin = dialog.findChild(QAbstractSpinBox, box)
    assert spin is not None and spin.property("value") != least
    type_then(qtbot, spin, "0", key)
    assert spin.text().strip() and spin.property("value") == least


def test_the_profile_timeout_saved_is_the_corrected_one(qtbot) -> None:
    dialog = shown(qtbot, ProfileDialog(_draft(), title="Profile settings"))
    type_then(qtbot, dialog.timeout, "0", Qt.Key.Key_Tab)
    assert dialog.profile().timeout_s == 0.5
    assert dialog.profile().problems() == {}


def _written(number: float) -> str:
    return f"{number:,.0f}" if number == round(number) else f"{number:g}"


def test_every_number_box_corrects_to_its_range_and_names_it(window: MainWindow, qtbot) -> None:
    surfaces: list[QWidget] = [
        window,
        open_workbench(window),
        shown(qtbot, ShareTokenDialog("a-client")),
        shown(qtbot, KeysDialog("", 60)),
        shown(qtbot, ProfileDialog(_draft(), title="Profile settings")),
        shown(qtbot, _drills_dialog()),
    ]
    boxes = [spin for surface in surfaces for spin in surface.findChildren(QAbstractSpinBox)]
    names = {spin.objectName() for spin in boxes}
    assert {
        "autoRefreshLeadSpin",
        "historyRetentionSpin",
        "shareTtlSpin",
        "keysLeewaySpin",
        "profile_timeout_s",
        "drillTimesSpin",
        "drillParam_delay_s",
    } <= names
    assert any(name.endswith("LeewaySpin") and name != "keysLeewaySpin" for name in names)
    for spin in boxes:
        assert spin.correctionMode() == QAbstractSpinBox.CorrectionMode.CorrectToNearestValue, (
            spin.objectName()
        )
        low, high = spin.property("minimum"), spin.property("maximum")
        assert f"{_written(low)} to {_written(high)}" in spin.toolTip(), spin.objectName()
