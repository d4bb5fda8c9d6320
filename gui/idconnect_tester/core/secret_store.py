"""Secret keys in the OS keyring, keyed by profile id — or in memory when there is no keyring.

A secret key is a bank-grade credential, so there is no file fallback of any kind: when the
system keyring is missing, locked, broken, or is a plain-file backend, secrets are kept in this
process only and the user is told once.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Final

from idconnect_tester.core.masking import Secret

if TYPE_CHECKING:  # the real import is lazy: see SecretStore._resolve
    from keyring.backend import KeyringBackend

SERVICE_NAME: Final = "idconnect-tester"

_FOR_THIS_RUN: Final = "secret keys are kept for this run only and never written to disk."
NO_KEYRING_REASON: Final = (
    "No system keyring is available (headless session or locked keyring): " + _FOR_THIS_RUN
)

# Backends that keep passwords in a file we'd then be writing secrets to (keyrings.alt's
# PlaintextKeyring and its file-backed relatives, keyrings.cryptfile).
_FILE_BACKEND_MODULES: Final = ("keyrings.alt", "keyrings.cryptfile")

log = logging.getLogger(__name__)


def _file_based(backend: KeyringBackend) -> bool:
    for cls in type(backend).__mro__:
        name = cls.__name__.lower()
        if cls.__module__.startswith(_FILE_BACKEND_MODULES) or "plaintext" in name:
            return True
    # keyrings.alt's file backends all expose the file they write to.
    return hasattr(type(backend), "file_path")


class _Unusable(Exception):
    """The keyring can't be used; the message is the sentence for the user."""


class SecretStore:
    """Secret keys by profile id. `get`/`set`/`delete` never raise for keyring trouble: the first
    failure switches the store to memory for the rest of the run (see `unavailable_reason`)."""

    def __init__(
        self, backend: KeyringBackend | None = None, *, service: str = SERVICE_NAME
    ) -> None:
        self._requested = backend
        self._service = service
        self._backend: KeyringBackend | None = None
        self._resolved = False
        self._memory: dict[str, str] = {}
        self._reason: str | None = None
        self._notice_taken = False
        # Keyring calls may block (an unlock prompt); a caller may move them off the GUI thread.
        self._lock = threading.RLock()

    @classmethod
    def in_memory(cls) -> SecretStore:
        """A store that never touches the keyring (throwaway runs such as the self-test)."""
        store = cls()
        store._resolved = True  # no backend: memory only, and nothing to tell the user
        return store

    # --- State for the user ---

    @property
    def persistent(self) -> bool:
        """True while secrets go to the system keyring; False once it proved unusable."""
        with self._lock:
            return self._resolve() is not None

    @property
    def unavailable_reason(self) -> str | None:
        """Why secrets are only kept in memory, as a sentence for the user; None while the
        keyring works."""
        with self._lock:
            self._resolve()
            return self._reason

    @property
    def known_persistent(self) -> bool | None:
        """`persistent` if the keyring has been tried already, else None — without waiting for
        it (another thread may be in a keyring call: this never takes the lock)."""
        if not self._resolved:
            return None
        return self._backend is not None

    def take_unavailable_notice(self) -> str | None:
        """The reason, the first time only, so the app says it once per run."""
        with self._lock:
            reason = self.unavailable_reason
            if reason is None or self._notice_taken:
                return None
            self._notice_taken = True
            return reason

    # --- Secrets ---

    def get(self, profile_id: str) -> Secret | None:
        with self._lock:
            backend = self._resolve()
            if backend is not None:
                try:
                    value = backend.get_password(self._service, profile_id)
                except Exception as exc:  # any backend failure (D-Bus, locked, …): go to memory
                    self._give_up(exc)
                else:
                    return Secret(value) if value else None
            value = self._memory.get(profile_id)
            return Secret(value) if value else None

    def set(self, profile_id: str, secret: Secret) -> None:
        """Keep `secret` for the profile; an empty secret deletes the entry."""
        if not secret:
            self.delete(profile_id)
            return
        with self._lock:
            backend = self._resolve()
            if backend is not None:
                try:
                    backend.set_password(self._service, profile_id, secret.reveal())
                except Exception as exc:
                    self._give_up(exc)
                else:
                    return
            self._memory[profile_id] = secret.reveal()

    def delete(self, profile_id: str) -> None:
        """Forget the profile's secret; nothing happens when there is none."""
        with self._lock:
            self._memory.pop(profile_id, None)
            backend = self._resolve()
            if backend is None:
                return
            from keyring.errors import PasswordDeleteError  # loaded by _resolve already

            try:
                backend.delete_password(self._service, profile_id)
            except PasswordDeleteError:
                pass  # backends say "no such password" this way: nothing to delete
            except Exception as exc:
                self._give_up(exc)

    # --- Backend choice ---

    def _resolve(self) -> KeyringBackend | None:
        """The backend to use, chosen on first need; None means memory."""
        if not self._resolved:
            self._resolved = True
            try:
                self._backend = self._choose()
            except _Unusable as exc:
                self._reason = str(exc)
            except Exception as exc:  # keyring's own discovery failing (bad config, D-Bus)
                self._reason = _failure_reason(exc)
                log.warning("keyring unavailable: %s", type(exc).__name__)
        return self._backend

    def _choose(self) -> KeyringBackend:
        # Imported here, not at module top: importing keyring and discovering its backends takes
        # tens of milliseconds (more with D-Bus), and the app must start fast.
        import keyring
        from keyring.backends import chainer, fail, null

        backend = self._requested if self._requested is not None else keyring.get_keyring()
        candidates = (
            list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
        )
        usable = [b for b in candidates if not isinstance(b, fail.Keyring | null.Keyring)]
        if not usable:
            raise _Unusable(NO_KEYRING_REASON)
        secure = [b for b in usable if not _file_based(b)]
        if not secure:
            raise _Unusable(
                f"The keyring backend ({type(usable[0]).__name__}) keeps passwords in a plain "
                f"file, which is not safe for secret keys: {_FOR_THIS_RUN}"
            )
        # A chainer writes to the first backend of its list that accepts; using the first secure
        # one directly means a file backend anywhere in the chain never receives a secret.
        return secure[0]

    def _give_up(self, exc: Exception) -> None:
        log.warning("keyring call failed, keeping secrets in memory: %s", type(exc).__name__)
        self._backend = None
        self._reason = _failure_reason(exc)


def _failure_reason(exc: Exception) -> str:
    try:
        from keyring.errors import KeyringLocked, NoKeyringError
    except ImportError:  # keyring itself is missing or broken
        return NO_KEYRING_REASON
    if isinstance(exc, NoKeyringError | KeyringLocked):
        return NO_KEYRING_REASON
    return f"The system keyring could not be used ({type(exc).__name__}): {_FOR_THIS_RUN}"
