"""Webhooks: the endpoints a user registers, and their deliveries (list, retry).

The secret is sealed at rest with the server's :class:`SecretBox` (as credentials are)
and returned once, by ``create``. Filters (``inbox_id``, ``session_id``) must name the
caller's own rows: another user's id is as missing as no id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from waypost.agents.secrets import SecretBox
from waypost.db.database import Database
from waypost.db.models import Inbox, Webhook, WebhookDelivery
from waypost.db.models import Session as SessionRow
from waypost.db.owned import get_owned
from waypost.db.pages import Page, check_limit
from waypost.db.types import utcnow
from waypost.errors import Conflict, Invalid, NotFound
from waypost.ids import new_id
from waypost.webhooks.events import check_events, event_filter
from waypost.webhooks.outbox import PENDING, OutboxSignal
from waypost.webhooks.payload import delivery_id, parse_delivery_id
from waypost.webhooks.signing import check_secret, new_secret
from waypost.webhooks.targets import check_target

FIELDS = ("url", "events", "secret", "inbox_id", "session_id", "enabled")
STATUSES = ("pending", "delivered", "failed")


@dataclass(frozen=True)
class Created:
    """A new webhook and its secret (the only time the secret is handed out)."""

    row: Webhook
    secret: str


class Webhooks:
    """The webhooks repository and its rules."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        outbox: OutboxSignal,
        *,
        allow_private: bool,
    ) -> None:
        self.db = db
        self.box = box
        self.outbox = outbox
        self.allow_private = allow_private

    async def create(self, user_id: str, fields: dict[str, Any]) -> Created:
        """A new webhook; ``secret`` is generated when not given."""
        url = str(fields["url"])
        await check_target(url, self.allow_private)
        events = check_events(list(fields["events"]))
        secret = check_secret(fields["secret"]) if fields.get("secret") else new_secret()
        now = utcnow()
        row = Webhook(
            id=new_id("wh"),
            user_id=user_id,
            url=url,
            events=events,
            event_filter=event_filter(events),
            inbox_id=fields.get("inbox_id"),
            session_id=fields.get("session_id"),
            secret_encrypted=self.box.seal(secret),
            enabled=True if fields.get("enabled") is None else bool(fields["enabled"]),
            disabled_reason=None,
            created_at=now,
            updated_at=now,
        )
        async with self.db.write() as tx:
            await _check_filters(tx.s, user_id, row.inbox_id, row.session_id)
            tx.s.add(row)
        return Created(row, secret)

    async def get(self, user_id: str, webhook_id: str) -> Webhook:
        """One of the user's webhooks, or webhook_not_found."""
        async with self.db.read() as s:
            return await get_owned(s, Webhook, webhook_id, user_id, "webhook")

    async def list(self, user_id: str, *, limit: int, cursor: str | None) -> Page[Webhook]:
        """The user's webhooks, newest first."""
        check_limit(limit)
        query = select(Webhook).where(Webhook.user_id == user_id)
        async with self.db.read() as s:
            total = (
                await s.execute(select(func.count()).select_from(query.subquery()))
            ).scalar_one()
            page = query.order_by(Webhook.id.desc()).limit(limit + 1)
            if cursor:
                page = page.where(Webhook.id < cursor)
            rows = list((await s.execute(page)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, total, rows[-1].id if more else None)

    async def update(self, user_id: str, webhook_id: str, fields: dict[str, Any]) -> Webhook:
        """Change a webhook; enabling it again clears why it was disabled."""
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise Invalid(f"unknown field '{sorted(unknown)[0]}'")
        for key in ("url", "events", "enabled", "secret"):
            if key in fields and fields[key] is None:
                raise Invalid(f"{key} cannot be null")
        if "url" in fields:
            await check_target(str(fields["url"]), self.allow_private)
        events = check_events(list(fields["events"])) if "events" in fields else None
        secret = check_secret(fields["secret"]) if "secret" in fields else None
        async with self.db.write() as tx:
            row = await get_owned(tx.s, Webhook, webhook_id, user_id, "webhook")
            await _check_filters(tx.s, user_id, fields.get("inbox_id"), fields.get("session_id"))
            if "url" in fields:
                row.url = str(fields["url"])
            if events is not None:
                row.events = events
                row.event_filter = event_filter(events)
            if secret is not None:
                row.secret_encrypted = self.box.seal(secret)
            for key in ("inbox_id", "session_id"):
                if key in fields:
                    setattr(row, key, fields[key])
            if "enabled" in fields:
                row.enabled = bool(fields["enabled"])
                if row.enabled:
                    row.disabled_reason = None
            row.updated_at = utcnow()
        return row

    async def delete(self, user_id: str, webhook_id: str) -> None:
        """Delete a webhook and its deliveries (pending ones are never sent)."""
        async with self.db.write() as tx:
            row = await get_owned(tx.s, Webhook, webhook_id, user_id, "webhook")
            await tx.s.delete(row)

    async def deliveries(
        self,
        user_id: str,
        webhook_id: str,
        *,
        limit: int,
        cursor: str | None,
        status: str | None = None,
    ) -> Page[WebhookDelivery]:
        """A webhook's deliveries, newest first (``cursor``: the last id seen)."""
        check_limit(limit)
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of: {', '.join(STATUSES)}")
        after: int | None = None
        if cursor:
            parsed = parse_delivery_id(cursor)
            if parsed is None:
                raise Invalid("cursor: not a delivery id")
            after = parsed[1]
        query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        async with self.db.read() as s:
            await get_owned(s, Webhook, webhook_id, user_id, "webhook")
            total = (
                await s.execute(select(func.count()).select_from(query.subquery()))
            ).scalar_one()
            page = query.order_by(WebhookDelivery.event_id.desc()).limit(limit + 1)
            if after is not None:
                page = page.where(WebhookDelivery.event_id < after)
            rows = list((await s.execute(page)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = delivery_id(webhook_id, rows[-1].event_id) if more else None
        return Page(rows, total, next_cursor)

    async def retry(self, user_id: str, webhook_id: str, public_id: str) -> WebhookDelivery:
        """Send a delivery again now (same ``webhook-id``, same body); 409 while one of its
        attempts is in flight or the webhook is disabled."""
        parsed = parse_delivery_id(public_id)
        now = utcnow()
        async with self.db.write() as tx:
            hook = await get_owned(tx.s, Webhook, webhook_id, user_id, "webhook")
            if parsed is None or parsed[0] != webhook_id:
                raise NotFound.of("delivery")
            if not hook.enabled:
                raise Conflict("the webhook is disabled: enable it before retrying")
            row = (
                await tx.s.execute(
                    select(WebhookDelivery).where(
                        WebhookDelivery.webhook_id == webhook_id,
                        WebhookDelivery.event_id == parsed[1],
                    )
                )
            ).scalar_one_or_none()
            if row is None:
                raise NotFound.of("delivery")
            if row.locked_until is not None and row.locked_until > now:
                raise Conflict("an attempt of this delivery is in flight")
            # one attempt now; when it fails, retries go on only inside the delivery's
            # original window (created_at + webhook_retry_seconds)
            row.status, row.next_attempt_at, row.locked_until = PENDING, now, None
        # the row as this retry committed it: read back after the sender is woken, it
        # could already show the attempt's outcome
        self.outbox.notify()
        return row


async def _check_filters(
    s: Any, user_id: str, inbox_id: str | None, session_id: str | None
) -> None:
    """404 unless each given filter names one of the user's inboxes / sessions."""
    if inbox_id is not None:
        await get_owned(s, Inbox, inbox_id, user_id, "inbox")
    if session_id is not None:
        await get_owned(s, SessionRow, session_id, user_id, "session")
