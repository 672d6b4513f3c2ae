"""Typed response models. They are the server's own schemas, so the two cannot drift."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from waypost.api.schedule_schemas import ScheduleOut as Schedule
from waypost.api.schemas import AgentOut as Agent
from waypost.api.schemas import AgentSessionOut as AgentSession
from waypost.api.schemas import AttachmentOut as Attachment
from waypost.api.schemas import CredentialOut as Credential
from waypost.api.schemas import EmailOut as Email
from waypost.api.schemas import EmailSummaryOut as EmailSummary
from waypost.api.schemas import EventOut as Event
from waypost.api.schemas import ExtractionOut as Extraction
from waypost.api.schemas import InboxOut as Inbox
from waypost.api.schemas import ListPage as Page
from waypost.api.schemas import MessageOut as Message
from waypost.api.schemas import ReplayOut as Replay
from waypost.api.schemas import ResultOut as Result
from waypost.api.schemas import SandboxOut as Sandbox
from waypost.api.schemas import SessionDetailOut
from waypost.api.schemas import SessionOut as Session
from waypost.api.schemas import TimelineOut as Timeline
from waypost.api.schemas import WaitOut as Wait
from waypost.api.schemas import WorkflowOut as Workflow
from waypost.api.schemas import WorkspaceOut as Workspace


class SessionDetail(SessionDetailOut):
    """A session with seed 002's view (``config``, ``state``, ``team``, ``user_id``…). An agent
    session (one in a sandbox) read with ``sessions.get`` also carries its ``messages`` and
    the context the model sees in ``state.context``; otherwise ``messages`` is None.
    """

    messages: list[Message] | None = None


class ReplayResult(BaseModel):
    """A replay that acted (``sessions.retry`` / ``reexecute`` / ``fork``): the new session,
    its original, the first divergence from the record (re-execution), and what else the
    mode reports (``workflows`` for a retry, ``copied`` for a fork, ``compared_events``)."""

    model_config = {"extra": "allow"}

    session: SessionDetail
    replay_of: str
    divergence: dict[str, Any] | None = None


class Team(BaseModel):
    """A leader agent and the member agents it delegates to. The same fields as the server's
    ``TeamOut`` (waypost.api.teams, not imported: it needs the server), checked in the tests."""

    id: str
    name: str
    description: str
    leader_agent_id: str
    member_ids: list[str]
    workspace_id: str | None
    created_at: datetime
    updated_at: datetime


__all__ = [
    "Agent",
    "AgentSession",
    "Attachment",
    "Credential",
    "Email",
    "EmailSummary",
    "Event",
    "Extraction",
    "Inbox",
    "Message",
    "Page",
    "Replay",
    "ReplayResult",
    "Result",
    "Sandbox",
    "Schedule",
    "Session",
    "SessionDetail",
    "Team",
    "Timeline",
    "Wait",
    "Workflow",
    "Workspace",
]
