"""Every API call described once (method, path, body, how to read the answer).

``Client`` and ``AsyncClient`` only differ in how they execute a :class:`Call`,
so their behaviour cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel

from waypost.sdk.models import Email, EmailSummary, Inbox, Page, Session, SessionDetail, Timeline

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP request and the parser for its successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    timeout: float | None = None


def model(cls: type[M]) -> Callable[[httpx.Response], M]:
    """Parse the JSON answer into ``cls``."""
    return lambda response: cls.model_validate(response.json())


def raw_bytes(response: httpx.Response) -> bytes:
    """The answer's body as bytes."""
    return response.content


def nothing(_: httpx.Response) -> None:
    """For calls that answer 204."""


def _params(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _body(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# --- sessions -----------------------------------------------------------------------------------


def sessions_create(
    name: str | None, metadata: dict[str, Any] | None, agent_id: str | None
) -> Call[SessionDetail]:
    return Call(
        "POST",
        "/api/v1/sessions",
        model(SessionDetail),
        json=_body(name=name, metadata=metadata, agent_id=agent_id),
    )


def sessions_list(
    limit: int, cursor: str | None, status: str | None, agent_id: str | None, sandbox_id: str | None
) -> Call[Page[Session]]:
    params = _params(
        limit=limit, cursor=cursor, status=status, agent_id=agent_id, sandbox_id=sandbox_id
    )
    return Call("GET", "/api/v1/sessions", model(Page[Session]), params=params)


def sessions_get(session_id: str) -> Call[SessionDetail]:
    return Call("GET", f"/api/v1/sessions/{session_id}", model(SessionDetail))


def sessions_end(session_id: str, outcome: str, reason: str | None) -> Call[SessionDetail]:
    return Call(
        "POST",
        f"/api/v1/sessions/{session_id}/{outcome}",
        model(SessionDetail),
        json=_body(reason=reason),
    )


def sessions_timeline(session_id: str, after: int) -> Call[Timeline]:
    return Call(
        "GET",
        f"/api/v1/sessions/{session_id}/timeline",
        model(Timeline),
        params=_params(after=after),
    )


# --- inboxes and emails -------------------------------------------------------------------------


def inboxes_create(
    username: str | None,
    domain: str | None,
    ttl_seconds: int | None,
    session_id: str | None,
    metadata: dict[str, Any] | None,
) -> Call[Inbox]:
    body = _body(
        username=username,
        domain=domain,
        ttl_seconds=ttl_seconds,
        session_id=session_id,
        metadata=metadata,
    )
    return Call("POST", "/api/v1/inboxes", model(Inbox), json=body)


def inboxes_list(limit: int, cursor: str | None, session_id: str | None) -> Call[Page[Inbox]]:
    return Call(
        "GET",
        "/api/v1/inboxes",
        model(Page[Inbox]),
        params=_params(limit=limit, cursor=cursor, session_id=session_id),
    )


def inboxes_get(inbox_id: str) -> Call[Inbox]:
    return Call("GET", f"/api/v1/inboxes/{inbox_id}", model(Inbox))


def inboxes_delete(inbox_id: str) -> Call[None]:
    return Call("DELETE", f"/api/v1/inboxes/{inbox_id}", nothing)


def inboxes_emails(
    inbox_id: str,
    limit: int,
    cursor: str | None,
    sender: str | None,
    subject: str | None,
    since: datetime | None,
) -> Call[Page[EmailSummary]]:
    params = _params(limit=limit, cursor=cursor, subject=subject, since=since)
    if sender is not None:
        params["from"] = sender
    return Call(
        "GET", f"/api/v1/inboxes/{inbox_id}/emails", model(Page[EmailSummary]), params=params
    )


def emails_get(email_id: str) -> Call[Email]:
    return Call("GET", f"/api/v1/emails/{email_id}", model(Email))


def emails_raw(email_id: str) -> Call[bytes]:
    return Call("GET", f"/api/v1/emails/{email_id}/raw", raw_bytes)


def emails_attachment(email_id: str, index: int) -> Call[bytes]:
    return Call("GET", f"/api/v1/emails/{email_id}/attachments/{index}", raw_bytes)
