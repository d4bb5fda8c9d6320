"""Fault drills through the real window: every emulator scenario, and the network failures a
real API host can produce (closed port, unknown host, untrusted certificate, a server that never
answers, a connection dropped mid-body).

For each drill a user must see the right message in the right panel, Cancel must work while a
request hangs (the window reacts meanwhile), and the next ordinary request must succeed. How
long the window stalls during a slow or huge answer is measured in bench/, not asserted here.
The last test runs the whole list three times in one window and checks nothing is left behind:
tasks, threads, file descriptors, sockets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from tests.support.drills import (
    GatedIssuer,
    OpenHandles,
    RecordingHangingServer,
    open_handles,
)
from tests.support.faulty_servers import (
    closed_port,
    drop_mid_body_server,
    self_signed_certificate,
    tls_json_server,
)
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import (
    add_profile,
    answer_the_question,
    hint_shown,
    text_of,
    token_flow,
    type_into,
)

from idconnect_tester import vendor
from idconnect_tester.core.emulator_drills import drill_note, made_by
from idconnect_tester.core.exchange import Exchange, HintKind, TokenGranted, UnexpectedResponse
from idconnect_tester.core.profile_model import EMULATOR_PROFILE_ID
from idconnect_tester.emulator import EmulatorServer
from idconnect_tester.ui.history_panel import COLUMN
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.theme import colours

WAIT_MS = 30_000
SETTLE_MS = 10_000  # a cancelled `slow` drill's server thread sleeps 3 s before it ends
SECRET = "drill-secret"

# The unresolvable-host drill resolves a name: on an executor of this module's own.
pytestmark = pytest.mark.usefixtures("own_executor")


class DrillBench:
    """One window, signed in on its built-in emulator, with a saved profile for each broken
    server. Drills select a target, press buttons and read panels — as a person would."""

    def __init__(self, window: MainWindow, qtbot, scratch: Path) -> None:
        self.window = window
        self.qtbot = qtbot
        qtbot.waitUntil(lambda: window.emulator.server is not None, timeout=WAIT_MS)
        server = window.emulator.server
        assert server is not None
        self.emulator: EmulatorServer = server
        self.hanging = RecordingHangingServer()
        self.hanging.start()
        self.dropping = drop_mid_body_server().start()
        cert, key = self_signed_certificate(scratch)
        self.tls = tls_json_server(cert, key, b'{"access_token": "never trusted"}').start()
        self.profiles: dict[str, str] = {"emulator": EMULATOR_PROFILE_ID}
        for name, base_url, timeout_s in (
            ("closed port", f"http://127.0.0.1:{closed_port()}", 5.0),
            ("unknown host", "https://nonexistent.invalid", 5.0),
            ("self-signed", f"https://127.0.0.1:{self.tls.port}", 5.0),
            ("hangs 1 s", self.hanging.base_url, 1.0),
            ("hangs 30 s", self.hanging.base_url, 30.0),
            ("drops mid-body", self.dropping.base_url, 5.0),
        ):
            profile = add_profile(window, name, base_url=base_url, timeout_s=timeout_s)
            type_into(qtbot, window.target_panel.secret_key, SECRET)  # into the keyring
            self.profiles[name] = profile.id
        self.use("emulator")
        granted = token_flow(window, qtbot)
        assert isinstance(granted.outcome, TokenGranted), granted.summary()
        window.form.set_grant(vendor.GRANT_REFRESH_TOKEN)  # each Send is now a refresh
        qtbot.waitUntil(self.idle, timeout=WAIT_MS)  # its id_token verified too

    def close(self) -> None:
        for server in (self.hanging, self.dropping, self.tls):
            server.stop()

    # --- acting like a user ---

    def use(self, name: str) -> None:
        combo = self.window.target_panel.profile
        combo.setCurrentIndex(combo.findData(self.profiles[name]))
        assert self.window.targets.current.id == self.profiles[name]

    def idle(self) -> bool:
        controller = self.window.controller
        return not controller.busy and controller.pending_tasks == 0

    def send(self) -> Exchange:
        """Click Send; wait until the exchange is rendered and every task it started (id_token
        verification) is done, and return it."""
        window, qtbot = self.window, self.qtbot
        assert window.form.send_button.isEnabled(), window.form.send_blocked.text()
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as got:
            self.click_send()
        qtbot.waitUntil(self.idle, timeout=WAIT_MS)
        exchange = got.args[0]
        assert isinstance(exchange, Exchange)
        return exchange

    def click_send(self) -> None:
        # The fault profiles are other servers: a refresh token the emulator issued goes there
        # only once the question is answered, as a person drilling them would answer it.
        answer_the_question(yes=True)
        self.qtbot.mouseClick(self.window.form.send_button, Qt.MouseButton.LeftButton)

    def send_then_cancel(self, in_flight: Callable[[], bool]) -> None:
        """Click Send, wait until the request has reached the server, click Cancel: the window
        reacts while the request hangs, the form is usable again at once, and the one exchange
        that arrives is the cancelled one (no late answer)."""
        window, qtbot = self.window, self.qtbot
        arrived: list[Exchange] = []

        def note(exchange: Exchange, *_sent_and_origin: object) -> None:
            arrived.append(exchange)

        window.controller.exchange_finished.connect(note)
        try:
            self.click_send()
            assert window.controller.busy
            assert window.form.cancel_button.isEnabled()
            assert not window.form.send_button.isEnabled()
            qtbot.waitUntil(in_flight, timeout=WAIT_MS)
            qtbot.mouseClick(window.form.cancel_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)
        finally:
            window.controller.exchange_finished.disconnect(note)
        assert [exchange.cancelled for exchange in arrived] == [True]
        assert window.status.text().startswith("Cancelled"), window.status.text()
        assert window.form.send_button.isEnabled()
        assert not window.form.cancel_button.isEnabled()

    def normal_request(self) -> None:
        """The next ordinary request (a refresh on the emulator) works and clears the error."""
        self.use("emulator")
        self.window.form.set_grant(vendor.GRANT_REFRESH_TOKEN)
        exchange = self.send()
        assert isinstance(exchange.outcome, TokenGranted), exchange.summary()
        assert text_of(self.window, "errorStatus") == "No error"
        assert text_of(self.window, "accessTokenField") == exchange.outcome.access_token

    def error_shown(self) -> tuple[str, str, HintKind | None]:
        """The error panel's status and description, and the kind of hint it shows."""
        return (
            text_of(self.window, "errorStatus"),
            text_of(self.window, "errorDescription"),
            hint_shown(self.window),
        )

    def in_front(self, name: str) -> None:
        """Asserts that the panel `name` is on screen; says which panels are when not."""
        shown = [n for n, dock in self.window.docks.items() if not dock.visibleRegion().isEmpty()]
        assert name in shown, f"{name} not on screen; shown: {shown}"

    def raw_response(self) -> str:
        return self.window.raw_panel.response.toPlainText()

    def check(self, row: str) -> str | None:
        return self.window.id_token_panel.check_status(row)


