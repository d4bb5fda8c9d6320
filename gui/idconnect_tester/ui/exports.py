"""Edit-menu exports: the current request as curl, the response as JSON, the exchange as a file
— and a History entry as a file.

None of them carries the secret key: curl reads it from $SUMSUB_SECRET_KEY when run, and the
saved exchange is masked unless the profile opted in to full tokens (a History entry: as the
history keeps it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from idconnect_tester import vendor
from idconnect_tester.core.authorize_record import (
    authorize_record_from_dict,
    is_authorize_record,
)
from idconnect_tester.core.curl_export import curl_command
from idconnect_tester.core.emulator_drills import made_by
from idconnect_tester.core.exchange import Exchange, ShareTokenGranted, TokenGranted
from idconnect_tester.core.exchange_json import (
    response_as_json_text,
    save_exchange_json,
    save_record_json,
)
from idconnect_tester.core.exchange_record import RecordError, exchange_from_record
from idconnect_tester.core.history import HistoryEntry
from idconnect_tester.core.id_token_checks import Verdict, Verification
from idconnect_tester.core.request import TokenRequest
from idconnect_tester.core.target import Target
from idconnect_tester.core.wording import clock_time, clock_time_on
from idconnect_tester.ui.file_dialogs import save_path
from idconnect_tester.ui.theme import Tone

Say = Callable[[str, Tone], None]


def copy_as_curl(
    request: TokenRequest,
    target: Target,
    say: Say,
    *,
    spent_code: str = "",
    refused_refresh_token: str = "",
) -> str | None:
    """The request the form would send now, as a curl command that signs itself.
    `spent_code` says what became of a code this run sent already (running the command would
    replay it), `refused_refresh_token` why the refresh token will not do (the server revoked
    it): the status bar and the command's first line say so."""
    problems = [i.message for i in request.validate() if i.blocks]
    if problems:
        say(f"Nothing to copy yet: {problems[0]}", Tone.WARNING)
        return None
    if spent_code:
        warning = (
            f"this code is spent ({spent_code}). Press Get code for a fresh one before running it."
        )
    elif refused_refresh_token:
        warning = f"{refused_refresh_token}. Running it gets the same answer."
    else:
        warning = ""
    command = curl_command(
        target.url_for(vendor.TOKEN_PATH), target.app_token, request.body_bytes(), warning=warning
    )
    QGuiApplication.clipboard().setText(command)
    if warning:
        say(f"Copied as curl, but {warning}", Tone.WARNING)
    elif request.grant_type == vendor.GRANT_REFRESH_TOKEN:
        # The history masks it; a command that runs can't: said, so it is pasted with care.
        say(
            "Copied as curl, with the refresh token in full: keep it as secret as the token "
            "itself. Set SUMSUB_SECRET_KEY in the shell first (the command never holds it)",
            Tone.WARNING,
        )
    else:
        say(
            "Copied as curl — set SUMSUB_SECRET_KEY in the shell first (the command never "
            "holds it)",
            Tone.OK,
        )
    return command


def copy_response_json(exchange: Exchange | None, say: Say) -> None:
    if exchange is None or exchange.response is None:
        say("No response to copy yet", Tone.WARNING)
        return
    QGuiApplication.clipboard().setText(response_as_json_text(exchange))
    # Which one: the latest exchange's, which may be a share token's beside the tokens the
    # Response panel shows (tryout AG), so the status bar names it.
    copied = f"Copied as JSON: the response of {_which(exchange)}"
    if isinstance(exchange.outcome, TokenGranted | ShareTokenGranted):
        # As received, so whole (Save exchange and Copy for support mask them): said.
        say(
            f"{copied}, with its tokens in full: keep it as secret as they are (Copy for "
            "support masks them)",
            Tone.WARNING,
        )
    elif exchange.response.status < 300:
        # A success the app could not read (tryout AH: malformed_json's) may hold tokens all
        # the same, whole.
        say(
            f"{copied}: any token in it is in full — keep it as secret as one (Copy for "
            "support masks them)",
            Tone.WARNING,
        )
    else:
        say(copied, Tone.OK)


def _which(exchange: Exchange) -> str:
    """An exchange named in the status bar: "the token exchange of 14:02:11 (200 OK in …)"."""
    return (
        f"the {exchange.endpoint.value} exchange of {clock_time(exchange.received_at)} "
        f"({exchange.summary()})"
    )


def _verdict_record(
    exchange: Exchange, verdict: Verification | None
) -> tuple[str, list[str]] | None:
    """The id_token's verdict on arrival for the saved file: saved before its checks ended,
    an id_token is said to be unchecked — not left out, which reads as "no id_token"."""
    if verdict is not None:
        return verdict.verdict.value, verdict.held_back
    outcome = exchange.outcome
    if isinstance(outcome, TokenGranted) and outcome.id_token is not None:
        return "not checked yet", []
    return None


