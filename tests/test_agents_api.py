"""Credentials, agents and sandboxes over real HTTP: secrets sealed, defaults, ownership."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import httpx

from tests.servers import RunningServer

SECRET = "sk-test-DO-NOT-LEAK-1234567890abcdef"


def _credential(api: httpx.Client, **extra: object) -> dict[str, object]:
    r = api.post(
        "/api/v1/credentials",
        json={
            "provider": "openai",
            "name": "main",
            "secret": SECRET,
            "baseUrl": "http://127.0.0.1:9/v1",
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    data: dict[str, object] = r.json()
    return data


def test_credential_secret_is_never_returned_nor_stored_in_clear(
    api: httpx.Client, server: RunningServer
) -> None:
    cred = _credential(api)
    assert str(cred["id"]).startswith("cred_") and cred["has_secret"] is True
    everything = [
        api.post(
            "/api/v1/credentials", json={"provider": "openai", "name": "x", "secret": SECRET}
        ).text,
        api.get(f"/api/v1/credentials/{cred['id']}").text,
        api.get("/api/v1/credentials").text,
        api.get("/openapi.json").text,
    ]
    assert all(SECRET not in text for text in everything)
    if server.settings.database_url is None:
        # read by another process: closing any descriptor of the database in this one
        # would drop the running server's POSIX locks on it (and let the next writer of
        # another process corrupt it)
        files = [server.settings.data_dir / n for n in ("waypost.db", "waypost.db-wal")]
        shown = [str(f) for f in files if f.exists()]
        db_bytes = subprocess.run(["cat", *shown], capture_output=True, check=True).stdout
        assert SECRET.encode() not in db_bytes
        key_file = server.settings.data_dir / "secret.key"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        for name in ("waypost.db", "waypost.db-wal", "waypost.db-shm"):  # no umask here:
            path = server.settings.data_dir / name  # the database is created 0600 anyway
            if path.exists():
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    bad = api.post(
        "/api/v1/credentials", json={"provider": "skynet", "name": "x", "secret": SECRET}
    )
    assert bad.status_code == 400 and SECRET not in bad.text
    assert api.delete(f"/api/v1/credentials/{cred['id']}").status_code == 204
    assert api.get(f"/api/v1/credentials/{cred['id']}").status_code == 404


def test_agent_gets_seed_defaults(api: httpx.Client) -> None:
    cred = _credential(api)
    r = api.post(
        "/api/v1/agents",
        json={
            "name": "coder",
            "chatModelConfig": {"type": "openai", "credentialId": cred["id"], "model": "gpt-x"},
        },
    )
    assert r.status_code == 201, r.text
    agent = r.json()
    assert agent["id"].startswith("agt_")
    assert agent["system_prompt"] == "You're a helpful assistant."
    assert agent["react_config"] == {"max_iters": 20, "stop_on_reject": False}
    ctx = agent["context_config"]
    assert (
        ctx["trigger_ratio"] == 0.8
        and ctx["reserve_ratio"] == 0.1
        and ctx["tool_result_limit"] == 3000
    )
    assert ctx["compression_prompt"].startswith("<system-hint>You have been working on the task")
    assert "{task_overview}" in ctx["summary_template"] and ctx["summary_schema"] == {}
    updated = api.patch(
        f"/api/v1/agents/{agent['id']}", json={"reactConfig": {"max_iters": 5}}
    ).json()
    assert updated["react_config"] == {"max_iters": 5, "stop_on_reject": False}
    assert updated["name"] == "coder"
    assert api.get("/api/v1/agents").json()["total"] == 1
    assert api.delete(f"/api/v1/agents/{agent['id']}").status_code == 204
    assert api.get(f"/api/v1/agents/{agent['id']}").json()["error"] == "agent_not_found"


def test_agent_validation(api: httpx.Client, other_api: httpx.Client) -> None:
    theirs = _credential(other_api)
    r = api.post(
        "/api/v1/agents",
        json={
            "name": "a",
            "chat_model_config": {"type": "openai", "credential_id": theirs["id"], "model": "m"},
        },
    )
    assert r.status_code == 404 and r.json()["error"] == "credential_not_found"
    for config, needle in [
        ({"type": "openai", "model": "m"}, "credential_id"),
        ({"type": "cohere", "model": "m"}, "type"),
        ({"type": "scripted", "colour": "x"}, "colour"),
    ]:
        r = api.post("/api/v1/agents", json={"name": "a", "chat_model_config": config})
        assert r.status_code == 400 and needle in r.json()["message"], (config, r.text)
    r = api.post(
        "/api/v1/agents",
        json={
            "name": "a",
            "chat_model_config": {"type": "scripted"},
            "react_config": {"max_iters": 0},
        },
    )
    assert r.status_code == 400 and "max_iters" in r.json()["message"]


def test_sandbox_owns_a_directory_and_removes_it(
    api: httpx.Client, other_api: httpx.Client, server: RunningServer
) -> None:
    agent = api.post(
        "/api/v1/agents", json={"name": "s", "chat_model_config": {"type": "scripted"}}
    ).json()
    r = api.post("/api/v1/sandboxes", json={"name": "box", "agent_id": agent["id"]})
    assert r.status_code == 201, r.text
    box = r.json()
    assert box["id"].startswith("sbx_") and box["agent_id"] == agent["id"]
    path = Path(server.settings.data_dir) / "sandboxes" / box["id"]
    assert path.is_dir()
    (path / "notes.txt").write_text("hi")
    assert other_api.get(f"/api/v1/sandboxes/{box['id']}").status_code == 404
    assert other_api.delete(f"/api/v1/sandboxes/{box['id']}").status_code == 404
    assert path.exists()
    assert other_api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).status_code == 404
    assert api.delete(f"/api/v1/sandboxes/{box['id']}").status_code == 204
    assert not path.exists()
