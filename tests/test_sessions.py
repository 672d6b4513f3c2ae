"""Sessions (seed 000) over real HTTP: create, list with cursor, get, complete, fail, timeline."""

from __future__ import annotations

import httpx

from tests.helpers import make_inbox, make_session


def test_create_session_answers_201_with_seed_shape(api: httpx.Client) -> None:
    r = api.post("/api/v1/sessions", json={"name": "user-signup-flow", "metadata": {"team": "qa"}})
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("sess_") and len(body["id"]) == 31
    assert body["name"] == "user-signup-flow"
    assert body["status"] == "active"
    assert body["metadata"] == {"team": "qa"}
    assert body["inboxes"] == [] and body["waits"] == [] and body["extractions"] == []
    assert body["created_at"].endswith("Z") and body["updated_at"]


def test_get_session_lists_its_inboxes_and_counts(api: httpx.Client) -> None:
    session = make_session(api)
    a = make_inbox(api, session_id=session["id"])
    b = make_inbox(api, sessionId=session["id"])  # camelCase accepted
    got = api.get(f"/api/v1/sessions/{session['id']}").json()
    assert got["inboxes"] == [a["id"], b["id"]]
    assert got["counts"]["inboxes"] == 2
    assert got["counts"]["events"] == 3  # session.created + 2 × inbox.created


def test_missing_session_is_seed_error(api: httpx.Client) -> None:
    r = api.get("/api/v1/sessions/sess_789")
    assert r.status_code == 404
    assert r.json() == {"error": "session_not_found", "message": "Session does not exist"}


def test_complete_then_complete_again_is_409(api: httpx.Client) -> None:
    session = make_session(api)
    r = api.post(f"/api/v1/sessions/{session['id']}/complete")
    assert r.status_code == 200 and r.json()["status"] == "completed"
    assert r.json()["ended_at"] is not None
    again = api.post(f"/api/v1/sessions/{session['id']}/complete")
    assert again.status_code == 409 and again.json()["error"] == "session_not_active"
    fail = api.post(f"/api/v1/sessions/{session['id']}/fail")
    assert fail.status_code == 409


def test_fail_records_reason_on_timeline(api: httpx.Client) -> None:
    session = make_session(api)
    r = api.post(f"/api/v1/sessions/{session['id']}/fail", json={"reason": "captcha"})
    assert r.json()["status"] == "failed"
    events = api.get(f"/api/v1/sessions/{session['id']}/timeline").json()["events"]
    assert [e["type"] for e in events] == ["session.created", "session.failed"]
    assert events[-1]["data"]["reason"] == "captcha"


def test_inbox_in_ended_session_is_refused(api: httpx.Client) -> None:
    session = make_session(api)
    api.post(f"/api/v1/sessions/{session['id']}/complete")
    r = api.post("/api/v1/inboxes", json={"session_id": session["id"]})
    assert r.status_code == 409 and r.json()["error"] == "session_not_active"


def test_list_paginates_with_cursor_and_filters_status(api: httpx.Client) -> None:
    ids = [make_session(api, name=f"s{i}")["id"] for i in range(5)]
    api.post(f"/api/v1/sessions/{ids[1]}/complete")
    first = api.get("/api/v1/sessions", params={"limit": 2}).json()
    assert first["total"] == 5
    assert [s["id"] for s in first["data"]] == [ids[4], ids[3]]  # newest first
    second = api.get("/api/v1/sessions", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("/api/v1/sessions", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [s["id"] for s in second["data"]] == [ids[2], ids[1]]
    assert [s["id"] for s in third["data"]] == [ids[0]] and third["next_cursor"] is None
    active = api.get("/api/v1/sessions", params={"status": "active"}).json()
    assert active["total"] == 4 and ids[1] not in [s["id"] for s in active["data"]]
    done = api.get("/api/v1/sessions", params={"status": "completed"}).json()
    assert [s["id"] for s in done["data"]] == [ids[1]]


def test_list_rejects_bad_limit_and_status(api: httpx.Client) -> None:
    assert api.get("/api/v1/sessions", params={"limit": 0}).status_code == 400
    r = api.get("/api/v1/sessions", params={"limit": 101})
    assert r.status_code == 400 and "limit" in r.json()["message"]
    r = api.get("/api/v1/sessions", params={"status": "sleeping"})
    assert r.status_code == 400 and "status" in r.json()["message"]


def test_timeline_is_ordered_with_strictly_increasing_seq(api: httpx.Client) -> None:
    session = make_session(api)
    for _ in range(3):
        make_inbox(api, session_id=session["id"])
    api.post(f"/api/v1/sessions/{session['id']}/complete")
    events = api.get(f"/api/v1/sessions/{session['id']}/timeline").json()["events"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert [e["type"] for e in events] == [
        "session.created", "inbox.created", "inbox.created", "inbox.created", "session.completed",
    ]  # fmt: skip
    assert events[0]["description"] == "Session was created"
    assert events[1]["description"] == "Inbox added to session"
    after = api.get(f"/api/v1/sessions/{session['id']}/timeline", params={"after": 3}).json()[
        "events"
    ]
    assert [e["seq"] for e in after] == [4, 5]


def test_agent_id_must_be_the_callers(api: httpx.Client, other_api: httpx.Client) -> None:
    """A session names only the caller's agent: another user's, or none, is agent_not_found."""
    agent = api.post(
        "/api/v1/agents", json={"name": "a", "chat_model_config": {"type": "scripted"}}
    )
    mine = api.post("/api/v1/sessions", json={"name": "s", "agent_id": agent.json()["id"]})
    assert mine.status_code == 201 and mine.json()["agent_id"] == agent.json()["id"]
    for who, agent_id in ((other_api, agent.json()["id"]), (api, "agt_missing")):
        r = who.post("/api/v1/sessions", json={"name": "s", "agent_id": agent_id})
        assert r.status_code == 404, r.text
        assert r.json() == {"error": "agent_not_found", "message": "Agent does not exist"}
    assert other_api.get("/api/v1/sessions").json()["total"] == 0
    assert api.get("/api/v1/sessions").json()["total"] == 1
