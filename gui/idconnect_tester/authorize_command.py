"""The `authorize` sub-command: the authorize step alone, for scripts.

Prints `{"code", "code_verifier", "state", "nonce", "redirect_uri"}` on stdout — everything the
`token` and `id-token` commands need next — and diagnostics on stderr. Exit 0 with a code, 1 when
the authorization server answered an OAuth error (or no code came: a state mismatch, a timeout),
2 for a usage error, 3 when the authorization server could not be reached.

Also home to what the `check` command shares with it: finding a saved profile by name, and the
terminal as the person's side of the authorize step (stderr to talk, stdin to paste).

The command line imports this module on every start (the window's too) to build its parser, so
what running the command needs is imported inside the functions that need it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import threading
from typing import TYPE_CHECKING, Final, TextIO

from idconnect_tester import vendor
from idconnect_tester.cli_contract import EXIT_API_ERROR, EXIT_NETWORK, EXIT_OK, UsageError

if TYPE_CHECKING:
    from idconnect_tester.core.authorize_flow import (
        AuthorizeAttempt,
        AuthorizeTarget,
        Interaction,
        RedirectCapture,
    )
    from idconnect_tester.core.profiles import Profile
    from idconnect_tester.core.target import Target

EMULATOR_CLIENT_ID: Final = "emulator-client"  # the default of `idconnect-tester emulator`

_EPILOG = """\
examples:
  idconnect-tester authorize --base-url http://127.0.0.1:8088 --follow
  idconnect-tester authorize --profile "Sandbox" --scope "openid name offline_access"
  idconnect-tester authorize --base-url https://api.sumsub.com --issuer https://id.sumsub.com/ \\
      --client-id my-client --redirect-uri https://example.com/callback --no-browser

