"""Cost of one small write transaction on SQLite: the hot path against the ORM path.

Appends one event 2,000 times each way to a fresh database and prints wall and CPU
time per transaction:

- ``EventLog.commit``: the whole transaction as one DB-API function, run inline
  (``waypost.db.sqlite_writer``), as mail ingest and the agent loop write;
- ``Database.write()`` + ``EventLog.append_many``: SQLAlchemy's async session over
  aiosqlite, as the rest of the server writes.

Usage: .venv/bin/python bench/sqlite_commit.py [--commits 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Awaitable, Callable

import uvloop

from waypost.db.database import Database
from waypost.db.models import User
from waypost.events.bus import InProcessBus
from waypost.events.log import EventLog, NewEvent


async def measure(commits: int) -> None:
    folder = tempfile.mkdtemp(prefix="waypost-bench-")
    db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
    await db.migrate()
    log = EventLog(db, InProcessBus())
    async with db.write() as tx:
        tx.s.add(User(id="usr_bench", name="bench"))

    def event() -> NewEvent:
        return NewEvent(user_id="usr_bench", type="email.received", data={"n": 1})

    async def orm() -> None:
        async with db.write() as tx:
            await log.append_many(tx, [event()])

    async def hot() -> None:
        await log.commit([], [event()])

    ways: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("Database.write() + append_many", orm),
        ("EventLog.commit (hot path)", hot),
    ]
    for name, write in ways:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(commits):
            await write()
        wall = (time.perf_counter() - wall) / commits * 1000
        cpu = (time.process_time() - cpu) / commits * 1000
        print(f"{name:32} wall {wall:.3f} ms   CPU {cpu:.3f} ms   per transaction")
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=2000)
    uvloop.run(measure(parser.parse_args().commits))


if __name__ == "__main__":
    main()
