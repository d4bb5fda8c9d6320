"""Edit-menu exports: the current request as curl, the response as JSON, the exchange as a file.

None of them carries the secret key: curl reads it from $SUMSUB_SECRET_KEY when run, and the
saved exchange is masked unless the profile opted in to full tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from idconnect_tester import vendor
from idconnect_tester.ui.theme import Tone

if TYPE_CHECKING:
    from idconnect_tester.ui.main_window import MainWindow


def copy_as_curl(window: MainWindow) -> str | None:
    """The request the form would send now, as a curl command that signs itself."""
    from idconnect_tester.core.curl_export import curl_command

    request = window.form.token_request()
    target = window.session.target()
    problems = [i.message for i in request.validate() if i.blocks]
    if problems:
        window.status.say(f"Nothing to copy yet: {problems[0]}", Tone.WARNING)
        return None
    command = curl_command(
        target.url_for(vendor.TOKEN_PATH), target.app_token, request.body_bytes()
    )
    QGuiApplication.clipboard().setText(command)
    window.status.say(
        "Copied as curl — set SUMSUB_SECRET_KEY in the shell first (the command never holds it)",
        Tone.OK,
    )
    return command


def copy_response_json(window: MainWindow) -> None:
    from idconnect_tester.core.exchange_json import response_as_json_text

    exchange = window.last_exchange
    if exchange is None or exchange.response is None:
        window.status.say("No response to copy yet", Tone.WARNING)
        return
    QGuiApplication.clipboard().setText(response_as_json_text(exchange))
    window.status.say("Response copied as JSON", Tone.OK)


def save_exchange(window: MainWindow, path: Path | None = None) -> Path | None:
    from idconnect_tester.core.exchange_json import save_exchange_json

    exchange = window.last_exchange
    if exchange is None:
        window.status.say("No exchange to save yet", Tone.WARNING)
        return None
    if path is None:
        stamp = f"{exchange.received_at.astimezone():%Y%m%d-%H%M%S}"
        chosen, _ = QFileDialog.getSaveFileName(
            window, "Save exchange", f"exchange-{stamp}.json", "JSON (*.json)"
        )
        if not chosen:
            return None
        path = Path(chosen)
    full = window.session.current.store_full_tokens
    try:
        save_exchange_json(exchange, path, full_tokens=full)
    except OSError as exc:
        window.status.say(f"Could not save: {exc.strerror or exc}", Tone.ERROR)
        return None
    masking = "with full tokens (profile setting)" if full else "with tokens masked"
    window.status.say(f"Exchange saved {masking} to {path}", Tone.OK)
    return path
