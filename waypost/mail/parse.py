"""Robust, never-raising email parsing for the disposable-inbox server.

Everything here is built on the stdlib :mod:`email` package (``policy.default`` for
the full parse, ``compat32`` header-only parsing for the ingest hot path), wrapped
in defensive fallbacks so that *any* input bytes yield a best-effort result:

* header values are decoded by our own lenient RFC 2047 decoder; raw 8-bit bytes
  in headers (SMTPUTF8 or just broken) are decoded as UTF-8, falling back to latin-1;
* body charsets follow: declared charset -> UTF-8 -> latin-1 (unknown / bogus charset
  names never raise);
* the MIME structure is split by :func:`_build_message` (feedparser's semantics, the
  stdlib parsing every header block) with C-speed boundary searches and hard caps
  (:data:`MAX_PARTS` parts, :data:`MAX_DEPTH` levels, :data:`MAX_HEADER_CHARS` per
  header block), so one message costs bounded time and memory whatever its shape:
  feedparser itself builds every part and costs O(lines x depth) (an 833,326-part
  10 MB message took minutes, 10 MB of short lines 64 levels deep 157 s);
* MIME trees are walked iteratively with a depth cap (:data:`MAX_DEPTH`); a multipart
  whose boundary parameter is missing is re-split on the first ``--token`` line seen;
* all returned strings are free of NUL bytes and lone surrogates (DB/JSON safe).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors, policy
from email.message import Message
from email.parser import BytesHeaderParser, Parser
from email.policy import Policy
from email.utils import getaddresses, parsedate_to_datetime

__all__ = [
    "MAX_DEPTH",
    "Address",
    "Attachment",
    "ParsedEmail",
    "ParsedMessage",
    "attachment_bytes",
    "decode_bytes",
    "decode_header_value",
    "parse_email",
    "parse_headers_fast",
    "parse_message",
]

MAX_DEPTH = 64
"""Maximum MIME nesting depth walked; deeper parts are ignored (with a defect)."""

MAX_PARTS = 5000
"""Maximum number of MIME parts inspected in one message."""


@dataclass(frozen=True)
class Address:
    """A mailbox: display name (may be empty) and address (may be empty if invalid)."""

    name: str
    address: str


@dataclass(frozen=True)
class Attachment:
    """Metadata of one attachment part (payload via :func:`attachment_bytes`)."""

    index: int
    filename: str | None
    content_type: str
    size: int
    content_id: str | None
    inline: bool


@dataclass(frozen=True)
class ParsedEmail:
    """Best-effort decoded view of a raw message; produced by :func:`parse_email`."""

    from_: list[Address]
    to: list[Address]
    cc: list[Address]
    reply_to: list[Address]
    subject: str
    date: datetime | None
    message_id: str | None
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None
    attachments: list[Attachment]
    defects: list[str]


# --------------------------------------------------------------------------- charsets

_CHARSET_ALIASES: dict[str, str] = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-mac-roman": "mac-roman",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
}

# Charset names that say nothing useful about 8-bit data.
_NON_CHARSETS = {"", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "unknown", "default"}


def _lookup_charset(charset: str | None) -> str | None:
    """Return a usable Python text codec name for a MIME charset label, or None."""
    if not charset or not isinstance(charset, str):
        return None
    name = charset.strip().strip("\"'").strip().lower()
    if name in _NON_CHARSETS or len(name) > 64:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    # Refuse bytes-to-bytes codecs such as "base64" or "zlib".
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, bool]:
    """Decode ``data``: declared charset -> UTF-8 -> latin-1. Never raises.

    Returns ``(text, used_fallback)``; ``used_fallback`` is True when the declared
    charset was unknown/unusable or did not decode the bytes cleanly.
    """
    codec = _lookup_charset(charset)
    declared_known = codec is not None or (charset or "").strip().lower() in _NON_CHARSETS
    if codec is not None:
        try:
            return _scrub(data.decode(codec)), False
        except (UnicodeDecodeError, LookupError, ValueError, TypeError):
            pass
    try:
        text = data.decode("utf-8")
        # Pure ASCII / valid UTF-8 with no real declaration is not a fallback.
        return _scrub(text), not declared_known or codec is not None
    except UnicodeDecodeError:
        pass
    if codec is not None and codec not in ("utf-8", "cp1252", "latin-1", "iso8859-1"):
        # The declaration is still our best evidence for multibyte charsets.
        try:
            return _scrub(data.decode(codec, errors="replace")), True
        except (LookupError, ValueError, TypeError):
            pass
    return _scrub(data.decode("latin-1", errors="replace")), True


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _scrub(text: str) -> str:
    """Remove NUL characters and any lone surrogates from ``text``."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE_RE.search(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    return text


