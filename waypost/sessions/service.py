"""Create, list, read and end sessions; every change lands on the session's timeline."""

from __future__ import annotations

import builtins
import dataclasses
import functools
import typing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, bindparam, cast, func, literal, select, union_all

from waypost.db.database import Database, Tx
from waypost.db.models import (
    Agent,
    Email,
    Event,
    Extraction,
    Inbox,
    Sandbox,
    Team,
    Wait,
    Workspace,
)
from waypost.db.models import Session as SessionRow
from waypost.db.owned import get_owned, owned_record, read_owned
from waypost.db.pages import Page, PageQuery
from waypost.db.records import RecordQuery, Records, record_select
from waypost.db.rows import row_values
from waypost.db.types import utcnow
from waypost.errors import Conflict, Invalid, NotFound
from waypost.events.log import EventLog, NewEvent
from waypost.ids import new_id

STATUSES = ("active", "completed", "failed", "interrupted")


@dataclass(frozen=True)
class SessionLinks:
    """What a session belongs to or came from; the caller has checked each id's owner."""

    workspace_id: str | None = None
    team_id: str | None = None
    source_schedule_id: str | None = None
    parent_session_id: str | None = None
    replay_of: str | None = None


@dataclass
class SessionDetail:
    """A session with the ids of what belongs to it."""

    row: SessionRow
    inboxes: list[str]
    waits: list[str]
    extractions: list[str]
    email_count: int
    event_count: int


