"""Typed response models. They are the server's own schemas, so the two cannot drift."""

from waypost.api.schemas import (
    AttachmentOut as Attachment,
)
from waypost.api.schemas import (
    EmailOut as Email,
)
from waypost.api.schemas import (
    EmailSummaryOut as EmailSummary,
)
from waypost.api.schemas import (
    EventOut as Event,
)
from waypost.api.schemas import (
    InboxOut as Inbox,
)
from waypost.api.schemas import (
    ListPage as Page,
)
from waypost.api.schemas import (
    SessionDetailOut as SessionDetail,
)
from waypost.api.schemas import (
    SessionOut as Session,
)
from waypost.api.schemas import (
    TimelineOut as Timeline,
)

__all__ = [
    "Attachment",
    "Email",
    "EmailSummary",
    "Event",
    "Inbox",
    "Page",
    "Session",
    "SessionDetail",
    "Timeline",
]
