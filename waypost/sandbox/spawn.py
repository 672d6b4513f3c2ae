"""Starting the sandbox's processes without stalling the server's event loop.

uvloop starts a child with fork(): the kernel copies the whole server's page tables while the
loop waits, and the wait grows with the server (p50 3.0 ms at 50 MB, 8.2 ms at 400 MB, 16 ms
at 1 GB; ``bench/spawn.py``). ``subprocess.Popen`` uses vfork() when no ``preexec_fn`` is
given: 0.2 ms whatever the size. The child is then awaited through a pidfd the loop watches
(a thread waits where the kernel has no pidfd), and its pipes, if any, become asyncio streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Callable, Sequence
from typing import IO, Any

STREAM_LIMIT = 2**16  # asyncio's own default for a StreamReader


class Child:
    """A started process, awaited like ``asyncio.subprocess.Process``."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self._exit: asyncio.Future[int] | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL, unless it was already reaped (then its pid may be another process's)."""
        if self.popen.returncode is None:
            self.popen.kill()

    async def wait(self) -> int:
        """Its exit code (negative: the signal that ended it), once it has exited."""
        if self.popen.returncode is not None:
            return self.popen.returncode
        if self._exit is None:
            self._exit = self._watch_exit()
        return await asyncio.shield(self._exit)

    def _watch_exit(self) -> asyncio.Future[int]:
        loop = asyncio.get_running_loop()
        try:
            pidfd = os.pidfd_open(self.popen.pid)
        except (AttributeError, OSError):  # no pidfd here: a thread blocks in waitpid
            return asyncio.ensure_future(asyncio.to_thread(self.popen.wait))
        exited: asyncio.Future[int] = loop.create_future()

        def on_exit() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            code = self.popen.wait()  # it has exited: this only reaps it
            if not exited.done():
                exited.set_result(code)

        loop.add_reader(pidfd, on_exit)
        return exited


async def spawn(
    argv: Sequence[str],
    *,
    stdin: int | IO[Any] | None = subprocess.DEVNULL,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
    stderr: int | IO[Any] | None = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Child:
    """Start ``argv`` in a session of its own (no controlling terminal). ``PIPE`` for stdin
    or stdout gives the child asyncio streams there. A ``preexec_fn`` makes Python fork
    instead of vfork: keep it for the exceptions."""
    popen = subprocess.Popen(  # noqa: ASYNC220 - vfork: returns once the child has exec'd
        list(argv),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        env=env,
        start_new_session=True,
        preexec_fn=preexec_fn,
    )
    child = Child(popen)
    try:
        loop = asyncio.get_running_loop()
        if popen.stdout is not None:
            reader = asyncio.StreamReader(limit=STREAM_LIMIT, loop=loop)
            await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader, loop=loop), popen.stdout
            )
            child.stdout = reader
        if popen.stdin is not None:
            transport, protocol = await loop.connect_write_pipe(
                lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader(loop=loop), loop=loop),
                popen.stdin,
            )
            child.stdin = asyncio.StreamWriter(transport, protocol, None, loop)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        raise
    return child
