"""The data id_token verification works on: what it compares against (`VerificationContext`), the
keys it may use, and one row of its report (`CheckResult`). The checks themselves live in
`id_token_checks` (header, key, signature) and `id_token_claims` (the claims)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

DEFAULT_LEEWAY_S: Final = 60
MAX_LEEWAY_S: Final = 3600  # an hour of clock skew is already a broken clock


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"
    # The token is acceptable but the standard advises caution (a SHOULD, not a MUST): it
    # doesn't fail the verdict, and every view shows it beside the verdict.
    WARN = "warn"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    detail: str


@dataclass(frozen=True)
class VerificationKey:
    """One public key as a JWK dict, plus where it came from (for the row's explanation)."""

    jwk: dict[str, Any]
    source: str

    @property
    def for_encryption(self) -> bool:
        """A key published for encryption (`use: enc`, RFC 7517 §4.2): it never verifies a
        signature, but a token naming its kid is told so rather than "not in the key set"."""
        return self.jwk.get("use") == "enc"


def signing_keys(keys: Iterable[VerificationKey]) -> list[VerificationKey]:
    """The keys that may verify a signature: all but those published for encryption."""
    return [key for key in keys if not key.for_encryption]


@dataclass(frozen=True)
class VerificationContext:
    """What the checks compare against. Anything left None makes its check `skipped`."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    leeway_s: int = DEFAULT_LEEWAY_S
    issuer: str | None = None
    client_id: str | None = None
    nonce: str | None = None
    keys: Sequence[VerificationKey] | None = None  # None: no key source; [] : a JWKS with none
    keys_note: str = "no JWKS or key configured"  # why keys is None, shown on skipped rows
    # When the issuer's key set in `keys` was fetched, if an earlier check fetched it (None:
    # fetched for this check, or pasted): a check with cached keys says so — the issuer may
    # have stopped publishing one since.
    keys_cached_since: datetime | None = None
    # The algorithms the issuer's discovery document names for id_tokens; None when the keys
    # came without one (pasted, a key file, a bare JWKS URL): then any algorithm on the app's
    # asymmetric allowlist that fits the key may verify. `algorithms_note` says where they came
    # from, for the algorithm row.
    allowed_algorithms: frozenset[str] | None = None
    algorithms_note: str = ""
    # The access token of the response that carried the id_token, for the at_hash check.
    access_token: str | None = field(default=None, repr=False)
    # For an id_token from a refresh: the claims of the one issued at sign-in, which it must
    # agree with (OIDC Core §12.2: the same iss, sub, aud and auth_time; a nonce only if the
    # same). None for a sign-in's own id_token; empty when that one could not be read.
    original_claims: Mapping[str, Any] | None = None
    # The checks that sign-in's id_token failed when it came (an emulator drill, a broken
    # server): a difference from it is still a failure, and says where the fault may lie.
    original_failed: tuple[str, ...] = ()
    # When the request that brought the token was sent (None for a pasted token): an id_token
    # is issued in answer to its request, so an iat well before it is a token kept and sent
    # again, or an issuer whose clock is behind this machine's.
    requested_at: datetime | None = None
    # The parameters beside the id_token when it came in an authorization response — a
    # redirect URL's fragment or query, in the implicit and hybrid flows — and None when it
    # came from the token endpoint (the code flow: every id_token of this app's own requests).
    # An id_token from the authorization endpoint MUST carry a nonce (OIDC Core §3.2.2.11,
    # §3.3.2.12), and the code and access_token beside it bind it by c_hash and at_hash,
    # which are then REQUIRED (§3.3.2.11, §3.2.2.10).
    authorization_response: Mapping[str, str] | None = field(default=None, repr=False)

    def access_token_beside(self) -> str | None:
        """The access token issued with the id_token: the authorization response's, for one
        that came in one, else the token endpoint's (`access_token`)."""
        if self.authorization_response is not None:
            return self.authorization_response.get("access_token")
        return self.access_token


def row(name: str, ok: bool, good: str, bad: str) -> CheckResult:
    return CheckResult(name, CheckStatus.PASS if ok else CheckStatus.FAIL, good if ok else bad)


def passed(name: str, why: str) -> CheckResult:
    return CheckResult(name, CheckStatus.PASS, why)


def failed(name: str, why: str) -> CheckResult:
    return CheckResult(name, CheckStatus.FAIL, why)


def skipped(name: str, why: str) -> CheckResult:
    return CheckResult(name, CheckStatus.SKIPPED, why)


def warned(name: str, why: str) -> CheckResult:
    return CheckResult(name, CheckStatus.WARN, why)


SECOND_OPINION_ROW: Final = "second-opinion"  # the row that says what PyJWT's jwt.decode thinks
