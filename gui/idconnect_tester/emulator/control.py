"""The ``/_emulator/*`` control endpoints: arm, clear and list drills; forget all state.

Never signed and never affected by a drill, so a test or a QA engineer can always steer the
emulator, even mid-drill.
"""

from __future__ import annotations

from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.errors import bad_request
from idconnect_tester.emulator.json_body import parse_object
from idconnect_tester.emulator.responses import Response, json_response
from idconnect_tester.emulator.scenarios import ScenarioError, describe_all

SCENARIOS_PATH = "/_emulator/scenarios"
SCENARIO_PATH = "/_emulator/scenario"
RESET_PATH = "/_emulator/reset"


def list_scenarios(ctx: EmulatorContext) -> Response:
    return json_response(200, {"scenarios": describe_all(), "active": ctx.scenarios.snapshot()})


def arm_scenario(ctx: EmulatorContext, body: bytes) -> Response:
    # Any Content-Type is accepted here: `curl -d '{"name": "slow"}'` sends a form type.
    if not body.strip():
        raise bad_request('Body must be a JSON object like {"name": "slow", "times": 1}')
    request = parse_object(body)
    name = request.pop("name", None)
    times = request.pop("times", 1)
    try:
        active = ctx.scenarios.arm(name, times, request)
    except ScenarioError as exc:
        raise bad_request(str(exc)) from None
    return json_response(200, {"active": active}, facts=(("drill", str(name)),))


def clear_scenario(ctx: EmulatorContext) -> Response:
    ctx.scenarios.clear()
    return json_response(200, {"active": None})


def reset(ctx: EmulatorContext) -> Response:
    ctx.store.reset()
    ctx.scenarios.clear()
    return json_response(200, {"reset": True, "active": None})
