"""Another user's resources answer 404 exactly like missing ones; lists never leak."""

from __future__ import annotations

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
    # revoked from another process: the server's key cache honours it within 2 seconds
    import time

    from waypost.auth.keys import AUTH_CACHE_SECONDS

    time.sleep(AUTH_CACHE_SECONDS + 0.1)
    assert httpx.get(f"{server.base_url}/api/v1/sessions", headers=headers).status_code == 401
