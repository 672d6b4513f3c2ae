"""Waypost's MCP server: the tools and resources, on the SDK's low-level ``Server``.

Handlers are registered straight into ``request_handlers`` (typed, no decorators), and
each one authenticates its own call with the request that carried it, as the REST
API's :func:`~waypost.api.deps.current_user` does: the user's id is what every
service is called with, and a revoked key ends the call's waits like a REST long poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp.types as types
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.shared.exceptions import McpError
from pydantic import AnyUrl, ValidationError
from starlette.requests import Request

from waypost import __version__
from waypost.api.deps import user_of
from waypost.errors import Invalid, NotFound, Unauthorized, WaypostError
from waypost.mcp_server import resources
from waypost.mcp_server.tools import TOOLS, TOOLS_BY_NAME, Call, Progress
from waypost.services import Services

log = logging.getLogger("waypost.mcp")

RESOURCE_NOT_FOUND = -32002  # the MCP specification's code for a missing resource
UNAUTHORIZED = -32001

INSTRUCTIONS = (
    "Waypost gives you disposable email inboxes and waits for the mail they receive. "
    "To sign up somewhere: call signup, enter the returned email_address in the form, "
    "then call wait_for_email with the returned wait_id to get the verification code or "
    "link. Sessions (create_session) record what happened on a timeline."
)


@dataclass
class SessionState:
    """One MCP session's resource subscriptions: a bus watcher task per subscribed URI."""

    watchers: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def stop(self, uri: str) -> None:
        task = self.watchers.pop(uri, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        tasks = list(self.watchers.values())
        self.watchers.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@asynccontextmanager
async def _session_lifespan(_: Server[SessionState, Any]) -> AsyncIterator[SessionState]:
    """Entered once per MCP session (the SDK runs the server once per session)."""
    state = SessionState()
    try:
        yield state
    finally:
        await state.close()


def _error_data(exc: WaypostError) -> types.ErrorData:
    """A service error as a JSON-RPC error (for resource requests, which have no isError)."""
    code = types.INTERNAL_ERROR
    if isinstance(exc, NotFound):
        code = RESOURCE_NOT_FOUND
    elif isinstance(exc, Invalid):
        code = types.INVALID_PARAMS
    elif isinstance(exc, Unauthorized):
        code = UNAUTHORIZED
    return types.ErrorData(code=code, message=exc.message, data={"error": exc.code})


def _tool_error(code: str, message: str) -> types.ServerResult:
    """A failed call as a result the model reads (``isError``), not a protocol error."""
    return types.ServerResult(
        types.CallToolResult(
            content=[types.TextContent(type="text", text=f"{code}: {message}")],
            structuredContent={"error": code, "message": message},
            isError=True,
        )
    )


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
        for err in exc.errors()
    )


