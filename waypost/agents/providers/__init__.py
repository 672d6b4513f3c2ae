"""Model providers for the agent runtime: one streaming interface, several backends."""

from __future__ import annotations

from typing import Any

from waypost.agents.providers.anthropic_provider import AnthropicProvider
from waypost.agents.providers.base import (
    Done,
    ErrorKind,
    Message,
    ModelProvider,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolSpec,
    ToolUseComplete,
    ToolUseStart,
    Usage,
)
from waypost.agents.providers.openai_provider import OpenAIProvider
from waypost.agents.providers.retry import stream_with_retry
from waypost.agents.providers.scripted import ScriptedProvider

PROVIDER_TYPES = ("openai", "anthropic", "scripted")


def make_provider(
    type: str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    parameters: dict[str, Any] | None = None,
    timeout: float = 60.0,
) -> ModelProvider:
    """Build a provider by type name; ``parameters`` become per-call defaults."""
    if type == "openai":
        return OpenAIProvider(
            api_key=api_key, base_url=base_url, parameters=parameters, timeout=timeout
        )
    if type == "anthropic":
        return AnthropicProvider(
            api_key=api_key, base_url=base_url, parameters=parameters, timeout=timeout
        )
    if type == "scripted":
        return ScriptedProvider(parameters)
    raise ValueError(f"unknown provider type {type!r}; expected one of {', '.join(PROVIDER_TYPES)}")


__all__ = [
    "PROVIDER_TYPES",
    "AnthropicProvider",
    "Done",
    "ErrorKind",
    "Message",
    "ModelProvider",
    "OpenAIProvider",
    "ProviderError",
    "ScriptedProvider",
    "StreamEvent",
    "TextDelta",
    "ToolSpec",
    "ToolUseComplete",
    "ToolUseStart",
    "Usage",
    "make_provider",
    "stream_with_retry",
]
