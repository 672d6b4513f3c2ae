"""The MCP server, through the SDK's own client, over Streamable HTTP and over stdio.

Every test runs against a real server (uvicorn + SMTP on real sockets); the stdio
transport is ``waypost mcp`` as a child process relaying to that server. Mail is
sent with smtplib to the server's SMTP port.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import mcp.types as types
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import McpError
from mcp.shared.session import RequestResponder
from pydantic import AnyUrl

from tests.helpers import otp_email, send
from tests.servers import RunningServer, SubprocessServer, make_settings

WAYPOST = Path(sys.executable).with_name("waypost")
TRANSPORTS = ["http", "stdio"]
TOOL_NAMES = {
    "create_inbox",
    "list_emails",
    "get_email",
    "wait_for_email",
    "extract_code",
    "extract_link",
    "signup",
    "create_session",
    "complete_session",
    "get_timeline",
    "send_message",
    "interrupt",
}

Incoming = RequestResponder[types.ServerRequest, types.ClientResult] | types.ServerNotification


class Updates:
    """The resource-updated notifications a client receives, awaitable one by one."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    async def handler(self, message: Incoming | Exception) -> None:
        if isinstance(message, types.ServerNotification) and isinstance(
            message.root, types.ResourceUpdatedNotification
        ):
            self.queue.put_nowait(str(message.root.params.uri))

    async def next(self, within: float = 15) -> str:
        return await asyncio.wait_for(self.queue.get(), within)


@asynccontextmanager
async def connect(
    server: RunningServer, key: str, transport: str, updates: Updates | None = None
) -> AsyncIterator[ClientSession]:
    """An initialized MCP client session as the owner of ``key``."""
    handler = updates.handler if updates else None
    if transport == "http":
        http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {key}"}, timeout=httpx.Timeout(30, read=300)
        )
        async with (
            http,
            streamable_http_client(f"{server.base_url}/mcp", http_client=http) as (read, write, _),
            ClientSession(read, write, message_handler=handler) as session,
        ):
            await session.initialize()
            yield session
    else:
        params = StdioServerParameters(
            command=str(WAYPOST),
            args=["mcp"],
            env={"WAYPOST_URL": server.base_url, "WAYPOST_API_KEY": key},
        )
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write, message_handler=handler) as session,
        ):
            await session.initialize()
            yield session


async def call(session: ClientSession, tool: str, /, **arguments: Any) -> dict[str, Any]:
    """Call a tool that must succeed; its structured result."""
    result = await session.call_tool(tool, arguments)
    assert not result.isError, result.content
    assert result.structuredContent is not None
    return result.structuredContent


async def refused(session: ClientSession, tool: str, /, **arguments: Any) -> dict[str, Any]:
    """Call a tool that must fail; its ``{"error", "message"}``."""
    result = await session.call_tool(tool, arguments)
    assert result.isError, result.structuredContent
    assert result.structuredContent is not None
    return result.structuredContent


async def smtp(server: RunningServer, to: str, raw: bytes) -> None:
    refused_rcpts = await asyncio.to_thread(send, server, to, raw)
    assert refused_rcpts == {}


@pytest.fixture
def key(server: RunningServer, new_user: Callable[[], str]) -> str:
    return server.key(new_user())


@pytest.fixture
def other_key(server: RunningServer, new_user: Callable[[], str]) -> str:
    return server.key(new_user())


