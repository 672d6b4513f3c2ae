"""Provider-neutral types: messages, tool specs, stream events and errors."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias

ErrorKind: TypeAlias = Literal[
    "auth", "rate_limit", "server", "timeout", "connection", "bad_request"
]
RETRYABLE_KINDS: frozenset[str] = frozenset({"rate_limit", "server", "timeout", "connection"})


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call; ``input_schema`` is a JSON Schema object."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One conversation turn; content blocks are plain dicts in the Anthropic shape."""

    role: Literal["user", "assistant"]
    content: list[dict[str, Any]]


@dataclass(frozen=True)
class TextDelta:
    """A fragment of assistant text, in stream order."""

    text: str


@dataclass(frozen=True)
class ToolUseStart:
    """The model began a tool call; its input arrives with ``ToolUseComplete``."""

    id: str
    name: str


@dataclass(frozen=True)
class ToolUseComplete:
    """A fully assembled tool call, ready to execute."""

    id: str
    name: str
    input: dict[str, Any]


@dataclass(frozen=True)
class Usage:
    """Token counts for one model call (zeros when the server did not report them)."""

    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class Done:
    """End of one model call: ``end_turn``, ``tool_use``, ``max_tokens``, ..."""

    stop_reason: str


StreamEvent: TypeAlias = TextDelta | ToolUseStart | ToolUseComplete | Usage | Done


class ProviderError(Exception):
    """A classified model-call failure; the message is redacted and never holds the API key."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind
        self.status = status
        self.retry_after = retry_after
        self.retryable = kind in RETRYABLE_KINDS

    def __repr__(self) -> str:
        return f"ProviderError({self.message!r}, kind={self.kind!r}, status={self.status!r})"


class ModelProvider(Protocol):
    """What the agent loop needs from a model backend: one streamed call at a time."""

    name: str

    def stream(
        self,
        *,
        system: str,
        messages: list[Message],
        tools: list[ToolSpec],
        model: str,
        parameters: dict[str, Any],
    ) -> AsyncIterator[StreamEvent]: ...


def kind_for_status(status: int) -> ErrorKind:
    """Map an HTTP status to an error kind, so retry and fallback logic can stay generic."""
    if status in (401, 402, 403):
        return "auth"
    if status == 429:
        return "rate_limit"
    if status == 408:
        return "timeout"
    if status == 409 or status >= 500:
        return "server"
    return "bad_request"


# Things that look like credentials, in case a server echoes a key we were not given.
_KEY_SHAPED = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9_\-.=]{8,}")
MAX_ERROR_MESSAGE = 500


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Remove secrets (exact, then key-shaped tokens) and cap length before text reaches logs."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    text = _KEY_SHAPED.sub("[REDACTED]", text)
    text = _BEARER.sub(r"\1[REDACTED]", text)
    if len(text) > MAX_ERROR_MESSAGE:
        text = text[:MAX_ERROR_MESSAGE] + "..."
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (numeric form only); None if absent or odd."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def parse_tool_arguments(raw: str) -> dict[str, Any]:
    """Decode streamed tool-call JSON; malformed input is kept so the loop can report it."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {"_invalid_json": raw}
    if not isinstance(value, dict):
        return {"_invalid_json": raw}
    return value


def tool_result_text(block: dict[str, Any]) -> str:
    """A tool_result's content as plain text (strings pass through, text blocks are joined)."""
    content = block.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        ]
        return "\n".join(parts)
    return json.dumps(content)


def approx_tokens(text: str) -> int:
    """Deterministic token estimate (about four characters per token)."""
    return len(text) // 4
