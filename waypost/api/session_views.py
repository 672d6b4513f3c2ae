"""Seed 002's session view: config, runtime state and team, built from a session row and the
:class:`~waypost.sessions.views.ViewData` loaded once for a page of rows.

``state.context`` (the messages the model currently sees) is only filled when the caller
passes the session's messages (``GET /api/v1/sessions/{id}``); list items carry ``[]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from waypost.agents.contexts import permission_context, tool_context
from waypost.api.schemas import (
    AgentDataOut,
    AgentRecordOut,
    ContextItemOut,
    GatewaySessionRecord,
    GatewaySessionView,
    SessionConfigOut,
    SessionStateOut,
    TeamDataOut,
    TeamMemberOut,
    TeamRecordOut,
    TeamViewOut,
    UsageOut,
)
from waypost.db.models import Agent, Message
from waypost.db.models import Session as SessionRow
from waypost.sessions.views import ViewData


def agent_record(agent: Agent) -> AgentRecordOut:
    """An agent as seed 002 nests it in a team: its prompt and loop configs under ``data``."""
    return AgentRecordOut(
        user_id=agent.user_id,
        data=AgentDataOut(
            name=agent.name,
            context_config=agent.context_config,
            react_config=agent.react_config,
            id=agent.id,
            system_prompt=agent.system_prompt,
        ),
        id=agent.id,
        updated_at=agent.updated_at,
        created_at=agent.created_at,
        source="user",
    )


def config_out(row: SessionRow, agent: Agent | None, scripts: bool = True) -> SessionConfigOut:
    """The session's workspace and name, the agent's model configs (nulls without an agent).

    Without ``scripts`` (list items), the scripted provider's script (``parameters.turns``,
    test data that can run to megabytes) is left out: it is in the session's own view and
    the agent's.
    """
    if agent is None:
        return SessionConfigOut(workspace_id=row.workspace_id, name=row.name)
    return SessionConfigOut(
        workspace_id=row.workspace_id,
        name=row.name if row.name is not None else agent.name,
        chat_model_config=_model_config(agent.chat_model_config, scripts),
        fallback_chat_model_config=_model_config(agent.fallback_chat_model_config, scripts),
        agent_id=agent.id,
        system_prompt=agent.system_prompt,
        context_config=agent.context_config,
        react_config=agent.react_config,
    )


def _model_config(config: dict[str, Any] | None, scripts: bool) -> dict[str, Any] | None:
    parameters = (config or {}).get("parameters")
    if scripts or config is None or not isinstance(parameters, dict) or "turns" not in parameters:
        return config
    return {**config, "parameters": {k: v for k, v in parameters.items() if k != "turns"}}


def context_item(message: Message) -> ContextItemOut:
    """A stored message as a context entry; a block without an id gets ``<message id>:<i>``."""
    blocks = [
        {**block, "id": block.get("id") or f"{message.id}:{index}"}
        for index, block in enumerate(message.content)
    ]
    tool_ids = [
        str(block.get("id") if block.get("type") == "tool_use" else block.get("tool_use_id"))
        for block in message.content
        if block.get("type") in ("tool_use", "tool_result")
    ]
    return ContextItemOut(
        name=message.role,
        content=blocks,
        id=message.id,
        metadata={"tool_use_ids": tool_ids} if tool_ids else {},
        created_at=message.created_at,
        finished_at=message.created_at,  # stored messages are complete
        usage=UsageOut(**(message.usage or {})),
    )


def state_out(
    row: SessionRow,
    agent: Agent | None,
    data: ViewData,
    messages: Sequence[Message] | None = None,
) -> SessionStateOut:
    """The runtime state as stored, with seed 002's keys and defaults filled in."""
    stored: dict[str, Any] = dict(row.state or {})
    # the session's own rules (a column of its own when the schema has it), else the agent's
    own = getattr(row, "permission_context", None) or stored.get("permission_context")
    rules = own or (agent.permissions if agent is not None else None)
    # a session without an agent has no tools; one whose agent is gone shows every group
    groups = agent.tool_groups if agent is not None else ([] if row.agent_id is None else None)
    context: list[ContextItemOut] = []
    reply_id = data.replies.get(row.id)
    if messages is not None:
        after = stored.get("context_after")
        context = [context_item(m) for m in messages if not after or m.id > after]
        replies = [m.id for m in messages if m.role == "assistant"]
        reply_id = replies[-1] if replies else None
    stored.update(
        session_id=row.id,
        summary=stored.get("summary") or "",
        context=context,
        reply_id=reply_id,
        cur_iter=int(stored.get("cur_iter") or 0),
        permission_context=permission_context(rules),
        tool_context=tool_context(stored, groups),
        tasks_context=stored.get("tasks_context") or {"tasks": []},
    )
    return SessionStateOut.model_validate(stored)


def team_out(row: SessionRow, data: ViewData) -> TeamViewOut | None:
    """The session's team, its leader and members (each with its latest delegated session)."""
    team = data.teams.get(row.team_id) if row.team_id else None
    if team is None:
        return None
    member_ids = [str(m) for m in team.member_ids or []]
    leader = data.agents.get(team.leader_agent_id)
    return TeamViewOut(
        team=TeamRecordOut(
            user_id=team.user_id,
            session_id=row.id,
            data=TeamDataOut(name=team.name, description=team.description, member_ids=member_ids),
            id=team.id,
            updated_at=team.updated_at,
            created_at=team.created_at,
        ),
        leader_agent=agent_record(leader) if leader is not None else None,
        members=[
            TeamMemberOut(
                agent=agent_record(data.agents[m]),
                session_id=data.member_sessions.get((row.id, m)),
            )
            for m in member_ids
            if m in data.agents
        ],
    )


def seed_fields(
    row: SessionRow, data: ViewData, messages: Sequence[Message] | None = None
) -> dict[str, Any]:
    """The fields seed 002 adds to a session: ids it links to, config, state and team."""
    agent = data.agents.get(row.agent_id) if row.agent_id else None
    return {
        "user_id": row.user_id,
        "workspace_id": row.workspace_id,
        "team_id": row.team_id,
        "source_schedule_id": row.source_schedule_id,
        "parent_session_id": row.parent_session_id,
        "replay_of": row.replay_of,
        "config": config_out(row, agent, scripts=messages is not None),
        "state": state_out(row, agent, data, messages),
        "team": team_out(row, data),
    }


def gateway_view(row: SessionRow, data: ViewData) -> GatewaySessionView:
    """Seed 002's ``SessionView``: the record under ``session``, is_running and team beside."""
    fields = seed_fields(row, data)
    return GatewaySessionView(
        session=GatewaySessionRecord(
            user_id=row.user_id,
            agent_id=row.agent_id,
            config=fields["config"],
            id=row.id,
            updated_at=row.updated_at,
            created_at=row.created_at,
            source=row.source or "user",
            source_schedule_id=row.source_schedule_id,
            team_id=row.team_id,
            state=fields["state"],
        ),
        is_running=row.run_status == "running",
        team=fields["team"],
    )
