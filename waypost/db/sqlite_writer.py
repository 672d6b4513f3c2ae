"""SQLite's hot write path: a whole transaction in one call, without SQLAlchemy.

Through SQLAlchemy's async session and aiosqlite, one write transaction cost about
1.7 ms of CPU and seven thread hops (BEGIN, each statement, COMMIT, pool
bookkeeping). Mail ingest and the agent loop commit hundreds of small transactions a
second, so they hand a plain function to :class:`SQLiteWriter` instead, which runs it
between ``BEGIN IMMEDIATE`` and ``COMMIT`` in ~0.1 ms (docs/benchmarks.md).

The functions speak DB-API 2 with ``?`` parameters, so the same code also runs inside
an ordinary SQLAlchemy transaction (:meth:`waypost.db.database.Database.run_dbapi`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class DBAPIConnection(Protocol):
    """The part of a DB-API 2 connection these functions use."""

    def cursor(self) -> Any: ...


PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",  # durable against process crashes in WAL mode
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_size_limit=67108864",  # truncate a WAL left bigger than 64 MiB
)


def apply_pragmas(connection: Any) -> None:
    """The settings every Waypost SQLite connection runs with."""
    connection.isolation_level = None  # autocommit: each caller decides how to begin
    cursor = connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def sqlite_value(value: Any) -> Any:
    """A Python value as SQLAlchemy would bind it for our SQLite columns."""
    if isinstance(value, datetime):
        return sqlite_time(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC text)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_rows(
    connection: DBAPIConnection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    return_ids: bool = False,
) -> list[int]:
    """INSERT ``rows`` (already SQLite values) with one executemany; their rowids if asked.

    Only valid under the write lock (``BEGIN IMMEDIATE``): the rowids of one
    executemany are then consecutive.
    """
    if not rows:
        return []
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    cursor = connection.cursor()
    cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    if not return_ids:
        return []
    cursor.execute("SELECT last_insert_rowid()")
    [(last,)] = cursor.fetchall()
    return list(range(last - len(rows) + 1, last + 1))


def scalar(connection: DBAPIConnection, sql: str, params: Sequence[Any]) -> Any:
    """The first value of the first row ``sql`` returns, or None."""
    cursor = connection.cursor()
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    return rows[0][0] if rows else None


class SQLiteWriter:
    """Whole write transactions on the event loop's own thread, checkpoints off it.

    An uncontended SQLite transaction of a few rows costs ~0.1 ms of CPU and, in WAL
    mode with ``synchronous=NORMAL``, does no fsync, so it runs inline. Handing it to
    a thread was measured slower: every statement gives up the GIL, and getting it
    back from a busy event loop waits out the 5 ms switch interval (docs/benchmarks.md).
    What could block is moved off the loop:

    - WAL checkpoints (the fsyncs): a background thread copies the log into the
      database every :attr:`CHECKPOINT_INTERVAL` seconds or :attr:`CHECKPOINT_COMMITS`
      commits. When the log has grown past :attr:`RESTART_FRAMES`, writers wait for
      one checkpoint to reach its end, so that the log can start over.
    - Waiting for the lock: another process holding it (``waypost keys create`` on
      the same file) makes ``BEGIN IMMEDIATE`` fail at once here, and the transaction
      is then run on the background thread, which may wait for it.
    """

    CHECKPOINT_INTERVAL = 0.5  # seconds
    CHECKPOINT_COMMITS = 200  # or this many commits, whichever comes first
    RESTART_FRAMES = 1000  # let a checkpoint reach the end past this (SQLite's default, ~4 MiB)

    def __init__(self, path: str) -> None:
        self.path = path
        self._inline: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None  # read_inline's, autocommit
        self.lock = asyncio.Lock()  # one writer at a time: this one and the ORM's
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="waypost-sqlite")
        self._background: sqlite3.Connection | None = None  # used on the executor's thread only
        self._checkpoint: asyncio.Future[None] | None = None
        self._last_checkpoint = time.monotonic()
        self._commits = 0
        self._wal_frames = 0  # the log's length at the last background checkpoint

    async def run(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``unit(connection)`` in one transaction; its result.

        Committed when this returns; if the caller is cancelled while the transaction
        waits for another process's lock, it still finishes on its own.
        """
        async with self.lock:
            connection = self._inline_connection()
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._executor, self._waiting_transaction, unit)
            else:
                result = _finish(connection, unit)
        self._maybe_checkpoint()
        return result

    def read_inline(self, sql: str, params: Sequence[Any]) -> Any:
        """The first row of one read-only statement, run now on the event loop's thread.

        For tiny indexed reads on hot paths (the API key of each request): ~10 µs,
        where a read through SQLAlchemy and aiosqlite's thread costs over 1 ms. Never
        waits: a busy database raises ``sqlite3.OperationalError`` (the caller falls
        back to an ordinary read).
        """
        if self._reader is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False)
            apply_pragmas(connection)
            connection.execute("PRAGMA busy_timeout=0")  # never wait on the event loop
            connection.execute("PRAGMA query_only=ON")
            self._reader = connection
        return self._reader.execute(sql, params).fetchone()

    def _inline_connection(self) -> sqlite3.Connection:
        if self._inline is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False)
            apply_pragmas(connection)
            connection.execute("PRAGMA busy_timeout=0")  # never wait on the event loop
            connection.execute("PRAGMA wal_autocheckpoint=0")  # the background thread does
            self._inline = connection
        return self._inline

    def _background_connection(self) -> sqlite3.Connection:
        if self._background is None:
            self._background = sqlite3.connect(self.path, check_same_thread=False)
            apply_pragmas(self._background)
        return self._background

    def _waiting_transaction(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._background_connection()
        connection.execute("BEGIN IMMEDIATE")  # waits up to busy_timeout
        return _finish(connection, unit)

    def _maybe_checkpoint(self) -> None:
        self._commits += 1
        if self._checkpoint is not None and not self._checkpoint.done():
            return
        if self._wal_frames >= self.RESTART_FRAMES:
            # Under a steady stream of commits a checkpoint never reaches the end of the
            # log, and a log only starts over once one has. So writers wait (on the
            # lock, not blocking the loop) while the background thread copies the few
            # frames left; the next transaction then restarts the log.
            self._wal_frames = 0
            self._checkpoint = asyncio.ensure_future(self._checkpoint_all())
            return
        now = time.monotonic()
        if (
            now - self._last_checkpoint < self.CHECKPOINT_INTERVAL
            and self._commits < self.CHECKPOINT_COMMITS
        ):
            return
        self._last_checkpoint, self._commits = now, 0
        loop = asyncio.get_running_loop()
        self._checkpoint = loop.run_in_executor(self._executor, self._checkpoint_wal)

    async def _checkpoint_all(self) -> None:
        async with self.lock:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, self._checkpoint_wal)

    def _checkpoint_wal(self) -> None:
        """Copy committed frames from the WAL into the database, blocking nobody (PASSIVE)."""
        connection = self._background_connection()
        _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self._wal_frames = frames

    async def close(self) -> None:
        """Checkpoint what is left, close both connections and stop the thread."""
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):
                await self._checkpoint
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_background)
        self._executor.shutdown(wait=True)
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _close_background(self) -> None:
        if self._background is not None:
            self._background.execute("PRAGMA wal_checkpoint(PASSIVE)")
            self._background.close()
            self._background = None


def _finish(connection: sqlite3.Connection, unit: Callable[[sqlite3.Connection], T]) -> T:
    """The rest of a transaction begun on ``connection``: ``unit``, then commit."""
    try:
        result = unit(connection)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result