# --- the drills: each arranges, acts, and asserts what a user sees ---


def failed_and_kept_the_token(bench: DrillBench, exchange: Exchange, token: str) -> None:
    assert not exchange.succeeded
    assert bench.window.docks["error"].isVisible()
    # A failed refresh leaves the last good token on display: it is still valid.
    assert text_of(bench.window, "accessTokenField") == token
    # The status bar doesn't let a "200 OK" speak for an answer that could not be used.
    if isinstance(exchange.outcome, UnexpectedResponse):
        assert "unexpected response" in bench.window.status.text()


def emulator_error(name: str, **params: Any) -> Callable[[DrillBench], Exchange]:
    def act(bench: DrillBench) -> Exchange:
        bench.use("emulator")
        token = text_of(bench.window, "accessTokenField")
        bench.emulator.set_scenario(name, **params)
        exchange = bench.send()
        failed_and_kept_the_token(bench, exchange, token)
        # Armed from outside the window (as a script or a copied curl command would): an
        # answer names its drill, so the window tells the staged fault from a real one. A
        # reset connection has no answer to say it: the window asks the emulator which drill
        # it used while the request was on its way (tryout AG: a reset armed with curl went
        # into the History as a real network failure).
        session = bench.window.session
        bench.qtbot.waitUntil(lambda: session.drill_that_made(exchange) == name, timeout=WAIT_MS)
        # Each of these answers is the drill's whole: the server never saw the request.
        said = drill_note(name, cancelled=False, made_up=True)
        assert bench.window.status.text().endswith(said)
        return exchange

    return act


