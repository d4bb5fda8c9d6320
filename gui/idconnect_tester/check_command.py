"""The `check` sub-command: the credential check, one line per step, with JUnit XML, a Markdown
report and JSON for whoever needs them.

Without target options it checks an emulator started in this process, with the emulator's
credentials unless SUMSUB_APP_TOKEN / SUMSUB_SECRET_KEY say otherwise — a CI job can prove the
tool itself works, or try a credential against a faithful stand-in. Exit 0 when no step failed
(skipped steps allowed), 1 when one failed, 2 for a usage error, 3 when the target was
unreachable.

The command line imports this module on every start (the window's too) to build its parser, so
what running the command needs is imported inside the functions that need it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from idconnect_tester import vendor
from idconnect_tester.authorize_command import (
    add_target_arguments,
    authorize_target,
    chosen_profile,
    target_problems,
    terminal_interaction,
)
from idconnect_tester.cli_contract import (
    ENV_APP_TOKEN,
    ENV_SECRET_KEY,
    EXIT_API_ERROR,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from idconnect_tester.cli_hints import hint_line

if TYPE_CHECKING:
    from idconnect_tester.core.check_results import CheckReport, CheckSettings, StepResult
    from idconnect_tester.emulator import EmulatorServer

EMULATOR_LABEL: Final = "the built-in emulator (in this process)"
_LABELS: Final = {"pass": "PASS", "fail": "FAIL", "skipped": "SKIP"}
_ID_WIDTH: Final = 13  # the longest step id, share_token, and two spaces

_EPILOG = f"""\
examples:
  idconnect-tester check                                   the built-in emulator, no setup
  idconnect-tester check --junit check.xml --report check.md
  export {ENV_APP_TOKEN}=sbx:… {ENV_SECRET_KEY}=…
  idconnect-tester check --base-url https://api.sumsub.com --issuer https://id.sumsub.com/ \\
      --client-id my-client --redirect-uri http://127.0.0.1:8765/callback
  idconnect-tester check --profile "Sandbox" --no-browser --json

