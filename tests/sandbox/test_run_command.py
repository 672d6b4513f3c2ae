"""run_command under bubblewrap: confinement, no network, limits, killing the whole tree."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from waypost.sandbox import Limits, Sandbox, bwrap_status

pytestmark = pytest.mark.usefixtures("bwrap")


def _marker() -> str:
    """A sleep duration unique to one test, to find its processes in /proc."""
    return f"{random.randint(100_000, 999_999)}.{os.getpid()}"


def _live_with(marker: str) -> list[int]:
    """Pids of live (non-zombie) host processes whose command line contains `marker`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            stat = Path(f"/proc/{name}/stat").read_bytes()
        except OSError:
            continue
        state = stat[stat.rfind(b")") + 2 :][:1]
        if marker.encode() in cmdline and state not in (b"Z", b"X"):
            found.append(int(name))
    return found


async def _wait_for(marker: str, seconds: float = 10, count: int = 1) -> list[int]:
    """Live pids with `marker`, once there are at least `count` of them ([] past `seconds`)."""
    deadline = time.monotonic() + seconds
    pids: list[int] = []
    while time.monotonic() < deadline:
        if len(pids := _live_with(marker)) >= count:
            return pids
        await asyncio.sleep(0.05)
    return pids


async def test_status_is_cached_and_positive() -> None:
    first = bwrap_status()
    assert first[0] is True
    assert bwrap_status() is first


async def test_echo_and_workspace_writes_show_on_host(root: Path, sandbox: Sandbox) -> None:
    result = await sandbox.run_command("pwd; echo hello > made.txt; mkdir -p d && echo x > d/y")
    assert not result.is_error, result.content
    assert result.content.startswith("/workspace\n")
    assert "[exit code 0]" in result.content
    assert (root / "made.txt").read_text() == "hello\n"
    assert (root / "d" / "y").read_text() == "x\n"


async def test_sees_host_files_written_by_tools(sandbox: Sandbox) -> None:
    sandbox.write_file("in.txt", "from the tool\n")
    result = await sandbox.run_command("cat in.txt")
    assert result.content == "from the tool\n[exit code 0]"


async def test_nonzero_exit(sandbox: Sandbox) -> None:
    result = await sandbox.run_command("echo oops >&2; exit 3")
    assert result.is_error
    assert result.content == "oops\n[exit code 3]"


def _host_leaks(outside: Path) -> list[str]:
    """Host paths the escape attempts below would have created."""
    leaks = [p for p in ("/etc/x", "/work/evil", "/usr/evil") if os.path.lexists(p)]
    return leaks + sorted(set(os.listdir(outside)) - {"secret.py", "secret.txt"})


async def test_writing_outside_fails(sandbox: Sandbox, outside: Path) -> None:
    assert _host_leaks(outside) == []
    for cmd in (
        "echo x > /tmp/../etc/x",
        "touch /work/evil",
        "touch /usr/evil",
        f"mkdir -p {outside} && touch {outside}/evil && ls {outside}",
        f"cat {outside}/secret.txt",
        "cat /etc/shadow",
    ):
        result = await sandbox.run_command(cmd)
        assert "TOPSECRET" not in result.content
        if "mkdir" not in cmd:  # that one succeeds, but only inside the private /tmp
            assert result.is_error, (cmd, result.content)
    assert _host_leaks(outside) == []


async def test_no_network(sandbox: Sandbox) -> None:
    py = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3); print('CONNECTED')"
    result = await sandbox.run_command(f'python3 -c "{py}"')
    assert result.is_error and "CONNECTED" not in result.content
    assert "Network is unreachable" in result.content
    dns = await sandbox.run_command("getent hosts example.com")
    assert dns.is_error
    ifaces = await sandbox.run_command("tail -n +3 /proc/net/dev | cut -d: -f1")
    assert [i.strip() for i in ifaces.content.splitlines()[:-1]] == ["lo"]


async def test_environment_is_cleared(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_TEST_SECRET", "s3cr3t")
    result = await sandbox.run_command("env")
    assert "s3cr3t" not in result.content
    assert "HOME=/workspace" in result.content
    assert "LANG=C.UTF-8" in result.content


async def test_rlimits_apply(root: Path) -> None:
    box = Sandbox(root, Limits(cpu_seconds=17, memory_bytes=512 * 1024**2, max_processes=99))
    result = await box.run_command("ulimit -t; ulimit -v; ulimit -u")
    assert result.content.splitlines()[:3] == ["17", str(512 * 1024), "99"]
    hog = await box.run_command("python3 -c 'x = bytearray(1024**3)'")
    assert hog.is_error and "MemoryError" in hog.content


async def test_output_truncated(root: Path) -> None:
    box = Sandbox(root, Limits(max_output_bytes=1000))
    result = await box.run_command("head -c 5000 /dev/zero | tr '\\0' a; echo; echo END")
    assert "[output truncated: 4005 bytes omitted]" in result.content
    assert result.content.startswith("a" * 500 + "\n[output truncated")
    assert result.content.endswith("END\n[exit code 0]")
    assert len(result.content) < 1100


async def test_timeout_kills_the_whole_tree(root: Path) -> None:
    box = Sandbox(root, Limits(command_timeout_seconds=30))
    m1, m2 = _marker(), _marker()
    task = asyncio.create_task(
        box.run_command(f"sleep {m1} & (setsid sleep {m2} &); sleep {m1}", timeout=1.5)
    )
    assert await _wait_for(m1), "the sandboxed sleeps never showed up in /proc"
    assert await _wait_for(m2)
    result = await task
    assert result.is_error
    assert "timed out after 1.5s" in result.content
    assert _live_with(m1) == [] and _live_with(m2) == []


async def test_timeout_cannot_exceed_limit(root: Path) -> None:
    box = Sandbox(root, Limits(command_timeout_seconds=1))
    started = time.monotonic()
    result = await box.run_command("sleep 30", timeout=100)
    assert result.is_error and "timed out" in result.content
    assert time.monotonic() - started < 10


async def test_cancellation_kills_the_whole_tree(sandbox: Sandbox) -> None:
    m = _marker()
    task = asyncio.create_task(sandbox.run_command(f"sleep {m} & sleep {m}"))
    assert len(await _wait_for(m, count=2)) >= 2
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _live_with(m) == []


async def test_background_jobs_die_with_the_command(sandbox: Sandbox) -> None:
    m = _marker()
    result = await sandbox.run_command(f"nohup sleep {m} >/dev/null 2>&1 & echo started")
    assert result.content == "started\n[exit code 0]"
    await asyncio.sleep(0.2)
    assert _live_with(m) == []


async def test_argument_validation(sandbox: Sandbox) -> None:
    assert (await sandbox.run_command("")).is_error
    assert (await sandbox.run_command("echo a\x00b")).is_error
    assert (await sandbox.run_command("true", timeout=0)).is_error
