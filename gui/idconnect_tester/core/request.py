"""The token and share-token requests: validated models that build the vendor's exact JSON body."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from idconnect_tester import vendor
from idconnect_tester.core.pkce import verifier_problem

# What a person may paste into Code by mistake: an id_token or access token (a JWT), or one of
# Sumsub's own tokens (access, refresh, share). Sent as a code, a live token leaves the app.
_TOKEN_SHAPE: Final = re.compile(r"eyJ[\w-]*\.[\w-]*\.|snd-id-con-|_act-")
NOT_A_CODE: Final = "A token, not an authorization code: paste the redirect URL or its code"


def looks_like_a_token(text: str) -> bool:
    return _TOKEN_SHAPE.match(text.strip()) is not None


# What str.splitlines() breaks a line at: a pasted token's line break is one of these.
_LINE_BREAKS: Final = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def dropped_space_note(text: str) -> str | None:
    """What `TokenRequest.from_form` leaves out of a field: the space, tab or line break a
    paste brought around a token. Said, so a test of what the server makes of it knows that
    it was never sent; None when nothing is left out (or nothing is left)."""
    if not text.strip() or text.strip() == text:
        return None
    before = text[: len(text) - len(text.lstrip())]
    after = text[len(text.rstrip()) :]
    dropped = (before + after).replace("\r\n", "\n")  # one line break in two characters
    breaks = sum(c in _LINE_BREAKS for c in dropped)
    tabs = dropped.count("\t")
    kinds = [
        name if count == 1 else f"{name}s"
        for name, count in (
            ("line break", breaks),
            ("tab", tabs),
            ("space", len(dropped) - breaks - tabs),
        )
        if count
    ]
    where = "around" if before and after else ("before" if before else "after")
    listed = f"{', '.join(kinds[:-1])} and {kinds[-1]}" if len(kinds) > 1 else kinds[0]
    return f"Sent without the {listed} {where} it"


MAX_FIELD_LENGTH: Final = 16_384  # far beyond any real token; catches a pasted file
LONG_CODE: Final = 1_024  # a code is a few dozen characters; a warning (a test may mean it)
SHARE_MAX_TTL_S: Final = 86_400


class Severity(StrEnum):
    ERROR = "error"  # the request would certainly fail: Send stays off
    WARNING = "warning"  # unusual but sendable (the vendor's own example has a 6-char verifier)


@dataclass(frozen=True)
class FieldIssue:
    field: str  # the form field it belongs to: "grant_type", "code", "code_verifier", ...
    severity: Severity
    message: str

    @property
    def blocks(self) -> bool:
        """An error: the request would certainly fail, so it is not sent."""
        return self.severity is Severity.ERROR


def blocking(issues: Iterable[FieldIssue]) -> list[FieldIssue]:
    return [i for i in issues if i.blocks]


def ordered_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Known scopes in the vendor's order, then unknown ones alphabetically (so nothing is lost)."""
    wanted = set(scopes)
    known = tuple(s for s in vendor.SCOPES if s in wanted)
    return known + tuple(sorted(wanted - set(vendor.SCOPES)))


def _in(label: str) -> str:
    """ "The code" → "in the code": a note under a field says what it found first (it is one
    line, and the rest may be cut)."""
    return f"in {label[0].lower()}{label[1:]}"


def _not_ascii(name: str, label: str, value: str) -> list[FieldIssue]:
    """Sumsub's codes and tokens are ASCII (base64url and a prefix): other letters mean a
    mangled paste. A warning: what the server does with it may be what is being tested."""
    other = sorted({c for c in value if not c.isascii()})
    if not other:
        return []
    named = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in other[:3])
    message = f"{named} {_in(label)}: no Sumsub token has it"
    return [FieldIssue(name, Severity.WARNING, message)]


def client_id_problem(client_id: str) -> str | None:
    """A client id with a space or line break inside (around it is a pasting artefact, dropped
    when sent) is no Sumsub client id: a profile's, or the one a share token is for. Nor is one
    with a character that can't be seen (tryout AP: a right-to-left override in forClientId
    went unsaid, the field showing the id reordered)."""
    if any(c.isspace() for c in client_id.strip()):
        return "The client id contains a space or line break"
    hidden = _hidden_characters(client_id)
    if hidden:
        return f"{hidden} in the client id: it can't be seen; check the paste"
    return None


def _hidden_characters(value: str) -> str:
    """The control and formatting characters in `value` (a bell, an escape, a right-to-left
    override that reorders what a field shows), named: "U+0007, U+202E"; "" for none."""
    hidden = sorted({c for c in value if unicodedata.category(c) in {"Cc", "Cf"}})
    return ", ".join(f"U+{ord(c):04X}" for c in hidden[:5])


