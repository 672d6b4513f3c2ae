"""Small helpers shared by tests: sending mail over real SMTP, reading SSE, ending
PostgreSQL's connections."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import asyncpg
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


def otp_email(to: str, code: str = "731 904", sender: str = "Acme <no-reply@acme.test>") -> bytes:
    """A realistic verification email carrying ``code``."""
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Your Acme verification code\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hi,\r\n\r\nYour verification code is:\r\n\r\n{code}\r\n\r\n"
        "It expires in 10 minutes. If you did not request it, ignore this email.\r\n"
        "Acme Inc, 123 Market Street, San Francisco, CA 94105\r\n"
    ).encode()


def link_email(to: str, link: str) -> bytes:
    """A realistic magic-link email (HTML with an unsubscribe link too)."""
    html = (
        f'<html><body><p>Click below to sign in to Acme.</p><p><a href="{link}" '
        'style="font-size:18px">Sign in to Acme</a></p><p>This link expires in 15 minutes.</p>'
        '<p><a href="https://acme.test/unsubscribe?u=1">Unsubscribe</a></p></body></html>'
    )
    return (
        f"From: Acme <login@acme.test>\r\nTo: {to}\r\nSubject: Sign in to Acme\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
    ).encode()


async def end_other_backends(url: str) -> int:
    """End every connection to ``url``'s database but this one (what a PostgreSQL restart
    does to a pool); how many were ended."""
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        ended: int = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return ended
