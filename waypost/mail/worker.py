"""An SMTP worker process: speaks SMTP on a shared port, stores nothing itself.

``waypost serve --smtp-workers N`` starts N of these. Each binds the SMTP port with
``SO_REUSEPORT`` (the kernel spreads connections across them) and runs the same
aiosmtpd protocol and handler as the main process, but asks the main process,
over a socketpair, whether a recipient is a live inbox and to store each message.
The main process owns the database: one writer, one event bus. ``250`` still comes
only after the main process has committed the message.

The worker exits when the main process closes its end (or dies).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import signal
import socket
import time
from datetime import datetime

from waypost.config import Settings
from waypost.db.types import utcnow
from waypost.heap import freeze_startup_heap
from waypost.mail import ipc
from waypost.mail.inboxes import RECIPIENT_CACHE_SECONDS, Recipient
from waypost.mail.parse import parse_headers_fast
from waypost.mail.smtp import Rejected, WaypostHandler, make_protocol

log = logging.getLogger("waypost.smtp.worker")


class MainProcess:
    """The main process as the worker sees it: recipient lookups and deliveries."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[ipc.Frame]] = {}
        self._recipients: dict[str, tuple[Recipient, float]] = {}

    async def listen(self) -> None:
        """Route replies to their callers until the main process goes away."""
        frames = ipc.FrameBuffer()
        try:
            while data := await self.reader.read(1 << 16):
                for frame in frames.feed(data):
                    waiting = self._waiting.pop(frame.id, None)
                    if waiting is not None and not waiting.done():
                        waiting.set_result(frame)
        finally:
            for waiting in self._waiting.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionError("the main process went away"))

    def ready(self) -> None:
        """Tell the main process this worker is listening."""
        self.writer.write(ipc.encode(ipc.Frame(0, ipc.READY, {})))

    async def _ask(self, kind: int, meta: dict[str, object], raw: bytes = b"") -> ipc.Frame:
        request_id = next(self._ids)
        reply: asyncio.Future[ipc.Frame] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = reply
        self.writer.write(ipc.encode(ipc.Frame(request_id, kind, meta, raw)))
        return await reply

    async def recipient(self, address: str) -> Recipient | None:
        """The live inbox behind ``address`` (answers cached a few seconds, as in main)."""
        key = address.strip().lower()
        cached = self._recipients.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[1] < RECIPIENT_CACHE_SECONDS:
            expires_at = cached[0].expires_at
            if expires_at is None or expires_at > utcnow():
                return cached[0]
        reply = await self._ask(ipc.RCPT, {"address": address})
        found = reply.meta.get("recipient")
        if found is None:
            self._recipients.pop(key, None)
            return None
        expires = found["expires_at"]
        recipient = Recipient(
            found["inbox_id"],
            found["user_id"],
            found["session_id"],
            found["address"],
            datetime.fromisoformat(expires) if expires else None,
        )
        self._recipients[key] = (recipient, now)
        return recipient

    async def deliver(self, mail_from: str, recipients: list[Recipient], raw: bytes) -> list[str]:
        """Have the main process store ``raw``; returns once it is committed."""
        # Parsed here, where there is CPU to spare: the main process's loop is the bottleneck.
        sender, subject, to, date, message_id = parse_headers_fast(raw)
        meta: dict[str, object] = {
            "mail_from": mail_from,
            "rcpt": [r.address for r in recipients],
            "headers": [sender, subject, to, date.isoformat() if date else None, message_id],
        }
        reply = await self._ask(ipc.DATA, meta, raw)
        if "error" in reply.meta:
            raise Rejected(str(reply.meta["error"]))
        return [str(i) for i in reply.meta["ids"]]


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` that other workers may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def run_worker(channel: socket.socket, settings: Settings) -> None:
    """Serve SMTP until the main process closes ``channel``."""
    reader, writer = await asyncio.open_unix_connection(sock=channel)
    main = MainProcess(reader, writer)
    handler = WaypostHandler(main.recipient, main.deliver)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: make_protocol(settings, handler),
        sock=listening_socket(settings.smtp_host, settings.smtp_port),
    )
    loop.add_signal_handler(signal.SIGTERM, server.close)  # stop accepting; finish sessions
    main.ready()
    freeze_startup_heap()
    try:
        await main.listen()
    finally:
        server.close()
        writer.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m waypost.mail.worker --fd N --host H --port P ...``."""
    parser = argparse.ArgumentParser(description="Waypost SMTP worker (started by serve)")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--domain", required=True)
    parser.add_argument("--max-message-bytes", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when to stop
    settings = Settings(
        smtp_host=args.host,
        smtp_port=args.port,
        domain=args.domain,
        max_message_bytes=args.max_message_bytes,
    )
    channel = socket.socket(fileno=args.fd)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(run_worker(channel, settings))
    else:
        uvloop.run(run_worker(channel, settings))


if __name__ == "__main__":
    main()
