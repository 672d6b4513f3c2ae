"""/api/v1/sessions: create, list, get, complete, fail, timeline, live events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.responses import model_response
from waypost.api.schemas import (
    AgentSessionOut,
    ListPage,
    ReplayCreate,
    ReplayOut,
    ReplayResult,
    ReplayStep,
    SessionCreate,
    SessionDetailOut,
    SessionEnd,
    SessionOut,
    SessionStatus,
    TimelineOut,
)
from waypost.api.sse import MAX_SEQ, resume_point, session_event_stream, sse_response
from waypost.api.views import event_out, session_detail_out, session_out
from waypost.db.models import Session as SessionRow
from waypost.db.pages import Page
from waypost.replay.service import ReplayRequest, replay
from waypost.services import Services
from waypost.sessions.replay import replay_step
from waypost.sessions.service import SessionLinks, new_detail
from waypost.sessions.views import load_view_data

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


async def _detail_out(svc: Services, user: str, session_id: str) -> SessionDetailOut:
    """A session with its inboxes, waits, counts and seed 002's view (without messages)."""
    detail = await svc.sessions.detail(user, session_id)
    return session_detail_out(detail, await load_view_data(svc.db, user, [detail.row]))


async def session_page(svc: Services, user: str, page: Page[SessionRow]) -> ListPage[SessionOut]:
    """A page of sessions as views; agents and teams are loaded once for the whole page."""
    data = await load_view_data(svc.db, user, page.data)
    return ListPage(
        data=[session_out(r, data) for r in page.data],
        total=page.total,
        next_cursor=page.next_cursor,
    )


@router.post("", status_code=201, response_model=SessionDetailOut)
async def create_session(body: SessionCreate, user: UserDep, svc: ServicesDep) -> SessionDetailOut:
    """A session; with ``team_id`` (one of the caller's teams) its agent is the team's leader
    and its workspace defaults to the team's."""
    row = await svc.sessions.create(
        user,
        name=body.name,
        metadata=body.metadata,
        agent_id=body.agent_id,
        links=SessionLinks(workspace_id=body.workspace_id, team_id=body.team_id),
    )
    # just made: nothing belongs to it yet, no need to read it back
    return session_detail_out(new_detail(row), await load_view_data(svc.db, user, [row]))


@router.get("", response_model=ListPage[SessionOut])
async def list_sessions(
    user: UserDep,
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
    status: SessionStatus | None = None,
    agent_id: str | None = None,
    sandbox_id: str | None = None,
    source: str | None = None,
    workspace_id: str | None = None,
) -> ListPage[SessionOut]:
    """Newest first. Items carry seed 002's view; their ``state.context`` is ``[]``
    (``GET /api/v1/sessions/{id}`` carries the messages the model sees)."""
    page = await svc.sessions.list(
        user,
        limit=limit,
        cursor=cursor,
        status=status,
        agent_id=agent_id,
        sandbox_id=sandbox_id,
        source=source,
        workspace_id=workspace_id,
    )
    return await session_page(svc, user, page)


@router.get("/{session_id}", response_model=AgentSessionOut | SessionDetailOut)
async def get_session(session_id: str, user: UserDep, svc: ServicesDep) -> Response:
    """A session; agent sessions also carry messages, configs, state and is_running."""
    return model_response(await session_view(svc, user, session_id))


async def session_view(
    svc: Services, user: str, session_id: str
) -> AgentSessionOut | SessionDetailOut:
    detail = await svc.sessions.detail(user, session_id)
    if detail.row.agent_id or detail.row.sandbox_id:
        from waypost.api.conversations import agent_session_out

        return await agent_session_out(svc, user, session_id)
    return session_detail_out(detail, await load_view_data(svc.db, user, [detail.row]))


@router.post("/{session_id}/complete", response_model=SessionDetailOut)
async def complete_session(
    session_id: str, user: UserDep, svc: ServicesDep, body: SessionEnd | None = None
) -> SessionDetailOut:
    await svc.sessions.end(user, session_id, "completed", body.reason if body else None)
    return await _detail_out(svc, user, session_id)


@router.post("/{session_id}/fail", response_model=SessionDetailOut)
async def fail_session(
    session_id: str, user: UserDep, svc: ServicesDep, body: SessionEnd | None = None
) -> SessionDetailOut:
    await svc.sessions.end(user, session_id, "failed", body.reason if body else None)
    return await _detail_out(svc, user, session_id)


@router.get("/{session_id}/timeline", response_model=TimelineOut)
async def session_timeline(
    session_id: str,
    user: UserDep,
    svc: ServicesDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
) -> TimelineOut:
    events = await svc.sessions.timeline(user, session_id, after)
    return TimelineOut(session_id=session_id, events=[event_out(e) for e in events])


@router.post(
    "/{session_id}/replay",
    status_code=201,
    response_model=ReplayResult,
    responses={409: {"description": "nothing to retry, or not an agent session"}},
)
async def replay_session(
    session_id: str, body: ReplayCreate, user: UserDep, svc: ServicesDep
) -> ReplayResult:
    """Act on the record: ``retry`` the workflows, ``reexecute`` the agent session from its
    record (and say where it diverged), or ``fork`` it at a step."""
    outcome = await replay(svc, user, session_id, ReplayRequest(**body.model_dump()))
    return ReplayResult(
        session=await session_view(svc, user, outcome.session_id),
        replay_of=session_id,
        divergence=outcome.divergence,
        **outcome.extra,
    )


@router.get("/{session_id}/replay", response_model=ReplayOut)
async def session_replay(session_id: str, user: UserDep, svc: ServicesDep) -> ReplayOut:
    """The recorded steps of the session, each with its input and output."""
    events = await svc.sessions.timeline(user, session_id)
    return ReplayOut(session_id=session_id, steps=[ReplayStep(**replay_step(e)) for e in events])


@router.get(
    "/{session_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def session_events(
    session_id: str,
    request: Request,
    user: UserDep,
    svc: ServicesDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: the timeline from ``Last-Event-ID`` / ``after``, then live."""
    start = resume_point(last_event_id, after, default=0)
    await svc.sessions.get(user, session_id)
    return sse_response(session_event_stream(svc, session_id, start))
