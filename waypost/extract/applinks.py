"""App links: custom-scheme deep links (``myapp://reset-password?code=…``).

Some services send a reset or sign-in link that only opens their mobile app. Such a
link is a candidate when its scheme is an app's own: never a scheme that mails,
calls, texts, runs script, embeds data or opens a file, a store or another protocol.
"""

from __future__ import annotations

import re

# schemes that are no app's sign-in link (lower case, without the colon)
_NOT_APP = frozenset(
    {
        "http",
        "https",
        "mailto",
        "tel",
        "telprompt",
        "callto",
        "sms",
        "smsto",
        "mms",
        "sip",
        "sips",
        "javascript",
        "vbscript",
        "livescript",
        "data",
        "blob",
        "file",
        "filesystem",
        "about",
        "cid",
        "mid",
        "ftp",
        "ftps",
        "sftp",
        "ssh",
        "telnet",
        "ws",
        "wss",
        "irc",
        "ircs",
        "ldap",
        "news",
        "nntp",
        "feed",
        "webcal",
        "rtsp",
        "rtmp",
        "git",
        "svn",
        "geo",
        "maps",
        "facetime",
        "facetime-audio",
        "skype",
        "whatsapp",
        "market",
        "itms",
        "itms-apps",
        "itms-appss",
        "itms-services",
        "intent",
        "chrome",
        "chrome-extension",
        "view-source",
        "res",
        "x-apple-data-detectors",
        "content",
        "resource",
    }
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,63})://")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_REST = re.compile(r"[!-~]+")


def app_scheme(href: str) -> bool:
    """Whether ``href`` is a deep link of an app's own scheme (``scheme://…``)."""
    m = _SCHEME.match(href)
    if m is None or m.group(1).lower() in _NOT_APP:
        return False
    return len(href) > m.end()


def app_urls(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of at most ``limit`` app links written in ``text``, in order.

    One pass: each "://" is looked at once, with at most 64 characters before it, and
    the search goes on after the link found (no overlapping rescans).
    """
    out: list[tuple[int, int]] = []
    pos = 0
    while len(out) < limit:
        i = text.find("://", pos)
        if i < 0:
            break
        j = i
        while j > i - 64 and j > 0 and text[j - 1] in _SCHEME_CHARS:
            j -= 1
        while j < i and not text[j].isalpha():
            j += 1  # a scheme starts with a letter
        rest = _REST.match(text, i + 3)
        end = rest.end() if rest else i + 3
        glued = j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_@/")
        if j < i and rest is not None and not glued and text[j:i].lower() not in _NOT_APP:
            out.append((j, end))
        pos = max(end, i + 3)
    return out
