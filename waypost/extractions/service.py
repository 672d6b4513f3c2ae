"""Run the extraction engine on a stored email or posted content, and keep the result."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from waypost.db.database import Database
from waypost.db.models import Email, Extraction, Inbox
from waypost.db.models import Session as SessionRow
from waypost.db.owned import get_owned
from waypost.db.pages import Page, paginate
from waypost.db.types import utcnow
from waypost.errors import Invalid, NotFound
from waypost.events.log import EventLog
from waypost.extract import MailContent
from waypost.extract.pool import extract_off_loop
from waypost.ids import new_id
from waypost.waits.matching import extraction_result

Kind = Literal["otp", "magic_link", "auto"]
KINDS = ("otp", "magic_link", "auto")


class Extractions:
    """Stored extractions (``ext_…``), listed on their session's timeline."""

    def __init__(self, db: Database, events: EventLog) -> None:
        self.db = db
        self.events = events

    async def from_email(self, user_id: str, email_id: str, kind: str) -> Extraction:
        """Extract from one of the user's stored emails."""
        _check_kind(kind)
        async with self.db.read() as s:
            row = (
                await s.execute(
                    select(Email, Inbox.session_id)
                    .join(Inbox, Inbox.id == Email.inbox_id)
                    .where(Email.id == email_id, Email.user_id == user_id)
                )
            ).first()
        if row is None:
            raise NotFound.of("email")
        email, session_id = row
        return await self._store(user_id, email.raw, kind, email.id, session_id)

    async def from_content(
        self,
        user_id: str,
        content: MailContent | bytes,
        kind: str,
        session_id: str | None = None,
    ) -> Extraction:
        """Extract from posted content: its parts, or a raw message (parsed off the loop)."""
        _check_kind(kind)
        if session_id is not None:
            async with self.db.read() as s:
                await get_owned(s, SessionRow, session_id, user_id, "session")
        return await self._store(user_id, content, kind, None, session_id)

    async def _store(
        self,
        user_id: str,
        content: MailContent | bytes,
        kind: str,
        email_id: str | None,
        session_id: str | None,
    ) -> Extraction:
        # parsing and extraction run in a worker process: a hostile mail cannot stall
        # the event loop (the engine's cost is bounded, see waypost.extract._limits)
        found = (await extract_off_loop(content, (kind,)))[kind]  # type: ignore[arg-type]
        result = extraction_result(found, email_id)
        row = Extraction(
            id=new_id("ext"),
            user_id=user_id,
            email_id=email_id,
            session_id=session_id,
            type=result["type"],
            value=result["value"],
            confidence=result["confidence"],
            candidates=result["candidates"],
            created_at=utcnow(),
        )
        async with self.db.write() as tx:
            tx.s.add(row)
            await tx.s.flush()
            await self.events.append(
                tx,
                user_id=user_id,
                type="extraction.completed",
                session_id=session_id,
                data={
                    "extraction_id": row.id,
                    "email_id": email_id,
                    "extraction_type": row.type,
                    "value": row.value,
                    "confidence": row.confidence,
                },
            )
        return row

    async def get(self, user_id: str, extraction_id: str) -> Extraction:
        """One of the user's extractions."""
        async with self.db.read() as s:
            return await get_owned(s, Extraction, extraction_id, user_id, "extraction")

    async def list(
        self, user_id: str, *, limit: int, cursor: str | None, session_id: str | None = None
    ) -> Page[Extraction]:
        """The user's extractions, newest first."""
        query = select(Extraction).where(Extraction.user_id == user_id)
        if session_id is not None:
            query = query.where(Extraction.session_id == session_id)
        async with self.db.read() as s:
            return await paginate(s, query, Extraction.id, limit, cursor)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Invalid(f"type must be one of: {', '.join(KINDS)}")
