"""The history of sent requests: a small SQLite database the History panel lists and reloads.

Each row keeps what the list shows (cheap to read) plus the form (to reload it) and the full
record from `exchange_to_dict` (to show it again). Tokens are masked unless the profile opted in
to full tokens. Opening never fails: a damaged database, or one from a newer version, is moved
aside and a fresh one started, and `recovery_message` tells the user where the old one went.

Calls run on the GUI thread, so each is one short statement or transaction. The one check that
grows with the database, SQLite's integrity check, is not part of opening: `integrity_problems()`
runs it on a connection of its own (call it off the GUI thread), and `recover()` sets a damaged
database aside.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import platformdirs

from idconnect_tester.core.authorize_record import (
    AUTHORIZE_ENDPOINT,
    AuthorizeRecord,
    authorize_record_to_dict,
)
from idconnect_tester.core.emulator_drills import IN_THE_SERVERS_PLACE
from idconnect_tester.core.exchange import ApiError, Exchange
from idconnect_tester.core.exchange_json import OutcomeKind, exchange_to_dict, iso_utc, outcome_kind
from idconnect_tester.core.id_token_checks import Verdict, Verification, not_verified_because
from idconnect_tester.core.masking import mask_token
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.request import TokenRequest, ordered_scopes
from idconnect_tester.core.safe_files import PRIVATE_FILE_MODE, ensure_private_dir, move_aside

APP_DIR_NAME: Final = "idconnect-tester"
SCHEMA_VERSION: Final = 2  # 2: the id_token's verdict (see _bring_up_to_date)
DEFAULT_RETENTION: Final = 1000
BUSY_TIMEOUT_S: Final = 0.5  # another window writing: wait this long, never freeze the GUI
_SQLITE_COMPANIONS: Final = ("-wal", "-shm")
_SQLITE_CORRUPT: Final = 11
_SQLITE_NOTADB: Final = 26
ID_TOKEN_FAILED_FILTER: Final = "id_token_failed"  # the status filter for untrusted id_tokens
_SUCCESS_KINDS: Final = (
    OutcomeKind.GRANTED.value,
    OutcomeKind.SHARE_GRANTED.value,
    OutcomeKind.AUTHORIZED.value,
)

_CREATE_TABLE: Final = """
CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,              -- when it ended; ISO 8601 UTC, fixed width: sorts as text
    profile_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    url TEXT NOT NULL,
    grant_type TEXT NOT NULL,
    scopes TEXT NOT NULL,            -- space separated
    status INTEGER,                  -- NULL when nothing came back
    outcome TEXT NOT NULL,           -- an OutcomeKind
    correlation_id TEXT NOT NULL,
    total_ms REAL NOT NULL,
    summary TEXT NOT NULL,
    full_tokens INTEGER NOT NULL,    -- 1 when the JSON columns hold unmasked tokens
    -- The verdict of the id_token it delivered when that arrived (a Verdict; '' for none, or
    -- not checked yet) and the checks that failed, comma separated.
    id_token_verdict TEXT NOT NULL DEFAULT '',
    id_token_failed TEXT NOT NULL DEFAULT '',
    -- The JSON columns come last: listing reads only the columns above, and SQLite then never
    -- touches the (possibly large) record's overflow pages.
    form_json TEXT,
    record_json TEXT NOT NULL
)
"""
_CREATE_INDEX: Final = "CREATE INDEX exchanges_by_time ON exchanges (time, id)"
_ROW_COLUMNS_V1: Final = (
    "id, time, profile_id, profile_name, endpoint, url, grant_type, scopes, status, outcome, "
    "correlation_id, total_ms, summary, full_tokens"
)
_ROW_COLUMNS: Final = f"{_ROW_COLUMNS_V1}, id_token_verdict, id_token_failed"
_TEXT_COLUMNS: Final = (
    "endpoint",
    "grant_type",
    "profile_name",
    "correlation_id",
    "summary",
    "url",
    "scopes",
    "outcome",
    "id_token_verdict",
    "id_token_failed",
)

log = logging.getLogger(__name__)

# Aliases: inside HistoryStore, `list` names the method, not the type.
Rows = list["HistoryRow"]
_Tuples = list[tuple[Any, ...]]


class HistoryError(Exception):
    """The history database failed after it was opened (disk full, removed, damaged)."""


def default_history_path() -> Path:
    return platformdirs.user_data_path(APP_DIR_NAME, appauthor=False) / "history.sqlite3"


@dataclass(frozen=True)
class HistoryRow:
    """One line of the history list."""

    id: int
    time: datetime
    profile_id: str
    profile_name: str
    endpoint: str
    url: str
    grant_type: str
    scopes: tuple[str, ...]
    status: int | None
    outcome: OutcomeKind
    correlation_id: str
    total_ms: float
    summary: str
    full_tokens: bool  # the stored form and record hold unmasked tokens
    # The id_token's verdict when it arrived (None: no id_token, or not checked before the
    # app closed) and the checks that held it back then (`Verification.held_back`: the failed
    # ones; for NOT VERIFIED the signature, or iss and aud; none in entries made before).
    id_token_verdict: Verdict | None = None
    id_token_failed: tuple[str, ...] = ()

    @property
    def made_by(self) -> str:
        """Who made the exchange when it was not the person ("made by the credential check",
        "made by the emulator's slow drill"), as its summary says; "" for the person's own."""
        _, found, who = self.summary.rpartition(_MADE_BY)
        return f"made by {who}" if found else ""

    @property
    def made_up(self) -> bool:
        """Its whole answer was an emulator drill's (`drill_note`): no server issued what it
        holds, though it may read as a grant."""
        return self.made_by.endswith(IN_THE_SERVERS_PLACE)

    @property
    def id_token_note(self) -> str:
        """What the id_token's checks said when it arrived ("" when there was none)."""
        match self.id_token_verdict:
            case Verdict.FAILED:
                failed = ", ".join(self.id_token_failed) or "decode"
                return f"id_token not trusted when it arrived: {failed} failed"
            case Verdict.NOT_VERIFIED:
                because = not_verified_because(self.id_token_failed)
                return f"id_token not verified when it arrived: {because}"
            case Verdict.VERIFIED:
                return "id_token verified when it arrived"
        return ""

    @property
    def succeeded(self) -> bool:
        """A success that delivered an id_token which failed its checks is none."""
        return self.outcome.value in _SUCCESS_KINDS and self.id_token_verdict is not Verdict.FAILED


