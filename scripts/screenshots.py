"""Regenerate the README screenshots from the real window, against the built-in emulator.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python scripts/screenshots.py --only credential-check,jwt-workbench

Runs in a throwaway HOME (so your profiles, history and layout are neither used nor touched),
drives the window like a user, and saves:
  main-window.png       a successful exchange: response, countdown, id_token checks
  main-window-dark.png  the same in the dark scheme
  error-panel.png       a signature mismatch, with the hint
  id-token-checks.png   the id_token panel with an expired id_token (a failing row)
  credential-check.png  the credential check on a client without Sumsub ID (a 1366×768 screen)
  jwt-workbench.png     the JWT workbench verifying an id_token from the emulator
The secret key field is masked in every image (it is a password field). --only takes names
(without .png) to regenerate just those.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

WINDOW_SIZE = (1400, 900)
SMALL_SCREEN = (1366, 768)  # a common laptop screen; the check and the workbench fit it
MAIN_SHOTS = ("main-window", "main-window-dark", "error-panel", "id-token-checks")
TOOL_SHOTS = ("credential-check", "jwt-workbench")


def _isolate_home() -> None:
    home = Path(tempfile.mkdtemp(prefix="idct-shots-"))
    os.environ["HOME"] = str(home)
    for variable, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        os.environ[variable] = str(home / sub)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def _wait(condition: object, timeout_s: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.02)


async def _exchange(window: object) -> None:
    from idconnect_tester.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.form.get_code_button.click()
    await _wait(lambda: window.form.code.text() != "" and not window.controller.busy)
    window.form.send_button.click()
    await _wait(lambda: window.controller.busy)
    await _wait(lambda: not window.controller.busy)


async def _shoot_tools(out: Path, only: set[str]) -> None:
    """The credential check and the JWT workbench, on a 1366×768 screen, light scheme."""
    from PySide6.QtWidgets import QApplication

    from idconnect_tester.core.exchange import TokenGranted
    from idconnect_tester.ui import theme
    from idconnect_tester.ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply_style(app, "light")
    window = MainWindow()
    window.resize(*SMALL_SCREEN)
    window.show()
    await _wait(lambda: window.ready and window.emulator.started)
    if "credential-check" in only:
        # A client key without Sumsub ID: passes, the failure with its hint, the skipped steps.
        window.target_panel.app_token.setText("sbx:emulator-disabled-token")
        window.target_panel.edited.emit()
        window.check_panel.run_button.click()
        await _wait(lambda: window.check_runner.report is not None)
        await asyncio.sleep(0.3)
        window.grab().save(str(out / "credential-check.png"))
        print(f"saved {out / 'credential-check.png'}")
        window.target_panel.app_token.setText("sbx:emulator-app-token")
        window.target_panel.edited.emit()
    if "jwt-workbench" in only:
        await _exchange(window)
        latest = window.session.latest_exchange()
        assert latest is not None and isinstance(latest.outcome, TokenGranted)
        bench = window.open_jwt_workbench()
        bench.resize(900, 740)
        bench.token.setPlainText(latest.outcome.id_token or "")
        bench.verify_button.click()
        await _wait(lambda: bench.panel.check_status("signature") is not None)
        await asyncio.sleep(0.3)
        bench.grab().save(str(out / "jwt-workbench.png"))
        print(f"saved {out / 'jwt-workbench.png'}")
    window.close()
    await window.shutdown()


async def _shoot(out: Path, only: set[str]) -> None:
    from PySide6.QtWidgets import QApplication

    from idconnect_tester.ui import theme
    from idconnect_tester.ui.main_window import MainWindow

    if only & set(TOOL_SHOTS):
        await _shoot_tools(out, only)
    if not only & set(MAIN_SHOTS):
        return
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for scheme, name in (("light", "main-window.png"), ("dark", "main-window-dark.png")):
        theme.apply_style(app, scheme)
        window = MainWindow()
        window.resize(*WINDOW_SIZE)
        window.show()
        await _exchange(window)
        await _wait(lambda w=window: w.id_token_panel.check_status("signature") is not None)
        await asyncio.sleep(0.3)  # one countdown tick and a settled layout
        window.grab().save(str(out / name))
        print(f"saved {out / name}")
        if scheme == "light":
            # The checks panel, with an expired id_token so a failing row shows.
            assert window.emulator.server is not None
            window.emulator.server.set_scenario("expired_id_token")
            await _exchange(window)
            await _wait(lambda w=window: w.id_token_panel.check_status("exp") == "fail")
            await asyncio.sleep(0.2)
            window.docks["idToken"].grab().save(str(out / "id-token-checks.png"))
            print(f"saved {out / 'id-token-checks.png'}")
            # A signature mismatch for the error panel.
            window.target_panel.secret_key.setText("not-the-secret-key")
            window.target_panel.edited.emit()
            await _exchange(window)
            await asyncio.sleep(0.2)
            window.grab().save(str(out / "error-panel.png"))
            print(f"saved {out / 'error-panel.png'}")
        window.close()
        await window.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument(
        "--only",
        default=",".join(MAIN_SHOTS + TOOL_SHOTS),
        help="comma-separated names to regenerate (default: all)",
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
        runner.run(_shoot(args.out.resolve(), only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
