"""The engine's fast paths give what the plain ways they replace give (issue 13).

Each test drives a fast path and a reference (the stdlib, or the former code kept
here) over random inputs built from fragments that hit their corner cases.
"""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from waypost.extract import _text, content_from_bytes, otp, quoted
from waypost.extract._url import _TRACKER_PATH, _VERIFY_PATH, Caseless
from waypost.extract.links import _IMAGE, _URL_ACTION, _URL_NEG

SHAPES = Path(__file__).resolve().parents[1] / "data" / "extract_shapes"

_HTML_FRAGMENTS = [
    "<",
    ">",
    "</",
    "<a",
    "<b>",
    "</b>",
    "<a href=x>",
    "<a href='y z'>",
    '<a href="u&amp;v">',
    "</a>",
    "<img alt=Hi>",
    "<img/>",
    "<br/>",
    "<br />",
    "<script>",
    "</script>",
    "</SCRIPT >",
    "<style>",
    "</style>",
    "<!--",
    "-->",
    "--!>",
    "<!doctype html>",
    "<!x>",
    "<?php ?>",
    "<![if !mso]>",
    "<![endif]>",
    "<![CDATA[x]]>",
    "&amp;",
    "&",
    "&#",
    "&#x41;",
    "&lt",
    "text ",
    "123456",
    " ",
    "\n",
    "\t",
    "<td>",
    "<tr>",
    "<p>",
    "<div style='display:none'>",
    "</div>",
    '<span style="font-size:24px">',
    "</span>",
    "<b",
    "<a b",
    "<a b=",
    "<a b='",
    '"',
    "'",
    "=",
    "/",
    "<x/y>",
    "<a/>",
    "</ a>",
    "</a b>",
    "<blockquote type=cite>",
    "<div class=gmail_quote>",
    "<div id=divRplyFwdMsg>",
    "<font size=5>",
    "<h1>",
    "</h1>",
    "<a hidden>",
    "< a>",
    "<1>",
    "</1>",
    "</>",
    "<a\n href=q>",
    "<tt>",
    "\u200b",
    "ｃｏｄｅ：",
    '<p title="x&quot;y">',
    " a=b",
    ' a="b c"',
    " a='b'",
    " a",
    " a=",
    '=""',
    ' style="font-weight:bold"',
    " href=https://x/",
    "/>",
    " A=B/",
    "<TD",
    "<Td Align=center",
    " b = c",
    "\x0b",
    "\xa0",
    " :x=1",
    " _y",
    ' z.q-r="&lt;"',
]


def _render(html: str, fast: bool) -> tuple[object, ...]:
    p = _text._Parser()
    if fast:
        try:
            _text._tokenize(html, p)
        except _text._Fallback:
            return ("fallback",)
    else:
        std = _text._StdParser(p)
        std.feed(html)
        std.close()
    links = [(k.href, k.start, k.end, k.has_img, k.alt, k.title) for k in p.links]
    return ("".join(p.parts), p.emph, links, p.quoted, p.quoted_from, p.stack)


def _check_html(html: str) -> None:
    fast = _render(html, True)
    if fast != ("fallback",):
        assert fast == _render(html, False), html


def test_tokenizer_renders_like_the_stdlib_parser_on_the_corpus() -> None:
    for path in sorted(SHAPES.glob("*.eml")):
        content = content_from_bytes(path.read_bytes())
        if content.html:
            _check_html(content.html)


def test_tokenizer_renders_like_the_stdlib_parser_on_broken_markup() -> None:
    rng = random.Random(13)
    for _ in range(4_000):
        _check_html("".join(rng.choice(_HTML_FRAGMENTS) for _ in range(rng.randint(1, 30))))


def test_marked_sections_go_to_the_stdlib_parser() -> None:
    html = "<p>a</p><![if !mso]><b>482913</b><![endif]>"
    assert _render(html, True) == ("fallback",)
    assert _text.parse_html(html).text.strip().endswith("482913")


def _normalize_reference(s: str) -> str:
    s = s.translate(_text._FULLWIDTH_PUNCT)
    return unicodedata.normalize("NFKC", s).translate(_text._ZERO_WIDTH)


def test_normalize_matches_the_plain_steps() -> None:
    rng = random.Random(3)
    pool = (
        "aZ09 \u00a0\uff0c\uff1a\u3001\u3002\uff1b\u200b\u00ad\u034f\u0301e\u00e9\uff21\u2460\ufb01"
    )
    for _ in range(5_000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 10)))
        assert _text.normalize(s) == _normalize_reference(s)