def _text_problems(name: str, label: str, value: str) -> list[FieldIssue]:
    """Problems any pasted credential can have, whatever it is."""
    if len(value) > MAX_FIELD_LENGTH:
        message = f"{label} is {len(value):,} characters — too long"
        return [FieldIssue(name, Severity.ERROR, message)]
    if any(c.isspace() for c in value):
        return [
            FieldIssue(
                name,
                Severity.ERROR,
                f"{label} contains a space, tab or line break; check what was pasted",
            )
        ]
    # Control and formatting characters (a bell, an escape, a right-to-left override that
    # reorders what the field shows) can't be seen: name them, so the paste can be checked.
    named = _hidden_characters(value)
    if named:
        return [
            FieldIssue(
                name,
                Severity.ERROR,
                f"{named} {_in(label)}: it can't be seen; check the paste",
            )
        ]
    return []


@dataclass(frozen=True)
class TokenRequest:
    """One request to the token endpoint, as the user filled it in. The code, the PKCE verifier
    and the refresh token stay out of the repr (reprs end up in logs and tracebacks)."""

    grant_type: str
    code: str = field(default="", repr=False)
    code_verifier: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    scopes: tuple[str, ...] = ()

    @classmethod
    def from_form(
        cls,
        grant_type: str,
        *,
        code: str = "",
        code_verifier: str = "",
        refresh_token: str = "",
        scopes: Iterable[str] = (),
    ) -> TokenRequest:
        """Build from text fields: surrounding whitespace (a pasting artefact) is dropped."""
        return cls(
            grant_type=grant_type.strip(),
            code=code.strip(),
            code_verifier=code_verifier.strip(),
            refresh_token=refresh_token.strip(),
            scopes=ordered_scopes(s.strip() for s in scopes if s.strip()),
        )

    @property
    def scope_string(self) -> str:
        return " ".join(ordered_scopes(self.scopes))

    def validate(self) -> list[FieldIssue]:
        """Everything wrong or unusual with this request, in form order; empty when all is well."""
        issues: list[FieldIssue] = []
        if self.grant_type not in vendor.GRANT_TYPES:
            issues.append(
                FieldIssue(
                    "grant_type",
                    Severity.ERROR,
                    f"Unknown grant type {self.grant_type!r}; "
                    f"use {' or '.join(vendor.GRANT_TYPES)}",
                )
            )
            return issues
        if self.grant_type == vendor.GRANT_AUTHORIZATION_CODE:
            issues += self._authorization_code_issues()
        else:
            issues += self._refresh_issues()
        unknown = [s for s in self.scopes if s not in vendor.SCOPES]
        if unknown:
            issues.append(
                FieldIssue(
                    "scope",
                    Severity.ERROR,
                    f"Unknown scope {', '.join(unknown)}; "
                    f"Sumsub supports {' '.join(vendor.SCOPES)}",
                )
            )
        return issues

    def _authorization_code_issues(self) -> list[FieldIssue]:
        issues: list[FieldIssue] = []
        if not self.code:
            issues.append(
                FieldIssue(
                    "code",
                    Severity.ERROR,
                    "Enter the authorization code from the redirect (or press Get code)",
                )
            )
        elif looks_like_a_token(self.code):
            issues.append(FieldIssue("code", Severity.ERROR, NOT_A_CODE))
        else:
            problems = _text_problems("code", "The code", self.code) or _not_ascii(
                "code", "The code", self.code
            )
            issues += problems
            if not problems and len(self.code) > LONG_CODE:
                message = (
                    f"The code is {len(self.code):,} characters; an authorization code is a few "
                    "dozen: check what was pasted"
                )
                issues.append(FieldIssue("code", Severity.WARNING, message))
        if not self.code_verifier:
            issues.append(
                FieldIssue(
                    "code_verifier",
                    Severity.ERROR,
                    "Enter the code verifier whose challenge was sent to authorize",
                )
            )
        else:
            issues += self._verifier_issues()
        # The scope was fixed at authorize and is not sent here; the vendor documents no default
        # scope, so with no scope given nothing can be said about a refresh token — but the
        # next Get code sends these boxes, and an authorize request without one is refused.
        if not self.scopes:
            issues.append(
                FieldIssue(
                    "scope",
                    Severity.WARNING,
                    "Tick a scope (openid for an id_token): with none, Get code is refused "
                    "(invalid_scope)",
                )
            )
        elif "offline_access" not in self.scopes:
            issues.append(
                FieldIssue(
                    "scope",
                    Severity.WARNING,
                    "offline_access is not among the scopes: no refresh token will be issued",
                )
            )
        return issues

    def _refresh_issues(self) -> list[FieldIssue]:
        issues: list[FieldIssue] = []
        if not self.refresh_token:
            issues.append(
                FieldIssue(
                    "refresh_token",
                    Severity.ERROR,
                    "Enter the refresh token (issued by an authorization_code exchange "
                    "with offline_access)",
                )
            )
        else:
            problems = _text_problems("refresh_token", "The refresh token", self.refresh_token)
            issues += problems or _not_ascii(
                "refresh_token", "The refresh token", self.refresh_token
            )
            if not problems and not self.refresh_token.startswith(vendor.REFRESH_TOKEN_PREFIX):
                issues.append(
                    FieldIssue(
                        "refresh_token",
                        Severity.WARNING,
                        f"Sumsub refresh tokens start with {vendor.REFRESH_TOKEN_PREFIX}…; "
                        "is this an access token?",
                    )
                )
        if self.code_verifier:
            issues += self._verifier_issues()
        return issues

    def _verifier_issues(self) -> list[FieldIssue]:
        basic = _text_problems("code_verifier", "The code verifier", self.code_verifier)
        if basic:
            return basic
        if not self.code_verifier.isascii():
            return [
                FieldIssue(
                    "code_verifier",
                    Severity.ERROR,
                    "The code verifier has non-ASCII characters; its challenge can't be computed",
                )
            ]
        problem = verifier_problem(self.code_verifier)
        if problem is None:
            return []
        return [
            FieldIssue(
                "code_verifier",
                Severity.WARNING,
                f"The verifier {problem} (sent anyway: the vendor's own example uses 123456)",
            )
        ]

    def sent_fields(self) -> tuple[str, ...]:
        """The form fields this grant sends (the others stay in the form, unused)."""
        if self.grant_type == vendor.GRANT_REFRESH_TOKEN:
            return ("code_verifier", "refresh_token")
        return ("code", "code_verifier")

    def body(self) -> dict[str, Any]:
        """The JSON body in the reference page's key order (grant_type first, camelCase
        codeVerifier). authorization_code carries no scope: the scope was fixed at authorize."""
        if self.grant_type == vendor.GRANT_REFRESH_TOKEN:
            body: dict[str, Any] = {vendor.FIELD_GRANT_TYPE: self.grant_type}
            if self.code_verifier:
                body[vendor.FIELD_CODE_VERIFIER] = self.code_verifier
            body[vendor.FIELD_REFRESH_TOKEN] = self.refresh_token
            if self.scopes:
                body[vendor.FIELD_SCOPE] = self.scope_string
            return body
        return {
            vendor.FIELD_GRANT_TYPE: self.grant_type,
            vendor.FIELD_CODE: self.code,
            vendor.FIELD_CODE_VERIFIER: self.code_verifier,
        }

    def body_bytes(self) -> bytes:
        return encode_json_body(self.body())

    def why_no_id_token(self) -> str:
        """Said of an answer to this request that has no id_token. Sumsub returns one when
        the request's scope includes openid; a code exchange sends no scope (it was fixed at
        authorize), a refresh sends the ticked ones."""
        if self.grant_type != vendor.GRANT_REFRESH_TOKEN:
            return "No id_token (one comes when openid was among the scopes Get code asked for)"
        if not self.scopes:
            return "No id_token: this refresh sent no scope (Sumsub returns one for openid)"
        if "openid" not in self.scopes:
            return "No id_token: this refresh's scope has no openid"
        return "No id_token, though this refresh's scope has openid: Sumsub documents one then"


