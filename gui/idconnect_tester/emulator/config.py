"""The emulator's settings: credentials it accepts, lifetimes and limits."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything an emulator instance needs to know before it starts.

    The defaults are the documented emulator credentials, so the GUI's first launch and the tests
    need no setup. The disabled pair mimics a real client key that has not had Sumsub ID enabled:
    it signs correctly (same secret) and then gets the vendor's 404 ``Invalid clientId``.
    """

    host: str = "127.0.0.1"
    port: int = 0  # 0 = let the OS pick a free port (read it back from EmulatorServer.base_url)
    app_token: str = "sbx:emulator-app-token"
    secret_key: str = field(default="emulator-secret-key", repr=False)
    client_id: str = "emulator-client"
    disabled_app_token: str = "sbx:emulator-disabled-token"
    disabled_client_id: str = "emulator-disabled-client"
    ttl_s: int = 86400  # access token expires_in, as in the vendor's example
    code_ttl_s: int = 60  # authorization codes are short-lived and single-use
    refresh_ttl_s: int = 30 * 86400
    max_body_bytes: int = 1_048_576
    # Extra registered (non-loopback) redirect URIs, matched exactly. Loopback http URIs on any
    # port are always accepted (RFC 8252 §7.3), which is what a desktop tester uses.
    redirect_uris: tuple[str, ...] = ()
    log: bool = True  # one line per request on the log stream
    # Each connection holds a thread while open. Beyond this many, new connections wait (in
    # the listen backlog) for one to close, instead of each taking a thread: a few hundred idle
    # connections can't pile up threads. Well above the 20 concurrent clients it must serve.
    max_connections: int = 64
    idle_timeout_s: float = 15.0  # a connection silent this long (e.g. idle keep-alive) is closed

    def __post_init__(self) -> None:
        # Fail at construction, not at the first request, when the settings cannot work.
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0..65535, got {self.port}")
        for name in ("ttl_s", "code_ttl_s", "refresh_ttl_s", "max_body_bytes", "max_connections"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.idle_timeout_s > 0:
            raise ValueError(f"idle_timeout_s must be positive, got {self.idle_timeout_s!r}")
        if not self.app_token or not self.secret_key or not self.client_id:
            raise ValueError("app_token, secret_key and client_id must not be empty")
        if self.app_token == self.disabled_app_token:
            raise ValueError("app_token and disabled_app_token must differ")
        if self.client_id == self.disabled_client_id:
            raise ValueError("client_id and disabled_client_id must differ")
