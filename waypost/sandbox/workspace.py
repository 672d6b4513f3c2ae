"""A sandbox as the server uses it: no tool call runs on the server's event loop.

File tools go to a worker process of the run's own (`waypost.sandbox.worker`): confined to
the sandbox directory (chrooted, as the sandbox's uid, when the server is root), killed when
a call overruns `limits.tool_timeout_seconds`, started again on the next call. Commands run
under bubblewrap as before. The worst a tool call can do is spend its own run's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from waypost.mail import ipc
from waypost.sandbox.cgroup import cpu_group, yielding_argv
from waypost.sandbox.identity import Identity, give_to, identity_for
from waypost.sandbox.runner import run_in_bwrap
from waypost.sandbox.sandbox import command_seconds
from waypost.sandbox.spawn import Child, spawn
from waypost.sandbox.types import Limits, ToolError, ToolResult

START_SECONDS = 30.0  # a cold interpreter start on a loaded machine
CLOSE_SECONDS = 1.0


class WorkerFailed(Exception):
    """The worker process could not start, or died mid-call."""


class Workspace:
    """One run's view of its sandbox: `file_tool` and `run_command`, both off the loop."""

    def __init__(self, root: Path, limits: Limits, key: str) -> None:
        self.root = root
        self.limits = limits
        self.key = key
        self.identity: Identity | None = identity_for(key)
        self._proc: Child | None = None
        self._channel: ipc.Channel | None = None  # the current worker's
        self._calls = 0
        self._lock = asyncio.Lock()
        self._prepared = False
        self.started = 0  # worker processes started (one per run unless a call was killed)

    async def _prepare(self) -> None:
        if not self._prepared:
            await asyncio.to_thread(self._make_root)
            self._prepared = True

    def _make_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        give_to(self.root, self.identity)

    # -- commands ----------------------------------------------------------------------------

    async def run_command(
        self,
        command: str,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the tool's interface
    ) -> ToolResult:
        """`bash -lc command` under bubblewrap, as the sandbox's uid; see Sandbox.run_command."""
        try:
            seconds = command_seconds(command, timeout, self.limits)
        except ToolError as exc:
            return ToolResult(str(exc), is_error=True)
        await self._prepare()
        return await run_in_bwrap(self.root, command, seconds, self.limits, self.identity)

    # -- file tools --------------------------------------------------------------------------

    async def file_tool(self, name: str, args: dict[str, Any]) -> ToolResult:
        """One file-tool call in the worker; killed (and reported) past its deadline."""
        deadline = self.limits.tool_timeout_seconds
        async with self._lock:
            try:
                proc = await self._worker()
                return await asyncio.wait_for(self._ask(proc, name, args), deadline)
            except TimeoutError:
                await self._kill()
                return ToolResult(
                    f"{name} took longer than {deadline:g} s and was stopped; narrow the path "
                    "or pattern",
                    is_error=True,
                )
            except WorkerFailed as exc:
                await self._kill()
                return ToolResult(f"{name} failed: {exc}", is_error=True)
            except BaseException:  # cancelled mid-call: the worker's state is unknown
                await asyncio.shield(self._kill())
                raise

    async def _worker(self) -> Child:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        await self._prepare()
        config = {
            "root": str(self.root),
            "limits": asdict(self.limits),
            "identity": asdict(self.identity) if self.identity is not None else None,
        }
        cpu = await asyncio.to_thread(cpu_group)
        # agents' work gets the CPU the server leaves
        argv = [sys.executable, "-I", "-m", "waypost.sandbox.worker", json.dumps(config)]
        proc = await spawn(yielding_argv(argv, cpu), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdin is not None and proc.stdout is not None
        self._proc, self._channel = proc, ipc.Channel(proc.stdin, proc.stdout)
        self.started += 1
        try:
            hello = await asyncio.wait_for(self._next_frame(proc), START_SECONDS)
        except TimeoutError as exc:
            raise WorkerFailed("the tool process did not start in time") from exc
        if hello.kind != ipc.READY or hello.meta.get("ready") is not True:
            raise WorkerFailed(f"the tool process could not start: {hello.meta.get('error')}")
        return proc

    async def _ask(self, proc: Child, name: str, args: dict[str, Any]) -> ToolResult:
        assert self._channel is not None
        self._calls += 1
        call = ipc.Frame(self._calls, ipc.TOOL, {"name": name, "args": args})
        try:
            await self._channel.send(call)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise WorkerFailed("the tool process is gone") from exc
        reply = await self._next_frame(proc)
        content, is_error = reply.meta.get("content"), reply.meta.get("is_error")
        if (reply.id, reply.kind) != (call.id, ipc.REPLY) or not (
            isinstance(content, str) and isinstance(is_error, bool)
        ):
            raise WorkerFailed("the tool process sent a malformed reply")
        return ToolResult(content, is_error)

    async def _next_frame(self, proc: Child) -> ipc.Frame:
        assert self._channel is not None
        try:
            frame = await self._channel.receive()
        except ValueError as exc:  # a bad length or JSON
            raise WorkerFailed("the tool process sent a malformed reply") from exc
        if frame is None:
            code = await proc.wait()
            why = "ran out of memory or was killed" if code < 0 or code == 1 else f"exit {code}"
            raise WorkerFailed(f"the tool process died ({why})")
        return frame

    async def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        if proc.stdin is not None:
            proc.stdin.close()  # the transport ends once its pipes do
        await proc.wait()

    async def close(self) -> None:
        """End the worker: close its pipe, then kill it if it does not leave at once."""
        async with self._lock:
            proc = self._proc
            if proc is None:
                return
            if proc.stdin is not None:
                proc.stdin.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), CLOSE_SECONDS)
            await self._kill()


