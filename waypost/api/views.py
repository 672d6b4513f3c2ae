"""Rows → response models. Kept apart so routers stay a few lines each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from waypost.api.schemas import (
    AddressOut,
    AssistIn,
    AssistOut,
    AssistSpecOut,
    AttachmentOut,
    CandidateOut,
    EmailOut,
    EmailSummaryOut,
    EventOut,
    ExtractionOut,
    HeaderOut,
    InboxOut,
    ResultOut,
    SessionCounts,
    SessionDetailOut,
    SessionOut,
    WaitOut,
)
from waypost.api.session_views import seed_fields
from waypost.db.models import Email, Event, Extraction, Inbox, Message, Wait
from waypost.db.models import Session as SessionRow
from waypost.extractions.assist import Assisted, AssistSpec, method_of
from waypost.mail.parse import Address
from waypost.mail.store import RenderedEmail
from waypost.sessions.service import SessionDetail
from waypost.sessions.views import ViewData


def session_out(
    row: SessionRow, data: ViewData | None = None, messages: Sequence[Message] | None = None
) -> SessionOut:
    """A session with seed 002's view; ``data`` brings its agent and team (none: nulls),
    ``messages`` its ``state.context`` (none: ``[]``)."""
    return SessionOut(**session_fields(row, data, messages))


def session_fields(
    row: SessionRow, data: ViewData | None = None, messages: Sequence[Message] | None = None
) -> dict[str, Any]:
    """:func:`session_out`'s fields, for the models that extend it (each built once)."""
    return dict(
        id=row.id,
        name=row.name,
        status=row.status,
        metadata=row.meta,
        agent_id=row.agent_id,
        sandbox_id=row.sandbox_id,
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
        ended_at=row.ended_at,
        is_running=row.run_status == "running",
        **seed_fields(row, data or ViewData(), messages),
    )


def session_detail_out(
    detail: SessionDetail, data: ViewData | None = None, messages: Sequence[Message] | None = None
) -> SessionDetailOut:
    return SessionDetailOut(**session_detail_fields(detail, data, messages))


def session_detail_fields(
    detail: SessionDetail, data: ViewData | None = None, messages: Sequence[Message] | None = None
) -> dict[str, Any]:
    """:func:`session_detail_out`'s fields (an agent session's view adds its messages)."""
    return dict(
        session_fields(detail.row, data, messages),
        inboxes=detail.inboxes,
        waits=detail.waits,
        extractions=detail.extractions,
        counts=SessionCounts(
            inboxes=len(detail.inboxes),
            emails=detail.email_count,
            waits=len(detail.waits),
            extractions=len(detail.extractions),
            events=detail.event_count,
        ),
    )


def event_out(event: Event) -> EventOut:
    return EventOut(
        id=f"evt_{event.id}",
        seq=event.seq,
        type=event.type,
        timestamp=event.timestamp,
        description=event.description,
        session_id=event.session_id,
        data=event.data,
    )


def inbox_out(inbox: Inbox) -> InboxOut:
    return InboxOut(
        id=inbox.id,
        email_address=inbox.address,
        session_id=inbox.session_id,
        metadata=inbox.meta,
        created_at=inbox.created_at,
        expires_at=inbox.expires_at,
    )


def email_summary_out(email: Email) -> EmailSummaryOut:
    return EmailSummaryOut.model_validate(
        {
            "id": email.id,
            "inbox_id": email.inbox_id,
            "from": email.from_header,
            "subject": email.subject,
            "date": email.date,
            "message_id": email.message_id,
            "size": email.size,
            "received_at": email.received_at,
        }
    )


def _addresses(items: list[Address]) -> list[AddressOut]:
    return [AddressOut(name=a.name, address=a.address) for a in items]


def email_out(email: Email, rendered: RenderedEmail) -> EmailOut:
    parsed = rendered.parsed
    summary = email_summary_out(email).model_dump(by_alias=True)
    return EmailOut.model_validate(
        {
            **summary,
            "mail_from": email.mail_from,
            "from_addresses": _addresses(parsed.from_),
            "to": _addresses(parsed.to),
            "cc": _addresses(parsed.cc),
            "reply_to": _addresses(parsed.reply_to),
            "headers": [HeaderOut(name=n, value=v) for n, v in parsed.headers],
            "text": parsed.text,
            "html": rendered.safe_html,
            "attachments": [
                AttachmentOut(
                    index=a.index,
                    filename=a.filename,
                    content_type=a.content_type,
                    size=a.size,
                    content_id=a.content_id,
                    inline=a.inline,
                )
                for a in parsed.attachments
            ],
            "defects": parsed.defects,
        }
    )


def wait_out(wait: Wait) -> WaitOut:
    spec = AssistSpec.from_dict(wait.criteria.get("assist"))
    return WaitOut(
        id=wait.id,
        inbox_id=wait.inbox_id,
        session_id=wait.session_id,
        type=wait.type,
        status=wait.status,
        criteria={k: v for k, v in wait.criteria.items() if k != "assist"},
        timeout_seconds=wait.timeout_seconds,
        confidence_threshold=wait.confidence_threshold,
        created_at=wait.created_at,
        expires_at=wait.deadline,
        completed_at=wait.completed_at,
        result=ResultOut.model_validate(wait.result) if wait.result else None,
        assist=AssistSpecOut.model_validate(spec.as_dict()) if spec else None,
    )


def assist_spec(body: AssistIn | None) -> AssistSpec | None:
    """The request's ``assist`` object as the services take it."""
    if body is None:
        return None
    return AssistSpec(body.credential_id, body.model, body.threshold)


def extraction_out(row: Extraction, assisted: Assisted | None = None) -> ExtractionOut:
    return ExtractionOut(
        id=row.id,
        email_id=row.email_id,
        session_id=row.session_id,
        wait_id=row.wait_id,
        type=row.type,
        value=row.value,
        confidence=row.confidence,
        candidates=[CandidateOut.model_validate(c) for c in row.candidates],
        created_at=row.created_at,
        method=method_of(row.value, row.candidates),
        assist=AssistOut.model_validate(assisted.note()) if assisted else None,
    )
