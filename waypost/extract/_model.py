"""Result types shared by the extraction modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["otp", "magic_link"]


@dataclass(frozen=True)
class MailContent:
    """The parts of an email the extractors look at (decoded strings)."""

    subject: str = ""
    sender: str = ""
    text: str | None = None
    html: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One value the engine considered, with its own confidence and a short reason."""

    value: str
    confidence: float
    reason: str


@dataclass(frozen=True)
class Extraction:
    """The chosen value (or None), its calibrated confidence and the candidates considered."""

    type: Kind
    value: str | None
    confidence: float
    candidates: list[Candidate] = field(default_factory=list)
