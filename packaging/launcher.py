"""Entry script for the frozen app: the same as the `idconnect-tester` console script.

PyInstaller needs a script file; running the package's `__main__.py` directly would lose the
package context, so this imports the real entry point instead.
"""

import sys

from idconnect_tester.cli import main

if __name__ == "__main__":
    sys.exit(main())
