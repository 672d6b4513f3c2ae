"""Teams: a leader agent and the member agents it can delegate to (one user's agents)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from waypost.db.database import Database
from waypost.db.models import Agent, Team, Workspace
from waypost.db.owned import get_owned, read_owned
from waypost.db.pages import Page, page
from waypost.db.types import utcnow
from waypost.errors import Invalid
from waypost.ids import new_id

MAX_MEMBERS = 32


class Teams:
    """Create, read, change and delete teams; every agent named must be the caller's."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, user_id: str, fields: dict[str, Any]) -> Team:
        now = utcnow()
        row = Team(
            id=new_id("team"),
            user_id=user_id,
            workspace_id=fields.get("workspace_id"),
            name=fields["name"],
            description=fields.get("description") or "",
            leader_agent_id=fields["leader_agent_id"],
            member_ids=_members(fields.get("member_ids") or [], fields["leader_agent_id"]),
            created_at=now,
            updated_at=now,
        )
        async with self.db.write() as tx:
            await self._check_refs(tx.s, user_id, row)
            tx.s.add(row)
        return row

    async def get(self, user_id: str, team_id: str) -> Team:
        """One of the user's teams, or team_not_found (another user's is as missing)."""
        return await read_owned(self.db, Team, team_id, user_id, "team")

    async def list(
        self, user_id: str, *, limit: int, cursor: str | None, workspace_id: str | None = None
    ) -> Page[Team]:
        query = select(Team).where(Team.user_id == user_id)
        if workspace_id is not None:
            query = query.where(Team.workspace_id == workspace_id)
        return await self.db.query(lambda s: page(s, query, Team.id, limit=limit, cursor=cursor))

    async def update(self, user_id: str, team_id: str, fields: dict[str, Any]) -> Team:
        async with self.db.write() as tx:
            row = await get_owned(tx.s, Team, team_id, user_id, "team")
            for key in ("name", "description", "leader_agent_id", "workspace_id"):
                if key in fields and (fields[key] is not None or key == "workspace_id"):
                    setattr(row, key, fields[key] if key != "description" else fields[key] or "")
            if fields.get("member_ids") is not None:
                row.member_ids = fields["member_ids"]
            row.member_ids = _members(row.member_ids, row.leader_agent_id)
            await self._check_refs(tx.s, user_id, row)
            row.updated_at = utcnow()
        return row

    async def delete(self, user_id: str, team_id: str) -> None:
        async with self.db.write() as tx:
            await get_owned(tx.s, Team, team_id, user_id, "team")
            await tx.s.execute(delete(Team).where(Team.id == team_id))

    async def agents_of(self, user_id: str, team: Team) -> dict[str, Agent]:
        """The team's leader and members that still exist, by id (one query)."""
        ids = [team.leader_agent_id, *team.member_ids]
        async with self.db.read() as s:
            rows = (
                await s.execute(select(Agent).where(Agent.user_id == user_id, Agent.id.in_(ids)))
            ).scalars()
            return {row.id: row for row in rows}

    @staticmethod
    async def _check_refs(s: Any, user_id: str, row: Team) -> None:
        """Leader, members and workspace must be the caller's (404 like a missing id)."""
        for agent_id in {row.leader_agent_id, *row.member_ids}:
            await get_owned(s, Agent, agent_id, user_id, "agent")
        if row.workspace_id is not None:
            await get_owned(s, Workspace, row.workspace_id, user_id, "workspace")


def _members(member_ids: list[Any], leader: str) -> list[str]:
    """Member ids, deduplicated in order, without the leader (who delegates)."""
    if not isinstance(member_ids, list) or not all(isinstance(m, str) for m in member_ids):
        raise Invalid("member_ids must be a list of agent ids")
    out = list(dict.fromkeys(m for m in member_ids if m != leader))
    if len(out) > MAX_MEMBERS:
        raise Invalid(f"a team has at most {MAX_MEMBERS} members")
    return out
