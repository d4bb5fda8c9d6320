"""Command line: the GUI (no sub-command) and the scriptable sub-commands.

Imports are deferred into each command so that `--version` and the GUI's first paint don't pay
for modules they don't use.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, TextIO

from idconnect_tester import APP_NAME, __version__, vendor
from idconnect_tester.cli_contract import (
    ENV_APP_TOKEN,
    ENV_EMULATOR_SECRET_KEY,
    ENV_SECRET_KEY,
    EXIT_API_ERROR,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from idconnect_tester.cli_hints import hint_line
from idconnect_tester.core.request import SHARE_MAX_TTL_S

if TYPE_CHECKING:
    import argparse

    from idconnect_tester.core.exchange import Exchange
    from idconnect_tester.core.target import Target

_DESCRIPTION = f"""\
{APP_NAME} {__version__} — test Sumsub ID Connect credentials by hand.
Run without a command to open the window (first launch targets the built-in emulator).
An independent tool; not made or endorsed by Sumsub."""

_CREDENTIALS_EXAMPLE = f"""\
  export {ENV_APP_TOKEN}=sbx:emulator-app-token {ENV_SECRET_KEY}=emulator-secret-key"""

_TOKEN_EXAMPLES = """\
  AUTH=$(idconnect-tester authorize --base-url http://127.0.0.1:8088 --follow)
  idconnect-tester token --base-url http://127.0.0.1:8088 --grant-type authorization_code \\
      --authorized - <<<"$AUTH"   # its code and verifier, kept out of the process list
  idconnect-tester token --profile "Sandbox" --grant-type refresh_token \\
      --refresh-token - --scope "openid name" < refresh-token.txt   # secret from the keyring"""

_SHARE_TOKEN_EXAMPLE = """\
  idconnect-tester share-token --base-url http://127.0.0.1:8088 --access-token "$TOKEN" \\
      --for-client-id CoolCompanyLtd"""

_FROM_ENVIRONMENT = f"""\
Secrets may come from the environment ({ENV_APP_TOKEN}, {ENV_SECRET_KEY}) so they stay out of
shell history; a token argument of "-" is read from standard input."""

_EPILOG = f"""\
examples:
  idconnect-tester                       open the window on the built-in emulator
  idconnect-tester emulator --port 8088  run the emulator alone
{_CREDENTIALS_EXAMPLE}
{_TOKEN_EXAMPLES}
{_SHARE_TOKEN_EXAMPLE}
  idconnect-tester pkce
  idconnect-tester id-token "$ID_TOKEN" --issuer http://127.0.0.1:8088/ --client-id emulator-client
  idconnect-tester check --junit check.xml --report check.md
  idconnect-tester profile import Sumsub.postman_environment.json

{_FROM_ENVIRONMENT}"""


def _examples(*lines: str) -> str:
    """A command's own examples, and where its secrets may come from."""
    return "examples:\n" + "\n".join(lines) + "\n\n" + _FROM_ENVIRONMENT


def _add_target_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--base-url", help="API base URL, e.g. https://api.sumsub.com")
    where.add_argument(
        "--profile",
        metavar="NAME",
        help="a saved profile, by name: its base URL, app token, TLS and proxy settings, and "
        "its secret key from the keyring",
    )
    parser.add_argument(
        "--app-token",
        help=f"X-App-Token (default: ${ENV_APP_TOKEN}, or the profile's)",
        metavar="TOKEN",
    )
    parser.add_argument(
        "--secret-key",
        help=f"the app token's secret key (default: ${ENV_SECRET_KEY}, or the profile's in the "
        "keyring; prefer those)",
        metavar="KEY",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-bundle", metavar="PEM", help="extra trusted CA certificates")
    tls.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify TLS certificates (never for production)",
    )
    parser.add_argument("--proxy", help="proxy URL (default: HTTP(S)_PROXY from the environment)")


def build_parser() -> argparse.ArgumentParser:
    import argparse  # not on the GUI's start-up path

    parser = argparse.ArgumentParser(
        prog="idconnect-tester",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"idconnect-tester {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the emulator, open the window, run get code → token → refresh through its "
        "controls; exit 0 only if every step passes",
    )
    # For the installer smoke test and the README screenshots: save the first painted window.
    parser.add_argument("--screenshot", metavar="PNG", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    emulator = commands.add_parser(
        "emulator",
        help="run the local Sumsub ID Connect emulator",
        description="Run the emulator alone. Prints its base URL alone on the first line of "
        "stdout, then one line per request. Stops on Ctrl+C or SIGTERM.",
        epilog="example:\n  idconnect-tester emulator --port 0 --ttl 120",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # The credentials a client of the emulator needs are said in --help: a test emulator's
    # defaults are no secret (the README has them too), and its output stays the URL and the log.
    emulator.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    emulator.add_argument(
        "--port", type=int, default=8088, help="default: %(default)s; 0 picks a free port"
    )
    emulator.add_argument(
        "--app-token", default="sbx:emulator-app-token", help="default: %(default)s"
    )
    emulator.add_argument(
        "--secret-key",
        help="the secret requests are signed with (default: emulator-secret-key, or "
        f"${ENV_EMULATOR_SECRET_KEY} when set: the place for a secret of your own, which as an "
        "argument every user of the machine sees in ps)",
    )
    emulator.add_argument(
        "--client-id",
        default="emulator-client",
        help="default: %(default)s; the issuer is the base URL with a / at the end",
    )
    emulator.add_argument(
        "--ttl",
        type=int,
        default=86400,
        metavar="SECONDS",
        help="lifetime of the access token and the id_token (its exp); default: %(default)s",
    )
    emulator.add_argument(
        "--code-ttl",
        type=int,
        default=60,
        metavar="SECONDS",
        help="how long an authorization code can be exchanged; default: %(default)s",
    )
    emulator.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URI",
        help="register a redirect URI besides loopback ones (repeatable): to try the paste flow "
        "of a web app's callback, e.g. https://app.example.test/callback",
    )
    emulator.add_argument("--quiet", action="store_true", help="no request log")

    token = commands.add_parser(
        "token",
        help="send one signed token request",
        description="Send one signed token request. Prints the response body alone on stdout "
        "(API errors too); diagnostics go to stderr. Exit 0 granted, 1 API error or unexpected "
        "response, 2 usage error, 3 network error.",
        epilog=_examples(_CREDENTIALS_EXAMPLE, _TOKEN_EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_target_arguments(token)
    token.add_argument("--grant-type", required=True, choices=vendor.GRANT_TYPES)
    token.add_argument("--code", default="", help='authorization code ("-" reads stdin)')
    token.add_argument("--code-verifier", default="", help="PKCE code verifier")
    token.add_argument(
        "--authorized",
        default="",
        metavar="FILE",
        help='what `authorize` printed (a file, or "-" for stdin): its code and code_verifier '
        "are sent, and neither shows in the process list",
    )
    token.add_argument("--refresh-token", default="", help='refresh token ("-" reads stdin)')
    token.add_argument(
        "--scope",
        default="",
        help=f'space-separated scopes, e.g. "openid name" (from: {" ".join(vendor.SCOPES)}); '
        "sent with refresh_token; with authorization_code only checked, as the scope was fixed "
        "at authorize",
    )

    share = commands.add_parser(
        "share-token",
        help="exchange an access token for a share token",
        description="Request a Sumsub ID share token. Same output and exit codes as `token`.",
        epilog=_examples(_CREDENTIALS_EXAMPLE, _SHARE_TOKEN_EXAMPLE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_target_arguments(share)
    share.add_argument("--access-token", required=True, help='access token ("-" reads stdin)')
    share.add_argument(
        "--for-client-id", required=True, help="the client id the share token is for"
    )
    share.add_argument(
        "--ttl",
        type=int,
        default=vendor.SHARE_DEFAULT_TTL_S,
        metavar="SECONDS",
        help=f"how long the share token lives, 1 to {SHARE_MAX_TTL_S}; default: %(default)s",
    )

    from idconnect_tester import (  # only when parsing
        authorize_command,
        check_command,
        id_token_command,
        profile_command,
    )

    authorize_command.add_parser(commands)
    id_token_command.add_parser(commands)
    check_command.add_parser(commands)
    profile_command.add_parser(commands)
    commands.add_parser(
        "pkce",
        help="print a fresh PKCE verifier and S256 challenge as JSON",
        description="Print {code_verifier, code_challenge, method} for a new PKCE pair.",
    )
    # argparse reports an unknown option of a command with the top-level usage line, which
    # names no command: each command's own parser reports it instead (see main).
    for command_parser in commands.choices.values():
        command_parser.set_defaults(command_parser=command_parser)
    return parser


def _from_stdin_if_dash(value: str, stdin: TextIO) -> str:
    return stdin.read().strip() if value == "-" else value


def _target(args: argparse.Namespace, environ: dict[str, str]) -> Target:
    from idconnect_tester.authorize_command import profile_named
    from idconnect_tester.cli_target import signed_target

    profile = profile_named(args.profile) if args.profile else None
    target = signed_target(args, environ, profile, args.base_url or "")
    if not target.verify_tls:
        print("warning: TLS verification is OFF for this request", file=sys.stderr)
    return target


def report_exchange(exchange: Exchange, stdout: TextIO, stderr: TextIO) -> int:
    """Body on stdout, diagnostics on stderr, and the contract's exit code."""
    from idconnect_tester.core.exchange import (
        ApiError,
        NetworkError,
        NotSent,
        ShareTokenGranted,
        TokenGranted,
    )

    outcome = exchange.outcome
    if isinstance(outcome, NotSent):
        print(f"error: {outcome.reason}", file=stderr)
        return EXIT_USAGE
    if exchange.response is not None:
        text = exchange.response.text
        stdout.write(text if text.endswith("\n") else text + "\n")
        stdout.flush()
    print(exchange.summary(), file=stderr)
    if isinstance(outcome, NetworkError):
        print(f"network error ({outcome.kind.value}): {outcome.message}", file=stderr)
    elif isinstance(outcome, ApiError):
        print(f"API error: {outcome.description}", file=stderr)
    elif not isinstance(outcome, TokenGranted | ShareTokenGranted):
        for problem in outcome.problems:
            print(f"unexpected response: {problem}", file=stderr)
    else:
        for note in outcome.notes:
            print(f"note: {note}", file=stderr)
    if exchange.hint is not None:
        print(hint_line(exchange.hint), file=stderr)
    if isinstance(outcome, TokenGranted | ShareTokenGranted):
        return EXIT_OK
    if isinstance(outcome, NetworkError):
        return EXIT_NETWORK
    return EXIT_API_ERROR


def _cmd_token(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    import asyncio

    from idconnect_tester.core.client import IdConnectClient
    from idconnect_tester.core.request import TokenRequest

    target = _target(args, env)
    code, code_verifier = _from_stdin_if_dash(args.code, io.stdin), args.code_verifier
    if args.authorized:
        pair = _authorized_pair(args, io.stdin)
        if isinstance(pair, str):
            print(f"error: --authorized: {pair}", file=io.stderr)
            return EXIT_USAGE
        code, code_verifier = pair
    request = TokenRequest.from_form(
        args.grant_type,
        code=code,
        code_verifier=code_verifier,
        refresh_token=_from_stdin_if_dash(args.refresh_token, io.stdin),
        scopes=args.scope.split(),
    )
    # --scope is only checked here (it was fixed at authorize): without it, nothing to say.
    issues = [i for i in request.validate() if i.field != "scope" or args.scope.split()]
    blocked = any(issue.blocks for issue in issues)
    # Nothing is sent past an error: a warning's "sent anyway" would say otherwise.
    for issue in (i for i in issues if i.blocks or not blocked):
        option = _OPTION_FOR_FIELD.get(issue.field)
        missing = option is not None and not getattr(request, issue.field)
        # The form's words for a value not given name the window's fields and buttons; "-"
        # was given, and standard input was empty.
        from_stdin = missing and getattr(args, issue.field, None) == "-"
        said = f"{option} is needed with --grant-type {args.grant_type}" if missing else ""
        if from_stdin:
            said = f"{option} -: standard input was empty (pipe the value in, or give it)"
        print(f"{issue.severity.value}: {said or issue.message}", file=io.stderr)
    if blocked:
        return EXIT_USAGE

    async def send() -> Exchange:
        async with IdConnectClient(target) as client:
            return await client.token(request)

    return report_exchange(asyncio.run(send()), io.stdout, io.stderr)


def _authorized_pair(args: argparse.Namespace, stdin: TextIO) -> tuple[str, str] | str:
    """The code and code_verifier of `authorize`'s JSON, from --authorized's file or stdin; or
    what is wrong with it."""
    if args.grant_type != "authorization_code":
        return "it is for --grant-type authorization_code (a code and its verifier)"
    if args.code or args.code_verifier:
        return "give it, or --code and --code-verifier, not both"
    if args.authorized == "-" and args.refresh_token == "-":
        return 'standard input is for one of them: "-" for --refresh-token too'
    try:
        if args.authorized == "-":
            text = stdin.read()
        else:
            with open(args.authorized, encoding="utf-8") as file:
                text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        return f"can't read {args.authorized}: {exc}"
    try:
        printed = json.loads(text)
    except ValueError:
        printed = None
    if not isinstance(printed, dict):
        return "not the JSON object that `idconnect-tester authorize` prints"
    missing = [
        key
        for key in ("code", "code_verifier")
        if not (isinstance(printed.get(key), str) and printed[key])
    ]
    if missing:
        return f"no {' and no '.join(missing)} in it (`authorize` prints both)"
    return str(printed["code"]), str(printed["code_verifier"])


_OPTION_FOR_FIELD: Final = {
    "code": "--code",
    "code_verifier": "--code-verifier",
    "refresh_token": "--refresh-token",
}


def _cmd_share_token(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    import asyncio

    from idconnect_tester.core.client import IdConnectClient
    from idconnect_tester.core.request import ShareTokenRequest, blocking

    target = _target(args, env)
    request = ShareTokenRequest(
        access_token=_from_stdin_if_dash(args.access_token, io.stdin),
        for_client_id=args.for_client_id,
        ttl_s=args.ttl,
    )
    problems = blocking(request.validate())
    if problems:
        raise UsageError("; ".join(p.message for p in problems))

    async def send() -> Exchange:
        async with IdConnectClient(target) as client:
            return await client.share_token(request)

    return report_exchange(asyncio.run(send()), io.stdout, io.stderr)


def _cmd_pkce(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from idconnect_tester.core.pkce import generate_pair

    print(json.dumps(generate_pair().as_dict()), file=io.stdout)
    return EXIT_OK


def _off_loopback_warning(host: str) -> str:
    shown = host or "every address"
    return (
        f"WARNING: the emulator listens on {shown}, not only on this machine: anyone who can\n"
        "WARNING: reach this computer can get tokens from it with its credentials, which are\n"
        "WARNING: public defaults unless you set your own. Its /_emulator/* control endpoints\n"
        "WARNING: still answer only requests addressed to localhost. Use --host 127.0.0.1\n"
        "WARNING: unless another machine really needs to reach it."
    )


def _cmd_emulator(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from urllib.parse import urlsplit

    from idconnect_tester.core.target import is_loopback_host
    from idconnect_tester.emulator import EmulatorConfig, run_blocking

    if not is_loopback_host(args.host):  # 0.0.0.0, ::, a LAN address…
        print(_off_loopback_warning(args.host), file=io.stderr, flush=True)
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be 0–65535")
    if args.ttl < 1 or args.code_ttl < 1:
        raise UsageError("--ttl and --code-ttl must be at least 1 second")
    for uri in args.redirect_uri:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
            raise UsageError(f"--redirect-uri {uri!r}: an absolute http(s) URL without a #fragment")
    config = EmulatorConfig(
        host=args.host,
        port=args.port,
        app_token=args.app_token,
        secret_key=args.secret_key
        or env.get(ENV_EMULATOR_SECRET_KEY)
        or EmulatorConfig.secret_key,  # its default
        client_id=args.client_id,
        ttl_s=args.ttl,
        code_ttl_s=args.code_ttl,
        redirect_uris=tuple(args.redirect_uri),
        log=not args.quiet,
    )
    try:
        return run_blocking(config, stdout=io.stdout)
    except OSError as exc:  # port in use, host not on this machine
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason += " (another program has it; --port 0 picks a free one)"
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {reason}") from exc


def _cmd_id_token(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from idconnect_tester import id_token_command

    return id_token_command.run(args, io.stdout, io.stderr, io.stdin)


def _cmd_profile(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from idconnect_tester import profile_command

    return profile_command.run(args, io.stdout, io.stderr)


def _cmd_authorize(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from idconnect_tester import authorize_command

    return authorize_command.run(args, io.stdin, io.stdout, io.stderr)


def _cmd_check(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from idconnect_tester import check_command

    return check_command.run(args, env, io.stdin, io.stdout, io.stderr)


def _run_gui(args: argparse.Namespace, env: dict[str, str], io: _Io) -> int:
    from idconnect_tester.ui.launch import launch

    return launch(
        self_test=args.self_test, screenshot=args.screenshot, stdout=io.stdout, stderr=io.stderr
    )


class _Io:
    def __init__(self, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> None:
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr


_COMMANDS: Final[dict[str, Callable[[argparse.Namespace, dict[str, str], _Io], int]]] = {
    "token": _cmd_token,
    "share-token": _cmd_share_token,
    "pkce": _cmd_pkce,
    "id-token": _cmd_id_token,
    "emulator": _cmd_emulator,
    "authorize": _cmd_authorize,
    "check": _cmd_check,
    "profile": _cmd_profile,
}


# Options whose values may begin with "-": a PKCE verifier, a code or a nonce is random
# base64url, and argparse would take "--code-verifier -4GK…" for two options.
_VALUE_OPTIONS: Final = frozenset(
    {
        "--code",
        "--code-verifier",
        "--refresh-token",
        "--access-token",
        "--app-token",
        "--secret-key",
        "--client-id",
        "--for-client-id",
        "--nonce",
    }
)


def _join_option_values(arguments: list[str]) -> list[str]:
    """`--code-verifier -abc` → `--code-verifier=-abc`, so argparse reads it as a value."""
    joined: list[str] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument in _VALUE_OPTIONS and index + 1 < len(arguments):
            joined.append(f"{argument}={arguments[index + 1]}")
            index += 2
        else:
            joined.append(argument)
            index += 1
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _join_option_values(sys.argv[1:] if argv is None else list(argv))
    if not arguments:
        # The plain GUI launch skips building the whole parser: start-up time is the product.
        from idconnect_tester.ui.launch import launch

        return launch(self_test=False, stdout=sys.stdout, stderr=sys.stderr)
    parser = build_parser()
    args, unknown = parser.parse_known_args(arguments)
    if unknown:
        reporter = getattr(args, "command_parser", None) or parser
        reporter.error(f"unrecognized arguments: {' '.join(unknown)}")
    io = _Io(sys.stdin, sys.stdout, sys.stderr)
    command = _COMMANDS.get(args.command, _run_gui)
    try:
        return command(args, dict(os.environ), io)
    except UsageError as exc:
        # Named as argparse names its own errors: "idconnect-tester emulator: error: …".
        reporter = getattr(args, "command_parser", None) or parser
        parser.exit(EXIT_USAGE, f"{reporter.prog}: error: {exc}\n")
    except KeyboardInterrupt:
        return 130
