"""Request and response shapes: requests accept camelCase and snake_case, responses snake_case."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class RequestModel(BaseModel):
    """Base for bodies: both spellings accepted, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_max_length=100_000
    )


class ListPage(BaseModel, Generic[T]):
    """The one list shape: ``{"data": [...], "total": n, "next_cursor": ...}``."""

    data: list[T]
    total: int
    next_cursor: str | None


class ErrorBody(BaseModel):
    """Every error: a stable code and a human message."""

    error: str
    message: str


# --- sessions -----------------------------------------------------------------------------------


class SessionCreate(RequestModel):
    name: str | None = Field(default=None, max_length=500)
    metadata: dict[str, Any] = Field(default_factory=dict)
    agent_id: str | None = None


class SessionEnd(RequestModel):
    reason: str | None = Field(default=None, max_length=2000)


SessionStatus = Literal["active", "completed", "failed", "interrupted"]


class SessionOut(BaseModel):
    id: str
    name: str | None
    status: SessionStatus
    metadata: dict[str, Any]
    agent_id: str | None
    sandbox_id: str | None
    source: str | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None


class SessionCounts(BaseModel):
    inboxes: int
    emails: int
    waits: int
    extractions: int
    events: int


class SessionDetailOut(SessionOut):
    inboxes: list[str]
    waits: list[str]
    extractions: list[str]
    counts: SessionCounts


class EventOut(BaseModel):
    id: str
    seq: int | None
    type: str
    timestamp: datetime
    description: str
    session_id: str | None
    data: dict[str, Any]


class TimelineOut(BaseModel):
    session_id: str
    events: list[EventOut]


# --- inboxes and emails -------------------------------------------------------------------------


class InboxCreate(RequestModel):
    username: str | None = Field(default=None, max_length=64)
    domain: str | None = Field(default=None, max_length=253)
    ttl_seconds: int | None = None
    session_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class InboxOut(BaseModel):
    id: str
    email_address: str
    session_id: str | None
    metadata: dict[str, Any]
    created_at: datetime
    expires_at: datetime


class AddressOut(BaseModel):
    name: str
    address: str


class EmailSummaryOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: str
    inbox_id: str
    from_: str = Field(alias="from")
    subject: str
    date: datetime | None
    message_id: str | None
    size: int
    received_at: datetime


class HeaderOut(BaseModel):
    name: str
    value: str


class AttachmentOut(BaseModel):
    index: int
    filename: str | None
    content_type: str
    size: int
    content_id: str | None
    inline: bool


class EmailOut(EmailSummaryOut):
    mail_from: str
    from_addresses: list[AddressOut]
    to: list[AddressOut]
    cc: list[AddressOut]
    reply_to: list[AddressOut]
    headers: list[HeaderOut]
    text: str | None
    html: str | None
    attachments: list[AttachmentOut]
    defects: list[str]
