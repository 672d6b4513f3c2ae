"""Anthropic Messages API provider, streamed through the official ``AsyncAnthropic`` client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import anthropic
from anthropic.types import (
    InputJSONDelta,
    MessageParam,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
    ToolParam,
    ToolUseBlock,
)
from anthropic.types import TextBlock as WireTextBlock
from anthropic.types import TextDelta as WireTextDelta

from waypost.agents.providers.base import (
    Done,
    ErrorKind,
    Message,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolSpec,
    ToolUseComplete,
    ToolUseStart,
    Usage,
    kind_for_status,
    parse_retry_after,
    parse_tool_arguments,
    redact,
    tool_result_text,
)

DEFAULT_MAX_TOKENS = 4096
# ``error.type`` of an error event inside a 200 stream -> our kind.
ERROR_TYPES: dict[str, ErrorKind] = {
    "overloaded_error": "server",
    "api_error": "server",
    "rate_limit_error": "rate_limit",
    "authentication_error": "auth",
    "permission_error": "auth",
    "billing_error": "auth",
    "timeout_error": "timeout",
    "invalid_request_error": "bad_request",
    "not_found_error": "bad_request",
    "request_too_large": "bad_request",
}


def to_anthropic_messages(messages: list[Message]) -> list[dict[str, Any]]:
    """Our blocks are already Anthropic-shaped; only images and tool results need rewriting."""
    out: list[dict[str, Any]] = []
    for message in messages:
        results: list[dict[str, Any]] = []
        others: list[dict[str, Any]] = []
        for block in message.content:
            btype = block.get("type")
            if btype == "tool_result":
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": str(block["tool_use_id"]),
                        "content": tool_result_text(block),
                        "is_error": bool(block.get("is_error", False)),
                    }
                )
            elif btype == "image":
                others.append(
                    {
                        "type": "image",
                        "source": {
                            "type": "base64",
                            "media_type": block["media_type"],
                            "data": block["data"],
                        },
                    }
                )
            elif btype == "text":
                if block.get("text"):  # the API rejects empty text blocks
                    others.append({"type": "text", "text": str(block["text"])})
            elif btype == "tool_use":
                others.append(
                    {
                        "type": "tool_use",
                        "id": str(block["id"]),
                        "name": str(block["name"]),
                        "input": block.get("input") or {},
                    }
                )
            else:
                others.append(dict(block))
        # The API requires tool results to lead the user turn that answers a tool call.
        out.append({"role": message.role, "content": results + others})
    return out


def to_anthropic_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    """Tool specs in the Messages API shape."""
    return [
        {"name": t.name, "description": t.description, "input_schema": t.input_schema}
        for t in tools
    ]


def _error_detail(body: object) -> tuple[str | None, str | None]:
    """(error.type, error.message) from an Anthropic error body, if present."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            etype = inner.get("type")
            msg = inner.get("message")
            return (
                etype if isinstance(etype, str) else None,
                msg if isinstance(msg, str) else None,
            )
    if isinstance(body, str) and body:
        return None, body
    return None, None


def classify_anthropic_error(err: anthropic.AnthropicError, api_key: str | None) -> ProviderError:
    """Translate an SDK exception into a redacted ``ProviderError``."""
    if isinstance(err, anthropic.APITimeoutError):
        return ProviderError("anthropic: request timed out", kind="timeout")
    if isinstance(err, anthropic.APIConnectionError):
        return ProviderError("anthropic: connection error", kind="connection")
    if isinstance(err, anthropic.APIStatusError):
        status = err.status_code
        etype, msg = _error_detail(err.body)
        if status < 400:
            # An ``event: error`` inside a 200 stream: only the error type says what happened.
            kind = ERROR_TYPES.get(etype or "", "server")
            return ProviderError(
                redact(f"anthropic: stream error {etype}: {msg}", [api_key]), kind=kind
            )
        return ProviderError(
            redact(f"anthropic: HTTP {status} {etype or ''}: {msg or ''}".rstrip(), [api_key]),
            kind=kind_for_status(status),
            status=status,
            retry_after=parse_retry_after(err.response.headers.get("retry-after")),
        )
    if isinstance(err, anthropic.APIError):
        return ProviderError(redact(f"anthropic: {err.message}", [api_key]), kind="server")
    if isinstance(err, anthropic.CredentialsError):
        return ProviderError(redact(f"anthropic: {err}", [api_key]), kind="auth")
    return ProviderError(redact(f"anthropic: {err}", [api_key]), kind="bad_request")


