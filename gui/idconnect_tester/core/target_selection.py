"""Which profile is selected, what the user has typed into the target fields, and the `Target`
a request goes to.

The built-in emulator profile is always there and can't be broken: its URL follows the running
emulator, and edits to its app token or secret last for this run only (handy for trying the
disabled client or a wrong secret). Edits to a saved profile are kept in memory while the user
types and written when editing finishes (`save_edits`): the profile to its file, the secret to the
keyring — the keyring part as a `SecretWrite` the caller runs off the GUI thread, because a
keyring may block on an unlock prompt. An edit that isn't valid yet is not written; it stays on
screen for this run, and saying so is the caller's job (`save_edits` returns the reason).

A saved profile made from the built-in emulator (a duplicate, or one given the running
emulator's URL) follows it: it is resolved here to the URL the emulator has in this run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import (
    EMULATOR_PROFILE_ID,
    Profile,
    ProfileError,
    emulator_profile,
)
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.session_events import Origin
from idconnect_tester.core.target import Target, normalise_base_url

EMULATOR_SECRET = "emulator-secret-key"  # public by design: the emulator's documented default
EMULATOR_STARTING = "http://127.0.0.1"  # shown (read-only) for the moment before it listens


@dataclass(frozen=True)
class SecretWrite:
    """A secret to store in (or, when empty, delete from) the keyring, off the GUI thread."""

    profile_id: str
    secret: Secret = field(repr=False)

    def run(self, store: SecretStore) -> None:
        store.set(self.profile_id, self.secret)


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # the profile file was written
    problem: str | None = None  # why not (an invalid field, or the disk refused)
    secret_write: SecretWrite | None = None


class TargetSelection:
    def __init__(
        self,
        store: ProfileStore,
        secrets: SecretStore,
        emulator_url: Callable[[], str | None],
    ) -> None:
        self.store = store
        self.secrets = secrets
        self._emulator_url = emulator_url  # None until the emulator listens
        self._emulator_edits: tuple[str, str] | None = None  # (app token, secret), this run only
        self._typed_secret: dict[str, str] = {}  # what is in the field, per profile, this run
        self._read_secret: dict[str, str] = {}  # what the keyring gave, per profile
        # What was typed into a saved profile's target fields and not written yet, per profile:
        # its base URL and app token, and only those. The rest is the store's, which another
        # window may change meanwhile: a whole copy of the profile, written back, had undone
        # that window's rename or new client id.
        self._unsaved: dict[str, tuple[str, str]] = {}
        # Each profile's name as the list last showed it: a deleted one is named so.
        self._names_listed: dict[str, str] = {}
        self.notices: list[str] = []
        if store.recovery_message:
            self.notices.append(store.recovery_message)
        self.current = self._resolve(store.last_used)

    # --- profiles ---

    def _emulator_profile(self) -> Profile:
        profile = emulator_profile(self._emulator_url() or EMULATOR_STARTING)
        if self._emulator_edits is not None:
            profile = replace(profile, app_token=self._emulator_edits[0])
        return profile

    @property
    def emulator_url(self) -> str | None:
        """The built-in emulator's URL in this run; None until its port is taken."""
        url = self._emulator_url()
        return normalise_base_url(url) if url is not None else None

    def _followed(self, profile: Profile) -> Profile:
        """A profile that follows the built-in emulator, at the URL it has in this run."""
        return profile.follow(self._emulator_url() or EMULATOR_STARTING)

    def following_the_emulator(self, profile: Profile) -> Profile:
        """`profile`, following the built-in emulator if its base URL is the running one's:
        today's port would refuse connections after the next start."""
        return profile.at_base_url(profile.base_url, self._emulator_url())

    def _resolve(self, profile_id: str | None) -> Profile:
        if profile_id and profile_id != EMULATOR_PROFILE_ID:
            saved = self.store.get(profile_id)
            if saved is not None:
                return self._followed(self._with_typing(saved))
            self._unsaved.pop(profile_id, None)  # deleted, here or in another window
        return self._emulator_profile()

    def _with_typing(self, saved: Profile) -> Profile:
        """`saved` with what is typed in its target fields, if anything. Typing the running
        emulator's URL makes the profile follow it; another URL ends that."""
        typed = self._unsaved.get(saved.id)
        if typed is None:
            return saved
        base_url, app_token = typed
        return replace(saved.at_base_url(base_url, self._emulator_url()), app_token=app_token)

    def profiles(self) -> list[Profile]:
        saved = [self._followed(p) for p in self.store.profiles() if not p.builtin]
        self._names_listed.update((profile.id, profile.name) for profile in saved)
        return [self._emulator_profile(), *saved]

    def select(self, profile_id: str) -> None:
        # The file as it is now: a profile another window deleted a moment ago, still listed
        # here, gives way to the built-in emulator rather than failing to be selected.
        self.store.catch_up()
        self.current = self._resolve(profile_id)
        self.store.last_used = self.current.id

    def reload(self) -> None:
        """After a profile was added, renamed or changed elsewhere (dialogs), or the emulator
        started listening."""
        self._unsaved.pop(self.current.id, None)
        self.current = self._resolve(self.current.id)

    def follow_the_store(self) -> bool:
        """After another window or a command changed the profiles: the current one as stored
        now (renamed, say), with what is typed in its target fields kept. True when it changed."""
        before = self.current
        self.current = self._resolve(before.id)
        return self.current != before

    @property
    def emulator_ready(self) -> bool:
        return not self.current.uses_builtin_emulator or self._emulator_url() is not None

    def origin(self) -> Origin:
        return Origin(self.current, name_now=self._name_now)

    def _name_now(self, profile: Profile) -> str:
        """`profile`'s name in the list now, or — deleted since — its last name there, marked
        so."""
        if profile.builtin:
            return self._emulator_profile().name
        # The store's word, not the edits typed in its target fields this run: those outlive
        # a delete, and the results of a profile whose secret key was typed went on naming it
        # as if it were still in the list.
        now = self.store.get(profile.id)
        if now is not None:
            return now.name
        return f"{self._names_listed.get(profile.id, profile.name)} (deleted)"

    # --- the secret ---

    def known_secret(self) -> str | None:
        """The current profile's secret if it is known without asking the keyring."""
        profile = self.current
        if profile.id in self._typed_secret:
            return self._typed_secret[profile.id]
        if profile.builtin:
            return self._emulator_edits[1] if self._emulator_edits else EMULATOR_SECRET
        return self._read_secret.get(profile.id)

    def typed_secret(self, profile_id: str) -> bool:
        """The user has typed into the secret field of this profile in this run."""
        return profile_id in self._typed_secret

    def read_secret(self, profile_id: str) -> str:
        """Ask the keyring (may block: run it off the GUI thread), then remember the answer."""
        stored = self.secrets.get(profile_id)
        value = stored.reveal() if stored is not None else ""
        self._read_secret[profile_id] = value
        return value

    @property
    def secrets_persist(self) -> bool | None:
        """False once the keyring proved unusable (secrets then last for this run only); None
        while it hasn't been tried. Never waits for the keyring."""
        return self.secrets.known_persistent

    # --- editing ---

    def edit(self, base_url: str, app_token: str, secret: str) -> None:
        """What the target fields hold now; nothing is written until `save_edits`."""
        profile = self.current
        self._typed_secret[profile.id] = secret
        if profile.builtin:
            self._emulator_edits = (app_token, secret)
            self.current = self._emulator_profile()
            return
        self._unsaved[profile.id] = (base_url, app_token)
        saved = self.store.get(profile.id)
        self.current = self._followed(self._with_typing(saved if saved is not None else profile))

    def as_saved(self, profile_id: str) -> Profile | None:
        """The profile as the file holds it now (read again if another window wrote it), at
        this run's emulator URL if it follows the emulator; None once deleted."""
        self.store.catch_up()
        saved = self.store.get(profile_id)
        return self._followed(saved) if saved is not None and not saved.builtin else None

    def typed_in_the_target_fields(self) -> bool:
        """The current profile's base URL or app token was typed in and not written yet."""
        return self.current.id in self._unsaved

    def has_unsaved_edits(self) -> bool:
        return self.current.id in self._unsaved or (
            not self.current.builtin
            and self.current.id in self._typed_secret
            and self._typed_secret[self.current.id] != self._read_secret.get(self.current.id)
        )

    def save_edits(self) -> SaveResult:
        """Write the current profile's edits: the profile now, the secret by the caller."""
        profile = self.current
        if profile.builtin:
            return SaveResult(saved=False)
        secret_write = None
        typed = self._typed_secret.get(profile.id)
        if typed is not None and typed != self._read_secret.get(profile.id):
            secret_write = SecretWrite(profile.id, Secret(typed))
            self._read_secret[profile.id] = typed
        if profile.id not in self._unsaved:
            return SaveResult(saved=False, secret_write=secret_write)
        # What the file holds now, with the typing on top: another window's change stays.
        self.store.catch_up()
        saved = self.store.get(profile.id)
        if saved is not None:
            profile = self.current = self._followed(self._with_typing(saved))
        problems = {k: v for k, v in profile.problems().items() if k in ("base_url", "app_token")}
        if problems:
            return SaveResult(False, next(iter(problems.values())), secret_write)
        try:
            self.store.update(profile)
        except (ProfileError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return SaveResult(False, f"could not be written: {reason}", secret_write)
        del self._unsaved[profile.id]
        return SaveResult(saved=True, secret_write=secret_write)

    def target(self) -> Target:
        return self.current.target(Secret(self.known_secret() or ""))

    def target_problems(self) -> dict[str, str]:
        if not self.emulator_ready:
            return {"base_url": "The built-in emulator is starting…"}
        if self.known_secret() is None:
            return {"secret_key": "Reading the secret key from the system keyring…"}
        return self.target().problems()

    @property
    def secret_suggestion(self) -> str | None:
        """The secret key a profile that follows the built-in emulator most likely has: the
        emulator's, public by design but said nowhere else in the window (with no keyring, a
        copy of the emulator's profile asks for it after every restart)."""
        return EMULATOR_SECRET if self.current.follows_emulator else None

    def warnings(self) -> list[str]:
        return self.current.warnings()

    def field_warnings(self) -> dict[str, str]:
        """Those of `warnings` that concern one field, by field name."""
        return self.current.field_warnings()

    def describe(self) -> str:
        if self.current.builtin:
            if not self.emulator_ready:
                return "Built-in emulator: starting…"
            return f"Built-in emulator at {self.current.base_url}"
        if self.current.follows_emulator:
            return f"{self.current.name} · built-in emulator at {self.current.base_url}"
        return f"{self.current.name} · {self.current.base_url}"

    def take_notices(self) -> list[str]:
        """What the user should hear about the profiles (a recovered file, say)."""
        notices, self.notices = self.notices, []
        return notices

    def take_keyring_notice(self) -> str | None:
        """Why secrets last for this run only, once — ask after a keyring call (reading the
        answer may itself wait for the keyring, so not on the GUI thread before one)."""
        return self.secrets.take_unavailable_notice()

    def forget_typed_secrets(self) -> None:
        self._typed_secret.clear()
        self._read_secret.clear()
