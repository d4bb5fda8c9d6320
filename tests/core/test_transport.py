"""How requests leave this machine: loopback never through a proxy, TLS against the OS trust
store plus what the user adds, and keys always over verified TLS.

Real servers on 127.0.0.1 throughout: the emulator, a TLS stub with a throwaway certificate,
and proxies that record whatever reaches them.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import truststore
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.support.faulty_servers import (
    _ThreadedServer,
    read_request,
    self_signed_certificate,
    tls_json_server,
)
from tests.support.flows import (
    EMULATOR_APP_TOKEN,
    EMULATOR_SECRET_KEY,
    emulator_target,
    get_code,
    refresh_request,
)
from tests.support.oidc import CLIENT_ID, emulator_id_token, new_session

from idconnect_tester import vendor
from idconnect_tester.core.client import IdConnectClient, key_fetching_client
from idconnect_tester.core.exchange import Exchange, NetworkError, NetworkErrorKind, NotSent
from idconnect_tester.core.jwks import build_context
from idconnect_tester.core.loopback import (
    LoopbackListener,
    follow_in_place_of_browser,
    run_authorize_flow,
)
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.target import Target
from idconnect_tester.core.transport import proxy_for
from idconnect_tester.core.trust import trust_context
from idconnect_tester.emulator import EmulatorServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
TLS_ANSWER = json.dumps({"access_token": "snd-id-con-a-tls", "token_type": "Bearer"}).encode()
ANY_REQUEST = refresh_request(vendor.REFRESH_TOKEN_PREFIX + "abc")


def recording_proxy(seen: list[str]) -> _ThreadedServer:
    """A proxy that records each request line and refuses it (502): anything that reaches it
    shows up in `seen`, and nothing gets through."""

    def handle(connection: socket.socket) -> None:
        received = read_request(connection)
        if received is not None:
            seen.append(received.request_line)
            connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    return _ThreadedServer(handle)


@pytest.fixture
def behind_a_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every proxy variable names a recording proxy and nothing exempts loopback, as behind a
    corporate proxy. Yields the request lines the proxy saw."""
    seen: list[str] = []
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with recording_proxy(seen) as proxy:
        for variable in PROXY_VARIABLES:
            monkeypatch.setenv(variable, proxy.base_url)
        yield seen


def send(target: Target) -> Exchange:
    async def run() -> Exchange:
        async with IdConnectClient(target) as client:
            return await client.token(ANY_REQUEST)

    return asyncio.run(run())


def tls_target(base_url: str, **changes: Any) -> Target:
    return replace(emulator_target(base_url), **changes)


def network_message(exchange: Exchange) -> str:
    assert isinstance(exchange.outcome, NetworkError), exchange.summary()
    return exchange.outcome.message


