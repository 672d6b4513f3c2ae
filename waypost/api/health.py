"""/healthz: liveness plus a database round trip; no auth."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

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
