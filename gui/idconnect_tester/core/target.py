"""Where requests go and how: base URL, app credentials, timeout, TLS and proxy settings."""

from __future__ import annotations

import ipaddress
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.visible_text import is_hidden

DEFAULT_TIMEOUT_S: Final = 30.0
MAX_TIMEOUT_S: Final = 600.0


def timeout_problem(seconds: float) -> str | None:
    """Why `seconds` can't be a request's timeout, or None. Zero is not one (it would give
    up before asking), so the range is said without it."""
    if 0 < seconds <= MAX_TIMEOUT_S:
        return None
    return f"The timeout must be more than 0 and at most {MAX_TIMEOUT_S:.0f} seconds"


def is_on_this_machine(url: str) -> bool:
    """The URL's host is this machine (see `is_loopback_host`); False for a malformed URL."""
    try:
        return is_loopback_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return False


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and literal loopback addresses (127.0.0.0/8, ::1), nothing else.

    This decides where plain http may go and which requests skip proxies, so it must hold for
    what the name resolves to at send time. Operating systems answer `localhost` themselves;
    any other name — `app.localhost`, `localhost.localdomain` — may be passed on to a DNS
    server that can answer with any address. Resolving here would not help either: the answer
    can change between this check and the connection (DNS rebinding), and the check runs as
    the user types. So names other than `localhost` never count as loopback.
    """
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_CHARACTER_NAMES: Final = {"\t": "(a tab)", "\n": "(a line break)", "\r": "(a line break)"}


def url_character_problem(url: str) -> str | None:
    """A space or a hidden character inside `url` (the ends are trimmed): no URL holds one
    (RFC 3986 §2). Sent as typed, it would be percent-encoded into another host or path, and
    the answer — a failed name lookup, a 404 — would not say why."""
    for position, character in enumerate(url.strip(), start=1):
        if character == " ":
            return (
                f"The URL contains a space (character {position}), which no URL can: remove "
                "it, or write it as %20 in a path"
            )
        if character.isspace() or is_hidden(character):
            name = _CHARACTER_NAMES.get(character) or unicodedata.name(character, "")
            what = f"U+{ord(character):04X} {name}".rstrip()
            return f"The URL contains {what} (character {position}), which no URL can: remove it"
    return None


def base_url_problem(url: str) -> str | None:
    """Why `url` can't be used as a base URL, or None when it can.

    Plain http is allowed only to this machine: anything else would send the app token and a
    replayable signature across a network in clear text.
    """
    url = url.strip()
    if not url:
        return "Enter a base URL, e.g. https://api.sumsub.com"
    if (problem := url_character_problem(url)) is not None:
        return problem
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a non-numeric or out-of-range port
    except ValueError as exc:
        return f"Not a valid URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return "The base URL must start with https:// (or http:// for this machine only)"
    if not parts.hostname:
        return "The base URL has no host name"
    if parts.query or parts.fragment:
        return "The base URL must not have a ?query or #fragment"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return (
            f"Plain http:// is only allowed to this machine (127.0.0.1, localhost); "
            f"use https://{parts.hostname}{'' if port is None else f':{port}'}"
        )
    return None


def ca_bundle_path(ca_bundle: str) -> Path:
    """The bundle's file: `~` means the home folder, in the profile check and at send time."""
    return Path(ca_bundle.strip()).expanduser()


def ca_bundle_problem(ca_bundle: str | None) -> str | None:
    """Why the CA bundle can't be loaded, naming the file; None when it can (or there is none)."""
    if not ca_bundle or not ca_bundle.strip():
        return None
    path = ca_bundle_path(ca_bundle)
    if path.is_dir():
        what = "is a folder, not a file"
    elif not path.exists():
        what = "does not exist"
    elif not os.access(path, os.R_OK):
        what = "can't be read (permissions)"
    else:
        return None
    return (
        f"The CA bundle {ca_bundle} {what}: give the path of a PEM file with the CA certificates "
        "to trust (e.g. a corporate proxy's), or remove it to trust the usual public CAs"
    )


def normalise_base_url(url: str) -> str:
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class Target:
    """Everything the client needs to reach one Sumsub (or emulator) API host."""

    base_url: str
    app_token: str
    secret_key: Secret = field(default_factory=lambda: Secret(""))
    timeout_s: float = DEFAULT_TIMEOUT_S
    verify_tls: bool = True
    ca_bundle: str | None = None  # a PEM file of extra trusted CAs (corporate proxies, test CAs)
    proxy: str | None = None  # None: the environment's (see core/transport.py); never loopback

    def url_for(self, path: str) -> str:
        return normalise_base_url(self.base_url) + path

    def problems(self) -> dict[str, str]:
        """Field name → what is wrong, for the target part of the form."""
        found: dict[str, str] = {}
        if (url_problem := base_url_problem(self.base_url)) is not None:
            found["base_url"] = url_problem
        if not self.app_token.strip():
            found["app_token"] = "Enter the app token (X-App-Token)"
        elif any(c.isspace() for c in self.app_token.strip()):
            found["app_token"] = "The app token contains a space or line break"
        elif not (self.app_token.strip().isascii() and self.app_token.strip().isprintable()):
            # It travels in the X-App-Token header, and HTTP headers are ASCII.
            found["app_token"] = "The app token has characters that can't be sent in a header"
        if not self.secret_key:
            found["secret_key"] = "Enter the app token's secret key"
        if (problem := timeout_problem(self.timeout_s)) is not None:
            found["timeout"] = problem
        if self.verify_tls and (bundle_problem := ca_bundle_problem(self.ca_bundle)) is not None:
            found["ca_bundle"] = bundle_problem
        return found
