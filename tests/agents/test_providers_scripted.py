"""The scripted provider, make_provider and the retry helper, without any network."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from waypost.agents.providers import (
    Done,
    Message,
    ModelProvider,
    ProviderError,
    ScriptedProvider,
    StreamEvent,
    TextDelta,
    ToolSpec,
    ToolUseComplete,
    ToolUseStart,
    Usage,
    make_provider,
    stream_with_retry,
)
from waypost.agents.providers.base import redact
from waypost.agents.providers.retry import backoff_delay
from waypost.agents.providers.scripted import text_chunks

TURNS: list[Any] = [
    [
        {"type": "text", "text": "Let me check the inbox."},
        {"type": "tool_use", "id": "tu_1", "name": "read_inbox", "input": {"limit": 5}},
    ],
    [{"type": "text", "text": "Your code is 123456."}],
]
USER = Message("user", [{"type": "text", "text": "What is my code?"}])
ASSISTANT_1 = Message("assistant", TURNS[0])
RESULT = Message("user", [{"type": "tool_result", "tool_use_id": "tu_1", "content": "code 123456"}])
TOOL = ToolSpec("read_inbox", "Read mail.", {"type": "object"})


async def run(
    p: ModelProvider, messages: list[Message], parameters: dict[str, Any] | None = None
) -> list[StreamEvent]:
    return [
        e
        async for e in p.stream(
            system="sys",
            messages=messages,
            tools=[TOOL],
            model="script",
            parameters=parameters or {},
        )
    ]


async def test_first_turn_streams_words_then_tool_call() -> None:
    events = await run(make_provider("scripted", parameters={"turns": TURNS}), [USER])
    texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert texts == ["Let ", "me ", "check ", "the ", "inbox."]
    tail = events[len(texts) :]
    assert tail[:2] == [
        ToolUseStart("tu_1", "read_inbox"),
        ToolUseComplete("tu_1", "read_inbox", {"limit": 5}),
    ]
    assert isinstance(tail[2], Usage) and tail[2].output_tokens > 0 and tail[2].input_tokens > 0
    assert tail[3:] == [Done("tool_use")]


async def test_turn_is_chosen_by_assistant_messages_and_replays_are_identical() -> None:
    p = make_provider("scripted", parameters={"turns": TURNS})
    history = [USER, ASSISTANT_1, RESULT]
    first = await run(p, history)
    second = await run(make_provider("scripted"), history, {"turns": TURNS})
    assert first == second
    assert "".join(e.text for e in first if isinstance(e, TextDelta)) == "Your code is 123456."
    assert first[-1] == Done("end_turn")
    # The same history always yields the same turn, even after other calls.
    assert await run(p, [USER]) == await run(p, [USER])


async def test_past_the_end_the_script_says_so() -> None:
    p = make_provider("scripted", parameters={"turns": TURNS[:1]})
    events = await run(p, [USER, ASSISTANT_1, RESULT])
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "(script ended)"
    assert events[-1] == Done("end_turn")


async def test_missing_ids_and_explicit_stop_reason() -> None:
    turns: list[Any] = [
        {
            "content": [{"type": "tool_use", "name": "read_inbox", "input": {}}],
            "stop_reason": "max_tokens",
        }
    ]
    events = await run(make_provider("scripted"), [USER], {"turns": turns})
    assert events[0] == ToolUseStart("toolu_000_00", "read_inbox")
    assert events[-1] == Done("max_tokens")


@pytest.mark.parametrize(
    ("error", "kind", "retryable"),
    [
        ({"status": 500, "message": "boom"}, "server", True),
        ({"status": 529}, "server", True),
        ({"status": 429}, "rate_limit", True),
        ({"status": 401}, "auth", False),
        ({"status": 400}, "bad_request", False),
        ({"kind": "timeout"}, "timeout", True),
    ],
)
async def test_error_turns_raise_classified_errors(
    error: dict[str, Any], kind: str, retryable: bool
) -> None:
    p = make_provider("scripted", parameters={"turns": [{"error": error}]})
    with pytest.raises(ProviderError) as info:
        await run(p, [USER])
    assert (info.value.kind, info.value.retryable) == (kind, retryable)
    assert info.value.status == error.get("status")


async def test_chunk_delay_spaces_out_chunks() -> None:
    p = make_provider("scripted", parameters={"turns": TURNS, "chunk_delay_ms": 20})
    stamps: list[float] = []
    async for _ in p.stream(system="", messages=[USER], tools=[], model="m", parameters={}):
        stamps.append(time.monotonic())
    # 5 words + start + complete = 7 chunks, 6 gaps of >= 20 ms; Usage/Done are not delayed.
    assert stamps[6] - stamps[0] >= 0.11
    assert stamps[-1] - stamps[6] < 0.03


async def test_invalid_script_is_rejected() -> None:
    p = make_provider("scripted", parameters={"turns": [[{"type": "video"}]]})
    with pytest.raises(ValueError, match="unsupported block type"):
        await run(p, [USER])


def test_text_chunks_round_trip() -> None:
    for text in ["", "one", "  lead and  double  spaces\nnew line ", "tab\tsep"]:
        assert "".join(text_chunks(text)) == text
    assert len(text_chunks("a b c")) == 3


def test_make_provider_types_and_unknown() -> None:
    assert make_provider("scripted").name == "scripted"
    assert make_provider("openai", api_key="k", base_url="http://127.0.0.1:9/v1").name == "openai"
    assert make_provider("anthropic", api_key="k", base_url="http://127.0.0.1:9").name == (
        "anthropic"
    )
    with pytest.raises(ValueError, match="unknown provider type"):
        make_provider("gemini")


def test_sdk_clients_do_not_retry_on_their_own() -> None:
    for kind in ("openai", "anthropic"):
        p: Any = make_provider(kind, api_key="k", base_url="http://127.0.0.1:9")
        assert p.client.max_retries == 0


class Flaky:
    """Fails with the given errors before streaming a fixed reply."""

    name = "flaky"

    def __init__(self, errors: list[ProviderError], yield_first: bool = False) -> None:
        self.errors = errors
        self.yield_first = yield_first
        self.calls = 0

    async def stream(self, **_: Any) -> AsyncIterator[StreamEvent]:
        self.calls += 1
        if self.errors:
            if self.yield_first:
                yield TextDelta("partial")
            raise self.errors.pop(0)
        yield TextDelta("ok")
        yield Done("end_turn")


async def drain(p: Any, attempts: int = 3) -> list[StreamEvent]:
    return [e async for e in stream_with_retry(p, attempts=attempts, base_delay=0.001)]


async def test_retry_only_before_first_event() -> None:
    p = Flaky([ProviderError("x", kind="server"), ProviderError("y", kind="timeout")])
    assert await drain(p) == [TextDelta("ok"), Done("end_turn")]
    assert p.calls == 3

    p = Flaky([ProviderError("x", kind="server")], yield_first=True)
    with pytest.raises(ProviderError, match="x"):
        await drain(p)
    assert p.calls == 1

    p = Flaky([ProviderError("bad", kind="bad_request")])
    with pytest.raises(ProviderError, match="bad"):
        await drain(p)
    assert p.calls == 1

    p = Flaky([ProviderError(str(i), kind="connection") for i in range(5)])
    with pytest.raises(ProviderError, match=r"^1$"):
        await drain(p, attempts=2)
    assert p.calls == 2


async def test_retry_with_scripted_error_turn_counts_calls() -> None:
    p = ScriptedProvider({"turns": [{"error": {"status": 503}}]})
    with pytest.raises(ProviderError):
        async for _ in stream_with_retry(
            p,
            attempts=3,
            base_delay=0.001,
            system="",
            messages=[USER],
            tools=[],
            model="m",
            parameters={},
        ):
            pass
    assert p.calls == 3


def test_backoff_grows_and_honours_retry_after() -> None:
    for attempt in range(4):
        step = 0.5 * 2**attempt
        assert step * 0.5 <= backoff_delay(attempt, 0.5) <= step
    assert backoff_delay(0, 0.5, retry_after=4.0) == 4.0
    assert backoff_delay(10, 0.5) == 30.0
    assert backoff_delay(0, 0.5, retry_after=999.0) == 30.0


def test_redact_removes_known_and_key_shaped_secrets() -> None:
    text = "key=abc123SECRET token sk-proj-AAAAAAAAAAAA Bearer eyJhbGciOiJIUzI1"
    out = redact(text, ["abc123SECRET", None])
    assert "abc123SECRET" not in out and "sk-proj-AAAA" not in out and "eyJhbGci" not in out
    assert out.count("[REDACTED]") == 3
    assert len(redact("x" * 5000, [])) <= 503
