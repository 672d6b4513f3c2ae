"""Database.records: rows read without ORM objects, as the ORM would read them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, func, inspect, literal_column, select

from tests.conftest import database_url_for
from tests.helpers import end_other_backends
from waypost.db.database import Database
from waypost.db.models import Session as SessionRow
from waypost.db.models import User
from waypost.db.owned import read_owned
from waypost.db.pages import PageQuery
from waypost.db.records import RecordQuery, Records, record_select

_MINE = RecordQuery(
    record_select(SessionRow).where(
        SessionRow.id == bindparam("id"), SessionRow.user_id == bindparam("user_id")
    )
)
_SINCE = RecordQuery(
    select(SessionRow.id).where(
        SessionRow.user_id == bindparam("user_id"), SessionRow.created_at >= bindparam("since")
    )
)
# a million-row recursive count in a scalar subquery: far over the inline step budget
_HEAVY = RecordQuery(
    select(
        literal_column(
            "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)"
            " SELECT count(*) FROM c)"
        ).label("n")
    )
)
CREATED = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with ExitStack() as stack:
        url = database_url_for(request.param, stack)
        yield url or f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"


def run(url: str, scenario: Any) -> Any:
    async def main() -> Any:
        db = Database(url, pool_size=2)
        await db.migrate()
        try:
            async with db.write() as tx:
                tx.s.add(User(id="usr_a", name="a", created_at=CREATED))
                await tx.s.flush()
                for n, meta in enumerate(({"k": [1, "two"], "ü": None}, {})):
                    tx.s.add(
                        SessionRow(
                            id=f"ses_{n}",
                            user_id="usr_a",
                            name=None if n else "first",
                            meta=meta,
                            created_at=CREATED + timedelta(seconds=n),
                            updated_at=CREATED,
                            permission_context={"scopes": ["mail"]} if n == 0 else None,
                        )
                    )
            return await scenario(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def test_a_record_reads_like_the_orm_row(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        for session_id in ("ses_0", "ses_1"):
            row = await read_owned(db, SessionRow, session_id, "usr_a", "session")
            found = await db.records(
                lambda r, sid=session_id: r.first(_MINE, {"id": sid, "user_id": "usr_a"})
            )
            for attr in inspect(SessionRow).column_attrs:
                assert getattr(found, attr.key) == getattr(row, attr.key), attr.key
            assert found.created_at.tzinfo is not None
        assert (
            await db.records(lambda r: r.first(_MINE, {"id": "ses_0", "user_id": "usr_b"})) is None
        )

    run(database_url, scenario)


def test_a_bound_datetime_is_converted_as_the_orm_converts_it(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        def since(moment: datetime) -> Any:
            return lambda r: [x.id for x in r.all(_SINCE, {"user_id": "usr_a", "since": moment})]

        assert await db.records(since(CREATED)) == ["ses_0", "ses_1"]
        assert await db.records(since(CREATED + timedelta(microseconds=1))) == ["ses_1"]
        # the same instant written in another zone
        zoned = (CREATED + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=5)))
        assert zoned.hour == 17
        assert await db.records(since(zoned)) == ["ses_1"]

    run(database_url, scenario)


def test_a_page_counts_every_row_and_continues_from_its_cursor(database_url: str) -> None:
    pages = PageQuery.of(
        record_select(SessionRow).where(SessionRow.user_id == bindparam("user_id")), SessionRow.id
    )

    async def scenario(db: Database) -> None:
        params = {"user_id": "usr_a"}
        first = await db.records(lambda r: pages.run(r, params, 1, None))
        assert [x.id for x in first.data] == ["ses_1"]
        assert (first.total, first.next_cursor) == (2, "ses_1")
        rest = await db.records(lambda r: pages.run(r, params, 1, first.next_cursor))
        assert [x.id for x in rest.data] == ["ses_0"]
        assert (rest.total, rest.next_cursor) == (2, None)

    run(database_url, scenario)


def test_a_records_read_over_the_budget_runs_again_off_the_loop(tmp_path: Path) -> None:
    calls: list[int] = []

    def unit(records: Records) -> int:
        calls.append(1)
        found = records.first(_HEAVY, {})
        assert found is not None
        return int(found.n)

    async def scenario(db: Database) -> None:
        assert await db.records(unit) == 1_000_000
        assert len(calls) == 2  # inline, interrupted; then through the reader pool
        # the inline connection is usable again afterwards, outside any transaction
        row = await db.records(lambda r: r.first(_MINE, {"id": "ses_0", "user_id": "usr_a"}))
        assert row is not None and row.name == "first"
        count = RecordQuery(select(func.count().label("n")).select_from(SessionRow))
        assert (await db.records(lambda r: r.first(count, {}))).n == 2

    run(f"sqlite+aiosqlite:///{tmp_path / 'heavy.db'}", scenario)


def test_a_records_read_survives_postgres_dropping_its_pooled_connections() -> None:
    """The asyncpg connection under a pooled one the server has closed (a restart): the
    read runs again through SQLAlchemy, which renews the pool."""
    with ExitStack() as stack:
        url = database_url_for("postgres", stack)
        assert url is not None

        async def scenario(db: Database) -> None:
            mine = {"id": "ses_0", "user_id": "usr_a"}
            assert (await db.records(lambda r: r.first(_MINE, mine))).name == "first"
            assert await end_other_backends(url) >= 1
            for _ in range(3):  # every pooled connection was ended
                assert (await db.records(lambda r: r.first(_MINE, mine))).name == "first"

        run(url, scenario)


def test_an_api_key_check_survives_postgres_dropping_its_pooled_connections() -> None:
    """The key of every request is read on the asyncpg connection too: one the server
    has ended is dropped and the key read again, not answered with a 500."""
    from waypost.auth.keys import KeyService

    with ExitStack() as stack:
        url = database_url_for("postgres", stack)
        assert url is not None

        async def scenario(db: Database) -> None:
            keys = KeyService(db)
            _, token = await keys.create("a")
            user = await keys.authenticate(token)
            assert await end_other_backends(url) >= 1
            for _ in range(3):
                assert await keys.authenticate(token) == user

        run(url, scenario)
