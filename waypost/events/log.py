"""Append events in the same transaction as the change they record; publish after commit."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from waypost.db.database import Database, Tx
from waypost.db.models import Event
from waypost.db.models import Session as SessionRow
from waypost.db.sqlite_writer import DBAPIConnection, insert_rows, scalar, sqlite_time, sqlite_value
from waypost.db.types import utcnow
from waypost.events.bus import EventBus
from waypost.webhooks.outbox import OutboxSignal, enqueue, enqueue_sqlite

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
    "extraction.assisted": "Model asked to read an email",
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


class SessionChanged(LookupError):
    """A guarded append found the session's row without the values it was guarded by."""


class EventLog:
    """The one writer of the ``events`` table."""

    def __init__(self, db: Database, bus: EventBus, outbox: OutboxSignal | None = None) -> None:
        self.db = db
        self.bus = bus
        self.outbox = outbox or OutboxSignal()  # woken when a commit wrote webhook deliveries
        # called with each commit's events once committed (the metrics: waypost/metrics)
        self.on_commit: Callable[[list[dict[str, Any]]], None] | None = None

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
        guards: dict[str, dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Record several events with one INSERT; per-session ``seq`` runs are reserved at once.

        ``session_values`` (session id → column values) rides on the same UPDATE of the
        session row that reserves the sequence numbers: one statement, not two.
        ``guards`` (session id → column values) are conditions on that UPDATE: when the
        session's row no longer has them, nothing is written and :class:`SessionChanged`
        is raised (a claim that lost its race).
        """
        now = utcnow()
        if self.db.is_sqlite:
            ids, rows, queued = await self.db.run_dbapi(
                tx, lambda c: _append_sqlite(c, specs, session_values, now, guards)
            )
        else:
            sessions: Table = SessionRow.__table__  # type: ignore[assignment]
            next_seq: dict[str, int] = {}
            for session_id, count in _counts(specs).items():
                extra = (session_values or {}).get(session_id, {})
                conditions = [
                    sessions.c[k] == v for k, v in (guards or {}).get(session_id, {}).items()
                ]
                last = (
                    await tx.s.execute(
                        update(sessions)
                        .where(sessions.c.id == session_id, *conditions)
                        .values(last_seq=sessions.c.last_seq + count, updated_at=now, **extra)
                        .returning(sessions.c.last_seq)
                    )
                ).scalar_one_or_none()
                if last is None:
                    raise SessionChanged(session_id)
                next_seq[session_id] = last - count + 1
            rows = _event_rows(specs, now, next_seq)
            ids = await self.db.insert_many(tx, Event.__table__, rows, return_ids=True)
            queued = await enqueue(tx, ids, now)
        payloads, publishes = _payloads(ids, rows, specs)
        if publishes:
            tx.after_commit(lambda: self._publish(publishes))
        if self.on_commit is not None:
            tx.after_commit(lambda: self._counted(payloads))
        if queued:
            tx.after_commit(self._deliveries_written)
        return payloads

    async def commit(
        self,
        inserts: list[tuple[Table, list[dict[str, Any]]]],
        specs: list[NewEvent],
        session_values: dict[str, dict[str, Any]] | None = None,
        guards: dict[str, dict[str, Any]] | None = None,
        *,
        first: Callable[[sqlite3.Connection], None] | None = None,
        committed: Callable[[], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Insert ``inserts`` and append ``specs`` in one transaction, then publish.

        The hot path (mail ingest, the agent loop, a wait's claim). On SQLite the whole
        transaction is one plain function run by
        :class:`~waypost.db.sqlite_writer.SQLiteWriter`. Once started it is finished and
        published even if the caller is cancelled: what was committed always goes out live.

        ``first`` (SQLite only) runs at the start of that transaction, on its connection:
        whatever it raises rolls the whole transaction back and reaches the caller.
        ``committed`` runs once it is committed, before anything is published.
        """
        if not self.db.is_sqlite:
            assert first is None, "first is for SQLite"
            async with self.db.write() as tx:
                if committed is not None:
                    tx.after_commit(as_coroutine(committed))  # before append_many's publish
                for table, rows in inserts:
                    await self.db.insert_many(tx, table, rows)
                return await self.append_many(tx, specs, session_values, guards)
        now = utcnow()
        value = _sqlite_converter()
        prepared = [
            (table.name, list(rows[0]), [tuple(value(v) for v in row.values()) for row in rows])
            for table, rows in inserts
            if rows
        ]

        def unit(connection: sqlite3.Connection) -> tuple[list[int], list[dict[str, Any]], int]:
            if first is not None:
                first(connection)
            for name, columns, params in prepared:
                insert_rows(connection, name, columns, params)
            return _append_sqlite(connection, specs, session_values, now, guards)

        async def commit_and_publish() -> list[dict[str, Any]]:
            ids, rows, queued = await self.db.run_sqlite(unit)
            if committed is not None:
                committed()
            if queued:
                self.outbox.notify()
            payloads, publishes = _payloads(ids, rows, specs)
            await self._publish(publishes)
            if self.on_commit is not None:
                self.on_commit(payloads)
            return payloads

        task = asyncio.ensure_future(commit_and_publish())
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _deliveries_written(self) -> None:
        self.outbox.notify()

    async def _counted(self, payloads: list[dict[str, Any]]) -> None:
        if self.on_commit is not None:
            self.on_commit(payloads)

    async def _publish(self, publishes: list[tuple[str, dict[str, Any]]]) -> None:
        for channel, payload in publishes:
            await self.bus.publish(channel, payload)

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


EVENT_COLUMNS = ("user_id", "session_id", "seq", "type", "timestamp", "description", "data")


def _counts(specs: list[NewEvent]) -> dict[str, int]:
    """How many of ``specs`` go to each session."""
    counts: dict[str, int] = {}
    for spec in specs:
        if spec.session_id is not None:
            counts[spec.session_id] = counts.get(spec.session_id, 0) + 1
    return counts


def _event_rows(
    specs: list[NewEvent], now: datetime, next_seq: dict[str, int]
) -> list[dict[str, Any]]:
    """The ``events`` rows for ``specs``, numbered from ``next_seq`` (which advances)."""
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
    return rows


def _append_sqlite(
    connection: DBAPIConnection,
    specs: list[NewEvent],
    session_values: dict[str, dict[str, Any]] | None,
    now: datetime,
    guards: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[int], list[dict[str, Any]], int]:
    """SQLite: reserve each session's seq run and insert the events (DB-API, one thread);
    also their webhook deliveries, whose number is returned third."""
    stamp = sqlite_time(now)
    next_seq: dict[str, int] = {}
    for session_id, count in _counts(specs).items():
        extra = (session_values or {}).get(session_id, {})
        guard = (guards or {}).get(session_id, {})
        sets = ", ".join(
            ["last_seq = last_seq + ?", "updated_at = ?"] + [f'"{k}" = ?' for k in extra]
        )
        where = "".join(f' AND "{k}" = ?' for k in guard)
        last = scalar(
            connection,
            f"UPDATE sessions SET {sets} WHERE id = ?{where} RETURNING last_seq",
            (
                count,
                stamp,
                *(sqlite_value(v) for v in extra.values()),
                session_id,
                *(sqlite_value(v) for v in guard.values()),
            ),
        )
        if last is None and guard:
            raise SessionChanged(session_id)
        if last is None:
            raise LookupError(f"session {session_id} does not exist")
        next_seq[session_id] = int(last) - count + 1
    rows = _event_rows(specs, now, next_seq)
    params = [
        (r["user_id"], r["session_id"], r["seq"], r["type"], stamp, r["description"],
         json.dumps(r["data"]))
        for r in rows
    ]  # fmt: skip
    ids = insert_rows(connection, "events", EVENT_COLUMNS, params, return_ids=True)
    return ids, rows, enqueue_sqlite(connection, ids, stamp)


def _payloads(
    ids: list[int], rows: list[dict[str, Any]], specs: list[NewEvent]
) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """The public events, and (channel, event) pairs to publish once committed."""
    payloads = []
    publishes: list[tuple[str, dict[str, Any]]] = []
    for event_id, row, spec in zip(ids, rows, specs, strict=True):
        payload = _public({**row, "id": event_id})
        payloads.append(payload)
        targets = spec.channels + ((session_channel(spec.session_id),) if spec.session_id else ())
        publishes.extend((channel, payload) for channel in targets)
    return payloads, publishes


def _sqlite_converter() -> Callable[[Any], Any]:
    """:func:`sqlite_value` remembering the datetimes it formatted: a batch of mail shares
    one ``received_at``, and formatting one cost more than the rest of its row."""
    formatted: dict[datetime, str] = {}

    def value(v: Any) -> Any:
        if isinstance(v, datetime):
            text = formatted.get(v)
            if text is None:
                text = formatted[v] = sqlite_time(v)
            return text
        return sqlite_value(v)

    return value


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a shielded commit's outcome as seen when its caller was cancelled."""
    if not task.cancelled():
        task.exception()


def as_coroutine(callback: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    """``callback`` as :meth:`~waypost.db.database.Tx.after_commit` takes it."""

    async def run() -> None:
        callback()

    return run
