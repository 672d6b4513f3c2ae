"""One exception hierarchy for the services; the HTTP layer maps it in one place."""

from __future__ import annotations


class WaypostError(Exception):
    """Base error: a stable snake_case ``code``, a human ``message`` and an HTTP status."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Invalid(WaypostError):
    """The request is malformed or violates a rule."""

    status = 400
    code = "invalid_request"


class Unauthorized(WaypostError):
    """Missing or invalid credentials."""

    status = 401
    code = "unauthorized"


class NotFound(WaypostError):
    """The resource does not exist or belongs to someone else (indistinguishable)."""

    status = 404
    code = "not_found"

    @classmethod
    def of(cls, resource: str) -> NotFound:
        """``NotFound.of("session")`` → ``session_not_found`` / "Session does not exist"."""
        return cls(f"{resource.capitalize()} does not exist", code=f"{resource}_not_found")


class Conflict(WaypostError):
    """The resource is in a state that forbids the action."""

    status = 409
    code = "conflict"


class PayloadTooLarge(WaypostError):
    """The request body is over the configured limit."""

    status = 413
    code = "payload_too_large"
