"""The engine's work is bounded by its caps, and linear in the input below them.

No timing here (speed is measured by bench/extraction.py): the engine counts what it
looks at (:class:`waypost.extract.Work`) and these tests assert on those counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from waypost.extract import MailContent, Work, extract
from waypost.extract._limits import (
    MAX_CANDIDATES,
    MAX_LINKS,
    MAX_SUBJECT_CHARS,
    MAX_TEXT_CHARS,
    MAX_URL_CHARS,
)
from waypost.extract._text import _defuse_stray_lt, parse_html
from waypost.extract.links import _clean_text_url
from waypost.extract.otp import _AFTER, _STRIP, _Emphasis

MB = 1_000_000

# name -> (body of about n characters, is it HTML)
SHAPES: dict[str, tuple[Callable[[int], str], bool]] = {
    "digits and spaces": (lambda n: "123456 " * (n // 7), False),
    "many urls": (lambda n: "https://x.example/verify?token=Ab12Cd34Ef56&u=1 " * (n // 50), False),
    "many code-like tokens": (lambda n: "Your code: A1B2C3 or 482913. " * (n // 29), False),
    "one line of digits": (lambda n: "1" * n, False),
    "one line of letters and digits": (lambda n: "a1B2" * (n // 4), False),
    "one line of grouped digits": (lambda n: "12-34-56 " * (n // 9), False),
    "all capitals": (lambda n: "ABCDE FGHIJ " * (n // 12), False),
    "closing parentheses": (lambda n: "https://x.io/a" + ")" * n, False),
    "html emphasis": (lambda n: "<b>123456</b> " * (n // 14), True),
    "html links": (
        lambda n: (
            '<a href="https://x.example/verify?token=Ab12Cd34Ef56">Verify 123456</a>' * (n // 70)
        ),
        True,
    ),
    "html unclosed links and images": (
        lambda n: "<a href=https://x.io/a?token=abcdef123456><img alt=Verify>" * (n // 56),
        True,
    ),
    "html unclosed tags": (lambda n: "<b><i>1234 " * (n // 11) + "</x>" * (n // 4), True),
    "html stray angle brackets": (lambda n: "<a 1234 " * (n // 8), True),
}


def _work(shape: str, n: int) -> Work:
    make, html = SHAPES[shape]
    body = make(n)
    content = MailContent(
        subject="Your code", text=None if html else body, html=body if html else None
    )
    work = Work()
    extract(content, "auto", work)
    return work


@pytest.mark.parametrize("shape", SHAPES)
def test_work_on_1mb_is_bounded_by_the_caps(shape: str) -> None:
    work = _work(shape, MB)
    # "auto" runs both extractors over subject + one body
    assert work.chars <= 2 * (MAX_SUBJECT_CHARS + MAX_TEXT_CHARS)
    assert work.candidates <= 2 * MAX_CANDIDATES  # per part: subject, body
    assert work.links <= MAX_LINKS
    assert work.url_chars <= MAX_LINKS * MAX_URL_CHARS
    # every candidate reads a window of bounded size, never the rest of its line
    assert work.window_chars <= work.candidates * (90 + _AFTER)
    # past the caps, more input is no more work
    assert _work(shape, MB // 2) == work


@pytest.mark.parametrize("shape", SHAPES)
def test_work_grows_linearly_below_the_caps(shape: str) -> None:
    # equal steps of input, equal steps of work (up to one repetition of the pattern):
    # linear, where the former engine's per-candidate rescans grew quadratically
    w1, w2, w3 = (_work(shape, n) for n in (350, 700, 1_050))
    assert w3.candidates < MAX_CANDIDATES and w3.links < MAX_LINKS
    for field, slack in (
        ("chars", 100),
        ("lines", 2),
        ("candidates", 4),
        ("links", 2),
        ("window_chars", 4 * (90 + _AFTER)),
        ("url_chars", 200),
    ):
        a, b, c = (getattr(w, field) for w in (w1, w2, w3))
        assert abs((c - b) - (b - a)) <= slack, (field, a, b, c)
    assert w3.candidates + w3.links > 0 or w3.chars > 0


def test_a_real_code_after_much_hostile_text_is_still_found_within_the_caps() -> None:
    text = "Ref 1234 5678 9012 3456\n" * 50 + "Your verification code is 731904\n"
    assert len(text) < MAX_TEXT_CHARS
    assert extract(MailContent(subject="Your code", text=text), "otp").value == "731904"


def _emphasis_reference(
    text: str, emph: list[tuple[int, int, int]], a: int, b: int
) -> tuple[int, bool]:
    """The scorer's former per-candidate walk over every span."""
    raw = text[a:b]
    level, exact = 0, False
    for es, ee, lv in emph:
        if es <= a and ee >= b:
            level = max(level, lv)
            if text[es:ee].strip(_STRIP + "\n\t") == raw.strip():
                exact = True
    return level, exact if level else False


def test_emphasis_lookup_matches_the_former_walk() -> None:
    rng = random.Random(10)
    alphabet = "ab12 *:\n\t-"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        emph = []
        for _ in range(rng.randint(0, 8)):
            s = rng.randint(0, len(text) - 1)
            emph.append((s, rng.randint(s + 1, len(text)), rng.choice((1, 1, 2))))
        lookup = _Emphasis(text, emph)
        for a in range(len(text)):
            for b in range(a + 1, len(text) + 1):
                # candidates start and end with a letter or digit
                if not (text[a].isalnum() and text[b - 1].isalnum()):
                    continue
                assert lookup.level(a, b) == _emphasis_reference(text, emph, a, b), (
                    text,
                    emph,
                    a,
                    b,
                )


def _clean_reference(url: str) -> str:
    url = url.rstrip(".,;:!?*'\"»>")
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(".,;:!?*'\"")
    while url.endswith("]") and url.count("[") < url.count("]"):
        url = url[:-1]
    return url.replace("&amp;", "&")


def test_text_url_cleanup_matches_the_former_loop() -> None:
    rng = random.Random(5)
    for _ in range(2_000):
        tail = "".join(rng.choice("()[].,;:!?*'\"a") for _ in range(rng.randint(0, 12)))
        url = "https://x.io/" + "".join(rng.choice("()[]ab") for _ in range(4)) + tail
        assert _clean_text_url(url) == _clean_reference(url)


def test_stray_angle_brackets_are_defused_only_when_many() -> None:
    # a "<" inside a quoted attribute is left to the parser: the link survives
    one = '<a href="https://x.io/verify?token=Ab12Cd34Ef56" title="<Acme>">Verify</a>'
    assert _defuse_stray_lt(one) == one
    assert parse_html(one).links[0].text == "Verify"
    # "<a<a<a…" made the stdlib parser rescan to the end from every "<": escaped, the
    # visible text is what the parser emitted for them anyway
    many = "<a" * 1_000 + "<b>482913</b>"
    defused = _defuse_stray_lt(many)
    assert defused.count("&lt;") == 1_000 and defused.endswith("<b>482913</b>")
    assert parse_html(defused).text.endswith("482913")
