"""Append events in the same transaction as the change they record; publish after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from waypost.db.database import Tx
from waypost.db.models import Event
from waypost.db.models import Session as SessionRow
from waypost.db.types import utcnow
from waypost.events.bus import EventBus

DESCRIPTIONS = {
    "session.created": "Session was created",
    "session.completed": "Session marked as done",
    "session.failed": "Session marked as failed",
    "inbox.created": "Inbox added to session",
    "inbox.deleted": "Inbox removed",
    "email.received": "Email arrived in session inbox",
    "wait.created": "Wait started",
    "wait.completed": "Wait finished successfully",
    "wait.timed_out": "Wait timed out",
    "wait.cancelled": "Wait cancelled",
    "extraction.completed": "Data extracted from email",
    "workflow.started": "Workflow started",
    "workflow.completed": "Workflow finished",
}


MAIL_CHANNEL = "mail"  # every committed email.received, for the waits engine


def session_channel(session_id: str) -> str:
    """Bus channel carrying one session's timeline."""
    return f"session:{session_id}"


def inbox_channel(inbox_id: str) -> str:
    """Bus channel carrying one inbox's events (email arrivals)."""
    return f"inbox:{inbox_id}"


def event_to_dict(event: Event) -> dict[str, Any]:
    """The public shape of an event, as the timeline and SSE show it."""
    return {
        "id": f"evt_{event.id}",
        "seq": event.seq,
        "type": event.type,
        "timestamp": event.timestamp.isoformat().replace("+00:00", "Z"),
        "description": event.description,
        "session_id": event.session_id,
        "data": event.data,
    }


class EventLog:
    """The one writer of the ``events`` table."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def append(
        self,
        tx: Tx,
        *,
        user_id: str,
        type: str,
        data: dict[str, Any],
        session_id: str | None = None,
        channels: tuple[str, ...] = (),
        description: str | None = None,
    ) -> Event:
        """Record ``type`` in ``tx``; after commit it goes out on the session and ``channels``."""
        seq: int | None = None
        if session_id is not None:
            seq = (
                await tx.s.execute(
                    update(SessionRow)
                    .where(SessionRow.id == session_id)
                    .values(last_seq=SessionRow.last_seq + 1, updated_at=utcnow())
                    .returning(SessionRow.last_seq)
                )
            ).scalar_one()
        event = Event(
            user_id=user_id,
            session_id=session_id,
            seq=seq,
            type=type,
            timestamp=utcnow(),
            description=description or DESCRIPTIONS.get(type, type),
            data=data,
        )
        tx.s.add(event)
        await tx.s.flush()
        targets = channels + ((session_channel(session_id),) if session_id else ())
        if targets:
            payload = event_to_dict(event)

            async def publish() -> None:
                for channel in targets:
                    await self.bus.publish(channel, payload)

            tx.after_commit(publish)
        return event

    @staticmethod
    async def session_events(
        s: AsyncSession, session_id: str, after: int = 0, limit: int | None = None
    ) -> list[Event]:
        """A session's events with ``seq > after``, in order."""
        query = (
            select(Event)
            .where(Event.session_id == session_id, Event.seq > after)
            .order_by(Event.seq)
        )
        if limit is not None:
            query = query.limit(limit)
        return list((await s.execute(query)).scalars())
