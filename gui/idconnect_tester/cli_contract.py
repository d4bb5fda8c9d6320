"""What every sub-command shares: exit codes, the environment variables that carry credentials,
and the usage error (exit 2).

A module of its own so that `cli.py`, which dispatches to the commands, and the commands, which
use these, don't import each other.
"""

from __future__ import annotations

from typing import Final

# Exit codes (the command-line contract in README: a usage error is always 2).
EXIT_OK: Final = 0
EXIT_API_ERROR: Final = 1
EXIT_USAGE: Final = 2
EXIT_NETWORK: Final = 3

ENV_APP_TOKEN: Final = "SUMSUB_APP_TOKEN"
ENV_SECRET_KEY: Final = "SUMSUB_SECRET_KEY"
# The emulator's own secret, when it is one of yours (kept out of the process's arguments).
ENV_EMULATOR_SECRET_KEY: Final = "IDCONNECT_EMULATOR_SECRET_KEY"


class UsageError(Exception):
    """A problem with the command line the user can fix: exit code 2."""
