"""Shared steps of the browser tests: signing in, scripted agents."""

from __future__ import annotations

from typing import Any

import httpx

from tests.servers import RunningServer

TIMEOUT_MS = 10_000


def sign_in(browser: Any, server: RunningServer, user: str, width: int = 1280) -> tuple[Any, str]:
    """A new browser context signed in through the form as ``user``; returns (page, key)."""
    key = server.key(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.base_url + "/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Sessions").wait_for()
    return page, key


def client(server: RunningServer, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def tool(name: str, input: dict[str, Any], id: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": id, "name": name, "input": input}


def scripted_session(api: httpx.Client, turns: list[Any], **agent: Any) -> str:
    """A session in a new sandbox whose agent plays ``turns`` (the scripted provider)."""
    params = {"turns": turns, **agent.pop("params", {})}
    body = {"name": "scripted", "chat_model_config": {"type": "scripted", "parameters": params}}
    r = api.post("/api/v1/agents", json={**body, **agent})
    assert r.status_code == 201, r.text
    box = api.post("/api/v1/sandboxes", json={"agent_id": r.json()["id"]}).json()
    session = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={"name": "agent run"})
    assert session.status_code == 201, session.text
    return str(session.json()["id"])
