"""The SDK reads like seed 000, sync and async, against a real server."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.helpers import send
from tests.servers import RunningServer
from tests.test_conversations import text, tool
from waypost import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    NotFoundError,
)
from waypost.sdk.models import Team


def test_sync_client_reads_like_the_seed(server: RunningServer) -> None:
    client = Client(api_key=server.key("sdk-sync"), base_url=server.base_url)
    session = client.sessions.create(name="user-signup-flow", metadata={"run": 1})
    assert session.id.startswith("sess_") and session.status == "active"
    sessions = client.sessions.list(limit=10, status="active")
    assert [s.name for s in sessions.data] == ["user-signup-flow"]
    inbox = client.inboxes.create(session_id=session.id, ttl_seconds=600)
    send(server, inbox.email_address, subject="Hi from SDK")
    [summary] = client.inboxes.emails(inbox.id).data
    assert summary.from_ == "Acme <no-reply@acme.test>"
    email = client.emails.get(summary.id)
    assert email.subject == "Hi from SDK"
    assert client.emails.raw(summary.id).startswith(
        b"Content-Type"
    ) or b"Subject: Hi from SDK" in client.emails.raw(summary.id)
    assert client.sessions.get(session.id).inboxes == [inbox.id]
    client.sessions.complete(session.id)
    types = [e.type for e in client.sessions.timeline(session.id).events]
    assert types == ["session.created", "inbox.created", "email.received", "session.completed"]
    with pytest.raises(ConflictError) as conflict:
        client.sessions.complete(session.id)
    assert conflict.value.error == "session_not_active" and conflict.value.status == 409
    with pytest.raises(NotFoundError) as missing:
        client.sessions.get("sess_789")
    assert missing.value.message == "Session does not exist"
    with pytest.raises(AuthenticationError):
        Client(api_key="wp_wrong", base_url=server.base_url).sessions.list()
    client.close()


async def test_async_client_matches_sync(server: RunningServer) -> None:
    async with AsyncClient(api_key=server.key("sdk-async"), base_url=server.base_url) as client:
        session = await client.sessions.create(name="async-flow")
        inbox = await client.inboxes.create(session_id=session.id)
        assert (await client.inboxes.get(inbox.id)).email_address == inbox.email_address
        page = await client.sessions.list(limit=1)
        assert page.total == 1 and page.data[0].id == session.id
        events = []
        async for event in client.sessions.events(session.id):
            events.append(event.type)
            if len(events) == 2:
                break
        assert events == ["session.created", "inbox.created"]
        await client.inboxes.delete(inbox.id)
        with pytest.raises(NotFoundError):
            await client.inboxes.get(inbox.id)


def test_workflows_waits_and_replay_read_like_seed_001(server: RunningServer) -> None:
    import threading

    from tests.helpers import otp_email

    client = Client(api_key=server.key("sdk-wf"), base_url=server.base_url)
    session = client.sessions.create(name="workflow-signup")
    username = f"sdk-{session.id[-8:].lower()}"
    addr = f"{username}@{server.settings.domain}"
    threading.Timer(0.4, send, (server, addr), {"raw": otp_email(addr, "123 456")}).start()
    workflow = client.workflows.create_inbox_and_wait(
        wait_type="otp",
        timeout_seconds=120,
        ttl_seconds=3600,
        session_id=session.id,
        metadata={"workflow": "signup"},
        username=username,
    )
    assert workflow.inbox.email_address == addr
    assert workflow.wait.result is not None and workflow.wait.result.value == "123456"
    assert workflow.session is not None and workflow.session.id == session.id

    timed_out = client.workflows.signup(wait_type="magic_link", timeout_seconds=1)
    assert timed_out.wait.status == "timed_out" and timed_out.wait.result is None

    pending = client.workflows.signup(wait_type="otp", respond="immediately")
    assert pending.wait.status == "pending"
    send(server, pending.inbox.email_address, raw=otp_email(pending.inbox.email_address, "777 888"))
    done = client.waits.wait(pending.wait.id)
    assert done.result is not None and done.result.value == "777888"
    assert client.emails.extract(done.result.email_id or "", "otp").value == "777888"

    steps = client.sessions.replay(session.id).steps
    assert [s.type for s in steps][:2] == ["session.created", "inbox.created"]
    with pytest.raises(BadRequestError) as bad:
        client.workflows.signup(wait_type="any")
    assert bad.value.message == "waitType must be otp or magic_link"


async def test_async_workflow(server: RunningServer) -> None:
    from tests.helpers import otp_email

    async with AsyncClient(api_key=server.key("sdk-awf"), base_url=server.base_url) as client:
        workflow = await client.workflows.create_inbox_and_wait(
            wait_type="otp", respond="immediately"
        )
        addr = workflow.inbox.email_address
        send(server, addr, raw=otp_email(addr, "314 159"))
        done = await client.waits.wait(workflow.wait.id)
        assert (
            done.status == "completed" and done.result is not None and done.result.value == "314159"
        )


def test_agent_conversation_reads_like_seed_003(server: RunningServer) -> None:
    client = Client(api_key=server.key("sdk-agent"), base_url=server.base_url)
    secret = "sk-sdk-never-returned-0000"
    cred = client.credentials.create(provider="anthropic", name="claude", secret=secret)
    assert secret not in cred.model_dump_json()
    turns = [
        [
            {
                "type": "tool_use",
                "id": "t1",
                "name": "write_file",
                "input": {"path": "a.md", "content": "# A"},
            }
        ],
        [{"type": "text", "text": "Wrote a.md"}],
    ]
    agent = client.agents.create(
        name="writer", chat_model_config={"type": "scripted", "parameters": {"turns": turns}}
    )
    sandbox = client.sandboxes.create(name="repo", agent_id=agent.id)
    session = client.sandboxes.sessions.create(sandbox.id, metadata={"purpose": "code-review"})
    assert session.status == "active" and session.sandbox_id == sandbox.id
    seen: list[str] = []

    def follow() -> None:
        for event in client.sessions.stream(session.id, after=session.counts.events):
            seen.append(event.type)
            if event.type in ("session_completed", "session_failed"):
                return

    import threading

    follower = threading.Thread(target=follow)
    follower.start()
    reply = client.sessions.send(session.id, "Write a.md")
    follower.join(10)
    assert reply is not None and reply.content == [{"type": "text", "text": "Wrote a.md"}]
    assert seen[0] == "tool_use_start" and "tool_result" in seen and seen[-1] == "session_completed"
    convo = client.sessions.conversation(session.id)
    assert [m.role for m in convo.messages] == ["user", "assistant", "user", "assistant"]
    assert client.sessions.interrupt(session.id) is False
    assert [s.id for s in client.sandboxes.sessions.list(sandbox.id).data] == [session.id]


def _scripted_sandbox(client: Client) -> str:
    turns = [[{"type": "text", "text": "first"}], [{"type": "text", "text": "second"}]]
    agent = client.agents.create(
        name="talker", chat_model_config={"type": "scripted", "parameters": {"turns": turns}}
    )
    return client.sandboxes.create(agent_id=agent.id).id


def test_session_get_exposes_agent_fields_and_messages_page(server: RunningServer) -> None:
    client = Client(api_key=server.key("sdk-get-agent"), base_url=server.base_url)
    sandbox = _scripted_sandbox(client)
    sid = client.sandboxes.sessions.create(sandbox).id
    client.sessions.send(sid, "hello")
    client.sessions.send(sid, [{"type": "text", "text": "again"}])
    session = client.sessions.get(sid)
    assert session.messages is not None
    assert [m.role for m in session.messages] == ["user", "assistant", "user", "assistant"]
    assert session.messages[3].content == [{"type": "text", "text": "second"}]
    assert session.config.agent_id is not None and session.config.chat_model_config is not None
    assert session.config.chat_model_config["type"] == "scripted"
    assert session.state.reply_id == session.messages[3].id and session.state.cur_iter == 1
    assert session.is_running is False
    page = client.sessions.messages(sid, limit=3)
    assert page.total == 4 and [m.id for m in page.data] == [m.id for m in session.messages[:3]]
    assert page.next_cursor == session.messages[2].id
    rest = client.sessions.messages(sid, limit=3, cursor=page.next_cursor)
    assert [m.id for m in rest.data] == [session.messages[3].id] and rest.next_cursor is None
    plain = client.sessions.get(client.sessions.create(name="no agent").id)
    assert plain.messages is None and plain.config.agent_id is None
    client.close()


async def test_async_session_get_exposes_agent_fields(server: RunningServer) -> None:
    key = server.key("sdk-async-get-agent")
    with Client(api_key=key, base_url=server.base_url) as setup:
        sandbox = _scripted_sandbox(setup)
    async with AsyncClient(api_key=key, base_url=server.base_url) as client:
        sid = (await client.sandboxes.sessions.create(sandbox)).id
        await client.sessions.send(sid, "hello")
        session = await client.sessions.get(sid)
        assert session.messages is not None
        assert [m.role for m in session.messages] == ["user", "assistant"]
        assert session.config.chat_model_config is not None
        assert session.config.chat_model_config["type"] == "scripted"
        assert session.state.reply_id == session.messages[1].id and session.state.cur_iter == 1
        assert session.is_running is False
        page = await client.sessions.messages(sid)
        assert [m.id for m in page.data] == [m.id for m in session.messages]
        assert page.total == 2 and page.next_cursor is None


def _scripted(turns: list[Any], **params: Any) -> dict[str, Any]:
    return {"type": "scripted", "parameters": {"turns": turns, **params}}


def _leader_turns(member_id: str) -> list[Any]:
    """The leader delegates once to ``member_id``, then answers."""
    return [
        [tool("delegate", {"member": member_id, "task": "write the intro"}, "d1")],
        text("The writer is done."),
    ]


def test_team_model_has_the_servers_fields() -> None:
    from waypost.api.teams import TeamOut

    def fields(cls: Any) -> dict[str, Any]:
        return {name: f.annotation for name, f in cls.model_fields.items()}

    assert fields(Team) == fields(TeamOut)


def test_teams_delegation_and_permissions_through_the_sdk(server: RunningServer) -> None:
    with Client(api_key=server.key("sdk-team"), base_url=server.base_url) as client:
        writer = client.agents.create(
            name="writer", chat_model_config=_scripted([text("intro one two three")])
        )
        leader = client.agents.create(
            name="leader", chat_model_config=_scripted(_leader_turns(writer.id))
        )
        team = client.teams.create(
            name="crew",
            leader_agent_id=leader.id,
            member_ids=[writer.id, writer.id, leader.id],
            description="writes things",
        )
        assert isinstance(team, Team) and team.id.startswith("team_")
        assert team.member_ids == [writer.id] and team.description == "writes things"
        assert client.teams.get(team.id) == team
        page = client.teams.list(limit=5)
        assert page.total == 1 and [t.id for t in page.data] == [team.id]
        space = client.workspaces.create("crew space")
        renamed = client.teams.update(team.id, name="renamed", workspace_id=space.id)
        assert renamed.name == "renamed" and renamed.workspace_id == space.id
        assert [t.id for t in client.teams.list(workspace_id=space.id).data] == [team.id]
        assert client.teams.update(team.id, workspace_id=None).workspace_id is None
        with pytest.raises(NotFoundError) as missing:
            client.teams.create(name="x", leader_agent_id="agt_missing")
        assert missing.value.error == "agent_not_found"

        sandbox = client.sandboxes.create(name="crew-box")
        session = client.sandboxes.sessions.create(sandbox.id, team_id=team.id)
        assert session.agent_id == leader.id and session.team_id == team.id
        reply = client.sessions.send(session.id, "write the article")
        assert reply is not None and reply.content == text("The writer is done.")
        convo = client.sessions.conversation(session.id)
        results = [b for m in convo.messages for b in m.content if b.get("type") == "tool_result"]
        assert [(b["tool_use_id"], b["content"]) for b in results] == [
            ("d1", "intro one two three")
        ]
        kids = client.sessions.list(agent_id=writer.id).data
        assert [k.source for k in kids] == ["delegation"]

        plain = client.sessions.create(name="team run", team_id=team.id)
        assert plain.agent_id == leader.id and plain.team_id == team.id
        assert plain.team is not None and plain.team.team.id == team.id

        context = client.sessions.update_permissions(session.id, mode="plan")
        assert context["mode"] == "plan"
        assert client.sessions.get(session.id).state.permission_context["mode"] == "plan"
        context = client.sessions.update_permissions(session.id, deny_rules={"write_file": ["b.*"]})
        assert context["mode"] == "plan" and context["deny_rules"] == {"write_file": ["b.*"]}
        with pytest.raises(BadRequestError):
            client.sessions.update_permissions(session.id, mode="anything")

        client.teams.delete(team.id)
        with pytest.raises(NotFoundError):
            client.teams.get(team.id)


async def test_async_teams_delegation_and_permissions(server: RunningServer) -> None:
    async with AsyncClient(api_key=server.key("sdk-team-async"), base_url=server.base_url) as c:
        writer = await c.agents.create(
            name="writer", chat_model_config=_scripted([text("intro one two three")])
        )
        leader = await c.agents.create(
            name="leader", chat_model_config=_scripted(_leader_turns(writer.id))
        )
        team = await c.teams.create(name="crew", leader_agent_id=leader.id, member_ids=[writer.id])
        assert (await c.teams.get(team.id)).leader_agent_id == leader.id
        assert (await c.teams.list()).total == 1
        assert (await c.teams.update(team.id, description="d")).description == "d"
        sandbox = await c.sandboxes.create()
        session = await c.sandboxes.sessions.create(sandbox.id, team_id=team.id)
        assert session.agent_id == leader.id and session.team_id == team.id
        reply = await c.sessions.send(session.id, "write the article")
        assert reply is not None and reply.content == text("The writer is done.")
        plain = await c.sessions.create(team_id=team.id)
        assert plain.agent_id == leader.id and plain.team_id == team.id
        context = await c.sessions.update_permissions(session.id, mode="plan")
        assert context["mode"] == "plan"
        assert (await c.sessions.get(session.id)).state.permission_context["mode"] == "plan"
        await c.teams.delete(team.id)
        with pytest.raises(NotFoundError):
            await c.teams.get(team.id)


def _wait_for_ask(client: Client, sid: str, tool_use_id: str) -> None:
    deadline = time.monotonic() + 10
    while not any(
        e.type == "approval_required" and e.data.get("tool_use_id") == tool_use_id
        for e in client.sessions.timeline(sid).events
    ):
        assert time.monotonic() < deadline, f"no approval asked for {tool_use_id}"
        time.sleep(0.05)


def _wait_idle(client: Client, sid: str) -> None:
    deadline = time.monotonic() + 10
    while client.sessions.get(sid).is_running:
        assert time.monotonic() < deadline, "run did not end"
        time.sleep(0.05)


def test_approve_with_remember_and_reject(server: RunningServer) -> None:
    with Client(api_key=server.key("sdk-approve"), base_url=server.base_url) as client:
        turns = [
            [tool("write_file", {"path": "a.txt", "content": "1"}, "w1")],
            [tool("write_file", {"path": "a.txt", "content": "2"}, "w2")],
            [tool("write_file", {"path": "b.txt", "content": "3"}, "w3")],
            text("done"),
        ]
        agent = client.agents.create(
            name="asker",
            chat_model_config=_scripted(turns),
            permissions={"ask": ["write_file"]},
        )
        sandbox = client.sandboxes.create(agent_id=agent.id)
        sid = client.sandboxes.sessions.create(sandbox.id).id
        assert client.sessions.send(sid, "go", wait=False) is None
        _wait_for_ask(client, sid, "w1")
        client.sessions.approve(sid, "w1", remember=True)
        _wait_for_ask(client, sid, "w3")  # w2 is the same call: remembered, not asked
        client.sessions.reject(sid, "w3")
        _wait_idle(client, sid)
        events = client.sessions.timeline(sid).events
        asked = [e.data["tool_use_id"] for e in events if e.type == "approval_required"]
        assert asked == ["w1", "w3"]
        results = {e.data["tool_use_id"]: e.data for e in events if e.type == "tool_result"}
        assert not results["w1"]["is_error"] and not results["w2"]["is_error"]
        assert results["w3"]["is_error"] and "rejected" in results["w3"]["content"]
        context = client.sessions.get(sid).state.permission_context
        assert context["allow_rules"]["write_file"] == ["a.txt"]
