"""Turn raw RFC 5322 bytes into a :class:`MailContent` (stdlib ``email`` only, never raises).

The MIME tree is parsed with the fast ``compat32`` policy; headers are decoded with
RFC 2047 rules (``policy.default`` semantics) and bodies with their declared charset.
"""

from __future__ import annotations

import email
from email import policy
from email.header import decode_header, make_header
from email.message import Message

from ._model import MailContent

_HTML_SNIFF = ("<!doctype html", "<html", "<body", "<table", "<div", "<p>", "<p ", "<head")


def _header(msg: Message, name: str) -> str:
    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        value = str(make_header(decode_header(str(raw))))
    except Exception:
        try:
            value = str(policy.default.header_factory(name, str(raw)))
        except Exception:
            value = str(raw)
    return " ".join(value.split())


def _decode_part(part: Message) -> str | None:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else None
    charset = (part.get_content_charset() or "utf-8").strip("'\" ").lower()
    if charset in ("us-ascii", "ascii", "unknown-8bit", "x-unknown", "default"):
        charset = "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        pass
    for fallback in ("utf-8", "cp1252"):
        try:
            return payload.decode(fallback)
        except UnicodeDecodeError:
            continue
    return payload.decode("utf-8", "replace")


def _unflow(body: str, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed soft line breaks (a line ending in a space continues)."""
    out: list[str] = []
    buf = ""
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buf += line[:-1] if delsp else line
            continue
        out.append(buf + line)
        buf = ""
    if buf:
        out.append(buf)
    return "\n".join(out)


def _looks_html(body: str) -> bool:
    return body.lstrip()[:200].lower().startswith(_HTML_SNIFF)


def content_from_bytes(raw: bytes) -> MailContent:
    """Parse a raw message into subject, sender and first text/plain + text/html bodies.

    Broken MIME is tolerated: on any parse failure the raw bytes become the text body.
    """
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:
        return MailContent(text=raw.decode("utf-8", "replace"))
    text: str | None = None
    html: str | None = None
    try:
        parts = list(msg.walk())
    except Exception:
        parts = [msg]
    for part in parts:
        try:
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            if ctype not in ("text/plain", "text/html"):
                continue
            disposition = part.get_content_disposition()
            if disposition == "attachment":
                continue
            body = _decode_part(part)
        except Exception:
            continue
        if body is None or not body.strip():
            continue
        if ctype == "text/plain":
            try:
                if str(part.get_param("format", "")).lower() == "flowed":
                    delsp = str(part.get_param("delsp", "")).lower() == "yes"
                    body = _unflow(body, delsp)
            except Exception:
                pass
        if ctype == "text/plain" and html is None and _looks_html(body):
            ctype = "text/html"
        if ctype == "text/plain" and text is None:
            text = body
        elif ctype == "text/html" and html is None:
            html = body
    try:
        subject, sender = _header(msg, "subject"), _header(msg, "from")
    except Exception:
        subject, sender = "", ""
    return MailContent(subject=subject, sender=sender, text=text, html=html)
