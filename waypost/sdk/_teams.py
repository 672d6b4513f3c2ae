"""``client.teams``: the calls, and their sync and async resources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from waypost.sdk._calls import Call, _body, _params, model, nothing
from waypost.sdk.models import Page, Team

if TYPE_CHECKING:
    from waypost.sdk._client import AsyncClient, Client

PATH = "/api/v1/teams"


def teams_create(fields: dict[str, Any]) -> Call[Team]:
    return Call("POST", PATH, model(Team), json=_body(**fields))


def teams_list(limit: int, cursor: str | None, workspace_id: str | None) -> Call[Page[Team]]:
    params = _params(limit=limit, cursor=cursor, workspace_id=workspace_id)
    return Call("GET", PATH, model(Page[Team]), params=params)


def teams_get(team_id: str) -> Call[Team]:
    return Call("GET", f"{PATH}/{team_id}", model(Team))


def teams_update(team_id: str, fields: dict[str, Any]) -> Call[Team]:
    # sent as given: ``workspace_id=None`` takes the team out of its workspace
    return Call("PATCH", f"{PATH}/{team_id}", model(Team), json=dict(fields))


def teams_delete(team_id: str) -> Call[None]:
    return Call("DELETE", f"{PATH}/{team_id}", nothing)


def _create_fields(
    name: str,
    leader_agent_id: str,
    member_ids: list[str] | None,
    description: str | None,
    workspace_id: str | None,
) -> dict[str, Any]:
    return {
        "name": name,
        "leader_agent_id": leader_agent_id,
        "member_ids": member_ids,
        "description": description,
        "workspace_id": workspace_id,
    }


class Teams:
    """``client.teams``: a leader agent and the member agents it delegates to."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self,
        *,
        name: str,
        leader_agent_id: str,
        member_ids: list[str] | None = None,
        description: str | None = None,
        workspace_id: str | None = None,
    ) -> Team:
        """The leader and members must be your agents (``NotFoundError`` otherwise)."""
        fields = _create_fields(name, leader_agent_id, member_ids, description, workspace_id)
        return self._c._run(teams_create(fields))

    def list(
        self, *, limit: int = 20, cursor: str | None = None, workspace_id: str | None = None
    ) -> Page[Team]:
        return self._c._run(teams_list(limit, cursor, workspace_id))

    def get(self, team_id: str) -> Team:
        return self._c._run(teams_get(team_id))

    def update(self, team_id: str, **fields: Any) -> Team:
        """Fields: name, description, leader_agent_id, member_ids, workspace_id (None: none)."""
        return self._c._run(teams_update(team_id, fields))

    def delete(self, team_id: str) -> None:
        self._c._run(teams_delete(team_id))


class AsyncTeams:
    """``client.teams`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self,
        *,
        name: str,
        leader_agent_id: str,
        member_ids: list[str] | None = None,
        description: str | None = None,
        workspace_id: str | None = None,
    ) -> Team:
        fields = _create_fields(name, leader_agent_id, member_ids, description, workspace_id)
        return await self._c._run(teams_create(fields))

    async def list(
        self, *, limit: int = 20, cursor: str | None = None, workspace_id: str | None = None
    ) -> Page[Team]:
        return await self._c._run(teams_list(limit, cursor, workspace_id))

    async def get(self, team_id: str) -> Team:
        return await self._c._run(teams_get(team_id))

    async def update(self, team_id: str, **fields: Any) -> Team:
        return await self._c._run(teams_update(team_id, fields))

    async def delete(self, team_id: str) -> None:
        await self._c._run(teams_delete(team_id))
