"""Monotone score → calibrated confidence mapping (logistic × softmax share)."""

from __future__ import annotations

import math


def logistic(x: float) -> float:
    """Numerically safe logistic function."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def confidences(
    scores: list[float],
    *,
    slope: float,
    midpoint: float,
    temperature: float,
    cap: float = 0.99,
) -> list[float]:
    """Confidence per candidate: P(plausible) from a logistic, times its softmax share.

    Scores must be sorted best first; a close runner-up lowers the winner's confidence.
    Never above ``cap``: unseen templates can always fool a hand-made scorer.
    """
    if not scores:
        return []
    top = max(scores)
    weights = [math.exp((s - top) / temperature) for s in scores]
    total = sum(weights)
    return [
        round(min(cap, logistic(slope * (s - midpoint)) * w / total), 4)
        for s, w in zip(scores, weights, strict=True)
    ]
