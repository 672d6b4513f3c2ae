"""What one request costs (issue 14): p50 / p99 of each common call, one client, one at a time.

Starts a real ``waypost serve`` (SQLite, or ``--database postgres``) and times, over
``--calls`` repetitions each: ``GET /healthz``; create a session, an inbox, a wait; list
and get sessions; list an inbox's emails; create a sandbox session; and one message
answered by one scripted model turn (the blocking ``POST …/messages``). Every ``201`` /
``200`` means committed. Prints a table and one JSON line.

    .venv/bin/python bench/request_costs.py [--calls 500] [--database postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, percentile, waypost_server


def timed(calls: int, do: Callable[[int], httpx.Response]) -> dict[str, float]:
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        response = do(i)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 201), response.text
    return {
        "p50": round(statistics.median(samples), 2),
        "p99": round(percentile(samples, 0.99), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ns = parser.parse_args()
    print(machine())
    n = ns.calls
    results: dict[str, dict[str, float]] = {}
    with waypost_server(ns.database) as server, server.client() as http:
        reply = [{"type": "text", "text": "Done, the file is written."}]
        agent = http.post(
            "/api/v1/agents",
            json={
                "name": "bench",
                "chat_model_config": {"type": "scripted", "parameters": {"turns": [reply]}},
            },
        ).json()
        box = http.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()["id"]
        inbox = http.post("/api/v1/inboxes", json={}).json()["id"]
        sessions: list[str] = []
        for _ in range(10):  # warm-up: connections, caches, the sandbox's directory
            http.get("/healthz")
            http.get("/api/v1/sessions", params={"limit": 1})

        def make_session(_: int) -> httpx.Response:
            r = http.post("/api/v1/sessions", json={"name": "bench", "metadata": {"k": 1}})
            sessions.append(r.json()["id"])
            return r

        def make_conversation(_: int) -> httpx.Response:
            r = http.post(f"/api/v1/sandboxes/{box}/sessions", json={})
            conversations.append(r.json()["id"])
            return r

        conversations: list[str] = []
        plan: list[tuple[str, Callable[[int], httpx.Response]]] = [
            ("GET /healthz", lambda i: http.get("/healthz")),
            ("POST /sessions", make_session),
            ("POST /inboxes", lambda i: http.post("/api/v1/inboxes", json={})),
            (
                "POST /waits",
                lambda i: http.post(
                    "/api/v1/waits", json={"inbox_id": inbox, "type": "otp", "timeout_seconds": 300}
                ),
            ),
            ("GET /sessions?limit=1", lambda i: http.get("/api/v1/sessions", params={"limit": 1})),
            ("GET /sessions/{id}", lambda i: http.get(f"/api/v1/sessions/{sessions[i % 50]}")),
            (
                "GET /inboxes/{id}/emails",
                lambda i: http.get(f"/api/v1/inboxes/{inbox}/emails", params={"limit": 20}),
            ),
            ("POST /sandboxes/{id}/sessions", make_conversation),
            (
                "POST /sessions/{id}/messages (one scripted turn)",
                lambda i: http.post(
                    f"/api/v1/sessions/{conversations[i]}/messages", json={"content": "write it"}
                ),
            ),
        ]
        for name, do in plan:
            results[name] = timed(n, do)
            got = results[name]
            print(f"{name:52s} p50 {got['p50']:7.2f} ms   p99 {got['p99']:7.2f} ms")
    print(json.dumps({"bench": "request_costs", "database": ns.database, "calls": n,
                      "results": results}))  # fmt: skip


if __name__ == "__main__":
    main()
