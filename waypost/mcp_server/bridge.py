"""``waypost mcp``: an MCP stdio server that relays every message to a running Waypost.

A relay of JSON-RPC messages, not a second server: the tools, their owner rules and
their progress all stay the HTTP server's, so stdio clients and HTTP clients cannot
see different behaviour. The SDK's own pieces do the work on both sides (its stdio
server transport towards the client, its Streamable HTTP client transport towards
Waypost, which keeps the session id, the protocol version header and the stream for
server-initiated notifications).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import anyio
import httpx
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.client.streamable_http import streamable_http_client
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

from waypost.mcp_server import MCP_PATH

log = logging.getLogger("waypost.mcp.bridge")

DEFAULT_URL = "http://127.0.0.1:8025"
MAX_LINE_BYTES = 64 * 1024 * 1024  # one JSON-RPC message from the client


class BridgeError(Exception):
    """The bridge cannot start or went on: a message for the operator, on stderr."""


def mcp_url(base_url: str) -> str:
    """The server's MCP endpoint, from its base URL (or the endpoint itself)."""
    base = base_url.rstrip("/")
    return base if base.endswith(MCP_PATH) else base + MCP_PATH


async def check_key(url: str, api_key: str) -> None:
    """Fail fast, with a clear message, when the server is unreachable or refuses the key
    (otherwise the client would only see its first request go unanswered)."""
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "text/event-stream"}
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise BridgeError(f"cannot reach {url}: {exc}") from None
    if response.status_code == 401:
        raise BridgeError(f"{url} refused the API key (401): check WAYPOST_API_KEY")
    if response.status_code == 404:
        raise BridgeError(f"{url} has no MCP endpoint (404): is it a Waypost server?")


async def run_bridge(base_url: str, api_key: str) -> None:
    """Serve MCP on stdin/stdout until the client closes stdin (or the server goes away)."""
    url = mcp_url(base_url)
    await check_key(url, api_key)
    # no read timeout: the stream of server notifications may stay quiet for hours
    http = httpx.AsyncClient(
        headers={"Authorization": f"Bearer {api_key}"}, timeout=httpx.Timeout(30, read=None)
    )
    try:
        async with (
            http,
            stdio_server(await _cancellable_stdin()) as (from_client, to_client),
            streamable_http_client(url, http_client=http) as (from_server, to_server, _),
            to_client,  # closed on the way out, so the SDK's stdout writer ends too
            to_server,
            anyio.create_task_group() as tg,
        ):
            tg.start_soon(_relay, from_client, to_server, tg, "client")
            tg.start_soon(_relay, from_server, to_client, tg, "server")
    except Exception as exc:
        failed = _http_error(exc)
        if failed is None:
            raise
        raise BridgeError(_explain(url, failed)) from None


class _PipeLines:
    """Lines of a stdin pipe, read on the event loop.

    The SDK reads stdin in a worker thread, which cannot be cancelled: when the server
    goes away the bridge would hang until the client's next line. Read this way, the
    bridge ends at once and says why.
    """

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> _PipeLines:
        return self

    async def __anext__(self) -> str:
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


async def _cancellable_stdin() -> Any:
    """stdin as :class:`_PipeLines` when it is a pipe (as MCP clients start us); None
    (the SDK's threaded reader) for a file or anything else the loop cannot watch."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES, loop=loop)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except (ValueError, OSError):
        return None
    return _PipeLines(reader)


def _http_error(exc: BaseException) -> httpx.HTTPError | None:
    """The HTTP failure inside ``exc`` (the SDK's task groups wrap it in groups)."""
    if isinstance(exc, httpx.HTTPError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if (found := _http_error(inner)) is not None:
                return found
    return None


def _explain(url: str, error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        code = error.response.status_code
        if code == 401:
            return f"{url} refused the API key (401): it may have been revoked"
        return f"{url} answered {code}"
    return f"lost {url}: {error!r}"


async def _relay(
    source: MemoryObjectReceiveStream[SessionMessage | Exception],
    sink: MemoryObjectSendStream[SessionMessage],
    tg: TaskGroup,
    side: str,
) -> None:
    """Forward one direction; when its source ends, the other direction ends too."""
    async for item in source:
        if isinstance(item, Exception):  # a line that was not JSON-RPC: say so, go on
            log.warning("dropped an unreadable message from the %s: %s", side, item)
            continue
        try:
            await sink.send(item)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            break
    tg.cancel_scope.cancel()


def main(base_url: str, api_key: str) -> int:
    """Run the bridge; 0 when the client hung up, 1 (with a message on stderr) otherwise."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        anyio.run(run_bridge, base_url, api_key)
    except BridgeError as exc:
        print(f"waypost mcp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0
