"""``retry``: run a session's failed workflows again, for real, in a new session.

What failed is read from the record: the session's waits that timed out or were cancelled.
A wait named by a ``workflow.started`` event of the session is retried as that workflow
(``signup`` or ``create-inbox-and-wait``); a wait created on one of the session's inboxes
directly is retried as ``create-inbox-and-wait`` with the same type. The retry gets a new
inbox per original inbox (same domain, metadata and time to live; a fresh address unless
``username`` is given) and, on it, a new wait per failed wait (same type, criteria, timeout
and confidence threshold).

A workflow that rolled back left nothing behind (that is what the rollback is for), so
there is nothing to retry it from. Waits still pending are left alone.

``respond: "immediately"`` answers once the new waits are registered; otherwise the call
holds until each of them completes or times out, like the blocking workflow endpoints.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from waypost.bounds import MAX_TTL_SECONDS
from waypost.db.models import Event, Inbox, Wait
from waypost.db.models import Session as SessionRow
from waypost.db.types import utcnow
from waypost.errors import Conflict, Invalid, WaypostError
from waypost.mail.inboxes import normalise_local_part
from waypost.replay.service import ReplayOutcome, ReplayRequest, linked_session
from waypost.workflows.service import WorkflowRequest

if TYPE_CHECKING:
    from waypost.services import Services

FAILED = ("timed_out", "cancelled")
DIRECT = "create-inbox-and-wait"  # how a wait created on an inbox directly is retried


@dataclass
class _Group:
    """One original inbox and its failed waits (the workflow's first), retried together."""

    inbox: Inbox
    waits: list[tuple[Wait, str | None]] = field(default_factory=list)  # (wait, workflow)

    @property
    def kind(self) -> str:
        return self.waits[0][1] or DIRECT


async def retry(
    svc: Services, user_id: str, original: SessionRow, req: ReplayRequest
) -> ReplayOutcome:
    groups = await _failed(svc, original.id)
    if not groups:
        raise Conflict(
            "Nothing in this session failed or timed out: there is nothing to retry",
            code="nothing_to_retry",
        )
    username = _username(req.username, groups)
    if username is not None:
        await _require_free(svc, username, _domain(svc, groups[0].inbox))
    new = await linked_session(svc, user_id, original, "retry")
    started: list[dict[str, Any]] = []
    for group in groups:
        started.extend(await _start(svc, user_id, new.id, group, username))
    if req.respond != "immediately":
        await _block(svc, user_id, started)
    return ReplayOutcome(new.id, None, {"workflows": [_public(item) for item in started]})


async def _failed(svc: Services, session_id: str) -> list[_Group]:
    """The session's timed-out or cancelled waits, grouped by inbox, oldest first."""
    async with svc.db.read() as s:
        kinds = {
            str(e.data.get("wait_id")): str(e.data.get("workflow"))
            for e in (
                await s.execute(
                    select(Event).where(
                        Event.session_id == session_id, Event.type == "workflow.started"
                    )
                )
            ).scalars()
            if e.data and e.data.get("workflow")
        }
        rows = (
            await s.execute(
                select(Wait, Inbox)
                .join(Inbox, Inbox.id == Wait.inbox_id)
                .where(Wait.session_id == session_id, Wait.status.in_(FAILED))
                .order_by(Wait.id)
            )
        ).all()
    groups: dict[str, _Group] = {}
    for wait, inbox in rows:
        group = groups.setdefault(inbox.id, _Group(inbox))
        group.waits.append((wait, kinds.get(wait.id)))
    for group in groups.values():  # the workflow's wait leads: it makes the inbox
        group.waits.sort(key=lambda item: item[1] is None)
    return list(groups.values())


def _username(username: str | None, groups: list[_Group]) -> str | None:
    if username is None:
        return None
    if len(groups) > 1:
        raise Invalid(f"username names one inbox, and this retry makes {len(groups)}: leave it out")
    return normalise_local_part(username)


def _domain(svc: Services, inbox: Inbox) -> str:
    """The original inbox's domain, or the default one if it is no longer served."""
    domain = inbox.address.rpartition("@")[2].lower()
    return domain if domain in svc.settings.domains else svc.settings.domain


def _ttl(inbox: Inbox) -> int:
    seconds = round((inbox.expires_at - inbox.created_at).total_seconds())
    return min(max(seconds, 1), MAX_TTL_SECONDS)


async def _require_free(svc: Services, username: str, domain: str) -> None:
    """Refuse a taken address before the new session exists (the workflow would too)."""
    address = f"{username}@{domain.strip().lower()}"
    async with svc.db.read() as s:
        existing = (
            await s.execute(select(Inbox).where(Inbox.address == address))
        ).scalar_one_or_none()
    if existing is not None and existing.expires_at > utcnow():
        raise Conflict("Address already taken", code="inbox_exists")


async def _start(
    svc: Services, user_id: str, session_id: str, group: _Group, username: str | None
) -> list[dict[str, Any]]:
    """Start the group's workflow again, then its other waits on the new inbox."""
    lead, _ = group.waits[0]
    items: list[dict[str, Any]] = []
    try:
        started = await svc.workflows.start(
            user_id,
            WorkflowRequest(
                kind=group.kind,
                wait_type=lead.type,
                timeout_seconds=lead.timeout_seconds,
                ttl_seconds=_ttl(group.inbox),
                session_id=session_id,
                metadata=dict(group.inbox.meta or {}),
                username=username,
                domain=_domain(svc, group.inbox),
                criteria=dict(lead.criteria or {}) or None,
                confidence_threshold=lead.confidence_threshold,
            ),
        )
    except WaypostError as exc:  # the new session exists: say what failed, go on
        return [_item(group.kind, group, wait, None, None, exc) for wait, _ in group.waits]
    items.append(_item(group.kind, group, lead, started.inbox, started.wait))
    for wait, _ in group.waits[1:]:
        try:
            new_wait = await svc.waits.create(
                user_id,
                inbox_id=started.inbox.id,
                type=wait.type,
                timeout_seconds=wait.timeout_seconds,
                criteria=dict(wait.criteria or {}) or None,
                confidence_threshold=wait.confidence_threshold,
            )
        except WaypostError as exc:
            items.append(_item("wait", group, wait, started.inbox, None, exc))
        else:
            items.append(_item("wait", group, wait, started.inbox, new_wait))
    return items


def _item(
    kind: str,
    group: _Group,
    old: Wait,
    inbox: Inbox | None,
    wait: Wait | None,
    error: WaypostError | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "workflow": kind,
        "retry_of": {"inbox_id": group.inbox.id, "wait_id": old.id, "status": old.status},
        "inbox": _inbox(inbox) if inbox is not None else None,
        "wait": wait,
    }
    if error is not None:
        item["error"] = {"code": error.code, "message": error.message}
    return item


async def _block(svc: Services, user_id: str, items: list[dict[str, Any]]) -> None:
    """Hold until every new wait leaves pending (the blocking workflow endpoints' call)."""
    pending = [item for item in items if isinstance(item["wait"], Wait)]
    resolved = await asyncio.gather(
        *(svc.waits.block(user_id, item["wait"].id) for item in pending)
    )
    for item, wait in zip(pending, resolved, strict=True):
        item["wait"] = wait


def _public(item: dict[str, Any]) -> dict[str, Any]:
    wait = item["wait"]
    return {**item, "wait": _wait(wait) if isinstance(wait, Wait) else None}


def _inbox(inbox: Inbox) -> dict[str, Any]:
    return {
        "id": inbox.id,
        "email_address": inbox.address,
        "metadata": inbox.meta,
        "created_at": inbox.created_at.isoformat(),
        "expires_at": inbox.expires_at.isoformat(),
    }


def _wait(wait: Wait) -> dict[str, Any]:
    return {
        "id": wait.id,
        "inbox_id": wait.inbox_id,
        "type": wait.type,
        "status": wait.status,
        "criteria": wait.criteria,
        "timeout_seconds": wait.timeout_seconds,
        "confidence_threshold": wait.confidence_threshold,
        "expires_at": wait.deadline.isoformat(),
        "completed_at": wait.completed_at.isoformat() if wait.completed_at else None,
        "result": wait.result,
    }
