"""`--self-test`: drive the real window through get code → token → refresh, a line per step.

It presses the same buttons a person would, against the built-in emulator, and waits on the
window's own signals — so it proves the installed app works end to end (the installer smoke
test runs it offscreen).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TextIO

from PySide6.QtCore import SignalInstance

from idconnect_tester.core.exchange import Exchange, TokenGranted
from idconnect_tester.core.id_token_checks import CheckStatus, Verdict, Verification
from idconnect_tester.core.session_events import IdTokenChanged, SessionEvent
from idconnect_tester.ui.main_window import MainWindow

STEP_TIMEOUT_S = 20.0


async def next_emission(
    signal: SignalInstance, timeout_s: float = STEP_TIMEOUT_S
) -> tuple[Any, ...]:
    """Wait (without blocking the loop) for the next emission of a Qt signal."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def slot(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(slot)
    try:
        return await asyncio.wait_for(future, timeout_s)
    finally:
        signal.disconnect(slot)


class SelfTest:
    def __init__(self, window: MainWindow, out: TextIO) -> None:
        self.window = window
        self.out = out
        self.failures = 0

    def report(self, ok: bool, step: str, detail: str, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        self.out.write(f"{'PASS' if ok else 'FAIL'}  {step:<24} {detail} ({ms:.0f} ms)\n")
        self.out.flush()
        if not ok:
            self.failures += 1

    async def step(
        self, name: str, action: Callable[[], Any], check: SignalInstance
    ) -> tuple[Any, ...] | None:
        started = time.perf_counter()
        waiting = asyncio.ensure_future(next_emission(check))
        await asyncio.sleep(0)  # let the waiter connect before the button fires
        action()
        try:
            return await waiting
        except TimeoutError:
            self.report(False, name, f"no answer within {STEP_TIMEOUT_S:.0f} s", started)
            return None

    async def run(self) -> int:
        window = self.window
        started = time.perf_counter()
        builtin = window.targets.current.builtin
        self.report(builtin, "emulator", window.targets.describe(), started)
        if not builtin:
            return 1
        icon = not window.windowIcon().isNull()
        self.report(icon, "icon", "application icon loaded" if icon else "no icon", started)

        started = time.perf_counter()
        result = await self.step(
            "get code", window.form.get_code_button.click, window.controller.code_finished
        )
        if result is None:
            return 1
        code = window.form.code.text()
        self.report(bool(code), "get code", f"code {code[:6]}… and verifier filled in", started)

        for step, grant in (("token", "authorization_code"), ("refresh", "refresh_token")):
            window.form.set_grant(grant)
            started = time.perf_counter()
            if not window.form.send_button.isEnabled():
                self.report(False, step, window.form.send_blocked.text(), started)
                return 1
            verification = self.next_verification() if grant == "authorization_code" else None
            emitted = await self.step(
                step, window.form.send_button.click, window.controller.exchange_finished
            )
            if emitted is None:
                return 1
            exchange: Exchange = emitted[0]
            granted = isinstance(exchange.outcome, TokenGranted)
            self.report(granted, step, f"{exchange.summary()}; {_fields_of(exchange)}", started)
            if not granted:
                return 1
            if verification is not None:
                await self.check_id_token(verification)
        text = window.countdown_panel.rows["access"].time.text()
        self.report(
            text.count(":") == 2, "countdown", f"expiryCountdown shows {text}", time.perf_counter()
        )
        return 0 if self.failures == 0 else 1

    def next_verification(self) -> asyncio.Future[Verification]:
        """The next verdict the id_token panel is handed."""
        future: asyncio.Future[Verification] = asyncio.get_running_loop().create_future()

        def listener(event: SessionEvent) -> None:
            if isinstance(event, IdTokenChanged) and event.view is not None:
                verification = event.view.verification
                if verification is not None and not future.done():
                    future.set_result(verification)

        self.window.session.subscribe(listener)
        future.add_done_callback(lambda _: self.window.session.unsubscribe(listener))
        return future

    async def check_id_token(self, waiting: asyncio.Future[Verification]) -> None:
        started = time.perf_counter()
        try:
            verification = await asyncio.wait_for(waiting, STEP_TIMEOUT_S)
        except TimeoutError:
            self.report(False, "id_token checks", "no verification result", started)
            return
        # Only a verified token passes: the emulator's issuer and keys are right there, so a
        # signature nothing checked is as much a failure of the installation as a failed row.
        passed = [c.name for c in verification.checks if c.status is CheckStatus.PASS]
        verdict = verification.verdict
        self.report(
            verdict is Verdict.VERIFIED,
            "id_token checks",
            f"verified, {len(passed)} passed"
            if verdict is Verdict.VERIFIED
            else verification.summary().splitlines()[0],
            started,
        )


def _fields_of(exchange: Exchange) -> str:
    """The token fields the response carried (not what the form holds: a refresh leaves the
    refresh token it used there, and the emulator, like Sumsub, issues no new one)."""
    outcome = exchange.outcome
    if not isinstance(outcome, TokenGranted):
        return "no tokens"
    carried = {
        "access_token": True,
        "expires_in": True,
        "refresh_token": outcome.refresh_token is not None,
        "id_token": outcome.id_token is not None,
    }
    return ", ".join(name for name, present in carried.items() if present)
