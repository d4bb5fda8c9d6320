"""A saved target ("profile"): everything needed to reach one API host except the secret key.

The secret key lives in the OS keyring under the profile's id (see `secret_store`), so renaming a
profile keeps its secret and a profile written to a file never carries one. The store that keeps
profiles on disk is `profiles.ProfileStore`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Final
from urllib.parse import urlsplit

from idconnect_tester import vendor
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.request import client_id_problem
from idconnect_tester.core.target import (
    DEFAULT_TIMEOUT_S,
    Target,
    base_url_problem,
    ca_bundle_problem,
    is_loopback_host,
    is_on_this_machine,
    normalise_base_url,
    timeout_problem,
    url_character_problem,
)
from idconnect_tester.core.visible_text import escape_hidden

EMULATOR_PROFILE_ID: Final = "builtin-emulator"
EMULATOR_PROFILE_NAME: Final = "Built-in emulator"
EMULATOR_APP_TOKEN: Final = "sbx:emulator-app-token"
EMULATOR_CLIENT_ID: Final = "emulator-client"
# Where a profile that follows the built-in emulator is resolved to before the app says where its
# emulator listens (the command line never runs one): the standalone emulator's default.
EMULATOR_DEFAULT_URL: Final = "http://127.0.0.1:8088"
# What a profile file says instead of the built-in emulator's URL (its port changes every run):
# "{built-in emulator}" as base URL, "{built-in emulator}/" as issuer. Read back, it is the URL
# the running emulator has. Not a URL on purpose: an older version refuses it rather than send.
EMULATOR_URL_MARK: Final = "{built-in emulator}"

# "Prod EU", "payments-production" match; "products", "preprod", "non-prod", "pre-production"
# and "production-like" don't — nor does a name that also names another stage ("prod copy for
# staging"): a production warning on it would be a false alarm (tryout AQ).
_PRODUCTION_NAME: Final = re.compile(
    r"(?<![a-z])(?<!non-)(?<!pre-)prod(uction)?(?![a-z])(?![- ]?like)", re.IGNORECASE
)
_OTHER_STAGE_NAME: Final = re.compile(
    r"(?<![a-z])(sandbox|sbx|staging|stage|test|testing|dev|demo|qa|uat)(?![a-z])", re.IGNORECASE
)
_SANDBOX_NAME: Final = re.compile(r"(?<![a-z])(sandbox|sbx)(?![a-z])", re.IGNORECASE)
# Sumsub's production app tokens start with this, as its sandbox ones start with sbx:.
_PRODUCTION_TOKEN_PREFIX: Final = "prd:"


class ProfileError(ValueError):
    """A profile operation that can't be done; the message is for the user."""


def new_profile_id() -> str:
    return uuid.uuid4().hex


def is_secret_key_name(key: str) -> bool:
    """`secret`, `secret_key`, `secretKey`, `SUMSUB_SECRET_KEY`…: a field that would hold one."""
    return "secret" in key.lower()


# --- Reading JSON values with clear errors ---


