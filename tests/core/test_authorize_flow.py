"""The authorize step end to end (`core.authorize_flow`), over real HTTP against the emulator:
following the redirect, a scripted browser on the loopback listener, and a pasted redirect."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from tests.support.faulty_servers import closed_port, raw_answer_server
from tests.support.identity_provider import AUTHORIZE_PATH as IDP_AUTHORIZE_PATH
from tests.support.identity_provider import Behaviour, identity_provider
from tests.support.oidc import ALL_SCOPES, redeem

from idconnect_tester.core.authorize import AuthorizeSession
from idconnect_tester.core.authorize_flow import (
    AuthorizeAttempt,
    AuthorizeProbe,
    AuthorizeTarget,
    Interaction,
    ProbeVerdict,
    RedirectCapture,
    find_endpoint,
    is_loopback_redirect,
    probe_authorize,
    run_authorize,
)
from idconnect_tester.core.error_report import report_for_authorize
from idconnect_tester.emulator import EmulatorServer
from idconnect_tester.vendor import AUTHORIZE_PATH

URL_IN_TEXT = re.compile(r"http://\S+/authorize\?\S+")


def target_of(emulator: EmulatorServer, **changes: str) -> AuthorizeTarget:
    fields = {"issuer": emulator.issuer, "client_id": "emulator-client", **changes}
    return AuthorizeTarget(scopes=ALL_SCOPES, **fields)


async def authorize(
    target: AuthorizeTarget,
    capture: RedirectCapture = RedirectCapture.FOLLOW,
    interaction: Interaction | None = None,
) -> AuthorizeAttempt:
    async with httpx.AsyncClient(trust_env=False) as http:
        endpoint = await find_endpoint(http, target)
        return await run_authorize(http, target, endpoint, capture, interaction, timeout_s=10)


def scripted_person(answer: Callable[[str], str]) -> tuple[Interaction, list[str]]:
    """A person who reads what the flow says and pastes `answer(authorize URL)`; the browser
    never opens."""
    said: list[str] = []

    async def read_redirect() -> str:
        found = URL_IN_TEXT.search("\n".join(said))
        assert found is not None, said
        return await asyncio.to_thread(answer, found.group(0))

    return Interaction(said.append, lambda url: False, read_redirect), said


def redirect_location(url: str) -> str:
    """What a browser would be sent to: the emulator's Location header."""
    response = httpx.get(url, follow_redirects=False, trust_env=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def test_follow_gets_a_code_the_token_endpoint_accepts(emulator: EmulatorServer) -> None:
    async def body() -> None:
        attempt = await authorize(target_of(emulator))
        assert attempt.result.ok and attempt.result.state_checked
        assert attempt.endpoint == emulator.base_url + AUTHORIZE_PATH  # from discovery
        assert attempt.server_status == 302 and not attempt.unreachable
        session = attempt.session
        assert session is not None and is_loopback_redirect(session.redirect_uri)
        assert attempt.result.code is not None
        granted = await redeem(emulator, session, attempt.result.code)
        assert granted.id_token is not None

    asyncio.run(body())


def test_follow_reports_the_servers_own_oauth_error(emulator: EmulatorServer) -> None:
    attempt = asyncio.run(authorize(target_of(emulator, client_id="someone-else")))
    assert not attempt.result.ok and not attempt.unreachable
    assert attempt.server_status == 400
    assert attempt.result.error == "invalid_request"
    assert attempt.result.error_description == "Unknown client_id"


def test_follow_to_nothing_listening_is_unreachable_at_once() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    attempt = asyncio.run(authorize(AuthorizeTarget(issuer=base + "/", client_id="c")))
    assert attempt.unreachable and attempt.result.problem is not None
    assert attempt.network_error is not None and attempt.network_error.kind.value == "refused"
    assert attempt.endpoint == base + AUTHORIZE_PATH  # no discovery: the vendor's path


def test_follow_needs_a_redirect_this_process_can_receive(emulator: EmulatorServer) -> None:
    target = target_of(emulator, redirect_uri="https://app.example.com/callback")
    assert target.problems(RedirectCapture.FOLLOW)
    attempt = asyncio.run(authorize(target))
    assert attempt.session is None and attempt.result.problem is not None


def test_browser_mode_catches_the_redirect_on_the_loopback_listener(
    emulator: EmulatorServer,
) -> None:
    opened: list[str] = []

    def browser(url: str) -> bool:  # a browser that consents and follows the redirect
        opened.append(url)
        return httpx.get(url, follow_redirects=True, trust_env=False).status_code == 200

    async def never_pasted() -> str:
        raise AssertionError("the listener should have caught the redirect")

    said: list[str] = []
    person = Interaction(said.append, browser, never_pasted)
    attempt = asyncio.run(authorize(target_of(emulator), RedirectCapture.BROWSER, person))
    assert attempt.result.ok and attempt.result.state_checked
    assert attempt.session is not None and opened == [attempt.session.url()]
    assert any(attempt.session.url() in line for line in said)  # shown in case no browser opens


def test_pasted_redirect_gives_the_code_and_a_wrong_state_withholds_it(
    emulator: EmulatorServer,
) -> None:
    redirect_uri = f"http://127.0.0.1:{closed_port()}/callback"
    target = target_of(emulator, redirect_uri=redirect_uri)

    person, said = scripted_person(redirect_location)
    attempt = asyncio.run(authorize(target, RedirectCapture.PASTE, person))
    assert attempt.result.ok and attempt.result.state_checked, attempt.result
    assert attempt.session is not None and attempt.session.redirect_uri == redirect_uri
    assert redirect_uri in "\n".join(said)

    def forged(url: str) -> str:
        return re.sub(r"state=[^&]+", "state=forged", redirect_location(url))

    person, _ = scripted_person(forged)
    attempt = asyncio.run(authorize(target, RedirectCapture.PASTE, person))
    assert attempt.result.code is None and "state" in (attempt.result.problem or "")


def test_paste_needs_the_registered_redirect_uri(emulator: EmulatorServer) -> None:
    problems = target_of(emulator).problems(RedirectCapture.PASTE)
    assert problems and "redirect URI" in problems[0]
    assert target_of(emulator, client_id=" ").problems(RedirectCapture.BROWSER)


@pytest.mark.parametrize(
    ("uri", "loopback"),
    [
        ("", True),
        ("http://127.0.0.1:8765/callback", True),
        ("http://[::1]:8765/cb", True),
        ("http://localhost:1/cb", True),
        ("https://127.0.0.1:8765/cb", False),
        ("https://app.example.com/cb", False),
        ("http://127.0.0.1:99999/cb", False),
    ],
)
def test_which_redirect_uris_a_listener_can_receive(uri: str, loopback: bool) -> None:
    assert is_loopback_redirect(uri) is loopback


# --- the probe: what the authorization server answers before the browser goes there ---


def probe(
    endpoint: str, redirect_uri: str = "http://127.0.0.1:1/cb", client_id: str = "a-client"
) -> tuple[AuthorizeProbe, str]:
    """The probe's verdict for a fresh attempt, and that attempt's state (never sent)."""
    attempt = AuthorizeSession.new(endpoint, client_id, redirect_uri, ["openid"])

    async def ask() -> AuthorizeProbe:
        async with httpx.AsyncClient(trust_env=False) as http:
            return await probe_authorize(http, attempt)

    return asyncio.run(ask()), attempt.state


def test_the_probe_sees_the_emulator_consent_at_once(
    emulator: EmulatorServer,
) -> None:
    found, _state = probe(emulator.base_url + AUTHORIZE_PATH, client_id="emulator-client")
    assert found.verdict is ProbeVerdict.CONSENTS_AT_ONCE and not found.stops


@pytest.mark.parametrize(
    ("behaviour", "verdict", "stops", "said"),
    [
        (Behaviour.SIGN_IN, ProbeVerdict.SIGN_IN, False, "sign-in page"),
        (Behaviour.BAD_REQUEST, ProbeVerdict.REFUSED, True, "Unknown client"),
        (Behaviour.ERROR_REDIRECT, ProbeVerdict.REFUSED, True, "access_denied"),
        (Behaviour.BOT_WALL, ProbeVerdict.DOUBTFUL, False, "403"),
    ],
)
def test_the_probe_tells_a_sign_in_page_from_an_error(
    behaviour: Behaviour, verdict: ProbeVerdict, stops: bool, said: str
) -> None:
    with identity_provider(behaviour) as provider:
        found, state = probe(provider.base_url + IDP_AUTHORIZE_PATH)
        assert provider.states_seen and state not in provider.states_seen  # a twin asked
    assert found.verdict is verdict and found.stops is stops
    assert said in found.sentence


def test_the_probe_finds_nothing_listening_on_this_machine() -> None:
    found, _state = probe(f"http://127.0.0.1:{closed_port()}/authorize")
    assert found.verdict is ProbeVerdict.UNREACHABLE and found.stops
    assert found.result is not None and "could not be reached" in found.result.summary()


def test_a_404_at_the_authorize_endpoint_names_the_endpoint_not_the_client() -> None:
    """A server that is no OIDC provider (no discovery document, so Sumsub's path on the issuer
    is tried) answers 404: What to try is about the endpoint and the issuer, not the client id
    or the scopes; and the raw view says the server saw a twin of the request, not this URL."""
    page = b"<html><head><title>Error response</title></head><body>404</body></html>"
    answer = (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nConnection: close\r\n"
        + f"Content-Length: {len(page)}\r\n\r\n".encode()
        + page
    )
    with raw_answer_server(answer) as server:
        endpoint = server.base_url + AUTHORIZE_PATH
        found, _state = probe(endpoint)
    assert found.verdict is ProbeVerdict.REFUSED and found.result is not None
    assert endpoint in (found.result.problem or "")
    assert "Error response" in (found.result.problem or "")
    hint = report_for_authorize(endpoint, found.result, datetime.now(UTC)).hint
    assert hint is not None and "Issuer" in hint.advice and "client id" not in hint.advice
    assert any("twin" in note for note in found.result.notes)
