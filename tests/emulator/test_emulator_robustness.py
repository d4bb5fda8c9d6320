"""Load, hostile input, internal errors, and stopping under load."""

from __future__ import annotations

import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idconnect_tester import vendor
from idconnect_tester.emulator import routes

CLIENTS = 20
ROUNDS = 5


def test_twenty_concurrent_clients_without_connection_errors(emu):
    start = threading.Barrier(CLIENTS)

    def one_client(_index):
        statuses = []
        with emu.new_client() as client:
            start.wait(10)
            for _ in range(ROUNDS):
                statuses.append(client.get(vendor.DISCOVERY_PATH).status_code)
                response, verifier = emu.authorize_on(client, {})
                code = emu.redirect_params(response)["code"][0]
                tokens = emu.token(
                    {"grant_type": "authorization_code", "code": code, "codeVerifier": verifier},
                    client=client,
                )
                statuses.append(tokens.status_code)
                share = emu.share(
                    {"sumsubIdConnectToken": tokens.json()["access_token"], "forClientId": "x"},
                    client=client,
                )
                statuses.append(share.status_code)
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(one_client, range(CLIENTS)))
    assert [s for statuses in results for s in statuses] == [200] * (CLIENTS * ROUNDS * 3)


def test_twenty_simultaneous_fresh_connections_are_all_accepted(emu):
    # One request per new connection, all at once: exercises the listen backlog.
    start = threading.Barrier(CLIENTS)

    def connect(_index):
        start.wait(10)
        with emu.new_client() as client:
            return client.get(vendor.JWKS_PATH).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        assert list(pool.map(connect, range(CLIENTS))) == [200] * CLIENTS


def _assert_never_a_500(emu, response):
    assert response.status_code != 500, response.text
    if response.status_code == 200:
        assert isinstance(response.json(), dict)
    else:
        emu.assert_error(response, response.status_code)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
token_like_bodies = st.fixed_dictionaries(
    {},
    optional={
        "grant_type": st.sampled_from(["authorization_code", "refresh_token"]) | json_values,
        "code": st.text() | json_values,
        "codeVerifier": st.text() | json_values,
        "refresh_token": st.text() | json_values,
        "scope": st.sampled_from(["openid", "share name", "", "x y"]) | json_values,
        "sumsubIdConnectToken": st.text() | json_values,
        "forClientId": st.text() | json_values,
        "ttlInSecs": st.integers() | json_values,
    },
)

fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@fuzz
@given(path=st.sampled_from([vendor.TOKEN_PATH, vendor.SHARE_TOKEN_PATH]), body=st.binary())
def test_arbitrary_bytes_never_get_a_500(emu, path, body):
    _assert_never_a_500(emu, emu.signed(path, body))


@fuzz
@given(path=st.sampled_from([vendor.TOKEN_PATH, vendor.SHARE_TOKEN_PATH]), body=json_values)
def test_arbitrary_json_never_gets_a_500(emu, path, body):
    _assert_never_a_500(emu, emu.signed(path, json.dumps(body).encode()))


@fuzz
@given(path=st.sampled_from([vendor.TOKEN_PATH, vendor.SHARE_TOKEN_PATH]), body=token_like_bodies)
def test_arbitrary_token_like_objects_never_get_a_500(emu, path, body):
    _assert_never_a_500(emu, emu.signed(path, json.dumps(body).encode()))


@fuzz
@given(
    query=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "client_id",
                    "redirect_uri",
                    "scope",
                    "state",
                    "code_challenge",
                    "response_type",
                    "code_challenge_method",
                    "nonce",
                    "login_hint",
                    "other",
                ]
            ),
            st.text(max_size=60),
        ),
        max_size=10,
    )
)
def test_arbitrary_authorize_queries_never_get_a_500(emu, query):
    response = emu.http.get(vendor.AUTHORIZE_PATH, params=query)
    assert response.status_code in (302, 400)


def test_an_internal_bug_answers_json_500_and_is_logged(emu, monkeypatch, caplog):
    def broken(_ctx, _request):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setitem(routes.ROUTES[vendor.DISCOVERY_PATH], "GET", broken)
    with caplog.at_level(logging.ERROR, logger="idconnect_tester.emulator"):
        response = emu.http.get(vendor.DISCOVERY_PATH)
    body = emu.assert_error(response, 500, "Internal emulator error")
    assert "Traceback" not in response.text and "boom" not in json.dumps(body)
    assert any("boom" in (record.exc_text or "") for record in caplog.records)
    assert emu.http.get(vendor.JWKS_PATH).status_code == 200  # the server carries on


def test_stop_returns_promptly_while_a_slow_request_is_in_flight(make_server):
    emu = make_server()
    emu.server.set_scenario("slow", delay_s=60)
    outcome: list[object] = []

    def slow_request():
        try:
            outcome.append(emu.token({"grant_type": "password"}).status_code)
        except httpx.TransportError as error:
            outcome.append(error)

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert emu.server.wait_scenario_used(5)  # the request is being delayed now
    # stop() must not wait out the drill's 60 s: it returns, and the request ends (answered
    # or cut off), long before that delay would have.
    stopper = threading.Thread(target=emu.server.stop)
    stopper.start()
    stopper.join(timeout=30)
    thread.join(timeout=30)
    assert not stopper.is_alive() and not thread.is_alive() and len(outcome) == 1