def save_exchange(
    exchange: Exchange | None,
    *,
    full_tokens: bool,
    parent: QWidget,
    say: Say,
    path: Path | None = None,
    verdict: Verification | None = None,
    drill: str | None = None,
) -> Path | None:
    """The exchange as a JSON file: tokens masked unless its profile keeps them in full;
    with its id_token's `verdict` when it arrived, and the `drill` that staged it."""
    if exchange is None:
        # An authorize step is no exchange of this kind: it is kept in the history.
        say(
            "No token exchange to save yet: press Send first (the authorize step is kept in "
            "the history)",
            Tone.WARNING,
        )
        return None
    if path is None:
        stamp = f"{exchange.received_at.astimezone():%Y%m%d-%H%M%S}"
        path = save_path(parent, "Save exchange", f"exchange-{stamp}.json", "JSON (*.json)")
        if path is None:
            return None
    try:
        save_exchange_json(
            exchange,
            path,
            full_tokens=full_tokens,
            id_token_on_arrival=_verdict_record(exchange, verdict),
            made_by=made_by(drill) if drill is not None else "",
        )
    except OSError as exc:
        say(f"Could not save: {exc.strerror or exc}", Tone.ERROR)
        return None
    masking = "with full tokens (profile setting)" if full_tokens else "with tokens masked"
    # Which one: the latest exchange is not always what the Raw panel shows (an authorize step
    # since, say), so the status bar names it.
    which = _which(exchange)
    # Saved as it is: a response not to be trusted, or staged, is said so here too.
    doubt = [
        *([f"id_token {verdict.verdict.value}"] if verdict and verdict.failed else []),
        *([made_by(drill)] if drill is not None else []),
    ]
    _say_saved(say, path, which, doubt, masking)
    return path


def _say_saved(say: Say, path: Path, which: str, doubt: list[str], masking: str) -> None:
    """What went where, in the status bar: amber when what was saved is not to be trusted."""
    tone = Tone.WARNING if doubt else Tone.OK
    said = f" — {'; '.join(doubt)}" if doubt else ""
    # Where first: a long line is cut at its end, and the file is what was asked for (tryout
    # AD: "… made by the emulator's server_er…", the path never shown).
    say(f"Saved to {path}: {which}{said}, {masking}", tone)


def _entry_verdict(entry: HistoryEntry) -> tuple[str, list[str]] | None:
    """The id_token's verdict on arrival as the history kept it; an id_token it has none for
    (the app closed before its checks ended, or an entry older than verdicts) is said to have
    none recorded — not left out, which reads as "no id_token"."""
    row = entry.row
    if row.id_token_verdict is not None:
        return row.id_token_verdict.value, list(row.id_token_failed)
    outcome = entry.record.get("outcome")
    if isinstance(outcome, dict) and outcome.get("id_token"):
        return "not recorded", []
    return None


def save_history_entry(
    entry: HistoryEntry,
    *,
    parent: QWidget,
    say: Say,
    path: Path | None = None,
) -> Path | None:
    """A history entry — that one, not the latest exchange — as a JSON file: the record the
    history keeps (tokens masked unless its profile kept them in full; never a secret), in
    File ▸ Save exchange's format, with its id_token's verdict on arrival and who made it.
    An authorize step is saved as its own record (`idconnect-tester/authorize`)."""
    row, record = entry.row, entry.record
    authorize = is_authorize_record(record)
    try:
        if authorize:
            authorize_record_from_dict(record)
        else:
            exchange_from_record(record)  # the record Show reads, or none to save either
    except RecordError as exc:
        say(f"Cannot save this history entry: {exc}", Tone.ERROR)
        return None
    when = clock_time_on(row.time, datetime.now(UTC))
    kind = "authorize step" if authorize else f"{row.endpoint} exchange"
    if path is None:
        stamp = f"{row.time.astimezone():%Y%m%d-%H%M%S}"
        name = f"{'authorize' if authorize else 'exchange'}-{stamp}.json"
        path = save_path(parent, f"Save the {kind} of {when}", name, "JSON (*.json)")
        if path is None:
            return None
    try:
        save_record_json(
            record,
            path,
            id_token_on_arrival=_entry_verdict(entry),
            made_by=row.made_by,
        )
    except OSError as exc:
        say(f"Could not save the {kind} of {when} to {path}: {exc.strerror or exc}", Tone.ERROR)
        return None
    summary = record.get("summary")
    said = f" ({summary})" if isinstance(summary, str) and summary else ""
    which = f"the {kind} of {when}{said} from the history"
    doubt = [
        *([f"id_token {Verdict.FAILED.value}"] if row.id_token_verdict is Verdict.FAILED else []),
        *([row.made_by] if row.made_by else []),
    ]
    masking = (
        "with full tokens, as the history keeps them (profile setting)"
        if row.full_tokens
        else "with tokens masked"
    )
    _say_saved(say, path, which, doubt, masking)
    return path
