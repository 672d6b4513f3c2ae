"""A small incremental parser for ``text/event-stream`` lines."""

from __future__ import annotations

import json
from dataclasses import dataclass

from waypost.sdk.models import Event


@dataclass
class SSEParser:
    """Feed lines; get an :class:`Event` each time a frame ends."""

    _data: list[str]
    _id: str | None = None
    _event: str | None = None
    last_event_id: str | None = None

    def __init__(self) -> None:
        self._data = []

    def feed(self, line: str) -> Event | None:
        """Consume one line (without its newline)."""
        if line == "":
            if not self._data:
                return None
            payload = "\n".join(self._data)
            event, self._data, self._event = self._event, [], None
            if event == "keepalive":
                return None
            if self._id is not None:
                self.last_event_id = self._id
            return Event.model_validate(json.loads(payload))
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            self._data.append(value)
        elif name == "id":
            self._id = value
        elif name == "event":
            self._event = value
        return None
