"""The emulator's drills, steered over HTTP as any tool would: list them
(`GET /_emulator/scenarios`), arm one for the next N responses (`POST /_emulator/scenario`,
JSON), read what is armed and how many responses it has left, and disarm it (`DELETE`).

Only an emulator on this machine answers these (it refuses control requests addressed to any
other host), so `drills_problem` refuses other targets before anything is sent. What the
emulator answers is checked, not trusted: anything unexpected is a `DrillError` with a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from idconnect_tester.core.target import is_loopback_host, normalise_base_url

if TYPE_CHECKING:  # the caller brings the client: the window imports this without the library
    import httpx

    from idconnect_tester.core.exchange import Exchange

SCENARIOS_PATH: Final = "/_emulator/scenarios"
SCENARIO_PATH: Final = "/_emulator/scenario"
# The emulator names the drill on every answer one changed: a staged outcome is told from a
# real one by the answer itself.
DRILL_HEADER: Final = "X-Emulator-Drill"
MAX_TIMES: Final = 1000  # more than a person arms by hand; the emulator allows far more


class DrillError(Exception):
    """The drills could not be read or changed; the message says why."""


@dataclass(frozen=True)
class Drill:
    name: str
    description: str
    params: dict[str, float] = field(default_factory=dict)  # parameter → default
    whole: frozenset[str] = frozenset()  # the parameters that take whole numbers only


@dataclass(frozen=True)
class ArmedDrill:
    name: str
    remaining: int  # responses it will still change
    params: dict[str, float] = field(default_factory=dict)  # as armed (defaults filled in)
    # Just armed: the drill it took the place of, which will change nothing now (the emulator
    # arms one at a time).
    replaced: ArmedDrill | None = None

    def describe(self) -> str:
        settings = "".join(f", {param_label(k, v)}" for k, v in self.params.items())
        return f"drill armed: {self.name}{settings} ({self.remaining} left)"


_UNITS: Final = {"_s": "s", "_mb": "MB"}


@dataclass(frozen=True)
class StagedBy:
    """What an answer's `X-Emulator-Drill` says (`slow; kind=delay`): the drill that changed
    it, and how. A "delay" only held the server's own answer back: nothing in it is staged."""

    name: str
    kind: str = ""

    @classmethod
    def of(cls, exchange: Exchange) -> StagedBy | None:
        """The drill `exchange`'s answer names, if it came and names one."""
        response = exchange.response
        said = response.header(DRILL_HEADER) if response is not None else None
        if not said:
            return None
        name, _, parameter = said.partition(";")
        key, _, kind = parameter.strip().partition("=")
        return cls(name.strip(), kind.strip() if key == "kind" else "")

    @property
    def delayed_only(self) -> bool:
        return self.kind == "delay"

    @property
    def made_up(self) -> bool:
        """The whole answer is the drill's (not the server's, held back or with another
        id_token): its tokens are no server's."""
        return self.kind == "response"


def made_up_by(exchange: Exchange) -> str | None:
    """The drill that made up `exchange`'s whole answer (not one that only held the server's
    own answer back, or put another id_token in it): its tokens are no server's."""
    staged = StagedBy.of(exchange)
    return staged.name if staged is not None and staged.made_up else None


# Said after a drill's name when the whole answer was the drill's: no server saw the request.
IN_THE_SERVERS_PLACE: Final = "in the server's place"


def made_by(drill: str) -> str:
    """How an outcome a drill staged is said, wherever it is said (status bar, history)."""
    return f"made by the emulator's {drill} drill"


def staged_by(drill: str, *, cancelled: bool, in_the_servers_place: bool = False) -> str:
    """The error panel's "Staged by" row for a step the armed `drill` answered: the outcome,
    on purpose — or, for one the person cancelled, the wait alone. A drill that answered in
    the server's place left the tokens and the code as they were: the advice beside it is for
    a real answer like it (tryout AO: "Press Get code for new tokens" under a staged revoke,
    and the token then refreshed)."""
    if cancelled:
        return f"the wait, by the emulator's {drill} drill — the cancel was yours"
    if in_the_servers_place:
        return (
            f"the emulator's {drill} drill, {IN_THE_SERVERS_PLACE} — the server never saw "
            "this request, and your tokens and code are as they were. What to try is for a "
            "real answer like this one"
        )
    return f"the emulator's {drill} drill — on purpose, not a fault of the server"


def drill_note(
    drill: str, *, cancelled: bool, delayed_only: bool = False, made_up: bool = False
) -> str:
    """What the armed `drill` had to do with the exchange it answered: it made the outcome —
    or, for one the person cancelled while the drill held the answer back (the slow drill),
    only the wait. The cancel was theirs: "made by the drill" listed their own Send as one
    they did not make. A drill that only delayed an answer that came made none of it (tryout
    AC: "200 OK in 8004 ms — made by the emulator's slow drill"). `made_up`: the whole answer
    is the drill's (`StagedBy.made_up`), which the history tells from a real grant."""
    if cancelled:
        return f"while the emulator's {drill} drill held the answer back"
    if delayed_only:
        return f"held back by the emulator's {drill} drill (the answer is the server's)"
    return f"{made_by(drill)}, {IN_THE_SERVERS_PLACE}" if made_up else made_by(drill)


