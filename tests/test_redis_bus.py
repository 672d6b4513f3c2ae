"""The Redis bus against a real, private redis-server: two buses stand for two replicas.

What matters across replicas: a message reaches the other process's subscribers and the
publisher's own exactly once; a Redis that dies never blocks a publisher; subscribers
that may have missed something are told (``lagged`` + LAGGED) once the channels are live
again, never before; what is dropped for a full outbox is announced to every replica.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.redis_servers import PrivateRedis
from waypost.events.bus import LAGGED, Message, Subscription
from waypost.events.redis_bus import RedisBus


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def buses(redis_server: PrivateRedis) -> AsyncIterator[tuple[RedisBus, RedisBus]]:
    a, b = RedisBus(redis_server.url, "t"), RedisBus(redis_server.url, "t")
    await a.start()
    await b.start()
    try:
        yield a, b
    finally:
        await a.aclose()
        await b.aclose()


async def _next(sub: Subscription, within: float = 5.0) -> Message:
    message = await sub.get(within=within)
    assert message is not None, "nothing arrived"
    return message


async def _numsub(url: str, channel: str) -> int:
    client = Redis.from_url(url)
    try:
        [(_, count)] = await client.pubsub_numsub(channel)
        return int(count)
    finally:
        await client.aclose()


async def test_a_message_reaches_both_processes_once(buses: tuple[RedisBus, RedisBus]) -> None:
    a, b = buses
    async with a.subscribe("session:1") as on_a, b.subscribe("session:1") as on_b:
        assert not on_a.lagged and not on_b.lagged
        for seq in (1, 2, 3):
            await a.publish("session:1", {"seq": seq, "type": "x", "data": {"n": seq}})
        assert [(await _next(on_b))["seq"] for _ in range(3)] == [1, 2, 3]
        assert [(await _next(on_a))["seq"] for _ in range(3)] == [1, 2, 3]
        # nothing doubled: the publisher's own copy coming back from Redis is skipped
        assert await on_a.get(within=0.3) is None
        assert await on_b.get(within=0.1) is None


async def test_channels_are_unsubscribed_when_their_last_subscriber_goes(
    redis_server: PrivateRedis, buses: tuple[RedisBus, RedisBus]
) -> None:
    a, _ = buses
    async with a.subscribe("wait:1"):
        async with a.subscribe("wait:1"):
            assert await _numsub(redis_server.url, "t:wait:1") == 1
        assert await _numsub(redis_server.url, "t:wait:1") == 1
    for _ in range(100):
        if await _numsub(redis_server.url, "t:wait:1") == 0:
            break
        await asyncio.sleep(0.02)
    assert await _numsub(redis_server.url, "t:wait:1") == 0
    # and subscribing again right away is live again (replies matched in order)
    async with a.subscribe("wait:1") as sub:
        await buses[1].publish("wait:1", {"type": "wait.completed"})
        assert (await _next(sub))["type"] == "wait.completed"


async def _until(check: Callable[[], bool]) -> None:
    for _ in range(250):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within 5 s")


async def test_redis_restart_lags_then_wakes_subscribers_once_live_again(
    redis_server: PrivateRedis, buses: tuple[RedisBus, RedisBus]
) -> None:
    a, b = buses
    async with b.subscribe("session:2") as sub:
        redis_server.stop()
        await _until(lambda: sub.lagged)
        assert await b.problem() is not None
        async with b.subscribe("inbox:9") as late:  # subscribing while down does not hang
            assert late.lagged
            assert sub.queue.empty()  # not woken before the channels are live again
            redis_server.start()
            # nobody published meanwhile: the wake-up is the resubscription's own
            assert await _next(sub, 10) is LAGGED
            assert await _next(late, 10) is LAGGED
        await _until(lambda: a._connected.is_set())
        sub.lagged = False
        await a.publish("session:2", {"seq": 1000, "type": "x"})
        assert (await _next(sub))["seq"] == 1000


async def test_publishing_while_redis_is_down_never_waits_and_is_announced_after(
    redis_server: PrivateRedis, buses: tuple[RedisBus, RedisBus]
) -> None:
    a, b = buses
    async with b.subscribe("session:4") as sub:
        redis_server.stop()
        await _until(lambda: sub.lagged and not a._connected.is_set())
        started = time.monotonic()
        for seq in range(100):
            await a.publish("session:4", {"seq": seq, "type": "x"})
        assert time.monotonic() - started < 0.5
        await _until(lambda: a._dropped > 0)  # the publisher tried, and dropped them
        redis_server.start()
        assert await _next(sub, 10) is LAGGED
        await _until(lambda: a._dropped == 0)  # a announced what it dropped
        sub.lagged = False
        await a.publish("session:4", {"seq": 1000, "type": "x"})
        message = await _next(sub)
        while message is LAGGED:  # b's own reconnection and a's announcement, in any order
            message = await _next(sub)
        assert message["seq"] == 1000


async def test_a_full_outbox_drops_and_announces_a_resync(redis_server: PrivateRedis) -> None:
    a = RedisBus(redis_server.url, "t", outbox_limit=5)
    b = RedisBus(redis_server.url, "t")
    await a.start()
    await b.start()
    try:
        async with b.subscribe("session:3") as sub:
            for seq in range(50):  # no await in between: the publisher task cannot drain
                await a.publish("session:3", {"seq": seq, "type": "x"})
            got = [await _next(sub) for _ in range(6)]
            assert [m["seq"] for m in got[:5]] == [0, 1, 2, 3, 4]
            assert got[5] is LAGGED and sub.lagged  # the other 45 are to be read from the DB
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_bus_whose_redis_is_absent_still_starts_and_says_why(tmp_path: Path) -> None:
    absent = PrivateRedis(tmp_path)  # a free port nobody listens on
    bus = RedisBus(absent.url, "t")
    started = time.monotonic()
    await bus.start(within=0.5)
    try:
        assert time.monotonic() - started < 2
        problem = await bus.problem()
        assert problem is not None and problem.startswith("redis:")
        async with bus.subscribe("mail") as sub:  # local delivery still works
            await bus.publish("mail", {"type": "email.received"})
            assert (await _next(sub))["type"] == "email.received"
    finally:
        await bus.aclose()
