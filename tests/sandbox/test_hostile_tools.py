"""Tools used as an attacker would: each costs only its own run, and caps hold as root."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import uuid
from pathlib import Path

import pytest

from tests.probes import uid_pids
from waypost.sandbox import Limits, Sandbox, Workspace, call_tool, cgroup
from waypost.sandbox import sandbox as sandbox_module
from waypost.sandbox.identity import identity_for
from waypost.sandbox.workspace import WorkspacePool

AS_ROOT = os.geteuid() == 0


def _workspace(root: Path, **limits: float) -> Workspace:
    return Workspace(root, Limits(**limits), f"sb_{uuid.uuid4().hex}")  # type: ignore[arg-type]


def _uids_and_root(pid: int) -> tuple[list[str], str]:
    """A process's four uids (real, effective, saved, fs) and its root directory."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        uids = next(line for line in fh if line.startswith("Uid:")).split()[1:]
    return uids, os.readlink(f"/proc/{pid}/root")


async def test_backtracking_pattern_answers(workspace: Workspace) -> None:
    await call_tool(workspace, "write_file", {"path": "f.txt", "content": "a" * 30 + "!\n"})
    result = await call_tool(workspace, "grep", {"pattern": "(a+)+$"})
    assert result == result.__class__("no matches for '(a+)+$'", False)
    hit = await call_tool(workspace, "grep", {"pattern": "(a+)+!$"})
    assert hit.content == "f.txt:1:" + "a" * 30 + "!"


async def test_patterns_re2_cannot_run_are_refused_clearly(workspace: Workspace) -> None:
    result = await call_tool(workspace, "grep", {"pattern": r"(a)\1"})
    assert result.is_error
    assert "invalid regular expression" in result.content and "RE2" in result.content


async def test_a_call_past_its_deadline_is_killed_and_the_next_one_works(root: Path) -> None:
    ws = _workspace(root, tool_timeout_seconds=0.3)
    try:
        # five million short lines: a Python-level scan takes seconds, far past 0.3 s
        (root / "big.txt").write_text("a\n" * 5_000_000)
        slow = await call_tool(ws, "grep", {"pattern": "b", "path": "big.txt"})
        assert slow.is_error
        assert "took longer than 0.3 s and was stopped" in slow.content
        assert ws.started == 1
        after = await call_tool(ws, "list_files", {})
        assert after.content == "big.txt"
        assert ws.started == 2  # a fresh worker took over
    finally:
        await ws.close()


