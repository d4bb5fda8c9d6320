"""The `id-token` sub-command: decode an id_token and run every verification check on it.

Output: the header and claims as pretty JSON on stdout, then one line per check
(`PASS  signature  Valid RS256 signature by JWKS …`). Exit 0 when every applicable check passes
(skipped rows don't fail), 1 when one fails — a malformed token or keys that could not be had
included — and 2 for a usage error. Heavy imports wait inside `run` so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    import httpx

    from idconnect_tester.core.id_token_checks import VerificationContext, VerificationKey

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
PROG: Final = "idconnect-tester id-token"

_STATUS_LABELS: Final = {"pass": "PASS", "fail": "FAIL", "skipped": "SKIP"}

_EPILOG = """\
examples:
  idconnect-tester id-token "$ID_TOKEN" --issuer https://id.sumsub.com/ --client-id my-client
  idconnect-tester id-token - --issuer http://127.0.0.1:8088/ --client-id emulator-client < t.jwt
  idconnect-tester id-token "$ID_TOKEN" --jwks-url https://id.sumsub.com/.well-known/jwks.json
  idconnect-tester id-token "$ID_TOKEN" --jwks-file jwks.json --nonce "$NONCE"
  idconnect-tester id-token "$ID_TOKEN" --jwks-file public-key.pem --leeway 0

--issuer fetches <issuer>/.well-known/openid-configuration, checks that it names the same issuer,
then its jwks_uri; it also enables the iss check. With --jwks-url or --jwks-file the iss row is
skipped. Without any key source the signature is not checked (reported as SKIP).
Exit status: 0 every applicable check passed, 1 a check failed (or the token could not be read,
or the keys could not be fetched), 2 usage error."""


class _UsageError(Exception):
    pass


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `id-token` to a sub-command set (the caller dispatches to `run`)."""
    parser = subparsers.add_parser(
        "id-token",
        help="decode and verify an id_token (signature, iss, aud, exp, nonce …)",
        description="Decode an id_token and run every verification check on it: algorithm, "
        "kid, signature, iss, aud, exp, iat, nbf, nonce. Prints the header, the claims (with "
        "readable UTC times) and one line per check.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("token", metavar="TOKEN", help='the id_token ("-" reads stdin)')
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument(
        "--issuer",
        metavar="URL",
        help="issuer, e.g. https://id.sumsub.com/ (keys via discovery; enables the iss check)",
    )
    keys.add_argument("--jwks-url", metavar="URL", help="fetch the keys from this JWKS URL")
    keys.add_argument(
        "--jwks-file",
        metavar="FILE",
        help="keys from a file: a JWKS JSON, a single JWK, or a PEM public key / certificate",
    )
    parser.add_argument("--client-id", metavar="ID", help="expected audience (enables aud check)")
    parser.add_argument("--nonce", metavar="N", help="the nonce sent to authorize")
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
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _validate(args: argparse.Namespace) -> None:
    from idconnect_tester.core.jwks import url_problem
    from idconnect_tester.core.target import ca_bundle_problem

    if args.leeway < 0:
        raise _UsageError("--leeway must be 0 or more seconds")
    for option, value, what in (
        ("--issuer", args.issuer, "issuer"),
        ("--jwks-url", args.jwks_url, "JWKS URL"),
    ):
        if value is not None and (problem := url_problem(value, what)) is not None:
            raise _UsageError(f"{option}: {problem}")
    if args.ca_bundle and (problem := ca_bundle_problem(args.ca_bundle)) is not None:
        raise _UsageError(f"--ca-bundle: {problem}")


def _read_key_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"--jwks-file: cannot read {path}: {exc}") from exc


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
        "leeway_s": args.leeway,
    }
    if keys is not None or keys_note is not None:
        return await build_context(None, keys=keys, keys_note=keys_note, **common)
    if args.issuer is None and args.jwks_url is None:
        return await build_context(None, **common)
    http = _http_client(args, args.issuer or args.jwks_url)
    try:
        return await build_context(http, issuer=args.issuer, jwks_url=args.jwks_url, **common)
    finally:
        await http.aclose()


def run(
    args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO | None = None
) -> int:
    """Verify `args.token` and print the report. Returns the exit status."""
    import asyncio

    from idconnect_tester.core.id_token_checks import CheckStatus, verify_id_token
    from idconnect_tester.core.jwks import KeyFetchError, keys_from_text
    from idconnect_tester.core.jwt_decode import DecodedJwt, annotated_claims

    try:
        _validate(args)
        token = args.token
        if token == "-":
            token = (stdin or sys.stdin).read()
        token = token.strip()
        keys: list[VerificationKey] | None = None
        keys_note: str | None = None
        if args.jwks_file is not None:
            text = _read_key_file(args.jwks_file)
            try:
                keys = keys_from_text(text, f"key file {args.jwks_file}")
            except KeyFetchError as exc:
                keys_note = f"The key file could not be used: {exc}"
    except _UsageError as exc:
        _write(stderr, f"{PROG}: error: {exc}")
        return EXIT_USAGE

    if args.insecure:
        _write(stderr, "warning: --insecure is ignored: keys are always fetched over verified TLS")
    context = asyncio.run(_context(args, token, keys, keys_note))
    verification = verify_id_token(token, context)

    if isinstance(verification.decoded, DecodedJwt):
        _write(stdout, "header:")
        _write(stdout, _pretty(verification.decoded.header))
        _write(stdout, "claims:")
        _write(stdout, _pretty(annotated_claims(verification.decoded.claims)))
    _write(stdout, "checks:")
    width = max(len(row.name) for row in verification.checks)
    for row in verification.checks:
        label = _STATUS_LABELS.get(row.status.value, row.status.value.upper())
        _write(stdout, f"{label:<4}  {row.name:<{width}}  {row.detail}")

    if not isinstance(verification.decoded, DecodedJwt):
        _write(stderr, f"error: the token could not be read: {verification.decoded.message}")
        return EXIT_FAILED
    wanted_keys = args.issuer is not None or args.jwks_url is not None or args.jwks_file is not None
    if wanted_keys and context.keys is None:
        _write(stderr, f"error: {context.keys_note}")
        return EXIT_FAILED
    if not wanted_keys:
        _write(stderr, "warning: no --issuer, --jwks-url or --jwks-file: signature NOT verified")
    failed = [row.name for row in verification.checks if row.status is CheckStatus.FAIL]
    if failed:
        _write(stderr, f"FAILED: {', '.join(failed)}")
        return EXIT_FAILED
    return EXIT_OK
