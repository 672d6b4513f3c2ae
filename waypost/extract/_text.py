"""Visible text, emphasis spans and links from HTML / plain text (stdlib ``html.parser``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
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
_FULLWIDTH_RE = re.compile("[" + "".join(map(chr, _FULLWIDTH_PUNCT)) + "]")
_ZERO_WIDTH_RE = re.compile("[" + "".join(map(chr, _ZERO_WIDTH)) + "]")
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
    if s.isascii():
        return s  # NFKC leaves ASCII alone; the characters translated are not ASCII
    # each step only when it changes something (a per-character dict walk otherwise)
    if _FULLWIDTH_RE.search(s):
        s = s.translate(_FULLWIDTH_PUNCT)
    if not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    if _ZERO_WIDTH_RE.search(s):
        s = s.translate(_ZERO_WIDTH)
    return s


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


class _Parser:
    """The renderer: tag and text events in, visible text, emphasis, links, quotes out.

    Fed by :func:`_tokenize` (or, for rare markup, by the stdlib's ``HTMLParser``
    through :class:`_StdParser`); ``attrs`` are a dict of lower-case names.
    """

    def __init__(self) -> None:
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
        self.starttag_text = ""
        self.styles: dict[str, tuple[bool, int]] = {}

    def _emit(self, s: str) -> None:
        if not s:
            return
        self.parts.append(s)
        self.length += len(s)
        self.last = s[-1]

    def _newline(self) -> None:
        if self.last != "\n":
            self.parts.append("\n")
            self.length += 1
            self.last = "\n"

    def starttag(self, tag: str, a: dict[str, str]) -> None:
        if tag in _BLOCK:
            if self.last != "\n":
                self.parts.append("\n")
                self.length += 1
                self.last = "\n"
        elif tag in _CELL and self.last not in "\n\t ":
            self._emit("\t")
        if not a and tag != "img" and tag != "a":
            if tag in _VOID:
                return
            level = _EMPH_TAG.get(tag, 0)
            skip = tag in _SKIP
            self.stack.append((tag, skip, False, level, self.length, False))
            self.open_tags[tag] = self.open_tags.get(tag, 0) + 1
            self.skip += skip
            return
        if tag == "img":
            # credited to every open link when it closes (no per-image walk of the links)
            self.images += 1
            alt = a.get("alt")
            if alt:
                alt = normalize(alt).strip()
                if alt:
                    self.alts.append(alt)
        if tag == "a" and not (self.skip or self.hidden):
            href = _raw_href(self.starttag_text, a.get("href", ""))
            title = a.get("title")
            link = Link(
                href=href, title=normalize(title).strip() if title else "", start=self.length
            )
            self.open_links.append(link)
            self.link_marks.append((self.images, len(self.alts)))
        quote = html_marker(tag, a) if ("class" in a or "id" in a or "type" in a) else 0
        if quote == 2 and self.quoted_from < 0:
            self.quoted_from = self.length
        if tag in _VOID:
            if tag in _BLOCK:
                self._newline()
            return
        style = a.get("style")
        skip = tag in _SKIP
        level = _EMPH_TAG.get(tag, 0)
        if tag == "font":
            try:
                if int(a.get("size", "0").strip("+")) >= 4:
                    level = 2
            except ValueError:
                pass
        if style:
            # templates repeat their styles: each distinct one is read once per body
            seen = self.styles.get(style)
            if seen is None:
                low = style.lower()
                seen = self.styles[style] = (
                    _HIDDEN.search(low) is not None,
                    _style_emphasis(low),
                )
            hidden = seen[0] or "hidden" in a
            level = max(level, seen[1])
        else:
            hidden = "hidden" in a
        self.stack.append((tag, skip, hidden, level, self.length, quote == 1))
        self.open_tags[tag] = self.open_tags.get(tag, 0) + 1
        self.skip += skip
        self.hidden += hidden

    def startendtag(self, tag: str, a: dict[str, str]) -> None:
        self.starttag(tag, a)
        if tag not in _VOID:
            self.endtag(tag)

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

    def endtag(self, tag: str) -> None:
        if self.open_tags.get(tag):
            stack = self.stack
            if stack[-1][0] == tag:
                self._pop()
                return
            # the innermost open element of that name (pops pay for the walk)
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == tag:
                    while len(stack) > i:
                        self._pop()
                    return
        if tag == "a" and self.open_links:
            self.close_link()
        if tag in _BLOCK:
            self._newline()

    def data(self, data: str) -> None:
        if self.skip or self.hidden:
            return
        if data.isspace():
            # layout between tags: whitespace stays whitespace under NFKC, one space here
            if self.last in "\n\t ":
                return
            self.parts.append(" ")
            self.length += 1
            self.last = " "
            return
        s = _WS.sub(" ", normalize(data))
        if not s:
            return
        if s[0] == " " and self.last in "\n\t ":
            s = s[1:]
            if not s:
                return
        self.parts.append(s)
        self.length += len(s)
        self.last = s[-1]


class _StdParser(HTMLParser):
    """The stdlib tokenizer driving a :class:`_Parser` (markup :func:`_tokenize` leaves)."""

    def __init__(self, out: _Parser) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.starttag_text = self.get_starttag_text() or ""
        self.out.starttag(tag, {k.lower(): (v or "") for k, v in attrs})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.starttag_text = self.get_starttag_text() or ""
        self.out.startendtag(tag, {k.lower(): (v or "") for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        self.out.endtag(tag)

    def handle_data(self, data: str) -> None:
        self.out.data(data)


# The tokenizer below is the stdlib's ``HTMLParser`` (CPython 3.11, convert_charrefs=True,
# fed the whole body then closed) with the same regular expressions and the same
# decisions, minus what the renderer does not use (positions, comments, declarations,
# processing instructions) and its per-token method calls. Marked sections ("<![if …]>",
# "<![CDATA[") are left to the stdlib parser (:class:`_Fallback`).
_STARTTAGOPEN = re.compile("<[a-zA-Z]")
_COMMENTCLOSE = re.compile(r"--\s*>")
_TAGFIND = re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*")
_ATTRFIND = re.compile(
    r"((?<=[\'\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*"
    r"(\'[^\']*\'|\"[^\"]*\"|(?![\'\"])[^>\s]*))?(?:\s|/(?!>))*"
)
_LOCATE_STARTTAG_END = re.compile(
    r"""
  <[a-zA-Z][^\t\n\r\f />\x00]*       # tag name
  (?:[\s/]*                          # optional whitespace before attribute name
    (?:(?<=['"\s/])[^\s/>][^\s/=>]*  # attribute name
      (?:\s*=+\s*                    # value indicator
        (?:'[^']*'                   # LITA-enclosed value
          |"[^"]*"                   # LIT-enclosed value
          |(?!['"])[^>\s]*           # bare value
         )
        \s*                          # possibly followed by a space
       )?(?:\s|/(?!>))*
     )*
   )?
  \s*                                # trailing whitespace
""",
    re.VERBOSE,
)
_ENDTAGFIND = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_CDATA_END = {
    "script": re.compile(r"</\s*script\s*>", re.I),
    "style": re.compile(r"</\s*style\s*>", re.I),
}
# a start tag of plain name="value" / name='value' / name=value / name attributes: read
# in one match, with the same tag, attributes and end as the general path below
_SIMPLE_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9]*+)"
    r"((?:[ \t\n\r\f]++[a-zA-Z_:][-a-zA-Z0-9_:.]*+"
    r"(?:=\"[^\"]*+\"|='[^']*+'|=(?![\'\"=])[^>\s]++)?+)*+)"
    r"[ \t\n\r\f]*+(/?)>"
)
# the common tokens in one match: text up to the next "<", a simple start tag (as
# above), an end tag "</name>"; anything else goes through the general path
_TOKEN = re.compile(r"([^<]++)|" + _SIMPLE_TAG.pattern + r"|</([a-zA-Z][-.a-zA-Z0-9:_]*+)\s*+>")
_SIMPLE_ATTR = re.compile(
    r"[ \t\n\r\f]++([a-zA-Z_:][-a-zA-Z0-9_:.]*+)(?:=\"([^\"]*+)\"|='([^']*+)'|=([^>\s]++))?+"
)
_NEEDS_MORE = "abcdefghijklmnopqrstuvwxyz=/ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class _Fallback(Exception):
    """Markup the tokenizer leaves to the stdlib parser."""


def _starttag(html: str, i: int, p: _Parser) -> tuple[int, str | None]:
    """A start tag at ``i``: its end (-1 if incomplete) and the CDATA element it opens."""
    m = _SIMPLE_TAG.match(html, i)
    if m is not None:
        tag, attr_text, slash = m.groups()
        tag = tag.lower()
        attrs = {}
        if attr_text:
            for name, dq, sq, bare in _SIMPLE_ATTR.findall(attr_text):
                value = dq or sq or bare
                attrs[name.lower()] = unescape(value) if "&" in value else value
        p.starttag_text = m.group(0)
        if slash:
            p.startendtag(tag, attrs)
            return m.end(), None
        p.starttag(tag, attrs)
        return m.end(), (tag if tag in _CDATA_END else None)
    m = _LOCATE_STARTTAG_END.match(html, i)
    if m is None:  # cannot happen after "<" + letter
        raise _Fallback
    j = m.end()
    nxt = html[j : j + 1]
    if nxt == ">":
        endpos = j + 1
    elif nxt == "/":
        if not html.startswith("/>", j):
            return -1, None
        endpos = j + 2
    elif not nxt or nxt in _NEEDS_MORE:
        return -1, None
    else:
        endpos = j if j > i else i + 1
    m = _TAGFIND.match(html, i + 1)
    if m is None:
        raise _Fallback
    k = m.end()
    tag = m.group(1).lower()
    attrs = {}
    while k < endpos:
        m = _ATTRFIND.match(html, k)
        if not m:
            break
        name, rest, value = m.group(1, 2, 3)
        if not rest:
            value = ""
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value and "&" in value:
            value = unescape(value)
        attrs[name.lower()] = value
        k = m.end()
    end = html[k:endpos].strip()
    if end != ">" and end != "/>":
        p.data(html[i:endpos])
        return endpos, None
    p.starttag_text = html[i:endpos]
    if end == "/>":
        p.startendtag(tag, attrs)
        return endpos, None
    p.starttag(tag, attrs)
    return endpos, (tag if tag in _CDATA_END else None)


def _endtag(html: str, i: int, p: _Parser, cdata: str | None) -> tuple[int, bool]:
    """An end tag at ``i``: its end (-1 if incomplete), and whether it ends CDATA."""
    gt = html.find(">", i + 1)
    if gt < 0:
        return -1, False
    gtpos = gt + 1
    m = _ENDTAGFIND.match(html, i)
    if m is None:
        if cdata is not None:
            p.data(html[i:gtpos])
            return gtpos, False
        nm = _TAGFIND.match(html, i + 2)
        if nm is None:
            if html.startswith("</>", i):
                return i + 3, False
            pos = html.find(">", i + 2)  # a bogus comment
            return (pos + 1 if pos >= 0 else -1), False
        gtpos = html.find(">", nm.end())
        p.endtag(nm.group(1).lower())
        return gtpos + 1, False
    elem = m.group(1).lower()
    if cdata is not None and elem != cdata:
        p.data(html[i:gtpos])
        return gtpos, False
    p.endtag(elem)
    return gtpos, True


def _tokenize(html: str, p: _Parser) -> None:
    """Feed ``html`` to ``p`` as ``HTMLParser(convert_charrefs=True)`` would."""
    n = len(html)
    i = 0
    find = html.find
    startswith = html.startswith
    data = p.data
    cdata: str | None = None  # the open <script> / <style>: only its end tag is markup
    token = _TOKEN.match
    attr_pairs = _SIMPLE_ATTR.findall
    while i < n:
        if cdata is None:
            m = token(html, i)
            if m is not None:
                text, tag, attr_text, slash, end = m.groups()
                if text is not None:
                    data(unescape(text) if "&" in text else text)
                elif end is not None:
                    p.endtag(end.lower())
                else:
                    tag = tag.lower()
                    attrs = {}
                    if attr_text:
                        for name, dq, sq, bare in attr_pairs(attr_text):
                            value = dq or sq or bare
                            attrs[name.lower()] = unescape(value) if "&" in value else value
                    if tag == "a":  # (the renderer reads a link's raw tag only)
                        p.starttag_text = m.group(0)
                    if slash:
                        p.startendtag(tag, attrs)
                    else:
                        p.starttag(tag, attrs)
                        if tag in _CDATA_END:
                            cdata = tag
                i = m.end()
                continue
            j = find("<", i)
            if j < 0:
                j = n
            if i < j:
                text = html[i:j]
                data(unescape(text) if "&" in text else text)
        else:
            m = _CDATA_END[cdata].search(html, i)
            if m is None:
                return  # an unclosed <script>/<style>: the rest is never shown
            j = m.start()
            if i < j:
                data(html[i:j])
        i = j
        if i == n:
            break
        if _STARTTAGOPEN.match(html, i):
            k, opened = _starttag(html, i, p)
            if opened is not None:
                cdata = opened
        elif startswith("</", i):
            k, closed = _endtag(html, i, p, cdata)
            if closed:
                cdata = None
        elif startswith("<!--", i):
            m = _COMMENTCLOSE.search(html, i + 4)
            k = m.end() if m else -1
        elif startswith("<?", i):
            k = find(">", i + 2)
            k = k + 1 if k >= 0 else -1
        elif startswith("<!", i):
            if startswith("<![", i):
                raise _Fallback
            k = find(">", i + 9 if html[i : i + 9].lower() == "<!doctype" else i + 2)
            k = k + 1 if k >= 0 else -1
        elif i + 1 < n:
            data("<")
            k = i + 1
        else:
            break
        if k < 0:
            k = find(">", i + 1)
            if k < 0:
                k = find("<", i + 1)
                if k < 0:
                    k = i + 1
            else:
                k += 1
            data(unescape(html[i:k]) if cdata is None else html[i:k])
        i = k
    if i < n and cdata is None:
        data(unescape(html[i:n]))


# The stdlib parser rescans to the end of the input from every "<" that does not end in
# a ">" before the next "<" ("<a<a<a…", "</</…": quadratic). A few are harmless (a "<"
# in a quoted attribute value); past this many, they are written as "&lt;", which the
# parser decodes to the same "<" it would have emitted as text.
_STRAY_LT_TOLERATED = 64
# a "<" with no ">" before the next "<" (or the end); the scans from each "<" stop at
# the next "<": one linear pass
_STRAY_LT = re.compile(r"<(?=[^<>]*+(?:<|\Z))")


def _defuse_stray_lt(html: str) -> str:
    """``html`` with each "<" followed by another "<" before any ">" escaped, if many."""
    if len(_STRAY_LT.findall(html)) <= _STRAY_LT_TOLERATED:
        return html
    stray = [m.start() for m in _STRAY_LT.finditer(html)]
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
    source = _defuse_stray_lt(html[:MAX_HTML_CHARS])
    p = _Parser()
    try:
        _tokenize(source, p)
    except _Fallback:
        p = _Parser()
        std = _StdParser(p)
        try:
            std.feed(source)
            std.close()
        except Exception:
            pass
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


def first_chars(pattern: str) -> str:
    """A lookahead on the characters an alternation can start with ("" when unknown).

    Known when every top-level alternative starts with a plain character (as
    :func:`factor` groups them); the lookahead then changes no match, it only lets a
    position that starts none fail at once.
    """
    chars: set[str] = set()
    for alt in _alternatives(pattern):
        head = alt[:1]
        if not head or head in "\\([.^$|" or alt[1:2] in ("?", "*", "+", "{"):
            return ""
        chars.add(head)
    return "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])"
