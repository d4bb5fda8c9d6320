"""The user's saved profiles: one readable JSON file, rewritten atomically on every change.

Two windows of the app may be open at once: before each change the store reads the file again
if someone else rewrote it since, so a change made in one window never undoes another's.

Nothing here writes a secret key: profiles have no secret field (see `profile_model`), and a
secret-looking key in a file read from disk is ignored (and purged from our own file). The
built-in emulator profile is made on the fly (its URL changes every run) and never stored; a
profile made from it follows it (`Profile.follows_emulator`): the file says "{built-in emulator}"
where its URL goes, and reading it back gives the URL the emulator has now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import platformdirs

from idconnect_tester.core.postman_import import (
    is_postman_file,
    keep_imported_secret,
    profile_from_postman,
)
from idconnect_tester.core.profile_model import (
    EMULATOR_APP_TOKEN,
    EMULATOR_CLIENT_ID,
    EMULATOR_DEFAULT_URL,
    EMULATOR_PROFILE_ID,
    EMULATOR_PROFILE_NAME,
    Profile,
    ProfileError,
    emulator_profile,
    is_secret_key_name,
    new_profile_id,
)
from idconnect_tester.core.safe_files import atomic_write_text, ensure_private_dir, move_aside
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.wording import counted, sentences

# Re-exported so that `from idconnect_tester.core.profiles import Profile` works too.
__all__ = [
    "EMULATOR_APP_TOKEN",
    "EMULATOR_CLIENT_ID",
    "EMULATOR_PROFILE_ID",
    "EMULATOR_PROFILE_NAME",
    "ImportedProfiles",
    "Profile",
    "ProfileError",
    "ProfileStore",
    "default_profiles_path",
    "emulator_profile",
]

APP_DIR_NAME: Final = "idconnect-tester"
FILE_VERSION: Final = 1
# Until the app has started its emulator and told the store where it listens.
EMULATOR_PLACEHOLDER_URL: Final = EMULATOR_DEFAULT_URL


def default_profiles_path() -> Path:
    return platformdirs.user_config_path(APP_DIR_NAME, appauthor=False) / "profiles.json"


class ImportedProfiles(list[Profile]):
    """The profiles an import added, plus `notes` for the user (what was skipped or dropped)."""

    def __init__(self, profiles: Iterable[Profile] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(profiles)
        self.notes: tuple[str, ...] = tuple(notes)


def _named_as_the_emulator(name: str) -> bool:
    """ "Built-in emulator", "built-in emulator (2)": a name that says the app's own emulator."""
    return name.strip().casefold().startswith(EMULATOR_PROFILE_NAME.casefold())


