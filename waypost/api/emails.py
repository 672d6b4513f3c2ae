"""/api/v1/emails: one parsed email, its raw bytes, its attachments."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import EmailOut
from waypost.api.views import email_out
from waypost.errors import NotFound

router = APIRouter(prefix="/api/v1/emails", tags=["emails"])


@router.get("/{email_id}", response_model=EmailOut)
async def get_email(email_id: str, user: UserDep, svc: ServicesDep) -> EmailOut:
    email = await svc.emails.get(user, email_id)
    return email_out(email, await svc.emails.render(email))


@router.get(
    "/{email_id}/raw",
    response_class=Response,
    responses={200: {"content": {"message/rfc822": {}}}},
)
async def get_raw(email_id: str, user: UserDep, svc: ServicesDep) -> Response:
    email = await svc.emails.get(user, email_id)
    return Response(
        content=email.raw,
        media_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{email.id}.eml"'},
    )


@router.get(
    "/{email_id}/attachments/{index}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_attachment(email_id: str, index: int, user: UserDep, svc: ServicesDep) -> Response:
    email = await svc.emails.get(user, email_id)
    rendered = await svc.emails.render(email)  # the cached parse: no re-parse per download
    found = await asyncio.to_thread(rendered.attachment, index) if index >= 0 else None
    if found is None:
        raise NotFound.of("attachment")
    meta, payload = found
    filename = (
        (meta.filename or f"attachment-{index}")
        .replace('"', "")
        .replace("\r", "")
        .replace("\n", "")
    )
    return Response(
        content=payload,
        media_type=meta.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": _disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


def _disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
