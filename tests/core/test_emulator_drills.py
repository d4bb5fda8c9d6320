"""Steering the emulator's drills over HTTP (`core.emulator_drills`), against the real emulator:
list, arm, count down, disarm — and a clear `DrillError` from anything that is not an emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
import pytest
from tests.support.exchanges import exchange, network_error
from tests.support.faulty_servers import closed_port, garbage_server

from idconnect_tester import vendor
from idconnect_tester.core.emulator_drills import (
    DRILL_HEADER,
    DrillError,
    DrillState,
    StagedBy,
    arm_drill,
    disarm_drill,
    drills_problem,
    param_label,
    read_drills,
)
from idconnect_tester.core.exchange import ReceivedResponse, TokenGranted
from idconnect_tester.emulator import EmulatorServer

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

T = TypeVar("T")


def run(step: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with httpx.AsyncClient(trust_env=False) as http:
            return await step(http)

    return asyncio.run(main())


def test_list_arm_count_down_and_disarm(emulator: EmulatorServer) -> None:
    base = emulator.base_url
    state = run(lambda http: read_drills(http, base))
    names = {drill.name: drill for drill in state.drills}
    assert {"slow", "server_error_html", "expired_id_token"} <= set(names)
    assert names["slow"].params == {"delay_s": 3.0} and names["slow"].description
    assert state.armed is None

    armed = run(lambda http: arm_drill(http, base, "server_error_html", 2))
    assert (armed.name, armed.remaining) == ("server_error_html", 2)
    assert armed.describe() == "drill armed: server_error_html (2 left)"
    assert run(lambda http: read_drills(http, base)).armed == armed

    run(lambda http: disarm_drill(http, base))
    assert run(lambda http: read_drills(http, base)).armed is None


def test_what_the_emulator_refuses_is_a_drill_error(emulator: EmulatorServer) -> None:
    with pytest.raises(DrillError, match="HTTP 400"):
        run(lambda http: arm_drill(http, emulator.base_url, "no_such_drill", 1))


def test_anything_but_an_emulator_is_a_drill_error() -> None:
    with pytest.raises(DrillError, match="could not be reached"):
        run(lambda http: read_drills(http, f"http://127.0.0.1:{closed_port()}"))
    server = garbage_server().start()
    try:
        with pytest.raises(DrillError):
            run(lambda http: read_drills(http, server.base_url))
    finally:
        server.stop()


def test_only_an_emulator_on_this_machine_takes_drills() -> None:
    assert drills_problem("http://127.0.0.1:8088") is None
    assert drills_problem("http://localhost:8088/") is None
    for remote in ("https://api.sumsub.com", "http://192.168.1.5:8088", "not a url", ""):
        problem = drills_problem(remote)
        assert problem is not None and "this machine" in problem


@pytest.mark.parametrize(
    ("name", "value", "label"),
    [
        ("delay_s", 3.0, "delay 3 s"),
        ("size_mb", 0.5, "size 0.5 MB"),
        ("delay_s", None, "delay (s)"),
        ("burst_count", 2.0, "burst count 2"),
    ],
)
def test_a_parameter_says_its_unit(name: str, value: float | None, label: str) -> None:
    assert param_label(name, value) == label


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("slow; kind=delay", StagedBy("slow", "delay")),
        ("server_error_html; kind=response", StagedBy("server_error_html", "response")),
        ("server_error_html", StagedBy("server_error_html")),  # an emulator that says no kind
        ("", None),
    ],
)
def test_an_answer_says_which_drill_changed_it_and_how(
    said: str, expected: StagedBy | None
) -> None:
    headers = ((DRILL_HEADER.lower(), said),) if said else ()
    response = ReceivedResponse(200, "OK", "HTTP/1.1", headers, b"{}")
    answer = replace(exchange(TokenGranted("a", "Bearer", 60, NOW), at=NOW), response=response)
    staged = StagedBy.of(answer)
    assert staged == expected
    assert (staged is not None and staged.delayed_only) is (said == "slow; kind=delay")
    assert StagedBy.of(replace(answer, response=None)) is None  # no answer, nothing said


def test_the_last_drill_use_is_tied_to_the_request_it_happened_during(
    emulator: EmulatorServer,
) -> None:
    """A reset has no answer to name its drill: the emulator's `last_used` says which drill
    it used and when, and only a use while a request was on its way is that request's."""
    base = emulator.base_url
    emulator.reset()  # shared with other tests: no drill used yet
    assert run(lambda http: read_drills(http, base)).last_used is None
    emulator.set_scenario("connection_reset")
    started = datetime.now(UTC)

    async def reset_and_read(http: httpx.AsyncClient) -> DrillState:
        with pytest.raises(httpx.TransportError):
            await http.post(base + vendor.TOKEN_PATH, content=b"{}")
        return await read_drills(http, base)

    state = run(reset_and_read)
    ended = datetime.now(UTC)
    used = state.last_used
    assert used is not None and (used.name, used.kind) == ("connection_reset", "response")
    sent = replace(network_error(started), started_at=started, received_at=ended)
    assert used.during(sent)
    later = ended + timedelta(seconds=1)
    assert not used.during(replace(sent, started_at=later, received_at=later))
    earlier = started - timedelta(seconds=5)
    assert not used.during(replace(sent, started_at=earlier, received_at=earlier))
