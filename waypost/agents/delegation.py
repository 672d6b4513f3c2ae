"""Delegation: a team's leader hands a task to a member, who runs it in a child session.

The child session lives in the leader's sandbox (``source: "delegation"``, its
``parent_session_id`` the leader's session, the team's id). The member's own agent runs
it, under the member's permission rules. What the member streams is mirrored onto the
leader's session, tagged with ``member`` and ``member_session_id``, so one ``/stream`` of
the leader's session shows the whole team at work; the member's final answer is the
``delegate`` call's result, and its failure an ``is_error`` result (never the leader's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from waypost.agents.contexts import DELEGATE_TOOL
from waypost.db.models import Agent, Team
from waypost.db.models import Message as MessageRow
from waypost.db.models import Session as SessionRow
from waypost.db.rows import row_values
from waypost.errors import WaypostError
from waypost.events.log import NewEvent
from waypost.sandbox import ToolResult
from waypost.sessions.service import SessionLinks, new_session_row

if TYPE_CHECKING:
    from waypost.agents.runtime import Run

# a member's last event, as the leader's timeline tells it
_ENDINGS = {
    "session_completed": "completed",
    "session_failed": "failed",
    "session_interrupted": "interrupted",
}
MAX_TASK_CHARS = 100_000


@dataclass(frozen=True)
class Mirror:
    """Where a member's run mirrors its stream: the leader's session, tagged."""

    parent_session_id: str
    member_id: str
    member_session_id: str

    def event(self, event: NewEvent) -> NewEvent:
        """The leader's copy of one of the member's stream events."""
        tags = {"member": self.member_id, "member_session_id": self.member_session_id}
        ending = _ENDINGS.get(event.type)
        if ending is not None:  # the leader's own run has not ended: say the member's did
            return NewEvent(
                user_id=event.user_id,
                type="delegation_completed",
                data={**tags, "status": ending, **event.data},
                session_id=self.parent_session_id,
                description=f"Member {ending}",
            )
        return NewEvent(
            user_id=event.user_id,
            type=event.type,
            data={**event.data, **tags},
            session_id=self.parent_session_id,
            description=f"Member: {event.description}",
        )


def delegate_spec(team: Team, agents: dict[str, Agent]) -> dict[str, Any]:
    """The leader's ``delegate`` tool, listing the members it can hand work to."""
    members = [agents[m] for m in team.member_ids if m in agents]
    listing = "; ".join(f"{a.id} ({a.name})" for a in members) or "none"
    return {
        "name": DELEGATE_TOOL,
        "description": (
            f"Hand a task to a member of your team {team.name!r}; the member works in its "
            "own session in this sandbox and its final answer comes back as the result. "
            "Several delegate calls in one turn run at the same time. "
            f"Members: {listing}."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "member": {
                    "type": "string",
                    "enum": [a.id for a in members],
                    "description": "the member agent's id",
                },
                "task": {"type": "string", "description": "what the member should do"},
            },
            "required": ["member", "task"],
        },
    }


async def run_delegation(run: Run, block: dict[str, Any], args: dict[str, Any]) -> ToolResult:
    """Run one ``delegate`` call to its end; the member's answer, or why it has none."""
    team, session = run.team, run.session
    member, task = args.get("member"), args.get("task")
    if team is None or session is None or session.sandbox_id is None:
        return ToolResult("delegate: this session has no team", True)
    if not isinstance(member, str) or member not in team.member_ids:
        return ToolResult(f"delegate: {member!r} is not a member of the team", True)
    if member not in run.team_agents:
        return ToolResult(f"delegate: the member {member} no longer exists", True)
    if not isinstance(task, str) or not task.strip():
        return ToolResult("delegate: task must be a non-empty string", True)
    if len(task) > MAX_TASK_CHARS:
        return ToolResult(f"delegate: task is longer than {MAX_TASK_CHARS} characters", True)
    agent = run.team_agents[member]
    try:
        child = await _start_child(run, team, agent, task, block["id"])
        final = await run.conv.run_child(
            child, agent, task, run.workspace, Mirror(session.id, member, child.id)
        )
    except WaypostError as exc:
        return ToolResult(f"delegate: the member's run failed: {exc.message}", True)
    if final is None:
        return ToolResult("delegate: the member's run was interrupted", True)
    text = "".join(b.get("text", "") for b in final.content if b.get("type") == "text")
    return ToolResult(text or "(the member finished without a text answer)")


async def _start_child(
    run: Run, team: Team, agent: Agent, task: str, tool_use_id: str
) -> SessionRow:
    """The member's child session, already running with the task as its first message, and
    the leader's ``delegation_started``: one transaction (every id in it is the leader's run
    own, checked when that run started)."""
    parent = run.session
    assert parent is not None
    from waypost.agents.runtime import new_message  # runtime imports this module

    child = new_session_row(
        run.user_id,
        f"{team.name}: {agent.name}",
        {"delegated_by": parent.id, "tool_use_id": tool_use_id},
        agent.id,
        parent.sandbox_id,
        "delegation",
        SessionLinks(
            workspace_id=parent.workspace_id, team_id=team.id, parent_session_id=parent.id
        ),
        run_status="running",
    )
    message = new_message(child.id, run.user_id, "user", [{"type": "text", "text": task}], None)

    def event(session_id: str, type: str, data: dict[str, Any], description: str) -> NewEvent:
        return NewEvent(
            user_id=run.user_id,
            type=type,
            data=data,
            session_id=session_id,
            description=description,
        )

    inserts: list[tuple[Any, list[dict[str, Any]]]] = [
        (SessionRow.__table__, [row_values(child)]),
        (MessageRow.__table__, [row_values(message)]),
    ]
    await run.conv.events.commit(
        inserts,
        [
            event(child.id, "session.created", {"name": child.name}, "Session was created"),
            event(
                child.id,
                "message.created",
                {"message_id": message.id, "role": "user"},
                "User message",
            ),
            event(
                parent.id,
                "delegation_started",
                {"member": agent.id, "member_session_id": child.id, "tool_use_id": tool_use_id},
                f"Delegated to {agent.name}",
            ),
        ],
    )
    return child
