"""Public keys for id_token verification: discovery → JWKS over httpx (async, never urllib on the
GUI thread), a small cache with key-rotation refetch, and offline keys pasted as JWKS or PEM.

Every failure is a `KeyFetchError` whose message is a sentence a person can act on; the UI and the
`id-token` command show it on the skipped kid/signature rows via `build_context`.
"""

from __future__ import annotations

import asyncio
import binascii
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from idconnect_tester import vendor
from idconnect_tester.core.id_token_model import (
    DEFAULT_LEEWAY_S,
    VerificationContext,
    VerificationKey,
)
from idconnect_tester.core.jwt_decode import DecodedJwt, decode_jwt
from idconnect_tester.core.target import is_loopback_host, url_character_problem
from idconnect_tester.core.visible_text import escape_hidden

if TYPE_CHECKING:
    import httpx

MAX_DOCUMENT_BYTES: Final = 1024 * 1024  # discovery and JWKS are a few KB; stop reading a flood
SIGNING_ALGS_FIELD: Final = "id_token_signing_alg_values_supported"
# OpenID Connect Discovery §3: RS256 MUST be supported, so a document naming none still means it.
DEFAULT_SIGNING_ALGS: Final = frozenset({"RS256"})
DEFAULT_CACHE_TTL_S: Final = 600.0


class KeyFetchError(Exception):
    """Keys could not be had; the message says why in plain words."""


def url_problem(url: str, what: str) -> str | None:
    """Why `url` can't be fetched for keys (`what` names it: "issuer", "JWKS URL"), or None.

    Plain http only to this machine: keys fetched in clear text could be swapped by anyone on
    the path, and the signature check would then prove nothing."""
    if (problem := url_character_problem(url)) is not None:
        return f"The {what}: {problem[0].lower()}{problem[1:]}"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        return f"The {what} is not a valid URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"The {what} must be an https:// URL (http:// only for this machine): {url!r}"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return f"The {what} uses plain http:// to another machine; use https://{parts.netloc}"
    if parts.fragment:
        return f"The {what} must not have a #fragment"
    return None


def discovery_url(issuer: str) -> str:
    return issuer.strip().rstrip("/") + vendor.DISCOVERY_PATH


async def _get_json(http: httpx.AsyncClient, url: str, what: str) -> Any:
    """GET `url` and parse JSON, capped in size; every failure becomes a KeyFetchError."""
    # The HTTP library loads with the first fetch: reading pasted keys, and the window that
    # imports this module for them, need none of it.
    import httpx

    if (problem := url_problem(url, what)) is not None:
        raise KeyFetchError(problem)
    try:
        async with http.stream(
            "GET", url, headers={"Accept": "application/json"}, follow_redirects=False
        ) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_DOCUMENT_BYTES:
                    raise KeyFetchError(
                        f"The {what} at {url} is larger than {MAX_DOCUMENT_BYTES // 1024} KB"
                    )
    except httpx.HTTPError as exc:
        detail = str(exc) or type(exc).__name__
        raise KeyFetchError(f"The {what} at {url} could not be fetched: {detail}") from exc
    if response.is_redirect:
        where = response.headers.get("Location", "?")
        raise KeyFetchError(
            f"The {what} at {url} answered HTTP {response.status_code}, a redirect to {where}; "
            "use the final address"
        )
    if response.status_code != 200:
        raise KeyFetchError(
            f"The {what} at {url} answered HTTP {response.status_code} "
            f"{response.reason_phrase}".rstrip()
        )
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise KeyFetchError(f"The {what} at {url} is not JSON ({str(exc)[:80]})") from exc


async def fetch_discovery(http: httpx.AsyncClient, issuer: str) -> dict[str, Any]:
    """The issuer's OpenID discovery document, checked: its `issuer` is exactly the configured
    one (OpenID Connect Discovery §4.3, so a document can't speak for another issuer) and it
    names a `jwks_uri`."""
    issuer = issuer.strip()
    if (problem := url_problem(issuer, "issuer")) is not None:
        raise KeyFetchError(problem)
    url = discovery_url(issuer)
    document = await _get_json(http, url, "discovery document")
    if not isinstance(document, dict):
        raise KeyFetchError(f"The discovery document at {url} is JSON but not an object")
    named = document.get("issuer")
    if named != issuer:
        hint = (
            " (they differ only in the trailing slash: use the issuer exactly as the document says)"
            if isinstance(named, str) and named.rstrip("/") == issuer.rstrip("/")
            else ""
        )
        raise KeyFetchError(
            f"The discovery document at {url} is for issuer {named!r}, not {issuer!r}{hint}"
        )
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.strip():
        raise KeyFetchError(f"The discovery document at {url} has no jwks_uri")
    if (problem := url_problem(jwks_uri, "jwks_uri in the discovery document")) is not None:
        raise KeyFetchError(problem)
    algorithms = document.get(SIGNING_ALGS_FIELD)
    if algorithms is not None and (
        not isinstance(algorithms, list) or not all(isinstance(a, str) for a in algorithms)
    ):
        raise KeyFetchError(
            f"The discovery document at {url} has {SIGNING_ALGS_FIELD} {algorithms!r}, "
            "not a list of algorithm names"
        )
    return document