def _unescape_surrogates(value: str) -> str:
    """Turn a surrogateescape'd header string (8-bit bytes) back into real text."""
    if not _SURROGATE_RE.search(value):
        return _scrub(value)
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _scrub(value)
    return decode_bytes(raw, "utf-8")[0]


# --------------------------------------------------------------------------- RFC 2047

_ENCODED_WORD_RE = re.compile(
    r"=\?(?P<charset>[^?\s*]+)(?:\*[^?\s]*)?\?(?P<enc>[bBqQ])\?(?P<text>[^?\s]*)\?="
)
_FOLD_RE = re.compile(r"[\r\n]+")
_QP_HEX_RE = re.compile(rb"=([0-9A-Fa-f]{2})")
_B64_JUNK_RE = re.compile(rb"[^A-Za-z0-9+/]")


def _decode_b(text: str) -> bytes:
    """Lenient base64 for encoded-words: ignore junk, fix padding."""
    data = _B64_JUNK_RE.sub(b"", text.encode("ascii", "ignore"))
    data = data[: len(data) - (len(data) % 4)] if len(data) % 4 == 1 else data
    data += b"=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _decode_q(text: str) -> bytes:
    """Lenient Q-encoding decoder for encoded-words."""
    data = text.replace("_", " ").encode("ascii", "ignore")
    return _QP_HEX_RE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def decode_header_value(value: object) -> str:
    """Unfold and RFC 2047-decode one raw header value into clean text. Never raises."""
    try:
        if not isinstance(value, str):
            value = str(value)
        text = _FOLD_RE.sub("", value)
        text = _unescape_surrogates(text)
        if "=?" not in text:
            return text.strip()
        out: list[str] = []
        pos = 0
        pending: list[tuple[str | None, bytes]] = []  # run of adjacent encoded words

        def flush() -> None:
            """Emit pending words; same-charset neighbours are joined as bytes first."""
            merged: list[tuple[str | None, bytes]] = []
            for cs, chunk in pending:
                if merged and merged[-1][0] == cs:
                    merged[-1] = (cs, merged[-1][1] + chunk)
                else:
                    merged.append((cs, chunk))
            for cs, chunk in merged:
                out.append(decode_bytes(chunk, cs)[0])
            pending.clear()

        for m in _ENCODED_WORD_RE.finditer(text):
            between = text[pos : m.start()]
            if pending and between.strip() == "":
                pass  # whitespace between encoded words is dropped
            else:
                flush()
                out.append(between)
            enc = m.group("enc").lower()
            payload = _decode_b(m.group("text")) if enc == "b" else _decode_q(m.group("text"))
            pending.append((m.group("charset").lower(), payload))
            pos = m.end()
        flush()
        out.append(text[pos:])
        return _scrub("".join(out)).strip()
    except Exception:  # pragma: no cover - belt and braces
        try:
            return _scrub(str(value)).strip()
        except Exception:
            return ""


# --------------------------------------------------------------------------- helpers


def _header_raw(msg: Message, name: str) -> str | None:
    """First raw (undecoded) value of header ``name``, bypassing policy parsing."""
    lname = name.lower()
    try:
        for key, val in msg.raw_items():
            if isinstance(key, str) and key.strip().lower() == lname:
                return val if isinstance(val, str) else str(val)
    except Exception:
        return None
    return None


def _parse_date(value: str | None) -> tuple[datetime | None, bool]:
    """Parse an RFC 5322 date to an aware datetime; returns (date, was_invalid)."""
    if value is None or not value.strip():
        return None, False
    try:
        dt = parsedate_to_datetime(value.strip())
    except Exception:
        return None, True
    if dt is None:
        return None, True
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt, False


def _clean_msgid(value: str | None) -> str | None:
    """Normalise a Message-ID: first token, angle brackets and whitespace removed."""
    if value is None:
        return None
    text = value.strip()
    m = re.search(r"<([^<>]*)>", text)
    if m:
        text = m.group(1)
    text = "".join(text.split())
    return text or None


