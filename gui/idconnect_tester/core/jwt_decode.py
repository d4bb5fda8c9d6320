"""Reading a JWT without trusting it: split, base64url-decode, JSON-parse — with a sentence for
every way it can be malformed. Verification lives in `id_token_checks`."""

from __future__ import annotations

import base64
import json
import math
import re
import urllib.parse
from codecs import getincrementaldecoder
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from idconnect_tester.core.visible_text import visible_json
from idconnect_tester.core.wording import counted

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
    # A JWT in shape (eyJ…, base64url throughout) whose header or payload is no JSON text: what
    # one altered character makes of a token, so it is a damaged token, not some other text.
    damaged: bool = False


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


class _Unreadable(ValueError):
    """Bytes that are no JSON text at all (not UTF-8, or not JSON syntax). `fact` says which,
    `detail` where the parser stopped: kept apart so a message can put the detail last."""

    def __init__(self, fact: str, detail: str) -> None:
        super().__init__(f"{fact} ({detail})")
        self.fact, self.detail = fact, detail


def _parser_detail(exc: json.JSONDecodeError) -> str:
    """`invalid control character at character 173`: the parser's words, short, counted from
    1. Its `line 1 column 173 (char 172)` says one place three ways, and the payload is one
    line of JSON nobody sees as text."""
    words = exc.msg.removesuffix(" at")  # "Invalid control character at": the place follows
    return f"{words[:1].lower()}{words[1:]} at character {exc.pos + 1:,}"


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 7515 §5.2 and RFC 7519 §4 let a parser reject duplicate member names: a token that
    # says two things about one name means whatever the reader picks, so it means nothing.
    per_name = Counter(name for name, _ in pairs)
    if len(per_name) != len(pairs):
        twice = sorted(name for name, count in per_name.items() if count > 1)
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
        detail = f"{exc.reason} at byte {exc.start + 1:,}"
        raise _Unreadable(f"The {what} is not UTF-8 text", detail) from exc
    except _Refused as exc:
        raise ValueError(f"The {what} {exc}") from exc
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"The {what} is not JSON", _parser_detail(exc)) from exc
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


_JSON_OBJECT_B64 = "eyJ"  # `{"` in base64url: the start of every JWT header
_COMPACT_JOSE: Final = re.compile(rb"eyJ[\w-]*(\.[\w-]*){2}(\.[\w-]*){0,2}")


def _nested(header: dict[str, Any], payload: bytes) -> bool:
    """Whether the header announces a nested JWT (`cty: JWT`, any case, or its media type)
    and the payload is one: a JWS or JWE in compact form, not claims."""
    cty = header.get("cty")
    announced = isinstance(cty, str) and cty.lower() in ("jwt", "application/jwt")
    return announced and _COMPACT_JOSE.fullmatch(payload.strip()) is not None


_PASTED_PREFIX = re.compile(r"^(?:authorization\s*:\s*)?bearer\s+", re.IGNORECASE)
# `https://…`, `myapp://cb`, `com.example.app:/cb` (RFC 8252 §7.1): a scheme, a colon and a
# slash. No JWT has a colon, so nothing that is one is taken for a URL.
_URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")
# The parameter people paste a redirect for: the id_token (OIDC Core §3.2.2.5, §3.3.2.5). An
# access_token may be opaque and is checked against other rules (RFC 9068): it is named in the
# URL message, never taken and judged as an id_token.
_TOKEN_PARAMETER: Final = "id_token"


@dataclass(frozen=True)
class _UrlParts:
    is_url: bool
    places: tuple[tuple[str, dict[str, list[str]]], ...]  # ("fragment", {name: values}), …


def _parameters(component: str) -> dict[str, list[str]]:
    """`a=1&b=2` as names and values. Not `parse_qs`: it reads `+` as a space, and a `+` in a
    token must stay there to fail the base64url check, not vanish into another token."""
    found: dict[str, list[str]] = {}
    for pair in component.split("&"):
        name, equals, value = pair.partition("=")
        if equals and value:
            found.setdefault(urllib.parse.unquote(name), []).append(urllib.parse.unquote(value))
    return found


