"""The composition root: every service built once from one Settings, passed down explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from waypost.agents.mail_tools import MailTools
from waypost.agents.runtime import Conversations
from waypost.agents.secrets import SecretBox
from waypost.agents.store import Agents, Credentials, Sandboxes
from waypost.agents.teams import Teams
from waypost.auth.keys import KeyService
from waypost.config import Settings
from waypost.db.database import Database
from waypost.events.bus import EventBus, InProcessBus
from waypost.events.log import EventLog
from waypost.events.redis_bus import RedisBus
from waypost.extractions.assist import Assistant
from waypost.extractions.service import Extractions
from waypost.mail.inboxes import InboxService
from waypost.mail.store import EmailService, MailIngest
from waypost.metrics import Metrics
from waypost.schedules.clock import clock_for
from waypost.schedules.service import Schedules
from waypost.sessions.service import SessionService
from waypost.waits.service import Waits
from waypost.webhooks.outbox import OutboxSignal
from waypost.webhooks.sender import Sender
from waypost.webhooks.service import Webhooks
from waypost.workflows.service import Workflows
from waypost.workspaces.service import Workspaces


@dataclass
class Services:
    """Everything the HTTP layer, the SMTP handler and the CLI call into."""

    settings: Settings
    db: Database
    bus: EventBus
    events: EventLog
    keys: KeyService
    sessions: SessionService
    inboxes: InboxService
    emails: EmailService
    ingest: MailIngest
    waits: Waits
    extractions: Extractions
    workflows: Workflows
    credentials: Credentials
    agents: Agents
    sandboxes: Sandboxes
    conversations: Conversations
    teams: Teams
    schedules: Schedules
    workspaces: Workspaces
    webhooks: Webhooks
    webhook_sender: Sender
    metrics: Metrics


def bus_for(settings: Settings) -> EventBus:
    """Redis when replicas share one (``--redis-url``), else the in-process bus."""
    if settings.redis_url:
        return RedisBus(settings.redis_url, settings.redis_prefix)
    return InProcessBus()


def build_services(
    settings: Settings, bus: EventBus | None = None, metrics: Metrics | None = None
) -> Services:
    """Wire the services for ``settings`` (no I/O happens here)."""
    db = Database(settings.resolved_database_url(), settings.database_pool_size)
    bus = bus or bus_for(settings)
    outbox = OutboxSignal()  # commits that wrote webhook deliveries wake the sender
    events = EventLog(db, bus, outbox)
    metrics = metrics or Metrics()
    events.on_commit = metrics.events_committed
    sessions = SessionService(db, events)
    inboxes = InboxService(db, events, settings)
    box = SecretBox.from_settings(settings.secret_key, settings.data_dir)
    credentials = Credentials(db, box)
    assistant = Assistant(credentials)
    waits = Waits(db, events, bus, assistant, metrics=metrics)
    agents = Agents(db, credentials, allow_bypass=settings.allow_permission_bypass)
    sandboxes = Sandboxes(db, agents, settings.data_dir / "sandboxes")
    extractions = Extractions(db, events, assistant)
    emails = EmailService(db)
    allow_private = settings.webhooks_allow_private
    teams = Teams(db)
    conversations = Conversations(
        db,
        events,
        bus,
        sessions,
        agents,
        credentials,
        sandboxes,
        MailTools(inboxes, waits, extractions, emails),
        teams,
        allow_bypass=settings.allow_permission_bypass,
        metrics=metrics,
    )
    metrics.watch(waits_open=waits.open_count, runs_active=conversations.active_runs)
    return Services(
        settings=settings,
        db=db,
        bus=bus,
        events=events,
        keys=KeyService(db),
        sessions=sessions,
        inboxes=inboxes,
        emails=emails,
        ingest=MailIngest(db, events, metrics=metrics),
        waits=waits,
        extractions=extractions,
        workflows=Workflows(db, events, sessions, inboxes, waits, chaos=settings.chaos),
        credentials=credentials,
        agents=agents,
        sandboxes=sandboxes,
        conversations=conversations,
        schedules=Schedules(db, events, conversations, clock_for(settings.clock_file)),
        workspaces=Workspaces(db),
        webhooks=Webhooks(db, box, outbox, allow_private=allow_private),
        webhook_sender=Sender(db, box, emails, outbox, settings),
        teams=teams,
        metrics=metrics,
    )
