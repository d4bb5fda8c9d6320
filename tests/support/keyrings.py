"""An in-memory keyring backend for tests: the app's keyring code runs for real, and nothing
reaches the developer's own keyring (or any file)."""

from __future__ import annotations

import keyring.backend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in a dict. Not viable unless a test says so, so that keyring's own backend
    detection (in this process, for other tests) can never pick a test class."""

    test_priority: float | None = None

    @properties.classproperty
    def priority(cls) -> float:
        if cls.test_priority is None:
            raise RuntimeError("test backend")
        return cls.test_priority

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")