def _url_parts(text: str) -> _UrlParts:
    """Where a pasted URL (or a bare `id_token=…&state=…`) keeps its parameters: the fragment
    first, where the implicit and hybrid flows return tokens (OAuth 2.0 Multiple Response Types
    §5), then the query (`response_mode=query`, or a URL someone built by hand)."""
    is_url = bool(_URL_START.match(text))
    if not is_url and f"{_TOKEN_PARAMETER}=" not in text:
        return _UrlParts(False, ())
    # Split by hand: urlsplit raises on a host like `[abc`, and a paste must never raise.
    before_fragment, _, fragment = text.partition("#")
    _, _, query = before_fragment.partition("?")
    components = [("fragment", fragment), ("query", query)]
    if not is_url and "#" not in text and "?" not in text:
        components.append(("parameters", text))  # `id_token=…&state=…` on its own
    places = tuple((where, _parameters(part)) for where, part in components if part)
    return _UrlParts(is_url, places)


def _token_in_url(text: str) -> tuple[str, str, dict[str, list[str]]] | None:
    """The one id_token a URL (or its parameters) carries, where, and the parameters of that
    place; None when it has none or several different ones (which to check is then the
    person's choice, not ours)."""
    found = [
        (value, where, parameters)
        for where, parameters in _url_parts(text).places
        for value in parameters.get(_TOKEN_PARAMETER, [])
    ]
    if len({value for value, _, _ in found}) != 1:
        return None
    return found[0]  # the fragment's, if both say the same: a hybrid-flow redirect's place


_TAKEN_FROM: Final = {
    "fragment": "the rest of the URL: the token is its fragment's id_token (#id_token=…)",
    "query": "the rest of the URL: the token is its query's id_token (?id_token=…)",
    "parameters": "the other parameters: the token is the id_token=… value",
}


# What str.splitlines ends a line at; "\r\n" is one line break, as a person sees it.
_LINE_BREAK: Final = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_WHITESPACE: Final = re.compile(r"\s+")


def _whitespace_left_out(text: str, where: str) -> str | None:
    """`3 line breaks and 1 space inside the token`: the whitespace inside `text`, counted as
    a person would see it, or None when there is none."""
    breaks = tabs = spaces = 0
    for run in _WHITESPACE.findall(text):
        breaks += len(_LINE_BREAK.findall(run))
        rest = _LINE_BREAK.sub("", run)
        tabs += rest.count("\t")
        spaces += len(rest) - rest.count("\t")
    kinds = [
        counted(count, noun)
        for count, noun in ((breaks, "line break"), (tabs, "tab"), (spaces, "space"))
        if count
    ]
    if not kinds:
        return None
    listed = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"
    return f"{listed} inside {where}"


def _unwrapped(text: str) -> tuple[str, list[str]]:
    """What a person pasted without what wrapped it — the quotes of a JSON value, an
    `Authorization: Bearer` prefix — and what came off, in words."""
    token = text.strip()
    left_out = []
    # Quotes around the prefix and the token ("Bearer eyJ…", a JSON string), or around the
    # token alone (Bearer "eyJ…"): each wrapper comes off, whichever is outside.
    for _ in range(2):
        if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
            token = token[1:-1].strip()
            if "the quotes around it" not in left_out:
                left_out.append("the quotes around it")
        without_prefix = _PASTED_PREFIX.sub("", token, count=1)
        if without_prefix != token:
            prefix = token[: len(token) - len(without_prefix)].strip()
            left_out.append(f"the {prefix!r} prefix")
            token = without_prefix
    return token, left_out


def token_from_paste(text: str) -> tuple[str, str]:
    """The compact JWT in what a person pasted, and a note on what was left out ("" if
    nothing): line breaks and spaces inside it from copying (those around it go unsaid), an
    `Authorization: Bearer` prefix from a request, quotes from a JSON value, the rest of a
    redirect URL that carries an id_token. A URL without one is returned as it is:
    `url_not_a_jwt` says what it is."""
    token, left_out = _unwrapped(text)
    inside = token
    token = "".join(token.split())
    found = _token_in_url(token)
    whitespace = _whitespace_left_out(inside, "the URL" if found is not None else "the token")
    if found is not None:
        token = found[0]
    # Said even though taking it out is right: something on the way wrapped the token, and may
    # have changed more than its layout. Only of a token (eyJ…): of words that are none, the
    # verdict says what they are.
    if whitespace is not None and token.startswith(_JSON_OBJECT_B64):
        left_out.append(whitespace)
    if found is not None:
        left_out.append(_TAKEN_FROM[found[1]])
    return token, ("Left out " + " and ".join(left_out) + ".") if left_out else ""


