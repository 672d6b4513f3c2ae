"""How long starting one sandbox process stalls the server's event loop, by server size.

Waypost's server runs on uvloop, whose ``create_subprocess_exec`` forks: the kernel copies
the parent's page tables while the loop waits, so the stall grows with the server's memory.
``waypost.sandbox.spawn`` starts children with ``subprocess.Popen`` (vfork) and awaits them
through a pidfd. For each heap size this script grows the process to that size (touched
pages), starts ``/bin/true`` ``--spawns`` times each way on a uvloop loop and prints the
p50/p90 of the time the loop was held by the call (the spawn; the child's exit is awaited
afterwards and not counted).

    .venv/bin/python bench/spawn.py [--sizes 50,400,1000] [--spawns 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, percentile

from waypost.sandbox.spawn import spawn

MB = 1024 * 1024


async def _uvloop_spawn() -> float:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        "/bin/true", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
    )
    held = time.perf_counter() - started
    await proc.wait()
    return held


async def _waypost_spawn() -> float:
    started = time.perf_counter()
    child = await spawn(["/bin/true"])
    held = time.perf_counter() - started
    await child.wait()
    return held


async def measure(spawns: int) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    for name, one in (("uvloop fork", _uvloop_spawn), ("waypost spawn", _waypost_spawn)):
        held = [await one() * 1000 for _ in range(spawns)]
        figures[name] = {"p50": percentile(held, 0.5), "p90": percentile(held, 0.9)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,400,1000", help="server heap sizes, MB")
    parser.add_argument("--spawns", type=int, default=100)
    args = parser.parse_args()
    print(machine())
    heap: list[bytearray] = []
    results = {}
    for size in sorted(int(s) for s in args.sizes.split(",")):
        while len(heap) < size:
            heap.append(bytearray(b"x" * MB))  # touched: the pages exist
        figures = uvloop.run(measure(args.spawns))
        results[size] = figures
        line = ", ".join(
            f"{k} p50 {v['p50']:.2f} / p90 {v['p90']:.2f} ms" for k, v in figures.items()
        )
        print(f"{size:>5} MB heap: loop held by one spawn: {line}")
    print(json.dumps({"bench": "spawn", "spawns": args.spawns, "results": results}))


if __name__ == "__main__":
    main()
