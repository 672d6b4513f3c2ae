"""Seed 002's own paths, served only in trusted-gateway mode (``x-user-id`` identity).

``GET /sessions?agent_id=…`` answers ``{"sessions": [SessionView], "total": n}`` with the
session record nested under ``session`` and ``is_running`` / ``team`` beside it, as the
seed writes it. The app includes this router only when ``settings.trusted_gateway`` is on;
otherwise the path is unknown (404). ``state.context`` is ``[]`` in these list items.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import GatewaySessionList
from waypost.api.session_views import gateway_view
from waypost.sessions.views import load_view_data

router = APIRouter(tags=["gateway"])


@router.get("/sessions", response_model=GatewaySessionList)
async def list_agent_sessions(
    user: UserDep,
    svc: ServicesDep,
    agent_id: Annotated[str, Query(description="Filter sessions by agent ID.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    cursor: str | None = None,
) -> GatewaySessionList:
    """List sessions for an agent (newest first; ``total`` counts them all)."""
    page = await svc.sessions.list(user, limit=limit, cursor=cursor, agent_id=agent_id)
    data = await load_view_data(svc.db, user, page.data)
    return GatewaySessionList(
        sessions=[gateway_view(row, data) for row in page.data], total=page.total
    )
