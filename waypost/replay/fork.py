"""``fork``: a new session whose history is the original's up to a step, ready to go on.

``POST /api/v1/sessions/{id}/replay {"mode": "fork", "step": N}`` (``step`` is a ``seq`` of
``GET …/replay``; required, 400 beyond the last one). The fork is made by
:func:`~waypost.replay.service.linked_session` (in the original's sandbox for an agent
session), so its timeline starts with its own ``session.created`` and ``session.replayed``;
then, in one transaction and in their order, it gets copies of the original's events with
``seq <= N``. Its replay steps are therefore those two, then exactly the original's first
N steps (same types, descriptions and data; the timestamps are the fork's).

What the copied events point at is copied too, with new ids written into the copies:

- messages (``message.created``): same role, content and usage under new ``msg_`` ids, made
  in order, so the next run reads the same history (nothing of a run is re-done);
- inboxes (``inbox.created``): a new inbox attached to the fork, with a fresh address on
  the same domain, the same ttl (from now) and metadata; its own ``inbox.created`` event
  (written by :meth:`InboxService.create`) is the copy of the original's;
- emails (``email.received``): the same stored message (raw bytes, headers, sizes and
  ``received_at``) inserted into the fork's copy of its inbox, as
  :class:`~waypost.mail.store.MailIngest` stores one, but without SMTP: nothing is sent,
  and the copies are published on the fork's timeline only (not to the waits engine).

Ids and addresses of the copied inboxes, emails and messages are replaced wherever they
appear in the copied event data and message content (a tool result naming the inbox, a
``wait_for_email`` call given its address), so the fork's agent works on the fork's inbox,
never the original's. Everything else is copied as it is: waits, extractions and
delegated members' sessions are not copied (their events still name the originals'), and
files the agent wrote live in the sandbox, which the fork shares.

The runtime state is rebuilt for step N, not copied from the original's present:
``model_calls`` (model calls so far: assistant messages and compactions, which the
scripted provider uses to pick its turn), ``tasks_context`` (the task tools' calls replayed
from the copied messages), the activated tool groups (``activate_tools`` calls), the
compaction summary (only when the original's last compaction is at or before N) and the
permission context (the last ``permissions_updated`` at or before N). The read-file cache
starts empty. The fork is active and idle whatever the copied events say about runs or
the session's end.

Overrides (agent sessions only): ``agent_id`` (one of the caller's agents, 404 otherwise)
runs the fork; ``chat_model_config`` and/or ``system_prompt`` make a new agent, "<name>
(fork)", copied from the fork's agent with those fields changed (validated like any new
agent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from waypost.agents import contexts
from waypost.agents.tasks import TASK_TOOL_NAMES, run_task_tool
from waypost.bounds import MAX_TTL_SECONDS
from waypost.db.database import Tx
from waypost.db.models import Agent, Email, Event, Inbox
from waypost.db.models import Message as MessageRow
from waypost.db.models import Session as SessionRow
from waypost.errors import Invalid
from waypost.events.log import NewEvent
from waypost.ids import new_id
from waypost.replay.service import ReplayOutcome, ReplayRequest, linked_session

if TYPE_CHECKING:
    from waypost.services import Services


async def fork(
    svc: Services, user_id: str, original: SessionRow, req: ReplayRequest
) -> ReplayOutcome:
    """The fork of ``original`` at ``req.step`` (see the module's docstring)."""
    step = req.step
    if step is None:
        raise Invalid("step is required to fork: the last step (seq) kept")
    if step < 0 or step > original.last_seq:
        raise Invalid(f"step must be between 0 and {original.last_seq} (the last step)")
    is_agent = original.agent_id is not None and original.sandbox_id is not None
    overridden = req.agent_id or req.chat_model_config is not None or req.system_prompt
    if overridden and not is_agent:
        raise Invalid("agent_id, chat_model_config and system_prompt fork an agent session only")
    agent = await _fork_agent(svc, user_id, original, req) if is_agent else None
    record = await _read_record(svc, original, step)
    new = await linked_session(
        svc, user_id, original, "fork", agent_id=agent.id if agent else None, sandbox=is_agent
    )
    copied = await _copy(svc, user_id, new, record, agent)
    return ReplayOutcome(session_id=new.id, extra={"step": step, "copied": copied})


async def _fork_agent(
    svc: Services, user_id: str, original: SessionRow, req: ReplayRequest
) -> Agent:
    """The agent the fork runs: the original's, ``agent_id``, or a changed copy of either."""
    assert original.agent_id is not None
    agent = await svc.agents.get(user_id, req.agent_id or original.agent_id)
    if req.chat_model_config is None and req.system_prompt is None:
        return agent
    fields: dict[str, Any] = {
        "name": f"{agent.name} (fork)"[:200],
        "system_prompt": agent.system_prompt,
        "chat_model_config": agent.chat_model_config,
        "fallback_chat_model_config": agent.fallback_chat_model_config,
        "context_config": agent.context_config,
        "react_config": agent.react_config,
        "tools": agent.tools,
        "tool_groups": agent.tool_groups,
        "permissions": agent.permissions,
        "workspace_id": agent.workspace_id,
    }
    if req.chat_model_config is not None:
        fields["chat_model_config"] = req.chat_model_config
    if req.system_prompt is not None:
        fields["system_prompt"] = req.system_prompt
    return await svc.agents.create(user_id, fields)


class _Record:
    """The original up to step N: its events and the rows they point at."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.messages: dict[str, MessageRow] = {}
        self.inboxes: dict[str, Inbox] = {}
        self.emails: dict[str, Email] = {}
        self.last_compaction: int | None = None  # seq of the original's last one (any step)
        self.state: dict[str, Any] = {}


async def _read_record(svc: Services, original: SessionRow, step: int) -> _Record:
    record = _Record()
    record.state = dict(original.state or {})
    async with svc.db.read() as s:
        record.events = list(
            (
                await s.execute(
                    select(Event)
                    .where(Event.session_id == original.id, Event.seq <= step)
                    .order_by(Event.seq)
                )
            ).scalars()
        )
        record.last_compaction = (
            await s.execute(
                select(Event.seq)
                .where(Event.session_id == original.id, Event.type == "context_compacted")
                .order_by(Event.seq.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        ids: dict[str, set[str]] = {"message.created": set(), "inbox.created": set()}
        email_ids: set[str] = set()
        for event in record.events:
            data = event.data or {}
            if event.type == "message.created" and isinstance(data.get("message_id"), str):
                ids["message.created"].add(data["message_id"])
            elif event.type == "inbox.created" and isinstance(data.get("inbox_id"), str):
                ids["inbox.created"].add(data["inbox_id"])
            elif event.type == "email.received" and isinstance(data.get("email_id"), str):
                email_ids.add(data["email_id"])
        if ids["message.created"]:
            rows = await s.execute(
                select(MessageRow).where(
                    MessageRow.id.in_(ids["message.created"]),
                    MessageRow.session_id == original.id,
                )
            )
            record.messages = {m.id: m for m in rows.scalars()}
        if ids["inbox.created"]:
            rows_i = await s.execute(
                select(Inbox).where(
                    Inbox.id.in_(ids["inbox.created"]), Inbox.user_id == original.user_id
                )
            )
            record.inboxes = {i.id: i for i in rows_i.scalars()}
        if email_ids:
            rows_e = await s.execute(
                select(Email).where(Email.id.in_(email_ids), Email.user_id == original.user_id)
            )
            record.emails = {e.id: e for e in rows_e.scalars()}
    return record


async def _copy(
    svc: Services,
    user_id: str,
    new: SessionRow,
    record: _Record,
    agent: Agent | None,
) -> dict[str, int]:
    """Copy the record onto ``new`` in one transaction; how many of each were copied."""
    renames = _Renames()
    counts = {"events": 0, "messages": 0, "inboxes": 0, "emails": 0}
    copied_messages: list[MessageRow] = []
    pending: list[NewEvent] = []
    permission_context: dict[str, Any] | None = None
    model_calls = 0
    async with svc.db.write() as tx:

        async def flush() -> None:
            if pending:
                await svc.events.append_many(tx, list(pending))
                pending.clear()

        for event in record.events:
            data = event.data or {}
            counts["events"] += 1
            if event.type == "inbox.created" and isinstance(data.get("inbox_id"), str):
                await flush()  # the new inbox's own event is the copy, in its place
                inbox = await _copy_inbox(svc, user_id, new.id, data, record, tx)
                renames.add(data["inbox_id"], inbox.id)
                if isinstance(data.get("email_address"), str):
                    renames.add(data["email_address"], inbox.address)
                counts["inboxes"] += 1
                continue
            if event.type == "email.received":
                email = record.emails.get(str(data.get("email_id")))
                target = renames.get(str(data.get("inbox_id")))
                if email is not None and target is not None:
                    copy_id = new_id("eml")
                    tx.s.add(_email_copy(email, copy_id, target))
                    renames.add(email.id, copy_id)
                    counts["emails"] += 1
            elif event.type == "message.created":
                message = record.messages.get(str(data.get("message_id")))
                if message is not None:
                    copy = MessageRow(
                        id=new_id("msg"),
                        session_id=new.id,
                        user_id=user_id,
                        role=message.role,
                        content=renames.apply(message.content),
                        usage=message.usage,
                        created_at=message.created_at,
                    )
                    tx.s.add(copy)
                    copied_messages.append(copy)
                    renames.add(message.id, copy.id)
                    counts["messages"] += 1
                if data.get("role") == "assistant":
                    model_calls += 1
            elif event.type == "context_compacted":
                model_calls += 1
            elif event.type == "permissions_updated":
                context = data.get("permission_context")
                permission_context = context if isinstance(context, dict) else None
            pending.append(
                NewEvent(
                    user_id=user_id,
                    type=event.type,
                    data=renames.apply(data),
                    session_id=new.id,
                    description=event.description,
                )
            )
        await flush()
        state = _state(record, renames, copied_messages, model_calls, agent)
        if state:
            state["session_id"] = new.id  # as the runtime keeps it
        await tx.s.execute(
            update(SessionRow)
            .where(SessionRow.id == new.id)
            .values(state=state, permission_context=permission_context)
            .execution_options(synchronize_session=False)
        )
    return counts


async def _copy_inbox(
    svc: Services, user_id: str, session_id: str, data: dict[str, Any], record: _Record, tx: Tx
) -> Inbox:
    """A new inbox for the fork like the original's (which may be gone: then its domain)."""
    old = record.inboxes.get(data["inbox_id"])
    address = str(data.get("email_address") or "")
    domain: str | None = address.rpartition("@")[2] or None
    ttl: int | None = None
    metadata: dict[str, Any] = {}
    if old is not None:
        domain = old.address.rpartition("@")[2]
        seconds = round((old.expires_at - old.created_at) / timedelta(seconds=1))
        ttl = min(max(seconds, 1), MAX_TTL_SECONDS)
        metadata = dict(old.meta or {})
    if domain not in svc.settings.domains:
        domain = None  # no longer served here: the default domain
    return await svc.inboxes.create(
        user_id, domain=domain, ttl_seconds=ttl, session_id=session_id, metadata=metadata, tx=tx
    )


def _email_copy(email: Email, email_id: str, inbox_id: str) -> Email:
    """The row :class:`MailIngest` would have stored for the same message in ``inbox_id``."""
    return Email(
        id=email_id,
        user_id=email.user_id,
        inbox_id=inbox_id,
        mail_from=email.mail_from,
        from_header=email.from_header,
        subject=email.subject,
        message_id=email.message_id,
        date=email.date,
        size=email.size,
        raw=email.raw,
        received_at=email.received_at,
    )


def _state(
    record: _Record,
    renames: _Renames,
    messages: list[MessageRow],
    model_calls: int,
    agent: Agent | None,
) -> dict[str, Any]:
    """The runtime state as it stood at step N (as far as the record tells)."""
    if agent is None:
        return {}
    state: dict[str, Any] = {"model_calls": model_calls}
    tasks, activated = _replay_tools(messages, agent)
    if tasks is not None:
        state["tasks_context"] = {"tasks": tasks}
    if activated is not None:
        state["tool_context"] = {"activated_groups": activated}
    steps = {e.seq for e in record.events}
    summary = record.state.get("summary")
    after = record.state.get("context_after")
    if record.last_compaction in steps and summary:
        mapped = renames.get(str(after)) if after else None
        if after is None or mapped is not None:
            state.update(summary=summary, context_after=mapped)
    return state


def _replay_tools(
    messages: list[MessageRow], agent: Agent
) -> tuple[list[dict[str, Any]] | None, list[str] | None]:
    """The task list and activated tool groups after the copied messages' tool calls
    (None: no such call, the runtime's defaults)."""
    results: dict[str, dict[str, Any]] = {}
    for message in messages:
        if message.role == "user":
            for block in message.content:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    results[str(block.get("tool_use_id"))] = block
    tasks: list[dict[str, Any]] | None = None
    activated: list[str] | None = None
    for message in messages:
        if message.role != "assistant":
            continue
        for block in message.content:
            if not isinstance(block, dict) or block.get("type") != "tool_use":
                continue
            result = results.get(str(block.get("id")))
            if result is None or result.get("is_error"):
                continue  # not run (or refused): it changed nothing
            name, args = block.get("name"), block.get("input") or {}
            if name in TASK_TOOL_NAMES and isinstance(args, dict):
                _, tasks = run_task_tool(tasks or [], str(name), args)
                if name == "task_create" and tasks:
                    tasks[-1] = _recorded_task(tasks[-1], result)
            elif name == contexts.ACTIVATE_TOOL and isinstance(args, dict):
                group = args.get("group")
                if activated is None:  # from the groups the fork's agent starts with
                    activated = list(
                        contexts.tool_context({}, agent.tool_groups)["activated_groups"]
                    )
                if group in contexts.TOOL_GROUPS and group not in activated:
                    activated.append(str(group))
    return tasks, activated


def _recorded_task(task: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The task as the original's tool result recorded it (its ``created_at``)."""
    content = result.get("content")
    try:
        recorded = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        return task
    if isinstance(recorded, dict) and recorded.get("id") == task.get("id"):
        return {**task, "created_at": recorded.get("created_at", task.get("created_at"))}
    return task


class _Renames:
    """Original id or address → the fork's copy, replaced wherever it appears in a string
    (as a whole token: ``bob@x.test`` is not rewritten inside ``jimbob@x.test``)."""

    def __init__(self) -> None:
        self._map: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def add(self, old: str, new: str) -> None:
        if old and old != new:
            self._map[old] = new
            self._pattern = None

    def get(self, old: str) -> str | None:
        return self._map.get(old)

    def apply(self, value: Any) -> Any:
        if not self._map:
            return value
        if self._pattern is None:
            keys = sorted(self._map, key=len, reverse=True)
            alternatives = "|".join(re.escape(k) for k in keys)
            self._pattern = re.compile(rf"(?<![\w.+-])(?:{alternatives})(?![\w-])")
        pattern = self._pattern

        def replace(match: re.Match[str]) -> str:
            return self._map[match.group(0)]

        return _walk(value, lambda text: pattern.sub(replace, text))


def _walk(value: Any, rewrite: Callable[[str], str]) -> Any:
    """``value`` (JSON) with ``rewrite`` applied to every string in it (not to keys)."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_walk(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, rewrite) for k, v in value.items()}
    return value
