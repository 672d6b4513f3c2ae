"""Offline, deterministic extraction of OTP codes and magic links from verification emails.

Pure functions over :class:`MailContent`; stdlib only, no I/O.
"""

from __future__ import annotations

from typing import Literal

from ._limits import Work
from ._model import Candidate, Extraction, Kind, MailContent
from .calibration import calibrate
from .content import content_from_bytes
from .links import extract_magic_link
from .otp import extract_otp

__all__ = [
    "Candidate",
    "Extraction",
    "Kind",
    "MailContent",
    "Work",
    "content_from_bytes",
    "extract",
    "extract_magic_link",
    "extract_otp",
]


def extract(
    content: MailContent,
    kind: Literal["otp", "magic_link", "auto"],
    work: Work | None = None,
) -> Extraction:
    """Extract an OTP, a magic link, or (``auto``) whichever is more confident (ties → otp).

    The cost is bounded whatever the input (see :mod:`._limits`); ``work``, when
    given, counts what the extractors looked at.
    """
    if kind == "otp":
        return calibrate(extract_otp(content, work))
    if kind == "magic_link":
        return calibrate(extract_magic_link(content, work))
    otp = extract_otp(content, work)
    link = extract_magic_link(content, work)
    return calibrate(link if link.confidence > otp.confidence else otp)
