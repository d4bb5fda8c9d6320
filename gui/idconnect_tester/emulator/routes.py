"""Which handler answers which path and method, and the pipeline every signed request takes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message

from idconnect_tester import vendor
from idconnect_tester.emulator import control
from idconnect_tester.emulator.auth import SignedRequest, authenticate
from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.discovery import handle_discovery, handle_jwks
from idconnect_tester.emulator.errors import ApiError
from idconnect_tester.emulator.faults import fault_response
from idconnect_tester.emulator.json_body import check_json_content_type, parse_object
from idconnect_tester.emulator.oauth import handle_authorize
from idconnect_tester.emulator.responses import Response
from idconnect_tester.emulator.share_endpoint import handle_share_token
from idconnect_tester.emulator.token_endpoint import handle_token


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    target: str  # the raw request target, exactly as on the request line (what gets signed)
    path: str
    headers: Message
    body: bytes
    has_content_length: bool
    notes: dict[str, str]  # facts for the log line, filled in by handlers


Handler = Callable[[EmulatorContext, IncomingRequest], Response]
SignedEndpoint = Callable[[EmulatorContext, SignedRequest], Response]


def _signed(endpoint: SignedEndpoint) -> Handler:
    """Wrap an endpoint in: framing check, drills, authentication, JSON body parsing."""

    def handle(ctx: EmulatorContext, request: IncomingRequest) -> Response:
        # Oversized and chunked bodies were refused before reading (413/411, see http_server):
        # the body has to be read before its signature can be checked. What is left follows the
        # documented order: authentication first, then the body.
        # Drills apply once the request has been read, before anything checks it: a gateway
        # failing, or a slow network, doesn't care whether the request was any good.
        drill = ctx.scenarios.take("delay", "response")
        if drill is not None:
            request.notes["drill"] = drill.name
            request.notes["drill_kind"] = drill.spec.kind
            if drill.spec.kind == "response":
                return fault_response(drill, request.path)
            # An Event, not sleep: stop() sets it, so stopping never waits out the delay.
            ctx.stopping.wait(drill.number("delay_s"))
        caller = authenticate(
            request.headers, request.method, request.target, request.body, ctx.config, ctx.clock
        )
        if not request.has_content_length:
            raise ApiError(411, "Content-Length is required")
        check_json_content_type(request.headers.get("Content-Type"))
        body = parse_object(request.body)
        return endpoint(ctx, SignedRequest(caller, body, request.notes))

    return handle


def _plain(answer: Callable[[EmulatorContext], Response]) -> Handler:
    return lambda ctx, _request: answer(ctx)


def _control(handler: Handler) -> Handler:
    """A control endpoint: only for tools on this machine (see `control.check_local_caller`)."""

    def handle(ctx: EmulatorContext, request: IncomingRequest) -> Response:
        control.check_local_caller(request.method, request.headers)
        return handler(ctx, request)

    return handle


ROUTES: Mapping[str, Mapping[str, Handler]] = {
    vendor.DISCOVERY_PATH: {"GET": _plain(handle_discovery)},
    vendor.JWKS_PATH: {"GET": _plain(handle_jwks)},
    vendor.AUTHORIZE_PATH: {"GET": lambda ctx, request: handle_authorize(ctx, request.target)},
    vendor.TOKEN_PATH: {"POST": _signed(handle_token)},
    vendor.SHARE_TOKEN_PATH: {"POST": _signed(handle_share_token)},
    control.SCENARIOS_PATH: {"GET": _control(_plain(control.list_scenarios))},
    control.SCENARIO_PATH: {
        "POST": _control(lambda ctx, request: control.arm_scenario(ctx, request.body)),
        "DELETE": _control(_plain(control.clear_scenario)),
    },
    control.RESET_PATH: {"POST": _control(_plain(control.reset))},
}


def route(ctx: EmulatorContext, request: IncomingRequest) -> Response:
    methods = ROUTES.get(request.path)
    if methods is None:
        raise ApiError(404, f"Not found: {request.path[:200]}")
    handler = methods.get(request.method)
    if handler is None:
        allowed = ", ".join(methods)
        raise ApiError(
            405,
            f"Method {request.method[:20]} not allowed; use {allowed}",
            headers=(("Allow", allowed),),
        )
    return handler(ctx, request)
