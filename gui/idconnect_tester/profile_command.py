"""The `profile` sub-command: the saved profiles, for scripts.

- `profile list [--json]`: one line per saved profile; `--json` prints
  `[{"name", "base_url", "app_token", "client_id", "issuer", "redirect_uri"}]`.
- `profile export NAME FILE`: the app's export file (never with a secret key).
- `profile import FILE [--name NAME]`: the app's export, or a Postman environment or collection
  with Sumsub's variable names. A Postman file's secret key goes to the OS keyring or is dropped
  with a note, never into a file. Prints the imported profiles' names on stdout.

The built-in emulator profile is not listed or exported: it is not saved (its port changes at
every launch of the app). Exit 0 done, 1 a file could not be read, written or imported, 2 usage.

The command line imports this module on every start (the window's too) to build its parser, so
what running the command needs is imported inside the functions that need it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from idconnect_tester.cli_contract import EXIT_OK, EXIT_USAGE, UsageError
from idconnect_tester.core.visible_text import escape_hidden

if TYPE_CHECKING:
    from idconnect_tester.core.profile_model import Profile
    from idconnect_tester.core.profiles import ProfileStore

EXIT_FAILED: Final = 1
PROG: Final = "idconnect-tester profile"

# What `list --json` prints for each profile (the command-line contract): no secret, ever.
LISTED_FIELDS: Final = ("name", "base_url", "app_token", "client_id", "issuer", "redirect_uri")

_EPILOG = """\
examples:
  idconnect-tester profile list --json | jq -r '.[].name'
  idconnect-tester profile export "Sandbox EU" sandbox-eu.json
  idconnect-tester profile import sandbox-eu.json --name "Sandbox EU (from Anna)"
  idconnect-tester profile import Sumsub.postman_environment.json

Postman files are read for Sumsub's variables only (sumsub_root_url, app-token, secret-key,
and client_id / redirect_uri when present); their scripts are never run, and their requests and
auth settings are not kept. The secret key goes to the system keyring; without one it is dropped
and you enter it in the app. Secret keys are never written to a file, and exports have none."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `profile` and its actions to a sub-command set (the caller dispatches to `run`)."""
    parser = subparsers.add_parser(
        "profile",
        help="list, export or import saved profiles (Postman files too)",
        description="List, export and import the app's saved profiles. Secret keys stay in the "
        "system keyring: they are never listed or exported.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the saved profiles")
    listing.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of {name, base_url, app_token, client_id, issuer, redirect_uri}",
    )
    export = actions.add_parser("export", help="write a profile to a file (without its secret)")
    export.add_argument("name", metavar="NAME", help="the profile's name")
    export.add_argument("file", metavar="FILE", help="the file to write")
    imported = actions.add_parser(
        "import", help="add the profiles in an export or a Postman environment / collection"
    )
    imported.add_argument("file", metavar="FILE", help="the file to read")
    imported.add_argument(
        "--name", metavar="NAME", help="the name for the imported profile (one-profile files)"
    )


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Carry out `args.action`. Returns the exit status."""
    from idconnect_tester.core.profile_model import ProfileError
    from idconnect_tester.core.profiles import ProfileStore

    store = ProfileStore()
    if store.recovery_message:
        print(f"warning: {store.recovery_message}", file=stderr)
    try:
        if args.action == "list":
            _list(store, as_json=args.json, stdout=stdout, stderr=stderr)
        elif args.action == "export":
            profile = _find(store, args.name)
            store.export_profile(profile.id, Path(args.file))
            print(f"Exported {profile.name!r} (without its secret key) to {args.file}", file=stderr)
        else:
            _import(store, Path(args.file), args.name, stdout=stdout, stderr=stderr)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=stderr)
        return EXIT_USAGE
    except ProfileError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_FAILED
    return EXIT_OK


def _saved(store: ProfileStore) -> list[Profile]:
    return [p for p in store.profiles() if not p.builtin]


def _list(store: ProfileStore, *, as_json: bool, stdout: TextIO, stderr: TextIO) -> None:
    from idconnect_tester.core.masking import mask_token

    profiles = _saved(store)
    # As the file says them: a profile that follows the built-in emulator has no URL of its
    # own (the emulator's port changes every run, and none runs here).
    saved = [p.to_json_dict() for p in profiles]
    if as_json:
        listed = [{key: data[key] for key in LISTED_FIELDS} for data in saved]
        # A name from an imported file may hold a right-to-left override: as its JSON escape
        # (the same string to a JSON reader), so a terminal does not redraw the line.
        print(escape_hidden(json.dumps(listed, indent=2, ensure_ascii=False)), file=stdout)
        return
    if not profiles:
        print("No saved profiles yet (the app's built-in emulator needs none).", file=stderr)
        return
    rows: list[list[str]] = [["NAME", "BASE URL", "APP TOKEN", "CLIENT ID"]]
    for d in saved:
        values = (d["name"], d["base_url"], mask_token(d["app_token"]), d["client_id"] or "-")
        rows.append([escape_hidden(value) for value in values])  # an imported name's too
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[3]]), file=stdout)


def _find(store: ProfileStore, name: str) -> Profile:
    """The saved profile called `name`: exactly, or else as `Profile.answers_to` allows."""
    profiles = _saved(store)
    found = next((p for p in profiles if p.name == name), None)
    if found is None:
        found = next((p for p in profiles if p.answers_to(name)), None)
    if found is not None:
        return found
    names = ", ".join(repr(p.name) for p in profiles) or "none yet"
    hint = " (the built-in emulator is not saved)" if "emulator" in name.casefold() else ""
    raise UsageError(f"there is no saved profile named {name!r}{hint}; saved: {names}")


def _import(
    store: ProfileStore, path: Path, name: str | None, *, stdout: TextIO, stderr: TextIO
) -> None:
    from idconnect_tester.core.secret_store import SecretStore

    imported = store.import_profiles(path, secrets=SecretStore(), name=name)
    for note in imported.notes:
        print(f"note: {note}", file=stderr)
    for profile in imported:
        print(escape_hidden(profile.name), file=stdout)
