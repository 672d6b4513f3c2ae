"""Request dependencies: the services and the calling user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from waypost.errors import Unauthorized
from waypost.services import Services


async def get_services(request: Request) -> Services:
    """The services built at startup (async: FastAPI would run a plain function in a thread)."""
    services: Services = request.app.state.services
    return services


async def current_user(request: Request) -> str:
    """The calling user (:func:`user_of`). Reads the services itself rather than through
    ``Depends(get_services)``: a nested dependency is one more round of FastAPI's solver
    on every request."""
    return await user_of(request, request.app.state.services)


async def user_of(request: Request, services: Services) -> str:
    """The user id behind ``Authorization: Bearer``, or the gateway's ``x-user-id`` when trusted."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return await services.keys.authenticate(token.strip())
    if services.settings.trusted_gateway:
        user = request.headers.get("x-user-id", "").strip()
        if user:
            return await services.keys.ensure_user(user)
    raise Unauthorized("Invalid or missing API key")


ServicesDep = Annotated[Services, Depends(get_services)]
UserDep = Annotated[str, Depends(current_user)]
