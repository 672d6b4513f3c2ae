"""The run queue: agent runs as claimed work, held under leases (issue 15).

A message to an agent session inserts an ``agent_runs`` row in the transaction that
stores the message and marks the session running. Whoever takes runs claims it: the
process that enqueued it at once, in that same transaction (the laptop's one process
pays no poll and no extra commit), or ``waypost worker`` processes and the other
``serve`` replicas from the queue, woken by the bus (channel :data:`RUNS_CHANNEL`)
with a poll behind it. A claim is a lease (``lease_until``) that the holder's heartbeat
renews with an UPDATE guarded by its worker id: a worker that finds its lease gone
stops its run without writing (another worker owns it now), so a run never executes on
two workers at once. A run whose lease ran out (its worker was killed) is ended
``interrupted``, with a ``session_interrupted`` event saying why, by the next worker
that looks: it is not resumed, since its last step may have been half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update

from waypost.config import Settings
from waypost.db.database import Database, Tx
from waypost.db.models import AgentRun
from waypost.db.models import Session as SessionRow
from waypost.db.sqlite_writer import sqlite_time
from waypost.db.types import utcnow
from waypost.events.bus import EventBus
from waypost.events.log import EventLog, NewEvent, SessionChanged
from waypost.ids import new_id

log = logging.getLogger("waypost.runs")

RUNS_CHANNEL = "runs"  # "a run was queued": wakes the processes that take runs
ACTIVE = ("queued", "running")
LEASE_EXPIRED = "the worker running it stopped (lease expired)"
RESTARTED = "the server restarted during the run"
SHUT_DOWN = "the worker running it shut down"


class HeldRun(Protocol):
    """What the queue needs of a run it holds (:class:`waypost.agents.runtime.Run`)."""

    session_id: str

    def stop(self, reason: str, *, fenced: bool = False) -> None:
        """Cancel the run: ``fenced``, it lost its lease and must write nothing more."""

    async def finished(self) -> None:
        """Return once the run's task has ended."""


@dataclass
class RunSettings:
    """Timings of the queue (``WAYPOST_RUN_*``); tests shorten the lease."""

    lease_seconds: float = 15.0
    heartbeat_seconds: float = 5.0
    poll_seconds: float = 1.0
    concurrency: int = 100  # runs this process executes at once
    takes_runs: bool = True  # serve --no-runs: False (workers run everything)

    @classmethod
    def of(cls, settings: Settings, *, takes_runs: bool) -> RunSettings:
        return cls(
            lease_seconds=settings.run_lease_seconds,
            heartbeat_seconds=min(settings.run_heartbeat_seconds, settings.run_lease_seconds / 2),
            poll_seconds=settings.run_poll_seconds,
            concurrency=settings.run_concurrency,
            takes_runs=takes_runs,
        )


