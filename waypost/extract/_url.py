"""URL helpers: attribute-safe entity decoding and click-tracking redirect unwrapping."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import zlib
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from ._limits import MAX_DECODED_BYTES


class Caseless:
    """A case-insensitive pattern of ASCII text, asked only whether it matches.

    On an ASCII string, ignoring case is comparing lower case: the pattern compiled
    without ``re.IGNORECASE`` on ``s.lower()`` gives the same answer, and ``re`` can then
    skip to the characters a match starts with instead of trying each position.
    Other strings go to the ``re.IGNORECASE`` pattern.
    """

    def __init__(self, pattern: str) -> None:
        if not pattern.isascii() or pattern != pattern.lower():
            raise ValueError("an ASCII pattern in lower case")
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self._lower = re.compile(pattern)

    def search(self, s: str) -> bool:
        """Whether the pattern occurs in ``s``."""
        if s.isascii():
            return self._lower.search(s.lower()) is not None
        return self.pattern.search(s) is not None

    def match(self, s: str) -> bool:
        """Whether the pattern matches at the start of ``s``."""
        if s.isascii():
            return self._lower.match(s.lower()) is not None
        return self.pattern.match(s) is not None


_ENTITY = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def unescape_attr(value: str) -> str:
    """Decode HTML character references the way browsers do inside attribute values.

    Legacy named references without ``;`` followed by ``=`` or an alphanumeric
    (``&region=us``, ``&copy=1``) are left alone, unlike :func:`html.unescape`.
    """

    def repl(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.endswith(";") or ref.startswith("#"):
            return html.unescape(m.group(0))
        nxt = value[m.end() : m.end() + 1]
        if nxt == "=" or nxt.isalnum():
            return m.group(0)
        return html.unescape(m.group(0))

    if "&" not in value:
        return value
    return _ENTITY.sub(repl, value)


_TRACKER_HOSTS = (
    "sendgrid.net",
    "list-manage.com",
    "mailchimp",
    "mandrillapp.com",
    "hubspotlinks.com",
    "hubspotemail.net",
    "hs-sites",
    "mailgun",
    "mlsend",
    "sparkpostmail",
    "sendibt",
    "sendinblue",
    "brevo",
    "mjt.lu",
    "customeriomail",
    "awstrack.me",
    "urldefense",
    "safelinks.protection.outlook.com",
    "rs6.net",
    "exacttarget",
    "pstmrk.it",
    "mailjet",
    "ct.sendgrid",
    "clicks.",
    "elink",
    "emltrk",
    "mailtrack",
    "klclick",
    "trk.klclick",
    "mcusercontent",
    "postmarkapp",
    "intercom-clicks",
    "lnk.",
    "sendy",
    "mkt",
    "marketo",
)
# one of _TRACKER_HOSTS anywhere in the host name
_TRACKER_HOST_PART = re.compile("|".join(map(re.escape, _TRACKER_HOSTS)))
_TRACKER_LABELS = frozenset(
    {
        "click",
        "clicks",
        "track",
        "tracking",
        "trk",
        "links",
        "link",
        "email",
        "e",
        "t",
        "l",
        "r",
        "go",
        "redirect",
        "url",
        "ablink",
        "em",
        "mail",
        "lnk",
        "clk",
        "c",
        "u",
        "out",
        "email-link",
        "emails",
        "news",
        "newsletter",
        "info",
        "mandrill",
        "mg",
        "sg",
    }
)
_TRACKER_PATH = Caseless(
    r"^/(?:url|redirect|redir|r|ls/click|track/click|wf/click|c|click|l|out|away|link|cl0|l0"
    r"|e2t|ctc|t|tracking|ss/c|mpss|api/v\d+/click)(?:/|$)"
)
_TARGET_PARAMS = (
    "url",
    "u",
    "q",
    "target",
    "redirect",
    "redirect_url",
    "redirecturl",
    "redirect_to",
    "dest",
    "destination",
    "link",
    "l",
    "goto",
    "to",
    "r",
    "href",
    "uri",
    "ru",
    "continue",
    "next",
    "return",
    "returnurl",
    "return_to",
    "data",
    "upn",
)
_STRONG_TARGET_PARAMS = frozenset(
    {"url", "u", "q", "target", "dest", "destination", "link", "goto", "redirect", "l", "href"}
)
_VERIFY_PATH = Caseless(
    r"verif|confirm|activat|validat|magic|login|log-in|signin|sign-in|sign_in|auth|reset"
    r"|password|invit|accept|token|otp|callback|register|passwordless|action"
)
_URLDEFENSE = re.compile(r"/__(https?://.+?)__;")
_B64 = re.compile(r"^[A-Za-z0-9_\-+/]{12,}={0,2}$")


_JSON_URL_KEYS = ("url", "href", "link", "l", "u", "target", "dest", "destination", "p")


def _url_in_json(text: str, depth: int = 0) -> str | None:
    """An http(s) URL stored under a link-like key of a JSON object (Mandrill, Customer.io).

    Nested JSON strings (Mandrill's ``p``) are followed a couple of levels deep.
    """
    if depth > 2 or not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for key in _JSON_URL_KEYS:
        val = data.get(key)
        if not isinstance(val, str):
            continue
        v = val.strip()
        if v[:8].lower().startswith(("http://", "https://")) and " " not in v:
            return v
        found = _url_in_json(v, depth + 1)
        if found:
            return found
    return None


def _decoded_text(raw: bytes) -> str | None:
    if raw[:1] == b"x":  # zlib stream (Mailgun-style "eJ..." tokens)
        try:
            inflate = zlib.decompressobj()
            raw = inflate.decompress(raw, MAX_DECODED_BYTES)
        except zlib.error:
            return None
        if inflate.unconsumed_tail:
            return None  # a bomb, not a link
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None


def _as_url(value: str) -> str | None:
    v = value.strip()
    for _ in range(3):
        low = v[:12].lower()
        if low.startswith(("http://", "https://")):
            return unescape_attr(v)
        if low.startswith(("http%3a", "https%3a", "http:%2f", "https:%2f")):
            v = unquote(v)
            continue
        break
    if _B64.match(v) and (v.startswith("aHR0c") or len(v) >= 16):
        padded = v + "=" * (-len(v) % 4)
        for decoder in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                raw = decoder(padded)
            except (binascii.Error, ValueError):
                continue
            text = _decoded_text(raw)
            if text is None:
                continue
            if text.lower().startswith(("http://", "https://")) and " " not in text:
                return text
            found = _url_in_json(text)
            if found:
                return found
    return None


@lru_cache(maxsize=64)
def query_pairs(query: str) -> tuple[tuple[str, str], ...]:
    """``parse_qsl(query, keep_blank_values=True)``, kept for the few queries of one mail
    (the unwrapper and the scorer both read a link's query)."""
    return tuple(parse_qsl(query, keep_blank_values=True))


def is_tracker_host(host: str) -> bool:
    """True for hosts whose first label looks like a click-tracking subdomain."""
    host = host.lower()
    first = host.split(".", 1)[0]
    return first in _TRACKER_LABELS or (
        first.startswith(("u", "em", "url")) and first[-1:].isdigit() and len(host.split(".")) > 2
    )


def _unwrap_once(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    known = _TRACKER_HOST_PART.search(host) is not None or (
        ".google." in "." + host and parts.path == "/url"
    )
    label_based = is_tracker_host(host)
    tracker_path = _TRACKER_PATH.match(parts.path)
    outer_verify = _VERIFY_PATH.search(parts.path)
    tracker = known or tracker_path or (label_based and not outer_verify)
    if "urldefense" in host:
        # no start after the last "__;" can match: bound the lazy scan to that prefix
        m = _URLDEFENSE.search(url, 0, url.rfind("__;") + 3)
        if m:
            return m.group(1)
    m = re.search(r"/(https?(?::|%3A)(?:%2F|/){2}[^/?#]+)", parts.path, re.IGNORECASE)
    if m and (tracker or "%2F" in m.group(1).upper()):
        target = unquote(m.group(1))
        if "://" in target:
            return target
    params = query_pairs(parts.query)
    long_values: dict[str, int] = {}  # per key, values of 16+ characters
    for name, value in params:
        if len(value) >= 16:
            long_values[name.lower()] = long_values.get(name.lower(), 0) + 1
    for name, value in params:
        key = name.lower()
        if key not in _TARGET_PARAMS and not tracker:
            continue
        found = _as_url(value)
        if not found:
            continue
        if tracker:
            return found
        if key in _STRONG_TARGET_PARAMS and not outer_verify:
            others = sum(long_values.values()) - long_values.get(key, 0)
            if not others:
                return found
    if tracker:
        for seg in parts.path.split("/"):
            if seg.startswith(("aHR0c", "eyJ", "eJ")):
                found = _as_url(seg)
                if found:
                    return found
    return None


def unwrap(url: str) -> tuple[str, bool]:
    """Follow click-tracking redirects whose target is in the URL; returns (url, unwrapped)."""
    changed = False
    for _ in range(4):
        target = _unwrap_once(url)
        if not target or target == url:
            break
        url, changed = target, True
    return url, changed
