"""The loopback redirect listener, end to end against the emulator over real HTTP on 127.0.0.1."""

import asyncio
import socket
from dataclasses import replace

import httpx
import pytest
from tests.support.faulty_servers import closed_port
from tests.support.oidc import ALL_SCOPES, authorize_via_listener, new_session, redeem

from idconnect_tester.core.authorize import AuthorizeSession
from idconnect_tester.core.loopback import (
    MAX_HEADER_BYTES,
    LoopbackError,
    LoopbackListener,
    follow_in_place_of_browser,
    run_authorize_flow,
)
from idconnect_tester.core.pkce import PkcePair
from idconnect_tester.emulator import EmulatorServer


def assert_port_free(port: int) -> None:
    """Binding the port again proves the listener let go of it. SO_REUSEADDR, as the listener
    itself binds: a connection the listener closed leaves TIME_WAIT behind, which is not a
    listener (on Linux the bind still fails while anything listens on the port)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen(1)


async def raw_exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes to the listener and read until it closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


async def until(condition, timeout_s: float = 5.0) -> None:
    """Wait for a condition another part of the loop makes true (bounded, not a fixed sleep)."""

    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - the listener exposes a flag, not an event
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout_s)


def test_authorize_redirect_lands_on_the_listener_and_the_code_is_good(
    emulator: EmulatorServer,
) -> None:
    async def body() -> None:
        session, result = await authorize_via_listener(emulator)
        assert result.ok and result.state_checked and result.notes == ()
        assert result.state == session.state
        assert result.code is not None
        granted = await redeem(emulator, session, result.code)
        assert granted.access_token and granted.refresh_token and granted.id_token

    asyncio.run(body())


def test_the_browser_gets_a_close_this_tab_page(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/callback"
        session = new_session(emulator, listener.redirect_uri)
        async with httpx.AsyncClient(trust_env=False) as http:
            waiting = asyncio.ensure_future(listener.wait(session, 10))
            page = await http.get(session.url(), follow_redirects=True)
            result = await waiting
        assert result.ok
        assert page.status_code == 200
        assert page.history[0].status_code == 302  # the emulator's redirect, as a browser sees it
        assert "Code received" in page.text and "close this tab" in page.text
        assert "ID Connect Tester" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["connection"] == "close"
        assert int(page.headers["content-length"]) == len(page.content)
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert "http" not in page.text.split("<body>", 1)[1]  # no external resources
        assert not listener.listening
        assert_port_free(listener.port)

    asyncio.run(body())


def test_a_redirect_with_another_state_is_refused_and_the_listener_keeps_waiting(
    emulator: EmulatorServer,
) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        session = new_session(emulator, listener.redirect_uri)
        # A redirect from an earlier attempt: a real code, but another state.
        earlier = replace(session, state="the-state-of-an-earlier-attempt")
        async with httpx.AsyncClient(trust_env=False) as http:
            waiting = asyncio.ensure_future(listener.wait(session, 10))
            stale = await http.get(earlier.url(), follow_redirects=True)
            assert stale.status_code == 400
            assert "Not the redirect this app is waiting for" in stale.text
            assert listener.listening and not waiting.done()

            page = await http.get(session.url(), follow_redirects=True)
            result = await waiting
        assert page.status_code == 200 and "Code received" in page.text
        assert result.ok and result.state_checked and result.state == session.state

    asyncio.run(body())


def test_forged_redirects_cannot_end_the_flow() -> None:
    """Any local program (or a page, when the port is fixed) can send the listener a redirect.
    Without this run's state none is taken — an error neither — and the timeout says so."""

    async def body() -> None:
        listener = await LoopbackListener.start(None)
        session = AuthorizeSession.new(
            "http://127.0.0.1:1/authorize", "c", listener.redirect_uri, ("openid",)
        )
        waiting = asyncio.ensure_future(listener.wait(session, 1.0))
        async with httpx.AsyncClient(trust_env=False) as http:
            for query in ("code=forged", "code=forged&state=guess", "error=access_denied"):
                answer = await http.get(f"{listener.redirect_uri}?{query}")
                assert answer.status_code == 400, query
        result = await waiting
        assert result.problem is not None and result.code is None and result.error is None
        assert "3 redirect(s) with a missing or different state were refused" in result.problem

    asyncio.run(body())


