"""``client.workspaces``: the calls, and their sync and async resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from waypost.sdk._calls import Call, _body, _params, model, nothing
from waypost.sdk.models import Page, Workspace

if TYPE_CHECKING:
    from waypost.sdk._client import AsyncClient, Client

PATH = "/api/v1/workspaces"


def workspaces_create(name: str, description: str | None) -> Call[Workspace]:
    return Call("POST", PATH, model(Workspace), json=_body(name=name, description=description))


def workspaces_list(limit: int, cursor: str | None) -> Call[Page[Workspace]]:
    return Call("GET", PATH, model(Page[Workspace]), params=_params(limit=limit, cursor=cursor))


def workspaces_get(workspace_id: str) -> Call[Workspace]:
    return Call("GET", f"{PATH}/{workspace_id}", model(Workspace))


def workspaces_update(
    workspace_id: str, name: str | None, description: str | None
) -> Call[Workspace]:
    body = _body(name=name, description=description)
    return Call("PATCH", f"{PATH}/{workspace_id}", model(Workspace), json=body)


def workspaces_delete(workspace_id: str) -> Call[None]:
    return Call("DELETE", f"{PATH}/{workspace_id}", nothing)


class Workspaces:
    """``client.workspaces``: groups of agents, sandboxes and sessions."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, name: str, *, description: str | None = None) -> Workspace:
        return self._c._run(workspaces_create(name, description))

    def list(self, *, limit: int = 20, cursor: str | None = None) -> Page[Workspace]:
        return self._c._run(workspaces_list(limit, cursor))

    def get(self, workspace_id: str) -> Workspace:
        return self._c._run(workspaces_get(workspace_id))

    def update(
        self, workspace_id: str, *, name: str | None = None, description: str | None = None
    ) -> Workspace:
        return self._c._run(workspaces_update(workspace_id, name, description))

    def delete(self, workspace_id: str) -> None:
        """Delete it; what was in it stays, in no workspace."""
        self._c._run(workspaces_delete(workspace_id))


class AsyncWorkspaces:
    """``client.workspaces`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(self, name: str, *, description: str | None = None) -> Workspace:
        return await self._c._run(workspaces_create(name, description))

    async def list(self, *, limit: int = 20, cursor: str | None = None) -> Page[Workspace]:
        return await self._c._run(workspaces_list(limit, cursor))

    async def get(self, workspace_id: str) -> Workspace:
        return await self._c._run(workspaces_get(workspace_id))

    async def update(
        self, workspace_id: str, *, name: str | None = None, description: str | None = None
    ) -> Workspace:
        return await self._c._run(workspaces_update(workspace_id, name, description))

    async def delete(self, workspace_id: str) -> None:
        await self._c._run(workspaces_delete(workspace_id))
