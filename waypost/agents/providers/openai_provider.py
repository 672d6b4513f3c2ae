"""OpenAI chat-completions provider; works with any OpenAI-compatible server (vLLM, Ollama, ...)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

from waypost.agents.providers.base import (
    Done,
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

FINISH_REASONS: dict[str, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
# Local servers (Ollama, llama.cpp, vLLM) usually ignore the key, but the SDK requires one.
PLACEHOLDER_KEY = "not-needed"


def to_openai_messages(system: str, messages: list[Message]) -> list[dict[str, Any]]:
    """Convert Anthropic-shaped history to chat-completions messages (tool results -> role tool)."""
    out: list[dict[str, Any]] = []
    if system:
        out.append({"role": "system", "content": system})
    for message in messages:
        if message.role == "assistant":
            out.append(_assistant_message(message))
            continue
        parts: list[dict[str, Any]] = []
        for block in message.content:
            btype = block.get("type")
            if btype == "tool_result":
                text = tool_result_text(block)
                if block.get("is_error"):
                    text = f"Error: {text}"
                out.append(
                    {"role": "tool", "tool_call_id": str(block["tool_use_id"]), "content": text}
                )
            elif btype == "text":
                parts.append({"type": "text", "text": str(block["text"])})
            elif btype == "image":
                url = f"data:{block['media_type']};base64,{block['data']}"
                parts.append({"type": "image_url", "image_url": {"url": url}})
            else:
                raise ValueError(f"unsupported content block in user message: {btype!r}")
        if parts:
            out.append({"role": "user", "content": _collapse(parts)})
    return out


def _collapse(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """Plain string content when there are no images: many compatible servers accept only that."""
    if all(p["type"] == "text" for p in parts):
        return "\n\n".join(str(p["text"]) for p in parts)
    return parts


def _assistant_message(message: Message) -> dict[str, Any]:
    """Assistant text plus ``tool_calls`` with JSON-encoded arguments."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in message.content:
        btype = block.get("type")
        if btype == "text":
            texts.append(str(block["text"]))
        elif btype == "tool_use":
            calls.append(
                {
                    "id": str(block["id"]),
                    "type": "function",
                    "function": {
                        "name": str(block["name"]),
                        "arguments": json.dumps(block.get("input") or {}),
                    },
                }
            )
        else:
            raise ValueError(f"unsupported content block in assistant message: {btype!r}")
    out: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        out["tool_calls"] = calls
    return out


def to_openai_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    """Tool specs as chat-completions function tools."""
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": t.input_schema,
            },
        }
        for t in tools
    ]


def _body_message(body: object) -> str | None:
    """The human-readable message inside an error body, whichever nesting the server used."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    if isinstance(body, str) and body:
        return body
    return None


def classify_openai_error(err: openai.OpenAIError, api_key: str | None) -> ProviderError:
    """Translate an SDK exception into a redacted ``ProviderError``."""
    if isinstance(err, openai.APITimeoutError):
        return ProviderError("openai: request timed out", kind="timeout")
    if isinstance(err, openai.APIConnectionError):
        return ProviderError("openai: connection error", kind="connection")
    if isinstance(err, openai.APIStatusError):
        status = err.status_code
        detail = _body_message(err.body) or f"HTTP {status}"
        return ProviderError(
            redact(f"openai: HTTP {status}: {detail}", [api_key]),
            kind=kind_for_status(status),
            status=status,
            retry_after=parse_retry_after(err.response.headers.get("retry-after")),
        )
    if isinstance(err, openai.APIError):
        # An error event inside an already-started stream: the server gave up mid-response.
        detail = _body_message(err.body) or err.message
        return ProviderError(redact(f"openai: stream error: {detail}", [api_key]), kind="server")
    return ProviderError(redact(f"openai: {err}", [api_key]), kind="bad_request")


@dataclass
class _PendingCall:
    """A tool call being assembled from indexed deltas."""

    id: str
    name: str
    arguments: list[str] = field(default_factory=list)
    started: bool = False


class OpenAIProvider:
    """Streams chat.completions with tools through the official ``AsyncOpenAI`` client."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        parameters: dict[str, Any] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self._api_key = api_key or os.environ.get("OPENAI_API_KEY") or PLACEHOLDER_KEY
        self.default_parameters: dict[str, Any] = dict(parameters or {})
        self.client = openai.AsyncOpenAI(
            api_key=self._api_key, base_url=base_url, timeout=timeout, max_retries=0
        )

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
        """One streamed completion; parameters go into the request body unchanged."""
        body = {**self.default_parameters, **parameters}
        body.setdefault("stream_options", {"include_usage": True})
        wire_messages = to_openai_messages(system, messages)
        wire_tools = to_openai_tools(tools)
        calls: dict[int, _PendingCall] = {}
        finish: str | None = None
        usage = Usage(0, 0)
        try:
            stream = await self.client.chat.completions.create(
                model=model,
                messages=cast("list[ChatCompletionMessageParam]", wire_messages),
                tools=cast("list[ChatCompletionToolParam]", wire_tools) if tools else openai.omit,
                stream=True,
                extra_body=body,
            )
            try:
                async for chunk in stream:
                    if chunk.usage is not None:
                        usage = Usage(
                            chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0
                        )
                    for choice in chunk.choices[:1]:
                        delta = choice.delta
                        if delta.content:
                            yield TextDelta(delta.content)
                        for tc in delta.tool_calls or []:
                            pending = calls.get(tc.index)
                            if pending is None:
                                pending = calls[tc.index] = _PendingCall(
                                    id=tc.id or f"call_{tc.index}", name=""
                                )
                            if tc.id:
                                pending.id = tc.id
                            if tc.function is not None:
                                if tc.function.name and not pending.name:
                                    pending.name = tc.function.name
                                if tc.function.arguments:
                                    pending.arguments.append(tc.function.arguments)
                            if not pending.started and pending.name:
                                pending.started = True
                                yield ToolUseStart(pending.id, pending.name)
                        if choice.finish_reason is not None:
                            finish = choice.finish_reason
            finally:
                await stream.close()
        except openai.OpenAIError as err:
            raise classify_openai_error(err, self._api_key) from None
        if finish is None:
            raise ProviderError("openai: stream ended without a finish_reason", kind="connection")
        for pending in calls.values():
            if not pending.started:
                yield ToolUseStart(pending.id, pending.name)
            yield ToolUseComplete(
                pending.id, pending.name, parse_tool_arguments("".join(pending.arguments))
            )
        yield usage
        yield Done("tool_use" if calls else FINISH_REASONS.get(finish, finish))
