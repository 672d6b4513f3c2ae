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
from waypost.extractions.assist import Assistant
from waypost.extractions.service import Extractions
from waypost.mail.inboxes import InboxService
from waypost.mail.store import EmailService, MailIngest
from waypost.schedules.clock import clock_for
from waypost.schedules.service import Schedules
from waypost.sessions.service import SessionService
from waypost.waits.service import Waits
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


def build_services(settings: Settings, bus: EventBus | None = None) -> Services:
    """Wire the services for ``settings`` (no I/O happens here)."""
    db = Database(settings.resolved_database_url())
    bus = bus or InProcessBus()
    events = EventLog(db, bus)
    sessions = SessionService(db, events)
    inboxes = InboxService(db, events, settings)
    credentials = Credentials(db, SecretBox.from_settings(settings.secret_key, settings.data_dir))
    assistant = Assistant(credentials)
    waits = Waits(db, events, bus, assistant)
    agents = Agents(db, credentials, allow_bypass=settings.allow_permission_bypass)
    sandboxes = Sandboxes(db, agents, settings.data_dir / "sandboxes")
    extractions = Extractions(db, events, assistant)
    emails = EmailService(db)
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
    )
    return Services(
        settings=settings,
        db=db,
        bus=bus,
        events=events,
        keys=KeyService(db),
        sessions=sessions,
        inboxes=inboxes,
        emails=emails,
        ingest=MailIngest(db, events),
        waits=waits,
        extractions=extractions,
        workflows=Workflows(db, events, sessions, inboxes, waits, chaos=settings.chaos),
        credentials=credentials,
        agents=agents,
        sandboxes=sandboxes,
        conversations=conversations,
        schedules=Schedules(db, events, conversations, clock_for(settings.clock_file)),
        workspaces=Workspaces(db),
        teams=teams,
    )
