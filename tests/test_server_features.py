"""OpenAPI, health, the expiry reaper and the trusted-gateway identity mode."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import emails_of, make_inbox, send
from tests.servers import RunningServer, ThreadServer, make_settings


def test_health_and_openapi_need_no_key(server: RunningServer) -> None:
    health = httpx.get(f"{server.base_url}/healthz").json()
    assert health["status"] == "ok"
    import shutil

    expected = "available" if shutil.which("bwrap") else "unavailable: "
    assert health["run_command"].startswith(expected)
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for path in ("/api/v1/sessions", "/api/v1/inboxes", "/api/v1/emails/{email_id}/raw"):
        assert path in spec["paths"], path
    assert httpx.get(f"{server.base_url}/docs").status_code == 200


@pytest.fixture(scope="module")
def special_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    settings = make_settings(
        Path(tmp_path_factory.mktemp("special")),
        trusted_gateway=True,
        reaper_interval_seconds=0.2,
        sse_keepalive_seconds=0.2,
    )
    server = ThreadServer(settings).start()
    yield server
    server.stop()


def test_reaper_purges_expired_inboxes_and_mail(special_server: ThreadServer) -> None:
    with special_server.client("reaped") as api:
        short = make_inbox(api, ttl_seconds=1)
        kept = make_inbox(api, ttl_seconds=600)
        send(special_server, [str(short["email_address"]), str(kept["email_address"])])
        [email] = emails_of(api, short["id"])
        deadline = time.monotonic() + 5
        while api.get(f"/api/v1/inboxes/{short['id']}").status_code == 200:
            assert time.monotonic() < deadline, "expired inbox was not purged"
            time.sleep(0.1)
        assert api.get(f"/api/v1/emails/{email['id']}").status_code == 404
        assert len(emails_of(api, kept["id"])) == 1


def test_trusted_gateway_honours_x_user_id(special_server: ThreadServer) -> None:
    base = special_server.base_url
    created = httpx.post(
        f"{base}/api/v1/sessions", json={"name": "gw"}, headers={"x-user-id": "tenant-a"}
    )
    assert created.status_code == 201
    mine = httpx.get(f"{base}/api/v1/sessions", headers={"x-user-id": "tenant-a"}).json()
    theirs = httpx.get(f"{base}/api/v1/sessions", headers={"x-user-id": "tenant-b"}).json()
    assert [s["name"] for s in mine["data"]] == ["gw"] and theirs["total"] == 0
    assert httpx.get(f"{base}/api/v1/sessions").status_code == 401
    # a Bearer key still wins over the header
    with special_server.client("keyed") as api:
        assert api.get("/api/v1/sessions", headers={"x-user-id": "tenant-a"}).json()["total"] == 0


def test_streams_send_keepalives(special_server: ThreadServer) -> None:
    with special_server.client("keepalive") as api:
        session = api.post("/api/v1/sessions", json={"name": "quiet"}).json()
        with api.stream("GET", f"/api/v1/sessions/{session['id']}/events") as r:
            lines = []
            for line in r.iter_lines():
                lines.append(line)
                if line == ": keepalive":
                    break
        assert ": keepalive" in lines
        agent = api.post(
            "/api/v1/agents", json={"name": "k", "chat_model_config": {"type": "scripted"}}
        ).json()
        box = api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
        sid = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
        with api.stream("GET", f"/api/v1/sessions/{sid}/stream") as r:
            for line in r.iter_lines():
                if line == "event: keepalive":
                    break
            else:
                raise AssertionError("no keepalive event on the agent stream")
