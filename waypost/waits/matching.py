"""Pure rules deciding whether an email satisfies a wait, and what its result is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waypost.db.models import Email, Wait
from waypost.extract import Extraction, MailContent, content_from_bytes, extract

WAIT_TYPES = ("otp", "magic_link", "any")


@dataclass
class Outcome:
    """A matching email's result for one wait."""

    result: dict[str, Any]
    extraction: Extraction | None


def extraction_result(extraction: Extraction, email_id: str | None) -> dict[str, Any]:
    """The public result shape: ``{type, value, confidence, email_id, candidates}``."""
    return {
        "type": extraction.type,
        "value": extraction.value,
        "confidence": round(extraction.confidence, 4),
        "email_id": email_id,
        "candidates": [
            {"value": c.value, "confidence": round(c.confidence, 4), "reason": c.reason}
            for c in extraction.candidates
        ],
    }


def is_after_reference(wait: Wait, email: Email) -> bool:
    """Emails before the wait's reference point never resolve it."""
    if wait.after_email_id is not None:
        return email.id > wait.after_email_id
    return email.received_at >= wait.after_time


def meets_criteria(wait: Wait, email: Email) -> bool:
    """Sender and subject filters, case-insensitive substrings."""
    sender = str(wait.criteria.get("from") or "").lower()
    if sender and sender not in email.from_header.lower() and sender not in email.mail_from.lower():
        return False
    subject = str(wait.criteria.get("subject_contains") or "").lower()
    return not subject or subject in email.subject.lower()


class EmailView:
    """An email plus its parsed content, computed once and shared by every wait it is tried on."""

    def __init__(self, email: Email) -> None:
        self.email = email
        self._content: MailContent | None = None
        self._extractions: dict[str, Extraction] = {}

    def extraction(self, kind: str) -> Extraction:
        if self._content is None:
            self._content = content_from_bytes(self.email.raw)
        if kind not in self._extractions:
            self._extractions[kind] = extract(self._content, kind)  # type: ignore[arg-type]
        return self._extractions[kind]


def evaluate(wait: Wait, view: EmailView) -> Outcome | None:
    """The outcome if ``view`` resolves ``wait``, else None."""
    email = view.email
    if not is_after_reference(wait, email) or not meets_criteria(wait, email):
        return None
    if wait.type == "any":
        result = {
            "type": "any",
            "value": email.id,
            "confidence": 1.0,
            "email_id": email.id,
            "candidates": [],
        }
        return Outcome(result, None)
    found = view.extraction(wait.type)
    if found.value is None or found.confidence < wait.confidence_threshold:
        return None
    return Outcome(extraction_result(found, email.id), found)
