"""The waits service and engine.

Resolution is pushed: committed ``email.received`` events reach :meth:`Waits._on_email`
through the bus; a newly registered wait scans the mail that arrived since its
reference point, so an email that landed just before registration is not lost.
Claims are conditional updates in one transaction and ``waits.email_id`` is
unique, so each email resolves at most one wait even across replicas. Timeouts
are timers, re-armed from the database on start; with replicas every engine arms every
wait and the guarded update lets one timeout through. After a gap in the bus (Redis
dropped) the engine re-reads the pending waits and their unclaimed mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as ORMSession
from sqlalchemy.orm import aliased

from waypost.auth.keys import key_guard
from waypost.bounds import MAX_TIMEOUT_SECONDS
from waypost.db.database import Database, Tx
from waypost.db.models import Email, Extraction, Inbox, Wait
from waypost.db.owned import get_owned
from waypost.db.pages import Page, paginate
from waypost.db.rows import row_values
from waypost.db.sqlite_writer import scalar, sqlite_time, sqlite_value
from waypost.db.types import utcnow
from waypost.errors import Conflict, Invalid, NotFound
from waypost.events.bus import CLOSED, LAGGED, EventBus
from waypost.events.log import MAIL_CHANNEL, WAITS_CHANNEL, EventLog, NewEvent, as_coroutine
from waypost.extractions.assist import Assistant, Assisted, AssistSpec
from waypost.ids import new_id
from waypost.metrics import Metrics
from waypost.waits.matching import WAIT_TYPES, EmailView, Outcome, evaluate

log = logging.getLogger("waypost.waits")

DEFAULT_CONFIDENCE_THRESHOLD = 0.3
MAX_ASSISTS_PER_WAIT = 5
"""Model calls one wait may cost (per process): mail anyone can send must not drain a key."""
STANDBY_SECONDS = 2.0
"""With replicas, every engine hears of every wait and email, but a wait's mail is tried at
once only by the process that registered it (or adopted it); the others try it this much
later, in case that process died. One email then costs one extraction, not one per replica,
and the database still decides: whichever claim commits first wins."""


def wait_channel(wait_id: str) -> str:
    """Bus channel on which a wait's resolution is announced."""
    return f"wait:{wait_id}"


