"""SMTP ingest throughput and latency of a real waypost server, against a do-nothing ceiling.

What is measured:

1. A fresh ``waypost serve`` (free ports, new SQLite data dir or a scratch PostgreSQL
   database), one API key, one inbox.
2. Idle latency: 50 messages over one connection before the load (also a warm-up).
3. Load: ``--messages`` messages of ``--size`` bytes over ``--sessions`` concurrent,
   persistent SMTP sessions, driven by postfix's ``smtp-source`` (fetch it with
   ``bench/get-smtp-source.sh``; without it a Python asyncio client in its own process
   is used instead, and the output says so). Throughput = 250s / wall time.
4. While the load runs, a probe (one more connection, in this process) sends messages
   one at a time and records the time from the end of DATA (``.``) to the ``250``:
   since waypost answers 250 only after the commit, this is the ingest latency.
5. The same load and probe against two do-nothing servers whose ``handle_DATA``
   returns ``250 OK`` and stores nothing, on the same loop (uvloop) as waypost:
   ``raw``, stock aiosmtpd (the issue's ceiling of one Python SMTP event loop), and
   ``raw-wp``, the tuned aiosmtpd protocol waypost itself serves with
   (:mod:`waypost.mail.protocol`). waypost/raw is the headline ratio; waypost/raw-wp
   is what storing costs on top of the same protocol code.
6. Checks that the inbox's stored ``total`` equals the number of 250s waypost sent.

Steps 3-5 are repeated ``--rounds`` times, alternating the servers with all of them
up, and the median ratios are reported (a shared machine's noise hits every side).

Usage: .venv/bin/python bench/smtp_ingest.py [--messages 5000] [--sessions 16]
       [--size 2048] [--database sqlite|postgres] [--rounds 3] [--smtp-workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    COMMON_PY,
    PYTHON,
    SMTP_SOURCE,
    SMTP_SOURCE_LIBS,
    LoadResult,
    SMTPClient,
    machine,
    make_message,
    percentile,
    process_cpu_seconds,
    raw_smtp_server,
    smtp_load_args,
    waypost_server,
)

IDLE_MESSAGES = 50


@dataclass
class Run:
    """One load run against one server."""

    tool: str
    load: LoadResult
    probe: list[float]
    idle: list[float]
    server_cpu: float
    main_cpu: float  # the server's own process, without its SMTP workers

    @property
    def ok(self) -> int:
        """Every 250 the server sent (load, probe and idle messages)."""
        return self.load.ok + len(self.probe) + len(self.idle)

    @property
    def rate(self) -> float:
        """Messages accepted per second during the load (probe included)."""
        return (self.load.ok + len(self.probe)) / self.load.seconds


def smtp_source_available() -> bool:
    """Whether bench/get-smtp-source.sh has been run."""
    return SMTP_SOURCE.is_file() and os.access(SMTP_SOURCE, os.X_OK)


async def _run_smtp_source(
    port: int, to: str, messages: int, sessions: int, size: int
) -> LoadResult:
    env = {**os.environ, "LD_LIBRARY_PATH": str(SMTP_SOURCE_LIBS)}
    args = ["-c", "-d", "-s", str(sessions), "-m", str(messages), "-l", str(size)]
    args += ["-f", "bench@example.test", "-t", to, f"127.0.0.1:{port}"]
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        str(SMTP_SOURCE),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    seconds = time.perf_counter() - start
    counts = re.findall(rb"\d+", out)
    done = int(counts[-1]) if counts else 0
    if proc.returncode != 0 or err.strip():
        sys.stderr.write(f"smtp-source exit {proc.returncode}: {err.decode(errors='replace')}\n")
    # The counter ticks per accepted message; smtp-source stops (fatal) on a rejection.
    return LoadResult(done, messages - done, seconds, [])


async def _run_python_load(
    port: int, to: str, messages: int, sessions: int, size: int
) -> LoadResult:
    proc = await asyncio.create_subprocess_exec(
        PYTHON,
        str(COMMON_PY),
        *smtp_load_args(port, to, messages, sessions, size),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    return LoadResult.from_json(out.decode().strip().splitlines()[-1])


async def _probe(port: int, to: str, size: int, limit: int, stop: asyncio.Event) -> list[float]:
    client = await SMTPClient.connect(port)
    samples: list[float] = []
    try:
        while len(samples) < limit and not stop.is_set():
            samples.append(await client.send("probe@example.test", to, make_message(size, to, -1)))
    finally:
        await client.close()
    return samples


async def run_load(
    port: int, pid: int, to: str, messages: int, sessions: int, size: int, probe_limit: int
) -> Run:
    """Idle latency, then the load with the probe alongside it."""
    client = await SMTPClient.connect(port)
    idle = [
        await client.send("probe@example.test", to, make_message(size, to, -2))
        for _ in range(IDLE_MESSAGES)
    ]
    await client.close()
    use_source = smtp_source_available()
    runner = _run_smtp_source if use_source else _run_python_load
    stop = asyncio.Event()
    cpu0 = process_cpu_seconds(pid)
    load_task = asyncio.create_task(runner(port, to, messages, sessions, size))
    load_task.add_done_callback(lambda _: stop.set())
    await asyncio.sleep(0.2)  # let the load ramp up before sampling
    probe = await _probe(port, to, size, probe_limit, stop)
    load = await load_task
    cpu1 = process_cpu_seconds(pid)
    cpu = sum(cpu1[p] - cpu0.get(p, 0.0) for p in cpu1) / load.seconds
    main_cpu = (cpu1.get(pid, 0.0) - cpu0.get(pid, 0.0)) / load.seconds
    tool = "smtp-source" if use_source else "python asyncio client (smtp-source missing)"
    return Run(tool, load, probe, idle, cpu, main_cpu)


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:7.2f}"


def report(name: str, run: Run) -> None:
    """Print one run's figures."""
    print(
        f"{name:<8} {run.rate:8.0f} msg/s  ({run.load.ok + len(run.probe)} x 250 "
        f"in {run.load.seconds:.2f} s, {run.load.failed} failed; server CPU {run.server_cpu:.0%}"
        + (f" (main {run.main_cpu:.0%})" if run.main_cpu < run.server_cpu - 0.01 else "")
        + "; "
        f"load by {run.tool})"
    )
    print(
        f"{'':<8} DATA->250 ms under load: p50 {_ms(run.probe, 0.5)}  p99 {_ms(run.probe, 0.99)}"
        f"  (n={len(run.probe)});  idle: p50 {_ms(run.idle, 0.5)}  p99 {_ms(run.idle, 0.99)}"
    )


