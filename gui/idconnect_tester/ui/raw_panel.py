"""The raw panel: the request exactly as sent (secret-derived headers masked), the response's
status line, headers and body, and the timings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.ui.first_frame import set_qt_property
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import read_only_text, titled

if TYPE_CHECKING:  # loaded with the first exchange, not at start-up
    from idconnect_tester.core.exchange import Exchange, SentRequest, Timings

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
    import json  # not before the first paint (bench/README.md)

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
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rawPanel")
        self.request = read_only_text("rawRequest", "Raw request as sent")
        self.response = read_only_text("rawResponse", "Raw response")
        self.pretty = QCheckBox("Pretty-print JSON bodies")
        self.pretty.setObjectName("rawPrettyCheck")
        self.pretty.toggled.connect(self._rerender)
        self.timings = QLabel("")
        self.timings.setObjectName("rawTimings")
        self.timings.setWordWrap(True)  # a long line must not set the dock's minimum width
        set_tone(self.timings, Tone.MUTED)
        self._exchange: Exchange | None = None

        # Starts stacked (small minimum width); resizeEvent puts them side by side when wide.
        self.split = split = QSplitter()
        set_qt_property(split, "orientation", "Vertical")
        # Kept here, not read back with split.orientation(): resizeEvent runs before the first
        # paint, and reading it returns a `Qt` enum (see first_frame.py).
        self._side_by_side = False
        split.setObjectName("rawSplitter")
        split.addWidget(titled("Request", self.request))
        split.addWidget(titled("Response", self.response))
        top = QHBoxLayout()
        top.addWidget(self.timings, 1)
        top.addWidget(self.pretty)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Request and response side by side when there is room, one above the other when not."""
        wide = event.size().width() >= self.fontMetrics().horizontalAdvance("M") * 90
        if wide != self._side_by_side:
            self._side_by_side = wide
            set_qt_property(self.split, "orientation", "Horizontal" if wide else "Vertical")
        super().resizeEvent(event)

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
            from idconnect_tester.core.exchange import NetworkError

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
