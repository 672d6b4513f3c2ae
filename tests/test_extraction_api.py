"""Extraction endpoints and replay over real HTTP."""

from __future__ import annotations

import httpx

from tests.helpers import emails_of, link_email, make_inbox, make_session, otp_email, send
from tests.servers import RunningServer


def test_extract_stored_email_is_kept_and_on_the_timeline(
    api: httpx.Client, server: RunningServer
) -> None:
    session = make_session(api)
    inbox = make_inbox(api, session_id=session["id"])
    addr = str(inbox["email_address"])
    send(server, addr, raw=otp_email(addr, "K7P-2QX"))
    [email] = emails_of(api, inbox["id"])
    r = api.post(f"/api/v1/emails/{email['id']}/extract", json={"type": "otp"})
    assert r.status_code == 201, r.text
    ext = r.json()
    assert (
        ext["id"].startswith("ext_") and ext["value"] == "K7P2QX" and ext["email_id"] == email["id"]
    )
    assert ext["candidates"] and all(0 <= c["confidence"] <= 1 for c in ext["candidates"])
    assert api.get(f"/api/v1/extractions/{ext['id']}").json()["value"] == "K7P2QX"
    assert api.get(f"/api/v1/sessions/{session['id']}").json()["extractions"] == [ext["id"]]
    listed = api.get("/api/v1/extractions", params={"session_id": session["id"]}).json()
    assert [e["id"] for e in listed["data"]] == [ext["id"]]
    auto = api.post(f"/api/v1/emails/{email['id']}/extract").json()
    assert auto["type"] == "otp" and auto["value"] == "K7P2QX"


def test_extract_posted_raw_message_and_parts(api: httpx.Client) -> None:
    raw = link_email("me@example.com", "https://example.com/verify?token=abc123").decode()
    r = api.post("/api/v1/extract", json={"raw": raw, "type": "magic_link"})
    assert r.status_code == 201 and r.json()["value"] == "https://example.com/verify?token=abc123"
    parts = api.post(
        "/api/v1/extract",
        json={
            "subject": "Your code",
            "text": "Your verification code is 604 938. Order #12345678 shipped.",
            "type": "otp",
        },
    )
    assert parts.json()["value"] == "604938"
    none = api.post(
        "/api/v1/extract",
        json={
            "subject": "Receipt",
            "text": "Thanks for your order of $49.99 on 12/06/2024 at 10:30.",
            "type": "otp",
        },
    ).json()
    assert none["value"] is None or none["confidence"] < 0.5


def test_extraction_bad_input(
    api: httpx.Client, other_api: httpx.Client, server: RunningServer
) -> None:
    assert api.post("/api/v1/extract", json={"type": "otp"}).status_code == 400
    r = api.post("/api/v1/extract", json={"text": "x", "type": "sms"})
    assert r.status_code == 400 and "type" in r.json()["message"]
    inbox = make_inbox(api)
    send(server, str(inbox["email_address"]), raw=otp_email(str(inbox["email_address"])))
    [email] = emails_of(api, inbox["id"])
    assert other_api.post(f"/api/v1/emails/{email['id']}/extract").status_code == 404
    ext = api.post(f"/api/v1/emails/{email['id']}/extract").json()
    assert other_api.get(f"/api/v1/extractions/{ext['id']}").status_code == 404
    session = make_session(api)
    theirs = other_api.post(
        "/api/v1/extract", json={"text": "code 123456", "session_id": session["id"]}
    )
    assert theirs.status_code == 404


def test_replay_returns_recorded_steps(api: httpx.Client, server: RunningServer) -> None:
    session = make_session(api, name="replayed")
    r = api.post(
        "/api/v1/workflows/create-inbox-and-wait",
        json={"waitType": "otp", "sessionId": session["id"], "respond": "immediately"},
    ).json()
    addr = r["inbox"]["email_address"]
    send(server, addr, raw=otp_email(addr, "555 123"))
    api.get(f"/api/v1/waits/{r['wait']['id']}", params={"block": "true"})
    api.post(f"/api/v1/sessions/{session['id']}/complete")
    replay = api.get(f"/api/v1/sessions/{session['id']}/replay").json()
    steps = replay["steps"]
    assert [s["seq"] for s in steps] == list(range(1, len(steps) + 1))
    by_type = {s["type"]: s for s in steps}
    assert by_type["session.created"]["input"] == {"name": "replayed"}
    assert by_type["wait.created"]["input"]["wait_type"] == "otp"
    assert by_type["wait.created"]["output"]["wait_id"] == r["wait"]["id"]
    assert by_type["wait.completed"]["output"]["result"]["value"] == "555123"
    assert by_type["extraction.completed"]["output"]["value"] == "555123"
    assert steps[-1]["type"] == "session.completed"
    assert api.get("/api/v1/sessions/sess_nope/replay").status_code == 404
