"""Fault-injection drills: which misbehaviour is armed, for how many more responses.

Three kinds, because they are used up at different moments:
- ``delay``: taken when a signed request has been read; the request is then served normally.
- ``response``: taken when a signed request has been read; it replaces the whole answer.
- ``id_token``: taken only when a response actually carries an id_token, and alters that token.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

Kind = Literal["delay", "response", "id_token"]
ParamValue = int | float


class ScenarioError(ValueError):
    """A scenario request that makes no sense (unknown name, bad times or params)."""


@dataclass(frozen=True)
class ParamSpec:
    default: ParamValue
    valid: Callable[[ParamValue], bool]
    rule: str  # says what `valid` accepts, for the 400 message
    integer: bool = False


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    description: str
    kind: Kind
    params: Mapping[str, ParamSpec] = field(default_factory=dict)


def _spec(name: str, kind: Kind, description: str, **params: ParamSpec) -> ScenarioSpec:
    return ScenarioSpec(name, description, kind, params)


SCENARIOS: Mapping[str, ScenarioSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "slow",
            "delay",
            "Wait the delay, then answer normally (tests timeouts and the Cancel button).",
            delay_s=ParamSpec(3, lambda v: 0 <= v <= 300, "a number of seconds from 0 to 300"),
        ),
        _spec(
            "server_error_html",
            "response",
            "502 with a small HTML page, as a gateway in front of the API would answer.",
        ),
        _spec(
            "malformed_json",
            "response",
            "200, Content-Type application/json, and a truncated, unparseable body.",
        ),
        _spec(
            "wrong_types",
            "response",
            "200 JSON with ill-typed fields: expires_in a string, token_type a number, "
            "no access_token (share token: token a number).",
        ),
        _spec(
            "connection_reset",
            "response",
            "Abort the connection with a TCP reset and no response at all.",
        ),
        _spec(
            "huge_body",
            "response",
            "200 with a valid-looking response padded to the size (tokens not usable).",
            size_mb=ParamSpec(5, lambda v: 0 < v <= 64, "a number of MiB above 0, up to 64"),
        ),
        _spec(
            "clock_skew",
            "response",
            "Reject as if the request timestamp were off: 401, errorCode 4004.",
        ),
        _spec(
            "rate_limited",
            "response",
            "429 Too Many Requests in the error shape, with a Retry-After header.",
            retry_after_s=ParamSpec(
                5, lambda v: 0 <= v <= 86400, "an integer from 0 to 86400", integer=True
            ),
        ),
        _spec(
            "revoked_token",
            "response",
            "403 in the error shape, as for a revoked token.",
        ),
        _spec(
            "markup_in_error",
            "response",
            "400 in the error shape whose description and errorName are HTML, as a hostile or "
            "broken server might send: the app must show them as text, never as markup.",
        ),
        _spec(
            "expired_id_token",
            "id_token",
            "Answer normally, but the id_token's exp is over an hour in the past.",
        ),
        _spec(
            "bad_signature_id_token",
            "id_token",
            "Answer normally, but the id_token's signature bytes are altered.",
        ),
        _spec(
            "wrong_at_hash_id_token",
            "id_token",
            "Answer normally, but the id_token's at_hash matches no access token.",
        ),
        _spec(
            "alg_none_id_token",
            "id_token",
            'Answer normally, but the id_token is unsigned: {"alg": "none"}, empty signature.',
        ),
    )
}

MAX_TIMES = 1_000_000


@dataclass(frozen=True)
class ActiveScenario:
    spec: ScenarioSpec
    params: Mapping[str, ParamValue]

    @property
    def name(self) -> str:
        return self.spec.name

    def number(self, param: str) -> float:
        return float(self.params[param])


def resolve(
    name: object, times: object, params: Mapping[str, object]
) -> tuple[ActiveScenario, int]:
    """Validate a scenario request and fill in defaults, or raise ScenarioError."""
    if not isinstance(name, str) or name not in SCENARIOS:
        known = ", ".join(SCENARIOS)
        raise ScenarioError(f"Unknown scenario {name!r}; known: {known}")
    spec = SCENARIOS[name]
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_TIMES:
        raise ScenarioError(f"'times' must be an integer from 1 to {MAX_TIMES}, got {times!r}")
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        raise ScenarioError(f"Unknown parameter(s) for scenario '{name}': {', '.join(unknown)}")
    resolved: dict[str, ParamValue] = {}
    for param, param_spec in spec.params.items():
        value = params.get(param, param_spec.default)
        # bool is an int to Python, never to a JSON reader; NaN and infinities are not numbers here.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (param_spec.integer and not isinstance(value, int))
            or not math.isfinite(value)
            or not param_spec.valid(value)
        ):
            raise ScenarioError(f"'{param}' must be {param_spec.rule}, got {value!r}")
        resolved[param] = value
    return ActiveScenario(spec, resolved), times


def describe_all() -> list[dict[str, object]]:
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "params": {param: p.default for param, p in spec.params.items()},
            # The parameters that take whole numbers only (a 5.0 is refused).
            "whole_params": [param for param, p in spec.params.items() if p.integer],
        }
        for spec in SCENARIOS.values()
    ]


class ScenarioState:
    """The one armed scenario and its countdown, shared by all request threads."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._active: ActiveScenario | None = None
        self._remaining = 0
        # The latest use of a drill: which, and when (this machine's clock, UTC). A client that
        # got no answer at all (a reset) learns from it whether a drill was behind that —
        # whoever armed it: the answer can't carry the drill's header.
        self._last_used: dict[str, object] | None = None

    def arm(self, name: object, times: object, params: Mapping[str, object]) -> dict[str, object]:
        """Arm `name`, in place of the drill armed before, if any: what is armed now, and
        what it replaced (`replaced`: None when nothing was armed)."""
        # params is a mapping, not **kwargs: a JSON key like "self" must be an unknown
        # parameter (400), not a TypeError.
        active, count = resolve(name, times, params)
        with self._changed:
            replaced = self._snapshot_locked()
            self._active, self._remaining = active, count
            self._changed.notify_all()
            return {"active": self._snapshot_locked(), "replaced": replaced}

    def clear(self) -> None:
        with self._changed:
            self._active, self._remaining = None, 0
            self._changed.notify_all()

    def reset(self) -> None:
        """Disarm, and forget the last use too (a reset of the whole emulator)."""
        with self._changed:
            self._last_used = None
        self.clear()

    def snapshot(self) -> dict[str, object] | None:
        with self._changed:
            return self._snapshot_locked()

    def last_used(self) -> dict[str, object] | None:
        with self._changed:
            return None if self._last_used is None else dict(self._last_used)

    def _snapshot_locked(self) -> dict[str, object] | None:
        if self._active is None:
            return None
        return {
            "name": self._active.name,
            "remaining": self._remaining,
            "params": dict(self._active.params),
        }

    def take(self, *kinds: Kind) -> ActiveScenario | None:
        """Use up one response of the armed scenario if it is of one of ``kinds``."""
        with self._changed:
            active = self._active
            if active is None or active.spec.kind not in kinds:
                return None
            self._last_used = {
                "name": active.name,
                "kind": active.spec.kind,
                "at": datetime.now(UTC).isoformat(),
            }
            self._remaining -= 1
            if self._remaining <= 0:
                self._active, self._remaining = None, 0
            self._changed.notify_all()
            return active

    def wait_until_used(self, timeout: float) -> bool:
        """Block until no scenario is armed; True if that happened within ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._active is None, timeout)
