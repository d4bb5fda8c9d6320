"""The raw panel: the request exactly as sent (secret-derived headers masked), the response's
status line, headers and body, and the timings.

Long lines wrap on screen only: what the views hold — and so what select-all + copy gives — has
no line break the exchange didn't have, so an id_token copied from here pastes whole into another
tool. Each pane's Copy button gives the whole message as sent or received, however long (the
views show the first 64 KB of a body).

Layout speed: a 64 KB body on one line (a big token, minified JSON) wrapped at word boundaries
costs Qt ~150 ms to lay out and ~90 ms on every resize, because a line with no space gives the
line breaker nothing to work with; wrapped anywhere it costs ~12 ms and ~6 ms. So a message with
such a line wraps anywhere; an everyday one wraps between words ("Bearer" is not cut in two).
"""

from __future__ import annotations

import json
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QTextOption
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from idconnect_tester.core.authorize_record import AuthorizeRecord
from idconnect_tester.core.exchange import (
    Exchange,
    NetworkError,
    ReceivedResponse,
    SentRequest,
    Timings,
)
from idconnect_tester.core.session_events import ExchangeView
from idconnect_tester.core.visible_text import escape_hidden, visible_json
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import (
    CopyButton,
    FreshnessLine,
    PaneSplitter,
    WrappingLabel,
    mark_stale,
    read_only_text,
)

# Laying out megabytes of text would freeze the window; the first part is what anyone reads.
DISPLAY_LIMIT_BYTES: Final = 64 * 1024


def _limited(text: str, total_bytes: int) -> str:
    """The first DISPLAY_LIMIT_BYTES worth of `text`, saying what was left out."""
    if len(text) <= DISPLAY_LIMIT_BYTES:
        return text
    shown = text[:DISPLAY_LIMIT_BYTES]
    return f"{shown}\n\n… {total_bytes:,} bytes in all; only the first part is shown"


def _pretty(text: str) -> str | None:
    """The JSON body indented, its hidden characters (a bidi override, a zero-width space) as
    escapes: once parsed, nothing else shows them for what they are."""
    try:
        return visible_json(json.loads(text))
    except (ValueError, RecursionError):
        return None


# The longest line wrapped between words (see the module's docstring): a few id_tokens' length.
_WORD_WRAP_UP_TO: Final = 8 * 1024


