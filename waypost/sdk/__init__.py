"""The Python SDK: ``Client`` and ``AsyncClient`` over one description of each call."""

from waypost.sdk._client import AsyncClient, Client
from waypost.sdk._exceptions import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
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
]
