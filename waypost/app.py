"""Builds the FastAPI app and, in its lifespan, the SMTP server and background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route

from waypost import __version__
from waypost.agents.queue import RunSettings
from waypost.api import (
    agents,
    conversations,
    emails,
    extractions,
    gateway,
    health,
    inboxes,
    schedules,
    sessions,
    teams,
    waits,
    webhooks,
    workflows,
    workspaces,
)
from waypost.api.deps import current_user
from waypost.api.errors import install_error_handlers
from waypost.api.limits import BodySizeLimit, JsonDepthLimit
from waypost.api.schemas import ErrorBody
from waypost.config import Settings, make_process_private
from waypost.extract.pool import close as close_extraction
from waypost.extract.pool import warm as warm_extraction
from waypost.heap import freeze_startup_heap
from waypost.mail.smtp import WaypostHandler, start_smtp
from waypost.mail.workers import SMTPWorkers
from waypost.mcp_server import MCP_PATH
from waypost.mcp_server.endpoint import McpEndpoint
from waypost.metrics import Metrics
from waypost.metrics.http import HTTPMetrics, MetricsPort
from waypost.metrics.http import router as metrics_router
from waypost.sandbox import bwrap_status
from waypost.services import Services, build_services
from waypost.ui import routes as ui_routes

log = logging.getLogger("waypost")


async def _reap_forever(svc: Services) -> None:
    """Purge expired inboxes and their mail on a fixed period (a cron, not a wait poller)."""
    while True:
        try:
            purged = await svc.inboxes.purge_expired()
            if purged:
                log.info("purged expired inboxes count=%d", purged)
        except Exception:
            log.exception("reaper failed")
        await asyncio.sleep(svc.settings.reaper_interval_seconds)


async def _warm_extraction() -> None:
    """Spawn the extraction workers at start (a failure here only means a later spawn)."""
    try:
        await warm_extraction()
    except Exception:
        log.exception("extraction workers did not start; they will on first use")


def create_app(settings: Settings, smtp_sock: socket.socket | None = None) -> FastAPI:
    """The ASGI app; starting it (lifespan) migrates, then opens SMTP and the reaper."""
    mcp = McpEndpoint()
    metrics = Metrics()  # this server's own registry (docs/metrics.md)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.secure_data_dir()
        svc = build_services(settings, metrics=metrics)
        await svc.db.migrate()
        await svc.bus.start()  # Redis, with replicas: a Redis still down is retried meanwhile
        svc.ingest.start()
        await svc.waits.start()
        recovered = await svc.conversations.recover()
        if recovered:
            log.warning("marked %d agent runs interrupted by the restart", recovered)
        # runs: claimed here unless --no-runs (then `waypost worker` processes run them)
        svc.conversations.queue.settings = RunSettings.of(settings, takes_runs=not settings.no_runs)
        svc.conversations.start_runs()
        bwrap_ok, bwrap_reason = bwrap_status()
        if not bwrap_ok:
            log.warning("run_command is disabled: %s", bwrap_reason)
        smtp: asyncio.Server | None = None
        workers: SMTPWorkers | None = None
        if settings.smtp_workers:
            workers = SMTPWorkers(settings, svc.inboxes, svc.ingest, settings.smtp_workers, metrics)
            await workers.start()
            where = f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_workers} workers)"
        else:
            handler = WaypostHandler.in_process(svc.inboxes, svc.ingest, metrics)
            smtp = await start_smtp(settings, handler, smtp_sock)
            where = ",".join(str(s.getsockname()) for s in smtp.sockets)
        reaper = asyncio.create_task(_reap_forever(svc), name="waypost-reaper")
        warming = asyncio.create_task(_warm_extraction(), name="waypost-extraction-warm")
        scheduler = asyncio.create_task(
            svc.schedules.run_forever(settings.schedule_poll_seconds), name="waypost-schedules"
        )
        webhook_sender = asyncio.create_task(
            svc.webhook_sender.run_forever(), name="waypost-webhooks"
        )
        app.state.services = svc
        app.state.smtp = smtp
        app.state.smtp_workers = workers
        port = settings.metrics_port if settings.metrics else None
        metrics_port = MetricsPort(metrics, settings.host, port) if port else None
        log.info("waypost ready http=%s:%s smtp=%s", settings.host, settings.port, where)
        try:
            async with mcp.running(svc):  # the MCP sessions' task group
                yield
        finally:
            if smtp is not None:
                smtp.close()
            for task in (reaper, scheduler, webhook_sender, warming):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if smtp is not None:
                await smtp.wait_closed()
            if workers is not None:
                await workers.stop()
            await svc.conversations.stop_all()
            await svc.ingest.stop()
            await svc.waits.stop()
            await close_extraction()
            await svc.bus.aclose()
            await svc.db.dispose()
            if metrics_port is not None:
                metrics_port.close()

    app = FastAPI(
        title="Waypost",
        version=__version__,
        summary="Sessions for AI agents: disposable inboxes, waits, extraction and timelines.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    # the last added runs first: the size limit bounds what the depth check reads
    app.add_middleware(JsonDepthLimit)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    if settings.metrics:  # outermost: every request is counted, refused ones too
        app.add_middleware(HTTPMetrics, metrics=metrics)
        if settings.metrics_port is None:
            add_routes(app, metrics_router)
    modules = (
        health, sessions, conversations, inboxes, emails, waits, extractions, workflows, agents,
        workspaces, schedules, teams, webhooks,
    )  # fmt: skip
    for module in modules:
        add_routes(app, module.router)
    add_routes(app, ui_routes.router)  # the web UI: / and /ui/*
    if settings.trusted_gateway:  # seed 002's own paths; absent (404) otherwise
        add_routes(app, gateway.router)
    # a plain route (not middleware): only /mcp requests reach the MCP endpoint
    app.router.routes.append(Route(MCP_PATH, endpoint=mcp, include_in_schema=False))
    document_errors(app)
    return app


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes on the app's own list, one flat list.

    Its routes already carry the router's prefix and tags. ``app.include_router`` (FastAPI
    0.16x) keeps a router as a nested matcher instead, which walks the router tree for its
    version and matches a request twice: a fifth of a ``GET /sessions/{id}`` (py-spy,
    docs/benchmarks.md)."""
    if router.dependencies or router.responses or router.callbacks:
        raise ValueError("a router with its own dependencies needs include_router")
    app.router.routes.extend(router.routes)


