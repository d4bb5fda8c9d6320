"""Which certificates a TLS connection trusts: the OS trust store, plus what the user adds.

The OS trust store is what the user's browser trusts, including the root certificate of a
TLS-inspecting corporate proxy that IT installed there. `truststore` reaches it everywhere:
the system's own verifier on Windows and macOS, OpenSSL's system locations on Linux. On top
come the certificates named by `SSL_CERT_FILE` / `SSL_CERT_DIR` (the variables curl and every
OpenSSL program read; OpenSSL on Linux reads them by itself, the Windows and macOS verifiers
don't, so they are loaded explicitly) and the profile's extra CA bundle.
"""

from __future__ import annotations

import functools
import os
import ssl
from pathlib import Path
from typing import Final

import truststore

from idconnect_tester.core.target import ca_bundle_path, ca_bundle_problem

OS_TRUST_STORE: Final = "OS trust store"
TLS_OFF: Final = "OFF (verification explicitly disabled for this target)"


class TrustError(Exception):
    """A file of extra certificates can't be used (missing, unreadable, no certificates)."""


def _environment_locations() -> list[tuple[str, str]]:
    """(variable, path) for SSL_CERT_FILE / SSL_CERT_DIR when set to something that exists —
    OpenSSL skips a missing one too."""
    found: list[tuple[str, str]] = []
    if (file := os.environ.get("SSL_CERT_FILE")) and os.path.isfile(file):
        found.append(("SSL_CERT_FILE", file))
    if (directory := os.environ.get("SSL_CERT_DIR")) and os.path.isdir(directory):
        found.append(("SSL_CERT_DIR", directory))
    return found


def trusted_sources(ca_bundle: str | None) -> str:
    """e.g. `OS trust store + SSL_CERT_FILE /etc/corp.pem + CA bundle /home/qa/ca.pem`."""
    sources = [OS_TRUST_STORE]
    sources += [f"{variable} {location}" for variable, location in _environment_locations()]
    if ca_bundle and ca_bundle.strip():
        sources.append(f"CA bundle {ca_bundle_path(ca_bundle)}")
    return " + ".join(sources)


def trust_description(verify_tls: bool, ca_bundle: str | None) -> str:
    """What the Raw panel, history and exports say about TLS for a request."""
    return f"on ({trusted_sources(ca_bundle)})" if verify_tls else TLS_OFF


def trust_context(ca_bundle: str | None) -> ssl.SSLContext:
    """A verifying client context: the OS trust store, the environment's and the bundle's CAs.

    Contexts are shared: every client with the same trust gets the same one (loading a system
    bundle parses every certificate in it, each time; the only setting httpx makes on a
    context, ALPN http/1.1, is the same for all). A changed file or variable gives a new one.
    Raises `TrustError` when an extra file can't be loaded.
    """
    extra = [(variable, Path(location)) for variable, location in _environment_locations()]
    if ca_bundle and ca_bundle.strip():
        if (problem := ca_bundle_problem(ca_bundle)) is not None:
            raise TrustError(problem)
        extra.append(("CA bundle", ca_bundle_path(ca_bundle)))
    return _shared_context(
        tuple((label, location, _modified(location)) for label, location in extra)
    )


def _modified(location: Path) -> int:
    try:
        return location.stat().st_mtime_ns
    except OSError:
        return -1  # loading it will say what is wrong


@functools.lru_cache(maxsize=8)
def _shared_context(extra: tuple[tuple[str, Path, int], ...]) -> ssl.SSLContext:
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    for label, location, _ in extra:
        try:
            if location.is_dir():
                context.load_verify_locations(capath=location)
            else:
                context.load_verify_locations(cafile=location)
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise TrustError(f"The {label} {location} could not be loaded: {reason}") from exc
    return context
