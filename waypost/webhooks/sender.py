"""The sender: claims due deliveries, signs and POSTs them, records what happened.

Claims are leases taken in the database (:mod:`waypost.webhooks.claims`): several
replicas never send one delivery at once, and a sender killed mid-attempt leaves it to
be claimed again once the lease ends (at least once; receivers de-duplicate on
``webhook-id``). Outcomes are recorded in the same transaction as the next claim. The
loop wakes on :class:`OutboxSignal` (this process's commits and finished attempts) and
otherwise polls every ``webhook_poll_seconds`` (other replicas' deliveries, retries).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from waypost import __version__
from waypost.agents.secrets import SecretBox
from waypost.config import Settings
from waypost.db.database import Database
from waypost.db.models import Email, Event, WebhookDelivery
from waypost.db.sqlite_writer import sqlite_time
from waypost.db.types import utcnow
from waypost.mail.store import EmailService
from waypost.webhooks.claims import (
    DELIVERED,
    FAILED,
    Claimed,
    HookRow,
    Outcome,
    release,
    run_round,
)
from waypost.webhooks.outbox import PENDING, OutboxSignal
from waypost.webhooks.payload import delivery_id, event_body
from waypost.webhooks.signing import sign
from waypost.webhooks.targets import UnsafeTarget, check_target

log = logging.getLogger("waypost.webhooks")

MAX_IN_FLIGHT = 64  # attempts at once per process
EXCERPT_BYTES = 1024  # of a response body kept for the deliveries list
MAX_ERROR_CHARS = 500
_SQLITE_DUE = (
    "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1"
)


@dataclass(frozen=True)
class Endpoint:
    """What an attempt needs of its webhook, the secret opened."""

    url: str
    enabled: bool
    secret: str


class Sender:
    """Delivers the outbox; one per process, started by the app's lifespan."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        emails: EmailService,
        outbox: OutboxSignal,
        settings: Settings,
    ) -> None:
        self.db = db
        self.box = box
        self.emails = emails
        self.outbox = outbox
        self.settings = settings
        self.timeout = settings.webhook_timeout_seconds
        self.lease = timedelta(seconds=2 * self.timeout + 5)
        self._finished: list[Outcome] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._held: set[int] = set()  # delivery ids claimed and not yet finished
        self._secrets: dict[str, tuple[bytes, str]] = {}
        self._next_retry: float | None = None  # monotonic time of the soonest retry we set

    async def run_forever(self) -> None:
        """Claim, send, record, until cancelled."""
        limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=16)
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout), follow_redirects=False, limits=limits
        ) as client:
            try:
                while True:
                    try:
                        full = await self.step(client)
                    except Exception:
                        log.exception("webhook sender round failed")
                        full = False
                    if not full:
                        await self.outbox.wait(self._pause())
            finally:
                await self._stop()

    async def _stop(self) -> None:
        """On shutdown: cancel attempts in flight, record what finished, and hand the rest
        back at once (a restart need not wait for their leases to end)."""
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        outcomes, self._finished = self._finished, []
        held = list(self._held)
        if not outcomes and not held:
            return
        try:
            await release(self.db, outcomes, held)
        except Exception:
            log.exception("could not release webhook deliveries on shutdown")

    def _pause(self) -> float:
        pause = self.settings.webhook_poll_seconds
        if self._next_retry is not None:
            pause = min(pause, max(0.0, self._next_retry - time.monotonic()))
        return pause

    async def step(self, client: httpx.AsyncClient) -> bool:
        """Record finished attempts, claim what is due and start sending it; True when it
        claimed as many as it could hold (more may be waiting)."""
        outcomes, self._finished = self._finished, []
        room = MAX_IN_FLIGHT - len(self._in_flight)
        if self._next_retry is not None and self._next_retry <= time.monotonic():
            self._next_retry = None
        if not outcomes and (room == 0 or not await self._anything_due()):
            return False  # an idle poll is one indexed read, not a write transaction
        try:
            found = await run_round(self.db, outcomes, room, self.lease)
        except BaseException:
            self._finished.extend(outcomes)  # recorded by the next round instead
            raise
        for outcome in outcomes:
            if outcome.status == PENDING:
                due = time.monotonic() + (outcome.next_attempt_at - utcnow()).total_seconds()
                if self._next_retry is None or due < self._next_retry:
                    self._next_retry = due
        endpoints = {hook.id: self._endpoint(hook) for hook in found.hooks}
        for row in found.claimed:
            self._held.add(row.id)
            event = found.events.get(row.event_id)
            email = None
            if event is not None and event.type == "email.received":
                email = found.emails.get(str(event.data.get("email_id")))
            task = asyncio.create_task(
                self._attempt(client, row, endpoints.get(row.webhook_id), event, email)
            )
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return room > 0 and len(found.claimed) == room

    async def _anything_due(self) -> bool:
        now = utcnow()
        if self.db.sqlite_writer is not None:
            try:
                row = self.db.sqlite_writer.read_inline(_SQLITE_DUE, (sqlite_time(now),))
                return row is not None
            except sqlite3.OperationalError:
                pass  # busy: ask through the ordinary reader
        query = (
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
            .limit(1)
        )
        async with self.db.read() as s:
            return (await s.execute(query)).first() is not None

    def _endpoint(self, hook: HookRow) -> Endpoint:
        """The webhook with its secret opened (cached while the sealed value is unchanged)."""
        cached = self._secrets.get(hook.id)
        if cached is None or cached[0] != hook.sealed:
            cached = (hook.sealed, self.box.open(hook.sealed))
            self._secrets[hook.id] = cached
        return Endpoint(hook.url, hook.enabled, cached[1])

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        row: Claimed,
        hook: Endpoint | None,
        event: Event | None,
        email: Email | None,
    ) -> None:
        try:
            outcome = await self._send(client, row, hook, event, email)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not lose the delivery: retry it later
            log.exception(
                "webhook attempt crashed id=%s", delivery_id(row.webhook_id, row.event_id)
            )
            error = f"internal error: {exc!r}"[:MAX_ERROR_CHARS]
            outcome = self._failed_attempt(row, utcnow(), None, error, None, row.body)
        self._finished.append(outcome)
        self._held.discard(row.id)
        self.outbox.notify()

    async def _send(
        self,
        client: httpx.AsyncClient,
        row: Claimed,
        hook: Endpoint | None,
        event: Event | None,
        email: Email | None,
    ) -> Outcome:
        now = utcnow()
        if hook is None or not hook.enabled:
            return Outcome(
                row.id, row.webhook_id, FAILED, row.attempts, now, now, None,
                "the webhook is disabled", None, row.body,
            )  # fmt: skip
        body = row.body
        if body is None:
            if event is None:  # deleted with its session (the cascade removes this row too)
                return Outcome(
                    row.id, row.webhook_id, FAILED, row.attempts, now, now, None,
                    "the event no longer exists", None, None,
                )  # fmt: skip
            body = await self._build(event, email)
        try:
            await check_target(hook.url, self.settings.webhooks_allow_private)
        except UnsafeTarget as exc:
            return self._failed_attempt(row, now, None, exc.message, None, body)
        message_id = delivery_id(row.webhook_id, row.event_id)
        payload = body.encode()
        stamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": f"Waypost-Webhooks/{__version__}",
            "webhook-id": message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(hook.secret, message_id, stamp, payload),
        }
        try:
            async with asyncio.timeout(self.timeout):
                code, excerpt = await _post(client, hook.url, payload, headers)
        except (httpx.TimeoutException, TimeoutError):
            error = f"timed out after {self.timeout:g} s"
            return self._failed_attempt(row, now, None, error, None, body)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
            return self._failed_attempt(row, now, None, error, None, body)
        if 200 <= code < 300:
            return Outcome(
                row.id, row.webhook_id, DELIVERED, row.attempts + 1, now, now, code, None,
                excerpt, None,
            )  # fmt: skip
        if code == 410:
            log.warning("webhook disabled (410 Gone) webhook=%s", row.webhook_id)
            return Outcome(
                row.id, row.webhook_id, FAILED, row.attempts + 1, now, now, code,
                "410 Gone: the webhook was disabled", excerpt, body, gone=True,
            )  # fmt: skip
        return self._failed_attempt(row, now, code, f"HTTP {code}", excerpt, body)

    def _failed_attempt(
        self,
        row: Claimed,
        now: datetime,
        code: int | None,
        error: str,
        excerpt: str | None,
        body: str | None,
    ) -> Outcome:
        """Retry later with exponential backoff and jitter, or give up after the window."""
        attempts = row.attempts + 1
        delay = min(
            self.settings.webhook_backoff_max_seconds,
            self.settings.webhook_backoff_base_seconds * 2 ** min(attempts - 1, 30),
        )
        delay *= random.uniform(0.5, 1.0)
        next_at = now + timedelta(seconds=delay)
        deadline = row.created_at + timedelta(seconds=self.settings.webhook_retry_seconds)
        status = PENDING if next_at <= deadline else FAILED
        return Outcome(
            row.id, row.webhook_id, status, attempts, now, next_at, code, error, excerpt, body
        )  # fmt: skip

    async def _build(self, event: Event, email: Email | None) -> str:
        """The body of ``event``; for mail, with the parsed email (parsed off the loop,
        once per email however many webhooks get it: the email service's cache)."""
        rendered = await self.emails.render(email) if email is not None else None
        return event_body(event, email, rendered).decode()


async def _post(
    client: httpx.AsyncClient, url: str, payload: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    """POST; the status and at most :data:`EXCERPT_BYTES` of the answer (the rest unread)."""
    async with client.stream("POST", url, content=payload, headers=headers) as response:
        excerpt = b""
        async for chunk in response.aiter_bytes():
            excerpt += chunk
            if len(excerpt) >= EXCERPT_BYTES:
                break
        return response.status_code, excerpt[:EXCERPT_BYTES].decode(errors="replace")
