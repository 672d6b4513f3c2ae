"""The outbox: delivery rows written in the same transaction as the events they carry.

One INSERT … SELECT per commit joins the new events to the owners' enabled webhooks
(indexed by ``user_id``), so a commit by a user without webhooks costs one indexed
lookup and no row, and a webhook created on another replica is seen by the very next
commit (nothing is cached). :class:`OutboxSignal` then wakes this process's sender.
``*`` is every type but ``text_delta`` (an agent run's token stream).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text

from waypost.db.database import Tx
from waypost.db.sqlite_writer import DBAPIConnection
from waypost.db.types import UTCDateTime

PENDING = "pending"

_POSTGRES_ENQUEUE = text("""
INSERT INTO webhook_deliveries (webhook_id, event_id, status, attempts, next_attempt_at,
                                created_at)
SELECT w.id, e.id, 'pending', 0, :now, :now
FROM events AS e JOIN webhooks AS w ON w.user_id = e.user_id
WHERE e.id = ANY(:ids) AND w.enabled
  AND (CASE WHEN w.event_filter = '*' THEN e.type <> 'text_delta'
            ELSE strpos(w.event_filter, ',' || e.type || ',') > 0 END)
  AND (w.session_id IS NULL OR w.session_id = e.session_id)
  AND (w.inbox_id IS NULL OR w.inbox_id = e.data ->> 'inbox_id')
""").bindparams(bindparam("now", type_=UTCDateTime()))
_SQLITE_ENQUEUE = """
INSERT INTO webhook_deliveries (webhook_id, event_id, status, attempts, next_attempt_at,
                                created_at)
SELECT w.id, e.id, 'pending', 0, ?1, ?1
FROM events AS e JOIN webhooks AS w ON w.user_id = e.user_id
WHERE e.id BETWEEN ?2 AND ?3 AND w.enabled
  AND (CASE WHEN w.event_filter = '*' THEN e.type <> 'text_delta'
            ELSE instr(w.event_filter, ',' || e.type || ',') > 0 END)
  AND (w.session_id IS NULL OR w.session_id = e.session_id)
  AND (w.inbox_id IS NULL OR w.inbox_id = json_extract(e.data, '$.inbox_id'))
"""


class OutboxSignal:
    """Tells this process's sender that a commit wrote deliveries (no waiting for a poll)."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        """Called after a commit that wrote deliveries."""
        if self._event is not None:
            self._event.set()

    async def wait(self, seconds: float) -> None:
        """Until :meth:`notify` or ``seconds``, whichever is first; then re-armed."""
        if self._event is None:
            self._event = asyncio.Event()
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            pass
        self._event.clear()


def enqueue_sqlite(connection: DBAPIConnection, event_ids: list[int], stamp: str) -> int:
    """SQLite (DB-API, inside the events' transaction): deliveries for ``event_ids`` (the
    consecutive rowids of one INSERT); how many were written."""
    if not event_ids:
        return 0
    cursor = connection.cursor()
    cursor.execute(_SQLITE_ENQUEUE, (stamp, event_ids[0], event_ids[-1]))
    return int(cursor.rowcount)


async def enqueue(tx: Tx, event_ids: list[int], now: datetime) -> int:
    """PostgreSQL (inside ``tx``): deliveries for ``event_ids``; how many were written.

    Plain SQL: building the same statement as a SQLAlchemy construct on every commit
    cost several times its round trip.
    """
    if not event_ids:
        return 0
    result: Any = await tx.s.execute(_POSTGRES_ENQUEUE, {"ids": event_ids, "now": now})
    return int(result.rowcount or 0)
