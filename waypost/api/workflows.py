"""/api/v1/workflows (seed 001): create-inbox-and-wait and signup.

Three ways to answer, because a caller usually needs the address before the
email is sent: block until the wait resolves (201, or 408 on timeout), answer
at once (``respond: "immediately"`` → 202), or stream (``Accept:
text/event-stream``: ``inbox.created`` first, then the wait's outcome).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import WorkflowCreate, WorkflowOut, WorkflowSessionOut
from waypost.api.sse import sse_response
from waypost.api.views import assist_spec, inbox_out, wait_out
from waypost.db.models import Session as SessionRow
from waypost.db.models import Wait
from waypost.services import Services
from waypost.workflows.service import Started, WorkflowRequest

router = APIRouter(prefix="/api/v1/workflows", tags=["workflows"])

STATUS_BY_OUTCOME = {"completed": 201, "timed_out": 408, "cancelled": 200, "pending": 202}
RESPONSES: dict[int | str, dict[str, object]] = {
    201: {"model": WorkflowOut, "description": "The wait completed"},
    202: {"model": WorkflowOut, "description": "respond=immediately: inbox and pending wait"},
    408: {"model": WorkflowOut, "description": "The wait timed out (result is null)"},
    500: {"description": "Workflow failed and was rolled back"},
}


def _body(started: Started, wait: Wait) -> WorkflowOut:
    session: SessionRow | None = started.session
    return WorkflowOut(
        inbox=inbox_out(started.inbox),
        wait=wait_out(wait),
        session=WorkflowSessionOut(id=session.id, name=session.name, status=session.status)
        if session
        else None,
    )


async def _run(
    kind: str, body: WorkflowCreate, request: Request, user: str, svc: Services
) -> Response:
    req = WorkflowRequest(
        kind=kind,
        wait_type=body.wait_type,
        timeout_seconds=body.timeout_seconds,
        ttl_seconds=body.ttl_seconds,
        session_id=body.session_id,
        metadata=body.metadata,
        username=body.username,
        domain=body.domain,
        criteria=body.criteria.as_dict() if body.criteria else None,
        confidence_threshold=body.confidence_threshold,
        assist=assist_spec(body.assist),
    )
    started = await svc.workflows.start(user, req, fail_at=body.fail_at)
    if "text/event-stream" in request.headers.get("accept", ""):
        return sse_response(_stream(started, user, svc))
    if body.respond == "immediately":
        return JSONResponse(_body(started, started.wait).model_dump(mode="json"), status_code=202)
    wait = await svc.waits.block(user, started.wait.id)
    return JSONResponse(
        _body(started, wait).model_dump(mode="json"), status_code=STATUS_BY_OUTCOME[wait.status]
    )


async def _stream(started: Started, user: str, svc: Services) -> AsyncIterator[str]:
    first = _body(started, started.wait).model_dump(mode="json")
    yield f"event: inbox.created\ndata: {json.dumps(first)}\n\n"
    wait = await svc.waits.block(user, started.wait.id)
    final = _body(started, wait).model_dump(mode="json")
    yield f"event: wait.{wait.status}\ndata: {json.dumps(final)}\n\n"


@router.post(
    "/create-inbox-and-wait", status_code=201, response_model=WorkflowOut, responses=RESPONSES
)
async def create_inbox_and_wait(
    body: WorkflowCreate, request: Request, user: UserDep, svc: ServicesDep
) -> Response:
    """Create an inbox and start a wait on it in one atomic call."""
    return await _run("create-inbox-and-wait", body, request, user, svc)


@router.post("/signup", status_code=201, response_model=WorkflowOut, responses=RESPONSES)
async def signup(
    body: WorkflowCreate, request: Request, user: UserDep, svc: ServicesDep
) -> Response:
    """Create an inbox, wait for the verification email, extract the code or link."""
    return await _run("signup", body, request, user, svc)
