"""The `id-token` sub-command: decode an id_token and run every verification check on it.

Output: the header and claims as pretty JSON on stdout, then one line per check
(`PASS  signature  Valid RS256 signature by JWKS …`) and the verdict (`verdict: VERIFIED`).
Exit 0 only when the token is verified — a key checked the signature and every applicable check
passed; 1 when a check failed or nothing could check the signature (no key source, keys that
could not be had): a script's `id-token "$T" && deploy` must never trust an unchecked token.
`--decode-only` only decodes (0 for a well-formed JWS). 2 is a usage error. Heavy imports wait
inside `run` so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from idconnect_tester.cli_contract import EXIT_OK, EXIT_USAGE, UsageError
from idconnect_tester.core.id_token_model import MAX_LEEWAY_S
from idconnect_tester.core.visible_text import escape_hidden

if TYPE_CHECKING:
    import httpx

    from idconnect_tester.core.id_token_checks import VerificationContext, VerificationKey
    from idconnect_tester.core.jwt_decode import DecodedJwt

EXIT_FAILED: Final = 1
PROG: Final = "idconnect-tester id-token"

_STATUS_LABELS: Final = {"pass": "PASS", "fail": "FAIL", "skipped": "SKIP", "warn": "WARN"}
# Options that ask for a check; --decode-only checks nothing, so it refuses them.
_CHECK_OPTIONS: Final = (
    "issuer",
    "jwks_url",
    "jwks_file",
    "client_id",
    "nonce",
    "access_token",
)

_OPTION_TO_COMPARE: Final = {"iss": "--issuer", "aud": "--client-id"}

_EPILOG = """\
examples:
  idconnect-tester id-token "$ID_TOKEN" --issuer https://id.sumsub.com/ --client-id my-client
  idconnect-tester id-token - --issuer http://127.0.0.1:8088/ --client-id emulator-client < t.jwt
  idconnect-tester id-token "$T" --issuer "$ISSUER" --client-id my-client --jwks-url "$JWKS"
  idconnect-tester id-token "$T" --issuer "$ISSUER" --client-id my-client --jwks-file jwks.json
  idconnect-tester id-token "$T" --jwks-file key.pem --nonce "$NONCE"   (NOT VERIFIED: iss and
      aud not compared; the signature, the times and the nonce are)
  idconnect-tester id-token "$ID_TOKEN" --decode-only

