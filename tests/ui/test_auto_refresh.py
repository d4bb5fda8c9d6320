"""Auto-refresh's schedule against a real controller: a refresh that came due while another
request ran waits for it to end — and does not go out if auto-refresh was switched off
meanwhile."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QTimer

from idconnect_tester.ui.auto_refresh import AutoRefresh
from idconnect_tester.ui.controller import RequestController


@pytest.mark.parametrize("switched_off_meanwhile", [False, True])
def test_a_refresh_due_during_a_request_goes_after_it_unless_switched_off(
    loop, qtbot, switched_off_meanwhile: bool
) -> None:
    controller = RequestController()
    auto_refresh = AutoRefresh(controller)
    asked: list[bool] = []
    auto_refresh.due.connect(lambda: asked.append(True))
    release = asyncio.Event()

    async def a_request_that_waits() -> None:
        await release.wait()

    assert controller.get_code(a_request_that_waits)  # the one running operation: busy
    assert controller.busy
    auto_refresh.set_enabled(True)
    now = datetime.now(UTC)
    auto_refresh.token_granted(now - timedelta(seconds=60), now - timedelta(seconds=1))
    qtbot.waitUntil(lambda: not auto_refresh.scheduled)  # it came due, and waits
    assert asked == []
    if switched_off_meanwhile:
        auto_refresh.set_enabled(False)
    release.set()
    qtbot.waitUntil(lambda: not controller.busy)
    turn_after: list[bool] = []  # queued behind what the end of the request queued
    QTimer.singleShot(0, lambda: turn_after.append(True))
    qtbot.waitUntil(lambda: bool(turn_after))
    assert asked == ([] if switched_off_meanwhile else [True])
    shutdown = asyncio.ensure_future(controller.shutdown())
    qtbot.waitUntil(shutdown.done)
