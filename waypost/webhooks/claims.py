"""The sender's storage: one transaction records finished attempts and claims due ones.

A claim moves ``next_attempt_at`` and ``locked_until`` to the end of a lease in one
UPDATE (on PostgreSQL over ``FOR UPDATE SKIP LOCKED``; SQLite's writer lock serialises
it), so no other replica takes the delivery while this one sends it. On SQLite the round
is plain DB-API on the :class:`~waypost.db.sqlite_writer.SQLiteWriter` (~0.1 ms instead
of a dozen thread hops through SQLAlchemy): it runs after every batch of commits that
wrote deliveries, next to the hot paths.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from waypost.db.database import Database, Tx
from waypost.db.models import Email, Event, Webhook, WebhookDelivery
from waypost.db.sqlite_writer import sqlite_time
from waypost.db.types import utcnow
from waypost.webhooks.outbox import PENDING

DELIVERED = "delivered"
FAILED = "failed"
GONE_REASON = "the endpoint answered 410 Gone"


@dataclass(frozen=True)
class Claimed:
    """A delivery this process holds the lease of."""

    id: int
    webhook_id: str
    event_id: int
    attempts: int
    created_at: datetime
    body: str | None


@dataclass
class Outcome:
    """One finished attempt, to be recorded with the next claim."""

    id: int
    webhook_id: str
    status: str
    attempts: int
    at: datetime
    next_attempt_at: datetime
    status_code: int | None
    error: str | None
    response: str | None
    body: str | None
    gone: bool = False  # the endpoint answered 410: disable the webhook


@dataclass(frozen=True)
class HookRow:
    """What an attempt needs of its webhook (the secret still sealed)."""

    id: str
    url: str
    enabled: bool
    sealed: bytes


@dataclass
class Round:
    """What one round claimed, with the webhooks, and the events and emails of the
    deliveries whose body is not built yet (read in the same transaction: no read per
    delivery)."""

    claimed: list[Claimed] = field(default_factory=list)
    hooks: list[HookRow] = field(default_factory=list)
    events: dict[int, Event] = field(default_factory=dict)
    emails: dict[str, Email] = field(default_factory=dict)


async def run_round(db: Database, outcomes: list[Outcome], limit: int, lease: timedelta) -> Round:
    """Record ``outcomes``, then claim up to ``limit`` due deliveries for ``lease``."""
    now = utcnow()
    if db.is_sqlite:
        return await db.run_sqlite(lambda c: _round_sqlite(c, outcomes, limit, now, lease))
    async with db.write() as tx:
        await _record(tx, outcomes)
        if limit <= 0:
            return Round()
        claimed = await _claim(tx, limit, now, now + lease)
        return await _details(tx, claimed)


async def release(db: Database, outcomes: list[Outcome], held: list[int]) -> None:
    """Record ``outcomes`` and end the leases of ``held``: due again now, for anyone."""
    now = utcnow()
    if db.is_sqlite:

        def unit(connection: sqlite3.Connection) -> None:
            _record_sqlite(connection, outcomes)
            connection.executemany(
                "UPDATE webhook_deliveries SET locked_until = NULL, next_attempt_at = ? "
                "WHERE id = ? AND status = 'pending'",
                [(sqlite_time(now), i) for i in held],
            )

        await db.run_sqlite(unit)
        return
    async with db.write() as tx:
        await _record(tx, outcomes)
        if held:
            await tx.s.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(held), WebhookDelivery.status == PENDING)
                .values(locked_until=None, next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )


# --- SQLite (DB-API, one transaction on the writer) -------------------------------------

_SQLITE_CLAIM = """
UPDATE webhook_deliveries SET locked_until = ?1, next_attempt_at = ?1
WHERE id IN (SELECT id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= ?2
             ORDER BY next_attempt_at LIMIT ?3)
RETURNING id, webhook_id, event_id, attempts, created_at, body
"""
_SQLITE_RECORD = """
UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
  locked_until = NULL, last_attempt_at = ?, last_status_code = ?, last_error = ?,
  last_response = ?, delivered_at = ?, body = ?
