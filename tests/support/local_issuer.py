"""An OpenID issuer on 127.0.0.1 whose keys the test makes: a discovery document and a JWKS,
served over real HTTP, both replaceable between requests, plus a signer that can produce the
tokens a careless or hostile issuer would (any header, any key, any algorithm name).

The emulator signs only with its own RS256 key; the standards tests need EC keys, short RSA
keys, keys published with odd `use`/`key_ops`/`alg`, and discovery documents that name other
algorithms — so they get this small issuer instead.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwks.json"


def b64url_encode(data: bytes) -> str:
    # The tests' own encoder, not the app's: a token built here must not share the app's bugs.
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class SigningKey:
    """A private key with its kid, and the public JWK an issuer would publish for it."""

    kid: str
    private: PrivateKey = field(repr=False)

    def public_jwk(self, **overrides: Any) -> dict[str, Any]:
        """The public JWK; an override of None removes that member."""
        family = "RS256" if isinstance(self.private, rsa.RSAPrivateKey) else "ES256"
        jwk: dict[str, Any] = json.loads(
            jwt.get_algorithm_by_name(family).to_jwk(self.private.public_key())
        )
        jwk.update(kid=self.kid, use="sig")
        jwk.update(overrides)
        return {name: value for name, value in jwk.items() if value is not None}


def sign(key: SigningKey, header: dict[str, Any], claims: dict[str, Any] | bytes, alg: str) -> str:
    """A compact JWS with exactly this header, signed with `key` under `alg`'s primitive — even
    when the two don't belong together (ES256 with a P-384 key), as a forger's would be."""
    payload = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    signing_input = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(payload)}"
    signature = jwt.get_algorithm_by_name(alg).sign(signing_input.encode(), key.private)
    return f"{signing_input}.{b64url_encode(signature)}"


class LocalIssuer:
    """Serves `discovery` and `jwks` (plain dicts the test may replace at any time)."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.discovery_extra: dict[str, Any] = {}
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == DISCOVERY_PATH:
                    self._json(issuer.discovery())
                elif self.path == JWKS_PATH:
                    self._json(issuer.jwks)
                else:
                    self.send_error(404)

            def _json(self, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.base_url + "/"

    def discovery(self) -> dict[str, Any]:
        document = {
            "issuer": self.issuer,
            "jwks_uri": self.base_url + JWKS_PATH,
            "id_token_signing_alg_values_supported": ["RS256"],
        }
        document.update(self.discovery_extra)
        return {name: value for name, value in document.items() if value is not None}

    def publish(self, *jwks: dict[str, Any], algorithms: list[str] | None = None) -> None:
        """Serve these JWKs, and a discovery document naming `algorithms` (None: the field is
        left out, so OpenID Discovery's default RS256 applies)."""
        self.jwks = {"keys": list(jwks)}
        self.discovery_extra = {"id_token_signing_alg_values_supported": algorithms}

    def start(self) -> LocalIssuer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def local_issuer() -> Iterator[LocalIssuer]:
    issuer = LocalIssuer().start()
    try:
        yield issuer
    finally:
        issuer.stop()
