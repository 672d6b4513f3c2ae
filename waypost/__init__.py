"""Waypost: a self-hosted server for AI-agent sessions.

The public names here are the SDK: ``Client``, ``AsyncClient`` and the errors.
"""

from __future__ import annotations

__version__ = "0.1.0"

from waypost.sdk import (
    APIConnectionError,
    APIError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    NotFoundError,
    WaypostSDKError,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "NotFoundError",
    "WaypostSDKError",
    "__version__",
]
