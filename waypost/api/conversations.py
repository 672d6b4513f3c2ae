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
from waypost.api.sse import MAX_SEQ, resume_point, session_event_stream, sse_response
from waypost.api.views import session_detail_out, session_out
from waypost.db.models import Message
from waypost.services import Services

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
    """Seed 002's view of an agent session: configs, state, messages, is_running."""
    detail = await svc.sessions.detail(user, session_id)
    row = detail.row
    config: dict[str, Any] | None = None
    if row.agent_id:
        try:
            agent = await svc.agents.get(user, row.agent_id)
        except Exception:  # the agent was deleted; the session's record stays readable
            agent = None
        if agent is not None:
            config = {
                "agent_id": agent.id,
                "name": agent.name,
                "system_prompt": agent.system_prompt,
                "chat_model_config": agent.chat_model_config,
                "fallback_chat_model_config": agent.fallback_chat_model_config,
                "context_config": agent.context_config,
                "react_config": agent.react_config,
            }
    messages = await svc.conversations.messages(row.id)
    state = dict(row.state or {})
    after = state.get("context_after")
    replies = [m.id for m in messages if m.role == "assistant"]
    state.update(
        session_id=row.id,
        summary=state.get("summary", ""),
        cur_iter=state.get("cur_iter", 0),
        tasks_context=state.get("tasks_context", {"tasks": []}),
        reply_id=replies[-1] if replies else None,
        # seed 002: the messages the model currently sees (after the last compaction)
        context=[
            {"id": m.id, "name": m.role, "content": m.content, "usage": m.usage}
            for m in messages
            if not after or m.id > after
        ],
    )
    return AgentSessionOut(
        **session_detail_out(detail).model_dump(),
        messages=[message_out(m) for m in messages],
        config=config,
        state=state,
    )


@router.post("/sandboxes/{sandbox_id}/sessions", status_code=201, response_model=AgentSessionOut)
async def create_sandbox_session(
    sandbox_id: str, body: SandboxSessionCreate, user: UserDep, svc: ServicesDep
) -> AgentSessionOut:
    row = await svc.conversations.create_session(
        user, sandbox_id, metadata=body.metadata, agent_id=body.agent_id, name=body.name
    )
    return await agent_session_out(svc, user, row.id)


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
    return ListPage(
        data=[session_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


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


@router.get("/sessions/{session_id}/messages", response_model=list[MessageOut])
async def list_messages(session_id: str, user: UserDep, svc: ServicesDep) -> list[MessageOut]:
    await svc.sessions.get(user, session_id)
    return [message_out(m) for m in await svc.conversations.messages(session_id)]


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
    await svc.conversations.decide(user, session_id, tool_use_id, body.decision == "approve")
    return {"tool_use_id": tool_use_id, "decision": body.decision}


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
