"""Replicas: email → waiting call across replicas, one-to-one pairing at scale, SMTP ingest
with two replicas against one.

Starts ``--replicas`` (2) ``waypost serve`` processes on a scratch PostgreSQL database and
the machine's Redis (127.0.0.1:6379, a channel prefix of their own), then:

1. **Latency**: ``--waits`` inboxes, each with an ``otp`` wait registered on replica B and
   a blocked ``GET /api/v1/waits/{id}?block=true`` held on B (bare sockets); one email per
   inbox is sent at ``--rate``/s over SMTP to replica A. Measured: from A's ``250`` to B
   answering the blocked call (p50/p99/max). The event crosses Redis: A commits the mail
   and publishes, B's waits engine (B registered the waits) resolves the wait in
   PostgreSQL, B's blocked call hears of it. Baseline: the same with the mail sent to B.
2. **Pairing**: ``--waits`` more waits spread over ``--inboxes`` inboxes and the replicas,
   then ``--emails`` emails over SMTP spread over the replicas; checks in the database that
   every wait completed once, with an email of its own inbox, no email used twice.
3. **SMTP ingest**: ``--messages`` messages over ``--sessions`` connections to replica A
   alone, then the same split over A and B at once (each load driven from its own
   process); throughput and the ratio two/one. On a 2-core machine the replicas share
   the cores with PostgreSQL and the load drivers: the ratio says how much the replicas
   themselves limit ingest, not what two machines would do.

    .venv/bin/python bench/replicas.py [--waits 1000] [--rate 50] [--inboxes 100]
        [--emails 10000] [--messages 4000] [--sessions 16] [--replicas 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _common import (
    ROOT,
    Replica,
    SMTPClient,
    cluster_env,
    create_key,
    hold_blocked_wait,
    machine,
    otp_email,
    percentile,
    run_smtp_load_subprocess,
    scratch_postgres,
    start_serve,
)

REDIS_URL = os.environ.get("WAYPOST_BENCH_REDIS", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def cluster(count: int) -> Iterator[tuple[list[Replica], str, str]]:
    """``count`` replicas on one scratch database and Redis: (replicas, key, database URL)."""
    workdir = Path(tempfile.mkdtemp(prefix="waypost-bench-replicas-"))
    env = cluster_env(REDIS_URL)
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, True)
        db_url = stack.enter_context(scratch_postgres())
        replicas = [start_serve(stack, workdir, "ABCDEFGH"[i], db_url, env) for i in range(count)]
        for r in replicas:
            r.wait_ready()
        yield replicas, create_key(db_url, env), db_url


async def _create(http: httpx.AsyncClient, path: str, body: dict[str, object]) -> dict[str, str]:
    r = await http.post(path, json=body)
    r.raise_for_status()
    return dict(r.json())


def _client(replica: Replica, key: str, connections: int = 32) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=replica.url,
        headers={"Authorization": f"Bearer {key}"},
        timeout=httpx.Timeout(60),
        limits=httpx.Limits(max_connections=connections),
    )


async def latency(
    a: Replica, b: Replica, key: str, waits: int, rate: float, label: str | None
) -> None:
    """Waits and blocked calls on B, mail through A's SMTP (``label`` None: a warm-up)."""
    gate = asyncio.Semaphore(16)
    async with _client(a, key) as on_a, _client(b, key) as on_b:

        async def pair() -> tuple[str, str]:
            async with gate:
                inbox = await _create(on_a, "/api/v1/inboxes", {})
                body = {"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 600}
                wait = await _create(on_b, "/api/v1/waits", body)
            return inbox["email_address"], wait["id"]

        pairs = await asyncio.gather(*(pair() for _ in range(waits)))
    answered: dict[str, float] = {}

    holders = [asyncio.create_task(hold_blocked_wait(b.port, key, w, answered)) for _, w in pairs]
    await asyncio.sleep(3.0)  # every blocked call reaches B
    acked: dict[str, float] = {}
    smtp = await SMTPClient.connect(a.smtp_port)
    start = time.perf_counter()
    for i, (address, wait_id) in enumerate(pairs):
        await smtp.send("bench@acme.test", address, otp_email(address, f"{100000 + i}"))
        acked[wait_id] = time.perf_counter()
        await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.perf_counter()))
    await smtp.close()
    await asyncio.wait_for(asyncio.gather(*holders), 120)
    ms = [(answered[w] - acked[w]) * 1000 for _, w in pairs]
    sent = waits / (max(acked.values()) - min(acked.values()) + 1e-9)
    if label is not None:
        print(
            f"   {label}: p50 {percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
            f"max {max(ms):.1f} ms ({waits} open waits, emails at {sent:.0f}/s)"
        )


