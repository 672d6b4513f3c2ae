"""Re-executing an agent session from its record (issue 12), over real HTTP and SMTP."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from tests.helpers import otp_email, send
from tests.servers import RunningServer
from tests.test_conversations import agent_session, text, tool, wait_idle


def recorded_session(api: httpx.Client, server: RunningServer) -> tuple[str, str, list[Any]]:
    """A scripted agent that writes and reads a file, keeps a task, opens an inbox and waits
    for a code that arrives over SMTP; (session id, agent id, its script)."""
    name = f"rx{uuid.uuid4().hex[:10]}"
    address = f"{name}@{server.settings.domain}"
    turns: list[Any] = [
        [
            {"type": "text", "text": "Setting up."},
            tool("write_file", {"path": "notes.txt", "content": "plan\n"}, "w1"),
            tool("task_create", {"subject": "sign up"}, "t1"),
        ],
        [tool("read_file", {"path": "notes.txt"}, "r1")],
        [tool("create_inbox", {"username": name}, "i1")],
        [tool("wait_for_email", {"inbox_id": address, "type": "otp", "timeout_seconds": 30}, "m1")],
        text("The code is in."),
    ]
    sid, _ = agent_session(api, turns)
    r = api.post(
        f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
    )
    assert r.status_code == 202
    deadline = time.monotonic() + 10
    while not any(
        e["type"] == "tool_result" and e["data"]["tool_use_id"] == "i1"
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
    ):
        assert time.monotonic() < deadline, "the agent never made its inbox"
        time.sleep(0.05)
    send(server, address, raw=otp_email(address, "428 913"))
    session = wait_idle(api, sid, 30)
    assert session["messages"][-1]["content"] == text("The code is in."), session["messages"]
    agent_id = session["agent_id"]
    return sid, agent_id, turns


def reexecute(api: httpx.Client, sid: str, **options: Any) -> dict[str, Any]:
    r = api.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "reexecute", **options})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_reexecution_matches_its_record_then_names_the_first_divergence(
    api: httpx.Client, other_api: httpx.Client, server: RunningServer
) -> None:
    sid, agent_id, turns = recorded_session(api, server)
    results = {
        e["data"]["tool_use_id"]: e["data"]
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
        if e["type"] == "tool_result"
    }
    assert "428913" in results["m1"]["content"]  # the wait and its extraction, for real
    inboxes_before = api.get("/api/v1/inboxes", params={"limit": 100}).json()["total"]

    same = reexecute(api, sid)
    assert same["divergence"] is None and same["compared_events"] >= 10
    assert same["replay_of"] == sid and same["model"] == "recorded"
    new = same["session"]
    assert new["id"] != sid and new["source"] == "replay"
    assert new["messages"][-1]["content"] == text("The code is in.")
    replayed_results = {
        e["data"]["tool_use_id"]: e["data"]
        for e in api.get(f"/api/v1/sessions/{new['id']}/timeline").json()["events"]
        if e["type"] == "tool_result"
    }
    assert replayed_results["m1"]["content"] == results["m1"]["content"]  # played back
    # nothing was done again in the world: no new inbox, and the task list ran for real
    assert api.get("/api/v1/inboxes", params={"limit": 100}).json()["total"] == inboxes_before
    assert new["state"]["tasks_context"]["tasks"][0]["subject"] == "sign up"
    for session_id in (sid, new["id"]):
        replayed = [
            e["data"]
            for e in api.get(f"/api/v1/sessions/{session_id}/timeline").json()["events"]
            if e["type"] == "session.replayed"
        ]
        assert (
            replayed[-1]["replay_session_id"] == new["id"] and replayed[-1]["mode"] == "reexecute"
        )

    # the script changes at its third turn: with the agent's own (scripted) model the
    # re-execution diverges there; with the recorded model it does not
    changed = [*turns[:2], [tool("create_inbox", {"username": "someone-else"}, "i1")], *turns[3:]]
    r = api.patch(
        f"/api/v1/agents/{agent_id}",
        json={"chat_model_config": {"type": "scripted", "parameters": {"turns": changed}}},
    )
    assert r.status_code == 200, r.text
    diverged = reexecute(api, sid, model="agent")
    divergence = diverged["divergence"]
    assert divergence is not None and divergence["type"] == "tool_use_complete"
    assert divergence["original"]["data"]["input"]["username"] != "someone-else"
    assert divergence["reexecuted"]["data"]["input"] == {"username": "someone-else"}
    earlier = diverged["compared_events"]
    assert 0 < divergence["position"] < earlier
    assert reexecute(api, sid)["divergence"] is None

    # a change on the runtime's side (a new deny rule) diverges from the record too
    api.patch(f"/api/v1/agents/{agent_id}", json={"permissions": {"deny": ["read_file"]}})
    denied = reexecute(api, sid)["divergence"]
    assert denied["type"] == "tool_result" and denied["original"]["data"]["tool_use_id"] == "r1"
    assert "denied" in denied["reexecuted"]["data"]["content"]

    assert (
        other_api.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "reexecute"}).status_code
        == 404
    )


def test_only_agent_sessions_with_a_record_can_be_reexecuted(api: httpx.Client) -> None:
    plain = api.post("/api/v1/sessions", json={"name": "plain"}).json()
    r = api.post(f"/api/v1/sessions/{plain['id']}/replay", json={"mode": "reexecute"})
    assert r.status_code == 409 and r.json()["error"] == "not_an_agent_session"
    sid, _ = agent_session(api, [text("hi")])
    r = api.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "reexecute"})
    assert r.status_code == 409 and r.json()["error"] == "nothing_to_replay"
    r = api.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "reexecute", "model": "gpt"})
    assert r.status_code == 400


def test_sdk_and_cli_reexecute(api: httpx.Client, server: RunningServer) -> None:
    import subprocess
    import sys

    from waypost.sdk import Client

    sid, agent_id, turns = recorded_session(api, server)
    key = api.headers["authorization"].removeprefix("Bearer ")
    with Client(api_key=key, base_url=server.base_url) as client:
        result = client.sessions.reexecute(sid)
        assert result.divergence is None and result.replay_of == sid
        assert result.session.messages and result.session.messages[-1].role == "assistant"
        assert client.sessions.replay(sid).steps[-1].type == "session.replayed"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "waypost.cli", "replay", sid, *args,
             "--base-url", server.base_url, "--api-key", key],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    same = cli("--reexecute")
    assert same.returncode == 0, same.stderr
    assert same.stdout.strip().startswith("sess_") and "no divergence" in same.stderr
    changed = [*turns[:-1], text("A different ending.")]
    api.patch(
        f"/api/v1/agents/{agent_id}",
        json={"chat_model_config": {"type": "scripted", "parameters": {"turns": changed}}},
    )
    with Client(api_key=key, base_url=server.base_url) as client:
        diverged = client.sessions.reexecute(sid, model="agent")
    assert diverged.divergence is not None and diverged.divergence["type"] == "text_complete"
    steps = cli()
    assert steps.returncode == 0 and "session.replayed" in steps.stdout
    assert cli("--retry", "--reexecute").returncode == 2


def test_the_new_sessions_view_names_its_original(api: httpx.Client, server: RunningServer) -> None:
    sid, _, _ = recorded_session(api, server)
    new = reexecute(api, sid)["session"]
    assert new["replay_of"] == sid
    assert api.get(f"/api/v1/sessions/{new['id']}").json()["replay_of"] == sid
    listed = api.get("/api/v1/sessions", params={"source": "replay"}).json()["data"]
    assert [s["replay_of"] for s in listed] == [sid]
    assert api.get(f"/api/v1/sessions/{sid}").json()["replay_of"] is None
