"""Pure rules deciding whether an email satisfies a wait, and what its result is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waypost.db.models import Email, Wait
from waypost.extract import Extraction, MailContent, content_from_bytes, extract
from waypost.extract.pool import extract_off_loop

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
    """An email plus its extractions, computed once and shared by every wait it is tried on.

    :meth:`prepare` computes them in a worker process (never on the event loop); the
    extractions of a view can be handed to another view of the same email.
    """

    def __init__(self, email: Email, extractions: dict[str, Extraction] | None = None) -> None:
        self.email = email
        self._content: MailContent | None = None
        self._extractions: dict[str, Extraction] = {} if extractions is None else extractions

    @property
    def extractions(self) -> dict[str, Extraction]:
        return self._extractions

    async def prepare(self, wait: Wait) -> None:
        """Compute, off the event loop, the extraction ``evaluate(wait, self)`` will need."""
        kind = wait.type
        if kind == "any" or kind in self._extractions:
            return
        if not is_after_reference(wait, self.email) or not meets_criteria(wait, self.email):
            return
        found = await extract_off_loop(self.email.raw, (kind,))  # type: ignore[arg-type]
        self._extractions.update(found)

    def extraction(self, kind: str) -> Extraction:
        """The extraction of ``kind``: prepared, else computed here (on the caller's thread)."""
        if kind not in self._extractions:
            if self._content is None:
                self._content = content_from_bytes(self.email.raw)
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