@dataclass
class _OpenBlock:
    """A tool_use content block whose JSON input is still streaming."""

    id: str
    name: str
    initial: dict[str, Any]
    parts: list[str] = field(default_factory=list)


class AnthropicProvider:
    """Streams ``messages.create(stream=True)`` with tools; raw events keep latency minimal."""

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        parameters: dict[str, Any] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.default_parameters: dict[str, Any] = dict(parameters or {})
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )
        self._api_key = api_key or self.client.api_key

    async def aclose(self) -> None:
        """Release pooled connections."""
        await self.client.close()

    async def stream(
        self,
        *,
        system: str,
        messages: list[Message],
        tools: list[ToolSpec],
        model: str,
        parameters: dict[str, Any],
    ) -> AsyncIterator[StreamEvent]:
        """One streamed message; ``max_tokens`` defaults to 4096, other parameters pass through."""
        body = {**self.default_parameters, **parameters}
        max_tokens = int(body.pop("max_tokens", DEFAULT_MAX_TOKENS))
        open_blocks: dict[int, _OpenBlock] = {}
        input_tokens = 0
        output_tokens = 0
        stop_reason: str | None = None
        finished = False
        wire_tools = cast("list[ToolParam]", to_anthropic_tools(tools))
        try:
            stream = await self.client.messages.create(
                model=model,
                max_tokens=max_tokens,
                messages=cast("list[MessageParam]", to_anthropic_messages(messages)),
                system=system if system else anthropic.omit,
                tools=wire_tools if tools else anthropic.omit,
                stream=True,
                extra_body=body or None,
            )
            try:
                async for event in stream:
                    if isinstance(event, RawMessageStartEvent):
                        u = event.message.usage
                        input_tokens = (
                            u.input_tokens
                            + (u.cache_creation_input_tokens or 0)
                            + (u.cache_read_input_tokens or 0)
                        )
                        output_tokens = u.output_tokens
                    elif isinstance(event, RawContentBlockStartEvent):
                        block = event.content_block
                        if isinstance(block, ToolUseBlock):
                            initial = block.input if isinstance(block.input, dict) else {}
                            open_blocks[event.index] = _OpenBlock(block.id, block.name, initial)
                            yield ToolUseStart(block.id, block.name)
                        elif isinstance(block, WireTextBlock) and block.text:
                            yield TextDelta(block.text)
                    elif isinstance(event, RawContentBlockDeltaEvent):
                        delta = event.delta
                        if isinstance(delta, WireTextDelta):
                            if delta.text:
                                yield TextDelta(delta.text)
                        elif isinstance(delta, InputJSONDelta) and event.index in open_blocks:
                            open_blocks[event.index].parts.append(delta.partial_json)
                    elif isinstance(event, RawContentBlockStopEvent):
                        done = open_blocks.pop(event.index, None)
                        if done is not None:
                            raw = "".join(done.parts)
                            tool_input = parse_tool_arguments(raw) if raw else done.initial
                            yield ToolUseComplete(done.id, done.name, tool_input)
                    elif isinstance(event, RawMessageDeltaEvent):
                        if event.delta.stop_reason:
                            stop_reason = event.delta.stop_reason
                        output_tokens = event.usage.output_tokens
                        if event.usage.input_tokens is not None:
                            input_tokens = (
                                event.usage.input_tokens
                                + (event.usage.cache_creation_input_tokens or 0)
                                + (event.usage.cache_read_input_tokens or 0)
                            )
                    elif isinstance(event, RawMessageStopEvent):
                        finished = True
            finally:
                await stream.close()
        except anthropic.AnthropicError as err:
            raise classify_anthropic_error(err, self._api_key) from None
        if not finished:
            raise ProviderError("anthropic: stream ended before message_stop", kind="connection")
        yield Usage(input_tokens, output_tokens)
        yield Done(stop_reason or "end_turn")
