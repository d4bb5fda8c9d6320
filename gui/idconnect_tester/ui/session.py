"""The window's view of profiles and secrets: which profile is current, what the user has typed
into the target fields, and the `Target` a request goes to.

The built-in emulator profile is always there and can't be broken: its URL follows the running
emulator, and edits to its app token or secret last for this run only (handy for trying the
disabled client or a wrong secret). Edits to a saved profile are written to the profile store
(without the secret) and the secret goes to the keyring.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import (
    EMULATOR_PROFILE_ID,
    Profile,
    ProfileError,
    emulator_profile,
)
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.core.target import Target
from idconnect_tester.ui.emulator_host import EmulatorHost

EMULATOR_SECRET = "emulator-secret-key"  # public by design: documented in DESIGN.md
EMULATOR_STARTING = "http://127.0.0.1"  # shown (read-only) for the moment before it listens


class TargetSession:
    def __init__(
        self,
        emulator: EmulatorHost,
        profile_store: ProfileStore | None = None,
        secret_store: SecretStore | None = None,
    ) -> None:
        self.emulator = emulator
        self.store = profile_store or ProfileStore()
        self.secrets = secret_store or SecretStore()
        self._emulator_edits: tuple[str, str] | None = None  # (app token, secret), this run only
        self._typed_secret: dict[str, str] = {}  # what is in the field, per profile, this run
        self._notices: list[str] = []
        if self.store.recovery_message:
            self._notices.append(self.store.recovery_message)
        self.current = self._resolve(self.store.last_used)

    # --- profiles ---

    def _emulator_profile(self) -> Profile:
        # Until the emulator listens (it starts right after the first paint) its URL is unknown.
        url = self.emulator.base_url if self.emulator.started else EMULATOR_STARTING
        profile = emulator_profile(url)
        if self._emulator_edits is not None:
            profile = replace(profile, app_token=self._emulator_edits[0])
        return profile

    def _resolve(self, profile_id: str | None) -> Profile:
        if profile_id and profile_id != EMULATOR_PROFILE_ID:
            profile = self.store.get(profile_id)
            if profile is not None:
                return profile
        return self._emulator_profile()

    def profiles(self) -> list[Profile]:
        saved = [p for p in self.store.profiles() if not p.builtin]
        return [self._emulator_profile(), *saved]

    def select(self, profile_id: str) -> None:
        self.current = self._resolve(profile_id)
        self.store.last_used = self.current.id

    def reload(self) -> None:
        """After a profile was added, renamed or changed elsewhere (dialogs)."""
        self.current = self._resolve(self.current.id)

    # --- what is typed in the target fields ---

    def secret_for_display(self) -> str:
        profile = self.current
        if profile.id in self._typed_secret:
            return self._typed_secret[profile.id]
        if profile.builtin:
            return self._emulator_edits[1] if self._emulator_edits else EMULATOR_SECRET
        stored = self.secrets.get(profile.id)
        return stored.reveal() if stored is not None else ""

    def edit_target(self, base_url: str, app_token: str, secret: str) -> None:
        profile = self.current
        self._typed_secret[profile.id] = secret
        if profile.builtin:
            self._emulator_edits = (app_token, secret)
            self.current = self._emulator_profile()
            return
        edited = replace(profile, base_url=base_url, app_token=app_token)
        self.current = edited
        # An invalid edit is shown next to its field (target_problems) and saved once valid.
        with contextlib.suppress(ProfileError):
            self.store.update(edited)
        if secret:
            self.secrets.set(profile.id, Secret(secret))
        else:
            self.secrets.delete(profile.id)
        if (notice := self.secrets.take_unavailable_notice()) is not None:
            self._notices.append(notice)

    def target(self) -> Target:
        if self.current.builtin and not self.emulator.started:
            self.emulator.ensure_started()  # needed now: start it rather than send nowhere
            self.current = self._emulator_profile()
        return self.current.target(Secret(self.secret_for_display()))

    def target_problems(self) -> dict[str, str]:
        if self.current.builtin and not self.emulator.started:
            return {"base_url": "The built-in emulator is starting…"}
        return self.current.target(Secret(self.secret_for_display())).problems()

    def warnings(self) -> list[str]:
        return self.current.warnings()

    def describe_target(self) -> str:
        if self.current.builtin:
            if not self.emulator.started:
                return "Built-in emulator: starting…"
            return f"Built-in emulator at {self.current.base_url}"
        return f"{self.current.name} · {self.current.base_url}"

    def take_notice(self) -> str | None:
        return self._notices.pop(0) if self._notices else None

    def close(self) -> None:
        self._typed_secret.clear()
