"""/api/v1/schedules: cron rules that start an agent or team session with a message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schedule_schemas import ScheduleCreate, ScheduleOut, ScheduleUpdate
from waypost.api.schemas import ListPage
from waypost.schedules.service import ScheduleView

router = APIRouter(prefix="/api/v1/schedules", tags=["schedules"])


def schedule_out(view: ScheduleView) -> ScheduleOut:
    row = view.row
    return ScheduleOut(
        id=row.id,
        name=row.name,
        workspace_id=row.workspace_id,
        agent_id=row.agent_id,
        team_id=row.team_id,
        sandbox_id=row.sandbox_id,
        cron=row.cron,
        timezone=row.timezone,
        message=row.message,
        enabled=row.enabled,
        next_fire_at=row.next_fire_at,
        last_fired_at=row.last_fired_at,
        last_session_id=row.last_session_id,
        fire_count=row.fire_count,
        last_error=view.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post("", status_code=201, response_model=ScheduleOut)
async def create_schedule(body: ScheduleCreate, user: UserDep, svc: ServicesDep) -> ScheduleOut:
    return schedule_out(await svc.schedules.create(user, body.model_dump()))


@router.get("", response_model=ListPage[ScheduleOut])
async def list_schedules(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    workspace_id: str | None = None,
    agent_id: str | None = None,
) -> ListPage[ScheduleOut]:
    page = await svc.schedules.list(
        user, limit=limit, cursor=cursor, workspace_id=workspace_id, agent_id=agent_id
    )
    return ListPage(
        data=[schedule_out(v) for v in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/{schedule_id}", response_model=ScheduleOut)
async def get_schedule(schedule_id: str, user: UserDep, svc: ServicesDep) -> ScheduleOut:
    return schedule_out(await svc.schedules.get(user, schedule_id))


@router.patch("/{schedule_id}", response_model=ScheduleOut)
async def update_schedule(
    schedule_id: str, body: ScheduleUpdate, user: UserDep, svc: ServicesDep
) -> ScheduleOut:
    fields = body.model_dump(exclude_unset=True)
    return schedule_out(await svc.schedules.update(user, schedule_id, fields))


@router.delete("/{schedule_id}", status_code=204, response_class=Response)
async def delete_schedule(schedule_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.schedules.delete(user, schedule_id)
    return Response(status_code=204)
