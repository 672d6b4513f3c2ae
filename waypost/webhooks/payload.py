"""Webhook bodies: ``{"type", "timestamp", "data"}``; for mail, the parsed email too.

Built from rows that never change (the event, the stored email), so the same delivery
always gets the same bytes; the sender also keeps the body from the first attempt, so an
inbox purged during the retries does not change it.
"""

from __future__ import annotations

import json
from typing import Any

from waypost.db.models import Email, Event
from waypost.events.log import event_to_dict
from waypost.mail.parse import Address
from waypost.mail.store import RenderedEmail

MAX_PART_CHARS = 256 * 1024  # text and html each; the whole mail is at .../raw


def delivery_id(webhook_id: str, event_id: int) -> str:
    """The ``webhook-id`` of one event's delivery to one webhook (the receivers'
    de-duplication key): unique across servers, the webhook id being random."""
    return f"dlv_{webhook_id.removeprefix('wh_')}_{event_id}"


def parse_delivery_id(value: str) -> tuple[str, int] | None:
    """(webhook id, event id) from :func:`delivery_id`'s form, or None."""
    prefix, _, rest = value.partition("_")
    hook, _, event = rest.partition("_")
    if prefix != "dlv" or not hook or not event.isdigit() or len(event) > 18:
        return None
    return f"wh_{hook}", int(event)


def event_body(event: Event, email: Email | None, rendered: RenderedEmail | None) -> bytes:
    """The JSON body for ``event`` (``email``/``rendered``: its mail, for ``email.received``)."""
    public = event_to_dict(event)
    data: dict[str, Any] = {
        **public["data"],
        "event_id": public["id"],
        "session_id": public["session_id"],
        "seq": public["seq"],
    }
    if email is not None and rendered is not None:
        data["email"] = email_data(email, rendered)
    body = {"type": event.type, "timestamp": public["timestamp"], "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def email_data(email: Email, rendered: RenderedEmail) -> dict[str, Any]:
    """The parsed email as ``GET /api/v1/emails/{id}`` shows it, bounded, with links."""
    parsed = rendered.parsed
    text, text_cut = _bounded(parsed.text)
    html, html_cut = _bounded(rendered.safe_html)
    return {
        "id": email.id,
        "inbox_id": email.inbox_id,
        "from": email.from_header,
        "mail_from": email.mail_from,
        "from_addresses": _addresses(parsed.from_),
        "to": _addresses(parsed.to),
        "cc": _addresses(parsed.cc),
        "subject": email.subject,
        "date": _iso(email.date.isoformat()) if email.date else None,
        "message_id": email.message_id,
        "size": email.size,
        "received_at": _iso(email.received_at.isoformat()),
        "text": text,
        "html": html,
        "truncated": text_cut or html_cut,
        "attachments": [
            {
                "index": a.index,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/emails/{email.id}/attachments/{a.index}",
            }
            for a in parsed.attachments
        ],
        "url": f"/api/v1/emails/{email.id}",
        "raw_url": f"/api/v1/emails/{email.id}/raw",
    }


def _bounded(value: str | None) -> tuple[str | None, bool]:
    if value is None or len(value) <= MAX_PART_CHARS:
        return value, False
    return value[:MAX_PART_CHARS], True


def _addresses(items: list[Address]) -> list[dict[str, str | None]]:
    return [{"name": a.name, "address": a.address} for a in items]


def _iso(value: str) -> str:
    return value.replace("+00:00", "Z")
