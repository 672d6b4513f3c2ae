"""/api/v1/credentials, /api/v1/agents and /api/v1/sandboxes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from waypost.api.deps import ServicesDep, UserDep
from waypost.api.schemas import (
    AgentCreate,
    AgentOut,
    AgentUpdate,
    CredentialCreate,
    CredentialOut,
    ListPage,
    SandboxCreate,
    SandboxOut,
    SandboxUpdate,
)
from waypost.db.models import Agent, Credential, Sandbox

router = APIRouter(prefix="/api/v1", tags=["agents"])
Limit = Annotated[int, Query(ge=1, le=100)]


def credential_out(row: Credential) -> CredentialOut:
    return CredentialOut(
        id=row.id,
        provider=row.provider,
        name=row.name,
        base_url=row.base_url,
        created_at=row.created_at,
    )


def agent_out(row: Agent) -> AgentOut:
    return AgentOut(
        id=row.id,
        name=row.name,
        system_prompt=row.system_prompt,
        chat_model_config=row.chat_model_config,
        fallback_chat_model_config=row.fallback_chat_model_config,
        context_config=row.context_config,
        react_config=row.react_config,
        tools=row.tools,
        tool_groups=row.tool_groups,
        permissions=row.permissions,
        workspace_id=row.workspace_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def sandbox_out(row: Sandbox) -> SandboxOut:
    return SandboxOut(
        id=row.id,
        name=row.name,
        limits=row.limits,
        agent_id=row.agent_id,
        workspace_id=row.workspace_id,
        created_at=row.created_at,
    )


@router.post("/credentials", status_code=201, response_model=CredentialOut, tags=["credentials"])
async def create_credential(
    body: CredentialCreate, user: UserDep, svc: ServicesDep
) -> CredentialOut:
    row = await svc.credentials.create(
        user, provider=body.provider, name=body.name, secret=body.secret, base_url=body.base_url
    )
    return credential_out(row)


@router.get("/credentials", response_model=ListPage[CredentialOut], tags=["credentials"])
async def list_credentials(
    user: UserDep, svc: ServicesDep, limit: Limit = 20, cursor: str | None = None
) -> ListPage[CredentialOut]:
    page = await svc.credentials.list(user, limit=limit, cursor=cursor)
    return ListPage(
        data=[credential_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/credentials/{credential_id}", response_model=CredentialOut, tags=["credentials"])
async def get_credential(credential_id: str, user: UserDep, svc: ServicesDep) -> CredentialOut:
    return credential_out(await svc.credentials.get(user, credential_id))


@router.delete(
    "/credentials/{credential_id}", status_code=204, response_class=Response, tags=["credentials"]
)
async def delete_credential(credential_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.credentials.delete(user, credential_id)
    return Response(status_code=204)


@router.post("/agents", status_code=201, response_model=AgentOut)
async def create_agent(body: AgentCreate, user: UserDep, svc: ServicesDep) -> AgentOut:
    return agent_out(await svc.agents.create(user, body.model_dump()))


@router.get("/agents", response_model=ListPage[AgentOut])
async def list_agents(
    user: UserDep,
    svc: ServicesDep,
    limit: Limit = 20,
    cursor: str | None = None,
    workspace_id: str | None = None,
) -> ListPage[AgentOut]:
    page = await svc.agents.list(user, limit=limit, cursor=cursor, workspace_id=workspace_id)
    return ListPage(
        data=[agent_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/agents/{agent_id}", response_model=AgentOut)
async def get_agent(agent_id: str, user: UserDep, svc: ServicesDep) -> AgentOut:
    return agent_out(await svc.agents.get(user, agent_id))


@router.patch("/agents/{agent_id}", response_model=AgentOut)
async def update_agent(
    agent_id: str, body: AgentUpdate, user: UserDep, svc: ServicesDep
) -> AgentOut:
    return agent_out(await svc.agents.update(user, agent_id, body.model_dump(exclude_unset=True)))


@router.delete("/agents/{agent_id}", status_code=204, response_class=Response)
async def delete_agent(agent_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.agents.delete(user, agent_id)
    return Response(status_code=204)


@router.post("/sandboxes", status_code=201, response_model=SandboxOut, tags=["sandboxes"])
async def create_sandbox(body: SandboxCreate, user: UserDep, svc: ServicesDep) -> SandboxOut:
    row = await svc.sandboxes.create(
        user,
        name=body.name,
        limits=body.limits,
        agent_id=body.agent_id,
        workspace_id=body.workspace_id,
    )
    return sandbox_out(row)


@router.get("/sandboxes", response_model=ListPage[SandboxOut], tags=["sandboxes"])
async def list_sandboxes(
    user: UserDep,
    svc: ServicesDep,
    limit: Limit = 20,
    cursor: str | None = None,
    workspace_id: str | None = None,
) -> ListPage[SandboxOut]:
    page = await svc.sandboxes.list(user, limit=limit, cursor=cursor, workspace_id=workspace_id)
    return ListPage(
        data=[sandbox_out(r) for r in page.data], total=page.total, next_cursor=page.next_cursor
    )


@router.get("/sandboxes/{sandbox_id}", response_model=SandboxOut, tags=["sandboxes"])
async def get_sandbox(sandbox_id: str, user: UserDep, svc: ServicesDep) -> SandboxOut:
    return sandbox_out(await svc.sandboxes.get(user, sandbox_id))


@router.patch("/sandboxes/{sandbox_id}", response_model=SandboxOut, tags=["sandboxes"])
async def update_sandbox(
    sandbox_id: str, body: SandboxUpdate, user: UserDep, svc: ServicesDep
) -> SandboxOut:
    await svc.sandboxes.get(user, sandbox_id)
    return sandbox_out(await svc.sandboxes.set_agent(user, sandbox_id, body.agent_id))


@router.delete(
    "/sandboxes/{sandbox_id}", status_code=204, response_class=Response, tags=["sandboxes"]
)
async def delete_sandbox(sandbox_id: str, user: UserDep, svc: ServicesDep) -> Response:
    await svc.sandboxes.delete(user, sandbox_id)
    return Response(status_code=204)
