"""/api/v1/emails: one parsed email, its raw bytes, its attachments."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import EmailOut
from waypost.api.views import email_out
from waypost.errors import NotFound
from waypost.mail.parse import attachment_bytes

router = APIRouter(prefix="/api/v1/emails", tags=["emails"])


@router.get("/{email_id}", response_model=EmailOut)
async def get_email(email_id: str, user: UserDep, svc: ServicesDep) -> EmailOut:
    email = await svc.emails.get(user, email_id)
    if email.size > 256 * 1024:  # big MIME trees: parse off the event loop
        return email_out(email, await asyncio.to_thread(svc.emails.render, email))
    return email_out(email, svc.emails.render(email))


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
    found = attachment_bytes(email.raw, index) if index >= 0 else None
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