async def test_walks_say_when_they_stopped(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        (root / f"f{i:02}.txt").write_text("x\n")
    monkeypatch.setattr(sandbox_module, "MAX_WALK_ENTRIES", 10)
    box = Sandbox(root)
    globbed = box.glob("**/*.nomatch")
    assert (
        globbed.content
        == "[walk stopped after 10 entries; results are partial: narrow the path or pattern]"
    )
    grepped = box.grep("x").content.splitlines()
    assert grepped[:-1] == [f"f{i:02}.txt:1:x" for i in range(10)]
    assert grepped[-1].startswith("[walk stopped after 10 entries")


@pytest.mark.skipif(not AS_ROOT, reason="the server runs tools as itself when it is not root")
async def test_as_root_the_worker_is_the_sandbox_uid_in_a_chroot(
    root: Path, workspace: Workspace
) -> None:
    identity = workspace.identity
    assert identity is not None and identity.uid >= 0x7000_0000
    wrote = await call_tool(workspace, "write_file", {"path": "d/f.txt", "content": "hi"})
    assert not wrote.is_error, wrote.content
    st = os.stat(root / "d" / "f.txt")
    assert (st.st_uid, st.st_gid) == (identity.uid, identity.gid)
    assert os.stat(root).st_uid == identity.uid
    proc = workspace._proc
    assert proc is not None
    uids, chroot = _uids_and_root(proc.pid)
    assert uids == [str(identity.uid)] * 4
    assert chroot == str(root)  # tmp_path is already a real path


@pytest.mark.usefixtures("bwrap")
@pytest.mark.skipif(not AS_ROOT, reason="uid 0 is the case RLIMIT_NPROC does not bind")
async def test_fork_bomb_as_root_stays_under_the_cap_and_is_gone_at_the_timeout(
    root: Path,
) -> None:
    cap = 32
    ws = _workspace(root, max_processes=cap, command_timeout_seconds=4)
    assert ws.identity is not None
    uid = ws.identity.uid
    host_before = len([p for p in os.listdir("/proc") if p.isdigit()])
    peak_uid = peak_host = 0
    task = asyncio.create_task(call_tool(ws, "run_command", {"command": ":(){ :|:& };:; sleep 60"}))
    try:
        while not task.done():
            peak_uid = max(peak_uid, len(uid_pids(uid)))
            peak_host = max(peak_host, len([p for p in os.listdir("/proc") if p.isdigit()]))
            await asyncio.sleep(0.05)
        result = await task
    finally:
        await ws.close()
    assert peak_uid > 1, "the bomb never ran"
    assert peak_uid <= cap, f"{peak_uid} processes of the sandbox uid stood on the host"
    assert peak_host <= host_before + cap + 64  # other work on the host counts too
    assert result.is_error and "timed out" in result.content, result.content[-300:]
    assert uid_pids(uid) == []


@pytest.mark.usefixtures("bwrap")
async def test_memory_and_process_caps_hold_for_the_workspace(root: Path) -> None:
    ws = _workspace(root, memory_bytes=512 * 1024**2, max_processes=40, cpu_seconds=2)
    try:
        caps = await call_tool(ws, "run_command", {"command": "ulimit -v; ulimit -u; ulimit -t"})
        assert caps.content.splitlines()[:3] == [str(512 * 1024), "40", "2"]
        hog = await call_tool(ws, "run_command", {"command": "python3 -c 'x = bytearray(1024**3)'"})
        assert hog.is_error and "MemoryError" in hog.content
        spin = await call_tool(ws, "run_command", {"command": "while :; do :; done", "timeout": 30})
        # killed at the CPU cap (soft = hard: SIGKILL), long before the 30 s timeout
        assert spin.is_error and spin.content == "[exit code 137]", spin.content
    finally:
        await ws.close()


@pytest.mark.usefixtures("bwrap")
async def test_files_made_by_commands_stay_usable_by_the_server_and_the_tools(
    root: Path, workspace: Workspace
) -> None:
    made = await call_tool(
        workspace,
        "run_command",
        {"command": "umask 077; mkdir -p out && echo secret > out/private.txt && ls -ln out"},
    )
    assert not made.is_error, made.content
    identity = identity_for("x")
    if identity is not None:  # the file belongs to the sandbox's uid, not root
        assert str(workspace.identity.uid) in made.content  # type: ignore[union-attr]
    assert (root / "out" / "private.txt").read_text() == "secret\n"  # the server reads it
    read = await call_tool(workspace, "read_file", {"path": "out/private.txt"})
    assert read.content == "secret\n"
    edit = {"path": "out/private.txt", "old": "secret", "new": "public"}
    assert not (await call_tool(workspace, "edit_file", edit)).is_error
    again = await call_tool(workspace, "run_command", {"command": "cat out/private.txt"})
    assert again.content.startswith("public")


async def test_the_pool_keeps_a_warm_worker_between_runs_then_ends_it(root: Path) -> None:
    pool = WorkspacePool(idle_seconds=0.2)
    key = f"sb_{uuid.uuid4().hex}"
    first = pool.acquire(root, Limits(), key)
    assert not (await call_tool(first, "write_file", {"path": "f", "content": "1"})).is_error
    pool.release(first)
    second = pool.acquire(root, Limits(), key)  # the next run, within the idle time
    assert second is first
    assert (await call_tool(second, "read_file", {"path": "f"})).content == "1"
    assert second.started == 1
    other = pool.acquire(root, Limits(max_output_bytes=5000), key)  # changed limits
    assert other is not first
    pool.release(other)
    pool.release(second)
    proc = first._proc
    assert proc is not None and proc.returncode is None
    await asyncio.wait_for(proc.wait(), 10)  # ended after the idle time
    await pool.close()
    await first.close()  # waits for the pool's own close of it to finish


def _sleeping(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(name))
            except OSError:
                continue
    return found


def _nice_and_cpu_cgroup(pid: int) -> tuple[int, str]:
    with open(f"/proc/{pid}/stat", "rb") as fh:
        stat = fh.read()
    nice = int(stat[stat.rfind(b")") + 2 :].split()[16])
    with open(f"/proc/{pid}/cgroup", encoding="ascii") as fh:
        cpu = [line.split(":", 2)[2].strip() for line in fh if ":cpu" in line or "::" in line]
    return nice, " ".join(cpu)


@pytest.mark.usefixtures("bwrap")
async def test_agents_work_yields_the_cpu_even_after_setsid(workspace: Workspace) -> None:
    """Commands and the file-tool worker run at nice 19 in the low-weight cpu cgroup."""
    marker = f"{uuid.uuid4().int % 10**6}.5"
    task = asyncio.create_task(
        call_tool(workspace, "run_command", {"command": f"setsid sleep {marker} & wait"})
    )
    for _ in range(200):
        if pids := _sleeping(marker):
            break
        await asyncio.sleep(0.05)
    assert pids, "the command never started"
    await call_tool(workspace, "list_files", {})
    assert workspace._proc is not None
    group = cgroup.cpu_group()
    for pid in (pids[0], workspace._proc.pid):
        nice, cpu = _nice_and_cpu_cgroup(pid)
        assert nice == 19
        if group is not None:
            assert cgroup.PARENT_NAME in cpu, cpu
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.usefixtures("bwrap")
async def test_endless_output_is_stopped_at_the_ceiling(workspace: Workspace) -> None:
    flood = await call_tool(
        workspace, "run_command", {"command": "yes 0123456789abcdef; echo never"}
    )
    assert flood.is_error
    assert flood.content.endswith("\n[output passed 16 MB; command killed]")
    assert "[output truncated:" in flood.content and "never" not in flood.content


@pytest.mark.usefixtures("bwrap")
async def test_the_fastest_flood_is_caught_within_a_few_mb_of_the_ceiling(
    workspace: Workspace,
) -> None:
    """`cat /dev/zero` writes gigabytes a second; what reached the output file (kept +
    omitted) is the 16 MB ceiling and one byte, however late the event loop looks: the copy
    into the file stops there and the command meets a closed pipe."""
    flood = await call_tool(workspace, "run_command", {"command": "cat /dev/zero"})
    assert flood.is_error and flood.content.endswith("[output passed 16 MB; command killed]")
    omitted = int(re.search(r"\[output truncated: (\d+) bytes omitted\]", flood.content)[1])
    written = omitted + workspace.limits.max_output_bytes
    assert written == 16 * 1024**2 + 1, written


@pytest.mark.usefixtures("bwrap")
async def test_a_flood_that_ignores_the_closed_pipe_is_killed_at_the_ceiling(
    workspace: Workspace,
) -> None:
    """A command that ignores SIGPIPE and keeps writing after the copy stopped is stopped
    by the watcher, which sees the file at the ceiling."""
    line = "s=$(head -c 65536 /dev/zero | tr '\\0' f)"  # 64 kB of f a write
    command = f"trap '' PIPE; {line}; while :; do printf '%s\\n' \"$s\"; done"
    flood = await call_tool(workspace, "run_command", {"command": command})
    assert flood.is_error and flood.content.endswith("[output passed 16 MB; command killed]")
    assert flood.content.startswith("ffff") and "[output truncated:" in flood.content