def param_label(name: str, value: float | None = None) -> str:
    """`delay_s` → "delay 3 s" (or "delay (s)" without a value): the unit said, not coded."""
    for suffix, unit in _UNITS.items():
        if name.endswith(suffix):
            base = name.removesuffix(suffix).replace("_", " ")
            return f"{base} ({unit})" if value is None else f"{base} {value:g} {unit}"
    base = name.replace("_", " ")
    return base if value is None else f"{base} {value:g}"


@dataclass(frozen=True)
class DrillUse:
    """The emulator's latest use of a drill: which, of what kind, and when (its clock is this
    machine's: drills are armed only on an emulator here)."""

    name: str
    kind: str
    at: datetime

    def during(self, exchange: Exchange) -> bool:
        """Whether it happened while `exchange` was on its way (give or take the rounding of
        the two clocks' readings)."""
        slack = timedelta(milliseconds=50)
        return exchange.started_at - slack <= self.at <= exchange.received_at + slack


@dataclass(frozen=True)
class DrillState:
    drills: tuple[Drill, ...]
    armed: ArmedDrill | None
    last_used: DrillUse | None = None  # None too from an emulator that does not say


def drills_problem(base_url: str) -> str | None:
    """Why the target at `base_url` can't take drills, or None when it may."""
    try:
        host = urlsplit(base_url.strip()).hostname or ""
    except ValueError:
        host = ""
    if not is_loopback_host(host):
        return (
            f"Drills are armed on an emulator on this machine; {base_url or 'this target'} is "
            "not one. Select the built-in emulator (or a profile for `idconnect-tester "
            "emulator`)."
        )
    return None


def _armed(value: Any) -> ArmedDrill | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("name"), str)
        or not isinstance(value.get("remaining"), int)
    ):
        raise DrillError(f"The emulator described the armed drill oddly: {value!r:.200}")
    return ArmedDrill(value["name"], value["remaining"], _numbers(value.get("params")))


def _last_used(value: Any) -> DrillUse | None:
    """What the emulator says of its latest drill use; None when it says nothing usable (an
    older emulator): it only ever adds to what an answer said itself."""
    if not isinstance(value, dict):
        return None
    name, kind, at = value.get("name"), value.get("kind"), value.get("at")
    if not isinstance(name, str) or not isinstance(at, str):
        return None
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return DrillUse(name, kind if isinstance(kind, str) else "", when)


def _drill(value: Any) -> Drill:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise DrillError(f"The emulator listed a drill oddly: {value!r:.200}")
    whole = value.get("whole_params")
    return Drill(
        value["name"],
        str(value.get("description", "")),
        _numbers(value.get("params")),
        frozenset(str(p) for p in whole) if isinstance(whole, list) else frozenset(),
    )


def _numbers(params: Any) -> dict[str, float]:
    """A drill's parameters as the emulator lists them: the numeric ones (never a bool)."""
    items = params.items() if isinstance(params, dict) else ()
    return {
        str(k): float(v) for k, v in items if isinstance(v, int | float) and not isinstance(v, bool)
    }


async def _call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    *,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    import httpx  # loaded already: the caller's client is one

    from idconnect_tester.core.network_errors import classify

    try:
        response = await http.request(
            method,
            url,
            content=None if body is None else json.dumps(body).encode(),
            headers={} if body is None else {"Content-Type": "application/json"},
            timeout=httpx.USE_CLIENT_DEFAULT if timeout_s is None else timeout_s,
        )
    except httpx.HTTPError as exc:
        failure = classify(exc)
        raise DrillError(
            f"{url} could not be reached ({failure.kind.value}): {failure.message}"
        ) from exc
    try:
        document = response.json()
    except ValueError:
        document = None
    if response.status_code == 404:
        raise DrillError(f"{url} is not there: is this target an ID Connect Tester emulator?")
    if response.status_code != 200 or not isinstance(document, dict):
        said = document.get("description") if isinstance(document, dict) else None
        raise DrillError(f"The emulator answered HTTP {response.status_code}: {said or '…'}")
    return document


async def read_drills(
    http: httpx.AsyncClient, base_url: str, *, timeout_s: float | None = None
) -> DrillState:
    """Every drill the emulator knows, the one armed now (with what it has left), and the
    last one used. `timeout_s`: for a server that may not be an emulator at all (one that
    hangs, say), instead of the client's own."""
    url = normalise_base_url(base_url) + SCENARIOS_PATH
    document = await _call(http, "GET", url, timeout_s=timeout_s)
    listed = document.get("scenarios")
    if not isinstance(listed, list):
        raise DrillError("The emulator's list of drills has no 'scenarios'")
    return DrillState(
        tuple(_drill(item) for item in listed),
        _armed(document.get("active")),
        _last_used(document.get("last_used")),
    )


async def arm_drill(
    http: httpx.AsyncClient,
    base_url: str,
    name: str,
    times: int,
    params: Mapping[str, float | int] | None = None,
) -> ArmedDrill:
    """Arm `name` for the next `times` responses of the signed endpoints, with `params` (the
    emulator's defaults for any left out; it refuses a value out of range, and says why);
    returns what the emulator says is armed."""
    body: dict[str, Any] = {**(params or {}), "name": name, "times": times}
    document = await _call(http, "POST", normalise_base_url(base_url) + SCENARIO_PATH, body)
    armed = _armed(document.get("active"))
    if armed is None:
        raise DrillError(f"The emulator did not arm {name}")
    return replace(armed, replaced=_armed(document.get("replaced")))


async def disarm_drill(http: httpx.AsyncClient, base_url: str) -> None:
    await _call(http, "DELETE", normalise_base_url(base_url) + SCENARIO_PATH)
