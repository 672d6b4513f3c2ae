"""The event bus: live delivery of committed events to subscribers in this process.

The interface is deliberately small (publish a dict on a channel, subscribe to
a channel) so that a Redis implementation (:mod:`waypost.events.redis_bus`) can sit
behind it for several replicas. Subscribers get a bounded queue; a subscriber
that falls behind is marked ``lagged`` and must catch up from the database. A bus
that lost messages it cannot name (its Redis connection dropped) marks every
subscriber lagged and wakes it with :data:`LAGGED` once it is live again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

Message = dict[str, Any]
CLOSED: Message = {"type": "bus.closed"}
# "you may have missed messages: read what you need from the database" (no seq, no data)
LAGGED: Message = {"type": "bus.lagged"}


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

    def wake(self) -> None:
        """Mark the subscriber lagged and, unless its queue is full (then the next message
        it reads shows the flag), hand it :data:`LAGGED` so an idle reader catches up now."""
        self.lagged = True
        if not self.queue.full():
            self.queue.put_nowait(LAGGED)

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

    async def start(self) -> None:
        """Connect what the bus needs (Redis); a bus that cannot connect yet still starts."""

    async def aclose(self) -> None:
        """Release connections and background tasks (after :meth:`close`)."""

    async def problem(self) -> str | None:
        """Why the bus cannot deliver across replicas right now, or None (for /readyz)."""


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

    async def start(self) -> None:
        """Nothing to connect."""

    async def aclose(self) -> None:
        """Nothing to release."""

    async def problem(self) -> str | None:
        """Always deliverable: publisher and subscribers share this process."""
        return None