def test_wait_idle_returns_once_a_cancelled_slow_request_has_been_answered(make_server):
    """A client that gave up doesn't stop the server: it answers once the delay is over (and
    uses up a drill armed meanwhile). `wait_idle` is how a test knows that answer is done; an
    idle keep-alive connection is no request being answered."""
    emu = make_server()
    assert emu.http.get(vendor.JWKS_PATH).status_code == 200  # a keep-alive connection, idle
    assert emu.server.wait_idle(timeout=5)
    emu.server.set_scenario("slow", delay_s=1)
    port = urlsplit(emu.base_url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port)) as gone:
        request = f"POST {vendor.TOKEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}"
        gone.sendall(request.encode())
        assert emu.server.wait_scenario_used(5)  # its delay has begun
    assert not emu.server.wait_idle(timeout=0.2)  # the client has gone; the answer hasn't
    assert emu.server.wait_idle(timeout=10)


def test_stopped_server_closes_keep_alive_connections(make_server):
    emu = make_server()
    assert emu.http.get(vendor.JWKS_PATH).status_code == 200  # opens a keep-alive connection
    emu.server.stop()
    with pytest.raises(httpx.TransportError):
        emu.http.get(vendor.JWKS_PATH)


def _idle_connections(emu, count: int) -> list[socket.socket]:
    """`count` connections that never send a byte (a stalled client, an idle keep-alive)."""
    address = urlsplit(emu.base_url)
    assert address.hostname is not None and address.port is not None
    return [
        socket.create_connection((address.hostname, address.port), timeout=5) for _ in range(count)
    ]


def _closed_by_server(connection: socket.socket) -> bool:
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True


def test_idle_connections_take_no_more_than_the_cap_and_are_closed(make_server):
    # 300 idle connections used to hold 300 threads for two minutes each.
    emu = make_server(max_connections=4, idle_timeout_s=0.5)
    peak = [threading.active_count()]
    sampling = threading.Event()

    def sample() -> None:  # the peak thread count while the idle connections pile up
        while not sampling.wait(0.005):
            peak[0] = max(peak[0], threading.active_count())

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads_before = threading.active_count()  # the sampler included
    idle = _idle_connections(emu, 12)
    try:
        # A real request waits its turn behind them (delayed, not refused) and gets through.
        with emu.new_client() as client:
            assert client.get(vendor.JWKS_PATH).status_code == 200
        for connection in idle:  # every idle one was closed by the server
            assert connection.recv(1) == b""
    finally:
        sampling.set()
        sampler.join(5)
        for connection in idle:
            connection.close()
    assert peak[0] - threads_before <= 4


def test_stop_is_prompt_while_every_connection_slot_is_taken(make_server):
    emu = make_server(max_connections=1, idle_timeout_s=60)
    idle = _idle_connections(emu, 3)
    try:
        # stop() must not wait for the connections' idle timeout (60 s) to end them.
        stopper = threading.Thread(target=emu.server.stop)
        stopper.start()
        stopper.join(timeout=30)
        assert not stopper.is_alive()
        # Closed, or reset when it was still waiting in the backlog of a socket now gone.
        assert all(_closed_by_server(connection) for connection in idle)
    finally:
        for connection in idle:
            connection.close()


def test_instances_are_independent(make_server):
    first, second = make_server(), make_server()
    first.arm("server_error_html")
    assert second.token({"grant_type": "password"}).status_code == 400
    code, verifier = first.get_code()
    response = second.token(
        {"grant_type": "authorization_code", "code": code, "codeVerifier": verifier}
    )
    second.assert_error(response, 401, vendor.ERROR_INVALID_CODE)


def test_memory_stays_bounded_by_forgetting_the_oldest_records(monkeypatch) -> None:
    from idconnect_tester.emulator import tokens
    from idconnect_tester.emulator.errors import ApiError
    from idconnect_tester.emulator.users import User

    monkeypatch.setattr(tokens, "MAX_RECORDS", 3)
    store = tokens.TokenStore()
    user = User("u", "G", "F", "e@example.com", "2024-01-01T00:00:00Z")
    grant = tokens.Grant("c", user, ("openid",), "challenge", None, 0, "http://127.0.0.1/cb")
    codes = [store.issue_code(grant, now=0.0) for _ in range(5)]
    assert store.sizes()[0] == 3
    with pytest.raises(ApiError):  # the oldest were forgotten: they read as unknown
        store.redeem_code(
            codes[0],
            client_id="c",
            code_verifier="v",
            now=0.0,
            code_ttl_s=60,
            access_ttl_s=60,
            refresh_ttl_s=60,
        )
