"""The SQLite hot write path: inline transactions, lock contention, WAL checkpoints."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from waypost.db.database import Database
from waypost.db.models import User
from waypost.db.sqlite_writer import SQLiteWriter
from waypost.events.bus import InProcessBus
from waypost.events.log import EventLog, NewEvent


def _make_table(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")


def _insert(value: str) -> object:
    def unit(connection: sqlite3.Connection) -> int:
        return connection.execute("INSERT INTO t (v) VALUES (?)", (value,)).lastrowid or 0

    return unit


async def test_a_failing_unit_rolls_back_and_the_writer_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_table(path)
    writer = SQLiteWriter(str(path))

    def fails(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO t (v) VALUES ('lost')")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await writer.run(fails)
    await writer.run(_insert("kept"))  # type: ignore[arg-type]
    await writer.close()
    with sqlite3.connect(path) as connection:
        assert [r[0] for r in connection.execute("SELECT v FROM t")] == ["kept"]


async def test_a_lock_held_elsewhere_waits_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_table(path)
    writer = SQLiteWriter(str(path))
    other = sqlite3.connect(path, isolation_level=None)  # e.g. `waypost keys create`
    other.execute("BEGIN IMMEDIATE")
    task = asyncio.create_task(writer.run(_insert("after")))  # type: ignore[arg-type]
    ticks = 0
    for _ in range(20):  # the loop keeps running while the write waits for the lock
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 20 and not task.done()
    other.execute("COMMIT")
    assert await asyncio.wait_for(task, 10) == 1
    other.close()
    await writer.close()


async def test_the_wal_is_checkpointed_and_restarted_under_steady_writes(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_table(path)
    writer = SQLiteWriter(str(path))
    for n in range(6000):  # a WAL frame or more each: 6,000+ if nothing restarts the log
        await writer.run(_insert("x" * 200 + str(n)))  # type: ignore[arg-type]
        await asyncio.sleep(0)
    if writer._checkpoint is not None:
        await writer._checkpoint
    with sqlite3.connect(path) as connection:
        _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert connection.execute("SELECT count(*) FROM t").fetchone()[0] == 6000
    assert frames < 3000  # bounded near RESTART_FRAMES (1,000), not growing with the writes
    await writer.close()


async def test_events_committed_for_a_cancelled_caller_still_go_out(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/w.db")
    await db.migrate()
    bus = InProcessBus()
    log = EventLog(db, bus)
    async with db.write() as tx:
        tx.s.add(User(id="usr_1", name="one"))
    async with bus.subscribe("probe") as sub:
        async with db.write():  # hold the write lock so the commit below has to queue
            caller = asyncio.create_task(
                log.commit(
                    [], [NewEvent(user_id="usr_1", type="x.happened", data={}, channels=("probe",))]
                )
            )
            await asyncio.sleep(0.05)
            caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        message = await sub.get(within=5)
    assert message is not None and message["type"] == "x.happened"
    async with db.read() as s:
        assert await s.get(User, "usr_1") is not None
    await db.dispose()
