"""Every Prometheus metric Waypost exports, held per server (docs/metrics.md lists them).

One :class:`Metrics` (with its own ``CollectorRegistry``, never the global default) is
built with the services, so several servers in one process (the tests) never share a
counter. Most counts come from the event log: :meth:`Metrics.events_committed` sees
every committed event once, in the process that committed it; the rest are counted at
the few places that know something no event says (SMTP refusals, batch sizes, wait
latency, model tokens, HTTP requests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.exposition import choose_encoder

from waypost.db.types import utcnow

__all__ = ["Metrics"]

log = logging.getLogger("waypost.metrics")

# Ten confidence bands "0.0-0.1" … "0.9-1.0": bounded, and fine enough to see calibration.
CONFIDENCE_BANDS = tuple(f"{i / 10:.1f}-{(i + 1) / 10:.1f}" for i in range(10))
RUN_OUTCOMES = {
    "session_completed": "completed",
    "session_failed": "failed",
    "session_interrupted": "interrupted",
}
WAIT_OUTCOMES = {
    "wait.completed": "completed",
    "wait.timed_out": "timed_out",
    "wait.cancelled": "cancelled",
}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


def confidence_band(confidence: Any) -> str:
    """The band label of a confidence in [0, 1] (out-of-range values are clamped)."""
    try:
        index = int(float(confidence) * 10)
    except (TypeError, ValueError):
        return "unknown"
    return CONFIDENCE_BANDS[min(max(index, 0), 9)]


class Metrics:
    """The server's metrics and the small methods that update them (all cheap, sync)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(namespace="waypost", registry=registry)

        def counter(name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
            return Counter(f"waypost_{name}", doc, labels, registry=registry)

        def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(f"waypost_{name}", doc, labels, registry=registry)

        def histogram(
            name: str, doc: str, buckets: tuple[float, ...], labels: tuple[str, ...] = ()
        ) -> Histogram:
            return Histogram(f"waypost_{name}", doc, labels, registry=registry, buckets=buckets)

        # mail
        self.emails_received = counter(
            "emails_received", "Emails stored (one per recipient inbox), counted at commit."
        )
        self.emails_rejected = counter(
            "emails_rejected", "SMTP refusals, by reason (unknown_recipient counts per RCPT).",
            ("reason",),
        )  # fmt: skip
        self.smtp_sessions = counter("smtp_sessions", "SMTP connections accepted.")
        self.smtp_sessions_active = gauge("smtp_sessions_active", "SMTP connections open now.")
        self.ingest_batch_size = histogram(
            "ingest_batch_size", "Messages written per ingest commit (group commit).", BATCH_BUCKETS
        )
        # waits and extraction
        self.waits_open = gauge("waits_open", "Pending waits known to this server's wait engine.")
        self.waits_created = counter("waits_created", "Waits registered.")
        self.waits_ended = counter(
            "waits_ended", "Waits that left pending, by outcome.", ("outcome",)
        )
        self.wait_latency = histogram(
            "wait_latency_seconds",
            "From the later of (resolving email received, wait created) to the wait resolved.",
            LATENCY_BUCKETS,
        )
        self.wait_duration = histogram(
            "wait_duration_seconds", "From a wait's creation to its end, by outcome.",
            DURATION_BUCKETS, ("outcome",),
        )  # fmt: skip
        self.extractions = counter(
            "extractions", "Extraction results stored, by type, method and confidence band.",
            ("type", "method", "confidence"),
        )  # fmt: skip
        # agents
        self.runs_active = gauge("runs_active", "Agent runs going on this server now.")
        self.runs_finished = counter("runs_finished", "Agent runs ended, by outcome.", ("outcome",))
        self.model_calls = counter(
            "model_calls", "Model calls, by provider, purpose and outcome.",
            ("provider", "purpose", "outcome"),
        )  # fmt: skip
        self.model_tokens = counter(
            "model_tokens", "Tokens reported by the model, by provider and direction.",
            ("provider", "direction"),
        )  # fmt: skip
        # HTTP
        self.http_requests = counter(
            "http_requests", "HTTP requests, by method, route template and status.",
            ("method", "route", "status"),
        )  # fmt: skip
        self.http_duration = histogram(
            "http_request_duration_seconds",
            "Time to the whole response (to its first byte for event streams).",
            HTTP_BUCKETS, ("method", "route", "status"),
        )  # fmt: skip
        self.sse_subscribers = gauge(
            "sse_subscribers", "Event streams (text/event-stream responses) open now, by route.",
            ("route",),
        )  # fmt: skip
        self._http: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._on_event: dict[str, Callable[[dict[str, Any]], None]] = {
            "email.received": lambda e: self.emails_received.inc(),
            "wait.created": lambda e: self.waits_created.inc(),
            "extraction.completed": self._extraction,
            "extraction.assisted": self._assisted,
            **{t: self._wait_ended for t in WAIT_OUTCOMES},
            **{t: self._run_finished for t in RUN_OUTCOMES},
        }

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The registry and its content type, in the format the scraper's ``Accept`` asks
        for (Prometheus' text format, or OpenMetrics), as prometheus_client's own server."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type

    def watch(self, *, waits_open: Callable[[], int], runs_active: Callable[[], int]) -> None:
        """Gauges read from the services when scraped (nothing to keep in step)."""
        self.waits_open.set_function(waits_open)
        self.runs_active.set_function(runs_active)

    # --- from the event log ---------------------------------------------------------------------

    def events_committed(self, events: list[dict[str, Any]]) -> None:
        """Count committed events (called by the event log after each commit; never raises:
        a metric must not stop what follows a commit)."""
        on_event = self._on_event
        for event in events:
            count = on_event.get(event["type"])
            if count is not None:
                try:
                    count(event)
                except Exception:  # an event without the fields counted: skip it, say so
                    log.exception("could not count event type=%s", event["type"])

    def _extraction(self, event: dict[str, Any]) -> None:
        data = event["data"]
        self.extractions.labels(
            str(data.get("extraction_type")),
            str(data.get("method", "rules")),
            confidence_band(data.get("confidence")),
        ).inc()

    def _assisted(self, event: dict[str, Any]) -> None:
        outcome = "error" if event["data"].get("outcome") == "error" else "ok"
        self.model_calls.labels("openai", "extraction_assist", outcome).inc()

    def _wait_ended(self, event: dict[str, Any]) -> None:
        self.waits_ended.labels(WAIT_OUTCOMES[event["type"]]).inc()

    def _run_finished(self, event: dict[str, Any]) -> None:
        self.runs_finished.labels(RUN_OUTCOMES[event["type"]]).inc()

    # --- counted where the work is done ---------------------------------------------------------

    def rejected(self, reason: str) -> None:
        """An SMTP refusal (see docs/metrics.md for the reasons)."""
        self.emails_rejected.labels(reason).inc()

    def wait_resolved(
        self, status: str, created_at: datetime, completed_at: datetime | None,
        received_at: datetime | None,
    ) -> None:  # fmt: skip
        """A wait this server ended (after the commit): its duration, and its latency when an
        email resolved it."""
        now = utcnow()
        self.wait_duration.labels(status).observe(
            max(((completed_at or now) - created_at).total_seconds(), 0.0)
        )
        if received_at is not None:
            self.wait_latency.observe(max((now - max(received_at, created_at)).total_seconds(), 0))

    def model_call(self, provider: str, usage: dict[str, int] | None) -> None:
        """One agent model call: ``usage`` when it answered, None when it failed."""
        self.model_calls.labels(provider, "agent", "error" if usage is None else "ok").inc()
        for direction, key in (("input", "input_tokens"), ("output", "output_tokens")):
            if usage and usage.get(key):
                self.model_tokens.labels(provider, direction).inc(usage[key])

    def http_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request (the label children are cached: this runs on every request)."""
        key = (method, route, status)
        children = self._http.get(key)
        if children is None:
            label = str(status)
            children = self._http[key] = (
                self.http_requests.labels(method, route, label),
                self.http_duration.labels(method, route, label),
            )
        children[0].inc()
        children[1].observe(seconds)
