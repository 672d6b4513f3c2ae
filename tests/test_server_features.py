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


def test_openapi_documents_the_errors_the_server_sends(server: RunningServer) -> None:
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorBody"}
    assert spec["components"]["schemas"]["ErrorBody"]["required"] == ["error", "message"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            assert "422" not in op["responses"], (method, path)
            if not path.startswith("/api/v1/"):
                continue
            assert "401" in op["responses"], (method, path)
            if "{" in path:
                assert {"400", "404"} <= set(op["responses"]), (method, path)
            for code in ("400", "401", "404"):
                if code in op["responses"]:
                    schema = op["responses"][code]["content"]["application/json"]["schema"]
                    assert schema == error, (method, path, code)

    def codes(method: str, path: str) -> set[str]:
        return set(spec["paths"][path][method]["responses"])

    assert {"201", "400", "401"} <= codes("post", "/api/v1/sessions")
    assert "404" not in codes("post", "/api/v1/sessions")
    assert {"200", "400", "401"} <= codes("get", "/api/v1/sessions")  # limit, cursor
    assert {"200", "400", "401", "404", "409"} <= codes(
        "post", "/api/v1/sessions/{session_id}/messages"
    )
    assert {"204", "400", "401", "404"} <= codes("delete", "/api/v1/inboxes/{inbox_id}")
    assert codes("get", "/healthz") == {"200"}
    # what the document says is what the server answers
    assert httpx.get(f"{server.base_url}/api/v1/sessions").status_code == 401
    with server.client("openapi-errors") as api:
        assert api.get("/api/v1/sessions", params={"limit": 0}).status_code == 400
        missing = api.get("/api/v1/sessions/sess_nope")
        assert missing.status_code == 404 and set(missing.json()) == {"error", "message"}