# --- the signup story: address first, then the code arrives over SMTP, then the code ------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_signup_returns_the_address_then_the_code(
    server: RunningServer, key: str, transport: str
) -> None:
    async with connect(server, key, transport) as session:
        started = await call(session, "signup", wait_type="otp", timeout_seconds=60)
        address = started["email_address"]
        assert "@" in address and started["wait_id"].startswith("wait_")
        assert started["wait_status"] == "pending"
        assert started["wait_id"] in started["next"]

        seen: list[tuple[float, float | None, str | None]] = []
        first_progress = asyncio.Event()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append((progress, total, message))
            first_progress.set()

        waiting = asyncio.create_task(
            session.call_tool(
                "wait_for_email", {"wait_id": started["wait_id"]}, progress_callback=on_progress
            )
        )
        # the call is blocked and reporting progress before any mail exists
        await asyncio.wait_for(first_progress.wait(), 10)
        assert not waiting.done()
        await smtp(server, address, otp_email(address, code="482913"))
        result = await asyncio.wait_for(waiting, 30)

    assert not result.isError, result.content
    done = result.structuredContent
    assert done is not None
    assert done["status"] == "completed" and done["value"] == "482913"
    assert done["type"] == "otp" and done["email_id"].startswith("eml_")
    assert seen and all(total == 60 for _, total, _ in seen)
    assert seen == sorted(seen, key=lambda p: p[0])  # elapsed time only grows
    assert all(started["inbox_id"] in (message or "") for _, _, message in seen)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_wait_for_email_on_an_inbox_and_read_the_mail(
    server: RunningServer, key: str, transport: str
) -> None:
    async with connect(server, key, transport) as session:
        inbox = await call(session, "create_inbox", ttl_seconds=600)
        waiting = asyncio.create_task(
            call(session, "wait_for_email", inbox_id=inbox["id"], type="otp", timeout_seconds=30)
        )
        await asyncio.sleep(0.3)
        await smtp(server, inbox["email_address"], otp_email(inbox["email_address"], "615243"))
        done = await asyncio.wait_for(waiting, 30)
        assert done["status"] == "completed" and done["value"] == "615243"

        listed = await call(session, "list_emails", inbox_id=inbox["id"])
        assert listed["total"] == 1 and listed["data"][0]["id"] == done["email_id"]
        email = await call(session, "get_email", email_id=done["email_id"])
        assert "615243" in email["text"] and email["subject"].startswith("Your Acme")
        code = await call(session, "extract_code", email_id=done["email_id"])
        assert code["value"] == "615243" and code["confidence"] > 0.5


async def test_wait_for_email_times_out_with_progress(server: RunningServer, key: str) -> None:
    async with connect(server, key, "http") as session:
        inbox = await call(session, "create_inbox")
        ticks: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            ticks.append(progress)

        result = await session.call_tool(
            "wait_for_email",
            {"inbox_id": inbox["id"], "timeout_seconds": 1},
            progress_callback=on_progress,
        )
    assert not result.isError and result.structuredContent is not None
    assert result.structuredContent["status"] == "timed_out"
    assert result.structuredContent["value"] is None
    assert ticks  # the wait lasts past one progress interval (deadline + grace)


# --- tools: schemas, bad input ---------------------------------------------------------------


async def test_tools_are_listed_with_schemas_and_descriptions(
    server: RunningServer, key: str
) -> None:
    async with connect(server, key, "http") as session:
        listed = await session.list_tools()
    tools = {t.name: t for t in listed.tools}
    assert set(tools) == TOOL_NAMES
    for tool in tools.values():
        assert tool.inputSchema["type"] == "object", tool.name
        assert len(tool.description or "") > 30, tool.name
    wait = tools["wait_for_email"].inputSchema["properties"]
    assert {"wait_id", "inbox_id", "type", "timeout_seconds", "from"} <= set(wait)
    assert wait["type"]["enum"] == ["otp", "magic_link", "any"]
    assert tools["get_email"].inputSchema["required"] == ["email_id"]
    assert tools["signup"].inputSchema["properties"]["wait_type"]["enum"] == ["otp", "magic_link"]
    assert tools["list_emails"].annotations is not None
    assert tools["list_emails"].annotations.readOnlyHint is True


async def test_bad_arguments_are_tool_errors_a_model_can_read(
    server: RunningServer, key: str
) -> None:
    async with connect(server, key, "http") as session:
        unknown = await refused(session, "create_inbox", colour="blue")
        assert unknown["error"] == "invalid_request" and "colour" in unknown["message"]
        both = await refused(session, "wait_for_email")
        assert both == {"error": "invalid_request", "message": "give either wait_id or inbox_id"}
        ttl = await refused(session, "create_inbox", ttl_seconds=0)
        assert "ttl_seconds must be between" in ttl["message"]
        rule = await refused(session, "signup", wait_type="any")  # the schema's enum
        assert rule["error"] == "invalid_request"
        missing = await session.call_tool("no_such_tool", {})
        assert missing.isError


