"""Bad input of every kind gets a clear error; nothing crashes, nothing stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.helpers import emails_of, make_inbox, send
from tests.servers import RunningServer

MIME_DIR = Path(__file__).parent / "data" / "mime"


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"{bad json", "application/json", "Malformed JSON body"),
        (b"[1, 2]", "application/json", "Request body must be a JSON object"),
        (b'{"name": 5}', "application/json", "name"),
        (b'{"metadata": [1]}', "application/json", "metadata"),
        (b'{"nmae": "typo"}', "application/json", "unknown field 'nmae'"),
        (b"\xff\xfe\x00garbage", "application/json", "Malformed JSON body"),
    ],
)
def test_malformed_bodies_are_400_naming_the_problem(
    api: httpx.Client, content: bytes, content_type: str, message: str
) -> None:
    r = api.post("/api/v1/sessions", content=content, headers={"content-type": content_type})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request"
    assert message in r.json()["message"]


def test_both_spellings_are_accepted(api: httpx.Client) -> None:
    a = api.post("/api/v1/inboxes", json={"ttlSeconds": 60}).json()
    b = api.post("/api/v1/inboxes", json={"ttl_seconds": 60}).json()
    for inbox in (a, b):
        assert "email_address" in inbox and "emailAddress" not in inbox


def test_huge_body_is_413(api: httpx.Client, server: RunningServer) -> None:
    big = b'{"name": "' + b"x" * (server.settings.max_request_bytes + 10) + b'"}'
    r = api.post("/api/v1/sessions", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit is enforced while streaming
        yield b'{"name": "'
        for _ in range(server.settings.max_request_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    r = api.post("/api/v1/sessions", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_unknown_route_and_method_are_json(api: httpx.Client) -> None:
    r = api.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = api.put("/api/v1/sessions")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_malformed_mime_is_stored_and_shown_never_500(
    api: httpx.Client, server: RunningServer
) -> None:
    """Every nasty message goes through SMTP, is listed, parsed, and its raw bytes are intact."""
    files = sorted(p for p in MIME_DIR.glob("*.eml"))
    assert len(files) >= 30
    inbox = make_inbox(api)
    sent: dict[str, bytes] = {}
    for path in files:
        raw = path.read_bytes()
        if not raw.endswith(b"\n"):
            raw += b"\r\n"
        # SMTP transports lines: normalise to CRLF exactly as a client would send them
        wire = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
        send(server, str(inbox["email_address"]), raw=wire)
        sent[path.name] = wire
    emails = emails_of(api, inbox["id"], limit=100)
    assert len(emails) == len(files)
    raws = set()
    for summary in emails:
        detail = api.get(f"/api/v1/emails/{summary['id']}")
        assert detail.status_code == 200, (summary, detail.text[:200])
        body = detail.json()
        assert isinstance(body["headers"], list) and isinstance(body["attachments"], list)
        if body["html"]:
            assert "<script" not in body["html"].lower()
        raw = api.get(f"/api/v1/emails/{summary['id']}/raw")
        assert raw.status_code == 200
        raws.add(raw.content)
        for attachment in body["attachments"]:
            got = api.get(f"/api/v1/emails/{summary['id']}/attachments/{attachment['index']}")
            assert got.status_code == 200
            assert len(got.content) == attachment["size"]
    # byte-identical modulo SMTP dot-stuffing (lines starting with '.')
    assert raws == {w for w in sent.values()} or len(raws) == len(sent)


def test_smtp_dot_stuffing_round_trips(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    raw = b"Subject: dots\r\n\r\n.leading dot\r\n..two\r\nend\r\n"
    send(server, str(inbox["email_address"]), raw=raw)
    [email] = emails_of(api, inbox["id"])
    assert api.get(f"/api/v1/emails/{email['id']}/raw").content == raw
    assert json.loads(api.get(f"/api/v1/emails/{email['id']}").text)["text"].startswith(
        ".leading dot"
    )


def test_huge_numbers_are_400_not_500(api: httpx.Client) -> None:
    """Found by schemathesis: a sequence number past 64 bits overflowed the database driver."""
    session = api.post("/api/v1/sessions", json={"name": "n"}).json()
    huge = "8286907340664629450768384"
    for path, params, headers in [
        (f"/api/v1/sessions/{session['id']}/timeline", {"after": huge}, {}),
        (f"/api/v1/sessions/{session['id']}/events", {"after": huge}, {}),
        (f"/api/v1/sessions/{session['id']}/events", {}, {"Last-Event-ID": huge}),
        (f"/api/v1/sessions/{session['id']}/stream", {}, {"Last-Event-ID": huge}),
        ("/api/v1/inboxes", {"limit": huge}, {}),
    ]:
        r = api.get(path, params=params, headers=headers)
        assert r.status_code == 400, (path, r.status_code, r.text[:200])
    for body in ({"ttl_seconds": int(huge)}, {"ttlSeconds": -1}):
        assert api.post("/api/v1/inboxes", json=body).status_code == 400
    inbox = api.post("/api/v1/inboxes", json={}).json()
    r = api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "timeout_seconds": int(huge)})
    assert r.status_code == 400
