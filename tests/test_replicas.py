"""Three ``waypost serve`` processes on one PostgreSQL and one Redis act as one Waypost.

Real processes, real sockets: mail taken by one replica's SMTP resolves a wait held on
another; an SSE stream resumes on another replica with nothing lost or doubled; a
replica killed with SIGKILL or a Redis restarted mid-stream loses nothing (the database
has everything, the bus only says "look"); revocation reaches every replica; timeouts
fire once; many waits and emails spread over the replicas pair up one to one.

The Redis is a private ``redis-server`` (the test restarts it). Runs when PostgreSQL is
reachable and redis-server is installed; under CI=true both are required.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.conftest import require_postgres
from tests.helpers import otp_email
from tests.redis_servers import PrivateRedis
from tests.servers import create_key, free_port, fresh_postgres_database, wait_healthy
from waypost.auth.keys import KeyService
from waypost.config import Settings
from waypost.db.database import Database

GENEROUS = 20.0  # seconds: bounds for things that take well under one (a shared, loaded box)


class Replica:
    """One ``waypost serve`` child process; can be killed and started again on its ports."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str], database_url: str) -> None:
        self.name = name
        self.port, self.smtp_port = free_port(), free_port()
        self.data_dir = workdir / name
        self.log_path = workdir / f"{name}.log"
        self.env = env
        self.database_url = database_url
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self, redis_url: str) -> None:
        args = [
            sys.executable, "-m", "waypost.cli", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--smtp-host", "127.0.0.1", "--smtp-port", str(self.smtp_port),
            "--data-dir", str(self.data_dir), "--database-url", self.database_url,
            "--redis-url", redis_url, "--log-level", "warning",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env)

    def wait_ready(self, within: float = 180) -> None:
        assert self.proc is not None
        wait_healthy(self.base_url, self.proc, within, path="/readyz", output=self.log)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def send(self, to: str, raw: bytes) -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as smtp:
            smtp.sendmail("no-reply@acme.test", [to], raw)


@dataclass
class Cluster:
    replicas: list[Replica]
    redis: PrivateRedis
    database_url: str
    settings: Settings  # for keys made straight in the database

    def key(self, user: str) -> str:
        return create_key(self.settings, user)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_postgres()
    workdir = tmp_path_factory.mktemp("replicas")
    redis = PrivateRedis(workdir).start()
    env = {
        **os.environ,
        "WAYPOST_SECRET_KEY": Fernet.generate_key().decode(),  # one key for every replica
        "WAYPOST_REDIS_PREFIX": f"t{uuid.uuid4().hex[:8]}",
        "WAYPOST_SSE_KEEPALIVE_SECONDS": "0.5",
        "WAYPOST_DATABASE_POOL_SIZE": "8",  # 3 x 16 at most: the shared server allows 100
    }
    replicas: list[Replica] = []
    try:
        with fresh_postgres_database() as url:
            replicas = [Replica(n, workdir, env, url) for n in ("a", "b", "c")]
            for replica in replicas:  # together: migrations take turns (advisory lock)
                replica.launch(redis.url)
            for replica in replicas:
                replica.wait_ready()
            settings = Settings(database_url=url, data_dir=workdir / "keys")
            yield Cluster(replicas, redis, url, settings)
            for replica in replicas:
                replica.terminate()
    finally:
        for replica in replicas:
            replica.kill()
        redis.stop()


def _api(replica: Replica, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=replica.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def _post(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


class Stream:
    """One SSE connection to a session's events, read in a thread: the (seq, type) pairs."""

    def __init__(self, replica: Replica, key: str, session_id: str, last_id: int | None = None):
        self.events: list[tuple[int, str]] = []
        self.connected = threading.Event()
        self.ended = threading.Event()
        self.error: BaseException | None = None
        self._stop = threading.Event()
        headers = {"Authorization": f"Bearer {key}"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        url = f"{replica.base_url}/api/v1/sessions/{session_id}/events"
        threading.Thread(target=self._run, args=(url, headers), daemon=True).start()
        assert self.connected.wait(GENEROUS), "stream did not connect"

    def _run(self, url: str, headers: dict[str, str]) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=5)) as http,
                http.stream("GET", url, headers=headers) as response,
            ):
                assert response.status_code == 200, response.status_code
                seq: int | None = None
                for line in response.iter_lines():
                    if line == ": connected":
                        self.connected.set()
                    elif line.startswith("id: "):
                        seq = int(line[4:])
                    elif line.startswith("event: ") and seq is not None:
                        self.events.append((seq, line[7:]))
                        seq = None
                    if self._stop.is_set():
                        return
        except BaseException as exc:  # a killed replica: the client sees the connection end
            self.error = exc
        finally:
            self.connected.set()
            self.ended.set()

    def wait_until_seq(self, seq: int, within: float = GENEROUS) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.events and self.events[-1][0] >= seq:
                return
            time.sleep(0.02)
        raise AssertionError(f"stream reached {self.events[-1:]} of seq {seq} (error {self.error})")

    def stop(self) -> list[tuple[int, str]]:
        self._stop.set()
        self.ended.wait(GENEROUS)
        return list(self.events)


