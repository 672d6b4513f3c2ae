"""Conversations: an agent working in a sandbox, one ReAct run at a time per session.

Everything a run does is committed as it happens: each message, and each
stream event (``text_delta`` coalesced, ``tool_use_start``, ``tool_result``…)
on the session's event log, so ``GET /sessions/{id}/stream`` is the timeline
filtered, resumable with ``Last-Event-ID``. Interrupts travel over the bus, so
the replica running a session stops it whichever replica was asked.

A run is claimed work (:mod:`waypost.agents.queue`): the message's transaction
enqueues it, held at once by this process when it takes runs, else left for
``waypost worker`` processes; a caller waiting for another process's run waits for
the run's last event on the session's channel, with the database read behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
from collections import defaultdict
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update

from waypost.agents import contexts
from waypost.agents.configs import ChatModelConfig, ContextConfig, PermissionRules, ReactConfig
from waypost.agents.delegation import Mirror, delegate_spec, run_delegation
from waypost.agents.mail_tools import MAIL_TOOL_NAMES, MAIL_TOOL_SPECS, MailTools
from waypost.agents.providers import (
    Done,
    Message,
    ModelProvider,
    ProviderError,
    TextDelta,
    ToolSpec,
    ToolUseComplete,
    ToolUseStart,
    Usage,
    make_provider,
    stream_with_retry,
)
from waypost.agents.queue import RunQueue
from waypost.agents.store import Agents, Credentials, Sandboxes, validate_config
from waypost.agents.tasks import TASK_TOOL_NAMES, TASK_TOOL_SPECS, run_task_tool
from waypost.agents.teams import Teams
from waypost.auth.keys import detach_from_request_key, key_guard
from waypost.db.database import Database, Tx
from waypost.db.models import Agent, AgentRun, Event, Sandbox, Team
from waypost.db.models import Message as MessageRow
from waypost.db.models import Session as SessionRow
from waypost.db.owned import owned_record
from waypost.db.records import Records
from waypost.db.rows import row_values
from waypost.db.types import utcnow
from waypost.errors import Conflict, Invalid, NotFound, WaypostError
from waypost.events.bus import CLOSED, LAGGED, EventBus
from waypost.events.log import EventLog, NewEvent, SessionChanged, session_channel
from waypost.ids import new_id
from waypost.metrics import Metrics
from waypost.replay.playback import Playback
from waypost.sandbox import Limits, ToolResult, Workspace, call_tool, truncate
from waypost.sandbox.tools import SANDBOX_TOOL_SPECS
from waypost.sandbox.workspace import WorkspacePool
from waypost.sessions.service import SessionLinks, SessionService

log = logging.getLogger("waypost.agents")

STREAM_TYPES = frozenset(
    {
        "text_delta",
        "text_complete",
        "tool_use_start",
        "tool_use_complete",
        "tool_result",
        "approval_required",
        "model_fallback",
        "session_completed",
        "session_failed",
        "session_interrupted",
        "context_compacted",
        "permissions_updated",
        "delegation_started",
        "delegation_completed",
    }
)
# how a run's last event leaves the session (a new message makes it active again)
END_STATUS = {"session_completed": "active", "session_interrupted": "interrupted"}
RUN_END_TYPES = ("session_completed", "session_interrupted", "session_failed")
SENDABLE = ("active", "interrupted", "failed")
DELTA_FLUSH_SECONDS = 0.05
USER_BLOCK_TYPES = ("text", "image")


def run_channel(session_id: str) -> str:
    """Bus channel for control messages to whichever replica runs the session."""
    return f"run:{session_id}"


class RunFailed(WaypostError):
    """The model (and its fallback) could not complete the run."""

    status = 502
    code = "run_failed"


class Conversations:
    """Sessions in sandboxes, their messages, and the runs that answer them."""

    def __init__(
        self,
        db: Database,
        events: EventLog,
        bus: EventBus,
        sessions: SessionService,
        agents: Agents,
        credentials: Credentials,
        sandboxes: Sandboxes,
        mail_tools: MailTools,
        teams: Teams | None = None,
        *,
        allow_bypass: bool = False,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.teams = teams or Teams(db)
        self.allow_bypass = allow_bypass  # the operator lets permission mode "bypass" run
        self.events = events
        self.bus = bus
        self.sessions = sessions
        self.agents = agents
        self.credentials = credentials
        self.sandboxes = sandboxes
        self.mail_tools = mail_tools
        self._runs: dict[str, asyncio.Task[MessageRow | None]] = {}
        self.workspaces = WorkspacePool()
        self._run_owners: dict[str, str] = {}  # session id → user id, for the runs above
        # (session, tool_use_id) → the person's answer: (approve, remember)
        self._approvals: dict[tuple[str, str], asyncio.Future[tuple[bool, bool]]] = {}
        self.queue = RunQueue(db, events, bus)  # runs as claimed work, under leases
        self._live: dict[str, Run] = {}  # session id → the run going here (not members')

    # --- sessions and messages ------------------------------------------------------------------

    async def create_session(
        self,
        user_id: str,
        sandbox_id: str,
        *,
        metadata: dict[str, Any],
        agent_id: str | None,
        name: str | None,
        source: str = "user",
        links: SessionLinks | None = None,
    ) -> SessionRow:
        """A conversation in a sandbox; the agent defaults to the sandbox's, then the user's.

        A team's session (``links.team_id``) runs the team's leader.
        """
        sandbox = await self.sandboxes.get(user_id, sandbox_id)
        links = links or SessionLinks()
        # the workspace named by the caller must be checked; the sandbox's or team's is theirs
        checked = links.workspace_id is None
        if links.team_id is not None and links.parent_session_id is None:
            team = await self.teams.get(user_id, links.team_id)
            if agent_id is not None and agent_id != team.leader_agent_id:
                raise Invalid("A team's session runs the team's leader: leave agent_id out")
            agent_id = team.leader_agent_id
            if links.workspace_id is None and team.workspace_id is not None:
                links = replace(links, workspace_id=team.workspace_id)
        chosen = agent_id or sandbox.agent_id or await self.agents.default_for(user_id)
        if chosen is None:
            raise Invalid(
                "No agent for this session: pass agent_id, set the sandbox's agent_id "
                "(PATCH /api/v1/sandboxes/{id}) or create an agent with is_default: true"
            )
        await self.agents.get(user_id, chosen)
        if links.workspace_id is None and sandbox.workspace_id is not None:
            links = replace(links, workspace_id=sandbox.workspace_id)
        if links.team_id is not None and links.parent_session_id is not None:
            checked = False  # a member's session names a team this call did not read
        return await self.sessions.create(
            user_id,
            name=name,
            metadata=metadata,
            agent_id=chosen,
            sandbox_id=sandbox_id,
            source=source,
            links=links,
            checked=checked,
        )

    async def messages(self, session_id: str) -> list[MessageRow]:
        """A session's messages, oldest first."""
        async with self.db.read() as s:
            return list(
                (
                    await s.execute(
                        select(MessageRow)
                        .where(MessageRow.session_id == session_id)
                        .order_by(MessageRow.id)
                    )
                ).scalars()
            )

    def active_runs(self) -> int:
        """Runs going on this replica now (members' included)."""
        return len(self._runs)

    def is_running(self, session: SessionRow) -> bool:
        """Whether a run is going (on any replica: the flag lives in the database)."""
        return session.run_status == "running"

    # --- runs -----------------------------------------------------------------------------------

    async def send(
        self,
        user_id: str,
        session_id: str,
        content: list[dict[str, Any]],
        *,
        wait: bool,
        playback: Playback | None = None,
    ) -> MessageRow | None:
        """Add the user's message and start a run; with ``wait`` return the final answer."""
        session, agent, sandbox = await self._parts(user_id, session_id)
        if session.sandbox_id is None or session.agent_id is None:
            raise Invalid(
                "This session has no agent: create it with POST /api/v1/sandboxes/{id}/sessions"
            )
        # a run that failed or was interrupted leaves the conversation open; a session
        # ended through POST …/complete or …/fail (ended_at set) is closed
        if session.status not in SENDABLE or session.ended_at is not None:
            raise Conflict(f"Session is {session.status}", code="session_not_active")
        _check_user_content(content)
        if agent is None:
            raise NotFound.of("agent")
        if sandbox is None:
            raise NotFound.of("sandbox")
        # claimed here at once (in the transaction that stores the message) while this
        # process takes runs and has room; a re-execution's record lives in this process
        here = playback is not None or self.queue.has_room()
        run: Run | None = None
        if here:
            limits = Limits(**self.sandboxes.limits_of(sandbox))
            workspace = self.workspaces.acquire(
                self.sandboxes.path_of(sandbox.id), limits, sandbox.id
            )
            try:
                # the row read above is the run's starting state only if no run was ending
                # then (the claim below succeeds only once that one has written its last state)
                fresh = session if session.run_status == "idle" else None
                # only `session.created` on its timeline: no message before this one
                first = [Message(role="user", content=content)] if session.last_seq == 1 else None
                run = Run(
                    self,
                    user_id,
                    session_id,
                    agent,
                    workspace,
                    session=fresh,
                    history=first if fresh is not None else None,
                    playback=playback,
                )
                run.run_id, seq = await self._claim(session_id, user_id, content, claimed=True)
            except BaseException:
                self.workspaces.release(workspace)
                raise
        else:
            run_id, seq = await self._claim(session_id, user_id, content, claimed=False)
            await self.queue.notify(run_id)
        task = self._launch(run) if run is not None else None
        if not wait:
            return None
        async with key_guard() as guard, guard:  # a revoked key stops waiting, not the run
            if task is not None:
                return await asyncio.shield(task)
            return await self._await_end(session_id, seq)

    def _launch(self, run: Run) -> asyncio.Task[MessageRow | None]:
        """Start a run claimed by this process; its lease is renewed while it goes."""
        session_id = run.session_id
        # the run outlives this request: it must not be ended with the request's key
        context = contextvars.copy_context()
        context.run(detach_from_request_key)
        task = asyncio.create_task(run.execute(), name=f"run-{session_id}", context=context)
        run.task = task
        self._runs[session_id] = task
        self._live[session_id] = run
        self._run_owners[session_id] = run.user_id
        if run.run_id is not None:
            self.queue.hold(run.run_id, run)

        def forget(done: asyncio.Task[MessageRow | None]) -> None:
            if self._runs.get(session_id) is done:
                del self._runs[session_id]
                self._run_owners.pop(session_id, None)
            if self._live.get(session_id) is run:
                del self._live[session_id]
            if not done.cancelled():
                done.exception()  # a failed run is recorded on its timeline already

        task.add_done_callback(forget)
        return task

    async def run_claimed(self, job: AgentRun) -> None:
        """Start a run this process claimed from the queue (its message is stored)."""
        try:
            _, agent, sandbox = await self._parts(job.user_id, job.session_id)
        except NotFound:  # the session was deleted while its run waited
            await self.queue.finish(job.id, "failed", "the session was deleted")
            return
        if agent is None or sandbox is None:
            why = f"the session's {'agent' if agent is None else 'sandbox'} was deleted"
            await self.queue.end_unrunnable(job, why)
            return
        limits = Limits(**self.sandboxes.limits_of(sandbox))
        workspace = self.workspaces.acquire(self.sandboxes.path_of(sandbox.id), limits, sandbox.id)
        run = Run(self, job.user_id, job.session_id, agent, workspace)
        run.run_id = job.id
        run.check_interrupt = True  # an interrupt may have been recorded before it listened
        self._launch(run)

    async def _await_end(self, session_id: str, after: int) -> MessageRow | None:
        """The end of a run going on another process: its last event on the session's
        channel, with the database read at once and every second (a lost bus message
        cannot hang the caller). The final answer, None if interrupted; RunFailed."""
        async with self.bus.subscribe(session_channel(session_id)) as sub:
            while True:
                ending = await self._ending(session_id, after)
                if ending is not None:
                    return await self._outcome(*ending)
                deadline = asyncio.get_running_loop().time() + 1.0
                while (left := deadline - asyncio.get_running_loop().time()) > 0:
                    message = await sub.get(within=left)
                    if message is None:
                        break
                    if message is CLOSED:
                        return None
                    if message is LAGGED or sub.lagged:  # missed some: read the database
                        sub.lagged = False
                        break
                    kind, seq = message.get("type"), int(message.get("seq") or 0)
                    if kind in RUN_END_TYPES and seq > after:
                        return await self._outcome(str(kind), message.get("data") or {})

    async def _ending(self, session_id: str, after: int) -> tuple[str, dict[str, Any]] | None:
        """The run's last event, once committed (after ``after``, the message's event)."""
        async with self.db.read() as s:
            found = (
                await s.execute(
                    select(Event.type, Event.data)
                    .where(
                        Event.session_id == session_id,
                        Event.seq > after,
                        Event.type.in_(RUN_END_TYPES),
                    )
                    .order_by(Event.seq)
                    .limit(1)
                )
            ).one_or_none()
            if found is None:
                exists = await s.scalar(select(SessionRow.id).where(SessionRow.id == session_id))
                if exists is None:
                    raise NotFound.of("session")
                return None
        return str(found[0]), dict(found[1] or {})

    async def _outcome(self, kind: str, data: dict[str, Any]) -> MessageRow | None:
        if kind == "session_failed":
            raise RunFailed(str(data.get("error") or "the run failed"))
        message_id = data.get("message_id")
        if kind != "session_completed" or not message_id:
            return None
        async with self.db.read() as s:
            return await s.scalar(select(MessageRow).where(MessageRow.id == message_id))

    async def run_child(
        self, child: SessionRow, agent: Agent, task: str, workspace: Workspace, mirror: Mirror
    ) -> MessageRow | None:
        """Run a member's child session, committed already as running with its task as the
        first message, to its end (the caller awaits it); the workspace is the leader's.

        Cancelling the caller (the leader's run was interrupted) interrupts the child.
        """
        held = self.workspaces.acquire(workspace.root, workspace.limits, workspace.key)
        first = Message(role="user", content=[{"type": "text", "text": task}])
        run = Run(
            self,
            child.user_id,
            child.id,
            agent,
            held,
            mirror=mirror,
            session=child,
            history=[first],
        )
        running = asyncio.create_task(run.execute(), name=f"run-{child.id}")
        run.task = running
        self._runs[child.id] = running
        self._run_owners[child.id] = child.user_id
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            leader = self._live.get(mirror.parent_session_id)
            # the leader stopped: its members stop with it (and write nothing if it lost
            # its lease: the worker that ends it ends them)
            fenced = leader is not None and leader.fenced
            run.stop(leader.stop_reason if leader else "interrupted", fenced=fenced)
            with contextlib.suppress(BaseException):
                await running
            raise
        finally:
            if self._runs.get(child.id) is running:
                del self._runs[child.id]
                self._run_owners.pop(child.id, None)

    async def set_permissions(
        self, user_id: str, session_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Change a session's permission context; a run going (on any replica) obeys it at
        its next tool call."""
        session = await self.sessions.get(user_id, session_id)
        current = session.permission_context
        if current is None and session.agent_id is not None:
            with contextlib.suppress(NotFound):
                current = (await self.agents.get(user_id, session.agent_id)).permissions
        merged = {**contexts.permission_context(current), **changes}
        rules = validate_config(PermissionRules, merged, "permissions")
        context = rules.model_dump(include=set(contexts.CONTEXT_KEYS))
        if context["mode"] == "bypass" and not self.allow_bypass:
            raise Invalid(
                "Permission mode bypass is off on this server "
                "(the operator enables it with --allow-permission-bypass)"
            )
        await self._save_permissions(user_id, session_id, context, "Permissions changed")
        return context

    async def _save_permissions(
        self, user_id: str, session_id: str, context: dict[str, Any], description: str
    ) -> None:
        async with self.db.write() as tx:
            await tx.s.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id)
                .values(permission_context=context, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            await self.events.append(
                tx,
                user_id=user_id,
                type="permissions_updated",
                session_id=session_id,
                data={"permission_context": context},
                description=description,
            )
        await self.bus.publish(run_channel(session_id), {"type": "permissions", "context": context})

    async def interrupt(self, user_id: str, session_id: str) -> bool:
        """Ask the replica running the session to stop; True if a run was going."""
        task = self._runs.get(session_id)
        if task is None or self._run_owners.get(session_id) != user_id:
            # not running here (or not the caller's): the database knows, and 404s strangers
            session = await self.sessions.get(user_id, session_id)
            if not self.is_running(session):
                return False
            task = self._runs.get(session_id)
            # not here: recorded for the worker's heartbeat (a queued run ends now)
            if task is None and await self.queue.request_interrupt(session_id):
                return True
        await self.bus.publish(run_channel(session_id), {"type": "interrupt"})
        if task is not None:
            # local: do not depend on the watcher having subscribed yet
            run = self._live.get(session_id)
            if run is not None and run.task is task:
                run.stop("interrupted")
            else:  # a member's run
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WaypostError):
                await asyncio.wait_for(asyncio.shield(task), 5)
        return True

    async def decide(
        self,
        user_id: str,
        session_id: str,
        tool_use_id: str,
        approve: bool,
        remember: bool = False,
    ) -> None:
        """Approve or reject a tool call held by an ask; ``remember`` allows it from now on."""
        session = await self.sessions.get(user_id, session_id)
        waiting = self._approvals.get((session_id, tool_use_id))
        if waiting is not None and not waiting.done():
            waiting.set_result((approve, remember))
            return
        if waiting is None and self.is_running(session) and session_id not in self._runs:
            # the run lives on another replica: the decision travels like an interrupt
            message = {
                "type": "approval",
                "tool_use_id": tool_use_id,
                "approve": approve,
                "remember": remember,
            }
            await self.bus.publish(run_channel(session_id), message)
            return
        raise NotFound("No tool call is waiting for approval", code="approval_not_found")

    async def recover(self) -> int:
        """At startup: end the runs whose worker is gone (on SQLite, this one process's
        previous life: all of them; on PostgreSQL, only those whose lease ran out)."""
        return await self.queue.recover_at_startup()

    async def _parts(
        self, user_id: str, session_id: str
    ) -> tuple[SessionRow, Agent | None, Sandbox | None]:
        """The caller's session with its agent and sandbox (None where gone), as read-only
        records (:mod:`waypost.db.records`): one snapshot, three indexed reads."""

        def read(records: Records) -> tuple[Any, Any, Any] | None:
            def mine(model: type[Any], row_id: str | None) -> Any | None:
                return records.first(owned_record(model), {"row_id": row_id, "user_id": user_id})

            session = mine(SessionRow, session_id)
            if session is None:
                return None
            return session, mine(Agent, session.agent_id), mine(Sandbox, session.sandbox_id)

        found = await self.db.records(read)
        if found is None:
            raise NotFound.of("session")
        return found

    async def _claim(
        self, session_id: str, user_id: str, content: list[dict[str, Any]], *, claimed: bool
    ) -> tuple[str, int]:
        """Store the user's message, mark the session running (409 if a run is queued or
        going, on any replica) and enqueue its run (``claimed``: held by this process):
        one transaction, guarded by the session being idle. The run's id, and the
        message event's seq (the run's end comes after it)."""
        message = new_message(session_id, user_id, "user", content, None)
        run = self.queue.new_row(session_id, user_id, claimed=claimed)
        created = NewEvent(
            user_id=user_id,
            type="message.created",
            data={"message_id": message.id, "role": "user"},
            session_id=session_id,
            description="User message",
        )
        try:
            payloads = await self.events.commit(
                [
                    (MessageRow.__table__, [row_values(message)]),  # type: ignore[list-item]
                    (AgentRun.__table__, [run]),  # type: ignore[list-item]
                ],
                [created],
                {session_id: {"run_status": "running", "status": "active"}},
                guards={session_id: {"run_status": "idle"}},
            )
        except SessionChanged:
            raise Conflict("A run is already going in this session", code="session_busy") from None
        return str(run["id"]), int(payloads[0]["seq"])

    def start_runs(self) -> None:
        """Renew the leases of runs held here and, if this process takes runs, claim them."""
        self.queue.start(self.run_claimed)

    async def stop_all(self, drain_seconds: float = 0.0) -> None:
        """Shutdown: stop claiming; held runs may finish for ``drain_seconds``, the rest
        end interrupted (each records why); then the local runs left (members')."""
        await self.queue.stop(drain_seconds)
        for task in list(self._runs.values()):
            task.cancel()
        for task in list(self._runs.values()):
            with contextlib.suppress(BaseException):
                await task
        await self.workspaces.close()


class Run:
    """One ReAct run: model → tools → model … until a final answer or ``max_iters``."""

    def __init__(
        self,
        conv: Conversations,
        user_id: str,
        session_id: str,
        agent: Agent,
        workspace: Workspace,
        mirror: Mirror | None = None,
        session: SessionRow | None = None,
        history: list[Message] | None = None,
        playback: Playback | None = None,
    ) -> None:
        self.conv = conv
        self.playback = playback  # a re-execution: the outside world answered from a record
        self._first_history = history  # a fresh session's: no need to read it back
        self.mirror = mirror  # a member's run: its stream is mirrored to the leader's session
        self.user_id = user_id
        self.session_id = session_id
        self.agent = agent
        self.workspace = workspace
        self.context = ContextConfig.model_validate(agent.context_config)
        # Validated once per run: a scripted config carries its whole script.
        self.models = [
            ChatModelConfig.model_validate(raw)
            for raw in (agent.chat_model_config, agent.fallback_chat_model_config)
            if raw
        ]
        if playback is not None and playback.use_recorded_model:
            self.models = self.models[:1]  # the record is the model: never fall back to one
        self._context_chars = 0  # characters of the model's context, kept as it grows
        self.react = ReactConfig.model_validate(agent.react_config)
        self.usage = {"input_tokens": 0, "output_tokens": 0}
        self._pending_text = ""
        # a turn's first text waits for the next event or commit, at most the flush interval
        # (a fast turn's text then lands in one transaction with its message)
        self._last_flush = time.monotonic()
        self._outbox: list[NewEvent] = []  # events committed with the next message
        self._state: dict[str, Any] = {}  # the session's runtime state, loaded once per run
        self._providers: dict[int, ModelProvider] = {}
        self._ended = False  # the run's last event (and run_status idle) is committed
        self.session = session  # loaded when the run starts, unless handed over fresh
        self.permissions: dict[str, Any] = {}  # the permission context the run obeys (live)
        self.tools_ctx: dict[str, Any] = {}  # read-file cache and activated tool groups
        self.team: Team | None = None  # set when this run is a team's leader
        self.team_agents: dict[str, Agent] = {}
        self._tools_changed = False
        self.run_id: str | None = None  # its agent_runs row (a member's run has none)
        self.task: asyncio.Task[MessageRow | None] | None = None
        self.stop_reason = "interrupted"  # what its session_interrupted event says
        self.fenced = False  # lost its lease: another worker owns the run, write nothing
        self.check_interrupt = False  # claimed from the queue: read the recorded interrupt
        self.outcome = "failed"  # completed, interrupted or failed: its agent_runs status
        self._stopping = False

    def stop(self, reason: str, *, fenced: bool = False) -> None:
        """Cancel the run; it records ``reason`` as it ends, unless ``fenced``."""
        self.fenced = self.fenced or fenced
        if self._stopping:  # cancelled once: a second cancel would cut its last write short
            return
        self._stopping = True
        self.stop_reason = reason
        if self.task is not None:
            self.task.cancel()

    async def finished(self) -> None:
        """Return once the run's task has ended (however it ended)."""
        if self.task is not None:
            await asyncio.wait([self.task])

    def queue(self, type: str, data: dict[str, Any], description: str | None = None) -> None:
        """An event to commit together with the next stored message (one transaction)."""
        event = NewEvent(
            user_id=self.user_id,
            type=type,
            data=data,
            session_id=self.session_id,
            description=description or type.replace("_", " ").capitalize(),
        )
        self._outbox.append(event)
        if self.mirror is not None and type in STREAM_TYPES:
            self._outbox.append(self.mirror.event(event))

    async def emit(
        self,
        type: str,
        data: dict[str, Any],
        description: str | None = None,
        *,
        ends_run: bool = False,
    ) -> None:
        """Commit an event now (with anything queued before it).

        ``ends_run``: the session goes back to idle in the same commit, so a client that
        sees the run's last event can send the next message at once.
        """
        self.queue(type, data, description)
        events, self._outbox = self._outbox, []
        idle = None
        if ends_run:
            status = END_STATUS.get(type, "failed")
            idle = {self.session_id: {"run_status": "idle", "status": status}}
        await self.conv.events.commit([], events, idle)
        self._ended = self._ended or ends_run

    async def _flush_outbox(
        self, tx: Tx, session_values: dict[str, dict[str, Any]] | None = None
    ) -> None:
        events, self._outbox = self._outbox, []
        await self.conv.events.append_many(tx, events, session_values)

    async def execute(self) -> MessageRow | None:
        """Run to the end; always leaves the session idle, whatever happens (unless the
        run lost its lease: then the worker that claimed it next ends it)."""
        self.task = self.task or asyncio.current_task()
        watcher = asyncio.create_task(self._watch_interrupts())
        final: MessageRow | None = None
        try:
            final, stop_reason, iterations = await self._loop()
            self.outcome = "completed"
            if self._ended:  # the final answer's commit ended the run
                return final
            await self.emit(
                "session_completed",
                {
                    "message_id": final.id if final else None,
                    "stop_reason": stop_reason,
                    "iterations": iterations,
                    "usage": self.usage,
                },
                "Run completed",
                ends_run=True,
            )
            return final
        except asyncio.CancelledError:
            if self._ended:  # completed just before the interrupt arrived
                return final
            self.outcome = "interrupted"
            if self.fenced:
                return None
            # shielded: a stray second cancel must not leave the run without its end
            await asyncio.shield(self._end_interrupted())
            return None
        except Exception as exc:
            message = exc.message if isinstance(exc, WaypostError) else str(exc)
            log.warning("run failed session=%s error=%s", self.session_id, message)
            if not self.fenced:
                await self.emit("session_failed", {"error": message}, "Run failed", ends_run=True)
            raise RunFailed(message) from exc
        finally:
            watcher.cancel()
            await self._close_providers()
            self.conv.workspaces.release(self.workspace)
            if not self._ended and not self.fenced:
                # the last event could not be written: still free the session
                async with self.conv.db.write() as tx:
                    await tx.s.execute(
                        update(SessionRow)
                        .where(SessionRow.id == self.session_id)
                        .values(run_status="idle", updated_at=utcnow())
                        .execution_options(synchronize_session=False)
                    )
            if self.run_id is not None and not self.fenced:
                reason = None if self.stop_reason == "interrupted" else self.stop_reason
                await self.conv.queue.finish(self.run_id, self.outcome, reason)

    async def _end_interrupted(self) -> None:
        await self._flush_partial()
        await self.emit(
            "session_interrupted", {"reason": self.stop_reason}, "Run interrupted", ends_run=True
        )

    async def _watch_interrupts(self) -> None:
        async with self.conv.bus.subscribe(run_channel(self.session_id)) as sub:
            if self.check_interrupt and self.run_id is not None:
                if await self.conv.queue.interrupt_requested(self.run_id):
                    self.stop("interrupted")
                    return
            while True:
                message = await sub.get()
                if message and message.get("type") == "approval":
                    key = (self.session_id, str(message.get("tool_use_id")))
                    waiting = self.conv._approvals.get(key)
                    if waiting is not None and not waiting.done():
                        answer = (bool(message.get("approve")), bool(message.get("remember")))
                        waiting.set_result(answer)
                    continue
                if message and message.get("type") == "permissions":
                    self._obey(message.get("context"))
                    continue
                if message is LAGGED and self.run_id is not None:  # an interrupt may be lost
                    if not await self.conv.queue.interrupt_requested(self.run_id):
                        continue
                    message = {"type": "interrupt"}
                if message is CLOSED:
                    self.stop("the server shut down during the run")
                    return
                if message and message.get("type") == "interrupt":
                    self.stop("interrupted")
                    return

    # --- the loop -------------------------------------------------------------------------------

    async def _loop(self) -> tuple[MessageRow | None, str, int]:
        last: MessageRow | None = None
        await self._load_session()
        tools = self._tool_specs()
        # then kept in memory for the whole run
        history = self._first_history or await self._history()
        self._context_chars = sum(_chars(m.content) for m in history)
        for iteration in range(1, self.react.max_iters + 1):
            if self._needs_compaction(history):
                history = await self._compact(history)
                self._context_chars = sum(_chars(m.content) for m in history)
            blocks, usage = await self._complete(history, tools)
            tool_uses = [b for b in blocks if b["type"] == "tool_use"]
            ending = None if tool_uses else ("end_turn", iteration)
            last = await self._store("assistant", blocks, usage, ending, cur_iter=iteration)
            self._extend(history, Message(role="assistant", content=blocks))
            if not tool_uses:
                return last, "end_turn", iteration
            results, rejected = [], False
            for block, (result, was_rejected) in zip(
                tool_uses, await self._run_tools(tool_uses), strict=True
            ):
                rejected = rejected or was_rejected
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block["id"],
                        "content": result.content,
                        "is_error": result.is_error,
                    }
                )
            tasks = self._state.get("tasks_context")
            await self._store(
                "user",
                results,
                None,
                tool_context=self.tools_ctx,
                **({"tasks_context": tasks} if tasks else {}),
            )
            self._extend(history, Message(role="user", content=results))
            if self._tools_changed:
                tools, self._tools_changed = self._tool_specs(), False
            if rejected and self.react.stop_on_reject:
                return last, "rejected", iteration
        return last, "max_iters", self.react.max_iters

    async def _load_session(self) -> None:
        """The session's state, permission and tool contexts, and its team (for a leader)."""
        session = self.session or await self.conv.sessions.get(self.user_id, self.session_id)
        self.session = session
        self._state = dict(session.state or {})
        self._obey(session.permission_context or self.agent.permissions)
        self.tools_ctx = contexts.tool_context(self._state, self.agent.tool_groups)
        self._state["tool_context"] = self.tools_ctx
        if self.mirror is not None:
            return  # a member's child session: no team of its own to lead
        if session.team_id and session.parent_session_id is None:
            with contextlib.suppress(NotFound):  # a deleted team: the leader works alone
                team = await self.conv.teams.get(self.user_id, session.team_id)
                if team.leader_agent_id == self.agent.id:
                    self.team = team
                    self.team_agents = await self.conv.teams.agents_of(self.user_id, team)

    def _obey(self, raw: Any) -> None:
        """Take a permission context (bypass only where the operator allows it)."""
        context = contexts.permission_context(raw if isinstance(raw, dict) else None)
        if context["mode"] == "bypass" and not self.conv.allow_bypass:
            context["mode"] = "default"
        self.permissions = context

    def _available(self) -> list[dict[str, Any]]:
        """Every tool this agent may have (its ``tools`` list applied), before groups."""
        allowed = set(self.agent.tools) if self.agent.tools is not None else None
        specs = [*SANDBOX_TOOL_SPECS, *MAIL_TOOL_SPECS, *TASK_TOOL_SPECS]
        if self.team is not None:
            specs.append(delegate_spec(self.team, self.team_agents))
        return [s for s in specs if allowed is None or s["name"] in allowed]

    def _tool_specs(self) -> list[ToolSpec]:
        """What the model is offered: tools of activated groups, and activate_tools if any
        group is off."""
        available = self._available()
        activated = self.tools_ctx["activated_groups"]
        offered = set(contexts.tools_offered(activated, [s["name"] for s in available]))
        specs = [
            ToolSpec(s["name"], s["description"], s["input_schema"])
            for s in available
            if s["name"] in offered
        ]
        inactive = contexts.inactive_groups(activated, [s["name"] for s in available])
        if inactive:
            spec = contexts.activate_spec(inactive)
            specs.append(ToolSpec(spec["name"], spec["description"], spec["input_schema"]))
        return specs

    async def _run_tools(self, blocks: list[dict[str, Any]]) -> list[tuple[ToolResult, bool]]:
        """Run a turn's tool calls in order; delegations run at the same time as the rest."""
        delegated = {
            i: asyncio.ensure_future(self._run_tool(b))
            for i, b in enumerate(blocks)
            if b["name"] == contexts.DELEGATE_TOOL
        }
        try:
            return [
                await delegated[i] if i in delegated else await self._run_tool(b)
                for i, b in enumerate(blocks)
            ]
        finally:
            for task in delegated.values():
                task.cancel()  # nothing if done; an interrupted leader stops its members
            if delegated:
                await asyncio.gather(*delegated.values(), return_exceptions=True)

    async def _history(self) -> list[Message]:
        """The model's view: the last summary (if the context was compacted), then what followed."""
        rows = await self.conv.messages(self.session_id)
        after = self._state.get("context_after")
        if after:
            rows = [r for r in rows if r.id > after]
        history = _answer_orphans([Message(role=r.role, content=r.content) for r in rows])  # type: ignore[arg-type]
        summary = self._state.get("summary")
        if summary:
            history.insert(0, Message(role="user", content=[{"type": "text", "text": summary}]))
        return history

    def _extend(self, history: list[Message], message: Message) -> None:
        history.append(message)
        self._context_chars += _chars(message.content)

    def _needs_compaction(self, history: list[Message]) -> bool:
        used = (len(self.agent.system_prompt) + self._context_chars) // 4
        return (
            len(history) > 1 and used > self.context.trigger_ratio * self.models[0].context_window
        )

    async def _compact(self, history: list[Message]) -> list[Message]:
        """Replace the context by a summary written by the model (the agent's templates)."""
        prompt = [{"type": "text", "text": self.context.compression_prompt}]
        blocks, _ = await self._complete([*history, Message(role="user", content=prompt)], [], True)
        written = "".join(b["text"] for b in blocks if b["type"] == "text").strip()
        summary = _fill_template(self.context.summary_template, written)
        files = contexts.cached_files_note(self.tools_ctx)  # what was read stays at hand
        if files:
            summary = f"{summary}\n\n{files}"
        rows = await self.conv.messages(self.session_id)
        self._state.update(summary=summary, context_after=rows[-1].id if rows else None)
        self.queue(
            "context_compacted",
            {"messages_summarised": len(history), "summary_chars": len(summary)},
            "Context compacted into a summary",
        )
        async with self.conv.db.write() as tx:
            await tx.s.execute(
                update(SessionRow)
                .where(SessionRow.id == self.session_id)
                .values(state=self._state)
                .execution_options(synchronize_session=False)
            )
            await self._flush_outbox(tx)
        return [Message(role="user", content=[{"type": "text", "text": summary}])]

    async def _complete(
        self, history: list[Message], tools: list[ToolSpec], quiet: bool = False
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """One model turn, streamed to the log; falls back to the second model on failure."""
        self._state["model_calls"] = int(self._state.get("model_calls", 0)) + 1
        last_error: ProviderError | None = None
        for index in range(len(self.models)):
            try:
                return await self._stream_turn(index, history, tools, quiet)
            except ProviderError as exc:
                last_error = exc
                if self.conv.metrics is not None:
                    self.conv.metrics.model_call(self.models[index].type, None)
                if index + 1 < len(self.models):
                    await self.emit(
                        "model_fallback",
                        {
                            "error": exc.kind,
                            "status": exc.status,
                            "to": self.models[index + 1].model,
                        },
                        "Model failed; using the fallback model",
                    )
        assert last_error is not None
        raise RunFailed(f"model error ({last_error.kind}): {last_error}")

    async def _stream_turn(
        self,
        index: int,
        history: list[Message],
        tools: list[ToolSpec],
        quiet: bool = False,
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """One model call; ``quiet`` (a compaction summary) streams nothing to the session."""
        config = self.models[index]
        provider = await self._provider(index)
        parameters = config.parameters
        if config.type == "scripted":  # replays the script in call order, compactions included
            parameters = {**parameters, "turn": int(self._state.get("model_calls", 1)) - 1}
        blocks: list[dict[str, Any]] = []
        text = ""
        usage = {"input_tokens": 0, "output_tokens": 0}
        async for event in stream_with_retry(
            provider,
            system=self.agent.system_prompt,
            messages=history,
            tools=tools,
            model=config.model,
            parameters=parameters,
        ):
            if quiet:
                if isinstance(event, TextDelta):
                    text += event.text
                elif isinstance(event, Done):
                    break
                continue
            if isinstance(event, TextDelta):
                text += event.text
                self._pending_text += event.text
                if time.monotonic() - self._last_flush >= DELTA_FLUSH_SECONDS:
                    await self._flush_delta()
            elif isinstance(event, ToolUseStart):
                text = await self._close_text(blocks, text)
                self.queue("tool_use_start", {"id": event.id, "name": event.name})
                await self._flush_if_stale()
            elif isinstance(event, ToolUseComplete):
                block = {
                    "type": "tool_use",
                    "id": event.id,
                    "name": event.name,
                    "input": event.input,
                }
                blocks.append(block)
                self.queue("tool_use_complete", block)
            elif isinstance(event, Usage):
                usage = {
                    "input_tokens": event.input_tokens,
                    "output_tokens": event.output_tokens,
                }
            elif isinstance(event, Done):
                break
        if self.conv.metrics is not None:
            self.conv.metrics.model_call(config.type, usage)
        if quiet:
            return [{"type": "text", "text": text}], usage
        await self._close_text(blocks, text)
        for key in usage:
            self.usage[key] += usage[key]
        return blocks, usage

    async def _provider(self, index: int) -> ModelProvider:
        """One provider (and its HTTP client) per model (main, fallback) for the whole run."""
        config = self.models[index]
        if self.playback is not None and self.playback.use_recorded_model:
            return self._providers.setdefault(index, self.playback.provider())
        if index not in self._providers:
            api_key, base_url = None, config.base_url
            if config.credential_id:
                api_key, stored_url = await self.conv.credentials.reveal(
                    self.user_id, config.credential_id
                )
                base_url = base_url or stored_url
            self._providers[index] = make_provider(
                config.type, api_key=api_key, base_url=base_url, parameters=config.parameters
            )
        return self._providers[index]

    async def _close_providers(self) -> None:
        for provider in self._providers.values():
            aclose = getattr(provider, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
        self._providers.clear()

    async def _flush_if_stale(self) -> None:
        """Commit queued events if the last commit is older than the flush interval.

        A fast model turn lands in one transaction with its message; a slow one still
        reaches the stream within ``DELTA_FLUSH_SECONDS``.
        """
        if time.monotonic() - self._last_flush >= DELTA_FLUSH_SECONDS:
            self._last_flush = time.monotonic()
            events, self._outbox = self._outbox, []
            await self.conv.events.commit([], events)

    async def _flush_delta(self) -> None:
        if self._pending_text:
            chunk, self._pending_text = self._pending_text, ""
            self._last_flush = time.monotonic()
            await self.emit("text_delta", {"text": chunk})

    async def _close_text(self, blocks: list[dict[str, Any]], text: str) -> str:
        """End a text block: its last delta and ``text_complete`` go with the next commit (a
        fast turn's text lands in one transaction with its message)."""
        if self._pending_text:
            chunk, self._pending_text = self._pending_text, ""
            self.queue("text_delta", {"text": chunk})
        if text:
            blocks.append({"type": "text", "text": text})
            self.queue("text_complete", {"text": text})
        return ""

    async def _flush_partial(self) -> None:
        """On interrupt, put the text streamed so far on the log (no message is stored:
        an unfinished turn is not part of the conversation the model sees next)."""
        text = self._pending_text
        self._pending_text = ""
        if text:
            await self.emit("text_delta", {"text": text})

    async def _run_tool(self, block: dict[str, Any]) -> tuple[ToolResult, bool]:
        name, args = block["name"], block.get("input") or {}
        if not isinstance(args, dict):
            args = {}
        result, rejected = await self._decide_and_call(block, name, args)
        content = truncate(result.content, self.context.tool_result_limit)
        result = ToolResult(content, result.is_error)
        self.queue(
            "tool_result",
            {
                "tool_use_id": block["id"],
                "name": name,
                "content": content,
                "is_error": result.is_error,
            },
        )
        return result, rejected

    async def _decide_and_call(
        self, block: dict[str, Any], name: str, args: dict[str, Any]
    ) -> tuple[ToolResult, bool]:
        """The permission context's decision for the call, then the call itself."""
        available = {s["name"] for s in self._available()}
        if name == contexts.ACTIVATE_TOOL:
            return self._activate(args), False
        if name not in available:
            return ToolResult(f"{name} is not one of this agent's tools", True), False
        group = contexts.group_of(name)
        if group is not None and group not in self.tools_ctx["activated_groups"]:
            message = f"{name} is in the tool group {group!r}, which is off: call activate_tools"
            return ToolResult(message, True), False
        decision, why = contexts.decide(self.permissions, name, args)
        if decision == "deny":
            return ToolResult(
                why if why.startswith(name) else f"{name} was refused: {why}", True
            ), False
        if decision == "ask":
            approved, remember = await self._approved(block)
            if not approved:
                return ToolResult(f"{name} was rejected by the user", True), True
            if remember:
                self.permissions = contexts.remember(self.permissions, name, args)
                await self.conv._save_permissions(
                    self.user_id, self.session_id, self.permissions, "Approval remembered"
                )
        return await self._call(block, name, args), False

    async def _call(self, block: dict[str, Any], name: str, args: dict[str, Any]) -> ToolResult:
        if self.playback is not None and name not in TASK_TOOL_NAMES:
            return self.playback.result(str(block["id"]))  # the task list is ours: it runs
        if name == contexts.DELEGATE_TOOL:
            return await run_delegation(self, block, args)
        if name in TASK_TOOL_NAMES:
            tasks = self._state.get("tasks_context", {}).get("tasks", [])
            result, tasks = run_task_tool(tasks, name, args)
            if not result.is_error:  # a refused call changes nothing
                self._state["tasks_context"] = {"tasks": tasks}  # stored with the tool result
            return result
        if name in MAIL_TOOL_NAMES:
            return await self.conv.mail_tools.call(self.user_id, self.session_id, name, args)
        result = await call_tool(self.workspace, name, args)
        self._track_files(name, args, result)
        return result

    def _track_files(self, name: str, args: dict[str, Any], result: ToolResult) -> None:
        """Keep the read-file cache true: a read adds, an edit or a command drops."""
        path = args.get("path")
        if name == "read_file" and not result.is_error and isinstance(path, str):
            if not args.get("offset") and args.get("limit") is None:  # whole files only
                self.tools_ctx = contexts.cache_read(self.tools_ctx, path, result.content)
        elif name in contexts.FILE_EDIT_TOOLS and isinstance(path, str):
            self.tools_ctx = contexts.cache_forget(self.tools_ctx, path)
        elif name in contexts.COMMAND_TOOLS:
            self.tools_ctx = contexts.cache_forget(self.tools_ctx, None)

    def _activate(self, args: dict[str, Any]) -> ToolResult:
        group = args.get("group")
        if group not in contexts.TOOL_GROUPS:
            names = ", ".join(contexts.TOOL_GROUPS)
            return ToolResult(f"unknown tool group {group!r}: one of {names}", True)
        activated = self.tools_ctx["activated_groups"]
        if group in activated:
            return ToolResult(f"the {group} tools are already on", False)
        self.tools_ctx = {**self.tools_ctx, "activated_groups": [*activated, group]}
        self._tools_changed = True
        tools = sorted(contexts.TOOL_GROUPS[group])
        return ToolResult(f"the {group} tools are on from your next turn: {', '.join(tools)}")

    async def _approved(self, block: dict[str, Any]) -> tuple[bool, bool]:
        """(approved, remember): a person's answer to an ask; no answer in time rejects."""
        if self.playback is not None:  # the record says what the person answered
            await self.emit(
                "approval_required",
                {"tool_use_id": block["id"], "name": block["name"], "input": block.get("input")},
                "Tool call waiting for approval",
            )
            return self.playback.approved(str(block["id"])), False
        key = (self.session_id, str(block["id"]))
        future: asyncio.Future[tuple[bool, bool]] = asyncio.get_running_loop().create_future()
        self.conv._approvals[key] = future
        try:
            await self.emit(
                "approval_required",
                {"tool_use_id": block["id"], "name": block["name"], "input": block.get("input")},
                "Tool call waiting for approval",
            )
            try:
                limit = float(self.agent.permissions.get("ask_timeout_seconds", 3600))
                return await asyncio.wait_for(future, limit)
            except TimeoutError:
                return False, False  # nobody decided in time: treated as a rejection
        finally:
            self.conv._approvals.pop(key, None)

    async def _store(
        self,
        role: str,
        content: list[dict[str, Any]],
        usage: dict[str, int] | None,
        ending: tuple[str, int] | None = None,
        **state: Any,
    ) -> MessageRow:
        """Commit a message, the events queued for it and any state change, together.

        ``ending`` (stop reason, iterations): the message is the final answer, and the same
        commit ends the run (``session_completed``, the session idle again).
        """
        row = new_message(self.session_id, self.user_id, role, content, usage)
        description = f"{role.capitalize()} message"
        self.queue("message.created", {"message_id": row.id, "role": role}, description)
        values = row_values(row)
        session_values: dict[str, dict[str, Any]] = {}
        if state:
            self._state.update(state, session_id=self.session_id)
            session_values[self.session_id] = {"state": dict(self._state)}
        if ending is not None:
            stop_reason, iterations = ending
            completed = {
                "message_id": row.id,
                "stop_reason": stop_reason,
                "iterations": iterations,
                "usage": self.usage,
            }
            self.queue("session_completed", completed, "Run completed")
            idle = {"run_status": "idle", "status": END_STATUS["session_completed"]}
            session_values[self.session_id] = {**session_values.get(self.session_id, {}), **idle}
        events, self._outbox = self._outbox, []
        await self.conv.events.commit(
            [(MessageRow.__table__, [values])],  # type: ignore[list-item]
            events,
            session_values or None,
        )
        self._ended = self._ended or ending is not None
        return row


def new_message(
    session_id: str,
    user_id: str,
    role: str,
    content: list[dict[str, Any]],
    usage: dict[str, int] | None,
) -> MessageRow:
    return MessageRow(
        id=new_id("msg"),
        session_id=session_id,
        user_id=user_id,
        role=role,
        content=content,
        usage=usage,
        created_at=utcnow(),
    )


def _answer_orphans(history: list[Message]) -> list[Message]:
    """Give every tool call an answer: a run interrupted (or killed) mid-tool left none,
    and model APIs refuse a tool_use without its tool_result."""
    repaired: list[Message] = []
    for index, message in enumerate(history):
        repaired.append(message)
        calls = [b["id"] for b in message.content if b.get("type") == "tool_use"]
        if message.role != "assistant" or not calls:
            continue
        following = history[index + 1] if index + 1 < len(history) else None
        answered = {
            b.get("tool_use_id")
            for b in (following.content if following and following.role == "user" else [])
            if b.get("type") == "tool_result"
        }
        missing = [
            {"type": "tool_result", "tool_use_id": c, "content": "interrupted", "is_error": True}
            for c in calls
            if c not in answered
        ]
        if missing and answered:  # complete the partial answer in place
            repaired.append(Message(role="user", content=[*following.content, *missing]))  # type: ignore[union-attr]
            history[index + 1] = Message(role="user", content=[])
        elif missing:
            repaired.append(Message(role="user", content=missing))
    return [m for m in repaired if m.content]


def _chars(blocks: list[dict[str, Any]]) -> int:
    return sum(len(json.dumps(block)) for block in blocks)


def _fill_template(template: str, written: str) -> str:
    """The model's summary in the template: its JSON fields if it wrote some, else the overview."""
    fields: dict[str, Any] = {"task_overview": written}
    try:
        parsed = json.loads(written)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        fields = {str(k): v for k, v in parsed.items()}
    try:
        return template.format_map(defaultdict(str, fields))
    except (ValueError, IndexError, KeyError):  # a template with stray braces
        return f"{template}\n{written}"


def _check_user_content(content: list[dict[str, Any]]) -> None:
    if not content:
        raise Invalid("content must not be empty")
    for index, block in enumerate(content):
        kind = block.get("type")
        if kind not in USER_BLOCK_TYPES:
            raise Invalid(f"content[{index}].type must be text or image")
        if kind == "text" and not isinstance(block.get("text"), str):
            raise Invalid(f"content[{index}].text must be a string")
        if kind == "image" and not (
            isinstance(block.get("media_type"), str) and isinstance(block.get("data"), str)
        ):
            raise Invalid(f"content[{index}] image needs media_type and base64 data")


__all__ = ["STREAM_TYPES", "Conversations", "Run", "RunFailed", "run_channel"]
