"""Seed 001's workflows, verbatim: shapes, statuses, messages, atomic rollback, 202 and SSE."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx
import pytest

from tests.helpers import link_email, make_session, otp_email, send
from tests.servers import RunningServer

PATH = "/api/v1/workflows"


def _address(server: RunningServer, username: str) -> str:
    return f"{username}@{server.settings.domain}"


def _later(seconds: float, fn: Any, *args: Any, **kwargs: Any) -> None:
    threading.Timer(seconds, fn, args, kwargs).start()


def test_create_inbox_and_wait_blocks_until_the_code_arrives(
    api: httpx.Client, server: RunningServer
) -> None:
    session = make_session(api, name="workflow-signup")
    username = f"wf-{uuid.uuid4().hex[:10]}"
    addr = _address(server, username)
    _later(0.5, send, server, addr, raw=otp_email(addr, "123 456"))
    r = api.post(
        f"{PATH}/create-inbox-and-wait",
        json={
            "waitType": "otp",
            "timeoutSeconds": 120,
            "ttlSeconds": 3600,
            "sessionId": session["id"],
            "metadata": {"workflow": "signup"},
            "username": username,
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["inbox"]["email_address"] == addr and body["inbox"]["id"].startswith("inb_")
    assert body["inbox"]["metadata"] == {"workflow": "signup"} and body["inbox"]["expires_at"]
    assert body["wait"]["status"] == "completed"
    assert body["wait"]["result"]["type"] == "otp" and body["wait"]["result"]["value"] == "123456"
    assert 0 < body["wait"]["result"]["confidence"] <= 1
    assert body["session"] == {"id": session["id"], "name": "workflow-signup", "status": "active"}
    types = [
        e["type"] for e in api.get(f"/api/v1/sessions/{session['id']}/timeline").json()["events"]
    ]
    assert types[:4] == ["session.created", "inbox.created", "wait.created", "workflow.started"]
    assert types[-1] == "wait.completed"


def test_signup_magic_link(api: httpx.Client, server: RunningServer) -> None:
    username = f"su-{uuid.uuid4().hex[:10]}"
    addr = _address(server, username)
    link = "https://example.com/verify?token=abc123"
    _later(0.5, send, server, addr, raw=link_email(addr, link))
    r = api.post(f"{PATH}/signup", json={"waitType": "magic_link", "username": username})
    assert r.status_code == 201, r.text
    assert r.json()["wait"]["result"]["value"] == link
    assert r.json()["wait"]["timeout_seconds"] == 300  # signup's default
    assert r.json()["session"] is None


def test_timeout_is_408_with_the_inbox_still_returned(api: httpx.Client) -> None:
    r = api.post(f"{PATH}/create-inbox-and-wait", json={"wait_type": "otp", "timeout_seconds": 1})
    assert r.status_code == 408
    body = r.json()
    assert body["wait"]["status"] == "timed_out" and body["wait"]["result"] is None
    assert body["session"] is None
    assert api.get(f"/api/v1/inboxes/{body['inbox']['id']}").status_code == 200


def test_seed_error_messages(api: httpx.Client, server: RunningServer) -> None:
    r = api.post(f"{PATH}/create-inbox-and-wait", json={"timeoutSeconds": 120})
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_request", "message": "waitType is required"}
    r = api.post(f"{PATH}/signup", json={"waitType": "any"})
    assert r.json() == {"error": "invalid_request", "message": "waitType must be otp or magic_link"}
    r = api.post(f"{PATH}/create-inbox-and-wait", json={"waitType": "sms"})
    assert r.status_code == 400 and r.json()["message"] == "waitType must be otp, magic_link or any"
    r = httpx.post(f"{server.base_url}{PATH}/signup", json={"waitType": "otp"})
    assert r.status_code == 401
    assert r.json() == {"error": "unauthorized", "message": "Invalid or missing API key"}
    r = api.post(f"{PATH}/signup", json={"waitType": "otp", "sessionId": "sess_nope"})
    assert r.status_code == 404 and r.json()["error"] == "session_not_found"
    assert api.get("/api/v1/inboxes").json()["total"] == 0  # nothing left behind by bad input


@pytest.mark.parametrize("step", ["session", "inbox", "wait", "timeline"])
def test_failure_at_any_step_rolls_everything_back(api: httpx.Client, step: str) -> None:
    session = make_session(api)
    before = api.get(f"/api/v1/sessions/{session['id']}/timeline").json()["events"]
    username = f"rb-{uuid.uuid4().hex[:10]}"
    r = api.post(
        f"{PATH}/signup",
        json={"waitType": "otp", "sessionId": session["id"], "username": username, "fail_at": step},
    )
    assert r.status_code == 500
    assert r.json() == {
        "error": "workflow_rolled_back",
        "message": "Workflow failed and was rolled back",
    }
    assert api.get("/api/v1/inboxes").json()["total"] == 0
    assert api.get("/api/v1/waits").json()["total"] == 0
    assert api.get(f"/api/v1/sessions/{session['id']}/timeline").json()["events"] == before
    detail = api.get(f"/api/v1/sessions/{session['id']}").json()
    assert detail["inboxes"] == [] and detail["waits"] == []
    # the address is free again: nothing orphaned holds it
    ok = api.post(
        f"{PATH}/create-inbox-and-wait",
        json={"waitType": "otp", "username": username, "respond": "immediately"},
    )
    assert ok.status_code == 202


def test_respond_immediately_then_long_poll(api: httpx.Client, server: RunningServer) -> None:
    r = api.post(
        f"{PATH}/create-inbox-and-wait", json={"waitType": "otp", "respond": "immediately"}
    )
    assert r.status_code == 202
    body = r.json()
    assert body["wait"]["status"] == "pending" and body["wait"]["result"] is None
    addr = body["inbox"]["email_address"]
    _later(0.3, send, server, addr, raw=otp_email(addr, "246 810"))
    done = api.get(f"/api/v1/waits/{body['wait']['id']}", params={"block": "true"}).json()
    assert done["status"] == "completed" and done["result"]["value"] == "246810"


def test_stream_sends_inbox_first_then_the_result(api: httpx.Client, server: RunningServer) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    with api.stream(
        "POST", f"{PATH}/signup", json={"waitType": "otp"}, headers={"Accept": "text/event-stream"}
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                if name == "inbox.created":
                    addr = events[0][1]["inbox"]["email_address"]
                    send(server, addr, raw=otp_email(addr, "975 310"))
    assert [n for n, _ in events] == ["inbox.created", "wait.completed"]
    assert events[0][1]["wait"]["status"] == "pending"
    assert events[1][1]["wait"]["result"]["value"] == "975310"


def test_fail_at_requires_chaos_mode(tmp_path: Any) -> None:
    from tests.servers import ThreadServer, make_settings

    server = ThreadServer(make_settings(tmp_path)).start()
    try:
        with server.client("prod") as api:
            r = api.post(f"{PATH}/signup", json={"waitType": "otp", "fail_at": "inbox"})
            assert r.status_code == 400 and "chaos" in r.json()["message"]
            assert api.get("/api/v1/inboxes").json()["total"] == 0
    finally:
        server.stop()


TIMEOUT_RANGE = "timeout_seconds must be between 1 and 3600"
TTL_RANGE = "ttl_seconds must be between 1 and 2592000"
THRESHOLD_RANGE = "confidence_threshold must be between 0 and 1"


@pytest.mark.parametrize(
    ("field", "value", "message", "alone"),
    [
        ("timeoutSeconds", 0, TIMEOUT_RANGE, "/api/v1/waits"),  # was silently 120 here
        ("timeoutSeconds", -5, TIMEOUT_RANGE, "/api/v1/waits"),
        ("timeout_seconds", 3601, TIMEOUT_RANGE, "/api/v1/waits"),
        ("timeout_seconds", 10**30, TIMEOUT_RANGE, "/api/v1/waits"),
        ("ttlSeconds", 0, TTL_RANGE, "/api/v1/inboxes"),
        ("ttl_seconds", -1, TTL_RANGE, "/api/v1/inboxes"),
        ("ttl_seconds", 10**30, TTL_RANGE, "/api/v1/inboxes"),
        ("confidenceThreshold", -0.5, THRESHOLD_RANGE, "/api/v1/waits"),
        ("confidence_threshold", 1.5, THRESHOLD_RANGE, "/api/v1/waits"),
    ],
)
def test_ranges_are_the_same_in_workflows_and_on_their_own(
    api: httpx.Client, field: str, value: int | float, message: str, alone: str
) -> None:
    """A workflow's inbox and wait fields follow the rules of /inboxes and /waits exactly."""
    inbox = api.post("/api/v1/inboxes", json={}).json()
    own_body = {field: value, **({"inbox_id": inbox["id"]} if alone.endswith("waits") else {})}
    own = api.post(alone, json=own_body)
    assert own.status_code == 400, own.text
    assert own.json() == {"error": "invalid_request", "message": message}
    for kind in ("create-inbox-and-wait", "signup"):
        body = {"waitType": "otp", "respond": "immediately", field: value}
        r = api.post(f"{PATH}/{kind}", json=body)
        assert r.status_code == 400, (kind, r.text)
        assert r.json() == own.json()  # the same status, code and words
    assert api.get("/api/v1/inboxes").json()["total"] == 1  # only the one made above
    assert api.get("/api/v1/waits").json()["total"] == 0


def test_range_ends_are_accepted_by_workflows(api: httpx.Client) -> None:
    for timeout, ttl in ((1, 1), (3600, 30 * 24 * 3600)):
        r = api.post(
            f"{PATH}/create-inbox-and-wait",
            json={
                "waitType": "any",
                "respond": "immediately",
                "timeoutSeconds": timeout,
                "ttlSeconds": ttl,
                "confidenceThreshold": 1 if timeout == 1 else 0,
            },
        )
        assert r.status_code == 202, r.text
        assert r.json()["wait"]["timeout_seconds"] == timeout
    # absent, the workflow's own default (not the wait's) still applies
    r = api.post(f"{PATH}/signup", json={"waitType": "otp", "respond": "immediately"})
    assert r.status_code == 202 and r.json()["wait"]["timeout_seconds"] == 300
