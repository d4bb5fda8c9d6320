"""run_blocking (the `idconnect-tester emulator` command) and the request log."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
import threading

import httpx
import pytest

from idconnect_tester import vendor
from idconnect_tester.emulator import EmulatorConfig, run_blocking

RUN = (
    "import sys\n"
    "from idconnect_tester.emulator import EmulatorConfig, run_blocking\n"
    "sys.exit(run_blocking(EmulatorConfig(port=0), stdout=sys.stdout))\n"
)
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) (\S+) (\S+) [\d.]+ms")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_subprocess_prints_the_url_alone_then_logs_and_stops_on_signal(signum):
    process = subprocess.Popen(
        [sys.executable, "-c", RUN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+\n", first), first
        base_url = first.strip()
        assert httpx.get(base_url + vendor.DISCOVERY_PATH).json()["issuer"] == base_url + "/"
        log_line = process.stdout.readline()
        match = LOG_LINE.match(log_line)
        assert match is not None, log_line
        assert match.groups() == ("GET", vendor.DISCOVERY_PATH, "200")
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


class _FirstLine(io.StringIO):
    """A stdout that announces its first line."""

    def __init__(self):
        super().__init__()
        self.has_line = threading.Event()

    def write(self, text):
        written = super().write(text)
        if "\n" in self.getvalue():
            self.has_line.set()
        return written


def test_run_blocking_off_the_main_thread_stops_on_its_event():
    out = _FirstLine()
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(run_blocking(EmulatorConfig(), stdout=out, stop_event=stop))
    )
    thread.start()
    assert out.has_line.wait(10)
    base_url = out.getvalue().splitlines()[0]
    assert httpx.get(base_url + vendor.JWKS_PATH).status_code == 200
    stop.set()
    thread.join(10)
    assert result == [0]
    with pytest.raises(httpx.TransportError):
        httpx.get(base_url + vendor.JWKS_PATH)


def test_log_lines_mask_secrets(make_server):
    log = io.StringIO()
    emu = make_server(log_stream=log)
    tokens, verifier = emu.login(nonce="nonce-value-1234567")
    emu.refresh(tokens["refresh_token"], codeVerifier=verifier)
    emu.share({"sumsubIdConnectToken": tokens["access_token"], "forClientId": "x"})
    emu.token({"grant_type": "password"}, secret="wrong")
    text = log.getvalue()
    lines = text.splitlines()
    assert len(lines) == 5
    for line in lines:
        assert LOG_LINE.match(line), line
    authorize, exchange, refresh, share, failed = lines
    assert " 302 " in authorize and "code_challenge=" in authorize
    assert "grant=authorization_code" in exchange and "code=" in exchange
    assert "grant=refresh_token" in refresh and "rt=snd-id…" in refresh
    assert " 200 " in share
    assert " 401 " in failed and re.search(r"cid=[0-9a-f]{32}", failed)
    for secret in (
        tokens["access_token"],
        tokens["refresh_token"],
        tokens["id_token"],
        verifier,
        emu.server.config.secret_key,
        "nonce-value-1234567",
        "state-123",
    ):
        assert secret not in text


def test_authorize_code_never_appears_in_the_log(make_server):
    log = io.StringIO()
    emu = make_server(log_stream=log)
    code, _ = emu.get_code()
    emu.token({"grant_type": "authorization_code", "code": code, "codeVerifier": "x"})
    assert code not in log.getvalue()
    assert code[:6] + "…" + code[-4:] in log.getvalue()


def test_log_false_is_silent(make_server):
    log = io.StringIO()
    emu = make_server(log_stream=log, log=False)
    emu.login()
    assert log.getvalue() == ""


def test_drills_and_resets_appear_in_the_log(make_server):
    log = io.StringIO()
    emu = make_server(log_stream=log)
    emu.arm("connection_reset")
    with pytest.raises(httpx.TransportError):
        emu.token({"grant_type": "password"})
    last = log.getvalue().splitlines()[-1]
    assert " RESET " in last and "drill=connection_reset" in last


def test_run_blocking_raises_for_a_taken_port_and_restores_signal_handlers(make_server):
    busy = make_server()
    port = int(busy.base_url.rsplit(":", 1)[1])
    before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    with pytest.raises(OSError):
        run_blocking(EmulatorConfig(port=port), stdout=out)
    assert out.getvalue() == ""
    assert signal.getsignal(signal.SIGTERM) == before
