"""The system browser, played by the tests: Qt hands it every URL the app opens
(`QDesktopServices.setUrlHandler`), and it visits the URL as a browser would — following
redirects, so an authorization server that consents at once (an emulator) sends it straight to
the app's loopback listener. A sign-in page stays on screen: the test signs in, or not.

No test may start the real browser, so every GUI test gets one (tests/ui/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

SCHEMES = ("http", "https")


class Browser(QObject):
    def __init__(self, *, follows: bool = True) -> None:
        super().__init__()
        self.follows = follows  # False: only note the URL (the test plays the person)
        self.opened: list[str] = []
        self.visits: set[asyncio.Task[None]] = set()

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        text = bytes(url.toEncoded().data()).decode()
        self.opened.append(text)
        if self.follows:
            visit = asyncio.ensure_future(self._visit(text))
            self.visits.add(visit)
            visit.add_done_callback(self.visits.discard)

    async def _visit(self, url: str) -> None:
        async with httpx.AsyncClient(trust_env=False, follow_redirects=True) as http:
            # A browser shows its own error page for a failure; the app's wait goes on.
            with contextlib.suppress(httpx.HTTPError):
                await http.get(url)

    def install(self) -> None:
        for scheme in SCHEMES:
            # The stubs say bytes; PySide6 takes the slot's name as a str.
            QDesktopServices.setUrlHandler(scheme, self, "open_url")  # type: ignore[arg-type]

    @staticmethod
    def uninstall() -> None:
        for scheme in SCHEMES:
            QDesktopServices.unsetUrlHandler(scheme)
