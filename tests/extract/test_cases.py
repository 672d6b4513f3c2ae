"""Engine behaviour on hand-written realistic emails (many services and languages)."""

from __future__ import annotations

import pytest

from waypost.extract import extract

from .cases import ALL_CASES, Case


def _run(case: Case) -> tuple[str | None, float]:
    mode = case.kind if case.kind in ("otp", "magic_link") else "auto"
    result = extract(case.content, mode)  # type: ignore[arg-type]
    assert 0.0 <= result.confidence <= 1.0
    return result.value, result.confidence


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_case(case: Case) -> None:
    value, confidence = _run(case)
    if case.kind == "none":
        assert value is None or confidence < 0.5, (value, confidence)
    else:
        assert value == case.expected or value in case.accept, (value, confidence)
        assert confidence > 0.0


def test_confident_answers_are_right() -> None:
    wrong = []
    for case in ALL_CASES:
        value, confidence = _run(case)
        if value is None or confidence < 0.9:
            continue
        if case.kind == "none" or (value != case.expected and value not in case.accept):
            wrong.append(case.name)
    assert wrong == []


def test_most_clear_cases_are_confident() -> None:
    confident = 0
    positives = [c for c in ALL_CASES if c.kind != "none"]
    for case in positives:
        _, confidence = _run(case)
        confident += confidence >= 0.7
    assert confident / len(positives) >= 0.6
