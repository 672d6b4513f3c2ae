"""Another user's resources answer 404 exactly like missing ones; lists never leak."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import emails_of, make_inbox, make_session, send
from tests.servers import RunningServer


@pytest.fixture
def owned(api: httpx.Client, server: RunningServer) -> dict[str, str]:
    session = make_session(api, name="private")
    inbox = make_inbox(api, session_id=session["id"])
    send(server, str(inbox["email_address"]), subject="secret")
    [email] = emails_of(api, inbox["id"])
    wait = api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp"}).json()
    extraction = api.post(f"/api/v1/emails/{email['id']}/extract").json()
    return {
        "session": str(session["id"]),
        "inbox": str(inbox["id"]),
        "email": str(email["id"]),
        "wait": str(wait["id"]),
        "extraction": str(extraction["id"]),
    }


ENDPOINTS = [
    ("GET", "/api/v1/sessions/{session}", None),
    ("POST", "/api/v1/sessions/{session}/complete", None),
    ("POST", "/api/v1/sessions/{session}/fail", None),
    ("GET", "/api/v1/sessions/{session}/timeline", None),
    ("GET", "/api/v1/sessions/{session}/events", None),
    ("GET", "/api/v1/inboxes/{inbox}", None),
    ("DELETE", "/api/v1/inboxes/{inbox}", None),
    ("GET", "/api/v1/inboxes/{inbox}/emails", None),
    ("GET", "/api/v1/emails/{email}", None),
    ("GET", "/api/v1/emails/{email}/raw", None),
    ("GET", "/api/v1/emails/{email}/attachments/0", None),
    ("POST", "/api/v1/inboxes", {"session_id": "{session}"}),
    ("GET", "/api/v1/sessions/{session}/replay", None),
    ("GET", "/api/v1/waits/{wait}", None),
    ("POST", "/api/v1/waits/{wait}/cancel", None),
    ("POST", "/api/v1/waits", {"inbox_id": "{inbox}"}),
    ("POST", "/api/v1/emails/{email}/extract", None),
    ("GET", "/api/v1/extractions/{extraction}", None),
    ("POST", "/api/v1/extract", {"text": "code 123456", "session_id": "{session}"}),
    ("POST", "/api/v1/workflows/signup", {"waitType": "otp", "sessionId": "{session}"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_other_user_gets_404_like_missing(
    owned: dict[str, str],
    other_api: httpx.Client,
    api: httpx.Client,
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    url = path.format(**owned)
    json_body = {k: v.format(**owned) for k, v in body.items()} if body else None
    theirs = other_api.request(method, url, json=json_body)
    assert theirs.status_code == 404, (url, theirs.text)
    missing = {k: f"{v.split('_')[0]}_missing" for k, v in owned.items()}
    missing_url = path.format(**missing)
    missing_body = {k: v.format(**missing) for k, v in body.items()} if body else None
    missing = other_api.request(method, missing_url, json=missing_body)
    assert theirs.json() == missing.json()  # indistinguishable from a missing id
    # and the owner still has everything intact
    assert api.get(f"/api/v1/sessions/{owned['session']}").json()["status"] == "active"
    assert api.get(f"/api/v1/emails/{owned['email']}").status_code == 200
    assert api.get(f"/api/v1/waits/{owned['wait']}").json()["status"] == "pending"


def test_lists_only_show_own_items(owned: dict[str, str], other_api: httpx.Client) -> None:
    make_session(other_api, name="mine")
    sessions = other_api.get("/api/v1/sessions").json()
    assert [s["name"] for s in sessions["data"]] == ["mine"] and sessions["total"] == 1
    assert other_api.get("/api/v1/inboxes").json()["total"] == 0
    assert other_api.get("/api/v1/waits").json()["total"] == 0
    assert other_api.get("/api/v1/extractions").json()["total"] == 0
    filtered = other_api.get("/api/v1/inboxes", params={"session_id": owned["session"]}).json()
    assert filtered["data"] == []


def test_missing_or_bad_key_is_401(server: RunningServer) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wp_nope"},
        {"Authorization": "Basic abc"},
        {"x-user-id": "alice"},
    ):
        r = httpx.get(f"{server.base_url}/api/v1/sessions", headers=headers)
        assert r.status_code == 401, headers
        assert r.json() == {"error": "unauthorized", "message": "Invalid or missing API key"}


def test_revoked_key_stops_working(server: RunningServer) -> None:
    import asyncio

    from waypost.auth.keys import KeyService, hash_key
    from waypost.db.database import Database

    key = server.key("revokee")
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{server.base_url}/api/v1/sessions", headers=headers).status_code == 200

    async def revoke() -> None:
        db = Database(server.settings.resolved_database_url())
        try:
            service = KeyService(db)
            [info] = [k for k in await service.list("revokee")]
            assert hash_key(key) != key and info.prefix == key[:10]
            await service.revoke(info.id)
        finally:
            await db.dispose()

    asyncio.run(revoke())
    # revoked through another engine (as by another process): refused on the next request
    assert httpx.get(f"{server.base_url}/api/v1/sessions", headers=headers).status_code == 401


# --- the ownership matrix: every id a request names, in a body, a query or a path ---------------
#
# User B ("theirs") creates one of everything; user A names each of B's ids in turn. Each case
# must answer exactly what the same request answers for a missing id (404 ``<x>_not_found``;
# a list filter: the same empty page), and nothing may be stored for A or changed for B.

LISTS = (
    "/api/v1/sessions",
    "/api/v1/inboxes",
    "/api/v1/waits",
    "/api/v1/extractions",
    "/api/v1/agents",
    "/api/v1/sandboxes",
    "/api/v1/credentials",
)
THEIR_MODEL = {"type": "openai", "credential_id": "{their_credential}", "model": "m"}

# (case id, method, path, JSON body); {their_x} is B's id, {my_x} is A's
MATRIX: list[tuple[str, str, str, dict[str, Any] | None]] = [
    # ids in request bodies
    ("sessions.create:agent_id", "POST", "/api/v1/sessions", {"agent_id": "{their_agent}"}),
    ("inboxes.create:session_id", "POST", "/api/v1/inboxes", {"session_id": "{their_session}"}),
    ("waits.create:inbox_id", "POST", "/api/v1/waits", {"inbox_id": "{their_inbox}"}),
    (
        "waits.create:after",
        "POST",
        "/api/v1/waits",
        {"inbox_id": "{my_inbox}", "after": "{their_email}"},
    ),
    (
        "extract:session_id",
        "POST",
        "/api/v1/extract",
        {"text": "code 123456", "session_id": "{their_session}"},
    ),
    *(
        (
            f"workflows.{kind}:session_id",
            "POST",
            f"/api/v1/workflows/{kind}",
            {"waitType": "otp", "sessionId": "{their_session}", "respond": "immediately"},
        )
        for kind in ("create-inbox-and-wait", "signup")
    ),
    (
        "agents.create:chat_model_config.credential_id",
        "POST",
        "/api/v1/agents",
        {"name": "a", "chat_model_config": THEIR_MODEL},
    ),
    (
        "agents.create:fallback_chat_model_config.credential_id",
        "POST",
        "/api/v1/agents",
        {
            "name": "a",
            "chat_model_config": {"type": "scripted"},
            "fallback_chat_model_config": THEIR_MODEL,
        },
    ),
    (
        "agents.update:chat_model_config.credential_id",
        "PATCH",
        "/api/v1/agents/{my_agent}",
        {"chat_model_config": THEIR_MODEL},
    ),
    (
        "agents.update:fallback_chat_model_config.credential_id",
        "PATCH",
        "/api/v1/agents/{my_agent}",
        {"fallback_chat_model_config": THEIR_MODEL},
    ),
    ("sandboxes.create:agent_id", "POST", "/api/v1/sandboxes", {"agent_id": "{their_agent}"}),
    (
        "sandboxes.update:agent_id",
        "PATCH",
        "/api/v1/sandboxes/{my_sandbox}",
        {"agent_id": "{their_agent}"},
    ),
    (
        "sandbox_sessions.create:agent_id",
        "POST",
        "/api/v1/sandboxes/{my_sandbox}/sessions",
        {"agent_id": "{their_agent}"},
    ),
    # ids in paths of the agent routes (the mail routes' are in ENDPOINTS above)
    ("credentials.get:path", "GET", "/api/v1/credentials/{their_credential}", None),
    ("credentials.delete:path", "DELETE", "/api/v1/credentials/{their_credential}", None),
    ("agents.get:path", "GET", "/api/v1/agents/{their_agent}", None),
    ("agents.update:path", "PATCH", "/api/v1/agents/{their_agent}", {"name": "mine now"}),
    ("agents.delete:path", "DELETE", "/api/v1/agents/{their_agent}", None),
    ("sandboxes.get:path", "GET", "/api/v1/sandboxes/{their_sandbox}", None),
    ("sandboxes.update:path", "PATCH", "/api/v1/sandboxes/{their_sandbox}", {"agent_id": None}),
    ("sandboxes.delete:path", "DELETE", "/api/v1/sandboxes/{their_sandbox}", None),
    (
        "sandbox_sessions.create:path",
        "POST",
        "/api/v1/sandboxes/{their_sandbox}/sessions",
        {"agent_id": "{my_agent}"},
    ),
    ("sandbox_sessions.list:path", "GET", "/api/v1/sandboxes/{their_sandbox}/sessions", None),
    (
        "messages.send:path",
        "POST",
        "/api/v1/sessions/{their_agent_session}/messages",
        {"content": "hi"},
    ),
    ("messages.list:path", "GET", "/api/v1/sessions/{their_agent_session}/messages", None),
    ("interrupt:path", "POST", "/api/v1/sessions/{their_agent_session}/interrupt", None),
    (
        "approvals:path",
        "POST",
        "/api/v1/sessions/{their_agent_session}/approvals/toolu_1",
        {"decision": "approve"},
    ),
    ("stream:path", "GET", "/api/v1/sessions/{their_agent_session}/stream", None),
    # ids in query strings: filters, scoped to the caller (B's id finds what a missing one does)
    ("sessions.list:agent_id", "GET", "/api/v1/sessions?agent_id={their_agent}", None),
    ("sessions.list:sandbox_id", "GET", "/api/v1/sessions?sandbox_id={their_sandbox}", None),
    ("inboxes.list:session_id", "GET", "/api/v1/inboxes?session_id={their_session}", None),
    ("waits.list:inbox_id", "GET", "/api/v1/waits?inbox_id={their_inbox}", None),
    ("waits.list:session_id", "GET", "/api/v1/waits?session_id={their_session}", None),
    ("extractions.list:session_id", "GET", "/api/v1/extractions?session_id={their_session}", None),
]


@pytest.fixture
def theirs(other_api: httpx.Client, server: RunningServer) -> dict[str, str]:
    """One of everything, owned by user B."""

    def created(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = other_api.post(path, json=body)
        assert r.status_code in (200, 201), (path, r.text)
        data: dict[str, Any] = r.json()
        return data

    credential = created(
        "/api/v1/credentials", {"provider": "openai", "name": "k", "secret": "sk-theirs"}
    )
    agent = created("/api/v1/agents", {"name": "b", "chat_model_config": {"type": "scripted"}})
    sandbox = created("/api/v1/sandboxes", {"agent_id": agent["id"]})
    agent_session = created(f"/api/v1/sandboxes/{sandbox['id']}/sessions", {})
    session = created("/api/v1/sessions", {"name": "theirs"})
    inbox = created("/api/v1/inboxes", {"session_id": session["id"]})
    send(server, str(inbox["email_address"]), subject="their code", text="code 482913")
    [email] = emails_of(other_api, inbox["id"])
    created("/api/v1/waits", {"inbox_id": inbox["id"], "type": "otp", "after": email["id"]})
    created(f"/api/v1/emails/{email['id']}/extract", {})
    return {
        "their_credential": credential["id"],
        "their_agent": agent["id"],
        "their_sandbox": sandbox["id"],
        "their_agent_session": agent_session["id"],
        "their_session": session["id"],
        "their_inbox": inbox["id"],
        "their_email": str(email["id"]),
    }


@pytest.fixture
def mine(api: httpx.Client) -> dict[str, str]:
    """What user A names alongside B's ids: an inbox, an agent, a sandbox without agent."""
    inbox = make_inbox(api)
    agent = api.post(
        "/api/v1/agents", json={"name": "a", "chat_model_config": {"type": "scripted"}}
    )
    sandbox = api.post("/api/v1/sandboxes", json={"name": "a"})
    assert agent.status_code == 201 and sandbox.status_code == 201
    return {
        "my_inbox": str(inbox["id"]),
        "my_agent": agent.json()["id"],
        "my_sandbox": sandbox.json()["id"],
    }


