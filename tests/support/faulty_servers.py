"""Small servers on 127.0.0.1 that fail in one specific way each, for the network-fault drills.

Each runs in a daemon thread, stops promptly, and closes every socket it opened so the drills can
count file handles before and after.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _ThreadedServer:
    """Accepts connections and hands each to `handle` in its own thread."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self._handle = handle
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stopping(self) -> threading.Event:
        return self._stop

    def start(self) -> _ThreadedServer:
        self._acceptor.start()
        return self

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(connection)
            worker = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self._handle(connection)

    def stop(self) -> None:
        self._stop.set()
        self._acceptor.join(timeout=5)
        for connection in self._connections:
            connection.close()
        for worker in self._threads:
            worker.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> _ThreadedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass(frozen=True)
class ReceivedRequest:
    request_line: str
    header_lines: list[str]
    headers: dict[str, str]  # lower-case names
    body: bytes


def read_request(connection: socket.socket) -> ReceivedRequest | None:
    """Read one request: its head and its body (by Content-Length). Reading the body matters
    even to ignore it: closing a socket with unread bytes makes the kernel send a reset, which
    could overtake the response. None when the client closed before a whole head arrived."""
    connection.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"]) if headers.get("content-length", "").isdigit() else 0
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return ReceivedRequest(request_line, header_lines, headers, body)


def hanging_server() -> _ThreadedServer:
    """Reads the request, then never answers (until stopped): the client must time out."""

    def handle(connection: socket.socket) -> None:
        read_request(connection)
        server.stopping.wait()

    server = _ThreadedServer(handle)
    return server


def drop_mid_body_server() -> _ThreadedServer:
    """Promises 10,000 bytes of JSON, sends 20, and closes the connection."""

    def handle(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000\r\n\r\n"
            b'{"access_token": "sn'
        )
        connection.close()

    return _ThreadedServer(handle)


def garbage_server() -> _ThreadedServer:
    """Answers with bytes that are not HTTP at all."""

    def handle(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"SSH-2.0-OpenSSH_9.0\r\nthis is not http\r\n\r\n")
        connection.close()

    return _ThreadedServer(handle)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost that no CA vouches for."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def raw_answer_server(answer: bytes) -> _ThreadedServer:
    """Reads each request and answers with exactly `answer` (the whole HTTP response, headers
    included: what a server that leaves out a standard header sends)."""

    def handle(connection: socket.socket) -> None:
        connection.settimeout(5)
        with contextlib.suppress(OSError):
            read_request(connection)
            connection.sendall(answer)
        connection.close()

    return _ThreadedServer(handle)


def tls_json_server(cert_path: Path, key_path: Path, body: bytes) -> _ThreadedServer:
    """HTTPS with the given certificate; answers every request with 200 and `body`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)

    def handle(connection: socket.socket) -> None:
        connection.settimeout(5)
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                read_request(tls)
                tls.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
        except (ssl.SSLError, OSError):
            pass  # the client refused our certificate: that is the point

    return _ThreadedServer(handle)
