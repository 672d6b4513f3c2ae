"""Schedules: stored cron rules, and the loop that fires them once each across servers.

A firing is claimed in the database: the process that moves ``next_fire_at`` forward
from the value it read (one conditional UPDATE) fires it; any other process reading the
same value changes no row and does nothing. The next firing is always computed from now,
so firings missed while no server ran are made up by one firing, not one per slot.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterError, croniter
from sqlalchemy import delete, select, update

from waypost.db.database import Database
from waypost.db.models import Agent, Sandbox, Schedule, Team, Workspace
from waypost.db.owned import get_owned
from waypost.db.pages import Page, paginate
from waypost.errors import Invalid, NotFound, WaypostError
from waypost.events.log import EventLog
from waypost.ids import new_id
from waypost.schedules.clock import Clock, SystemClock
from waypost.sessions.service import SessionLinks

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from waypost.agents.runtime import Conversations

log = logging.getLogger("waypost.schedules")

FAILED = "schedule.failed"
DUE_BATCH = 100  # schedules looked at per poll; the rest wait for the next one
MAX_ERROR_CHARS = 500
# what a PATCH may change, and which of those move the next firing
FIELDS = (
    "name",
    "workspace_id",
    "agent_id",
    "team_id",
    "sandbox_id",
    "cron",
    "timezone",
    "message",
    "enabled",
)
TIMING = ("cron", "timezone", "enabled")
REQUIRED = ("sandbox_id", "cron", "timezone", "message", "enabled")


def parse_timezone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a 400."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"timezone: unknown IANA time zone '{name}'") from None


def check_cron(expression: str) -> str:
    """A five-field cron expression (or ``@hourly``, ``@daily``…) that ever fires, or a 400."""
    text = " ".join(expression.split())
    fields = text.split(" ")
    if not text or (len(fields) != 5 and not (len(fields) == 1 and text.startswith("@"))):
        raise Invalid(
            "cron: expected five fields (minute hour day-of-month month day-of-week), "
            f"got '{expression}'"
        )
    try:
        croniter(text, datetime(2000, 1, 1, tzinfo=UTC), datetime).get_next(datetime)
    except CroniterBadDateError:
        raise Invalid(f"cron: '{expression}' never fires") from None
    except (CroniterBadCronError, CroniterError, ValueError, KeyError) as exc:
        raise Invalid(f"cron: invalid expression '{expression}': {exc}") from None
    return text


def next_fire(expression: str, timezone: str, after: datetime) -> datetime:
    """The first time strictly after ``after`` that ``expression`` matches in ``timezone``
    (UTC)."""
    local = after.astimezone(ZoneInfo(timezone))
    return croniter(expression, local, datetime).get_next(datetime).astimezone(UTC)


@dataclass(frozen=True)
class ScheduleView:
    """A schedule and, when its latest firing failed, why."""

    row: Schedule
    last_error: str | None


class Schedules:
    """The schedules repository, its rules, and the firing loop."""

    def __init__(
        self,
        db: Database,
        events: EventLog,
        conversations: Conversations,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.events = events
        self.conversations = conversations
        self.clock: Clock = clock or SystemClock()

    # --- storage ----------------------------------------------------------------------------

    async def create(self, user_id: str, fields: dict[str, Any]) -> ScheduleView:
        """A new schedule; its first firing is the cron's next time after now."""
        values = {k: fields.get(k) for k in FIELDS}
        values["timezone"] = values["timezone"] or "UTC"
        values["enabled"] = True if values["enabled"] is None else values["enabled"]
        self._check(values)
        now = self.clock.now()
        row = Schedule(
            id=new_id("sch"),
            user_id=user_id,
            **values,
            next_fire_at=self._next(values, now),
            last_fired_at=None,
            last_session_id=None,
            fire_count=0,
            created_at=now,
            updated_at=now,
        )
        async with self.db.write() as tx:
            await self._check_owned(tx.s, user_id, values)
            tx.s.add(row)
        return ScheduleView(row, None)

    async def get(self, user_id: str, schedule_id: str) -> ScheduleView:
        """One of the user's schedules, or schedule_not_found."""
        async with self.db.read() as s:
            row = await get_owned(s, Schedule, schedule_id, user_id, "schedule")
            return ScheduleView(row, row.last_error)

    async def list(
        self,
        user_id: str,
        *,
        limit: int,
        cursor: str | None,
        workspace_id: str | None = None,
        agent_id: str | None = None,
    ) -> Page[ScheduleView]:
        """The user's schedules, newest first, filtered."""
        query = select(Schedule).where(Schedule.user_id == user_id)
        if workspace_id is not None:
            query = query.where(Schedule.workspace_id == workspace_id)
        if agent_id is not None:
            query = query.where(Schedule.agent_id == agent_id)
        async with self.db.read() as s:
            page = await paginate(s, query, Schedule.id, limit, cursor)
        views = [ScheduleView(r, r.last_error) for r in page.data]
        return Page(views, page.total, page.next_cursor)

    async def update(self, user_id: str, schedule_id: str, fields: dict[str, Any]) -> ScheduleView:
        """Change a schedule; a new cron, timezone or ``enabled`` recomputes the next firing."""
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise Invalid(f"unknown field '{sorted(unknown)[0]}'")
        for key in REQUIRED:
            if key in fields and fields[key] is None:
                raise Invalid(f"{key} cannot be null")
        async with self.db.write() as tx:
            row = await get_owned(tx.s, Schedule, schedule_id, user_id, "schedule")
            values = {k: getattr(row, k) for k in FIELDS}
            # naming one target replaces the other
            if fields.get("agent_id") is not None and "team_id" not in fields:
                values["team_id"] = None
            if fields.get("team_id") is not None and "agent_id" not in fields:
                values["agent_id"] = None
            values.update(fields)
            self._check(values)
            # only what the PATCH names is checked: a target deleted since is not in the way
            await self._check_owned(tx.s, user_id, {k: values[k] for k in fields})
            now = self.clock.now()
            for key, value in values.items():
                setattr(row, key, value)
            if any(k in fields for k in TIMING):
                row.next_fire_at = self._next(values, now)
            row.updated_at = now
        return ScheduleView(row, row.last_error)

    async def delete(self, user_id: str, schedule_id: str) -> None:
        """Delete a schedule (sessions it started stay)."""
        async with self.db.write() as tx:
            gone = await tx.s.execute(
                delete(Schedule).where(Schedule.id == schedule_id, Schedule.user_id == user_id)
            )
            if gone.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound.of("schedule")

    @staticmethod
    def _check(values: dict[str, Any]) -> None:
        """The rules on a schedule's fields, before anything is read or written."""
        if (values["agent_id"] is None) == (values["team_id"] is None):
            raise Invalid("exactly one of agent_id and team_id is required")
        values["cron"] = check_cron(values["cron"])
        parse_timezone(values["timezone"])

    @staticmethod
    async def _check_owned(s: AsyncSession, user_id: str, values: dict[str, Any]) -> None:
        """Every id the schedule points at is the caller's (another user's is a 404)."""
        for key, model, resource in (
            ("agent_id", Agent, "agent"),
            ("team_id", Team, "team"),
            ("sandbox_id", Sandbox, "sandbox"),
            ("workspace_id", Workspace, "workspace"),
        ):
            if values.get(key) is not None:
                await get_owned(s, model, values[key], user_id, resource)

    @staticmethod
    def _next(values: dict[str, Any], now: datetime) -> datetime | None:
        if not values["enabled"]:
            return None
        return next_fire(values["cron"], values["timezone"], now)

    # --- firing -----------------------------------------------------------------------------

    async def run_forever(self, interval: float) -> None:
        """Fire due schedules every ``interval`` seconds until cancelled."""
        while True:
            try:
                await self.fire_due()
            except Exception:
                log.exception("schedule poll failed")
            await asyncio.sleep(interval)

    async def fire_due(self) -> int:
        """Fire every due schedule this process manages to claim; how many it fired."""
        now = self.clock.now()
        async with self.db.read() as s:
            due = (
                await s.execute(
                    select(Schedule.id, Schedule.next_fire_at, Schedule.cron, Schedule.timezone)
                    .where(
                        Schedule.enabled.is_(True),
                        Schedule.next_fire_at.is_not(None),
                        Schedule.next_fire_at <= now,
                    )
                    .order_by(Schedule.next_fire_at)
                    .limit(DUE_BATCH)
                )
            ).all()
        fired = 0
        for schedule_id, seen, cron, timezone in due:
            if seen is None:  # not due (the query excludes it; this is for the type)
                continue
            try:
                following = next_fire(cron, timezone, now)
                row = await self._claim(schedule_id, seen, now, following)
                if row is not None:
                    fired += 1
                    await self._fire(row)
            except Exception:
                log.exception("firing schedule %s failed", schedule_id)
        return fired

    async def _claim(
        self, schedule_id: str, seen: datetime, now: datetime, following: datetime
    ) -> Schedule | None:
        """Move the schedule past this firing if no one else has; the row if we did."""
        async with self.db.write() as tx:
            result = await tx.s.execute(
                update(Schedule)
                .where(
                    Schedule.id == schedule_id,
                    Schedule.next_fire_at == seen,
                    Schedule.enabled.is_(True),
                )
                .values(
                    next_fire_at=following,
                    last_fired_at=now,
                    last_session_id=None,  # this firing's, once it has one
                    last_error=None,
                    fire_count=Schedule.fire_count + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return (
                await tx.s.execute(select(Schedule).where(Schedule.id == schedule_id))
            ).scalar_one()

    async def _fire(self, row: Schedule) -> None:
        """Start the schedule's session and send its message; a failure is recorded."""
        session_id: str | None = None
        try:
            session = await self.conversations.create_session(
                row.user_id,
                row.sandbox_id,
                metadata={},
                agent_id=row.agent_id,
                name=row.name or f"schedule {row.id}",
                source="schedule",
                links=SessionLinks(
                    source_schedule_id=row.id,
                    workspace_id=row.workspace_id,
                    team_id=row.team_id,
                ),
            )
            session_id = session.id
            async with self.db.write() as tx:
                await tx.s.execute(
                    update(Schedule)
                    .where(Schedule.id == row.id, Schedule.fire_count == row.fire_count)
                    .values(last_session_id=session_id)
                    .execution_options(synchronize_session=False)
                )
            await self.conversations.send(
                row.user_id, session_id, [{"type": "text", "text": row.message}], wait=False
            )
        except Exception as exc:
            await self._record_failure(row, session_id, exc)

    async def _record_failure(self, row: Schedule, session_id: str | None, exc: Exception) -> None:
        if isinstance(exc, WaypostError):
            error = f"{exc.code}: {exc.message}"
            log.warning("schedule %s firing %d failed: %s", row.id, row.fire_count, error)
        else:
            error = f"{type(exc).__name__}: {exc}"
            log.error("schedule %s firing %d failed", row.id, row.fire_count, exc_info=exc)
        data = {
            "schedule_id": row.id,
            "fire_count": row.fire_count,
            "session_id": session_id,
            "error": error[:MAX_ERROR_CHARS],
        }
        try:
            async with self.db.write() as tx:
                await tx.s.execute(
                    update(Schedule)
                    .where(Schedule.id == row.id, Schedule.fire_count == row.fire_count)
                    .values(last_error=data["error"])
                    .execution_options(synchronize_session=False)
                )
                await self.events.append(
                    tx,
                    user_id=row.user_id,
                    type=FAILED,
                    data=data,
                    session_id=session_id,
                    description="Schedule firing failed",
                )
        except Exception:
            log.exception("could not record the failure of schedule %s", row.id)
