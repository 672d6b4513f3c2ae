"""The event types a webhook may subscribe to: the ones this server writes to its log."""

from __future__ import annotations

from waypost.agents.runtime import STREAM_TYPES
from waypost.errors import Invalid
from waypost.events.log import DESCRIPTIONS

ALL = "*"
MAX_EVENTS = 64

# written by services outside DESCRIPTIONS' list (agent runs, replay, schedules)
_OTHERS = frozenset({"message.created", "session.replayed", "schedule.failed"})
# an agent run's token stream: committed in batches, not a thing to POST to a URL
_TOO_CHATTY = frozenset({"text_delta"})

EVENT_TYPES: frozenset[str] = (frozenset(DESCRIPTIONS) | STREAM_TYPES | _OTHERS) - _TOO_CHATTY


def check_events(events: list[str]) -> list[str]:
    """``events`` without duplicates, each a known type or ``*`` (a 400 otherwise)."""
    if not events:
        raise Invalid('events: give at least one event type, or "*" for all')
    if len(events) > MAX_EVENTS:
        raise Invalid(f"events: at most {MAX_EVENTS} event types")
    unknown = [e for e in events if e != ALL and e not in EVENT_TYPES]
    if unknown:
        raise Invalid(
            f"events: unknown event type '{unknown[0]}' (known: {', '.join(sorted(EVENT_TYPES))}"
            ', or "*")'
        )
    return list(dict.fromkeys(events))


def event_filter(events: list[str]) -> str:
    """``events`` as the outbox's SQL matches them: ``*`` or ``,a,b,``."""
    if ALL in events:
        return ALL
    return "," + ",".join(events) + ","
