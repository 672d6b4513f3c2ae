"""The main process's side of SMTP worker processes: start, serve, restart, stop.

See :mod:`waypost.mail.worker`. Each worker gets one end of a socketpair; requests
from it (is this a live inbox? store this message) are answered here with the same
inbox service and group-commit writer the in-process SMTP server uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from datetime import datetime
from typing import Any, cast

from waypost.config import Settings
from waypost.mail import ipc
from waypost.mail.inboxes import InboxService, Recipient
from waypost.mail.parse import HeaderSummary
from waypost.mail.store import MailIngest
from waypost.metrics import Metrics

log = logging.getLogger("waypost.smtp.workers")

RESTART_DELAY = 1.0  # seconds before a worker that died is started again
START_TIMEOUT = 30.0


class SMTPWorkers:
    """N worker processes sharing the SMTP port; the database stays in this process."""

    def __init__(
        self,
        settings: Settings,
        inboxes: InboxService,
        ingest: MailIngest,
        count: int,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics  # refusals the workers ask about (docs/metrics.md: the gaps)
        self.inboxes = inboxes
        self.ingest = ingest
        self.count = count
        self._supervisors: list[asyncio.Task[None]] = []
        self._processes: dict[int, asyncio.subprocess.Process] = {}
        self._ready: list[asyncio.Event] = []
        self._requests: set[asyncio.Future[Any]] = set()
        self._stopping = False

    async def start(self) -> None:
        """Start every worker and return once all are listening."""
        self._ready = [asyncio.Event() for _ in range(self.count)]
        for index in range(self.count):
            task = asyncio.create_task(self._supervise(index), name=f"smtp-worker-{index}")
            self._supervisors.append(task)
        all_ready: asyncio.Future[Any] = asyncio.ensure_future(
            asyncio.gather(*(e.wait() for e in self._ready))
        )
        watched: list[asyncio.Future[Any]] = [all_ready, *self._supervisors]
        done, _ = await asyncio.wait(
            watched,
            timeout=START_TIMEOUT,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if all_ready not in done:
            all_ready.cancel()
            failed = [t for t in done if not t.cancelled() and t.exception() is not None]
            await self.stop()
            reason = str(failed[0].exception()) if failed else "timed out"
            raise RuntimeError(f"SMTP workers did not start: {reason}")

    async def stop(self) -> None:
        """Stop accepting, let the messages in flight be stored and answered, then close
        every channel (workers exit on that) and wait for them."""
        self._stopping = True
        for process in self._processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.terminate()  # a worker stops accepting on SIGTERM
        for _ in range(40):
            if not self._requests:
                break
            await asyncio.sleep(0.05)
        for task in self._supervisors:
            task.cancel()
        for task in self._supervisors:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._supervisors.clear()

    async def _supervise(self, index: int) -> None:
        while not self._stopping:
            ours, theirs = socket.socketpair()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "waypost.mail.worker",
                "--fd",
                str(theirs.fileno()),
                "--host",
                self.settings.smtp_host,
                "--port",
                str(self.settings.smtp_port),
                "--domain",
                self.settings.domain,
                "--max-message-bytes",
                str(self.settings.max_message_bytes),
                "--log-level",
                self.settings.log_level,
                pass_fds=(theirs.fileno(),),
            )
            theirs.close()
            self._processes[index] = process
            loop = asyncio.get_running_loop()
            transport, channel = await loop.create_unix_connection(
                lambda: _Channel(self, index), sock=ours
            )
            try:
                await channel.closed
                code = await process.wait()
                if not self._ready[index].is_set():  # never listened: a restart will not help
                    raise RuntimeError(
                        f"worker exited with {code} before listening on "
                        f"{self.settings.smtp_host}:{self.settings.smtp_port} (port in use?)"
                    )
                if not self._stopping:
                    log.warning("SMTP worker %d exited with %s; restarting", index, code)
                    await asyncio.sleep(RESTART_DELAY)
            finally:
                transport.close()  # the worker sees the end of its channel and exits
                with contextlib.suppress(ProcessLookupError):
                    if process.returncode is None:
                        try:
                            await asyncio.wait_for(asyncio.shield(process.wait()), 5)
                        except TimeoutError:
                            process.kill()
                            await process.wait()
                self._processes.pop(index, None)

    def dispatch(self, index: int, frame: ipc.Frame, transport: asyncio.WriteTransport) -> None:
        """Answer one request from worker ``index`` (replies may come in any order)."""
        if frame.kind == ipc.READY:
            self._ready[index].set()
            return
        if frame.kind == ipc.DATA:  # the common case, without a task: inboxes in the cache
            recipients = self._cached_recipients(frame.meta["rcpt"])
            if recipients is not None:
                stored = self.ingest.submit(
                    str(frame.meta["mail_from"]), recipients, frame.raw, _headers(frame.meta)
                )
                self._track(stored)
                stored.add_done_callback(
                    lambda done: _reply_stored(transport, frame.id, done, self.metrics)
                )
                return
        self._track(asyncio.ensure_future(self._answer(frame, transport)))

    def _track(self, request: asyncio.Future[Any]) -> None:
        self._requests.add(request)
        request.add_done_callback(self._requests.discard)

    def _cached_recipients(self, addresses: list[str]) -> list[Recipient] | None:
        found = [self.inboxes.cached_recipient(str(address)) for address in addresses]
        if not found or None in found:
            return None
        return _one_per_inbox(found)

    async def _answer(self, frame: ipc.Frame, transport: asyncio.WriteTransport) -> None:
        try:
            meta = await self._handle(frame)
        except Exception:
            log.exception("SMTP worker request failed")
            meta = {"error": NOT_STORED}
            if self.metrics is not None:
                self.metrics.rejected("store_failed")
        _reply(transport, frame.id, meta)

    async def _handle(self, frame: ipc.Frame) -> dict[str, object]:
        if frame.kind == ipc.RCPT:
            found = await self.inboxes.recipient(str(frame.meta["address"]))
            if found is None and self.metrics is not None:
                self.metrics.rejected("unknown_recipient")
            return {"recipient": _recipient_json(found) if found else None}
        if frame.kind == ipc.DATA:
            looked_up = [await self.inboxes.recipient(str(a)) for a in frame.meta["rcpt"]]
            recipients = _one_per_inbox(looked_up)
            if not recipients:  # every inbox was deleted or expired since RCPT
                if self.metrics is not None:
                    self.metrics.rejected("recipients_gone")
                return {"error": "550 5.1.1 No such mailbox here"}
            ids = await self.ingest.deliver(
                str(frame.meta["mail_from"]), recipients, frame.raw, _headers(frame.meta)
            )
            return {"ids": ids}
        return {"error": f"500 unknown request kind {frame.kind}"}


def _one_per_inbox(found: list[Recipient | None]) -> list[Recipient]:
    """The live recipients, each inbox once (one stored copy per inbox)."""
    unique: dict[str, Recipient] = {}
    for recipient in found:
        if recipient is not None:
            unique.setdefault(recipient.inbox_id, recipient)
    return list(unique.values())


def _recipient_json(recipient: Recipient) -> dict[str, object]:
    return {
        "inbox_id": recipient.inbox_id,
        "user_id": recipient.user_id,
        "session_id": recipient.session_id,
        "address": recipient.address,
        "expires_at": recipient.expires_at.isoformat() if recipient.expires_at else None,
    }


NOT_STORED = "451 4.3.0 Message not stored, try again later"


class _Channel(asyncio.Protocol):
    """The main process's end of one worker's socketpair."""

    def __init__(self, workers: SMTPWorkers, index: int) -> None:
        self.workers = workers
        self.index = index
        self.buffer = ipc.FrameBuffer()
        self.transport: asyncio.WriteTransport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        try:
            frames = self.buffer.feed(data)
        except ValueError:
            log.exception("malformed frame from SMTP worker %d; closing its channel", self.index)
            self.transport.close()
            return
        for frame in frames:
            self.workers.dispatch(self.index, frame, self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


def _headers(meta: dict[str, Any]) -> HeaderSummary:
    sender, subject, to, date, message_id = meta["headers"]
    return sender, subject, to, datetime.fromisoformat(date) if date else None, message_id


def _reply(transport: asyncio.WriteTransport, request_id: int, meta: dict[str, object]) -> None:
    if not transport.is_closing():
        transport.write(ipc.encode(ipc.Frame(request_id, ipc.REPLY, meta)))


def _reply_stored(
    transport: asyncio.WriteTransport,
    request_id: int,
    stored: asyncio.Future[list[str]],
    metrics: Metrics | None = None,
) -> None:
    if stored.cancelled() or stored.exception() is not None:
        if metrics is not None:
            metrics.rejected("store_failed")
        if not stored.cancelled():
            log.error("could not store a message from an SMTP worker: %r", stored.exception())
        _reply(transport, request_id, {"error": NOT_STORED})
    else:
        _reply(transport, request_id, {"ids": stored.result()})
