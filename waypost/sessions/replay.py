"""Replay steps (seed 000): the timeline read back as inputs and outputs of each step."""

from __future__ import annotations

from typing import Any

from waypost.db.models import Event

# Which keys of an event's data were the step's input; the rest is its output.
INPUT_KEYS: dict[str, tuple[str, ...]] = {
    "session.created": ("name",),
    "inbox.created": (),
    "email.received": ("inbox_id",),
    "wait.created": ("inbox_id", "wait_type", "timeout_seconds", "criteria"),
    "wait.completed": ("wait_id", "inbox_id"),
    "wait.timed_out": ("wait_id", "inbox_id"),
    "wait.cancelled": ("wait_id", "inbox_id"),
    "extraction.completed": ("email_id", "extraction_type"),
    "extraction.assisted": ("email_id", "extraction_type", "model"),
    "workflow.started": ("workflow",),
    "session.completed": (),
    "session.failed": ("reason",),
}


def replay_step(event: Event) -> dict[str, Any]:
    """One step: ``{seq, type, timestamp, input, output}``."""
    keys = INPUT_KEYS.get(event.type, ())
    data = event.data or {}
    return {
        "seq": event.seq,
        "type": event.type,
        "timestamp": event.timestamp,
        "description": event.description,
        "input": {k: data[k] for k in keys if k in data},
        "output": {k: v for k, v in data.items() if k not in keys},
    }
