"""The migrations build exactly the schema the models describe, on both databases, and the
owners' lists are read through their (user_id, id) indexes rather than sorted."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, select, text

from tests.conftest import database_url_for
from waypost.db.database import Database
from waypost.db.models import Base
from waypost.db.models import Session as SessionRow


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return list(compare_metadata(context, Base.metadata))


@pytest.fixture(params=["sqlite", "postgres"])
async def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    with ExitStack() as stack:
        url = database_url_for(request.param, stack) or f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
        db = Database(url, pool_size=2)
        await db.migrate()
        try:
            yield db
        finally:
            await db.dispose()


async def test_the_migrated_schema_is_the_models(migrated: Database) -> None:
    async with migrated.writer.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


async def test_an_owners_list_is_read_in_index_order_without_a_sort(migrated: Database) -> None:
    statement = (
        select(SessionRow.id).where(SessionRow.user_id == "u1").order_by(SessionRow.id.desc())
    ).limit(6)
    async with migrated.writer.connect() as conn:
        sql = str(statement.compile(conn.engine, compile_kwargs={"literal_binds": True}))
        if migrated.is_sqlite:
            plan = " ".join(str(r) for r in (await conn.execute(text("EXPLAIN QUERY PLAN " + sql))))
            assert "ix_sessions_user_id_id" in plan and "TEMP B-TREE" not in plan, plan
        else:
            await conn.execute(text("SET enable_seqscan = off"))  # an empty table: force the index
            plan = " ".join(r[0] for r in (await conn.execute(text("EXPLAIN " + sql))))
            assert "ix_sessions_user_id_id" in plan and "Sort" not in plan, plan