_VALID_ADDR_RE = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+$")
_ADDR_SCAN_RE = re.compile(r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+")


MAX_REGISTRY_ADDRESS_LEN = 2048
"""Longer address headers skip the (super-linear) header registry parser."""


def _registry_addresses(value: str) -> list[tuple[str, str]]:
    """(name, addr_spec) pairs via the policy.default header registry; [] on failure."""
    try:
        if len(value) > MAX_REGISTRY_ADDRESS_LEN:
            raise ValueError("too long for the header registry")
        header = policy.default.header_factory("To", value)
        return [(str(a.display_name), str(a.addr_spec)) for a in header.addresses]
    except Exception:
        try:
            return [(decode_header_value(n), a) for n, a in getaddresses([value])]
        except Exception:
            return []


def _parse_addresses(raw: str | None) -> tuple[list[Address], bool]:
    """Parse an address-list header leniently; returns (addresses, had_problem).

    Valid mailboxes come from the stdlib header registry (RFC 2047 names decoded);
    invalid entries are dropped and flagged. If nothing valid remains, bare
    ``x@y`` tokens are scavenged from the text, and failing that the whole decoded
    value is returned as the display name of an address-less entry.
    """
    if raw is None:
        return [], False
    unfolded = _unescape_surrogates(_FOLD_RE.sub("", raw)).strip()
    if not unfolded:
        return [], False
    problem = False
    result: list[Address] = []
    for name, addr in _registry_addresses(unfolded):
        addr = _scrub(addr.strip())
        if _VALID_ADDR_RE.match(addr):
            result.append(Address(name=_scrub(name).strip(), address=addr))
        elif name or addr:
            problem = True
    if result:
        return result, problem
    decoded = decode_header_value(unfolded)
    if re.fullmatch(r"[^:]*:[\s;,]*", decoded) or not decoded.strip(" ,;"):
        return [], problem  # empty group such as "undisclosed-recipients:;"
    found = [Address(name="", address=a) for a in _ADDR_SCAN_RE.findall(decoded)]
    return found or [Address(name=decoded, address="")], True


# --------------------------------------------------------------------------- MIME walk


@dataclass
class _Budget:
    """Part count shared by everything parsed for one message (MIME split and recovery)."""

    parts: int = 0
    truncated: bool = False
    too_deep: bool = False
    big_headers: bool = False


@dataclass
class _Walk:
    """Mutable accumulator used while walking a MIME tree."""

    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    payloads: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    force_text: bool = False
    mime_policy: Policy = policy.default
    budget: _Budget = field(default_factory=_Budget)

    def defect(self, message: str) -> None:
        """Record a defect once (single line, length-capped)."""
        message = " ".join(message.split())[:300]
        if message not in self.defects:
            self.defects.append(message)


def _safe(func: Callable[[], object]) -> object:
    """Call ``func()`` returning None on any exception."""
    try:
        return func()
    except Exception:
        return None


def _content_type(part: Message) -> str:
    """Lower-case ``maintype/subtype``; text/plain if missing or unparseable."""
    try:
        ctype = part.get_content_type()
    except Exception:
        raw = _header_raw(part, "content-type") or ""
        ctype = raw.split(";", 1)[0].strip().lower()
    ctype = _scrub(_unescape_surrogates(str(ctype))).lower()
    if not re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", ctype):
        return "text/plain"
    return ctype


def _disposition(part: Message) -> str | None:
    """Content-Disposition type (lower-case) or None."""
    try:
        disp = part.get_content_disposition()
    except Exception:
        raw = _header_raw(part, "content-disposition")
        disp = raw.split(";", 1)[0].strip().lower() if raw else None
    return _scrub(str(disp)).lower() if disp else None


def _filename(part: Message) -> str | None:
    """Decoded filename (RFC 2231 and RFC 2047 both handled), or None."""
    name: object = None
    try:
        name = part.get_filename()
    except Exception:
        for header, param in (("content-disposition", "filename"), ("content-type", "name")):
            raw = _header_raw(part, header) or ""
            m = re.search(rf'{param}\s*=\s*"?([^";]+)"?', raw, re.IGNORECASE)
            if m:
                name = m.group(1)
                break
    if not name:
        return None
    text = decode_header_value(str(name))
    text = text.replace("\r", "").replace("\n", "").strip()
    return text or None


def _content_id(part: Message) -> str | None:
    """Content-ID without angle brackets, or None."""
    return _clean_msgid(_header_raw(part, "content-id"))


def _charset(part: Message) -> str | None:
    """Declared charset parameter, or None."""
    try:
        cs = part.get_content_charset()
    except Exception:
        raw = _header_raw(part, "content-type") or ""
        m = re.search(r'charset\s*=\s*"?([^";\s]+)', raw, re.IGNORECASE)
        cs = m.group(1) if m else None
    return str(cs) if cs else None


def _payload_bytes(part: Message, walk: _Walk | None = None) -> bytes:
    """Transfer-decoded payload of a leaf part; raw bytes if decoding fails."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
        if walk is not None:
            walk.defect("undecodable transfer encoding; showing raw payload")
    if isinstance(payload, bytes):
        return payload
    raw = _safe(lambda: part.get_payload())
    if isinstance(raw, str):
        try:
            return raw.encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            return raw.encode("utf-8", "surrogateescape")
    if isinstance(raw, list) and raw and isinstance(raw[0], Message):
        return _message_bytes(raw[0])
    return b""


def _message_bytes(msg: Message) -> bytes:
    """Serialise an embedded message (message/rfc822) without raising."""
    for pol in (msg.policy, policy.compat32):
        try:
            return msg.as_bytes(policy=pol)
        except Exception:
            continue
    return b""


_BOUNDARY_LINE_RE = re.compile(r"^--([^\s]{1,200}?)(?:--)?[ \t]*\r?$", re.MULTILINE)


def _recover_multipart(part: Message, walk: _Walk) -> Message | None:
    """Re-split a multipart whose boundary is missing/wrong using the first ``--x`` line."""
    payload = _safe(lambda: part.get_payload())
    if not isinstance(payload, str):
        return None
    m = _BOUNDARY_LINE_RE.search(payload)
    if not m:
        return None
    boundary = m.group(1)
    if boundary.endswith("--") and len(boundary) > 2:
        boundary = boundary[:-2]
    if '"' in boundary:
        return None
    if walk.budget.parts >= MAX_PARTS:
        return None
    sub = _content_type(part).split("/", 1)[1]
    header = f'Content-Type: multipart/{sub}; boundary="{boundary}"\r\n\r\n'
    try:
        rebuilt = _build_message(header + payload, walk.mime_policy, walk.budget)
    except Exception:
        return None
    if not rebuilt.is_multipart():
        return None
    walk.defect(f"multipart boundary missing or wrong; recovered using {boundary!r}")
    return rebuilt


def _part_defects(part: Message, walk: _Walk) -> None:
    """Copy the stdlib parser's defects for ``part`` into ``walk`` as readable text."""
    for d in getattr(part, "defects", []) or []:
        try:
            desc = str(d)
        except Exception:
            desc = ""
        name = type(d).__name__
        walk.defect(_scrub(f"{name}: {desc}" if desc and desc != "None" else name))


def _is_attachment(ctype: str, disp: str | None, filename: str | None) -> bool:
    """Attachment rule: disposition attachment, a filename, or any non-body leaf type."""
    if disp == "attachment" or filename:
        return True
    return ctype not in ("text/plain", "text/html")


def _walk(msg: Message, walk: _Walk) -> None:
    """Iteratively walk the MIME tree, filling ``walk`` (depth- and count-capped).

    Body choice: the first text/plain and first text/html met in document order,
    except that inside multipart/alternative the *last* (preferred) alternative is
    visited first and the other alternatives of the same type are dropped. Further
    inline text parts outside any alternative (e.g. mailing-list footers in
    multipart/mixed) are appended to the body of their type.
    """
    # stack items: (part, depth, recovered, inside_alternative)
    stack: list[tuple[Message, int, bool, bool]] = [(msg, 0, False, False)]
    seen = 0
    visited: list[Message] = []
    while stack:
        part, depth, recovered, in_alt = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            walk.defect(f"too many MIME parts; stopped after {MAX_PARTS}")
            break
        visited.append(part)
        ctype = "text/plain" if walk.force_text and part is msg else _content_type(part)
        maintype = ctype.split("/", 1)[0]
        disp: str | None = None
        filename: str | None = None
        if maintype == "multipart":
            payload = _safe(part.get_payload)
            if isinstance(payload, list):
                if depth >= MAX_DEPTH:
                    walk.defect(f"MIME nesting deeper than {MAX_DEPTH}; inner parts ignored")
                    continue
                children = [c for c in payload if isinstance(c, Message)]
                is_alt = ctype == "multipart/alternative"
                # Stack is LIFO: push in order so the last alternative pops first;
                # push other multiparts reversed so document order is kept.
                ordered = children if is_alt else list(reversed(children))
                stack.extend((c, depth + 1, False, in_alt or is_alt) for c in ordered)
                continue
            if not recovered:
                rebuilt = _recover_multipart(part, walk)
                if rebuilt is not None:
                    stack.append((rebuilt, depth, True, in_alt))
                    continue
            walk.defect(f"{ctype} without parseable parts; body shown as text")
            ctype = "text/plain"
        else:
            disp = _disposition(part)
            filename = _filename(part)
            if _is_attachment(ctype, disp, filename):
                data = _payload_bytes(part, walk)
                cid = _content_id(part)
                walk.attachments.append(
                    Attachment(
                        index=len(walk.attachments),
                        filename=filename,
                        content_type=ctype,
                        size=len(data),
                        content_id=cid,
                        inline=disp == "inline" or (disp is None and cid is not None),
                    )
                )
                walk.payloads.append(part)
                continue
        is_html = ctype == "text/html"
        current = walk.html if is_html else walk.text
        if current is not None:
            if in_alt:
                continue  # a less preferred alternative of the same type
            extra = _decode_body(part, walk)
            if not extra.strip():
                continue
            body = current + "\n" + extra
        else:
            body = _decode_body(part, walk)
        if is_html:
            walk.html = body
        else:
            walk.text = body
    # Collected last: payload decoding above registers transfer-encoding defects.
    for part in visited:
        _part_defects(part, walk)


def _decode_body(part: Message, walk: _Walk) -> str:
    """Decode a text part to str using the charset fallback chain."""
    data = _payload_bytes(part, walk)
    charset = _charset(part)
    text, fallback = decode_bytes(data, charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fallback and charset and _lookup_charset(charset) is None:
        walk.defect(f"unknown charset {_scrub(charset)[:64]!r}; decoded with fallback")
    elif fallback and charset:
        walk.defect(f"body not valid {_scrub(charset)[:64]!r}; decoded with fallback")
    elif fallback and not charset and any(b > 0x7F for b in data):
        walk.defect("8-bit body without declared charset; guessed encoding")
    return text


# --------------------------------------------------------------------------- bounded MIME split


MAX_HEADER_CHARS = 256 * 1024
"""Largest header block parsed per part; further header lines are dropped (with a defect)."""

MAX_DEFAULT_POLICY_PARTS = 500
"""More ``--`` lines than this and the message is parsed with compat32 (cheap per part)."""

MAX_DSN_CHARS = 64 * 1024
MAX_DSN_LINES = 1000
"""Largest message/delivery-status body handed to the stdlib parser as header blocks."""

# feedparser's header-line test (``headerRE``); a line start that fails it ends the headers.
_NON_HEADER_LINE_RE = re.compile(
    r"(?:\A|(?<=\n)|(?<=\r)(?!\n))(?!From |[\x21-\x39\x3b-\x7e]*:|[\t ])"
)


def _eol_before(text: str, pos: int, start: int) -> int:
    """``pos`` minus the line ending just before it (RFC 2046: it belongs to the boundary)."""
    if pos - 2 >= start and text[pos - 2 : pos] == "\r\n":
        return pos - 2
    if pos - 1 >= start and text[pos - 1] in "\r\n":
        return pos - 1
    return pos


def _boundary_finder(boundary: str) -> Callable[[str, int, int], re.Match[str] | None]:
    """Finder of the next ``--boundary`` line in ``text[pos:end]`` (feedparser's rule).

    The pattern starts with the literal separator so the regex engine's fast literal
    search does the scanning; a lookbehind then requires it to start a line.
    """
    sep = re.escape("--" + boundary)
    tail = r"(?P<end>--)?[ \t]*(?:\r\n|\r|\n|\Z)"
    inner = re.compile(sep + r"(?<=[\r\n]" + sep + ")" + tail)
    at_start = re.compile(sep + tail)

    def find(text: str, pos: int, end: int) -> re.Match[str] | None:
        if pos == 0 or text[pos - 1] in "\r\n":
            m = at_start.match(text, pos, end)
            if m:
                return m
        return inner.search(text, pos, end)

    return find


def _raw_payload(msg: Message) -> object:
    """The payload exactly as stored (str payloads keep their surrogate-escaped bytes)."""
    return getattr(msg, "_payload", None)


def _parse_part_headers(
    text: str, start: int, end: int, pol: Policy, budget: _Budget
) -> tuple[Message, str, int, int]:
    """Parse the header block at ``text[start:end]`` with the stdlib.

    Returns ``(msg, text, body_start, body_end)``: normally ``text`` itself, but a fresh string
    when feedparser would have pushed a header line back into the body (a trailing
    ``From `` line), so the body stays one contiguous slice.
    """
    m = _NON_HEADER_LINE_RE.search(text, start, end)
    stop = m.start() if m else end
    head = text[start:stop]
    if len(head) > MAX_HEADER_CHARS:
        cut = max(head.rfind("\n", 0, MAX_HEADER_CHARS), head.rfind("\r", 0, MAX_HEADER_CHARS))
        head = head[: cut + 1]
        budget.big_headers = True
    if head:
        msg = Parser(policy=pol).parsestr(head, headersonly=True)
        pushed_back = _raw_payload(msg)  # get_payload() would mangle 8-bit (surrogate) text
    else:  # what the parser makes of no headers, without its per-call setup cost
        factory = pol.message_factory or Message
        msg = factory(policy=pol)
        pushed_back = None
    msg.set_payload([])  # every caller sets the real payload (or attaches to this list)
    if text.startswith("\r\n", stop, end):
        body = stop + 2
    elif stop < end and text[stop] in "\r\n":
        body = stop + 1
    else:
        body = stop
        if stop < end:
            msg.defects.insert(0, errors.MissingHeaderBodySeparatorDefect())
    if isinstance(pushed_back, str) and pushed_back:
        rest = pushed_back + text[body:end]
        return msg, rest, 0, len(rest)
    return msg, text, body, end


def _split_multipart(
    msg: Message, text: str, start: int, end: int, budget: _Budget, sub: bool
) -> list[tuple[int, int]] | None:
    """Slice a multipart body ``text[start:end]`` into parts the way feedparser does.

    Returns ``(start, end)`` per part (``end`` still includes the line ending that
    RFC 2046 gives to the next boundary line), or None if the body has no parts
    (payload then set to the body text). ``sub``: the multipart is itself a part,
    whose epilogue loses its final line ending. Stops scanning once the message's
    part budget is used up.
    """
    boundary = msg.get_boundary()
    pol = msg.policy
    if boundary is None:
        pol.handle_defect(msg, errors.NoBoundaryInMultipartDefect())
        msg.set_payload(text[start:end])
        return None
    if str(msg.get("content-transfer-encoding", "8bit")).lower() not in ("7bit", "8bit", "binary"):
        pol.handle_defect(msg, errors.InvalidMultipartContentTransferEncodingDefect())
    find = _boundary_finder(boundary)
    first = find(text, start, end)
    if first is None or first.group("end"):
        pol.handle_defect(msg, errors.StartBoundaryNotFoundDefect())
        msg.set_payload(text[start : first.start() if first else end])
        msg.epilogue = None if sub else ""
        return None
    if first.start() > start:
        msg.preamble = text[start : _eol_before(text, first.start(), start)]
    slices: list[tuple[int, int]] = []
    cur = first
    while True:
        part_start = cur.end()
        nxt = find(text, part_start, end)
        while nxt is not None and nxt.start() == part_start:  # doubled boundary lines
            part_start = nxt.end()
            nxt = find(text, part_start, end)
        part_end = nxt.start() if nxt is not None else end
        slices.append((part_start, part_end))
        budget.parts += 1
        if budget.parts >= MAX_PARTS and nxt is not None and not nxt.group("end"):
            budget.truncated = True
            break
        if nxt is None:
            pol.handle_defect(msg, errors.CloseBoundaryNotFoundDefect())
            break
        if nxt.group("end"):
            epilogue: str | None = text[nxt.end() : end]
            if sub and epilogue:  # feedparser: the boundary owns the line ending before it
                epilogue = epilogue[: _eol_before(epilogue, len(epilogue), 0)]
            elif sub:
                epilogue = None
            msg.epilogue = epilogue
            break
        cur = nxt
    msg.set_payload([])
    return slices


def _build_message(text: str, pol: Policy, budget: _Budget) -> Message:
    """Parse ``text`` (raw bytes decoded ascii/surrogateescape) into a Message tree.

    Builds what :class:`email.parser.BytesParser` builds, but bounded: the MIME
    structure is split with C-speed regex searches instead of feedparser's per-line
    loop (O(lines x nesting depth): 157 s for 10 MB of short lines 64 levels deep),
    the stdlib parses each part's header block, and splitting stops at
    :data:`MAX_PARTS` parts and :data:`MAX_DEPTH` levels. Iterative, so deep nesting
    never hits the recursion limit.
    """
    # job: (text, start, end, parent, depth, default type, strip): ``end`` still includes
    # the line ending before the next boundary; ``strip``: drop it from the last payload
    Job = tuple[str, int, int, Message | None, int, str | None, bool]
    jobs: list[Job] = [(text, 0, len(text), None, 0, None, False)]
    budget.parts += 1
    root: Message | None = None
    while jobs:
        src, start, end, parent, depth, default_type, strip = jobs.pop()
        msg, src, body, end = _parse_part_headers(src, start, end, pol, budget)
        if default_type is not None:
            msg.set_default_type(default_type)
        if parent is None:
            root = msg
        else:
            parent.attach(msg)
        ctype = msg.get_content_type()
        maintype = ctype.split("/", 1)[0]
        if maintype in ("multipart", "message") and depth >= MAX_DEPTH:
            budget.too_deep = True  # not split: the walk ignores parts this deep anyway
            msg.set_payload([] if maintype == "multipart" else src[body:end])
            continue
        if ctype == "message/delivery-status":
            msg.set_payload(src[body:end])
            lines = src.count("\n", body, end) + src.count("\r", body, end)
            if end - body <= MAX_DSN_CHARS and lines <= MAX_DSN_LINES and budget.parts < MAX_PARTS:
                dsn = "Content-Type: message/delivery-status\n\n" + src[body:end]
                blocks = Parser(policy=pol).parsestr(dsn).get_payload()
                if isinstance(blocks, list):
                    budget.parts += len(blocks)
                    msg.set_payload(blocks)
                    last_block = blocks[-1] if blocks else None
                    if strip and isinstance(last_block, Message):
                        tail = _raw_payload(last_block)
                        if isinstance(tail, str):
                            last_block.set_payload(tail[: _eol_before(tail, len(tail), 0)])
            continue
        if maintype == "message":
            if budget.parts >= MAX_PARTS:
                budget.truncated = True
                msg.set_payload(src[body:end])
                continue
            budget.parts += 1
            jobs.append((src, body, end, msg, depth + 1, None, strip))
            continue
        if maintype == "multipart":
            slices = _split_multipart(msg, src, body, end, budget, strip)
            if slices:
                child_type = "message/rfc822" if ctype == "multipart/digest" else None
                jobs.extend(
                    (src, s, e, msg, depth + 1, child_type, True) for s, e in reversed(slices)
                )
            continue
        msg.set_payload(src[body : _eol_before(src, end, body) if strip else end])
    assert root is not None
    if root.get_content_maintype() == "multipart" and not root.is_multipart():
        pol.handle_defect(root, errors.MultipartInvariantViolationDefect())  # as FeedParser.close
    return root


# --------------------------------------------------------------------------- parsing


_MIME_HEADER_RE = re.compile(rb"^content-[a-z-]*[ \t]*:", re.IGNORECASE | re.MULTILINE)
MAX_MIME_HEADER_LEN = 2048
"""Content-* header length above which the compat32 parser is used (see below)."""
MAX_MIME_HEADERS = 2000
"""Content-* header count above which the compat32 parser is used."""


def _needs_compat32(raw: bytes) -> bool:
    """True if policy.default's MIME header parser could go quadratic on ``raw``.

    The stdlib ``_header_value_parser`` is super-linear on long parameter lists and
    quote runs (a 100 KB Content-Type takes minutes), and the feed parser invokes
    it while parsing. Such messages (and those with hundreds of parts: it costs
    ~0.15 ms per Content-Type read, and each part's is read several times) are
    parsed with the simpler, linear compat32 header handling instead.
    """
    if raw.count(b"\n--") + raw.count(b"\r--") > MAX_DEFAULT_POLICY_PARTS:
        return True
    count = 0
    for m in _MIME_HEADER_RE.finditer(raw):
        count += 1
        if count > MAX_MIME_HEADERS:
            return True
        start = pos = m.start()
        while True:
            nl = raw.find(b"\n", pos)
            if nl == -1 or nl - start > MAX_MIME_HEADER_LEN:
                return nl - start > MAX_MIME_HEADER_LEN or len(raw) - start > MAX_MIME_HEADER_LEN
            if raw[nl + 1 : nl + 2] not in (b" ", b"\t"):
                break
            pos = nl + 1
    return False


def _parse_message(raw: bytes, walk: _Walk) -> Message:
    """Parse bytes (policy.default, or compat32 for pathological MIME headers).

    Bounded whatever the structure (see :func:`_build_message`); falls back to a
    header-only parse with the raw body shown as text if anything goes wrong.
    """
    pol = policy.compat32 if _needs_compat32(raw) else policy.default
    walk.mime_policy = pol
    if pol is policy.compat32:
        walk.defect("many MIME parts or oversized MIME headers; parsed in compatibility mode")
    text = raw.decode("ascii", "surrogateescape")  # what BytesParser hands feedparser
    try:
        return _build_message(text, pol, walk.budget)
    except Exception as exc:  # pragma: no cover - defensive
        walk.defect(f"parser error {type(exc).__name__}; showing raw body")
    walk.force_text = True  # walk treats the unparsed body as plain text
    try:
        msg, rest, body, end = _parse_part_headers(text, 0, len(text), pol, _Budget())
        msg.set_payload(rest[body:end])
        return msg
    except Exception:
        fallback = Message(policy=pol)
        fallback.set_payload(text)
        return fallback


def _coerce(raw: object) -> bytes:
    """Accept bytes-like or str input; anything else becomes empty bytes."""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, bytearray | memoryview):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _empty(defect: str) -> ParsedEmail:
    """A blank ParsedEmail carrying a single defect."""
    return ParsedEmail([], [], [], [], "", None, None, [], None, None, [], [defect])


def _analyse(raw: bytes) -> tuple[Message, _Walk]:
    """Parse and walk ``raw``; shared by :func:`parse_email` and :func:`attachment_bytes`."""
    walk = _Walk()
    data = _coerce(raw)
    if not data.strip():
        walk.defect("empty message")
    msg = _parse_message(data, walk)
    _walk(msg, walk)
    budget = walk.budget
    if budget.truncated:
        walk.defect(f"too many MIME parts; only the first {MAX_PARTS} parsed, the rest dropped")
    if budget.too_deep:
        walk.defect(f"MIME nesting deeper than {MAX_DEPTH}; inner parts ignored")
    if budget.big_headers:
        walk.defect(f"header block larger than {MAX_HEADER_CHARS} characters; the rest dropped")
    return msg, walk


def _headers(msg: Message) -> Iterator[tuple[str, str]]:
    """All headers in order with decoded values."""
    for key, val in msg.raw_items():
        name = _unescape_surrogates(str(key)).strip()
        yield name, decode_header_value(val)


@dataclass(frozen=True)
class ParsedMessage:
    """A :class:`ParsedEmail` plus its attachment parts, to serve payloads without a re-parse."""

    email: ParsedEmail
    parts: list[Message]
    """The MIME part of each attachment, index-aligned with ``email.attachments``."""

    def attachment(self, index: int) -> tuple[Attachment, bytes] | None:
        """The index-th attachment and its transfer-decoded payload, or None. Never raises."""
        try:
            if not 0 <= index < min(len(self.email.attachments), len(self.parts)):
                return None
            return self.email.attachments[index], _payload_bytes(self.parts[index])
        except Exception:
            return None


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse a raw RFC 5322 message into a :class:`ParsedEmail`. Never raises."""
    return parse_message(raw).email


def parse_message(raw: bytes) -> ParsedMessage:
    """:func:`parse_email`, keeping the attachment parts too. Never raises.

    Cost is bounded whatever the structure: linear in the size (C-speed scans plus
    the stdlib's header parsing per part), at most :data:`MAX_PARTS` parts and
    :data:`MAX_DEPTH` levels, :data:`MAX_HEADER_CHARS` of header per part.
    """
    try:
        msg, walk = _analyse(raw)
        defects = walk.defects
        headers = list(_headers(msg))

        def addrs(name: str) -> list[Address]:
            """Parse one address header, noting a defect if it was malformed."""
            value = _header_raw(msg, name)
            result, problem = _parse_addresses(value)
            if problem:
                defects.append(f"invalid address in {name} header")
            return result

        from_ = addrs("From")
        to = addrs("To")
        cc = addrs("Cc")
        reply_to = addrs("Reply-To")
        subject_raw = _header_raw(msg, "Subject")
        subject = decode_header_value(subject_raw) if subject_raw is not None else ""
        date, bad_date = _parse_date(_decoded_or_none(_header_raw(msg, "Date")))
        if bad_date:
            defects.append("invalid Date header")
        message_id = _clean_msgid(_decoded_or_none(_header_raw(msg, "Message-ID")))
        parsed = ParsedEmail(
            from_=from_,
            to=to,
            cc=cc,
            reply_to=reply_to,
            subject=subject,
            date=date,
            message_id=message_id,
            headers=headers,
            text=walk.text,
            html=walk.html,
            attachments=walk.attachments,
            defects=defects,
        )
        return ParsedMessage(parsed, walk.payloads)
    except RecursionError:
        return ParsedMessage(_empty("message too deeply nested to parse"), [])
    except Exception as exc:  # pragma: no cover - last line of defence
        return ParsedMessage(_empty(f"unparseable message ({type(exc).__name__})"), [])


def _decoded_or_none(value: str | None) -> str | None:
    """Decode a raw header value, keeping None."""
    return None if value is None else decode_header_value(value)


def attachment_bytes(raw: bytes, index: int) -> tuple[Attachment, bytes] | None:
    """Return the index-th attachment and its decoded payload, or None. Never raises."""
    try:
        if not isinstance(index, int) or index < 0:
            return None
        _msg, walk = _analyse(raw)
        if index >= len(walk.attachments):
            return None
        return walk.attachments[index], _payload_bytes(walk.payloads[index])
    except Exception:
        return None


# --------------------------------------------------------------------------- fast path

_HEADER_END_RE = re.compile(rb"\r?\n\r?\n")
_FAST_PARSER = BytesHeaderParser(policy=policy.compat32)


def _fast_pick(items: Iterable[tuple[str, str]], wanted: set[str]) -> dict[str, str]:
    """First raw value of each wanted header name (lower-case keys)."""
    found: dict[str, str] = {}
    for key, val in items:
        k = str(key).strip().lower()
        if k in wanted and k not in found:
            found[k] = val if isinstance(val, str) else str(val)
            if len(found) == len(wanted):
                break
    return found


HeaderSummary = tuple[str, str, str, datetime | None, str | None]


def parse_headers_fast(raw: bytes) -> HeaderSummary:
    """Cheap header-only parse: ``(from_text, subject, to_text, date, message_id)``.

    ``from_text``/``to_text`` are the full decoded header values (e.g.
    ``'Alice <a@example.com>'``); ``message_id`` has its angle brackets removed.
    Only the header block is handed to a compat32 ``BytesHeaderParser``. Never raises.
    """
    try:
        data = _coerce(raw)
        m = _HEADER_END_RE.search(data)
        head = data[: m.end()] if m else data
        msg = _FAST_PARSER.parsebytes(head)
        found = _fast_pick(msg.raw_items(), {"from", "subject", "to", "date", "message-id"})
        date, _bad = _parse_date(_decoded_or_none(found.get("date")))
        return (
            decode_header_value(found.get("from", "")),
            decode_header_value(found.get("subject", "")),
            decode_header_value(found.get("to", "")),
            date,
            _clean_msgid(_decoded_or_none(found.get("message-id"))),
        )
    except Exception:
        return "", "", "", None, None
