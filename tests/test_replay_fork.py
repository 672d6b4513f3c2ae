"""Forking a session at a step (issue 12, point 3), over real HTTP and SMTP."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.helpers import emails_of, make_inbox, make_session, otp_email, send
from tests.servers import RunningServer
from tests.test_conversations import agent_session, text, tool

SCRIPT: list[Any] = [
    [{"type": "text", "text": "Noting it."}, tool("task_create", {"subject": "sign up"}, "t1")],
    text("First answer."),
    text("Second answer."),
]
# the fork's model: the scripted provider plays the turn numbered by model calls so far,
# and the fork has had two (the original's first run), so its next answer is turn 2
FORK_SCRIPT: list[Any] = [text("(fork turn 0)"), text("(fork turn 1)"), text("Forked answer.")]


def steps_of(api: httpx.Client, sid: str) -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/sessions/{sid}/replay")
    assert r.status_code == 200, r.text
    steps: list[dict[str, Any]] = r.json()["steps"]
    return steps


def session_of(api: httpx.Client, sid: str) -> dict[str, Any]:
    r = api.get(f"/api/v1/sessions/{sid}")
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def inboxes_of(api: httpx.Client, sid: str) -> list[dict[str, Any]]:
    r = api.get("/api/v1/inboxes", params={"session_id": sid})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


def say(api: httpx.Client, sid: str, words: str) -> dict[str, Any]:
    r = api.post(f"/api/v1/sessions/{sid}/messages", json={"content": words})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def wait_for_step(api: httpx.Client, sid: str, type: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        found = [s for s in steps_of(api, sid) if s["type"] == type]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no {type} step"
        time.sleep(0.05)


def recorded(api: httpx.Client, server: RunningServer) -> tuple[str, dict[str, Any], int]:
    """A scripted agent session: an inbox, a run (a task tool call, then text), an email
    received, then a second run; (session id, its inbox, the email's step)."""
    sid, _box = agent_session(api, SCRIPT)
    inbox = make_inbox(api, session_id=sid, ttl_seconds=3600, metadata={"purpose": "signup"})
    assert say(api, sid, "hello")["content"] == text("First answer.")
    send(server, str(inbox["email_address"]), otp_email(str(inbox["email_address"])))
    step = wait_for_step(api, sid, "email.received")["seq"]
    assert say(api, sid, "again")["content"] == text("Second answer.")
    return sid, inbox, step


def test_fork_copies_history_inboxes_and_mail_and_goes_on(
    api: httpx.Client, server: RunningServer
) -> None:
    sid, inbox, n = recorded(api, server)
    before_steps = steps_of(api, sid)
    before = session_of(api, sid)
    assert n < len(before_steps)  # the second run is after the fork's step
    [email] = emails_of(api, inbox["id"])
    original_email = api.get(f"/api/v1/emails/{email['id']}").json()

    r = api.post(
        f"/api/v1/sessions/{sid}/replay",
        json={
            "mode": "fork",
            "step": n,
            "chat_model_config": {"type": "scripted", "parameters": {"turns": FORK_SCRIPT}},
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    fork = body["session"]
    fid = fork["id"]
    assert body["replay_of"] == sid and body["step"] == n and body["divergence"] is None
    # messages: hello, the tool call, its result, the first answer
    assert body["copied"] == {"events": n, "messages": 4, "inboxes": 1, "emails": 1}
    assert fork["status"] == "active" and fork["is_running"] is False
    assert fork["sandbox_id"] == before["sandbox_id"]

    # the fork's inbox: a fresh address on the same domain, the same metadata, the email
    [copy_inbox] = inboxes_of(api, fid)
    assert copy_inbox["id"] != inbox["id"]
    assert copy_inbox["email_address"] != inbox["email_address"]
    assert copy_inbox["email_address"].split("@")[1] == str(inbox["email_address"]).split("@")[1]
    assert copy_inbox["metadata"] == {"purpose": "signup"}
    [copy_email] = emails_of(api, copy_inbox["id"])
    assert copy_email["id"] != email["id"]
    got = api.get(f"/api/v1/emails/{copy_email['id']}").json()
    for key in ("subject", "text", "from", "mail_from", "message_id", "size", "received_at"):
        assert got[key] == original_email[key], key

    # its steps: its own two, then exactly the original's first N (ids rewritten)
    renames = {inbox["id"]: copy_inbox["id"], email["id"]: copy_email["id"]}
    fork_steps = steps_of(api, fid)
    assert [s["type"] for s in fork_steps[:2]] == ["session.created", "session.replayed"]
    copied = fork_steps[2:]
    expected = before_steps[:n]
    assert [s["seq"] for s in copied] == list(range(3, n + 3))
    assert [s["type"] for s in copied] == [s["type"] for s in expected]
    assert [s["description"] for s in copied] == [s["description"] for s in expected]
    assert [s["input"] for s in copied] == [
        {k: renames.get(v, v) for k, v in s["input"].items()} for s in expected
    ]
    received = next(s for s in copied if s["type"] == "email.received")
    assert received["output"]["email_id"] == copy_email["id"]
    created = next(s for s in copied if s["type"] == "inbox.created")
    assert created["output"]["email_address"] == copy_inbox["email_address"]

    # its messages: the original's up to N, new ids, named by the copied events
    fork_messages = fork["messages"]
    assert [(m["role"], m["content"]) for m in fork_messages] == [
        (m["role"], m["content"]) for m in before["messages"][:4]
    ]
    assert not {m["id"] for m in fork_messages} & {m["id"] for m in before["messages"]}
    assert [s["output"]["message_id"] for s in copied if s["type"] == "message.created"] == [
        m["id"] for m in fork_messages
    ]
    assert fork["state"]["tasks_context"] == before["state"]["tasks_context"]
    assert fork["state"]["tasks_context"]["tasks"][0]["subject"] == "sign up"

    # the new model's agent: a copy of the original's
    assert fork["agent_id"] != before["agent_id"]
    agent = api.get(f"/api/v1/agents/{fork['agent_id']}").json()
    assert agent["name"] == "scripted (fork)"
    assert agent["chat_model_config"]["parameters"]["turns"] == FORK_SCRIPT

    # live: the fork answers with its own model, after the copied history
    assert say(api, fid, "and now?")["content"] == text("Forked answer.")
    after_fork = steps_of(api, fid)[len(fork_steps) :]
    said = [s["output"].get("text") for s in after_fork if s["type"] == "text_complete"]
    assert said == ["Forked answer."]
    assert "Second answer." not in str(after_fork)
    forked = session_of(api, fid)
    assert [m["role"] for m in forked["messages"]] == ["user", "assistant"] * 3
    assert forked["messages"][-1]["content"] == text("Forked answer.")

    # the original is untouched but for the session.replayed naming the fork
    after_steps = steps_of(api, sid)
    assert after_steps[:-1] == before_steps
    assert after_steps[-1]["type"] == "session.replayed"
    assert after_steps[-1]["output"]["replay_session_id"] == fid
    after = session_of(api, sid)
    assert after["messages"] == before["messages"] and after["agent_id"] == before["agent_id"]
    assert [i["id"] for i in inboxes_of(api, sid)] == [inbox["id"]]
    assert [e["id"] for e in emails_of(api, inbox["id"])] == [email["id"]]


def test_fork_with_the_same_agent_plays_its_next_turn(
    api: httpx.Client, server: RunningServer
) -> None:
    sid, _inbox, n = recorded(api, server)
    r = api.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "fork", "step": n})
    assert r.status_code == 201, r.text
    fork = r.json()["session"]
    assert fork["agent_id"] == session_of(api, sid)["agent_id"]
    # the original's script goes on where the fork's history stops
    assert say(api, fork["id"], "again")["content"] == text("Second answer.")


def test_fork_a_plain_session(api: httpx.Client, server: RunningServer) -> None:
    session = make_session(api, name="plain")
    sid = str(session["id"])
    inbox = make_inbox(api, session_id=sid)
    address = str(inbox["email_address"])
    send(server, address, subject="Welcome", text="Hi there")
    wait_for_step(api, sid, "email.received")
    send(server, address, subject="Later", text="Not copied")
    deadline = time.monotonic() + 10
    while len(emails_of(api, inbox["id"])) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    steps = steps_of(api, sid)
    n = next(s["seq"] for s in steps if s["type"] == "email.received")
    r = api.post(f"/api/v1/sessions/{sid}/replay", json={"mode": "fork", "step": n})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["copied"] == {"events": n, "messages": 0, "inboxes": 1, "emails": 1}
    fid = body["session"]["id"]
    assert [s["type"] for s in steps_of(api, fid)[2:]] == [s["type"] for s in steps[:n]]
    [copy_inbox] = inboxes_of(api, fid)
    [copy] = emails_of(api, copy_inbox["id"])
    assert copy["subject"] == "Welcome"
    # an agent override means nothing without an agent
    r = api.post(
        f"/api/v1/sessions/{sid}/replay", json={"mode": "fork", "step": n, "system_prompt": "x"}
    )
    assert r.status_code == 400, r.text


def test_fork_refusals(api: httpx.Client, other_api: httpx.Client) -> None:
    sid, _box = agent_session(api, [text("Hi.")])
    say(api, sid, "hello")
    last = steps_of(api, sid)[-1]["seq"]
    url = f"/api/v1/sessions/{sid}/replay"
    assert api.post(url, json={"mode": "fork"}).status_code == 400
    r = api.post(url, json={"mode": "fork", "step": last + 1})
    assert r.status_code == 400, r.text
    # another user's session, and another user's agent
    assert other_api.post(url, json={"mode": "fork", "step": last}).status_code == 404
    stranger, _ = agent_session(other_api, [text("No.")])
    their_agent = session_of(other_api, stranger)["agent_id"]
    r = api.post(url, json={"mode": "fork", "step": last, "agent_id": their_agent})
    assert r.status_code == 404, r.text
    # nothing was made by the refusals
    assert steps_of(api, sid)[-1]["seq"] == last
    # an invalid model config is the agents' own validation
    r = api.post(url, json={"mode": "fork", "step": last, "chat_model_config": {"type": "nope"}})
    assert r.status_code == 400, r.text
    assert steps_of(api, sid)[-1]["seq"] == last
