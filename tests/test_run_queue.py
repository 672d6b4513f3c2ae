"""Runs as claimed work (issue 15): a message enqueues a run, a lease holds it.

One process on SQLite (the laptop default: the serving process claims the run it
enqueued), then real processes on PostgreSQL and Redis: ``serve --no-runs`` and two
``waypost worker`` processes, with a short lease so that SIGKILL is seen quickly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from tests.conftest import database_url_for
from tests.redis_servers import PrivateRedis
from tests.servers import (
    RunningServer,
    ThreadServer,
    create_key,
    free_port,
    make_settings,
    wait_healthy,
)
from tests.test_conversations import agent_session, text, tool
from waypost.agents.queue import LEASE_EXPIRED, SHUT_DOWN
from waypost.config import Settings
from waypost.db.database import Database
from waypost.db.models import AgentRun
from waypost.db.types import utcnow

SLOW = " ".join(f"w{i}" for i in range(3000))  # 30 s at 10 ms a chunk: stopped long before


def rows(url: str, session_id: str | None = None) -> list[AgentRun]:
    """The agent_runs rows (of one session), oldest first, read from the database."""

    async def go() -> list[AgentRun]:
        db = Database(url)
        try:
            query = select(AgentRun).order_by(AgentRun.created_at)
            if session_id is not None:
                query = query.where(AgentRun.session_id == session_id)
            async with db.read() as s:
                return list((await s.execute(query)).scalars())
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def change_run(url: str, run_id: str, **values: Any) -> None:
    """Write to a run's row as another worker would (steal its lease)."""

    async def go() -> None:
        db = Database(url)
        try:
            async with db.write() as tx:
                await tx.s.execute(
                    update(AgentRun)
                    .where(AgentRun.id == run_id)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, go()).result()


def until(check: Callable[[], Any], seconds: float = 10, what: str = "condition") -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def events(api: httpx.Client, sid: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"])


def slow_session(api: httpx.Client) -> str:
    sid, _ = agent_session(api, [text(SLOW), text("next")], params={"chunk_delay_ms": 10})
    return sid


def start_slow(api: httpx.Client, sid: str) -> None:
    r = api.post(
        f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
    )
    assert r.status_code == 202, r.text
    until(lambda: any(e["type"] == "text_delta" for e in events(api, sid)), what="streaming")


# --- one process, SQLite ------------------------------------------------------------------------


def test_message_is_a_run_claimed_and_answered(api: httpx.Client, server: RunningServer) -> None:
    sid, _ = agent_session(api, [text("answered")])
    final = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "hi"})
    assert final.status_code == 200 and final.json()["content"] == text("answered")
    [run] = rows(server.settings.resolved_database_url(), sid)
    assert run.status == "completed" and run.attempts == 1 and run.worker_id
    assert run.lease_until is None and run.ended_at is not None and run.reason is None
    assert f":{os.getpid()}:" in run.worker_id  # the serving process (a thread here) ran it


def test_second_message_while_going_is_409(api: httpx.Client, server: RunningServer) -> None:
    sid = slow_session(api)
    start_slow(api, sid)
    busy = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "again"})
    assert busy.status_code == 409 and busy.json()["error"] == "session_busy"
    assert api.post(f"/api/v1/sessions/{sid}/interrupt").json()["interrupted"] is True
    [run] = until(
        lambda: [r for r in rows(server.settings.resolved_database_url(), sid)
                 if r.status == "interrupted"],
        what="the run's row to end",
    )  # fmt: skip
    assert run.reason is None and run.lease_until is None
    assert events(api, sid)[-1]["data"] == {"reason": "interrupted"}


@pytest.fixture
def fast_lease(tmp_path: Path) -> Iterator[ThreadServer]:
    """SQLite, one process, a 1.5 s lease renewed every 0.2 s."""
    settings = make_settings(
        tmp_path / "data", run_lease_seconds=1.5, run_heartbeat_seconds=0.2, run_poll_seconds=0.2
    )
    server = ThreadServer(settings).start()
    try:
        yield server
    finally:
        server.stop()


