"""Regenerate the README screenshots from the real window, against the built-in emulator.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1366x768x24" \
        .venv/bin/python scripts/screenshots.py          # a real X server, a laptop's screen
    .venv/bin/python scripts/screenshots.py --only credential-check,jwt-workbench
    .venv/bin/python scripts/screenshots.py --size 1024x700 --out /tmp/shots   # to look at

Runs in a throwaway HOME (so your profiles, history and layout are neither used nor touched),
drives the window like a user, and saves (the window at 1366×768, a common laptop screen):
  first-launch.png      the window as it first opens: the built-in emulator, nothing typed
  main-window.png       a successful exchange: response, countdown, id_token checks
  main-window-dark.png  the same in the dark scheme
  older-result.png      the same code sent again: the 401, and the earlier tokens marked older
  error-panel.png       a signature mismatch, with the hint
  id-token-checks.png   the id_token panel with an expired id_token (a failing row)
  credential-check.png  the credential check on a client without Sumsub ID
  jwt-workbench.png     the JWT workbench verifying an id_token from the emulator
The secret key field is masked in every image (it is a password field). --only takes names
(without .png) to regenerate just those. Look at every image before committing it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

WINDOW_SIZE = (1366, 768)
SHOTS = (
    "first-launch",
    "main-window",
    "older-result",
    "id-token-checks",
    "error-panel",
    "main-window-dark",
    "credential-check",
    "jwt-workbench",
)


def _isolate_home() -> None:
    home = Path(tempfile.mkdtemp(prefix="idct-shots-"))
    os.environ["HOME"] = str(home)
    for variable, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        os.environ[variable] = str(home / sub)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def _wait(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.02)


async def _shoot(out: Path, only: set[str], size: tuple[int, int]) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    from idconnect_tester.core.exchange import TokenGranted
    from idconnect_tester.ui import theme
    from idconnect_tester.ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)

    async def save(name: str, widget: QWidget, settle_s: float = 0.3) -> None:
        if name in only:
            await asyncio.sleep(settle_s)  # one countdown tick and a settled layout
            widget.grab().save(str(out / f"{name}.png"))
            print(f"saved {out / name}.png")

    async def exchange(window: MainWindow) -> None:
        window.form.get_code_button.click()
        await _wait(lambda: window.form.code.text() != "" and not window.controller.busy)
        await send(window)

    async def send(window: MainWindow) -> None:
        window.form.send_button.click()
        await _wait(lambda: window.controller.busy)
        await _wait(lambda: not window.controller.busy)

    async def verdict(
        window: MainWindow, row: str = "signature", status: str | None = None
    ) -> None:
        await _wait(
            lambda: (
                window.id_token_panel.check_status(row) is not None
                and (status is None or window.id_token_panel.check_status(row) == status)
            )
        )

    for scheme in ("light", "dark"):
        theme.apply_style(app, scheme)
        window = MainWindow()
        window.resize(*size)
        window.show()
        await _wait(lambda w=window: w.ready and w.emulator.started)  # type: ignore[misc]
        if scheme == "dark":
            await exchange(window)
            await verdict(window)
            # The light window, closed on the credential check, left that tab in front.
            window.docks["idToken"].raise_()
            await save("main-window-dark", window)
            window.close()
            await window.shutdown()
            continue
        await save("first-launch", window)
        await exchange(window)
        await verdict(window)
        await save("main-window", window)
        await send(window)  # the same code again: 401, and the tokens above it are older now
        window.docks["response"].raise_()
        await save("older-result", window)
        # The checks panel, with an expired id_token so a failing row shows.
        assert window.emulator.server is not None
        window.emulator.server.set_scenario("expired_id_token")
        await exchange(window)
        await verdict(window, "exp", "fail")
        await save("id-token-checks", window.docks["idToken"], 0.2)
        if "jwt-workbench" in only:
            latest = window.session.latest_exchange()
            assert latest is not None and isinstance(latest.outcome, TokenGranted)
            await exchange(window)
            latest = window.session.latest_exchange()
            assert latest is not None and isinstance(latest.outcome, TokenGranted)
            bench = window.open_jwt_workbench()
            bench.resize(900, 740)
            bench.token.setPlainText(latest.outcome.id_token or "")
            bench.verify_button.click()
            await _wait(lambda b=bench: b.panel.check_status("signature") is not None)  # type: ignore[misc]
            await save("jwt-workbench", bench)
            bench.close()
        # A signature mismatch for the error panel.
        window.target_panel.secret_key.setText("not-the-secret-key")
        window.target_panel.edited.emit()
        await exchange(window)
        await save("error-panel", window, 0.2)
        if "credential-check" in only:
            # A client key without Sumsub ID: passes, the failure with its hint, the skips —
            # beside a good exchange made just before with the right key (marked older once the
            # app token changes), not the signature error above.
            window.target_panel.secret_key.setText("emulator-secret-key")
            window.target_panel.edited.emit()
            await exchange(window)
            window.target_panel.app_token.setText("sbx:emulator-disabled-token")
            window.target_panel.edited.emit()
            window.check_panel.run_button.click()
            await _wait(lambda w=window: w.check_runner.report is not None)  # type: ignore[misc]
            window.docks["check"].raise_()
            await save("credential-check", window)
        window.close()
        await window.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument(
        "--size",
        default="x".join(map(str, WINDOW_SIZE)),
        help="the window's size, WIDTHxHEIGHT (the README's images are 1366x768)",
    )
    parser.add_argument(
        "--only", default=",".join(SHOTS), help="comma-separated names to regenerate (default: all)"
    )
    args = parser.parse_args()
    only = {name.strip().removesuffix(".png") for name in args.only.split(",") if name.strip()}
    args.out.mkdir(parents=True, exist_ok=True)
    _isolate_home()
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        width, _, height = args.size.partition("x")
        runner.run(_shoot(args.out.resolve(), only, (int(width), int(height))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
