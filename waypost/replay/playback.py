"""A session's record, played back into a new run: the model's turns and the tools' results.

The runtime itself runs for real — permission decisions, tool routing, the task list, the
loop's limits and its events — so a change to any of those shows up as a divergence; what
it would have asked of the outside world (a model, a sandbox, a mailbox, a member agent)
is answered from the record instead: no model call, no network, no command run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from waypost.agents.providers import (
    Done,
    Message,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolSpec,
    ToolUseComplete,
    ToolUseStart,
    Usage,
)
from waypost.db.models import Message as MessageRow
from waypost.sandbox import ToolResult

REJECTED = "was rejected by the user"


@dataclass
class Playback:
    """The record of one session, consumed in order by the runs that re-execute it."""

    turns: list[tuple[list[dict[str, Any]], dict[str, int]]]  # assistant content, usage
    results: dict[str, tuple[str, bool]]  # tool_use_id → (content, is_error)
    prompts: list[list[dict[str, Any]]]  # the user's messages, one per run
    use_recorded_model: bool = True
    _next_turn: int = field(default=0, init=False)

    @classmethod
    def from_messages(cls, messages: list[MessageRow], use_recorded_model: bool) -> Playback:
        turns, results, prompts = [], {}, []
        for message in messages:
            if message.role == "assistant":
                usage = message.usage or {"input_tokens": 0, "output_tokens": 0}
                turns.append((list(message.content), dict(usage)))
                continue
            answers = [b for b in message.content if b.get("type") == "tool_result"]
            for block in answers:
                content = block.get("content")
                text = content if isinstance(content, str) else str(content)
                results[str(block.get("tool_use_id"))] = (text, bool(block.get("is_error")))
            if len(answers) < len(message.content):  # a person's (or a program's) message
                prompts.append([b for b in message.content if b.get("type") != "tool_result"])
        return cls(turns, results, prompts, use_recorded_model)

    def provider(self) -> RecordedModel:
        return RecordedModel(self)

    def result(self, tool_use_id: str) -> ToolResult:
        """The recorded result of a tool call (an error if the record has none)."""
        recorded = self.results.get(tool_use_id)
        if recorded is None:
            return ToolResult(f"the record has no result for tool call {tool_use_id}", True)
        return ToolResult(*recorded)

    def approved(self, tool_use_id: str) -> bool:
        """A held call's recorded answer: approved unless its result says it was rejected."""
        recorded = self.results.get(tool_use_id)
        return recorded is not None and REJECTED not in recorded[0]

    def next_turn(self) -> tuple[list[dict[str, Any]], dict[str, int]]:
        if self._next_turn >= len(self.turns):
            raise ProviderError("the record has no more model turns", kind="bad_request")
        turn = self.turns[self._next_turn]
        self._next_turn += 1
        return turn


class RecordedModel:
    """A model provider that streams the record's next assistant turn, as it was."""

    name = "recorded"

    def __init__(self, playback: Playback) -> None:
        self.playback = playback

    async def stream(
        self,
        *,
        system: str,
        messages: list[Message],
        tools: list[ToolSpec],
        model: str,
        parameters: dict[str, Any],
    ) -> AsyncIterator[StreamEvent]:
        blocks, usage = self.playback.next_turn()
        for block in blocks:
            if block.get("type") == "text":
                yield TextDelta(str(block.get("text", "")))
            elif block.get("type") == "tool_use":
                tool_id, name = str(block.get("id")), str(block.get("name"))
                yield ToolUseStart(tool_id, name)
                yield ToolUseComplete(tool_id, name, dict(block.get("input") or {}))
        yield Usage(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))
        has_tool = any(b.get("type") == "tool_use" for b in blocks)
        yield Done("tool_use" if has_tool else "end_turn")
