"""/api/v1/workspaces: group agents, sandboxes and sessions (seed 002's ``workspace_id``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import ListPage, WorkspaceCreate, WorkspaceOut, WorkspaceUpdate
from waypost.db.models import Workspace

router = APIRouter(prefix="/api/v1/workspaces", tags=["workspaces"])


def workspace_out(row: Workspace) -> WorkspaceOut:
    return WorkspaceOut(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post("", status_code=201, response_model=WorkspaceOut)
async def create_workspace(body: WorkspaceCreate, user: UserDep, svc: ServicesDep) -> WorkspaceOut:
    row = await svc.workspaces.create(user, name=body.name, description=body.description)
    return workspace_out(row)


@router.get("", response_model=ListPage[WorkspaceOut])
async def list_workspaces(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ListPage[WorkspaceOut]:
    page = await svc.workspaces.list(user, limit=limit, cursor=cursor)
    return ListPage(
        data=[workspace_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/{workspace_id}", response_model=WorkspaceOut)
async def get_workspace(workspace_id: str, user: UserDep, svc: ServicesDep) -> WorkspaceOut:
    return workspace_out(await svc.workspaces.get(user, workspace_id))


@router.patch("/{workspace_id}", response_model=WorkspaceOut)
async def update_workspace(
    workspace_id: str, body: WorkspaceUpdate, user: UserDep, svc: ServicesDep
) -> WorkspaceOut:
    fields = body.model_dump(exclude_unset=True)
    return workspace_out(await svc.workspaces.update(user, workspace_id, fields))


@router.delete("/{workspace_id}", status_code=204, response_class=Response)
async def delete_workspace(workspace_id: str, user: UserDep, svc: ServicesDep) -> Response:
    """Delete the workspace; its agents, sandboxes and sessions stay, in no workspace."""
    await svc.workspaces.delete(user, workspace_id)
    return Response(status_code=204)
