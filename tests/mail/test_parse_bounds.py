"""Bounded MIME parsing: caps hold, cost stays small, and the result matches the stdlib's.

waypost.mail.parse splits the MIME structure itself (the stdlib parses each header
block) because feedparser builds every part and costs O(lines x nesting depth).
"""

from __future__ import annotations

import time
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy
from pathlib import Path

import pytest

from waypost.mail import parse as P

MIME_DIR = Path(__file__).resolve().parent.parent / "data" / "mime"
MB10 = 10 * 1024 * 1024

_SYNTHETIC = {
    "cr_only": (
        b"Subject: cr\rContent-Type: multipart/mixed; boundary=b\r\r--b\rA: 1\r\rone\r--b--\r"
    ),
    "from_pushed_back": b"Subject: x\nFrom someone\n\nbody\n",
    "doubled_boundaries": (
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b\n--b--\nend\n"
    ),
    "no_close": b"Content-Type: multipart/mixed; boundary=b\n\npre\n--b\n\nx\n--b\n\ny\n",
    "digest": (
        b"Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: inner\n\nhi\n"
        b"--d\nContent-Type: text/plain\n\nplain\n--d--\n"
    ),
    "dsn": (
        b"Content-Type: multipart/report; boundary=r\n\n--r\n\nfailed\n--r\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: x\n\nAction: failed\n\n--r--\n"
    ),
    "nested_rfc822": (
        b"Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
        b"Content-Type: multipart/alternative; boundary=i\n\n--i\n\nA\n--i\n\nB\n--i--\n\n--o--\n"
    ),
    "no_boundary_param": b"Content-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n",
    "start_not_found": b"Content-Type: multipart/mixed; boundary=b\n\nno parts here\n--b--\ntail\n",
    "missing_separator": b"Subject: x\nnot a header line\nmore\n",
}


def _dump(msg: Message, out: list[object], depth: int = 0) -> list[object]:
    """Everything a parse decides: types, headers, preamble/epilogue, defects, payloads."""
    out.append(
        (
            depth,
            msg.get_content_type(),
            list(msg.raw_items()),
            msg.preamble,
            msg.epilogue,
            sorted(type(d).__name__ for d in msg.defects),
            msg.get_default_type(),
        )
    )
    payload = getattr(msg, "_payload", None)
    if isinstance(payload, list):
        for child in payload:
            _dump(child, out, depth + 1)
    else:
        out.append(payload)
    return out


def _cases() -> list[tuple[str, bytes]]:
    corpus = [(p.name, p.read_bytes()) for p in sorted(MIME_DIR.glob("*.eml"))]
    return corpus + sorted(_SYNTHETIC.items())


@pytest.mark.parametrize("pol", [policy.default, policy.compat32], ids=["default", "compat32"])
@pytest.mark.parametrize(("name", "raw"), _cases(), ids=[n for n, _ in _cases()])
def test_split_matches_stdlib_parser(name: str, raw: bytes, pol: Policy) -> None:
    try:
        expected = _dump(BytesParser(policy=pol).parsebytes(raw), [])
    except RecursionError:
        pytest.skip("the stdlib parser itself cannot parse this one")
    if max(x[0] for x in expected if isinstance(x, tuple)) >= P.MAX_DEPTH:
        pytest.skip("deeper than MAX_DEPTH: capped on purpose")
    text = raw.decode("ascii", "surrogateescape")
    assert _dump(P._build_message(text, pol, P._Budget()), []) == expected


def _cpu(func: object) -> float:
    started = time.process_time()
    func()  # type: ignore[operator]
    return time.process_time() - started


def test_many_parts_are_capped_in_document_order() -> None:
    parts = b"".join(b"--b\r\n\r\npart %d\r\n" % i for i in range(P.MAX_PARTS + 1000))
    raw = (
        b'Subject: many\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + parts
        + b"--b--\r\n"
    )
    result = P.parse_email(raw)
    assert result.text is not None
    lines = result.text.split("\n")
    assert lines[0] == "part 0" and lines[-1] == f"part {P.MAX_PARTS - 2}"  # root + 4999
    assert len(lines) == P.MAX_PARTS - 1
    assert any("too many MIME parts" in d for d in result.defects)


def test_833k_parts_cost_is_bounded() -> None:
    raw = (
        b'Subject: parts\r\nContent-Type: multipart/mixed; boundary="b00b"\r\n\r\n'
        + b"--b00b\r\n\r\n\r\n" * 833_325
        + b"--b00b--\r\n"
    )
    seconds = _cpu(lambda: P.parse_email(raw))
    assert seconds < 3, seconds  # minutes before; ~0.3 s here


def test_lines_times_depth_cost_is_bounded() -> None:
    # feedparser checks every line against every enclosing boundary: 157 s for this one
    head = b"Subject: d\r\n" + b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(P.MAX_DEPTH)
    )
    raw = head + b"Content-Type: text/plain\r\n\r\n" + b"\n" * (MB10 - len(head) - 100)
    result: list[P.ParsedEmail] = []
    seconds = _cpu(lambda: result.append(P.parse_email(raw)))
    assert seconds < 5, seconds  # ~0.7 s here
    assert result[0].subject == "d"


def test_deep_nesting_is_cut_at_max_depth() -> None:
    levels = 10_000
    raw = (
        "Subject: deep\r\n"
        + "".join(
            f'Content-Type: multipart/mixed; boundary="n{i}"\r\n\r\n--n{i}\r\n'
            for i in range(levels)
        )
        + "Content-Type: text/plain\r\n\r\nabyss\r\n"
        + "".join(f"--n{i}--\r\n" for i in reversed(range(levels)))
    ).encode()
    result: list[P.ParsedEmail] = []
    assert _cpu(lambda: result.append(P.parse_email(raw))) < 2
    assert result[0].text is None
    assert any(f"nesting deeper than {P.MAX_DEPTH}" in d for d in result[0].defects)


def test_oversized_header_block_is_cut() -> None:
    raw = b"Subject: big\r\n" + b"X-Filler: y\r\n" * 100_000 + b"\r\nthe body\r\n"
    result = P.parse_email(raw)
    assert result.subject == "big"
    assert result.text == "the body\n"
    assert len(result.headers) < 30_000
    assert any("header block larger than" in d for d in result.defects)


def test_parse_message_serves_attachments_without_reparsing() -> None:
    with_attachments = [
        p.read_bytes()
        for p in sorted(MIME_DIR.glob("*.eml"))
        if P.parse_email(p.read_bytes()).attachments
    ]
    assert with_attachments
    for raw in with_attachments:
        message = P.parse_message(raw)
        for att in message.email.attachments:
            assert message.attachment(att.index) == P.attachment_bytes(raw, att.index)
        assert message.attachment(len(message.email.attachments)) is None
        assert message.attachment(-1) is None
