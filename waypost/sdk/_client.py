"""``Client`` and ``AsyncClient``: the same resources, executed sync or async.

Each resource method is one line that hands a :mod:`~waypost.sdk._calls`
description to the client, so the two flavours cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, TypeVar

import httpx

from waypost.sdk import _calls as calls
from waypost.sdk._calls import Call
from waypost.sdk._exceptions import APIConnectionError, error_for
from waypost.sdk._schedules import AsyncSchedules, Schedules
from waypost.sdk._sse import SSEParser
from waypost.sdk._teams import AsyncTeams, Teams
from waypost.sdk._workspaces import AsyncWorkspaces, Workspaces
from waypost.sdk.models import (
    Agent,
    AgentSession,
    Credential,
    Email,
    EmailSummary,
    Event,
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
Content = str | list[dict[str, Any]]  # a text, or content blocks
DEFAULT_BASE_URL = "http://127.0.0.1:8025"


class _BaseClient:
    def __init__(self, api_key: str | None, base_url: str | None, timeout: float) -> None:
        self.api_key = api_key or os.environ.get("WAYPOST_API_KEY", "")
        self.base_url = (base_url or os.environ.get("WAYPOST_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": "waypost-python"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _timeout(self, call: Call[Any]) -> httpx.Timeout:
        return (
            httpx.Timeout(self.timeout, read=None) if call.blocking else httpx.Timeout(self.timeout)
        )

    @staticmethod
    def _finish(call: Call[T], response: httpx.Response) -> T:
        if response.status_code >= 400 and response.status_code not in call.ok_statuses:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise error_for(response.status_code, body)
        return call.parse(response)


def _stream_headers(after: int | None) -> dict[str, str]:
    headers = {"Accept": "text/event-stream"}
    if after is not None:
        headers["Last-Event-ID"] = str(after)
    return headers


# --- sync ---------------------------------------------------------------------------------------


class Client(_BaseClient):
    """Synchronous client: ``Client(api_key=..., base_url=...)``."""

    def __init__(
        self, api_key: str | None = None, base_url: str | None = None, timeout: float = 30.0
    ) -> None:
        super().__init__(api_key, base_url, timeout)
        self._http = httpx.Client(base_url=self.base_url, headers=self._headers(), timeout=timeout)
        self.sessions = Sessions(self)
        self.inboxes = Inboxes(self)
        self.emails = Emails(self)
        self.waits = Waits(self)
        self.workflows = Workflows(self)
        self.extractions = Extractions(self)
        self.credentials = Credentials(self)
        self.agents = Agents(self)
        self.sandboxes = Sandboxes(self)
        self.schedules = Schedules(self)
        self.workspaces = Workspaces(self)
        self.teams = Teams(self)

    def _run(self, call: Call[T]) -> T:
        try:
            response = self._http.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                timeout=self._timeout(call),
            )
        except httpx.TransportError as exc:
            raise APIConnectionError(str(exc)) from exc
        return self._finish(call, response)

    def _stream(self, path: str, after: int | None) -> Iterator[Event]:
        parser = SSEParser()
        headers = _stream_headers(after)
        try:
            with self._http.stream(
                "GET", path, headers=headers, timeout=httpx.Timeout(self.timeout, read=None)
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    self._finish(Call("GET", path, calls.nothing), response)
                for line in response.iter_lines():
                    event = parser.feed(line)
                    if event is not None:
                        yield event
        except httpx.TransportError as exc:
            raise APIConnectionError(str(exc)) from exc

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Sessions:
    """``client.sessions``."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self,
        name: str | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        agent_id: str | None = None,
        workspace_id: str | None = None,
        team_id: str | None = None,
    ) -> SessionDetail:
        """With ``team_id`` the session runs the team's leader (leave ``agent_id`` out)."""
        return self._c._run(calls.sessions_create(name, metadata, agent_id, workspace_id, team_id))

    def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        status: str | None = None,
        agent_id: str | None = None,
        sandbox_id: str | None = None,
        workspace_id: str | None = None,
    ) -> Page[Session]:
        return self._c._run(
            calls.sessions_list(limit, cursor, status, agent_id, sandbox_id, workspace_id)
        )

    def get(self, session_id: str) -> SessionDetail:
        return self._c._run(calls.sessions_get(session_id))

    def complete(self, session_id: str, *, reason: str | None = None) -> SessionDetail:
        return self._c._run(calls.sessions_end(session_id, "complete", reason))

    def fail(self, session_id: str, *, reason: str | None = None) -> SessionDetail:
        return self._c._run(calls.sessions_end(session_id, "fail", reason))

    def timeline(self, session_id: str, *, after: int = 0) -> Timeline:
        return self._c._run(calls.sessions_timeline(session_id, after))

    def replay(self, session_id: str) -> Replay:
        return self._c._run(calls.sessions_replay(session_id))

    def retry(
        self, session_id: str, *, respond: str | None = None, username: str | None = None
    ) -> ReplayResult:
        """Run the session's failed or timed-out workflows again in a new session (new
        inbox, same options); blocks until the new waits resolve unless
        ``respond="immediately"``."""
        options = {"respond": respond, "username": username}
        return self._c._run(calls.sessions_replay_act(session_id, "retry", options))

    def reexecute(self, session_id: str, *, model: str | None = None) -> ReplayResult:
        """Re-run an agent session from its record; ``.divergence`` is the first event that
        differs (None: none). ``model="agent"``: the agent's own scripted model."""
        return self._c._run(calls.sessions_replay_act(session_id, "reexecute", {"model": model}))

    def fork(self, session_id: str, *, step: int, **overrides: Any) -> ReplayResult:
        """A new session with the original's history up to ``step``; ``agent_id``,
        ``chat_model_config`` or ``system_prompt`` may change who goes on from there."""
        options = {"step": step, **overrides}
        return self._c._run(calls.sessions_replay_act(session_id, "fork", options))

    def conversation(self, session_id: str) -> AgentSession:
        """An agent session with its messages, configs, state and ``is_running``."""
        return self._c._run(calls.sessions_agent_view(session_id))

    def send(self, session_id: str, content: Content, *, wait: bool = True) -> Message | None:
        """Send a user message; returns the agent's final answer (None with ``wait=False``)."""
        if not wait:
            self._c._run(calls.sessions_send_nowait(session_id, content))
            return None
        return self._c._run(calls.sessions_send(session_id, content))

    def messages(
        self, session_id: str, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Message]:
        """A conversation's messages, oldest first."""
        return self._c._run(calls.sessions_messages(session_id, limit, cursor))

    def stream(self, session_id: str, *, after: int | None = None) -> Iterator[Event]:
        """The agent's live output (text_delta, tool_use_start, …) from now, or after a seq."""
        return self._c._stream(f"/api/v1/sessions/{session_id}/stream", after)

    def interrupt(self, session_id: str) -> bool:
        return self._c._run(calls.sessions_interrupt(session_id))

    def approve(
        self, session_id: str, tool_use_id: str, *, approve: bool = True, remember: bool = False
    ) -> None:
        """Answer a tool call held by an ``ask`` rule; ``remember`` allows that call from now on."""
        self._c._run(calls.sessions_approve(session_id, tool_use_id, approve, remember))

    def reject(self, session_id: str, tool_use_id: str) -> None:
        self._c._run(calls.sessions_approve(session_id, tool_use_id, False))

    def update_permissions(self, session_id: str, **changes: Any) -> dict[str, Any]:
        """Replace parts of the session's permission context (``mode``, ``working_directories``,
        ``allow_rules``, ``deny_rules``, ``ask_rules``); returns the whole context. A run
        going obeys it from its next tool call."""
        return self._c._run(calls.sessions_update_permissions(session_id, changes))

    def events(self, session_id: str, *, after: int | None = 0) -> Iterator[Event]:
        """Follow the timeline live (SSE) from ``after``; iterate until you break."""
        return self._c._stream(f"/api/v1/sessions/{session_id}/events", after)


