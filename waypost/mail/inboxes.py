"""Inboxes: disposable addresses owned by a user, optionally attached to a session."""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from waypost.bounds import MAX_TTL_SECONDS
from waypost.config import Settings
from waypost.db.database import Database, Tx
from waypost.db.models import Inbox
from waypost.db.models import Session as SessionRow
from waypost.db.owned import read_owned
from waypost.db.pages import Page, page
from waypost.db.rows import row_values
from waypost.db.types import utcnow
from waypost.errors import Conflict, Invalid, NotFound
from waypost.events.log import EventLog, NewEvent, SessionChanged
from waypost.ids import new_id

LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$")
RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
RANDOM_LENGTH = 14  # 36**14 ≈ 2**72: well over 60 bits


def random_local_part() -> str:
    """An unguessable local part (about 72 bits)."""
    return "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(RANDOM_LENGTH))


def normalise_local_part(username: str) -> str:
    """Validate a caller-chosen local part; rejects anything that could inject headers."""
    value = username.strip().lower()
    if not LOCAL_PART.match(value) or ".." in value:
        raise Invalid(
            "username must be 1-64 characters of a-z, 0-9, '.', '_', '+', '-' "
            "and start and end with a letter or digit"
        )
    return value


@dataclass(frozen=True)
class Recipient:
    """What the SMTP server needs to know about an accepted recipient."""

    inbox_id: str
    user_id: str
    session_id: str | None
    address: str
    expires_at: datetime | None = None


RECIPIENT_CACHE_SECONDS = 5.0
RECIPIENT_CACHE_SIZE = 50_000


