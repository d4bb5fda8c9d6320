"""The credential check (`core.credential_check`) against the real emulator over HTTP: every
step passes on good credentials, and each kind of trouble fails the right step with its hint and
skips what depends on it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from tests.support.faulty_servers import (
    closed_port,
    raw_answer_server,
    self_signed_certificate,
    tls_json_server,
)
from tests.support.flows import EMULATOR_APP_TOKEN, EMULATOR_CLIENT_ID, EMULATOR_SECRET_KEY

from idconnect_tester.core.authorize_flow import AuthorizeTarget, Interaction, RedirectCapture
from idconnect_tester.core.check_results import (
    STEP_ORDER,
    CheckReport,
    CheckSettings,
    StepId,
    StepResult,
    StepStatus,
)
from idconnect_tester.core.credential_check import CLOCK_HINT, iterate_check, run_check
from idconnect_tester.core.exchange import HintKind
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.target import Target
from idconnect_tester.emulator import EmulatorServer
from idconnect_tester.vendor import AUTHORIZE_PATH, JWKS_PATH

PASS, FAIL, SKIPPED = StepStatus.PASS, StepStatus.FAIL, StepStatus.SKIPPED


def settings_for(emulator: EmulatorServer, app_token: str = EMULATOR_APP_TOKEN) -> CheckSettings:
    target = Target(emulator.base_url, app_token, Secret(EMULATOR_SECRET_KEY))
    authorize = AuthorizeTarget(emulator.issuer, EMULATOR_CLIENT_ID)
    return CheckSettings(target, authorize, capture=RedirectCapture.FOLLOW)


def check(settings: CheckSettings, **options: object) -> CheckReport:
    return asyncio.run(run_check(settings, **options))  # type: ignore[arg-type]


def by_step(report: CheckReport) -> dict[StepId, StepResult]:
    assert [r.step for r in report.results] == list(STEP_ORDER)  # each step once, in order
    return {r.step: r for r in report.results}


def test_every_step_passes_against_the_emulator(emulator: EmulatorServer) -> None:
    seen: list[StepId] = []
    report = check(settings_for(emulator), on_result=lambda r: seen.append(r.step))
    steps = by_step(report)
    assert report.passed and not report.unreachable
    assert all(r.status is PASS for r in report.results), [(r.step, r.why) for r in report.results]
    assert seen == list(STEP_ORDER)
    assert steps[StepId.TOKEN].http_status == 200
    # The signed steps hand their exchanges on, for the history, and the authorize step its
    # record (with the code, never the verifier).
    for signed in (StepId.TOKEN, StepId.REFRESH, StepId.SHARE_TOKEN):
        exchange = steps[signed].exchange
        assert exchange is not None and exchange.succeeded, signed
    record = steps[StepId.AUTHORIZE].authorize
    assert record is not None and record.succeeded and record.server_status == 302
    assert record.code is not None and record.state_checked
    assert steps[StepId.AUTHORIZE].http_status == 302
    assert any(
        "nonce" in line and line.startswith("pass") for line in steps[StepId.ID_TOKEN].details
    )
    assert all(r.duration_ms >= 0 and r.hint is None for r in report.results)
    assert report.duration_ms >= sum(r.duration_ms for r in report.results)


def test_a_client_without_sumsub_id_fails_the_token_step_and_skips_the_rest(
    emulator: EmulatorServer,
) -> None:
    report = check(settings_for(emulator, app_token="sbx:emulator-disabled-token"))
    steps = by_step(report)
    token = steps[StepId.TOKEN]
    assert token.status is FAIL and token.http_status == 404
    assert token.correlation_id  # Sumsub's error shape carries one: it goes in the report
    assert token.exchange is not None and token.exchange.status == 404  # for the history
    assert token.hint is not None and token.hint.kind is HintKind.SUMSUB_ID_NOT_ENABLED
    for later in (StepId.ID_TOKEN, StepId.REFRESH, StepId.SHARE_TOKEN):
        assert steps[later].status is SKIPPED and "token" in steps[later].why
    assert [steps[s].status for s in STEP_ORDER[:4]] == [PASS] * 4
    assert not report.passed and not report.unreachable


def test_an_expired_id_token_fails_the_id_token_step_on_exp(emulator: EmulatorServer) -> None:
    emulator.set_scenario("expired_id_token")
    steps = by_step(check(settings_for(emulator)))
    id_token = steps[StepId.ID_TOKEN]
    assert id_token.status is FAIL and id_token.why.startswith("exp:")
    assert any(line.startswith("fail: exp") for line in id_token.details)
    assert any(line.startswith("pass: signature") for line in id_token.details)
    assert id_token.hint is not None
    # The tokens themselves still work: the share token doesn't need the id_token. The
    # refreshed id_token is held to the sign-in's, which never validated — as in the window
    # (OIDC Core §12.2): the refresh step says so rather than pass.
    refresh = steps[StepId.REFRESH]
    assert refresh.status is FAIL and "sign-in's id_token had itself failed" in refresh.why
    assert steps[StepId.SHARE_TOKEN].status is PASS


def test_a_bad_id_token_signature_fails_the_step(emulator: EmulatorServer) -> None:
    emulator.set_scenario("bad_signature_id_token")
    id_token = by_step(check(settings_for(emulator)))[StepId.ID_TOKEN]
    assert id_token.status is FAIL and id_token.why.startswith("signature:")
    # Its claims match, and prove nothing without the signature: not listed as passes.
    assert any(line.startswith("unverified: aud") for line in id_token.details)
    assert not any(line.startswith("pass: aud") for line in id_token.details)


def test_a_refresh_whose_id_token_is_forged_fails_its_step(emulator: EmulatorServer) -> None:
    """Tryout AJ: with the drill armed for both token answers, the refresh step read "Granted
    … with id_token" — a pass the window would not give. Its id_token is checked too, against
    the sign-in's (OIDC Core §12.2); a genuine one passes, and says it was verified."""
    emulator.set_scenario("bad_signature_id_token", times=2)
    refresh = by_step(check(settings_for(emulator)))[StepId.REFRESH]
    assert refresh.status is FAIL and "signature" in refresh.why, refresh.why
    assert any(line.startswith("fail: signature") for line in refresh.details)

    genuine = by_step(check(settings_for(emulator)))[StepId.REFRESH]
    assert genuine.status is PASS and genuine.why.endswith("verified"), genuine.why
    assert any(line.startswith("pass: signature") for line in genuine.details)


