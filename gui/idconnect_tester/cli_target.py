"""Where the command line's signed requests go: `--base-url` with the credentials from the
options or the environment, or a saved `--profile` — its base URL, app token, TLS and proxy
settings, and its secret key from the system keyring (the options and the environment win).

Shared by `token`, `share-token` and `check`. Imported when a command runs, not to build the
parser: what it needs is imported here, at the top.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from idconnect_tester.cli_contract import ENV_APP_TOKEN, ENV_SECRET_KEY, UsageError
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.target import Target


def secret_for(args: argparse.Namespace, env: dict[str, str], profile: Profile | None) -> Secret:
    """--secret-key, else the environment's, else the profile's in the keyring."""
    given = args.secret_key or env.get(ENV_SECRET_KEY, "")
    if given:
        return Secret(given)
    where = " (or pass --secret-key)"
    if profile is not None:
        store = SecretStore()
        stored = store.get(profile.id)
        if stored:
            return stored
        # Without a keyring the app keeps a secret for its run only: none can be saved there.
        where = (
            " (no keyring here: the app keeps a secret key for its own run only)"
            if store.unavailable_reason
            else " or save it with the profile in the app"
        )
    raise UsageError(f"no secret key: set {ENV_SECRET_KEY}{where}")


def signed_target(
    args: argparse.Namespace, env: dict[str, str], profile: Profile | None, base_url: str
) -> Target:
    """The profile's target (its TLS and proxy settings) or `base_url`'s, with the app token and
    secret key from the options, the environment, or the profile and keyring. A command's own
    TLS options (--insecure, --ca-bundle, --proxy), where it has them, override the profile's."""
    app_token = args.app_token or env.get(ENV_APP_TOKEN, "")
    if profile is not None:
        app_token = app_token or profile.app_token.strip()
    if not app_token:  # said before the secret: the token is the first thing to give
        raise UsageError(f"no app token: pass --app-token or set {ENV_APP_TOKEN}")
    secret = secret_for(args, env, profile)
    if profile is not None:
        target = replace(profile.target(secret), app_token=app_token, timeout_s=args.timeout)
    else:
        target = Target(base_url, app_token, secret, timeout_s=args.timeout)
    if getattr(args, "insecure", False):
        target = replace(target, verify_tls=False)
    if ca_bundle := getattr(args, "ca_bundle", None):
        target = replace(target, ca_bundle=ca_bundle)
    if proxy := getattr(args, "proxy", None):
        target = replace(target, proxy=proxy)
    if problems := target.problems():
        raise UsageError("; ".join(problems.values()))
    return target
