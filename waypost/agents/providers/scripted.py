"""A deterministic, network-free provider that streams scripted turns like a real model."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

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
    approx_tokens,
    kind_for_status,
)

SCRIPT_ENDED = "(script ended)"
_VALID_KINDS: frozenset[str] = frozenset(
    {"auth", "rate_limit", "server", "timeout", "connection", "bad_request"}
)
_CHUNK = re.compile(r"\S+\s*|\s+")


def text_chunks(text: str) -> list[str]:
    """Split text word by word (whitespace kept) so that the chunks join back to ``text``."""
    return _CHUNK.findall(text)


class ScriptedProvider:
    """Plays ``parameters["turns"][n]`` where n = assistant messages so far, so replays match.

    A turn is a list of ``text``/``tool_use`` blocks, ``{"content": [...], "stop_reason": ...}``,
    or ``{"error": {"status": 500, "message": "..."}}`` (``"kind"`` may replace ``"status"``).
    """

    name = "scripted"

    def __init__(self, parameters: dict[str, Any] | None = None) -> None:
        self.default_parameters: dict[str, Any] = dict(parameters or {})
        self.calls = 0
        # The prompt's size, counted incrementally: a run's history only grows between
        # calls (else it is counted afresh), so a turn costs O(new messages).
        self._counted: tuple[int, Message | None, int] = (0, None, 0)

    async def stream(
        self,
        *,
        system: str,
        messages: list[Message],
        tools: list[ToolSpec],
        model: str,
        parameters: dict[str, Any],
    ) -> AsyncIterator[StreamEvent]:
        """Stream the scripted turn chunk by chunk, honouring ``chunk_delay_ms``."""
        self.calls += 1
        params = {**self.default_parameters, **parameters}
        turns: list[Any] = params.get("turns") or []
        delay = float(params.get("chunk_delay_ms", 0)) / 1000.0
        # The runtime names the model call ("turn") so a compacted history replays the
        # same script; on its own the turn is the number of assistant messages so far.
        if "turn" in params:
            index = int(params["turn"])
        else:
            index = sum(1 for m in messages if m.role == "assistant")
        turn: Any = turns[index] if index < len(turns) else [{"type": "text", "text": SCRIPT_ENDED}]

        blocks, stop_reason = self._unpack(turn, index)
        # Deterministic and cheap: characters of the prompt, not a serialisation of the
        # whole history (that made long runs quadratic: 8 ms a turn at 400 messages).
        input_tokens = (len(system) + self._prompt_chars(messages) + 200 * len(tools)) // 4
        output_text = ""
        has_tool_use = False
        first = True

        async def pause() -> None:
            nonlocal first
            if not first and delay > 0:
                await asyncio.sleep(delay)
            first = False

        for i, block in enumerate(blocks):
            btype = block.get("type")
            if btype == "text":
                text = str(block.get("text", ""))
                output_text += text
                for chunk in text_chunks(text):
                    await pause()
                    yield TextDelta(chunk)
            elif btype == "tool_use":
                has_tool_use = True
                tool_id = str(block.get("id") or f"toolu_{index:03d}_{i:02d}")
                name = str(block["name"])
                tool_input = dict(block.get("input") or {})
                output_text += name + json.dumps(tool_input, sort_keys=True)
                await pause()
                yield ToolUseStart(tool_id, name)
                await pause()
                yield ToolUseComplete(tool_id, name, tool_input)
            else:
                raise ValueError(f"scripted turn {index}: unsupported block type {btype!r}")
        yield Usage(input_tokens, approx_tokens(output_text))
        yield Done(stop_reason or ("tool_use" if has_tool_use else "end_turn"))

    def _prompt_chars(self, messages: list[Message]) -> int:
        count, last, total = self._counted
        if not (0 < count <= len(messages) and messages[count - 1] is last):
            count, total = 0, 0
        total += sum(_content_chars(m.content) for m in messages[count:])
        self._counted = (len(messages), messages[-1] if messages else None, total)
        return total

    @staticmethod
    def _unpack(turn: Any, index: int) -> tuple[list[dict[str, Any]], str | None]:
        """Normalise a turn to (blocks, explicit stop_reason), raising scripted errors."""
        if isinstance(turn, list):
            return turn, None
        if isinstance(turn, dict) and "error" in turn:
            err = turn["error"] or {}
            status = err.get("status")
            kind = err.get("kind") or (kind_for_status(int(status)) if status else "server")
            if kind not in _VALID_KINDS:
                raise ValueError(f"scripted turn {index}: unknown error kind {kind!r}")
            kind_typed: ErrorKind = kind
            message = str(err.get("message", f"scripted {kind} error"))
            raise ProviderError(message, kind=kind_typed, status=int(status) if status else None)
        if isinstance(turn, dict) and "content" in turn:
            stop = turn.get("stop_reason")
            return list(turn["content"]), str(stop) if stop else None
        raise ValueError(f"scripted turn {index}: expected a list of blocks or a dict")


def _content_chars(blocks: list[dict[str, Any]]) -> int:
    """Roughly how many characters a message's blocks put in a prompt."""
    total = 0
    for block in blocks:
        for key in ("text", "content", "name", "data"):
            value = block.get(key)
            if isinstance(value, str):
                total += len(value)
        if "input" in block:
            total += 20 + 10 * len(block["input"] or {})
    return total
