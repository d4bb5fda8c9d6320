"""Saved records come back as the Exchange they describe, and junk never crashes the reader."""

import contextlib
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    Hint,
    HintKind,
    NetworkError,
    NetworkErrorKind,
    NotSent,
    ReceivedResponse,
    SentRequest,
    ShareTokenGranted,
    Timings,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.exchange_json import exchange_to_dict
from idconnect_tester.core.exchange_record import RecordError, exchange_from_record

NOW = datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)
ACCESS = "snd-id-con-a-WRT7FRBRfdejpsDR8a_cYeX9BU32QP_I_Hyc93saZcg5965PfGzrHGDEdrTRseop"

OUTCOMES = [
    TokenGranted(ACCESS, "Bearer", 86400, NOW + timedelta(days=1), None, None, {"x": 1}, ("n",)),
    ShareTokenGranted("_act-sbx-1234567890", "Cool", NOW + timedelta(seconds=1800)),
    ApiError(401, "Invalid code", 401, "abc", 4003, "name", {"extra": True}),
    NetworkError(NetworkErrorKind.REFUSED, "Connection refused"),
    NetworkError(NetworkErrorKind.CANCELLED, "Cancelled while waiting"),
    UnexpectedResponse(502, ("The body is an HTML page",)),
    NotSent("Enter a base URL"),
]


def exchange(outcome) -> Exchange:
    return Exchange(
        endpoint=Endpoint.TOKEN,
        request=SentRequest("POST", "http://127.0.0.1:1/x", (("A", "b"),), b'{"a": 1}', "on"),
        response=ReceivedResponse(200, "OK", "HTTP/1.1", (("C", "d"),), b'{"ok": true}'),
        outcome=outcome,
        timings=Timings(12.5, 1.0, None, 10.0),
        started_at=NOW,
        received_at=NOW,
        hint=Hint(HintKind.TIMEOUT, "Title", "Advice"),
    )


def content(exchange: Exchange) -> dict[str, object]:
    """An exchange's fields (exchanges themselves compare by identity)."""
    return {f.name: getattr(exchange, f.name) for f in dataclasses.fields(exchange)}


@pytest.mark.parametrize(
    "outcome", OUTCOMES, ids=lambda o: getattr(o, "kind", None) or type(o).__name__
)
def test_full_records_round_trip(outcome) -> None:
    original = exchange(outcome)
    restored = exchange_from_record(exchange_to_dict(original, full_tokens=True))
    assert content(restored) == content(original)


def test_a_record_from_before_hint_kinds_keeps_its_words() -> None:
    record = exchange_to_dict(exchange(OUTCOMES[0]), full_tokens=True)
    del record["hint"]["kind"]
    restored = exchange_from_record(record).hint
    assert restored == Hint(HintKind.UNKNOWN, "Title", "Advice")
    record["hint"]["kind"] = "a-kind-this-version-lacks"
    assert exchange_from_record(record).hint == restored


def test_masked_records_keep_tokens_masked() -> None:
    restored = exchange_from_record(exchange_to_dict(exchange(OUTCOMES[0])))
    assert isinstance(restored.outcome, TokenGranted)
    assert restored.outcome.access_token == "snd-id-con-a-WRT7…seop"


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        (None, "the record"),
        ({"endpoint": "nope"}, "unknown endpoint"),
        ({"endpoint": "token", "outcome": {"kind": "granted"}}, "access_token"),
        ({"endpoint": "token", "outcome": {"kind": "what"}}, "unknown outcome"),
    ],
)
def test_unreadable_records_say_why(record, fragment) -> None:
    with pytest.raises(RecordError, match=fragment):
        exchange_from_record(record)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=15,
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            key: json_values
            for key in ("endpoint", "outcome", "request", "response", "timings", "hint")
        }
        | {"started_at": st.text(max_size=30), "received_at": st.text(max_size=30)},
    )
)
def test_junk_never_crashes(record) -> None:
    with contextlib.suppress(RecordError):
        exchange_from_record(record)
