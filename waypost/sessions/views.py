"""What seed 002's session view needs beyond the session rows, loaded for a whole page at once:
one query each for the teams, the agents (the sessions' and the teams'), the members' delegated
sessions and the latest replies. Never the messages of a list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

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
    db: Database, user_id: str, rows: Sequence[SessionRow], *, replies: bool = True
) -> ViewData:
    """The agents, teams, member sessions (and latest replies) of ``rows``, all the user's."""
    data = ViewData()
    if not rows:
        return data
    async with db.read() as s:
        team_ids = {r.team_id for r in rows if r.team_id}
        if team_ids:
            teams = await s.execute(
                select(Team).where(Team.user_id == user_id, Team.id.in_(team_ids))
            )
            data.teams = {t.id: t for t in teams.scalars()}
        agent_ids = {r.agent_id for r in rows if r.agent_id}
        for team in data.teams.values():
            agent_ids.add(team.leader_agent_id)
            agent_ids.update(str(m) for m in team.member_ids or [])
        if agent_ids:
            agents = await s.execute(
                select(Agent).where(Agent.user_id == user_id, Agent.id.in_(agent_ids))
            )
            data.agents = {a.id: a for a in agents.scalars()}
        led = [r.id for r in rows if r.team_id in data.teams]
        if led:
            children = await s.execute(
                select(SessionRow.parent_session_id, SessionRow.agent_id, func.max(SessionRow.id))
                .where(SessionRow.user_id == user_id, SessionRow.parent_session_id.in_(led))
                .group_by(SessionRow.parent_session_id, SessionRow.agent_id)
            )
            data.member_sessions = {
                (parent, agent): child
                for parent, agent, child in children.all()
                if parent and agent
            }
        talking = [r.id for r in rows if r.agent_id]  # only agent sessions have replies
        if replies and talking:
            latest = await s.execute(
                select(Message.session_id, func.max(Message.id))
                .where(Message.session_id.in_(talking), Message.role == "assistant")
                .group_by(Message.session_id)
            )
            data.replies = {sid: mid for sid, mid in latest.all()}
    return data
