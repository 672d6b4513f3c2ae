"""Conversations (seed 003): sessions in sandboxes, messages, the live stream, interrupts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from waypost.agents.runtime import STREAM_TYPES
from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import (
    AgentSessionOut,
    ApprovalDecision,
    ListPage,
    MessageCreate,
    MessageOut,
    SandboxSessionCreate,
    SessionOut,
)
from waypost.api.sessions import session_page
from waypost.api.sse import MAX_SEQ, resume_point, session_event_stream, sse_response
from waypost.api.views import session_detail_fields
from waypost.db.models import Message
from waypost.services import Services
from waypost.sessions.service import SessionLinks, new_detail
from waypost.sessions.views import load_view_data

router = APIRouter(prefix="/api/v1", tags=["conversations"])


def message_out(row: Message) -> MessageOut:
    return MessageOut(
        id=row.id,
        session_id=row.session_id,
        role=row.role,
        content=row.content,
        timestamp=row.created_at,
        usage=row.usage,
    )


async def agent_session_out(svc: Services, user: str, session_id: str) -> AgentSessionOut:
    """Seed 002's view of an agent session: config, state (with the context the model
    sees), team, is_running; and its messages."""
    detail = await svc.sessions.detail(user, session_id)
    data = await load_view_data(svc.db, user, [detail.row], replies=False, scripts=True)
    messages = await svc.conversations.messages(detail.row.id)
    return AgentSessionOut(
        **session_detail_fields(detail, data, messages),
        messages=[message_out(m) for m in messages],
    )


@router.post("/sandboxes/{sandbox_id}/sessions", status_code=201, response_model=AgentSessionOut)
async def create_sandbox_session(
    sandbox_id: str, body: SandboxSessionCreate, user: UserDep, svc: ServicesDep
) -> AgentSessionOut:
    row = await svc.conversations.create_session(
        user,
        sandbox_id,
        metadata=body.metadata,
        agent_id=body.agent_id,
        name=body.name,
        # no workspace: the sandbox's; a team's session runs its leader
        links=SessionLinks(workspace_id=body.workspace_id, team_id=body.team_id),
    )
    # just made: no messages, nothing belongs to it yet; only its agent (and team) is read
    data = await load_view_data(svc.db, user, [row], replies=False, scripts=True)
    return AgentSessionOut(**session_detail_fields(new_detail(row), data, []), messages=[])


@router.get("/sandboxes/{sandbox_id}/sessions", response_model=ListPage[SessionOut])
async def list_sandbox_sessions(
    sandbox_id: str,
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ListPage[SessionOut]:
    await svc.sandboxes.get(user, sandbox_id)
    page = await svc.sessions.list(user, limit=limit, cursor=cursor, sandbox_id=sandbox_id)
    return await session_page(svc, user, page)


@router.post(
    "/sessions/{session_id}/messages",
    response_model=MessageOut,
    responses={
        202: {"description": "wait=false: the run started"},
        409: {"description": "session_busy"},
    },
)
async def send_message(
    session_id: str, body: MessageCreate, user: UserDep, svc: ServicesDep, wait: bool = True
) -> Response:
    """Send a user message; blocks until the agent's final answer unless ``wait=false``."""
    content = (
        [{"type": "text", "text": body.content}] if isinstance(body.content, str) else body.content
    )
    final = await svc.conversations.send(user, session_id, content, wait=wait)
    if not wait:
        return JSONResponse({"session_id": session_id, "status": "running"}, status_code=202)
    if final is None:
        return JSONResponse({"session_id": session_id, "status": "interrupted"}, status_code=200)
    return JSONResponse(message_out(final).model_dump(mode="json"))


@router.get("/sessions/{session_id}/messages", response_model=ListPage[MessageOut])
async def list_messages(
    session_id: str,
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ListPage[MessageOut]:
    """The conversation, oldest first; ``next_cursor`` is the last id of a full page."""
    await svc.sessions.get(user, session_id)
    messages = await svc.conversations.messages(session_id)
    rest = [m for m in messages if m.id > cursor] if cursor else messages
    page = rest[:limit]
    return ListPage(
        data=[message_out(m) for m in page],
        total=len(messages),
        next_cursor=page[-1].id if len(rest) > limit else None,
    )


@router.post("/sessions/{session_id}/interrupt")
async def interrupt(session_id: str, user: UserDep, svc: ServicesDep) -> dict[str, Any]:
    """Stop the current run; the conversation stays usable for the next message."""
    return {
        "session_id": session_id,
        "interrupted": await svc.conversations.interrupt(user, session_id),
    }


@router.post("/sessions/{session_id}/approvals/{tool_use_id}")
async def decide(
    session_id: str, tool_use_id: str, body: ApprovalDecision, user: UserDep, svc: ServicesDep
) -> dict[str, Any]:
    """Approve or reject a tool call held by an ``ask`` permission rule."""
    approve = body.decision == "approve"
    await svc.conversations.decide(user, session_id, tool_use_id, approve, body.remember)
    return {"tool_use_id": tool_use_id, "decision": body.decision, "remember": body.remember}


@router.get(
    "/sessions/{session_id}/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    session_id: str,
    user: UserDep,
    svc: ServicesDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
) -> StreamingResponse:
    """The agent's live output: text_delta, tool_use_start, tool_result, session_completed…"""
    row = await svc.sessions.get(user, session_id)
    # without a resume point, a new subscriber sees what happens from now on
    start = resume_point(last_event_id, after, default=row.last_seq)
    frames = session_event_stream(svc, session_id, start, STREAM_TYPES, keepalive_event=True)
    return sse_response(frames)
