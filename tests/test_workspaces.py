"""Workspaces over real HTTP: CRUD, workspace_id on agents, sandboxes and sessions, list
filters, inheritance from the sandbox, and another user's workspace answering 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.servers import RunningServer
from waypost import AsyncClient, Client, NotFoundError

SCRIPTED = {"type": "scripted", "parameters": {"turns": [[{"type": "text", "text": "ok"}]]}}


def workspace(api: httpx.Client, name: str = "research", **extra: Any) -> dict[str, Any]:
    r = api.post("/api/v1/workspaces", json={"name": name, **extra})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def agent(api: httpx.Client, **extra: Any) -> dict[str, Any]:
    r = api.post("/api/v1/agents", json={"name": "a", "chat_model_config": SCRIPTED, **extra})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def ids(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return [item["id"] for item in page.json()["data"]]


def test_workspace_crud(api: httpx.Client) -> None:
    ws = workspace(api, description="papers")
    assert ws["id"].startswith("ws_") and ws["name"] == "research"
    assert ws["description"] == "papers" and ws["user_id"].startswith("usr_")
    assert api.get(f"/api/v1/workspaces/{ws['id']}").json() == ws
    other = workspace(api, "ops")
    listed = api.get("/api/v1/workspaces").json()
    assert [w["id"] for w in listed["data"]] == [other["id"], ws["id"]] and listed["total"] == 2
    first = api.get("/api/v1/workspaces", params={"limit": 1}).json()
    assert first["next_cursor"] == other["id"] and len(first["data"]) == 1

    renamed = api.patch(f"/api/v1/workspaces/{ws['id']}", json={"name": "papers"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "papers" and renamed.json()["description"] == "papers"
    assert renamed.json()["updated_at"] >= ws["updated_at"]
    described = api.patch(f"/api/v1/workspaces/{ws['id']}", json={"description": ""}).json()
    assert described["name"] == "papers" and described["description"] == ""

    assert api.post("/api/v1/workspaces", json={"name": ""}).status_code == 400
    assert api.post("/api/v1/workspaces", json={}).json()["error"] == "invalid_request"
    assert api.patch(f"/api/v1/workspaces/{ws['id']}", json={"bogus": 1}).status_code == 400

    assert api.delete(f"/api/v1/workspaces/{ws['id']}").status_code == 204
    gone = api.get(f"/api/v1/workspaces/{ws['id']}")
    assert gone.status_code == 404 and gone.json()["error"] == "workspace_not_found"
    assert api.delete(f"/api/v1/workspaces/{ws['id']}").status_code == 404


def test_workspace_id_on_agents_sandboxes_sessions_and_filters(api: httpx.Client) -> None:
    ws = workspace(api)["id"]
    other_ws = workspace(api, "other")["id"]
    inside = agent(api, workspace_id=ws)
    outside = agent(api)
    assert inside["workspace_id"] == ws and outside["workspace_id"] is None
    assert api.get(f"/api/v1/agents/{inside['id']}").json()["workspace_id"] == ws
    assert ids(api.get("/api/v1/agents", params={"workspace_id": ws})) == [inside["id"]]
    assert len(ids(api.get("/api/v1/agents"))) == 2

    # PATCH moves an agent, an explicit null takes it out, other fields leave it where it is
    moved = api.patch(f"/api/v1/agents/{outside['id']}", json={"workspaceId": other_ws})
    assert moved.status_code == 200 and moved.json()["workspace_id"] == other_ws
    renamed = api.patch(f"/api/v1/agents/{outside['id']}", json={"name": "b"}).json()
    assert renamed["workspace_id"] == other_ws
    cleared = api.patch(f"/api/v1/agents/{outside['id']}", json={"workspace_id": None}).json()
    assert cleared["workspace_id"] is None

    box = api.post("/api/v1/sandboxes", json={"agent_id": inside["id"], "workspace_id": ws})
    assert box.status_code == 201 and box.json()["workspace_id"] == ws
    plain_box = api.post("/api/v1/sandboxes", json={"agent_id": inside["id"]}).json()
    assert plain_box["workspace_id"] is None
    assert ids(api.get("/api/v1/sandboxes", params={"workspace_id": ws})) == [box.json()["id"]]
    assert api.get(f"/api/v1/sandboxes/{box.json()['id']}").json()["workspace_id"] == ws

    # a session in a sandbox of a workspace inherits it, unless it names another
    inherited = api.post(f"/api/v1/sandboxes/{box.json()['id']}/sessions", json={}).json()
    assert inherited["workspace_id"] == ws and inherited["config"]["workspace_id"] == ws
    chosen = api.post(
        f"/api/v1/sandboxes/{box.json()['id']}/sessions", json={"workspace_id": other_ws}
    ).json()
    assert chosen["config"]["workspace_id"] == other_ws
    none = api.post(f"/api/v1/sandboxes/{plain_box['id']}/sessions", json={}).json()
    assert none["workspace_id"] is None and none["config"]["workspace_id"] is None
    plain = api.post("/api/v1/sessions", json={"name": "p", "workspaceId": ws})
    assert plain.status_code == 201 and plain.json()["config"]["workspace_id"] == ws
    assert plain.json()["workspace_id"] == ws

    in_ws = api.get("/api/v1/sessions", params={"workspace_id": ws})
    assert ids(in_ws) == [plain.json()["id"], inherited["id"]] and in_ws.json()["total"] == 2
    assert ids(api.get("/api/v1/sessions", params={"workspace_id": other_ws})) == [chosen["id"]]
    assert api.get(f"/api/v1/sessions/{inherited['id']}").json()["config"]["workspace_id"] == ws


def test_deleting_a_workspace_keeps_what_was_in_it(api: httpx.Client) -> None:
    ws = workspace(api)["id"]
    a = agent(api, workspace_id=ws)
    box = api.post("/api/v1/sandboxes", json={"agent_id": a["id"], "workspace_id": ws}).json()
    session = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()
    assert api.delete(f"/api/v1/workspaces/{ws}").status_code == 204
    assert api.get(f"/api/v1/agents/{a['id']}").json()["workspace_id"] is None
    assert api.get(f"/api/v1/sandboxes/{box['id']}").json()["workspace_id"] is None
    assert api.get(f"/api/v1/sessions/{session['id']}").json()["workspace_id"] is None
    assert api.get("/api/v1/sessions", params={"workspace_id": ws}).json()["total"] == 0


def test_another_users_workspace_is_404_and_nothing_is_stored(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    theirs = workspace(other_api, "private")["id"]
    agent_body = {"name": "x", "chat_model_config": SCRIPTED, "workspaceId": theirs}
    for method, path, body in (
        ("GET", f"/api/v1/workspaces/{theirs}", None),
        ("PATCH", f"/api/v1/workspaces/{theirs}", {"name": "mine now"}),
        ("DELETE", f"/api/v1/workspaces/{theirs}", None),
        ("POST", "/api/v1/agents", agent_body),
        ("POST", "/api/v1/sandboxes", {"workspace_id": theirs}),
        ("POST", "/api/v1/sessions", {"name": "x", "workspace_id": theirs}),
    ):
        r = api.request(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"] == "workspace_not_found", r.text
    assert api.get("/api/v1/workspaces").json()["total"] == 0
    assert other_api.get(f"/api/v1/workspaces/{theirs}").json()["name"] == "private"
    assert api.get("/api/v1/agents").json()["total"] == 0
    assert api.get("/api/v1/sandboxes").json()["total"] == 0
    assert api.get("/api/v1/sessions").json()["total"] == 0

    mine = agent(api)
    box = api.post("/api/v1/sandboxes", json={"agent_id": mine["id"]}).json()
    r = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={"workspace_id": theirs})
    assert r.status_code == 404 and r.json()["error"] == "workspace_not_found"
    r = api.patch(f"/api/v1/agents/{mine['id']}", json={"workspace_id": theirs, "name": "z"})
    assert r.status_code == 404 and r.json()["error"] == "workspace_not_found"
    assert api.get(f"/api/v1/agents/{mine['id']}").json()["name"] == "a"
    assert api.get("/api/v1/sessions").json()["total"] == 0
    # a filter on someone else's workspace finds nothing of theirs
    other_api.post("/api/v1/sessions", json={"name": "t", "workspace_id": theirs})
    assert api.get("/api/v1/sessions", params={"workspace_id": theirs}).json()["total"] == 0


def test_sdk_workspaces(server: RunningServer) -> None:
    with Client(api_key=server.key("sdk-workspaces"), base_url=server.base_url) as client:
        ws = client.workspaces.create("team-a", description="first")
        assert ws.id.startswith("ws_") and ws.description == "first"
        assert client.workspaces.get(ws.id).name == "team-a"
        assert [w.id for w in client.workspaces.list().data] == [ws.id]
        assert client.workspaces.update(ws.id, name="team-b").name == "team-b"
        a = client.agents.create(name="a", chat_model_config=SCRIPTED, workspace_id=ws.id)
        assert a.workspace_id == ws.id
        assert [x.id for x in client.agents.list(workspace_id=ws.id).data] == [a.id]
        box = client.sandboxes.create(agent_id=a.id, workspace_id=ws.id)
        assert box.workspace_id == ws.id
        assert [x.id for x in client.sandboxes.list(workspace_id=ws.id).data] == [box.id]
        inherited = client.sandboxes.sessions.create(box.id)
        assert inherited.workspace_id == ws.id and inherited.config.workspace_id == ws.id
        plain = client.sessions.create("p", workspace_id=ws.id)
        assert plain.config.workspace_id == ws.id
        listed = client.sessions.list(workspace_id=ws.id)
        assert [s.id for s in listed.data] == [plain.id, inherited.id]
        client.workspaces.delete(ws.id)
        with pytest.raises(NotFoundError) as gone:
            client.workspaces.get(ws.id)
        assert gone.value.error == "workspace_not_found"


async def test_async_sdk_workspaces(server: RunningServer) -> None:
    async with AsyncClient(api_key=server.key("sdk-aws"), base_url=server.base_url) as client:
        ws = await client.workspaces.create("w")
        assert (await client.workspaces.get(ws.id)).description == ""
        assert (await client.workspaces.update(ws.id, description="d")).description == "d"
        box = await client.sandboxes.create(workspace_id=ws.id)
        assert [b.id for b in (await client.sandboxes.list(workspace_id=ws.id)).data] == [box.id]
        assert (await client.workspaces.list()).total == 1
        await client.workspaces.delete(ws.id)
        assert (await client.workspaces.list()).total == 0
