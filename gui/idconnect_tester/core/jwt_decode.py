"""Reading a JWT without trusting it: split, base64url-decode, JSON-parse — with a sentence for
every way it can be malformed. Verification lives in `id_token_checks`."""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

# Claims that hold NumericDate values (RFC 7519 §2), shown as readable times.
TIME_CLAIMS: Final = ("iat", "exp", "nbf", "auth_time")
_MAX_TIMESTAMP: Final = 253_402_300_799  # 9999-12-31T23:59:59Z, datetime's limit
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class DecodedJwt:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes = field(repr=False)  # header.payload, the bytes the signature covers
    signature: bytes = field(repr=False)


@dataclass(frozen=True)
class JwtDecodeError:
    message: str
    encrypted: bool = False  # a JWE: well formed, perhaps, but not readable without its key


def b64url_encode(data: bytes) -> str:
    """base64url without padding, the encoding of every JWS segment (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(part: str) -> bytes:
    """Strict base64url: RFC 7515 §2 allows only the alphabet, no `=` padding, no whitespace or
    line breaks. The text must also be the canonical encoding of its bytes (unused trailing bits
    zero, RFC 4648 §3.5): otherwise two different tokens would carry the same signature."""
    if not _BASE64URL.fullmatch(part):
        bad = next((c for c in part if not _BASE64URL.fullmatch(c)), "")
        shown = {"=": "= padding", "+": "+", "/": "/"}.get(bad, repr(bad))
        raise ValueError(f"uses characters outside base64url ({shown})")
    if len(part) % 4 == 1:
        raise ValueError("is not valid base64url (its length can't be a whole number of bytes)")
    data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    if b64url_encode(data) != part:
        raise ValueError("is not canonical base64url (its last character has stray bits)")
    return data


class _Refused(ValueError):
    """Valid JSON text that a JOSE object still must not contain."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 7515 §5.2 and RFC 7519 §4 let a parser reject duplicate member names: a token that
    # says two things about one name means whatever the reader picks, so it means nothing.
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise _Refused(f"has duplicate member names ({', '.join(map(repr, twice))})")
    return dict(pairs)


def _refuse_non_json_number(word: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (RFC 8259 §6) has no such numbers.
    raise _Refused(f"has {word}, which is not a JSON number")


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_refuse_duplicates,
            parse_constant=_refuse_non_json_number,
        )
    except UnicodeDecodeError as exc:
        raise ValueError(f"The {what} is not UTF-8 text") from exc
    except _Refused as exc:
        raise ValueError(f"The {what} {exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"The {what} is not JSON ({str(exc)[:80]})") from exc
    if not isinstance(value, dict):
        raise ValueError(f"The {what} is JSON but not an object")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        # "\ud800" alone is valid JSON syntax but not text: no comparison or display can
        # treat it as a character (RFC 8259 §8.2; I-JSON, RFC 7493 §2.1, forbids it).
        raise ValueError(
            f"The {what} has a string with an unpaired UTF-16 surrogate "
            f"({exc.object[exc.start]!r}): not Unicode text"
        ) from exc
    return value


_PASTED_PREFIX = re.compile(r"^(?:authorization\s*:\s*)?bearer\s+", re.IGNORECASE)


def token_from_paste(text: str) -> tuple[str, str]:
    """The compact JWT in what a person pasted, and a note on what was left out ("" if
    nothing): line breaks from copying, an `Authorization: Bearer` prefix from a request,
    quotes from a JSON value."""
    trimmed = text.strip()
    left_out = []
    without_prefix = _PASTED_PREFIX.sub("", trimmed, count=1)
    if without_prefix != trimmed:
        left_out.append(f"the {trimmed[: len(trimmed) - len(without_prefix)].strip()!r} prefix")
    token = without_prefix
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        token = token[1:-1]
        left_out.append("the quotes around it")
    token = "".join(token.split())
    return token, ("Left out " + " and ".join(left_out) + ".") if left_out else ""


def decode_jwt(token: str) -> DecodedJwt | JwtDecodeError:
    """Decode a compact JWS. Never raises: a malformed token gives a `JwtDecodeError`."""
    token = token.strip()
    if not token:
        return JwtDecodeError("The token is empty")
    parts = token.split(".")
    if len(parts) == 5:
        return JwtDecodeError(
            "This is an encrypted JWT (JWE, 5 parts): it can't be decrypted here", encrypted=True
        )
    if len(parts) != 3:
        return JwtDecodeError(f"A JWT has 3 parts separated by dots; this has {len(parts)}")
    header_b64, payload_b64, signature_b64 = parts
    decoded: list[bytes] = []
    for name, part in (("header", header_b64), ("payload", payload_b64)):
        if not part:
            return JwtDecodeError(f"The {name} part is empty")
        try:
            decoded.append(_b64url_decode(part))
        except ValueError as exc:
            return JwtDecodeError(f"The {name} part {exc}")
    try:
        signature = _b64url_decode(signature_b64) if signature_b64 else b""
    except ValueError as exc:
        return JwtDecodeError(f"The signature part {exc}")
    try:
        header = _json_object(decoded[0], "header")
        claims = _json_object(decoded[1], "payload")
    except ValueError as exc:
        return JwtDecodeError(str(exc))
    return DecodedJwt(
        header=header,
        claims=claims,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
    )


def numeric_seconds(value: Any) -> float | None:
    """A NumericDate (RFC 7519 §2: any JSON number of seconds since 1970) as a float, or None
    when the value is not a number or too large to be one (1e400 parses as infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer with hundreds of digits
        return None
    return seconds if math.isfinite(seconds) else None


def numeric_date(value: Any) -> datetime | None:
    """A NumericDate claim as an aware UTC datetime, or None when it isn't a number or falls
    outside the calendar a datetime can show (years 1 to 9999)."""
    seconds = numeric_seconds(value)
    if seconds is None or not -_MAX_TIMESTAMP <= seconds <= _MAX_TIMESTAMP:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def describe_time(moment: datetime) -> str:
    """`2026-11-26 12:00:00 UTC (13:00:00 local)`, the form the claims view shows."""
    utc = moment.astimezone(UTC)
    try:
        local = moment.astimezone()
    except (OverflowError, ValueError):  # within hours of year 1 or 9999, where local isn't
        return f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    local_text = local.strftime("%H:%M:%S") if local.date() == utc.date() else str(local)[:19]
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC ({local_text} local)"


def describe_seconds(seconds: float) -> str:
    """A NumericDate in words: its time, or where it lies when no calendar date can show it."""
    moment = numeric_date(seconds)
    if moment is not None:
        return describe_time(moment)
    return "after the year 9999" if seconds > 0 else "before the year 1"


def annotated_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """Claims with each time claim's value followed by its readable time, for display."""
    shown: dict[str, Any] = {}
    for key, value in claims.items():
        moment = numeric_date(value) if key in TIME_CLAIMS else None
        shown[key] = f"{value}  →  {describe_time(moment)}" if moment is not None else value
    return shown
