"""Sandboxes for agents: confined file tools and run_command under bubblewrap."""

from waypost.sandbox.cache import ReadCache
from waypost.sandbox.paths import confine
from waypost.sandbox.runner import bwrap_status
from waypost.sandbox.sandbox import Sandbox
from waypost.sandbox.tools import call_tool, tool_specs, truncate
from waypost.sandbox.types import Limits, ToolError, ToolResult

__all__ = [
    "Limits",
    "ReadCache",
    "Sandbox",
    "ToolError",
    "ToolResult",
    "bwrap_status",
    "call_tool",
    "confine",
    "tool_specs",
    "truncate",
]
