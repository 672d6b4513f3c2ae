"""A local HTTP server speaking the OpenAI and Anthropic streaming wire formats, for SDK tests."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Recorded:
    """One request as the fake server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class SSE:
    """Reply 200 with these server-sent events: (event name or None, data string)."""

    events: list[tuple[str | None, str]]
    delay: float = 0.0


@dataclass
class HTTPError:
    """Reply with an error status and JSON body."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hang:
    """Wait before answering, to trigger client timeouts."""

    seconds: float


Reply = SSE | HTTPError | Hang
# No keep-alive: each test's client lives on its own event loop, so pooled sockets would leak.
CLOSE = {"connection": "close"}


def free_port() -> int:
    """An unused TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeLLMServer:
    """Serves queued replies on POST /v1/chat/completions and /v1/messages; records requests."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[Recorded] = []
        self.replies: deque[Reply] = deque()
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._handle, methods=["POST"]),
                Route("/v1/messages", self._handle, methods=["POST"]),
            ]
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL for the Anthropic SDK (it appends /v1/messages)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeLLMServer:
        """Start in a background thread and wait until it accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def reset(self, *replies: Reply) -> None:
        """Forget earlier requests and queue the next replies."""
        self.requests.clear()
        self.replies.clear()
        self.replies.extend(replies)

    async def _handle(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Recorded(request.url.path, dict(request.headers), body))
        reply = self.replies.popleft() if self.replies else HTTPError(500, {"error": "no reply"})
        if isinstance(reply, HTTPError):
            headers = {**CLOSE, **reply.headers}
            return JSONResponse(reply.body, status_code=reply.status, headers=headers)
        if isinstance(reply, Hang):
            await asyncio.sleep(reply.seconds)
            return JSONResponse({}, status_code=200, headers=CLOSE)

        async def gen() -> AsyncIterator[bytes]:
            for name, data in reply.events:
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                prefix = f"event: {name}\n" if name else ""
                yield f"{prefix}data: {data}\n\n".encode()

        return StreamingResponse(gen(), media_type="text/event-stream", headers=CLOSE)


def openai_chunk(
    delta: dict[str, Any] | None = None,
    finish: str | None = None,
    usage: dict[str, int] | None = None,
) -> tuple[None, str]:
    """One ``chat.completion.chunk`` SSE event (no choices when only usage is given)."""
    choices = (
        []
        if delta is None and finish is None
        else [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    )
    data: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": choices,
    }
    if usage is not None:
        data["usage"] = usage
    return (None, json.dumps(data))


OPENAI_DONE: tuple[None, str] = (None, "[DONE]")


def anthropic_event(name: str, **data: Any) -> tuple[str, str]:
    """One Anthropic SSE event; ``type`` mirrors the event name as the API does."""
    return (name, json.dumps({"type": name, **data}))


def anthropic_message_start(input_tokens: int = 10) -> tuple[str, str]:
    """The opening ``message_start`` event with input usage."""
    return anthropic_event(
        "message_start",
        message={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "fake",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1},
        },
    )
