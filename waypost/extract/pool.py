"""Run the extraction engine off the event loop, in a small pool of worker processes.

The engine is bounded (see :mod:`._limits`) but its worst bounded input still costs
some hundreds of milliseconds of CPU in C regex calls that hold the GIL, so a thread
would still stall the loop; a process does not. Workers are spawned (not forked: the
server runs threads) when the server starts (:func:`warm`) and import only
:mod:`waypost.extract`.

The pool belongs to the process and ends with it. It is deliberately never shut down
while the process goes on: ``shutdown(wait=False)`` of a ProcessPoolExecutor races its
manager thread on CPython 3.11, and an app stopping in a process that serves others
(tests run several) closed file descriptors that SQLite then read as a corrupt database.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Literal

from ._model import Extraction, MailContent
from .content import content_from_bytes

Mode = Literal["otp", "magic_link", "auto"]

WORKERS = 2

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def run(source: MailContent | bytes, kinds: Sequence[Mode]) -> dict[str, Extraction]:
    """Parse (raw bytes) and extract each kind; what a worker runs, also usable inline."""
    from . import extract  # the package's entry point (keeps this module importable alone)

    content = content_from_bytes(source) if isinstance(source, bytes) else source
    return {kind: extract(content, kind) for kind in dict.fromkeys(kinds)}


def _loaded() -> bool:
    """What :func:`warm` runs in each worker: the engine imported, nothing else."""
    from . import extract  # noqa: F401

    return True


async def warm() -> None:
    """Start the workers now and load the engine in each, so that the first emails do not
    wait for a spawn (about 0.8 s: it made the email → waiting call p99 of a fresh
    server a second, docs/benchmarks.md)."""
    loop = asyncio.get_running_loop()
    pool = _executor()
    await asyncio.gather(*(loop.run_in_executor(pool, _loaded) for _ in range(WORKERS)))


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def extract_off_loop(
    source: MailContent | bytes, kinds: Sequence[Mode]
) -> dict[str, Extraction]:
    """:func:`run` in a worker process; a pool whose worker died is replaced once."""
    loop = asyncio.get_running_loop()
    for attempt in range(2):
        pool = _executor()
        try:
            return await loop.run_in_executor(pool, run, source, tuple(kinds))
        except BrokenProcessPool:
            _discard(pool)
            if attempt:
                raise
    raise AssertionError("unreachable")
