"""What the session hands out: one view per result panel, and the events that carry them.

Every view says where its content came from (`Origin`) and how current it is (`Freshness`), so a
panel can't show an older result as if it were the latest: it renders the view, stale mark
included, and holds nothing of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.error_report import ErrorReport
from idconnect_tester.core.exchange import Exchange, ShareTokenGranted, TokenGranted
from idconnect_tester.core.id_token_checks import (
    CheckStatus,
    Verdict,
    Verification,
    VerificationKey,
)
from idconnect_tester.core.jwt_decode import DecodedJwt, JwtDecodeError
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.target import normalise_base_url
from idconnect_tester.core.tone import Tone


@dataclass(frozen=True)
class Origin:
    """The target a result came from, as far as the result depends on it: a token issued with one
    app token, issuer or client id means nothing for another."""

    profile: Profile  # a snapshot, with what was typed into the target fields at the time
    # The profile's name in the list now: a result outlives a rename or a delete of its
    # profile, and what is said of it names the profile as the list (and the History) does.
    # Without it, the name at the time.
    name_now: Callable[[Profile], str] | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        return self.profile.name if self.name_now is None else self.name_now(self.profile)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        profile = self.profile
        return (
            profile.id,
            normalise_base_url(profile.base_url),
            profile.app_token.strip(),
            profile.issuer.strip(),
            profile.client_id.strip(),
        )

    def same_target(self, other: Origin | None) -> bool:
        return other is not None and self.key == other.key

    @property
    def server(self) -> str:
        """Where a code or a refresh token goes: the token endpoint's base URL — not the
        issuer, which names who signs the id_token (tryout W: a copy whose issuer lost its
        trailing "/" counted as another server, and Return sent it a code the copied profile
        had used)."""
        return self.key[1]

    def same_client(self, other: Origin | None) -> bool:
        """The same client at the same server as `other`: a code or a refresh token from there
        is redeemed here too, whether or not this is the same profile. The token endpoint knows
        the client by the app token that signs the request: the same app token is the same
        client, whatever client id either profile names (tryout AQ: a Postman import without
        one was said to be refused the token it then redeemed); another app token is the
        same client when both name the same client id."""
        if other is None or self.server != other.server:
            return False
        _, _, app_token, _, client_id = self.key
        _, _, other_app_token, _, other_client_id = other.key
        return app_token == other_app_token or (client_id != "" and client_id == other_client_id)

    def same_issuer_and_client(self, other: Origin | None) -> bool:
        """The same issuer (give or take its trailing "/") and client id as `other`: a code
        got here was issued for `other` too — Get code goes to the issuer, whatever the base
        URL was then (tryout AK: a base URL typed away and back made the code "not this
        target's", and it redeemed)."""
        if other is None:
            return False
        _, _, _, issuer, client_id = self.key
        _, _, _, other_issuer, other_client_id = other.key
        return (issuer.rstrip("/"), client_id) == (other_issuer.rstrip("/"), other_client_id)

    def is_other_profile(self, current: Origin | None) -> bool:
        return current is None or current.profile.id != self.profile.id

    def relation(self, current: Origin | None) -> str:
        """A result from here, said against `current` in a word or two (a dock title's):
        "other profile" for a copy — the same client at the same server, whose codes and
        tokens are good there too —, "other target", or "target edited" for this profile
        since changed where its results depend on it."""
        if not self.is_other_profile(current):
            return "target edited"
        return "other profile" if self.same_client(current) else "other target"

    def differences(self, current: Origin | None) -> str:
        """Where a result came from, said against `current`: "another target (Sandbox)", or
        "Built-in emulator before its app token changed" when only the profile was edited."""
        if current is None or self.is_other_profile(current):
            return f"another target ({self.label})"
        return f"{self.label} before its {self.changed_in(current)} changed"

    def changed_in(self, current: Origin) -> str:
        """What differs in `current`, where results depend on it: "app token", "base URL and
        issuer"."""
        names = ("profile", "base URL", "app token", "issuer", "client id")
        changed = [
            name for name, was, now in zip(names, self.key, current.key, strict=True) if was != now
        ]
        return " and ".join(changed)


# Said of another profile's results when that profile is the same client at the same server:
# its tokens are this target's too — live, expired or revoked, as each token's row says (a
# note that called them "good here" sat above three rows that said "revoked").
SAME_CLIENT = "the same client at the same server, so its tokens are this target's too"


class TokenState(StrEnum):
    LIVE = "live"
    EXPIRED = "expired"
    REVOKED = "revoked"  # the server said so
    REFUSED = "refused"  # the server would not take it: it called it invalid or expired
    SUSPECT = "suspect"  # the server rejected something that, by the standard, revokes it
    OTHER_TARGET = "from another target"
    # Another profile of the same client at the same server (a copy of this one): marked as
    # not this target's, but its tokens are good here too.
    OTHER_PROFILE = "other profile"
    TARGET_EDITED = "target edited"  # this profile, since changed where its tokens depend on it
    UNTRUSTED = "not trusted"  # an id_token whose checks failed: its time left means nothing
    STAGED = "staged"  # made up by an emulator drill's answer: no server issued it
    # An id_token past its exp, still accepted within the leeway for clock skew (its exp row
    # warns): "Expired" beside it, and yet not failed — for a minute.
    IN_LEEWAY = "in leeway"


@dataclass(frozen=True)
class TokenStatus:
    state: TokenState
    why: str  # a sentence for the panel
    # When the server's answer that put the token in doubt came (revoked, refused, suspect):
    # short notes give the time and leave the sentence to their tooltip.
    since: datetime | None = None
    # The emulator drill whose answer that was, if one staged it: the emulator itself still
    # holds the token valid, so no short note may say "get new tokens".
    staged_by: str = ""

    @property
    def usable(self) -> bool:
        return self.state is TokenState.LIVE

    @property
    def where_from(self) -> bool:
        """Says only where the token came from (another target or profile, an edit since):
        nothing against the token itself."""
        return self.state in (
            TokenState.OTHER_TARGET,
            TokenState.OTHER_PROFILE,
            TokenState.TARGET_EDITED,
        )

    @property
    def good_here(self) -> bool:
        """Usable with the current target: live, or a copy's of this profile — the same client
        at the same server (its panel says "good here too")."""
        return self.state in (TokenState.LIVE, TokenState.OTHER_PROFILE)

    @classmethod
    def not_this_target(cls, origin: Origin, current: Origin | None) -> TokenStatus:
        """A token issued to a target that isn't the current one: another profile's, or this
        profile's before an edit to its URL, app token, issuer or client id."""
        if origin.is_other_profile(current):
            if origin.same_client(current):  # a copy of the profile, another app token
                # Only a live token gets here (revoked, expired… say so instead): good here.
                return cls(
                    TokenState.OTHER_PROFILE,
                    f"Issued by {origin.label}: the same client at the same server, so it is "
                    "good here too",
                )
            return cls(TokenState.OTHER_TARGET, f"Issued by {origin.label}")
        return cls(TokenState.TARGET_EDITED, f"Issued by {origin.differences(current)}")


@dataclass(frozen=True)
class Freshness:
    """Whether a panel's content is the latest result for the current target, in words."""

    stale: bool
    note: str  # "From the exchange at 14:02:11." / "Older: …" / "From another target: …"
    # The same in a word or two, for a dock's title (which shares a row of tabs): "14:02:11"
    # while current, "older" or "other target" once not — the panel's note says when.
    label: str = ""
    # Current, and yet worth a line even where the title says when: a later step with other
    # settings of this profile (an edit since taken back) went otherwise.
    aside: bool = False
    # The note without its explanation, for a panel too narrow for all of it: the why and the
    # when stay whole, where cutting the middle would take the profile's name.
    short: str = ""


@dataclass(frozen=True)
class TokenView:
    """The tokens of the latest grant: the response and expiry panels."""

    exchange: Exchange
    granted: TokenGranted
    grant_type: str
    origin: Origin
    access: TokenStatus
    refresh: TokenStatus | None  # None when this chain has no refresh token
    refresh_note: str  # where the refresh token came from, and what the last refresh did
    freshness: Freshness
    # The chain's refresh token: the latest response's, or the one still in use when a refresh
    # returned none (the response panel shows this one, so what is "live" can be copied).
    refresh_token: str | None = None


@dataclass(frozen=True)
class ShareView:
    exchange: Exchange
    granted: ShareTokenGranted
    origin: Origin
    status: TokenStatus
    freshness: Freshness


@dataclass(frozen=True)
class IdTokenView:
    """The id_token on display and its verification (None while the keys are being fetched)."""

    id_token: str = field(repr=False)
    decoded: DecodedJwt | JwtDecodeError
    origin: Origin
    verification: Verification | None
    keys_note: str  # where the keys came from, or why there were none
    freshness: Freshness
    # In doubt with the rest of its chain (its code was replayed: the server revokes what the
    # code issued); None when nothing is known against it.
    status: TokenStatus | None = None
    # Its checks passed when it arrived: a failure now that only time explains (exp) is an
    # expiry, not a forgery.
    verified_on_arrival: bool = False

    def trust(self) -> TokenStatus | None:
        """What the id_token is worth when that is in doubt, else None: one whose checks
        failed is not to be trusted (its exp is a claim nobody should count on) — unless it
        verified when it came and has only expired since (tryout AD: a genuine token past its
        time read "not trusted", as a forged one does); one in doubt with its chain is
        suspect, like the access token it came with; one past its exp and accepted for clock
        skew says so beside its "Expired"."""
        verification = self.verification
        # Past its exp says more than where it came from, as for the access token beside it
        # (tryout AE: an expired id_token read only "other profile"); only what its chain
        # knows against it (revoked, suspect) says more.
        known = self.status if self.status is not None and not self.status.where_from else None
        if verification is None or verification.verdict is not Verdict.FAILED:
            exp = verification.row("exp") if verification is not None else None
            if known is None and exp is not None and exp.status is CheckStatus.WARN:
                return TokenStatus(TokenState.IN_LEEWAY, exp.detail)
            return self.status
        exp = verification.row("exp")
        if self.verified_on_arrival and verification.failed == ["exp"] and exp is not None:
            return known or TokenStatus(
                TokenState.EXPIRED, f"{exp.detail}; it verified when it arrived"
            )
        failed = ", ".join(verification.failed) or "decode"
        return TokenStatus(TokenState.UNTRUSTED, f"Do not trust this id_token: {failed} failed")


# What the raw panel shows: an exchange with the token endpoints, or the authorize step.
RawStep = Exchange | AuthorizeRecord


@dataclass(frozen=True)
class ExchangeView:
    """The raw panel: the latest step with any endpoint, the authorize step included — the
    current target's own, as the error panel chooses it."""

    exchange: RawStep
    origin: Origin
    freshness: Freshness


@dataclass(frozen=True)
class ErrorView:
    """What the latest step ended in: an error, or `report=None` when it succeeded."""

    report: ErrorReport | None
    origin: Origin | None
    freshness: Freshness
    at: datetime  # when that step ended: a new step is a new moment
    # A success whose id_token failed its checks when it arrived (its first verdict): the
    # checks that failed. Not an HTTP error, but no success to trust either.
    id_token_failed: tuple[str, ...] = ()
    # A success whose id_token passed when it arrived and fails now (its exp passed, or it
    # was checked again): the checks that fail. The step itself was no error.
    id_token_failed_since: tuple[str, ...] = ()
    drill: str = ""  # the emulator drill that staged that step's outcome, if one did
    drill_answered: bool = False  # that drill answered in the server's place (it saw nothing)
    cancelled: bool = False  # the person cancelled that step (a drill may have held it back)
    # The checks it fails now were run with keys the person pasted, not the issuer's.
    failed_with_pasted_keys: bool = False

    @property
    def says_something(self) -> bool:
        """More than "No error": an error, or an id_token not to be trusted."""
        return self.report is not None or bool(self.id_token_failed or self.id_token_failed_since)


@dataclass(frozen=True)
class VerificationJob:
    """What to fetch keys for and check: always against the issuer of the target that issued
    the token, whatever target is selected now."""

    id_token: str = field(repr=False)
    origin: Origin
    nonce: str | None  # from the authorize step that produced the chain's code
    access_token: str | None = field(repr=False)  # from the same response (for at_hash)
    pasted_keys: tuple[VerificationKey, ...] | None
    pasted_description: str
    leeway_s: int
    # Set when the id_token came from a refresh: the sign-in's id_token ("" when it had none),
    # which the refreshed one must agree with (OIDC Core §12.2).
    sign_in_id_token: str | None = field(default=None, repr=False)
    # The checks that sign-in's id_token failed when it came, if it failed any.
    sign_in_failed: tuple[str, ...] = ()
    # Asked for by the person (Verify again, other keys): the issuer's keys are fetched anew,
    # so a key it no longer publishes fails now rather than when the cache expires.
    fetch_keys_again: bool = False
    # The token was checked before (when it arrived): checked again with cached keys (back on
    # its profile), the check says when they were fetched — its new time alone read as if the
    # issuer had been asked. A token's first check with keys fetched minutes ago needs no such
    # word: an issuer signs a new token with a key it publishes.
    checked_before: bool = False


# --- events ---


@dataclass(frozen=True)
class TokensChanged:
    view: TokenView | None


@dataclass(frozen=True)
class ShareTokenChanged:
    view: ShareView | None


@dataclass(frozen=True)
class IdTokenChanged:
    view: IdTokenView | None


@dataclass(frozen=True)
class ExchangeChanged:
    view: ExchangeView | None


@dataclass(frozen=True)
class ErrorChanged:
    view: ErrorView | None  # None: nothing has happened yet


@dataclass(frozen=True)
class FormFill:
    """Values the request form should take (None: leave the field alone)."""

    grant_type: str | None = None
    code: str | None = field(default=None, repr=False)
    code_verifier: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Notice:
    """A sentence for the status bar. `for_grant` names the grant it tells what to do next
    with ("press Send to exchange it"): a change of grant makes it wrong, so it goes."""

    text: str
    tone: Tone = Tone.MUTED
    for_grant: str | None = None


@dataclass(frozen=True)
class AuthorizeRecorded:
    """An authorize step ended, however it ended: keep its record (the history)."""

    record: AuthorizeRecord
    origin: Origin


@dataclass(frozen=True)
class IdTokenChecked:
    """The id_token an exchange delivered has its first verdict: the one it had when it
    arrived, kept with that exchange (the history). Later checks — Verify again, other keys,
    its exp passing — change what the panels show, not what the exchange was."""

    exchange: Exchange
    verification: Verification


@dataclass(frozen=True)
class VerificationRequested:
    """Fetch keys for this job and hand the context back with `Session.verification_finished`."""

    job: VerificationJob


PanelEvent = TokensChanged | ShareTokenChanged | IdTokenChanged | ExchangeChanged | ErrorChanged
SessionEvent = (
    PanelEvent | FormFill | Notice | VerificationRequested | AuthorizeRecorded | IdTokenChecked
)
