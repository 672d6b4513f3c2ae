"""Pure rules deciding whether an email satisfies a wait, and what its result is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waypost.db.models import Email, Wait
from waypost.extract import Extraction, MailContent, content_from_bytes, extract
from waypost.extract.pool import extract_off_loop
from waypost.extractions.assist import Assisted, AssistSpec, assisted_result

WAIT_TYPES = ("otp", "magic_link", "any")


@dataclass
class Outcome:
    """A matching email's result for one wait."""

    result: dict[str, Any]
    extraction: Extraction | None


def extraction_result(extraction: Extraction, email_id: str | None) -> dict[str, Any]:
    """The public result shape: ``{type, value, confidence, email_id, candidates, method}``."""
    return assisted_result(extraction, None, email_id)


def assist_of(wait: Wait) -> AssistSpec | None:
    """The wait's model assistance, kept in its criteria (no column of its own)."""
    return AssistSpec.from_dict(wait.criteria.get("assist"))


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

    def __init__(
        self,
        email: Email,
        extractions: dict[str, Extraction] | None = None,
        assisted: dict[str, Assisted] | None = None,
    ) -> None:
        self.email = email
        self._content: MailContent | None = None
        self._extractions: dict[str, Extraction] = {} if extractions is None else extractions
        self.assisted: dict[str, Assisted] = {} if assisted is None else assisted
        """Model calls made for this email, by wait id (see :meth:`needs_assist`)."""

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

    def needs_assist(self, wait: Wait) -> AssistSpec | None:
        """The wait's assist spec when the (prepared) rules' answer is too weak for it."""
        spec = assist_of(wait)
        if spec is None or wait.type == "any" or wait.id in self.assisted:
            return None
        if not is_after_reference(wait, self.email) or not meets_criteria(wait, self.email):
            return None
        found = self._extractions.get(wait.type)
        return spec if found is not None and spec.wanted(found) else None

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
    assisted = view.assisted.get(wait.id)
    if assisted is not None and assisted.accepted:  # the caller asked for the model's reading
        return Outcome(assisted_result(found, assisted, email.id), found)
    if found.value is None or found.confidence < wait.confidence_threshold:
        return None
    return Outcome(assisted_result(found, assisted, email.id), found)
