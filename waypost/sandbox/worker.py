"""The file-tool worker: one process per run's sandbox, serving file tools off the server.

Started by `waypost.sandbox.workspace.Workspace` as `python -I -m waypost.sandbox.worker
CONFIG`. As root it enters the sandbox directory, chroots into it and becomes the sandbox's
own uid before reading a single request, so the kernel confines it as well as the path
checks do. It then answers `waypost.mail.ipc` frames on stdin/stdout until stdin closes.
The server kills it when a call overruns its deadline; it never forks.

Only the sandbox's own modules and the standard library are imported (the process should
start in tens of milliseconds), and all of them before the chroot.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path
from typing import Any, BinaryIO

import re2  # noqa: F401 - imported before the chroot: the grep tool needs it afterwards

from waypost.mail import ipc
from waypost.sandbox.cache import ReadCache
from waypost.sandbox.identity import Identity, drop_privileges
from waypost.sandbox.sandbox import Sandbox
from waypost.sandbox.tools import run_file_tool
from waypost.sandbox.types import Limits, ToolError, ToolResult

WORKER_MIN_ADDRESS_SPACE = 512 * 1024**2  # the interpreter and RE2 need this much to start
READ_CACHE_BYTES = 16 * 1024**2


def confine_process(config: dict[str, Any]) -> Sandbox:
    """Enter the sandbox for good: chroot and the sandbox's uid when root; rlimits always."""
    limits = Limits(**config["limits"])
    cache = ReadCache(max_bytes=READ_CACHE_BYTES)
    root = Path(config["root"])
    raw_identity = config.get("identity")
    if raw_identity is not None:  # the server made the directory the sandbox uid's
        identity = Identity(**raw_identity)
        os.chdir(root)
        os.chroot(".")
        os.chdir("/")
        drop_privileges(identity)
        root = Path("/")
    address_space = max(limits.memory_bytes, WORKER_MIN_ADDRESS_SPACE)
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))  # the worker never forks
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return Sandbox(root, limits, cache)


def serve(sandbox: Sandbox, requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer tool calls until the server closes the pipe."""
    for request in ipc.read_frames(requests):
        name = str(request.meta.get("name"))
        try:
            result = run_file_tool(sandbox, name, request.meta.get("args"))  # type: ignore[arg-type]
        except ToolError as exc:  # a call the server would not have sent
            result = ToolResult(str(exc), is_error=True)
        except MemoryError:
            result = ToolResult(f"{name}: out of memory", is_error=True)
        except Exception as exc:  # never die on a call: the run goes on
            result = ToolResult(f"{name}: internal error: {type(exc).__name__}", True)
        reply = {"content": result.content, "is_error": result.is_error}
        ipc.write_frame(replies, ipc.Frame(request.id, ipc.REPLY, reply))


def main() -> None:
    """Entry point: confine, say ready, serve."""
    config = json.loads(sys.argv[1])
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the server's pipe
    try:
        sandbox = confine_process(config)
    except OSError as exc:
        error = {"ready": False, "error": f"{type(exc).__name__}: {exc}"}
        ipc.write_frame(replies, ipc.Frame(0, ipc.READY, error))
        raise SystemExit(1) from exc
    ipc.write_frame(replies, ipc.Frame(0, ipc.READY, {"ready": True}))
    serve(sandbox, sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
