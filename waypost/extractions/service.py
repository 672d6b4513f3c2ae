"""Run the extraction engine on a stored email or posted content, and keep the result."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waypost.db.database import Database
from waypost.db.models import Email, Extraction, Inbox
from waypost.db.models import Session as SessionRow
from waypost.db.owned import get_owned, read_owned
from waypost.db.pages import Page, page
from waypost.db.types import utcnow
from waypost.errors import Invalid, NotFound
from waypost.events.log import EventLog
from waypost.extract import MailContent
from waypost.extract.pool import extract_off_loop
from waypost.extractions.assist import Assistant, Assisted, AssistSpec, assisted_result
from waypost.ids import new_id

Kind = Literal["otp", "magic_link", "auto"]
KINDS = ("otp", "magic_link", "auto")


class Extractions:
    """Stored extractions (``ext_…``), listed on their session's timeline."""

    def __init__(self, db: Database, events: EventLog, assistant: Assistant | None = None) -> None:
        self.db = db
        self.events = events
        self.assistant = assistant

    async def from_email(
        self, user_id: str, email_id: str, kind: str, assist: AssistSpec | None = None
    ) -> Extraction:
        """Extract from one of the user's stored emails."""
        return (await self.from_email_noted(user_id, email_id, kind, assist))[0]

    async def from_email_noted(
        self, user_id: str, email_id: str, kind: str, assist: AssistSpec | None = None
    ) -> tuple[Extraction, Assisted | None]:
        """:meth:`from_email`, with the model call's note when ``assist`` asked for one."""
        _check_kind(kind)
        async with self.db.read() as s:
            await self._check_assist(s, user_id, assist, kind)
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
        return await self._store(user_id, email.raw, kind, email.id, session_id, assist)

    async def from_content(
        self,
        user_id: str,
        content: MailContent | bytes,
        kind: str,
        session_id: str | None = None,
        assist: AssistSpec | None = None,
    ) -> tuple[Extraction, Assisted | None]:
        """Extract from posted content: its parts, or a raw message (parsed off the loop)."""
        _check_kind(kind)
        async with self.db.read() as s:
            if session_id is not None:
                await get_owned(s, SessionRow, session_id, user_id, "session")
            await self._check_assist(s, user_id, assist, kind)
        return await self._store(user_id, content, kind, None, session_id, assist)

    async def _check_assist(
        self, s: AsyncSession, user_id: str, assist: AssistSpec | None, kind: str
    ) -> None:
        if assist is None:
            return
        if self.assistant is None:
            raise Invalid("model-assisted extraction is not available on this server")
        await self.assistant.check(s, user_id, assist, kind)

    async def _store(
        self,
        user_id: str,
        content: MailContent | bytes,
        kind: str,
        email_id: str | None,
        session_id: str | None,
        assist: AssistSpec | None = None,
    ) -> tuple[Extraction, Assisted | None]:
        # parsing and extraction run in a worker process: a hostile mail cannot stall
        # the event loop (the engine's cost is bounded, see waypost.extract._limits)
        found = (await extract_off_loop(content, (kind,)))[kind]  # type: ignore[arg-type]
        assisted: Assisted | None = None
        if assist is not None and self.assistant is not None and assist.wanted(found):
            assisted = await self.assistant.ask(user_id, assist, content, kind)
        result = assisted_result(found, assisted, email_id)
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
            if assist is not None and assisted is not None:
                await self.events.append(
                    tx,
                    user_id=user_id,
                    type="extraction.assisted",
                    session_id=session_id,
                    data={
                        "extraction_id": row.id,
                        **assisted.event_data(assist, kind, email_id),
                    },
                )
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
                    "method": result["method"],
                },
            )
        return row, assisted

    async def get(self, user_id: str, extraction_id: str) -> Extraction:
        """One of the user's extractions."""
        return await read_owned(self.db, Extraction, extraction_id, user_id, "extraction")

    async def list(
        self, user_id: str, *, limit: int, cursor: str | None, session_id: str | None = None
    ) -> Page[Extraction]:
        """The user's extractions, newest first."""
        query = select(Extraction).where(Extraction.user_id == user_id)
        if session_id is not None:
            query = query.where(Extraction.session_id == session_id)
        return await self.db.query(lambda s: page(s, query, Extraction.id, limit, cursor))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Invalid(f"type must be one of: {', '.join(KINDS)}")
