"""ID Connect Tester: a desktop tester for Sumsub ID Connect credentials.

An independent tool; not made or endorsed by Sumsub.
"""

__version__ = "0.1.0"
APP_NAME = "ID Connect Tester"
