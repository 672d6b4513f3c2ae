"""Inboxes over real HTTP: addresses, TTL, ownership rules, validation."""

from __future__ import annotations

import re

import httpx

from tests.helpers import make_inbox
from tests.servers import RunningServer


def test_random_inbox_has_unguessable_local_part(api: httpx.Client, server: RunningServer) -> None:
    inboxes = [make_inbox(api) for _ in range(5)]
    locals_ = {str(i["email_address"]).split("@")[0] for i in inboxes}
    assert len(locals_) == 5
    for local in locals_:
        assert re.fullmatch(r"[a-z0-9]{14}", local)  # 36**14 ≈ 2**72 > 2**60
    assert all(str(i["email_address"]).endswith("@" + server.settings.domain) for i in inboxes)
    assert all(str(i["id"]).startswith("inb_") for i in inboxes)


def test_chosen_username_and_conflict(api: httpx.Client, other_api: httpx.Client) -> None:
    name = f"signup-{re.sub('[^a-z0-9]', '', str(id(api)))}"
    inbox = make_inbox(api, username=name.upper(), metadata={"k": "v"})
    assert inbox["email_address"] == f"{name}@waypost.localhost"
    assert inbox["metadata"] == {"k": "v"}
    taken = other_api.post("/api/v1/inboxes", json={"username": name})
    assert taken.status_code == 409 and taken.json()["error"] == "inbox_exists"


def test_ttl_sets_expiry(api: httpx.Client) -> None:
    from datetime import datetime

    inbox = make_inbox(api, ttlSeconds=120)
    created = datetime.fromisoformat(str(inbox["created_at"]))
    expires = datetime.fromisoformat(str(inbox["expires_at"]))
    assert abs((expires - created).total_seconds() - 120) < 1
    default = make_inbox(api)
    gap = datetime.fromisoformat(str(default["expires_at"])) - datetime.fromisoformat(
        str(default["created_at"])
    )
    assert abs(gap.total_seconds() - 3600) < 1


def test_bad_inbox_requests(api: httpx.Client) -> None:
    for body, field in [
        ({"username": "a\r\nBcc: victim@example.com"}, "username"),
        ({"username": "bob@evil.com"}, "username"),
        ({"username": "-lead"}, "username"),
        ({"username": ""}, None),
        ({"domain": "gmail.com"}, "domain"),
        ({"ttl_seconds": 0}, "ttl_seconds"),
        ({"ttl_seconds": "soon"}, "ttl"),
        ({"metadata": "nope"}, "metadata"),
        ({"colour": "blue"}, "colour"),
    ]:
        r = api.post("/api/v1/inboxes", json=body)
        if field is None:  # empty username → a random one, not an error
            assert r.status_code == 201, r.text
            continue
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"] == "invalid_request"
        assert field in r.json()["message"], (body, r.json())


def test_session_must_exist(api: httpx.Client) -> None:
    r = api.post("/api/v1/inboxes", json={"session_id": "sess_nope"})
    assert r.status_code == 404 and r.json()["error"] == "session_not_found"


def test_get_list_delete(api: httpx.Client) -> None:
    a = make_inbox(api)
    b = make_inbox(api)
    assert api.get(f"/api/v1/inboxes/{a['id']}").json()["email_address"] == a["email_address"]
    listed = api.get("/api/v1/inboxes").json()
    assert [i["id"] for i in listed["data"]][:2] == [b["id"], a["id"]] and listed["total"] == 2
    assert api.delete(f"/api/v1/inboxes/{a['id']}").status_code == 204
    gone = api.get(f"/api/v1/inboxes/{a['id']}")
    assert gone.status_code == 404 and gone.json()["error"] == "inbox_not_found"
    assert api.delete(f"/api/v1/inboxes/{a['id']}").status_code == 404
