"""Secret keys go to the system keyring, or stay in memory — never to a file."""

from __future__ import annotations

import subprocess
import sys

import keyring.backend
import pytest
from keyring.backends import chainer, fail
from keyring.errors import KeyringLocked
from tests.support.keyrings import MemoryKeyring

from idconnect_tester.core.masking import Secret
from idconnect_tester.core.secret_store import SERVICE_NAME, SecretStore


class PlaintextKeyring(MemoryKeyring):
    """Stands for keyrings.alt's PlaintextKeyring: passwords in a file in the home directory."""


class LockedKeyring(MemoryKeyring):
    """A keyring whose unlock prompt the user dismissed."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    set_password = get_password  # type: ignore[assignment]


def test_secrets_round_trip_through_the_keyring_by_profile_id() -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend=backend)
    store.set("profile-1", Secret("s3cret-key"))

    assert backend.items == {(SERVICE_NAME, "profile-1"): "s3cret-key"}
    # A new run (a new store) finds it again.
    again = SecretStore(backend=backend)
    assert again.get("profile-1") == Secret("s3cret-key")
    assert again.get("profile-2") is None
    assert again.persistent and again.unavailable_reason is None
    assert again.take_unavailable_notice() is None

    again.delete("profile-1")
    assert again.get("profile-1") is None and backend.items == {}


def test_an_empty_secret_deletes_and_deleting_nothing_is_fine() -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend=backend)
    store.set("p", Secret("x"))
    store.set("p", Secret(""))
    assert store.get("p") is None
    store.delete("never-stored")
    assert store.persistent  # "no such password" is not a broken keyring


def test_without_a_keyring_secrets_live_in_memory_and_the_user_is_told_once() -> None:
    store = SecretStore(backend=fail.Keyring())
    store.set("p", Secret("s3cret-key"))

    assert store.get("p") == Secret("s3cret-key")  # still usable for this run
    assert not store.persistent
    reason = store.unavailable_reason
    assert reason is not None and "never written to disk" in reason
    assert store.take_unavailable_notice() == reason
    assert store.take_unavailable_notice() is None
    assert SecretStore(backend=fail.Keyring()).get("p") is None  # gone with the run


def test_a_plain_file_keyring_is_refused() -> None:
    backend = PlaintextKeyring()
    store = SecretStore(backend=backend)
    store.set("p", Secret("s3cret-key"))

    assert backend.items == {}
    assert store.get("p") == Secret("s3cret-key")
    assert not store.persistent
    assert "plain file" in (store.unavailable_reason or "")


def test_a_keyring_that_fails_on_use_switches_to_memory() -> None:
    store = SecretStore(backend=LockedKeyring())
    assert store.persistent  # looks fine until used

    store.set("p", Secret("s3cret-key"))

    assert store.get("p") == Secret("s3cret-key")
    assert not store.persistent
    assert store.take_unavailable_notice() is not None
    assert store.take_unavailable_notice() is None


def test_a_chain_without_backends_means_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.backend, "get_all_keyring", list)
    store = SecretStore(backend=chainer.ChainerBackend())
    assert not store.persistent
    assert "No system keyring" in (store.unavailable_reason or "")


def test_a_chain_never_hands_a_secret_to_its_file_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    plaintext, memory = PlaintextKeyring(), MemoryKeyring()
    monkeypatch.setattr(PlaintextKeyring, "test_priority", 9.0)  # first in the chain
    monkeypatch.setattr(MemoryKeyring, "test_priority", 5.0)
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [plaintext, memory])

    store = SecretStore(backend=chainer.ChainerBackend())
    store.set("p", Secret("s3cret-key"))

    assert plaintext.items == {}
    assert memory.items == {(SERVICE_NAME, "p"): "s3cret-key"}
    assert store.persistent


def test_importing_the_store_does_not_load_keyring() -> None:
    # keyring is slow to import; the app imports the store at startup and must start fast.
    code = (
        "import sys, idconnect_tester.core.secret_store as s; "
        "assert 'keyring' not in sys.modules; s.SecretStore(); "
        "assert 'keyring' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