def main() -> int:
    """Run the benchmark; exit 1 if stored mail does not match the 250s."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--probe", type=int, default=200, help="max probe messages")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--rounds", type=int, default=3, help="waypost/raw pairs, alternated; median ratio"
    )
    parser.add_argument(
        "--smtp-workers", type=int, default=0, help="waypost serve --smtp-workers N (0: none)"
    )
    args = parser.parse_args()
    if not smtp_source_available():
        print("smtp-source not found (run bench/get-smtp-source.sh): using a Python load client")
    print(
        f"smtp_ingest: {args.messages} msgs x {args.size} B over {args.sessions} sessions, "
        f"database={args.database}, smtp workers={args.smtp_workers}, {args.rounds} rounds; "
        f"{machine()}"
    )
    load = (args.messages, args.sessions, args.size, args.probe)
    ratios: dict[str, list[float]] = {"raw": [], "raw-wp": []}
    ok = True
    # All servers stay up and the loads alternate, so a noisy neighbour on a shared
    # machine hits every side of a ratio alike; the median ratio is the figure.
    extra = ("--smtp-workers", str(args.smtp_workers)) if args.smtp_workers else ()
    with (
        waypost_server(args.database, extra_args=extra) as wp,
        raw_smtp_server("aiosmtpd") as raw,
        raw_smtp_server("waypost") as raw_wp,
    ):
        inbox_id, address = wp.create_inbox()
        accepted = 0
        for round_no in range(1, args.rounds + 1):
            wp_run = asyncio.run(run_load(wp.smtp_port, wp.proc.pid, address, *load))
            accepted += wp_run.ok
            print(f"round {round_no}")
            report("waypost", wp_run)
            for name, (port, pid) in (("raw", raw), ("raw-wp", raw_wp)):
                sink_run = asyncio.run(run_load(port, pid, "sink@raw.bench", *load))
                report(name, sink_run)
                ratios[name].append(wp_run.rate / sink_run.rate)
            print(
                f"ratio    waypost/raw = {ratios['raw'][-1]:.2f}"
                f"   waypost/raw-wp = {ratios['raw-wp'][-1]:.2f}"
            )
        stored = wp.email_total(inbox_id)
        ok = stored == accepted
        print(f"check    stored {stored} == 250s {accepted}: {'OK' if ok else 'MISMATCH'}")
    for name, values in ratios.items():
        print(
            f"median   waypost/{name:<6} = {statistics.median(values):.2f}"
            f"  (rounds: {', '.join(f'{r:.2f}' for r in values)})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
