"""The credential check's data: its steps, what each step found, and the whole run's report.

Plain data, so the command line, the reports and the window render the same results. No text
here holds a secret or a full token: texts are masked when a result is made (`step_result`).
The exceptions are `StepResult.exchange` (the raw exchange of a signed step) and
`StepResult.authorize` (the authorize step's record), kept for the history, which masks what it
stores; reports never read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from idconnect_tester.core.authorize_flow import AuthorizeTarget, RedirectCapture
from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.exchange import Exchange, Hint
from idconnect_tester.core.exchange_json import mask_tokens_in_text
from idconnect_tester.core.id_token_checks import Verification
from idconnect_tester.core.masking import mask_token
from idconnect_tester.core.request import TokenRequest
from idconnect_tester.core.target import Target


class StepId(StrEnum):
    """The steps, in the order they run; the values are the ids reports and JUnit use."""

    CLOCK = "clock"
    DISCOVERY = "discovery"
    JWKS = "jwks"
    AUTHORIZE = "authorize"
    TOKEN = "token"
    ID_TOKEN = "id_token"
    REFRESH = "refresh"
    SHARE_TOKEN = "share_token"


STEP_ORDER: Final = tuple(StepId)

# What each step uses from earlier ones: when one of them did not pass, the step is skipped.
STEP_NEEDS: Final[dict[StepId, tuple[StepId, ...]]] = {
    StepId.JWKS: (StepId.DISCOVERY,),
    StepId.TOKEN: (StepId.AUTHORIZE,),
    StepId.ID_TOKEN: (StepId.TOKEN, StepId.JWKS),
    StepId.REFRESH: (StepId.TOKEN,),
    StepId.SHARE_TOKEN: (StepId.TOKEN,),
}

STEP_TITLES: Final[dict[StepId, str]] = {
    StepId.CLOCK: "This machine's clock against the API server's",
    StepId.DISCOVERY: "The issuer's discovery document",
    StepId.JWKS: "Signing keys for the advertised algorithms",
    StepId.AUTHORIZE: "Authorize with PKCE, state and nonce",
    StepId.TOKEN: "Code exchanged for tokens (signed request)",
    StepId.ID_TOKEN: "id_token verified (signature, iss, aud, times, nonce)",
    StepId.REFRESH: "Refresh token exchanged",
    StepId.SHARE_TOKEN: "Share token minted",
}


class StepStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepResult:
    """One step's verdict, why, and the evidence a support ticket needs."""

    step: StepId
    status: StepStatus
    why: str
    hint: Hint | None = None  # what the error panel would say to try next
    http_status: int | None = None
    correlation_id: str | None = None
    details: tuple[str, ...] = ()  # e.g. one line per id_token check
    unreachable: bool = False  # failed because the server could not be reached
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration_ms: float = 0.0
    # token, refresh, share_token: the exchange itself (passed or failed), for the history.
    # Holds full tokens.
    exchange: Exchange | None = field(default=None, repr=False, compare=False)
    # authorize: the step as a record (URL, redirect, code), for the history.
    authorize: AuthorizeRecord | None = field(default=None, repr=False, compare=False)
    # token, refresh: the request `exchange` sent (the history lists its grant; holds tokens).
    request: TokenRequest | None = field(default=None, repr=False, compare=False)
    # id_token, refresh: the exchange that delivered the id_token checked, and its checks, for
    # the history (a grant whose id_token failed is listed as such, not as a clean grant).
    id_token_verdict: tuple[Exchange, Verification] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def took(self) -> str:
        """How long the step ran, for a table or a line: nothing for a step that never ran
        (a skipped step's "0 ms" read as a step that ran in no time)."""
        return "" if self.status is StepStatus.SKIPPED else f"{self.duration_ms:.0f} ms"


def step_result(
    step: StepId,
    status: StepStatus,
    why: str,
    *,
    hint: Hint | None = None,
    http_status: int | None = None,
    correlation_id: str | None = None,
    details: tuple[str, ...] | list[str] = (),
    unreachable: bool = False,
    exchange: Exchange | None = None,
    authorize: AuthorizeRecord | None = None,
) -> StepResult:
    """A result whose texts have every token in them masked (an error message may quote one)."""
    return StepResult(
        step=step,
        status=status,
        why=mask_tokens_in_text(why),
        hint=hint,
        http_status=http_status,
        correlation_id=correlation_id,
        details=tuple(mask_tokens_in_text(line) for line in details),
        unreachable=unreachable,
        exchange=exchange,
        authorize=authorize,
    )


@dataclass(frozen=True)
class CheckSettings:
    """What to check: the API target (with its secret) and the Sumsub ID client to authorize."""

    target: Target
    authorize: AuthorizeTarget
    for_client_id: str = ""  # the share token's forClientId; "": the client itself
    capture: RedirectCapture = RedirectCapture.BROWSER
    label: str = ""  # how reports name the target, e.g. "built-in emulator"

    @property
    def issuer(self) -> str:
        return self.authorize.issuer

    @property
    def client_id(self) -> str:
        return self.authorize.client_id

    @property
    def share_for(self) -> str:
        return self.for_client_id.strip() or self.client_id.strip()

    def described(self) -> dict[str, str]:
        """The target for a report: no secret, the app token masked."""
        return {
            "target": self.label or self.target.base_url,
            "base_url": self.target.base_url,
            "app_token": mask_token(self.target.app_token.strip()),
            "issuer": self.issuer,
            "client_id": self.client_id,
            "redirect_uri": self.authorize.redirect_uri or "http://127.0.0.1 (a free port)",
            "scopes": " ".join(self.authorize.scopes),
        }


@dataclass(frozen=True)
class CheckReport:
    settings: CheckSettings
    started_at: datetime
    duration_ms: float
    results: tuple[StepResult, ...]

    @property
    def passed(self) -> bool:
        """Every step passed or was skipped."""
        return all(result.status is not StepStatus.FAIL for result in self.results)

    @property
    def unreachable(self) -> bool:
        """A step failed because the target could not be reached."""
        return any(r.unreachable and r.status is StepStatus.FAIL for r in self.results)

    def count(self, status: StepStatus) -> int:
        return sum(result.status is status for result in self.results)
