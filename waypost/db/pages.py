"""Cursor pagination shared by every list: newest first, cursor = last id seen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session

from waypost.db.records import RecordQuery, Records
from waypost.errors import Invalid

T = TypeVar("T")
MAX_LIMIT = 100


@dataclass
class Page(Generic[T]):
    """One page of a list and where the next one starts."""

    data: list[T]
    total: int
    next_cursor: str | None


def check_limit(limit: int) -> int:
    """Reject limits outside 1..100 with a clear message."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def page(
    s: Session,
    query: Select[Any],
    id_column: InstrumentedAttribute[str],
    limit: int,
    cursor: str | None,
) -> Page[Any]:
    """Run ``query`` newest-first from ``cursor``; ``total`` counts the whole filtered list.

    For :meth:`waypost.db.database.Database.query`; :func:`paginate` in async code."""
    check_limit(limit)
    total = s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page_query = query.order_by(id_column.desc()).limit(limit + 1)
    if cursor:
        page_query = page_query.where(id_column < cursor)
    rows = list(s.execute(page_query).scalars())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = getattr(rows[-1], id_column.key)
    return Page(rows, total, next_cursor)


@dataclass(frozen=True)
class PageQuery:
    """A list's statements composed once: its count, its first page, a page after a cursor.

    The list's own values (owner, filters) are bound parameters, as are the limit and the
    cursor, so a list keeps one of these per combination of filters in use and only runs
    it: composing a statement with SQLAlchemy costs more than SQLite takes to run it.
    The query selects columns (:func:`waypost.db.records.record_select`), ``id`` among
    them; :meth:`run` runs in :meth:`waypost.db.database.Database.records`.
    """

    total: RecordQuery
    first: RecordQuery
    after: RecordQuery

    @classmethod
    def of(cls, query: Select[Any], id_column: InstrumentedAttribute[str]) -> PageQuery:
        newest_first = query.order_by(id_column.desc()).limit(
            bindparam("page_limit", type_=Integer)
        )
        return cls(
            total=RecordQuery(select(func.count().label("total")).select_from(query.subquery())),
            first=RecordQuery(newest_first),
            after=RecordQuery(newest_first.where(id_column < bindparam("page_cursor"))),
        )

    def run(
        self, records: Records, params: dict[str, Any], limit: int, cursor: str | None
    ) -> Page[Any]:
        """The page of rows (newest first) from ``cursor``; ``total`` counts every row."""
        check_limit(limit)
        counted = records.first(self.total, params)
        statement, bound = self.first, {**params, "page_limit": limit + 1}
        if cursor:
            statement, bound["page_cursor"] = self.after, cursor
        rows = records.all(statement, bound)
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = str(rows[-1].id)
        return Page(rows, int(counted.total) if counted is not None else 0, next_cursor)


async def paginate(
    s: AsyncSession,
    query: Select[Any],
    id_column: InstrumentedAttribute[str],
    limit: int,
    cursor: str | None,
) -> Page[Any]:
    """:func:`page` in an async session."""
    return await s.run_sync(page, query, id_column, limit, cursor)