WHERE id = ? AND status = 'pending'
"""


def _round_sqlite(
    connection: sqlite3.Connection,
    outcomes: list[Outcome],
    limit: int,
    now: datetime,
    lease: timedelta,
) -> Round:
    _record_sqlite(connection, outcomes)
    if limit <= 0:
        return Round()
    rows = connection.execute(
        _SQLITE_CLAIM, (sqlite_time(now + lease), sqlite_time(now), limit)
    ).fetchall()
    claimed = [Claimed(i, w, e, a, _parse_time(c), b) for i, w, e, a, c, b in rows]
    if not claimed:
        return Round()
    hook_ids = sorted({c.webhook_id for c in claimed})
    hooks = [
        HookRow(i, u, bool(en), bytes(s))
        for i, u, en, s in connection.execute(
            "SELECT id, url, enabled, secret_encrypted FROM webhooks WHERE id IN "
            f"({_marks(hook_ids)})",
            hook_ids,
        )
    ]
    event_ids = sorted({c.event_id for c in claimed if c.body is None})
    events: dict[int, Event] = {}
    if event_ids:
        for i, user, session, seq, type_, stamp, description, data in connection.execute(
            "SELECT id, user_id, session_id, seq, type, timestamp, description, data "
            f"FROM events WHERE id IN ({_marks(event_ids)})",
            event_ids,
        ):
            events[i] = Event(
                id=i,
                user_id=user,
                session_id=session,
                seq=seq,
                type=type_,
                timestamp=_parse_time(stamp),
                description=description,
                data=json.loads(data),
            )
    emails: dict[str, Email] = {}
    email_ids = _email_ids(events)
    if email_ids:
        for row in connection.execute(
            f"SELECT {', '.join(_EMAIL_COLUMNS)} FROM emails WHERE id IN ({_marks(email_ids)})",
            email_ids,
        ):
            values = dict(zip(_EMAIL_COLUMNS, row, strict=True))
            for key in ("date", "received_at"):
                values[key] = _parse_time(values[key]) if values[key] else None
            values["raw"] = bytes(values["raw"])
            emails[values["id"]] = Email(**values)
    return Round(claimed, hooks, events, emails)


_EMAIL_COLUMNS = (
    "id", "user_id", "inbox_id", "mail_from", "from_header", "subject", "message_id",
    "date", "size", "raw", "received_at",
)  # fmt: skip


def _email_ids(events: dict[int, Event]) -> list[str]:
    """The emails the bodies of ``events`` carry (``email.received``'s)."""
    return sorted(
        {
            str(e.data["email_id"])
            for e in events.values()
            if e.type == "email.received" and e.data.get("email_id")
        }
    )


def _record_sqlite(connection: sqlite3.Connection, outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    connection.executemany(
        _SQLITE_RECORD,
        [
            (
                o.status,
                o.attempts,
                sqlite_time(o.next_attempt_at),
                sqlite_time(o.at),
                o.status_code,
                o.error,
                o.response,
                sqlite_time(o.at) if o.status == DELIVERED else None,
                o.body,
                o.id,
            )
            for o in outcomes
        ],
    )
    gone = sorted({o.webhook_id for o in outcomes if o.gone})
    if gone:
        connection.execute(
            "UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? "
            f"WHERE id IN ({_marks(gone)})",
            [GONE_REASON, sqlite_time(utcnow()), *gone],
        )


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


# --- PostgreSQL (SQLAlchemy) ------------------------------------------------------------


async def _claim(tx: Tx, limit: int, now: datetime, until: datetime) -> list[Claimed]:
    table: Table = WebhookDelivery.__table__  # type: ignore[assignment]
    due = (
        select(table.c.id)
        .where(table.c.status == PENDING, table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await tx.s.execute(
        update(table)
        .where(table.c.id.in_(due.scalar_subquery()))
        .values(locked_until=until, next_attempt_at=until)
        .returning(
            table.c.id,
            table.c.webhook_id,
            table.c.event_id,
            table.c.attempts,
            table.c.created_at,
            table.c.body,
        )
    )
    return [Claimed(*row) for row in result.all()]


async def _details(tx: Tx, claimed: list[Claimed]) -> Round:
    if not claimed:
        return Round()
    rows = await tx.s.execute(
        select(Webhook.id, Webhook.url, Webhook.enabled, Webhook.secret_encrypted).where(
            Webhook.id.in_({c.webhook_id for c in claimed})
        )
    )
    hooks = [HookRow(*row) for row in rows.all()]
    event_ids = {c.event_id for c in claimed if c.body is None}
    events: dict[int, Event] = {}
    if event_ids:
        found = await tx.s.execute(select(Event).where(Event.id.in_(event_ids)))
        events = {e.id: e for e in found.scalars()}
    emails: dict[str, Email] = {}
    email_ids = _email_ids(events)
    if email_ids:
        mails = await tx.s.execute(select(Email).where(Email.id.in_(email_ids)))
        emails = {m.id: m for m in mails.scalars()}
    return Round(claimed, hooks, events, emails)


async def _record(tx: Tx, outcomes: list[Outcome]) -> None:
    """Write finished attempts (one executemany) and disable endpoints that said 410."""
    if not outcomes:
        return
    table: Table = WebhookDelivery.__table__  # type: ignore[assignment]
    rows: list[dict[str, Any]] = [
        {
            "b_id": o.id,
            "status": o.status,
            "attempts": o.attempts,
            "next_attempt_at": o.next_attempt_at,
            "locked_until": None,
            "last_attempt_at": o.at,
            "last_status_code": o.status_code,
            "last_error": o.error,
            "last_response": o.response,
            "delivered_at": o.at if o.status == DELIVERED else None,
            "body": o.body,
        }
        for o in outcomes
    ]
    await tx.s.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == PENDING)
        .execution_options(synchronize_session=False),
        rows,
    )
    gone = {o.webhook_id for o in outcomes if o.gone}
    if gone:
        await tx.s.execute(
            update(Webhook)
            .where(Webhook.id.in_(gone))
            .values(enabled=False, disabled_reason=GONE_REASON, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