class RunQueue:
    """This process's side of the queue: its claims, its heartbeat, its claim loop."""

    def __init__(self, db: Database, events: EventLog, bus: EventBus) -> None:
        self.db = db
        self.events = events
        self.bus = bus
        self.settings = RunSettings()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.held: dict[str, HeldRun] = {}
        self._renewed: dict[str, float] = {}  # run id → loop time of its last good renewal
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: asyncio.Event | None = None
        self._draining = False
        self._execute: Callable[[AgentRun], Awaitable[None]] | None = None

    # --- enqueueing (called by Conversations) ---------------------------------------------------

    def has_room(self) -> bool:
        """Whether a run enqueued here should be claimed here, at once."""
        return (
            self.settings.takes_runs
            and not self._draining
            and len(self.held) < self.settings.concurrency
        )

    def new_row(self, session_id: str, user_id: str, *, claimed: bool) -> dict[str, Any]:
        """The ``agent_runs`` row to insert with the message: queued, or already held here."""
        now = utcnow()
        return {
            "id": new_id("run"),
            "session_id": session_id,
            "user_id": user_id,
            "status": "running" if claimed else "queued",
            "worker_id": self.worker_id if claimed else None,
            "lease_until": self._lease_end(now) if claimed else None,
            "attempts": 1 if claimed else 0,
            "interrupt_requested": False,
            "reason": None,
            "created_at": now,
            "started_at": now if claimed else None,
            "ended_at": None,
        }

    async def notify(self, run_id: str) -> None:
        """Tell the processes that take runs that one is waiting."""
        await self.bus.publish(RUNS_CHANNEL, {"type": "run.queued", "run_id": run_id})

    def hold(self, run_id: str, run: HeldRun) -> None:
        """Track a run claimed by this process: its lease is renewed until it finishes."""
        self.held[run_id] = run
        self._renewed[run_id] = asyncio.get_running_loop().time()

    async def finish(self, run_id: str, status: str, reason: str | None = None) -> None:
        """The run ended here (its last event is committed): record how, free the slot."""
        was_full = len(self.held) >= self.settings.concurrency
        self.held.pop(run_id, None)
        self._renewed.pop(run_id, None)
        if was_full and self._wake is not None:
            self._wake.set()  # a slot is free: runs declined meanwhile wait in the queue
        now = utcnow()
        if self.db.is_sqlite:  # the hot path: one statement, no ORM round trip
            sql = (
                "UPDATE agent_runs SET status = ?, reason = ?, ended_at = ?, lease_until = NULL "
                "WHERE id = ? AND worker_id = ?"
            )
            params = (status, reason, sqlite_time(now), run_id, self.worker_id)
            await self.db.run_sqlite(lambda c: c.execute(sql, params))
            return
        async with self.db.write() as tx:
            await tx.s.execute(
                update(AgentRun)
                .where(AgentRun.id == run_id, AgentRun.worker_id == self.worker_id)
                .values(status=status, reason=reason, ended_at=now, lease_until=None)
                .execution_options(synchronize_session=False)
            )

    async def end_unrunnable(self, job: AgentRun, why: str) -> None:
        """A claimed run that cannot start (its agent or sandbox is gone): failed, saying
        why, and its session free for the next message."""
        async with self.db.write() as tx:
            await tx.s.execute(
                update(AgentRun)
                .where(AgentRun.id == job.id, AgentRun.worker_id == self.worker_id)
                .values(status="failed", reason=why, ended_at=utcnow(), lease_until=None)
                .execution_options(synchronize_session=False)
            )
            await self._end_session(tx, job.session_id, job.user_id, why, failed=True)

    async def request_interrupt(self, session_id: str) -> bool:
        """Record an interrupt for the session's run (the heartbeat reads it: a worker that
        missed the bus message still stops). A run still queued ends here and now, True."""
        async with self.db.write() as tx:
            rows = (
                await tx.s.execute(
                    update(AgentRun)
                    .where(AgentRun.session_id == session_id, AgentRun.status.in_(ACTIVE))
                    .values(interrupt_requested=True)
                    .returning(AgentRun.id, AgentRun.status, AgentRun.user_id)
                    .execution_options(synchronize_session=False)
                )
            ).all()
            queued = [(run_id, user_id) for run_id, status, user_id in rows if status == "queued"]
            for run_id, user_id in queued:
                ended = await tx.s.execute(
                    update(AgentRun)
                    .where(AgentRun.id == run_id, AgentRun.status == "queued")
                    .values(status="interrupted", ended_at=utcnow(), reason="interrupted")
                    .execution_options(synchronize_session=False)
                )
                if ended.rowcount == 1:  # type: ignore[attr-defined]
                    await self._end_session(tx, session_id, user_id, "interrupted")
                    return True
        return False

    # --- claiming -------------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[AgentRun]:
        """Up to ``limit`` queued runs, oldest first, now held here under a lease.

        PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so workers claiming at once take different
        runs; SQLite: one writer at a time makes the guarded UPDATE the claim.
        """
        now = utcnow()
        oldest = (
            select(AgentRun.id)
            .where(AgentRun.status == "queued")
            .order_by(AgentRun.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self.db.write() as tx:
            claimed = (
                await tx.s.execute(
                    update(AgentRun)
                    .where(AgentRun.id.in_(oldest.scalar_subquery()), AgentRun.status == "queued")
                    .values(
                        status="running",
                        worker_id=self.worker_id,
                        lease_until=self._lease_end(now),
                        started_at=now,
                        attempts=AgentRun.attempts + 1,
                    )
                    .returning(AgentRun)
                    .execution_options(synchronize_session=False)
                )
            ).scalars()
            return list(claimed)

    async def interrupt_requested(self, run_id: str) -> bool:
        """Whether an interrupt was recorded for the run (read once the run listens)."""
        async with self.db.read() as s:
            found = await s.scalar(
                select(AgentRun.interrupt_requested).where(AgentRun.id == run_id)
            )
        return bool(found)

    async def recover_expired(
        self, reason: str = LEASE_EXPIRED, *, everything: bool = False
    ) -> int:
        """End the runs whose lease ran out (their worker died): ``interrupted``, with a
        ``session_interrupted`` event giving ``reason``. ``everything``: every run marked
        running (SQLite at startup: this process is the database's only one)."""
        now = utcnow()
        query = select(AgentRun).where(AgentRun.status == "running")
        if not everything:
            query = query.where(AgentRun.lease_until < now)
        query = query.order_by(AgentRun.created_at).limit(50).with_for_update(skip_locked=True)
        count = 0
        async with self.db.write() as tx:
            for run in list((await tx.s.execute(query)).scalars()):
                count += 1
                await tx.s.execute(
                    update(AgentRun)
                    .where(AgentRun.id == run.id)
                    .values(
                        status="interrupted",
                        reason=f"{reason} (held by {run.worker_id})",
                        worker_id=self.worker_id,
                        attempts=AgentRun.attempts + 1,
                        ended_at=now,
                        lease_until=None,
                    )
                    .execution_options(synchronize_session=False)
                )
                if not await self._newer_run(tx, run):
                    await self._end_session(tx, run.session_id, run.user_id, reason)
                    await self._end_children(tx, run.session_id, reason)
        if count:
            log.warning("ended %d agent runs interrupted: %s", count, reason)
        return count

    async def recover_at_startup(self) -> int:
        """SQLite: runs marked running belong to a previous life of this one process; also
        free sessions left running without a run row (a delegated member's, or a run from
        before the queue). PostgreSQL: only expired leases (other replicas are alive)."""
        if not self.db.is_sqlite:
            return await self.recover_expired()
        count = await self.recover_expired(RESTARTED, everything=True)
        async with self.db.write() as tx:
            active = select(AgentRun.session_id).where(AgentRun.status.in_(ACTIVE))
            orphans = (
                await tx.s.execute(
                    select(SessionRow.id, SessionRow.user_id).where(
                        SessionRow.run_status == "running", SessionRow.id.not_in(active)
                    )
                )
            ).all()
            for session_id, user_id in orphans:
                await self._end_session(tx, session_id, user_id, RESTARTED)
        return count + len(orphans)

    async def _newer_run(self, tx: Tx, run: AgentRun) -> bool:
        """A later run of the session exists: this one had ended (its session was freed)
        before its row was marked, and the session's state is the later run's."""
        later = await tx.s.scalar(
            select(AgentRun.id)
            .where(AgentRun.session_id == run.session_id, AgentRun.created_at > run.created_at)
            .limit(1)
        )
        return later is not None

    async def _end_session(
        self, tx: Tx, session_id: str, user_id: str, reason: str, *, failed: bool = False
    ) -> None:
        """``session_interrupted`` (or ``session_failed``) and the session idle, if it is
        still marked running."""
        event = NewEvent(
            user_id=user_id,
            type="session_failed" if failed else "session_interrupted",
            data={"error": reason} if failed else {"reason": reason},
            session_id=session_id,
            description="Run failed" if failed else "Run interrupted",
        )
        status = "failed" if failed else "interrupted"
        with contextlib.suppress(SessionChanged):  # the run had ended after all
            await self.events.append_many(
                tx,
                [event],
                {session_id: {"run_status": "idle", "status": status}},
                guards={session_id: {"run_status": "running"}},
            )

    async def _end_children(self, tx: Tx, session_id: str, reason: str) -> None:
        """A delegated member's session runs inside its leader's run: it ends with it."""
        children = (
            await tx.s.execute(
                select(SessionRow.id, SessionRow.user_id).where(
                    SessionRow.parent_session_id == session_id, SessionRow.run_status == "running"
                )
            )
        ).all()
        for child_id, user_id in children:
            await self._end_session(tx, child_id, user_id, reason)

    # --- the heartbeat and the claim loop -------------------------------------------------------

    async def renew(self) -> None:
        """Extend the lease of every run held here; stop those whose lease is gone."""
        held = list(self.held)
        if not held:
            return
        now = utcnow()
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with self.db.write() as tx:
                rows = (
                    await tx.s.execute(
                        update(AgentRun)
                        .where(
                            AgentRun.id.in_(held),
                            AgentRun.worker_id == self.worker_id,
                            AgentRun.status == "running",
                        )
                        .values(lease_until=self._lease_end(now))
                        .returning(AgentRun.id, AgentRun.interrupt_requested)
                        .execution_options(synchronize_session=False)
                    )
                ).all()
        except Exception:
            log.exception("run heartbeat failed")
            # the database may have moved on without us: past the lease, stop writing
            for run_id in held:
                if loop.time() - self._renewed.get(run_id, started) > self.settings.lease_seconds:
                    self._lose(run_id)
            return
        renewed = {run_id: interrupt for run_id, interrupt in rows}
        for run_id in held:
            run = self.held.get(run_id)
            if run is None:  # finished meanwhile: its row is no longer ours to renew
                continue
            if run_id not in renewed:
                self._lose(run_id)
            else:
                self._renewed[run_id] = started
                if renewed[run_id]:
                    run.stop("interrupted")

    def _lose(self, run_id: str) -> None:
        run = self.held.pop(run_id, None)
        self._renewed.pop(run_id, None)
        if run is not None:
            log.warning("lost the lease of run %s: stopping it without writing", run_id)
            run.stop(LEASE_EXPIRED, fenced=True)

    def start(self, execute: Callable[[AgentRun], Awaitable[None]]) -> None:
        """The heartbeat; and, if this process takes runs, the claim loop (``execute``
        starts a claimed run and returns once it is going)."""
        self._execute = execute
        self._wake = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._heartbeat_loop(), name="waypost-runs-beat"))
        if self.settings.takes_runs:
            self._tasks.append(asyncio.create_task(self._claim_loop(), name="waypost-runs-claim"))
        elif self.db.is_sqlite:
            log.warning("--no-runs on SQLite: nothing runs agent runs (workers need PostgreSQL)")

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            await self.renew()

    async def _claim_loop(self) -> None:
        assert self._wake is not None and self._execute is not None
        loop = asyncio.get_running_loop()
        last_recovery = 0.0
        async with self.bus.subscribe(RUNS_CHANNEL) as sub:
            while not self._draining:
                try:
                    if loop.time() - last_recovery >= self.settings.poll_seconds:
                        last_recovery = loop.time()
                        if await self._any("expired"):
                            await self.recover_expired()
                    while self.has_room() and await self._any("queued"):
                        jobs = await self.claim(self.settings.concurrency - len(self.held))
                        if not jobs:
                            break
                        for job in jobs:
                            await self._execute(job)
                except Exception:
                    log.exception("run queue: claiming failed")
                self._wake.clear()
                woken = asyncio.ensure_future(self._wake.wait())
                message = asyncio.ensure_future(sub.get())
                try:
                    await asyncio.wait(
                        (woken, message),
                        timeout=self.settings.poll_seconds,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    woken.cancel()
                    message.cancel()

    async def _any(self, kind: str) -> bool:
        """A cheap read before a write: is anything queued (or expired) at all?"""
        query = select(AgentRun.id).limit(1)
        if kind == "queued":
            query = query.where(AgentRun.status == "queued")
        else:
            query = query.where(AgentRun.status == "running", AgentRun.lease_until < utcnow())
        async with self.db.read() as s:
            return (await s.scalar(query)) is not None

    async def stop(self, drain_seconds: float = 0.0) -> None:
        """Stop claiming; let held runs finish for up to ``drain_seconds``; end the rest
        ``interrupted`` (saying the worker shut down); then stop the heartbeat."""
        self._draining = True
        claimer = [t for t in self._tasks if t.get_name() == "waypost-runs-claim"]
        for task in claimer:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        runs = list(self.held.values())
        if runs and drain_seconds > 0:
            waiting = [asyncio.ensure_future(run.finished()) for run in runs]
            _, pending = await asyncio.wait(waiting, timeout=drain_seconds)
            for task in pending:
                task.cancel()
        for run in list(self.held.values()):
            run.stop(SHUT_DOWN)
        for run in runs:
            with contextlib.suppress(BaseException):
                await run.finished()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def _lease_end(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.settings.lease_seconds)


__all__ = ["ACTIVE", "LEASE_EXPIRED", "RUNS_CHANNEL", "RunQueue", "RunSettings"]
