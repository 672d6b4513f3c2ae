"""An agent on the real openai provider (local wire-format server), and SIGKILL in mid-run."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.agents.fake_llm import OPENAI_DONE, SSE, FakeLLMServer, openai_chunk
from tests.servers import SubprocessServer, make_settings

SECRET = "sk-live-e2e-0123456789abcdef0123456789"


@pytest.fixture(scope="module")
def fake_llm() -> FakeLLMServer:
    server = FakeLLMServer().start()
    yield server  # type: ignore[misc]
    server.stop()


def test_openai_agent_runs_a_tool_with_the_sealed_key(
    api: httpx.Client, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reset(
        SSE(
            [
                openai_chunk({"role": "assistant", "content": "Let me look."}),
                openai_chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "list_files", "arguments": ""},
                            }
                        ]
                    }
                ),
                openai_chunk(
                    {"tool_calls": [{"index": 0, "function": {"arguments": '{"path": "."}'}}]}
                ),
                openai_chunk({}, finish="tool_calls"),
                openai_chunk(
                    usage={"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}
                ),
                OPENAI_DONE,
            ]
        ),
        SSE(
            [
                openai_chunk({"content": "The sandbox "}),
                openai_chunk({"content": "is empty."}),
                openai_chunk({}, finish="stop"),
                openai_chunk(
                    usage={"prompt_tokens": 40, "completion_tokens": 4, "total_tokens": 44}
                ),
                OPENAI_DONE,
            ]
        ),
    )
    cred = api.post(
        "/api/v1/credentials",
        json={
            "provider": "openai",
            "name": "local",
            "secret": SECRET,
            "base_url": f"{fake_llm.base_url}/v1",
        },
    ).json()
    agent = api.post(
        "/api/v1/agents",
        json={
            "name": "gpt",
            "system_prompt": "Be brief.",
            "chat_model_config": {
                "type": "openai",
                "credential_id": cred["id"],
                "model": "fake-model",
            },
            "is_default": True,
        },
    ).json()
    box = api.post("/api/v1/sandboxes", json={}).json()
    session = api.post(
        f"/api/v1/sandboxes/{box['id']}/sessions", json={}
    ).json()  # the user's default agent
    assert session["agent_id"] == agent["id"]
    final = api.post(
        f"/api/v1/sessions/{session['id']}/messages", json={"content": "What is here?"}
    ).json()
    assert final["content"] == [{"type": "text", "text": "The sandbox is empty."}]
    assert final["usage"] == {"input_tokens": 40, "output_tokens": 4}
    first, second = fake_llm.requests
    assert first.headers["authorization"] == f"Bearer {SECRET}"  # decrypted only for the provider
    assert first.body["model"] == "fake-model" and first.body["stream"] is True
    assert first.body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert {t["function"]["name"] for t in first.body["tools"]} >= {
        "read_file",
        "run_command",
        "wait_for_email",
    }
    tool_message = [m for m in second.body["messages"] if m["role"] == "tool"]
    assert tool_message and tool_message[0]["tool_call_id"] == "call_1"
    detail = api.get(f"/api/v1/sessions/{session['id']}")
    assert (
        SECRET not in detail.text
        and SECRET not in api.get(f"/api/v1/sessions/{session['id']}/timeline").text
    )


def test_conversation_survives_sigkill_mid_run(tmp_path: Path) -> None:
    server = SubprocessServer(make_settings(tmp_path)).start()
    key = server.key("durable-agent")
    headers = {"Authorization": f"Bearer {key}"}
    api = httpx.Client(base_url=server.base_url, headers=headers, timeout=30)
    slow = " ".join(f"w{i}" for i in range(400))  # ~4 s at 10 ms a chunk
    agent = api.post(
        "/api/v1/agents",
        json={
            "name": "slow",
            "chat_model_config": {
                "type": "scripted",
                "parameters": {
                    "turns": [
                        [{"type": "text", "text": slow}],
                        [{"type": "text", "text": "after restart"}],
                    ],
                    "chunk_delay_ms": 10,
                },
            },
        },
    ).json()
    box = api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
    sid = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
    assert (
        api.post(
            f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
        ).status_code
        == 202
    )
    time.sleep(1.0)
    assert api.get(f"/api/v1/sessions/{sid}").json()["is_running"] is True
    assert server.signal(signal.SIGKILL) == -signal.SIGKILL

    restarted = SubprocessServer(make_settings(tmp_path)).start()
    try:
        api = httpx.Client(base_url=restarted.base_url, headers=headers, timeout=30)
        session = api.get(f"/api/v1/sessions/{sid}").json()
        assert session["is_running"] is False
        assert [m["role"] for m in session["messages"]] == ["user"]  # intact: the user's message
        events = api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
        deltas = [e for e in events if e["type"] == "text_delta"]
        assert deltas, "deltas were committed as they streamed"
        assert events[-1]["type"] == "session_interrupted"
        assert "restarted" in json.dumps(events[-1]["data"])
        final = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "again"}).json()
        assert final["role"] == "assistant"
    finally:
        restarted.signal(signal.SIGTERM)


def test_interrupted_tool_call_is_answered_for_the_model(
    api: httpx.Client, fake_llm: FakeLLMServer
) -> None:
    """Interrupt while a tool call waits for approval: the next request must still be valid."""
    call = openai_chunk(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_9",
                    "type": "function",
                    "function": {
                        "name": "write_file",
                        "arguments": '{"path": "a", "content": "b"}',
                    },
                }
            ]
        }
    )
    fake_llm.reset(
        SSE([call, openai_chunk({}, finish="tool_calls"), OPENAI_DONE]),
        SSE([openai_chunk({"content": "fine"}), openai_chunk({}, finish="stop"), OPENAI_DONE]),
    )
    cred = api.post(
        "/api/v1/credentials",
        json={
            "provider": "openai",
            "name": "l",
            "secret": SECRET,
            "base_url": f"{fake_llm.base_url}/v1",
        },
    ).json()
    agent = api.post(
        "/api/v1/agents",
        json={
            "name": "g",
            "chat_model_config": {"type": "openai", "credential_id": cred["id"], "model": "m"},
            "permissions": {"ask": ["write_file"]},
        },
    ).json()
    box = api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
    sid = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
    api.post(
        f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "write"}
    )
    deadline = time.monotonic() + 10
    while not any(
        e["type"] == "approval_required"
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert api.post(f"/api/v1/sessions/{sid}/interrupt").json()["interrupted"] is True
    final = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "never mind"})
    assert final.status_code == 200, final.text
    messages = fake_llm.requests[-1].body["messages"]
    answer = [m for m in messages if m["role"] == "tool"]
    assert (
        answer and answer[0]["tool_call_id"] == "call_9" and "interrupted" in answer[0]["content"]
    )