def test_an_id_token_not_bound_to_its_access_token_fails_the_step_on_at_hash(
    emulator: EmulatorServer,
) -> None:
    emulator.set_scenario("wrong_at_hash_id_token")
    id_token = by_step(check(settings_for(emulator)))[StepId.ID_TOKEN]
    assert id_token.status is FAIL and id_token.why.startswith("at_hash:")
    assert any(line.startswith("pass: signature") for line in id_token.details)


def test_discovery_is_fetched_over_verified_tls_even_when_the_target_does_not_verify(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(variable, raising=False)
    cert, key = self_signed_certificate(tmp_path)
    base = settings_for(emulator)
    unchecked = replace(base, target=replace(base.target, verify_tls=False))
    with tls_json_server(cert, key, json.dumps({"issuer": "anyone"}).encode()) as server:
        issuer = f"https://127.0.0.1:{server.port}"
        settings = replace(unchecked, authorize=replace(base.authorize, issuer=issuer))
        steps = by_step(check(settings))
    discovery = steps[StepId.DISCOVERY]
    assert discovery.status is FAIL and "certificate" in discovery.why
    assert steps[StepId.JWKS].status is SKIPPED


def test_a_server_without_a_date_header_skips_the_clock_step_and_the_check_goes_on(
    emulator: EmulatorServer,
) -> None:
    answer = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with raw_answer_server(answer) as server:
        settings = settings_for(emulator)
        settings = replace(settings, target=replace(settings.target, base_url=server.base_url))
        steps = by_step(check(settings))
    clock = steps[StepId.CLOCK]
    assert clock.status is SKIPPED and "Date" in clock.why
    assert clock.http_status is None and any("404" in line for line in clock.details)
    assert steps[StepId.DISCOVERY].status is PASS  # the issuer is still the emulator


def test_a_clock_two_minutes_off_fails_the_clock_step_with_the_hint(
    emulator: EmulatorServer,
) -> None:
    report = check(settings_for(emulator), clock=lambda: time.time() + 120)
    steps = by_step(report)
    clock = steps[StepId.CLOCK]
    assert clock.status is FAIL and clock.hint == CLOCK_HINT
    assert "2 min" in clock.why and "ahead" in clock.why
    # The same clock signs the requests, so Sumsub's answer to it shows up too (errorCode 4004).
    token = steps[StepId.TOKEN]
    assert token.status is FAIL and token.http_status == 401 and token.hint == CLOCK_HINT


def test_a_clock_a_little_off_passes(emulator: EmulatorServer) -> None:
    clock = by_step(check(settings_for(emulator), clock=lambda: time.time() - 20))[StepId.CLOCK]
    assert clock.status is PASS and clock.hint is None


def test_a_wrong_issuer_fails_discovery_and_skips_what_needs_its_keys(
    emulator: EmulatorServer,
) -> None:
    settings = settings_for(emulator)
    authorize = replace(settings.authorize, issuer=emulator.base_url)  # no trailing slash
    settings = replace(settings, authorize=authorize)
    steps = by_step(check(settings))
    assert steps[StepId.DISCOVERY].status is FAIL
    assert "trailing slash" in steps[StepId.DISCOVERY].why
    assert steps[StepId.JWKS].status is SKIPPED and "discovery" in steps[StepId.JWKS].why
    # Authorize falls back to the vendor's path on the issuer, which the emulator serves.
    assert steps[StepId.AUTHORIZE].status is PASS and steps[StepId.TOKEN].status is PASS
    assert steps[StepId.ID_TOKEN].status is SKIPPED and "jwks" in steps[StepId.ID_TOKEN].why


def test_an_unreachable_target_is_said_so(emulator: EmulatorServer) -> None:
    port = closed_port()
    settings = CheckSettings(
        Target(f"http://127.0.0.1:{port}", EMULATOR_APP_TOKEN, Secret("s")),
        AuthorizeTarget(f"http://127.0.0.1:{port}/", EMULATOR_CLIENT_ID),
        capture=RedirectCapture.FOLLOW,
    )
    report = check(settings)
    steps = by_step(report)
    assert report.unreachable and not report.passed
    for step in (StepId.CLOCK, StepId.DISCOVERY):
        result = steps[step]
        assert result.status is FAIL and result.unreachable, result
        assert result.hint is not None and result.hint.kind is HintKind.CONNECTION_REFUSED
    clock_hint = steps[StepId.CLOCK].hint
    assert clock_hint is not None and "base URL" in clock_hint.advice
    discovery_hint = steps[StepId.DISCOVERY].hint
    assert discovery_hint is not None and "issuer URL" in discovery_hint.advice  # not base URL
    # No authorize step (a browser, a person, a five-minute wait) for an API nobody can reach.
    assert steps[StepId.AUTHORIZE].status is SKIPPED
    assert "could not be reached" in steps[StepId.AUTHORIZE].why


def test_a_dead_api_skips_the_authorize_step_even_when_its_issuer_answers(
    emulator: EmulatorServer,
) -> None:
    port = closed_port()
    settings = CheckSettings(
        Target(f"http://127.0.0.1:{port}", EMULATOR_APP_TOKEN, Secret("s")),
        AuthorizeTarget(emulator.base_url + "/", EMULATOR_CLIENT_ID),
        capture=RedirectCapture.FOLLOW,
    )
    steps = by_step(check(settings))
    assert steps[StepId.CLOCK].status is FAIL and steps[StepId.CLOCK].unreachable
    assert steps[StepId.DISCOVERY].status is PASS  # the issuer is elsewhere, and answers
    assert steps[StepId.AUTHORIZE].status is SKIPPED
    assert steps[StepId.TOKEN].status is SKIPPED


def test_an_unreachable_issuer_sends_no_one_to_its_sign_in_page(emulator: EmulatorServer) -> None:
    """Tryout AJ: the API answered, the issuer's host could not be resolved — and the check
    opened a browser to that host's sign-in page and waited five minutes for a code. The
    authorize step is skipped, saying why; nothing reaches the person."""
    asked: list[str] = []

    async def nothing_pasted() -> str:
        asked.append("read")
        return ""

    def no_browser(url: str) -> bool:
        asked.append(url)
        return False

    interaction = Interaction(asked.append, no_browser, nothing_pasted)
    settings = CheckSettings(
        Target(emulator.base_url, EMULATOR_APP_TOKEN, Secret(EMULATOR_SECRET_KEY)),
        AuthorizeTarget("https://issuer.invalid/", EMULATOR_CLIENT_ID),
        capture=RedirectCapture.BROWSER,
    )
    steps = by_step(check(settings, interaction=interaction))
    assert steps[StepId.CLOCK].status is PASS  # the API answers
    assert steps[StepId.DISCOVERY].status is FAIL and steps[StepId.DISCOVERY].unreachable
    authorize = steps[StepId.AUTHORIZE]
    assert authorize.status is SKIPPED and "issuer.invalid" in authorize.why, authorize.why
    assert asked == []
    assert steps[StepId.TOKEN].status is SKIPPED


def test_results_arrive_as_steps_finish_and_cancel_leaves_nothing_behind(
    emulator: EmulatorServer,
) -> None:
    emulator.set_scenario("slow", delay_s=5)  # the token step waits at the server

    async def body() -> None:
        results: list[StepResult] = []
        reached_token = asyncio.Event()

        async def consume() -> None:
            async for result in iterate_check(settings_for(emulator)):
                results.append(result)
                if result.step is StepId.AUTHORIZE:
                    reached_token.set()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(reached_token.wait(), 10)
        assert [r.step for r in results] == list(STEP_ORDER[:4])  # shown before token ends
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Stopped at the token step: its answer (held back by the drill) was not waited for.
        assert [r.step for r in results] == list(STEP_ORDER[:4])
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(body())


def test_every_listener_port_is_released(emulator: EmulatorServer) -> None:
    port = closed_port()
    settings = settings_for(emulator)
    authorize = replace(settings.authorize, redirect_uri=f"http://127.0.0.1:{port}/cb")
    settings = replace(settings, authorize=authorize)
    assert check(settings).passed
    with socket.socket() as probe:  # the listener let go of the registered port
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


class _Issuer:
    """An issuer on 127.0.0.1 that serves only the discovery document it is given."""

    def __init__(self, document: dict[str, object]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_GET(self) -> None:  # the standard library names it
                body = json.dumps({"issuer": issuer.url, **document}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        issuer = self
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def steps_with_issuer(emulator: EmulatorServer, issuer: _Issuer) -> dict[StepId, StepResult]:
    """The check against the emulator, with `issuer`'s discovery document; the issuer stops."""
    try:
        settings = settings_for(emulator)
        settings = replace(settings, authorize=replace(settings.authorize, issuer=issuer.url))
        return by_step(check(settings))
    finally:
        issuer.stop()


def test_keys_that_cant_verify_the_advertised_algorithm_fail_jwks(
    emulator: EmulatorServer,
) -> None:
    issuer = _Issuer(
        {
            "authorization_endpoint": emulator.base_url + AUTHORIZE_PATH,
            "jwks_uri": emulator.base_url + JWKS_PATH,  # RSA keys only
            "id_token_signing_alg_values_supported": ["ES256", "none"],
        }
    )
    steps = steps_with_issuer(emulator, issuer)
    jwks = steps[StepId.JWKS]
    assert jwks.status is FAIL and "No usable key for ES256" in jwks.why
    assert jwks.hint is not None and jwks.http_status == 200
    assert any("none" in line for line in jwks.details)  # never accepted, and said so
    assert steps[StepId.ID_TOKEN].status is SKIPPED and "jwks" in steps[StepId.ID_TOKEN].why
    assert steps[StepId.AUTHORIZE].status is PASS  # the endpoint came from this discovery


def test_an_encryption_key_in_the_jwks_is_listed_as_one_and_not_counted(
    emulator: EmulatorServer,
) -> None:
    """A JWKS may publish keys for encryption beside the signing ones: the step lists such a
    key as one that verifies nothing, and counts only the signing keys."""
    (signing,) = httpx.get(emulator.base_url + JWKS_PATH, trust_env=False).json()["keys"]
    document: dict[str, object] = {
        "authorization_endpoint": emulator.base_url + AUTHORIZE_PATH,
        "keys": [signing, {**signing, "kid": "enc-1", "use": "enc"}],
    }
    issuer = _Issuer(document)  # serves the same document at every path: the JWKS too
    document["jwks_uri"] = issuer.url + "jwks"
    steps = steps_with_issuer(emulator, issuer)
    jwks = steps[StepId.JWKS]
    assert jwks.status is PASS and jwks.why.startswith("1 signing key;"), jwks.why
    (listed,) = [line for line in jwks.details if line.startswith("kid enc-1")]
    assert "for encryption" in listed and listed.endswith("verifies nothing")
