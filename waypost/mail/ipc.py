"""Frames between worker processes and the main process: SMTP workers over a socketpair,
sandboxes' file-tool workers and the extraction workers over their stdin/stdout.

A frame is ``length | request id | kind | meta length | meta (JSON) | raw bytes``:
small and copy-free for the message body, which is the only large part.
"""

from __future__ import annotations

import asyncio
import json
import struct
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

READY = 1  # worker → main: listening
RCPT = 2  # worker → main: {"address"}; reply {"recipient": {...} | None}
DATA = 3  # worker → main: {"mail_from", "rcpt": [address, ...]} + raw; reply {"ids"} | {"error"}
REPLY = 4  # main → worker: the answer to request ``id``; file-tool worker → main, likewise
TOOL = 5  # main → file-tool worker: {"name", "args"}; reply {"content", "is_error"}
EXTRACT = 6  # main → extraction worker: {"kinds", "content"?} + raw; reply {"found"} | {"error"}

READ_CHUNK = 256 * 1024
_HEAD = struct.Struct("!IIBI")  # length of the rest, request id, kind, meta length
MAX_FRAME = 1 << 30


@dataclass(frozen=True)
class Frame:
    """One decoded frame."""

    id: int
    kind: int
    meta: dict[str, Any]
    raw: bytes = b""


def encode(frame: Frame) -> bytes:
    """The bytes of ``frame``."""
    meta = json.dumps(frame.meta, separators=(",", ":")).encode()
    rest = _HEAD.size - 4 + len(meta) + len(frame.raw)
    return _HEAD.pack(rest, frame.id, frame.kind, len(meta)) + meta + frame.raw


class FrameBuffer:
    """Bytes in as they arrive, whole frames out."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        """Add ``data``; every frame it completes."""
        self._data += data
        frames = []
        while len(self._data) >= _HEAD.size:
            rest, request_id, kind, meta_length = _HEAD.unpack_from(self._data)
            if rest > MAX_FRAME or meta_length > rest:
                raise ValueError(f"malformed frame (length {rest}, meta {meta_length})")
            end = 4 + rest
            if len(self._data) < end:
                break
            start = _HEAD.size
            meta = json.loads(self._data[start : start + meta_length])
            frames.append(
                Frame(request_id, kind, meta, bytes(self._data[start + meta_length : end]))
            )
            del self._data[:end]
        return frames


def read_frames(stream: BinaryIO) -> Iterator[Frame]:
    """Frames as they arrive on a blocking stream (a worker's stdin), until it ends."""
    frames = FrameBuffer()
    while chunk := stream.read1(READ_CHUNK):  # type: ignore[attr-defined]
        yield from frames.feed(chunk)


def write_frame(stream: BinaryIO, frame: Frame) -> None:
    """One frame on a blocking stream (a worker's stdout), flushed."""
    stream.write(encode(frame))
    stream.flush()


class Channel:
    """Frames both ways over a child process's pipes (asyncio streams), from the main side."""

    def __init__(self, writer: asyncio.StreamWriter, reader: asyncio.StreamReader) -> None:
        self._writer = writer
        self._reader = reader
        self._frames = FrameBuffer()
        self._received: deque[Frame] = deque()

    async def send(self, frame: Frame) -> None:
        """Write ``frame``; BrokenPipeError or ConnectionResetError if the child is gone."""
        self._writer.write(encode(frame))
        await self._writer.drain()

    async def receive(self) -> Frame | None:
        """The next frame; None once the child has closed its end. ValueError: malformed."""
        while not self._received:
            chunk = await self._reader.read(READ_CHUNK)
            if not chunk:
                return None
            self._received.extend(self._frames.feed(chunk))
        return self._received.popleft()