def test_heartbeat_renews_the_lease_and_a_lost_lease_stops_the_run(
    fast_lease: ThreadServer,
) -> None:
    url = fast_lease.settings.resolved_database_url()
    with fast_lease.client("lease-user") as api:
        sid = slow_session(api)
        start_slow(api, sid)
        [first] = rows(url, sid)
        assert first.status == "running" and first.lease_until is not None
        renewed = until(
            lambda: [r for r in rows(url, sid) if r.lease_until > first.lease_until],  # type: ignore[operator]
            what="a renewal",
        )
        assert renewed[0].worker_id == first.worker_id
        # another worker takes the run over (as if this one had stalled past its lease)
        stolen_at = time.time()
        change_run(url, first.id, worker_id="ghost", lease_until=utcnow() + timedelta(seconds=1))
        time.sleep(0.6)  # the heartbeat (0.2 s) finds the lease gone: the run stops writing
        quiet = len(events(api, sid))
        # "ghost" never renews: its lease ends and this server's queue ends the run
        ended = until(
            lambda: [e for e in events(api, sid) if e["type"] == "session_interrupted"],
            what="recovery",
        )
        timeline = events(api, sid)
        assert len(timeline) == quiet + 1, "the fenced run wrote after losing its lease"
        assert ended[0]["data"] == {"reason": LEASE_EXPIRED}
        assert time.time() - stolen_at < 5
        [run] = rows(url, sid)
        assert run.status == "interrupted" and run.attempts == 2
        assert run.worker_id == first.worker_id and "ghost" in (run.reason or "")
        session = api.get(f"/api/v1/sessions/{sid}").json()
        assert session["is_running"] is False and session["status"] == "interrupted"
        # the conversation goes on (the unanswered turn is the model's again: slow)
        start_slow(api, sid)
        assert api.post(f"/api/v1/sessions/{sid}/interrupt").json()["interrupted"] is True


def test_an_interrupt_recorded_in_the_database_stops_the_run(fast_lease: ThreadServer) -> None:
    """The fallback for a lost bus message: the heartbeat reads ``interrupt_requested``."""
    url = fast_lease.settings.resolved_database_url()
    with fast_lease.client("flag-user") as api:
        sid = slow_session(api)
        start_slow(api, sid)
        [run] = rows(url, sid)
        change_run(url, run.id, interrupt_requested=True)  # no bus message at all
        flagged = time.monotonic()
        until(lambda: not api.get(f"/api/v1/sessions/{sid}").json()["is_running"], 5, "stop")
        assert time.monotonic() - flagged < 1.0  # one heartbeat (0.2 s here)
        assert events(api, sid)[-1]["data"] == {"reason": "interrupted"}
        [run] = rows(url, sid)
        assert run.status == "interrupted" and run.attempts == 1


def test_queued_run_is_409_for_a_second_message_and_interruptible(tmp_path: Path) -> None:
    """serve --no-runs and no worker: the run stays queued."""
    server = ThreadServer(make_settings(tmp_path / "data", no_runs=True)).start()
    url = server.settings.resolved_database_url()
    try:
        with server.client("queue-user") as api:
            sid, _ = agent_session(api, [text("never")])
            r = api.post(
                f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "a"}
            )
            assert r.status_code == 202
            [run] = rows(url, sid)
            assert run.status == "queued" and run.worker_id is None and run.attempts == 0
            assert api.get(f"/api/v1/sessions/{sid}").json()["is_running"] is True
            busy = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "b"})
            assert busy.status_code == 409 and busy.json()["error"] == "session_busy"
            assert api.post(f"/api/v1/sessions/{sid}/interrupt").json()["interrupted"] is True
            [run] = rows(url, sid)
            assert run.status == "interrupted" and run.interrupt_requested
            assert events(api, sid)[-1]["type"] == "session_interrupted"
            assert api.get(f"/api/v1/sessions/{sid}").json()["is_running"] is False
    finally:
        server.stop()


