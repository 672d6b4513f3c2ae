"""What one small read costs, four ways (issue 14): why the hottest reads are record queries.

Starts a real ``waypost serve`` (SQLite), makes a session, then reads that session's row by
id and owner ``--calls`` times each way, in this process, on a read-only connection to the
server's database file:

- ``ORM``: ``select(Session)`` in a new ORM ``Session`` per read (as ``Database.query`` did);
- ``Core``: the same columns through a SQLAlchemy Core connection (``Database.records`` on
  PostgreSQL and off the event loop);
- ``record``: the :class:`waypost.db.records.RecordQuery` on the DB-API connection
  (``Database.records`` inline on SQLite): compiled once, SQLAlchemy's own type processors;
- ``sqlite3``: the same SQL through ``sqlite3`` with no conversion at all (the floor).

Prints µs per read and one JSON line.

    .venv/bin/python bench/orm_read.py [--calls 5000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import bindparam, create_engine, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, waypost_server

from waypost.db.models import Session as SessionRow
from waypost.db.records import RecordQuery, SqliteRecords, record_select


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    calls = parser.parse_args().calls
    print(machine())
    with waypost_server() as server, server.client() as http:
        made = http.post("/api/v1/sessions", json={"name": "bench", "metadata": {"k": [1, 2]}})
        session_id = made.json()["id"]
        path = server.data_dir / "waypost.db"
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        (user,) = raw.execute("SELECT user_id FROM sessions WHERE id = ?", (session_id,)).fetchone()
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        params = {"row_id": session_id, "user_id": user}
        where = (SessionRow.id == bindparam("row_id"), SessionRow.user_id == bindparam("user_id"))
        orm_query = select(SessionRow).where(*where)
        record = RecordQuery(record_select(SessionRow).where(*where))
        core = engine.connect()
        records = SqliteRecords(raw, engine.dialect)
        sql = record.compiled(engine.dialect).sql

        def orm() -> object:
            with Session(engine) as s:
                return s.execute(orm_query, params).scalar_one()

        ways: dict[str, Callable[[], object]] = {
            "ORM": orm,
            "Core": lambda: core.execute(record.executable, params).one(),
            "record": lambda: records.first(record, params),
            "sqlite3": lambda: raw.execute(sql, (session_id, user)).fetchone(),
        }
        figures = {}
        for name, read in ways.items():
            assert read() is not None
            for _ in range(300):
                read()
            started = time.perf_counter()
            for _ in range(calls):
                read()
            figures[name] = round((time.perf_counter() - started) / calls * 1e6, 1)
            print(f"{name:8s} {figures[name]:8.1f} µs a read of one session row by id and owner")
        core.close()
        engine.dispose()
    print(json.dumps({"bench": "orm_read", "calls": calls, "us_per_read": figures}))


if __name__ == "__main__":
    main()
