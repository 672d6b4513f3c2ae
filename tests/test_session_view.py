"""Seed 002's session view over real HTTP: ``GET /api/v1/sessions/{id}``, the list items, and
the trusted-gateway route ``GET /sessions?agent_id=…``, compared field by field with the
seed's example (key names, nesting, JSON types and defaults)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.servers import RunningServer, ThreadServer, make_settings
from waypost import Client
from waypost.db.database import Database
from waypost.db.models import Session as SessionRow
from waypost.db.models import Team
from waypost.db.types import utcnow
from waypost.ids import new_id

T = TypeVar("T")

COMPRESSION_PROMPT = (
    "<system-hint>You have been working on the task described above but have not yet "
    "completed it. Now write a continuation summary that will allow you to resume work "
    "efficiently in a future context window where the conversation history will be replaced "
    "with this summary. Your summary should be structured, concise, and actionable."
    "</system-hint>"
)
SUMMARY_TEMPLATE = (
    "<system-info>Here is a summary of your previous work\n# Task Overview\n{task_overview}\n\n"
    "# Current State\n{current_state}\n\n# Important Discoveries\n{important_discoveries}\n\n"
    "# Next Steps\n{next_steps}\n\n# Context to Preserve\n{context_to_preserve}</system-info>"
)
SEED_MODEL_CONFIG = {
    "type": "<string>",
    "credential_id": "<string>",
    "model": "<string>",
    "parameters": {},
}
SEED_AGENT = {
    "user_id": "<string>",
    "data": {
        "name": "<string>",
        "context_config": {
            "trigger_ratio": 0.8,
            "reserve_ratio": 0.1,
            "compression_prompt": COMPRESSION_PROMPT,
            "summary_template": SUMMARY_TEMPLATE,
            "summary_schema": {},
            "tool_result_limit": 3000,
        },
        "react_config": {"max_iters": 20, "stop_on_reject": False},
        "id": "<string>",
        "system_prompt": "You're a helpful assistant.",
    },
    "id": "<string>",
    "updated_at": "2023-11-07T05:31:56Z",
    "created_at": "2023-11-07T05:31:56Z",
    "source": "user",
}
# seed 002's SessionView example, as the seed writes it
SEED_VIEW: dict[str, Any] = {
    "session": {
        "user_id": "<string>",
        "agent_id": "<string>",
        "config": {
            "workspace_id": "<string>",
            "name": "<string>",
            "chat_model_config": SEED_MODEL_CONFIG,
            "fallback_chat_model_config": SEED_MODEL_CONFIG,
        },
        "id": "<string>",
        "updated_at": "2023-11-07T05:31:56Z",
        "created_at": "2023-11-07T05:31:56Z",
        "source": "user",
        "source_schedule_id": "<string>",
        "team_id": "<string>",
        "state": {
            "session_id": "<string>",
            "summary": "",
            "context": [
                {
                    "name": "<string>",
                    "content": [{"text": "<string>", "type": "text", "id": "<string>"}],
                    "id": "<string>",
                    "metadata": {},
                    "created_at": "<string>",
                    "finished_at": "<string>",
                    "usage": {"input_tokens": 123, "output_tokens": 123},
                }
            ],
            "reply_id": "<string>",
            "cur_iter": 0,
            "permission_context": {
                "mode": "default",
                "working_directories": {},
                "allow_rules": {},
                "deny_rules": {},
                "ask_rules": {},
            },
            "tool_context": {
                "max_cache_files": 100,
                "max_cache_bytes": 25000,
                "read_file_cache": [
                    {
                        "lines": ["<string>"],
                        "updated_at": 123,
                        "bytes": 123,
                        "file_path": "<string>",
                    }
                ],
                "activated_groups": ["<string>"],
            },
            "tasks_context": {
                "tasks": [
                    {
                        "subject": "<string>",
                        "description": "<string>",
                        "metadata": {},
                        "created_at": "<string>",
                        "state": "pending",
                        "id": "<string>",
                        "owner": "<string>",
                        "blocks": ["<string>"],
                        "blocked_by": ["<string>"],
                    }
                ]
            },
        },
    },
    "is_running": True,
    "team": {
        "team": {
            "user_id": "<string>",
            "session_id": "<string>",
            "data": {"name": "<string>", "description": "", "member_ids": ["<string>"]},
            "id": "<string>",
            "updated_at": "2023-11-07T05:31:56Z",
            "created_at": "2023-11-07T05:31:56Z",
        },
        "leader_agent": SEED_AGENT,
        "members": [{"agent": SEED_AGENT, "session_id": "<string>"}],
    },
}
SEED_RECORD = SEED_VIEW["session"]


def assert_shape(
    actual: Any, seed: Any, path: str = "$", nullable: frozenset[str] = frozenset()
) -> None:
    """``actual`` has every key of ``seed``, nested alike, with the same JSON types; a list's
    items are checked against the seed's first item; ``nullable`` paths may be null."""
    if actual is None and path in nullable:
        return
    if isinstance(seed, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        missing = sorted(set(seed) - set(actual))
        assert not missing, f"{path}: missing {missing}"
        for key, value in seed.items():
            assert_shape(actual[key], value, f"{path}.{key}", nullable)
    elif isinstance(seed, list):
        assert isinstance(actual, list), f"{path}: {actual!r} is not an array"
        for item in actual if seed else []:
            assert_shape(item, seed[0], f"{path}[]", nullable)
    elif isinstance(seed, bool):
        assert isinstance(actual, bool), f"{path}: {actual!r} is not a boolean"
    elif isinstance(seed, int):
        assert isinstance(actual, int) and not isinstance(actual, bool), f"{path}: {actual!r}"
    elif isinstance(seed, float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), path
    else:
        assert isinstance(actual, str), f"{path}: {actual!r} is not a string"


def turns(*texts: str) -> dict[str, Any]:
    return {
        "type": "scripted",
        "parameters": {"turns": [[{"type": "text", "text": t}] for t in texts]},
    }


def scripted_agent(api: httpx.Client, name: str = "helper", **extra: Any) -> str:
    body = {
        "name": name,
        "chat_model_config": turns("Hello there", "Again"),
        "fallback_chat_model_config": turns("Fallback"),
        **extra,
    }
    r = api.post("/api/v1/agents", json=body)
    assert r.status_code == 201, r.text
    agent_id: str = r.json()["id"]
    return agent_id


def sandbox_session(api: httpx.Client, agent_id: str, **box: Any) -> tuple[str, str]:
    sandbox = api.post("/api/v1/sandboxes", json={"agent_id": agent_id, **box})
    assert sandbox.status_code == 201, sandbox.text
    box_id = sandbox.json()["id"]
    session = api.post(f"/api/v1/sandboxes/{box_id}/sessions", json={"name": "chat"})
    assert session.status_code == 201, session.text
    return session.json()["id"], box_id


def one_turn(api: httpx.Client, sid: str) -> dict[str, Any]:
    r = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "hi"})
    assert r.status_code == 200, r.text
    reply: dict[str, Any] = r.json()
    return reply


