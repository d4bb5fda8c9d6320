"""Emulator throughput: signed refresh-token requests from 20 concurrent keep-alive clients
against `idconnect-tester emulator` in its own process, and the same load against the floor (a
bare standard-library HTTP server answering a fixed body, `_floor_server.py`).

    python bench/throughput.py [--seconds 10] [--clients 20]

The load generator is independent of the app: its own PKCE, its own HMAC signing (the emulator
checks every signature, so a wrong one would show up as errors), one `http.client` connection per
thread. It runs in this process and the server in another, so each has a core of its own.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import BENCH, CONSOLE_SCRIPT, PYTHON, median, proc_status_kb

APP_TOKEN = "sbx:emulator-app-token"
SECRET_KEY = b"emulator-secret-key"
TOKEN_PATH = "/resources/snsId/api/connect/token"
AUTHORIZE_PATH = "/api/snsId/oauth/authorize"


@dataclass
class Load:
    """What the client pool saw (and the server's resident memory before and after)."""

    seconds: float
    ok: int = 0
    rss_before_kb: int = 0
    rss_after_kb: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def _signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    signature = hmac.new(SECRET_KEY, f"{ts}POST{TOKEN_PATH}".encode() + body, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-App-Token": APP_TOKEN,
        "X-App-Access-Ts": ts,
        "X-App-Access-Sig": signature.hexdigest(),
    }


def _post(connection: HTTPConnection, body: bytes) -> tuple[int, bytes]:
    connection.request("POST", TOKEN_PATH, body, _signed(body))
    response = connection.getresponse()
    return response.status, response.read()


def refresh_body(host: str, port: int) -> bytes:
    """Authorize with PKCE, exchange the code, and return the JSON body of a refresh request."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = urlencode(
        {
            "client_id": "emulator-client",
            "response_type": "code",
            "redirect_uri": "http://127.0.0.1:1/cb",
            "scope": "openid profile email name offline_access",
            "state": "bench",
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    connection = HTTPConnection(host, port, timeout=30)
    connection.request("GET", f"{AUTHORIZE_PATH}?{query}")
    response = connection.getresponse()
    response.read()
    code = parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]
    body = json.dumps(
        {"grant_type": "authorization_code", "code": code, "codeVerifier": verifier}
    ).encode()
    status, answer = _post(connection, body)
    connection.close()
    if status != 200:
        raise RuntimeError(f"code exchange failed: {status} {answer[:200]!r}")
    refresh_token = json.loads(answer)["refresh_token"]
    return json.dumps({"grant_type": "refresh_token", "refresh_token": refresh_token}).encode()


def run_load(host: str, port: int, body: bytes, clients: int, seconds: float) -> Load:
    """`clients` threads, each with its own keep-alive connection, for `seconds`."""
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    load = Load(seconds)
    stop_at = [0.0]

    def client() -> None:
        connection = HTTPConnection(host, port, timeout=30)
        ok, latencies, errors = 0, [], []
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                status, answer = _post(connection, body)
            except (OSError, ValueError) as exc:  # refused, reset, broken framing
                errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = HTTPConnection(host, port, timeout=30)
                continue
            if status == 200 and b'"access_token"' in answer:
                ok += 1
                latencies.append(time.perf_counter() - began)
            else:
                errors.append(f"HTTP {status}: {answer[:120]!r}")
        connection.close()
        with lock:
            load.ok += ok
            load.latencies += latencies
            load.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


def _start(command: list[str]) -> tuple[subprocess.Popen[str], str, int]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    parts = urlsplit(process.stdout.readline().strip())
    if not parts.hostname or not parts.port:
        process.kill()
        raise RuntimeError(f"{command[0]} printed no base URL: {process.stderr}")
    return process, parts.hostname, parts.port


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(seconds: float, clients: int = 20) -> tuple[Load, Load]:
    """(emulator, floor), each after a one-second warm-up with the same pool."""
    emulator, host, port = _start([str(CONSOLE_SCRIPT), "emulator", "--port", "0", "--quiet"])
    try:
        body = refresh_body(host, port)
        run_load(host, port, body, clients, 1.0)
        rss_before = proc_status_kb("VmRSS", emulator.pid)
        ours = run_load(host, port, body, clients, seconds)
        ours.rss_before_kb, ours.rss_after_kb = rss_before, proc_status_kb("VmRSS", emulator.pid)
    finally:
        _stop(emulator)
    floor_server, host, port = _start([str(PYTHON), str(BENCH / "_floor_server.py")])
    try:
        run_load(host, port, body, clients, 1.0)
        rss_before = proc_status_kb("VmRSS", floor_server.pid)
        floor = run_load(host, port, body, clients, seconds)
        floor.rss_before_kb = rss_before
        floor.rss_after_kb = proc_status_kb("VmRSS", floor_server.pid)
    finally:
        _stop(floor_server)
    return ours, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    ours, floor = measure(args.seconds, args.clients)
    for name, load in (("emulator", ours), ("floor", floor)):
        print(
            f"{name:9} {load.rps:7.0f} req/s  p50 {median(load.latencies) * 1000:.1f} ms  "
            f"p99 {load.percentile(0.99) * 1000:.1f} ms  errors {len(load.errors)}  "
            f"server RSS {load.rss_before_kb / 1024:.1f} → {load.rss_after_kb / 1024:.1f} MB"
        )
        for error in load.errors[:5]:
            print("   ", error)


if __name__ == "__main__":
    main()
