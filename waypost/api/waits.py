"""/api/v1/waits: register, read (optionally as a long poll), list, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import ListPage, WaitCreate, WaitOut, WaitStatus
from waypost.api.views import assist_spec, wait_out

router = APIRouter(prefix="/api/v1/waits", tags=["waits"])


@router.post("", status_code=201, response_model=WaitOut)
async def create_wait(body: WaitCreate, user: UserDep, svc: ServicesDep) -> WaitOut:
    wait = await svc.waits.create(
        user,
        inbox_id=body.inbox_id,
        type=body.type,
        timeout_seconds=body.timeout_seconds,
        criteria=body.criteria.as_dict() if body.criteria else None,
        after=body.after,
        confidence_threshold=body.confidence_threshold,
        assist=assist_spec(body.assist),
    )
    return wait_out(wait)


@router.get("", response_model=ListPage[WaitOut])
async def list_waits(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    inbox_id: str | None = None,
    session_id: str | None = None,
    status: WaitStatus | None = None,
) -> ListPage[WaitOut]:
    page = await svc.waits.list(
        user, limit=limit, cursor=cursor, inbox_id=inbox_id, session_id=session_id, status=status
    )
    return ListPage(
        data=[wait_out(w) for w in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/{wait_id}", response_model=WaitOut)
async def get_wait(
    wait_id: str,
    user: UserDep,
    svc: ServicesDep,
    block: bool = False,
    hold: Annotated[
        float | None, Query(alias="timeout", gt=0, le=3600, description="Most seconds to hold")
    ] = None,
) -> WaitOut:
    """With ``block=true`` the call is held until the wait resolves or times out."""
    if block:
        return wait_out(await svc.waits.block(user, wait_id, hold))
    return wait_out(await svc.waits.get(user, wait_id))


@router.post("/{wait_id}/cancel", response_model=WaitOut)
async def cancel_wait(wait_id: str, user: UserDep, svc: ServicesDep) -> WaitOut:
    return wait_out(await svc.waits.cancel(user, wait_id))
