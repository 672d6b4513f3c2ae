"""waypost.sandbox.spawn: children started with vfork and awaited through a pidfd."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import tempfile

from waypost.sandbox.spawn import spawn


def _reaped(pid: int) -> bool:
    """True once no process (not even a zombie) has this pid as our child."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


async def test_the_exit_code_and_the_signal_are_reported_and_the_child_reaped() -> None:
    done = await spawn(["/bin/sh", "-c", "exit 7"])
    assert await done.wait() == 7 and done.returncode == 7
    assert _reaped(done.pid)

    sleeper = await spawn(["/bin/sleep", "30"])
    assert sleeper.returncode is None
    sleeper.kill()
    assert await sleeper.wait() == -signal.SIGKILL
    assert _reaped(sleeper.pid)
    sleeper.kill()  # already reaped: nothing is signalled


async def test_a_cancelled_wait_leaves_the_exit_to_a_later_one() -> None:
    child = await spawn(["/bin/sleep", "30"])
    waiter = asyncio.ensure_future(child.wait())
    await asyncio.sleep(0.05)
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    child.kill()
    assert await asyncio.wait_for(child.wait(), 5) == -signal.SIGKILL


async def test_pipes_become_streams_and_the_child_is_in_a_session_of_its_own() -> None:
    child = await spawn(
        ["/bin/sh", "-c", "read line; echo got $line; ps -o sid= -p $$"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(b"hello\n")
    await child.stdin.drain()
    child.stdin.close()
    out = await asyncio.wait_for(child.stdout.read(), 5)
    assert await child.wait() == 0
    first, session = out.decode().split("\n", 1)
    assert first == "got hello"
    assert int(session) == child.pid != os.getsid(0)


async def test_output_can_go_to_a_file() -> None:
    with tempfile.TemporaryFile() as out:
        child = await spawn(["/bin/echo", "to a file"], stdout=out, stderr=subprocess.STDOUT)
        assert await child.wait() == 0
        out.seek(0)
        assert out.read() == b"to a file\n"
