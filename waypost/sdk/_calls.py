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

from waypost.sdk.models import (
    Agent,
    AgentSession,
    Credential,
    Email,
    EmailSummary,
    Extraction,
    Inbox,
    Message,
    Page,
    Replay,
    ReplayResult,
    Sandbox,
    Session,
    SessionDetail,
    Timeline,
    Wait,
    Workflow,
)

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
    blocking: bool = False  # held open by the server (long poll): no read timeout
    ok_statuses: tuple[int, ...] = ()  # error statuses that still carry a normal answer


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
    name: str | None,
    metadata: dict[str, Any] | None,
    agent_id: str | None,
    workspace_id: str | None = None,
    team_id: str | None = None,
) -> Call[SessionDetail]:
    body = _body(
        name=name,
        metadata=metadata,
        agent_id=agent_id,
        workspace_id=workspace_id,
        team_id=team_id,
    )
    return Call("POST", "/api/v1/sessions", model(SessionDetail), json=body)


def sessions_list(
    limit: int,
    cursor: str | None,
    status: str | None,
    agent_id: str | None,
    sandbox_id: str | None,
    workspace_id: str | None = None,
) -> Call[Page[Session]]:
    params = _params(
        limit=limit,
        cursor=cursor,
        status=status,
        agent_id=agent_id,
        sandbox_id=sandbox_id,
        workspace_id=workspace_id,
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


def sessions_replay(session_id: str) -> Call[Replay]:
    return Call("GET", f"/api/v1/sessions/{session_id}/replay", model(Replay))


def sessions_replay_act(session_id: str, mode: str, options: dict[str, Any]) -> Call[ReplayResult]:
    """POST …/replay: a retry blocks until its waits resolve unless respond="immediately"."""
    blocking = mode == "retry" and options.get("respond") != "immediately"
    return Call(
        "POST",
        f"/api/v1/sessions/{session_id}/replay",
        model(ReplayResult),
        json=_body(mode=mode, **options),
        blocking=blocking,
    )


# --- waits, workflows, extraction ---------------------------------------------------------------


def waits_create(
    inbox_id: str,
    type: str,
    timeout_seconds: int | None,
    criteria: dict[str, Any] | None,
    after: str | None,
    confidence_threshold: float | None,
) -> Call[Wait]:
    body = _body(
        inbox_id=inbox_id,
        type=type,
        timeout_seconds=timeout_seconds,
        criteria=criteria,
        after=after,
        confidence_threshold=confidence_threshold,
    )
    return Call("POST", "/api/v1/waits", model(Wait), json=body)


def waits_get(wait_id: str, block: bool, hold: float | None = None) -> Call[Wait]:
    params = _params(block="true" if block else None, timeout=hold)
    return Call("GET", f"/api/v1/waits/{wait_id}", model(Wait), params=params, blocking=block)


def waits_list(
    limit: int, cursor: str | None, inbox_id: str | None, session_id: str | None, status: str | None
) -> Call[Page[Wait]]:
    params = _params(
        limit=limit, cursor=cursor, inbox_id=inbox_id, session_id=session_id, status=status
    )
    return Call("GET", "/api/v1/waits", model(Page[Wait]), params=params)


def waits_cancel(wait_id: str) -> Call[Wait]:
    return Call("POST", f"/api/v1/waits/{wait_id}/cancel", model(Wait))


def workflow(kind: str, wait_type: str, respond: str, **fields: Any) -> Call[Workflow]:
    """Both workflows; a 408 (timed out) is an answer, not an error: ``wait.status`` says so."""
    body = _body(wait_type=wait_type, respond=None if respond == "wait" else respond, **fields)
    return Call(
        "POST",
        f"/api/v1/workflows/{kind}",
        model(Workflow),
        json=body,
        blocking=respond == "wait",
        ok_statuses=(408,),
    )


def extract_email(email_id: str, type: str) -> Call[Extraction]:
    return Call(
        "POST", f"/api/v1/emails/{email_id}/extract", model(Extraction), json={"type": type}
    )


def extract_content(type: str, **content: Any) -> Call[Extraction]:
    return Call("POST", "/api/v1/extract", model(Extraction), json=_body(type=type, **content))


def extractions_get(extraction_id: str) -> Call[Extraction]:
    return Call("GET", f"/api/v1/extractions/{extraction_id}", model(Extraction))


# --- credentials, agents, sandboxes, conversations ------------------------------------------------


def credentials_create(
    provider: str, name: str, secret: str, base_url: str | None
) -> Call[Credential]:
    body = _body(provider=provider, name=name, secret=secret, base_url=base_url)
    return Call("POST", "/api/v1/credentials", model(Credential), json=body)


def credentials_list(limit: int, cursor: str | None) -> Call[Page[Credential]]:
    return Call(
        "GET",
        "/api/v1/credentials",
        model(Page[Credential]),
        params=_params(limit=limit, cursor=cursor),
    )


def credentials_delete(credential_id: str) -> Call[None]:
    return Call("DELETE", f"/api/v1/credentials/{credential_id}", nothing)


def agents_create(fields: dict[str, Any]) -> Call[Agent]:
    return Call("POST", "/api/v1/agents", model(Agent), json=_body(**fields))


def agents_get(agent_id: str) -> Call[Agent]:
    return Call("GET", f"/api/v1/agents/{agent_id}", model(Agent))


def agents_list(
    limit: int, cursor: str | None, workspace_id: str | None = None
) -> Call[Page[Agent]]:
    params = _params(limit=limit, cursor=cursor, workspace_id=workspace_id)
    return Call("GET", "/api/v1/agents", model(Page[Agent]), params=params)


def agents_update(agent_id: str, fields: dict[str, Any]) -> Call[Agent]:
    return Call("PATCH", f"/api/v1/agents/{agent_id}", model(Agent), json=_body(**fields))


def agents_delete(agent_id: str) -> Call[None]:
    return Call("DELETE", f"/api/v1/agents/{agent_id}", nothing)


def sandboxes_create(
    name: str | None,
    limits: dict[str, Any] | None,
    agent_id: str | None,
    workspace_id: str | None = None,
) -> Call[Sandbox]:
    return Call(
        "POST",
        "/api/v1/sandboxes",
        model(Sandbox),
        json=_body(name=name, limits=limits, agent_id=agent_id, workspace_id=workspace_id),
    )


def sandboxes_get(sandbox_id: str) -> Call[Sandbox]:
    return Call("GET", f"/api/v1/sandboxes/{sandbox_id}", model(Sandbox))


def sandboxes_list(
    limit: int, cursor: str | None, workspace_id: str | None = None
) -> Call[Page[Sandbox]]:
    params = _params(limit=limit, cursor=cursor, workspace_id=workspace_id)
    return Call("GET", "/api/v1/sandboxes", model(Page[Sandbox]), params=params)


def sandboxes_delete(sandbox_id: str) -> Call[None]:
    return Call("DELETE", f"/api/v1/sandboxes/{sandbox_id}", nothing)


def sandbox_sessions_create(
    sandbox_id: str,
    metadata: dict[str, Any] | None,
    agent_id: str | None,
    name: str | None,
    workspace_id: str | None = None,
    team_id: str | None = None,
) -> Call[AgentSession]:
    body = _body(
        metadata=metadata, agent_id=agent_id, name=name, workspace_id=workspace_id, team_id=team_id
    )
    return Call("POST", f"/api/v1/sandboxes/{sandbox_id}/sessions", model(AgentSession), json=body)


def sandbox_sessions_list(sandbox_id: str, limit: int, cursor: str | None) -> Call[Page[Session]]:
    params = _params(limit=limit, cursor=cursor)
    return Call(
        "GET", f"/api/v1/sandboxes/{sandbox_id}/sessions", model(Page[Session]), params=params
    )


def sessions_send(session_id: str, content: str | list[dict[str, Any]]) -> Call[Message]:
    body = {"role": "user", "content": content}
    return Call(
        "POST", f"/api/v1/sessions/{session_id}/messages", model(Message), json=body, blocking=True
    )


def sessions_send_nowait(session_id: str, content: str | list[dict[str, Any]]) -> Call[None]:
    body = {"role": "user", "content": content}
    return Call(
        "POST",
        f"/api/v1/sessions/{session_id}/messages",
        nothing,
        params={"wait": "false"},
        json=body,
    )


def sessions_messages(session_id: str, limit: int, cursor: str | None) -> Call[Page[Message]]:
    return Call(
        "GET",
        f"/api/v1/sessions/{session_id}/messages",
        model(Page[Message]),
        params=_params(limit=limit, cursor=cursor),
    )


def sessions_interrupt(session_id: str) -> Call[bool]:
    return Call(
        "POST", f"/api/v1/sessions/{session_id}/interrupt", lambda r: bool(r.json()["interrupted"])
    )


def sessions_approve(
    session_id: str, tool_use_id: str, approve: bool, remember: bool = False
) -> Call[None]:
    body = {"decision": "approve" if approve else "reject", "remember": remember}
    return Call(
        "POST", f"/api/v1/sessions/{session_id}/approvals/{tool_use_id}", nothing, json=body
    )


def sessions_update_permissions(session_id: str, changes: dict[str, Any]) -> Call[dict[str, Any]]:
    """The session's whole permission context after the change."""
    return Call(
        "PATCH",
        f"/api/v1/sessions/{session_id}/permissions",
        lambda r: dict(r.json()["permission_context"]),
        json=_body(**changes),
    )


def sessions_agent_view(session_id: str) -> Call[AgentSession]:
    return Call("GET", f"/api/v1/sessions/{session_id}", model(AgentSession))
