"""Sumsub's error shape, and the exception that carries one through the handlers."""

from __future__ import annotations

import secrets


def new_correlation_id() -> str:
    """A fresh id like the vendor's: 32 lowercase hex characters."""
    return secrets.token_hex(16)


class ApiError(Exception):
    """A failure to answer as ``{code, correlationId, description[, errorCode, errorName]}``.

    Endpoint code raises it; the server turns it into the response, so every failure of the
    signed endpoints has the same shape whatever check produced it.
    """

    def __init__(
        self,
        status: int,
        description: str,
        *,
        error_code: int | None = None,
        error_name: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.error_code = error_code
        self.error_name = error_name
        self.headers = headers

    def payload(self, correlation_id: str) -> dict[str, object]:
        """The JSON body, with keys in the vendor's order."""
        body: dict[str, object] = {
            "code": self.status,
            "correlationId": correlation_id,
            "description": self.description,
        }
        if self.error_code is not None:
            body["errorCode"] = self.error_code
        if self.error_name is not None:
            body["errorName"] = self.error_name
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, description)


def unauthorized(description: str) -> ApiError:
    return ApiError(401, description)


def forbidden(description: str) -> ApiError:
    return ApiError(403, description)