def _timeline(api: httpx.Client, session_id: str) -> list[tuple[int, str]]:
    response = api.get(f"/api/v1/sessions/{session_id}/timeline")
    assert response.status_code == 200, response.text
    return [(e["seq"], e["type"]) for e in response.json()["events"]]


def _long_poll(replica: Replica, key: str, wait_id: str) -> Future[httpx.Response]:
    """GET …/waits/<id>?block=true in a thread (the caller holds the future)."""

    def poll() -> httpx.Response:
        with _api(replica, key) as api:
            return api.get(f"/api/v1/waits/{wait_id}", params={"block": "true", "timeout": 30})

    pool = ThreadPoolExecutor(1)
    future = pool.submit(poll)
    pool.shutdown(wait=False)
    return future


def _inbox_in_session(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    session = _post(api, "/api/v1/sessions", {"name": "replicas"})
    inbox = _post(api, "/api/v1/inboxes", {"session_id": session["id"]})
    return str(session["id"]), inbox


def _eventually(check: Callable[[], bool], what: str, within: float = GENEROUS) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {within}s: {what}")


# --- the scenarios ------------------------------------------------------------------------------


def test_mail_to_replica_a_resolves_a_wait_long_polled_on_b(cluster: Cluster) -> None:
    a, b, _ = cluster.replicas
    key = cluster.key("ann")
    with _api(a, key) as on_a, _api(b, key) as on_b:
        inbox = _post(on_a, "/api/v1/inboxes", {})
        wait = _post(on_b, "/api/v1/waits", {"inbox_id": inbox["id"], "type": "otp"})
        held = _long_poll(b, key, wait["id"])
        time.sleep(0.3)  # the long poll is held on B before the mail comes
        assert not held.done()
        a.send(str(inbox["email_address"]), otp_email(str(inbox["email_address"]), "482 913"))
        done = held.result(GENEROUS).json()
    assert done["status"] == "completed", done
    assert done["result"]["value"] == "482913"


def test_an_sse_stream_resumes_on_another_replica_with_nothing_lost_or_doubled(
    cluster: Cluster,
) -> None:
    a, b, c = cluster.replicas
    key = cluster.key("ben")
    with _api(a, key) as on_a:
        session_id, inbox = _inbox_in_session(on_a)
        address = str(inbox["email_address"])
        first = Stream(a, key, session_id)
        for i in range(6):  # mail taken by the other replicas reaches A's stream live
            (b if i % 2 else c).send(address, otp_email(address, f"{i}00 001"))
        first.wait_until_seq(2 + 6)
        seen = first.stop()
        for i in range(4):  # while nobody streams
            (a if i % 2 else b).send(address, otp_email(address, f"{i}11 002"))
        resumed = Stream(c, key, session_id, last_id=seen[-1][0])
        for i in range(4):  # and live again, on C, mail through A and B
            (a if i % 2 else b).send(address, otp_email(address, f"{i}22 003"))
        expected = _timeline(on_a, session_id)
        resumed.wait_until_seq(expected[-1][0])
        seen += resumed.stop()
    assert [s for s, _ in seen] == list(range(1, len(expected) + 1))
    assert seen == expected
    assert sum(1 for _, t in seen if t == "email.received") == 14


def test_a_revoked_key_fails_on_every_other_replica_and_its_streams_end(
    cluster: Cluster,
) -> None:
    a, b, c = cluster.replicas
    key = cluster.key("cat")
    with _api(a, key) as on_a:
        session_id, inbox = _inbox_in_session(on_a)
        wait = _post(on_a, "/api/v1/waits", {"inbox_id": inbox["id"], "timeout_seconds": 60})
    stream = Stream(b, key, session_id)
    held = _long_poll(c, key, str(wait["id"]))
    time.sleep(0.3)

    async def revoke() -> None:
        db = Database(cluster.database_url)
        try:
            keys = KeyService(db)
            [info] = [k for k in await keys.list("cat")]
            await keys.revoke(info.id)
        finally:
            await db.dispose()

    asyncio.run(revoke())
    revoked_at = time.monotonic()
    for replica in (a, b, c):  # the very next request, on any replica
        with _api(replica, key) as api:
            assert api.get("/api/v1/sessions").status_code == 401
    assert held.result(GENEROUS).status_code == 401
    assert stream.ended.wait(GENEROUS)
    took = time.monotonic() - revoked_at
    print(f"open stream and long poll ended {took:.2f}s after the revocation")


def test_wait_timeouts_fire_once_with_three_replicas_up(cluster: Cluster) -> None:
    key = cluster.key("dan")
    apis = [_api(r, key) for r in cluster.replicas]
    try:
        session_id, inbox = _inbox_in_session(apis[0])
        waits = [
            _post(apis[i % 3], "/api/v1/waits", {"inbox_id": inbox["id"], "timeout_seconds": 1})
            for i in range(6)
        ]
        ids = {str(w["id"]) for w in waits}

        def all_timed_out() -> bool:
            listed = apis[1].get("/api/v1/waits", params={"inbox_id": inbox["id"]}).json()
            return all(w["status"] == "timed_out" for w in listed["data"])

        _eventually(all_timed_out, "every wait timed out")
        time.sleep(1.0)  # every replica's timer has had its go
        events = apis[2].get(f"/api/v1/sessions/{session_id}/timeline").json()["events"]
    finally:
        for api in apis:
            api.close()
    ended = [e["data"]["wait_id"] for e in events if e["type"].startswith("wait.") and
             e["type"] != "wait.created"]  # fmt: skip
    assert sorted(ended) == sorted(ids)  # one end each, and it is a timeout
    assert all(e["type"] != "wait.completed" for e in events)


def test_redis_restarted_mid_stream_loses_no_event_and_no_wait(cluster: Cluster) -> None:
    a, b, c = cluster.replicas
    key = cluster.key("fay")
    with _api(a, key) as on_a:
        session_id, inbox = _inbox_in_session(on_a)
        address = str(inbox["email_address"])
        wait = _post(on_a, "/api/v1/waits", {"inbox_id": inbox["id"], "type": "otp"})
        stream = Stream(a, key, session_id)
        stream.wait_until_seq(3)
        held = _long_poll(b, key, str(wait["id"]))
        time.sleep(0.3)
        cluster.redis.stop()
        try:
            _eventually(
                lambda: httpx.get(f"{a.base_url}/readyz", timeout=5).status_code == 503,
                "A is not ready without Redis",
            )
            reasons = httpx.get(f"{a.base_url}/readyz", timeout=5).json()["reasons"]
            assert any(r.startswith("redis:") for r in reasons), reasons
            assert httpx.get(f"{a.base_url}/healthz", timeout=5).status_code == 200  # alive
            c.send(address, otp_email(address, "100 200"))  # committed; not announced
            c.send(address, b"Subject: hi\r\n\r\nhello\r\n")
        finally:
            cluster.redis.start()
        done = held.result(GENEROUS).json()
        assert done["status"] == "completed" and done["result"]["value"] == "100200"
        expected = _timeline(on_a, session_id)
        stream.wait_until_seq(expected[-1][0])
        assert stream.stop() == expected
        assert sum(1 for _, t in expected if t == "email.received") == 2
        for replica in cluster.replicas:
            replica.wait_ready(GENEROUS)


def test_many_waits_and_emails_spread_over_replicas_pair_up_one_to_one(cluster: Cluster) -> None:
    inboxes_n, waits_per_inbox, emails_n = 20, 10, 1000  # 200 waits; bench: 1,000 / 10,000
    key = cluster.key("gus")
    replicas = cluster.replicas
    apis = [_api(r, key) for r in replicas]
    try:
        inboxes = [_post(apis[i % 3], "/api/v1/inboxes", {}) for i in range(inboxes_n)]
        with ThreadPoolExecutor(6) as pool:
            list(
                pool.map(
                    lambda i: _post(
                        apis[i % 3],
                        "/api/v1/waits",
                        {"inbox_id": inboxes[i % inboxes_n]["id"], "timeout_seconds": 120},
                    ),
                    range(inboxes_n * waits_per_inbox),
                )
            )

            def deliver(worker: int) -> None:
                replica = replicas[worker % 3]
                with smtplib.SMTP("127.0.0.1", replica.smtp_port, timeout=30) as smtp:
                    for n in range(worker, emails_n, 6):
                        to = str(inboxes[n % inboxes_n]["email_address"])
                        body = f"Subject: n{n}\r\nTo: {to}\r\n\r\nmessage {n}\r\n".encode()
                        smtp.sendmail("no-reply@acme.test", [to], body)

            list(pool.map(deliver, range(6)))
    finally:
        for api in apis:
            api.close()
    inbox_ids = [str(i["id"]) for i in inboxes]

    async def tally() -> dict[str, Any]:
        import asyncpg

        conn = await asyncpg.connect(cluster.database_url.replace("+asyncpg", ""))
        try:
            q = "SELECT count(*) FROM {} WHERE inbox_id = ANY($1::text[])"
            return {
                "emails": await conn.fetchval(q.format("emails"), inbox_ids),
                "completed": await conn.fetchval(
                    q.format("waits") + " AND status = 'completed'", inbox_ids
                ),
                "distinct_emails": await conn.fetchval(
                    "SELECT count(DISTINCT email_id) FROM waits WHERE inbox_id = ANY($1::text[])",
                    inbox_ids,
                ),
                "foreign": await conn.fetchval(
                    "SELECT count(*) FROM waits w JOIN emails e ON e.id = w.email_id "
                    "WHERE w.inbox_id = ANY($1::text[]) AND e.inbox_id <> w.inbox_id",
                    inbox_ids,
                ),
                "ends": await conn.fetch(
                    "SELECT data->>'wait_id' AS wait_id, count(*) AS n FROM events "
                    "WHERE type LIKE 'wait.%' AND type <> 'wait.created' "
                    "AND data->>'inbox_id' = ANY($1::text[]) GROUP BY 1",
                    inbox_ids,
                ),
            }
        finally:
            await conn.close()

    _eventually(
        lambda: asyncio.run(tally())["completed"] == inboxes_n * waits_per_inbox,
        "every wait completed",
        within=60,
    )
    counts = asyncio.run(tally())
    assert counts["emails"] == emails_n  # every message stored once
    assert counts["distinct_emails"] == inboxes_n * waits_per_inbox  # one email, one wait
    assert counts["foreign"] == 0
    ends = {row["wait_id"]: row["n"] for row in counts["ends"]}
    assert len(ends) == inboxes_n * waits_per_inbox and set(ends.values()) == {1}


def test_sigkill_of_a_replica_holding_waits_and_streams_loses_nothing(cluster: Cluster) -> None:
    """C registered the wait (the others leave its mail to C at first) and holds the long
    poll and the stream. Last in the file: C stays dead (the teardown ends the rest)."""
    a, b, c = cluster.replicas
    key = cluster.key("eve")
    with _api(a, key) as on_a, _api(c, key) as on_c:
        session_id, inbox = _inbox_in_session(on_a)
        address = str(inbox["email_address"])
        wait = _post(on_c, "/api/v1/waits", {"inbox_id": inbox["id"], "type": "otp"})
        stream = Stream(c, key, session_id)
        stream.wait_until_seq(3)  # session.created, inbox.created, wait.created
        held = _long_poll(c, key, str(wait["id"]))
        time.sleep(0.3)
        c.kill()
        with pytest.raises(httpx.TransportError):
            held.result(GENEROUS)
        assert stream.ended.wait(GENEROUS)
        seen = list(stream.events)
        b.send(address, otp_email(address, "665 021"))  # while C is dead
        # the clients come back through another replica
        again = _long_poll(a, key, str(wait["id"])).result(GENEROUS).json()
        assert again["status"] == "completed" and again["result"]["value"] == "665021"
        expected = _timeline(on_a, session_id)
        resumed = Stream(b, key, session_id, last_id=seen[-1][0])
        resumed.wait_until_seq(expected[-1][0])
        seen += resumed.stop()
    assert seen == expected
    assert [t for _, t in expected][-3:] == [
        "email.received",
        "extraction.completed",
        "wait.completed",
    ]


def test_sigterm_drains_a_replica_while_the_others_carry_on(cluster: Cluster) -> None:
    """SIGTERM: B stops taking SMTP, ends its streams cleanly and exits 0; its clients
    carry on through A. Runs after the SIGKILL test (B and A are the ones left)."""
    a, b, _ = cluster.replicas
    key = cluster.key("hal")
    with _api(a, key) as on_a:
        session_id, inbox = _inbox_in_session(on_a)
        address = str(inbox["email_address"])
        ready = httpx.get(f"{b.base_url}/readyz", timeout=5).json()
        assert ready == {"status": "ready", "database": "ok", "bus": "redis"}
        stream = Stream(b, key, session_id)
        stream.wait_until_seq(2)
        assert b.proc is not None
        b.proc.send_signal(signal.SIGTERM)
        assert stream.ended.wait(GENEROUS)
        assert stream.error is None, stream.error  # ended by the server, not torn down
        assert b.proc.wait(GENEROUS) == 0, b.log()
        with pytest.raises(OSError):
            b.send(address, otp_email(address, "777 001"))
        a.send(address, otp_email(address, "777 002"))
        expected = _timeline(on_a, session_id)
        resumed = Stream(a, key, session_id, last_id=stream.events[-1][0])
        resumed.wait_until_seq(expected[-1][0])
        assert stream.events + resumed.stop() == expected