@pytest.mark.parametrize("host", ["evil.example", "localhost", "127.0.0.2", ""])
def test_a_request_not_addressed_to_the_listener_is_refused(
    emulator: EmulatorServer, host: str
) -> None:
    """DNS rebinding: a web page whose own name now resolves to 127.0.0.1 reaches the port, but
    its requests still say its name in `Host`."""

    async def body() -> None:
        listener = await LoopbackListener.start(None)
        session = new_session(emulator, listener.redirect_uri)
        waiting = asyncio.ensure_future(listener.wait(session, 10))
        # The right state even: only the Host header is wrong.
        forged = (
            f"GET {listener.path}?code=forged&state={session.state} HTTP/1.1\r\n"
            f"Host: {host}:{listener.port}\r\n\r\n"
        ).encode()
        answer = await raw_exchange(listener.port, forged)
        assert answer.startswith(b"HTTP/1.1 400 ")
        assert not listener.redirect_received and not waiting.done()

        async with httpx.AsyncClient(trust_env=False) as http:
            await http.get(session.url(), follow_redirects=True)
        result = await waiting
        assert result.ok and result.code != "forged"

    asyncio.run(body())


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scopes": ("openid", "no-such-scope")}, "invalid_scope"),
        ({"pkce": PkcePair("v" * 43, "c" * 43, method="plain")}, "invalid_request"),
    ],
)
def test_an_error_redirect_becomes_an_oauth_error(
    emulator: EmulatorServer, change: dict[str, object], error: str
) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        session = replace(new_session(emulator, listener.redirect_uri), **change)  # type: ignore[arg-type]
        async with httpx.AsyncClient(trust_env=False) as http:
            waiting = asyncio.ensure_future(listener.wait(session, 10))
            page = await http.get(session.url(), follow_redirects=True)
            result = await waiting
        assert result.error == error and result.code is None
        assert result.state_checked and result.error_description
        assert error in page.text and "Close this tab" in page.text

    asyncio.run(body())