def plain_http_server() -> _ThreadedServer:
    """Answers every connection at once with a plain-text HTTP error, as a server on the
    wrong port would: a TLS client's handshake fails on it."""

    def handle(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        connection.close()

    return _ThreadedServer(handle)


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


@pytest.fixture
def no_environment_cas(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(variable, raising=False)


# --- which way a request goes --------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8088/x", "http://localhost/x", "http://[::1]:1/", "http://127.9.9.9/"]
)
def test_loopback_goes_straight_whatever_is_configured(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://proxy.corp:3128")
    assert proxy_for(httpx.URL(url), configured="http://profile.proxy:8080") is None


def test_other_hosts_take_the_profile_s_proxy_then_the_environment_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in (*PROXY_VARIABLES, "NO_PROXY"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.lower(), raising=False)
    api = httpx.URL("https://api.sumsub.com/x")
    assert proxy_for(api, None) is None
    monkeypatch.setenv("ALL_PROXY", "all.corp:1")
    assert proxy_for(api, None) == "http://all.corp:1"
    monkeypatch.setenv("HTTPS_PROXY", "http://tls.corp:3128")
    assert proxy_for(api, None) == "http://tls.corp:3128"
    assert proxy_for(api, "http://profile.proxy:8080") == "http://profile.proxy:8080"
    monkeypatch.setenv("NO_PROXY", "sumsub.com")
    assert proxy_for(api, None) is None
    assert proxy_for(api, "http://profile.proxy:8080") == "http://profile.proxy:8080"


def test_following_the_authorize_redirect_to_the_listener_skips_the_proxy(
    emulator: EmulatorServer, behind_a_proxy: list[str]
) -> None:
    async def flow() -> str | None:
        listener = await LoopbackListener.start(None)
        session = new_session(emulator, listener.redirect_uri)
        async with IdConnectClient(emulator_target(emulator.base_url)) as client:

            async def open_url(url: str) -> None:
                await follow_in_place_of_browser(client.http(), url)

            result = await run_authorize_flow(session, listener, open_url, timeout_s=10)
        return result.code

    assert asyncio.run(flow())
    assert behind_a_proxy == []


def test_keys_come_straight_from_a_loopback_issuer(
    emulator: EmulatorServer, behind_a_proxy: list[str]
) -> None:
    async def keys() -> object:
        async with key_fetching_client(emulator_target(emulator.base_url)) as http:
            context = await build_context(http, issuer=emulator.issuer)
        return context.keys

    assert asyncio.run(keys())
    assert behind_a_proxy == []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`idconnect-tester ARGS` in a real process, with this test's environment."""
    secrets = {"SUMSUB_APP_TOKEN": EMULATOR_APP_TOKEN, "SUMSUB_SECRET_KEY": EMULATOR_SECRET_KEY}
    return subprocess.run(
        [sys.executable, "-m", "idconnect_tester", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **secrets},
        timeout=60,
        check=False,
    )


def test_the_command_line_reaches_the_emulator_behind_a_proxy(
    emulator: EmulatorServer, behind_a_proxy: list[str]
) -> None:
    code = get_code(emulator.base_url)
    token = _cli(
        *("token", "--base-url", emulator.base_url, "--grant-type", "authorization_code"),
        *("--code", code.code, "--code-verifier", code.code_verifier),
    )
    assert token.returncode == 0, token.stderr

    _, id_token = asyncio.run(emulator_id_token(emulator))
    checked = _cli("id-token", id_token, "--issuer", emulator.issuer, "--client-id", CLIENT_ID)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # verified by fetched keys
    assert behind_a_proxy == []


# --- which certificates are trusted --------------------------------------------------------


def _hashed_directory(cert: Path, directory: Path) -> Path:
    """An OpenSSL CA directory holding `cert` under its subject hash (`c_rehash` layout)."""
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(cert)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    directory.mkdir()
    shutil.copy(cert, directory / f"{subject_hash}.0")
    return directory


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_a_ca_named_by_the_environment_is_trusted(
    certificate: tuple[Path, Path],
    no_environment_cas: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    variable: str,
) -> None:
    cert, key = certificate
    if variable == "SSL_CERT_DIR" and shutil.which("openssl") is None:
        pytest.skip("needs openssl to name the file by its subject hash")
    location = cert if variable == "SSL_CERT_FILE" else _hashed_directory(cert, tmp_path / "cas")
    with tls_json_server(cert, key, TLS_ANSWER) as server:
        base_url = f"https://127.0.0.1:{server.port}"
        untrusted = send(tls_target(base_url))
        assert "certificate" in network_message(untrusted)

        monkeypatch.setenv(variable, str(location))
        trusted = send(tls_target(base_url))
    assert trusted.status == 200, trusted.summary()
    assert trusted.request is not None
    assert f"{variable} {location}" in trusted.request.tls_verification


def test_a_ca_bundle_under_the_home_folder_is_found_when_checked_and_when_sent(
    certificate: tuple[Path, Path], private_home: Path
) -> None:
    cert, key = certificate
    shutil.copy(cert, private_home / "ca.pem")
    with tls_json_server(cert, key, TLS_ANSWER) as server:
        profile = Profile(
            id="p",
            name="Behind the proxy",
            base_url=f"https://127.0.0.1:{server.port}",
            app_token=EMULATOR_APP_TOKEN,
            issuer=f"https://127.0.0.1:{server.port}/",  # a server here is its own issuer
            ca_bundle="~/ca.pem",
        )
        assert profile.warnings() == []  # the bundle under ~ is found
        exchange = send(profile.target(emulator_target(profile.base_url).secret_key))
    assert exchange.status == 200, exchange.summary()
    assert exchange.request is not None
    assert str(private_home / "ca.pem") in exchange.request.tls_verification


def test_verification_goes_through_the_os_trust_store(no_environment_cas: None) -> None:
    """truststore's context hands certificate checks to the system's verifier (and its store,
    where IT installs a TLS-inspecting proxy's root), not to a bundle shipped with Python."""
    assert isinstance(trust_context(None), truststore.SSLContext)


def test_clients_share_a_trust_context_until_the_bundle_file_changes(
    certificate: tuple[Path, Path], no_environment_cas: None, tmp_path: Path
) -> None:
    cert, key = certificate
    (tmp_path / "other").mkdir()
    other_ca, _ = self_signed_certificate(tmp_path / "other")
    bundle = tmp_path / "ca.pem"
    shutil.copy(other_ca, bundle)  # not the server's certificate, yet
    assert trust_context(str(bundle)) is trust_context(str(bundle))  # loaded once
    with tls_json_server(cert, key, TLS_ANSWER) as server:
        target = tls_target(f"https://127.0.0.1:{server.port}", ca_bundle=str(bundle))
        assert "certificate" in network_message(send(target))
        shutil.copy(cert, bundle)  # the user fixes the file while the app runs
        later = bundle.stat().st_mtime_ns + 1_000_000_000
        os.utime(bundle, ns=(later, later))  # a coarse file-system clock can't hide the change
        assert send(target).status == 200


def test_a_missing_ca_bundle_is_the_same_problem_in_the_profile_and_at_send_time(
    private_home: Path,
) -> None:
    profile = Profile(
        id="p",
        name="Behind the proxy",
        base_url="https://api.sumsub.invalid",
        app_token=EMULATOR_APP_TOKEN,
        ca_bundle="~/missing.pem",
    )
    [warning] = profile.warnings()
    exchange = send(profile.target(emulator_target(profile.base_url).secret_key))
    assert isinstance(exchange.outcome, NotSent)
    assert exchange.outcome.reason == warning
    assert "~/missing.pem" in warning


def test_a_tls_failure_says_what_the_certificate_was_checked_against(
    certificate: tuple[Path, Path], no_environment_cas: None, tmp_path: Path
) -> None:
    cert, key = certificate
    (tmp_path / "other").mkdir()
    other_ca, _ = self_signed_certificate(tmp_path / "other")  # trusted, but not the server's
    with tls_json_server(cert, key, TLS_ANSWER) as server:
        base_url = f"https://127.0.0.1:{server.port}"
        store_only = network_message(send(tls_target(base_url)))
        with_bundle = network_message(send(tls_target(base_url, ca_bundle=str(other_ca))))
    assert "OS trust store" in store_only
    assert f"OS trust store + CA bundle {other_ca}" in with_bundle

    with plain_http_server() as not_tls:  # answers the handshake in plain text: it fails
        target = tls_target(f"https://127.0.0.1:{not_tls.port}", verify_tls=False, timeout_s=5)
        unverified = send(target)
    assert isinstance(unverified.outcome, NetworkError)
    assert unverified.outcome.kind is NetworkErrorKind.TLS
    assert "TLS verification was OFF" in unverified.outcome.message


# --- keys over verified TLS ----------------------------------------------------------------


def _signed_token_and_jwks() -> tuple[str, bytes]:
    """An id_token and the JWKS that verifies it (a fresh key, not the emulator's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "k1", "alg": "RS256", "use": "sig"})
    now = int(time.time())
    claims = {"iss": "https://issuer.test/", "aud": "c", "sub": "u", "iat": now, "exp": now + 600}
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    return token, json.dumps({"keys": [jwk]}).encode()


def test_keys_are_fetched_over_verified_tls_even_when_the_target_does_not_verify(
    certificate: tuple[Path, Path], no_environment_cas: None
) -> None:
    cert, key = certificate
    token, jwks = _signed_token_and_jwks()

    async def keys_for(target: Target, jwks_url: str) -> tuple[object, str]:
        async with IdConnectClient(target) as client:
            context = await build_context(client.keys_http(), token=token, jwks_url=jwks_url)
        return context.keys, context.keys_note

    with tls_json_server(cert, key, jwks) as server:
        base_url = f"https://127.0.0.1:{server.port}"
        jwks_url = base_url + vendor.JWKS_PATH
        unverified, note = asyncio.run(keys_for(tls_target(base_url, verify_tls=False), jwks_url))
        assert unverified is None
        assert "certificate" in note and "OS trust store" in note

        # The profile's CA bundle counts for keys even with the target's verification off.
        bundled = tls_target(base_url, verify_tls=False, ca_bundle=str(cert))
        trusted, _ = asyncio.run(keys_for(bundled, jwks_url))
        assert trusted

        # The command line: --insecure no longer lets unverified keys "verify" a signature.
        expected = ("--issuer", "https://issuer.test/", "--client-id", "c")
        insecure = _cli("id-token", token, *expected, "--jwks-url", jwks_url, "--insecure")
        with_ca = _cli(
            "id-token", token, *expected, "--jwks-url", jwks_url, "--ca-bundle", str(cert)
        )
    assert insecure.returncode == 1, insecure.stdout + insecure.stderr
    assert with_ca.returncode == 0, with_ca.stdout + with_ca.stderr