def signing_algorithms(document: dict[str, Any]) -> tuple[frozenset[str], str]:
    """The algorithms a (checked) discovery document names for id_tokens, and where they came
    from, for the algorithm row."""
    named = document.get(SIGNING_ALGS_FIELD)
    if not named:
        # An empty list is said as one: "has no" such field would misquote the document.
        has = (
            f"'s {SIGNING_ALGS_FIELD} is empty" if named == [] else f" has no {SIGNING_ALGS_FIELD}"
        )
        return DEFAULT_SIGNING_ALGS, f"OpenID Discovery's default (the document{has})"
    return frozenset(named), f"the discovery document's {SIGNING_ALGS_FIELD}"


def keys_from_jwks(document: Any, source: str) -> list[VerificationKey]:
    """Keys from a parsed JWKS (`{"keys": [...]}`) or a single JWK. Keys marked for encryption
    (`use: enc`) are kept, marked (`VerificationKey.for_encryption`): they never verify a
    signature, and the kid check says so when a token names one."""
    if isinstance(document, dict) and "keys" in document:
        entries = document["keys"]
        if not isinstance(entries, list):
            raise KeyFetchError(f"{source}: keys is not a list")
    elif isinstance(document, dict) and "kty" in document:
        entries = [document]
    else:
        raise KeyFetchError(f'{source}: neither a JWKS ({{"keys": [...]}}) nor a JWK (no kty)')
    keys: list[VerificationKey] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("kty"), str):
            raise KeyFetchError(f"{source}: key #{index + 1} is not a JWK (an object with kty)")
        keys.append(VerificationKey(jwk=dict(entry), source=source))
    return keys


