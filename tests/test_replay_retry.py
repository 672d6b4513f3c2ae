"""``POST /api/v1/sessions/{id}/replay {"mode": "retry"}``: failed workflows run again."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx

from tests.helpers import make_session, otp_email, send
from tests.servers import RunningServer

WORKFLOWS = "/api/v1/workflows"


def _replay(api: httpx.Client, session_id: object, **body: Any) -> httpx.Response:
    return api.post(f"/api/v1/sessions/{session_id}/replay", json={"mode": "retry", **body})


def _timed_out_signup(api: httpx.Client, timeout: int = 2, **body: Any) -> dict[str, Any]:
    """A session whose signup workflow timed out; returns the session and the workflow."""
    session = make_session(api, name="retry-me")
    r = api.post(
        f"{WORKFLOWS}/signup",
        json={
            "waitType": "otp",
            "timeoutSeconds": timeout,
            "ttlSeconds": 3600,
            "sessionId": session["id"],
            "metadata": {"flow": "acme"},
            "criteria": {"from": "acme.test"},
            "confidenceThreshold": 0.4,
            **body,
        },
    )
    assert r.status_code == 408, r.text
    assert r.json()["wait"]["status"] == "timed_out"
    return {"session": session, "workflow": r.json()}


def _events(api: httpx.Client, session_id: object) -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/sessions/{session_id}/timeline")
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def test_retry_immediately_makes_a_new_inbox_and_wait_that_completes(
    api: httpx.Client, server: RunningServer
) -> None:
    before = _timed_out_signup(api)
    old_inbox, old_wait = before["workflow"]["inbox"], before["workflow"]["wait"]
    sid = before["session"]["id"]

    r = _replay(api, sid, respond="immediately")
    assert r.status_code == 201, r.text
    body = r.json()
    new = body["session"]
    assert body["replay_of"] == sid and body["divergence"] is None
    assert new["id"] != sid and new["source"] == "replay"
    assert new["metadata"] == {"replay_of": sid, "replay_mode": "retry"}
    [item] = body["workflows"]
    assert item["workflow"] == "signup"
    assert item["retry_of"] == {
        "inbox_id": old_inbox["id"],
        "wait_id": old_wait["id"],
        "status": "timed_out",
    }
    inbox, wait = item["inbox"], item["wait"]
    assert inbox["id"] != old_inbox["id"]
    assert inbox["email_address"] != old_inbox["email_address"]
    assert inbox["email_address"].endswith("@" + server.settings.domain)
    assert inbox["metadata"] == {"flow": "acme"}
    assert wait["status"] == "pending" and wait["result"] is None
    assert wait["type"] == "otp" and wait["timeout_seconds"] == 2
    assert wait["criteria"] == old_wait["criteria"]
    assert wait["confidence_threshold"] == 0.4
    # the new session holds the new inbox and wait; the inbox lives as long as the old one
    assert new["inboxes"] == [inbox["id"]] and new["waits"] == [wait["id"]]
    got = api.get(f"/api/v1/inboxes/{inbox['id']}").json()
    assert got["session_id"] == new["id"]
    assert abs(_seconds(got["expires_at"]) - _seconds(got["created_at"]) - 3600) < 2

    send(server, inbox["email_address"], raw=otp_email(inbox["email_address"], "482 913"))
    done = api.get(f"/api/v1/waits/{wait['id']}", params={"block": "true"}).json()
    assert done["status"] == "completed" and done["result"]["value"] == "482913"

    # session.replayed on both timelines; the workflow started again on the new one
    for target in (sid, new["id"]):
        replayed = [e["data"] for e in _events(api, target) if e["type"] == "session.replayed"]
        assert replayed == [{"mode": "retry", "replay_of": sid, "replay_session_id": new["id"]}]
    started = [e["data"] for e in _events(api, new["id"]) if e["type"] == "workflow.started"]
    assert started == [{"workflow": "signup", "inbox_id": inbox["id"], "wait_id": wait["id"]}]
    # the original is untouched
    assert api.get(f"/api/v1/waits/{old_wait['id']}").json()["status"] == "timed_out"


def test_retry_blocks_until_the_mail_arrives(api: httpx.Client, server: RunningServer) -> None:
    before = _timed_out_signup(api)
    sid = before["session"]["id"]
    # the retried wait times out after 2 s too; the mail goes as soon as the new inbox
    # shows up in the caller's inboxes, while the replay call is still holding
    known = {i["id"] for i in api.get("/api/v1/inboxes").json()["data"]}
    sent: list[str] = []

    def deliver() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for inbox in api.get("/api/v1/inboxes").json()["data"]:
                if inbox["id"] not in known:
                    address = inbox["email_address"]
                    send(server, address, raw=otp_email(address, "105 377"))
                    sent.append(address)
                    return
            time.sleep(0.02)

    thread = threading.Thread(target=deliver)
    thread.start()
    r = _replay(api, sid)
    thread.join()
    assert r.status_code == 201, r.text
    [item] = r.json()["workflows"]
    assert sent == [item["inbox"]["email_address"]]
    assert item["wait"]["status"] == "completed"
    assert item["wait"]["result"]["value"] == "105377"


def test_blocking_retry_reports_a_second_timeout(api: httpx.Client) -> None:
    before = _timed_out_signup(api, timeout=1)
    r = _replay(api, before["session"]["id"])
    assert r.status_code == 201, r.text
    [item] = r.json()["workflows"]
    assert item["wait"]["status"] == "timed_out" and item["wait"]["result"] is None


def test_username_is_honoured(api: httpx.Client, server: RunningServer) -> None:
    before = _timed_out_signup(api, timeout=1)
    username = f"retry-{uuid.uuid4().hex[:10]}"
    r = _replay(api, before["session"]["id"], respond="immediately", username=username)
    assert r.status_code == 201, r.text
    [item] = r.json()["workflows"]
    assert item["inbox"]["email_address"] == f"{username}@{server.settings.domain}"
    # taken now: a second retry with it is refused before anything is made
    sessions = api.get("/api/v1/sessions").json()["total"]
    again = _replay(api, before["session"]["id"], respond="immediately", username=username)
    assert again.status_code == 409 and again.json()["error"] == "inbox_exists"
    assert api.get("/api/v1/sessions").json()["total"] == sessions
    bad = _replay(api, before["session"]["id"], username="no spaces")
    assert bad.status_code == 400


def test_cancelled_and_direct_waits_are_retried_too(api: httpx.Client) -> None:
    session = make_session(api)
    r = api.post(
        f"{WORKFLOWS}/create-inbox-and-wait",
        json={"waitType": "any", "sessionId": session["id"], "respond": "immediately"},
    )
    assert r.status_code == 202, r.text
    workflow_wait = r.json()["wait"]["id"]
    inbox = r.json()["inbox"]
    # a second wait on the same inbox, created directly; both are cancelled
    direct = api.post(
        "/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 60}
    )
    assert direct.status_code == 201, direct.text
    for wait_id in (workflow_wait, direct.json()["id"]):
        assert api.post(f"/api/v1/waits/{wait_id}/cancel").json()["status"] == "cancelled"

    r = _replay(api, session["id"], respond="immediately")
    assert r.status_code == 201, r.text
    items = r.json()["workflows"]
    assert [i["workflow"] for i in items] == ["create-inbox-and-wait", "wait"]
    assert [i["retry_of"]["wait_id"] for i in items] == [workflow_wait, direct.json()["id"]]
    assert [i["retry_of"]["status"] for i in items] == ["cancelled", "cancelled"]
    # one new inbox for the one original inbox, both waits on it
    assert items[0]["inbox"] == items[1]["inbox"] and items[0]["inbox"]["id"] != inbox["id"]
    assert [i["wait"]["type"] for i in items] == ["any", "otp"]
    assert all(i["wait"]["status"] == "pending" for i in items)
    assert all(i["wait"]["inbox_id"] == items[0]["inbox"]["id"] for i in items)
    assert items[1]["wait"]["timeout_seconds"] == 60
    for item in items:  # not left pending by the test
        api.post(f"/api/v1/waits/{item['wait']['id']}/cancel")


def test_nothing_to_retry(api: httpx.Client, server: RunningServer) -> None:
    empty = make_session(api)
    r = _replay(api, empty["id"])
    assert r.status_code == 409 and r.json()["error"] == "nothing_to_retry"

    session = make_session(api)
    address = f"done-{uuid.uuid4().hex[:10]}@{server.settings.domain}"
    threading.Timer(0.3, send, (server, address), {"raw": otp_email(address)}).start()
    r = api.post(
        f"{WORKFLOWS}/signup",
        json={"waitType": "otp", "sessionId": session["id"], "username": address.split("@")[0]},
    )
    assert r.status_code == 201 and r.json()["wait"]["status"] == "completed", r.text
    r = _replay(api, session["id"], respond="immediately")
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "nothing_to_retry"
    # no new session, nothing on the timeline
    assert all(e["type"] != "session.replayed" for e in _events(api, session["id"]))


def test_another_users_session_is_not_found(api: httpx.Client, other_api: httpx.Client) -> None:
    before = _timed_out_signup(api, timeout=1)
    r = _replay(other_api, before["session"]["id"], respond="immediately")
    assert r.status_code == 404, r.text
    assert r.json()["error"] == "session_not_found"
    assert all(e["type"] != "session.replayed" for e in _events(api, before["session"]["id"]))


def _seconds(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
