"""The agent's task list (seed 002's ``tasks_context``): tasks with ``blocks``/``blocked_by``.

Pure functions over the session state's task list, so the runtime stores the
result with the tool result in one transaction.
"""

from __future__ import annotations

import json
from typing import Any

from waypost.db.types import utcnow
from waypost.sandbox import ToolResult

STATES = ("pending", "in_progress", "completed")

TASK_TOOL_SPECS: list[dict[str, Any]] = [
    {
        "name": "task_create",
        "description": "Add a task to your task list; blocked_by lists task ids it waits for.",
        "input_schema": {
            "type": "object",
            "properties": {
                "subject": {"type": "string"},
                "description": {"type": "string"},
                "blocked_by": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["subject"],
        },
    },
    {
        "name": "task_update",
        "description": "Change a task's state (pending, in_progress, completed) or dependencies.",
        "input_schema": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "state": {"type": "string", "enum": list(STATES)},
                "blocked_by": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["id"],
        },
    },
    {
        "name": "task_list",
        "description": "Show your task list with states and dependencies.",
        "input_schema": {"type": "object", "properties": {}},
    },
]
TASK_TOOL_NAMES = frozenset(spec["name"] for spec in TASK_TOOL_SPECS)


def run_task_tool(
    tasks: list[dict[str, Any]], name: str, args: dict[str, Any]
) -> tuple[ToolResult, list[dict[str, Any]]]:
    """Apply one task tool; returns the result and the (possibly) new task list."""
    tasks = [dict(t) for t in tasks]
    by_id = {t["id"]: t for t in tasks}
    if name == "task_list":
        return ToolResult(json.dumps(tasks)), tasks
    if name == "task_create":
        subject = args.get("subject")
        if not isinstance(subject, str) or not subject.strip():
            return ToolResult("task_create: subject is required", True), tasks
        blocked_by = _ids(args.get("blocked_by"))
        unknown = [i for i in blocked_by if i not in by_id]
        if unknown:
            return ToolResult(f"task_create: no such task: {', '.join(unknown)}", True), tasks
        task: dict[str, Any] = {
            "id": f"task_{len(tasks) + 1}",
            "subject": subject.strip(),
            "description": str(args.get("description") or ""),
            "state": "pending",
            "owner": "",
            "blocks": [],
            "blocked_by": blocked_by,
            "metadata": {},
            "created_at": utcnow().isoformat(),
        }
        for blocker in blocked_by:
            by_id[blocker]["blocks"] = [*by_id[blocker]["blocks"], task["id"]]
        tasks.append(task)
        return ToolResult(json.dumps(task)), tasks
    if name == "task_update":
        found = by_id.get(str(args.get("id")))
        if found is None:
            return ToolResult(f"task_update: no such task: {args.get('id')}", True), tasks
        if "blocked_by" in args:
            new = _ids(args.get("blocked_by"))
            if found["id"] in new or any(i not in by_id for i in new):
                return ToolResult(
                    "task_update: blocked_by must name other existing tasks", True
                ), tasks
            for other in tasks:
                other["blocks"] = [b for b in other["blocks"] if b != found["id"]]
                if other["id"] in new:
                    other["blocks"] = [*other["blocks"], found["id"]]
            found["blocked_by"] = new
        state = args.get("state")
        if state is not None:
            if state not in STATES:
                return ToolResult(
                    f"task_update: state must be one of {', '.join(STATES)}", True
                ), tasks
            open_blockers = [b for b in found["blocked_by"] if by_id[b]["state"] != "completed"]
            if state != "pending" and open_blockers:
                message = f"task_update: {found['id']} is blocked by {', '.join(open_blockers)}"
                return ToolResult(message, True), tasks
            found["state"] = state
        return ToolResult(json.dumps(found)), tasks
    return ToolResult(f"unknown tool: {name!r}", True), tasks


def _ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if isinstance(v, str | int)]
