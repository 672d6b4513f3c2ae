"""``waypost worker``: a process that only runs agent runs, claimed from the queue.

It serves no HTTP and no SMTP: the ``serve`` replicas take the messages and enqueue
the runs; workers claim them (:mod:`waypost.agents.queue`). A worker needs the
database and, to hear of new runs, interrupts and approvals at once, the same Redis
bus as the replicas (without one it finds queued runs by polling, and only runs in
its own process hear interrupts). SIGTERM drains: no new claims, the runs it holds
get ``run_drain_seconds`` to finish, the rest end ``interrupted`` saying why.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from waypost.agents.queue import RunSettings
from waypost.config import Settings
from waypost.metrics import Metrics
from waypost.metrics.http import MetricsPort
from waypost.services import build_services

log = logging.getLogger("waypost.worker")


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Claim and execute runs until SIGTERM/SIGINT (or ``stop``), then drain."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    metrics = Metrics()
    svc = build_services(settings, metrics=metrics)
    # runs, model calls and tokens of this worker's runs (the replicas count their own)
    port = (
        MetricsPort(metrics, settings.host, settings.metrics_port)
        if settings.metrics and settings.metrics_port
        else None
    )
    await svc.db.migrate()
    await svc.bus.start()
    await svc.waits.start()  # the mail tools' waits resolve on this process too
    svc.conversations.queue.settings = RunSettings.of(settings, takes_runs=True)
    svc.conversations.start_runs()
    log.info("waypost worker %s ready", svc.conversations.queue.worker_id)
    try:
        await stop.wait()
        log.info("worker stopping: draining %d runs", len(svc.conversations.queue.held))
        await svc.conversations.stop_all(settings.run_drain_seconds)
    finally:
        await svc.waits.stop()
        svc.bus.close()
        await svc.bus.aclose()
        await svc.db.dispose()
        if port is not None:
            port.close()