def test_a_full_process_queues_and_claims_when_a_slot_frees(tmp_path: Path) -> None:
    """run_concurrency 1: the second session's run waits in the queue, then runs here;
    its blocking POST is answered through the wait for the run's end."""
    server = ThreadServer(make_settings(tmp_path / "data", run_concurrency=1)).start()
    url = server.settings.resolved_database_url()
    try:
        with server.client("full-user") as api, ThreadPoolExecutor(2) as pool:
            first, _ = agent_session(
                api, [text("one two three four five six")], params={"chunk_delay_ms": 100}
            )
            second, _ = agent_session(api, [text("second answer")])
            a = pool.submit(api.post, f"/api/v1/sessions/{first}/messages", json={"content": "1"})
            until(lambda: rows(url, first), what="the first run")
            b = pool.submit(api.post, f"/api/v1/sessions/{second}/messages", json={"content": "2"})
            until(lambda: rows(url, second), what="the second run")
            assert rows(url, second)[0].status == "queued"
            assert a.result(timeout=20).status_code == 200
            answer = b.result(timeout=20)
            assert answer.status_code == 200 and answer.json()["content"] == text("second answer")
            [run] = rows(url, second)
            assert run.status == "completed" and run.attempts == 1
    finally:
        server.stop()


# --- real processes: PostgreSQL, Redis, serve --no-runs, two workers ----------------------------


