"""Tool contexts (seed 002): the bounded read-file cache and tool groups, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.test_conversations import agent_session, needs_bwrap, text, tool
from waypost.agents import contexts


def state_of(api: httpx.Client, sid: str) -> dict[str, Any]:
    return dict(api.get(f"/api/v1/sessions/{sid}").json()["state"])


def results_of(api: httpx.Client, sid: str) -> dict[str, dict[str, Any]]:
    return {
        e["data"]["tool_use_id"]: e["data"]
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
        if e["type"] == "tool_result"
    }


def run(api: httpx.Client, turns: list[Any], **agent: Any) -> str:
    sid, _ = agent_session(api, [*turns, text("done")], **agent)
    r = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"})
    assert r.status_code == 200, r.text
    return sid


def test_read_files_are_cached_within_the_byte_bound_and_edits_drop_them(
    api: httpx.Client,
) -> None:
    big = "x" * 9_000 + "\n"  # three of these do not fit in 25,000 bytes
    sid = run(
        api,
        [
            [tool("write_file", {"path": f"f{i}.txt", "content": big}, f"w{i}") for i in range(3)],
            [tool("write_file", {"path": "small.txt", "content": "one\ntwo\n"}, "ws")],
            [tool("read_file", {"path": f"f{i}.txt"}, f"r{i}") for i in range(3)],
            [tool("read_file", {"path": "./small.txt"}, "rs")],
            [tool("read_file", {"path": "f1.txt", "offset": 1}, "partial")],
        ],
    )
    context = state_of(api, sid)["tool_context"]
    assert context["max_cache_files"] == 100 and context["max_cache_bytes"] == 25_000
    cache = context["read_file_cache"]
    assert [e["file_path"] for e in cache] == ["small.txt", "f2.txt", "f1.txt"]  # newest first
    assert sum(e["bytes"] for e in cache) <= 25_000
    small = cache[0]
    assert small["bytes"] == len(results_of(api, sid)["rs"]["content"].encode())
    assert any("two" in line for line in small["lines"])
    assert isinstance(small["updated_at"], int) and small["updated_at"] > 1_700_000_000
    # an edit of a cached file drops it (its lines are no longer true)
    sid2 = run(
        api,
        [
            [tool("write_file", {"path": "a.txt", "content": "1\n"}, "w")],
            [tool("read_file", {"path": "a.txt"}, "r1")],
            [tool("write_file", {"path": "b.txt", "content": "2\n"}, "w2")],
            [tool("read_file", {"path": "b.txt"}, "r2")],
            [tool("edit_file", {"path": "a.txt", "old": "1", "new": "3"}, "e")],
        ],
    )
    assert [e["file_path"] for e in state_of(api, sid2)["tool_context"]["read_file_cache"]] == [
        "b.txt"
    ]


@needs_bwrap
def test_a_command_empties_the_cache(api: httpx.Client) -> None:
    sid = run(
        api,
        [
            [tool("write_file", {"path": "a.txt", "content": "1\n"}, "w")],
            [tool("read_file", {"path": "a.txt"}, "r")],
            [tool("run_command", {"command": "echo 2 > a.txt"}, "c")],
        ],
    )
    assert state_of(api, sid)["tool_context"]["read_file_cache"] == []


def test_the_cache_keeps_at_most_its_file_count() -> None:
    context = contexts.tool_context({}, None)
    for i in range(contexts.MAX_CACHE_FILES + 20):
        context = contexts.cache_read(context, f"d/{i}.txt", "x")
    paths = [e["file_path"] for e in context["read_file_cache"]]
    assert len(paths) == contexts.MAX_CACHE_FILES
    assert paths[0] == f"d/{contexts.MAX_CACHE_FILES + 19}.txt" and "d/0.txt" not in paths


def test_only_activated_groups_are_offered_and_a_call_activates_one(api: httpx.Client) -> None:
    sid = run(
        api,
        [
            [tool("create_inbox", {}, "before")],
            [tool("activate_tools", {"group": "nope"}, "bad")],
            [tool("activate_tools", {"group": "mail"}, "on")],
            [tool("create_inbox", {}, "after")],
        ],
        tool_groups=["files"],
    )
    seen = results_of(api, sid)
    assert seen["before"]["is_error"] and "activate_tools" in seen["before"]["content"]
    assert seen["bad"]["is_error"] and "unknown tool group" in seen["bad"]["content"]
    assert not seen["on"]["is_error"] and "create_inbox" in seen["on"]["content"]
    assert not seen["after"]["is_error"] and "@" in seen["after"]["content"]
    context = state_of(api, sid)["tool_context"]
    assert context["activated_groups"] == ["files", "mail"]


def test_agent_tool_groups_are_validated(api: httpx.Client) -> None:
    body = {"name": "a", "chat_model_config": {"type": "scripted"}, "tool_groups": ["warp"]}
    r = api.post("/api/v1/agents", json=body)
    assert r.status_code == 400 and "tool_groups" in r.json()["message"]
    body["tool_groups"] = ["files", "shell"]
    r = api.post("/api/v1/agents", json=body)
    assert r.status_code == 201 and r.json()["tool_groups"] == ["files", "shell"]
