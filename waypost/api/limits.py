"""ASGI middleware that bounds request bodies: size (413) and JSON nesting depth (400)."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from waypost.api.errors import error_response

MAX_JSON_DEPTH = 32


class _TooLarge(HTTPException):
    """Raised mid-body; an HTTPException so FastAPI's body parsing lets it through as 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body is larger than {max_bytes} bytes")


class BodySizeLimit:
    """Checks ``Content-Length`` up front and counts streamed bytes for chunked bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send)
                    return
                # the HTTP server reads no more than the declared length: nothing to count
                await self.app(scope, receive, send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": "payload_too_large",
                "message": f"Request body is larger than {self.max_bytes} bytes",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def json_too_deep(body: bytes, max_depth: int) -> bool:
    """True if ``body`` is JSON whose arrays/objects nest deeper than ``max_depth``.

    The body's own object or array is level 1. A body that is not JSON is left to
    the route (which answers "Malformed JSON body"); one too deep for the parser
    itself counts as too deep.
    """
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False  # not enough brackets to nest that deep: no need to parse
    try:
        value = json.loads(body)
    except RecursionError:
        return True
    except ValueError:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _is_json(scope: Scope) -> bool:
    """Whether the route will parse the body as JSON (FastAPI does so without a type too)."""
    has_body = False
    content_type = b""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            content_type = value.lower()
        elif name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            has_body = True
    return has_body and (not content_type or b"json" in content_type)


class JsonDepthLimit:
    """Refuses JSON request bodies nested deeper than ``max_depth`` with 400, for every route.

    Deep nesting passes JSON parsing but not pydantic's serializer: such a row used to be
    stored and then broke every read of it. The body is read whole (the size limit in
    front bounds it) and handed on unchanged.
    """

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending the whole body
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_too_deep(body, self.max_depth):
            refusal = error_response(
                400,
                "invalid_request",
                f"JSON body is nested too deeply (more than {self.max_depth} levels)",
            )
            await refusal(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
