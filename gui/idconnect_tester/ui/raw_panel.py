"""The raw panel: the request exactly as sent (secret-derived headers masked), the response's
status line, headers and body, and the timings."""

from __future__ import annotations

import json
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.exchange import Exchange, NetworkError, SentRequest, Timings
from idconnect_tester.core.session_events import ExchangeView
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import FreshnessLine, mark_stale, read_only_text, titled

# Laying out megabytes of text would freeze the window; the first part is what anyone reads.
DISPLAY_LIMIT_BYTES: Final = 64 * 1024
# Qt lays out a paragraph in one go: a 64 KB one-line body takes seconds. Long lines are shown
# folded into pieces (the exact bytes are in the saved exchange and "Copy response as JSON").
FOLD_AT: Final = 1000


def _fold(text: str) -> str:
    if all(len(line) <= FOLD_AT for line in text.split("\n")):
        return text
    lines: list[str] = []
    for line in text.split("\n"):
        lines += [line[i : i + FOLD_AT] for i in range(0, len(line), FOLD_AT)] or [""]
    return "\n".join(lines) + f"\n\n(lines longer than {FOLD_AT:,} characters are shown folded)"


def _limited(text: str, total_bytes: int) -> str:
    """The first DISPLAY_LIMIT_BYTES worth of `text`, folded, saying what was left out."""
    if len(text) <= DISPLAY_LIMIT_BYTES:
        return _fold(text)
    shown = text[:DISPLAY_LIMIT_BYTES]
    return f"{_fold(shown)}\n\n… {total_bytes:,} bytes in all; only the first part is shown"


def _pretty(text: str) -> str | None:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def format_request(request: SentRequest) -> str:
    path = request.url.split("://", 1)[-1]
    path = "/" + path.split("/", 1)[1] if "/" in path else "/"
    lines = [f"{request.method} {path} HTTP/1.1", f"(to {request.url})"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    lines += ["", _limited(request.body_text, len(request.body))]
    lines += ["", f"TLS verification: {request.tls_verification}"]
    return "\n".join(lines)


def format_timings(timings: Timings) -> str:
    parts = [f"total {timings.total_ms:.1f} ms"]
    for label, value in (
        ("connect", timings.connect_ms),
        ("TLS", timings.tls_ms),
        ("first byte", timings.first_byte_ms),
    ):
        if value is not None:
            parts.append(f"{label} {value:.1f} ms")
    if timings.reused_connection:
        parts.append("connection reused")
    return " · ".join(parts)


class RawPanel(QWidget):
    """`prefix` names the widgets (the history's read-only view has its own, so a script looking
    for `rawRequest` finds the live panel's)."""

    def __init__(self, parent: QWidget | None = None, *, prefix: str = "raw") -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Panel")
        self.freshness = FreshnessLine(f"{prefix}Freshness")
        self.request = read_only_text(f"{prefix}Request", "Raw request as sent")
        self.response = read_only_text(f"{prefix}Response", "Raw response")
        self.pretty = QCheckBox("Pretty-print JSON bodies")
        self.pretty.setObjectName(f"{prefix}PrettyCheck")
        self.pretty.toggled.connect(self._rerender)
        self.timings = QLabel("")
        self.timings.setObjectName(f"{prefix}Timings")
        self.timings.setWordWrap(True)  # a long line must not set the dock's minimum width
        set_tone(self.timings, Tone.MUTED)
        self._exchange: Exchange | None = None

        # Stacked while narrow (a small minimum width); resizeEvent puts them side by side.
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName(f"{prefix}Splitter")
        self.split.addWidget(titled("Request", self.request))
        self.split.addWidget(titled("Response", self.response))
        top = QHBoxLayout()
        top.addWidget(self.timings, 1)
        top.addWidget(self.pretty)
        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(top)
        layout.addWidget(self.split, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Request and response side by side when there is room, one above the other when not."""
        wide = event.size().width() >= self.fontMetrics().horizontalAdvance("M") * 90
        self.split.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        super().resizeEvent(event)

    def show_view(self, view: ExchangeView | None) -> None:
        """The session's latest exchange, with where it came from."""
        self.freshness.show_freshness(view.freshness if view is not None else None)
        mark_stale(self, view.freshness if view is not None else None)
        if view is None:
            self.clear()
        elif isinstance(view.exchange, AuthorizeRecord):
            self.show_authorize(view.exchange)
        else:
            self.show_exchange(view.exchange)

    def show_authorize(self, record: AuthorizeRecord) -> None:
        """The authorize step: the URL that went out, the redirect that came back."""
        self._exchange = None
        self.request.setPlainText(record.request_text())
        self.response.setPlainText(record.response_text())
        self.timings.setText(
            f"Authorize — {record.summary()} — finished {record.finished_at.astimezone():%H:%M:%S}"
        )

    def show_exchange(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._rerender()

    def _rerender(self) -> None:
        exchange = self._exchange
        if exchange is None:
            return
        self.request.setPlainText(
            format_request(exchange.request) if exchange.request else "(nothing was sent)"
        )
        self.response.setPlainText(self._response_text(exchange))
        self.timings.setText(
            f"{exchange.summary()} — {format_timings(exchange.timings)}"
            f" — received {exchange.received_at.astimezone():%H:%M:%S}"
        )

    def _response_text(self, exchange: Exchange) -> str:
        response = exchange.response
        if response is None:
            if isinstance(exchange.outcome, NetworkError):
                return f"No response: {exchange.outcome.kind.value} — {exchange.outcome.message}"
            return "(no response)"
        lines = [f"{response.http_version} {response.status} {response.reason}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        text = response.text
        if self.pretty.isChecked() and len(response.body) <= DISPLAY_LIMIT_BYTES:
            text = _pretty(text) or text
        body = _limited(text, len(response.body))
        if response.truncated:
            body += "\n\n(the client stopped reading: the body exceeded its size limit)"
        lines += ["", body]
        return "\n".join(lines)

    def clear(self) -> None:
        self._exchange = None
        self.request.setPlainText("")
        self.response.setPlainText("")
        self.timings.setText("")
