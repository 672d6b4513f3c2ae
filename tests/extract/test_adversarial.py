"""Adversarial set: no wrong value at confidence >= 0.9 and >= 95 % exact."""

from __future__ import annotations

from typing import Literal

import pytest

from tests.extract.adversarial_cases import CASES, AdvCase
from waypost.extract import Extraction, content_from_bytes, extract

Mode = Literal["otp", "magic_link", "auto"]


def _mode(kind: str) -> Mode:
    return "otp" if kind == "otp" else "magic_link" if kind == "magic_link" else "auto"


def _right(case: AdvCase, result: Extraction) -> bool:
    if case.kind == "none":
        return result.value is None or result.confidence < 0.5
    if result.value is None:
        return False
    accepted = {case.value or ""}
    if case.target:
        accepted.add(case.target)
    if case.kind == "otp":
        accepted = {a.replace(" ", "").replace("-", "") for a in accepted}
    return result.value.strip() in accepted


def _run(case: AdvCase) -> Extraction:
    return extract(content_from_bytes(case.raw), _mode(case.kind))


def test_enough_cases() -> None:
    assert len(CASES) >= 70
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_never_confidently_wrong(case: AdvCase) -> None:
    result = _run(case)
    if result.value is not None and result.confidence >= 0.9:
        assert _right(case, result), (result.value, result.confidence)


def test_exact_rate() -> None:
    wrong = [c.name for c in CASES if not _right(c, _run(c))]
    assert len(wrong) <= 0.05 * len(CASES), wrong