@dataclass(frozen=True)
class HistoryEntry:
    """A row with what it takes to show it again (`record`) and to reload the form (`form`)."""

    row: HistoryRow
    form: dict[str, Any] | None
    record: dict[str, Any]

    @property
    def masked_fields(self) -> tuple[str, ...]:
        """Form fields that were stored masked and so come back empty from `form_request`."""
        masked = (self.form or {}).get("masked", [])
        return tuple(m for m in masked if isinstance(m, str)) if isinstance(masked, list) else ()

    def form_request(self) -> TokenRequest | None:
        """The form as it was sent, to load it again; None for requests without a token form.

        A field in `masked_fields` comes back as "" (a masked token is useless to send); the UI
        can say "the refresh token was stored masked; turn on 'store full tokens' in the
        profile to reload it".
        """
        form = self.form
        if not form:
            return None

        def text(key: str) -> str:
            value = form.get(key)
            return value if isinstance(value, str) and key not in self.masked_fields else ""

        scopes = form.get("scopes")
        return TokenRequest(
            grant_type=text("grant_type"),
            code=text("code"),
            code_verifier=text("code_verifier"),
            refresh_token=text("refresh_token"),
            scopes=tuple(s for s in scopes if isinstance(s, str))
            if isinstance(scopes, list)
            else (),
        )


def _verdict_columns(verification: Verification | None) -> tuple[str, str]:
    if verification is None:
        return "", ""
    # The rows that held the verdict back: the failed ones, or for NOT VERIFIED the signature
    # (nothing checked it) or the iss and aud nothing was given to compare with.
    return verification.verdict.value, ", ".join(verification.held_back)


