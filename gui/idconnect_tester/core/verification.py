"""Getting what an id_token's checks compare with: the keys and expectations of the target that
issued it — fetched from its issuer (discovery, JWKS), or pasted by the user for offline checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from idconnect_tester.core.id_token_checks import VerificationContext
from idconnect_tester.core.jwks import JwksCache, build_context
from idconnect_tester.core.session_events import VerificationJob
from idconnect_tester.core.wording import clock_time

if TYPE_CHECKING:  # the caller brings the client
    import httpx


async def fetch_context(
    job: VerificationJob, http: httpx.AsyncClient, cache: JwksCache
) -> tuple[VerificationContext, str]:
    """The context for `job` and a sentence on where its keys came from."""
    profile = job.origin.profile
    context = await build_context(
        http,
        token=job.id_token,
        cache=cache,
        issuer=profile.issuer or None,
        keys=job.pasted_keys,
        client_id=profile.client_id or None,
        nonce=job.nonce,
        access_token=job.access_token,
        leeway_s=job.leeway_s,
        fetch_again=job.fetch_keys_again,
    )
    if job.pasted_keys is not None:
        return context, f"Keys: {job.pasted_description}"
    cached_since = context.keys_cached_since
    if cached_since is not None and job.checked_before:
        # A token checked again (back on its profile) with the keys an earlier check fetched:
        # "Checked at" alone read as if the issuer had been asked (tryout AQ: a key it no
        # longer published still verified).
        return context, (
            f"Issuer {profile.issuer}, with its keys as fetched at {clock_time(cached_since)} "
            "(Verify again fetches them anew)"
        )
    return context, f"Issuer {profile.issuer}"
