"""``POST /api/v1/sessions/{id}/replay``: a new session linked to the original.

Every mode makes a new session owned by the caller, with ``replay_of`` set to the
original, and writes ``session.replayed`` on both timelines:

- ``retry`` (waypost.replay.retry): the original's workflows run again for real;
- ``reexecute`` (waypost.replay.reexecute): the agent session runs again from its record
  (model outputs, tool results and mail played back) and the first divergence is reported;
- ``fork`` (waypost.replay.fork): the original's history up to a step, ready to go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from waypost.db.models import Session as SessionRow
from waypost.sessions.service import SessionLinks

if TYPE_CHECKING:
    from waypost.services import Services

Mode = Literal["retry", "reexecute", "fork"]


@dataclass
class ReplayRequest:
    """What the caller asked for; each mode reads its own fields."""

    mode: Mode
    respond: str | None = None  # retry: "immediately" answers before the waits resolve
    username: str | None = None  # retry: the new inbox's local part (default: a fresh one)
    step: int | None = None  # fork: the last step (seq) kept
    agent_id: str | None = None  # fork: another agent
    chat_model_config: dict[str, Any] | None = None  # fork: another model for the agent
    system_prompt: str | None = None  # fork: another system prompt
    model: str | None = None  # reexecute: "recorded" or "agent" (see reexecute)


@dataclass
class ReplayOutcome:
    """The new session, the first divergence (reexecute), and what else the mode made."""

    session_id: str
    divergence: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def replay(svc: Services, user_id: str, session_id: str, req: ReplayRequest) -> ReplayOutcome:
    """Run one replay mode on one of the caller's sessions (another user's is a 404)."""
    original = await svc.sessions.get(user_id, session_id)
    if req.mode == "retry":
        from waypost.replay.retry import retry

        return await retry(svc, user_id, original, req)
    if req.mode == "reexecute":
        from waypost.replay.reexecute import reexecute

        return await reexecute(svc, user_id, original, req)
    from waypost.replay.fork import fork

    return await fork(svc, user_id, original, req)


async def linked_session(
    svc: Services,
    user_id: str,
    original: SessionRow,
    mode: Mode,
    *,
    agent_id: str | None = None,
    sandbox: bool = False,
) -> SessionRow:
    """The replay's new session (``source: "replay"``, ``replay_of`` the original), in the
    original's sandbox when ``sandbox``; ``session.replayed`` is on both timelines."""
    name = f"{mode} of {original.name or original.id}"
    links = SessionLinks(
        workspace_id=original.workspace_id,
        team_id=original.team_id if sandbox else None,
        replay_of=original.id,
    )
    metadata = {"replay_of": original.id, "replay_mode": mode}
    if sandbox and original.sandbox_id is not None:
        row = await svc.conversations.create_session(
            user_id,
            original.sandbox_id,
            metadata=metadata,
            agent_id=agent_id or original.agent_id,
            name=name,
            source="replay",
            links=links,
        )
    else:
        row = await svc.sessions.create(
            user_id, name=name, metadata=metadata, source="replay", links=links
        )
    data = {"mode": mode, "replay_of": original.id, "replay_session_id": row.id}
    async with svc.db.write() as tx:
        for target, description in (
            (original.id, f"Replayed ({mode}) as {row.id}"),
            (row.id, f"Replay ({mode}) of {original.id}"),
        ):
            await svc.events.append(
                tx,
                user_id=user_id,
                type="session.replayed",
                session_id=target,
                data=data,
                description=description,
            )
    return row
