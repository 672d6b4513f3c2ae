"""/healthz: liveness plus a database round trip; no auth."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from waypost import __version__
from waypost.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(svc: ServicesDep) -> dict[str, Any]:
    async with svc.db.read() as s:
        await s.execute(text("SELECT 1"))
    return {
        "status": "ok",
        "version": __version__,
        "smtp": f"{svc.settings.smtp_host}:{svc.settings.smtp_port}",
        "domains": svc.settings.domains,
    }
