"""Workflows create an inbox and a wait in one transaction: all of it, or nothing.

Failure injection (``chaos``) lets tests prove the rollback at every step
through the real server, the way Mailpit's chaos mode does for SMTP; it is off
unless the operator enables it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from waypost.db.database import Database
from waypost.db.models import Inbox, Wait
from waypost.db.models import Session as SessionRow
from waypost.errors import Invalid, WaypostError
from waypost.events.log import EventLog
from waypost.extractions.assist import AssistSpec
from waypost.mail.inboxes import InboxService
from waypost.sessions.service import SessionService
from waypost.waits.service import Waits

log = logging.getLogger("waypost.workflows")

STEPS = ("session", "inbox", "wait", "timeline")
WAIT_TYPES = {
    "create-inbox-and-wait": ("otp", "magic_link", "any"),
    "signup": ("otp", "magic_link"),
}
DEFAULT_TIMEOUTS = {"create-inbox-and-wait": 120, "signup": 300}


class WorkflowRolledBack(WaypostError):
    """Something failed after validation; everything the workflow created was undone."""

    status = 500
    code = "workflow_rolled_back"

    def __init__(self) -> None:
        super().__init__("Workflow failed and was rolled back")


class InjectedFailure(Exception):
    """Raised by chaos mode at the requested step."""


@dataclass
class Started:
    """What a workflow created: the inbox, its pending wait and the session (if any)."""

    inbox: Inbox
    wait: Wait
    session: SessionRow | None


@dataclass
class WorkflowRequest:
    """Validated input of either workflow."""

    kind: str
    wait_type: str | None
    timeout_seconds: int | None = None
    ttl_seconds: int | None = None
    session_id: str | None = None
    metadata: dict[str, Any] | None = None
    username: str | None = None
    domain: str | None = None
    criteria: dict[str, Any] | None = None
    confidence_threshold: float | None = None
    assist: AssistSpec | None = None


class Workflows:
    """Runs the workflow steps in one transaction."""

    def __init__(
        self,
        db: Database,
        events: EventLog,
        sessions: SessionService,
        inboxes: InboxService,
        waits: Waits,
        chaos: bool = False,
    ) -> None:
        self.db = db
        self.events = events
        self.sessions = sessions
        self.inboxes = inboxes
        self.waits = waits
        self.chaos = chaos

    def validate(self, req: WorkflowRequest) -> None:
        """Seed 001's messages: "waitType is required", "waitType must be otp or magic_link"."""
        allowed = WAIT_TYPES[req.kind]
        if not req.wait_type:
            raise Invalid("waitType is required")
        if req.wait_type not in allowed:
            raise Invalid(f"waitType must be {', '.join(allowed[:-1])} or {allowed[-1]}")

    async def start(
        self, user_id: str, req: WorkflowRequest, fail_at: str | None = None
    ) -> Started:
        """Create inbox + wait (+ timeline entries) atomically; raises WorkflowRolledBack."""
        self.validate(req)
        if fail_at is not None and (not self.chaos or fail_at not in STEPS):
            raise Invalid(f"fail_at needs chaos mode and one of: {', '.join(STEPS)}")
        # only an absent timeout takes the default: 0 is refused like on /waits
        timeout = DEFAULT_TIMEOUTS[req.kind] if req.timeout_seconds is None else req.timeout_seconds
        try:
            async with self.db.write() as tx:
                session = None
                if req.session_id is not None:
                    session = await self.sessions.get_for_update(tx, user_id, req.session_id)
                self._maybe_fail(fail_at, "session")
                inbox = await self.inboxes.create(
                    user_id,
                    username=req.username,
                    domain=req.domain,
                    ttl_seconds=req.ttl_seconds,
                    session_id=req.session_id,
                    metadata=req.metadata,
                    tx=tx,
                )
                self._maybe_fail(fail_at, "inbox")
                wait = await self.waits.create(
                    user_id,
                    inbox_id=inbox.id,
                    type=str(req.wait_type),
                    timeout_seconds=timeout,
                    criteria=req.criteria,
                    confidence_threshold=req.confidence_threshold,
                    assist=req.assist,
                    tx=tx,
                )
                self._maybe_fail(fail_at, "wait")
                await self.events.append(
                    tx,
                    user_id=user_id,
                    type="workflow.started",
                    session_id=req.session_id,
                    data={"workflow": req.kind, "inbox_id": inbox.id, "wait_id": wait.id},
                )
                self._maybe_fail(fail_at, "timeline")
        except WaypostError as exc:
            if exc.status >= 500:
                raise WorkflowRolledBack() from exc
            raise  # bad input: nothing was created, say what was wrong
        except Exception as exc:
            log.warning("workflow rolled back kind=%s error=%r", req.kind, exc)
            raise WorkflowRolledBack() from exc
        return Started(inbox, wait, session)

    @staticmethod
    def _maybe_fail(fail_at: str | None, step: str) -> None:
        if fail_at == step:
            raise InjectedFailure(f"chaos: failure injected after step {step!r}")
