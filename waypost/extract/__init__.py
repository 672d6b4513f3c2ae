"""Offline, deterministic extraction of OTP codes and magic links from verification emails.

Pure functions over :class:`MailContent`; stdlib only, no I/O.
"""

from __future__ import annotations

from typing import Literal

from ._model import Candidate, Extraction, Kind, MailContent
from .content import content_from_bytes
from .links import extract_magic_link
from .otp import extract_otp

__all__ = [
    "Candidate",
    "Extraction",
    "Kind",
    "MailContent",
    "content_from_bytes",
    "extract",
    "extract_magic_link",
    "extract_otp",
]


def extract(content: MailContent, kind: Literal["otp", "magic_link", "auto"]) -> Extraction:
    """Extract an OTP, a magic link, or (``auto``) whichever is more confident (ties → otp)."""
    if kind == "otp":
        return extract_otp(content)
    if kind == "magic_link":
        return extract_magic_link(content)
    otp = extract_otp(content)
    link = extract_magic_link(content)
    return link if link.confidence > otp.confidence else otp