def test_timeout_is_a_result_and_frees_the_port(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        result = await listener.wait(new_session(emulator, listener.redirect_uri), 0.3)
        assert result.problem is not None
        assert "No redirect arrived within 0.3 s" in result.problem
        assert not listener.listening
        assert_port_free(listener.port)
        # and waiting again just repeats the answer
        assert (await listener.wait(None, 0.3)) is result

    asyncio.run(body())


def test_cancelling_the_wait_propagates_and_releases_the_port(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        task = asyncio.ensure_future(
            listener.wait(new_session(emulator, listener.redirect_uri), 30)
        )
        await asyncio.sleep(0)  # let it start waiting
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not listener.listening
        assert_port_free(listener.port)

    asyncio.run(body())


def test_cancelling_the_flow_propagates_and_releases_the_port(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        opened: list[str] = []
        browser_started, never = asyncio.Event(), asyncio.Event()

        async def open_url(url: str) -> None:  # a browser that never comes back
            opened.append(url)
            browser_started.set()
            await never.wait()

        session = new_session(emulator, listener.redirect_uri)
        flow = asyncio.ensure_future(run_authorize_flow(session, listener, open_url, 30))
        await asyncio.wait_for(browser_started.wait(), 5)
        flow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await flow
        assert opened == [session.url()]
        assert_port_free(listener.port)

    asyncio.run(body())


def test_a_failing_open_url_is_a_result(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)

        def open_url(url: str) -> None:
            raise RuntimeError("no browser")

        session = new_session(emulator, listener.redirect_uri)
        result = await run_authorize_flow(session, listener, open_url, 30)
        assert result.problem is not None and "no browser" in result.problem
        assert_port_free(listener.port)

    asyncio.run(body())


def test_the_port_of_a_loopback_redirect_uri_is_used(emulator: EmulatorServer) -> None:
    port = closed_port()
    uri = f"http://127.0.0.1:{port}/oauth/done"

    async def body() -> None:
        listener = await LoopbackListener.start(uri)
        assert (listener.port, listener.redirect_uri, listener.path) == (port, uri, "/oauth/done")
        session = new_session(emulator, listener.redirect_uri)
        async with httpx.AsyncClient(trust_env=False) as http:

            async def open_url(url: str) -> None:
                assert await follow_in_place_of_browser(http, url) == 200

            result = await run_authorize_flow(session, listener, open_url, 10)
        assert result.ok and result.state_checked
        assert_port_free(port)

    asyncio.run(body())


def test_other_redirect_uris_get_a_free_port() -> None:
    async def body() -> None:
        for given, path in (
            ("https://app.example.com/oauth/cb", "/oauth/cb"),
            ("http://127.0.0.1/cb", "/cb"),  # loopback but no port: pick one
            ("not a url", "/callback"),
            ("", "/callback"),
        ):
            listener = await LoopbackListener.start(given)
            try:
                assert listener.port != 0
                assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}{path}"
            finally:
                await listener.close()

        listener = await LoopbackListener.start(f"http://localhost:{closed_port()}/cb")
        assert listener.redirect_uri.startswith("http://localhost:")  # kept as registered
        await listener.close()

    asyncio.run(body())


def test_a_port_in_use_is_a_clear_error() -> None:
    async def body() -> None:
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen(1)
            port = holder.getsockname()[1]
            with pytest.raises(LoopbackError, match=rf"port {port} on 127\.0\.0\.1.*in use"):
                await LoopbackListener.start(f"http://127.0.0.1:{port}/callback")

    asyncio.run(body())


def test_junk_does_not_break_the_listener(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None, read_timeout_s=0.3)
        port, path = listener.port, listener.path

        # 1. not HTTP at all
        answer = await raw_exchange(port, b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400 ")
        # 2. a request line far beyond the header cap
        huge = b"GET /" + b"a" * (MAX_HEADER_BYTES * 2) + b" HTTP/1.1\r\n\r\n"
        assert (await raw_exchange(port, huge)).startswith(b"HTTP/1.1 431 ")
        # 3. a client that connects and says nothing is dropped after the read timeout
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        await writer.wait_closed()
        # 4. half a request, then hang up
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /callback?code=x HTTP/1.1\r\nHost: a")
        writer.close()
        await writer.wait_closed()
        # 5. what a browser also asks for, and stray requests to the redirect path
        async with httpx.AsyncClient(trust_env=False) as http:
            base = f"http://127.0.0.1:{port}"
            assert (await http.get(base + "/favicon.ico")).status_code == 404
            assert (await http.get(base + path + "?foo=bar")).status_code == 400
            assert (await http.post(base + path + "?code=x&state=y")).status_code == 405
            assert listener.listening and not listener.redirect_received

            # ...and the real redirect still works afterwards
            session = new_session(emulator, listener.redirect_uri)

            async def open_url(url: str) -> None:
                assert await follow_in_place_of_browser(http, url) == 200

            result = await run_authorize_flow(session, listener, open_url, 10)
        assert result.ok and result.state_checked

    asyncio.run(body())


def test_a_redirect_before_anyone_waits_is_kept(emulator: EmulatorServer) -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        session = new_session(emulator, listener.redirect_uri, ALL_SCOPES)
        async with httpx.AsyncClient(trust_env=False) as http:
            browser = asyncio.ensure_future(http.get(session.url(), follow_redirects=True))
            await until(lambda: listener.redirect_received)
            result = await listener.wait(session, 10)
            page = await browser
        assert result.ok and "Code received" in page.text

    asyncio.run(body())


def test_close_is_idempotent_and_a_closed_listener_does_not_wait() -> None:
    async def body() -> None:
        listener = await LoopbackListener.start(None)
        await listener.close()
        await listener.close()
        result = await listener.wait(None, 5)
        assert result.problem is not None and "closed" in result.problem
        async with await LoopbackListener.start(None) as other:
            port = other.port
        assert_port_free(port)

    asyncio.run(body())
