"""The event bus across replicas: Redis pub/sub behind the :class:`EventBus` interface.

Each process keeps one pub/sub connection that carries every channel its local
subscribers listen on (SUBSCRIBE when a channel's first local subscriber comes,
UNSUBSCRIBE when its last one goes) and one connection that publishes. A publish
is handed to this process's subscribers at once and queued for Redis; a bounded
outbox drained by one task means a slow or absent Redis never holds up the request
that published (what does not fit is dropped, logged, and announced once Redis is
back so every replica's subscribers catch up).

Redis holds nothing that is not in the database: when the pub/sub connection drops,
every local subscriber is marked lagged, and once the channels are subscribed again
each is woken with :data:`~waypost.events.bus.LAGGED` to re-read what it needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from waypost.events.bus import CLOSED, Message, Subscription

log = logging.getLogger("waypost.bus")

SUBSCRIBE_WAIT_SECONDS = 2.0  # a subscriber waits this long for Redis to confirm, then lags
PUBLISH_TIMEOUT_SECONDS = 2.0  # a Redis reply taking longer counts as Redis down
OUTBOX_LIMIT = 10_000  # messages queued for Redis before new ones are dropped
BATCH = 500  # publishes per pipeline round trip
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 2.0  # reconnection delays, doubling
_RESYNC = b"resync"


class RedisBus:
    """Publish/subscribe through Redis, fanned out locally to bounded subscriber queues."""

    def __init__(
        self,
        url: str,
        prefix: str = "waypost",
        queue_size: int = 1000,
        outbox_limit: int = OUTBOX_LIMIT,
    ) -> None:
        self._url = url
        self._prefix = f"{prefix}:"
        self._control = f"{prefix}!bus".encode()  # resync announcements; never a local channel
        self._origin = secrets.token_hex(8).encode()  # our own messages come back: skip them
        self._queue_size = queue_size
        self._outbox_limit = outbox_limit
        self._local: dict[str, set[Subscription]] = {}
        # the live pub/sub connection's ordered command queue (None while down), and per
        # Redis channel the futures of SUBSCRIBE/UNSUBSCRIBE replies still to come, in order
        self._commands: _Commands | None = None
        self._acks: dict[bytes, deque[tuple[str, asyncio.Future[None]]]] = {}
        self._live: dict[str, asyncio.Future[None]] = {}  # channel -> its latest SUBSCRIBE
        self._connected = asyncio.Event()
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._outbox_ready = asyncio.Event()
        self._dropped = 0  # publishes lost since the last resync announcement
        self._last_error: str | None = "not connected yet"
        self._tasks: list[asyncio.Task[None]] = []
        self._client: Redis | None = None
        self._closing = False

    # --- lifecycle ------------------------------------------------------------------------------

    def _ensure_started(self) -> None:
        if self._tasks or self._closing:
            return
        options: dict[str, Any] = {
            "retry": Retry(NoBackoff(), 0),  # a drop surfaces here; we reconnect ourselves
            "socket_connect_timeout": 2.0,
            "socket_keepalive": True,
        }
        self._client = Redis.from_url(self._url, socket_timeout=PUBLISH_TIMEOUT_SECONDS, **options)
        self._tasks = [
            asyncio.create_task(self._subscriber(), name="waypost-bus-subscriber"),
            asyncio.create_task(self._publisher(), name="waypost-bus-publisher"),
        ]

    async def start(self, within: float = 3.0) -> None:
        """Connect, waiting up to ``within`` s (a Redis that is down is retried meanwhile)."""
        self._ensure_started()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), within)
        if not self._connected.is_set():
            log.warning("redis bus not connected yet: %s", self._last_error)

    def close(self) -> None:
        """Wake every local subscriber with :data:`CLOSED` (shutting down); publishing goes on
        until :meth:`aclose` so what this replica still commits reaches the others."""
        for subs in tuple(self._local.values()):
            for sub in tuple(subs):
                if not sub.queue.full():
                    sub.queue.put_nowait(CLOSED)

    async def aclose(self) -> None:
        """Stop, send what is still queued (one try, a second at most), drop the connections."""
        self._closing = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._client is not None and self._outbox:
            pipe = self._client.pipeline(transaction=False)
            for channel, body in self._outbox:
                pipe.publish(channel, body)
            self._outbox.clear()
            try:
                await asyncio.wait_for(pipe.execute(), 1.0)
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("redis bus: last publishes lost at shutdown: %s", exc)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def problem(self) -> str | None:
        """None when subscribed and Redis answers a PING within a second."""
        if not self._connected.is_set() or self._client is None:
            return f"redis: {self._last_error or 'not connected'}"
        try:
            await asyncio.wait_for(self._client.ping(), 1.0)
        except (RedisError, OSError, TimeoutError) as exc:
            return f"redis: {exc or type(exc).__name__}"
        return None

    # --- the EventBus interface -----------------------------------------------------------------

    async def publish(self, channel: str, message: Message) -> None:
        """Hand ``message`` to local subscribers and queue it for Redis (never waits on Redis)."""
        for sub in tuple(self._local.get(channel, ())):
            sub.offer(message)
        if self._closing:
            return
        self._ensure_started()
        if len(self._outbox) >= self._outbox_limit:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.warning("redis bus outbox full, dropped=%d", self._dropped)
            return
        body = json.dumps(message, separators=(",", ":"), default=str).encode()
        self._outbox.append((self._prefix + channel, self._origin + b" " + body))
        self._outbox_ready.set()

    @asynccontextmanager
    async def subscribe(
        self, *channels: str, maxsize: int | None = None
    ) -> AsyncIterator[Subscription]:
        """Subscribe to ``channels`` until the block exits.

        Returns once Redis confirmed the channels (so a reader that then reads the database
        misses nothing in between); if Redis is down or slow, returns lagged after
        :data:`SUBSCRIBE_WAIT_SECONDS` at most, and is woken when the channels are live.
        """
        self._ensure_started()
        sub = Subscription(self._queue_size if maxsize is None else maxsize)
        new = [channel for channel in dict.fromkeys(channels) if channel not in self._local]
        for channel in channels:
            self._local.setdefault(channel, set()).add(sub)
        try:
            if new:
                self._command("subscribe", new)
            await self._confirmed(sub, channels)
            yield sub
        finally:
            gone = []
            for channel in channels:
                subs = self._local.get(channel)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._local[channel]
                        gone.append(channel)
            if gone:
                self._command("unsubscribe", gone)

    async def _confirmed(self, sub: Subscription, channels: tuple[str, ...]) -> None:
        """Wait for the channels' SUBSCRIBE replies; mark ``sub`` lagged if they do not come."""
        if not self._connected.is_set():
            sub.lagged = True  # the reconnection subscribes every channel, then wakes us
            return
        waiting = [f for c in channels if (f := self._live.get(c)) is not None and not f.done()]
        if waiting:
            await asyncio.wait(waiting, timeout=SUBSCRIBE_WAIT_SECONDS)
        for channel in channels:
            future = self._live.get(channel)
            if future is None or not future.done() or future.cancelled():
                sub.lagged = True

    def _command(self, kind: str, channels: list[str]) -> None:
        """Queue SUBSCRIBE or UNSUBSCRIBE on the live connection, in call order (replies are
        matched to these in the same order); nothing to do while down."""
        if self._commands is None:
            return
        loop = asyncio.get_running_loop()
        for channel in channels:
            future: asyncio.Future[None] = loop.create_future()
            self._acks.setdefault((self._prefix + channel).encode(), deque()).append((kind, future))
            if kind == "subscribe":
                self._live[channel] = future
            else:
                self._live.pop(channel, None)
        self._commands.put(kind, [self._prefix + c for c in channels])

    # --- the pub/sub connection -----------------------------------------------------------------

    async def _subscriber(self) -> None:
        """Keep one pub/sub connection up; after each (re)connection, wake every subscriber."""
        assert self._client is not None
        backoff = BACKOFF_FIRST
        while True:
            pubsub = self._client.pubsub()
            started = time.monotonic()
            try:
                await pubsub.connect()  # type: ignore[no-untyped-call]
                await self._session(pubsub)
            except Exception as exc:
                task = asyncio.current_task()
                if self._closing or (task is not None and task.cancelling()):
                    raise  # the client turned our cancellation into an error: stop anyway
                self._last_error = str(exc) or type(exc).__name__
                if not isinstance(exc, (RedisError, OSError)):
                    log.exception("redis bus subscriber failed")
                elif self._connected.is_set():
                    log.warning("redis bus connection lost: %s", self._last_error)
            finally:
                self._down()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            if time.monotonic() - started > 10:
                backoff = BACKOFF_FIRST  # it was up for a while: a fresh outage
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def _session(self, pubsub: PubSub) -> None:
        """Subscribe everything local, then read until the connection fails."""
        self._commands = _Commands()
        self._commands.put("subscribe", [self._control.decode()])
        self._acks.setdefault(self._control, deque()).append(
            ("subscribe", asyncio.get_running_loop().create_future())
        )
        channels = list(self._local)
        if channels:
            self._command("subscribe", channels)
            for channel in channels:
                self._live[channel].add_done_callback(functools.partial(self._woken, channel))
        sender = asyncio.create_task(self._send(pubsub, self._commands))
        try:
            self._connected.set()
            self._last_error = None
            log.info("redis bus connected channels=%d", len(channels))
            while True:
                if sender.done():
                    sender.result()  # raises what stopped it
                    return
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._dispatch(message)
        finally:
            sender.cancel()
            await asyncio.wait([sender], timeout=1.0)
            if sender.done() and not sender.cancelled():
                sender.exception()  # seen: the connection's failure is already handled

    async def _send(self, pubsub: PubSub, commands: _Commands) -> None:
        task = asyncio.current_task()
        while True:
            kind, names = await commands.take()
            if kind == "subscribe":
                await pubsub.subscribe(*names)
            else:
                await pubsub.unsubscribe(*names)
            if task is not None and task.cancelling():  # the client can swallow a cancel
                raise asyncio.CancelledError

    def _down(self) -> None:
        """The connection is gone: whatever was in flight is lost, so everyone lags."""
        self._connected.clear()
        self._commands = None
        for acks in self._acks.values():
            for _, future in acks:
                future.cancel()
        self._acks.clear()
        self._live.clear()
        for subs in self._local.values():
            for sub in subs:
                sub.lagged = True

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        channel = message["channel"]
        if kind == "message":
            origin, _, body = message["data"].partition(b" ")
            if origin == self._origin:
                return  # delivered locally when published
            if channel == self._control:
                if body == _RESYNC:
                    self._wake_all()
                return
            subs = self._local.get(channel[len(self._prefix) :].decode())
            if subs:
                payload = json.loads(body)
                for sub in tuple(subs):
                    sub.offer(payload)
        elif kind in ("subscribe", "unsubscribe"):
            acks = self._acks.get(channel)
            if acks:
                _, future = acks.popleft()
                if not acks:
                    del self._acks[channel]
                if not future.done():
                    future.set_result(None)

    def _woken(self, channel: str, subscribed: asyncio.Future[None]) -> None:
        """After a reconnection: ``channel`` is live again, its subscribers catch up now."""
        if not subscribed.cancelled():
            self._wake(channel)

    def _wake(self, channel: str) -> None:
        for sub in tuple(self._local.get(channel, ())):
            sub.wake()

    def _wake_all(self) -> None:
        woken: set[int] = set()
        for subs in tuple(self._local.values()):
            for sub in tuple(subs):
                if id(sub) not in woken:
                    woken.add(id(sub))
                    sub.wake()

    # --- the publish connection -----------------------------------------------------------------

    async def _publisher(self) -> None:
        """Drain the outbox in pipelined batches; after losses, announce a resync."""
        assert self._client is not None
        backoff = BACKOFF_FIRST
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox or self._dropped:
                batch = [self._outbox.popleft() for _ in range(min(len(self._outbox), BATCH))]
                dropped = self._dropped
                try:
                    pipe = self._client.pipeline(transaction=False)
                    for channel, body in batch:
                        pipe.publish(channel, body)
                    if dropped:
                        pipe.publish(self._control, self._origin + b" " + _RESYNC)
                    await pipe.execute()
                except (RedisError, OSError) as exc:
                    if self._closing:
                        raise
                    self._dropped += len(batch)
                    log.warning(
                        "redis bus publish failed, dropped=%d: %s", len(batch), exc or type(exc)
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX)
                    continue
                backoff = BACKOFF_FIRST
                if dropped:
                    self._dropped -= dropped
                    log.info("redis bus resync announced after dropped=%d", dropped)


class _Commands:
    """SUBSCRIBE/UNSUBSCRIBE to send, in order; consecutive ones of a kind go as one."""

    def __init__(self) -> None:
        self._items: deque[tuple[str, list[str]]] = deque()
        self._ready = asyncio.Event()

    def put(self, kind: str, names: list[str]) -> None:
        self._items.append((kind, names))
        self._ready.set()

    async def take(self) -> tuple[str, list[str]]:
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        kind, names = self._items.popleft()
        while self._items and self._items[0][0] == kind:
            names = names + self._items.popleft()[1]
        return kind, names
