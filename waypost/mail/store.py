"""Stored emails: durable ingest with group commit, and the read side the API uses.

SMTP sessions hand accepted messages to :class:`MailIngest`, which writes
whatever has queued up in one transaction and only then resolves each
caller's future, so ``250`` is never answered before the message is durable
and concurrent senders share one fsync.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Text, bindparam, select

from waypost.db.database import Database
from waypost.db.models import Email, Inbox
from waypost.db.owned import read_owned
from waypost.db.pages import Page, PageQuery
from waypost.db.records import RecordQuery, Records, record_select
from waypost.db.types import utcnow
from waypost.errors import NotFound
from waypost.events.log import MAIL_CHANNEL, EventLog, NewEvent, inbox_channel
from waypost.ids import new_id
from waypost.mail.inboxes import Recipient
from waypost.mail.parse import (
    Attachment,
    HeaderSummary,
    ParsedEmail,
    ParsedMessage,
    parse_headers_fast,
    parse_message,
)
from waypost.mail.sanitize import sanitize_html
from waypost.metrics import Metrics

log = logging.getLogger("waypost.mail")


@dataclass
class _Pending:
    mail_from: str
    recipients: list[Recipient]
    raw: bytes
    done: asyncio.Future[list[str]]
    headers: HeaderSummary | None = None


class MailIngest:
    """The single writer for incoming mail."""

    def __init__(
        self,
        db: Database,
        events: EventLog,
        max_batch: int = 128,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.events = events
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task on the running loop."""
        self._task = asyncio.create_task(self._run(), name="waypost-mail-ingest")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def deliver(
        self,
        mail_from: str,
        recipients: list[Recipient],
        raw: bytes,
        headers: HeaderSummary | None = None,
    ) -> list[str]:
        """Store ``raw`` once per recipient inbox; returns after commit with the email ids.

        ``headers``: :func:`parse_headers_fast` of ``raw`` if the caller (an SMTP worker
        process) has parsed it already.
        """
        return await self.submit(mail_from, recipients, raw, headers)

    def submit(
        self,
        mail_from: str,
        recipients: list[Recipient],
        raw: bytes,
        headers: HeaderSummary | None = None,
    ) -> asyncio.Future[list[str]]:
        """Queue ``raw`` for the next commit; the future gets its email ids once committed."""
        done: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(mail_from, recipients, raw, done, headers))
        return done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            # One more turn of the loop first: sessions whose DATA arrived in the same
            # poll queue up behind this one and share its commit (a transaction's fixed
            # cost is about twice a message's; batches grew from 4.6 to 5.4 messages
            # under the ingest benchmark's load, +5-10 % msg/s).
            await asyncio.sleep(0)
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if self.metrics is not None:
                self.metrics.ingest_batch_size.observe(len(batch))
            try:
                ids = await self._write(batch)
            except Exception:
                log.exception("batch write failed; retrying messages one by one")
                for item in batch:
                    try:
                        [single] = await self._write([item])
                    except Exception as exc:
                        if not item.done.done():
                            item.done.set_exception(exc)
                    else:
                        if not item.done.done():
                            item.done.set_result(single)
            else:
                for item, item_ids in zip(batch, ids, strict=True):
                    if not item.done.done():
                        item.done.set_result(item_ids)
            for _ in batch:
                self._queue.task_done()

    async def _write(self, batch: list[_Pending]) -> list[list[str]]:
        """One transaction, one INSERT for the emails and one for their events."""
        results: list[list[str]] = []
        rows: list[dict[str, object]] = []
        events: list[NewEvent] = []
        now = utcnow()
        for item in batch:
            from_header, subject, _to, date, message_id = item.headers or parse_headers_fast(
                item.raw
            )
            ids: list[str] = []
            for rcpt in item.recipients:
                email_id = new_id("eml")
                rows.append(
                    {
                        "id": email_id,
                        "user_id": rcpt.user_id,
                        "inbox_id": rcpt.inbox_id,
                        "mail_from": item.mail_from,
                        "from_header": from_header,
                        "subject": subject,
                        "message_id": message_id,
                        "date": date,
                        "size": len(item.raw),
                        "raw": item.raw,
                        "received_at": now,
                    }
                )
                events.append(
                    NewEvent(
                        user_id=rcpt.user_id,
                        type="email.received",
                        session_id=rcpt.session_id,
                        channels=(inbox_channel(rcpt.inbox_id), MAIL_CHANNEL),
                        data={
                            "email_id": email_id,
                            "inbox_id": rcpt.inbox_id,
                            "from": from_header,
                            "subject": subject,
                        },
                    )
                )
                ids.append(email_id)
            results.append(ids)
        await self.events.commit([(Email.__table__, rows)], events)  # type: ignore[list-item]
        return results