def authorization_response(text: str) -> dict[str, str] | None:
    """The parameters beside the id_token in a pasted redirect URL — its code, access_token,
    state … (the first value of each) — or None when the text is no URL, or parameters, that
    carry one. An id_token in a redirect came from the authorization endpoint (the implicit or
    hybrid flow), which binds it to the code and access token beside it (OIDC Core §3.2.2.9,
    §3.3.2.10)."""
    token, _ = _unwrapped(text)
    found = _token_in_url("".join(token.split()))
    if found is None:
        return None
    return {name: values[0] for name, values in found[2].items()}


def url_not_a_jwt(text: str) -> str | None:
    """What to say when the pasted text is a URL that carries no id_token (a URL's dots are no
    JWT's: its parts must not be counted as a token's), or None when it is no URL."""
    parts = _url_parts(text)
    if not parts.is_url:
        return None
    found: dict[str, list[str]] = {}
    for _, parameters in parts.places:
        for name, values in parameters.items():
            found.setdefault(name, values)
    tokens = {value for _, p in parts.places for value in p.get(_TOKEN_PARAMETER, [])}
    if len(tokens) > 1:
        return (
            f"This text is a URL, not a JWT, and it carries {len(tokens)} different "
            "id_token values: paste the one to check on its own"
        )
    if "error" in found:
        # A failed redirect: its own words are what the person needs (RFC 6749 §4.1.2.1).
        said = " – ".join(
            # A form-encoded query spells a space `+`: these are words, not a token.
            found[name][0].replace("+", " ")
            for name in ("error", "error_description")
            if name in found
        )
        hint = f"it is an error response ({said[:200]}), which carries no token"
    elif "access_token" in found:
        hint = (
            "it carries an access_token but no id_token (to decode the access_token, paste "
            "its value on its own: it is a JWT only if it has two dots)"
        )
    elif "code" in found:
        hint = (
            "it carries an authorization code, not a token (the id_token comes in the token "
            "response when the code is exchanged)"
        )
    else:
        hint = "it carries no id_token"
    return (
        f"This text is a URL, not a JWT: {hint}. Paste the token itself (eyJ…), or a redirect "
        "URL that carries one (…#id_token=eyJ… or …?id_token=eyJ…)"
    )


def _is_jwe_header(part: str) -> bool:
    """Whether a 5-part token's first part is a JWE's protected header: a JSON object naming
    its content encryption (`enc`), which a JWE's header MUST (RFC 7516 §4.1.2). Five parts
    alone are no JWE: a JWS with two more parts glued on has as many."""
    try:
        header = _json_object(_b64url_decode(part), "header")
    except ValueError:
        return False
    return isinstance(header.get("enc"), str)


