"""Turn raw RFC 5322 bytes into a :class:`MailContent` (stdlib ``email`` only, never raises).

The MIME tree is parsed with the fast ``compat32`` policy; headers are decoded with
RFC 2047 rules (``policy.default`` semantics) and bodies with their declared charset.
"""

from __future__ import annotations

import email
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from html import escape

from ._model import MailContent

_HTML_SNIFF = ("<!doctype html", "<html", "<body", "<table", "<div", "<p>", "<p ", "<head")


def _header(msg: Message, name: str) -> str:
    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        value = str(raw)
        if not value.isascii() or "=?" in value:
            # (plain ASCII without an encoded word decodes to itself)
            value = str(make_header(decode_header(value)))
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


# bounds of the MIME walk (a hostile message can nest parts without end)
_MAX_PARTS = 200
_MAX_DEPTH = 12
_FORWARD_MARK = "---------- Forwarded message ---------"


def _leaves(msg: Message) -> tuple[list[tuple[Message, bool]], Message | None]:
    """Leaf parts in order, each with whether it lies inside an attached message/rfc822,
    and the first attached message itself (bounded: ``_MAX_PARTS``, ``_MAX_DEPTH``)."""
    out: list[tuple[Message, bool]] = []
    first: Message | None = None
    stack: list[tuple[Message, bool, int]] = [(msg, False, 0)]
    while stack and len(out) < _MAX_PARTS:
        part, attached, depth = stack.pop()
        try:
            if part.is_multipart():
                if depth >= _MAX_DEPTH:
                    continue
                inner = part is not msg and part.get_content_type() == "message/rfc822"
                children = part.get_payload()
                if not isinstance(children, list):
                    continue
                if inner and first is None and children and isinstance(children[0], Message):
                    first = children[0]
                for child in reversed(children[:_MAX_PARTS]):
                    if isinstance(child, Message):
                        stack.append((child, attached or inner, depth + 1))
                continue
        except Exception:
            continue
        out.append((part, attached))
    return out, first


def _bodies(parts: list[Message]) -> tuple[str | None, str | None]:
    """The first text/plain and text/html bodies among leaf parts (attachments skipped)."""
    text: str | None = None
    html: str | None = None
    for part in parts:
        try:
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
    return text, html


def content_from_bytes(raw: bytes) -> MailContent:
    """Parse a raw message into subject, sender and first text/plain + text/html bodies.

    An attached message (message/rfc822) is the older, forwarded one: its bodies come
    after the message's own, marked as forwarded (a separator line in the text, a
    ``blockquote type=cite`` in the HTML) so that the extractors rank them below it.
    Broken MIME is tolerated: on any parse failure the raw bytes become the text body.
    """
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:
        return MailContent(text=raw.decode("utf-8", "replace"))
    try:
        leaves, attached_msg = _leaves(msg)
    except Exception:
        leaves, attached_msg = [(msg, False)], None
    text, html = _bodies([p for p, attached in leaves if not attached])
    if any(attached for _, attached in leaves):
        att_text, att_html = _bodies([p for p, attached in leaves if attached])
        if att_text is not None or att_html is not None:
            sender, subject = "", ""
            if attached_msg is not None:
                try:
                    sender = _header(attached_msg, "from")
                    subject = _header(attached_msg, "subject")
                except Exception:
                    pass
            head = f"{_FORWARD_MARK}\nFrom: {sender}\nSubject: {subject}\n\n"
            if att_text is not None:
                text = (text + "\n\n" if text else "") + head + att_text
            if att_html is not None:
                quoted = (
                    '<blockquote type="cite"><p>'
                    + escape(head).replace("\n", "<br>")
                    + "</p>"
                    + att_html
                    + "</blockquote>"
                )
                html = (html or "") + quoted
    try:
        subject, sender = _header(msg, "subject"), _header(msg, "from")
    except Exception:
        subject, sender = "", ""
    return MailContent(subject=subject, sender=sender, text=text, html=html)
