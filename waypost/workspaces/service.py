"""The workspaces repository: owned rows, 404 for anyone else."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from waypost.db.database import Database
from waypost.db.models import Agent, Sandbox, Schedule, Team, Workspace
from waypost.db.models import Session as SessionRow
from waypost.db.owned import get_owned, read_owned
from waypost.db.pages import Page, paginate
from waypost.db.types import utcnow
from waypost.ids import new_id

# the rows that may point at a workspace; deleting it leaves them in no workspace
MEMBER_TABLES: tuple[Any, ...] = (Agent, Sandbox, SessionRow, Team, Schedule)


async def check_workspace(s: AsyncSession, user_id: str, workspace_id: str | None) -> None:
    """Nothing for ``None``; otherwise the workspace must be the user's (workspace_not_found)."""
    if workspace_id is not None:
        await get_owned(s, Workspace, workspace_id, user_id, "workspace")


class Workspaces:
    """Create, list, read, rename and delete workspaces."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, user_id: str, *, name: str, description: str = "") -> Workspace:
        """A new, empty workspace."""
        now = utcnow()
        row = Workspace(
            id=new_id("ws"),
            user_id=user_id,
            name=name,
            description=description,
            created_at=now,
            updated_at=now,
        )
        async with self.db.write() as tx:
            tx.s.add(row)
        return row

    async def get(self, user_id: str, workspace_id: str) -> Workspace:
        """One of the user's workspaces, or workspace_not_found."""
        return await read_owned(self.db, Workspace, workspace_id, user_id, "workspace")

    async def list(self, user_id: str, *, limit: int, cursor: str | None) -> Page[Workspace]:
        """The user's workspaces, newest first."""
        async with self.db.read() as s:
            query = select(Workspace).where(Workspace.user_id == user_id)
            return await paginate(s, query, Workspace.id, limit, cursor)

    async def update(self, user_id: str, workspace_id: str, fields: dict[str, Any]) -> Workspace:
        """Change the name and/or the description (a null leaves a field as it is)."""
        values = {k: v for k, v in fields.items() if k in ("name", "description") and v is not None}
        async with self.db.write() as tx:
            row = await get_owned(tx.s, Workspace, workspace_id, user_id, "workspace")
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            await tx.s.flush()
            await tx.s.refresh(row)
            return row

    async def delete(self, user_id: str, workspace_id: str) -> None:
        """Delete a workspace; what was in it stays, in no workspace."""
        async with self.db.write() as tx:
            row = await get_owned(tx.s, Workspace, workspace_id, user_id, "workspace")
            for table in MEMBER_TABLES:
                await tx.s.execute(
                    update(table)
                    .where(table.user_id == user_id, table.workspace_id == workspace_id)
                    .values(workspace_id=None)
                )
            await tx.s.delete(row)
