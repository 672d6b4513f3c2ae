"""Database.query: small reads on the event loop's thread, big ones moved off it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from waypost.db.database import Database
from waypost.db.models import User, Workspace
from waypost.db.owned import read_owned
from waypost.db.types import utcnow
from waypost.errors import NotFound

# a million-row recursive count: far over the inline budget, a few hundred ms of work
_HEAVY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    await database.migrate()
    async with database.write() as tx:
        tx.s.add(User(id="usr_a", name="a", created_at=utcnow()))
        tx.s.add(Workspace(id="wsp_a", user_id="usr_a", name="mine"))
    yield database  # type: ignore[misc]
    await database.dispose()


async def test_a_small_read_runs_once_and_sees_committed_rows(db: Database) -> None:
    calls: list[int] = []

    def unit(s: Session) -> str | None:
        calls.append(1)
        return s.execute(text("SELECT name FROM users WHERE id = 'usr_a'")).scalar()

    assert await db.query(unit) == "a"
    assert calls == [1]


async def test_a_read_over_the_budget_is_interrupted_and_run_again_off_the_loop(
    db: Database,
) -> None:
    calls: list[int] = []

    def unit(s: Session) -> int:
        calls.append(1)
        return int(s.execute(text(_HEAVY)).scalar_one())

    assert await db.query(unit) == 1_000_000
    assert len(calls) == 2  # inline, interrupted; then through the reader pool


async def test_the_inline_connection_refuses_writes(db: Database) -> None:
    def unit(s: Session) -> None:
        s.execute(text("DELETE FROM users"))

    with pytest.raises(OperationalError, match="readonly"):
        await db.query(unit)
    assert (await read_owned(db, Workspace, "wsp_a", "usr_a", "workspace")).name == "mine"


async def test_read_owned_hides_what_is_not_the_callers(db: Database) -> None:
    with pytest.raises(NotFound, match="Workspace does not exist"):
        await read_owned(db, Workspace, "wsp_a", "usr_b", "workspace")
    with pytest.raises(NotFound, match="Workspace does not exist"):
        await read_owned(db, Workspace, "wsp_missing", "usr_a", "workspace")


def test_a_read_survives_postgres_dropping_its_pooled_connections() -> None:
    """No pre-ping on checkout: a read that meets a connection the server has closed
    (a PostgreSQL restart) is run again on a fresh one."""
    import asyncio
    from contextlib import ExitStack

    from tests.conftest import database_url_for
    from tests.helpers import end_other_backends

    with ExitStack() as stack:
        url = database_url_for("postgres", stack)
        assert url is not None

        async def scenario() -> None:
            db = Database(url, pool_size=2)
            await db.migrate()
            try:
                # warm the pool, then end every backend of the database but ours
                assert await db.query(lambda s: s.execute(text("SELECT 1")).scalar()) == 1
                assert await end_other_backends(url) >= 1
                assert await db.query(lambda s: s.execute(text("SELECT 2")).scalar()) == 2
            finally:
                await db.dispose()

        asyncio.run(scenario())
