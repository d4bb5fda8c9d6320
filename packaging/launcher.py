"""Entry script for the frozen app: the same as the `idconnect-tester` console script, run under
a UTF-8 locale.

PyInstaller needs a script file; running the package's `__main__.py` directly would lose the
package context, so this imports the real entry point instead.

Qt needs a UTF-8 character set. Where none is configured (LANG=C, or nothing at all: containers,
CI, ssh sessions, cron) it switches to C.UTF-8 itself and prints a three-line warning on every
start. The `python` program avoids that by setting LC_CTYPE=C.UTF-8 in such a locale before
anything runs (PEP 538); the frozen program's embedded interpreter does not, so this does the
same before Qt starts.
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Mapping

UTF8_LOCALE = "C.UTF-8"  # built into glibc since 2.35, and Debian's libc for longer


def is_utf8(codeset: str) -> bool:
    return codeset.replace("-", "").lower() == "utf8"


def utf8_locale_overrides(environ: Mapping[str, str], codeset: str) -> dict[str, str]:
    """The environment variables to set so that Qt finds a UTF-8 character set, given the
    environment and the character set its locale has (`codeset`): none when it is UTF-8
    already. Only the character set changes: messages, numbers and dates keep the user's
    locale, except when LC_ALL is set to something that is not UTF-8. LC_ALL overrides every
    category, so it has to be replaced as a whole; the app has no translations and formats
    what it shows itself, so for it only the character set changes then too."""
    if is_utf8(codeset):
        return {}
    if environ.get("LC_ALL"):
        return {"LC_ALL": UTF8_LOCALE}
    return {"LC_CTYPE": UTF8_LOCALE}


def environment_codeset() -> str:
    """The character set of the locale the environment selects, as the C library sees it."""
    previous = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:
        return "ANSI_X3.4-1968"  # a locale this system lacks: the C library stays in "C"
    try:
        return locale.nl_langinfo(locale.CODESET)
    finally:
        locale.setlocale(locale.LC_CTYPE, previous)


def main() -> int:
    os.environ.update(utf8_locale_overrides(os.environ, environment_codeset()))
    # Imported only now, so nothing of the app or Qt can see the locale before it is settled.
    from idconnect_tester.cli import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
