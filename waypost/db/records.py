"""Reads without ORM objects: a model's columns selected under its attribute names.

A row of :func:`record_select` reads like an instance of the model — ``row.meta``,
``row.created_at``, each value converted by its column's type — but it is a named tuple:
no identity map, no instance state, nothing to expire. Built for the hottest reads
(:meth:`waypost.db.database.Database.records`), where making ORM objects cost more than
running the statement (docs/benchmarks.md). Such a row is read-only: code that would
change it or add it to a session must read the model instead.

A :class:`RecordQuery` is compiled once per dialect. On SQLite it then runs straight on
the DB-API connection (:class:`SqliteRecords`): the SQL text, the parameters in order and
the column types' own bind and result processors, all taken from SQLAlchemy's compiled
statement, so values convert exactly as SQLAlchemy converts them, without its execution
machinery (a row read in 15 µs against 47 through a Core connection). Elsewhere
(a read moved off the event loop, or after a PostgreSQL connection failed) it runs through
a Core connection (:class:`CoreRecords`); on PostgreSQL on the asyncpg connection under
the pooled one (:class:`AsyncpgRecords`).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import Select, inspect, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import Label
from sqlalchemy.sql.selectable import SelectBase
from sqlalchemy.util import await_only

Processor = Callable[[Any], Any] | None


def record_columns(
    model: type[Any], *, leave_out: frozenset[str] = frozenset()
) -> list[Label[Any]]:
    """Every mapped column of ``model`` labelled with its attribute name (``meta``, not
    ``metadata``), but those in ``leave_out`` (large ones a list never shows)."""
    return [
        getattr(model, attr.key).label(attr.key)
        for attr in inspect(model).column_attrs
        if attr.key not in leave_out
    ]


def record_select(model: type[Any], *, leave_out: frozenset[str] = frozenset()) -> Select[Any]:
    """``SELECT`` of :func:`record_columns`, to add ``WHERE`` clauses to."""
    return select(*record_columns(model, leave_out=leave_out))


@dataclass(frozen=True)
class _Compiled:
    """What running a statement on a DB-API connection needs, for one dialect."""

    sql: str
    binds: tuple[tuple[str, Any, Processor], ...]  # per ``?``: name, default, processor
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # the columns that convert
    make: Callable[[Any], Any]  # the record type's ``_make``

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, default, process in self.binds:
            value = params.get(name, default)
            values.append(value if process is None or value is None else process(value))
        return values

    def record(self, row: Sequence[Any]) -> Any:
        if not self.results:
            return self.make(row)
        values = list(row)
        for index, process in self.results:
            if values[index] is not None:
                values[index] = process(values[index])
        return self.make(values)


class RecordQuery:
    """A Core ``SELECT`` (or ``UNION``) whose rows are named tuples of its labels."""

    def __init__(self, statement: SelectBase) -> None:
        self.statement = statement
        self.executable = cast(Executable, statement)  # SelectBase is one; its stubs disagree
        self.record: Any = namedtuple("Record", [c.key for c in statement.selected_columns])  # type: ignore[misc]
        self._compiled: dict[str, _Compiled] = {}

    def compiled(
        self, dialect: Dialect, describe: Callable[[str], Sequence[Any]] | None = None
    ) -> _Compiled:
        """The statement for ``dialect``, compiled on first use. ``describe(sql)``: the
        driver's type code of each result column, for types whose conversion depends on
        it (asyncpg's numbers); without it, none (sqlite3 reports none)."""
        key = f"{dialect.name}+{dialect.driver}"
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            names = compiled.positiontup
            assert names is not None, "a positional paramstyle (qmark, numeric_dollar)"
            binds = []
            for name in names:
                bind = compiled.binds[name]
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                binds.append((name, bind.value, process))
            columns = self.statement.selected_columns
            coltypes = describe(compiled.string) if describe else [None] * len(columns)
            processors = (
                column.type.dialect_impl(dialect).result_processor(dialect, coltype)
                for column, coltype in zip(columns, coltypes, strict=True)
            )
            results = tuple((i, p) for i, p in enumerate(processors) if p is not None)
            found = _Compiled(compiled.string, tuple(binds), results, self.record._make)
            self._compiled[key] = found
        return found


class Records(Protocol):
    """Runs record queries inside one read (one snapshot)."""

    def all(self, query: RecordQuery, params: Mapping[str, Any]) -> list[Any]: ...

    def first(self, query: RecordQuery, params: Mapping[str, Any]) -> Any | None: ...


class SqliteRecords:
    """Record queries on a DB-API ``sqlite3`` connection (the event loop's inline reader)."""

    def __init__(self, connection: sqlite3.Connection, dialect: Dialect) -> None:
        self._connection = connection
        self._dialect = dialect

    def all(self, query: RecordQuery, params: Mapping[str, Any]) -> list[Any]:
        compiled = query.compiled(self._dialect)
        rows = self._connection.execute(compiled.sql, compiled.args(params)).fetchall()
        return [compiled.record(row) for row in rows]

    def first(self, query: RecordQuery, params: Mapping[str, Any]) -> Any | None:
        compiled = query.compiled(self._dialect)
        row = self._connection.execute(compiled.sql, compiled.args(params)).fetchone()
        return None if row is None else compiled.record(row)


class AsyncpgRecords:
    """Record queries on the asyncpg connection under a pooled SQLAlchemy one (PostgreSQL).

    Runs inside ``AsyncConnection.run_sync`` and awaits each statement as SQLAlchemy's own
    asyncpg adapter does (``await_only``), on the same connection with the codecs that
    adapter registered, but without its cursor layer: a row by id in about half the time
    of the same read through a Core connection. Each statement is its own snapshot, as
    every statement is under PostgreSQL's READ COMMITTED.
    """

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self._connection = connection
        self._dialect = dialect

    def all(self, query: RecordQuery, params: Mapping[str, Any]) -> list[Any]:
        compiled = query.compiled(self._dialect, self._describe)
        rows = await_only(self._connection.fetch(compiled.sql, *compiled.args(params)))
        return [compiled.record(row) for row in rows]

    def first(self, query: RecordQuery, params: Mapping[str, Any]) -> Any | None:
        compiled = query.compiled(self._dialect, self._describe)
        row = await_only(self._connection.fetchrow(compiled.sql, *compiled.args(params)))
        return None if row is None else compiled.record(row)

    def _describe(self, sql: str) -> list[int]:
        """The type OID of each result column (what SQLAlchemy's adapter reports)."""
        prepared = await_only(self._connection.prepare(sql))
        return [attribute.type.oid for attribute in prepared.get_attributes()]


class CoreRecords:
    """Record queries through a SQLAlchemy Core connection (PostgreSQL; a read off the loop)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def all(self, query: RecordQuery, params: Mapping[str, Any]) -> list[Any]:
        return [
            query.record._make(row) for row in self._connection.execute(query.executable, params)
        ]

    def first(self, query: RecordQuery, params: Mapping[str, Any]) -> Any | None:
        row = self._connection.execute(query.executable, params).first()
        return None if row is None else query.record._make(row)
