"""Agent loop overhead, and SSE fan-out of a run to many subscribers.

1. A scripted agent does N tool iterations (``list_files`` in its sandbox) and a
   final answer, through a real ``waypost serve``: prints the wall time per
   iteration. Each iteration streams a model turn, commits the assistant message
   with its events, runs the tool, commits the tool result.
2. S subscribers follow ``GET /api/v1/sessions/{id}/stream`` on bare sockets while
   a scripted agent streams text; prints delivery latency (event timestamp →
   received by each subscriber), p50/p99 over every (event, subscriber) pair.

3. A team leader whose every iteration delegates to a member (a child session, one
   scripted turn) against plain tool iterations: ms per iteration and the ratio.

    .venv/bin/python bench/agent_loop.py [--iterations 1000] [--subscribers 100]
                                         [--delegations 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def scripted_session(http: httpx.Client, turns: list[object], **params: object) -> str:
    body = {
        "name": "bench",
        "chat_model_config": {"type": "scripted", "parameters": {"turns": turns, **params}},
        "react_config": {"max_iters": len(turns) + 1},
    }
    agent = http.post("/api/v1/agents", json=body).json()
    box = http.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
    return str(http.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"])


def loop_overhead(http: httpx.Client, iterations: int) -> None:
    turns: list[object] = [
        [{"type": "tool_use", "id": f"t{i}", "name": "list_files", "input": {}}]
        for i in range(iterations)
    ]
    turns.append([{"type": "text", "text": "done"}])
    sid = scripted_session(http, turns)
    started = time.perf_counter()
    reply = http.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"}, timeout=600)
    elapsed = time.perf_counter() - started
    assert reply.status_code == 200 and reply.json()["content"][0]["text"] == "done", reply.text
    print(
        f"agent loop: {iterations} tool iterations in {elapsed:.2f} s → "
        f"{elapsed / (iterations + 1) * 1000:.2f} ms per iteration (model turn + tool + 2 commits)"
    )


def delegation_overhead(http: httpx.Client, iterations: int) -> tuple[float, float]:
    """A team leader whose every iteration delegates to a member (a child session in the same
    sandbox, one scripted turn), against the same number of plain tool iterations; ms each."""
    member = http.post(
        "/api/v1/agents",
        json={
            "name": "member",
            "chat_model_config": {
                "type": "scripted",
                "parameters": {"turns": [[{"type": "text", "text": "ok"}]]},
            },
        },
    ).json()["id"]
    turns: list[object] = [
        [{"type": "tool_use", "id": f"d{i}", "name": "delegate",
          "input": {"member": member, "task": f"task {i}"}}]
        for i in range(iterations)
    ]  # fmt: skip
    turns.append([{"type": "text", "text": "done"}])
    leader = http.post(
        "/api/v1/agents",
        json={
            "name": "leader",
            "chat_model_config": {"type": "scripted", "parameters": {"turns": turns}},
            "react_config": {"max_iters": iterations + 1},
        },
    ).json()["id"]
    team = http.post(
        "/api/v1/teams", json={"name": "bench", "leader_agent_id": leader, "member_ids": [member]}
    ).json()["id"]
    box = http.post("/api/v1/sandboxes", json={}).json()["id"]
    sid = http.post(f"/api/v1/sandboxes/{box}/sessions", json={"team_id": team}).json()["id"]
    started = time.perf_counter()
    reply = http.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"}, timeout=600)
    delegated = (time.perf_counter() - started) / (iterations + 1) * 1000
    assert reply.status_code == 200 and reply.json()["content"][0]["text"] == "done", reply.text
    plain_turns: list[object] = [
        [{"type": "tool_use", "id": f"t{i}", "name": "list_files", "input": {}}]
        for i in range(iterations)
    ]
    plain_turns.append([{"type": "text", "text": "done"}])
    plain_sid = scripted_session(http, plain_turns)
    started = time.perf_counter()
    reply = http.post(f"/api/v1/sessions/{plain_sid}/messages", json={"content": "go"}, timeout=600)
    plain = (time.perf_counter() - started) / (iterations + 1) * 1000
    assert reply.status_code == 200, reply.text
    print(
        f"delegation: {iterations} delegated calls {delegated:.2f} ms per iteration, "
        f"plain tool calls {plain:.2f} ms per iteration: {delegated / plain:.2f}x "
        "(aim: within 2x)"
    )
    return delegated, plain


def interrupt_latency(http: httpx.Client, rounds: int) -> None:
    """POST /interrupt answers once the run has stopped: its latency is the stop time."""
    long_text = " ".join(f"w{i}" for i in range(2000))
    results = {}
    for label, turn in (
        ("during the model stream", [{"type": "text", "text": long_text}]),
        (
            "during run_command sleep 30",
            [
                {
                    "type": "tool_use",
                    "id": "c",
                    "name": "run_command",
                    "input": {"command": "sleep 30"},
                }
            ],
        ),
    ):
        times = []
        for _ in range(rounds):
            sid = scripted_session(http, [turn, [{"type": "text", "text": "ok"}]], chunk_delay_ms=5)
            http.post(
                f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
            )
            time.sleep(0.4)
            started = time.perf_counter()
            stopped = http.post(f"/api/v1/sessions/{sid}/interrupt", timeout=30).json()
            times.append((time.perf_counter() - started) * 1000)
            assert stopped["interrupted"] is True, stopped
        results[label] = times
    for label, times in results.items():
        print(
            f"interrupt {label}: p50 {pct(times, 0.5):.1f} ms, max {max(times):.1f} ms "
            f"over {rounds} runs (until the run has stopped)"
        )


async def fan_out(port: int, key: str, sid: str, subscribers: int, http: httpx.Client) -> None:
    latencies: list[float] = []
    done = 0

    async def follow() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET /api/v1/sessions/{sid}/stream HTTP/1.1\r\nHost: b\r\n"
            f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"data: {") and b'"seq"' in line:
                now = time.time()
                event = json.loads(line[6:])
                stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
                latencies.append((now - stamp.timestamp()) * 1000)
                if event["type"] == "session_completed":
                    break
        writer.close()
        done += 1

    tasks = [asyncio.create_task(follow()) for _ in range(subscribers)]
    await asyncio.sleep(1.5)
    await asyncio.to_thread(
        http.post, f"/api/v1/sessions/{sid}/messages", json={"content": "talk"}, timeout=120
    )
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    print(
        f"SSE fan-out: {subscribers} subscribers, {len(latencies)} deliveries; "
        f"event → subscriber p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--delegations", type=int, default=200)
    ns = parser.parse_args()
    os.chdir(ROOT)
    data_dir = tempfile.mkdtemp(prefix="waypost-bench-")
    port, smtp_port = free_port(), free_port()
    cli = [sys.executable, "-m", "waypost.cli"]
    key = subprocess.run(
        [*cli, "keys", "create", "--user", "bench", "--data-dir", data_dir],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    server = subprocess.Popen(
        [
            *cli,
            "serve",
            "--port",
            str(port),
            "--smtp-port",
            str(smtp_port),
            "--data-dir",
            data_dir,
            "--log-level",
            "warning",
        ]
    )
    try:
        http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}
        )
        for _ in range(200):
            try:
                if http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        loop_overhead(http, ns.iterations)
        delegation_overhead(http, ns.delegations)
        interrupt_latency(http, 10)
        text = " ".join(f"token{i}" for i in range(300))
        sid = scripted_session(http, [[{"type": "text", "text": text}]], chunk_delay_ms=10)
        asyncio.run(fan_out(port, key, sid, ns.subscribers, http))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
