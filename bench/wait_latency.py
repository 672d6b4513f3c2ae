"""Email → waiting HTTP call latency with many waits open at once.

Starts a real ``waypost serve`` (SQLite by default, or a scratch PostgreSQL
database), creates N inboxes each with an ``otp`` wait, holds N blocked
``GET /api/v1/waits/{id}?block=true`` calls open, then sends one realistic
verification email per inbox over SMTP. For each email it measures the time
from the server's ``250`` to the moment the blocked call is answered, and it
reads the server's RSS before and after the calls are opened (memory per open
wait).

    .venv/bin/python bench/wait_latency.py [--waits 1000] [--rate 100] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiosmtplib
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import hold_blocked_wait, otp_email

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(waits: int, database: str, rate: float) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="waypost-bench-"))
    port, smtp_port = free_port(), free_port()
    db_name = None
    args = [
        sys.executable, "-m", "waypost.cli", "serve", "--port", str(port),
        "--smtp-port", str(smtp_port), "--data-dir", str(data_dir), "--log-level", "warning",
    ]  # fmt: skip
    if database == "postgres":
        db_name = f"waypost_bench_{uuid.uuid4().hex[:8]}"
        await pg(f'CREATE DATABASE "{db_name}"')
        args += ["--database-url", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db_name}"]
    key_args = [sys.executable, "-m", "waypost.cli", "keys", "create", "--user", "bench"]
    key_args += args[args.index("--data-dir") : args.index("--data-dir") + 2]
    if db_name:
        key_args += ["--database-url", args[-1]]
    key = subprocess.run(key_args, capture_output=True, text=True, check=True).stdout.split()[-1]  # noqa: ASYNC221
    server = subprocess.Popen(args, cwd=ROOT)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(
            base_url=base,
            headers={"Authorization": f"Bearer {key}"},
            timeout=httpx.Timeout(60, read=None),
            limits=httpx.Limits(max_connections=waits + 50, max_keepalive_connections=waits + 50),
        ) as http:
            for _ in range(200):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            setup = asyncio.Semaphore(16)

            async def make_pair() -> tuple[str, str]:
                async with setup:
                    inbox = (await http.post("/api/v1/inboxes", json={})).json()
                    wait = (
                        await http.post(
                            "/api/v1/waits",
                            json={"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 600},
                        )
                    ).json()
                return inbox["email_address"], wait["id"]

            pairs = await asyncio.gather(*(make_pair() for _ in range(waits)))
            rss_before = rss_kib(server.pid)
            answered: dict[str, float] = {}

            holders = [
                asyncio.create_task(hold_blocked_wait(port, key, w, answered)) for _, w in pairs
            ]
            await asyncio.sleep(2.0)  # let every blocked call reach the server
            rss_open = rss_kib(server.pid)
            acked: dict[str, float] = {}
            smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port)
            await smtp.connect()
            start = time.perf_counter()
            for i, (address, wait_id) in enumerate(pairs):
                await smtp.sendmail(
                    "bench@acme.test", [address], otp_email(address, f"{100000 + i}")
                )
                acked[wait_id] = time.perf_counter()
                await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.perf_counter()))
            await smtp.quit()
            await asyncio.wait_for(asyncio.gather(*holders), 120)
        latencies = [(answered[w] - acked[w]) * 1000 for _, w in pairs]
        sent_rate = waits / (max(acked.values()) - min(acked.values()) + 1e-9)
        print(f"database: {database}; open waits: {waits}; emails at {sent_rate:.0f}/s")
        print(
            f"250 → answer: p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {pct(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms"
        )
        print(
            f"server RSS: {rss_before / 1024:.0f} MiB before, {rss_open / 1024:.0f} MiB with "
            f"{waits} blocked calls → {(rss_open - rss_before) / waits:.1f} KiB per open wait"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        if db_name:
            await pg(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waits", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rate", type=float, default=100.0, help="emails per second")
    ns = parser.parse_args()
    os.chdir(ROOT)
    asyncio.run(run(ns.waits, ns.database, ns.rate))


if __name__ == "__main__":
    main()
