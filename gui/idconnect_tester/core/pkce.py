"""PKCE (RFC 7636): verifier generation, the S256 challenge, and a match check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Final

from idconnect_tester.core.wording import counted

VERIFIER_MIN_LENGTH: Final = 43
VERIFIER_MAX_LENGTH: Final = 128
# RFC 7636 §4.1: unreserved characters [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"
_UNRESERVED: Final = re.compile(r"[A-Za-z0-9\-._~]*")


@dataclass(frozen=True)
class PkcePair:
    code_verifier: str = field(repr=False)  # a secret until the code is redeemed
    code_challenge: str
    method: str = "S256"

    def as_dict(self) -> dict[str, str]:
        return {
            "code_verifier": self.code_verifier,
            "code_challenge": self.code_challenge,
            "method": self.method,
        }


def generate_verifier(length: int = 64) -> str:
    """A verifier of `length` unreserved characters from the OS's secure random source."""
    if not VERIFIER_MIN_LENGTH <= length <= VERIFIER_MAX_LENGTH:
        raise ValueError(f"a verifier is {VERIFIER_MIN_LENGTH}–{VERIFIER_MAX_LENGTH} characters")
    # token_urlsafe gives base64url characters, a subset of the unreserved set; 3 bytes → 4 chars.
    return secrets.token_urlsafe(length)[:length]


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", errors="strict")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate_pair(length: int = 64) -> PkcePair:
    verifier = generate_verifier(length)
    return PkcePair(verifier, s256_challenge(verifier))


_LENGTHS: Final = f"{VERIFIER_MIN_LENGTH} to {VERIFIER_MAX_LENGTH} characters (§4.1)"


def verifier_problem(verifier: str) -> str | None:
    """Why `verifier` is outside RFC 7636's rules (§4.1: its length and its characters; both
    when both are wrong, so fixing one doesn't reveal the other), or None when it follows them."""
    problems: list[str] = []
    length = counted(len(verifier), "character")
    if not VERIFIER_MIN_LENGTH <= len(verifier) <= VERIFIER_MAX_LENGTH:
        problems.append(f"is {length}; RFC 7636 requires {_LENGTHS}")
    if not _UNRESERVED.fullmatch(verifier):
        bad = sorted({c for c in verifier if not _UNRESERVED.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad[:5])
        problems.append(f"contains characters RFC 7636 does not allow in a verifier: {shown}")
    if not problems:
        return None
    # A sentence each: the length's own clause ends in a number, which "and" would run into.
    return ". It also ".join(problems)


# An S256 challenge: BASE64URL(SHA256(verifier)) without padding, 43 characters (RFC 7636
# §4.2, Appendix A).
S256_CHALLENGE: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def challenge_problem(challenge: str) -> str | None:
    """Why `challenge` is no S256 challenge a server takes, or None when it is one."""
    if S256_CHALLENGE.fullmatch(challenge):
        return None
    if challenge.endswith("=") and S256_CHALLENGE.fullmatch(challenge.rstrip("=")):
        return "ends in '=' padding, which RFC 7636 leaves out (§4.2, Appendix A)"
    return "is not 43 base64url characters, as an S256 challenge is (RFC 7636 §4.2)"


def verifier_matches(verifier: str, challenge: str) -> bool:
    """True when `challenge` is the S256 challenge of `verifier` (surrounding spaces ignored)."""
    verifier, challenge = verifier.strip(), challenge.strip().rstrip("=")
    if not verifier or not challenge:
        return False
    try:
        expected = s256_challenge(verifier)
    except UnicodeEncodeError:
        return False  # a non-ASCII verifier can't have produced any challenge
    return hmac.compare_digest(expected.encode(), challenge.encode("utf-8", "replace"))
