"""Small helpers shared by tests: sending mail over real SMTP, reading SSE."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx

from tests.servers import RunningServer


def send(
    server: RunningServer, to: list[str] | str, raw: bytes | None = None, **fields: str
) -> dict[str, tuple[int, bytes]]:
    """Send one message with smtplib; returns the refused recipients."""
    recipients = [to] if isinstance(to, str) else to
    if raw is None:
        msg = EmailMessage()
        msg["From"] = fields.get("sender", "Acme <no-reply@acme.test>")
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = fields.get("subject", "Hello")
        msg.set_content(fields.get("text", "Hello there"))
        if "html" in fields:
            msg.add_alternative(fields["html"], subtype="html")
        raw = msg.as_bytes()
    host, port = server.smtp
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        return smtp.sendmail(fields.get("mail_from", "no-reply@acme.test"), recipients, raw)


def make_inbox(api: httpx.Client, **body: object) -> dict[str, object]:
    response = api.post("/api/v1/inboxes", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def make_session(api: httpx.Client, **body: object) -> dict[str, object]:
    response = api.post("/api/v1/sessions", json=body or {"name": "test"})
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def emails_of(api: httpx.Client, inbox_id: object, **params: object) -> list[dict[str, object]]:
    response = api.get(f"/api/v1/inboxes/{inbox_id}/emails", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    data: list[dict[str, object]] = response.json()["data"]
    return data
