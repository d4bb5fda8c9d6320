"""The history list: what it records, how it filters, what it reloads, and how it recovers."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.support.faulty_servers import closed_port
from tests.support.flows import (
    emulator_target,
    get_code,
    granted_exchange,
    refresh_request,
    send_token_request,
    token_exchange,
)

from idconnect_tester import vendor
from idconnect_tester.core.authorize import AuthorizeResult, AuthorizeSession
from idconnect_tester.core.authorize_record import AuthorizeRecord, authorize_record_from_dict
from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    NotSent,
    Timings,
    TokenGranted,
)
from idconnect_tester.core.exchange_json import OutcomeKind
from idconnect_tester.core.history import (
    ID_TOKEN_FAILED_FILTER,
    HistoryStore,
    default_history_path,
)
from idconnect_tester.core.id_token_checks import CheckResult, CheckStatus, Verdict, Verification
from idconnect_tester.core.jwt_decode import decode_jwt
from idconnect_tester.core.profiles import Profile, emulator_profile
from idconnect_tester.core.request import TokenRequest

T0 = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def history(db_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(db_path) as store:
        yield store


def _profile(base_url: str, *, full: bool = False, name: str = "Emulator QA") -> Profile:
    return replace(emulator_profile(base_url), id="qa-profile", name=name, store_full_tokens=full)


def _not_sent(at: datetime, reason: str = "no code") -> Exchange:
    return Exchange(Endpoint.TOKEN, None, None, NotSent(reason), Timings(0.0), at, at)


def _db_bytes(path: Path) -> bytes:
    """Everything SQLite keeps on disk for the database: the file, its WAL and shared memory."""
    return b"".join(
        p.read_bytes() for p in path.parent.iterdir() if p.name.startswith("history.sqlite3")
    )


def test_the_default_database_is_in_the_user_data_dir(private_home: Path) -> None:
    assert default_history_path().is_relative_to(private_home)


def test_recorded_exchanges_are_listed_newest_first(emulator, history: HistoryStore) -> None:
    profile = _profile(emulator.base_url)
    code = get_code(emulator.base_url)
    form = code.token_request()
    granted = token_exchange(emulator.base_url, form)
    reused = token_exchange(emulator.base_url, form)  # a code works once: 401 Invalid code
    refused_target = replace(
        emulator_target(emulator.base_url), base_url=f"http://127.0.0.1:{closed_port()}"
    )
    refused = asyncio.run(send_token_request(refused_target, form))
    assert isinstance(reused.outcome, ApiError) and reused.outcome.correlation_id

    ids = [history.add(e, profile=profile, form=form) for e in (granted, reused, refused)]

    rows = history.list()
    assert [r.id for r in rows] == ids[::-1]
    newest, middle, oldest = rows
    assert (oldest.outcome, oldest.status, oldest.grant_type) == (
        OutcomeKind.GRANTED,
        200,
        "authorization_code",
    )
    assert oldest.scopes == ("openid", "offline_access")
    assert oldest.profile_name == "Emulator QA" and oldest.endpoint == "token"
    assert oldest.url.endswith("/resources/snsId/api/connect/token")
    assert oldest.time.tzinfo is not None
    assert (middle.outcome, middle.status) == (OutcomeKind.API_ERROR, 401)
    assert middle.correlation_id == reused.outcome.correlation_id
    assert (newest.outcome, newest.status) == (OutcomeKind.NETWORK_ERROR, None)
    assert newest.summary.startswith("Network error (refused)")
    assert history.count() == 3


def test_text_and_status_filters(emulator, history: HistoryStore) -> None:
    profile = _profile(emulator.base_url)
    first, form = granted_exchange(emulator.base_url)
    assert isinstance(first.outcome, TokenGranted) and first.outcome.refresh_token
    refresh_form = refresh_request(first.outcome.refresh_token)
    refreshed = token_exchange(emulator.base_url, refresh_form)
    reused = token_exchange(emulator.base_url, form)
    assert isinstance(reused.outcome, ApiError) and reused.outcome.correlation_id
    history.add(first, profile=profile, form=form)
    history.add(refreshed, profile=replace(profile, name="Partner 100%"), form=refresh_form)
    history.add(reused, profile=profile, form=form)
    history.add(_not_sent(datetime.now(UTC)), profile=profile, form=None)

    def statuses(text: str = "", status: str | None = None) -> list[int | None]:
        return [r.status for r in history.list(text, status)]

    assert statuses("REFRESH") == [200]
    assert statuses("partner") == [200]
    assert statuses("100%") == [200] and statuses("1%0") == []  # % is no wildcard
    assert statuses(reused.outcome.correlation_id) == [401]
    assert statuses("connect/token") == [401, 200, 200]
    assert statuses(status="2xx") == [200, 200]
    assert statuses(status="4xx") == statuses(status="401") == [401]
    assert statuses(status="5xx") == []
    assert statuses(status="error") == [None, 401]
    assert [r.outcome for r in history.list(status="not_sent")] == [OutcomeKind.NOT_SENT]
    assert statuses("authorization_code", "2xx") == [200]
    with pytest.raises(ValueError, match="Unknown status filter"):
        history.list(status="teapot")


def _verification(token: str, **statuses: CheckStatus) -> Verification:
    checks = tuple(CheckResult(name, status, "") for name, status in statuses.items())
    return Verification(decode_jwt(token), checks)


def test_an_id_tokens_verdict_is_kept_with_its_exchange(emulator, history: HistoryStore) -> None:
    """A 200 whose id_token failed its checks is no success: listed as such, found by the
    filters for failures, and said which checks failed."""
    profile = _profile(emulator.base_url)
    trusted, form = granted_exchange(emulator.base_url)
    untrusted, _ = granted_exchange(emulator.base_url)
    later, _ = granted_exchange(emulator.base_url)
    assert isinstance(untrusted.outcome, TokenGranted) and untrusted.outcome.id_token
    token = untrusted.outcome.id_token
    passed, failed = CheckStatus.PASS, CheckStatus.FAIL
    verified = _verification(token, signature=passed, iss=passed)
    history.add(trusted, profile=profile, form=form, id_token=verified)
    bad_id = history.add(
        untrusted,
        profile=profile,
        form=form,
        id_token=_verification(token, signature=failed, iss=passed, at_hash=failed),
    )
    later_id = history.add(later, profile=profile, form=form)  # checked after it was written
    assert history.row(later_id).id_token_verdict is None  # type: ignore[union-attr]
    history.set_id_token_verdict(later_id, _verification(token, iss=passed))

    newest, bad, good = history.list()
    assert (good.id_token_verdict, good.id_token_failed, good.succeeded) == (
        Verdict.VERIFIED,
        (),
        True,
    )
    assert bad.id == bad_id and bad.status == 200 and bad.outcome is OutcomeKind.GRANTED
    assert (bad.id_token_verdict, bad.id_token_failed) == (Verdict.FAILED, ("signature", "at_hash"))
    assert not bad.succeeded
    assert "signature, at_hash failed" in bad.id_token_note
    assert newest.id_token_verdict is Verdict.NOT_VERIFIED  # no signature row passed
    assert newest.succeeded

    def ids(text: str = "", status: str | None = None) -> list[int]:
        return [r.id for r in history.list(text, status)]

    assert ids(status="error") == ids(status=ID_TOKEN_FAILED_FILTER) == [bad_id]
    assert bad_id not in ids(status="success") and len(ids(status="success")) == 2
    assert ids(status="2xx") == ids()  # the status filters are about the answer's status
    assert ids("at_hash") == [bad_id]
    # A history written before verdicts were kept lists its rows with none.
    history.add(_not_sent(T0), profile=profile, form=None)
    assert history.list(status="not_sent")[0].id_token_verdict is None


def test_a_history_of_the_first_version_is_brought_up_to_date_with_its_rows(
    db_path: Path,
) -> None:
    """Version 1 had no id_token verdict. Its rows stay, ids and all, and new ones follow."""
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "CREATE TABLE exchanges (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, "
            "profile_id TEXT NOT NULL, profile_name TEXT NOT NULL, endpoint TEXT NOT NULL, "
            "url TEXT NOT NULL, grant_type TEXT NOT NULL, scopes TEXT NOT NULL, status INTEGER,"
            " outcome TEXT NOT NULL, correlation_id TEXT NOT NULL, total_ms REAL NOT NULL, "
            "summary TEXT NOT NULL, full_tokens INTEGER NOT NULL, form_json TEXT, "
            "record_json TEXT NOT NULL)"
        )
        conn.execute("CREATE INDEX exchanges_by_time ON exchanges (time, id)")
        conn.execute(
            "INSERT INTO exchanges VALUES (41, '2025-01-31T12:00:00.000000+00:00', 'p', 'Old', "
            "'token', 'http://x/token', 'refresh_token', '', 200, 'granted', '', 12.0, "
            "'200 OK in 12 ms', 0, NULL, '{\"summary\": \"200 OK in 12 ms\"}')"
        )
        conn.execute("PRAGMA user_version = 1")
    conn.close()

    with HistoryStore(db_path) as history:
        assert history.recovery_message is None  # brought up to date, not set aside
        (old,) = history.list()
        assert (old.id, old.profile_name, old.summary) == (41, "Old", "200 OK in 12 ms")
        assert old.id_token_verdict is None and old.succeeded
        entry = history.get(41)
        assert entry is not None and entry.record == {"summary": "200 OK in 12 ms"}
        new_id = history.add(_not_sent(T0 + timedelta(seconds=1)), profile=_profile("x"), form=None)
        assert new_id > 41
    assert not list(db_path.parent.glob("history.sqlite3.*-*"))  # nothing set aside
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        columns = [row[1] for row in conn.execute("PRAGMA table_info(exchanges)")]
        indexes = [row[1] for row in conn.execute("PRAGMA index_list(exchanges)")]
    conn.close()
    # The new columns before the JSON ones, as in a new database: listing never reads those.
    assert columns[-4:] == ["id_token_verdict", "id_token_failed", "form_json", "record_json"]
    assert indexes == ["exchanges_by_time"]


def test_a_masked_entry_reloads_without_its_refresh_token(emulator, history: HistoryStore) -> None:
    first, _ = granted_exchange(emulator.base_url)
    assert isinstance(first.outcome, TokenGranted) and first.outcome.refresh_token
    form = refresh_request(first.outcome.refresh_token, scopes=("name", "share"))
    entry_id = history.add(
        token_exchange(emulator.base_url, form), profile=_profile(emulator.base_url), form=form
    )

    entry = history.get(entry_id)

    assert entry is not None
    reloaded = entry.form_request()
    assert reloaded is not None
    assert reloaded.grant_type == "refresh_token"
    assert reloaded.refresh_token == ""  # a masked token is useless to send
    assert reloaded.scopes == ("name", "share")
    assert entry.masked_fields == ("refresh_token",)
    assert entry.record["request"]["method"] == "POST"
    assert entry.record["tokens"] == "masked"
    assert not entry.row.full_tokens


def test_a_masked_code_exchange_keeps_neither_its_code_nor_its_verifier(
    emulator, history: HistoryStore
) -> None:
    exchange, form = granted_exchange(emulator.base_url)
    entry_id = history.add(exchange, profile=_profile(emulator.base_url), form=form)

    entry = history.get(entry_id)

    assert entry is not None
    assert set(entry.masked_fields) == {"code", "code_verifier"}
    reloaded = entry.form_request()
    assert reloaded is not None and reloaded.code == reloaded.code_verifier == ""
    stored = json.dumps([entry.form, entry.record])
    assert form.code not in stored and form.code_verifier not in stored
    body = json.loads(entry.record["request"]["body"])
    assert body[vendor.FIELD_GRANT_TYPE] == "authorization_code"  # the rest is as sent
    assert body[vendor.FIELD_CODE].endswith(form.code[-4:])  # still tells two codes apart


def test_an_opted_in_entry_reloads_everything(emulator, history: HistoryStore) -> None:
    first, code_form = granted_exchange(emulator.base_url)
    assert isinstance(first.outcome, TokenGranted) and first.outcome.refresh_token
    profile = _profile(emulator.base_url, full=True)
    form = refresh_request(first.outcome.refresh_token)
    code_id = history.add(first, profile=profile, form=code_form)
    refresh_id = history.add(token_exchange(emulator.base_url, form), profile=profile, form=form)

    refresh_entry, code_entry = history.get(refresh_id), history.get(code_id)

    assert refresh_entry is not None and code_entry is not None
    assert refresh_entry.form_request() == form
    assert refresh_entry.masked_fields == ()
    assert code_entry.form_request() == code_form  # code and verifier come back too
    assert code_entry.record["outcome"]["access_token"] == first.outcome.access_token


def test_a_share_token_entry_has_no_form_to_reload(history: HistoryStore) -> None:
    entry_id = history.add(_not_sent(T0), profile=_profile("http://127.0.0.1:1"), form=None)
    entry = history.get(entry_id)
    assert entry is not None and entry.form_request() is None
    assert history.get(entry_id + 100) is None


def test_the_database_never_holds_a_full_token_unless_opted_in(emulator, db_path: Path) -> None:
    exchange, form = granted_exchange(emulator.base_url)
    granted = exchange.outcome
    assert isinstance(granted, TokenGranted) and granted.refresh_token and granted.id_token
    tokens = [granted.access_token, granted.refresh_token, granted.id_token]
    refresh_form = refresh_request(granted.refresh_token)

    masked = HistoryStore(db_path)
    masked.add(exchange, profile=_profile(emulator.base_url), form=form)
    masked.add(exchange, profile=_profile(emulator.base_url), form=refresh_form)
    on_disk = _db_bytes(db_path)
    masked.close()
    assert all(token.encode() not in on_disk for token in tokens)

    opted_in = HistoryStore(db_path.parent / "history.sqlite3-optin")  # same dir, own file
    opted_in.add(exchange, profile=_profile(emulator.base_url, full=True), form=refresh_form)
    on_disk = b"".join(p.read_bytes() for p in db_path.parent.iterdir() if "optin" in p.name)
    opted_in.close()
    assert all(token.encode() in on_disk for token in tokens)


def test_retention_keeps_the_newest(db_path: Path) -> None:
    history = HistoryStore(db_path, retention=5)
    profile = _profile("http://127.0.0.1:1")
    for minute in range(8):
        history.add(
            _not_sent(T0 + timedelta(minutes=minute), f"#{minute}"), profile=profile, form=None
        )

    rows = history.list()
    assert [r.summary for r in rows] == [f"Not sent: #{m}" for m in (7, 6, 5, 4, 3)]
    assert history.count() == 5
    history.close()


def test_history_survives_a_restart_and_clear_empties_it(db_path: Path) -> None:
    profile = _profile("http://127.0.0.1:1")
    with HistoryStore(db_path) as history:
        history.add(_not_sent(T0), profile=profile, form=None)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600

    with HistoryStore(db_path) as reopened:
        assert reopened.count() == 1 and reopened.recovery_message is None
        reopened.clear()
        assert reopened.list() == [] and reopened.count() == 0


def test_the_last_id_counts_every_write_by_anyone_and_never_goes_back(db_path: Path) -> None:
    """What the list compares with its own writes to notice another instance's."""
    profile = _profile("http://127.0.0.1:1")
    with HistoryStore(db_path, retention=2) as history, HistoryStore(db_path) as other:
        assert history.last_id() == 0
        first = history.add(_not_sent(T0), profile=profile, form=None)
        assert history.last_id() == first
        written_elsewhere = other.add(_not_sent(T0 - timedelta(days=1)), profile=profile, form=None)
        assert history.last_id() == written_elsewhere > first
        for minute in range(3):  # retention deletes rows, not the ids given
            history.add(_not_sent(T0 + timedelta(minutes=minute)), profile=profile, form=None)
        history.clear()
        assert history.count() == 0 and history.last_id() == written_elsewhere + 3


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_looser_history_folder_is_made_owner_only(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.parent.chmod(0o755)
    with HistoryStore(db_path):
        assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700


def test_a_corrupt_file_is_moved_aside_and_a_new_history_started(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database, just garbage \x00\xff" * 200)

    with HistoryStore(db_path) as history:
        (kept,) = db_path.parent.glob("history.sqlite3.corrupt-*")
        assert kept.read_bytes().startswith(b"this is not a database")
        assert history.recovery_message is not None and str(kept) in history.recovery_message
        history.add(_not_sent(T0), profile=_profile("http://127.0.0.1:1"), form=None)
        assert history.count() == 1


def test_a_database_with_damaged_pages_is_moved_aside(db_path: Path) -> None:
    with HistoryStore(db_path) as history:
        for minute in range(50):
            history.add(
                _not_sent(T0 + timedelta(minutes=minute), "x" * 500),
                profile=_profile("http://127.0.0.1:1"),
                form=None,
            )
    data = bytearray(db_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 : page_size * 6] = b"\xa5" * (page_size * 4)  # scribble over four pages
    db_path.write_bytes(bytes(data))

    with HistoryStore(db_path) as history:  # opening doesn't read every page…
        problems = history.integrity_problems()  # …the check does, off the GUI thread
        assert problems is not None
        history.recover(problems)
        assert list(db_path.parent.glob("history.sqlite3.corrupt-*"))
        assert "damaged" in (history.recovery_message or "")
        assert history.count() == 0


def test_a_healthy_database_passes_the_integrity_check(db_path: Path) -> None:
    with HistoryStore(db_path) as history:
        history.add(_not_sent(T0), profile=_profile("http://127.0.0.1:1"), form=None)
        assert history.integrity_problems() is None


def test_a_database_from_a_newer_version_is_kept_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute("PRAGMA user_version = 7")
    conn.close()

    with HistoryStore(db_path) as history:
        (kept,) = db_path.parent.glob("history.sqlite3.newer-*")
        assert "newer version" in (history.recovery_message or "")
        assert history.count() == 0
    with sqlite3.connect(kept) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 7
    old.close()


def test_an_unusable_location_keeps_history_for_this_run(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with HistoryStore(blocker / "history.sqlite3") as history:
        assert "for this run only" in (history.recovery_message or "")
        history.add(_not_sent(T0), profile=_profile("http://127.0.0.1:1"), form=None)
        assert history.count() == 1


def test_listing_a_thousand_entries_is_one_query_newest_first(db_path: Path) -> None:
    """The list the History panel shows comes from one SELECT, whatever its length: no query
    per row (how long it takes is measured in bench/, not here)."""
    profile = _profile("http://127.0.0.1:1")
    with HistoryStore(db_path) as history:
        form = TokenRequest.from_form("authorization_code", code="c", code_verifier="v" * 43)
        for second in range(1000):
            history.add(_not_sent(T0 + timedelta(seconds=second)), profile=profile, form=form)
        statements: list[str] = []
        history._connection().set_trace_callback(statements.append)
        rows = history.list()
        history._connection().set_trace_callback(None)
    assert len(rows) == 1000 and rows[0].time == T0 + timedelta(seconds=999)
    assert [row.time for row in rows] == sorted((row.time for row in rows), reverse=True)
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 1


def _authorize_record(code: str, *, refused: bool = False) -> AuthorizeRecord:
    attempt = AuthorizeSession.new(
        "http://127.0.0.1:9001/api/snsId/oauth/authorize",
        "emulator-client",
        "http://127.0.0.1:5555/callback",
        ["openid", "name"],
    )
    result = (
        AuthorizeResult(error="access_denied", state=attempt.state)
        if refused
        else AuthorizeResult(code=code, state=attempt.state, state_checked=True)
    )
    return AuthorizeRecord.of(attempt, result, attempt.created_at, server_status=302)


def test_the_authorize_step_is_kept_as_an_entry_of_its_own(db_path: Path) -> None:
    code = "the-authorization-code-0123456789abcdef"
    record = _authorize_record(code)
    with HistoryStore(db_path) as history:
        entry_id = history.add_authorize(record, profile=_profile("http://127.0.0.1:9001"))
        history.add_authorize(_authorize_record("", refused=True), profile=_profile("http://x"))
        entry = history.get(entry_id)
        assert entry is not None and entry.form is None and entry.form_request() is None
        row = entry.row
        assert (row.endpoint, row.status, row.outcome) == ("authorize", 302, OutcomeKind.AUTHORIZED)
        assert row.succeeded and row.url == record.url and row.scopes == ("openid", "name")
        assert [r.outcome for r in history.list(status="error")] == [OutcomeKind.AUTHORIZE_FAILED]
        # A redirect with a code is a success, though its status is a 302, not a 2xx.
        assert [r.outcome for r in history.list(status="success")] == [OutcomeKind.AUTHORIZED]
        assert history.list(status="2xx") == []
        assert len(history.list("authorize")) == 2
        shown = authorize_record_from_dict(entry.record)
        assert shown.state == record.state and shown.code != code  # masked in the history
    assert code.encode() not in _db_bytes(db_path)

    full = HistoryStore(db_path.parent / "history.sqlite3-full")
    full_id = full.add_authorize(record, profile=_profile("http://127.0.0.1:9001", full=True))
    stored = full.get(full_id)
    full.close()
    assert stored is not None and authorize_record_from_dict(stored.record).code == code


def test_rows_follow_a_renamed_profile_and_keep_a_deleted_ones_name(history: HistoryStore) -> None:
    now = datetime.now(UTC)
    renamed, deleted = _profile("http://127.0.0.1:1"), _profile("http://127.0.0.1:2")
    deleted = replace(deleted, id="gone-profile", name="Gone")
    for profile in (renamed, renamed, deleted):
        history.add(_not_sent(now), profile=profile, form=None)

    assert history.follow_profile_names({renamed.id: "Emulator QA (old key)"}) == 2
    assert [r.profile_name for r in history.list()] == ["Gone"] + ["Emulator QA (old key)"] * 2
    assert [r.status for r in history.list("old key")] == [None, None]
    assert history.follow_profile_names({renamed.id: "Emulator QA (old key)"}) == 0  # as it is
