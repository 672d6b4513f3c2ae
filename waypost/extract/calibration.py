"""Calibrated confidence: a fitted monotone map from the engine's raw score to P(right).

The map is data (``calibration.json`` next to this module), fitted by
``bench/calibrate.py`` on labelled emails the rules were not written from (see
docs/extraction-calibration.md). It is a piecewise-linear interpolation through knots
``(raw, p)`` found by isotonic regression (pool-adjacent-violators) with a Beta prior,
then capped so it never lifts a raw score across a decision threshold (0.2, 0.5, 0.9).
Stdlib only; the file is read once.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ._model import Extraction

MAP_PATH = Path(__file__).with_name("calibration.json")

# Scores the product and its tests compare against (a wait's default threshold is 0.5, a
# confident answer is >= 0.9); the map never moves a raw score below one of them to above it.
THRESHOLDS = (0.2, 0.5, 0.9)
PRIOR_STRENGTH = 2.0  # pseudo-observations (half right, half wrong) added to each block
TOP = 0.99  # like the engine's own cap: unseen templates can always fool a scorer


@dataclass(frozen=True)
class CalibrationMap:
    """Monotone, piecewise-linear map [0, 1] → [0, 1] with step caps.

    ``xs``/``ys``: knots (xs increasing, ys non-decreasing), flat beyond the ends.
    ``caps``: ``(t, c)`` pairs meaning ``f(x) <= c`` for ``x < t``.
    """

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    caps: tuple[tuple[float, float], ...] = ()
    meta: tuple[tuple[str, str], ...] = ()

    def __call__(self, raw: float) -> float:
        x = min(1.0, max(0.0, raw))
        if not self.xs:
            y = x
        elif x <= self.xs[0]:
            y = self.ys[0]
        elif x >= self.xs[-1]:
            y = self.ys[-1]
        else:
            i = bisect.bisect_right(self.xs, x)
            x0, x1, y0, y1 = self.xs[i - 1], self.xs[i], self.ys[i - 1], self.ys[i]
            y = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        for t, c in self.caps:
            if x < t:
                y = min(y, c)
        return round(min(1.0, max(0.0, y)), 4)

    def to_json(self) -> str:
        parts = {
            "xs": list(self.xs),
            "ys": list(self.ys),
            "caps": [list(c) for c in self.caps],
            "meta": dict(self.meta),
        }
        body = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in parts.items())
        return "{\n" + body + "\n}\n"

    @classmethod
    def from_json(cls, text: str) -> CalibrationMap:
        d = json.loads(text)
        return cls(
            xs=tuple(float(x) for x in d["xs"]),
            ys=tuple(float(y) for y in d["ys"]),
            caps=tuple((float(t), float(c)) for t, c in d.get("caps", [])),
            meta=tuple((str(k), str(v)) for k, v in d.get("meta", {}).items()),
        )

    def describe(self) -> str:
        knots = " ".join(f"{x:.3f}->{y:.3f}" for x, y in zip(self.xs, self.ys, strict=True))
        caps = " ".join(f"x<{t:.4f}:<={c:.4f}" for t, c in self.caps)
        return f"knots {knots}; caps {caps}"


IDENTITY = CalibrationMap((), ())


def pav(points: Sequence[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Pool adjacent violators: weighted isotonic regression of y on x.

    ``points``: ``(x, y, weight)`` sorted by x. Returns blocks ``(mean x, mean y, weight)``
    with non-decreasing mean y; points of equal x share a block.
    """
    blocks: list[list[float]] = []  # [sum w*x, sum w*y, sum w]
    prev_x: float | None = None
    for x, y, w in points:
        if prev_x is not None and x == prev_x:
            b = blocks[-1]
            b[0] += w * x
            b[1] += w * y
            b[2] += w
        else:
            blocks.append([w * x, w * y, w])
        prev_x = x
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            sx, sy, sw = blocks.pop()
            blocks[-1][0] += sx
            blocks[-1][1] += sy
            blocks[-1][2] += sw
    return [(sx / sw, sy / sw, sw) for sx, sy, sw in blocks]


def fit_map(
    pairs: Iterable[tuple[float, bool]],
    wrong_scores: Iterable[float] = (),
    prior_strength: float = PRIOR_STRENGTH,
) -> CalibrationMap:
    """Fit the map to ``(raw confidence, right)`` pairs.

    1. Isotonic regression (PAV) of right on raw confidence.
    2. Each block's accuracy smoothed with ``prior_strength`` pseudo-observations, half
       right and half wrong ((k + a/2) / (n + a): add-one smoothing for a = 2), so a block of
       12 right answers says 0.93, not 1.0; a second PAV pass keeps it monotone; capped at
       ``TOP``.
    3. Knots at the blocks' mean raw scores, plus (0, 0); linear in between.
    4. Caps: never lift a raw score below a threshold in ``THRESHOLDS`` to it or above; and
       if any of ``wrong_scores`` (raw scores of wrong answers, on every labelled set) would
       map to >= 0.9, everything up to it stays below 0.9.
    """
    pts = sorted((float(c), 1.0 if ok else 0.0, 1.0) for c, ok in pairs)
    if not pts:
        return IDENTITY
    base = sum(y for _, y, _ in pts) / len(pts)
    blocks = pav(pts)
    shrunk = [(x, (y * w + prior_strength / 2) / (w + prior_strength), w) for x, y, w in blocks]
    smooth = pav(shrunk)
    xs = tuple(round(x, 4) for x, _, _ in smooth)
    ys = tuple(round(min(TOP, y), 4) for _, y, _ in smooth)
    # equal rounded xs would divide by zero in interpolation: keep the last of each
    keep = [i for i in range(len(xs)) if i == len(xs) - 1 or xs[i] != xs[i + 1]]
    xs, ys = tuple(xs[i] for i in keep), tuple(ys[i] for i in keep)
    if xs[0] > 0:  # a raw 0 is "nothing found": anchor there instead of lifting tiny scores
        xs, ys = (0.0, *xs), (0.0, *ys)
    caps = [(t, round(t - 1e-4, 4)) for t in THRESHOLDS]
    m = CalibrationMap(xs, ys, tuple(caps))
    worst = max(wrong_scores, default=-1.0)
    if worst >= 0 and m(worst) >= 0.9:
        caps.append((math.nextafter(worst, 2.0), 0.8999))
    return CalibrationMap(
        xs,
        ys,
        tuple(sorted(caps)),
        meta=(("n", str(len(pts))), ("base_rate", f"{base:.4f}"), ("method", "pav+add-one")),
    )


@lru_cache(maxsize=1)
def shipped_map() -> CalibrationMap:
    """The fitted map shipped with the package (identity when the file is missing)."""
    try:
        return CalibrationMap.from_json(MAP_PATH.read_text())
    except FileNotFoundError:
        return IDENTITY


def calibrate(result: Extraction) -> Extraction:
    """``result`` with its confidence and its candidates' mapped through the shipped map.

    A result without a value keeps confidence 0.
    """
    m = shipped_map()
    if m is IDENTITY:
        return result
    return replace(
        result,
        confidence=m(result.confidence) if result.value is not None else result.confidence,
        candidates=[replace(c, confidence=m(c.confidence)) for c in result.candidates],
    )
