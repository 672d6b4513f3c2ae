"""Stored emails: list filters, parsed view, sanitised HTML, raw bytes, attachments."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx

from tests.helpers import emails_of, make_inbox, send
from tests.servers import RunningServer


def _rich_message(to: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Acme Support <support@acme.test>"
    msg["To"] = to
    msg["Cc"] = "Boss <boss@acme.test>"
    msg["Subject"] = "Invoice attached"
    msg["Message-ID"] = "<inv-1@acme.test>"
    msg["Date"] = "Tue, 12 Nov 2024 10:00:00 +0000"
    msg.set_content("Plain text body")
    msg.add_alternative(
        '<p onclick="steal()">Hello <a href="javascript:alert(1)">x</a>'
        '<script>alert("xss")</script><img src=x onerror="boom()"><b>bold</b></p>',
        subtype="html",
    )
    msg.add_attachment(
        b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    return msg.as_bytes()


def test_parsed_view_sanitises_html_and_lists_attachments(
    api: httpx.Client, server: RunningServer
) -> None:
    inbox = make_inbox(api)
    raw = _rich_message(str(inbox["email_address"]))
    send(server, str(inbox["email_address"]), raw=raw)
    [summary] = emails_of(api, inbox["id"])
    assert summary["id"].startswith("eml_")  # type: ignore[union-attr]
    email = api.get(f"/api/v1/emails/{summary['id']}").json()
    assert email["from"] == "Acme Support <support@acme.test>"
    assert email["from_addresses"] == [{"name": "Acme Support", "address": "support@acme.test"}]
    assert email["cc"] == [{"name": "Boss", "address": "boss@acme.test"}]
    assert email["subject"] == "Invoice attached"
    assert email["message_id"] == "inv-1@acme.test"
    assert email["date"].startswith("2024-11-12T10:00:00")
    assert email["text"].strip() == "Plain text body"
    html = email["html"].lower()
    assert "<b>bold</b>" in html
    for bad in ("<script", "onclick", "onerror", "javascript:", 'alert("xss")'):
        assert bad not in html, bad
    assert [(a["filename"], a["content_type"]) for a in email["attachments"]] == [
        ("invoice.pdf", "application/pdf")
    ]
    attachment = api.get(f"/api/v1/emails/{summary['id']}/attachments/0")
    assert attachment.status_code == 200 and attachment.content == b"%PDF-1.4 fake"
    assert api.get(f"/api/v1/emails/{summary['id']}/attachments/1").status_code == 404
    assert any(h["name"] == "Message-ID" for h in email["headers"])


def test_raw_is_byte_identical(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    raw = (
        _rich_message(str(inbox["email_address"]))
        .replace(b"\n", b"\r\n")
        .replace(b"\r\r\n", b"\r\n")
    )
    send(server, str(inbox["email_address"]), raw=raw)
    [summary] = emails_of(api, inbox["id"])
    r = api.get(f"/api/v1/emails/{summary['id']}/raw")
    assert r.status_code == 200
    assert r.headers["content-type"] == "message/rfc822"
    assert r.content == raw


def test_list_newest_first_with_filters(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    send(server, addr, subject="Your code is 111111", sender="GitHub <noreply@github.com>")
    time.sleep(0.05)
    cut = datetime.now(UTC)
    time.sleep(0.05)
    send(server, addr, subject="Weekly digest", sender="News <news@example.org>")
    send(
        server, addr, subject="Reset your password 100%_off", sender="GitHub <security@github.com>"
    )
    subjects = [e["subject"] for e in emails_of(api, inbox["id"])]
    assert subjects == ["Reset your password 100%_off", "Weekly digest", "Your code is 111111"]
    assert [e["subject"] for e in emails_of(api, inbox["id"], **{"from": "github.com"})] == [
        "Reset your password 100%_off",
        "Your code is 111111",
    ]
    assert [e["subject"] for e in emails_of(api, inbox["id"], subject="CODE")] == [
        "Your code is 111111"
    ]
    assert [e["subject"] for e in emails_of(api, inbox["id"], subject="100%_")] == [
        "Reset your password 100%_off"
    ]
    assert len(emails_of(api, inbox["id"], since=cut.isoformat())) == 2
    page = api.get(f"/api/v1/inboxes/{inbox['id']}/emails", params={"limit": 1}).json()
    assert page["total"] == 3 and page["next_cursor"]


def test_missing_email_and_bad_index(api: httpx.Client) -> None:
    for path in (
        "/api/v1/emails/eml_nope",
        "/api/v1/emails/eml_nope/raw",
        "/api/v1/emails/eml_nope/attachments/0",
    ):
        r = api.get(path)
        assert r.status_code == 404 and r.json()["error"] == "email_not_found", path
    assert api.get("/api/v1/emails/eml_nope/attachments/x").status_code == 400


def test_deleting_inbox_deletes_its_mail(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    send(server, str(inbox["email_address"]))
    [summary] = emails_of(api, inbox["id"])
    api.delete(f"/api/v1/inboxes/{inbox['id']}")
    assert api.get(f"/api/v1/emails/{summary['id']}").status_code == 404
