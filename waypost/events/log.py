"""Append events in the same transaction as the change they record; publish after commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from waypost.db.database import Database, Tx
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
WAITS_CHANNEL = "waits"  # every wait created or ended, so each engine knows what is pending


def session_channel(session_id: str) -> str:
    """Bus channel carrying one session's timeline."""
    return f"session:{session_id}"


def inbox_channel(inbox_id: str) -> str:
    """Bus channel carrying one inbox's events (email arrivals)."""
    return f"inbox:{inbox_id}"


def event_to_dict(event: Event) -> dict[str, Any]:
    """The public shape of an event, as the timeline and SSE show it."""
    return _public(
        {
            "id": event.id,
            "seq": event.seq,
            "type": event.type,
            "timestamp": event.timestamp,
            "description": event.description,
            "session_id": event.session_id,
            "data": event.data,
        }
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_{row['id']}",
        "seq": row["seq"],
        "type": row["type"],
        "timestamp": row["timestamp"].isoformat().replace("+00:00", "Z"),
        "description": row["description"],
        "session_id": row["session_id"],
        "data": row["data"],
    }


@dataclass(frozen=True)
class NewEvent:
    """An event to append: who, what, on which session, and extra bus channels."""

    user_id: str
    type: str
    data: dict[str, Any]
    session_id: str | None = None
    channels: tuple[str, ...] = ()
    description: str | None = None


class EventLog:
    """The one writer of the ``events`` table."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
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
    ) -> dict[str, Any]:
        """Record ``type`` in ``tx``; after commit it goes out on the session and ``channels``."""
        spec = NewEvent(user_id, type, data, session_id, channels, description)
        return (await self.append_many(tx, [spec]))[0]

    async def append_many(
        self,
        tx: Tx,
        specs: list[NewEvent],
        session_values: dict[str, dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Record several events with one INSERT; per-session ``seq`` runs are reserved at once.

        ``session_values`` (session id → column values) rides on the same UPDATE of the
        session row that reserves the sequence numbers: one statement, not two.
        """
        now = utcnow()
        per_session: dict[str, int] = {}
        for spec in specs:
            if spec.session_id is not None:
                per_session[spec.session_id] = per_session.get(spec.session_id, 0) + 1
        next_seq: dict[str, int] = {}
        for session_id, count in per_session.items():
            extra = (session_values or {}).get(session_id, {})
            if self.db.is_sqlite:  # driver level: SQLAlchemy added ~0.8 ms to this statement
                sets = ", ".join(
                    ["last_seq = last_seq + ?", "updated_at = ?"] + [f'"{k}" = ?' for k in extra]
                )
                last = await self.db.sqlite_scalar(
                    tx,
                    f"UPDATE sessions SET {sets} WHERE id = ? RETURNING last_seq",
                    (count, now, *extra.values(), session_id),
                )
                if last is None:
                    raise LookupError(f"session {session_id} does not exist")
                next_seq[session_id] = int(last) - count + 1
                continue
            sessions: Table = SessionRow.__table__  # type: ignore[assignment]
            last = (
                await tx.s.execute(
                    update(sessions)
                    .where(sessions.c.id == session_id)
                    .values(last_seq=sessions.c.last_seq + count, updated_at=now, **extra)
                    .returning(sessions.c.last_seq)
                )
            ).scalar_one()
            next_seq[session_id] = last - count + 1
        rows = []
        for spec in specs:
            seq = None
            if spec.session_id is not None:
                seq = next_seq[spec.session_id]
                next_seq[spec.session_id] = seq + 1
            rows.append(
                {
                    "user_id": spec.user_id,
                    "session_id": spec.session_id,
                    "seq": seq,
                    "type": spec.type,
                    "timestamp": now,
                    "description": spec.description or DESCRIPTIONS.get(spec.type, spec.type),
                    "data": spec.data,
                }
            )
        ids = await self.db.insert_many(tx, Event.__table__, rows, return_ids=True)
        payloads = []
        publishes: list[tuple[str, dict[str, Any]]] = []
        for event_id, row, spec in zip(ids, rows, specs, strict=True):
            payload = _public({**row, "id": event_id})
            payloads.append(payload)
            targets = spec.channels + (
                (session_channel(spec.session_id),) if spec.session_id else ()
            )
            publishes.extend((channel, payload) for channel in targets)
        if publishes:

            async def publish() -> None:
                for channel, payload in publishes:
                    await self.bus.publish(channel, payload)

            tx.after_commit(publish)
        return payloads

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
