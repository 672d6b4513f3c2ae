"""The one place errors become HTTP responses: ``{"error": code, "message": text}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from waypost.errors import WaypostError

log = logging.getLogger("waypost.api")

_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The JSON error body every failure uses."""
    return JSONResponse({"error": code, "message": message}, status_code=status)


def describe_validation_error(errors: list[Any]) -> str:
    """A one-line message naming the first bad field, e.g. ``waitType is required``."""
    if not errors:
        return "Invalid request"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(loc)
    kind = first.get("type", "")
    if kind == "json_invalid":
        return "Malformed JSON body"
    if kind == "missing":
        return f"{field} is required" if field else "Request body is required"
    if kind == "out_of_range":  # the shared range types name the field themselves
        return str(first.get("msg", "is out of range"))
    if kind == "extra_forbidden":
        return f"unknown field '{field}'"
    if kind in ("model_attributes_type", "dict_type") and not field:
        return "Request body must be a JSON object"
    msg = str(first.get("msg", "is invalid"))
    return f"{field}: {msg}" if field else msg


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers so no route ever answers with another error shape."""

    @app.exception_handler(WaypostError)
    async def _waypost(_: Request, exc: WaypostError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, "invalid_request", describe_validation_error(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else code
        if exc.status_code == 404 and message == "Not Found":
            message = "No such route"
        return error_response(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "Internal server error")
