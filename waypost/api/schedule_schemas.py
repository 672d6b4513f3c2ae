"""Request and response shapes of /api/v1/schedules (kept apart from schemas.py so the
SDK can import them without the server)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from waypost.api.schemas import RequestModel


class ScheduleCreate(RequestModel):
    """Exactly one of ``agent_id`` and ``team_id``; cron is five fields, read in ``timezone``."""

    agent_id: str | None = Field(default=None, max_length=40)
    team_id: str | None = Field(default=None, max_length=40)
    sandbox_id: str = Field(max_length=40)
    cron: str = Field(min_length=1, max_length=200)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    message: str = Field(min_length=1)
    enabled: bool = True
    name: str | None = Field(default=None, max_length=200)
    workspace_id: str | None = Field(default=None, max_length=40)


class ScheduleUpdate(RequestModel):
    """Only the fields sent change; naming an agent drops the team and the other way round."""

    agent_id: str | None = Field(default=None, max_length=40)
    team_id: str | None = Field(default=None, max_length=40)
    sandbox_id: str | None = Field(default=None, max_length=40)
    cron: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    message: str | None = Field(default=None, min_length=1)
    enabled: bool | None = None
    name: str | None = Field(default=None, max_length=200)
    workspace_id: str | None = Field(default=None, max_length=40)


class ScheduleOut(BaseModel):
    id: str
    name: str | None
    workspace_id: str | None
    agent_id: str | None
    team_id: str | None
    sandbox_id: str
    cron: str
    timezone: str
    message: str
    enabled: bool
    next_fire_at: datetime | None
    last_fired_at: datetime | None
    last_session_id: str | None
    fire_count: int
    last_error: str | None  # why the latest firing failed (None when it did not)
    created_at: datetime
    updated_at: datetime
