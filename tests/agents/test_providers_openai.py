"""The openai provider against a local server speaking the chat-completions SSE format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.agents.fake_llm import (
    OPENAI_DONE,
    SSE,
    FakeLLMServer,
    Hang,
    HTTPError,
    free_port,
    openai_chunk,
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

KEY = "sk-test-SECRET-0123456789abcdef"
WEATHER = ToolSpec(
    "get_weather",
    "Current weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


def provider(fake: FakeLLMServer, timeout: float = 5.0) -> ModelProvider:
    return make_provider(
        "openai",
        api_key=KEY,
        base_url=f"{fake.base_url}/v1",
        parameters={"temperature": 0.2},
        timeout=timeout,
    )


async def collect(p: ModelProvider, **overrides: Any) -> list[StreamEvent]:
    kwargs: dict[str, Any] = {
        "system": "You are terse.",
        "messages": [Message("user", [{"type": "text", "text": "Hi"}])],
        "tools": [],
        "model": "gpt-fake",
        "parameters": {},
    }
    kwargs.update(overrides)
    return [event async for event in p.stream(**kwargs)]


def text_reply() -> SSE:
    return SSE(
        [
            openai_chunk({"role": "assistant", "content": ""}),
            openai_chunk({"content": "Hel"}),
            openai_chunk({"content": "lo"}),
            openai_chunk({"content": " world"}),
            openai_chunk({}, finish="stop"),
            openai_chunk(usage={"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}),
            OPENAI_DONE,
        ]
    )


async def test_text_streams_in_order_with_usage(fake: FakeLLMServer) -> None:
    fake.reset(text_reply())
    events = await collect(provider(fake), parameters={"max_tokens": 50})
    assert events == [
        TextDelta("Hel"),
        TextDelta("lo"),
        TextDelta(" world"),
        Usage(11, 3),
        Done("end_turn"),
    ]
    [req] = fake.requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.body["model"] == "gpt-fake"
    assert req.body["stream"] is True
    assert req.body["stream_options"] == {"include_usage": True}
    assert req.body["temperature"] == 0.2  # construction-time default
    assert req.body["max_tokens"] == 50  # per-call parameter
    assert "tools" not in req.body
    assert req.body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hi"},
    ]


async def test_tool_call_arguments_split_across_chunks(fake: FakeLLMServer) -> None:
    def call(index: int, **fields: Any) -> dict[str, Any]:
        return {"tool_calls": [{"index": index, **fields}]}

    fake.reset(
        SSE(
            [
                openai_chunk({"role": "assistant", "content": "Checking."}),
                openai_chunk(
                    call(
                        0,
                        id="call_a",
                        type="function",
                        function={"name": "get_weather", "arguments": ""},
                    )
                ),
                openai_chunk(call(0, function={"arguments": '{"ci'})),
                openai_chunk(call(0, function={"arguments": 'ty": "Par'})),
                openai_chunk(call(0, function={"arguments": 'is"}'})),
                openai_chunk(
                    call(1, id="call_b", type="function", function={"name": "get_weather"})
                ),
                openai_chunk(call(1, function={"arguments": '{"city": "Oslo"}'})),
                openai_chunk({}, finish="tool_calls"),
                openai_chunk(usage={"prompt_tokens": 40, "completion_tokens": 20}),
                OPENAI_DONE,
            ]
        )
    )
    events = await collect(provider(fake), tools=[WEATHER])
    assert events == [
        TextDelta("Checking."),
        ToolUseStart("call_a", "get_weather"),
        ToolUseStart("call_b", "get_weather"),
        ToolUseComplete("call_a", "get_weather", {"city": "Paris"}),
        ToolUseComplete("call_b", "get_weather", {"city": "Oslo"}),
        Usage(40, 20),
        Done("tool_use"),
    ]
    assert fake.requests[0].body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather for a city.",
                "parameters": WEATHER.input_schema,
            },
        }
    ]


async def test_malformed_tool_arguments_are_kept_for_the_loop(fake: FakeLLMServer) -> None:
    fake.reset(
        SSE(
            [
                openai_chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c1",
                                "function": {"name": "x", "arguments": "{oops"},
                            }
                        ]
                    }
                ),
                openai_chunk({}, finish="stop"),  # some local servers say "stop" here
                OPENAI_DONE,
            ]
        )
    )
    events = await collect(provider(fake))
    assert ToolUseComplete("c1", "x", {"_invalid_json": "{oops"}) in events
    assert events[-2:] == [Usage(0, 0), Done("tool_use")]


async def test_history_with_tool_results_becomes_tool_messages(fake: FakeLLMServer) -> None:
    fake.reset(text_reply())
    history = [
        Message("user", [{"type": "text", "text": "Weather in Paris and Oslo?"}]),
        Message(
            "assistant",
            [
                {"type": "text", "text": "Let me look."},
                {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}},
                {"type": "tool_use", "id": "t2", "name": "get_weather", "input": {"city": "Oslo"}},
            ],
        ),
        Message(
            "user",
            [
                {"type": "tool_result", "tool_use_id": "t1", "content": "18C", "is_error": False},
                {"type": "tool_result", "tool_use_id": "t2", "content": "boom", "is_error": True},
                {"type": "text", "text": "Also this:"},
                {"type": "image", "media_type": "image/png", "data": "aGk="},
            ],
        ),
    ]
    await collect(provider(fake), system="", messages=history)
    assert fake.requests[0].body["messages"] == [
        {"role": "user", "content": "Weather in Paris and Oslo?"},
        {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [
                {
                    "id": "t1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                },
                {
                    "id": "t2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "18C"},
        {"role": "tool", "tool_call_id": "t2", "content": "Error: boom"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Also this:"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,aGk="}},
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
        (503, "server", True),
        (400, "bad_request", False),
        (404, "bad_request", False),
        (422, "bad_request", False),
    ],
)
async def test_http_errors_are_classified_without_leaking_the_key(
    fake: FakeLLMServer, status: int, kind: str, retryable: bool
) -> None:
    # A hostile or careless server echoes the key back; it must not survive into the error.
    body = {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "x"}}
    fake.reset(HTTPError(status, body, headers={"retry-after": "7"}))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake))
    err = info.value
    assert (err.kind, err.status, err.retryable) == (kind, status, retryable)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in repr(err.args)
    assert "Incorrect API key provided" in str(err)
    assert err.__cause__ is None
    assert len(fake.requests) == 1  # the SDK's own retries are off
    assert fake.requests[0].headers["authorization"] == f"Bearer {KEY}"
    if status == 429:
        assert err.retry_after == 7.0


async def test_timeout_is_classified(fake: FakeLLMServer) -> None:
    fake.reset(Hang(1.0))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake, timeout=0.2))
    assert info.value.kind == "timeout" and info.value.retryable


async def test_refused_connection_is_classified() -> None:
    p = make_provider("openai", api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(ProviderError) as info:
        await collect(p)
    assert info.value.kind == "connection" and info.value.retryable
    assert KEY not in str(info.value)


async def test_stream_cut_before_finish_reason_is_an_error(fake: FakeLLMServer) -> None:
    fake.reset(SSE([openai_chunk({"content": "partial"})]))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake))
    assert info.value.kind == "connection"


async def test_retry_recovers_from_a_500(fake: FakeLLMServer) -> None:
    fake.reset(HTTPError(500, {"error": {"message": "try later"}}), text_reply())
    events = [
        e
        async for e in stream_with_retry(
            provider(fake),
            attempts=3,
            base_delay=0.01,
            system="",
            messages=[Message("user", [{"type": "text", "text": "Hi"}])],
            tools=[],
            model="gpt-fake",
            parameters={},
        )
    ]
    assert len(fake.requests) == 2
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello world"
    assert events[-1] == Done("end_turn")


async def test_retry_gives_up_after_attempts_and_skips_non_retryable(fake: FakeLLMServer) -> None:
    kwargs: dict[str, Any] = {
        "system": "",
        "messages": [Message("user", [{"type": "text", "text": "Hi"}])],
        "tools": [],
        "model": "gpt-fake",
        "parameters": {},
    }
    fake.reset(*[HTTPError(502, {"error": {"message": "bad gateway"}})] * 3, text_reply())
    with pytest.raises(ProviderError) as info:
        async for _ in stream_with_retry(provider(fake), attempts=3, base_delay=0.01, **kwargs):
            pass
    assert info.value.kind == "server" and len(fake.requests) == 3

    fake.reset(HTTPError(401, {"error": {"message": "nope"}}), text_reply())
    with pytest.raises(ProviderError) as info:
        async for _ in stream_with_retry(provider(fake), attempts=3, base_delay=0.01, **kwargs):
            pass
    assert info.value.kind == "auth" and len(fake.requests) == 1


async def test_no_retry_once_text_was_yielded(fake: FakeLLMServer) -> None:
    error_chunk = (None, json.dumps({"error": {"message": "overloaded", "type": "server_error"}}))
    fake.reset(SSE([openai_chunk({"content": "Hal"}), error_chunk]), text_reply())
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderError) as info:
        async for e in stream_with_retry(
            provider(fake),
            attempts=3,
            base_delay=0.01,
            system="",
            messages=[Message("user", [{"type": "text", "text": "Hi"}])],
            tools=[],
            model="gpt-fake",
            parameters={},
        ):
            seen.append(e)
    assert seen == [TextDelta("Hal")]
    assert info.value.kind == "server"
    assert len(fake.requests) == 1