def _form_dict(form: TokenRequest, *, full_tokens: bool) -> dict[str, Any]:
    """The form as sent. The code and its verifier redeem tokens, like a refresh token: all
    three are masked unless the profile keeps full tokens."""
    masked: list[str] = []
    stored = {
        "code": form.code,
        "code_verifier": form.code_verifier,
        "refresh_token": form.refresh_token,
    }
    if not full_tokens:
        for name, value in stored.items():
            if value:
                stored[name] = mask_token(value)
                masked.append(name)
    return {
        "grant_type": form.grant_type,
        **stored,
        "scopes": list(ordered_scopes(form.scopes)),
        "masked": masked,
    }


def _status_condition(status: str | None) -> tuple[str, list[Any]]:
    """SQL for the status filter: "2xx", "401", "network", "success", "error", or an outcome
    kind."""
    wanted = (status or "").strip().lower()
    if wanted in ("", "all", "any"):
        return "", []
    if re.fullmatch(r"[1-5]xx", wanted):
        low = int(wanted[0]) * 100
        return "status BETWEEN ? AND ?", [low, low + 99]
    if re.fullmatch(r"[1-5][0-9][0-9]", wanted):
        return "status = ?", [int(wanted)]
    if wanted == "network":
        return "outcome = ?", [OutcomeKind.NETWORK_ERROR.value]
    marks = ", ".join("?" * len(_SUCCESS_KINDS))
    # An exchange whose id_token failed its checks is no success, whatever its status said.
    failed = Verdict.FAILED.value
    if wanted == "success":
        return f"outcome IN ({marks}) AND id_token_verdict != ?", [*_SUCCESS_KINDS, failed]
    if wanted == "error":
        return f"(outcome NOT IN ({marks}) OR id_token_verdict = ?)", [*_SUCCESS_KINDS, failed]
    if wanted == ID_TOKEN_FAILED_FILTER:
        return "id_token_verdict = ?", [failed]
    if wanted in {kind.value for kind in OutcomeKind}:
        return "outcome = ?", [wanted]
    raise ValueError(
        f"Unknown status filter {status!r}: use 2xx, 4xx, 5xx, a code like 401, network, "
        f"success, error or {ID_TOKEN_FAILED_FILTER}"
    )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _row(values: tuple[Any, ...]) -> HistoryRow:
    (id_, time, profile_id, profile_name, endpoint, url, grant_type, scopes) = values[:8]
    (status, outcome, correlation_id, total_ms, summary, full_tokens) = values[8:14]
    (verdict, failed) = values[14:]
    return HistoryRow(
        id=id_,
        time=datetime.fromisoformat(time),
        profile_id=profile_id,
        profile_name=profile_name,
        endpoint=endpoint,
        url=url,
        grant_type=grant_type,
        scopes=tuple(scopes.split()),
        status=status,
        outcome=OutcomeKind(outcome),
        correlation_id=correlation_id,
        total_ms=total_ms,
        summary=summary,
        full_tokens=bool(full_tokens),
        id_token_verdict=_verdict(verdict),
        id_token_failed=tuple(name for name in failed.split(", ") if name),
    )


def _verdict(text: str) -> Verdict | None:
    try:
        return Verdict(text) if text else None
    except ValueError:  # a verdict this version doesn't know
        return None


