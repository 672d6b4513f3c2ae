"""Waypost: a self-hosted server for AI-agent sessions.

The public names here are the SDK: ``Client``, ``AsyncClient`` and the errors. They are
imported on first use, so that a process needing one small part of the package (a sandbox's
tool worker, say) does not pay for the SDK's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        return getattr(importlib.import_module("waypost.sdk"), name)
    raise AttributeError(f"module 'waypost' has no attribute {name!r}")
