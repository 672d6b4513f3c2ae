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
from typing import Any

from waypost.config import Settings
from waypost.mail import ipc
from waypost.mail.inboxes import InboxService, Recipient
from waypost.mail.store import MailIngest

log = logging.getLogger("waypost.smtp.workers")

RESTART_DELAY = 1.0  # seconds before a worker that died is started again
START_TIMEOUT = 30.0


class SMTPWorkers:
    """N worker processes sharing the SMTP port; the database stays in this process."""

    def __init__(
        self, settings: Settings, inboxes: InboxService, ingest: MailIngest, count: int
    ) -> None:
        self.settings = settings
        self.inboxes = inboxes
        self.ingest = ingest
        self.count = count
        self._supervisors: list[asyncio.Task[None]] = []
        self._processes: dict[int, asyncio.subprocess.Process] = {}
        self._ready: list[asyncio.Event] = []
        self._requests: set[asyncio.Task[None]] = set()
        self._stopping = False

    @property
    def pids(self) -> list[int]:
        """The running workers' process ids."""
        return [p.pid for p in self._processes.values() if p.returncode is None]

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
            reader, writer = await asyncio.open_unix_connection(sock=ours)
            try:
                await self._serve(index, reader, writer)
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
                writer.close()  # the worker sees the end of its channel and exits
                with contextlib.suppress(ProcessLookupError):
                    if process.returncode is None:
                        try:
                            await asyncio.wait_for(asyncio.shield(process.wait()), 5)
                        except TimeoutError:
                            process.kill()
                            await process.wait()
                self._processes.pop(index, None)

    async def _serve(
        self, index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while (frame := await ipc.read(reader)) is not None:
            if frame.kind == ipc.READY:
                self._ready[index].set()
                continue
            task = asyncio.create_task(self._answer(frame, writer))
            self._requests.add(task)
            task.add_done_callback(self._requests.discard)

    async def _answer(self, frame: ipc.Frame, writer: asyncio.StreamWriter) -> None:
        try:
            meta = await self._handle(frame)
        except Exception:
            log.exception("SMTP worker request failed")
            meta = {"error": "451 4.3.0 Message not stored, try again later"}
        if not writer.is_closing():
            writer.write(ipc.encode(ipc.Frame(frame.id, ipc.REPLY, meta)))

    async def _handle(self, frame: ipc.Frame) -> dict[str, object]:
        if frame.kind == ipc.RCPT:
            found = await self.inboxes.recipient(str(frame.meta["address"]))
            return {"recipient": _recipient_json(found) if found else None}
        if frame.kind == ipc.DATA:
            recipients: list[Recipient] = []
            for address in frame.meta["rcpt"]:
                found = await self.inboxes.recipient(str(address))
                if found is not None and all(r.inbox_id != found.inbox_id for r in recipients):
                    recipients.append(found)
            if not recipients:  # every inbox was deleted or expired since RCPT
                return {"error": "550 5.1.1 No such mailbox here"}
            sender, subject, to, date, message_id = frame.meta["headers"]
            headers = (
                sender,
                subject,
                to,
                datetime.fromisoformat(date) if date else None,
                message_id,
            )
            ids = await self.ingest.deliver(
                str(frame.meta["mail_from"]), recipients, frame.raw, headers
            )
            return {"ids": ids}
        return {"error": f"500 unknown request kind {frame.kind}"}


def _recipient_json(recipient: Recipient) -> dict[str, object]:
    return {
        "inbox_id": recipient.inbox_id,
        "user_id": recipient.user_id,
        "session_id": recipient.session_id,
        "address": recipient.address,
        "expires_at": recipient.expires_at.isoformat() if recipient.expires_at else None,
    }