@dataclass(frozen=True)
class RenderedEmail:
    """An email parsed once and its HTML sanitised once (stored mail never changes)."""

    message: ParsedMessage
    safe_html: str | None
    cost: int
    """Rough memory footprint in bytes, for the cache's byte bound."""

    @property
    def parsed(self) -> ParsedEmail:
        return self.message.email

    def attachment(self, index: int) -> tuple[Attachment, bytes] | None:
        """The index-th attachment and its decoded payload, or None."""
        return self.message.attachment(index)


def render_email(raw: bytes) -> RenderedEmail:
    """Parse and sanitise one raw message (CPU-bound but bounded: see ``parse_message``)."""
    message = parse_message(raw)
    html = message.email.html
    safe_html = sanitize_html(html) if html is not None else None
    text = message.email.text
    # str payloads of the kept parts are about the raw size; text/html add their own
    cost = 2 * len(raw) + 2 * (len(text or "") + len(html or "") + len(safe_html or ""))
    return RenderedEmail(message, safe_html, cost)


class EmailService:
    """Read stored emails on behalf of their owner.

    Parsed views are cached per process (LRU, bounded by count and bytes) and built
    off the event loop, one parse per email however many requests arrive together:
    the first view of an email pays for its parse, later views and attachment
    downloads reuse it.
    """

    RENDER_CACHE_SIZE = 512
    RENDER_CACHE_BYTES = 256 * 1024 * 1024

    parses_total: ClassVar[int] = 0
    """Process-wide number of parses done for views (observability, tests)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._rendered: OrderedDict[str, RenderedEmail] = OrderedDict()
        self._rendered_bytes = 0
        self._rendering: dict[str, asyncio.Task[RenderedEmail]] = {}

    async def render(self, email: Email) -> RenderedEmail:
        """Parsed and sanitised ``email``: from the cache, or parsed once in a thread."""
        cached = self._rendered.get(email.id)
        if cached is not None:
            self._rendered.move_to_end(email.id)
            return cached
        task = self._rendering.get(email.id)
        if task is None:
            task = asyncio.create_task(self._render(email.id, email.raw))
            self._rendering[email.id] = task
        # shield: a client that goes away must not cancel the parse others wait for
        return await asyncio.shield(task)

    async def _render(self, email_id: str, raw: bytes) -> RenderedEmail:
        try:
            EmailService.parses_total += 1
            rendered = await asyncio.to_thread(render_email, raw)
            self._remember(email_id, rendered)
            return rendered
        finally:
            self._rendering.pop(email_id, None)

    def _remember(self, email_id: str, rendered: RenderedEmail) -> None:
        """Cache ``rendered``, evicting least recently used views over the bounds."""
        if rendered.cost > self.RENDER_CACHE_BYTES:
            return
        self._rendered[email_id] = rendered
        self._rendered_bytes += rendered.cost
        while (
            len(self._rendered) > self.RENDER_CACHE_SIZE
            or self._rendered_bytes > self.RENDER_CACHE_BYTES
        ):
            _, old = self._rendered.popitem(last=False)
            self._rendered_bytes -= old.cost

    async def list(
        self,
        user_id: str,
        inbox_id: str,
        *,
        limit: int,
        cursor: str | None,
        sender: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
    ) -> Page[Email]:
        """An inbox's emails (read-only rows without ``raw``), newest first, filtered."""
        params: dict[str, Any] = {"inbox_id": inbox_id, "user_id": user_id}
        if sender:
            params["sender"] = f"%{_escape_like(sender.lower())}%"
        if subject:
            params["subject"] = f"%{_escape_like(subject)}%"
        if since is not None:
            params["since"] = since
        pages = _email_pages(bool(sender), bool(subject), since is not None)

        def read(records: Records) -> Page[Email]:
            if records.first(_INBOX_OWNED, params) is None:
                raise NotFound.of("inbox")
            return pages.run(records, params, limit, cursor)

        return await self.db.records(read)

    async def get(self, user_id: str, email_id: str) -> Email:
        """One of the user's emails (with its raw bytes), or email_not_found."""
        return await read_owned(self.db, Email, email_id, user_id, "email")


_INBOX_OWNED = RecordQuery(
    select(Inbox.id).where(Inbox.id == bindparam("inbox_id"), Inbox.user_id == bindparam("user_id"))
)


@functools.cache
def _email_pages(sender: bool, subject: bool, since: bool) -> PageQuery:
    """An inbox's list with the filters in use (their values are bound per call)."""
    query = record_select(Email, leave_out=frozenset({"raw"})).where(
        Email.inbox_id == bindparam("inbox_id"), Email.user_id == bindparam("user_id")
    )
    if sender:
        pattern = bindparam("sender", type_=Text)
        query = query.where(
            Email.from_header.ilike(pattern, escape="\\")
            | Email.mail_from.ilike(pattern, escape="\\")
        )
    if subject:
        query = query.where(Email.subject.ilike(bindparam("subject"), escape="\\"))
    if since:
        query = query.where(Email.received_at >= bindparam("since"))
    return PageQuery.of(query, Email.id)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