def keys_from_jwks_text(text: str, source: str) -> list[VerificationKey]:
    """Keys from pasted JSON: a JWKS or a single JWK."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyFetchError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno} "
            f"({exc.msg.removesuffix(' at').lower()})"
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise KeyFetchError(f"{source}: not usable JSON ({str(exc)[:80]})") from exc
    return keys_from_jwks(document, source)


_PEM_BLOCK: Final = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)(?:-----END ([A-Z0-9 ]+)-----|\Z)", re.DOTALL
)


def pem_problem(text: str) -> str:
    """What is wrong with a PEM block that did not load, in words a person can act on (the
    library's own name its internals — "MalformedFraming" — and send them to its FAQ)."""
    block = _PEM_BLOCK.search(text)
    if block is None:
        return "no -----BEGIN …----- line"
    label, body, end_label = block.groups()
    if end_label is None:
        return f"the -----END {label}----- line is missing: the paste looks cut off"
    if end_label != label:
        return f"it begins as {label} and ends as {end_label}: two pastes run together?"
    try:
        der = binascii.a2b_base64("".join(body.split()), strict_mode=True)
    except binascii.Error:
        odd = sorted({c for c in "".join(body.split()) if not (c.isalnum() or c in "+/=")})
        found = (
            f" ({', '.join(repr(c) for c in odd[:3])})"
            if odd
            else " (cut short? base64 comes in groups of 4 characters)"
        )
        return f"the text between its BEGIN and END lines is not base64{found}"
    return (
        f"its {len(der)} bytes are no whole {label.lower()}: cut short or damaged (copy it "
        "again), or a kind of key that can't verify id_tokens"
    )


def keys_from_pem(text: str, source: str, kid: str | None = None) -> list[VerificationKey]:
    """A PEM public key or X.509 certificate as a JWK (RSA or EC). `kid` goes in only when
    given, so a kid-less key matches a kid-less token (the only-key rule)."""
    # cryptography and PyJWT load with the first PEM: nothing else in this module needs them.
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    data = text.strip().encode("ascii", errors="replace")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            public_key: Any = x509.load_pem_x509_certificate(data).public_key()
        elif b"PRIVATE KEY-----" in data:
            raise KeyFetchError(
                f"{source}: this is a PRIVATE key — paste the public key or certificate "
                "(and keep the private key secret)"
            )
        else:
            public_key = load_pem_public_key(data)
    except ValueError as exc:
        problem = pem_problem(text)
        raise KeyFetchError(f"{source}: not a PEM public key or certificate: {problem}") from exc
    jwk: dict[str, Any]
    if isinstance(public_key, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
    else:
        raise KeyFetchError(f"{source}: only RSA and EC keys can verify id_tokens")
    if kid:
        jwk["kid"] = kid
    return [VerificationKey(jwk=jwk, source=source)]


def keys_from_text(text: str, source: str) -> list[VerificationKey]:
    """Whatever was pasted or read from a file: PEM (key or certificate), JWKS or one JWK."""
    stripped = text.strip()
    if not stripped:
        raise KeyFetchError(f"{source}: empty")
    if stripped.startswith("-----BEGIN"):
        return keys_from_pem(stripped, source)
    if "-----BEGIN" in stripped:
        before = stripped.split("-----BEGIN", 1)[0].strip().splitlines()[0]
        raise KeyFetchError(
            f"{source}: a PEM key starts at its -----BEGIN line, and this text has "
            f"{escape_hidden(before)[:40]!r} before it: paste from the -----BEGIN line on"
        )
    if not stripped.startswith(("{", "[")):
        raise KeyFetchError(
            f"{source}: not JSON, so neither a JWKS nor a JWK — nor a PEM key "
            "(which starts with -----BEGIN)"
        )
    return keys_from_jwks_text(stripped, source)


@dataclass(frozen=True)
class _Cached:
    value: Any
    fetched_at: float  # on the cache's clock, for its time to live
    fetched_at_wall: datetime  # for saying when, beside a check made with it


class JwksCache:
    """Discovery documents and key sets, per issuer and per JWKS URL, for `ttl_s` seconds.

    One fetch per URL at a time: concurrent callers await the same task. A token whose `kid` is
    not in the cached set triggers ONE refetch (the issuer may have rotated its keys); a kid still
    missing after that is remembered, so a stream of such tokens can't hammer the server.
    """

    def __init__(
        self, ttl_s: float = DEFAULT_CACHE_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[tuple[str, str], _Cached] = {}
        self._inflight: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._missing_kids: dict[str, set[str]] = {}

    def clear(self) -> None:
        self._entries.clear()
        self._missing_kids.clear()

    def _fresh(self, key: tuple[str, str]) -> _Cached | None:
        entry = self._entries.get(key)
        if entry is None or self._clock() - entry.fetched_at > self.ttl_s:
            return None
        return entry

    async def _shared(
        self, key: tuple[str, str], fetch: Callable[[], Awaitable[Any]], *, force: bool = False
    ) -> Any:
        task = self._inflight.get(key)
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            if not force and (entry := self._fresh(key)) is not None:
                return entry.value

            async def run() -> Any:
                value = await fetch()
                self._entries[key] = _Cached(value, self._clock(), datetime.now(UTC))
                return value

            task = asyncio.ensure_future(run())
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        # shield: one caller giving up (cancelled) must not cancel the fetch the others await.
        return await asyncio.shield(task)

    def _forget(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so an unawaited failure isn't logged as lost

    def keys_fetched_at(self, jwks_url: str) -> datetime | None:
        """When the key set of `jwks_url` held now was fetched (None: not held)."""
        entry = self._entries.get(("jwks", jwks_url))
        return entry.fetched_at_wall if entry is not None else None

    async def discovery(
        self, http: httpx.AsyncClient, issuer: str, *, fetch_again: bool = False
    ) -> dict[str, Any]:
        document: dict[str, Any] = await self._shared(
            ("discovery", issuer), lambda: fetch_discovery(http, issuer), force=fetch_again
        )
        return document

    async def jwks(
        self, http: httpx.AsyncClient, jwks_url: str, *, force: bool = False
    ) -> list[VerificationKey]:
        async def fetch() -> list[VerificationKey]:
            document = await _get_json(http, jwks_url, "JWKS")
            self._missing_kids.pop(jwks_url, None)
            return keys_from_jwks(document, f"JWKS {jwks_url}")

        keys: list[VerificationKey] = await self._shared(("jwks", jwks_url), fetch, force=force)
        return list(keys)

    async def keys_for(
        self,
        http: httpx.AsyncClient,
        *,
        issuer: str | None = None,
        jwks_url: str | None = None,
        kid: str | None = None,
        fetch_again: bool = False,
    ) -> list[VerificationKey]:
        """The keys of `jwks_url`, or of the issuer's discovery `jwks_uri`. Raises KeyFetchError.
        With `fetch_again`, fetched now whatever the cache holds: a key the issuer has stopped
        publishing is gone at once, not when the cache expires."""
        if jwks_url is None:
            if issuer is None:
                raise KeyFetchError("Neither an issuer nor a JWKS URL was given")
            document = await self.discovery(http, issuer, fetch_again=fetch_again)
            jwks_url = str(document["jwks_uri"])
        keys = await self.jwks(http, jwks_url, force=fetch_again)
        if fetch_again or kid is None or any(k.jwk.get("kid") == kid for k in keys):
            return keys  # (fetched just now: no sooner fetched again for a kid it lacks)
        if kid in self._missing_kids.get(jwks_url, set()):
            return keys  # already refetched for this kid: it is simply not there
        keys = await self.jwks(http, jwks_url, force=True)
        if not any(k.jwk.get("kid") == kid for k in keys):
            self._missing_kids.setdefault(jwks_url, set()).add(kid)
        return keys


def _header_kid(token: str | None) -> str | None:
    if token is None:
        return None
    decoded = decode_jwt(token)
    if isinstance(decoded, DecodedJwt) and isinstance(decoded.header.get("kid"), str):
        kid: str = decoded.header["kid"]
        return kid
    return None


async def build_context(
    http: httpx.AsyncClient | None,
    *,
    token: str | None = None,
    cache: JwksCache | None = None,
    issuer: str | None = None,
    jwks_url: str | None = None,
    keys: Sequence[VerificationKey] | None = None,
    keys_note: str | None = None,
    client_id: str | None = None,
    nonce: str | None = None,
    access_token: str | None = None,
    leeway_s: int = DEFAULT_LEEWAY_S,
    now: datetime | None = None,
    fetch_again: bool = False,
) -> VerificationContext:
    """The context the checks compare with, from whichever key source is configured.

    Key sources, first match wins: `keys` (pasted or read offline), `jwks_url`, the `issuer`'s
    discovery; `keys_note` without keys is a source that failed (nothing is fetched). A fetch
    failure does not raise: the context carries no keys and `keys_note` says why, so the kid
    and signature rows show the reason. `issuer` also enables the iss check.
    Only keys found through the issuer's discovery document come with the algorithms the issuer
    names for id_tokens; other sources leave `allowed_algorithms` None (the algorithm row says
    what that means). `token` is only read for its header `kid` (to refetch the JWKS on
    rotation); `access_token` (of the same response) enables the at_hash check. `fetch_again`
    (a check the person asked for) fetches the issuer's documents whatever the cache holds.
    """
    found: Sequence[VerificationKey] | None = keys
    cached_since: datetime | None = None
    note = keys_note or "No JWKS, issuer or key given: the signature was not checked"
    algorithms: frozenset[str] | None = None
    algorithms_note = ""
    # A note without keys is a key source that could not be used (an unreadable key file):
    # nothing is fetched in its place, so the rows say why there are no keys.
    if found is None and keys_note is None and (jwks_url or issuer):
        if http is None:
            note = "No HTTP client to fetch the JWKS with"
        else:
            cache = cache or JwksCache()
            asked_at = datetime.now(UTC)
            try:
                if jwks_url is None and issuer is not None:
                    document = await cache.discovery(http, issuer, fetch_again=fetch_again)
                    algorithms, algorithms_note = signing_algorithms(document)
                    jwks_url = str(document["jwks_uri"])  # the one just fetched, not again
                found = await cache.keys_for(
                    http,
                    issuer=issuer,
                    jwks_url=jwks_url,
                    kid=_header_kid(token),
                    fetch_again=fetch_again,
                )
                fetched_at = cache.keys_fetched_at(jwks_url) if jwks_url is not None else None
                if fetched_at is not None and fetched_at < asked_at:
                    cached_since = fetched_at
            except KeyFetchError as exc:
                note = f"JWKS could not be fetched: {exc}"
                algorithms, algorithms_note = None, ""
    extra: dict[str, Any] = {} if now is None else {"now": now}
    return VerificationContext(
        leeway_s=leeway_s,
        issuer=issuer,
        client_id=client_id,
        nonce=nonce,
        keys=None if found is None else tuple(found),
        keys_note=note,
        keys_cached_since=cached_since,
        allowed_algorithms=algorithms,
        algorithms_note=algorithms_note,
        access_token=access_token,
        **extra,
    )