def _json_object(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _NewerSchema(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version}")
        self.version = version


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


class HistoryStore:
    def __init__(self, path: Path | None = None, retention: int = DEFAULT_RETENTION) -> None:
        if retention < 1:
            raise ValueError("retention must be at least 1")
        self.path = path if path is not None else default_history_path()
        self.retention = retention
        self.recovery_message: str | None = None
        self._conn: sqlite3.Connection | None = self._open()

    # --- Opening and recovery ---

    def _open(self) -> sqlite3.Connection:
        try:
            return _connect(self.path)
        except _NewerSchema as exc:
            kept = self._set_aside("newer")
            what = (
                f"{self.path.name} was written by a newer version of ID Connect Tester "
                f"(schema {exc.version})"
            )
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                return self._in_memory(f"History could not be opened ({exc})")
            kept = self._set_aside("corrupt")
            what = f"{self.path.name} was damaged ({exc})"
        except OSError as exc:
            return self._in_memory(f"History could not be opened ({exc.strerror or exc})")
        if kept is None:
            return self._in_memory(f"{what} and could not be moved aside")
        try:
            conn = _connect(self.path)
        except (sqlite3.Error, OSError, _NewerSchema) as exc:
            return self._in_memory(f"{what}; kept as {kept}, but a new one failed ({exc})")
        self.recovery_message = f"{what}. It was kept as {kept}; a new, empty history was started."
        log.warning("%s", self.recovery_message)
        return conn

    def integrity_problems(self) -> str | None:
        """What SQLite's integrity check finds wrong, or None. Opens its own connection, so it
        may run on any thread (it reads the whole file: keep it off the GUI thread)."""
        if self._conn is None or self.recovery_message is not None:
            return None  # in memory, or just recovered: nothing on disk to check
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S)
            try:
                rows = conn.execute("PRAGMA integrity_check(5)").fetchall()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            return str(exc) if _is_damage(exc) else None
        problems = [str(row[0]) for row in rows]
        return None if problems == ["ok"] else "; ".join(problems)

    def recover(self, problems: str) -> None:
        """The database is damaged: keep it aside and start a new one (`recovery_message`)."""
        self.close()
        kept = self._set_aside("corrupt")
        what = f"{self.path.name} was damaged ({problems})"
        if kept is None:
            self._conn = self._in_memory(f"{what} and could not be moved aside")
            return
        try:
            self._conn = _connect(self.path)
        except (sqlite3.Error, OSError, _NewerSchema) as exc:
            self._conn = self._in_memory(f"{what}; kept as {kept}, but a new one failed ({exc})")
            return
        self.recovery_message = f"{what}. It was kept as {kept}; a new, empty history was started."
        log.warning("%s", self.recovery_message)

    def _set_aside(self, label: str) -> Path | None:
        try:
            return move_aside(self.path, label, companions=_SQLITE_COMPANIONS)
        except OSError:
            return None

    def _in_memory(self, why: str) -> sqlite3.Connection:
        """Last resort: history works for this run only, and the user is told."""
        self.recovery_message = f"{why}. History is kept for this run only."
        log.warning("%s", self.recovery_message)
        return _connect(None)

    # --- Writing ---

    def add(
        self,
        exchange: Exchange,
        *,
        profile: Profile,
        form: TokenRequest | None,
        id_token: Verification | None = None,
        made_by: str = "",
    ) -> int:
        """Record `exchange` (masked unless the profile stores full tokens), with its id_token's
        verdict when that is known already; returns its id. `made_by` ("made by the credential
        check") is said after its summary: an exchange the person did not make reads so.

        The oldest rows beyond `retention` go in the same transaction. Raises `HistoryError`
        when the database can't be written."""
        full = profile.store_full_tokens
        record = exchange_to_dict(exchange, full_tokens=full)
        form_dict = _form_dict(form, full_tokens=full) if form is not None else None
        outcome = exchange.outcome
        values = (
            # When it ended, as the panels name an exchange: a slow or cancelled one would
            # otherwise be listed under another time than the one they show.
            iso_utc(exchange.received_at),
            profile.id,
            profile.name,
            exchange.endpoint.value,
            exchange.request.url if exchange.request is not None else "",
            form.grant_type if form is not None else "",
            " ".join(ordered_scopes(form.scopes)) if form is not None else "",
            exchange.status,
            outcome_kind(outcome).value,
            (outcome.correlation_id or "") if isinstance(outcome, ApiError) else "",
            exchange.timings.total_ms,
            _summary(record["summary"], made_by),
            int(full),
            json.dumps(form_dict, ensure_ascii=False) if form_dict is not None else None,
            json.dumps(record, ensure_ascii=False),
            *_verdict_columns(id_token),
        )
        return self._insert(values)

    def set_id_token_verdict(self, entry_id: int, verification: Verification) -> None:
        """The verdict of the id_token entry `entry_id` delivered, once its checks have run
        (after the entry was written). Raises `HistoryError` like `add`."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE exchanges SET id_token_verdict = ?, id_token_failed = ? WHERE id = ?",
                (*_verdict_columns(verification), entry_id),
            )

    def note_staged(self, entry_id: int, note: str) -> None:
        """What an emulator drill had to do with entry `entry_id` (`drill_note`: it made the
        outcome, not a fault of the server; or it held back an answer the person cancelled):
        said after its summary, once (the list's tooltip, Show and the filter read it).
        Raises `HistoryError` like `add`."""
        said = f" — {note}"
        with self._transaction() as conn:
            conn.execute(
                "UPDATE exchanges SET summary = summary || ? WHERE id = ? "
                "AND instr(summary, ?) = 0",
                (said, entry_id, said),
            )

    def follow_profile_names(self, names: Mapping[str, str]) -> int:
        """Rows made with a profile now named otherwise (`names`: profile id → name) take its
        name: the list, Show and the filter name a renamed profile as the profile dropdown
        does. A deleted profile's rows keep the name they had. Returns how many rows changed;
        raises `HistoryError` like `add`."""
        with self._transaction() as conn:
            return sum(
                conn.execute(
                    "UPDATE exchanges SET profile_name = ? WHERE profile_id = ? "
                    "AND profile_name <> ?",
                    (name, profile_id, name),
                ).rowcount
                for profile_id, name in names.items()
            )

    def add_authorize(self, record: AuthorizeRecord, *, profile: Profile, made_by: str = "") -> int:
        """Record an authorize step (endpoint "authorize"); the code masked unless the profile
        stores full tokens. Returns its id; raises `HistoryError` like `add` (`made_by` too)."""
        full = profile.store_full_tokens
        stored = authorize_record_to_dict(record, full_tokens=full)
        kind = OutcomeKind.AUTHORIZED if record.succeeded else OutcomeKind.AUTHORIZE_FAILED
        values = (
            iso_utc(record.finished_at),
            profile.id,
            profile.name,
            AUTHORIZE_ENDPOINT,
            record.url,
            "",
            " ".join(ordered_scopes(record.scopes)),
            record.server_status,
            kind.value,
            "",
            record.duration_ms,
            _summary(stored["summary"], made_by),
            int(full),
            None,
            json.dumps(stored, ensure_ascii=False),
            *_verdict_columns(None),
        )
        return self._insert(values)

    def _insert(self, values: tuple[Any, ...]) -> int:
        """One row in, and the oldest beyond `retention` out, in one transaction."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO exchanges (time, profile_id, profile_name, endpoint, url, "
                "grant_type, scopes, status, outcome, correlation_id, total_ms, summary, "
                "full_tokens, form_json, record_json, id_token_verdict, id_token_failed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            self._delete_beyond_retention(conn)
        row_id = cursor.lastrowid
        assert row_id is not None
        return row_id

    def _delete_beyond_retention(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "DELETE FROM exchanges WHERE id IN (SELECT id FROM exchanges "
            "ORDER BY time DESC, id DESC LIMIT -1 OFFSET ?)",
            (self.retention,),
        )

    def trim(self) -> None:
        """Delete the oldest rows beyond `retention` now (a lowered limit), not at the next
        exchange recorded."""
        with self._transaction() as conn:
            self._delete_beyond_retention(conn)

    def clear(self) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM exchanges")
        # Fold the WAL back so the deleted rows (zeroed by secure_delete) leave no copy behind.
        with contextlib.suppress(sqlite3.Error):
            self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- Reading ---

    def list(self, text: str = "", status: str | None = None, limit: int = 1000) -> Rows:
        """Newest first. `text` matches endpoint, grant type, profile name, correlation id,
        summary and URL (case-insensitive); `status` is "2xx"/"4xx"/"5xx", a code like "401",
        "network", "error" (anything but a success), or an outcome kind."""
        conditions: list[str] = []
        params: list[Any] = []
        if text.strip():
            pattern = _like_pattern(text.strip())
            conditions.append(
                "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in _TEXT_COLUMNS) + ")"
            )
            params += [pattern] * len(_TEXT_COLUMNS)
        status_sql, status_params = _status_condition(status)
        if status_sql:
            conditions.append(status_sql)
            params += status_params
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        # Only our own column names and placeholders are formatted in; values are parameters.
        query = (
            f"SELECT {_ROW_COLUMNS} FROM exchanges {where} "  # noqa: S608
            "ORDER BY time DESC, id DESC LIMIT ?"
        )
        rows = self._read(query, (*params, max(0, limit)))
        return [_row(values) for values in rows]

    def row(self, entry_id: int) -> HistoryRow | None:
        """One list row (without the stored record), e.g. to show a new entry at once."""
        rows = self._read(
            f"SELECT {_ROW_COLUMNS} FROM exchanges WHERE id = ?",  # noqa: S608
            (entry_id,),
        )
        return _row(rows[0]) if rows else None

    def get(self, entry_id: int) -> HistoryEntry | None:
        rows = self._read(
            f"SELECT {_ROW_COLUMNS}, form_json, record_json FROM exchanges WHERE id = ?",  # noqa: S608
            (entry_id,),
        )
        if not rows:
            return None
        values = rows[0]
        return HistoryEntry(
            row=_row(values[:-2]),
            form=_json_object(values[-2]),
            record=_json_object(values[-1]) or {},
        )

    def count(self) -> int:
        count: int = self._read("SELECT count(*) FROM exchanges", ())[0][0]
        return count

    def last_id(self) -> int:
        """The id given to the latest entry written by anyone, deleted or not (0 before the
        first): ids only grow, so an entry with another id than the next is someone else's."""
        rows = self._read("SELECT seq FROM sqlite_sequence WHERE name = 'exchanges'", ())
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Internals ---

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError("The history is closed")
        return self._conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN … COMMIT, or ROLLBACK on any error: a crash mid-write leaves the DB as before."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise HistoryError(f"History could not be saved: {exc}") from exc

    def _read(self, query: str, params: tuple[Any, ...]) -> _Tuples:
        try:
            return self._connection().execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"History could not be read: {exc}") from exc


