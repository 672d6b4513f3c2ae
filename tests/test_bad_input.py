"""Bad input of every kind gets a clear error; nothing crashes, nothing stored is lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
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


def _nested(levels: int) -> dict[str, object]:
    """An object ``levels`` deep counting itself: ``_nested(1) == {}``."""
    value: dict[str, object] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def test_deeply_nested_json_is_400_and_stores_nothing(api: httpx.Client) -> None:
    """It was a 500 that stored the session anyway, and every later list of them was a 500."""
    r = api.post("/api/v1/sessions", json={"name": "deep", "metadata": _nested(900)})
    assert r.status_code == 400, r.text[:300]
    assert r.json() == {
        "error": "invalid_request",
        "message": "JSON body is nested too deeply (more than 32 levels)",
    }
    listed = api.get("/api/v1/sessions", params={"limit": 5})
    assert listed.status_code == 200 and listed.json()["total"] == 0


def test_json_depth_limit_is_exact(api: httpx.Client) -> None:
    """The body is level 1: metadata 31 deep inside it is 32 levels (accepted), 32 is not."""
    ok = api.post("/api/v1/sessions", json={"metadata": _nested(31)})
    assert ok.status_code == 201, ok.text
    assert ok.json()["metadata"] == _nested(31)
    assert api.post("/api/v1/sessions", json={"metadata": _nested(32)}).status_code == 400
    arrays = json.loads("[" * 31 + "]" * 31)  # arrays count like objects
    assert api.post("/api/v1/sessions", json={"metadata": {"x": arrays}}).status_code == 400
    listed = api.get("/api/v1/sessions", params={"limit": 5})
    assert listed.status_code == 200 and [s["id"] for s in listed.json()["data"]] == [
        ok.json()["id"]
    ]
    assert api.get(f"/api/v1/sessions/{ok.json()['id']}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/inboxes", {"metadata": _nested(40)}),
        ("POST", "/api/v1/workflows/signup", {"waitType": "otp", "metadata": _nested(40)}),
        ("POST", "/api/v1/agents", {"name": "a", "chat_model_config": _nested(40)}),
        ("PATCH", "/api/v1/agents/agt_missing", {"permissions": _nested(40)}),
        ("POST", "/api/v1/sandboxes", {"limits": _nested(40)}),
        ("POST", "/api/v1/extract", {"text": "x", "nope": _nested(40)}),
    ],
)
def test_every_json_body_has_the_depth_limit(
    api: httpx.Client, method: str, path: str, body: dict[str, object]
) -> None:
    r = api.request(method, path, json=body)
    assert r.status_code == 400 and "nested too deeply" in r.json()["message"], r.text[:300]
    for listing in ("/api/v1/inboxes", "/api/v1/agents", "/api/v1/sandboxes"):
        assert api.get(listing).json()["total"] == 0


def test_json_too_deep_for_the_parser_chunked_or_untyped(api: httpx.Client) -> None:
    deep = b'{"metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        for start in range(0, len(deep), 4096):
            yield deep[start : start + 4096]

    for content, headers in [
        (deep, {"content-type": "application/json"}),
        (deep, {}),  # FastAPI parses an untyped body as JSON too
        (chunks(), {"content-type": "application/json"}),
    ]:
        r = api.post("/api/v1/sessions", content=content, headers=headers)
        assert r.status_code == 400 and "nested too deeply" in r.json()["message"], r.text[:300]
    # brackets inside strings are not nesting
    r = api.post("/api/v1/sessions", json={"name": "[" * 100, "metadata": {"k": "{" * 100}})
    assert r.status_code == 201, r.text
    assert api.get("/api/v1/sessions", params={"limit": 5}).json()["total"] == 1