def _text(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise ProfileError(f"the field {key!r} is missing")
    if not isinstance(value, str):
        raise ProfileError(f"the field {key!r} should be text, not {_json_type(value)}")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ProfileError(f"the field {key!r} should be text or null, not {_json_type(value)}")
    return value


def _flag(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ProfileError(f"the field {key!r} should be true or false, not {_json_type(value)}")
    return value


def _number(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"the field {key!r} should be a number, not {_json_type(value)}")
    return float(value)


def _json_type(value: object) -> str:
    match value:
        case bool():
            return "true/false"
        case int() | float():
            return "a number"
        case str():
            return "text"
        case list():
            return "a list"
        case dict():
            return "an object"
        case None:
            return "null"
    return type(value).__name__


def _moved(url: str, old_base: str, new_base: str) -> str:
    """`url` moved from under `old_base` to under `new_base`; a URL not under it is kept."""
    text = url.strip()
    if text == old_base or text.startswith(old_base + "/"):
        return new_base + text[len(old_base) :]
    return url


def _two_servers_here(issuer: str, base_url: str) -> str:
    """What is said of an issuer on another server of this machine than the base URL's (Get
    code goes to the issuer's, Send to the base URL's)."""
    there, here = urlsplit(issuer.strip()), urlsplit(base_url.strip())
    if there.port is not None and there.port == here.port and there.scheme != here.scheme:
        # One port, two schemes (tryout AM: "two servers" named the same one twice): one of
        # them is a typo, and the emulator's is http.
        return (
            f"Issuer {there.scheme}://, Base URL {here.scheme}:// at {here.netloc}: one port "
            "does not speak both (the emulator speaks http)"
        )
    # Most likely an emulator's old port left in one of them.
    return (
        f"Issuer at {there.netloc}, Base URL at {here.netloc}: two servers on this machine "
        "(an emulator is its own issuer)"
    )


def _hostname(url: str) -> str | None:
    """The URL's host name; None when it has none or is malformed (its field says so)."""
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None


def _other_server_here(url: str, base_url: str) -> bool:
    """`url` is on this machine too (127.0.0.1, localhost, ::1 are one machine), but another
    server than `base_url`'s: another scheme or port."""
    default_ports = {"http": 80, "https": 443}
    try:
        there, here = urlsplit(url.strip()), urlsplit(base_url.strip())
        there_port = there.port or default_ports.get(there.scheme)
        here_port = here.port or default_ports.get(here.scheme)
    except ValueError:
        return False  # a malformed URL has a problem of its own, said under its field
    if not is_loopback_host(there.hostname or ""):
        return False
    return (there.scheme, there_port) != (here.scheme, here_port)


def _url_shape_problem(url: str, what: str) -> str | None:
    """A looser check than base_url_problem, for URLs that may be custom schemes."""
    if (problem := url_character_problem(url)) is not None:
        return problem
    parts = urlsplit(url.strip())
    if not parts.scheme or not (parts.netloc or parts.path):
        return f"The {what} must be an absolute URL, e.g. http://127.0.0.1:8765/callback"
    return None


@dataclass(frozen=True)
class Profile:
    """One saved target. No secret field on purpose: the secret is in the keyring under `id`."""

    id: str  # stable uuid4 hex; renaming keeps it, so the keyring entry stays attached
    name: str
    base_url: str
    app_token: str
    client_id: str = ""
    redirect_uri: str = ""  # "" = a loopback redirect on a free port
    issuer: str = vendor.DEFAULT_ISSUER
    authorization_endpoint: str = ""  # "" = read it from the issuer's discovery document
    timeout_s: float = DEFAULT_TIMEOUT_S
    verify_tls: bool = True
    ca_bundle: str | None = None
    proxy: str | None = None  # None: the environment's proxy; loopback never uses one
    production: bool = False
    store_full_tokens: bool = False  # history and exports keep tokens unmasked
    builtin: bool = False  # the emulator profile: never stored, never edited
    # Made from the built-in emulator: its base URL is the running emulator's, whatever port it
    # has this run (`follow`), and so are its issuer and authorization endpoint where they were
    # on the emulator. Stored with EMULATOR_URL_MARK in place of that URL, never with a port.
    follows_emulator: bool = False

    @property
    def uses_builtin_emulator(self) -> bool:
        """Requests go to the emulator inside the app: it must be running for this profile."""
        return self.builtin or self.follows_emulator

    def answers_to(self, name: str) -> bool:
        """Whether `name` names this profile: as saved, in any case — or as the command line
        prints it, hidden characters as escapes (`Evil\\u202eeman`), which a person copies
        back (tryout AD: the printed name was refused)."""
        given = name.strip().casefold()
        return given in (self.name.casefold(), escape_hidden(self.name).casefold())

    def follow(self, emulator_url: str) -> Profile:
        """This profile on the built-in emulator at `emulator_url`, if it follows it: its base
        URL becomes that one, its issuer and endpoint too where they were under the old base
        URL (an issuer elsewhere is the user's choice and stays). Other profiles are unchanged."""
        if not self.follows_emulator:
            return self
        old, new = normalise_base_url(self.base_url), normalise_base_url(emulator_url)
        return replace(
            self,
            base_url=new,
            issuer=_moved(self.issuer, old, new),
            authorization_endpoint=_moved(self.authorization_endpoint, old, new),
        )

    def at_base_url(self, base_url: str, emulator_url: str | None) -> Profile:
        """This profile with `base_url` typed in: it follows the built-in emulator when that
        is the running emulator's URL (`emulator_url`; None while it has none), or it did and
        the URL is unchanged; another URL typed in ends the following."""
        typed = normalise_base_url(base_url)
        follows = (self.follows_emulator and typed == normalise_base_url(self.base_url)) or (
            emulator_url is not None and typed == normalise_base_url(emulator_url)
        )
        return replace(self, base_url=base_url, follows_emulator=follows)

    # --- JSON ---

    def to_json_dict(self) -> dict[str, Any]:
        """The profile as its file says it: one that follows the built-in emulator says
        EMULATOR_URL_MARK where the emulator's URL is (it changes every run)."""
        data = asdict(self.follow(EMULATOR_URL_MARK))
        del data["builtin"]  # only the factory makes built-in profiles
        del data["follows_emulator"]  # the mark in base_url says it
        return data

    @classmethod
    def from_json_dict(cls, data: object, *, emulator_url: str = EMULATOR_DEFAULT_URL) -> Profile:
        """Read a profile written by this or an older version.

        Unknown keys (newer versions, hand edits) are ignored; so is any secret-looking key,
        which is never read into memory from a file. A wrong type raises `ProfileError`.
        EMULATOR_URL_MARK in a URL field is the built-in emulator, at `emulator_url`.
        """
        if not isinstance(data, Mapping):
            raise ProfileError(f"a profile should be a JSON object, not {_json_type(data)}")
        label = data.get("name")
        try:
            profile_id = _text(data, "id", "") or new_profile_id()
            base_url = _text(data, "base_url")
            profile = cls(
                id=profile_id,
                name=_text(data, "name"),
                base_url=base_url,
                app_token=_text(data, "app_token", ""),
                client_id=_text(data, "client_id", ""),
                redirect_uri=_text(data, "redirect_uri", ""),
                issuer=_text(data, "issuer", vendor.DEFAULT_ISSUER),
                authorization_endpoint=_text(data, "authorization_endpoint", ""),
                timeout_s=_number(data, "timeout_s", DEFAULT_TIMEOUT_S),
                verify_tls=_flag(data, "verify_tls", True),
                ca_bundle=_optional_text(data, "ca_bundle"),
                proxy=_optional_text(data, "proxy"),
                production=_flag(data, "production", False),
                store_full_tokens=_flag(data, "store_full_tokens", False),
                follows_emulator=normalise_base_url(base_url) == EMULATOR_URL_MARK,
            )
        except ProfileError as exc:
            where = f"Profile {label!r}" if isinstance(label, str) and label else "A profile"
            raise ProfileError(f"{where}: {exc}") from None
        if profile.follows_emulator:
            return profile.follow(emulator_url)
        # The mark in an issuer or endpoint alone (a hand edit) still means the emulator.
        mark, url = EMULATOR_URL_MARK, normalise_base_url(emulator_url)
        return replace(
            profile,
            issuer=_moved(profile.issuer, mark, url),
            authorization_endpoint=_moved(profile.authorization_endpoint, mark, url),
        )

    # --- Use ---

    def target(self, secret: Secret) -> Target:
        return Target(
            base_url=normalise_base_url(self.base_url),
            app_token=self.app_token.strip(),
            secret_key=secret,
            timeout_s=self.timeout_s,
            verify_tls=self.verify_tls,
            ca_bundle=self.ca_bundle or None,
            proxy=self.proxy or None,
        )

    def problems(self) -> dict[str, str]:
        """Field name → what is wrong; a profile with problems can't be saved."""
        found: dict[str, str] = {}
        if not self.name.strip():
            found["name"] = "Enter a name for the profile"
        if (url_problem := base_url_problem(self.base_url)) is not None:
            found["base_url"] = url_problem
        token = self.app_token.strip()
        if not token:
            found["app_token"] = "Enter the app token (X-App-Token)"
        elif any(c.isspace() for c in token):
            found["app_token"] = "The app token contains a space or line break"
        elif not (token.isascii() and token.isprintable()):
            found["app_token"] = "The app token has characters that can't be sent in a header"
        if (unusable_id := client_id_problem(self.client_id)) is not None:
            found["client_id"] = unusable_id
        if self.redirect_uri.strip():
            problem = _url_shape_problem(self.redirect_uri, "redirect URI")
            if problem is not None:
                found["redirect_uri"] = problem
        if self.issuer.strip() and (problem := base_url_problem(self.issuer)) is not None:
            found["issuer"] = problem.replace("base URL", "issuer")
        if self.authorization_endpoint.strip():
            problem = base_url_problem(self.authorization_endpoint)
            if problem is not None:
                found["authorization_endpoint"] = problem.replace("base URL", "endpoint")
        if (problem := timeout_problem(self.timeout_s)) is not None:
            found["timeout_s"] = problem
        if self.proxy:
            parts = urlsplit(self.proxy.strip())
            if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
                found["proxy"] = "The proxy must look like http://proxy.example:3128"
        return found

    def field_warnings(self) -> dict[str, str]:
        """The warnings that concern one field (shown under it), by field name."""
        found: dict[str, str] = {}
        if self.app_token.strip().lower().startswith(("http://", "https://")):
            found["app_token"] = "The app token looks like a URL: the URL goes in Base URL"
        # An API on this machine (an emulator) with Sumsub's own issuer: Get code would go to
        # id.sumsub.com and its keys would not verify this server's id_tokens.
        issuer = self.issuer.strip() or vendor.DEFAULT_ISSUER
        on_this_machine = is_on_this_machine(self.base_url)
        if on_this_machine and _hostname(issuer) == _hostname(vendor.DEFAULT_ISSUER):
            own = normalise_base_url(self.base_url) + "/"
            found["issuer"] = (
                f"For an API on this machine the issuer is likely {own}, not Sumsub's (an "
                "emulator here is its own issuer)"
            )
        elif on_this_machine and _other_server_here(issuer, self.base_url):
            found["issuer"] = _two_servers_here(issuer, self.base_url)
        return found

    def warnings(self) -> list[str]:
        """Guard rails: things that are allowed but are probably a mistake."""
        found: list[str] = []
        token = self.app_token.strip()
        sandbox_token = token.startswith(vendor.SANDBOX_TOKEN_PREFIX)
        named_production = bool(
            _PRODUCTION_NAME.search(self.name) and not _OTHER_STAGE_NAME.search(self.name)
        )
        if sandbox_token and (self.production or named_production):
            found.append(
                f"This profile is {'marked' if self.production else 'named'} as production, "
                f"but its app token starts with {vendor.SANDBOX_TOKEN_PREFIX} — a sandbox token"
            )
        if token and not sandbox_token and _SANDBOX_NAME.search(self.name):
            found.append(
                f"This profile is named as a sandbox, but its app token has no "
                f"{vendor.SANDBOX_TOKEN_PREFIX} prefix: it is a production token"
            )
        elif token.startswith(_PRODUCTION_TOKEN_PREFIX) and not (
            self.production or named_production
        ):
            # The mirror of the sbx: warning above. A production name agrees with the token as
            # the flag would; a sandbox name was just warned about, for this same token.
            found.append(
                "This profile is not marked as production, but its app token starts with "
                f"{_PRODUCTION_TOKEN_PREFIX} — a production token"
            )
        found += self.field_warnings().values()
        if not self.verify_tls:
            found.append("TLS certificate verification is off for this profile")
        if (bundle_problem := ca_bundle_problem(self.ca_bundle)) is not None:
            found.append(bundle_problem)  # the same check, and message, as at send time
        return found


def emulator_profile(base_url: str) -> Profile:
    """The built-in emulator target: always present, never stored (its port changes per run)."""
    url = normalise_base_url(base_url)
    return Profile(
        id=EMULATOR_PROFILE_ID,
        name=EMULATOR_PROFILE_NAME,
        base_url=url,
        app_token=EMULATOR_APP_TOKEN,
        client_id=EMULATOR_CLIENT_ID,
        issuer=url + "/",
        builtin=True,
    )


def edits_onto(saved: Profile, before: Profile, after: Profile) -> Profile:
    """`saved` with the fields a form changed from `before` to `after`, and only those: what
    another window saved meanwhile into the other fields stays (a Settings dialog opened
    before it wrote its whole copy back over it — tryout AL)."""
    changed = {
        field.name: getattr(after, field.name)
        for field in fields(Profile)
        if getattr(after, field.name) != getattr(before, field.name)
    }
    return replace(saved, **changed)
