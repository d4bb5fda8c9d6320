"""The make-believe people who "consent" at the emulator's authorize endpoint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_DEFAULT_HINT = "emma.ulator@example.com"
# A fixed epoch for created_at, so a subject's profile is the same on every run.
_PROFILE_EPOCH = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class User:
    subject: str
    given_name: str
    family_name: str
    email: str
    created_at: str  # ISO 8601 UTC, as the profile scope returns it

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def user_for(login_hint: str | None) -> User:
    """The default user, or a distinct, stable one per login_hint.

    The subject is a hash, so the same hint gives the same ``sub`` on every run and instance,
    and a tester can produce a second user by passing another hint.
    """
    hint = login_hint if login_hint else _DEFAULT_HINT
    digest = hashlib.sha256(hint.encode("utf-8", "surrogatepass")).hexdigest()
    if hint == _DEFAULT_HINT:
        given, family = "Emma", "Ulator"
    else:
        given, family = "Test", "User " + digest[:6]
    email = hint if "@" in hint and len(hint) <= 254 else f"user-{digest[:12]}@example.com"
    created = _PROFILE_EPOCH + timedelta(seconds=int(digest[12:20], 16) % (365 * 86400))
    return User(
        subject="emu-user-" + digest[:12],
        given_name=given,
        family_name=family,
        email=email,
        created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
