"""HTTP side of the metrics: the per-request middleware, ``GET /metrics``, the metrics port.

The middleware is pure ASGI (no ``BaseHTTPMiddleware`` task and queue per request) and
labels by the route template the router matched (``scope["route"]``), never the raw
path: ids in paths would make the series unbounded.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import start_http_server
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from waypost.metrics.registry import Metrics

UNMATCHED = "unmatched"  # the route label of a request no route matched (404s, early 413s)
_EVENT_STREAM = b"text/event-stream"
# any other method a client makes up is "other": labels must stay bounded
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
async def scrape(request: Request) -> Response:
    """Prometheus' text format; no API key (operators scrape it)."""
    metrics: Metrics = request.app.state.services.metrics
    body, content_type = metrics.exposition(request.headers.get("accept", ""))
    return Response(body, headers={"Content-Type": content_type})


class HTTPMetrics:
    """Count every HTTP request by method, route template and status, with its latency;
    keep the open event streams' gauge."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        headers_at = 0.0
        stream: Any = None

        async def send_and_note(message: Message) -> None:
            nonlocal status, headers_at, stream
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"content-type" and value.startswith(_EVENT_STREAM):
                        headers_at = time.perf_counter()
                        stream = self.metrics.sse_subscribers.labels(_route(scope))
                        stream.inc()
                        break
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if stream is not None:
                stream.dec()
            ended = headers_at or time.perf_counter()
            method = scope["method"] if scope["method"] in _METHODS else "other"
            self.metrics.http_request(method, _route(scope), status, ended - started)


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path_format", None) or UNMATCHED


class MetricsPort:
    """``/metrics`` on its own port (``--metrics-port``): prometheus_client's own server in
    a daemon thread, so a scrape never waits behind the API's event loop."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self._server, self._thread = start_http_server(port, host, registry=metrics.registry)

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
