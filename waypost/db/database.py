"""Engines, transactions and migrations.

Writes go through :meth:`Database.write`, which commits and then runs the
callbacks registered on the transaction (used to publish events only once they
are durable). On SQLite, writers take the lock up front (``BEGIN IMMEDIATE``)
and queue on a one-connection pool instead of spinning on ``SQLITE_BUSY``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

MIGRATIONS = Path(__file__).parent / "migrations"


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

    def __init__(self, url: str) -> None:
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
            self.writer = create_async_engine(
                url, pool_size=20, max_overflow=20, pool_pre_ping=True
            )
            self.reader = self.writer
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False)

    @staticmethod
    def _prepare_sqlite_dir(url: str) -> None:
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """A write transaction; commits on success, then runs after-commit work."""
        async with self._write_sessions() as session:
            tx = Tx(session)
            async with session.begin():
                yield tx
        for callback in tx._after:
            await callback()

    async def insert_many(
        self, tx: Tx, table: Any, rows: list[dict[str, Any]], *, return_ids: bool = False
    ) -> list[int]:
        """INSERT ``rows`` in ``tx`` with one executemany; the new integer ids if asked.

        On SQLite this goes straight to the driver connection of the transaction:
        SQLAlchemy's per-statement work was half the CPU of durable mail ingest
        (docs/benchmarks.md). Values are stored exactly as SQLAlchemy stores them.
        """
        if not rows:
            return []
        if not self.is_sqlite:
            statement = insert(table)
            if return_ids:
                returning = statement.returning(table.c.id, sort_by_parameter_order=True)
                return list((await tx.s.execute(returning, rows)).scalars())
            await tx.s.execute(statement, rows)
            return []
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        params = [tuple(_sqlite_value(row[c]) for c in columns) for row in rows]
        driver = await self._driver(tx)
        await driver.executemany(sql, params)
        if not return_ids:
            return []
        # The write lock is held (BEGIN IMMEDIATE): rowids of this executemany are consecutive.
        [(last,)] = await driver.execute_fetchall("SELECT last_insert_rowid()")
        return list(range(last - len(rows) + 1, last + 1))

    @staticmethod
    async def _driver(tx: Tx) -> Any:
        """The transaction's driver connection, after writing the ORM's pending changes:
        statements sent below SQLAlchemy do not trigger its autoflush."""
        await tx.s.flush()
        connection = await (await tx.s.connection()).get_raw_connection()
        return connection.driver_connection

    async def sqlite_scalar(self, tx: Tx, sql: str, params: tuple[Any, ...]) -> Any:
        """Run one statement on the SQLite driver connection of ``tx``; its first value.

        For the few statements on every hot path (see :meth:`insert_many`).
        """
        driver = await self._driver(tx)
        rows = await driver.execute_fetchall(sql, tuple(_sqlite_value(p) for p in params))
        return rows[0][0] if rows else None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session (a snapshot on SQLite WAL, read committed on PostgreSQL)."""
        async with self._read_sessions() as session:
            yield session

    async def migrate(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision."""
        async with self.writer.connect() as conn:
            await conn.run_sync(_upgrade)
            await conn.commit()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


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
    # Autocommit at the driver level so SQLAlchemy's "begin" hook decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable against process crashes in WAL mode
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_value(value: Any) -> Any:
    """A Python value as SQLAlchemy would bind it for our SQLite columns."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _sqlite_begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")
