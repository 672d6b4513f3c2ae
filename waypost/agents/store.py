"""Repositories for credentials, agents and sandboxes: owned rows, 404 for anyone else."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select, update

from waypost.agents.configs import (
    DEFAULT_SYSTEM_PROMPT,
    PROVIDERS,
    ChatModelConfig,
    ContextConfig,
    PermissionRules,
    ReactConfig,
    SandboxLimits,
)
from waypost.agents.contexts import TOOL_GROUPS
from waypost.agents.secrets import SecretBox
from waypost.db.database import Database
from waypost.db.models import Agent, Credential, Sandbox, User
from waypost.db.owned import read_owned
from waypost.db.pages import Page, paginate
from waypost.db.types import utcnow
from waypost.errors import Invalid, NotFound
from waypost.ids import new_id
from waypost.workspaces.service import check_workspace

M = TypeVar("M", bound=BaseModel)


def validate_config(model: type[M], data: Any, label: str) -> M:
    """Validate a config, turning pydantic's error into a 400 that names the field."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (label, *first["loc"]))
        raise Invalid(f"{where}: {first['msg']}") from None


class Credentials:
    """Model API keys, sealed with :class:`SecretBox`; only the runtime ever opens them."""

    def __init__(self, db: Database, box: SecretBox) -> None:
        self.db = db
        self.box = box

    async def create(
        self, user_id: str, *, provider: str, name: str, secret: str, base_url: str | None
    ) -> Credential:
        """Store a new credential; the secret is encrypted before it touches the database."""
        if provider not in PROVIDERS:
            raise Invalid(f"provider must be one of: {', '.join(PROVIDERS)}")
        row = Credential(
            id=new_id("cred"),
            user_id=user_id,
            provider=provider,
            name=name,
            base_url=base_url,
            secret_encrypted=self.box.seal(secret),
            created_at=utcnow(),
        )
        async with self.db.write() as tx:
            tx.s.add(row)
        return row

    async def get(self, user_id: str, credential_id: str) -> Credential:
        """One of the user's credentials (sealed), or credential_not_found."""
        return await read_owned(self.db, Credential, credential_id, user_id, "credential")

    async def list(self, user_id: str, *, limit: int, cursor: str | None) -> Page[Credential]:
        """The user's credentials, newest first."""
        async with self.db.read() as s:
            query = select(Credential).where(Credential.user_id == user_id)
            return await paginate(s, query, Credential.id, limit, cursor)

    async def delete(self, user_id: str, credential_id: str) -> None:
        """Forget a credential."""
        async with self.db.write() as tx:
            gone = await tx.s.execute(
                delete(Credential).where(
                    Credential.id == credential_id, Credential.user_id == user_id
                )
            )
            if gone.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound.of("credential")

    async def reveal(self, user_id: str, credential_id: str) -> tuple[str, str | None]:
        """The plaintext secret and base URL, for the model provider only."""
        row = await self.get(user_id, credential_id)
        return self.box.open(row.secret_encrypted), row.base_url