def _connect(path: Path | None) -> sqlite3.Connection:
    """Open (creating if needed) and check the database; None opens one in memory."""
    if path is not None:
        ensure_private_dir(path.parent)
        if not path.exists():
            # Created owner-only before SQLite opens it; SQLite gives -wal/-shm the same mode.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE))
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so every write is one transaction.
    conn = sqlite3.connect(
        ":memory:" if path is None else str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None
    )
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # the first read: garbage fails right here
        conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: consistent after a crash, fast
        conn.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left on disk
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _NewerSchema(version)
        if version < SCHEMA_VERSION:
            _bring_up_to_date(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _bring_up_to_date(conn: sqlite3.Connection) -> None:
    """Create the schema in a new database, or bring one of an older version up to date.

    Version 1 → 2 added the id_token's verdict. The table is made again rather than altered,
    so the new columns come before the JSON ones, as in a new database (listing reads only the
    columns before them); rows of version 1 have no verdict ('')."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another window may have done it while we waited for the write lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 1:
            columns = f"{_ROW_COLUMNS_V1}, form_json, record_json"
            conn.execute("ALTER TABLE exchanges RENAME TO exchanges_v1")
            conn.execute(_CREATE_TABLE)
            conn.execute(
                f"INSERT INTO exchanges ({columns}) SELECT {columns} FROM exchanges_v1"  # noqa: S608
            )
            conn.execute("DROP TABLE exchanges_v1")  # its index too
        elif version == 0:
            conn.execute(_CREATE_TABLE)
        if version < SCHEMA_VERSION:
            conn.execute(_CREATE_INDEX)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_MADE_BY: Final = " — made by "  # how a summary names who made the exchange, when not the person


def _summary(summary: str, made_by: str) -> str:
    return f"{summary} — {made_by}" if made_by else summary