--issuer is the iss the token must carry. Alone, it also finds the keys: it fetches
<issuer>/.well-known/openid-configuration, checks that it names the same issuer, then its
jwks_uri, and the algorithm must be one the document lists in
id_token_signing_alg_values_supported (RS256 when it lists none). With --jwks-url or --jwks-file
the keys come from there and there is no discovery document: any asymmetric algorithm that fits
the key is accepted. --client-id is the audience the token must be for. --access-token enables
the at_hash check.
Verdict: VERIFIED (a key checked the signature, iss and aud were compared, and every applicable
check passed), FAILED (a check failed), or NOT VERIFIED (nothing checked the signature: no key
source, or the keys could not be fetched; or iss or aud had nothing to be compared with: give
--issuer and --client-id). A WARN row that is not iss or aud doesn't change the verdict.
Exit status: 0 VERIFIED; 1 FAILED or NOT VERIFIED; with --decode-only 0 for a well-formed JWS
and 1 otherwise; 2 usage error."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `id-token` to a sub-command set (the caller dispatches to `run`)."""
    parser = subparsers.add_parser(
        "id-token",
        help="decode and verify an id_token (signature, iss, aud, exp, nonce …)",
        description="Decode an id_token and run every verification check on it: crit, typ, "
        "algorithm, kid, key, signature, iss, sub, aud, azp, exp, iat, nbf, auth_time, nonce, "
        "at_hash, and a second opinion from PyJWT. Prints the header, the claims (with readable "
        "UTC times), one line per check and the verdict.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("token", metavar="TOKEN", help='the id_token ("-" reads stdin)')
    parser.add_argument(
        "--issuer",
        metavar="URL",
        help="issuer, e.g. https://id.sumsub.com/: the iss expected (and, alone, where the "
        "keys are found, by discovery)",
    )
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument("--jwks-url", metavar="URL", help="fetch the keys from this JWKS URL")
    keys.add_argument(
        "--jwks-file",
        metavar="FILE",
        help="keys from a file: a JWKS JSON, a single JWK, or a PEM public key / certificate",
    )
    parser.add_argument("--client-id", metavar="ID", help="expected audience (enables aud check)")
    parser.add_argument("--nonce", metavar="N", help="the nonce sent to authorize")
    parser.add_argument(
        "--access-token",
        metavar="TOKEN",
        help="the access token of the same response (enables the at_hash check)",
    )
    parser.add_argument(
        "--decode-only",
        action="store_true",
        help="only decode and print the header and claims: verifies nothing",
    )
    parser.add_argument(
        "--leeway", type=int, default=60, metavar="SECONDS", help="clock leeway (default 60)"
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-bundle", metavar="PEM", help="extra trusted CA certificates")
    tls.add_argument(
        "--insecure",
        action="store_true",
        help="ignored: keys are always fetched over verified TLS (add a CA with --ca-bundle)",
    )


def _write(stream: TextIO, text: str) -> None:
    """Write a line even to a console whose encoding lacks "→" or a claim's characters."""
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def _pretty(value: dict[str, Any]) -> str:
    """Indented JSON with the characters a terminal would not show (a right-to-left override
    that draws a value reversed) as their escapes, as the window shows them."""
    return escape_hidden(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _validate(args: argparse.Namespace) -> None:
    from idconnect_tester.core.jwks import url_problem
    from idconnect_tester.core.target import ca_bundle_problem

    if not 0 <= args.leeway <= MAX_LEEWAY_S:
        raise UsageError(f"--leeway must be 0 to {MAX_LEEWAY_S} seconds")
    if args.decode_only:
        asked = [f"--{name.replace('_', '-')}" for name in _CHECK_OPTIONS if getattr(args, name)]
        if asked:
            raise UsageError(f"--decode-only verifies nothing: leave out {', '.join(asked)}")
    for option, value, what in (
        ("--issuer", args.issuer, "issuer"),
        ("--jwks-url", args.jwks_url, "JWKS URL"),
    ):
        if value is not None and (problem := url_problem(value, what)) is not None:
            raise UsageError(f"{option}: {problem}")
    if args.ca_bundle and (problem := ca_bundle_problem(args.ca_bundle)) is not None:
        raise UsageError(f"--ca-bundle: {problem}")


def _read_key_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--jwks-file: cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"--jwks-file: {path} is not UTF-8 text ({exc.reason})") from exc


def _http_client(args: argparse.Namespace, url: str) -> httpx.AsyncClient:
    # Keys are always fetched with TLS verified (OS trust store + --ca-bundle): see
    # key_fetching_client. --insecure can't switch that off.
    from idconnect_tester.core.client import key_fetching_client
    from idconnect_tester.core.target import Target

    return key_fetching_client(Target(base_url=url, app_token="", ca_bundle=args.ca_bundle))


async def _context(
    args: argparse.Namespace, token: str, keys: list[VerificationKey] | None, keys_note: str | None
) -> VerificationContext:
    from idconnect_tester.core.jwks import build_context

    common: dict[str, Any] = {
        "token": token,
        "client_id": args.client_id,
        "nonce": args.nonce,
        "access_token": args.access_token,
        "leeway_s": args.leeway,
    }
    if keys is not None or keys_note is not None:
        return await build_context(
            None, issuer=args.issuer, keys=keys, keys_note=keys_note, **common
        )
    if args.issuer is None and args.jwks_url is None:
        return await build_context(None, **common)
    http = _http_client(args, args.jwks_url or args.issuer)
    try:
        return await build_context(http, issuer=args.issuer, jwks_url=args.jwks_url, **common)
    finally:
        await http.aclose()


def _print_decoded(stdout: TextIO, decoded: DecodedJwt) -> None:
    from idconnect_tester.core.jwt_decode import claims_text

    _write(stdout, "header:")
    _write(stdout, _pretty(decoded.header))
    _write(stdout, "claims:")
    _write(stdout, claims_text(decoded.claims))


def _decode_only(token: str, stdout: TextIO, stderr: TextIO) -> int:
    """Print what the token says; 0 for a well-formed JWS (it must name its `alg`, RFC 7515
    §4.1.1), 1 otherwise. Says plainly that nothing was verified."""
    from idconnect_tester.core.jwt_decode import DecodedJwt, decode_jwt

    decoded = decode_jwt(token)
    if not isinstance(decoded, DecodedJwt):
        _write(stderr, f"error: the token could not be read: {decoded.message}")
        return EXIT_FAILED
    _print_decoded(stdout, decoded)
    if not isinstance(decoded.header.get("alg"), str):
        _write(stderr, "error: not a JWS: the header has no alg")
        return EXIT_FAILED
    _write(stderr, "decoded only: nothing was verified")
    return EXIT_OK


def run(
    args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO | None = None
) -> int:
    """Verify `args.token` and print the report. Returns the exit status."""
    import asyncio

    from idconnect_tester.core.id_token_checks import CheckStatus, Verdict, verify_id_token
    from idconnect_tester.core.jwks import KeyFetchError, keys_from_text
    from idconnect_tester.core.jwt_decode import DecodedJwt, cut_off_jwt

    try:
        _validate(args)
        token = args.token
        if token == "-":
            token = (stdin or sys.stdin).read()
        token = token.strip()
        if not token:
            # Nothing to check is a call gone wrong (an unset variable, an empty pipe), not a
            # token that failed: a script tells the two apart by the exit status (tryout AO).
            where = "standard input was empty" if args.token == "-" else "the TOKEN given is empty"
            raise UsageError(f"no token to check: {where}")
        keys: list[VerificationKey] | None = None
        keys_note: str | None = None
        if args.jwks_file is not None:
            text = _read_key_file(args.jwks_file)
            try:
                keys = keys_from_text(text, f"key file {args.jwks_file}")
            except KeyFetchError as exc:
                keys_note = f"The key file could not be used: {exc}"
    except UsageError as exc:
        _write(stderr, f"{PROG}: error: {exc}")
        return EXIT_USAGE

    if args.decode_only:
        return _decode_only(token, stdout, stderr)
    if args.insecure:
        _write(stderr, "warning: --insecure is ignored: keys are always fetched over verified TLS")
    context = asyncio.run(_context(args, token, keys, keys_note))
    verification = verify_id_token(token, context)

    if isinstance(verification.decoded, DecodedJwt):
        _print_decoded(stdout, verification.decoded)
    _write(stdout, "checks:")
    width = max(len(row.name) for row in verification.checks)
    unproven = verification.unproven  # passed, on claims no verified signature vouches for
    labels = [
        "UNVERIFIED"
        if row.name in unproven
        else _STATUS_LABELS.get(row.status.value, row.status.value.upper())
        for row in verification.checks
    ]
    label_width = max(len(label) for label in labels)
    for label, row in zip(labels, verification.checks, strict=True):
        _write(stdout, f"{label:<{label_width}}  {row.name:<{width}}  {row.detail}")
    verdict = verification.verdict
    _write(stdout, f"verdict: {verdict.label}")

    if not isinstance(verification.decoded, DecodedJwt):
        _write(stderr, f"error: the token could not be read: {verification.decoded.message}")
    elif verdict is Verdict.FAILED:
        _write(stderr, f"FAILED: {', '.join(verification.failed)}")
    cut = cut_off_jwt(token) if verdict is not Verdict.VERIFIED else None
    if cut is not None:
        # Why, in the words the JWT workbench uses: the copy lost its end. "Not canonical
        # base64url" alone sends people looking for a bug in the signer.
        _write(stderr, f"CUT OFF: {cut.why}")
    signature = verification.row("signature")
    if signature is not None and signature.status is CheckStatus.SKIPPED:
        source = (
            ""
            if (args.issuer or args.jwks_url or args.jwks_file)
            else (" (give --issuer, --jwks-url or --jwks-file)")
        )
        _write(stderr, f"NOT VERIFIED: {context.keys_note}{source}")
    elif verdict is Verdict.NOT_VERIFIED:
        give = " and ".join(_OPTION_TO_COMPARE[name] for name in verification.not_compared)
        _write(stderr, f"NOT VERIFIED: {verification.not_verified_because} (give {give})")
    nonce = verification.row("nonce")
    if nonce is not None and nonce.status is CheckStatus.SKIPPED and args.nonce is None:
        # The row's words are the window's ("none known from an authorize step"): here, the
        # option that gives one.
        _write(stderr, "note: the nonce was not compared (give --nonce, as sent to authorize)")
    differs = verification.second_opinion_differs
    for warning in verification.warnings:
        if warning is not differs:
            _write(stderr, f"warning: {warning.name}: {warning.detail}")
    if differs is not None:
        _write(stderr, f"second opinion differs: {differs.detail}")
    return EXIT_OK if verdict is Verdict.VERIFIED else EXIT_FAILED