Steps: clock, discovery, jwks, authorize, token, id_token, refresh, share_token. A failed step
skips the steps that need what it would have given. Without target options the check runs
against an emulator in this process (its authorize step consents at once); against an
authorization server on this machine the redirect is followed without a browser.
Exit status: 0 no step failed, 1 a step failed, 2 usage error, 3 the target was unreachable."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `check` to a sub-command set (the caller dispatches to `run`)."""
    parser = subparsers.add_parser(
        "check",
        help="the credential check: every step from clock to share token, with reports",
        description="Run the credential check: clock, discovery, jwks, authorize, token, "
        "id_token, refresh, share_token — one line per step: pass, fail or skipped, with why "
        "and what to try.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_target_arguments(parser)
    parser.add_argument(
        "--app-token", metavar="TOKEN", help=f"X-App-Token (default: ${ENV_APP_TOKEN})"
    )
    parser.add_argument(
        "--secret-key",
        metavar="KEY",
        help=f"the app token's secret key (default: ${ENV_SECRET_KEY}, or the profile's in the "
        "keyring; prefer those)",
    )
    parser.add_argument(
        "--for-client-id",
        metavar="ID",
        default="",
        help="forClientId of the share token (default: the client id itself)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the authorize URL on stderr and read the redirect URL from stdin",
    )
    parser.add_argument("--junit", metavar="FILE", help="write JUnit XML, a testcase per step")
    parser.add_argument("--report", metavar="FILE.md", help="write a Markdown report to share")
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (step lines go to stderr)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")


def _settings(
    args: argparse.Namespace, env: dict[str, str], emulator: EmulatorServer | None
) -> CheckSettings:
    """What to check: the in-process `emulator` with its own client, or the target of
    --profile / --base-url."""
    from idconnect_tester.cli_target import signed_target
    from idconnect_tester.core.authorize_flow import AuthorizeTarget, RedirectCapture
    from idconnect_tester.core.check_results import CheckSettings

    scopes = vendor.SCOPES  # all of them: refresh needs offline_access, the share step share
    if emulator is not None:
        profile = None
        target = signed_target(args, env, None, emulator.base_url)
        authorize = AuthorizeTarget(emulator.issuer, emulator.config.client_id, scopes=scopes)
        capture, label = RedirectCapture.FOLLOW, EMULATOR_LABEL
    else:
        profile = chosen_profile(args)
        authorize = authorize_target(args, profile, scopes)
        target = signed_target(args, env, profile, args.base_url or "")
        capture = RedirectCapture.PASTE if args.no_browser else RedirectCapture.BROWSER
        label = profile.name if profile is not None else ""
    if problems := target_problems(authorize, capture, profile):
        raise UsageError(problems)
    return CheckSettings(target, authorize, args.for_client_id, capture, label)


def _line(result: StepResult) -> list[str]:
    evidence = [f"HTTP {result.http_status}"] if result.http_status is not None else []
    if result.correlation_id:
        evidence.append(f"correlationId {result.correlation_id}")
    if result.took:
        evidence.append(result.took)
    label = _LABELS[result.status.value]
    said = f"  ({', '.join(evidence)})" if evidence else ""
    lines = [f"{label:<4}  {result.step.value:<{_ID_WIDTH}}{result.why}{said}"]
    if result.hint is not None:
        lines.append(f"{'':<6}{'':<{_ID_WIDTH}}{hint_line(result.hint)}")
    return lines


def _check_writable(path: str | None, option: str) -> None:
    """Refused before the run, not after it: against a real target the run costs a sign-in
    and spends a code, and a report that can't be written then was known to be so before."""
    if path is None:
        return
    if not path.strip():
        raise UsageError(f"{option}: give a file name")
    where = Path(path).expanduser().resolve()
    if where.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give a file name in it")
    if not where.parent.is_dir():
        raise UsageError(f"{option}: no such directory for {path}")
    if not os.access(where.parent, os.W_OK) or (where.exists() and not os.access(where, os.W_OK)):
        raise UsageError(f"{option}: {path} can't be written here (permission denied)")


@dataclass(frozen=True)
class _Streams:
    stdin: TextIO
    lines: TextIO  # where the step lines go: stdout, or stderr when stdout holds the JSON
    stderr: TextIO


async def _run_against_emulator(
    args: argparse.Namespace, env: dict[str, str], io: _Streams
) -> CheckReport:
    from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

    defaults = EmulatorConfig(log=False)
    # The emulator's own credentials, unless the environment or the options name others.
    env = {ENV_APP_TOKEN: defaults.app_token, ENV_SECRET_KEY: defaults.secret_key, **env}
    emulator = EmulatorServer(defaults).start()
    try:
        return await _run(_settings(args, env, emulator), io)
    finally:
        emulator.stop()


async def _run(settings: CheckSettings, io: _Streams) -> CheckReport:
    from idconnect_tester.core.credential_check import run_check

    def show(result: StepResult) -> None:
        for line in _line(result):
            print(line, file=io.lines, flush=True)

    # Prompts (the authorize URL, "paste the redirect") go to stderr, like other diagnostics.
    interaction = terminal_interaction(io.stdin, io.stderr)
    return await run_check(settings, interaction=interaction, on_result=show)


def run(
    args: argparse.Namespace, env: dict[str, str], stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    """Run the check and write what was asked for; returns the exit status."""
    from idconnect_tester.core.check_report import junit_xml, markdown_report, report_to_json
    from idconnect_tester.core.safe_files import SHARED_FILE_MODE, atomic_write_text

    _check_writable(args.junit, "--junit")
    _check_writable(args.report, "--report")
    stream = stderr if args.json else stdout  # with --json, stdout holds the JSON alone
    io = _Streams(stdin, stream, stderr)
    if args.profile is None and args.base_url is None:
        if args.issuer or args.client_id or args.redirect_uri:
            raise UsageError("--issuer, --client-id and --redirect-uri go with --base-url")
        report = asyncio.run(_run_against_emulator(args, env, io))
    else:
        report = asyncio.run(_run(_settings(args, env, None), io))

    verdict = "PASS" if report.passed else "FAIL"
    target = report.settings.label or report.settings.target.base_url
    took = f"{len(report.results)} steps in {report.duration_ms:.0f} ms"
    print(f"check {verdict}: {took} against {target}", file=stream)
    if args.json:
        stdout.write(report_to_json(report))
    unwritten = False
    for path, text in ((args.junit, junit_xml), (args.report, markdown_report)):
        if path is None:
            continue
        try:
            atomic_write_text(Path(path).expanduser(), text(report), mode=SHARED_FILE_MODE)
        except OSError as exc:
            print(f"error: could not write {path}: {exc.strerror or exc}", file=stderr)
            unwritten = True
        else:
            print(f"wrote {path}", file=stderr)
    # The check's own verdict first: a job must not read a failed credential as a usage error
    # because a report could not be written as well (the error above says that).
    if report.unreachable:
        return EXIT_NETWORK
    if not report.passed:
        return EXIT_API_ERROR
    return EXIT_USAGE if unwritten else EXIT_OK
