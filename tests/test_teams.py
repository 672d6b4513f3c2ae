"""Teams (seed 002): a leader delegates to members, each in a child session, over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.test_conversations import text, timeline_types, tool, wait_idle


def scripted_agent(api: httpx.Client, name: str, turns: list[Any], **extra: Any) -> str:
    params = {"turns": turns, **extra.pop("params", {})}
    body = {"name": name, "chat_model_config": {"type": "scripted", "parameters": params}, **extra}
    r = api.post("/api/v1/agents", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def team_session(
    api: httpx.Client, leader_turns: list[Any], members: dict[str, dict[str, Any]]
) -> tuple[str, str, dict[str, str]]:
    """A team (leader + members by name) and a session of it; (session, team, member ids)."""
    ids = {name: scripted_agent(api, name, **spec) for name, spec in members.items()}
    turns = [
        [
            {**block, "input": {**block["input"], "member": ids.get(block["input"]["member"])}}
            if block.get("name") == "delegate"
            else block
            for block in turn
        ]
        if isinstance(turn, list)
        else turn
        for turn in leader_turns
    ]
    leader = scripted_agent(api, "leader", turns)
    team = api.post(
        "/api/v1/teams",
        json={"name": "crew", "leader_agent_id": leader, "member_ids": list(ids.values())},
    )
    assert team.status_code == 201, team.text
    box = api.post("/api/v1/sandboxes", json={}).json()
    r = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={"team_id": team.json()["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["agent_id"] == leader
    return r.json()["id"], team.json()["id"], ids


def children(api: httpx.Client, parent: str) -> list[dict[str, Any]]:
    rows = api.get("/api/v1/sessions", params={"source": "delegation", "limit": 100}).json()
    return [s for s in rows["data"] if s["metadata"].get("delegated_by") == parent]


def events(api: httpx.Client, sid: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"])


def test_team_crud_and_ownership(api: httpx.Client, other_api: httpx.Client) -> None:
    leader = scripted_agent(api, "lead", [text("hi")])
    member = scripted_agent(api, "m", [text("hi")])
    stranger = scripted_agent(other_api, "theirs", [text("hi")])
    r = api.post(
        "/api/v1/teams",
        json={"name": "a", "leaderAgentId": leader, "memberIds": [member, member, leader]},
    )
    assert r.status_code == 201, r.text
    team = r.json()
    assert team["member_ids"] == [member] and team["leader_agent_id"] == leader
    assert team["id"].startswith("team_") and team["description"] == ""
    for body in (
        {"name": "b", "leader_agent_id": stranger},
        {"name": "b", "leader_agent_id": leader, "member_ids": [stranger]},
        {"name": "b", "leader_agent_id": "agt_missing"},
    ):
        r = api.post("/api/v1/teams", json=body)
        assert r.status_code == 404 and r.json()["error"] == "agent_not_found", r.text
    assert api.get("/api/v1/teams").json()["total"] == 1
    assert other_api.get(f"/api/v1/teams/{team['id']}").status_code == 404
    assert other_api.patch(f"/api/v1/teams/{team['id']}", json={"name": "x"}).status_code == 404
    assert other_api.delete(f"/api/v1/teams/{team['id']}").status_code == 404
    r = api.patch(f"/api/v1/teams/{team['id']}", json={"member_ids": [stranger]})
    assert r.status_code == 404
    assert api.get(f"/api/v1/teams/{team['id']}").json()["member_ids"] == [member]
    r = api.patch(f"/api/v1/teams/{team['id']}", json={"name": "renamed", "member_ids": []})
    assert r.status_code == 200 and r.json()["name"] == "renamed" and r.json()["member_ids"] == []
    box = other_api.post("/api/v1/sandboxes", json={}).json()
    r = other_api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={"team_id": team["id"]})
    assert r.status_code == 404 and r.json()["error"] == "team_not_found"
    assert api.delete(f"/api/v1/teams/{team['id']}").status_code == 204
    assert api.get(f"/api/v1/teams/{team['id']}").status_code == 404


def test_leader_delegates_to_two_members_at_once(api: httpx.Client) -> None:
    slow = {"chunk_delay_ms": 40}
    sid, _team, ids = team_session(
        api,
        [
            [
                tool("delegate", {"member": "writer", "task": "write the intro"}, "d1"),
                tool("delegate", {"member": "checker", "task": "check the facts"}, "d2"),
            ],
            text("Both are done."),
        ],
        {
            "writer": {"turns": [text("intro one two three four five six")], "params": slow},
            "checker": {
                "turns": [
                    [tool("run_command", {"command": "rm -rf /"}, "c1")],
                    text("facts checked one two three four five"),
                ],
                "params": slow,
                "permissions": {"deny": ["run_command"]},
            },
        },
    )
    r = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "write the article"})
    assert r.status_code == 200, r.text
    assert r.json()["content"] == text("Both are done.")
    session = api.get(f"/api/v1/sessions/{sid}").json()
    results = {
        b["tool_use_id"]: b
        for m in session["messages"]
        for b in m["content"]
        if b["type"] == "tool_result"
    }
    assert results["d1"] == {
        "type": "tool_result",
        "tool_use_id": "d1",
        "content": "intro one two three four five six",
        "is_error": False,
    }
    assert results["d2"]["content"] == "facts checked one two three four five"
    kids = children(api, sid)
    assert sorted(k["agent_id"] for k in kids) == sorted(ids.values())
    for kid in kids:
        assert kid["source"] == "delegation" and kid["sandbox_id"] == session["sandbox_id"]
        assert kid["status"] == "active" and kid["is_running"] is False
    checker_kid = next(k for k in kids if k["agent_id"] == ids["checker"])
    denied = [
        e["data"] for e in events(api, checker_kid["id"]) if e["type"] == "tool_result"
    ]  # the member's own rules held inside its run
    assert denied[0]["is_error"] and "denied" in denied[0]["content"]
    timeline = events(api, sid)
    started = {e["data"]["member"]: e["seq"] for e in timeline if e["type"] == "delegation_started"}
    ended = {e["data"]["member"]: e["seq"] for e in timeline if e["type"] == "delegation_completed"}
    assert set(started) == set(ended) == set(ids.values())
    # at the same time: both had started before either finished
    assert max(started.values()) < min(ended.values())
    tagged = [e for e in timeline if e["type"] == "text_delta" and "member" in e["data"]]
    assert {e["data"]["member"] for e in tagged} == set(ids.values())
    assert all(e["data"]["member_session_id"] in {k["id"] for k in kids} for e in tagged)
    # the leader's own run ended once; the members' endings are delegation_completed
    assert timeline_types(api, sid).count("session_completed") == 1


def test_member_failure_is_an_error_result_not_the_leaders_crash(api: httpx.Client) -> None:
    sid, _, _ = team_session(
        api,
        [
            [tool("delegate", {"member": "flaky", "task": "try"}, "d1")],
            [tool("delegate", {"member": "nobody", "task": "try"}, "d2")],
            text("I will do it myself."),
        ],
        {"flaky": {"turns": [{"error": {"status": 401, "message": "bad key"}}]}},
    )
    r = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"})
    assert r.status_code == 200 and r.json()["content"] == text("I will do it myself.")
    results = [
        e["data"]
        for e in events(api, sid)
        if e["type"] == "tool_result" and "member" not in e["data"]
    ]
    assert results[0]["is_error"] and "failed" in results[0]["content"]
    assert results[1]["is_error"] and "not a member" in results[1]["content"]
    assert api.get(f"/api/v1/sessions/{sid}").json()["status"] == "active"


def test_interrupting_the_leader_interrupts_its_members(api: httpx.Client) -> None:
    long_text = " ".join(f"word{i}" for i in range(400))
    sid, _, ids = team_session(
        api,
        [[tool("delegate", {"member": "slow", "task": "take your time"}, "d1")], text("never")],
        {"slow": {"turns": [text(long_text)], "params": {"chunk_delay_ms": 50}}},
    )
    r = api.post(
        f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
    )
    assert r.status_code == 202
    deadline = time.monotonic() + 10
    while not any(e["type"] == "text_delta" and e["data"].get("member") for e in events(api, sid)):
        assert time.monotonic() < deadline, "the member never streamed"
        time.sleep(0.05)
    r = api.post(f"/api/v1/sessions/{sid}/interrupt")
    assert r.status_code == 200 and r.json()["interrupted"] is True
    parent = wait_idle(api, sid)
    assert parent["status"] == "interrupted"
    (kid,) = children(api, sid)
    kid = wait_idle(api, kid["id"])
    assert kid["agent_id"] == ids["slow"] and kid["status"] == "interrupted"
    assert "session_interrupted" in timeline_types(api, kid["id"])
    ending = [e["data"] for e in events(api, sid) if e["type"] == "delegation_completed"]
    assert ending and ending[0]["status"] == "interrupted"
    # the conversation stays usable: the next message runs again
    assert api.get(f"/api/v1/sessions/{sid}").json()["is_running"] is False


def test_post_sessions_with_a_team_runs_its_leader(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    leader = scripted_agent(api, "lead", [text("hi")])
    member = scripted_agent(api, "m", [text("hi")])
    space = api.post("/api/v1/workspaces", json={"name": "crew space"})
    assert space.status_code == 201, space.text
    team = api.post(
        "/api/v1/teams",
        json={
            "name": "crew",
            "leader_agent_id": leader,
            "member_ids": [member],
            "workspace_id": space.json()["id"],
        },
    ).json()
    r = api.post("/api/v1/sessions", json={"teamId": team["id"], "name": "crew run"})
    assert r.status_code == 201, r.text
    view = r.json()
    assert view["agent_id"] == leader and view["team_id"] == team["id"]
    assert view["workspace_id"] == space.json()["id"]  # the team's, as none was given
    assert view["team"]["team"]["id"] == team["id"]
    assert view["team"]["leader_agent"]["id"] == leader
    assert [m["agent"]["id"] for m in view["team"]["members"]] == [member]
    got = api.get(f"/api/v1/sessions/{view['id']}").json()
    assert got["agent_id"] == leader and got["team_id"] == team["id"]
    # the leader named again is fine; another agent is not
    r = api.post("/api/v1/sessions", json={"team_id": team["id"], "agent_id": leader})
    assert r.status_code == 201 and r.json()["agent_id"] == leader
    r = api.post("/api/v1/sessions", json={"team_id": team["id"], "agent_id": member})
    assert r.status_code == 400, r.text
    assert api.get("/api/v1/sessions").json()["total"] == 2


def test_post_sessions_with_another_users_team_is_404(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    leader = scripted_agent(api, "lead", [text("hi")])
    team = api.post("/api/v1/teams", json={"name": "mine", "leader_agent_id": leader}).json()
    for body in ({"team_id": team["id"]}, {"team_id": "team_missing"}):
        r = other_api.post("/api/v1/sessions", json=body)
        assert r.status_code == 404 and r.json()["error"] == "team_not_found", r.text
    assert other_api.get("/api/v1/sessions").json()["total"] == 0  # nothing stored
    assert api.get("/api/v1/sessions").json()["total"] == 0
