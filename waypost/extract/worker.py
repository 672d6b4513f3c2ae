"""An extraction worker: ``python -I -m waypost.extract.worker``, started by
:mod:`waypost.extract.pool`. It answers ``EXTRACT`` frames on stdin/stdout until stdin closes:
the raw message (or a parsed content in the meta) in, each kind's extraction out, as JSON."""

from __future__ import annotations

import sys
from dataclasses import asdict

from waypost.extract._model import MailContent
from waypost.extract.pool import run
from waypost.mail import ipc


def answer(request: ipc.Frame) -> dict[str, object]:
    """The reply's meta for one request: ``{"found": {kind: extraction}}`` or ``{"error"}``."""
    kinds = request.meta.get("kinds")
    content = request.meta.get("content")
    try:
        source = MailContent(**content) if isinstance(content, dict) else request.raw
        found = run(source, tuple(kinds) if isinstance(kinds, list) else ())
    except MemoryError:
        return {"error": "out of memory"}
    except Exception as exc:  # never die on one mail: the next one is someone else's
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}
    return {"found": {kind: asdict(extraction) for kind, extraction in found.items()}}


def main() -> None:
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the server's pipe
    ipc.write_frame(replies, ipc.Frame(0, ipc.READY, {"ready": True}))
    for request in ipc.read_frames(sys.stdin.buffer):
        ipc.write_frame(replies, ipc.Frame(request.id, ipc.REPLY, answer(request)))


if __name__ == "__main__":
    main()
