"""What seed 002's session view needs beyond the session rows, loaded for a whole page at once:
one query each for the teams, the agents (the sessions' and the teams'), the members' delegated
sessions and the latest replies. Never the messages of a list."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value

from waypost.db.database import Database
from waypost.db.models import Agent, Message, Team
from waypost.db.models import Session as SessionRow


@dataclass
class ViewData:
    """The rows a page of session views refers to, by id."""

    agents: dict[str, Agent] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    # (session id, member agent id) → that member's latest session delegated from the session
    member_sessions: dict[tuple[str, str], str] = field(default_factory=dict)
    # session id → its latest assistant message id
    replies: dict[str, str] = field(default_factory=dict)


async def load_view_data(
    db: Database,
    user_id: str,
    rows: Sequence[SessionRow],
    *,
    replies: bool = True,
    scripts: bool = False,
) -> ViewData:
    """The agents, teams, member sessions (and latest replies) of ``rows``, all the user's.

    Without ``scripts`` the agents' model configs come without the scripted provider's script
    (``parameters.turns``), removed by the database: a list must not parse megabytes of test
    script per agent per call.
    """
    if not any(r.team_id or r.agent_id for r in rows):
        return ViewData()  # plain sessions: nothing to read
    # not inline: the agents' model configs are cut down by SQLite's JSON functions
    return await db.query(lambda s: _load(s, user_id, rows, replies, scripts), inline=False)


def _load(
    s: Session, user_id: str, rows: Sequence[SessionRow], replies: bool, scripts: bool
) -> ViewData:
    data = ViewData()
    team_ids = {r.team_id for r in rows if r.team_id}
    if team_ids:
        teams = s.execute(select(Team).where(Team.user_id == user_id, Team.id.in_(team_ids)))
        data.teams = {t.id: t for t in teams.scalars()}
    agent_ids = {r.agent_id for r in rows if r.agent_id}
    for team in data.teams.values():
        agent_ids.add(team.leader_agent_id)
        agent_ids.update(str(m) for m in team.member_ids or [])
    if agent_ids:
        data.agents = _agents(s, user_id, agent_ids, scripts)
    led = [r.id for r in rows if r.team_id in data.teams]
    if led:
        children = s.execute(
            select(SessionRow.parent_session_id, SessionRow.agent_id, func.max(SessionRow.id))
            .where(SessionRow.user_id == user_id, SessionRow.parent_session_id.in_(led))
            .group_by(SessionRow.parent_session_id, SessionRow.agent_id)
        )
        data.member_sessions = {
            (parent, agent): child for parent, agent, child in children.all() if parent and agent
        }
    talking = [r.id for r in rows if r.agent_id]  # only agent sessions have replies
    if replies and talking:
        latest = s.execute(
            select(Message.session_id, func.max(Message.id))
            .where(Message.session_id.in_(talking), Message.role == "assistant")
            .group_by(Message.session_id)
        )
        data.replies = {sid: mid for sid, mid in latest.all()}
    return data


MODEL_CONFIGS = ("chat_model_config", "fallback_chat_model_config")


def _agents(s: Session, user_id: str, agent_ids: set[str], scripts: bool) -> dict[str, Agent]:
    query = select(Agent).where(Agent.user_id == user_id, Agent.id.in_(agent_ids))
    if scripts:
        return {a.id: a for a in s.execute(query).scalars()}
    columns = [getattr(Agent, name) for name in MODEL_CONFIGS]
    query = query.options(*(defer(c) for c in columns)).add_columns(
        *(_without_script(c, s.get_bind().dialect.name).label(c.key) for c in columns)
    )
    agents: dict[str, Agent] = {}
    for row in s.execute(query).all():
        agent: Agent = row[0]
        configs: tuple[Any, ...] = tuple(row[1:])
        for name, stored in zip(MODEL_CONFIGS, configs, strict=True):
            # SQLite's json functions answer text
            config: Any = json.loads(stored) if isinstance(stored, str) else stored
            set_committed_value(agent, name, config)
        agents[agent.id] = agent
    return agents


def _without_script(column: Any, dialect: str) -> Any:
    """``column`` (a model config) without ``parameters.turns``, computed by the database."""
    if dialect == "postgresql":  # `#-` refuses a scalar (a missing fallback is JSON null)
        return case(
            (
                func.jsonb_typeof(column) == "object",
                column.op("#-")(literal_column("'{parameters,turns}'::text[]")),
            ),
            else_=column,
        )
    return func.json_remove(column, "$.parameters.turns")
