"""Run the extraction engine off the event loop, in a small pool of worker processes.

The engine is bounded (see :mod:`._limits`) but its worst bounded input still costs
some hundreds of milliseconds of CPU in C regex calls that hold the GIL, so a thread
would still stall the loop; a process does not. Each worker is ``python -I -m
waypost.extract.worker``, started with vfork (:mod:`waypost.sandbox.spawn`) when the server
starts (:func:`warm`), and talks ``waypost.mail.ipc`` frames over its stdin/stdout, which
the loop reads itself. A ``ProcessPoolExecutor`` did this before, through a feeder and a
manager thread in the server: a call cost 0.82 ms back to back, now 0.59 ms (inline 0.21;
``bench/extraction_pool.py``). With the processes idle between mails both cost about 4 ms
(inline 1.2): waking cold processes, not the pipe, is then the cost.

Pools are per event loop (tests run several servers in one process) and end with
:func:`close`, which the app's lifespan calls. A worker that dies, or passes
``CALL_SECONDS`` on one mail, is killed and replaced, and the mail is tried on the next
(as many times as there are workers, plus one).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import weakref
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Literal

from waypost.mail import ipc

from ._model import Candidate, Extraction, MailContent
from .content import content_from_bytes

if TYPE_CHECKING:
    from waypost.sandbox.spawn import Child

Mode = Literal["otp", "magic_link", "auto"]

WORKERS = 2
START_SECONDS = 30.0  # a fresh interpreter importing the engine, on a loaded machine
CALL_SECONDS = 60.0  # far above the engine's bounded worst case (about 0.3 s)


class ExtractionFailed(RuntimeError):
    """The workers could not extract this mail (each attempt's worker died or overran)."""


def run(source: MailContent | bytes, kinds: Sequence[Mode]) -> dict[str, Extraction]:
    """Parse (raw bytes) and extract each kind; what a worker runs, also usable inline."""
    from . import extract  # the package's entry point (keeps this module importable alone)

    content = content_from_bytes(source) if isinstance(source, bytes) else source
    return {kind: extract(content, kind) for kind in dict.fromkeys(kinds)}


def _extraction(data: dict[str, Any]) -> Extraction:
    candidates = [Candidate(**c) for c in data.get("candidates", [])]
    return Extraction(data["type"], data["value"], data["confidence"], candidates)


class _Worker:
    """One extraction worker process and the frames channel to it."""

    def __init__(self, child: Child) -> None:
        assert child.stdin is not None and child.stdout is not None
        self.child = child
        self._channel = ipc.Channel(child.stdin, child.stdout)
        self._calls = 0

    @classmethod
    async def start(cls) -> _Worker:
        from waypost.sandbox.spawn import spawn  # the spawn helper, not the sandbox

        argv = [sys.executable, "-I", "-m", "waypost.extract.worker"]
        child = await spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        worker = cls(child)
        try:
            hello = await asyncio.wait_for(worker._next(), START_SECONDS)
        except BaseException:
            await worker.kill()
            raise
        if hello.kind != ipc.READY:
            await worker.kill()
            raise ExtractionFailed("an extraction worker did not start")
        return worker

    async def ask(self, kinds: Sequence[Mode], source: MailContent | bytes) -> ipc.Frame:
        self._calls += 1
        meta: dict[str, Any] = {"kinds": list(kinds)}
        raw = b""
        if isinstance(source, bytes):
            raw = source
        else:
            meta["content"] = asdict(source)
        await self._channel.send(ipc.Frame(self._calls, ipc.EXTRACT, meta, raw))
        reply = await self._next()
        if reply.id != self._calls or reply.kind != ipc.REPLY:
            raise ExtractionFailed("an extraction worker sent a malformed reply")
        return reply

    async def _next(self) -> ipc.Frame:
        try:
            frame = await self._channel.receive()
        except ValueError as exc:
            raise ExtractionFailed("an extraction worker sent a malformed reply") from exc
        if frame is None:
            raise ExtractionFailed("an extraction worker died")
        return frame

    async def kill(self) -> None:
        self.child.kill()
        if self.child.stdin is not None:
            self.child.stdin.close()
        await self.child.wait()

    async def close(self) -> None:
        """End it the polite way: its stdin closes and it leaves; killed if it lingers."""
        if self.child.stdin is not None:
            self.child.stdin.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.child.wait(), 2.0)
        await self.kill()


class ExtractionPool:
    """``size`` workers; a call takes an idle one (or waits for one)."""

    def __init__(self, size: int = WORKERS) -> None:
        self.size = size
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._starting: asyncio.Task[None] | None = None
        self._closed = False
        self._replacing: set[asyncio.Future[None]] = set()

    async def start(self) -> None:
        """Start the workers (once; later calls wait for the first)."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start_all())
        await asyncio.shield(self._starting)

    async def _start_all(self) -> None:
        started = await asyncio.gather(
            *(_Worker.start() for _ in range(self.size - len(self._workers))),
            return_exceptions=True,
        )
        for worker in started:
            if isinstance(worker, _Worker):
                self._add(worker)
        failed = [w for w in started if isinstance(w, BaseException)]
        if failed and not self._workers:
            self._starting = None  # try again on the next call
            raise failed[0]

    def _add(self, worker: _Worker) -> None:
        self._workers.add(worker)
        self._idle.put_nowait(worker)

    async def _replace(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        await worker.kill()
        if not self._closed:
            with contextlib.suppress(Exception):
                self._add(await _Worker.start())

    async def run(
        self, source: MailContent | bytes, kinds: Sequence[Mode]
    ) -> dict[str, Extraction]:
        """Each kind's extraction of ``source``, computed by a worker."""
        await self.start()
        attempts = self.size + 1  # every worker may have died since its last mail
        for attempt in range(1, attempts + 1):
            worker = await self._idle.get()
            try:
                reply = await asyncio.wait_for(worker.ask(kinds, source), CALL_SECONDS)
            except (ExtractionFailed, TimeoutError, OSError):
                await self._replace(worker)
                if attempt == attempts:
                    raise ExtractionFailed("the extraction workers failed on this mail") from None
                continue
            except BaseException:  # cancelled mid-call: that worker's reply would be stale
                replacing = asyncio.ensure_future(self._replace(worker))
                self._replacing.add(replacing)
                replacing.add_done_callback(self._replacing.discard)
                raise
            self._idle.put_nowait(worker)
            if "error" in reply.meta:
                raise ExtractionFailed(str(reply.meta["error"]))
            return {kind: _extraction(data) for kind, data in reply.meta["found"].items()}
        raise AssertionError("unreachable")

    async def close(self) -> None:
        self._closed = True
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ExtractionPool] = (
    weakref.WeakKeyDictionary()
)


def _pool() -> ExtractionPool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None or pool._closed:
        pool = _pools[loop] = ExtractionPool()
    return pool


async def warm() -> None:
    """Start this loop's workers now, so that the first emails do not wait for them (about
    0.3 s; a cold start made the email → waiting call p99 of a fresh server a second,
    docs/benchmarks.md)."""
    await _pool().start()


async def close() -> None:
    """End this loop's workers."""
    pool = _pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


async def extract_off_loop(
    source: MailContent | bytes, kinds: Sequence[Mode]
) -> dict[str, Extraction]:
    """:func:`run` in a worker process of this loop's pool."""
    return await _pool().run(source, kinds)