class InboxService:
    """Create, read, delete and purge inboxes."""

    def __init__(self, db: Database, log: EventLog, settings: Settings) -> None:
        self.db = db
        self.log = log
        self.settings = settings
        # address -> (recipient, monotonic time it was read). Only live inboxes are cached,
        # briefly: a new inbox is seen at once, a deletion elsewhere within seconds (and the
        # ingest insert then fails its foreign key: a 451, never a wrong delivery).
        self._recipients: dict[str, tuple[Recipient, float]] = {}

    async def create(
        self,
        user_id: str,
        *,
        username: str | None = None,
        domain: str | None = None,
        ttl_seconds: int | None = None,
        session_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tx: Tx | None = None,
    ) -> Inbox:
        """A new inbox; joins ``tx`` when given so a workflow can roll it back."""
        if tx is None and not username:
            return await self._create_random(user_id, domain, ttl_seconds, session_id, metadata)
        if tx is None:
            try:
                async with self.db.write() as own:
                    return await self.create(
                        user_id,
                        username=username,
                        domain=domain,
                        ttl_seconds=ttl_seconds,
                        session_id=session_id,
                        metadata=metadata,
                        tx=own,
                    )
            except IntegrityError as exc:
                raise Conflict("Address already taken", code="inbox_exists") from exc
        domain_name, ttl = self._domain_and_ttl(domain, ttl_seconds)
        if session_id is not None:
            await self._require_active_session(tx, user_id, session_id)
        local = normalise_local_part(username) if username else random_local_part()
        address = f"{local}@{domain_name}"
        now = utcnow()
        if username:
            existing = (
                await tx.s.execute(select(Inbox).where(Inbox.address == address))
            ).scalar_one_or_none()
            if existing is not None:
                if existing.expires_at > now:
                    raise Conflict("Address already taken", code="inbox_exists")
                await tx.s.delete(existing)
                await tx.s.flush()
        inbox = _new_inbox(user_id, session_id, address, metadata, now, ttl)
        tx.s.add(inbox)
        await tx.s.flush()
        recipient = Recipient(inbox.id, user_id, session_id, address, inbox.expires_at)

        async def prime_cache() -> None:  # the next RCPT for it needs no read
            self._recipients[address] = (recipient, time.monotonic())

        tx.after_commit(prime_cache)
        await self.log.append(
            tx,
            user_id=user_id,
            type="inbox.created",
            session_id=session_id,
            data={"inbox_id": inbox.id, "email_address": address},
        )
        return inbox

    async def _create_random(
        self,
        user_id: str,
        domain: str | None,
        ttl_seconds: int | None,
        session_id: str | None,
        metadata: dict[str, Any] | None,
    ) -> Inbox:
        """An inbox at a random address, with its ``inbox.created``: one fast-path commit,
        guarded by the session (if any) still being active."""
        domain_name, ttl = self._domain_and_ttl(domain, ttl_seconds)
        if session_id is not None:
            async with self.db.read() as s:
                _check_session(
                    (
                        await s.execute(
                            select(SessionRow.status).where(
                                SessionRow.id == session_id, SessionRow.user_id == user_id
                            )
                        )
                    ).scalar_one_or_none()
                )
        address = f"{random_local_part()}@{domain_name}"
        inbox = _new_inbox(user_id, session_id, address, metadata, utcnow(), ttl)
        created = NewEvent(
            user_id=user_id,
            type="inbox.created",
            session_id=session_id,
            data={"inbox_id": inbox.id, "email_address": address},
        )
        try:
            await self.log.commit(
                [(Inbox.__table__, [row_values(inbox)])],  # type: ignore[list-item]
                [created],
                guards={session_id: {"status": "active"}} if session_id else None,
            )
        except SessionChanged:
            raise Conflict("Session is no longer active", code="session_not_active") from None
        except (IntegrityError, sqlite3.IntegrityError) as exc:  # ~72 random bits: a repeat
            raise Conflict("Address already taken", code="inbox_exists") from exc
        recipient = Recipient(inbox.id, user_id, session_id, address, inbox.expires_at)
        self._recipients[address] = (recipient, time.monotonic())  # the next RCPT reads nothing
        return inbox

    def _domain_and_ttl(self, domain: str | None, ttl_seconds: int | None) -> tuple[str, int]:
        domain_name = (domain or self.settings.domain).strip().lower()
        if domain_name not in self.settings.domains:
            raise Invalid(f"domain must be one of: {', '.join(self.settings.domains)}")
        ttl = self.settings.default_inbox_ttl_seconds if ttl_seconds is None else ttl_seconds
        if not 1 <= ttl <= MAX_TTL_SECONDS:
            raise Invalid(f"ttl_seconds must be between 1 and {MAX_TTL_SECONDS}")
        return domain_name, ttl

    async def _require_active_session(self, tx: Tx, user_id: str, session_id: str) -> None:
        _check_session(
            (
                await tx.s.execute(
                    select(SessionRow.status).where(
                        SessionRow.id == session_id, SessionRow.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
        )

    async def get(self, user_id: str, inbox_id: str) -> Inbox:
        """One of the user's inboxes, or inbox_not_found."""
        return await read_owned(self.db, Inbox, inbox_id, user_id, "inbox")

    async def list(
        self, user_id: str, *, limit: int, cursor: str | None, session_id: str | None = None
    ) -> Page[Inbox]:
        """The user's inboxes, newest first."""
        query = select(Inbox).where(Inbox.user_id == user_id)
        if session_id is not None:
            query = query.where(Inbox.session_id == session_id)
        return await self.db.query(lambda s: page(s, query, Inbox.id, limit, cursor))

    async def delete(self, user_id: str, inbox_id: str) -> None:
        """Delete an inbox and its mail."""
        async with self.db.write() as tx:
            address = (
                await tx.s.execute(
                    delete(Inbox)
                    .where(Inbox.id == inbox_id, Inbox.user_id == user_id)
                    .returning(Inbox.address)
                )
            ).scalar_one_or_none()
            if address is None:
                raise NotFound.of("inbox")
        self._recipients.pop(address, None)

    async def recipient(self, address: str, now: datetime | None = None) -> Recipient | None:
        """The live inbox behind ``address``, or None (unknown or expired)."""
        key = address.strip().lower()
        now = now or utcnow()
        recipient = self.cached_recipient(key, now)
        if recipient is not None:
            return recipient
        found = await self._read_recipient(key, now)
        if found is not None:
            if len(self._recipients) >= RECIPIENT_CACHE_SIZE:
                self._recipients.clear()
            self._recipients[key] = (found, time.monotonic())
        else:
            self._recipients.pop(key, None)
        return found

    def cached_recipient(self, address: str, now: datetime | None = None) -> Recipient | None:
        """The live inbox behind ``address`` if this process looked it up moments ago."""
        cached = self._recipients.get(address.strip().lower())
        if cached is None or time.monotonic() - cached[1] >= RECIPIENT_CACHE_SECONDS:
            return None
        recipient = cached[0]
        if recipient.expires_at is None or recipient.expires_at <= (now or utcnow()):
            return None
        return recipient

    async def _read_recipient(self, address: str, now: datetime) -> Recipient | None:
        async with self.db.read() as s:
            row = (
                await s.execute(
                    select(Inbox.id, Inbox.user_id, Inbox.session_id, Inbox.expires_at).where(
                        Inbox.address == address.strip().lower()
                    )
                )
            ).first()
        if row is None or row.expires_at <= now:
            return None
        return Recipient(row.id, row.user_id, row.session_id, address, row.expires_at)

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Delete expired inboxes and (by cascade) their mail; returns how many."""
        async with self.db.write() as tx:
            result = await tx.s.execute(delete(Inbox).where(Inbox.expires_at <= (now or utcnow())))
            return int(result.rowcount)  # type: ignore[attr-defined]


def _check_session(status: str | None) -> None:
    """404 for a session that is not the caller's, 409 for one that has ended."""
    if status is None:
        raise NotFound.of("session")
    if status != "active":
        raise Conflict(f"Session is {status}", code="session_not_active")


def _new_inbox(
    user_id: str,
    session_id: str | None,
    address: str,
    metadata: dict[str, Any] | None,
    now: datetime,
    ttl: int,
) -> Inbox:
    return Inbox(
        id=new_id("inb"),
        user_id=user_id,
        session_id=session_id,
        address=address,
        meta=metadata or {},
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
