"""What extracting one email off the event loop costs: inline, through Waypost's worker
pool (``waypost.extract.pool``: workers on pipes the loop reads) and through a
``concurrent.futures.ProcessPoolExecutor`` (how it was done before), on a uvloop loop.

Each way runs ``--calls`` extractions of a realistic verification email (``otp``), back to
back and then with a ``--gap`` ms pause between calls (an idle server: the processes sleep
between mails and wake cold). Prints p50/p90 of the wall time of one call.

    .venv/bin/python bench/extraction_pool.py [--calls 300] [--gap 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, otp_email, percentile

from waypost.extract import pool

RAW = otp_email("someone@waypost.localhost", "482913")


async def timed(one: Callable[[], Awaitable[object]], calls: int, gap: float) -> dict[str, float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await one()
        samples.append((time.perf_counter() - started) * 1000)
        if gap:
            await asyncio.sleep(gap)
    return {"p50": round(percentile(samples, 0.5), 3), "p90": round(percentile(samples, 0.9), 3)}


async def measure(calls: int, gap_ms: float) -> dict[str, dict[str, dict[str, float]]]:
    loop = asyncio.get_running_loop()
    executor = ProcessPoolExecutor(pool.WORKERS, mp_context=multiprocessing.get_context("spawn"))
    await asyncio.gather(
        *(loop.run_in_executor(executor, pool.run, RAW, ("otp",)) for _ in range(4))
    )
    await pool.warm()

    async def inline() -> object:
        return pool.run(RAW, ("otp",))

    async def workers() -> object:
        return await pool.extract_off_loop(RAW, ("otp",))

    async def process_pool() -> object:
        return await loop.run_in_executor(executor, pool.run, RAW, ("otp",))

    figures: dict[str, dict[str, dict[str, float]]] = {}
    for gap in (0.0, gap_ms / 1000):
        label = "back to back" if not gap else f"{gap_ms:g} ms apart"
        figures[label] = {
            name: await timed(one, calls, gap)
            for name, one in (
                ("inline", inline),
                ("waypost workers", workers),
                ("ProcessPoolExecutor", process_pool),
            )
        }
    await pool.close()
    executor.shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--gap", type=float, default=20.0, help="ms between calls, second pass")
    args = parser.parse_args()
    print(machine())
    figures = uvloop.run(measure(args.calls, args.gap))
    for label, row in figures.items():
        line = ", ".join(f"{k} p50 {v['p50']:.2f} / p90 {v['p90']:.2f}" for k, v in row.items())
        print(f"{label}: {line} ms")
    print(json.dumps({"bench": "extraction_pool", "calls": args.calls, "figures": figures}))


if __name__ == "__main__":
    main()