class Waits:
    """Register, resolve, time out, cancel and await waits."""

    def __init__(
        self,
        db: Database,
        events: EventLog,
        bus: EventBus,
        assistant: Assistant | None = None,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.events = events
        self.bus = bus
        self.assistant = assistant
        # (wait id, email id) -> the model call for that pair, shared by the backlog scan
        # and the email's arrival; dropped with the wait
        self._asks: dict[tuple[str, str], asyncio.Task[Assisted]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        # inbox id -> ids of its pending waits, fed by the bus: an email for an inbox
        # nobody waits on costs no query.
        self._pending: dict[str, set[str]] = {}
        self._inbox_of: dict[str, str] = {}
        self._resolved: dict[str, Wait] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        # waits this process works at once: registered here, pending at its start, or
        # adopted after standing by found their mail unclaimed (STANDBY_SECONDS)
        self._own: set[str] = set()
        self._recovery: asyncio.Task[None] | None = None
        self._recover_again = False

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen for mail and re-arm every pending wait (timers and backlog)."""
        self._listener = asyncio.create_task(self._listen(), name="waypost-waits")
        await self._ready.wait()
        async with self.db.read() as s:
            pending = list(
                (await s.execute(select(Wait).where(Wait.status == "pending"))).scalars()
            )
        for wait in pending:
            self._own.add(wait.id)  # e.g. the replica that registered it is gone
            self._arm(wait.id, wait.inbox_id, wait.deadline)
        if pending:
            log.info("re-armed pending waits count=%d", len(pending))

    async def stop(self) -> None:
        """Stop timers and the listener; pending waits stay pending in the database."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        for task in (*self._tasks, *((self._recovery,) if self._recovery else ())):
            task.cancel()

    async def _listen(self) -> None:
        async with self.bus.subscribe(MAIL_CHANNEL, WAITS_CHANNEL, maxsize=0) as sub:
            self._ready.set()
            while True:
                message = await sub.get()
                if message is None or message is CLOSED:
                    continue
                if message is LAGGED:  # the bus lost messages (Redis dropped): ask the database
                    self._recover_soon()
                    continue
                data = message.get("data", {})
                kind = message.get("type")
                if kind == "email.received":
                    inbox_id = str(data["inbox_id"])
                    waiting = self._pending.get(inbox_id)
                    if waiting:
                        email_id = str(data["email_id"])
                        if waiting & self._own:
                            self._spawn(self._on_email(inbox_id, email_id))
                        else:
                            self._spawn(self._stand_by(inbox_id, email_id))
                elif kind == "wait.created":
                    deadline = datetime.fromisoformat(str(data["expires_at"]))
                    self._arm(str(data["wait_id"]), str(data["inbox_id"]), deadline)
                elif kind in ("wait.completed", "wait.timed_out", "wait.cancelled"):
                    self._disarm(str(data["wait_id"]))

    def _recover_soon(self) -> None:
        """Run :meth:`_recover` now, or once more after the one under way."""
        if self._recovery is not None and not self._recovery.done():
            self._recover_again = True
            return
        self._recovery = asyncio.create_task(self._recover(), name="waypost-waits-recover")
        self._recovery.add_done_callback(_log_failure)

    async def _recover(self) -> None:
        """Catch up with what the bus may have lost: the database says which waits are
        pending (arm the unknown, forget the ended) and every pending wait looks at its
        inbox's unclaimed mail again, one after another (a bounded load on the database)."""
        while True:
            self._recover_again = False
            known = set(self._timers)  # armed before the read: anything ended is final
            async with self.db.read() as s:
                rows = (
                    await s.execute(
                        select(Wait.id, Wait.inbox_id, Wait.deadline).where(
                            Wait.status == "pending"
                        )
                    )
                ).all()
            pending = {row.id for row in rows}
            for wait_id in known - pending:
                self._disarm(wait_id)
            for row in rows:
                if row.id not in self._timers:
                    self._arm(row.id, row.inbox_id, row.deadline, scan=False)
                if row.id in self._timers:
                    await self._scan_backlog(row.id)
            log.info("waits caught up after a bus gap pending=%d", len(rows))
            if not self._recover_again:
                return

    def open_count(self) -> int:
        """Pending waits this engine has armed (every engine arms every pending wait)."""
        return len(self._timers)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)

    # --- API ------------------------------------------------------------------------------------

    async def create(
        self,
        user_id: str,
        *,
        inbox_id: str,
        type: str,
        timeout_seconds: int | None = None,
        criteria: dict[str, Any] | None = None,
        after: str | datetime | None = None,
        confidence_threshold: float | None = None,
        assist: AssistSpec | None = None,
        tx: Tx | None = None,
    ) -> Wait:
        """Register a pending wait; joins ``tx`` when given (workflows roll it back together).

        On its own, the inbox (and credential) are read first and the wait is written with
        its ``wait.created`` in one fast-path commit: an email that lands in between comes
        after the reference point, so the wait still sees it.
        """
        if type not in WAIT_TYPES:
            raise Invalid(f"type must be one of: {', '.join(WAIT_TYPES)}")
        timeout = 120 if timeout_seconds is None else timeout_seconds
        if not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
            raise Invalid(f"timeout_seconds must be between 1 and {MAX_TIMEOUT_SECONDS}")
        threshold = (
            DEFAULT_CONFIDENCE_THRESHOLD if confidence_threshold is None else confidence_threshold
        )
        if not 0.0 <= threshold <= 1.0:
            raise Invalid("confidence_threshold must be between 0 and 1")
        kept = {k: v for k, v in (criteria or {}).items() if v and k != "assist"}
        if assist is None:  # a wait made again from a stored one (replay retry) keeps its assist
            assist = AssistSpec.from_dict((criteria or {}).get("assist"))
        if assist is not None:
            if self.assistant is None:
                raise Invalid("model-assisted extraction is not available on this server")
            kept["assist"] = assist.as_dict()  # no column of its own: kept with the criteria
        if tx is not None:
            wait = await self._new_wait(
                tx.s, user_id, inbox_id, type, timeout, kept, after, threshold, assist
            )
            tx.s.add(wait)
            await tx.s.flush()
            self._own_from_commit(tx, wait.id)
            await self.events.append_many(tx, [_created_event(wait)])
            return wait
        found = self._inbox_inline(user_id, inbox_id) if after is None and assist is None else None
        if found is not None:  # the common case, read without a thread hop (SQLite)
            wait = _wait_row(user_id, *found, type, timeout, kept, None, threshold)
        else:
            async with self.db.read() as s:
                wait = await self._new_wait(
                    s, user_id, inbox_id, type, timeout, kept, after, threshold, assist
                )
        self._own.add(wait.id)  # before its wait.created can reach the engine
        try:
            await self.events.commit(
                [(Wait.__table__, [row_values(wait)])],  # type: ignore[list-item]
                [_created_event(wait)],
            )
        except BaseException as exc:
            self._own.discard(wait.id)
            if isinstance(exc, (IntegrityError, sqlite3.IntegrityError)):
                raise NotFound.of("inbox") from None  # the inbox was deleted meanwhile
            raise
        return wait  # the engine arms it when wait.created comes back over the bus

    async def _new_wait(
        self,
        s: AsyncSession,
        user_id: str,
        inbox_id: str,
        type: str,
        seconds: int,
        criteria: dict[str, Any],
        after: str | datetime | None,
        threshold: float,
        assist: AssistSpec | None,
    ) -> Wait:
        """The wait's row, once its inbox (and credential) are known to be the caller's."""
        if assist is not None:
            assert self.assistant is not None
            await self.assistant.check(s, user_id, assist, type)
        inbox = (
            await s.execute(select(Inbox).where(Inbox.id == inbox_id, Inbox.user_id == user_id))
        ).scalar_one_or_none()
        if inbox is None:
            raise NotFound.of("inbox")
        after_time, after_email_id = await self._reference_point(s, inbox, after)
        return _wait_row(
            user_id,
            inbox.id,
            inbox.session_id,
            after_time,
            type,
            seconds,
            criteria,
            after_email_id,
            threshold,
        )

    def _inbox_inline(self, user_id: str, inbox_id: str) -> tuple[str, str | None, datetime] | None:
        """(id, session, created_at) of the caller's inbox, read on the loop's thread on
        SQLite (~10 µs); None to read it the ordinary way (PostgreSQL, or a busy file)."""
        writer = self.db.sqlite_writer
        if writer is None:
            return None
        try:
            row = writer.read_inline(
                "SELECT id, session_id, created_at FROM inboxes WHERE id = ? AND user_id = ?",
                (inbox_id, user_id),
            )
        except sqlite3.OperationalError:  # SQLITE_BUSY at once, never waited for
            return None
        if row is None:
            raise NotFound.of("inbox")
        created = datetime.fromisoformat(row[2]).replace(tzinfo=UTC)
        return str(row[0]), row[1], created

    def _nothing_to_scan_inline(self, wait_id: str) -> bool:
        """True when, on SQLite, a read on the loop's thread (~10 µs, no ORM session) finds
        no unclaimed mail for the pending wait: the usual case, a new wait on a quiet inbox,
        where even the one ORM statement of :func:`_backlog` costs about a millisecond of
        the loop. False means: look the ordinary way (mail there, PostgreSQL, a busy file)."""
        writer = self.db.sqlite_writer
        if writer is None:
            return False
        try:
            return writer.read_inline(_UNCLAIMED_MAIL_SQLITE, (wait_id,)) is None
        except sqlite3.OperationalError as exc:  # SQLITE_BUSY at once, never waited for
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return False
            raise

    async def _reference_point(
        self, s: AsyncSession, inbox: Inbox, after: str | datetime | None
    ) -> tuple[datetime, str | None]:
        if after is None:
            return inbox.created_at, None
        if isinstance(after, datetime):
            return after, None
        if after.startswith("eml_"):
            email = (
                await s.execute(select(Email).where(Email.id == after, Email.inbox_id == inbox.id))
            ).scalar_one_or_none()
            if email is None:
                raise NotFound.of("email")
            return email.received_at, email.id
        try:
            parsed = datetime.fromisoformat(after.replace("Z", "+00:00"))
        except ValueError:
            raise Invalid("after must be an ISO 8601 timestamp or an email id") from None
        return parsed, None

    async def get(self, user_id: str, wait_id: str) -> Wait:
        """One of the user's waits, or wait_not_found."""
        async with self.db.read() as s:
            return await get_owned(s, Wait, wait_id, user_id, "wait")

    async def list(
        self,
        user_id: str,
        *,
        limit: int,
        cursor: str | None,
        inbox_id: str | None = None,
        session_id: str | None = None,
        status: str | None = None,
    ) -> Page[Wait]:
        """The user's waits, newest first, filtered by inbox, session or status."""
        query = select(Wait).where(Wait.user_id == user_id)
        for column, value in (
            (Wait.inbox_id, inbox_id),
            (Wait.session_id, session_id),
            (Wait.status, status),
        ):
            if value is not None:
                query = query.where(column == value)
        async with self.db.read() as s:
            return await paginate(s, query, Wait.id, limit, cursor)

    async def block(self, user_id: str, wait_id: str, max_seconds: float | None = None) -> Wait:
        """Hold until the wait leaves ``pending`` (or its deadline passes); a long poll.

        Raises :class:`~waypost.auth.keys.KeyRevoked` if the request's key is revoked
        meanwhile.
        """
        async with key_guard() as guard, self.bus.subscribe(wait_channel(wait_id)) as sub:
            wait = await self.get(user_id, wait_id)
            if wait.status != "pending":
                return wait
            # past the deadline: the timeout may come from a replica standing by
            remaining = (wait.deadline - utcnow()).total_seconds() + 2.0 + STANDBY_SECONDS
            if max_seconds is not None:
                remaining = min(remaining, max_seconds)
            loop = asyncio.get_running_loop()
            end = loop.time() + max(remaining, 0.0)
            while (left := end - loop.time()) > 0:
                async with guard:
                    message = await sub.get(within=left)
                if message is None or message is CLOSED:
                    break
                if message is LAGGED:  # its end may have been lost on the way: look
                    sub.lagged = False
                    if (await self.get(user_id, wait_id)).status != "pending":
                        break
                    continue
                if message.get("type") in ("wait.completed", "wait.timed_out", "wait.cancelled"):
                    break
        resolved = self._resolved.get(wait_id)
        if resolved is not None and resolved.user_id == user_id:
            return resolved
        return await self.get(user_id, wait_id)

    async def cancel(self, user_id: str, wait_id: str) -> Wait:
        """Cancel a pending wait (409 ``wait_not_pending`` otherwise)."""
        await self.get(user_id, wait_id)
        if not await self._finish(wait_id, "cancelled"):
            current = await self.get(user_id, wait_id)
            raise Conflict(f"Wait is already {current.status}", code="wait_not_pending")
        return await self.get(user_id, wait_id)

    # --- engine ---------------------------------------------------------------------------------

    def _arm(self, wait_id: str, inbox_id: str, deadline: datetime, scan: bool = True) -> None:
        """Index the wait, start its timeout timer and look at mail that is already there."""
        if wait_id in self._timers:
            return
        self._pending.setdefault(inbox_id, set()).add(wait_id)
        self._inbox_of[wait_id] = inbox_id
        own = wait_id in self._own
        delay = max((deadline - utcnow()).total_seconds(), 0.0) + (0 if own else STANDBY_SECONDS)
        self._timers[wait_id] = asyncio.get_running_loop().call_later(
            delay, lambda: self._spawn(self._finish(wait_id, "timed_out"))
        )
        if scan:
            self._spawn(self._scan_backlog(wait_id) if own else self._stand_by_backlog(wait_id))

    def _own_from_commit(self, tx: Tx, wait_id: str) -> None:
        """Own a wait registered in ``tx`` once it commits (before its wait.created goes out:
        callbacks run in order, and the event's publish is registered after this)."""

        async def own() -> None:
            self._own.add(wait_id)

        tx.after_commit(own)

    async def _stand_by(self, inbox_id: str, email_id: str) -> None:
        """Another process owns the inbox's waits: try the email only if they are still
        pending after STANDBY_SECONDS, and adopt them if it then resolves one."""
        await asyncio.sleep(STANDBY_SECONDS)
        waiting = set(self._pending.get(inbox_id, ()))
        if waiting and await self._on_email(inbox_id, email_id):
            log.warning(
                "adopted waits of a silent replica inbox=%s count=%d", inbox_id, len(waiting)
            )
            self._own.update(waiting)

    async def _stand_by_backlog(self, wait_id: str) -> None:
        """:meth:`_scan_backlog` of another process's new wait, in case it cannot."""
        await asyncio.sleep(STANDBY_SECONDS)
        if wait_id in self._timers and await self._scan_backlog(wait_id):
            self._own.add(wait_id)

    async def _scan_backlog(self, wait_id: str) -> bool:
        """Try the mail that arrived since the wait's reference point, oldest first; True
        if this call resolved the wait.

        Each email is extracted (off the loop) before any write lock is taken, so a backlog
        of hostile mail costs its owner's wait time, never the other writers' lock; the
        claim then re-checks, in its own transaction, that the wait is still pending.
        """
        if self._nothing_to_scan_inline(wait_id):
            return False
        found = await self.db.query(lambda s: _backlog(s, wait_id))
        if found is None:
            return False
        wait, emails = found
        for email in emails:
            view = EmailView(email)
            await view.prepare(wait)
            await self._assist(view, [wait])
            outcome = evaluate(wait, view)
            if outcome is None:
                continue
            try:
                if await self._claim_now(wait, email, outcome):
                    return True
            except (IntegrityError, sqlite3.IntegrityError):
                continue  # a concurrent transaction took that email for another wait
            return False  # no longer pending: resolved, timed out or cancelled meanwhile
        return False

    async def _on_email(self, inbox_id: str, email_id: str) -> bool:
        """Give a new email to the oldest pending wait of its inbox that it satisfies; True
        if this call resolved one.

        The email and the waits are read, and the extraction done (off the loop), before any
        write lock is taken; each claim is then a transaction of its own that re-checks the
        wait is still pending, and ``waits.email_id`` being unique stops a second claim of
        the email. A wait registered meanwhile finds the email by its own backlog scan.
        """
        prepared = await self._extract_for_waits(inbox_id, email_id)
        if prepared is None:
            return False
        view, waits = prepared
        for wait in waits:
            outcome = evaluate(wait, view)
            if outcome is None:
                continue
            try:
                if await self._claim_now(wait, view.email, outcome):
                    return True
            except (IntegrityError, sqlite3.IntegrityError):
                return False  # the email took another wait meanwhile (a backlog scan)
        return False

    async def _extract_for_waits(
        self, inbox_id: str, email_id: str
    ) -> tuple[EmailView, Sequence[Wait]] | None:
        """The email and its inbox's pending waits (oldest first), with what those waits
        will ask of it extracted off the loop (and the model asked, when a wait asked for
        it); None if the email is gone."""
        params = {"email_id": email_id, "inbox_id": inbox_id}
        found = await self.db.query(lambda s: _email_and_waits(s, params))
        if found is None:
            return None
        email, waits = found
        view = EmailView(email)
        for wait in waits:
            await view.prepare(wait)
        await self._assist(view, waits)
        return view, waits

    async def _assist(self, view: EmailView, waits: Iterable[Wait]) -> None:
        """Ask the model for the waits whose rules' answer on ``view`` is too weak.

        One call per (wait, email), at most MAX_ASSISTS_PER_WAIT per wait; each call is
        on the session's timeline (``extraction.assisted``) whether or not it resolves.
        """
        if self.assistant is None:
            return
        for wait in waits:
            spec = view.needs_assist(wait)
            if spec is None:
                continue
            key = (wait.id, view.email.id)
            task = self._asks.get(key)
            if task is None:
                if sum(1 for k in self._asks if k[0] == wait.id) >= MAX_ASSISTS_PER_WAIT:
                    continue
                task = asyncio.create_task(self._ask(wait, view.email, spec))
                self._asks[key] = task
            view.assisted[wait.id] = await asyncio.shield(task)

    async def _ask(self, wait: Wait, email: Email, spec: AssistSpec) -> Assisted:
        assert self.assistant is not None
        assisted = await self.assistant.ask(wait.user_id, spec, email.raw, wait.type)
        async with self.db.write() as tx:
            await self.events.append(
                tx,
                user_id=wait.user_id,
                type="extraction.assisted",
                session_id=wait.session_id,
                data={"wait_id": wait.id, **assisted.event_data(spec, wait.type, email.id)},
            )
        return assisted

    async def _claim_now(self, wait: Wait, email: Email, outcome: Outcome) -> bool:
        """Resolve ``wait`` with ``email`` in one transaction; False if it is no longer
        pending. ``wait`` is a detached row read before (updated here once committed).

        ``waits.email_id`` is unique, so a concurrent claim of the same email fails the
        whole transaction with an IntegrityError (the callers stop: the email is taken).
        On SQLite the transaction is one function on the SQLite writer (no ORM session).
        """
        now = utcnow()
        extraction, events = _resolution(wait, email, outcome, now)
        inserts = [(Extraction.__table__, [extraction])] if extraction else []

        def resolved() -> None:
            # remembered before the publish, so a blocked caller on this replica answers
            # without reading the row back
            wait.status, wait.email_id, wait.result, wait.completed_at = (
                "completed",
                email.id,
                outcome.result,
                now,
            )
            self._remember(wait, email.received_at)

        if not self.db.is_sqlite:
            async with self.db.write() as tx:
                updated = await tx.s.execute(
                    update(Wait)
                    .where(Wait.id == wait.id, Wait.status == "pending")
                    .values(
                        status="completed",
                        email_id=email.id,
                        result=outcome.result,
                        completed_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
                if updated.rowcount == 0:  # type: ignore[attr-defined]
                    return False
                for table, rows in inserts:
                    await self.db.insert_many(tx, table, rows)
                tx.after_commit(as_coroutine(resolved))  # before append_many's publish
                await self.events.append_many(tx, events)
            return True

        def still_pending(connection: sqlite3.Connection) -> None:
            claimed = scalar(
                connection,
                "UPDATE waits SET status = 'completed', email_id = ?, result = ?,"
                " completed_at = ? WHERE id = ? AND status = 'pending' RETURNING id",
                (email.id, sqlite_value(outcome.result), sqlite_time(now), wait.id),
            )
            if claimed is None:
                raise _NotPending

        try:
            await self.events.commit(
                inserts,  # type: ignore[arg-type]
                events,
                first=still_pending,
                committed=resolved,
            )
        except _NotPending:
            return False
        return True

    async def _finish(self, wait_id: str, status: str) -> bool:
        """Move a pending wait to ``timed_out`` or ``cancelled``; False if it was not pending."""
        async with self.db.write() as tx:
            wait = (
                await tx.s.execute(
                    update(Wait)
                    .where(Wait.id == wait_id, Wait.status == "pending")
                    .values(status=status, completed_at=utcnow())
                    .returning(Wait)
                )
            ).scalar_one_or_none()
            if wait is not None:

                async def remember() -> None:
                    self._remember(wait)

                tx.after_commit(remember)
                await self.events.append(
                    tx,
                    user_id=wait.user_id,
                    type=f"wait.{status}",
                    session_id=wait.session_id,
                    channels=(wait_channel(wait_id), WAITS_CHANNEL),
                    data={"wait_id": wait_id, "inbox_id": wait.inbox_id, "result": None},
                )
        self._disarm(wait_id)
        return wait is not None

    def _remember(self, wait: Wait, received_at: datetime | None = None) -> None:
        """Keep a just-resolved wait for a minute: blocked callers answer from it."""
        if self.metrics is not None:  # ``received_at``: of the email that resolved it
            self.metrics.wait_resolved(wait.status, wait.created_at, wait.completed_at, received_at)
        self._disarm(wait.id)
        self._resolved[wait.id] = wait
        asyncio.get_running_loop().call_later(60, self._resolved.pop, wait.id, None)

    def _disarm(self, wait_id: str) -> None:
        self._own.discard(wait_id)
        for key in [k for k in self._asks if k[0] == wait_id]:
            self._asks.pop(key)
        timer = self._timers.pop(wait_id, None)
        if timer is not None:
            timer.cancel()
        inbox_id = self._inbox_of.pop(wait_id, None)
        if inbox_id is not None:
            waits = self._pending.get(inbox_id)
            if waits is not None:
                waits.discard(wait_id)
                if not waits:
                    del self._pending[inbox_id]


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("wait task failed", exc_info=task.exception())


def _created_event(wait: Wait) -> NewEvent:
    """``wait.created``: on the session's timeline, the wait's channel and the engine's."""
    return NewEvent(
        user_id=wait.user_id,
        type="wait.created",
        session_id=wait.session_id,
        channels=(wait_channel(wait.id), WAITS_CHANNEL),
        data={
            "wait_id": wait.id,
            "inbox_id": wait.inbox_id,
            "wait_type": wait.type,
            "timeout_seconds": wait.timeout_seconds,
            "criteria": wait.criteria,
            "expires_at": wait.deadline.isoformat(),
        },
    )


def _wait_row(
    user_id: str,
    inbox_id: str,
    session_id: str | None,
    after_time: datetime,
    type: str,
    seconds: int,
    criteria: dict[str, Any],
    after_email_id: str | None,
    threshold: float,
) -> Wait:
    """A new pending wait's row, every column set (it is inserted as it is)."""
    now = utcnow()
    return Wait(
        id=new_id("wait"),
        user_id=user_id,
        inbox_id=inbox_id,
        session_id=session_id,
        type=type,
        status="pending",
        criteria=criteria,
        after_time=after_time,
        after_email_id=after_email_id,
        confidence_threshold=threshold,
        timeout_seconds=seconds,
        created_at=now,
        deadline=now + timedelta(seconds=seconds),
        completed_at=None,
        email_id=None,
        result=None,
    )


class _NotPending(Exception):
    """A claim found its wait resolved, timed out or cancelled: nothing is written."""


def _resolution(
    wait: Wait, email: Email, outcome: Outcome, now: datetime
) -> tuple[dict[str, Any] | None, list[NewEvent]]:
    """What resolving ``wait`` with ``email`` writes: the extraction row (if the outcome
    came from one) and the events, ``extraction.completed`` then ``wait.completed``."""
    extraction: dict[str, Any] | None = None
    events: list[NewEvent] = []
    if outcome.extraction is not None:
        extraction = {
            "id": new_id("ext"),
            "user_id": wait.user_id,
            "email_id": email.id,
            "session_id": wait.session_id,
            "wait_id": wait.id,
            "type": outcome.result["type"],
            "value": outcome.result["value"],
            "confidence": outcome.result["confidence"],
            "candidates": outcome.result["candidates"],
            "created_at": now,
        }
        events.append(
            NewEvent(
                user_id=wait.user_id,
                type="extraction.completed",
                session_id=wait.session_id,
                data={
                    "extraction_id": extraction["id"],
                    "email_id": email.id,
                    "extraction_type": outcome.result["type"],
                    "value": outcome.result["value"],
                    "confidence": outcome.result["confidence"],
                    "method": outcome.result.get("method", "rules"),
                },
            )
        )
    events.append(
        NewEvent(
            user_id=wait.user_id,
            type="wait.completed",
            session_id=wait.session_id,
            channels=(wait_channel(wait.id), WAITS_CHANNEL),
            data={"wait_id": wait.id, "inbox_id": wait.inbox_id, "result": outcome.result},
        )
    )
    return extraction, events


def _email_and_waits(s: ORMSession, params: dict[str, str]) -> tuple[Email, list[Wait]] | None:
    email = s.execute(_EMAIL_BY_ID, params).scalar_one_or_none()
    if email is None:
        return None
    return email, list(s.execute(_PENDING_WAITS, params).scalars())


def _backlog(s: ORMSession, wait_id: str) -> tuple[Wait, list[Email]] | None:
    """A pending wait and the unclaimed mail of its inbox since its reference point; None
    when there is no such mail (one statement: the usual case, a new wait on a quiet
    inbox) or the wait is no longer pending."""
    emails = list(s.execute(_UNCLAIMED_MAIL, {"wait_id": wait_id}).scalars())
    if not emails:
        return None
    wait = s.execute(_WAIT_BY_ID, {"wait_id": wait_id}).scalar_one_or_none()
    if wait is None or wait.status != "pending":
        return None
    return wait, emails


# _UNCLAIMED_MAIL's question (is there any?) in SQLite's own terms, for read_inline.
_UNCLAIMED_MAIL_SQLITE = (
    "SELECT 1 FROM waits JOIN emails ON emails.inbox_id = waits.inbox_id"
    " AND emails.received_at >= waits.after_time"
    " WHERE waits.id = ? AND waits.status = 'pending'"
    " AND NOT EXISTS (SELECT 1 FROM waits AS claimed WHERE claimed.email_id = emails.id)"
    " LIMIT 1"
)
# Built once: a fresh alias per call made every scan compile its statement anew.
_WAIT_BY_ID = select(Wait).where(Wait.id == bindparam("wait_id"))
_EMAIL_BY_ID = select(Email).where(Email.id == bindparam("email_id"))
_PENDING_WAITS = (
    select(Wait)
    .where(Wait.inbox_id == bindparam("inbox_id"), Wait.status == "pending")
    .order_by(Wait.id)
)
_claimed_by = aliased(Wait)
_UNCLAIMED_MAIL = (
    select(Email)
    .join(Wait, Wait.id == bindparam("wait_id"))
    .where(
        Wait.status == "pending",
        Email.inbox_id == Wait.inbox_id,
        Email.received_at >= Wait.after_time,
        ~exists().where(_claimed_by.email_id == Email.id),
    )
    .order_by(Email.id)
)
