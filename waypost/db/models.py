"""The tables. Every user-facing row carries ``user_id``: ownership is never implicit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from waypost.db.types import JSONType, UTCDateTime, utcnow


def owner_list_index(table: str) -> Index:
    """(user_id, id): an owner's list, newest first, read without sorting however long it is
    (and every lookup by owner, so no index on user_id alone)."""
    return Index(f"ix_{table}_user_id_id", "user_id", "id")


class Base(DeclarativeBase):
    """Declarative base for every table."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    default_agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        owner_list_index("sessions"),
        Index("ix_sessions_user_status", "user_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    sandbox_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    workspace_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    team_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    source_schedule_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # a member's session started by its team leader's `delegate` call
    parent_session_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # a replay's original (retry, re-execution or fork of that session)
    replay_of: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # the session's own permission context (PATCH …/permissions, remembered approvals);
    # None: the agent's rules. A column of its own: a run rewrites `state` as it goes.
    permission_context: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # agent sessions: the runtime state object (seed 002) and whether a run is going
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    run_status: Mapped[str] = mapped_column(String(20), default="idle")


class Inbox(Base):
    __tablename__ = "inboxes"
    __table_args__ = (owner_list_index("inboxes"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    address: Mapped[str] = mapped_column(String(320), unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Email(Base):
    __tablename__ = "emails"
    __table_args__ = (Index("ix_emails_inbox_id", "inbox_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[str] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    mail_from: Mapped[str] = mapped_column(Text, default="")
    from_header: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Event(Base):
    """The append-only log. Session events carry a per-session ``seq``."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_events_session_seq"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True
    )
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    type: Mapped[str] = mapped_column(String(60))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    description: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Wait(Base):
    """The next matching email in an inbox; ``email_id`` is unique: one email, one wait."""

    __tablename__ = "waits"
    __table_args__ = (
        owner_list_index("waits"),
        Index("ix_waits_inbox_status", "inbox_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    inbox_id: Mapped[str] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    after_time: Mapped[datetime] = mapped_column(UTCDateTime())
    after_email_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    confidence_threshold: Mapped[float] = mapped_column(default=0.5)
    timeout_seconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    email_id: Mapped[str | None] = mapped_column(
        ForeignKey("emails.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class Extraction(Base):
    """A stored extraction result (``ext_…``): what was pulled out of which email."""

    __tablename__ = "extractions"
    __table_args__ = (owner_list_index("extractions"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email_id: Mapped[str | None] = mapped_column(
        ForeignKey("emails.id", ondelete="SET NULL"), nullable=True, index=True
    )
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    wait_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    confidence: Mapped[float] = mapped_column(default=0.0)
    candidates: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Credential(Base):
    """A model API key, encrypted at rest; never returned by any API."""

    __tablename__ = "credentials"
    __table_args__ = (owner_list_index("credentials"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Agent(Base):
    """An agent: system prompt, model + fallback configs, context and ReAct configs."""

    __tablename__ = "agents"
    __table_args__ = (owner_list_index("agents"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    system_prompt: Mapped[str] = mapped_column(Text)
    chat_model_config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    fallback_chat_model_config: Mapped[dict[str, Any] | None] = mapped_column(
        JSONType, nullable=True
    )
    context_config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    react_config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    tools: Mapped[list[Any] | None] = mapped_column(JSONType, nullable=True)
    permissions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # the tool groups offered to the model at the start of a session (None: every group)
    tool_groups: Mapped[list[Any] | None] = mapped_column(JSONType, nullable=True)
    workspace_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Sandbox(Base):
    """An isolated working directory with limits, where agent sessions run."""

    __tablename__ = "sandboxes"
    __table_args__ = (owner_list_index("sandboxes"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    limits: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    workspace_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Workspace(Base):
    """A group of one user's agents, teams, sandboxes and sessions."""

    __tablename__ = "workspaces"
    __table_args__ = (owner_list_index("workspaces"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Team(Base):
    """A leader agent and the member agents it can delegate to."""

    __tablename__ = "teams"
    __table_args__ = (owner_list_index("teams"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workspace_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    leader_agent_id: Mapped[str] = mapped_column(String(40))
    member_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Schedule(Base):
    """A cron schedule that starts an agent (or team) session with a message.

    ``next_fire_at`` is the claim: a firing belongs to whichever process moves it forward
    from the value it read (one UPDATE), so several servers on one database fire it once.
    """

    __tablename__ = "schedules"
    __table_args__ = (
        owner_list_index("schedules"),
        Index("ix_schedules_due", "enabled", "next_fire_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workspace_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    team_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sandbox_id: Mapped[str] = mapped_column(String(40))
    cron: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    message: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_session_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the latest firing's
    fire_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Message(Base):
    """One conversation message: a role and content blocks, committed as it happens."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session", "session_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[list[Any]] = mapped_column(JSONType)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- webhooks (issue 17) ---


class Webhook(Base):
    """An endpoint that is sent the user's events (Standard Webhooks), its secret sealed.

    ``event_filter`` is ``events`` as the outbox's INSERT … SELECT matches it: ``*``, or
    the names between commas (``,email.received,wait.completed,``).
    """

    __tablename__ = "webhooks"
    __table_args__ = (owner_list_index("webhooks"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[Any]] = mapped_column(JSONType)
    event_filter: Mapped[str] = mapped_column(Text)
    inbox_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookDelivery(Base):
    """The outbox: one event for one webhook, written in the event's own transaction.

    ``locked_until`` is the lease of the sender that claimed it; ``body`` is kept from the
    first attempt so that every retry sends the same bytes under the same ``webhook-id``.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_deliveries_event"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("events.id", ondelete="CASCADE"),
        index=True,
    )
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_response: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)


# --- run queue (issue 15) ---


class AgentRun(Base):
    """One agent run as claimed work: queued by a message, held under a lease by a worker.

    ``worker_id`` + ``lease_until`` are the claim: a worker renews its lease with an
    UPDATE guarded by its own id, so a run never executes on two workers at once; a run
    whose lease ended (its worker died) is ended ``interrupted`` by whichever worker
    claims it next. ``interrupt_requested`` is the database's copy of an interrupt, for
    a worker that missed the bus message.
    """

    __tablename__ = "agent_runs"
    __table_args__ = (
        Index("ix_agent_runs_claim", "status", "created_at"),
        Index("ix_agent_runs_lease", "status", "lease_until"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # queued, running, completed, interrupted, failed
    status: Mapped[str] = mapped_column(String(20), default="queued")
    worker_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims so far
    interrupt_requested: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it ended, if not itself
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
