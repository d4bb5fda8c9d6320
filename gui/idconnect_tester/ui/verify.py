"""Verifying the current id_token against the profile's issuer, client id and this run's nonce.

Keys come from a pasted JWKS/PEM when the user gave one (offline checks), otherwise from the
issuer's discovery document and JWKS, fetched with the target's proxy settings but always over
verified TLS, and cached per issuer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from idconnect_tester.core.id_token_checks import Verification, VerificationKey
    from idconnect_tester.core.jwks import JwksCache
    from idconnect_tester.ui.main_window import MainWindow


class KeySource:
    """Where verification keys come from: fetched (default) or pasted by the user."""

    def __init__(self) -> None:
        self.pasted: Sequence[VerificationKey] | None = None
        self.pasted_description = ""
        self.pasted_text = ""
        self._cache: JwksCache | None = None

    @property
    def cache(self) -> JwksCache:
        if self._cache is None:
            from idconnect_tester.core.jwks import JwksCache  # lazy: startup doesn't need it

            self._cache = JwksCache()
        return self._cache

    def use_pasted(self, keys: Sequence[VerificationKey], description: str, text: str) -> None:
        self.pasted, self.pasted_description, self.pasted_text = tuple(keys), description, text

    def use_fetched(self) -> None:
        self.pasted, self.pasted_description, self.pasted_text = None, "", ""
        if self._cache is not None:
            self._cache.clear()


def verify_in_background(window: MainWindow, id_token: str) -> None:
    from idconnect_tester.core.id_token_checks import verify_id_token
    from idconnect_tester.core.jwks import build_context

    profile = window.session.current
    # Keys come over verified TLS even when the target's own requests don't verify.
    http = window.controller.client_for(window.session.target()).keys_http()
    keys = window.key_source
    nonce = window.chain_nonce

    async def run() -> tuple[Verification, str]:
        context = await build_context(
            http,
            token=id_token,
            cache=keys.cache,
            issuer=profile.issuer or None,
            keys=keys.pasted,
            keys_note=None,
            client_id=profile.client_id or None,
            nonce=nonce,
        )
        source = (
            f"Keys: {keys.pasted_description}"
            if keys.pasted is not None
            else f"Issuer {profile.issuer}"
        )
        return verify_id_token(id_token, context), source

    window.controller.verify_later(id_token, run)
