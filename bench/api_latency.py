"""HTTP API latency and throughput of a real waypost server under concurrent clients.

What is measured, against a fresh ``waypost serve`` (free ports, new SQLite data dir or a
scratch PostgreSQL database) with ``--seed`` emails of ~2 KB delivered over SMTP first:

- ``POST /api/v1/inboxes {}``           create an inbox (a write transaction + an event);
- ``GET  /api/v1/emails/{id}``          one parsed email (rotating over the seeded ids);
- ``GET  /api/v1/inboxes/{id}/emails``  the first page (20) of an inbox of ``--seed`` emails.

Each endpoint gets ``--concurrency`` concurrent keep-alive connections and reports
requests/s, p50 and p99 latency, and the server process's CPU use over the run (near
100 % of one core means the single server event loop, not the client, is the limit).

Client: ``wrk`` (C; ``apt-get install -y wrk``) with a generated Lua script that sets the
Authorization header, run for ``--duration`` seconds with one thread, when it is
installed; otherwise (or with ``--client httpx``) ``httpx.AsyncClient`` sending
``--requests`` requests per endpoint from this process. The output names the client.

Usage: .venv/bin/python bench/api_latency.py [--concurrency 16] [--duration 10]
       [--requests 3000] [--client wrk|httpx] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    SMTPClient,
    Waypost,
    cpu_seconds,
    machine,
    make_message,
    percentile,
    waypost_server,
)


@dataclass
class Endpoint:
    """One thing to measure: a method and the paths to cycle through."""

    name: str
    method: str
    paths: list[str]
    body: str | None = None


@dataclass
class Result:
    """Figures for one endpoint."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu: float

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


LUA = """
local paths = {%(paths)s}
local i = 0
wrk.method = "%(method)s"
wrk.headers["Authorization"] = "Bearer %(key)s"
wrk.headers["Content-Type"] = "application/json"
%(body)s
request = function()
  i = i + 1
  return wrk.format(nil, paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d, "
    .. "\\"errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(wp: Waypost, ep: Endpoint, concurrency: int, duration: int) -> Result:
    """One endpoint with wrk (1 thread, ``concurrency`` connections)."""
    script = LUA % {
        "paths": ", ".join(json.dumps(p) for p in ep.paths),
        "method": ep.method,
        "key": wp.key,
        "body": f"wrk.body = {json.dumps(ep.body)}" if ep.body is not None else "",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as f:
        f.write(script)
        f.flush()
        cpu0 = cpu_seconds(wp.proc.pid)
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{concurrency}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                wp.http_url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        cpu = cpu_seconds(wp.proc.pid) - cpu0
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    d = json.loads(line[5:])
    seconds = d["duration_us"] / 1e6
    return Result(
        d["requests"], seconds, d["p50_us"] / 1e3, d["p99_us"] / 1e3, d["errors"], cpu / seconds
    )


async def run_httpx(wp: Waypost, ep: Endpoint, concurrency: int, requests: int) -> Result:
    """One endpoint with httpx.AsyncClient, ``concurrency`` workers, ``requests`` in all."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=wp.http_url, headers=wp.headers, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                path = ep.paths[i % len(ep.paths)]
                t0 = time.perf_counter()
                r = await client.request(
                    ep.method,
                    path,
                    content=ep.body,
                    headers={"content-type": "application/json"} if ep.body else None,
                )
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code >= 400

        cpu0 = cpu_seconds(wp.proc.pid)
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - start
        cpu = cpu_seconds(wp.proc.pid) - cpu0
    return Result(
        len(latencies),
        seconds,
        percentile(latencies, 0.5) * 1e3,
        percentile(latencies, 0.99) * 1e3,
        errors,
        cpu / seconds,
    )


async def seed(wp: Waypost, count: int, size: int) -> tuple[str, list[str]]:
    """An inbox holding ``count`` emails; returns its id and the email ids."""
    inbox_id, address = wp.create_inbox()
    client = await SMTPClient.connect(wp.smtp_port)
    for n in range(count):
        await client.send("seed@example.test", address, make_message(size, address, n))
    await client.close()
    ids: list[str] = []
    cursor: str | None = None
    async with httpx.AsyncClient(base_url=wp.http_url, headers=wp.headers) as c:
        while True:
            params: dict[str, str | int] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            r = await c.get(f"/api/v1/inboxes/{inbox_id}/emails", params=params)
            r.raise_for_status()
            page = r.json()
            ids += [e["id"] for e in page["data"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
    if len(ids) != count:
        raise RuntimeError(f"seeded {count} emails, listed {len(ids)}")
    return inbox_id, ids


def main() -> int:
    """Run the benchmark and print one line per endpoint."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint (wrk)")
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint (httpx)")
    parser.add_argument("--client", choices=["wrk", "httpx"], default=None)
    parser.add_argument("--seed", type=int, default=200, help="emails in the listed inbox")
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "httpx")
    if client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk)")
    load = f"{args.duration:g} s" if client == "wrk" else f"{args.requests} requests"
    print(
        f"api_latency: client={client}, {args.concurrency} connections, {load} per endpoint, "
        f"database={args.database}; {machine()}"
    )
    with waypost_server(args.database) as wp:
        inbox_id, ids = asyncio.run(seed(wp, args.seed, args.size))
        endpoints = [
            Endpoint("create inbox", "POST", ["/api/v1/inboxes"], "{}"),
            Endpoint("get email", "GET", [f"/api/v1/emails/{i}" for i in ids]),
            Endpoint(f"list emails ({args.seed})", "GET", [f"/api/v1/inboxes/{inbox_id}/emails"]),
        ]
        print(f"{'endpoint':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} server CPU")
        for ep in endpoints:
            if client == "wrk":
                res = run_wrk(wp, ep, args.concurrency, args.duration)
            else:
                res = asyncio.run(run_httpx(wp, ep, args.concurrency, args.requests))
            print(
                f"{ep.name:<20} {res.rate:8.0f} {res.p50_ms:8.2f} {res.p99_ms:8.2f} "
                f"{res.errors:7d} {res.server_cpu:6.0%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
