"""Blind set (``blind_cases.py``): raw RFC 5322 messages written before reading the engine.

Judged like the product: ≥ 97 % exact (codes / links as labelled, a tracker's real target
also right; "none" mails must give no value or confidence < 0.5) and no wrong value at
confidence ≥ 0.9, also when a hard negative is asked for an OTP or a magic link.
"""

from __future__ import annotations

import pytest

from waypost.extract import content_from_bytes, extract

from .blind_cases import ALL, LINKS, NONE, OTP, Blind


def _right(case: Blind, mode: str) -> tuple[bool, bool]:
    """(exact, confidently wrong) for one case asked in ``mode``."""
    result = extract(content_from_bytes(case.raw), mode)  # type: ignore[arg-type]
    if case.kind == "none":
        ok = result.value is None or result.confidence < 0.5
    else:
        ok = result.value in {case.value, *case.accept}
    confident_wrong = result.value is not None and result.confidence >= 0.9 and not ok
    return ok, confident_wrong


def test_blind_set_shape() -> None:
    assert len(ALL) >= 80
    assert len(NONE) >= 15
    assert len(OTP) >= 30 and len(LINKS) >= 30
    assert len({c.name for c in ALL}) == len(ALL)
    for case in ALL:
        assert case.raw.startswith(b"Return-Path:")
        if case.kind == "otp":
            assert case.value and case.value.isalnum()


def test_blind_accuracy() -> None:
    failures: list[str] = []
    confident_wrong: list[str] = []
    for case in ALL:
        ok, cw = _right(case, case.mode)
        if not ok:
            failures.append(case.name)
        if cw:
            confident_wrong.append(case.name)
    assert (len(ALL) - len(failures)) / len(ALL) >= 0.97, failures
    assert confident_wrong == []


@pytest.mark.parametrize("mode", ["otp", "magic_link", "auto"])
def test_blind_negatives_never_confident(mode: str) -> None:
    confident = [c.name for c in NONE if _right(c, mode)[1]]
    assert confident == []


@pytest.mark.parametrize("case", OTP + LINKS, ids=lambda c: c.name)
def test_blind_positive_not_confidently_wrong(case: Blind) -> None:
    assert not _right(case, case.mode)[1]
