"""The SMTP server over a real socket: who is accepted, what is refused, what is stored."""

from __future__ import annotations

import smtplib
import socket
import time

import httpx
import pytest

from tests.helpers import emails_of, make_inbox, send
from tests.servers import RunningServer


def _dialogue(server: RunningServer, lines: list[bytes]) -> list[bytes]:
    """Send raw SMTP lines (all at once: pipelining) and collect the reply lines."""
    with socket.create_connection(server.smtp, timeout=10) as sock:
        f = sock.makefile("rb")
        greeting = f.readline()
        assert greeting.startswith(b"220")
        sock.sendall(b"".join(lines))
        replies: list[bytes] = []
        while True:
            line = f.readline()
            if not line:
                break
            replies.append(line.rstrip())
            if line.startswith(b"221"):
                break
        return replies


def test_accepts_mail_for_inbox_and_stores_it(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    refused = send(server, str(inbox["email_address"]), subject="Welcome", text="Hi there")
    assert refused == {}
    emails = emails_of(api, inbox["id"])
    assert len(emails) == 1 and emails[0]["subject"] == "Welcome"


def test_unknown_recipient_is_550_and_never_relayed(
    api: httpx.Client, server: RunningServer
) -> None:
    inbox = make_inbox(api)
    host, port = server.smtp
    with smtplib.SMTP(host, port) as smtp:
        smtp.ehlo()
        for rcpt in ["nobody@waypost.localhost", "victim@gmail.com", "x@[127.0.0.1]"]:
            smtp.mail("a@b.test")
            code, _ = smtp.rcpt(rcpt)
            assert code == 550, rcpt
            smtp.rset()
    # a message to one good and one bad recipient is delivered to the good one only
    refused = send(server, [str(inbox["email_address"]), "victim@gmail.com"])
    assert set(refused) == {"victim@gmail.com"}
    assert len(emails_of(api, inbox["id"])) == 1


def test_oversized_message_is_552(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    big = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * (
        server.settings.max_message_bytes // 1000 + 10
    )
    # smtplib declares SIZE=, so the server refuses at MAIL FROM
    with pytest.raises(smtplib.SMTPResponseException) as err:
        send(server, str(inbox["email_address"]), raw=big)
    assert err.value.smtp_code == 552
    # a client that does not declare the size is refused after DATA
    replies = _dialogue(
        server,
        [
            b"EHLO x\r\n",
            b"MAIL FROM:<a@b.test>\r\n",
            b"RCPT TO:<" + str(inbox["email_address"]).encode() + b">\r\n",
            b"DATA\r\n",
            big + b".\r\n",
            b"QUIT\r\n",
        ],
    )
    codes = [r[:3] for r in replies if not r.startswith(b"250-")]
    assert codes[-2:] == [b"552", b"221"], replies[-3:]
    assert emails_of(api, inbox["id"]) == []


def test_one_message_to_several_inboxes_is_stored_once_per_inbox(
    api: httpx.Client, other_api: httpx.Client, server: RunningServer
) -> None:
    a, b = make_inbox(api), make_inbox(api)
    c = make_inbox(other_api)
    to = [
        str(a["email_address"]),
        str(b["email_address"]),
        str(c["email_address"]),
        str(a["email_address"]),
    ]
    assert send(server, to, subject="fan-out") == {}
    assert len(emails_of(api, a["id"])) == 1
    assert len(emails_of(api, b["id"])) == 1
    assert len(emails_of(other_api, c["id"])) == 1


def test_expired_inbox_refuses_mail(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api, ttl_seconds=1)
    time.sleep(1.2)
    refused = None
    try:
        send(server, str(inbox["email_address"]))
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    assert refused is not None and refused[str(inbox["email_address"])][0] == 550


def test_pipelined_commands_and_extensions(api: httpx.Client, server: RunningServer) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"]).encode()
    replies = _dialogue(
        server,
        [
            b"EHLO client.test\r\n",
            b"MAIL FROM:<a@b.test> BODY=8BITMIME SMTPUTF8\r\n",
            b"RCPT TO:<" + addr + b">\r\n",
            b"RCPT TO:<nobody@waypost.localhost>\r\n",
            b"DATA\r\n",
            "Subject: café ☃\r\nFrom: Jürgen <jürgen@bücher.test>\r\n\r\nGrüße\r\n.\r\n".encode(),
            b"QUIT\r\n",
        ],
    )
    text = b"\n".join(replies)
    assert b"250-8BITMIME" in text and b"SMTPUTF8" in text and b"PIPELINING" in text
    codes = [r[:3] for r in replies if not r.startswith(b"250-")]
    # EHLO, MAIL, RCPT ok, RCPT 550, DATA 354, stored 250, QUIT 221
    assert codes == [b"250", b"250", b"250", b"550", b"354", b"250", b"221"], replies
    [email] = emails_of(api, inbox["id"])
    assert email["subject"] == "café ☃"
    full = api.get(f"/api/v1/emails/{email['id']}").json()
    assert "Grüße" in full["text"]


def test_commands_out_of_order_get_503_and_nothing_is_stored(
    api: httpx.Client, server: RunningServer
) -> None:
    inbox = make_inbox(api)
    replies = _dialogue(
        server,
        [
            b"EHLO x\r\n",
            b"RCPT TO:<" + str(inbox["email_address"]).encode() + b">\r\n",
            b"DATA\r\n",
            b"NOSUCHVERB\r\n",
            b"MAIL FROM:\r\n",
            b"QUIT\r\n",
        ],
    )
    codes = [r[:3] for r in replies if not r.startswith(b"250-")]
    assert codes[1:4] == [b"503", b"503", b"500"], replies
    assert codes[4][:1] == b"5" and codes[-1] == b"221"
    assert emails_of(api, inbox["id"]) == []


def test_no_recipient_data_is_refused(server: RunningServer) -> None:
    replies = _dialogue(
        server, [b"HELO x\r\n", b"MAIL FROM:<a@b.test>\r\n", b"DATA\r\n", b"QUIT\r\n"]
    )
    assert replies[2].startswith(b"503"), replies
