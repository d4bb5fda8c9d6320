"""How a request leaves this machine: straight, or through which proxy; and with what TLS trust.

Loopback never goes through a proxy. The built-in emulator and the redirect listener live on
this machine, where no proxy can reach them; and a proxy on the way would see a loopback
target's app token and signature in clear text. So a request to `localhost` or a loopback
address goes straight, whatever the profile or HTTP(S)_PROXY / ALL_PROXY / NO_PROXY say.

Everything else takes the profile's proxy when it has one, else the proxy the environment
names for the URL's scheme (HTTPS_PROXY, HTTP_PROXY, then ALL_PROXY; on Windows and macOS also
the system's proxy settings), unless NO_PROXY (or the system's bypass list) exempts the host.

One `httpx.AsyncClient` may talk to several hosts (following the emulator's authorize redirect
ends at the loopback listener), so the choice is made per request, by a transport that keeps
one connection pool per route.
"""

from __future__ import annotations

import ssl
import urllib.request
from typing import Final

import httpx

from idconnect_tester.core.exchange import NetworkErrorKind
from idconnect_tester.core.network_errors import classify
from idconnect_tester.core.target import is_loopback_host
from idconnect_tester.core.trust import TrustError, trust_context, trusted_sources

_DIRECT: Final = ""  # the pool key of direct connections


def proxy_for(url: httpx.URL, configured: str | None) -> str | None:
    """The proxy URL a request to `url` goes through, or None to connect straight."""
    if is_loopback_host(url.host):
        return None
    if configured and configured.strip():
        return configured.strip()
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


class RoutingTransport(httpx.AsyncBaseTransport):
    """Sends each request straight or through its proxy (see `proxy_for`), verifying TLS
    against the OS trust store plus `ca_bundle`, or not at all when `verify_tls` is off.

    A TLS failure says what the certificate was checked against, so "certificate verify
    failed" comes with the one fact needed to act on it.
    """

    def __init__(self, *, verify_tls: bool, ca_bundle: str | None, proxy: str | None) -> None:
        self._verify_tls = verify_tls
        self._ca_bundle = ca_bundle
        self._proxy = proxy
        self._context: ssl.SSLContext | None = None
        self._pools: dict[str, httpx.AsyncHTTPTransport] = {}

    def _verify(self) -> ssl.SSLContext | bool:
        if not self._verify_tls:
            return False
        if self._context is None:
            self._context = trust_context(self._ca_bundle)
        return self._context

    def _pool(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        proxy = proxy_for(url, self._proxy)
        key = proxy or _DIRECT
        if key not in self._pools:
            try:
                self._pools[key] = httpx.AsyncHTTPTransport(verify=self._verify(), proxy=proxy)
            except TrustError as exc:
                raise httpx.ConnectError(f"TLS could not be set up: {exc}") from exc
            except ImportError as exc:  # a socks5:// proxy without the optional package
                raise httpx.ProxyError(f"The proxy {proxy} can't be used: {exc}") from exc
        return self._pools[key]

    def trust(self) -> str:
        """What certificates are checked against, for messages."""
        if not self._verify_tls:
            return "TLS verification was OFF"
        return f"certificates checked against: {trusted_sources(self._ca_bundle)}"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = self._pool(request.url)
        try:
            return await pool.handle_async_request(request)
        except httpx.ConnectError as exc:
            if classify(exc).kind is not NetworkErrorKind.TLS:
                raise
            raise httpx.ConnectError(f"{exc} ({self.trust()})", request=request) from exc

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


def http_client(
    *,
    verify_tls: bool,
    ca_bundle: str | None,
    proxy: str | None,
    timeout_s: float,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """An httpx client whose every request is routed and verified as described above."""
    return httpx.AsyncClient(
        transport=RoutingTransport(verify_tls=verify_tls, ca_bundle=ca_bundle, proxy=proxy),
        # The transport decides proxies and trust; the environment is read there, not by httpx.
        trust_env=False,
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,  # a redirect from a token endpoint is an answer to show
        headers=headers,
    )