def drill_slow(bench: DrillBench) -> None:
    bench.use("emulator")
    bench.emulator.set_scenario("slow", delay_s=1)
    exchange = bench.send()
    assert isinstance(exchange.outcome, TokenGranted)  # late, but a normal answer
    assert exchange.timings.total_ms >= 1000
    assert text_of(bench.window, "accessTokenField") == exchange.outcome.access_token
    # The wait is explained, but the answer is the server's: not "made by" the drill, nothing
    # staged in the error panel (tryout AC).
    said = bench.window.status.text()
    assert "slow drill" in said and made_by("slow") not in said, said
    assert bench.window.session.drill_that_made(exchange) is None
    # Three seconds is long enough to press Cancel while it waits, short enough that the
    # emulator's handler thread is gone again before the leak check counts threads.
    bench.emulator.set_scenario("slow", delay_s=3)
    bench.send_then_cancel(lambda: bench.emulator.wait_scenario_used(0))
    # The emulator still answers the cancelled request once its delay is over, to a client
    # that has gone: an id_token drill armed before that would go into that answer, not the
    # next drill's. So the next drill waits for it, as a person watching the server would.
    assert bench.emulator.wait_idle(timeout=10)


def drill_server_error_html(bench: DrillBench) -> None:
    emulator_error("server_error_html")(bench)
    status, description, hint = bench.error_shown()
    assert status == "502 Bad Gateway — unexpected response"
    assert "HTML page titled '502 Bad Gateway'" in description
    assert hint is HintKind.SERVER_FAILED
    assert "<h1>502 Bad Gateway</h1>" in bench.raw_response()


def drill_malformed_json(bench: DrillBench) -> None:
    emulator_error("malformed_json")(bench)
    status, description, hint = bench.error_shown()
    assert status == "200 OK — unexpected response"
    assert "The body is not valid JSON" in description
    assert hint is HintKind.UNDOCUMENTED_RESPONSE


def drill_wrong_types(bench: DrillBench) -> None:
    emulator_error("wrong_types")(bench)
    status, description, _ = bench.error_shown()
    assert status == "200 OK — unexpected response"
    assert "access_token is missing" in description
    assert "expires_in is a string" in description


def drill_connection_reset(bench: DrillBench) -> None:
    emulator_error("connection_reset")(bench)
    status, description, hint = bench.error_shown()
    assert status == "Network error: reset"
    assert "Connection reset by peer" in description
    assert hint is HintKind.CONNECTION_DROPPED
    assert bench.raw_response().startswith("No response: reset")


def drill_huge_body(bench: DrillBench) -> None:
    """A 5 MB answer is received whole and shown truncated (the raw panel says how much). It
    once froze the window for 5 s: Qt laid out 256 KB of one line in the raw panel."""
    bench.use("emulator")
    bench.emulator.set_scenario("huge_body", size_mb=5)
    exchange = bench.send()
    assert isinstance(exchange.outcome, TokenGranted)
    assert exchange.response is not None and len(exchange.response.body) == 5 * 1024 * 1024
    assert "5,242,880 bytes in all" in bench.raw_response()
    assert "padding" in text_of(bench.window, "responseNotes")
    assert "5,242,880 bytes" in text_of(bench.window, "responseNotes")  # no plain success
    # History lists the made-up answer as staged, not as a green "granted" (tryout AP).
    table = bench.window.history.panel.table

    def top_outcome() -> str:
        top = table.topLevelItem(0)
        return top.text(COLUMN["Outcome"]) if top is not None else ""

    bench.qtbot.waitUntil(lambda: top_outcome() == "staged", timeout=WAIT_MS)
    top = table.topLevelItem(0)
    assert top is not None
    assert top.foreground(COLUMN["Outcome"]).color() == colours().warning
    assert "no server issued" in top.toolTip(COLUMN["Outcome"])