def _unique_name(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or `wanted (2)`, `wanted (3)`… — names compare without regard to case."""
    taken_keys = {name.strip().casefold() for name in taken}
    wanted = wanted.strip()
    if wanted.casefold() not in taken_keys:
        return wanted
    counter = 2
    while f"{wanted} ({counter})".casefold() in taken_keys:
        counter += 1
    return f"{wanted} ({counter})"


@dataclass(frozen=True)
class _FileVersion:
    """What tells one version of a file from the next: an atomic rewrite is a new inode."""

    inode: int
    size: int
    modified_ns: int

    @classmethod
    def of(cls, path: Path) -> _FileVersion | None:
        try:
            info = path.stat()
        except OSError:
            return None
        return cls(info.st_ino, info.st_size, info.st_mtime_ns)


class ProfileStore:
    """The user's profiles, kept in one JSON file that is rewritten atomically on every change.

    Loading never fails: a damaged file is moved aside (and whatever profiles in it could be read
    are kept), a file from a newer version is moved aside untouched, and `recovery_message`
    says what happened so the app can tell the user once.
    """

    def __init__(
        self, path: Path | None = None, *, emulator_base_url: str = EMULATOR_PLACEHOLDER_URL
    ) -> None:
        self.path = path if path is not None else default_profiles_path()
        self._emulator = emulator_profile(emulator_base_url)
        self._profiles: list[Profile] = []
        self._last_used = EMULATOR_PROFILE_ID
        self._read_version: _FileVersion | None = None  # the file as last read or written
        self.recovery_message: str | None = None
        if self.path.parent.is_dir():
            # Made owner-only here too, at every start: the folder may predate this version,
            # or have been created by someone else with the usual 0755.
            ensure_private_dir(self.path.parent)
        self._load()

    # --- Reading ---

    @property
    def emulator_base_url(self) -> str:
        return self._emulator.base_url

    @emulator_base_url.setter
    def emulator_base_url(self, url: str) -> None:
        """Set once the in-process emulator listens (its port is only known then): the
        profiles that follow it move there too."""
        self._emulator = emulator_profile(url)
        self._profiles = [p.follow(self._emulator.base_url) for p in self._profiles]

    def profiles(self) -> list[Profile]:
        return [self._emulator, *self._profiles]

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self.profiles() if p.id == profile_id), None)

    @property
    def last_used(self) -> str:
        """The id of the profile used last; the emulator's when that profile is gone."""
        if self.get(self._last_used) is None:
            return EMULATOR_PROFILE_ID
        return self._last_used

    @last_used.setter
    def last_used(self, profile_id: str) -> None:
        self.catch_up()
        self._require(profile_id)
        if profile_id != self._last_used:
            self._save(self._profiles, profile_id)

    # --- Changing ---

    def add(self, profile: Profile) -> Profile:
        """Store a new profile under a fresh id (and a unique name); returns what was stored.
        One made from the built-in emulator follows it (its port changes every run)."""
        self.catch_up()
        stored = replace(
            profile,
            id=new_profile_id(),
            name=_unique_name(profile.name, self._names()),
            builtin=False,
            follows_emulator=profile.uses_builtin_emulator,
        )
        self._validate(stored)
        self._save([*self._profiles, stored], self._last_used)
        return stored

    def update(self, profile: Profile) -> Profile:
        """Replace the stored profile that has `profile.id` with `profile`."""
        self.catch_up()
        current = self._require_editable(profile.id, "edited")
        stored = replace(profile, name=profile.name.strip(), builtin=False)
        self._check_name_free(stored.name, except_id=current.id)
        self._validate(stored)
        self._save(self._replaced(stored), self._last_used)
        return stored

    def rename(self, profile_id: str, new_name: str) -> Profile:
        self.catch_up()
        current = self._require_editable(profile_id, "renamed")
        stored = replace(current, name=new_name.strip())
        if not stored.name:
            raise ProfileError("Enter a name for the profile")
        self._check_name_free(stored.name, except_id=profile_id)
        self._save(self._replaced(stored), self._last_used)
        return stored

    def duplicate(self, profile_id: str) -> Profile:
        """A copy named "X copy" with a new id. The secret is not copied here (it is keyed by
        id in the keyring): the caller copies it when it wants the copy to have one."""
        self.catch_up()
        source = self._require(profile_id)
        return self.add(replace(source, name=f"{source.name} copy"))  # add: never built-in

    def delete(self, profile_id: str) -> None:
        self.catch_up()
        self._require_editable(profile_id, "deleted")
        remaining = [p for p in self._profiles if p.id != profile_id]
        last_used = EMULATOR_PROFILE_ID if self._last_used == profile_id else self._last_used
        self._save(remaining, last_used)

    # --- Import and export ---

    def export_profile(self, profile_id: str, path: Path) -> None:
        self.export_profiles([profile_id], path)

    def export_profiles(self, profile_ids: Iterable[str], path: Path) -> None:
        """Write the profiles to a file another user can import. Secret keys are not in it."""
        chosen = [self._require_editable(pid, "exported") for pid in profile_ids]
        exported = []
        for profile in chosen:
            data = profile.to_json_dict()
            del data["id"]  # an import always makes a new id
            exported.append(data)
        document = {
            "version": FILE_VERSION,
            "note": "Exported by ID Connect Tester. Secret keys are never exported: "
            "enter the secret key after importing.",
            "profiles": exported,
        }
        try:
            atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ProfileError(f"Could not write {path}: {exc.strerror or exc}") from exc

    def import_profiles(
        self,
        path: Path,
        *,
        secrets: SecretStore | None = None,
        name: str | None = None,
        secret_for_this_run: bool = False,
    ) -> ImportedProfiles:
        """Add the profiles in `path` under new ids and unique names: this app's export (one
        profile, a list, or an exported file), or a Postman environment or collection that uses
        Sumsub's variable names. A secret key in an export is ignored; a Postman file's goes to
        `secrets` (the OS keyring) or, without one, is kept for this run when
        `secret_for_this_run` and dropped otherwise (see `keep_imported_secret`). `name` names
        the file's one profile. What was skipped or dropped is in `.notes`."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ProfileError(f"Could not read {path}: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            where = (
                f" (line {exc.lineno}, column {exc.colno})"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            raise ProfileError(
                f"{path.name} is not JSON{where}: import takes this app's profile export, or a "
                "Postman environment or collection"
            ) from exc
        self.catch_up()
        postman = profile_from_postman(document, path.name) if is_postman_file(document) else None
        if postman is not None:
            entries: list[Any] = [postman.profile.to_json_dict()]
        else:
            entries = _entries_of_import(document, path.name)
        if name is not None:
            entries = self._named(entries, name, path.name)
        notes = list(postman.notes) if postman is not None else []
        imported: list[Profile] = []
        taken = self._names()
        for entry in entries:
            notes += _secret_notes(entry)
            try:
                profile = Profile.from_json_dict(entry, emulator_url=self.emulator_base_url)
            except ProfileError as exc:
                notes.append(f"Skipped: {exc}")
                continue
            # A name that says the built-in emulator would vouch for a target it is not (a
            # production one, say): such a profile takes its host's name.
            posing = _named_as_the_emulator(profile.name) and not profile.uses_builtin_emulator
            wanted = (urlsplit(profile.base_url).hostname or "Imported") if posing else profile.name
            unique = _unique_name(wanted, taken)
            if posing:
                notes.append(
                    f"{profile.name!r} is the name of the app's own emulator, and this profile "
                    f"targets {profile.base_url}: imported as {unique!r}"
                )
            elif unique != wanted:  # imported twice, say: the list's "(2)" is no surprise
                notes.append(f"A profile named {wanted!r} exists already: imported as {unique!r}")
            profile = replace(profile, id=new_profile_id(), name=unique, builtin=False)
            if problems := profile.problems():
                # A name as long as a page would hide the reason after it.
                name = profile.name if len(profile.name) <= 40 else f"{profile.name[:39]}…"
                notes.append(f"Skipped {name!r}: {'; '.join(problems.values())}")
                continue
            taken.append(profile.name)
            imported.append(profile)
        if not imported:
            raise ProfileError(
                sentences([f"No profile could be imported from {path.name}.", *notes])
            )
        self._save([*self._profiles, *imported], self._last_used)
        if postman is not None:
            notes += keep_imported_secret(
                secrets,
                imported[0].id,
                postman.secret_key,
                path.name,
                for_this_run=secret_for_this_run,
            )
        return ImportedProfiles(imported, notes)

    def _named(self, entries: list[Any], name: str, file_name: str) -> list[Any]:
        """The file's one profile under `name`, which must be free (a script asked for it)."""
        if len(entries) != 1:
            raise ProfileError(
                f"{file_name} holds {counted(len(entries), 'profile')}; a name can be given "
                "only when it holds one"
            )
        if not name.strip():
            raise ProfileError("Enter a name for the profile")
        self._check_name_free(name.strip(), except_id="")
        (entry,) = entries
        return [{**entry, "name": name.strip()} if isinstance(entry, Mapping) else entry]

    def catch_up(self) -> bool:
        """Read the file again if another window, a command (`profile import`) or a person
        changed it since we read or wrote it: the change about to be made applies to what is
        on disk now. True when it was read again."""
        if _FileVersion.of(self.path) == self._read_version:
            return False
        self._profiles = []
        self._load()
        return True

    # --- Internals ---

    def _names(self) -> list[str]:
        return [p.name for p in self.profiles()]

    def _require(self, profile_id: str) -> Profile:
        profile = self.get(profile_id)
        if profile is None:
            raise ProfileError(f"There is no profile with id {profile_id!r} (deleted?)")
        return profile

    def _require_editable(self, profile_id: str, action: str) -> Profile:
        profile = self._require(profile_id)
        if profile.builtin:
            raise ProfileError(
                f"The built-in emulator profile can't be {action}; "
                "duplicate it to get a profile you can change"
            )
        return profile

    def _check_name_free(self, name: str, *, except_id: str) -> None:
        others = [p.name for p in self.profiles() if p.id != except_id]
        if _unique_name(name, others) != name:
            raise ProfileError(f"A profile named {name!r} already exists")

    @staticmethod
    def _validate(profile: Profile) -> None:
        problems = profile.problems()
        if problems:
            raise ProfileError("; ".join(problems.values()))

    def _replaced(self, profile: Profile) -> list[Profile]:
        return [profile if p.id == profile.id else p for p in self._profiles]

    def _save(self, profiles: list[Profile], last_used: str) -> None:
        """Write first, then change memory: a failed write leaves both as they were."""
        document = {
            "version": FILE_VERSION,
            "last_used": last_used,
            "profiles": [p.to_json_dict() for p in profiles],
        }
        try:
            ensure_private_dir(self.path.parent)
            atomic_write_text(self.path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ProfileError(
                f"Could not save profiles to {self.path}: {exc.strerror or exc}"
            ) from exc
        self._profiles = list(profiles)
        self._last_used = last_used
        self._read_version = _FileVersion.of(self.path)

    def _load(self) -> None:
        self._read_version = _FileVersion.of(self.path)  # before reading: a later write shows
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self._recover("corrupt", f"could not be read ({exc.strerror or exc})", [])
            return
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._recover("corrupt", f"is not valid JSON ({exc})", [])
            return
        if not isinstance(document, dict) or not isinstance(document.get("profiles"), list):
            self._recover("corrupt", "is not a profiles file", [])
            return
        version = document.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > FILE_VERSION:
            self._recover_newer(version)
            return
        if version != FILE_VERSION:
            self._recover("corrupt", f"has an unknown format version {version!r}", [])
            return
        profiles, problems, had_secret = self._read_entries(
            document["profiles"], self.emulator_base_url
        )
        last_used = document.get("last_used")
        if isinstance(last_used, str):
            self._last_used = last_used
        if problems:
            self._recover("corrupt", "had entries that could not be read", profiles, problems)
            return
        self._profiles = profiles
        if had_secret:
            # Our file never holds a secret; one added by hand is purged rather than kept on disk.
            self._save(profiles, self._last_used)
            self.recovery_message = (
                f"{self.path.name} contained a secret key field; it was removed from the file "
                "(secret keys are kept in the system keyring, never in files)"
            )

    @staticmethod
    def _read_entries(
        entries: list[Any], emulator_url: str
    ) -> tuple[list[Profile], list[str], bool]:
        profiles: list[Profile] = []
        problems: list[str] = []
        had_secret = False
        seen_ids: set[str] = {EMULATOR_PROFILE_ID}
        for entry in entries:
            had_secret = had_secret or bool(_secret_notes(entry))
            try:
                profile = Profile.from_json_dict(entry, emulator_url=emulator_url)
            except ProfileError as exc:
                problems.append(str(exc))
                continue
            if profile.id in seen_ids:
                problems.append(f"Profile {profile.name!r}: its id is taken")
                continue
            seen_ids.add(profile.id)
            profiles.append(profile)
        return profiles, problems, had_secret

    def _recover(
        self, label: str, what: str, salvaged: list[Profile], details: Iterable[str] = ()
    ) -> None:
        """Keep the damaged file for the user, carry on with whatever could be read."""
        try:
            kept = move_aside(self.path, label)
        except OSError as exc:
            self.recovery_message = (
                f"{self.path} {what}, and could not be moved aside ({exc.strerror or exc}); "
                "profile changes will not be saved until it is fixed or removed"
            )
            self._profiles = salvaged
            return
        message = f"{self.path.name} {what}. The original was kept as {kept}."
        if details:
            message += " " + "; ".join(details) + "."
        if salvaged:
            message += f" {len(salvaged)} profile(s) could be read and were kept."
            try:
                self._save(salvaged, self._last_used)
            except ProfileError as exc:
                message += f" {exc}."
                self._profiles = salvaged
        else:
            message += " Starting with no saved profiles."
        self.recovery_message = message

    def _recover_newer(self, version: int) -> None:
        try:
            kept = move_aside(self.path, "newer")
        except OSError as exc:
            self.recovery_message = (
                f"{self.path} was written by a newer version of ID Connect Tester "
                f"(format {version}) and could not be moved aside ({exc.strerror or exc})"
            )
            return
        self.recovery_message = (
            f"{self.path.name} was written by a newer version of ID Connect Tester "
            f"(format {version}). It was kept unchanged as {kept}; this version starts with no "
            "saved profiles. Use the newer version to see them."
        )


def _entries_of_import(document: object, file_name: str) -> list[Any]:
    """The profile objects in an import file, which may be an export, a list, or one profile."""
    if isinstance(document, list):
        return list(document)
    if isinstance(document, dict):
        if isinstance(document.get("profiles"), list):
            version = document.get("version", FILE_VERSION)
            if isinstance(version, int) and version > FILE_VERSION:
                raise ProfileError(
                    f"{file_name} was exported by a newer version of ID Connect Tester "
                    f"(format {version}); update to import it"
                )
            return list(document["profiles"])
        if "name" in document or "base_url" in document:
            return [document]
    raise ProfileError(f"{file_name} has no profiles in it")


def _secret_notes(entry: object) -> list[str]:
    """What to tell the user about secret-looking fields in an entry (which are never read)."""
    if not isinstance(entry, Mapping):
        return []
    keys = [str(k) for k in entry if is_secret_key_name(str(k))]
    if not keys:
        return []
    name = entry.get("name")
    where = f"profile {name!r}" if isinstance(name, str) else "a profile"
    return [
        f"The file has a secret key ({', '.join(repr(k) for k in keys)} in {where}); it was "
        "ignored and not stored. Enter the secret key in the app (it goes to the system "
        "keyring), and delete that file or remove the key from it."
    ]
