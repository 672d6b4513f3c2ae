"""Retry transient provider failures, but never after output has reached the caller."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

from waypost.agents.providers.base import ModelProvider, ProviderError, StreamEvent

MAX_DELAY = 30.0


def backoff_delay(attempt: int, base_delay: float, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (50-100% of the step), raised to the server's Retry-After."""
    delay: float = base_delay * (2**attempt) * random.uniform(0.5, 1.0)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, MAX_DELAY)


async def stream_with_retry(
    provider: ModelProvider,
    *,
    attempts: int = 3,
    base_delay: float = 0.5,
    **kwargs: Any,
) -> AsyncIterator[StreamEvent]:
    """Stream from ``provider``, retrying retryable errors raised before the first event.

    Once an event has been yielded a retry would duplicate output, so the error propagates.
    """
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    for attempt in range(attempts):
        yielded = False
        try:
            async for event in provider.stream(**kwargs):
                yielded = True
                yield event
            return
        except ProviderError as err:
            if yielded or not err.retryable or attempt == attempts - 1:
                raise
            delay = backoff_delay(attempt, base_delay, err.retry_after)
        await asyncio.sleep(delay)
