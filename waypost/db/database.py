"""Engines, transactions and migrations.

Writes go through :meth:`Database.write`, which commits and then runs the
callbacks registered on the transaction (used to publish events only once they
are durable). On SQLite, writers take the lock up front (``BEGIN IMMEDIATE``)
and queue on an asyncio lock instead of spinning on ``SQLITE_BUSY``; the hot paths
(mail ingest, the agent loop) write through :mod:`waypost.db.sqlite_writer`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool

from waypost.db.records import AsyncpgRecords, CoreRecords, Records, SqliteRecords
from waypost.db.sqlite_writer import SQLiteWriter, apply_pragmas

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")
# A read run on the event loop's thread (:meth:`Database.query`) that needs more
# SQLite virtual-machine steps than this (a millisecond or two of work) is interrupted
# and run again on a reader thread, so no query, however large its result or slow its
# plan, holds the loop for other requests. Counted in steps, not seconds: a loaded
# machine slows every read alike and must not push the small ones off the loop.
INLINE_READ_BUDGET_STEPS = 100_000
_PROGRESS_STEPS = 1_000  # steps between two calls of the budget check


class Tx:
    """An open write transaction plus work to do once it has committed."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self._after: list[Callable[[], Awaitable[None]]] = []

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` after a successful commit (never on rollback)."""
        self._after.append(callback)


class Database:
    """Owns the engines. One instance per server, passed down explicitly."""

    def __init__(self, url: str, pool_size: int = 20) -> None:
        """``pool_size``: PostgreSQL connections kept, and as many more under load (each
        replica's twice this counts against the server's ``max_connections``)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._prepare_sqlite_dir(url)
            # The writer's transactions always end in COMMIT or ROLLBACK (``write()``), so
            # the pool's extra rollback-on-return is only a wasted thread hop per write.
            self.writer = create_async_engine(
                url,
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                pool_reset_on_return=None,
            )
            # A fixed reader pool: overflow connections would be closed and reopened (each
            # with its own aiosqlite thread and PRAGMAs) under load.
            self.reader = create_async_engine(url, pool_size=16, max_overflow=0, pool_timeout=60)
            for engine in (self.writer, self.reader):
                event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.writer.sync_engine, "begin", _sqlite_begin_immediate)
            event.listen(self.reader.sync_engine, "begin", _sqlite_begin_deferred)
        else:
            # No pre-ping: it is a round trip before every transaction (a quarter of a
            # worker's CPU in a profile; 20-27 % of a request's time, docs/benchmarks.md).
            # After a PostgreSQL restart the first statement on a stale connection fails
            # and the pool then replaces every older connection; reads retry once.
            self.writer = create_async_engine(
                url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800
            )
            self.reader = self.writer
        # SQLite has one writer at a time: the ORM's connection and the hot path's take
        # turns on the writer's lock instead of spinning on SQLITE_BUSY. PostgreSQL
        # writers need no turn-taking here.
        self.sqlite_writer = SQLiteWriter(_sqlite_path(url)) if self.is_sqlite else None
        self._write_lock: contextlib.AbstractAsyncContextManager[Any] = (
            self.sqlite_writer.lock if self.sqlite_writer is not None else contextlib.nullcontext()
        )
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False)
        self._inline = _InlineReader(_sqlite_path(url)) if self.is_sqlite else None

    @staticmethod
    def _prepare_sqlite_dir(url: str) -> None:
        """The database's folder (0700 if new) and file (0600 if new: SQLite gives the
        -wal and -shm files the database's mode), whatever the process umask."""
        path = Path(_sqlite_path(url))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        plain_file = ":///" in url and "?" not in url and not path.name.startswith(":")
        if plain_file and path.name:
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """A write transaction; commits on success, then runs after-commit work."""
        async with self._write_lock, self._write_sessions() as session:
            tx = Tx(session)
            async with session.begin():
                yield tx
        for callback in tx._after:
            await callback()

    async def insert_many(
        self, tx: Tx, table: Any, rows: list[dict[str, Any]], *, return_ids: bool = False
    ) -> list[int]:
        """INSERT ``rows`` in ``tx`` with one executemany; the new integer ids if asked.

        (SQLite's hot paths skip this and SQLAlchemy: see :mod:`waypost.db.sqlite_writer`.)
        """
        if not rows:
            return []
        statement = insert(table)
        if return_ids:
            returning = statement.returning(table.c.id, sort_by_parameter_order=True)
            return list((await tx.s.execute(returning, rows)).scalars())
        await tx.s.execute(statement, rows)
        return []

    async def run_dbapi(self, tx: Tx, unit: Callable[[Any], T]) -> T:
        """Run ``unit(dbapi_connection)`` inside ``tx`` (SQLite): the same functions the
        :class:`SQLiteWriter` runs, inside an ordinary transaction.

        The ORM's pending changes are written first: statements sent below SQLAlchemy do
        not trigger its autoflush.
        """
        await tx.s.flush()
        connection = await tx.s.connection()
        return await connection.run_sync(lambda c: unit(c.connection.dbapi_connection))

    async def run_sqlite(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        """SQLite only: ``unit(connection)`` as one whole transaction (:class:`SQLiteWriter`)."""
        assert self.sqlite_writer is not None, "run_sqlite is for SQLite databases"
        return await self.sqlite_writer.run(unit)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session (a snapshot on SQLite WAL, read committed on PostgreSQL)."""
        async with self._read_sessions() as session:
            yield session

    async def query(self, unit: Callable[[Session], T], *, inline: bool = True) -> T:
        """Run the read-only ``unit(session)`` (ORM statements on a plain ``Session``).

        On SQLite it runs now, on the event loop's thread, on a connection of its own
        (``query_only``, ``busy_timeout=0``): a small indexed read costs tens of µs
        there, against a millisecond and more through aiosqlite's thread under load.
        A read that is busy or over :data:`INLINE_READ_BUDGET_STEPS` is interrupted
        and run again through :meth:`read`, as every read runs on PostgreSQL. ``unit``
        may run twice, so it must not change anything but its own locals.

        ``inline=False`` for reads whose cost is in SQL functions rather than steps
        (JSON functions over large documents): the budget cannot interrupt those, and
        on a reader thread SQLite runs them without the GIL, beside the event loop.
        """
        if self._inline is not None and inline:
            try:
                return self._inline.run(unit)
            except OperationalError as exc:
                if not _retry_elsewhere(exc):
                    raise

        async def attempt() -> T:
            async with self.read() as s:
                return await s.run_sync(unit)

        return await _again_if_stale(attempt)

    async def records(self, unit: Callable[[Records], T]) -> T:
        """:meth:`query` for record queries (:mod:`waypost.db.records`): no ORM objects.

        For the hottest reads (a session's detail, the lists). On SQLite ``unit`` runs on
        the inline reader's DB-API connection (:class:`SqliteRecords`): about 15 µs to read
        a session's row, against 47 µs through a Core connection and 150 µs through a new
        ORM session (``bench/orm_read.py``); same rules as :meth:`query`: inline within the
        step budget, one snapshot per unit, else again off the loop. On PostgreSQL it runs
        on the pooled connection's asyncpg connection (:class:`AsyncpgRecords`); a failed
        connection sends it through SQLAlchemy, which renews the pool. ``unit`` may run
        twice.
        """
        if self._inline is not None:
            try:
                return self._inline.run_records(unit)
            except sqlite3.OperationalError as exc:
                if not _retry_message(str(exc)):
                    raise
        elif self.reader.dialect.driver == "asyncpg":
            async with self.reader.connect() as conn:
                try:
                    return await conn.run_sync(
                        lambda c: unit(AsyncpgRecords(c.connection.driver_connection, c.dialect))
                    )
                except _CONNECTION_LOST:
                    # a stale pooled connection: dropped here, and SQLAlchemy's path below
                    # renews the rest of the pool when it meets the next one
                    await conn.invalidate()

        async def attempt() -> T:
            async with self.reader.connect() as conn:
                return await conn.run_sync(lambda c: unit(CoreRecords(c)))

        return await _again_if_stale(attempt)

    async def ping(self) -> None:
        """One trivial statement: the database answers. On SQLite through the inline reader
        (no thread hop: a health probe should not queue behind the GIL); a busy file falls
        back to an ordinary read."""
        if self.sqlite_writer is not None:
            try:
                self.sqlite_writer.read_inline("SELECT 1", ())
                return
            except sqlite3.OperationalError:
                pass
        async with self.read() as s:
            await s.execute(text("SELECT 1"))

    async def migrate(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision.

        On PostgreSQL a transaction-scoped advisory lock makes replicas that start
        together migrate one after another (the later ones find nothing to do).
        """
        async with self.writer.connect() as conn:
            if not self.is_sqlite:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK}
                )
            await conn.run_sync(_upgrade)
            await conn.commit()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._inline is not None:
            self._inline.close()
        if self.sqlite_writer is not None:
            await self.sqlite_writer.close()
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


# What asyncpg raises on a connection the server has ended (a restart, an administrator):
# ended at once, or noticed mid-operation, which leaves the protocol in a state no
# operation can start from.
_CONNECTION_LOST = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
)

_MIGRATE_LOCK = 0x57415950  # "WAYP": the advisory lock key migrations hold on PostgreSQL


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    apply_pragmas(dbapi_connection)


def _sqlite_path(url: str) -> str:
    return url.split(":///", 1)[-1]


def _sqlite_begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


class _InlineReader:
    """A synchronous read-only SQLAlchemy engine for :meth:`Database.query` on SQLite."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._dbapi: Any = None  # the engine's sqlite3 connection, for record queries
        self._checks_left = 0

    def run(self, unit: Callable[[Session], T]) -> T:
        sessions = self._sessions or self._open()
        self._checks_left = INLINE_READ_BUDGET_STEPS // _PROGRESS_STEPS
        with sessions() as session:
            return unit(session)

    def run_records(self, unit: Callable[[Records], T]) -> T:
        if self._dbapi is None:
            self._open()
        assert self._dbapi is not None and self._engine is not None
        connection = self._dbapi
        self._checks_left = INLINE_READ_BUDGET_STEPS // _PROGRESS_STEPS
        connection.execute("BEGIN")  # one snapshot for the unit's statements
        try:
            return unit(SqliteRecords(connection, self._engine.dialect))
        finally:
            connection.rollback()

    def _open(self) -> sessionmaker[Session]:
        engine = create_engine(
            f"sqlite:///{self._path}",
            poolclass=StaticPool,  # one connection: only the event loop's thread uses it
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", self._prepare)
        event.listen(engine, "begin", _sqlite_begin_deferred)  # one snapshot per unit
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        with engine.connect() as connection:  # StaticPool: the one connection, kept open
            self._dbapi = connection.connection.dbapi_connection
        return self._sessions

    def _prepare(self, connection: Any, _record: Any) -> None:
        apply_pragmas(connection)
        connection.execute("PRAGMA busy_timeout=0")  # never wait on the event loop
        connection.execute("PRAGMA query_only=ON")
        connection.set_progress_handler(self._over_budget, _PROGRESS_STEPS)

    def _over_budget(self) -> int:
        self._checks_left -= 1
        return 1 if self._checks_left < 0 else 0

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._sessions = None
            self._dbapi = None


async def _again_if_stale(attempt: Callable[[], Awaitable[T]]) -> T:
    """``attempt()``, once more if it met a pooled connection the server had closed (a
    restart): SQLAlchemy has then invalidated the pool's older connections."""
    try:
        return await attempt()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return await attempt()


def _retry_elsewhere(exc: OperationalError) -> bool:
    """An inline read that was interrupted (over budget) or found the file busy."""
    return _retry_message(str(exc.orig))


def _retry_message(message: str) -> bool:
    return "interrupted" in message or "locked" in message or "busy" in message
