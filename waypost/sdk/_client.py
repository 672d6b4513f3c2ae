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
from waypost.sdk._sse import SSEParser
from waypost.sdk.models import (
    Email,
    EmailSummary,
    Event,
    Extraction,
    Inbox,
    Page,
    Replay,
    Session,
    SessionDetail,
    Timeline,
    Wait,
    Workflow,
)

T = TypeVar("T")
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

    def _stream(self, path: str, after: int) -> Iterator[Event]:
        parser = SSEParser()
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(after)}
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
    ) -> SessionDetail:
        return self._c._run(calls.sessions_create(name, metadata, agent_id))

    def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        status: str | None = None,
        agent_id: str | None = None,
        sandbox_id: str | None = None,
    ) -> Page[Session]:
        return self._c._run(calls.sessions_list(limit, cursor, status, agent_id, sandbox_id))

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

    def events(self, session_id: str, *, after: int = 0) -> Iterator[Event]:
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

    async def _stream(self, path: str, after: int) -> AsyncIterator[Event]:
        parser = SSEParser()
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(after)}
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
    ) -> SessionDetail:
        return await self._c._run(calls.sessions_create(name, metadata, agent_id))

    async def list(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        status: str | None = None,
        agent_id: str | None = None,
        sandbox_id: str | None = None,
    ) -> Page[Session]:
        return await self._c._run(calls.sessions_list(limit, cursor, status, agent_id, sandbox_id))

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

    def events(self, session_id: str, *, after: int = 0) -> AsyncIterator[Event]:
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