@dataclass(frozen=True)
class ShareTokenRequest:
    """The next step after the token: a share token for another client."""

    access_token: str = field(repr=False)
    for_client_id: str
    ttl_s: int = vendor.SHARE_DEFAULT_TTL_S

    def validate(self) -> list[FieldIssue]:
        issues: list[FieldIssue] = []
        if not self.access_token.strip():
            issues.append(
                FieldIssue(
                    "access_token",
                    Severity.ERROR,
                    "Get an access token first (with the share scope)",
                )
            )
        else:
            issues += _text_problems("access_token", "The access token", self.access_token)
        if not self.for_client_id.strip():
            issues.append(
                FieldIssue(
                    "for_client_id",
                    Severity.ERROR,
                    "Enter the client id the share token is for (forClientId)",
                )
            )
        elif (problem := client_id_problem(self.for_client_id)) is not None:
            issues.append(FieldIssue("for_client_id", Severity.ERROR, problem))
        if isinstance(self.ttl_s, bool) or not 1 <= self.ttl_s <= SHARE_MAX_TTL_S:
            issues.append(
                FieldIssue(
                    "ttl",
                    Severity.ERROR,
                    f"ttlInSecs must be a whole number from 1 to {SHARE_MAX_TTL_S}",
                )
            )
        return issues

    def body(self) -> dict[str, Any]:
        return {
            vendor.SHARE_FIELD_CONNECT_TOKEN: self.access_token.strip(),
            vendor.SHARE_FIELD_FOR_CLIENT_ID: self.for_client_id.strip(),
            vendor.SHARE_FIELD_TTL: self.ttl_s,
        }

    def body_bytes(self) -> bytes:
        return encode_json_body(self.body())


def encode_json_body(body: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): readable JSON, ASCII-only so no encoding questions."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")