class Inboxes:
    """``client.inboxes``."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self,
        *,
        username: str | None = None,
        domain: str | None = None,
        ttl_seconds: int | None = None,
        session_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Inbox:
        return self._c._run(
            calls.inboxes_create(username, domain, ttl_seconds, session_id, metadata)
        )

    def list(
        self, *, limit: int = 20, cursor: str | None = None, session_id: str | None = None
    ) -> Page[Inbox]:
        return self._c._run(calls.inboxes_list(limit, cursor, session_id))

    def get(self, inbox_id: str) -> Inbox:
        return self._c._run(calls.inboxes_get(inbox_id))

    def delete(self, inbox_id: str) -> None:
        self._c._run(calls.inboxes_delete(inbox_id))

    def emails(
        self,
        inbox_id: str,
        *,
        limit: int = 20,
        cursor: str | None = None,
        sender: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
    ) -> Page[EmailSummary]:
        return self._c._run(calls.inboxes_emails(inbox_id, limit, cursor, sender, subject, since))


class Emails:
    """``client.emails``."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def get(self, email_id: str) -> Email:
        return self._c._run(calls.emails_get(email_id))

    def raw(self, email_id: str) -> bytes:
        return self._c._run(calls.emails_raw(email_id))

    def attachment(self, email_id: str, index: int) -> bytes:
        return self._c._run(calls.emails_attachment(email_id, index))

    def extract(self, email_id: str, type: str = "auto") -> Extraction:
        return self._c._run(calls.extract_email(email_id, type))


