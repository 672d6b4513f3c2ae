"""Visible text, emphasis spans and links from HTML / plain text (stdlib ``html.parser``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from ._limits import MAX_HTML_CHARS, MAX_LINKS, MAX_TEXT_CHARS
from ._url import unescape_attr
from .quoted import html_marker

_SKIP = frozenset({"style", "script", "title", "noscript", "template", "xml"})
_VOID = frozenset(
    {
        "br",
        "img",
        "hr",
        "meta",
        "link",
        "input",
        "wbr",
        "col",
        "area",
        "base",
        "source",
        "track",
        "embed",
        "param",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "hr",
        "center",
        "dd",
        "dt",
        "dl",
        "form",
        "fieldset",
        "nav",
        "aside",
        "main",
        "address",
        "figure",
        "figcaption",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "body",
        "html",
        "button",
    }
)
_CELL = frozenset({"td", "th"})
_EMPH_TAG = {
    "b": 1,
    "strong": 1,
    "big": 1,
    "h1": 2,
    "h2": 2,
    "h3": 2,
    "h4": 1,
    "h5": 1,
    "h6": 1,
    "code": 2,
    "kbd": 2,
    "samp": 2,
    "tt": 2,
    "pre": 1,
    "mark": 1,
}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f"), None)
# CJK punctuation carries an implicit space; keep it after NFKC folds it to ASCII
_FULLWIDTH_PUNCT = {0xFF0C: ", ", 0xFF1A: ": ", 0x3001: "、 ", 0x3002: "。 ", 0xFF1B: "; "}
_WS = re.compile(r"\s+")
_FONT_SIZE = re.compile(r"font-size\s*:\s*([0-9.]+)\s*(px|pt|em|rem|%)?")
_LETTER_SPACING = re.compile(r"letter-spacing\s*:\s*([0-9.]+)")
_BOLD = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)")
_MONO = re.compile(r"font-family\s*:[^;]*(mono|courier|consolas|menlo)")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0(?![.0-9])")


_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _raw_href(tag_text: str, fallback: str) -> str:
    m = _HREF.search(tag_text)
    if not m:
        return fallback.strip()
    raw = next(g for g in m.groups() if g is not None)
    return unescape_attr(raw.strip().replace("\n", "").replace("\r", ""))


def normalize(s: str) -> str:
    """NFKC-normalise and drop zero-width characters (keeps length semantics simple)."""
    s = s.translate(_FULLWIDTH_PUNCT)
    return unicodedata.normalize("NFKC", s).translate(_ZERO_WIDTH)


@dataclass
class Link:
    """A hyperlink found in HTML (href, anchor text, offset in the visible text)."""

    href: str
    text: str = ""
    alt: str = ""
    title: str = ""
    start: int = 0
    end: int = 0
    has_img: bool = False


@dataclass
class Visible:
    """Visible text of a body, emphasis spans ``(start, end, level)`` and links."""

    text: str
    emph: list[tuple[int, int, int]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # ranges of the text inside quote containers (reply / forward), see .quoted
    quoted: list[tuple[int, int]] = field(default_factory=list)


def _style_emphasis(style: str) -> int:
    level = 0
    m = _FONT_SIZE.search(style)
    if m:
        try:
            size = float(m.group(1))
        except ValueError:
            size = 0.0
        unit = m.group(2) or "px"
        px = {
            "px": size,
            "pt": size * 1.33,
            "em": size * 16,
            "rem": size * 16,
            "%": size * 0.16,
        }.get(unit, size)
        if px >= 20:
            level = 2
        elif px >= 17:
            level = 1
    ls = _LETTER_SPACING.search(style)
    if ls:
        try:
            if float(ls.group(1)) > 0:
                level = max(level, 2)
        except ValueError:
            pass
    if _BOLD.search(style) or _MONO.search(style):
        level = max(level, 1)
    return level


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.last = "\n"
        # stack entries: tag, skip, hidden, emph level, start offset, quote container
        self.stack: list[tuple[str, bool, bool, int, int, bool]] = []
        self.quoted: list[tuple[int, int]] = []
        self.quoted_from = -1  # an Outlook marker: all after it is the older message
        self.skip = 0
        self.hidden = 0
        self.emph: list[tuple[int, int, int]] = []
        self.links: list[Link] = []
        self.open_links: list[Link] = []
        # per open link: images seen and alt texts collected before it opened
        self.link_marks: list[tuple[int, int]] = []
        self.images = 0
        self.alts: list[str] = []
        self.open_tags: dict[str, int] = {}

    def _emit(self, s: str) -> None:
        if not s:
            return
        self.parts.append(s)
        self.length += len(s)
        self.last = s[-1]

    def _newline(self) -> None:
        if self.last != "\n":
            self._emit("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _BLOCK:
            self._newline()
        elif tag in _CELL and self.last not in "\n\t ":
            self._emit("\t")
        if tag == "img":
            # credited to every open link when it closes (no per-image walk of the links)
            self.images += 1
            alt = normalize(a.get("alt", "")).strip()
            if alt:
                self.alts.append(alt)
        if tag == "a" and not (self.skip or self.hidden):
            href = _raw_href(self.get_starttag_text() or "", a.get("href", ""))
            link = Link(href=href, title=normalize(a.get("title", "")).strip(), start=self.length)
            self.open_links.append(link)
            self.link_marks.append((self.images, len(self.alts)))
        quote = html_marker(tag, a) if ("class" in a or "id" in a or "type" in a) else 0
        if quote == 2 and self.quoted_from < 0:
            self.quoted_from = self.length
        if tag in _VOID:
            if tag in _BLOCK:
                self._newline()
            return
        style = a.get("style", "").lower()
        skip = tag in _SKIP
        hidden = bool(_HIDDEN.search(style)) or "hidden" in a
        level = _EMPH_TAG.get(tag, 0)
        if tag == "font":
            try:
                if int(a.get("size", "0").strip("+")) >= 4:
                    level = 2
            except ValueError:
                pass
        if style:
            level = max(level, _style_emphasis(style))
        self.stack.append((tag, skip, hidden, level, self.length, quote == 1))
        self.open_tags[tag] = self.open_tags.get(tag, 0) + 1
        self.skip += skip
        self.hidden += hidden

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def close_link(self) -> None:
        """End the innermost open link here, with the images met while it was open."""
        link = self.open_links.pop()
        images, alts = self.link_marks.pop()
        link.end = self.length
        link.has_img = self.images > images
        link.alt = " ".join(self.alts[alts : min(len(self.alts), alts + 50)])
        self.links.append(link)

    def _pop(self) -> None:
        tag, skip, hidden, level, start, quote = self.stack.pop()
        if quote and self.length > start:
            self.quoted.append((start, self.length))
        self.open_tags[tag] -= 1
        self.skip -= skip
        self.hidden -= hidden
        if level and self.length > start:
            self.emph.append((start, self.length, level))
        if tag in _BLOCK:
            self._newline()
        if tag == "a" and self.open_links:
            self.close_link()

    def handle_endtag(self, tag: str) -> None:
        if self.open_tags.get(tag):
            # the innermost open element of that name (pops pay for the walk)
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    while len(self.stack) > i:
                        self._pop()
                    return
        if tag == "a" and self.open_links:
            self.close_link()
        if tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip or self.hidden:
            return
        s = _WS.sub(" ", normalize(data))
        if not s:
            return
        if s[0] == " " and self.last in "\n\t ":
            s = s[1:]
        self._emit(s)


# The stdlib parser rescans to the end of the input from every "<" that does not end in
# a ">" before the next "<" ("<a<a<a…", "</</…": quadratic). A few are harmless (a "<"
# in a quoted attribute value); past this many, they are written as "&lt;", which the
# parser decodes to the same "<" it would have emitted as text.
_STRAY_LT_TOLERATED = 64


def _defuse_stray_lt(html: str) -> str:
    """``html`` with each "<" followed by another "<" before any ">" escaped, if many."""
    stray: list[int] = []
    i = html.find("<")
    while i != -1:
        j = html.find("<", i + 1)
        if html.find(">", i + 1, len(html) if j == -1 else j) == -1:
            stray.append(i)
        i = j
    if len(stray) <= _STRAY_LT_TOLERATED:
        return html
    parts: list[str] = []
    last = 0
    for i in stray:
        parts.append(html[last:i])
        parts.append("&lt;")
        last = i + 1
    parts.append(html[last:])
    return "".join(parts)


@lru_cache(maxsize=16)
def parse_html(html: str) -> Visible:
    """Render HTML to visible text (blocks → newlines, cells → tabs) with emphasis and links.

    Only the first ``MAX_HTML_CHARS`` of the HTML are parsed and the first
    ``MAX_TEXT_CHARS`` of visible text kept, with the first ``MAX_LINKS`` links.
    Cached (both extractors parse the same body); treat the result as read-only.
    """
    p = _Parser()
    try:
        p.feed(_defuse_stray_lt(html[:MAX_HTML_CHARS]))
        p.close()
    except Exception:
        pass
    while p.stack:
        p._pop()
    while p.open_links:
        p.close_link()
    text = "".join(p.parts)[:MAX_TEXT_CHARS]
    for link in p.links:
        link.end = min(link.end, len(text))
    p.links.sort(key=lambda k: k.start)
    links = [k for k in p.links if k.start <= len(text)][:MAX_LINKS]
    for link in links:
        # anchor text is judged on its first words ("Verify", "Sign in"); a bounded
        # slice keeps nested unclosed anchors from copying the whole text each
        link.text = " ".join(text[link.start : min(link.end, link.start + 1_000)].split())
    emph = [(s, min(e, len(text)), lv) for s, e, lv in p.emph if s < len(text)]
    quoted = [(s, min(e, len(text))) for s, e in p.quoted if s < len(text)]
    if 0 <= p.quoted_from < len(text):
        quoted.append((p.quoted_from, len(text)))
    return Visible(text=text, emph=emph, links=links, quoted=quoted)


@lru_cache(maxsize=16)
def plain_text(text: str) -> str:
    """Normalise a text/plain body (NFKC, zero-width removed, LF line endings).

    Only the first ``MAX_TEXT_CHARS`` are read and kept.
    """
    text = text[: MAX_TEXT_CHARS + 1_000]  # a little slack for CR LF pairs
    return normalize(text.replace("\r\n", "\n").replace("\r", "\n"))[:MAX_TEXT_CHARS]


def split_lines(text: str) -> list[tuple[int, str]]:
    """Lines of ``text`` with their start offsets."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regular expression."""
    out: list[str] = []
    depth, start, i = 0, 0, 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def factor(pattern: str) -> str:
    """The same alternation, grouped by first character (``c(?:ode|odes?)|k(?:od|…)``).

    Python's ``re`` tries every alternative at every position; grouped, a position is
    tried against one literal per first character, then only that group (the keyword
    lists are a few hundred alternatives, scanned for every candidate). An alternative
    that does not start with a plain character keeps its own branch; the order within
    a group is kept.
    """
    groups: dict[str, list[str]] = {}
    order: list[str] = []
    for alt in _alternatives(pattern):
        head = alt[:1]
        plain = head and head not in "\\([.^$" and alt[1:2] not in ("?", "*", "+", "{")
        key = head if plain else "\x00" + str(len(order))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(alt[1:] if plain else alt)
    parts = []
    for key in order:
        rest = groups[key]
        if key.startswith("\x00"):
            parts.append(rest[0])
        elif len(rest) == 1:
            parts.append(re.escape(key) + rest[0])
        else:
            parts.append(re.escape(key) + "(?:" + "|".join(rest) + ")")
    return "|".join(parts)
