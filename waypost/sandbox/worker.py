"""The file-tool worker: one process per run's sandbox, serving file tools off the server.

Started by `waypost.sandbox.workspace.Workspace` as `python -I -m waypost.sandbox.worker
CONFIG`. As root it enters the sandbox directory, chroots into it and becomes the sandbox's
own uid before reading a single request, so the kernel confines it as well as the path
checks do. It then answers length-prefixed JSON frames on stdin/stdout until stdin closes.
The server kills it when a call overruns its deadline; it never forks.

Only the sandbox's own modules and the standard library are imported (the process should
start in tens of milliseconds), and all of them before the chroot.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

import re2  # noqa: F401 - imported before the chroot: the grep tool needs it afterwards

from waypost.sandbox.cache import ReadCache
from waypost.sandbox.identity import Identity, drop_privileges
from waypost.sandbox.sandbox import Sandbox
from waypost.sandbox.tools import run_file_tool
from waypost.sandbox.types import Limits, ToolResult

HEADER = struct.Struct(">I")
WORKER_MIN_ADDRESS_SPACE = 512 * 1024**2  # the interpreter and RE2 need this much to start
READ_CACHE_BYTES = 16 * 1024**2


def read_frame(stream: BinaryIO) -> Any | None:
    """One JSON frame, or None at end of stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        return None
    return json.loads(body)


def write_frame(stream: BinaryIO, value: Any) -> None:
    """One JSON frame, flushed."""
    body = json.dumps(value).encode("ascii")  # \u escapes: lone surrogates survive
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def confine_process(config: dict[str, Any]) -> Sandbox:
    """Enter the sandbox for good: chroot and the sandbox's uid when root; rlimits always."""
    limits = Limits(**config["limits"])
    cache = ReadCache(max_bytes=READ_CACHE_BYTES)
    root = Path(config["root"])
    raw_identity = config.get("identity")
    if raw_identity is not None:
        identity = Identity(**raw_identity)
        Sandbox(root, limits, None, identity)  # makes the directory the sandbox uid's
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
    while (request := read_frame(requests)) is not None:
        try:
            result = run_file_tool(sandbox, request["name"], request["args"])
        except MemoryError:
            result = ToolResult(f"{request['name']}: out of memory", is_error=True)
        except Exception as exc:  # never die on a call: the run goes on
            result = ToolResult(f"{request['name']}: internal error: {type(exc).__name__}", True)
        write_frame(replies, {"content": result.content, "is_error": result.is_error})


def main() -> None:
    """Entry point: confine, say ready, serve."""
    config = json.loads(sys.argv[1])
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the server's pipe
    try:
        sandbox = confine_process(config)
    except OSError as exc:
        write_frame(replies, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        raise SystemExit(1) from exc
    write_frame(replies, {"ready": True})
    serve(sandbox, sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
