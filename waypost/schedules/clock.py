"""The time schedules go by: the real clock, or one a test moves forward without sleeping."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from waypost.db.types import utcnow

log = logging.getLogger("waypost.schedules")


class Clock(Protocol):
    """Something that says what time it is (timezone-aware UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return utcnow()


class FileClock:
    """The time written in a file (an ISO timestamp), re-read on every call.

    For servers run as subprocesses by tests (``WAYPOST_CLOCK_FILE``): the test rewrites
    the file to move time forward. A missing or unreadable file is the real time.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        try:
            text = self.path.read_text().strip()
            return _as_utc(datetime.fromisoformat(text))
        except FileNotFoundError:
            return utcnow()
        except (OSError, ValueError) as exc:
            log.warning("clock file %s unreadable (%s): using the real time", self.path, exc)
            return utcnow()


def clock_for(clock_file: Path | None) -> Clock:
    """The file clock when a clock file is configured, else the real one."""
    return FileClock(clock_file) if clock_file is not None else SystemClock()


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
