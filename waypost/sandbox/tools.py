"""Tool descriptions for the model and a never-raising dispatcher."""

from __future__ import annotations

import copy
import math
from typing import Any, Protocol

from waypost.sandbox.sandbox import Sandbox
from waypost.sandbox.types import ToolError, ToolResult


def truncate(text: str, limit: int) -> str:
    """Keep `limit` characters of `text`: its start and, past 100, a quarter from its end.

    The end of a tool's output is where the verdict is (a command's exit code or timeout,
    a compiler's last error), so a long result keeps it; the marker says what was dropped.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    if len(text) <= limit:
        return text
    tail = limit // 4 if limit >= 100 else 0
    head = limit - tail
    dropped = f"[truncated: {len(text) - limit} characters omitted]"
    if not tail:
        return f"{text[:head]}\n{dropped}"
    return f"{text[:head]}\n{dropped}\n{text[len(text) - tail :]}"


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


_PATH = {"type": "string", "description": "Path relative to the sandbox root."}

_SPECS: list[dict[str, Any]] = [
    {
        "name": "read_file",
        "description": "Read a text file in the sandbox. offset/limit select lines (0-based).",
        "input_schema": _obj(
            {
                "path": _PATH,
                "offset": {"type": "integer", "minimum": 0, "description": "First line (0-based)."},
                "limit": {"type": "integer", "minimum": 0, "description": "Number of lines."},
            },
            ["path"],
        ),
    },
    {
        "name": "write_file",
        "description": "Create or overwrite a file (parent directories are created).",
        "input_schema": _obj({"path": _PATH, "content": {"type": "string"}}, ["path", "content"]),
    },
    {
        "name": "edit_file",
        "description": (
            "Replace the exact string `old` with `new` in a file. `old` must occur exactly once "
            "unless replace_all is true."
        ),
        "input_schema": _obj(
            {
                "path": _PATH,
                "old": {"type": "string"},
                "new": {"type": "string"},
                "replace_all": {"type": "boolean", "default": False},
            },
            ["path", "old", "new"],
        ),
    },
    {
        "name": "list_files",
        "description": "List a directory ('/' marks directories).",
        "input_schema": _obj({"path": {**_PATH, "default": "."}}, []),
    },
    {
        "name": "glob",
        "description": "Find paths matching a glob pattern such as 'src/**/*.py'.",
        "input_schema": _obj({"pattern": {"type": "string"}}, ["pattern"]),
    },
    {
        "name": "grep",
        "description": (
            "Search files for a Python regular expression; prints file:line:text. "
            "`glob` filters files (a bare pattern like '*.py' matches file names)."
        ),
        "input_schema": _obj(
            {
                "pattern": {"type": "string"},
                "path": {**_PATH, "default": "."},
                "glob": {"type": "string"},
            },
            ["pattern"],
        ),
    },
    {
        "name": "run_command",
        "description": (
            "Run a bash command in /workspace (the sandbox) without network access. "
            "Output is capped; the exit code is reported."
        ),
        "input_schema": _obj(
            {
                "command": {"type": "string"},
                "timeout": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "description": "Seconds; cannot exceed the sandbox limit.",
                },
            },
            ["command"],
        ),
    },
]


def tool_specs() -> list[dict[str, Any]]:
    """JSON-schema descriptions of the seven sandbox tools (a fresh copy)."""
    return copy.deepcopy(_SPECS)


# the same, shared and never to be changed (the agent loop reads them every turn)
SANDBOX_TOOL_SPECS: tuple[dict[str, Any], ...] = tuple(copy.deepcopy(_SPECS))


_BY_NAME = {spec["name"]: spec for spec in _SPECS}


def _validate(name: str, args: dict[str, Any]) -> None:
    """Check `args` against the tool's schema (types, required, unknown keys)."""
    schema = _BY_NAME[name]["input_schema"]
    props: dict[str, dict[str, Any]] = schema["properties"]
    unknown = sorted(set(args) - set(props))
    if unknown:
        raise ToolError(f"{name}: unknown argument(s): {', '.join(unknown)}")
    missing = [k for k in schema["required"] if k not in args]
    if missing:
        raise ToolError(f"{name}: missing required argument(s): {', '.join(missing)}")
    for key, value in args.items():
        kind = props[key]["type"]
        if kind == "string":
            ok = isinstance(value, str)
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif kind == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:  # number
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            )
        if not ok:
            article = "an" if kind == "integer" else "a"
            raise ToolError(f"{name}: argument {key!r} must be {article} {kind}")
        if kind in ("integer", "number") and value < 0:
            raise ToolError(f"{name}: argument {key!r} must not be negative")


FILE_TOOLS = frozenset(_BY_NAME) - {"run_command"}


def check_call(name: object, input: object) -> None:
    """Refuse an unknown tool or arguments that do not fit its schema (ToolError)."""
    if not isinstance(name, str) or name not in _BY_NAME:
        raise ToolError(f"unknown tool: {name!r}")
    if not isinstance(input, dict):
        raise ToolError(f"{name}: input must be an object")
    _validate(name, input)


def run_file_tool(sandbox: Sandbox, name: str, a: dict[str, Any]) -> ToolResult:
    """Run a checked file-tool call in this process (the worker's side); output capped."""
    check_call(name, a)
    if name == "read_file":
        result = sandbox.read_file(a["path"], a.get("offset", 0), a.get("limit"))
    elif name == "write_file":
        result = sandbox.write_file(a["path"], a["content"])
    elif name == "edit_file":
        result = sandbox.edit_file(a["path"], a["old"], a["new"], a.get("replace_all", False))
    elif name == "list_files":
        result = sandbox.list_files(a.get("path", "."))
    elif name == "glob":
        result = sandbox.glob(a["pattern"])
    elif name == "grep":
        result = sandbox.grep(a["pattern"], a.get("path", "."), a.get("glob"))
    else:
        raise ToolError(f"{name} is not a file tool")
    return ToolResult(truncate(result.content, sandbox.limits.max_output_bytes), result.is_error)


class ToolHost(Protocol):
    """Where tool calls run: the server's Workspace (file tools in a worker process)."""

    async def run_command(
        self,
        command: str,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the tool's interface
    ) -> ToolResult: ...

    async def file_tool(self, name: str, args: dict[str, Any]) -> ToolResult: ...


async def call_tool(host: ToolHost, name: str, input: dict[str, Any]) -> ToolResult:
    """Dispatch a tool call by name; bad calls come back as error results, never exceptions."""
    try:
        check_call(name, input)
        if name == "run_command":  # already capped in bytes, with its own marker
            return await host.run_command(input["command"], input.get("timeout"))
        return await host.file_tool(name, input)
    except ToolError as exc:
        return ToolResult(str(exc), is_error=True)
    except Exception as exc:
        return ToolResult(f"{name}: internal error: {type(exc).__name__}", is_error=True)
