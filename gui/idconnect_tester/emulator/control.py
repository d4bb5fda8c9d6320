"""The ``/_emulator/*`` control endpoints: arm, clear and list drills; forget all state.

Never signed and never affected by a drill, so a test or a QA engineer can always steer the
emulator, even mid-drill. Only this machine's tools may, though, not a web page open in a
browser here: a page can send a cross-origin form or `text/plain` POST without asking first,
and could arm drills or wipe the emulator's state under a running test. So control requests
must be addressed to a loopback `Host` (a page that rebinds its own name to 127.0.0.1 still
says its name there), must not carry a foreign `Origin`, and POSTs must be
`Content-Type: application/json`, which a browser sends cross-origin only after a preflight
that the emulator never approves.
"""

from __future__ import annotations

import ipaddress
from email.message import Message
from urllib.parse import urlsplit

from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.errors import bad_request, forbidden
from idconnect_tester.emulator.json_body import check_json_content_type, parse_object
from idconnect_tester.emulator.responses import Response, json_response
from idconnect_tester.emulator.scenarios import ScenarioError, describe_all

SCENARIOS_PATH = "/_emulator/scenarios"
# On every answer a drill changed (delayed, replaced, or its id_token): the drill's name.
DRILL_HEADER = "X-Emulator-Drill"
SCENARIO_PATH = "/_emulator/scenario"
RESET_PATH = "/_emulator/reset"


def _is_loopback(hostname: str | None) -> bool:
    """`localhost` or a literal loopback address: names that can't be pointed elsewhere."""
    if not hostname:
        return False
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _loopback_url_host(url: str) -> bool:
    try:
        return _is_loopback(urlsplit(url).hostname)
    except ValueError:
        return False


def check_local_caller(method: str, headers: Message) -> None:
    """Raise an `ApiError` unless the request comes from a tool on this machine (see above)."""
    hosts = headers.get_all("Host") or []
    if len(hosts) != 1 or not _loopback_url_host(f"//{hosts[0].strip()}"):
        raise forbidden(
            "Control requests must be addressed to this machine (Host: 127.0.0.1, [::1] or "
            "localhost)"
        )
    origin = headers.get("Origin")
    if origin is not None and not _loopback_url_host(origin.strip()):
        raise forbidden(f"Control requests from a web page are refused (Origin: {origin[:100]})")
    if method == "POST":
        check_json_content_type(headers.get("Content-Type"))


def list_scenarios(ctx: EmulatorContext) -> Response:
    return json_response(
        200,
        {
            "scenarios": describe_all(),
            "active": ctx.scenarios.snapshot(),
            "last_used": ctx.scenarios.last_used(),
        },
    )


def arm_scenario(ctx: EmulatorContext, body: bytes) -> Response:
    if not body.strip():
        raise bad_request('Body must be a JSON object like {"name": "slow", "times": 1}')
    request = parse_object(body)
    name = request.pop("name", None)
    times = request.pop("times", 1)
    try:
        armed = ctx.scenarios.arm(name, times, request)
    except ScenarioError as exc:
        raise bad_request(str(exc)) from None
    return json_response(200, armed, facts=(("drill", str(name)),))


def clear_scenario(ctx: EmulatorContext) -> Response:
    ctx.scenarios.clear()
    return json_response(200, {"active": None})


def reset(ctx: EmulatorContext) -> Response:
    ctx.store.reset()
    ctx.scenarios.reset()
    return json_response(200, {"reset": True, "active": None})