def decode_jwt(token: str) -> DecodedJwt | JwtDecodeError:
    """Decode a compact JWS. Never raises: a malformed token gives a `JwtDecodeError`."""
    token = token.strip()
    if not token:
        return JwtDecodeError("The token is empty")
    parts = token.split(".")
    if len(parts) == 5:
        if _is_jwe_header(parts[0]):
            return JwtDecodeError(
                "This is an encrypted JWT (JWE, 5 parts): it can't be decrypted here",
                encrypted=True,
            )
        return JwtDecodeError(
            "A JWT has 3 parts separated by dots; this has 5, and its first part is no "
            'encrypted JWT\'s header (one names its encryption, "enc": RFC 7516 §4.1.2)'
        )
    if len(parts) == 1 and token.startswith(_JSON_OBJECT_B64) and _BASE64URL.fullmatch(token):
        # `eyJ` is `{"` in base64url: how every JWT begins. With no dot, the cut came early.
        return JwtDecodeError(
            "It looks like the start of a JWT, cut off inside its header (it begins eyJ…, as "
            "a JWT's header does, with none of the dots that end the header and the claims)"
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
            return JwtDecodeError(_not_a_jwt(header_b64, f"The {name} part {exc}"))
    try:
        signature = _b64url_decode(signature_b64) if signature_b64 else b""
    except ValueError as exc:
        return JwtDecodeError(f"The signature part {exc}")
    try:
        header = _json_object(decoded[0], "header")
        if _nested(header, decoded[1]):
            return JwtDecodeError(
                f"A nested JWT (cty {header['cty']!r}, RFC 7519 §5.2): its payload is another "
                "JWT, not claims — no id_token is one (an id_token's payload is its claims, "
                "OIDC Core §2)"
            )
        claims = _json_object(decoded[1], "payload")
    except _Unreadable as exc:
        if not token.startswith(_JSON_OBJECT_B64):
            return JwtDecodeError(_not_a_jwt(header_b64, str(exc)))  # base64url by chance
        return JwtDecodeError(
            f"{exc.fact} — the token was probably altered or damaged ({exc.detail})",
            damaged=True,
        )
    except ValueError as exc:
        return JwtDecodeError(str(exc))
    return DecodedJwt(
        header=header,
        claims=claims,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
    )


def _not_a_jwt(header_b64: str, problem: str) -> str:
    """`problem`, led by what it means when the text can't even begin as a JWT does: a header
    is a JSON object, and base64url of `{` starts with e. Without it, "not.a.jwt" read only as
    "The header part is not canonical base64url (its last character has stray bits)"."""
    if header_b64.startswith("e"):
        return problem
    return f"Not a JWT: a JWT begins eyJ… (its header, a JSON object in base64url). {problem}"


def readable_despite_signature(token: str) -> tuple[DecodedJwt, str] | None:
    """A JWT whose header and claims decode while its signature part does not (a character
    outside base64url, say), and why not: its header and claims can be shown — as jwt.io
    shows them — though nothing can verify them. None for any other text."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    whole = decode_jwt(token)
    if not isinstance(whole, JwtDecodeError):
        return None
    readable = decode_jwt(f"{parts[0]}.{parts[1]}.")
    if isinstance(readable, JwtDecodeError):
        return None
    return readable, whole.message


# How many octets a signature has (RFC 7518 §3.2 and §3.4, RFC 8037 §3.1), at the least: an
# RSA signature is as long as its key's modulus, which must be 2048 bits or more (RFC 7518
# §3.3, §3.5); EdDSA's is 64 (Ed25519) or 114 (Ed448). A shorter one can't be a signature.
_LEAST_SIGNATURE_OCTETS: Final = {
    "HS256": 32,
    "HS384": 48,
    "HS512": 64,
    "ES256": 64,
    "ES256K": 64,
    "ES384": 96,
    "ES512": 132,
    "EdDSA": 64,
    "Ed25519": 64,
    "Ed448": 114,
    **{f"{family}{bits}": 256 for family in ("RS", "PS") for bits in (256, 384, 512)},
}
_EXACT_SIZE_PREFIXES: Final = ("HS", "ES")  # RSA's and EdDSA's size depend on the key
_RSA_PREFIXES: Final = ("RS", "PS")
# What may follow where a JSON text was cut: part of a literal or of a number.
_LITERAL_PREFIX = re.compile(r"t(?:r(?:ue?)?)?|f(?:a(?:l(?:se?)?)?)?|n(?:u(?:ll?)?)?")
# CPython calls even a whole `\u001f` an invalid escape when the text ends right after it.
_ESCAPE_PREFIX = re.compile(r"u[0-9A-Fa-f]{0,4}")
_NUMBER_PREFIX = re.compile(r"-?[0-9]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]*)?")


@dataclass(frozen=True)
class CutOffJwt:
    """A JWT whose pasted text looks cut short: the header decodes, and the text stops where a
    whole token would go on. Never to be trusted — there is no whole signature — but its header
    (and claims, when the cut comes after them) can be shown, as jwt.io does."""

    why: str  # a sentence: where the text seems to stop and what that leaves out
    header: dict[str, Any]
    claims: dict[str, Any] | None  # None when the cut is inside the claims
    claims_so_far: str = ""  # the claims' JSON text up to the cut, when it is inside them

    @property
    def in_claims(self) -> bool:
        return self.claims is None


def _json_stops_short(text: str) -> bool:
    """Whether `text` is the start of a JSON object, cut before its end: valid as far as it
    goes, with the parser running out of text rather than meeting a wrong character."""
    if not text.strip():
        return True  # one base64url character holds less than a byte: nothing yet, or a cut
    if not text.lstrip().startswith("{"):
        return False
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Unterminated string"):
            return True  # a string that runs to the end: everything before it was valid
        rest = text[exc.pos :]
        if exc.msg.startswith("Invalid \\uXXXX escape"):
            return bool(_ESCAPE_PREFIX.fullmatch(rest))  # `\u00` at the very end
        return bool(
            not rest.strip() or _LITERAL_PREFIX.fullmatch(rest) or _NUMBER_PREFIX.fullmatch(rest)
        )
    except RecursionError:
        return False
    return False  # a whole object: whatever is wrong, it isn't a cut


def _claims_so_far(payload_b64: str) -> str | None:
    """The payload's JSON text up to where a cut payload part stops, or None unless the part
    reads as the start of a JSON object that stops short. The last base64url character may
    hold only some bits of a byte, and the last bytes only part of a UTF-8 character: those are
    what a cut leaves, so they are dropped rather than refused."""
    if not _BASE64URL.fullmatch(payload_b64):
        return None
    whole = payload_b64[: len(payload_b64) - (len(payload_b64) % 4 == 1)]
    raw = base64.urlsafe_b64decode(whole + "=" * (-len(whole) % 4))  # stray bits are ignored
    try:
        text = getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        return None
    return text if _json_stops_short(text) else None


def cut_off_jwt(token: str) -> CutOffJwt | None:
    """A JWT that looks cut off — `header.payload` with no signature part, a signature shorter
    than its algorithm's can be, or a payload part that stops mid-JSON — or None when the text
    doesn't look like one. Only said when the text ends where a token would go on: a token
    damaged in the middle, or one character too long, is judged by `decode_jwt` as it is."""
    parts = token.split(".")
    if len(parts) not in (2, 3):
        return None
    header_b64, payload_b64 = parts[0], parts[1]
    readable = decode_jwt(f"{header_b64}.{payload_b64}.")
    if len(parts) == 3:
        signature_b64 = parts[2]
        if isinstance(readable, JwtDecodeError) or not _BASE64URL.fullmatch(signature_b64):
            return None
        alg = readable.header.get("alg")
        least = _LEAST_SIGNATURE_OCTETS.get(alg) if isinstance(alg, str) else None
        octets = len(signature_b64) * 6 // 8  # whole octets its characters hold, cut or not
        if least is None or octets >= least:
            return None
        if str(alg).startswith(_RSA_PREFIXES) and octets >= 128 and octets % 64 == 0:
            # As long as a whole modulus of a smaller key (1024 or 1536 bits): maybe whole, and
            # then the key's checks say the key is too small — not "paste the rest".
            return None
        exactly = "exactly" if str(alg).startswith(_EXACT_SIZE_PREFIXES) else "at least"
        if not signature_b64:
            why = (
                f"The signature part is empty, where an {alg} signature has {exactly} {least} "
                "octets: the text looks cut off after the claims (or its signature was removed)"
            )
        else:
            why = (
                f"The signature is cut short: its {len(signature_b64)} characters hold "
                f"{octets} octets, and an {alg} signature has {exactly} {least}. The text "
                "looks cut off inside the signature"
            )
        return CutOffJwt(why, readable.header, readable.claims)
    if not isinstance(readable, JwtDecodeError):
        return CutOffJwt(
            "The signature part is missing (a JWT is header.payload.signature, this text "
            "has 2 parts): it looks cut off after the claims",
            readable.header,
            readable.claims,
        )
    try:
        header = _json_object(_b64url_decode(header_b64), "header")
    except ValueError:
        return None
    if "alg" not in header:  # every JWS header names its algorithm (RFC 7515 §4.1.1)
        return None
    so_far = _claims_so_far(payload_b64) if payload_b64 else ""
    if so_far is None:
        return None
    where = "inside the claims: the payload part stops before its JSON ends"
    if not payload_b64:
        where = "after the header: the payload part is empty"
    return CutOffJwt(
        f"The text looks cut off {where}, and there is no signature part", header, None, so_far
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


# A member of the claims object itself, as json.dumps(indent=2) writes it: `  "exp": 1764…,`.
_TOP_LEVEL_MEMBER: Final = re.compile(r'^  "([^"\\]+)": ')


def claims_text(claims: dict[str, Any]) -> str:
    """The claims as indented JSON, each value as the token has it (a number stays a number,
    as the token and jwt.io show it), with each time claim's readable time after its line:
    `"exp": 1764158400,  // 2025-11-26 12:00:00 UTC (13:00:00 local)`. Hidden characters are
    escapes (`visible_json`)."""
    lines = visible_json(claims).split("\n")
    for index, line in enumerate(lines):
        member = _TOP_LEVEL_MEMBER.match(line)
        if member is None or member[1] not in TIME_CLAIMS:
            continue
        moment = numeric_date(claims.get(member[1]))
        if moment is not None:
            lines[index] = f"{line}  // {describe_time(moment)}"
    return "\n".join(lines)


def sign_in_claims(sign_in_id_token: str | None) -> dict[str, Any] | None:
    """What a refreshed id_token is compared with (OIDC Core §12.2): its sign-in's claims
    (empty when that one could not be read); None when there was no sign-in's id_token, and
    the token is checked as a sign-in's own."""
    if sign_in_id_token is None:
        return None
    decoded = decode_jwt(sign_in_id_token)
    return decoded.claims if isinstance(decoded, DecodedJwt) else {}
