"""Long-running processes and the cyclic garbage collector."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Keep what startup built (modules, the app, the services: alive until exit) out
    of the cyclic garbage collector's full collections.

    A full collection walks every tracked object. On the server's heap each one took
    160-170 ms, all of it a pause of the event loop; the API benchmark's p99 was those
    pauses. Frozen, the same collections take 4-8 ms (docs/benchmarks.md). Garbage is
    collected first, so that only live objects are frozen.
    """
    gc.collect()
    gc.freeze()
