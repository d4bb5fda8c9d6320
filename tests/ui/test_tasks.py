"""The window's tasks end with the window: none is left for the event loop's own teardown."""

from __future__ import annotations

import asyncio

from idconnect_tester.ui.tasks import TaskOwner


def test_a_task_started_while_shutting_down_is_cancelled_and_awaited_too() -> None:
    """A Send cancelled at close reports its end, and the report starts more work (asking the
    emulator which drill answered): that task, too, is over when shutdown returns."""
    ran_late: list[str] = []

    async def late_work() -> None:
        ran_late.append("started")
        await asyncio.sleep(3600)
        ran_late.append("finished")

    async def scenario() -> tuple[int, int]:
        owner = TaskOwner()
        started = asyncio.Event()

        async def send() -> None:
            started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                owner.start(late_work(), "ask the emulator")  # what the cancel's report starts
                raise

        owner.start(send(), "send")
        await started.wait()
        await owner.shutdown()
        left = owner.pending
        others = len(asyncio.all_tasks()) - 1  # the scenario itself
        return left, others

    left, others = asyncio.run(scenario())
    assert (left, others) == (0, 0)
    assert "finished" not in ran_late
