"""`python -m idconnect_tester` — the same as the `idconnect-tester` command."""

import sys

from idconnect_tester.cli import main

if __name__ == "__main__":
    sys.exit(main())
