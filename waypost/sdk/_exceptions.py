"""One exception hierarchy: catch ``WaypostSDKError`` for everything, or a precise subclass."""

from __future__ import annotations

from typing import Any


class WaypostSDKError(Exception):
    """Base of every SDK error."""


class APIConnectionError(WaypostSDKError):
    """The server could not be reached."""


class APIError(WaypostSDKError):
    """The server answered with an error: ``status``, ``error`` code and ``message``."""

    def __init__(self, status: int, error: str, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.body = body


class BadRequestError(APIError):
    """400: the request was invalid."""


class AuthenticationError(APIError):
    """401: missing, unknown or revoked API key."""


class NotFoundError(APIError):
    """404: no such resource (or not yours)."""


class ConflictError(APIError):
    """409: the resource's state forbids the call."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
}


def error_for(status: int, body: Any) -> APIError:
    """The exception matching an error response."""
    error, message = "http_error", f"HTTP {status}"
    if isinstance(body, dict):
        error = str(body.get("error", error))
        message = str(body.get("message", message))
    return _BY_STATUS.get(status, APIError)(status, error, message, body)
