"""A Postman environment or collection file → one profile, by the vendor's variable names.

Sumsub publishes Postman collections for App Token auth whose variables are `sumsub_root_url`,
`app-token` and `secret-key`, so many users arrive with such a file. Only variable *values* are
read, and only those whose names say unambiguously what they hold; nothing in the file runs
(pre-request scripts, tests), and its requests and auth settings are not kept. The secret key
goes to the OS keyring — without one, kept for the window's run or dropped — and never to a
file: the caller passes it to `keep_imported_secret`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from idconnect_tester import vendor
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import Profile, ProfileError, new_profile_id
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.target import is_on_this_machine, normalise_base_url
from idconnect_tester.core.wording import counted

# Sumsub has one API host for sandbox and production (the app token decides).
DEFAULT_BASE_URL: Final = "https://api.sumsub.com"

# Variable names (compared without case, "-" or "_") → the profile field they fill. The vendor's
# names come first; the others are spellings of the same names that can't mean anything else.
_FIELD_BY_NAME: Final[dict[str, str]] = {
    "sumsubrooturl": "base_url",
    "apptoken": "app_token",
    "sumsubapptoken": "app_token",
    "xapptoken": "app_token",
    "secretkey": "secret_key",
    "sumsubsecretkey": "secret_key",
    "clientid": "client_id",
    "sumsubclientid": "client_id",
    "redirecturi": "redirect_uri",
}
_VENDOR_NAMES: Final = "sumsub_root_url, app-token and secret-key"
_LABELS: Final = {
    "base_url": "base URL",
    "app_token": "app token",
    "secret_key": "secret key",
    "client_id": "client id",
    "redirect_uri": "redirect URI",
}
_MAX_NAMES_LISTED: Final = 8


@dataclass(frozen=True)
class PostmanImport:
    """What a Postman file gave: a profile (no secret in it), the secret apart, and notes."""

    profile: Profile
    secret_key: Secret | None = field(repr=False)
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Variable:
    name: str
    value: object = field(repr=False)  # values may be secrets


def is_postman_file(document: object) -> bool:
    """A Postman environment (or globals) export, or a Postman collection."""
    return _kind(document) is not None


def profile_from_postman(document: object, file_name: str) -> PostmanImport:
    """The profile a Postman file describes. Raises `ProfileError` when it describes none."""
    kind = _kind(document)
    if kind is None or not isinstance(document, Mapping):
        raise ProfileError(f"{file_name} is not a Postman environment or collection")
    if kind == "collection":
        info = document.get("info")
        title = info.get("name") if isinstance(info, Mapping) else None
        entries = document.get("variable")
    else:
        title = document.get("name")
        entries = document.get("values")
    variables = list(_variables(entries))
    if not any(_normalised(v.name) in _FIELD_BY_NAME for v in variables):
        raise ProfileError(
            f"{file_name} is a Postman {kind} without Sumsub's variables ({_VENDOR_NAMES})"
        )
    notes: list[str] = []
    fields = _fields(variables, notes)
    secret = fields.pop("secret_key", "")
    base_url = fields.pop("base_url", "")
    if not base_url:
        base_url = DEFAULT_BASE_URL
        notes.append(f"The file has no sumsub_root_url; the base URL is {DEFAULT_BASE_URL}.")
    name = title.strip() if isinstance(title, str) and title.strip() else file_name
    base_url = normalise_base_url(base_url)
    issuer = vendor.DEFAULT_ISSUER
    if is_on_this_machine(base_url):
        # An API on this machine is an emulator, and an emulator is its own issuer: with
        # Sumsub's, Get code would go to Sumsub and every id_token's iss and kid would fail.
        issuer = base_url + "/"
        notes.append(f"The base URL is on this machine: the issuer is taken to be {issuer}.")
    profile = Profile(
        id=new_profile_id(),
        name=name,
        base_url=base_url,
        app_token=fields.get("app_token", ""),
        client_id=fields.get("client_id", ""),
        redirect_uri=fields.get("redirect_uri", ""),
        issuer=issuer,
    )
    notes += _ignored_notes(document, kind, variables)
    return PostmanImport(profile, Secret(secret) if secret else None, tuple(notes))


def keep_imported_secret(
    secrets: SecretStore | None,
    profile_id: str,
    secret: Secret | None,
    file_name: str,
    *,
    for_this_run: bool = False,
) -> list[str]:
    """Put an imported secret key in the OS keyring under the profile's id. Without a keyring
    it is kept in memory when `for_this_run` (the window: the profile works until it closes,
    as a secret typed in does), else dropped; never kept in a file. Returns what to tell the
    user."""
    if not secret:
        return []
    after = (
        f" {file_name} itself still holds the secret key in plain text; delete it if you "
        "don't need it."
    )
    if secrets is not None and (secrets.persistent or for_this_run):
        secrets.set(profile_id, secret)
        if secrets.persistent:  # the write itself can fail and switch the store to memory
            return ["The secret key went to the system keyring." + after]
        if for_this_run:
            return [
                "There is no usable system keyring, so the secret key from the file is kept "
                "for this run only (secret keys are never written to a file): enter it again "
                "after a restart." + after
            ]
        secrets.delete(profile_id)
    return [
        "There is no usable system keyring, so the secret key from the file was not kept "
        "(secret keys are never written to a file): enter it when you use this profile." + after
    ]


# --- Reading the file ---


def _kind(document: object) -> str | None:
    if not isinstance(document, Mapping):
        return None
    info = document.get("info")
    if isinstance(info, Mapping) and ("item" in document or "variable" in document):
        return "collection"
    values = document.get("values")
    scope = document.get("_postman_variable_scope")
    if isinstance(values, list) and (
        scope in ("environment", "globals") or all(_looks_like_variable(v) for v in values)
    ):
        return "globals" if scope == "globals" else "environment"
    return None


def _looks_like_variable(entry: object) -> bool:
    return isinstance(entry, Mapping) and isinstance(entry.get("key"), str) and "value" in entry


def _variables(entries: object) -> Iterator[_Variable]:
    """The variables Postman would use: named, and not switched off (environments say
    `enabled: false`, collections `disabled: true`)."""
    if not isinstance(entries, list):
        return
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("key"), str):
            continue
        if entry.get("enabled", True) is not False and entry.get("disabled") is not True:
            yield _Variable(entry["key"], entry.get("value", ""))


def _normalised(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def _fields(variables: list[_Variable], notes: list[str]) -> dict[str, str]:
    """Profile field → value, for the variables whose names say what they hold."""
    found: dict[str, list[_Variable]] = {}
    for variable in variables:
        if (target := _FIELD_BY_NAME.get(_normalised(variable.name))) is not None:
            found.setdefault(target, []).append(variable)
    fields: dict[str, str] = {}
    for target, candidates in found.items():
        label = _LABELS[target]
        names = ", ".join(v.name for v in candidates)
        usable = [v for v in candidates if isinstance(v.value, str) and v.value.strip()]
        values = {str(v.value).strip() for v in usable}
        if any("{{" in value for value in values):
            notes.append(
                f"The {label} ({names}) refers to another Postman variable, which is not "
                "resolved; it was left out."
            )
        elif len(values) > 1:
            notes.append(
                f"The file gives the {label} twice ({names}) with different values; "
                "neither was used."
            )
        elif values:
            fields[target] = values.pop()
        elif target == "secret_key":
            notes.append(
                f"The file has no value for {names} (Postman exports only initial values): "
                "enter the secret key when you use this profile."
            )
        else:
            notes.append(f"The file has no value for {names}; the {label} was left empty.")
    return fields


def _ignored_notes(document: Mapping[str, Any], kind: str, variables: list[_Variable]) -> list[str]:
    ignored: list[str] = []
    scripts, auth_blocks, requests = _collection_parts(document)
    if scripts:
        ignored.append(f"{counted(scripts, 'script')} (pre-request and tests; none was run)")
    if auth_blocks:
        ignored.append(counted(auth_blocks, "auth setting"))
    if requests:
        ignored.append(counted(requests, "request"))
    others = [v.name for v in variables if _normalised(v.name) not in _FIELD_BY_NAME]
    if others:
        shown = ", ".join(others[:_MAX_NAMES_LISTED])
        more = (
            f" and {len(others) - _MAX_NAMES_LISTED} more"
            if len(others) > _MAX_NAMES_LISTED
            else ""
        )
        ignored.append(f"the other variables ({shown}{more})")
    if not ignored:
        return []
    return [
        f"Only Sumsub's variables were read from the Postman {kind}; ignored: "
        + "; ".join(ignored)
        + "."
    ]


def _collection_parts(document: Mapping[str, Any]) -> tuple[int, int, int]:
    """How many scripts, auth settings and requests a collection holds, at any depth.

    Walked with a stack rather than recursion: a file can nest folders arbitrarily deep.
    """
    scripts = auth_blocks = requests = 0
    stack: list[object] = [document]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        events = node.get("event")
        if isinstance(events, list):
            scripts += sum(1 for e in events if isinstance(e, Mapping) and e.get("script"))
        if isinstance(node.get("auth"), Mapping):
            auth_blocks += 1
        request = node.get("request")
        if request is not None:
            requests += 1
            stack.append(request)
        items = node.get("item")
        if isinstance(items, list):
            stack.extend(items)
    return scripts, auth_blocks, requests