class Agents:
    """Agents with seed 002's defaults; credentials must belong to the same user."""

    def __init__(
        self, db: Database, credentials: Credentials, *, allow_bypass: bool = False
    ) -> None:
        self.db = db
        self.credentials = credentials
        self.allow_bypass = allow_bypass  # the operator lets permission mode "bypass" be set

    def _permissions(self, raw: Any) -> dict[str, Any]:
        rules = validate_config(PermissionRules, raw, "permissions")
        if rules.mode == "bypass" and not self.allow_bypass:
            raise Invalid(
                "permissions.mode bypass is off on this server "
                "(the operator enables it with --allow-permission-bypass)"
            )
        return rules.model_dump()

    async def _check_model(self, user_id: str, config: ChatModelConfig | None) -> None:
        if config is None:
            return
        if config.credential_id is not None:
            await self.credentials.get(user_id, config.credential_id)
        elif config.type != "scripted":
            raise Invalid(f"chat_model_config.credential_id is required for {config.type}")

    async def create(self, user_id: str, fields: dict[str, Any]) -> Agent:
        """A new agent; missing configs take the seed's defaults."""
        chat = validate_config(ChatModelConfig, fields["chat_model_config"], "chat_model_config")
        fallback = (
            validate_config(
                ChatModelConfig,
                fields["fallback_chat_model_config"],
                "fallback_chat_model_config",
            )
            if fields.get("fallback_chat_model_config")
            else None
        )
        await self._check_model(user_id, chat)
        await self._check_model(user_id, fallback)
        now = utcnow()
        row = Agent(
            id=new_id("agt"),
            user_id=user_id,
            name=fields["name"],
            system_prompt=fields.get("system_prompt") or DEFAULT_SYSTEM_PROMPT,
            chat_model_config=chat.model_dump(),
            fallback_chat_model_config=fallback.model_dump() if fallback else None,
            context_config=validate_config(
                ContextConfig, fields.get("context_config"), "context_config"
            ).model_dump(),
            react_config=validate_config(
                ReactConfig, fields.get("react_config"), "react_config"
            ).model_dump(),
            tools=fields.get("tools"),
            tool_groups=_tool_groups(fields.get("tool_groups")),
            permissions=self._permissions(fields.get("permissions")),
            workspace_id=fields.get("workspace_id"),
            created_at=now,
            updated_at=now,
        )
        async with self.db.write() as tx:
            await check_workspace(tx.s, user_id, row.workspace_id)
            tx.s.add(row)
            if fields.get("is_default"):
                await tx.s.execute(
                    update(User).where(User.id == user_id).values(default_agent_id=row.id)
                )
        return row

    async def get(self, user_id: str, agent_id: str) -> Agent:
        """One of the user's agents, or agent_not_found."""
        return await read_owned(self.db, Agent, agent_id, user_id, "agent")

    async def list(
        self, user_id: str, *, limit: int, cursor: str | None, workspace_id: str | None = None
    ) -> Page[Agent]:
        """The user's agents, newest first (only one workspace's, if given)."""
        async with self.db.read() as s:
            query = select(Agent).where(Agent.user_id == user_id)
            if workspace_id is not None:
                query = query.where(Agent.workspace_id == workspace_id)
            return await paginate(s, query, Agent.id, limit, cursor)

    async def update(self, user_id: str, agent_id: str, fields: dict[str, Any]) -> Agent:
        """Change some fields; configs are validated like on create."""
        current = await self.get(user_id, agent_id)
        merged: dict[str, Any] = {
            "name": current.name,
            "system_prompt": current.system_prompt,
            "chat_model_config": current.chat_model_config,
            "fallback_chat_model_config": current.fallback_chat_model_config,
            "context_config": current.context_config,
            "react_config": current.react_config,
            "tools": current.tools,
            "tool_groups": current.tool_groups,
            "permissions": current.permissions,
        }
        required = ("name", "system_prompt", "chat_model_config", "context_config", "react_config")
        for key, value in fields.items():
            if key in ("is_default", "workspace_id") or (value is None and key in required):
                continue
            merged[key] = value  # an explicit null clears tools or the fallback model
        draft = await self._validated(user_id, merged)
        if "workspace_id" in fields:  # an explicit null takes the agent out of its workspace
            draft["workspace_id"] = fields["workspace_id"]
        async with self.db.write() as tx:
            await check_workspace(tx.s, user_id, draft.get("workspace_id"))
            await tx.s.execute(
                update(Agent)
                .where(Agent.id == agent_id, Agent.user_id == user_id)
                .values(**draft, updated_at=utcnow())
            )
            if fields.get("is_default"):
                await tx.s.execute(
                    update(User).where(User.id == user_id).values(default_agent_id=agent_id)
                )
        return await self.get(user_id, agent_id)

    async def _validated(self, user_id: str, merged: dict[str, Any]) -> dict[str, Any]:
        chat = validate_config(ChatModelConfig, merged["chat_model_config"], "chat_model_config")
        raw_fallback = merged.get("fallback_chat_model_config")
        fallback = (
            validate_config(ChatModelConfig, raw_fallback, "fallback_chat_model_config")
            if raw_fallback
            else None
        )
        await self._check_model(user_id, chat)
        await self._check_model(user_id, fallback)
        return {
            "name": merged["name"],
            "system_prompt": merged["system_prompt"],
            "chat_model_config": chat.model_dump(),
            "fallback_chat_model_config": fallback.model_dump() if fallback else None,
            "context_config": validate_config(
                ContextConfig, merged["context_config"], "context_config"
            ).model_dump(),
            "react_config": validate_config(
                ReactConfig, merged["react_config"], "react_config"
            ).model_dump(),
            "tools": merged.get("tools"),
            "tool_groups": _tool_groups(merged.get("tool_groups")),
            "permissions": self._permissions(merged["permissions"]),
        }

    async def delete(self, user_id: str, agent_id: str) -> None:
        """Delete an agent (its past sessions keep their records)."""
        async with self.db.write() as tx:
            gone = await tx.s.execute(
                delete(Agent).where(Agent.id == agent_id, Agent.user_id == user_id)
            )
            if gone.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound.of("agent")

    async def default_for(self, user_id: str) -> str | None:
        """The user's default agent id, if one was set."""
        async with self.db.read() as s:
            return (
                await s.execute(select(User.default_agent_id).where(User.id == user_id))
            ).scalar_one_or_none()


