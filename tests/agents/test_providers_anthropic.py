"""The anthropic provider against a local server speaking the Messages SSE format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.agents.fake_llm import (
    SSE,
    FakeLLMServer,
    Hang,
    HTTPError,
    anthropic_event,
    anthropic_message_start,
    free_port,
)
from waypost.agents.providers import (
    Done,
    Message,
    ModelProvider,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolSpec,
    ToolUseComplete,
    ToolUseStart,
    Usage,
    make_provider,
    stream_with_retry,
)

KEY = "sk-ant-test-SECRET-0123456789abcdef"
SEARCH = ToolSpec(
    "search",
    "Search the web.",
    {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
)
HI = [Message("user", [{"type": "text", "text": "Hi"}])]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


def provider(fake: FakeLLMServer, timeout: float = 5.0) -> ModelProvider:
    return make_provider("anthropic", api_key=KEY, base_url=fake.base_url, timeout=timeout)


def call_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "system": "Be brief.",
        "messages": HI,
        "tools": [],
        "model": "claude-fake",
        "parameters": {},
    }
    kwargs.update(overrides)
    return kwargs


async def collect(p: ModelProvider, **overrides: Any) -> list[StreamEvent]:
    return [event async for event in p.stream(**call_kwargs(**overrides))]


def text_delta(index: int, text: str) -> tuple[str, str]:
    return anthropic_event(
        "content_block_delta", index=index, delta={"type": "text_delta", "text": text}
    )


def json_delta(index: int, partial: str) -> tuple[str, str]:
    return anthropic_event(
        "content_block_delta",
        index=index,
        delta={"type": "input_json_delta", "partial_json": partial},
    )


def ending(stop_reason: str, output_tokens: int) -> list[tuple[str, str]]:
    return [
        anthropic_event(
            "message_delta",
            delta={"stop_reason": stop_reason, "stop_sequence": None},
            usage={"output_tokens": output_tokens},
        ),
        anthropic_event("message_stop"),
    ]


def text_reply() -> SSE:
    return SSE(
        [
            anthropic_message_start(input_tokens=12),
            anthropic_event(
                "content_block_start", index=0, content_block={"type": "text", "text": ""}
            ),
            ("ping", json.dumps({"type": "ping"})),
            text_delta(0, "Hel"),
            text_delta(0, "lo"),
            text_delta(0, " there"),
            anthropic_event("content_block_stop", index=0),
            *ending("end_turn", 5),
        ]
    )


async def test_text_streams_in_order_with_usage(fake: FakeLLMServer) -> None:
    fake.reset(text_reply())
    events = await collect(provider(fake), parameters={"temperature": 0.5})
    assert events == [
        TextDelta("Hel"),
        TextDelta("lo"),
        TextDelta(" there"),
        Usage(12, 5),
        Done("end_turn"),
    ]
    [req] = fake.requests
    assert req.path == "/v1/messages"
    # SDK 2.x sends the key as a bearer token; older releases used x-api-key.
    assert KEY in (req.headers.get("x-api-key"), req.headers.get("authorization", "")[7:])
    assert "anthropic-version" in req.headers
    assert req.body["model"] == "claude-fake"
    assert req.body["stream"] is True
    assert req.body["max_tokens"] == 4096  # required by the API, defaulted by us
    assert req.body["temperature"] == 0.5
    assert req.body["system"] == "Be brief."
    assert req.body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert "tools" not in req.body


async def test_max_tokens_override_and_stop_reason(fake: FakeLLMServer) -> None:
    fake.reset(
        SSE(
            [
                anthropic_message_start(),
                anthropic_event(
                    "content_block_start", index=0, content_block={"type": "text", "text": ""}
                ),
                text_delta(0, "cut"),
                anthropic_event("content_block_stop", index=0),
                *ending("max_tokens", 1),
            ]
        )
    )
    events = await collect(provider(fake), system="", parameters={"max_tokens": 1})
    assert events[-1] == Done("max_tokens")
    assert fake.requests[0].body["max_tokens"] == 1
    assert "system" not in fake.requests[0].body


async def test_tool_use_with_input_split_across_deltas(fake: FakeLLMServer) -> None:
    fake.reset(
        SSE(
            [
                anthropic_message_start(input_tokens=30),
                anthropic_event(
                    "content_block_start", index=0, content_block={"type": "text", "text": ""}
                ),
                text_delta(0, "Searching."),
                anthropic_event("content_block_stop", index=0),
                anthropic_event(
                    "content_block_start",
                    index=1,
                    content_block={
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "search",
                        "input": {},
                    },
                ),
                json_delta(1, ""),
                json_delta(1, '{"q": "py'),
                json_delta(1, 'thon asyncio"'),
                json_delta(1, ', "n": 3}'),
                anthropic_event("content_block_stop", index=1),
                *ending("tool_use", 22),
            ]
        )
    )
    events = await collect(provider(fake), tools=[SEARCH])
    assert events == [
        TextDelta("Searching."),
        ToolUseStart("toolu_1", "search"),
        ToolUseComplete("toolu_1", "search", {"q": "python asyncio", "n": 3}),
        Usage(30, 22),
        Done("tool_use"),
    ]
    assert fake.requests[0].body["tools"] == [
        {"name": "search", "description": "Search the web.", "input_schema": SEARCH.input_schema}
    ]


async def test_history_with_tool_results_in_wire_format(fake: FakeLLMServer) -> None:
    fake.reset(text_reply())
    history = [
        Message("user", [{"type": "text", "text": "Find it"}]),
        Message(
            "assistant",
            [
                {"type": "text", "text": "On it."},
                {"type": "tool_use", "id": "toolu_9", "name": "search", "input": {"q": "it"}},
            ],
        ),
        Message(
            "user",
            [
                {"type": "text", "text": "Here:"},
                {"type": "tool_result", "tool_use_id": "toolu_9", "content": "found"},
                {"type": "image", "media_type": "image/png", "data": "aGk="},
            ],
        ),
    ]
    await collect(provider(fake), messages=history)
    assert fake.requests[0].body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Find it"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "On it."},
                {"type": "tool_use", "id": "toolu_9", "name": "search", "input": {"q": "it"}},
            ],
        },
        {
            "role": "user",
            "content": [
                # tool results are moved first, as the API requires
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_9",
                    "content": "found",
                    "is_error": False,
                },
                {"type": "text", "text": "Here:"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "aGk="},
                },
            ],
        },
    ]


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (401, "auth", False),
        (403, "auth", False),
        (429, "rate_limit", True),
        (500, "server", True),
        (529, "server", True),
        (400, "bad_request", False),
        (404, "bad_request", False),
    ],
)
async def test_http_errors_are_classified_without_leaking_the_key(
    fake: FakeLLMServer, status: int, kind: str, retryable: bool
) -> None:
    body = {"type": "error", "error": {"type": "some_error", "message": f"bad key {KEY}"}}
    fake.reset(HTTPError(status, body, headers={"retry-after": "3"}))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake))
    err = info.value
    assert (err.kind, err.status, err.retryable) == (kind, status, retryable)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in repr(err.args)
    assert "bad key" in str(err)
    assert err.__cause__ is None
    assert len(fake.requests) == 1  # the SDK's own retries are off
    if status == 429:
        assert err.retry_after == 3.0


async def test_timeout_and_connection_errors(fake: FakeLLMServer) -> None:
    fake.reset(Hang(1.0))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake, timeout=0.2))
    assert info.value.kind == "timeout" and info.value.retryable

    closed = make_provider("anthropic", api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ProviderError) as info:
        await collect(closed)
    assert info.value.kind == "connection" and info.value.retryable


async def test_stream_without_message_stop_is_an_error(fake: FakeLLMServer) -> None:
    fake.reset(SSE([anthropic_message_start(), text_delta(0, "half")]))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake))
    assert info.value.kind == "connection"


async def test_retry_recovers_from_overload(fake: FakeLLMServer) -> None:
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    fake.reset(HTTPError(529, overloaded), text_reply())
    events = [
        e
        async for e in stream_with_retry(
            provider(fake), attempts=2, base_delay=0.01, **call_kwargs()
        )
    ]
    assert len(fake.requests) == 2
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello there"


async def test_mid_stream_error_event_is_classified_and_not_retried(fake: FakeLLMServer) -> None:
    error_event = (
        "error",
        json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "Over"}}),
    )
    fake.reset(
        SSE(
            [
                anthropic_message_start(),
                anthropic_event(
                    "content_block_start", index=0, content_block={"type": "text", "text": ""}
                ),
                text_delta(0, "Par"),
                error_event,
            ]
        ),
        text_reply(),
    )
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderError) as info:
        async for e in stream_with_retry(
            provider(fake), attempts=3, base_delay=0.01, **call_kwargs()
        ):
            seen.append(e)
    assert seen == [TextDelta("Par")]
    assert info.value.kind == "server" and info.value.retryable
    assert len(fake.requests) == 1
