"""The SMTP front door: aiosmtpd speaks the protocol, this handler decides.

Only recipients that are live inboxes are accepted (550 otherwise), so the
server can never relay. ``250`` after DATA is sent once the message is
committed by :class:`~waypost.mail.store.MailIngest`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession

from waypost.config import Settings
from waypost.mail.inboxes import InboxService, Recipient
from waypost.mail.protocol import WaypostSMTP
from waypost.mail.store import MailIngest
from waypost.metrics import Metrics

log = logging.getLogger("waypost.smtp")


Lookup = Callable[[str], Awaitable[Recipient | None]]
Deliver = Callable[[str, list[Recipient], bytes], Awaitable[list[str]]]


class Rejected(Exception):
    """DATA refused with this SMTP reply (e.g. every recipient vanished meanwhile)."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class WaypostHandler:
    """aiosmtpd handler: RCPT checks the inbox, DATA stores durably.

    ``lookup`` and ``deliver`` are the inbox service and the ingest writer in the
    main process, or their stand-ins over IPC in an SMTP worker process.
    """

    def __init__(self, lookup: Lookup, deliver: Deliver, metrics: Metrics | None = None) -> None:
        self.lookup = lookup
        self.deliver = deliver
        self.metrics = metrics  # None in a worker process: the main process counts for it

    @classmethod
    def in_process(
        cls, inboxes: InboxService, ingest: MailIngest, metrics: Metrics | None = None
    ) -> WaypostHandler:
        """The handler of a server that speaks SMTP itself."""
        return cls(inboxes.recipient, ingest.deliver, metrics)

    async def handle_EHLO(
        self,
        server: SMTP,
        session: SMTPSession,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        """Advertise PIPELINING (the protocol handles it) and no AUTH (we offer none)."""
        session.host_name = hostname
        kept = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        return [kept[0], "250-PIPELINING", *kept[1:]]

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SMTPSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        """Accept live inboxes only; anything else is 550, never relayed."""
        recipient = await self.lookup(address)
        if recipient is None:
            if self.metrics is not None:
                self.metrics.rejected("unknown_recipient")
            return f"550 5.1.1 <{address}>: no such mailbox here"
        accepted: list[Recipient] = envelope.__dict__.setdefault("waypost_recipients", [])
        if all(r.inbox_id != recipient.inbox_id for r in accepted):
            accepted.append(recipient)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        """Store once per accepted inbox, answer 250 only after the commit."""
        recipients: list[Recipient] = envelope.__dict__.get("waypost_recipients", [])
        raw = envelope.original_content or envelope.content
        if not recipients:
            return "554 5.5.1 No valid recipients"
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8", "surrogateescape")
        try:
            ids = await self.deliver(envelope.mail_from or "", recipients, raw)
        except Rejected as exc:
            return exc.reply
        except Exception:
            log.exception("could not store message")
            if self.metrics is not None:
                self.metrics.rejected("store_failed")
            return "451 4.3.0 Message not stored, try again later"
        return f"250 2.0.0 OK {' '.join(ids)}"


def make_protocol(settings: Settings, handler: WaypostHandler) -> SMTP:
    """One SMTP protocol instance per connection."""
    return WaypostSMTP(
        handler,
        data_size_limit=settings.max_message_bytes,
        enable_SMTPUTF8=True,
        decode_data=False,
        hostname=settings.domain,
        ident="Waypost ESMTP",
        auth_require_tls=False,
    )


async def start_smtp(
    settings: Settings, handler: WaypostHandler, sock: socket.socket | None = None
) -> asyncio.Server:
    """Listen for SMTP on the running loop (or on an already bound ``sock``)."""
    loop = asyncio.get_running_loop()
    kwargs: dict[str, Any] = (
        {"sock": sock}
        if sock is not None
        else {"host": settings.smtp_host, "port": settings.smtp_port}
    )
    server = await loop.create_server(lambda: make_protocol(settings, handler), **kwargs)
    return server
