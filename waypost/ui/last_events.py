"""The latest event of each session on a page of the sessions list, in one query.

The list shows what each session did last; the REST list carries only ``updated_at``, and one
timeline request per row would make a page of 50 cost 51 requests. A session's last event is
``(session_id, last_seq)``, found by the events' unique index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, select

from waypost.db.database import Database
from waypost.db.models import Event
from waypost.db.models import Session as SessionRow

MAX_IDS = 100  # the largest page of the sessions list


async def last_events(db: Database, user: str, session_ids: Sequence[str]) -> dict[str, Any]:
    """``{session_id: {seq, type, description, timestamp}}`` for the caller's sessions among
    ``session_ids``; another user's ids (and unknown ones) are simply absent."""
    if not session_ids:
        return {}
    query = (
        select(SessionRow.id, Event.seq, Event.type, Event.description, Event.timestamp)
        .join(Event, and_(Event.session_id == SessionRow.id, Event.seq == SessionRow.last_seq))
        .where(SessionRow.user_id == user, SessionRow.id.in_(list(session_ids)))
    )
    async with db.read() as s:
        rows = (await s.execute(query)).all()
    return {
        sid: {
            "seq": seq,
            "type": type_,
            "description": description,
            "timestamp": stamp.isoformat().replace("+00:00", "Z"),
        }
        for sid, seq, type_, description, stamp in rows
    }
