"""/api/v1/webhooks: endpoints sent the user's events, signed (Standard Webhooks), retried."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import ListPage, RequestModel
from waypost.db.models import Webhook, WebhookDelivery
from waypost.webhooks.outbox import PENDING
from waypost.webhooks.payload import delivery_id

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

EventName = Annotated[str, Field(min_length=1, max_length=100)]


class WebhookCreate(RequestModel):
    """``events``: event types (or ``"*"``); ``secret``: ``whsec_…``, generated if absent."""

    url: str = Field(min_length=1, max_length=2000)
    events: list[EventName] = Field(min_length=1, max_length=64)
    secret: str | None = Field(default=None, max_length=200)
    inbox_id: str | None = Field(default=None, max_length=40)
    session_id: str | None = Field(default=None, max_length=40)
    enabled: bool = True


class WebhookUpdate(RequestModel):
    """Only the fields sent change; ``inbox_id``/``session_id`` null removes that filter."""

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[EventName] | None = Field(default=None, min_length=1, max_length=64)
    secret: str | None = Field(default=None, max_length=200)
    inbox_id: str | None = Field(default=None, max_length=40)
    session_id: str | None = Field(default=None, max_length=40)
    enabled: bool | None = None


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    inbox_id: str | None
    session_id: str | None
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown this once; verify signatures with it.")


class DeliveryOut(BaseModel):
    id: str = Field(description="Also the webhook-id header the receiver sees.")
    webhook_id: str
    event_id: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_response: str | None = Field(description="The first 1 kB of the last answer.")
    next_attempt_at: datetime | None
    delivered_at: datetime | None


def webhook_out(row: Webhook) -> WebhookOut:
    return WebhookOut(
        id=row.id,
        url=row.url,
        events=list(row.events),
        inbox_id=row.inbox_id,
        session_id=row.session_id,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_out(row: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery_id(row.webhook_id, row.event_id),
        webhook_id=row.webhook_id,
        event_id=f"evt_{row.event_id}",
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        last_response=row.last_response,
        next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
        delivered_at=row.delivered_at,
    )


@router.post("", status_code=201, response_model=WebhookCreated)
async def create_webhook(body: WebhookCreate, user: UserDep, svc: ServicesDep) -> WebhookCreated:
    created = await svc.webhooks.create(user, body.model_dump())
    return WebhookCreated(**webhook_out(created.row).model_dump(), secret=created.secret)


@router.get("", response_model=ListPage[WebhookOut])
async def list_webhooks(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ListPage[WebhookOut]:
    page = await svc.webhooks.list(user, limit=limit, cursor=cursor)
    return ListPage(
        data=[webhook_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/{webhook_id}", response_model=WebhookOut)
async def get_webhook(webhook_id: str, user: UserDep, svc: ServicesDep) -> WebhookOut:
    return webhook_out(await svc.webhooks.get(user, webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut)
async def update_webhook(
    webhook_id: str, body: WebhookUpdate, user: UserDep, svc: ServicesDep
) -> WebhookOut:
    fields = body.model_dump(exclude_unset=True)
    return webhook_out(await svc.webhooks.update(user, webhook_id, fields))


@router.delete("/{webhook_id}", status_code=204, response_class=Response)
async def delete_webhook(webhook_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.webhooks.delete(user, webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=ListPage[DeliveryOut])
async def list_deliveries(
    webhook_id: str,
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    status: str | None = None,
) -> ListPage[DeliveryOut]:
    page = await svc.webhooks.deliveries(
        user, webhook_id, limit=limit, cursor=cursor, status=status
    )
    return ListPage(
        data=[delivery_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.post("/{webhook_id}/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
async def retry_delivery(
    webhook_id: str, delivery_id: str, user: UserDep, svc: ServicesDep
) -> DeliveryOut:
    return delivery_out(await svc.webhooks.retry(user, webhook_id, delivery_id))
