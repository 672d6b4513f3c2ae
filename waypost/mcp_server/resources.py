"""MCP resources: an inbox's emails and a session's timeline, readable and subscribable.

A resource is named by a URI; reading one calls the same service as the REST list,
with the caller's id, so another user's inbox is as missing as no inbox. A
subscription is a watcher on the event bus channel the resource's changes go out on
(:func:`~waypost.events.log.inbox_channel`, :func:`~waypost.events.log.session_channel`):
each committed event becomes one ``notifications/resources/updated``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from waypost.api.views import email_summary_out, event_out
from waypost.auth.keys import key_guard
from waypost.errors import Invalid
from waypost.events.bus import CLOSED
from waypost.events.log import inbox_channel, session_channel
from waypost.services import Services

INBOX_EMAILS = "waypost://inboxes/{inbox_id}/emails"
SESSION_TIMELINE = "waypost://sessions/{session_id}/timeline"
EMAILS_SHOWN = 100  # newest emails a read of an inbox resource returns
LISTED = 20  # recent inboxes and sessions listed as concrete resources

_INBOX_URI = re.compile(r"^waypost://inboxes/([A-Za-z0-9_\-]{1,64})/emails$")
_SESSION_URI = re.compile(r"^waypost://sessions/([A-Za-z0-9_\-]{1,64})/timeline$")


@dataclass(frozen=True)
class Template:
    """A resource template as listed to clients."""

    uri_template: str
    name: str
    description: str


TEMPLATES = (
    Template(
        INBOX_EMAILS,
        "inbox_emails",
        f"The newest {EMAILS_SHOWN} emails of an inbox (JSON). Subscribe to be told when mail "
        "arrives.",
    ),
    Template(
        SESSION_TIMELINE,
        "session_timeline",
        "A session's timeline events in order (JSON). Subscribe to be told of each new event.",
    ),
)


@dataclass(frozen=True)
class Target:
    """What a URI names: which kind, which id, and the bus channel its changes go out on."""

    kind: str  # "inbox" or "session"
    id: str

    @property
    def channel(self) -> str:
        return inbox_channel(self.id) if self.kind == "inbox" else session_channel(self.id)


def parse_uri(uri: str) -> Target:
    """The inbox or session a resource URI names; :class:`Invalid` for any other URI."""
    if match := _INBOX_URI.match(uri):
        return Target("inbox", match.group(1))
    if match := _SESSION_URI.match(uri):
        return Target("session", match.group(1))
    raise Invalid(f"unknown resource {uri!r}: expected {INBOX_EMAILS} or {SESSION_TIMELINE}")


async def check_owned(services: Services, user_id: str, target: Target) -> None:
    """Raise the service's not-found unless the target is the user's."""
    if target.kind == "inbox":
        await services.inboxes.get(user_id, target.id)
    else:
        await services.sessions.get(user_id, target.id)


async def read(services: Services, user_id: str, target: Target) -> str:
    """The resource's JSON text, read through the services as the user."""
    body: dict[str, Any]
    if target.kind == "inbox":
        page = await services.emails.list(user_id, target.id, limit=EMAILS_SHOWN, cursor=None)
        body = {
            "inbox_id": target.id,
            "total": page.total,
            "emails": [
                email_summary_out(e).model_dump(mode="json", by_alias=True) for e in page.data
            ],
        }
    else:
        events = await services.sessions.timeline(user_id, target.id)
        body = {
            "session_id": target.id,
            "events": [event_out(e).model_dump(mode="json") for e in events],
        }
    return json.dumps(body)


async def recent(services: Services, user_id: str) -> list[tuple[str, str]]:
    """(uri, name) of the user's recent inboxes and sessions, to list as resources."""
    inboxes = await services.inboxes.list(user_id, limit=LISTED, cursor=None)
    sessions = await services.sessions.list(user_id, limit=LISTED, cursor=None)
    found = [(INBOX_EMAILS.format(inbox_id=i.id), f"emails of {i.address}") for i in inboxes.data]
    found += [
        (SESSION_TIMELINE.format(session_id=s.id), f"timeline of {s.name or s.id}")
        for s in sessions.data
    ]
    return found


async def watch(services: Services, target: Target, notify: Callable[[], Awaitable[None]]) -> None:
    """Call ``notify`` after each event on the target's channel, until cancelled.

    Events that pile up while a notification is being sent are told as one (a client
    re-reads the resource anyway). Ends when the server shuts down or when the API key
    that subscribed is revoked.
    """
    async with key_guard() as guard, services.bus.subscribe(target.channel) as sub:
        while True:
            async with guard:
                message = await sub.get()
            if message is None or message is CLOSED:
                return
            while not sub.queue.empty():
                if sub.queue.get_nowait() is CLOSED:
                    return
            await notify()