class Waits:
    """``client.waits``."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self,
        inbox_id: str,
        *,
        type: str = "any",
        timeout_seconds: int | None = None,
        criteria: dict[str, Any] | None = None,
        after: str | None = None,
        confidence_threshold: float | None = None,
    ) -> Wait:
        call = calls.waits_create(
            inbox_id, type, timeout_seconds, criteria, after, confidence_threshold
        )
        return self._c._run(call)

    def get(self, wait_id: str) -> Wait:
        return self._c._run(calls.waits_get(wait_id, block=False))

    def wait(self, wait_id: str, *, hold: float | None = None) -> Wait:
        """Block until the wait completes, times out or is cancelled (at most ``hold`` seconds)."""
        return self._c._run(calls.waits_get(wait_id, block=True, hold=hold))

    def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        inbox_id: str | None = None,
        session_id: str | None = None,
        status: str | None = None,
    ) -> Page[Wait]:
        return self._c._run(calls.waits_list(limit, cursor, inbox_id, session_id, status))

    def cancel(self, wait_id: str) -> Wait:
        return self._c._run(calls.waits_cancel(wait_id))


class Workflows:
    """``client.workflows`` (seed 001)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create_inbox_and_wait(
        self, wait_type: str, *, respond: str = "wait", **fields: Any
    ) -> Workflow:
        """Fields: timeout_seconds, ttl_seconds, session_id, metadata, username, criteria…"""
        return self._c._run(calls.workflow("create-inbox-and-wait", wait_type, respond, **fields))

    def signup(self, wait_type: str, *, respond: str = "wait", **fields: Any) -> Workflow:
        """As :meth:`create_inbox_and_wait`, for ``otp`` or ``magic_link`` verification mail."""
        return self._c._run(calls.workflow("signup", wait_type, respond, **fields))


