"""``reexecute``: run an agent session again from its record and find the first divergence.

The new session, in the original's sandbox with the original's agent, gets the original's
user messages one run at a time. The model's turns are the recorded ones (``model:
"recorded"``, the default) — or, with ``model: "agent"``, the agent's own model, allowed
only for the scripted provider, which is deterministic and makes no network call, so a
changed script is what the divergence shows. Tool results, mail read through the tools and
approvals come from the record (see waypost.replay.playback). The two timelines are then
compared event by event: what the agent said, which tools it called with which input, what
came back, approvals, how each run ended. Streaming chunks (``text_delta``), ids, token
counts and timestamps written into results are left out, as are the events of delegated
members (their answers are recorded as the ``delegate`` results).

A session whose context was compacted re-executes with divergence at the compaction: the
summary the model wrote is not in the record as a message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from waypost.db.models import Event
from waypost.db.models import Session as SessionRow
from waypost.errors import Conflict, Invalid, WaypostError
from waypost.replay.playback import Playback
from waypost.replay.service import ReplayOutcome, ReplayRequest, linked_session

if TYPE_CHECKING:
    from waypost.services import Services

# which events are compared, and the keys of their data that are (a ``None``: all but
# the volatile ones)
COMPARED: dict[str, tuple[str, ...] | None] = {
    "text_complete": ("text",),
    "tool_use_complete": ("id", "name", "input"),
    "tool_result": ("tool_use_id", "name", "content", "is_error"),
    "approval_required": ("tool_use_id", "name", "input"),
    "model_fallback": ("error", "to"),
    "context_compacted": ("messages_summarised", "summary_chars"),
    "session_completed": ("stop_reason", "iterations"),
    "session_failed": ("error",),
    "session_interrupted": (),
}


async def reexecute(
    svc: Services, user_id: str, original: SessionRow, req: ReplayRequest
) -> ReplayOutcome:
    if original.agent_id is None or original.sandbox_id is None:
        raise Conflict(
            "Only an agent session (one in a sandbox) can be re-executed",
            code="not_an_agent_session",
        )
    if original.run_status == "running":
        raise Conflict("A run is going in this session: re-execute it when it ends", "session_busy")
    agent = await svc.agents.get(user_id, original.agent_id)
    use_agent = req.model == "agent"
    if use_agent and agent.chat_model_config.get("type") != "scripted":
        raise Invalid(
            'model "agent" re-executes with the agent\'s own model only when it is the '
            "scripted provider (no network); use the recorded model"
        )
    playback = Playback.from_messages(
        await svc.conversations.messages(original.id), use_recorded_model=not use_agent
    )
    if not playback.prompts:
        raise Conflict("This session has no message to re-execute", code="nothing_to_replay")
    new = await linked_session(svc, user_id, original, "reexecute", sandbox=True)
    for prompt in playback.prompts:
        try:
            await svc.conversations.send(user_id, new.id, prompt, wait=True, playback=playback)
        except WaypostError:
            pass  # the run failed: its session_failed is on the timeline, compared below
    recorded = await _compared_events(svc, original.id)
    replayed = await _compared_events(svc, new.id)
    return ReplayOutcome(
        new.id,
        first_divergence(recorded, replayed),
        {"compared_events": len(recorded), "model": "agent" if use_agent else "recorded"},
    )


async def _compared_events(svc: Services, session_id: str) -> list[dict[str, Any]]:
    async with svc.db.read() as s:
        rows = (
            await s.execute(
                select(Event)
                .where(Event.session_id == session_id, Event.type.in_(list(COMPARED)))
                .order_by(Event.seq)
            )
        ).scalars()
        return [
            {"seq": e.seq, "type": e.type, "data": e.data or {}}
            for e in rows
            if "member" not in (e.data or {})  # a delegated member's, mirrored
        ]


# a time written into a result (a task's created_at) is when it ran, not what it did
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def _essence(event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    keys = COMPARED[event["type"]]
    data = event["data"]
    return event["type"], {k: _timeless(data.get(k)) for k in keys or ()}


def _timeless(value: Any) -> Any:
    return _TIMESTAMP.sub("<time>", value) if isinstance(value, str) else value


def first_divergence(
    recorded: list[dict[str, Any]], replayed: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The first compared event where the two runs differ (or one has no counterpart)."""
    for position in range(max(len(recorded), len(replayed))):
        left = recorded[position] if position < len(recorded) else None
        right = replayed[position] if position < len(replayed) else None
        if left is not None and right is not None and _essence(left) == _essence(right):
            continue
        return {
            "position": position,
            "type": (left or right or {}).get("type"),
            "original": left,
            "reexecuted": right,
        }
    return None
