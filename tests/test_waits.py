"""Waits over real SMTP and HTTP: push resolution, races, timeouts, cancel, isolation."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.helpers import emails_of, link_email, make_inbox, make_session, otp_email, send
from tests.servers import RunningServer


def _wait(api: httpx.Client, **body: Any) -> dict[str, Any]:
    r = api.post("/api/v1/waits", json=body)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def _block(api: httpx.Client, wait_id: str, **params: Any) -> dict[str, Any]:
    r = api.get(f"/api/v1/waits/{wait_id}", params={"block": "true", **params}, timeout=60)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_blocked_call_is_answered_when_the_email_lands(
    api: httpx.Client, server: RunningServer
) -> None:
    session = make_session(api)
    inbox = make_inbox(api, session_id=session["id"])
    wait = _wait(api, inbox_id=inbox["id"], type="otp", timeout_seconds=30)
    assert wait["status"] == "pending" and wait["id"].startswith("wait_")
    threading.Timer(
        0.3,
        lambda: send(
            server, str(inbox["email_address"]), raw=otp_email(str(inbox["email_address"]))
        ),
    ).start()
    done = _block(api, wait["id"])
    assert done["status"] == "completed" and done["completed_at"]
    result = done["result"]
    assert result["type"] == "otp" and result["value"] == "731904"
    assert 0 < result["confidence"] <= 1 and result["email_id"].startswith("eml_")
    assert result["candidates"][0]["value"] == "731904"
    detail = api.get(f"/api/v1/sessions/{session['id']}").json()
    assert detail["waits"] == [wait["id"]] and len(detail["extractions"]) == 1
    types = [
        e["type"] for e in api.get(f"/api/v1/sessions/{session['id']}/timeline").json()["events"]
    ]
    assert types == [
        "session.created", "inbox.created", "wait.created", "email.received",
        "extraction.completed", "wait.completed",
    ]  # fmt: skip


def test_email_before_wait_is_not_lost(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    send(server, str(inbox["email_address"]), raw=otp_email(str(inbox["email_address"]), "482 913"))
    wait = _wait(api, inbox_id=inbox["id"], type="otp")
    done = _block(api, wait["id"])
    assert done["status"] == "completed" and done["result"]["value"] == "482913"


def test_after_reference_excludes_older_mail(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    send(server, addr, raw=otp_email(addr, "111 222"))
    [old] = emails_of(api, inbox["id"])
    wait = _wait(api, inbox_id=inbox["id"], type="otp", after=old["id"], timeout_seconds=30)
    time.sleep(0.3)
    assert api.get(f"/api/v1/waits/{wait['id']}").json()["status"] == "pending"
    send(server, addr, raw=otp_email(addr, "333 444"))
    assert _block(api, wait["id"])["result"]["value"] == "333444"


def test_two_waits_get_two_different_emails(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    waits = [_wait(api, inbox_id=inbox["id"], type="otp", timeout_seconds=30) for _ in range(2)]
    send(server, addr, raw=otp_email(addr, "100 001"))
    send(server, addr, raw=otp_email(addr, "200 002"))
    results = [_block(api, w["id"]) for w in waits]
    assert [r["status"] for r in results] == ["completed", "completed"]
    assert {r["result"]["value"] for r in results} == {"100001", "200002"}
    assert len({r["result"]["email_id"] for r in results}) == 2


def test_racing_waits_and_emails_each_email_resolves_one_wait(
    api: httpx.Client, server: RunningServer
) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    codes = [f"{n:06d}" for n in range(510_101, 510_109)]
    with ThreadPoolExecutor(16) as pool:
        wait_futures = [
            pool.submit(_wait, api, inbox_id=inbox["id"], type="otp", timeout_seconds=30)
            for _ in codes
        ]
        for code in codes:
            pool.submit(send, server, addr, raw=otp_email(addr, code))
        waits = [f.result() for f in wait_futures]
        results = list(pool.map(lambda w: _block(api, w["id"]), waits))
    assert all(r["status"] == "completed" for r in results), [r["status"] for r in results]
    assert sorted(r["result"]["value"] for r in results) == sorted(codes)


def test_wait_types_and_criteria(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    link_wait = _wait(api, inbox_id=inbox["id"], type="magic_link", timeout_seconds=30)
    picky = _wait(
        api,
        inbox_id=inbox["id"],
        type="any",
        criteria={"from": "billing@", "subjectContains": "invoice"},
        timeout_seconds=30,
    )
    link = "https://acme.test/auth/magic?token=Zx81kPq0aL"
    send(server, addr, raw=link_email(addr, link))
    got = _block(api, link_wait["id"])
    assert got["result"]["type"] == "magic_link" and got["result"]["value"] == link
    send(server, addr, subject="Hello", sender="Billing <billing@acme.test>")
    time.sleep(0.3)
    assert api.get(f"/api/v1/waits/{picky['id']}").json()["status"] == "pending"
    send(
        server,
        addr,
        subject="Your Invoice #42",
        sender="Billing <billing@acme.test>",
        mail_from="billing@acme.test",
    )
    got = _block(api, picky["id"])
    assert got["status"] == "completed" and got["result"]["type"] == "any"


def test_otp_wait_ignores_mail_without_a_code(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    wait = _wait(api, inbox_id=inbox["id"], type="otp", timeout_seconds=30)
    send(
        server,
        addr,
        subject="Your order #88231 has shipped",
        text="Order 88231 ships on 2024-06-12. Total $129.99",
    )
    time.sleep(0.3)
    assert api.get(f"/api/v1/waits/{wait['id']}").json()["status"] == "pending"
    send(server, addr, raw=otp_email(addr, "909 090"))
    assert _block(api, wait["id"])["result"]["value"] == "909090"


def test_timeout_fires_on_time(api: httpx.Client) -> None:
    inbox = make_inbox(api)
    wait = _wait(api, inbox_id=inbox["id"], type="otp", timeout_seconds=1)
    started = time.monotonic()
    done = _block(api, wait["id"])
    elapsed = time.monotonic() - started
    assert done["status"] == "timed_out" and done["result"] is None
    assert 0.5 <= elapsed <= 2.5  # ±1 s of the deadline


def test_cancel(api: httpx.Client) -> None:
    inbox = make_inbox(api)
    wait = _wait(api, inbox_id=inbox["id"], type="any", timeout_seconds=60)
    holder = ThreadPoolExecutor(1).submit(_block, api, wait["id"])
    time.sleep(0.2)
    r = api.post(f"/api/v1/waits/{wait['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert holder.result(timeout=5)["status"] == "cancelled"
    again = api.post(f"/api/v1/waits/{wait['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"] == "wait_not_pending"


def test_lists_per_inbox_and_session(api: httpx.Client) -> None:
    session = make_session(api)
    a = make_inbox(api, session_id=session["id"])
    b = make_inbox(api)
    wa = _wait(api, inbox_id=a["id"], type="any")
    wb = _wait(api, inbox_id=b["id"], type="any")
    assert [
        w["id"] for w in api.get("/api/v1/waits", params={"inbox_id": a["id"]}).json()["data"]
    ] == [wa["id"]]
    assert [
        w["id"]
        for w in api.get("/api/v1/waits", params={"session_id": session["id"]}).json()["data"]
    ] == [wa["id"]]
    assert {
        w["id"] for w in api.get("/api/v1/waits", params={"status": "pending"}).json()["data"]
    } == {wa["id"], wb["id"]}


def test_bad_waits(api: httpx.Client, other_api: httpx.Client) -> None:
    inbox = make_inbox(api)
    for body, needle in [
        ({"inbox_id": inbox["id"], "type": "sms"}, "type"),
        ({"inbox_id": inbox["id"], "timeout_seconds": 0}, "timeout_seconds"),
        ({"inbox_id": inbox["id"], "timeout_seconds": 3601}, "timeout_seconds"),
        ({"inbox_id": inbox["id"], "timeout_seconds": -1}, "timeout_seconds"),
        ({"inbox_id": inbox["id"], "timeoutSeconds": 10**30}, "timeout_seconds"),
        ({"inbox_id": inbox["id"], "confidence_threshold": -0.1}, "confidence_threshold"),
        ({"inbox_id": inbox["id"], "confidence_threshold": 2}, "confidence_threshold"),
        ({"inbox_id": inbox["id"], "after": "yesterday"}, "after"),
        ({"type": "otp"}, "inboxId"),
    ]:
        r = api.post("/api/v1/waits", json=body)
        assert r.status_code == 400 and needle in r.json()["message"], (body, r.text)
    for timeout in (0, -1, 3601, 10**30):  # one rule, one message (shared with workflows)
        r = api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "timeout_seconds": timeout})
        assert r.json()["message"] == "timeout_seconds must be between 1 and 3600", r.text
    assert api.get("/api/v1/waits").json()["total"] == 0  # none of those was stored
    theirs = other_api.post("/api/v1/waits", json={"inbox_id": inbox["id"]})
    assert theirs.status_code == 404 and theirs.json()["error"] == "inbox_not_found"
    mine = _wait(api, inbox_id=inbox["id"])
    for method, path in [
        ("GET", f"/api/v1/waits/{mine['id']}"),
        ("POST", f"/api/v1/waits/{mine['id']}/cancel"),
    ]:
        r = other_api.request(method, path)
        assert r.status_code == 404 and r.json()["error"] == "wait_not_found"
    assert other_api.get("/api/v1/waits").json()["total"] == 0
