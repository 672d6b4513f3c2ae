"""Server-sent event streams fed by the bus, backfilled from the log.

Subscribe first, then read the backlog, then go live: an event committed in
between is seen twice at most and dropped by its ``seq``, never lost. A gap
in ``seq`` (publishes racing, or a lagged subscriber) is refilled from the
database.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

from waypost.auth.keys import KeyRevoked, key_guard
from waypost.errors import Invalid
from waypost.events.bus import CLOSED, LAGGED
from waypost.events.log import event_to_dict, session_channel
from waypost.services import Services


def format_sse(event: dict[str, Any]) -> str:
    """One SSE frame: ``id`` is the session seq, ``event`` the type, ``data`` the JSON."""
    data = json.dumps(event, separators=(",", ":"), default=str)
    return f"id: {event['seq']}\nevent: {event['type']}\ndata: {data}\n\n"


async def session_event_stream(
    svc: Services,
    session_id: str,
    after: int,
    types: frozenset[str] | None = None,
    keepalive_event: bool = False,
) -> AsyncIterator[str]:
    """The session's events with ``seq > after`` (of ``types``, if given), then live ones.

    Keepalives are SSE comments, or ``event: keepalive`` frames for the agent stream.
    """
    last = after
    keepalive = "event: keepalive\ndata: {}\n\n" if keepalive_event else ": keepalive\n\n"

    def frame(event: dict[str, Any]) -> str:
        return format_sse(event) if types is None or event["type"] in types else ""

    async def backlog() -> list[dict[str, Any]]:
        async with svc.db.read() as s:
            rows = await svc.events.session_events(s, session_id, last)
        return [event_to_dict(r) for r in rows]

    async with key_guard() as guard, svc.bus.subscribe(session_channel(session_id)) as sub:
        yield ": connected\n\n"
        for event in await backlog():
            last = event["seq"]
            if text := frame(event):
                yield text
        while True:
            async with guard:  # KeyRevoked ends the stream (sse_response)
                message = await sub.get(within=svc.settings.sse_keepalive_seconds)
            if message is None:
                yield keepalive
                continue
            if message is CLOSED:
                return
            if message is not LAGGED:  # LAGGED: the bus may have lost some (Redis dropped)
                seq = int(message["seq"])
                if seq <= last:
                    continue
                if seq == last + 1 and not sub.lagged:
                    last = seq
                    if text := frame(message):
                        yield text
                    continue
            sub.lagged = False
            for event in await backlog():
                last = event["seq"]
                if text := frame(event):
                    yield text


MAX_SEQ = 2**31 - 1  # sequence numbers are 32-bit columns; larger input is a 400, not a 500


def resume_point(last_event_id: str | None, after: int | None, default: int) -> int:
    """Where a stream starts: ``Last-Event-ID`` wins, then ``?after=``, then ``default``."""
    if last_event_id is not None:
        value = last_event_id.strip()
        if not value.isdigit() or len(value) > 10 or int(value) > MAX_SEQ:
            raise Invalid("Last-Event-ID must be a sequence number")
        return int(last_event_id)
    return default if after is None else after


REVOKED_FRAME = ": key revoked\n\n"  # a comment: every client ignores it, then sees the end


async def _until_revoked(frames: AsyncIterator[str]) -> AsyncIterator[str]:
    """``frames``, ended cleanly (not as a broken response) when the key is revoked.

    Reconnecting with the revoked key then gets a 401.
    """
    try:
        async for frame in frames:
            yield frame
    except KeyRevoked:
        yield REVOKED_FRAME
    finally:
        if isinstance(frames, AsyncGenerator):
            await frames.aclose()  # its subscription and key watch end now, not at GC


def sse_response(frames: AsyncIterator[str]) -> StreamingResponse:
    """A streaming ``text/event-stream`` response that proxies must not buffer.

    Ends within ~``REVOCATION_CHECK_SECONDS`` of its key's revocation, for the waits
    in ``frames`` that are guarded (:func:`waypost.auth.keys.key_guard`).
    """
    return StreamingResponse(
        _until_revoked(frames),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