def _fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {k: _fill(v, ids) for k, v in template.items()}
    return template


def _everything(client: httpx.Client) -> dict[str, Any]:
    return {path: client.get(path, params={"limit": 100}).json() for path in LISTS}


@pytest.mark.parametrize(
    ("method", "path", "body"), [m[1:] for m in MATRIX], ids=[m[0] for m in MATRIX]
)
def test_ownership_matrix(
    api: httpx.Client,
    other_api: httpx.Client,
    theirs: dict[str, str],
    mine: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    missing = {k: f"{v.split('_')[0]}_missing" for k, v in theirs.items()}
    mine_before, theirs_before = _everything(api), _everything(other_api)
    real = api.request(
        method, _fill(path, {**theirs, **mine}), json=_fill(body, {**theirs, **mine})
    )
    absent = api.request(
        method, _fill(path, {**missing, **mine}), json=_fill(body, {**missing, **mine})
    )
    if "?" in path:  # a list filter: B's id finds exactly what a missing id finds, nothing
        assert real.status_code == absent.status_code == 200, (real.text, absent.text)
        assert real.json() == absent.json() and real.json()["data"] == []
    else:
        assert real.status_code == 404, (real.status_code, real.text)
        assert real.json() == absent.json(), (real.text, absent.text)
        assert set(real.json()) == {"error", "message"}
        assert real.json()["error"].endswith("_not_found")
    assert _everything(api) == mine_before  # nothing was stored for A
    assert _everything(other_api) == theirs_before  # and nothing of B's changed
