"""Webhooks (issue 17): events per second delivered end to end, and commit → receiver's 200.

Starts a real ``waypost serve --webhooks-allow-private`` (SQLite, or ``--database
postgres``) and a local HTTP receiver in its own process (keep-alive, answers 200 at
once), registers one webhook for ``session.created``, then creates ``--events`` sessions
from ``--clients`` threads. With ``--source mail`` the webhook is for ``email.received``
and ``--events`` mails go over ``--clients`` SMTP connections: every body carries the
parsed email, and SMTP ingest outruns the API, so this is where the sender can fall
behind. Each delivery's latency runs from its event's timestamp (taken in the commit's
transaction) to the moment the receiver has answered it (both clocks are this
machine's). Deliveries are de-duplicated on ``webhook-id``, as a receiver would.

It also times the hot path's price (``--hot-path``): one commit of one event, with and
without the outbox's INSERT … SELECT, for a user who has no webhook (in-process).

    .venv/bin/python bench/webhooks.py [--events 2000] [--clients 4] [--database postgres]
                                       [--source sessions|mail]
    .venv/bin/python bench/webhooks.py --hot-path [--database postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import smtplib
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import machine, percentile, scratch_postgres, waypost_server


def receive(port_out: Connection, results: Connection, expected: int) -> None:
    """The receiver, in its own process (the producers' threads would delay its answers):
    records the first arrival of each ``webhook-id``; sends the figures back when
    ``expected`` ids have arrived or it is asked (any message on ``results``)."""
    lock = threading.Lock()
    latencies: dict[str, float] = {}  # webhook-id -> seconds from commit
    answered_at: list[float] = []
    duplicates = [0]
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real endpoint would

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()
            self.wfile.flush()
            now = time.time()
            event_time = datetime.fromisoformat(json.loads(body)["timestamp"]).timestamp()
            with lock:
                message_id = self.headers["webhook-id"]
                if message_id in latencies:
                    duplicates[0] += 1
                else:
                    latencies[message_id] = now - event_time
                    answered_at.append(now)
                if len(latencies) >= expected:
                    done.set()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port_out.send(httpd.server_address[1])
    while not done.is_set() and not results.poll(0.05):
        pass
    with lock:
        results.send((list(latencies.values()), answered_at[:], duplicates[0]))


def end_to_end(events: int, clients: int, database: str, source: str) -> dict[str, Any]:
    port_in, port_out = multiprocessing.Pipe()
    results, remote = multiprocessing.Pipe()
    receiver = multiprocessing.Process(target=receive, args=(port_out, remote, events))
    receiver.start()
    port = port_in.recv()
    with waypost_server(database, extra_args=("--webhooks-allow-private",)) as server:
        event = "email.received" if source == "mail" else "session.created"
        with server.client() as api:
            created = api.post(
                "/api/v1/webhooks",
                json={"url": f"http://127.0.0.1:{port}/hook", "events": [event]},
            )
            assert created.status_code == 201, created.text
        _, address = server.create_inbox()
        message = (
            f"From: Acme <no-reply@acme.test>\r\nTo: {address}\r\nSubject: Your code\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nYour code is 482913.\r\n"
        ).encode()

        def produce(n: int) -> None:
            if source == "mail":  # one SMTP connection per client, n messages on it
                with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=30) as smtp:
                    for _ in range(n):
                        smtp.sendmail("no-reply@acme.test", [address], message)
                return
            with server.client() as api:
                for _ in range(n):
                    response = api.post("/api/v1/sessions", json={"name": "bench"})
                    assert response.status_code == 201, response.text

        started = time.time()
        share = [events // clients + (1 if i < events % clients else 0) for i in range(clients)]
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(produce, share))
        produced = time.time()
        if not results.poll(120):
            results.send("stop")  # report what arrived
        seconds, answered_at, duplicates = results.recv()
    receiver.join(10)
    finished = max(answered_at) if answered_at else time.time()
    latencies = sorted(v * 1000 for v in seconds)
    return {
        "source": source,
        "events": events,
        "clients": clients,
        "delivered": len(latencies),
        "duplicates": duplicates,
        "produced_per_s": round(events / (produced - started), 1),
        "delivered_per_s": round(len(latencies) / (finished - started), 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 2) if latencies else None,
        "max_ms": round(latencies[-1], 2) if latencies else None,
    }


def hot_path(commits: int) -> dict[str, Any]:
    """µs per commit of one event, with and without the outbox statement (no webhooks)."""
    import asyncio

    from waypost.db.database import Database
    from waypost.db.sqlite_writer import apply_pragmas, sqlite_time
    from waypost.webhooks.outbox import enqueue_sqlite

    folder = Path(tempfile.mkdtemp(prefix="waypost-bench-"))
    path = folder / "w.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        await db.dispose()

    asyncio.run(migrate())
    connection = sqlite3.connect(path)
    apply_pragmas(connection)
    connection.execute("INSERT INTO users (id, name, created_at) VALUES ('u1', 'u1', '2026')")
    # another user's webhooks exist: the statement must still find none for u1
    connection.execute(
        "INSERT INTO users (id, name, created_at) VALUES ('u2', 'u2', '2026')",
    )
    for i in range(50):
        connection.execute(
            "INSERT INTO webhooks (id, user_id, url, events, event_filter, secret_encrypted, "
            "enabled, created_at, updated_at) VALUES (?, 'u2', 'http://x', '[\"*\"]', '*', "
            "x'00', 1, '2026', '2026')",
            (f"wh_{i}",),
        )

    statement: list[float] = []

    def run(with_outbox: bool) -> float:
        started = time.perf_counter()
        for _ in range(commits):
            stamp = sqlite_time(datetime.now())
            connection.execute("BEGIN IMMEDIATE")
            cursor = connection.execute(
                "INSERT INTO events (user_id, type, timestamp, description, data) "
                "VALUES ('u1', 'session.created', ?, '', '{}')",
                (stamp,),
            )
            if with_outbox:
                before = time.perf_counter()
                enqueue_sqlite(connection, [int(cursor.lastrowid or 0)], stamp)
                statement.append(time.perf_counter() - before)
            connection.execute("COMMIT")
        return (time.perf_counter() - started) / commits * 1e6

    samples: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(5):  # interleaved, so the machine's noise hits both alike
        for flag in (False, True):
            samples[flag].append(run(flag))
    without, with_ = statistics.median(samples[False]), statistics.median(samples[True])
    return {
        "commits": commits * 5,
        "us_per_commit_without_outbox": round(without, 1),
        "us_per_commit_with_outbox": round(with_, 1),
        "outbox_us": round(with_ - without, 1),
        "statement_us_p50": round(statistics.median(statement) * 1e6, 1),
    }


def hot_path_postgres(commits: int) -> dict[str, Any]:
    """PostgreSQL: µs per write transaction of one event through ``Database.write``, with
    :func:`~waypost.webhooks.outbox.enqueue` (one more statement, no row) and with a
    ``SELECT 1`` in its place (the bare round trip)."""
    import asyncio

    from waypost.db.database import Database
    from waypost.db.models import Event
    from waypost.db.types import utcnow
    from waypost.webhooks.outbox import enqueue

    async def go(url: str) -> dict[str, Any]:
        db = Database(url)
        await db.migrate()
        async with db.write() as tx:
            await tx.s.execute(
                text("INSERT INTO users (id, name, created_at) VALUES ('u1', 'u1', now())")
            )

        statement: list[float] = []
        round_trip: list[float] = []

        async def run(with_outbox: bool) -> float:
            started = time.perf_counter()
            for _ in range(commits):
                now = utcnow()
                row: dict[str, Any] = {"user_id": "u1", "session_id": None, "seq": None,
                       "type": "session.created", "timestamp": now, "description": "",
                       "data": {}}  # fmt: skip
                async with db.write() as tx:
                    ids = await db.insert_many(tx, Event.__table__, [row], return_ids=True)
                    if with_outbox:
                        before = time.perf_counter()
                        await enqueue(tx, ids, now)
                        statement.append(time.perf_counter() - before)
                    else:
                        before = time.perf_counter()
                        await tx.s.execute(text("SELECT 1"))
                        round_trip.append(time.perf_counter() - before)
            return (time.perf_counter() - started) / commits * 1e6

        samples: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(5):
            for flag in (False, True):
                samples[flag].append(await run(flag))
        await db.dispose()
        without, with_ = statistics.median(samples[False]), statistics.median(samples[True])
        return {
            "commits": commits * 5,
            "us_per_commit_without_outbox": round(without, 1),
            "us_per_commit_with_outbox": round(with_, 1),
            "outbox_us": round(with_ - without, 1),
            "statement_us_p50": round(statistics.median(statement) * 1e6, 1),
            "select_1_us_p50": round(statistics.median(round_trip) * 1e6, 1),
        }

    from sqlalchemy import text

    with scratch_postgres() as url:
        return asyncio.run(go(url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--source",
        choices=["sessions", "mail"],
        default="sessions",
        help="session.created from POST /sessions, or email.received from SMTP (parsed "
        "email in every body)",
    )
    parser.add_argument("--hot-path", action="store_true", help="time the outbox statement")
    args = parser.parse_args()
    print(machine())
    if args.hot_path:
        if args.database == "postgres":
            result = hot_path_postgres(500)
            extra = (
                f"; the statement alone: p50 {result['statement_us_p50']} µs, "
                f"a SELECT 1 round trip: p50 {result['select_1_us_p50']} µs"
            )
        else:
            result = hot_path(2000)
            extra = f"; the statement alone: p50 {result['statement_us_p50']} µs"
        instead = "with a SELECT 1 in its place" if args.database == "postgres" else "without it"
        print(
            f"{args.database}: one-event commit, user without webhooks: "
            f"{result['us_per_commit_without_outbox']} µs {instead}, "
            f"{result['us_per_commit_with_outbox']} µs with the outbox statement "
            f"(difference {result['outbox_us']} µs{extra})"
        )
        print(json.dumps({"bench": "webhooks_hot_path", "database": args.database, **result}))
        return
    result = end_to_end(args.events, args.clients, args.database, args.source)
    print(
        f"{result['delivered']}/{result['events']} delivered ({result['duplicates']} duplicates), "
        f"{result['delivered_per_s']} events/s end to end "
        f"(produced at {result['produced_per_s']}/s); commit -> receiver's 200: "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms"
    )
    print(json.dumps({"bench": "webhooks", "database": args.database, **result}))


if __name__ == "__main__":
    main()
