"""The ``/mcp`` route: the API key is checked first, then the SDK's Streamable HTTP.

One route, not a middleware: no other request passes through here. The key is
checked exactly as the REST API checks it (:func:`~waypost.api.deps.current_user`);
a bad or revoked key gets the REST API's 401 before any MCP work. The caller's user
becomes the SDK's authenticated user, so an MCP session id can only be used by the
user who opened it (another user's session id answers 404, as the SDK does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from waypost.api.deps import user_of
from waypost.errors import Unauthorized
from waypost.mcp_server.server import WaypostMcpServer
from waypost.services import Services


class McpEndpoint:
    """An ASGI app for :data:`MCP_PATH`; serves while :meth:`running` is entered."""

    def __init__(self) -> None:
        self._manager: StreamableHTTPSessionManager | None = None
        self._services: Services | None = None

    @asynccontextmanager
    async def running(self, services: Services) -> AsyncIterator[None]:
        """Run the session manager (its task group holds every MCP session) in the app's
        lifespan, as the SDK requires; sessions end when the block exits."""
        manager = StreamableHTTPSessionManager(WaypostMcpServer(services))
        async with manager.run():
            self._manager, self._services = manager, services
            try:
                yield
            finally:
                self._manager = self._services = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager, services = self._manager, self._services
        if manager is None or services is None:
            unavailable = {"error": "unavailable", "message": "The server is not running"}
            await JSONResponse(unavailable, status_code=503)(scope, receive, send)
            return
        try:
            user_id = await user_of(Request(scope), services)
        except Unauthorized as exc:
            body = {"error": exc.code, "message": exc.message}
            headers = {"WWW-Authenticate": "Bearer"}
            await JSONResponse(body, status_code=401, headers=headers)(scope, receive, send)
            return
        token = AccessToken(token="", client_id=user_id, scopes=[], subject=user_id)
        scope["user"] = AuthenticatedUser(token)
        await manager.handle_request(scope, receive, send)
