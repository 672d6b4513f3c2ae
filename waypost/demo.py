"""``waypost demo``: the five-minute tour against a running server.

It creates a session, starts create-inbox-and-wait, sends itself a realistic
verification email over SMTP, and prints the extracted code and the timeline.
"""

from __future__ import annotations

import secrets
import smtplib
from email.message import EmailMessage

from rich.console import Console
from rich.table import Table

from waypost.sdk import Client


def verification_email(to: str, code: str) -> EmailMessage:
    """A verification email shaped like the ones real services send."""
    shown = f"{code[:3]} {code[3:]}"
    msg = EmailMessage()
    msg["From"] = "Acme Cloud <no-reply@acme-cloud.test>"
    msg["To"] = to
    msg["Subject"] = "Verify your email for Acme Cloud"
    msg.set_content(
        f"Welcome to Acme Cloud!\n\nYour verification code is: {shown}\n\n"
        "It expires in 10 minutes. Order of business: none. Questions? +1 (415) 555-0100.\n"
        "Acme Cloud, 500 Howard St, San Francisco, CA 94105 · © 2026\n"
    )
    msg.add_alternative(
        "<html><body><h2>Welcome to Acme Cloud!</h2><p>Your verification code is:</p>"
        f'<p style="font-size:28px;letter-spacing:4px"><strong>{shown}</strong></p>'
        "<p>It expires in 10 minutes.</p>"
        '<p style="color:#888">Acme Cloud, 500 Howard St, San Francisco, CA 94105 · © 2026 · '
        '<a href="https://acme-cloud.test/unsubscribe">Unsubscribe</a></p></body></html>',
        subtype="html",
    )
    return msg


def run_demo(client: Client, console: Console) -> bool:
    """Drive the tour; True when the extracted code is the one that was sent."""
    health = client._http.get("/healthz").json()
    smtp_host, _, smtp_port = str(health["smtp"]).rpartition(":")
    session = client.sessions.create(name="demo-signup", metadata={"source": "waypost demo"})
    console.print(f"[bold]1.[/] session [cyan]{session.id}[/]")
    workflow = client.workflows.create_inbox_and_wait(
        wait_type="otp", session_id=session.id, timeout_seconds=60, respond="immediately"
    )
    address = workflow.inbox.email_address
    console.print(f"[bold]2.[/] inbox [cyan]{address}[/], wait [cyan]{workflow.wait.id}[/] pending")
    code = f"{secrets.randbelow(900_000) + 100_000}"
    with smtplib.SMTP(smtp_host or "127.0.0.1", int(smtp_port), timeout=30) as smtp:
        smtp.send_message(verification_email(address, code))
    console.print(f"[bold]3.[/] sent a verification email over SMTP ({smtp_host}:{smtp_port})")
    wait = client.waits.wait(workflow.wait.id)
    result = wait.result
    if result is None:
        console.print(f"[red]wait ended {wait.status} without a result[/]")
        return False
    ok = result.value == code
    mark = "[green]✓[/]" if ok else "[red]✗[/]"
    console.print(
        f"[bold]4.[/] extracted [bold]{result.value}[/] (confidence {result.confidence:.2f}) {mark}"
    )
    client.sessions.complete(session.id)
    table = Table("seq", "type", "description", title=f"timeline of {session.id}")
    for event in client.sessions.timeline(session.id).events:
        table.add_row(str(event.seq), event.type, event.description)
    console.print(table)
    return ok