--follow suits an authorization server that consents at once (the emulator, whose issuer and
client id are the defaults for --base-url). Without it the browser opens and a listener on
127.0.0.1 catches the redirect; with --no-browser (or a redirect URI that is not on this
machine) paste the address the browser lands on.
Exit status: 0 a code was received, 1 the authorization server answered an error or no code
came (state mismatch, timeout), 2 usage error, 3 the authorization server was unreachable."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `authorize` to a sub-command set (the caller dispatches to `run`)."""
    parser = subparsers.add_parser(
        "authorize",
        help="the authorize step alone: prints a code, its PKCE verifier, state and nonce",
        description="Run the authorize step with a fresh PKCE pair, state and nonce, and print "
        '{"code", "code_verifier", "state", "nonce", "redirect_uri"} as JSON.',
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_target_arguments(parser)
    parser.add_argument(
        "--scope",
        default=" ".join(vendor.SCOPES),
        help=f'space-separated scopes (default: "{" ".join(vendor.SCOPES)}")',
    )
    capture = parser.add_mutually_exclusive_group()
    capture.add_argument(
        "--no-browser",
        action="store_true",
        help="print the URL on stderr and read the redirect URL from stdin",
    )
    capture.add_argument(
        "--follow",
        action="store_true",
        help="fetch the URL here and take the code from an immediate redirect (the emulator)",
    )


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--profile NAME, or --base-url with the issuer, client and redirect URI."""
    parser.add_argument("--profile", metavar="NAME", help="a saved profile, by name")
    parser.add_argument("--base-url", metavar="URL", help="API base URL")
    parser.add_argument(
        "--issuer", metavar="URL", help="issuer (default for --base-url: the emulator's, URL/)"
    )
    parser.add_argument(
        "--client-id",
        metavar="ID",
        help=f"client id for Sumsub ID (default for --base-url: {EMULATOR_CLIENT_ID})",
    )
    parser.add_argument(
        "--redirect-uri",
        metavar="URI",
        default="",
        help="redirect URI registered for the client (default: 127.0.0.1 on a free port)",
    )


def profile_named(name: str) -> Profile:
    """The saved profile called `name` (case does not matter). UsageError when there is none
    or it is the built-in emulator, which lives inside the app."""
    from idconnect_tester.core.profiles import ProfileStore

    profiles = ProfileStore().profiles()
    found = next((p for p in profiles if p.answers_to(name)), None)
    if found is None:
        names = ", ".join(repr(p.name) for p in profiles if not p.builtin) or "none yet"
        raise UsageError(f"no profile named {name!r} (saved profiles: {names})")
    if found.uses_builtin_emulator:
        which = "profile" if found.builtin else f"that {found.name!r} follows"
        raise UsageError(
            f"the built-in emulator {which} runs inside the app: use --base-url with the URL "
            "that `idconnect-tester emulator` prints"
        )
    return found


def chosen_profile(args: argparse.Namespace) -> Profile | None:
    """The --profile, or None for --base-url; UsageError when neither or both are given."""
    given = (args.issuer, args.client_id, args.redirect_uri or None)
    if args.profile is None:
        if args.base_url is None:
            raise UsageError("give --profile NAME or --base-url URL")
        return None
    if args.base_url is not None or any(value is not None for value in given):
        raise UsageError(
            "--profile takes the target from the profile: drop --base-url, --issuer, "
            "--client-id and --redirect-uri"
        )
    return profile_named(args.profile)


# The options that set what an authorize target's problem is about (`problems_by_field`).
_OPTION_FOR_FIELD: Final = {
    "client_id": "--client-id",
    "issuer": "--issuer",
    "redirect_uri": "--redirect-uri",
}


def target_problems(
    target: AuthorizeTarget, capture: RedirectCapture, profile: Profile | None
) -> str:
    """What stops `target` from being authorized, each problem after the option that fixes
    it — a profile's settings are its own, not options: those are said as they are."""
    return "; ".join(
        f"{_OPTION_FOR_FIELD[field]}: {message}"
        if profile is None and field in _OPTION_FOR_FIELD
        else message
        for field, message in target.problems_by_field(capture)
    )


def authorize_target(
    args: argparse.Namespace, profile: Profile | None, scopes: tuple[str, ...]
) -> AuthorizeTarget:
    """Who to authorize with: the profile's issuer, client and redirect URI, or --base-url's
    (whose issuer and client id default to the emulator's)."""
    from idconnect_tester.core.authorize_flow import AuthorizeTarget
    from idconnect_tester.core.target import base_url_problem, normalise_base_url

    if profile is not None:
        return AuthorizeTarget(
            issuer=profile.issuer,
            client_id=profile.client_id,
            redirect_uri=profile.redirect_uri,
            scopes=scopes,
            authorization_endpoint=profile.authorization_endpoint,
        )
    if (problem := base_url_problem(args.base_url)) is not None:
        raise UsageError(f"--base-url: {problem}")
    return AuthorizeTarget(
        issuer=args.issuer or normalise_base_url(args.base_url) + "/",
        client_id=args.client_id if args.client_id is not None else EMULATOR_CLIENT_ID,
        redirect_uri=args.redirect_uri,
        scopes=scopes,
    )


def scopes_from(text: str) -> tuple[str, ...]:
    from idconnect_tester.core.request import ordered_scopes

    scopes = ordered_scopes(text.split())
    unknown = [s for s in scopes if s not in vendor.SCOPES]
    if unknown:
        raise UsageError(f"unknown scope {', '.join(unknown)} (from: {' '.join(vendor.SCOPES)})")
    return scopes


def terminal_interaction(stdin: TextIO, stderr: TextIO) -> Interaction:
    """The terminal as the person's side of the authorize step."""
    import webbrowser

    from idconnect_tester.core.authorize_flow import Interaction

    def say(text: str) -> None:
        print(text, file=stderr, flush=True)

    def open_browser(url: str) -> bool:
        try:
            return webbrowser.open(url)
        except webbrowser.Error:
            return False

    async def read_redirect() -> str:
        return await _read_line(stdin)

    return Interaction(say=say, open_browser=open_browser, read_redirect=read_redirect)


async def _read_line(stdin: TextIO) -> str:
    """One line from stdin without blocking the event loop. A daemon thread, not the loop's
    executor: a person who presses Ctrl+C instead of pasting must not keep the process alive."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()

    def deliver(text: str) -> None:
        if not line.done():
            line.set_result(text)

    def read() -> None:
        try:
            text = stdin.readline()
        except (OSError, ValueError):  # closed or unreadable stdin: as good as nothing pasted
            text = ""
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(deliver, text)

    threading.Thread(target=read, name="read-redirect", daemon=True).start()
    return await line


def capture_from(args: argparse.Namespace) -> RedirectCapture:
    from idconnect_tester.core.authorize_flow import RedirectCapture

    if getattr(args, "follow", False):
        return RedirectCapture.FOLLOW
    return RedirectCapture.PASTE if args.no_browser else RedirectCapture.BROWSER


async def _authorize(
    http_target: Target,
    target: AuthorizeTarget,
    capture: RedirectCapture,
    interaction: Interaction,
) -> AuthorizeAttempt:
    from idconnect_tester.core.authorize_flow import find_endpoint, run_authorize
    from idconnect_tester.core.client import IdConnectClient

    # The app's client sets up TLS (an extra CA bundle), proxies and the User-Agent: reuse it.
    async with IdConnectClient(http_target) as client:
        http = client.http()
        endpoint = await find_endpoint(http, target)
        return await run_authorize(http, target, endpoint, capture, interaction)


def run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Authorize and print the code; returns the exit status (UsageError for exit 2)."""
    from idconnect_tester.core.masking import Secret
    from idconnect_tester.core.target import Target

    profile = chosen_profile(args)
    target = authorize_target(args, profile, scopes_from(args.scope))
    capture = capture_from(args)
    if problems := target_problems(target, capture, profile):
        raise UsageError(problems)
    # Only TLS, proxy and timeout matter here: authorize is not a signed request.
    http_target = (
        profile.target(Secret("")) if profile else Target(base_url=args.base_url, app_token="")
    )
    interaction = terminal_interaction(stdin, stderr)
    attempt = asyncio.run(_authorize(http_target, target, capture, interaction))
    result, session = attempt.result, attempt.session
    for note in result.notes:
        print(f"note: {note}", file=stderr)
    print(result.summary(), file=stderr)
    if result.code is None or session is None:
        return EXIT_NETWORK if attempt.unreachable else EXIT_API_ERROR
    printed = {
        "code": result.code,
        "code_verifier": session.pkce.code_verifier,
        "state": session.state,
        "nonce": session.nonce,
        "redirect_uri": session.redirect_uri,
    }
    print(json.dumps(printed), file=stdout)
    return EXIT_OK