class SessionService:
    """The sessions repository and its rules."""

    def __init__(self, db: Database, log: EventLog) -> None:
        self.db = db
        self.log = log

    async def create(
        self,
        user_id: str,
        *,
        name: str | None = None,
        metadata: dict[str, Any] | None = None,
        agent_id: str | None = None,
        sandbox_id: str | None = None,
        source: str | None = None,
        links: SessionLinks | None = None,
        tx: Tx | None = None,
        checked: bool = False,
    ) -> SessionRow:
        """A new active session with ``session.created`` as its first event.

        ``checked``: the caller has made sure every id the session points at is the user's
        (and resolved the team's leader and the workspace): nothing is read again.

        ``source``: ``user`` (a person or a program, the default), ``schedule`` (a
        schedule's firing) or ``delegation`` (a team leader's ``delegate`` call).
        A team's own session (``links.team_id`` without a parent session) runs the team's
        leader: ``agent_id`` defaults to it (another agent is refused, 400) and the
        workspace to the team's.
        """
        links = links or SessionLinks()
        if tx is None and (checked or not _refers(agent_id, sandbox_id, links)):
            # nothing to check: one insert and its first event, on the log's fast path
            row = new_session_row(user_id, name, metadata, agent_id, sandbox_id, source, links)
            created = NewEvent(
                user_id=user_id,
                type="session.created",
                data={"name": name},
                session_id=row.id,
            )  # the log's own description, as append() gives it
            await self.log.commit([(SessionRow.__table__, [row_values(row)])], [created])  # type: ignore[list-item]
            return row
        if tx is None:
            async with self.db.write() as own:
                return await self.create(
                    user_id,
                    name=name,
                    metadata=metadata,
                    agent_id=agent_id,
                    sandbox_id=sandbox_id,
                    source=source,
                    links=links,
                    tx=own,
                )
        # every id the row will point at must be the caller's: another user's is as
        # missing as no row (404), and nothing is written
        if links.team_id is not None:
            team = await get_owned(tx.s, Team, links.team_id, user_id, "team")
            if links.parent_session_id is None:
                if agent_id is not None and agent_id != team.leader_agent_id:
                    raise Invalid("A team's session runs the team's leader: leave agent_id out")
                agent_id = team.leader_agent_id
                if links.workspace_id is None and team.workspace_id is not None:
                    links = dataclasses.replace(links, workspace_id=team.workspace_id)
        if agent_id is not None:
            await get_owned(tx.s, Agent, agent_id, user_id, "agent")
        if sandbox_id is not None:
            sandbox = await get_owned(tx.s, Sandbox, sandbox_id, user_id, "sandbox")
            if links.workspace_id is None and sandbox.workspace_id is not None:
                # a session in a sandbox belongs to the sandbox's workspace unless told otherwise
                links = dataclasses.replace(links, workspace_id=sandbox.workspace_id)
        if links.workspace_id is not None:
            await get_owned(tx.s, Workspace, links.workspace_id, user_id, "workspace")
        row = new_session_row(user_id, name, metadata, agent_id, sandbox_id, source, links)
        tx.s.add(row)
        await tx.s.flush()
        await self.log.append(
            tx, user_id=user_id, type="session.created", session_id=row.id, data={"name": name}
        )
        return row

    async def list(
        self,
        user_id: str,
        *,
        limit: int,
        cursor: str | None,
        status: str | None = None,
        agent_id: str | None = None,
        sandbox_id: str | None = None,
        source: str | None = None,
        workspace_id: str | None = None,
    ) -> Page[SessionRow]:
        """The user's sessions, newest first, filtered."""
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of: {', '.join(STATUSES)}")
        filters = {
            "status": status,
            "agent_id": agent_id,
            "sandbox_id": sandbox_id,
            "source": source,
            "workspace_id": workspace_id,
        }
        params = {name: value for name, value in filters.items() if value is not None}
        pages = _session_pages(frozenset(params))
        params["user_id"] = user_id
        return await self.db.records(lambda records: pages.run(records, params, limit, cursor))

    async def get(self, user_id: str, session_id: str) -> SessionRow:
        """One of the user's sessions, or session_not_found."""
        return await read_owned(self.db, SessionRow, session_id, user_id, "session")

    async def get_for_update(self, tx: Tx, user_id: str, session_id: str) -> SessionRow:
        """An active session of the user, read inside ``tx`` (404 / 409 otherwise)."""
        row = (
            await tx.s.execute(
                select(SessionRow).where(SessionRow.id == session_id, SessionRow.user_id == user_id)
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFound.of("session")
        if row.status != "active":
            raise Conflict(f"Session is {row.status}", code="session_not_active")
        return row

    async def detail(self, user_id: str, session_id: str) -> SessionDetail:
        """A session with its inbox, wait and extraction ids and counts (two statements; its
        row read-only, :mod:`waypost.db.records`)."""

        def read(records: Records) -> tuple[SessionRow, dict[str, list[str]]]:
            params = {"row_id": session_id, "user_id": user_id}
            row = records.first(owned_record(SessionRow), params)
            if row is None:
                raise NotFound.of("session")
            found: dict[str, list[str]] = {"inbox": [], "wait": [], "extraction": [], "emails": []}
            for kind, value in records.all(_BELONGINGS, {"session_id": session_id}):
                found[kind].append(value)
            return typing.cast(SessionRow, row), found  # a record: reads like one

        row, found = await self.db.records(read)
        return SessionDetail(
            row=row,
            inboxes=sorted(found["inbox"]),
            waits=sorted(found["wait"]),
            extractions=sorted(found["extraction"]),
            email_count=int(found["emails"][0]) if found["emails"] else 0,
            event_count=row.last_seq,
        )

    async def end(
        self, user_id: str, session_id: str, status: str, reason: str | None = None
    ) -> SessionRow:
        """Move an active session to ``completed`` or ``failed`` (409 if already ended)."""
        async with self.db.write() as tx:
            row = (
                await tx.s.execute(
                    select(SessionRow).where(
                        SessionRow.id == session_id, SessionRow.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
            if row is None:
                raise NotFound.of("session")
            if row.status != "active":
                raise Conflict(f"Session is already {row.status}", code="session_not_active")
            row.status = status
            row.ended_at = utcnow()
            data: dict[str, Any] = {"status": status}
            if reason:
                data["reason"] = reason
            await self.log.append(
                tx, user_id=user_id, type=f"session.{status}", session_id=session_id, data=data
            )
            await tx.s.refresh(row)
            return row

    async def timeline(self, user_id: str, session_id: str, after: int = 0) -> builtins.list[Event]:
        """The session's events in order (owner only)."""
        await self.get(user_id, session_id)
        async with self.db.read() as s:
            return await self.log.session_events(s, session_id, after)


def _refers(agent_id: str | None, sandbox_id: str | None, links: SessionLinks) -> bool:
    """Whether a new session points at rows whose owner must be checked first."""
    return any((agent_id, sandbox_id, links.team_id, links.workspace_id))


def new_session_row(
    user_id: str,
    name: str | None,
    metadata: dict[str, Any] | None,
    agent_id: str | None,
    sandbox_id: str | None,
    source: str | None,
    links: SessionLinks,
    run_status: str = "idle",
) -> SessionRow:
    """A new active session row with every column set (it is inserted as it is); a
    delegated member's starts ``running``, its run claimed in the same commit."""
    now = utcnow()
    return SessionRow(
        id=new_id("sess"),
        user_id=user_id,
        name=name,
        status="active",
        meta=metadata or {},
        agent_id=agent_id,
        sandbox_id=sandbox_id,
        source=source or "user",
        workspace_id=links.workspace_id,
        team_id=links.team_id,
        source_schedule_id=links.source_schedule_id,
        parent_session_id=links.parent_session_id,
        replay_of=links.replay_of,
        permission_context=None,
        last_seq=0,
        created_at=now,
        updated_at=now,
        ended_at=None,
        state={},
        run_status=run_status,
    )


def new_detail(row: SessionRow) -> SessionDetail:
    """A session just created: nothing belongs to it yet but its first event."""
    return SessionDetail(row, inboxes=[], waits=[], extractions=[], email_count=0, event_count=1)


@functools.cache
def _session_pages(filters: frozenset[str]) -> PageQuery:
    """The user's sessions with ``filters`` (column names) equal to bound values."""
    query = record_select(SessionRow).where(SessionRow.user_id == bindparam("user_id"))
    for name in sorted(filters):
        query = query.where(getattr(SessionRow, name) == bindparam(name))
    return PageQuery.of(query, SessionRow.id)


# A session's inbox, wait and extraction ids and its email count, in one statement
# (built once: composing it per request cost more than running it).
_BELONGINGS = RecordQuery(
    union_all(
        select(literal("inbox").label("kind"), Inbox.id.label("value")).where(
            Inbox.session_id == bindparam("session_id")
        ),
        select(literal("wait"), Wait.id).where(Wait.session_id == bindparam("session_id")),
        select(literal("extraction"), Extraction.id).where(
            Extraction.session_id == bindparam("session_id")
        ),
        select(literal("emails"), cast(func.count(), String))
        .select_from(Email)
        .join(Inbox, Inbox.id == Email.inbox_id)
        .where(Inbox.session_id == bindparam("session_id")),
    )
)