class WaypostMcpServer(Server[SessionState, Any]):
    """The tools of :mod:`waypost.mcp_server.tools` and the resources of
    :mod:`waypost.mcp_server.resources`, served to one app's MCP sessions."""

    def __init__(self, services: Services) -> None:
        super().__init__(
            "waypost", version=__version__, instructions=INSTRUCTIONS, lifespan=_session_lifespan
        )
        self.services = services
        self._tools = [
            types.Tool(
                name=tool.name,
                description=tool.description,
                inputSchema=tool.input_schema(),
                annotations=types.ToolAnnotations(readOnlyHint=tool.read_only, openWorldHint=False),
            )
            for tool in TOOLS
        ]
        handlers = self.request_handlers
        handlers[types.ListToolsRequest] = self._list_tools
        handlers[types.CallToolRequest] = self._call_tool
        handlers[types.ListResourcesRequest] = self._list_resources
        handlers[types.ListResourceTemplatesRequest] = self._list_templates
        handlers[types.ReadResourceRequest] = self._read_resource
        handlers[types.SubscribeRequest] = self._subscribe
        handlers[types.UnsubscribeRequest] = self._unsubscribe

    def get_capabilities(
        self,
        notification_options: NotificationOptions,
        experimental_capabilities: dict[str, dict[str, Any]],
    ) -> types.ServerCapabilities:
        """As the SDK's, plus resource subscriptions (which its handlers cannot declare)."""
        capabilities = super().get_capabilities(notification_options, experimental_capabilities)
        if capabilities.resources is not None:
            capabilities.resources.subscribe = True
        return capabilities

    async def _caller(self) -> str:
        """The user behind the HTTP request carrying this message (raises Unauthorized).

        Authenticating here (not only at the door) binds this call to its own request's
        key, so a wait inside it ends when that key is revoked.
        """
        request = self.request_context.request
        if not isinstance(request, Request):
            raise Unauthorized("Invalid or missing API key")
        return await user_of(request, self.services)

    # --- tools ----------------------------------------------------------------------------------

    async def _list_tools(self, _: types.ListToolsRequest) -> types.ServerResult:
        return types.ServerResult(types.ListToolsResult(tools=self._tools))

    async def _call_tool(self, req: types.CallToolRequest) -> types.ServerResult:
        tool = TOOLS_BY_NAME.get(req.params.name)
        if tool is None:
            return _tool_error("unknown_tool", f"no tool named {req.params.name!r}")
        try:
            user_id = await self._caller()
            args = tool.args.model_validate(req.params.arguments or {})
            result = await tool.run(Call(self.services, user_id, self._progress()), args)
        except ValidationError as exc:
            return _tool_error("invalid_request", _validation_message(exc))
        except WaypostError as exc:
            if exc.status >= 500:
                log.warning("mcp tool failed tool=%s error=%r", tool.name, exc)
            return _tool_error(exc.code, exc.message)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            raise  # the client went away: nothing to answer
        except Exception:
            log.exception("mcp tool crashed tool=%s", tool.name)
            return _tool_error("internal_error", "the tool failed; see the server's log")
        return types.ServerResult(
            types.CallToolResult(
                content=[types.TextContent(type="text", text=json.dumps(result))],
                structuredContent=result,
            )
        )

    def _progress(self) -> Progress:
        """Where this call's progress goes: the client's progress token, if it sent one."""
        ctx = self.request_context
        token = ctx.meta.progressToken if ctx.meta is not None else None
        session, request_id = ctx.session, str(ctx.request_id)

        async def report(done: float, total: float | None, message: str) -> None:
            if token is not None:
                await session.send_progress_notification(
                    token, done, total, message, related_request_id=request_id
                )

        return report

    # --- resources ------------------------------------------------------------------------------

    async def _list_resources(self, _: types.ListResourcesRequest) -> types.ServerResult:
        try:
            found = await resources.recent(self.services, await self._caller())
        except WaypostError as exc:
            raise McpError(_error_data(exc)) from None
        listed = [
            types.Resource(uri=AnyUrl(uri), name=name, mimeType="application/json")
            for uri, name in found
        ]
        return types.ServerResult(types.ListResourcesResult(resources=listed))

    async def _list_templates(self, _: types.ListResourceTemplatesRequest) -> types.ServerResult:
        templates = [
            types.ResourceTemplate(
                uriTemplate=t.uri_template,
                name=t.name,
                description=t.description,
                mimeType="application/json",
            )
            for t in resources.TEMPLATES
        ]
        return types.ServerResult(types.ListResourceTemplatesResult(resourceTemplates=templates))

    async def _read_resource(self, req: types.ReadResourceRequest) -> types.ServerResult:
        try:
            target = resources.parse_uri(str(req.params.uri))
            text = await resources.read(self.services, await self._caller(), target)
        except WaypostError as exc:
            raise McpError(_error_data(exc)) from None
        contents = types.TextResourceContents(
            uri=req.params.uri, text=text, mimeType="application/json"
        )
        return types.ServerResult(types.ReadResourceResult(contents=[contents]))

    async def _subscribe(self, req: types.SubscribeRequest) -> types.ServerResult:
        """Watch the resource's bus channel for this session; the caller must own it."""
        ctx = self.request_context
        uri = req.params.uri
        try:
            target = resources.parse_uri(str(uri))
            await resources.check_owned(self.services, await self._caller(), target)
        except WaypostError as exc:
            raise McpError(_error_data(exc)) from None
        state = ctx.lifespan_context
        if str(uri) not in state.watchers:
            session = ctx.session

            async def notify() -> None:
                await session.send_resource_updated(uri)

            # the task copies this context: the subscribing request's key guards it
            task = asyncio.create_task(
                _watch(self.services, target, notify), name=f"waypost-mcp-watch {uri}"
            )
            state.watchers[str(uri)] = task
            task.add_done_callback(lambda t: _forget(state, str(uri), t))
        return types.ServerResult(types.EmptyResult())

    async def _unsubscribe(self, req: types.UnsubscribeRequest) -> types.ServerResult:
        self.request_context.lifespan_context.stop(str(req.params.uri))
        return types.ServerResult(types.EmptyResult())


async def _watch(services: Services, target: resources.Target, notify: Any) -> None:
    """:func:`resources.watch`, ending quietly when the key is revoked or the client left."""
    try:
        await resources.watch(services, target, notify)
    except (Unauthorized, anyio.BrokenResourceError, anyio.ClosedResourceError):
        return


def _forget(state: SessionState, uri: str, task: asyncio.Task[None]) -> None:
    if state.watchers.get(uri) is task:
        del state.watchers[uri]
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.warning("mcp subscription ended uri=%s error=%r", uri, exc)
