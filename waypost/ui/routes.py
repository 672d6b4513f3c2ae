"""Serves the web UI: the page at ``/`` and its assets under ``/ui/``.

The files ship inside the package (no front-end build step). Every answer carries a strict
Content-Security-Policy: scripts only from this origin, no inline script, no remote
connections. ``style-src`` allows inline styles only because the emails' sanitised HTML keeps
its ``style`` attributes and a ``srcdoc`` iframe inherits this policy; the page itself never
builds markup from data (it sets ``textContent``), and the iframe is sandboxed without
``allow-scripts`` and adds its own ``default-src 'none'`` policy.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.errors import NotFound
from waypost.ui.last_events import MAX_IDS, last_events

router = APIRouter(include_in_schema=False)

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "child-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


@cache
def _assets() -> dict[str, bytes]:
    """Every file of ``static/`` by name, read once (a fixed set: nothing else is served)."""
    root = resources.files("waypost.ui") / "static"
    found: dict[str, bytes] = {}
    for entry in root.iterdir():
        suffix = entry.name[entry.name.rfind(".") :]
        if entry.is_file() and suffix in _TYPES:
            found[entry.name] = entry.read_bytes()
    return found


def _asset(name: str) -> Response:
    body = _assets().get(name)
    if body is None:
        raise NotFound.of("file")
    media = _TYPES[name[name.rfind(".") :]]
    return Response(content=body, media_type=media, headers=HEADERS)


@router.get("/")
async def index() -> Response:
    """The single page; it signs in with an API key and routes by the URL's fragment."""
    return _asset("index.html")


@router.get("/ui/{name}")
async def asset(name: str) -> Response:
    """A script, stylesheet or icon of the page, by its file name."""
    return _asset(name)


@router.get("/ui/api/last-events")
async def sessions_last_events(
    user: UserDep,
    svc: ServicesDep,
    session_id: Annotated[list[str], Query(max_length=MAX_IDS)],
) -> dict[str, Any]:
    """The last event of each listed session (the sessions page's "Last event" column)."""
    return {"data": await last_events(svc.db, user, session_id)}
