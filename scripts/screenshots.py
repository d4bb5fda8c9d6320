"""Regenerate the README screenshots from the real window, against the built-in emulator.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1366x768x24" \
        .venv/bin/python scripts/screenshots.py      # a real X server, as on a laptop screen

Runs in a throwaway HOME (so your profiles, history and layout are neither used nor touched),
drives the window like a user, and saves (at 1366×768, a common laptop screen):
  first-launch.png      the window as it first opens: the built-in emulator, nothing typed
  main-window.png       a successful exchange: response, countdown, id_token checks
  main-window-dark.png  the same in the dark scheme
  error-panel.png       a signature mismatch, with the hint
  id-token-checks.png   the id_token panel with an expired id_token (a failing row)
The secret key field is masked in every image (it is a password field).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

WINDOW_SIZE = (1366, 768)


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


async def _shoot(out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from idconnect_tester.ui import theme
    from idconnect_tester.ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for scheme, name in (("light", "main-window.png"), ("dark", "main-window-dark.png")):
        theme.apply_style(app, scheme)
        window = MainWindow()
        window.resize(*WINDOW_SIZE)
        window.show()
        if scheme == "light":
            await _wait(lambda w=window: w.ready and w.emulator.started)
            await asyncio.sleep(0.3)  # a settled layout
            window.grab().save(str(out / "first-launch.png"))
            print(f"saved {out / 'first-launch.png'}")
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
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    _isolate_home()
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(_shoot(args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
