"""Hostile agents against a real server: each costs only its own run (issue 10).

The server keeps answering (`/healthz` and SMTP `NOOP` under 250 ms) while an agent greps
with a backtracking pattern, globs over 150,000 files and runs a fork bomb; the bomb stays
under its process cap, as root, and nothing of it is left after the command's timeout.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from tests.probes import LatencyProbe, uid_pids
from tests.servers import RunningServer
from tests.test_conversations import agent_session, needs_bwrap, text, tool
from waypost.sandbox.identity import identity_for

# Tools run in the sandbox's processes, whatever the database: one backend is enough.
pytestmark = pytest.mark.parametrize("server", ["sqlite"], indirect=True)

MANY_FILES = 150_000
STOPPED = "[walk stopped after 5 s; results are partial: narrow the path or pattern]"


def _results(api: httpx.Client, sid: str) -> dict[str, dict[str, Any]]:
    events = api.get(f"/api/v1/sessions/{sid}/timeline", params={"limit": 1000}).json()["events"]
    return {e["data"]["tool_use_id"]: e["data"] for e in events if e["type"] == "tool_result"}


@needs_bwrap
def test_backtracking_grep_and_a_huge_glob_do_not_stall_the_server(
    api: httpx.Client, server: RunningServer
) -> None:
    make_many = f"mkdir many && cd many && seq {MANY_FILES} | xargs touch && ls | wc -l"
    sid, _ = agent_session(
        api,
        [
            [tool("run_command", {"command": make_many, "timeout": 120}, "t0")],
            [tool("write_file", {"path": "a.txt", "content": "a" * 31 + "\n"}, "t1")],
            [tool("grep", {"pattern": "(a+)+$", "path": "a.txt"}, "t2")],
            [tool("grep", {"pattern": "(x+x+)+y", "path": "."}, "t3")],
            [tool("glob", {"pattern": "**/*.nomatch"}, "t4")],
            [tool("list_files", {"path": "many"}, "t5")],
            text("done"),
        ],
    )
    setup = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"}, timeout=180)
    assert setup.status_code == 200, setup.text
    results = _results(api, sid)
    assert results["t0"]["content"].startswith(f"{MANY_FILES}\n"), results["t0"]
    assert results["t2"] == {
        "tool_use_id": "t2",
        "name": "grep",
        "content": "a.txt:1:" + "a" * 31,
        "is_error": False,
    }
    # 150,000 files may take longer than the walk's 5 s: then the answer says it stopped
    assert results["t3"]["content"] in ("no matches for '(x+x+)+y'", STOPPED)
    assert results["t4"]["content"] in ("no paths match: **/*.nomatch", STOPPED)
    assert results["t5"]["content"].startswith("1\n10\n100\n1000\n10000\n100000\n")

    # the same hostile calls again, with the probe timing the server meanwhile
    again, _ = agent_session(
        api,
        [
            [tool("grep", {"pattern": "(a+)+$"}, "h1")],
            [tool("glob", {"pattern": "**/*.nomatch"}, "h2")],
            [tool("grep", {"pattern": "(x+x+)+y", "glob": "*.txt"}, "h3")],
            text("done"),
        ],
    )
    box_dir = server.settings.data_dir / "sandboxes"
    session = api.get(f"/api/v1/sessions/{sid}").json()
    source, target = box_dir / session["sandbox_id"], None
    target = box_dir / api.get(f"/api/v1/sessions/{again}").json()["sandbox_id"]
    os.rmdir(target)
    os.rename(source, target)  # the second agent works in the first one's 150,000 files
    with LatencyProbe(server) as probe:
        hostile = api.post(
            f"/api/v1/sessions/{again}/messages", json={"content": "go"}, timeout=180
        )
    assert hostile.status_code == 200, hostile.text
    results = _results(api, again)
    assert results["h2"]["content"] in ("no paths match: **/*.nomatch", STOPPED)
    assert not results["h1"]["is_error"] and not results["h3"]["is_error"]
    assert len(probe.http) >= 3, "the hostile calls ended before the probe could look"
    probe.assert_responsive()


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="as root is the case a uid's process cap misses")
def test_fork_bomb_is_capped_as_root_and_stopped(api: httpx.Client, server: RunningServer) -> None:
    cap = 64
    turns = [
        [
            tool(
                "run_command",
                {"command": "exec 2>/dev/null; :(){ :|:& };:; sleep 100", "timeout": 5},
                "b1",
            )
        ],
        text("done"),
    ]
    params = {"turns": turns}
    agent = api.post(
        "/api/v1/agents",
        json={"name": "bomb", "chat_model_config": {"type": "scripted", "parameters": params}},
    ).json()
    box = api.post(
        "/api/v1/sandboxes", json={"agent_id": agent["id"], "limits": {"max_processes": cap}}
    ).json()
    sid = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
    identity = identity_for(box["id"])
    assert identity is not None
    host_before = sum(name.isdigit() for name in os.listdir("/proc"))
    peak = host_peak = 0
    with LatencyProbe(server) as probe:
        sent = api.post(
            f"/api/v1/sessions/{sid}/messages", params={"wait": "false"}, json={"content": "go"}
        )
        assert sent.status_code == 202, sent.text
        deadline = time.monotonic() + 60
        while api.get(f"/api/v1/sessions/{sid}").json()["is_running"]:
            assert time.monotonic() < deadline, "the run did not end"
            peak = max(peak, len(uid_pids(identity.uid)))
            host_peak = max(host_peak, sum(name.isdigit() for name in os.listdir("/proc")))
            time.sleep(0.1)
    result = _results(api, sid)["b1"]
    assert result["is_error"] and "timed out after" in result["content"], result
    assert peak > 8, "the bomb never forked"
    assert peak <= cap, f"{peak} processes of the sandbox uid on the host (cap {cap})"
    assert host_peak <= host_before + cap + 64  # other work on the host counts too
    assert uid_pids(identity.uid) == [], "the bomb outlived its command"
    probe.assert_responsive()