class Sandboxes:
    """Sandbox records and their working directories under ``<data dir>/sandboxes``."""

    def __init__(self, db: Database, agents: Agents, root: Path) -> None:
        self.db = db
        self.agents = agents
        self.root = root

    @staticmethod
    def limits_of(sandbox: Sandbox) -> dict[str, Any]:
        """The sandbox's limits with defaults filled in."""
        return SandboxLimits.model_validate(sandbox.limits or {}).model_dump()

    def path_of(self, sandbox_id: str) -> Path:
        """The working directory of a sandbox."""
        return self.root / sandbox_id

    async def create(
        self,
        user_id: str,
        *,
        name: str | None,
        limits: dict[str, Any],
        agent_id: str | None,
        workspace_id: str | None = None,
    ) -> Sandbox:
        """A new sandbox with an empty working directory."""
        checked = validate_config(SandboxLimits, limits, "limits").model_dump()
        if agent_id is not None:
            await self.agents.get(user_id, agent_id)
        row = Sandbox(
            id=new_id("sbx"),
            user_id=user_id,
            name=name,
            limits=checked,
            agent_id=agent_id,
            workspace_id=workspace_id,
            created_at=utcnow(),
        )
        self.path_of(row.id).mkdir(parents=True, exist_ok=False)
        try:
            async with self.db.write() as tx:
                await check_workspace(tx.s, user_id, workspace_id)
                tx.s.add(row)
        except Exception:
            shutil.rmtree(self.path_of(row.id), ignore_errors=True)
            raise
        return row

    async def get(self, user_id: str, sandbox_id: str) -> Sandbox:
        """One of the user's sandboxes, or sandbox_not_found."""
        return await read_owned(self.db, Sandbox, sandbox_id, user_id, "sandbox")

    async def list(
        self, user_id: str, *, limit: int, cursor: str | None, workspace_id: str | None = None
    ) -> Page[Sandbox]:
        """The user's sandboxes, newest first (only one workspace's, if given)."""
        async with self.db.read() as s:
            query = select(Sandbox).where(Sandbox.user_id == user_id)
            if workspace_id is not None:
                query = query.where(Sandbox.workspace_id == workspace_id)
            return await paginate(s, query, Sandbox.id, limit, cursor)

    async def set_agent(self, user_id: str, sandbox_id: str, agent_id: str | None) -> Sandbox:
        """Choose the agent that new sessions in this sandbox get by default."""
        if agent_id is not None:
            await self.agents.get(user_id, agent_id)
        async with self.db.write() as tx:
            await tx.s.execute(
                update(Sandbox)
                .where(Sandbox.id == sandbox_id, Sandbox.user_id == user_id)
                .values(agent_id=agent_id)
            )
        return await self.get(user_id, sandbox_id)

    async def delete(self, user_id: str, sandbox_id: str) -> None:
        """Delete the sandbox and its files."""
        async with self.db.write() as tx:
            gone = await tx.s.execute(
                delete(Sandbox).where(Sandbox.id == sandbox_id, Sandbox.user_id == user_id)
            )
            if gone.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound.of("sandbox")
        shutil.rmtree(self.path_of(sandbox_id), ignore_errors=True)


def _tool_groups(raw: Any) -> list[str] | None:
    """The tool groups an agent starts with (None: every group), each one that exists."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(g in TOOL_GROUPS for g in raw):
        raise Invalid(f"tool_groups must be a list of: {', '.join(TOOL_GROUPS)}")
    return list(dict.fromkeys(raw))
