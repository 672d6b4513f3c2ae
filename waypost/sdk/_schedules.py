"""``client.schedules``: the calls, and their sync and async resources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from waypost.sdk._calls import Call, _body, _params, model, nothing
from waypost.sdk.models import Page, Schedule

if TYPE_CHECKING:
    from waypost.sdk._client import AsyncClient, Client

PATH = "/api/v1/schedules"


def schedules_create(fields: dict[str, Any]) -> Call[Schedule]:
    return Call("POST", PATH, model(Schedule), json=_body(**fields))


def schedules_list(
    limit: int, cursor: str | None, workspace_id: str | None, agent_id: str | None
) -> Call[Page[Schedule]]:
    params = _params(limit=limit, cursor=cursor, workspace_id=workspace_id, agent_id=agent_id)
    return Call("GET", PATH, model(Page[Schedule]), params=params)


def schedules_get(schedule_id: str) -> Call[Schedule]:
    return Call("GET", f"{PATH}/{schedule_id}", model(Schedule))


def schedules_update(schedule_id: str, fields: dict[str, Any]) -> Call[Schedule]:
    # sent as given: None clears a field that may be empty (name, workspace_id)
    return Call("PATCH", f"{PATH}/{schedule_id}", model(Schedule), json=fields)


def schedules_delete(schedule_id: str) -> Call[None]:
    return Call("DELETE", f"{PATH}/{schedule_id}", nothing)


def _create_fields(
    sandbox_id: str,
    cron: str,
    message: str,
    agent_id: str | None,
    team_id: str | None,
    timezone: str | None,
    enabled: bool | None,
    name: str | None,
    workspace_id: str | None,
) -> dict[str, Any]:
    return {
        "sandbox_id": sandbox_id,
        "cron": cron,
        "message": message,
        "agent_id": agent_id,
        "team_id": team_id,
        "timezone": timezone,
        "enabled": enabled,
        "name": name,
        "workspace_id": workspace_id,
    }


class Schedules:
    """``client.schedules``: cron rules that start an agent (or team) session with a message."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self,
        *,
        sandbox_id: str,
        cron: str,
        message: str,
        agent_id: str | None = None,
        team_id: str | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
        name: str | None = None,
        workspace_id: str | None = None,
    ) -> Schedule:
        """Exactly one of ``agent_id`` and ``team_id``; ``timezone`` is IANA (default UTC)."""
        fields = _create_fields(
            sandbox_id, cron, message, agent_id, team_id, timezone, enabled, name, workspace_id
        )
        return self._c._run(schedules_create(fields))

    def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        workspace_id: str | None = None,
        agent_id: str | None = None,
    ) -> Page[Schedule]:
        return self._c._run(schedules_list(limit, cursor, workspace_id, agent_id))

    def get(self, schedule_id: str) -> Schedule:
        return self._c._run(schedules_get(schedule_id))

    def update(self, schedule_id: str, **fields: Any) -> Schedule:
        """Fields: cron, timezone, message, enabled, name, agent_id, team_id, sandbox_id, …"""
        return self._c._run(schedules_update(schedule_id, fields))

    def delete(self, schedule_id: str) -> None:
        self._c._run(schedules_delete(schedule_id))


class AsyncSchedules:
    """``client.schedules`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self,
        *,
        sandbox_id: str,
        cron: str,
        message: str,
        agent_id: str | None = None,
        team_id: str | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
        name: str | None = None,
        workspace_id: str | None = None,
    ) -> Schedule:
        fields = _create_fields(
            sandbox_id, cron, message, agent_id, team_id, timezone, enabled, name, workspace_id
        )
        return await self._c._run(schedules_create(fields))

    async def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        workspace_id: str | None = None,
        agent_id: str | None = None,
    ) -> Page[Schedule]:
        return await self._c._run(schedules_list(limit, cursor, workspace_id, agent_id))

    async def get(self, schedule_id: str) -> Schedule:
        return await self._c._run(schedules_get(schedule_id))

    async def update(self, schedule_id: str, **fields: Any) -> Schedule:
        return await self._c._run(schedules_update(schedule_id, fields))

    async def delete(self, schedule_id: str) -> None:
        await self._c._run(schedules_delete(schedule_id))