def _show_from_the_top(box: QPlainTextEdit, text: str) -> None:
    """A new exchange reads from its first line. Set while its dock is behind another tab (a
    few pixels tall), the box kept a scroll of a line, and the request line was out of view.
    Characters that can't be seen or that redraw the text around them (a bidi override in an
    error_description) show as their escapes; Copy gives the text as it came."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    box.setWordWrapMode(
        QTextOption.WrapMode.WrapAnywhere
        if longest > _WORD_WRAP_UP_TO
        else QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
    )
    box.setPlainText(escape_hidden(text, keep="\n\r\t"))
    box.verticalScrollBar().setValue(0)


def _request_line(request: SentRequest) -> str:
    path = request.url.split("://", 1)[-1]
    path = "/" + path.split("/", 1)[1] if "/" in path else "/"
    return f"{request.method} {path} HTTP/1.1"


def _header_lines(headers: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{name}: {value}" for name, value in headers]


def format_request(request: SentRequest) -> str:
    """The request as the pane shows it: where it went and how TLS was checked around it."""
    lines = [_request_line(request), f"(to {request.url})", *_header_lines(request.headers)]
    lines += ["", _limited(request.body_text, len(request.body))]
    lines += ["", f"TLS verification: {request.tls_verification}"]
    return "\n".join(lines)


def exact_request(request: SentRequest) -> str:
    """The request as sent, whole (secret-derived headers masked): what Copy gives."""
    return "\n".join(
        [_request_line(request), *_header_lines(request.headers), "", request.body_text]
    )


def exact_response(response: ReceivedResponse) -> str:
    """The response as received, whole and not pretty-printed: what Copy gives."""
    status = f"{response.http_version} {response.status} {response.reason}"
    return "\n".join([status, *_header_lines(response.headers), "", response.text])


def _raw_view(object_name: str, accessible: str) -> QPlainTextEdit:
    """A text view that wraps long lines on screen only (how: `_show_from_the_top`)."""
    return read_only_text(object_name, accessible)


def _pane(title: str, view: QPlainTextEdit, copy: CopyButton) -> QWidget:
    """`view` under a bold title (its buddy) with the Copy button beside the title."""
    box = QWidget()
    label = QLabel(f"<b>{title}</b>")
    label.setBuddy(view)
    top = QHBoxLayout()
    top.addWidget(label, 1)
    top.addWidget(copy)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addLayout(top)
    layout.addWidget(view, 1)
    return box


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
        self.request = _raw_view(f"{prefix}Request", "Raw request as sent")
        self.response = _raw_view(f"{prefix}Response", "Raw response")
        for view in (self.request, self.response):
            # Two lines at the least: they scroll inside; the panel gives way last.
            view.setMinimumHeight(2 * view.fontMetrics().lineSpacing())
        self.copy_request = CopyButton("request as sent")
        self.copy_request.setObjectName(f"{prefix}RequestCopy")
        self.copy_response = CopyButton("response as received")
        self.copy_response.setObjectName(f"{prefix}ResponseCopy")
        self.pretty = QCheckBox("Pretty-print JSON bodies")
        self.pretty.setObjectName(f"{prefix}PrettyCheck")
        self.pretty.toggled.connect(self._rerender)
        self.timings = WrappingLabel("")
        self.timings.setObjectName(f"{prefix}Timings")
        set_tone(self.timings, Tone.MUTED)
        self._exchange: Exchange | None = None

        # Stacked while narrow (a small minimum width); resizeEvent puts them side by side.
        self.split = PaneSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName(f"{prefix}Splitter")
        self.split.addWidget(_pane("Request", self.request, self.copy_request))
        self.split.addWidget(_pane("Response", self.response, self.copy_response))
        top = QHBoxLayout()
        top.addWidget(self.timings, 1)
        top.addWidget(self.pretty)
        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(top)
        layout.addWidget(self.split, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Request and response side by side when there is room across — or when the panel is
        too short to stack them (a laptop's dock) and they can still be half as wide — one
        above the other when not."""
        m_width = self.fontMetrics().horizontalAdvance("M")
        short = event.size().height() < 12 * self.fontMetrics().lineSpacing()
        width = event.size().width()
        wide = width >= m_width * 90 or (short and width >= m_width * 50)
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
        _show_from_the_top(self.request, record.request_text())
        _show_from_the_top(self.response, record.response_text())
        # What is shown is what Copy gives: never the token exchange shown before it.
        self.copy_request.set_value(record.request_text())
        self.copy_response.set_value(record.response_text())
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
        _show_from_the_top(
            self.request,
            format_request(exchange.request) if exchange.request else "(nothing was sent)",
        )
        self.copy_request.set_value(exact_request(exchange.request) if exchange.request else "")
        _show_from_the_top(self.response, self._response_text(exchange))
        response = exchange.response
        self.copy_response.set_value(exact_response(response) if response is not None else "")
        self.timings.setText(
            f"{exchange.summary()} — {format_timings(exchange.timings)}"
            f" — received {exchange.received_at.astimezone():%H:%M:%S}"
        )

    def _response_text(self, exchange: Exchange) -> str:
        response = exchange.response
        if response is None:
            failure = exchange.outcome
            if isinstance(failure, NetworkError):
                how = exchange.summary().lower() if exchange.cancelled else failure.kind.value
                return f"No response: {how} — {failure.message}"
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
        self.copy_request.set_value("")
        self.copy_response.set_value("")
        self.timings.setText("")