class WorkspacePool:
    """Workspaces kept between runs: a sandbox's next message reuses its warm worker.

    A workspace is handed out per (sandbox, limits); when no run holds it for
    `idle_seconds` its worker is ended. Changed limits make a new workspace (the old one
    idles out). Per process: a worker serves the runs of the server that started it.
    """

    def __init__(self, idle_seconds: float = 30.0) -> None:
        self.idle_seconds = idle_seconds
        self._entries: dict[tuple[str, Limits], _Entry] = {}

    def acquire(self, root: Path, limits: Limits, key: str) -> Workspace:
        """The sandbox's workspace, held until `release`."""
        entry = self._entries.get((key, limits))
        if entry is None:
            entry = self._entries[(key, limits)] = _Entry(Workspace(root, limits, key))
        entry.holders += 1
        if entry.idle is not None:
            entry.idle.cancel()
            entry.idle = None
        return entry.workspace

    def release(self, workspace: Workspace) -> None:
        """A run is done with the workspace; end its worker once nobody used it for a while."""
        key = workspace.key
        entry = self._entries.get((key, workspace.limits))
        if entry is None or entry.workspace is not workspace:
            return
        entry.holders -= 1
        if entry.holders == 0:
            loop = asyncio.get_running_loop()
            entry.idle = loop.call_later(self.idle_seconds, self._expire, key, workspace.limits)

    def _expire(self, key: str, limits: Limits) -> None:
        entry = self._entries.get((key, limits))
        if entry is not None and entry.holders == 0:
            del self._entries[(key, limits)]
            entry.closing = asyncio.ensure_future(entry.workspace.close())

    async def close(self) -> None:
        """End every worker (shutdown)."""
        entries, self._entries = list(self._entries.values()), {}
        for entry in entries:
            if entry.idle is not None:
                entry.idle.cancel()
            await entry.workspace.close()


class _Entry:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.holders = 0
        self.idle: asyncio.TimerHandle | None = None
        self.closing: asyncio.Future[None] | None = None  # held: a task needs a reference