class Process:
    """A ``waypost`` command as a child process, its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "waypost.cli", *args], env=env, stdout=self._out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        self._out.close()
        return code


class Cluster:
    """One PostgreSQL database, one Redis, ``serve --no-runs`` and workers."""

    def __init__(self, tmp: Path, url: str, redis_url: str) -> None:
        self.tmp = tmp
        self.url = url
        self.settings: Settings = make_settings(tmp / "data", url)
        self.env = {
            **os.environ,
            "WAYPOST_REDIS_URL": redis_url,
            "WAYPOST_RUN_LEASE_SECONDS": "2",
            "WAYPOST_RUN_HEARTBEAT_SECONDS": "0.5",
            "WAYPOST_RUN_POLL_SECONDS": "0.5",
            "WAYPOST_RUN_DRAIN_SECONDS": "1",
        }
        self.env.pop("WAYPOST_SECRET_KEY", None)  # every process shares the data dir's key
        self.processes: list[Process] = []
        self.replicas: list[str] = []  # base URLs of the serve --no-runs replicas
        self.workers: list[Process] = []

    def start_serve(self) -> str:
        """Another ``serve --no-runs`` replica (the first one's settings, new ports)."""
        s = self.settings if not self.replicas else make_settings(self.settings.data_dir, self.url)
        args = [
            "serve", "--no-runs", "--host", s.host, "--port", str(s.port),
            "--smtp-host", s.smtp_host, "--smtp-port", str(s.smtp_port),
            "--data-dir", str(s.data_dir), "--database-url", self.url, "--log-level", "warning",
        ]  # fmt: skip
        serve = Process(args, self.env, self.tmp / f"serve{len(self.replicas)}.log")
        self.processes.append(serve)
        base_url = f"http://{s.host}:{s.port}"
        wait_healthy(base_url, serve.proc)
        self.replicas.append(base_url)
        return base_url

    @property
    def base_url(self) -> str:
        return self.replicas[0]

    def start_worker(self, metrics_port: int | None = None) -> Process:
        index = len(self.workers)
        args = ["worker", "--data-dir", str(self.settings.data_dir), "--database-url", self.url,
                "--log-level", "info"]  # fmt: skip
        if metrics_port is not None:
            args += ["--metrics-port", str(metrics_port)]
        worker = Process(args, self.env, self.tmp / f"worker{index}.log")
        self.workers.append(worker)
        self.processes.append(worker)
        until(lambda: "ready" in worker.output() or worker.proc.poll() is not None, 30, "worker")
        assert worker.proc.poll() is None, worker.output()
        return worker

    def client(self, user: str, base_url: str | None = None) -> httpx.Client:
        key = create_key(self.settings, user)
        return httpx.Client(
            base_url=base_url or self.base_url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

    def holder(self, run: AgentRun) -> Process:
        [worker] = [w for w in self.workers if f":{w.pid}:" in (run.worker_id or "")]
        return worker

    def stop(self) -> None:
        for process in self.processes:
            with_kill = process.proc.poll() is None
            if with_kill:
                process.stop(signal.SIGKILL)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with ExitStack() as stack:
        url = database_url_for("postgres", stack)
        assert url is not None
        redis = PrivateRedis(tmp_path).start()
        stack.callback(redis.stop)
        nodes = Cluster(tmp_path, url, redis.url)
        stack.callback(nodes.stop)
        nodes.start_serve()
        yield nodes


def test_workers_run_what_a_replica_without_runs_queued(cluster: Cluster) -> None:
    other = cluster.start_serve()
    with cluster.client("workers-user") as api, cluster.client("workers-user", other) as api_b:
        sid, _ = agent_session(api, [text("from a worker"), text("second")])
        # no worker yet: the run waits in the queue, and a second message is refused
        r = api.post(
            f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "1"}
        )
        assert r.status_code == 202
        assert rows(cluster.url, sid)[0].status == "queued"
        for replica in (api, api_b):  # the claim is in the database: 409 on every replica
            busy = replica.post(f"/api/v1/sessions/{sid}/messages", json={"content": "x"})
            assert busy.status_code == 409 and busy.json()["error"] == "session_busy"
        metrics_port = free_port()
        first = cluster.start_worker(metrics_port=metrics_port)
        cluster.start_worker()
        until(lambda: rows(cluster.url, sid)[0].status == "completed", what="the queued run")
        # the blocking POST, on a replica that runs nothing, gets the worker's answer
        sessions = [agent_session(api, [text(f"answer {i}")])[0] for i in range(8)]
        clients = [api, api_b]
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda i: clients[i % 2].post(
                        f"/api/v1/sessions/{sessions[i]}/messages", json={"content": "q"}
                    ),
                    range(len(sessions)),
                )
            )
        for i, answer in enumerate(answers):
            assert answer.status_code == 200, answer.text
            assert answer.json()["content"] == text(f"answer {i}")
    runs = rows(cluster.url)
    assert len(runs) == 9 and all(r.status == "completed" and r.attempts == 1 for r in runs)
    for run in runs:  # each ran once, on a worker (never on the serve replica)
        cluster.holder(run)
    # the first worker's own /metrics counts the runs it executed, and only those
    ran_there = sum(1 for run in runs if cluster.holder(run) is first)
    assert ran_there >= 1  # it started first, alone, with a run waiting in the queue
    scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    finished = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "waypost_runs_finished_total"
    }
    assert finished.get("completed", 0.0) == ran_there


def test_stream_and_interrupt_through_a_replica_reach_the_worker(cluster: Cluster) -> None:
    cluster.start_worker()
    with cluster.client("interrupt-user") as api:
        sid = slow_session(api)
        seen: list[str] = []

        def read_stream() -> None:
            with api.stream("GET", f"/api/v1/sessions/{sid}/stream") as r:
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        seen.append(line[7:])
                        if line[7:] == "session_interrupted":
                            return

        with ThreadPoolExecutor(1) as pool:
            reader = pool.submit(read_stream)
            time.sleep(0.3)  # the stream subscribes
            start_slow(api, sid)
            until(lambda: "text_delta" in seen, what="deltas on the replica's stream")
            asked = time.monotonic()
            assert api.post(f"/api/v1/sessions/{sid}/interrupt").json()["interrupted"] is True
            until(lambda: not api.get(f"/api/v1/sessions/{sid}").json()["is_running"], 5, "stop")
            assert time.monotonic() - asked < 1.0, "the interrupt took over a second"
            reader.result(timeout=10)
        assert seen[-1] == "session_interrupted"
        [run] = rows(cluster.url, sid)
        assert run.status == "interrupted" and cluster.holder(run)