def on_db(server: RunningServer, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in a write transaction on the server's database (for rows no API makes)."""

    async def go() -> T:
        db = Database(server.settings.resolved_database_url())
        try:
            async with db.write() as tx:
                return await work(tx.s)
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def flat_record(view: dict[str, Any]) -> dict[str, Any]:
    """The /api/v1 view carries the seed's record keys at its top level."""
    return {key: view[key] for key in SEED_RECORD}


NO_TEAM = frozenset(
    {
        "$.source_schedule_id",
        "$.team_id",
        "$.config.chat_model_config.credential_id",
        "$.config.fallback_chat_model_config.credential_id",
    }
)

NO_WORKSPACE = frozenset({"$.config.workspace_id"})


def check_defaults(record: dict[str, Any], sid: str) -> None:
    state = record["state"]
    assert record["source"] == "user" and state["session_id"] == sid
    assert state["summary"] == ""
    assert state["permission_context"]["mode"] == "default"
    assert state["tool_context"]["max_cache_files"] == 100
    assert state["tool_context"]["max_cache_bytes"] == 25000
    assert state["tasks_context"] == {"tasks": []}


def test_get_session_matches_seed_002_after_one_turn(api: httpx.Client) -> None:
    ws = api.post("/api/v1/workspaces", json={"name": "w"}).json()["id"]
    agent_id = scripted_agent(api)
    sid, _ = sandbox_session(api, agent_id, workspace_id=ws)
    fresh = api.get(f"/api/v1/sessions/{sid}").json()
    assert fresh["state"]["cur_iter"] == 0 and fresh["state"]["context"] == []
    assert fresh["state"]["reply_id"] is None and fresh["is_running"] is False
    check_defaults(fresh, sid)

    reply = one_turn(api, sid)
    view = api.get(f"/api/v1/sessions/{sid}").json()
    assert_shape(flat_record(view), SEED_RECORD, nullable=NO_TEAM)
    assert view["is_running"] is False and view["team"] is None
    check_defaults(view, sid)
    assert view["user_id"].startswith("usr_") and view["agent_id"] == agent_id
    config = view["config"]
    assert config["workspace_id"] == ws and config["name"] == "chat"
    assert config["chat_model_config"]["type"] == "scripted"
    assert config["fallback_chat_model_config"]["parameters"]["turns"][0][0]["text"] == "Fallback"
    assert config["react_config"] == {"max_iters": 20, "stop_on_reject": False}  # kept
    state = view["state"]
    assert state["cur_iter"] == 1 and state["reply_id"] == reply["id"]
    user, answer = state["context"]
    assert user["name"] == "user" and answer["name"] == "assistant"
    assert answer["content"] == [{"type": "text", "text": "Hello there", "id": f"{reply['id']}:0"}]
    assert answer["id"] == reply["id"] and answer["metadata"] == {}
    assert answer["created_at"] == answer["finished_at"]
    assert answer["usage"]["output_tokens"] > 0 and user["usage"]["output_tokens"] == 0
    assert [m["id"] for m in view["messages"]] == [user["id"], answer["id"]]  # still there
    # the agent's (unattended) rules, and every tool group to start with
    assert state["permission_context"]["allow_rules"] == {"*": ["*"]}
    assert "files" in state["tool_context"]["activated_groups"]
    assert state["tool_context"]["read_file_cache"] == []


def test_list_items_carry_config_state_and_team(api: httpx.Client) -> None:
    agent_id = scripted_agent(api)
    sid, box = sandbox_session(api, agent_id)
    reply = one_turn(api, sid)
    plain = api.post("/api/v1/sessions", json={"name": "plain"}).json()
    listed = api.get("/api/v1/sessions").json()
    assert set(listed) == {"data", "total", "next_cursor"} and listed["total"] == 2
    item_plain, item_agent = listed["data"]
    assert item_plain["id"] == plain["id"] and item_agent["id"] == sid

    assert_shape(flat_record(item_agent), SEED_RECORD, nullable=NO_TEAM | NO_WORKSPACE)
    check_defaults(item_agent, sid)
    assert item_agent["config"]["chat_model_config"]["type"] == "scripted"
    # list items: state as stored plus the latest reply; the context is GET one's
    assert item_agent["state"]["context"] == [] and item_agent["state"]["cur_iter"] == 1
    assert item_agent["state"]["reply_id"] == reply["id"]
    assert item_agent["team"] is None and item_agent["is_running"] is False

    # a session without an agent: the same keys, nulls and empty defaults
    assert set(item_plain) == set(item_agent)
    assert item_plain["config"]["chat_model_config"] is None
    assert item_plain["config"]["name"] == "plain" and item_plain["agent_id"] is None
    assert item_plain["state"]["tool_context"]["activated_groups"] == []
    assert item_plain["state"]["reply_id"] is None and item_plain["team"] is None
    check_defaults(item_plain, plain["id"])
    assert api.get(f"/api/v1/sessions/{plain['id']}").json()["config"] == item_plain["config"]

    in_box = api.get(f"/api/v1/sandboxes/{box}/sessions").json()
    assert [s["id"] for s in in_box["data"]] == [sid]
    assert in_box["data"][0]["config"] == item_agent["config"]
    assert in_box["data"][0]["state"]["reply_id"] == reply["id"]


def test_team_view_from_the_team_row_and_agents(api: httpx.Client, server: RunningServer) -> None:
    leader = scripted_agent(api, "leader")
    member = scripted_agent(api, "member")
    idle = scripted_agent(api, "idle")
    sid, box = sandbox_session(api, leader)
    one_turn(api, sid)
    child = api.post(f"/api/v1/sandboxes/{box}/sessions", json={"agent_id": member}).json()
    team_id = new_id("team")

    async def make_team(s: AsyncSession) -> str:
        row = await s.get(SessionRow, sid)
        assert row is not None
        now = utcnow()
        s.add(
            Team(
                id=team_id,
                user_id=row.user_id,
                name="crew",
                description="",
                leader_agent_id=leader,
                member_ids=[member, idle],
                created_at=now,
                updated_at=now,
            )
        )
        await s.execute(update(SessionRow).where(SessionRow.id == sid).values(team_id=team_id))
        await s.execute(
            update(SessionRow)
            .where(SessionRow.id == child["id"])
            .values(parent_session_id=sid, source="delegation")
        )
        return row.user_id

    user_id = on_db(server, make_team)
    view = api.get(f"/api/v1/sessions/{sid}").json()
    everything = NO_TEAM - {"$.team_id"} | NO_WORKSPACE | {"$.team.members[].session_id"}
    assert_shape(
        {**flat_record(view), "state": {**view["state"], "context": []}},
        SEED_RECORD,
        nullable=everything,
    )
    assert_shape({"team": view["team"]}, {"team": SEED_VIEW["team"]}, nullable=everything)
    team = view["team"]
    assert view["team_id"] == team_id and team["team"]["id"] == team_id
    assert team["team"]["session_id"] == sid and team["team"]["user_id"] == user_id
    assert team["team"]["data"] == {"name": "crew", "description": "", "member_ids": [member, idle]}
    assert team["leader_agent"]["id"] == leader and team["leader_agent"]["source"] == "user"
    assert team["leader_agent"]["data"]["name"] == "leader"
    assert team["leader_agent"]["data"]["context_config"] == SEED_AGENT["data"]["context_config"]
    members = {m["agent"]["id"]: m["session_id"] for m in team["members"]}
    assert members == {member: child["id"], idle: None}
    listed = api.get("/api/v1/sessions", params={"source": "user"}).json()["data"]
    assert [s["team"] for s in listed if s["id"] == sid] == [team]
    delegated = api.get(f"/api/v1/sessions/{child['id']}").json()
    assert delegated["source"] == "delegation" and delegated["parent_session_id"] == sid


def test_sdk_session_model_exposes_the_view(server: RunningServer) -> None:
    with Client(api_key=server.key("sdk-view"), base_url=server.base_url) as client:
        agent = client.agents.create(name="a", chat_model_config=turns("Hi"))
        box = client.sandboxes.create(agent_id=agent.id)
        session = client.sandboxes.sessions.create(box.id)
        client.sessions.send(session.id, "hello")
        got = client.sessions.get(session.id)
        assert got.state.cur_iter == 1 and got.state.context[-1].name == "assistant"
        assert got.user_id.startswith("usr_") and got.team is None
        assert got.config.chat_model_config is not None
        [item] = client.sessions.list().data
        assert item.state.reply_id == got.state.reply_id
        assert item.state.permission_context["mode"] == "default"
        assert item.config.agent_id == agent.id and item.source == "user"


def test_gateway_route_is_404_without_trusted_gateway(api: httpx.Client) -> None:
    r = api.get("/sessions", params={"agent_id": "agt_x"})
    assert r.status_code == 404 and r.json()["error"] == "not_found"


@pytest.fixture(scope="module")
def gateway_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    settings = make_settings(Path(tmp_path_factory.mktemp("gateway")), trusted_gateway=True)
    server = ThreadServer(settings).start()
    yield server
    server.stop()


def test_gateway_lists_an_agents_sessions_in_the_seeds_envelope(
    gateway_server: ThreadServer,
) -> None:
    with httpx.Client(
        base_url=gateway_server.base_url, headers={"x-user-id": "tenant-view"}, timeout=30
    ) as api:
        ws = api.post("/api/v1/workspaces", json={"name": "w"}).json()["id"]
        agent_id = scripted_agent(api)
        sid, box = sandbox_session(api, agent_id, workspace_id=ws)
        one_turn(api, sid)
        other_agent = scripted_agent(api, "other")
        api.post(f"/api/v1/sandboxes/{box}/sessions", json={"agent_id": other_agent})
        second = api.post(f"/api/v1/sandboxes/{box}/sessions", json={}).json()["id"]

        r = api.get("/sessions", params={"agent_id": agent_id})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"sessions", "total"} and body["total"] == 2
        assert [v["session"]["id"] for v in body["sessions"]] == [second, sid]
        view = body["sessions"][1]
        assert set(view) == {"session", "is_running", "team"}
        assert set(view["session"]) == set(SEED_RECORD)
        assert_shape(view, SEED_VIEW, nullable=NO_TEAM_GATEWAY)
        check_defaults(view["session"], sid)
        assert view["session"]["config"]["workspace_id"] == ws
        assert view["session"]["agent_id"] == agent_id and view["is_running"] is False
        assert body["sessions"][0]["session"]["state"]["cur_iter"] == 0

        assert api.get("/sessions/", params={"agent_id": agent_id}).status_code in (200, 307)
        assert api.get("/sessions").status_code == 400  # agent_id is required
        elsewhere = httpx.get(
            f"{gateway_server.base_url}/sessions",
            params={"agent_id": agent_id},
            headers={"x-user-id": "tenant-other"},
        ).json()
        assert elsewhere == {"sessions": [], "total": 0}
        assert httpx.get(f"{gateway_server.base_url}/sessions?agent_id=x").status_code == 401


