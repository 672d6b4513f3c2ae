"""Extraction endpoints: from a stored email, from posted content, and stored results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import ExtractionOut, ExtractRequest, ListPage, RawExtractRequest
from waypost.api.views import assist_spec, extraction_out
from waypost.errors import Invalid
from waypost.extract import MailContent

router = APIRouter(prefix="/api/v1", tags=["extraction"])


@router.post("/emails/{email_id}/extract", status_code=201, response_model=ExtractionOut)
async def extract_email(
    email_id: str, user: UserDep, svc: ServicesDep, body: ExtractRequest | None = None
) -> ExtractionOut:
    kind = body.type if body else "auto"
    row, assisted = await svc.extractions.from_email_noted(
        user, email_id, kind, assist_spec(body.assist if body else None)
    )
    return extraction_out(row, assisted)


@router.post("/extract", status_code=201, response_model=ExtractionOut)
async def extract_content(
    body: RawExtractRequest, user: UserDep, svc: ServicesDep
) -> ExtractionOut:
    """Extract from a raw message (``raw``) or from its parts (subject, from, text, html)."""
    content: MailContent | bytes
    if body.raw is not None:
        content = body.raw.encode("utf-8", "surrogateescape")  # parsed off the loop
    elif body.text is None and body.html is None and body.subject is None:
        raise Invalid("raw, or one of text, html, subject, is required")
    else:
        content = MailContent(
            subject=body.subject or "", sender=body.from_ or "", text=body.text, html=body.html
        )
    row, assisted = await svc.extractions.from_content(
        user, content, body.type, body.session_id, assist_spec(body.assist)
    )
    return extraction_out(row, assisted)


@router.get("/extractions/{extraction_id}", response_model=ExtractionOut)
async def get_extraction(extraction_id: str, user: UserDep, svc: ServicesDep) -> ExtractionOut:
    return extraction_out(await svc.extractions.get(user, extraction_id))


@router.get("/extractions", response_model=ListPage[ExtractionOut])
async def list_extractions(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    session_id: str | None = None,
) -> ListPage[ExtractionOut]:
    page = await svc.extractions.list(user, limit=limit, cursor=cursor, session_id=session_id)
    return ListPage(
        data=[extraction_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )
