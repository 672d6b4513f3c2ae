"""What a file tool call costs now that it crosses a process boundary.

For read_file, list_files, glob and grep on a small sandbox, prints the p50/p99 wall time
of one call made in the server's own process (how tools ran before issue 10) and of one
call through a `Workspace` (the worker process the server uses now), and the worker's
start-up time (paid once per run, on its first file tool call).

    .venv/bin/python bench/file_tools.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from waypost.sandbox import Limits, Sandbox, Workspace, call_tool
from waypost.sandbox.tools import run_file_tool

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("read_file", {"path": "src/module_7.py"}),
    ("list_files", {"path": "src"}),
    ("glob", {"pattern": "**/*.py"}),
    ("grep", {"pattern": "def f[0-9]+", "path": "src"}),
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_tree(root: Path) -> None:
    (root / "src").mkdir(parents=True)
    for i in range(50):
        body = "".join(f"def f{j}():\n    return {j}\n\n" for j in range(40))
        (root / "src" / f"module_{i}.py").write_text(body)


async def main(calls: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "box"
        make_tree(root)
        in_process = Sandbox(root, Limits())
        figures: dict[str, Any] = {"calls": calls, "tools": {}}
        starts: list[float] = []
        for _ in range(5):
            ws = Workspace(root, Limits(), "bench-start")
            started = time.perf_counter()
            await call_tool(ws, "list_files", {"path": "."})
            starts.append(time.perf_counter() - started)
            await ws.close()
        figures["worker_start_ms"] = round(statistics.median(starts) * 1000, 1)
        ws = Workspace(root, Limits(), "bench")
        await call_tool(ws, "list_files", {})  # started once, as in a run
        for name, args in CALLS:
            local: list[float] = []
            remote: list[float] = []
            for _ in range(calls):
                started = time.perf_counter()
                run_file_tool(in_process, name, args)
                local.append(time.perf_counter() - started)
                started = time.perf_counter()
                result = await call_tool(ws, name, args)
                remote.append(time.perf_counter() - started)
                assert not result.is_error, result.content
            figures["tools"][name] = {
                "in_process_p50_ms": round(pct(local, 0.5) * 1000, 3),
                "in_process_p99_ms": round(pct(local, 0.99) * 1000, 3),
                "worker_p50_ms": round(pct(remote, 0.5) * 1000, 3),
                "worker_p99_ms": round(pct(remote, 0.99) * 1000, 3),
            }
        await ws.close()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    result = asyncio.run(main(args.calls))
    print(f"load average {os.getloadavg()[0]:.1f}; worker start {result['worker_start_ms']} ms")
    print(f"{'tool':<12}{'in-process p50/p99 ms':>24}{'worker p50/p99 ms':>22}")
    for name, row in result["tools"].items():
        here = f"{row['in_process_p50_ms']:.3f} / {row['in_process_p99_ms']:.3f}"
        there = f"{row['worker_p50_ms']:.3f} / {row['worker_p99_ms']:.3f}"
        print(f"{name:<12}{here:>24}{there:>22}")
    print(json.dumps(result))
