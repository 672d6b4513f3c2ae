"""/api/v1/teams (a leader agent and members it delegates to) and a session's permissions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import ListPage, RequestModel
from waypost.db.models import Team

router = APIRouter(prefix="/api/v1", tags=["teams"])
Limit = Annotated[int, Query(ge=1, le=100)]


class TeamCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    leader_agent_id: str
    member_ids: list[str] = Field(default_factory=list, max_length=32)
    workspace_id: str | None = None


class TeamUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    leader_agent_id: str | None = None
    member_ids: list[str] | None = Field(default=None, max_length=32)
    workspace_id: str | None = None


class TeamOut(BaseModel):
    id: str
    name: str
    description: str
    leader_agent_id: str
    member_ids: list[str]
    workspace_id: str | None
    created_at: datetime
    updated_at: datetime


class PermissionsUpdate(RequestModel):
    """Parts of the session's permission context to replace (the rest is kept)."""

    mode: Literal["default", "accept_edits", "plan", "bypass"] | None = None
    working_directories: dict[str, dict[str, Any]] | None = None
    allow_rules: dict[str, list[str]] | None = None
    deny_rules: dict[str, list[str]] | None = None
    ask_rules: dict[str, list[str]] | None = None


def team_out(row: Team) -> TeamOut:
    return TeamOut(
        id=row.id,
        name=row.name,
        description=row.description,
        leader_agent_id=row.leader_agent_id,
        member_ids=list(row.member_ids),
        workspace_id=row.workspace_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post("/teams", status_code=201, response_model=TeamOut)
async def create_team(body: TeamCreate, user: UserDep, svc: ServicesDep) -> TeamOut:
    """A team; its leader and members must be the caller's agents (404 otherwise)."""
    return team_out(await svc.teams.create(user, body.model_dump()))


@router.get("/teams", response_model=ListPage[TeamOut])
async def list_teams(
    user: UserDep,
    svc: ServicesDep,
    limit: Limit = 20,
    cursor: str | None = None,
    workspace_id: str | None = None,
) -> ListPage[TeamOut]:
    page = await svc.teams.list(user, limit=limit, cursor=cursor, workspace_id=workspace_id)
    return ListPage(
        data=[team_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/teams/{team_id}", response_model=TeamOut)
async def get_team(team_id: str, user: UserDep, svc: ServicesDep) -> TeamOut:
    return team_out(await svc.teams.get(user, team_id))


@router.patch("/teams/{team_id}", response_model=TeamOut)
async def update_team(team_id: str, body: TeamUpdate, user: UserDep, svc: ServicesDep) -> TeamOut:
    fields = body.model_dump(exclude_unset=True)
    return team_out(await svc.teams.update(user, team_id, fields))


@router.delete("/teams/{team_id}", status_code=204)
async def delete_team(team_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.teams.delete(user, team_id)
    return Response(status_code=204)


@router.patch("/sessions/{session_id}/permissions")
async def update_permissions(
    session_id: str, body: PermissionsUpdate, user: UserDep, svc: ServicesDep
) -> dict[str, Any]:
    """Change the session's permission context; a run going obeys it from its next tool call."""
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    context = await svc.conversations.set_permissions(user, session_id, changes)
    return {"session_id": session_id, "permission_context": context}
