"""What the tester should know about the refresh token: when it was issued, whether the last
refresh replaced it, and Sumsub's rule that only the first authorization_code exchange with
offline_access issues one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from idconnect_tester import vendor

if TYPE_CHECKING:
    from idconnect_tester.core.exchange import TokenGranted

RULE = (
    "Sumsub issues a refresh token only on the first authorization_code exchange whose scope "
    "includes offline_access; refreshes don't replace it."
)


class RefreshTokenTracker:
    """Where the current refresh token came from. A plain class: no dataclass before the first
    paint (see first_frame.py), and no generated repr to print the token into a log."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.issued_at: datetime | None = None
        self.issued_by = ""
        self.last_refresh_at: datetime | None = None
        self.last_refresh_rotated: bool | None = None

    def granted(self, grant_type: str, outcome: TokenGranted, received_at: datetime) -> str:
        """Update from a granted exchange and return the sentence to show."""
        if grant_type == vendor.GRANT_REFRESH_TOKEN:
            self.last_refresh_at = received_at
            rotated = outcome.refresh_token is not None and outcome.refresh_token != self.token
            self.last_refresh_rotated = rotated
            if rotated:
                self.token, self.issued_at, self.issued_by = (
                    outcome.refresh_token,
                    received_at,
                    "a refresh (rotation)",
                )
        elif outcome.refresh_token is not None:
            self.token, self.issued_at, self.issued_by = (
                outcome.refresh_token,
                received_at,
                "the authorization_code exchange",
            )
            self.last_refresh_at = self.last_refresh_rotated = None
        elif grant_type == vendor.GRANT_AUTHORIZATION_CODE:
            self.token = self.issued_at = self.last_refresh_at = self.last_refresh_rotated = None
            return "None issued: offline_access was not granted."
        return self.describe()

    def describe(self) -> str:
        if self.token is None or self.issued_at is None:
            return ""
        text = f"Issued {self.issued_at.astimezone():%H:%M:%S} by {self.issued_by}."
        if self.last_refresh_at is not None:
            when = f"{self.last_refresh_at.astimezone():%H:%M:%S}"
            text += (
                f" Last refresh ({when}) returned a NEW one; the form holds it."
                if self.last_refresh_rotated
                else f" Last refresh ({when}) returned none: keep using this one."
            )
        return text