# --- owner rules: another user's ids are not found ----------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_another_users_ids_are_not_found(
    server: RunningServer, key: str, other_key: str, transport: str
) -> None:
    async with connect(server, key, "http") as owner:
        inbox = await call(owner, "create_inbox")
        sess = await call(owner, "create_session", name="mine")
        started = await call(owner, "signup", timeout_seconds=60)
    await smtp(server, inbox["email_address"], otp_email(inbox["email_address"], "112233"))

    async with connect(server, other_key, transport) as stranger:
        checks = [
            ("list_emails", "inbox_id", inbox["id"], "inb_00000000000000000000000000"),
            ("get_timeline", "session_id", sess["id"], "sess_0000000000000000000000000"),
            ("complete_session", "session_id", sess["id"], "sess_0000000000000000000000000"),
            ("wait_for_email", "wait_id", started["wait_id"], "wait_0000000000000000000000000"),
            ("interrupt", "session_id", sess["id"], "sess_0000000000000000000000000"),
        ]
        for tool, field, theirs, missing in checks:
            not_theirs = await refused(stranger, tool, **{field: theirs})
            absent = await refused(stranger, tool, **{field: missing})
            assert not_theirs == absent, tool
            assert not_theirs["error"].endswith("not_found"), (tool, not_theirs)
        for uri in (
            f"waypost://inboxes/{inbox['id']}/emails",
            f"waypost://sessions/{sess['id']}/timeline",
        ):
            for method in (stranger.read_resource, stranger.subscribe_resource):
                with pytest.raises(McpError) as caught:
                    await method(AnyUrl(uri))
                assert caught.value.error.code == -32002
        resources = await stranger.list_resources()
        assert resources.resources == []
        # the owner's session is untouched
    async with connect(server, key, "http") as owner:
        timeline = await call(owner, "get_timeline", session_id=sess["id"])
        assert [e["type"] for e in timeline["events"]] == ["session.created"]
        listed = await call(owner, "list_emails", inbox_id=inbox["id"])
        assert listed["total"] == 1


async def test_an_mcp_session_id_is_its_users_alone(
    server: RunningServer, key: str, other_key: str
) -> None:
    url = f"{server.base_url}/mcp"
    accept = {"Accept": "application/json, text/event-stream"}
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": types.LATEST_PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    }
    async with httpx.AsyncClient(timeout=10) as http:
        opened = await http.post(
            url, json=init, headers={**accept, "Authorization": f"Bearer {key}"}
        )
        assert opened.status_code == 200, opened.text
        session_id = opened.headers["mcp-session-id"]
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        session = {
            "mcp-session-id": session_id,
            "mcp-protocol-version": types.LATEST_PROTOCOL_VERSION,
        }
        as_other = await http.post(
            url, json=ping, headers={**accept, **session, "Authorization": f"Bearer {other_key}"}
        )
        assert as_other.status_code == 404
        as_owner = await http.post(
            url, json=ping, headers={**accept, **session, "Authorization": f"Bearer {key}"}
        )
        assert as_owner.status_code == 200 and '"result":{}' in as_owner.text.replace(" ", "")


# --- authentication ---------------------------------------------------------------------------


async def test_a_bad_missing_or_revoked_key_is_refused_before_any_mcp_work(
    server: RunningServer, key: str, new_user: Callable[[], str]
) -> None:
    url = f"{server.base_url}/mcp"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    revoked = server.key(new_user())
    await _revoke(server, revoked)
    async with httpx.AsyncClient(timeout=10) as http:
        for auth in (None, "Bearer wp_not-a-real-key", "Basic Zm9vOmJhcg==", f"Bearer {revoked}"):
            sent = {**headers, **({"Authorization": auth} if auth else {})}
            answer = await http.post(url, json=body, headers=sent)
            assert answer.status_code == 401, (auth, answer.text)
            assert answer.json()["error"] == "unauthorized"
            assert answer.headers["www-authenticate"] == "Bearer"
        # a good key gets past the door (the SDK then asks for initialize first)
        good = await http.post(
            url, json=body, headers={**headers, "Authorization": f"Bearer {key}"}
        )
        assert good.status_code != 401

    # the SDK's client surfaces the 401 of its initialize request as an HTTP error
    with pytest.raises(BaseExceptionGroup) as caught:
        async with connect(server, "wp_not-a-real-key", "http") as session:
            await session.list_tools()
    matched, _ = caught.value.split(httpx.HTTPStatusError)
    assert matched is not None
    assert _leaves(matched)[0].response.status_code == 401


def _leaves(group: BaseExceptionGroup[httpx.HTTPStatusError]) -> list[httpx.HTTPStatusError]:
    found: list[httpx.HTTPStatusError] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found


