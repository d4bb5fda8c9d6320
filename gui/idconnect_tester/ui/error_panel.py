"""The error panel: what failed, Sumsub's error fields, and what to try next.

"Copy for support" copies only what Sumsub support needs to find the request on their side —
status, code, correlationId, description, time and endpoint — never a secret or a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QWidget

from idconnect_tester.ui.first_frame import set_qt_property
from idconnect_tester.ui.theme import Tone, set_tone
from idconnect_tester.ui.widgets import ValueField

if TYPE_CHECKING:  # loaded with the first exchange, not at start-up
    from idconnect_tester.core.exchange import Exchange, Hint


class ShownError(NamedTuple):  # not a dataclass: see first_frame.py
    """Everything the panel displays, whatever produced it (an exchange or the authorize step)."""

    status: str
    description: str
    hint: Hint | None = None
    code: str = ""
    correlation_id: str = ""
    api_error: str = ""  # errorCode / errorName
    endpoint: str = ""
    time: str = ""


def _status_text(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def error_from_exchange(exchange: Exchange) -> ShownError | None:
    """The error to show for an exchange, or None when it succeeded."""
    from idconnect_tester.core.exchange import ApiError, NetworkError, NotSent, UnexpectedResponse

    outcome = exchange.outcome
    common = {
        "hint": exchange.hint,
        "endpoint": exchange.request.url if exchange.request else exchange.endpoint.value,
        "time": f"{exchange.received_at:%Y-%m-%d %H:%M:%S} UTC",
    }
    match outcome:
        case ApiError():
            api = " ".join(
                str(part) for part in (outcome.error_code, outcome.error_name) if part is not None
            )
            return ShownError(
                status=_status_text(outcome.status),
                description=outcome.description,
                code="" if outcome.code is None else str(outcome.code),
                correlation_id=outcome.correlation_id or "",
                api_error=api,
                **common,  # type: ignore[arg-type]
            )
        case NetworkError():
            return ShownError(
                status=f"Network error: {outcome.kind.value}",
                description=outcome.message,
                **common,  # type: ignore[arg-type]
            )
        case UnexpectedResponse():
            return ShownError(
                status=f"{_status_text(outcome.status)} — unexpected response",
                description="\n".join(f"• {p}" for p in outcome.problems),
                **common,  # type: ignore[arg-type]
            )
        case NotSent():
            return ShownError(
                status="Not sent",
                description=outcome.reason,
                **common,  # type: ignore[arg-type]
            )
    return None


class ErrorPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPanel")
        self._shown: ShownError | None = None

        def value_label(name: str, accessible: str) -> QLabel:
            label = QLabel()
            label.setObjectName(name)
            label.setAccessibleName(accessible)
            label.setWordWrap(True)
            set_qt_property(label, "textInteractionFlags", "TextSelectableByMouse")
            return label

        self.status = value_label("errorStatus", "Error status")
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.code = value_label("errorCode", "Sumsub error code")
        # Elided in the middle when the dock is narrow (a 32-character id doesn't wrap, and
        # forced a sideways scrollbar); Copy and the tooltip have it whole.
        self.correlation = ValueField("errorCorrelationId", "correlationId")
        self.description = value_label("errorDescription", "Error description")
        self.api_error = value_label("errorApiCode", "errorCode and errorName")
        self.hint = value_label("errorHint", "What to try")
        set_qt_property(self.hint, "textFormat", "RichText")
        self.support_button = QPushButton("Copy for support")
        self.support_button.setObjectName("copyForSupportButton")
        self.support_button.setToolTip(
            "Copy status, code, correlationId, description, time and endpoint (no secrets)"
        )
        self.support_button.clicked.connect(self.copy_for_support)

        form = QFormLayout(self)
        # In a narrow dock the labels go above their values instead of forcing a scrollbar.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Status", self.status)
        form.addRow("code", self.code)
        form.addRow("correlationId", self.correlation)
        form.addRow("description", self.description)
        self._api_label = QLabel("errorCode")
        form.addRow(self._api_label, self.api_error)
        form.addRow("What to try", self.hint)
        form.addRow("", self.support_button)
        self.clear()

    @property
    def shown(self) -> ShownError | None:
        return self._shown

    def clear(self) -> None:
        self._shown = None
        self.status.setText("No error")
        set_tone(self.status, Tone.MUTED)
        for label in (self.code, self.description, self.api_error, self.hint):
            label.setText("")
        self.correlation.set_value("")
        self.correlation.label.setToolTip("")
        self._api_label.setVisible(False)
        self.api_error.setVisible(False)
        self.support_button.setEnabled(False)

    def show_error(self, error: ShownError) -> None:
        self._shown = error
        self.status.setText(error.status)
        set_tone(self.status, Tone.ERROR)
        self.code.setText(error.code)
        self.correlation.set_value(error.correlation_id)
        self.correlation.label.setToolTip(error.correlation_id)
        self.description.setText(error.description)
        self.api_error.setText(error.api_error)
        self._api_label.setVisible(bool(error.api_error))
        self.api_error.setVisible(bool(error.api_error))
        if error.hint is not None:
            self.hint.setText(f"<b>{_escape(error.hint.title)}.</b> {_escape(error.hint.advice)}")
        else:
            self.hint.setText("")
        self.support_button.setEnabled(True)

    def show_exchange(self, exchange: Exchange) -> None:
        shown = error_from_exchange(exchange)
        if shown is None:
            self.clear()
        else:
            self.show_error(shown)

    def support_text(self) -> str:
        error = self._shown
        if error is None:
            return ""
        lines = [
            f"Status: {error.status}",
            f"code: {error.code or '—'}",
            f"correlationId: {error.correlation_id or '—'}",
            f"description: {error.description}",
        ]
        if error.api_error:
            lines.append(f"errorCode/errorName: {error.api_error}")
        lines += [f"Time: {error.time}", f"Endpoint: {error.endpoint}"]
        return "\n".join(lines)

    def copy_for_support(self) -> None:
        QGuiApplication.clipboard().setText(self.support_text())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