NO_TEAM_GATEWAY = frozenset({"$.team", *("$.session" + p[1:] for p in NO_TEAM)})


def test_lists_leave_the_scripted_providers_script_out(api: httpx.Client) -> None:
    """A list must not carry (or parse) every agent's script; the session's own view has it."""
    turns = [[{"type": "text", "text": "x" * 50_000}]]
    config = {"type": "scripted", "model": "m", "parameters": {"turns": turns, "seed": 7}}
    agent = api.post(
        "/api/v1/agents",
        json={"name": "big", "chat_model_config": config, "fallback_chat_model_config": config},
    ).json()
    box = api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
    sid = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
    listed = api.get("/api/v1/sessions", params={"limit": 1}).json()["data"][0]
    assert listed["id"] == sid
    for key in ("chat_model_config", "fallback_chat_model_config"):
        assert listed["config"][key]["parameters"] == {"seed": 7}
        assert listed["config"][key]["type"] == "scripted" and listed["config"][key]["model"] == "m"
    full = api.get(f"/api/v1/sessions/{sid}").json()["config"]["chat_model_config"]
    assert full["parameters"]["turns"] == turns
    assert (
        api.get(f"/api/v1/agents/{agent['id']}").json()["chat_model_config"]["parameters"]["turns"]
        == turns
    )