def test_a_whitespace_chunk_renders_as_one_space() -> None:
    for c in map(chr, range(0x110000)):
        if c.isspace():
            assert _text._WS.sub(" ", _text.normalize(c)) == " "


_MASK_FRAGMENTS = [
    *"0123456789abcdefABCDEFnNvV.:-/ ,%$€£¥+()№°º年月日時分hHaApPmM",
    "1.2.3.4",
    "12:30 pm",
    "fe80::1:2:3",
    "no. 5",
    "№12",
    "v1.2.3",
    "+1 (555) 123-4567",
    "2024-01-05",
    "12,345.67",
    "руб",
    "acme",
    ".com",
    ".COM",
    ".example",
    "x-y",
    "w.d",
]


def test_mask_guards_change_no_mask() -> None:
    unguarded = re.compile(otp._MASKS.pattern.removeprefix(otp._MASK_START), re.IGNORECASE)
    rng = random.Random(5)
    for _ in range(5_000):
        line = "".join(rng.choice(_MASK_FRAGMENTS) for _ in range(rng.randint(1, 20)))
        assert otp._MASKS.sub(otp._blank_masks, line) == unguarded.sub(otp._blank_masks, line)
        domains = otp._DOMAINS.sub(otp._blank, line)
        assert domains == line or otp._TLD.search(line), line


def _spans_reference(masked: str) -> list[tuple[int, int, list[str]]]:
    """The former grouping over every token, words included."""
    toks = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[0-9A-Za-z]+", masked)]
    out: list[tuple[int, int, list[str]]] = []
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i][2]
        if len(tok) > 5 or not (tok.isdigit() or tok.isupper()):
            out.append((toks[i][0], toks[i][1], [tok]))
            i += 1
            continue
        best, j, seps = -1, i, []
        while j + 1 < n and j - i < 7:
            sep = masked[toks[j][1] : toks[j + 1][0]]
            if not sep or len(sep) > 3 or sep.strip(" -\t\u2009") != "":
                break
            seps.append(sep)
            j += 1
            if otp._valid_group([t[2] for t in toks[i : j + 1]], seps):
                best = j
        if best > i:
            out.append((toks[i][0], toks[best][1], [t[2] for t in toks[i : best + 1]]))
            i = best + 1
        else:
            out.append((toks[i][0], toks[i][1], [toks[i][2]]))
            i += 1
    # words (a lower-case letter, no digit) have no shape: the scorer skips them
    return [s for s in out if not (len(s[2]) == 1 and s[2][0].isalpha() and not s[2][0].isupper())]


def test_spans_match_the_grouping_over_every_token() -> None:
    frags = [
        "A",
        "AB",
        "ABCD",
        "ABCDEF",
        "1",
        "12",
        "1234",
        "123456",
        "a",
        "ab",
        "Ab",
        "aB1",
        "A1",
        " ",
        "  ",
        "-",
        " - ",
        "\t",
        "\u2009",
        ".",
        "\x00",
        "EKHOE",
        "QX4T",
        "é",
    ]
    rng = random.Random(11)
    for _ in range(10_000):
        line = "".join(rng.choice(frags) for _ in range(rng.randint(1, 14)))
        assert otp._spans(line) == _spans_reference(line), line


@pytest.mark.parametrize(
    "pattern", [_URL_ACTION, _URL_NEG, _IMAGE, _TRACKER_PATH, _VERIFY_PATH], ids=str
)
def test_caseless_patterns_answer_like_ignorecase(pattern: Caseless) -> None:
    frags = [
        "verif",
        "VERIF",
        "Log-In",
        "/auth",
        "AUTH/",
        "one-TIME",
        ".PNG",
        "?",
        "/",
        "/url",
        "/R/",
        "api/v12/click",
        "x",
        "K",
        "s",
        "I",
        "\n",
        "Opt-Out",
        "ſ",
        "ı",
        "K",
        "İ",
    ]
    rng = random.Random(2)
    for _ in range(3_000):
        s = "".join(rng.choice(frags) for _ in range(rng.randint(0, 8)))
        assert pattern.search(s) == (pattern.pattern.search(s) is not None), s
        assert pattern.match(s) == (pattern.pattern.match(s) is not None), s


def test_forward_phrase_guard_changes_no_match() -> None:
    unguarded = re.compile(rf"(?:{quoted._FORWARD_PHRASES})")
    words = ["forwarded message", "original message", "mensaje reenviado", "转发的邮件", "x", " "]
    rng = random.Random(7)
    for _ in range(3_000):
        s = "".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        assert [m.span() for m in quoted._FORWARD.finditer(s)] == [
            m.span() for m in unguarded.finditer(s)
        ]
