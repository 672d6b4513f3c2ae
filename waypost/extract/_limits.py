"""Work bounds of the extraction engine, and an optional counter of the work done.

The engine is linear in what it reads, and it reads a bounded prefix of each part of
a mail, so its cost is bounded whatever the input. Verification mails are short: over
the test sets and the dev corpus the longest visible body is under 1,000 characters,
the code is within the first 400 and no mail has more than 9 code-like candidates or
12 links; real-world ones (marketing footers included) stay under ~10,000 visible
characters. The caps below leave a wide margin above that.
"""

from __future__ import annotations

from dataclasses import dataclass

# characters of the subject considered
MAX_SUBJECT_CHARS = 1_000
# characters of a text/plain body, and of the visible text rendered from HTML
MAX_TEXT_CHARS = 20_000
# characters of raw HTML handed to the HTML parser (Gmail clips mails at ~102 kB)
MAX_HTML_CHARS = 200_000
# code-like occurrences scored per part (subject, text, html), in reading order
MAX_CANDIDATES = 200
# links scored per mail (anchors first, then URLs written in the text), in order
MAX_LINKS = 100
# longer URLs are not considered (browsers and servers stop at 8 kB)
MAX_URL_CHARS = 8_192
# bytes a click-tracker's compressed/encoded target may decode to
MAX_DECODED_BYTES = 65_536


@dataclass
class Work:
    """What one extraction looked at; filled in when passed to the extractors (tests)."""

    chars: int = 0  # characters of the parts scanned (after the caps)
    lines: int = 0  # lines looked at
    candidates: int = 0  # code-like occurrences scored
    window_chars: int = 0  # characters of the per-candidate context windows
    links: int = 0  # links scored
    url_chars: int = 0  # characters of the URLs scored