def test_sigkill_of_the_worker_holding_a_run(cluster: Cluster) -> None:
    cluster.start_worker()
    cluster.start_worker()
    with cluster.client("sigkill-user") as api:
        sid = slow_session(api)
        start_slow(api, sid)
        [run] = rows(cluster.url, sid)
        victim = cluster.holder(run)
        [survivor] = [w for w in cluster.workers if w is not victim]
        killed = time.monotonic()
        assert victim.stop(signal.SIGKILL) == -signal.SIGKILL
        ended = until(
            lambda: [e for e in events(api, sid) if e["type"] == "session_interrupted"],
            15,
            "the other worker to end the run",
        )
        waited = time.monotonic() - killed
        assert 1.0 < waited < 8, waited  # after the 2 s lease, not before
        assert ended[0]["data"] == {"reason": LEASE_EXPIRED}
        [run] = rows(cluster.url, sid)
        assert run.status == "interrupted" and run.attempts == 2
        assert cluster.holder(run) is survivor and f":{victim.pid}:" in (run.reason or "")
        assert len([e for e in events(api, sid) if e["type"] == "session_interrupted"]) == 1
        # the conversation goes on, on the surviving worker
        start_slow(api, sid)
        assert cluster.holder(rows(cluster.url, sid)[-1]) is survivor
        assert api.post(f"/api/v1/sessions/{sid}/interrupt").json()["interrupted"] is True


def test_sigterm_drains_a_worker(cluster: Cluster) -> None:
    """A run that finishes within the drain ends completed; one that does not ends
    interrupted, saying the worker shut down; the worker exits 0."""
    worker = cluster.start_worker()
    with cluster.client("drain-user") as api:
        short, _ = agent_session(api, [text("a b c d e f g h")], params={"chunk_delay_ms": 60})
        slow = slow_session(api)
        start_slow(api, slow)
        r = api.post(
            f"/api/v1/sessions/{short}/messages", params={"wait": "false"}, json={"content": "s"}
        )
        assert r.status_code == 202
        until(lambda: rows(cluster.url, short)[0].status == "running", what="the short run")
        assert worker.stop(signal.SIGTERM) == 0, worker.output()
        assert rows(cluster.url, short)[0].status == "completed"
        [run] = rows(cluster.url, slow)
        assert run.status == "interrupted" and run.reason == SHUT_DOWN
        assert events(api, slow)[-1]["data"] == {"reason": SHUT_DOWN}


def test_approval_through_a_replica_reaches_the_worker(cluster: Cluster) -> None:
    cluster.start_worker()
    with cluster.client("approve-user") as api:
        sid, _ = agent_session(
            api,
            [[tool("task_create", {"subject": "approved"}, "t1")], text("created")],
            permissions={"ask": ["task_create"]},
        )
        r = api.post(
            f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "t"}
        )
        assert r.status_code == 202
        until(lambda: any(e["type"] == "approval_required" for e in events(api, sid)), what="ask")
        asked = time.monotonic()
        r = api.post(f"/api/v1/sessions/{sid}/approvals/t1", json={"decision": "approve"})
        assert r.status_code == 200
        [called] = until(lambda: [e for e in events(api, sid) if e["type"] == "tool_result"], 5)
        assert time.monotonic() - asked < 1.0, "the approval took over a second"
        assert called["data"]["is_error"] is False
        until(lambda: rows(cluster.url, sid)[0].status == "completed", what="the run's end")
