"""A response model sent as it is: serialised once, not validated again.

FastAPI validates what an endpoint returns against the route's ``response_model`` before
serialising it; for a model the endpoint has just built (and pydantic validated) that is
a second pass, and against a union (``AgentSessionOut | SessionDetailOut``) a costly one.
Routes that return :func:`model_response` keep ``response_model`` for the OpenAPI
document; the body is the model's own JSON, by alias, as FastAPI would have written it.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(
        model.__pydantic_serializer__.to_json(model, by_alias=True),
        status_code=status_code,
        media_type="application/json",
    )