_ERROR_ANSWERS = {
    "400": "invalid_request: a malformed body, or a bad path or query parameter",
    "401": "unauthorized: a missing or invalid API key",
    "404": "not_found: no such resource (or another user's)",
}


def _needs_key(dependant: Dependant) -> bool:
    return any(d.call is current_user or _needs_key(d) for d in dependant.dependencies)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, inside included routers too (FastAPI keeps those as one entry)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(included.routes)


def document_errors(app: FastAPI) -> None:
    """Make /openapi.json list the errors the server sends (400, 401, 404, each an
    ``ErrorBody``) instead of FastAPI's 422, which it never sends (see api/errors.py)."""
    generate = app.openapi
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        components["ErrorBody"] = ErrorBody.model_json_schema()
        keyed = {
            (route.path_format, method.lower())
            for route in _api_routes(app.routes)
            if _needs_key(route.dependant)
            for method in route.methods or ()
        }
        for path, operations in schema["paths"].items():
            for method, op in operations.items():
                responses = op["responses"]
                responses.pop("422", None)
                params = {p.get("in") for p in op.get("parameters", [])}
                answers = {
                    "400": "requestBody" in op or bool(params & {"path", "query"}),
                    "401": (path, method) in keyed,
                    "404": "path" in params,
                }
                for code, applies in answers.items():
                    if applies:
                        description = _ERROR_ANSWERS[code]
                        responses.setdefault(code, {"description": description, "content": body})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# The database threads (aiosqlite's, the checkpointer) each need the GIL back from a
# busy event loop after every statement; Python's default 5 ms switch interval made
# a session read under load take 25-100 ms (docs/benchmarks.md).
GIL_SWITCH_INTERVAL = 0.0005


def run_server(settings: Settings) -> None:
    """Run :func:`serve` on uvloop when it is installed (it is, with uvicorn[standard])."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    make_process_private(settings)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(serve(settings))
    else:
        uvloop.run(serve(settings))


async def serve(settings: Settings) -> None:
    """Run HTTP and SMTP until SIGINT/SIGTERM; in-flight requests finish first."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    await _Server(config, app).serve()


class _Server(uvicorn.Server):
    """uvicorn, plus: on SIGTERM/SIGINT, end open event streams so shutdown is prompt."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """As uvicorn's (the lifespan has built every service when it returns), then
        :func:`freeze_startup_heap`."""
        await super().startup(sockets)
        freeze_startup_heap()

    def handle_exit(self, sig: int, frame: object) -> None:
        """Drain: /readyz answers 503, SMTP stops accepting (the load balancer sends new
        connections to other replicas; messages in flight finish), streams end."""
        state = self._app.state
        state.draining = True
        smtp: asyncio.Server | None = getattr(state, "smtp", None)
        if smtp is not None:
            smtp.close()
        workers: SMTPWorkers | None = getattr(state, "smtp_workers", None)
        if workers is not None and not getattr(state, "smtp_workers_stopping", False):
            state.smtp_workers_stopping = True
            task = asyncio.get_running_loop().create_task(workers.stop())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
        services: Services | None = getattr(state, "services", None)
        if services is not None:
            services.bus.close()
        super().handle_exit(sig, frame)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """As uvicorn's, but a graceful shutdown exits 0 instead of re-raising the signal."""
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()
