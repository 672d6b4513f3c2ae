"""Prometheus metrics (``GET /metrics``): one registry per server; see docs/metrics.md."""

from waypost.metrics.registry import Metrics

__all__ = ["Metrics"]
