"""Tool specs, truncate, and the never-raising dispatcher."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest

from waypost.mail import ipc
from waypost.mail.ipc import write_frame
from waypost.sandbox import Limits, Sandbox, Workspace, call_tool, runner, tool_specs, truncate
from waypost.sandbox.worker import serve

NAMES = ["read_file", "write_file", "edit_file", "list_files", "glob", "grep", "run_command"]


def test_specs_shape() -> None:
    specs = tool_specs()
    assert [s["name"] for s in specs] == NAMES
    for spec in specs:
        assert set(spec) == {"name", "description", "input_schema"}
        assert spec["description"]
        schema = spec["input_schema"]
        assert schema["type"] == "object"
        assert set(schema["required"]) <= set(schema["properties"])
    specs[0]["name"] = "mutated"
    assert tool_specs()[0]["name"] == "read_file"


def test_truncate() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("x" * 10, 10) == "x" * 10
    assert truncate("x" * 25, 10) == "x" * 10 + "\n[truncated: 15 characters omitted]"
    long = "a" * 500 + "[exit code 1]"
    assert truncate(long, 100) == "a" * 75 + "\n[truncated: 413 characters omitted]\n" + (
        "a" * 12 + "[exit code 1]"
    )
    with pytest.raises(ValueError):
        truncate("x", -1)


async def test_roundtrip_through_call_tool(root: Path, workspace: Workspace) -> None:
    sandbox = workspace
    wrote = await call_tool(sandbox, "write_file", {"path": "a/f.txt", "content": "x = 1\n"})
    assert not wrote.is_error, wrote.content
    edit = {"path": "a/f.txt", "old": "1", "new": "2", "replace_all": True}
    assert not (await call_tool(sandbox, "edit_file", edit)).is_error
    read = await call_tool(sandbox, "read_file", {"path": "a/f.txt", "offset": 0, "limit": 5})
    assert read.content == "x = 2\n"
    assert (await call_tool(sandbox, "list_files", {})).content == "a/"
    assert (await call_tool(sandbox, "glob", {"pattern": "**/*.txt"})).content == "a/f.txt"
    grep = await call_tool(sandbox, "grep", {"pattern": "x", "glob": "*.txt"})
    assert grep.content == "a/f.txt:1:x = 2"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("rm_rf", {}, "unknown tool"),
        ("read_file", {}, "missing required argument(s): path"),
        ("read_file", {"path": 3}, "'path' must be a string"),
        ("read_file", {"path": "f", "offset": True}, "'offset' must be an integer"),
        ("read_file", {"path": "f", "offset": 1.5}, "'offset' must be an integer"),
        ("read_file", {"path": "f", "limit": -1}, "must not be negative"),
        ("read_file", {"path": "f", "mode": "r"}, "unknown argument(s): mode"),
        ("edit_file", {"path": "f", "old": "a", "new": "b", "replace_all": 1}, "boolean"),
        ("run_command", {"command": "true", "timeout": float("nan")}, "must be a number"),
        ("run_command", {"command": ["ls"]}, "must be a string"),
        ("read_file", {"path": "../etc/passwd"}, "escapes the sandbox"),
    ],
)
async def test_bad_calls_are_errors(
    workspace: Workspace, name: str, args: dict[str, Any], message: str
) -> None:
    result = await call_tool(workspace, name, args)
    assert result.is_error
    assert message in result.content


async def test_non_dict_input(workspace: Workspace) -> None:
    result = await call_tool(workspace, "read_file", ["path"])  # type: ignore[arg-type]
    assert result.is_error and "must be an object" in result.content


def test_the_worker_answers_unexpected_exceptions_and_goes_on(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(sandbox, "list_files", boom)
    requests = io.BytesIO()
    write_frame(requests, ipc.Frame(1, ipc.TOOL, {"name": "list_files", "args": {}}))
    write_frame(requests, ipc.Frame(2, ipc.TOOL, {"name": "glob", "args": {"pattern": "*"}}))
    requests.seek(0)
    replies = io.BytesIO()
    serve(sandbox, requests, replies)
    first, second = ipc.FrameBuffer().feed(replies.getvalue())
    assert first == ipc.Frame(
        1, ipc.REPLY, {"content": "list_files: internal error: RuntimeError", "is_error": True}
    )
    assert second == ipc.Frame(2, ipc.REPLY, {"content": "no paths match: *", "is_error": False})


async def test_results_are_truncated(root: Path) -> None:
    box = Workspace(root, Limits(max_output_bytes=100), f"sb_{uuid.uuid4().hex}")
    try:
        wrote = await call_tool(box, "write_file", {"path": "big.txt", "content": "y" * 500})
        assert not wrote.is_error, wrote.content
        result = await call_tool(box, "read_file", {"path": "big.txt"})
    finally:
        await box.close()
    assert result.content == "y" * 75 + "\n[truncated: 400 characters omitted]\n" + "y" * 25


async def test_run_command_dispatch_when_unavailable(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "bwrap_status", lambda: (False, "not found on PATH"))
    result = await call_tool(workspace, "run_command", {"command": "true", "timeout": 5})
    assert result.is_error and "run_command is unavailable" in result.content


@pytest.mark.usefixtures("bwrap")
async def test_run_command_dispatch(workspace: Workspace) -> None:
    result = await call_tool(workspace, "run_command", {"command": "echo hi", "timeout": 5})
    assert result.content == "hi\n[exit code 0]"