async def pairing(
    replicas: list[Replica], key: str, db_url: str, waits: int, inboxes: int, emails: int
) -> None:
    """Many waits and many emails spread over the replicas: one-to-one, in the database."""
    clients = [_client(r, key) for r in replicas]
    try:
        made = await asyncio.gather(
            *(_create(clients[i % len(clients)], "/api/v1/inboxes", {}) for i in range(inboxes))
        )
        gate = asyncio.Semaphore(32)

        async def wait(i: int) -> None:
            async with gate:
                body = {"inbox_id": made[i % inboxes]["id"], "timeout_seconds": 600}
                await _create(clients[i % len(clients)], "/api/v1/waits", body)

        await asyncio.gather(*(wait(i) for i in range(waits)))
    finally:
        for c in clients:
            await c.aclose()
    start = time.perf_counter()

    async def deliver(worker: int, workers: int) -> None:
        smtp = await SMTPClient.connect(replicas[worker % len(replicas)].smtp_port)
        try:
            for n in range(worker, emails, workers):
                to = made[n % inboxes]["email_address"]
                await smtp.send(
                    "bench@acme.test", to, f"To: {to}\r\nSubject: n{n}\r\n\r\nhi\r\n".encode()
                )
        finally:
            await smtp.close()

    await asyncio.gather(*(deliver(w, 8) for w in range(8)))
    sent = time.perf_counter() - start
    ids = [m["id"] for m in made]
    import asyncpg

    conn = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        while True:
            done = await conn.fetchval(
                "SELECT count(*) FROM waits WHERE inbox_id = ANY($1::text[]) "
                "AND status <> 'pending'",
                ids,
            )
            if done >= waits or time.perf_counter() - start > 300:
                break
            await asyncio.sleep(0.2)
        resolved = time.perf_counter() - start
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'completed') AS completed, "
            "count(DISTINCT email_id) AS emails_used FROM waits WHERE inbox_id = ANY($1::text[])",
            ids,
        )
        stored = await conn.fetchval(
            "SELECT count(*) FROM emails WHERE inbox_id = ANY($1::text[])", ids
        )
        foreign = await conn.fetchval(
            "SELECT count(*) FROM waits w JOIN emails e ON e.id = w.email_id "
            "WHERE w.inbox_id = ANY($1::text[]) AND e.inbox_id <> w.inbox_id",
            ids,
        )
        doubled = await conn.fetchval(
            "SELECT count(*) FROM (SELECT data->>'wait_id' FROM events WHERE type LIKE 'wait.%' "
            "AND type <> 'wait.created' AND data->>'inbox_id' = ANY($1::text[]) GROUP BY 1 "
            "HAVING count(*) > 1) AS d",
            ids,
        )
    finally:
        await conn.close()
    ok = row["completed"] == waits == row["emails_used"] and stored == emails
    ok = ok and foreign == 0 and doubled == 0
    print(f"2. {waits} waits on {inboxes} inboxes, {emails} emails, spread over "
          f"{len(replicas)} replicas")  # fmt: skip
    print(
        f"   sent in {sent:.1f} s ({emails / sent:.0f}/s); every wait resolved after "
        f"{resolved:.1f} s; completed {row['completed']}, emails used {row['emails_used']}, "
        f"stored {stored}, wrong inbox {foreign}, waits ended twice {doubled}: "
        f"{'OK' if ok else 'FAILED'}"
    )


def ingest(replicas: list[Replica], key: str, messages: int, sessions: int) -> None:
    """The same SMTP load on A alone, then split over A and B."""
    a, b = replicas[0], replicas[1]
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        to = http.post(f"{a.url}/api/v1/inboxes", json={}).json()["email_address"]
    run_smtp_load_subprocess(a.smtp_port, to, 200, 4, 2048)  # warm-up
    one = run_smtp_load_subprocess(a.smtp_port, to, messages, sessions, 2048)
    one_rate = one.ok / one.seconds
    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        halves = list(
            pool.map(
                lambda r: run_smtp_load_subprocess(
                    r.smtp_port, to, messages // 2, max(1, sessions // 2), 2048
                ),
                (a, b),
            )
        )
        wall = time.perf_counter() - start
    # the drivers start a few ms apart: throughput over the longer of the two loads
    two_rate = sum(h.ok for h in halves) / max(h.seconds for h in halves)
    failed = one.failed + sum(h.failed for h in halves)
    print(f"3. SMTP ingest, {messages} messages of 2 KiB over {sessions} connections")
    print(f"   one replica:  {one_rate:.0f} msg/s")
    print(
        f"   two replicas: {two_rate:.0f} msg/s (wall {wall:.1f} s incl. driver start)"
        f" → ratio {two_rate / one_rate:.2f}; failed {failed}"
    )


async def run_async(ns: argparse.Namespace, replicas: list[Replica], key: str, db: str) -> None:
    a, b = replicas[0], replicas[1]
    await latency(a, b, key, 8, 10, None)  # warm-up: each replica's extraction workers start
    await latency(b, a, key, 8, 10, None)
    print("1. email → waiting call, 250 → answer (aim: p99 < 50 ms across replicas)")
    await latency(a, b, key, ns.waits, ns.rate, "wait on B, mail to A (across)")
    await latency(b, b, key, ns.waits, ns.rate, "wait on B, mail to B (baseline)")
    await pairing(replicas, key, db, ns.waits, ns.inboxes, ns.emails)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--waits", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="emails per second (1.)")
    parser.add_argument("--inboxes", type=int, default=100)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--sessions", type=int, default=16)
    ns = parser.parse_args()
    os.chdir(ROOT)
    print(f"machine: {machine()}; PostgreSQL, Redis {REDIS_URL}; {ns.replicas} replicas")
    with cluster(max(2, ns.replicas)) as (replicas, key, db):
        asyncio.run(run_async(ns, replicas, key, db))
        ingest(replicas, key, ns.messages, ns.sessions)
    print("Figures on a shared machine are noisy: compare runs made back to back.")


if __name__ == "__main__":
    main()