def id_token_drill(name: str, failing: set[str]) -> Callable[[DrillBench], None]:
    def drill(bench: DrillBench) -> None:
        bench.use("emulator")
        bench.emulator.set_scenario(name)
        id_token_dock = bench.window.docks["idToken"]
        bench.window.docks["history"].raise_()  # a tab in front of the id_token panel
        assert id_token_dock.visibleRegion().isEmpty()
        exchange = bench.send()
        assert isinstance(exchange.outcome, TokenGranted)  # the token itself was granted…
        for row in failing:  # …but its id_token must not be trusted, and the panel says why
            assert bench.check(row) == "fail", row
        assert bench.check("decode") == "pass"
        bench.in_front("idToken")  # like an error, the checks that failed come to the front
        summary = bench.window.id_token_panel.summary.text()
        assert summary.startswith("Do not trust this id_token")
        # Its exp countdown is not green and "live": the time left of an untrusted token.
        assert text_of(bench.window, "idTokenExpiryCountdownState") == "not trusted"
        assert "id_token not trusted" in bench.window.status.text()  # no plain "200 OK"
        # History lists it as no success either, and says which checks failed.
        history = bench.window.history
        bench.qtbot.waitUntil(lambda: history.pending_writes == 0, timeout=WAIT_MS)
        top = history.panel.table.topLevelItem(0)
        assert top is not None
        assert top.text(COLUMN["Outcome"]) == "bad id_token"
        said = top.toolTip(COLUMN["Outcome"])
        assert all(row in said for row in failing), said

    return drill


def drill_clock_skew(bench: DrillBench) -> None:
    emulator_error("clock_skew")(bench)
    status, _, hint = bench.error_shown()
    assert status == "401 Unauthorized"
    assert bench.window.error_panel.api_error.text().startswith("4004")
    assert hint is HintKind.TIMESTAMP_OFF
    assert len(text_of(bench.window, "errorCorrelationId")) == 32


def drill_rate_limited(bench: DrillBench) -> None:
    emulator_error("rate_limited", retry_after_s=7)(bench)
    status, _, hint = bench.error_shown()
    assert status == "429 Too Many Requests"
    assert hint is HintKind.RATE_LIMITED
    assert "7 s" in text_of(bench.window, "errorHint")  # how long to wait, in the panel
    assert "retry-after: 7" in bench.raw_response().lower()


def drill_revoked_token(bench: DrillBench) -> None:
    emulator_error("revoked_token")(bench)
    status, description, hint = bench.error_shown()
    assert status == "403 Forbidden"
    assert description == "Token has been revoked"
    assert hint is HintKind.FORBIDDEN


def network_drill(
    profile: str, kind: str, detail: str, hint: HintKind
) -> Callable[[DrillBench], None]:
    def drill(bench: DrillBench) -> None:
        bench.use(profile)
        token = text_of(bench.window, "accessTokenField")
        exchange = bench.send()
        failed_and_kept_the_token(bench, exchange, token)
        status, description, shown_hint = bench.error_shown()
        assert status == f"Network error: {kind}"
        assert detail in description
        assert shown_hint is hint
        assert bench.raw_response().startswith(f"No response: {kind}")
        # No answer, so no Sumsub code or correlationId: those rows are not shown empty.
        panel = bench.window.error_panel
        assert not panel.correlation.isVisibleTo(panel) and not panel.code.isVisibleTo(panel)
        assert panel.hint.isVisibleTo(panel) and panel.support_button.isVisibleTo(panel)

    return drill


def drill_hang(bench: DrillBench) -> None:
    """Times out after the profile's 1 s; and with a 30 s timeout, Cancel ends it."""
    network_drill("hangs 1 s", "timeout", "no response arrived", HintKind.TIMEOUT)(bench)
    bench.use("hangs 30 s")
    seen = bench.hanging.requests_seen
    bench.send_then_cancel(lambda: bench.hanging.requests_seen > seen)


@dataclass(frozen=True)
class Drill:
    name: str
    run: Callable[[DrillBench], None]


DRILLS = (
    Drill("slow", drill_slow),
    Drill("server_error_html", drill_server_error_html),
    Drill("malformed_json", drill_malformed_json),
    Drill("wrong_types", drill_wrong_types),
    Drill("connection_reset", drill_connection_reset),
    Drill("huge_body", drill_huge_body),
    Drill("expired_id_token", id_token_drill("expired_id_token", {"exp"})),
    Drill("bad_signature_id_token", id_token_drill("bad_signature_id_token", {"signature"})),
    Drill("wrong_at_hash_id_token", id_token_drill("wrong_at_hash_id_token", {"at_hash"})),
    Drill("alg_none_id_token", id_token_drill("alg_none_id_token", {"algorithm", "signature"})),
    Drill("clock_skew", drill_clock_skew),
    Drill("rate_limited", drill_rate_limited),
    Drill("revoked_token", drill_revoked_token),
    Drill(
        "closed_port",
        network_drill("closed port", "refused", "Connect call failed", HintKind.CONNECTION_REFUSED),
    ),
    Drill(
        "unresolvable_host",
        network_drill("unknown host", "dns", "Name or service not known", HintKind.HOST_NOT_FOUND),
    ),
    Drill(
        "tls_self_signed",
        network_drill("self-signed", "tls", "CERTIFICATE_VERIFY_FAILED", HintKind.TLS),
    ),
    Drill("hang_until_timeout", drill_hang),
    Drill(
        "drop_mid_body",
        network_drill(
            "drops mid-body",
            "reset",
            "peer closed connection without sending complete message body",
            HintKind.CONNECTION_DROPPED,
        ),
    ),
)


