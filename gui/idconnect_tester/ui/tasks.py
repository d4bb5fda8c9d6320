"""Owning the asyncio tasks the window starts, so none is ever left pending or garbage-collected.

asyncio keeps only weak references to tasks: a task nobody holds can vanish mid-flight, and a
task still pending at exit prints "Task was destroyed but it is pending". Every task the GUI
starts goes through a `TaskOwner`, which holds it until it finishes and cancels whatever is
left on shutdown — including a task started while shutting down: a Send cancelled at close
reports its end, and what that report starts (asking an emulator which drill answered) must
not outlive the window, to be cancelled by the loop's own teardown, where qasync runs the last
callbacks with no running loop (anyio then printed "no running event loop").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

_log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskOwner:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, coroutine: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coroutine)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Tasks report their own failures to the window; this is the last line of defence
            # so a bug shows up in the log instead of as an "exception never retrieved" warning.
            _log.error("task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def wait(self) -> None:
        """Wait until every task has finished on its own."""
        tasks = list(self._tasks)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def shutdown(self) -> None:
        """Cancel every task and wait until each has really finished; a task started meanwhile
        (by one ending) is cancelled the same way, until none is left."""
        while tasks := list(self._tasks):
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
