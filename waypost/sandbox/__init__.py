"""Sandboxes for agents: confined file tools and run_command under bubblewrap.

Names are imported on first use: the file-tool worker process imports only the few modules
it needs (see waypost.sandbox.worker), not the server side's asyncio machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waypost.sandbox.cache import ReadCache
    from waypost.sandbox.paths import confine
    from waypost.sandbox.runner import bwrap_status
    from waypost.sandbox.sandbox import Sandbox
    from waypost.sandbox.tools import call_tool, tool_specs, truncate
    from waypost.sandbox.types import Limits, ToolError, ToolResult
    from waypost.sandbox.workspace import Workspace

_WHERE = {
    "Limits": "types",
    "ReadCache": "cache",
    "Sandbox": "sandbox",
    "ToolError": "types",
    "ToolResult": "types",
    "Workspace": "workspace",
    "bwrap_status": "runner",
    "call_tool": "tools",
    "confine": "paths",
    "tool_specs": "tools",
    "truncate": "tools",
}

__all__ = [
    "Limits",
    "ReadCache",
    "Sandbox",
    "ToolError",
    "ToolResult",
    "Workspace",
    "bwrap_status",
    "call_tool",
    "confine",
    "tool_specs",
    "truncate",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"waypost.sandbox.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'waypost.sandbox' has no attribute {name!r}")