class Extractions:
    """``client.extractions``."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def from_email(self, email_id: str, type: str = "auto") -> Extraction:
        return self._c._run(calls.extract_email(email_id, type))

    def from_content(self, type: str = "auto", **content: Any) -> Extraction:
        """``raw=`` a whole message, or ``subject=``, ``from_=``, ``text=``, ``html=``."""
        if "from_" in content:
            content["from"] = content.pop("from_")
        return self._c._run(calls.extract_content(type, **content))

    def get(self, extraction_id: str) -> Extraction:
        return self._c._run(calls.extractions_get(extraction_id))


class Credentials:
    """``client.credentials``: secrets go in, never come back."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self, *, provider: str, name: str, secret: str, base_url: str | None = None
    ) -> Credential:
        return self._c._run(calls.credentials_create(provider, name, secret, base_url))

    def list(self, *, limit: int = 20, cursor: str | None = None) -> Page[Credential]:
        return self._c._run(calls.credentials_list(limit, cursor))

    def delete(self, credential_id: str) -> None:
        self._c._run(calls.credentials_delete(credential_id))


class Agents:
    """``client.agents``."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, *, name: str, chat_model_config: dict[str, Any], **fields: Any) -> Agent:
        """Fields: system_prompt, fallback_chat_model_config, context_config, react_config, …"""
        return self._c._run(
            calls.agents_create({"name": name, "chat_model_config": chat_model_config, **fields})
        )

    def get(self, agent_id: str) -> Agent:
        return self._c._run(calls.agents_get(agent_id))

    def list(
        self, *, limit: int = 20, cursor: str | None = None, workspace_id: str | None = None
    ) -> Page[Agent]:
        return self._c._run(calls.agents_list(limit, cursor, workspace_id))

    def update(self, agent_id: str, **fields: Any) -> Agent:
        return self._c._run(calls.agents_update(agent_id, fields))

    def delete(self, agent_id: str) -> None:
        self._c._run(calls.agents_delete(agent_id))


class SandboxSessions:
    """``client.sandboxes.sessions`` (seed 003)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(
        self,
        sandbox_id: str,
        *,
        metadata: dict[str, Any] | None = None,
        agent_id: str | None = None,
        name: str | None = None,
        workspace_id: str | None = None,
        team_id: str | None = None,
    ) -> AgentSession:
        """``workspace_id`` defaults to the sandbox's; with ``team_id`` the session runs the
        team's leader, who delegates to its members."""
        return self._c._run(
            calls.sandbox_sessions_create(
                sandbox_id, metadata, agent_id, name, workspace_id, team_id
            )
        )

    def list(self, sandbox_id: str, *, limit: int = 20, cursor: str | None = None) -> Page[Session]:
        return self._c._run(calls.sandbox_sessions_list(sandbox_id, limit, cursor))


class Sandboxes:
    """``client.sandboxes``."""

    def __init__(self, client: Client) -> None:
        self._c = client
        self.sessions = SandboxSessions(client)

    def create(
        self,
        *,
        name: str | None = None,
        limits: dict[str, Any] | None = None,
        agent_id: str | None = None,
        workspace_id: str | None = None,
    ) -> Sandbox:
        return self._c._run(calls.sandboxes_create(name, limits, agent_id, workspace_id))

    def get(self, sandbox_id: str) -> Sandbox:
        return self._c._run(calls.sandboxes_get(sandbox_id))

    def list(
        self, *, limit: int = 20, cursor: str | None = None, workspace_id: str | None = None
    ) -> Page[Sandbox]:
        return self._c._run(calls.sandboxes_list(limit, cursor, workspace_id))

    def delete(self, sandbox_id: str) -> None:
        self._c._run(calls.sandboxes_delete(sandbox_id))


# --- async --------------------------------------------------------------------------------------


