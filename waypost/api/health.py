"""/healthz: liveness plus a database round trip; /readyz: may this replica take traffic
(database and, with replicas, Redis answer; not draining). No auth."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from waypost import __version__
from waypost.api.deps import ServicesDep
from waypost.sandbox import bwrap_status

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(svc: ServicesDep) -> dict[str, Any]:
    await svc.db.ping()
    bwrap_ok, bwrap_reason = bwrap_status()
    return {
        "status": "ok",
        "version": __version__,
        "smtp": f"{svc.settings.smtp_host}:{svc.settings.smtp_port}",
        "domains": svc.settings.domains,
        "run_command": "available" if bwrap_ok else f"unavailable: {bwrap_reason}",
    }


READY_CHECK_SECONDS = 2.0  # a dependency slower than this counts as not ready


@router.get(
    "/readyz",
    responses={503: {"description": "not ready: the body's ``reasons`` say why"}},
)
async def readyz(request: Request, svc: ServicesDep) -> JSONResponse:
    """200 when this replica should get traffic; 503 with reasons (a load balancer's probe)."""
    reasons: list[str] = []
    if getattr(request.app.state, "draining", False):
        reasons.append("draining: shutting down")
    try:
        await asyncio.wait_for(svc.db.ping(), READY_CHECK_SECONDS)
    except Exception as exc:  # any failure is the answer, not an error
        reasons.append(f"database: {exc or type(exc).__name__}")
    try:
        problem = await asyncio.wait_for(svc.bus.problem(), READY_CHECK_SECONDS)
    except TimeoutError:
        problem = "redis: no answer"
    if problem is not None:
        reasons.append(problem)
    if reasons:
        return JSONResponse({"status": "not_ready", "reasons": reasons}, status_code=503)
    bus = "redis" if svc.settings.redis_url else "in-process"
    return JSONResponse({"status": "ready", "database": "ok", "bus": bus})