@pytest.fixture
def bench(window: MainWindow, qtbot, tmp_path: Path) -> Iterator[DrillBench]:
    drills = DrillBench(window, qtbot, tmp_path)
    yield drills
    drills.close()


@pytest.mark.parametrize("drill", DRILLS, ids=[d.name for d in DRILLS])
def test_drill(bench: DrillBench, drill: Drill) -> None:
    drill.run(bench)
    bench.normal_request()


def test_checks_describe_the_id_token_on_display(bench: DrillBench, qtbot) -> None:
    """A verification that finishes late (its issuer was slow to hand out the JWKS) must not
    replace the checks of a newer token: the panel shows 'signature pass' for a forged token
    otherwise. Found by the bad_signature drill failing about one run in ten."""
    window = bench.window
    jwks = httpx.get(bench.emulator.base_url + vendor.JWKS_PATH, trust_env=False).content
    issuer = GatedIssuer(jwks).start()
    try:
        # The same emulator, but keys come from an issuer that is slow to hand out its JWKS.
        add_profile(window, "slow issuer", issuer=issuer.issuer)
        type_into(qtbot, window.target_panel.secret_key, "emulator-secret-key")
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS):
            qtbot.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(issuer.held.is_set, timeout=WAIT_MS)  # its verification now waits
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT_MS)

        bench.use("emulator")  # a newer token, with a forged signature, verified at once
        bench.emulator.set_scenario("bad_signature_id_token")
        with qtbot.waitSignal(window.controller.exchange_finished, timeout=WAIT_MS) as got:
            qtbot.mouseClick(window.form.send_button, Qt.MouseButton.LeftButton)
        forged = got.args[0].outcome
        assert isinstance(forged, TokenGranted)
        qtbot.waitUntil(lambda: bench.check("signature") == "fail", timeout=WAIT_MS)

        issuer.release()  # the older verification completes last
        qtbot.waitUntil(bench.idle, timeout=WAIT_MS)
        assert text_of(window, "idTokenField") == forged.id_token
        assert bench.check("signature") == "fail"
    finally:
        issuer.stop()


def settle(qtbot, loop, limit: OpenHandles) -> OpenHandles:
    """Wait until the process holds no more than `limit` (a cancelled request's server thread
    wakes and ends, a dropped connection is closed); return what it holds then — or, if that
    never happens, what it holds after the wait, for the assertion to report."""
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: open_handles(loop).within(limit), timeout=SETTLE_MS)
    return open_handles(loop)


def test_three_rounds_of_every_drill_leak_nothing(loop, qtbot, tmp_path: Path) -> None:
    """Every drill three times over in one window, then count what the process holds open.

    Allowed to outlive a round: what lives as long as the window — the session emulator and
    its keep-alive connection, a connection pool per target. A drill that leaked a task, a
    thread, a descriptor or a socket per run would leave 17 × 3 of them behind; the counts must
    come back to what they were before the first round (and the first and the last rounds must
    end level), so even one per round would fail."""
    window = open_window(qtbot)
    bench = DrillBench(window, qtbot, tmp_path)
    try:
        before = open_handles(loop)
        rounds = []
        for _ in range(3):
            for drill in DRILLS:
                drill.run(bench)
                bench.normal_request()
            rounds.append(settle(qtbot, loop, before))
        report = "\n".join(
            [f"before:  {before.describe()}"]
            + [f"round {i}: {r.describe()}" for i, r in enumerate(rounds, 1)]
        )
        assert rounds[-1].within(rounds[0]), report
        assert rounds[-1].within(before), report
    finally:
        bench.close()
        close_window(window, qtbot)
