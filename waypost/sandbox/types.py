"""Value types shared by the sandbox modules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to one sandbox."""

    command_timeout_seconds: float = 60.0
    tool_timeout_seconds: float = 20.0  # a file tool call (read, write, grep, glob…)
    max_output_bytes: int = 100_000  # combined stdout+stderr kept (rest truncated with a marker)
    cpu_seconds: int = 60  # RLIMIT_CPU
    memory_bytes: int = 2 * 1024**3  # RLIMIT_AS
    max_file_bytes: int = 10 * 1024**2  # largest file read/written by file tools
    max_processes: int = 256  # RLIMIT_NPROC (best effort: not enforced for root)


@dataclass(frozen=True)
class ToolResult:
    """What a tool hands back to the agent."""

    content: str
    is_error: bool = False


class ToolError(Exception):
    """A refused or failed tool call; the message is shown to the agent."""
