"""CPU per stored message of mail ingest's group commit, by batch size, without SMTP.

Writes 2 KB messages to one inbox of a fresh SQLite database through
``MailIngest._write`` (header parse, email rows, ``email.received`` events, one
transaction per batch, publish), in batches of 1, 4 and 16, and prints the CPU time
per message, and separately the header parse's share. What a batch saves is the
transaction's fixed cost, shared by its messages.

Usage: .venv/bin/python bench/ingest_batch.py [--messages 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import make_message

from waypost.db.database import Database
from waypost.db.models import Inbox, User
from waypost.db.types import utcnow
from waypost.events.bus import InProcessBus
from waypost.events.log import EventLog
from waypost.mail.inboxes import Recipient
from waypost.mail.parse import parse_headers_fast
from waypost.mail.store import MailIngest, _Pending

ADDRESS = "bench@waypost.localhost"


async def measure(batch: int, messages: int) -> None:
    folder = tempfile.mkdtemp(prefix="waypost-bench-")
    db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
    await db.migrate()
    async with db.write() as tx:
        tx.s.add(User(id="usr_bench", name="bench"))
    async with db.write() as tx:
        tx.s.add(
            Inbox(
                id="inb_bench",
                user_id="usr_bench",
                address=ADDRESS,
                meta={},
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
    ingest = MailIngest(db, EventLog(db, InProcessBus()))
    recipients = [Recipient("inb_bench", "usr_bench", None, ADDRESS)]
    raws = [make_message(2048, ADDRESS, n) for n in range(messages)]
    loop = asyncio.get_running_loop()
    cpu = time.process_time()
    for start in range(0, messages, batch):
        await ingest._write(
            [
                _Pending("sender@example.test", recipients, raw, loop.create_future())
                for raw in raws[start : start + batch]
            ]
        )
    per_message = (time.process_time() - cpu) / messages * 1e6
    cpu = time.process_time()
    for raw in raws:
        parse_headers_fast(raw)
    parse = (time.process_time() - cpu) / messages * 1e6
    print(f"batch {batch:3}: {per_message:6.1f} µs CPU per message (header parse {parse:.1f} µs)")
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=4000)
    args = parser.parse_args()
    for batch in (1, 4, 16):
        uvloop.run(measure(batch, args.messages))


if __name__ == "__main__":
    main()
