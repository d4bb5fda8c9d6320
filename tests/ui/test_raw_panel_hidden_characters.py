"""The raw panel's pretty-printed JSON shows a hidden character (a bidi override) as the escape
that spells it, as the id_token panes do; Copy still gives the response exactly as received."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from PySide6.QtGui import QGuiApplication

from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    ReceivedResponse,
    Timings,
)
from idconnect_tester.ui.raw_panel import RawPanel

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def answered(body: dict[str, str]) -> Exchange:
    now = datetime.now(UTC)
    response = ReceivedResponse(
        status=400,
        reason="Bad Request",
        http_version="HTTP/1.1",
        headers=(("content-type", "application/json"),),
        body=json.dumps(body, ensure_ascii=False).encode(),  # the override as UTF-8
    )
    return Exchange(
        endpoint=Endpoint.TOKEN,
        request=None,
        response=response,
        outcome=ApiError(status=400, description=body["description"]),
        timings=Timings(total_ms=5.0),
        started_at=now,
        received_at=now,
    )


def test_pretty_printed_json_shows_a_bidi_override_as_its_escape(qtbot) -> None:
    body = {"description": f"Invalid {RLO}txt.exe", "n\u200bame": "José 東京"}
    panel = RawPanel()
    qtbot.addWidget(panel)
    panel.show_exchange(answered(body))
    panel.pretty.setChecked(True)

    shown = panel.response.toPlainText()
    assert RLO not in shown and "\u200b" not in shown
    assert '"description": "Invalid \\u202etxt.exe"' in shown
    assert '"n\\u200bame": "José 東京"' in shown  # in a key too; letters stay
    pretty = shown.split("\n\n", 1)[1]  # the body, after the status line and headers
    assert json.loads(pretty) == body  # the same value

    panel.copy_response.click()  # Copy gives the bytes as received, never pretty-printed
    assert QGuiApplication.clipboard().text().endswith(json.dumps(body, ensure_ascii=False))
