"""Re-executing a recorded agent session (issue 12) against running it.

A scripted agent does N tool iterations (``list_files`` in its sandbox, then ``task_list``
every tenth turn) and a final answer through a real ``waypost serve``; the session is then
re-executed from its record (``POST /api/v1/sessions/{id}/replay {"mode": "reexecute"}``:
the recorded model turns and tool results played back, the timelines compared). Prints
both wall times, the ratio, and that the re-execution found no divergence.

    .venv/bin/python bench/replay.py [--iterations 1000] [--rounds 3] [--database postgres]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _common import machine, waypost_server


def script(iterations: int) -> list[Any]:
    turns: list[Any] = [
        [
            {
                "type": "tool_use",
                "id": f"t{i}",
                "name": "task_list" if i % 10 == 9 else "list_files",
                "input": {},
            }
        ]
        for i in range(iterations)
    ]
    turns.append([{"type": "text", "text": "done"}])
    return turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ns = parser.parse_args()
    print(machine())
    results: list[dict[str, float]] = []
    with waypost_server(ns.database) as server, server.client() as http:
        http.timeout = httpx.Timeout(600)
        agent = http.post(
            "/api/v1/agents",
            json={
                "name": "bench",
                "chat_model_config": {
                    "type": "scripted",
                    "parameters": {"turns": script(ns.iterations)},
                },
                "react_config": {"max_iters": ns.iterations + 1},
            },
        ).json()
        box = http.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
        for _ in range(ns.rounds):
            sid = http.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
            started = time.perf_counter()
            reply = http.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"})
            ran = time.perf_counter() - started
            assert reply.status_code == 200, reply.text
            started = time.perf_counter()
            replayed = http.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "reexecute"})
            reexecuted = time.perf_counter() - started
            assert replayed.status_code == 201, replayed.text
            body = replayed.json()
            assert body["divergence"] is None, body["divergence"]
            results.append(
                {"run_s": ran, "reexecute_s": reexecuted, "events": body["compared_events"]}
            )
            print(
                f"{ns.iterations} iterations: run {ran:.2f} s, re-execute {reexecuted:.2f} s "
                f"({reexecuted / ran:.2f}x; {body['compared_events']} events compared, "
                "no divergence)"
            )
    print(json.dumps({"bench": "replay", "database": ns.database, "iterations": ns.iterations,
                      "rounds": results}))  # fmt: skip


if __name__ == "__main__":
    main()
