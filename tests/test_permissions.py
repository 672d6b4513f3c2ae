"""Permission contexts (seed 002): modes, rule precedence, working directories, live changes
and remembered approvals, with scripted agents over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import ThreadServer, make_settings
from tests.test_conversations import agent_session, text, tool, wait_idle

ASK_TIMEOUT = 0.3  # an ask nobody answers is a rejection


def results_of(api: httpx.Client, sid: str) -> dict[str, dict[str, Any]]:
    return {
        e["data"]["tool_use_id"]: e["data"]
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
        if e["type"] == "tool_result"
    }


def outcome(result: dict[str, Any]) -> str:
    """ran / asked (and rejected for want of an answer) / refused."""
    content = result["content"]
    if "rejected by the user" in content:
        return "asked"
    if "refused" in content or "denied" in content or "outside" in content:
        return "refused"
    return "ran"


def run_script(
    api: httpx.Client, calls: list[dict[str, Any]], permissions: dict[str, Any]
) -> tuple[str, dict[str, str]]:
    turns: list[Any] = [[c] for c in calls] + [text("done")]
    sid, box = agent_session(
        api,
        turns,
        permissions={**permissions, "ask_timeout_seconds": ASK_TIMEOUT},
        react_config={"max_iters": len(turns) + 1},
    )
    r = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"})
    assert r.status_code == 200, r.text
    return box, {k: outcome(v) for k, v in results_of(api, sid).items()}


CALLS = [
    tool("list_files", {}, "read"),
    tool("write_file", {"path": "notes/a.txt", "content": "1"}, "edit"),
    tool("create_inbox", {}, "action"),
]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("default", {"read": "ran", "edit": "asked", "action": "asked"}),
        ("accept_edits", {"read": "ran", "edit": "ran", "action": "asked"}),
        ("plan", {"read": "ran", "edit": "refused", "action": "refused"}),
    ],
)
def test_each_mode_decides_calls_no_rule_names(
    api: httpx.Client, server: Any, mode: str, expected: dict[str, str]
) -> None:
    box, seen = run_script(api, CALLS, {"mode": mode, "allow_rules": {}})
    assert seen == expected
    written = Path(server.settings.data_dir) / "sandboxes" / box / "notes" / "a.txt"
    assert written.exists() == (expected["edit"] == "ran")


def test_rule_precedence_deny_then_ask_then_allow_then_mode(api: httpx.Client) -> None:
    rules = {
        "mode": "plan",
        "deny_rules": {"write_file": ["secret/**"]},
        "ask_rules": {"write_file": ["src/**"], "*": ["notes/ask.txt"]},
        "allow_rules": {"write_file": ["**"], "run_command": ["echo *"]},
    }
    calls = [
        tool("write_file", {"path": "secret/k.txt", "content": "x"}, "deny_over_allow"),
        tool("write_file", {"path": "src/main.py", "content": "x"}, "ask_over_allow"),
        tool("write_file", {"path": "./notes/../notes/ask.txt", "content": "x"}, "star_ask"),
        tool("write_file", {"path": "notes/ok.txt", "content": "x"}, "allow_over_mode"),
        tool("edit_file", {"path": "notes/ok.txt", "old": "x", "new": "y"}, "mode_refuses"),
        tool("run_command", {"command": "rm -rf src"}, "command_not_allowed"),
    ]
    _, seen = run_script(api, calls, rules)
    assert seen == {
        "deny_over_allow": "refused",
        "ask_over_allow": "asked",
        "star_ask": "asked",
        "allow_over_mode": "ran",
        "mode_refuses": "refused",
        "command_not_allowed": "refused",
    }


def test_working_directories_confine_the_file_tools(api: httpx.Client, server: Any) -> None:
    calls = [
        tool("write_file", {"path": "src/app.py", "content": "x"}, "in_src"),
        tool("write_file", {"path": "docs/readme.md", "content": "x"}, "read_only_dir"),
        tool("list_files", {"path": "docs"}, "read_in_docs"),
        tool("read_file", {"path": "/workspace/../etc/passwd"}, "outside"),
        tool("write_file", {"path": "src/../top.txt", "content": "x"}, "escaped"),
    ]
    box, seen = run_script(
        api, calls, {"working_directories": {"src": {}, "docs": {"read_only": True}}}
    )
    assert seen == {
        "in_src": "ran",
        "read_only_dir": "refused",
        "read_in_docs": "ran",
        "outside": "refused",
        "escaped": "refused",
    }
    root = Path(server.settings.data_dir) / "sandboxes" / box
    assert (root / "src" / "app.py").exists() and not (root / "top.txt").exists()


def wait_for_approval(api: httpx.Client, sid: str, tool_use_id: str) -> None:
    deadline = time.monotonic() + 10
    while not any(
        e["type"] == "approval_required" and e["data"]["tool_use_id"] == tool_use_id
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
    ):
        assert time.monotonic() < deadline, f"no approval_required for {tool_use_id}"
        time.sleep(0.05)


def test_patch_reaches_a_running_session_and_remember_adds_an_allow_rule(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    sid, _ = agent_session(
        api,
        [
            [tool("write_file", {"path": "a.txt", "content": "1"}, "w1")],
            [tool("write_file", {"path": "a.txt", "content": "2"}, "w2")],
            [tool("write_file", {"path": "b.txt", "content": "3"}, "w3")],
            text("done"),
        ],
        permissions={"ask": ["write_file"]},
    )
    r = api.post(
        f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
    )
    assert r.status_code == 202
    wait_for_approval(api, sid, "w1")
    # while the run waits: a new deny rule, which the run obeys from its next call
    r = api.patch(
        f"/api/v1/sessions/{sid}/permissions", json={"denyRules": {"write_file": ["b.*"]}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["permission_context"]["deny_rules"] == {"write_file": ["b.*"]}
    assert other_api.patch(f"/api/v1/sessions/{sid}/permissions", json={}).status_code == 404
    r = api.post(
        f"/api/v1/sessions/{sid}/approvals/w1", json={"decision": "approve", "remember": True}
    )
    assert r.status_code == 200 and r.json()["remember"] is True
    wait_idle(api, sid)
    seen = results_of(api, sid)
    assert not seen["w1"]["is_error"]
    assert not seen["w2"]["is_error"]  # remembered: no second ask for the same call
    assert seen["w3"]["is_error"] and "denied" in seen["w3"]["content"]
    asked = [
        e["data"]["tool_use_id"]
        for e in api.get(f"/api/v1/sessions/{sid}/timeline").json()["events"]
        if e["type"] == "approval_required"
    ]
    assert asked == ["w1"]
    context = api.get(f"/api/v1/sessions/{sid}").json()["state"]["permission_context"]
    assert context["allow_rules"]["write_file"] == ["a.txt"]
    assert context["deny_rules"] == {"write_file": ["b.*"]}
    assert context["ask_rules"] == {"write_file": ["*"]}


def test_bad_permission_changes_are_refused(api: httpx.Client) -> None:
    sid, _ = agent_session(api, [text("hi")])
    for body in (
        {"mode": "yolo"},
        {"allow_rules": {"write_file": "src/**"}},
        {"mode": "bypass"},  # the operator has not enabled it
        {"unknown": 1},
    ):
        r = api.patch(f"/api/v1/sessions/{sid}/permissions", json=body)
        assert r.status_code == 400, (body, r.text)
    context = api.get(f"/api/v1/sessions/{sid}").json()["state"]["permission_context"]
    assert context["mode"] == "default"


@pytest.fixture
def bypass_server(tmp_path: Path) -> Iterator[ThreadServer]:
    srv = ThreadServer(make_settings(tmp_path / "data", allow_permission_bypass=True)).start()
    try:
        yield srv
    finally:
        srv.stop()


def test_bypass_mode_runs_everything_where_the_operator_allows_it(
    bypass_server: ThreadServer,
) -> None:
    with bypass_server.client("bypasser") as api:
        sid, box = agent_session(
            api,
            [[tool("write_file", {"path": "secret/x.txt", "content": "1"}, "w")], text("ok")],
            permissions={"deny_rules": {"write_file": ["secret/**"]}},
        )
        r = api.patch(f"/api/v1/sessions/{sid}/permissions", json={"mode": "bypass"})
        assert r.status_code == 200 and r.json()["permission_context"]["mode"] == "bypass"
        assert (
            api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"}).status_code == 200
        )
        assert not results_of(api, sid)["w"]["is_error"]
        root = Path(bypass_server.settings.data_dir) / "sandboxes" / box
        assert (root / "secret" / "x.txt").read_text() == "1"
