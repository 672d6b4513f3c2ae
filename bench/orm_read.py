"""What one ORM read costs against the same SQL through sqlite3 (issue 14's next target).

Starts a real ``waypost serve`` (SQLite), makes a scripted agent, a sandbox and a
conversation, then reads that conversation's session, agent and sandbox the way a message
does (``waypost.agents.runtime._PARTS``, one statement, a new ORM ``Session`` per call, as
``Database.query`` does) and with the same SQL through a read-only ``sqlite3`` connection,
``--calls`` times each, in this process. Prints µs per call.

    .venv/bin/python bench/orm_read.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, waypost_server

from waypost.agents.runtime import _PARTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    calls = parser.parse_args().calls
    print(machine())
    with waypost_server() as server, server.client() as http:
        reply = [{"type": "text", "text": "Done."}]
        config = {"type": "scripted", "parameters": {"turns": [reply]}}
        agent = http.post("/api/v1/agents", json={"name": "b", "chat_model_config": config})
        box = http.post("/api/v1/sandboxes", json={"agent_id": agent.json()["id"]}).json()["id"]
        conv = http.post(f"/api/v1/sandboxes/{box}/sessions", json={}).json()["id"]
        path = server.data_dir / "waypost.db"
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        (user,) = raw.execute("SELECT user_id FROM sessions WHERE id = ?", (conv,)).fetchone()
        engine = create_engine(f"sqlite:///{path}?mode=ro")
        params = {"session_id": conv, "user_id": user}
        sql = str(_PARTS.compile(dialect=sqlite_dialect.dialect()))

        def orm() -> object:
            with Session(engine) as s:
                return s.execute(_PARTS, params).one()

        def plain() -> object:
            return raw.execute(sql, (user, user, conv, user)).fetchone()

        figures = {}
        for name, read in (("ORM", orm), ("sqlite3", plain)):
            for _ in range(200):
                read()
            started = time.perf_counter()
            for _ in range(calls):
                read()
            figures[name] = round((time.perf_counter() - started) / calls * 1e6, 1)
            print(f"{name:8s} {figures[name]:8.1f} µs a read of session + agent + sandbox")
        engine.dispose()
    print(json.dumps({"bench": "orm_read", "calls": calls, "us_per_read": figures}))


if __name__ == "__main__":
    main()