async def _revoke(server: RunningServer, token: str) -> None:
    """Revoke ``token`` through the key service on the server's database."""
    from waypost.auth.keys import KeyService
    from waypost.db.database import Database

    db = Database(server.settings.resolved_database_url())
    try:
        await KeyService(db).revoke(token[:10])
    finally:
        await db.dispose()


def test_stdio_bridge_refuses_to_start_with_a_bad_key(server: RunningServer) -> None:
    done = subprocess.run(
        [str(WAYPOST), "mcp"],
        env={"WAYPOST_URL": server.base_url, "WAYPOST_API_KEY": "wp_not-a-real-key"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert b"refused the API key (401)" in done.stderr
    assert done.stdout == b""  # stdout is the protocol: nothing but JSON-RPC goes there


# --- resources and subscriptions ------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_subscribed_inbox_is_notified_when_mail_arrives(
    server: RunningServer, key: str, transport: str
) -> None:
    updates = Updates()
    async with connect(server, key, transport, updates) as session:
        inbox = await call(session, "create_inbox")
        uri = AnyUrl(f"waypost://inboxes/{inbox['id']}/emails")
        templates = await session.list_resource_templates()
        assert {t.uriTemplate for t in templates.resourceTemplates} == {
            "waypost://inboxes/{inbox_id}/emails",
            "waypost://sessions/{session_id}/timeline",
        }
        listed = await session.list_resources()
        assert uri in {r.uri for r in listed.resources}
        empty = await session.read_resource(uri)
        assert '"total": 0' in _text(empty)

        await session.subscribe_resource(uri)
        await smtp(server, inbox["email_address"], otp_email(inbox["email_address"], "908172"))
        assert await updates.next() == str(uri)
        after = await session.read_resource(uri)
        assert '"total": 1' in _text(after) and "Your Acme verification code" in _text(after)

        await session.unsubscribe_resource(uri)
        await smtp(server, inbox["email_address"], otp_email(inbox["email_address"], "111111"))
        with pytest.raises(TimeoutError):
            await updates.next(within=1.5)


async def test_subscribed_timeline_is_notified_of_new_events(
    server: RunningServer, key: str
) -> None:
    updates = Updates()
    async with connect(server, key, "http", updates) as session:
        sess = await call(session, "create_session", name="watched")
        uri = AnyUrl(f"waypost://sessions/{sess['id']}/timeline")
        await session.subscribe_resource(uri)
        await call(session, "create_inbox", session_id=sess["id"])
        assert await updates.next() == str(uri)
        ended = await call(session, "complete_session", session_id=sess["id"], reason="done")
        assert ended["status"] == "completed"
        assert await updates.next() == str(uri)
        timeline = await call(session, "get_timeline", session_id=sess["id"])
        types_seen = [e["type"] for e in timeline["events"]]
        assert types_seen[0] == "session.created" and types_seen[-1] == "session.completed"
        again = await refused(session, "complete_session", session_id=sess["id"])
        assert again["error"] == "session_not_active"


async def test_agent_tools_refuse_a_session_without_an_agent(
    server: RunningServer, key: str
) -> None:
    async with connect(server, key, "http") as session:
        sess = await call(session, "create_session")
        sent = await refused(session, "send_message", session_id=sess["id"], content="hi")
        assert sent["error"] == "invalid_request" and "no agent" in sent["message"]
        stopped = await call(session, "interrupt", session_id=sess["id"])
        assert stopped == {"session_id": sess["id"], "interrupted": False}


def _text(result: types.ReadResourceResult) -> str:
    content = result.contents[0]
    assert isinstance(content, types.TextResourceContents)
    assert content.mimeType == "application/json"
    return content.text


async def test_revoking_the_key_ends_a_wait_in_progress(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    key = server.key(new_user())
    async with connect(server, key, "http") as session:
        inbox = await call(session, "create_inbox")
        waiting = asyncio.create_task(
            session.call_tool("wait_for_email", {"inbox_id": inbox["id"], "timeout_seconds": 60})
        )
        await asyncio.sleep(0.5)
        await _revoke(server, key)
        result = await asyncio.wait_for(waiting, 10)  # not the wait's 60 s
    assert result.isError and result.structuredContent is not None
    assert result.structuredContent["error"] == "key_revoked"


async def test_agent_session_answers_and_can_be_interrupted(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    key = server.key(new_user())
    long_text = " ".join(f"word{i}" for i in range(400))
    turns = [
        [{"type": "text", "text": "Hello from the agent."}],
        [{"type": "text", "text": long_text}],
    ]
    agent_body = {
        "name": "scripted",
        "chat_model_config": {
            "type": "scripted",
            "parameters": {"turns": turns, "chunk_delay_ms": 20},
        },
    }
    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as api:
        agent = await api.post("/api/v1/agents", json=agent_body)
        assert agent.status_code == 201, agent.text
        box = await api.post("/api/v1/sandboxes", json={"agent_id": agent.json()["id"]})
        assert box.status_code == 201, box.text
    async with connect(server, key, "http") as session:
        sess = await call(session, "create_session", sandbox_id=box.json()["id"], name="agent")
        assert sess["sandbox_id"] == box.json()["id"] and sess["agent_id"] is not None
        answer = await call(session, "send_message", session_id=sess["id"], content="hi")
        assert answer["status"] == "answered"
        assert answer["message"]["content"] == [{"type": "text", "text": "Hello from the agent."}]

        started = await call(
            session, "send_message", session_id=sess["id"], content="talk", wait=False
        )
        assert started == {"session_id": sess["id"], "status": "running"}
        await asyncio.sleep(0.3)
        stopped = await call(session, "interrupt", session_id=sess["id"])
        assert stopped == {"session_id": sess["id"], "interrupted": True}
        timeline = await call(session, "get_timeline", session_id=sess["id"])
        assert "session_interrupted" in [e["type"] for e in timeline["events"]]


def _bridge(server: RunningServer, key: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(WAYPOST), "mcp"],
        env={"WAYPOST_URL": server.base_url, "WAYPOST_API_KEY": key},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _rpc(bridge: subprocess.Popen[bytes], message: dict[str, Any]) -> dict[str, Any] | None:
    """Write one JSON-RPC line; read the answer line when ``message`` is a request."""
    assert bridge.stdin is not None and bridge.stdout is not None
    bridge.stdin.write(json.dumps(message).encode() + b"\n")
    bridge.stdin.flush()
    if "id" not in message:
        return None
    answer: dict[str, Any] = json.loads(bridge.stdout.readline())
    return answer


_INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": types.LATEST_PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}
_INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
_CREATE_INBOX = {
    "jsonrpc": "2.0",
    "id": 2,
    "method": "tools/call",
    "params": {"name": "create_inbox", "arguments": {}},
}


def test_stdio_bridge_ends_when_the_client_closes_stdin(server: RunningServer, key: str) -> None:
    bridge = _bridge(server, key)
    try:
        answer = _rpc(bridge, _INIT)
        assert answer is not None and answer["result"]["serverInfo"]["name"] == "waypost"
        _rpc(bridge, _INITIALIZED)
        made = _rpc(bridge, _CREATE_INBOX)
        assert made is not None and made["result"]["structuredContent"]["id"].startswith("inb_")
        assert bridge.stdin is not None
        bridge.stdin.close()
        assert bridge.wait(timeout=15) == 0
    finally:
        bridge.kill()
        bridge.wait()


def test_stdio_bridge_exits_with_a_message_when_the_server_dies(tmp_path: Path) -> None:
    """A crashed server ends the relay at once (the client sees its process exit)."""
    dying = SubprocessServer(make_settings(tmp_path / "data")).start()
    bridge = _bridge(dying, dying.key("someone"))
    try:
        _rpc(bridge, _INIT)
        _rpc(bridge, _INITIALIZED)
        assert _rpc(bridge, _CREATE_INBOX) is not None
        assert dying.signal(signal.SIGKILL) == -signal.SIGKILL
        assert bridge.stdin is not None
        bridge.stdin.write(json.dumps({**_CREATE_INBOX, "id": 3}).encode() + b"\n")
        bridge.stdin.flush()
        assert bridge.wait(timeout=20) == 1  # not hanging until the client's next line
        assert bridge.stderr is not None
        assert b"waypost mcp: lost http://" in bridge.stderr.read()
    finally:
        bridge.kill()
        bridge.wait()
        if dying.proc is not None and dying.proc.poll() is None:
            dying.proc.kill()
            dying.proc.wait()
