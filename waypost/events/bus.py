"""The event bus: live delivery of committed events to subscribers in this process.

The interface is deliberately small (publish a dict on a channel, subscribe to
a channel) so that a PostgreSQL LISTEN/NOTIFY or Redis implementation can sit
behind it for several replicas. Subscribers get a bounded queue; a subscriber
that falls behind is marked ``lagged`` and must catch up from the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

Message = dict[str, Any]
CLOSED: Message = {"type": "bus.closed"}


class Subscription:
    """One subscriber's queue on one or more channels."""

    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize)
        self.lagged = False

    def offer(self, message: Message) -> None:
        """Deliver without blocking the publisher; mark the subscriber lagged when full."""
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.lagged = True

    async def get(self, within: float | None = None) -> Message | None:
        """Next message, or None after ``within`` seconds."""
        try:
            return await asyncio.wait_for(self.queue.get(), within)
        except TimeoutError:
            return None


class EventBus(Protocol):
    """Publish/subscribe on named channels such as ``session:<id>`` or ``inbox:<id>``."""

    async def publish(self, channel: str, message: Message) -> None:
        """Deliver ``message`` to every current subscriber of ``channel``."""

    def subscribe(
        self, *channels: str, maxsize: int | None = None
    ) -> AbstractAsyncContextManager[Subscription]:
        """Subscribe for the duration of an ``async with`` block (``maxsize=0``: unbounded)."""

    def close(self) -> None:
        """Wake every subscriber with :data:`CLOSED` (the server is shutting down)."""


class InProcessBus:
    """The single-process bus: a dict of channel → subscriber set."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._queue_size = queue_size

    async def publish(self, channel: str, message: Message) -> None:
        """Hand ``message`` to each subscriber's queue (never blocks)."""
        for sub in tuple(self._subscribers.get(channel, ())):
            sub.offer(message)

    @asynccontextmanager
    async def subscribe(
        self, *channels: str, maxsize: int | None = None
    ) -> AsyncIterator[Subscription]:
        """Subscribe to ``channels`` until the block exits."""
        sub = Subscription(self._queue_size if maxsize is None else maxsize)
        for channel in channels:
            self._subscribers.setdefault(channel, set()).add(sub)
        try:
            yield sub
        finally:
            for channel in channels:
                subs = self._subscribers.get(channel)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subscribers[channel]

    def close(self) -> None:
        """Wake every subscriber with :data:`CLOSED` so long-lived streams end promptly."""
        for subs in tuple(self._subscribers.values()):
            for sub in tuple(subs):
                if not sub.queue.full():
                    sub.queue.put_nowait(CLOSED)
