"""/api/v1/inboxes: create, list, get, delete, and an inbox's emails."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import EmailSummaryOut, InboxCreate, InboxOut, ListPage
from waypost.api.views import email_summary_out, inbox_out

router = APIRouter(prefix="/api/v1/inboxes", tags=["inboxes"])


@router.post("", status_code=201, response_model=InboxOut)
async def create_inbox(body: InboxCreate, user: UserDep, svc: ServicesDep) -> InboxOut:
    inbox = await svc.inboxes.create(
        user,
        username=body.username,
        domain=body.domain,
        ttl_seconds=body.ttl_seconds,
        session_id=body.session_id,
        metadata=body.metadata,
    )
    return inbox_out(inbox)


@router.get("", response_model=ListPage[InboxOut])
async def list_inboxes(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    session_id: str | None = None,
) -> ListPage[InboxOut]:
    page = await svc.inboxes.list(user, limit=limit, cursor=cursor, session_id=session_id)
    return ListPage(
        data=[inbox_out(i) for i in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/{inbox_id}", response_model=InboxOut)
async def get_inbox(inbox_id: str, user: UserDep, svc: ServicesDep) -> InboxOut:
    return inbox_out(await svc.inboxes.get(user, inbox_id))


@router.delete("/{inbox_id}", status_code=204, response_class=Response)
async def delete_inbox(inbox_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.inboxes.delete(user, inbox_id)
    return Response(status_code=204)


@router.get("/{inbox_id}/emails", response_model=ListPage[EmailSummaryOut])
async def list_emails(
    inbox_id: str,
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    sender: Annotated[str | None, Query(alias="from", max_length=320)] = None,
    subject: Annotated[str | None, Query(max_length=1000)] = None,
    since: datetime | None = None,
) -> ListPage[EmailSummaryOut]:
    page = await svc.emails.list(
        user, inbox_id, limit=limit, cursor=cursor, sender=sender, subject=subject, since=since
    )
    return ListPage(
        data=[email_summary_out(e) for e in page.data],
        total=page.total,
        next_cursor=page.next_cursor,
    )