class AsyncClient(_BaseClient):
    """Asynchronous client: ``AsyncClient(api_key=..., base_url=...)``; methods are awaitable."""

    def __init__(
        self, api_key: str | None = None, base_url: str | None = None, timeout: float = 30.0
    ) -> None:
        super().__init__(api_key, base_url, timeout)
        self._http = httpx.AsyncClient(
            base_url=self.base_url, headers=self._headers(), timeout=timeout
        )
        self.sessions = AsyncSessions(self)
        self.inboxes = AsyncInboxes(self)
        self.emails = AsyncEmails(self)
        self.waits = AsyncWaits(self)
        self.workflows = AsyncWorkflows(self)
        self.extractions = AsyncExtractions(self)
        self.credentials = AsyncCredentials(self)
        self.agents = AsyncAgents(self)
        self.sandboxes = AsyncSandboxes(self)
        self.schedules = AsyncSchedules(self)
        self.workspaces = AsyncWorkspaces(self)
        self.teams = AsyncTeams(self)

    async def _run(self, call: Call[T]) -> T:
        try:
            response = await self._http.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                timeout=self._timeout(call),
            )
        except httpx.TransportError as exc:
            raise APIConnectionError(str(exc)) from exc
        return self._finish(call, response)

    async def _stream(self, path: str, after: int | None) -> AsyncIterator[Event]:
        parser = SSEParser()
        headers = _stream_headers(after)
        try:
            async with self._http.stream(
                "GET", path, headers=headers, timeout=httpx.Timeout(self.timeout, read=None)
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    self._finish(Call("GET", path, calls.nothing), response)
                async for line in response.aiter_lines():
                    event = parser.feed(line)
                    if event is not None:
                        yield event
        except httpx.TransportError as exc:
            raise APIConnectionError(str(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class AsyncSessions:
    """``client.sessions`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self,
        name: str | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        agent_id: str | None = None,
        workspace_id: str | None = None,
        team_id: str | None = None,
    ) -> SessionDetail:
        return await self._c._run(
            calls.sessions_create(name, metadata, agent_id, workspace_id, team_id)
        )

    async def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        status: str | None = None,
        agent_id: str | None = None,
        sandbox_id: str | None = None,
        workspace_id: str | None = None,
    ) -> Page[Session]:
        return await self._c._run(
            calls.sessions_list(limit, cursor, status, agent_id, sandbox_id, workspace_id)
        )

    async def get(self, session_id: str) -> SessionDetail:
        return await self._c._run(calls.sessions_get(session_id))

    async def complete(self, session_id: str, *, reason: str | None = None) -> SessionDetail:
        return await self._c._run(calls.sessions_end(session_id, "complete", reason))

    async def fail(self, session_id: str, *, reason: str | None = None) -> SessionDetail:
        return await self._c._run(calls.sessions_end(session_id, "fail", reason))

    async def timeline(self, session_id: str, *, after: int = 0) -> Timeline:
        return await self._c._run(calls.sessions_timeline(session_id, after))

    async def replay(self, session_id: str) -> Replay:
        return await self._c._run(calls.sessions_replay(session_id))

    async def retry(
        self, session_id: str, *, respond: str | None = None, username: str | None = None
    ) -> ReplayResult:
        options = {"respond": respond, "username": username}
        return await self._c._run(calls.sessions_replay_act(session_id, "retry", options))

    async def reexecute(self, session_id: str, *, model: str | None = None) -> ReplayResult:
        options = {"model": model}
        return await self._c._run(calls.sessions_replay_act(session_id, "reexecute", options))

    async def fork(self, session_id: str, *, step: int, **overrides: Any) -> ReplayResult:
        options = {"step": step, **overrides}
        return await self._c._run(calls.sessions_replay_act(session_id, "fork", options))

    async def conversation(self, session_id: str) -> AgentSession:
        return await self._c._run(calls.sessions_agent_view(session_id))

    async def send(self, session_id: str, content: Content, *, wait: bool = True) -> Message | None:
        if not wait:
            await self._c._run(calls.sessions_send_nowait(session_id, content))
            return None
        return await self._c._run(calls.sessions_send(session_id, content))

    async def messages(
        self, session_id: str, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Message]:
        return await self._c._run(calls.sessions_messages(session_id, limit, cursor))

    def stream(self, session_id: str, *, after: int | None = None) -> AsyncIterator[Event]:
        return self._c._stream(f"/api/v1/sessions/{session_id}/stream", after)

    async def interrupt(self, session_id: str) -> bool:
        return await self._c._run(calls.sessions_interrupt(session_id))

    async def approve(
        self, session_id: str, tool_use_id: str, *, approve: bool = True, remember: bool = False
    ) -> None:
        await self._c._run(calls.sessions_approve(session_id, tool_use_id, approve, remember))

    async def reject(self, session_id: str, tool_use_id: str) -> None:
        await self._c._run(calls.sessions_approve(session_id, tool_use_id, False))

    async def update_permissions(self, session_id: str, **changes: Any) -> dict[str, Any]:
        return await self._c._run(calls.sessions_update_permissions(session_id, changes))

    def events(self, session_id: str, *, after: int | None = 0) -> AsyncIterator[Event]:
        """Follow the timeline live (SSE) from ``after``."""
        return self._c._stream(f"/api/v1/sessions/{session_id}/events", after)


class AsyncInboxes:
    """``client.inboxes`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self,
        *,
        username: str | None = None,
        domain: str | None = None,
        ttl_seconds: int | None = None,
        session_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Inbox:
        return await self._c._run(
            calls.inboxes_create(username, domain, ttl_seconds, session_id, metadata)
        )

    async def list(
        self, *, limit: int = 20, cursor: str | None = None, session_id: str | None = None
    ) -> Page[Inbox]:
        return await self._c._run(calls.inboxes_list(limit, cursor, session_id))

    async def get(self, inbox_id: str) -> Inbox:
        return await self._c._run(calls.inboxes_get(inbox_id))

    async def delete(self, inbox_id: str) -> None:
        await self._c._run(calls.inboxes_delete(inbox_id))

    async def emails(
        self,
        inbox_id: str,
        *,
        limit: int = 20,
        cursor: str | None = None,
        sender: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
    ) -> Page[EmailSummary]:
        return await self._c._run(
            calls.inboxes_emails(inbox_id, limit, cursor, sender, subject, since)
        )


class AsyncEmails:
    """``client.emails`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def get(self, email_id: str) -> Email:
        return await self._c._run(calls.emails_get(email_id))

    async def raw(self, email_id: str) -> bytes:
        return await self._c._run(calls.emails_raw(email_id))

    async def attachment(self, email_id: str, index: int) -> bytes:
        return await self._c._run(calls.emails_attachment(email_id, index))

    async def extract(self, email_id: str, type: str = "auto") -> Extraction:
        return await self._c._run(calls.extract_email(email_id, type))


class AsyncWaits:
    """``client.waits`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self,
        inbox_id: str,
        *,
        type: str = "any",
        timeout_seconds: int | None = None,
        criteria: dict[str, Any] | None = None,
        after: str | None = None,
        confidence_threshold: float | None = None,
    ) -> Wait:
        call = calls.waits_create(
            inbox_id, type, timeout_seconds, criteria, after, confidence_threshold
        )
        return await self._c._run(call)

    async def get(self, wait_id: str) -> Wait:
        return await self._c._run(calls.waits_get(wait_id, block=False))

    async def wait(self, wait_id: str, *, hold: float | None = None) -> Wait:
        """Await the wait's outcome (server-held long poll, at most ``hold`` seconds)."""
        return await self._c._run(calls.waits_get(wait_id, block=True, hold=hold))

    async def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        inbox_id: str | None = None,
        session_id: str | None = None,
        status: str | None = None,
    ) -> Page[Wait]:
        return await self._c._run(calls.waits_list(limit, cursor, inbox_id, session_id, status))

    async def cancel(self, wait_id: str) -> Wait:
        return await self._c._run(calls.waits_cancel(wait_id))


class AsyncWorkflows:
    """``client.workflows`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create_inbox_and_wait(
        self, wait_type: str, *, respond: str = "wait", **fields: Any
    ) -> Workflow:
        return await self._c._run(
            calls.workflow("create-inbox-and-wait", wait_type, respond, **fields)
        )

    async def signup(self, wait_type: str, *, respond: str = "wait", **fields: Any) -> Workflow:
        return await self._c._run(calls.workflow("signup", wait_type, respond, **fields))


class AsyncExtractions:
    """``client.extractions`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def from_email(self, email_id: str, type: str = "auto") -> Extraction:
        return await self._c._run(calls.extract_email(email_id, type))

    async def from_content(self, type: str = "auto", **content: Any) -> Extraction:
        if "from_" in content:
            content["from"] = content.pop("from_")
        return await self._c._run(calls.extract_content(type, **content))

    async def get(self, extraction_id: str) -> Extraction:
        return await self._c._run(calls.extractions_get(extraction_id))


class AsyncCredentials:
    """``client.credentials`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self, *, provider: str, name: str, secret: str, base_url: str | None = None
    ) -> Credential:
        return await self._c._run(calls.credentials_create(provider, name, secret, base_url))

    async def list(self, *, limit: int = 20, cursor: str | None = None) -> Page[Credential]:
        return await self._c._run(calls.credentials_list(limit, cursor))

    async def delete(self, credential_id: str) -> None:
        await self._c._run(calls.credentials_delete(credential_id))


class AsyncAgents:
    """``client.agents`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(self, *, name: str, chat_model_config: dict[str, Any], **fields: Any) -> Agent:
        body = {"name": name, "chat_model_config": chat_model_config, **fields}
        return await self._c._run(calls.agents_create(body))

    async def get(self, agent_id: str) -> Agent:
        return await self._c._run(calls.agents_get(agent_id))

    async def list(
        self, *, limit: int = 20, cursor: str | None = None, workspace_id: str | None = None
    ) -> Page[Agent]:
        return await self._c._run(calls.agents_list(limit, cursor, workspace_id))

    async def update(self, agent_id: str, **fields: Any) -> Agent:
        return await self._c._run(calls.agents_update(agent_id, fields))

    async def delete(self, agent_id: str) -> None:
        await self._c._run(calls.agents_delete(agent_id))


class AsyncSandboxSessions:
    """``client.sandboxes.sessions`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def create(
        self,
        sandbox_id: str,
        *,
        metadata: dict[str, Any] | None = None,
        agent_id: str | None = None,
        name: str | None = None,
        workspace_id: str | None = None,
        team_id: str | None = None,
    ) -> AgentSession:
        return await self._c._run(
            calls.sandbox_sessions_create(
                sandbox_id, metadata, agent_id, name, workspace_id, team_id
            )
        )

    async def list(
        self, sandbox_id: str, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Session]:
        return await self._c._run(calls.sandbox_sessions_list(sandbox_id, limit, cursor))


class AsyncSandboxes:
    """``client.sandboxes`` (async)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client
        self.sessions = AsyncSandboxSessions(client)

    async def create(
        self,
        *,
        name: str | None = None,
        limits: dict[str, Any] | None = None,
        agent_id: str | None = None,
        workspace_id: str | None = None,
    ) -> Sandbox:
        return await self._c._run(calls.sandboxes_create(name, limits, agent_id, workspace_id))

    async def get(self, sandbox_id: str) -> Sandbox:
        return await self._c._run(calls.sandboxes_get(sandbox_id))

    async def list(
        self, *, limit: int = 20, cursor: str | None = None, workspace_id: str | None = None
    ) -> Page[Sandbox]:
        return await self._c._run(calls.sandboxes_list(limit, cursor, workspace_id))

    async def delete(self, sandbox_id: str) -> None:
        await self._c._run(calls.sandboxes_delete(sandbox_id))
