"""Bounded mail parsing over a real server (issue 10, point 6).

A hostile message must cost bounded time to view, whatever its MIME structure, and
the parse must happen once per email, not once per request.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import httpx

from tests.helpers import emails_of, make_inbox, send
from tests.servers import RunningServer
from waypost.mail.parse import MAX_DEPTH, MAX_PARTS
from waypost.mail.store import EmailService

ISSUE_PARTS = 833_326  # the attacker's message: 833,326 empty parts in 10 MB


def _one_email(api: httpx.Client, server: RunningServer, raw: bytes) -> str:
    inbox = make_inbox(api)
    send(server, str(inbox["email_address"]), raw=raw)
    [summary] = emails_of(api, inbox["id"])
    return str(summary["id"])


def _timed_get(api: httpx.Client, email_id: str) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    r = api.get(f"/api/v1/emails/{email_id}")
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    return elapsed, data


def test_833k_empty_parts_first_view_is_fast_and_capped(
    api: httpx.Client, server: RunningServer
) -> None:
    head = (
        b"From: Mallory <m@evil.test>\r\nTo: victim@waypost.localhost\r\nSubject: parts\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b00b"\r\n\r\n'
        b"--b00b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
    )
    raw = head + b"--b00b\r\n\r\n\r\n" * (ISSUE_PARTS - 1) + b"--b00b--\r\n"
    assert 10_000_000 <= len(raw) <= server.settings.max_message_bytes
    # A wall-clock bound on a shared 2-core machine: a second, identical mail gets its own
    # first view if the machine stalled the first one (both fail when the parse is slow:
    # before the cap held it took 174 s).
    took = []
    for _ in range(2):
        email_id = _one_email(api, server, raw)
        elapsed, email = _timed_get(api, email_id)
        took.append(elapsed)
        if elapsed < 1.0:
            break
    assert min(took) < 1.0, f"first views took {', '.join(f'{t:.2f}' for t in took)} s"
    assert email["subject"] == "parts"
    assert str(email["text"]).startswith("first part")
    defects = [str(d) for d in email["defects"]]  # type: ignore[attr-defined]
    assert any(f"only the first {MAX_PARTS} parsed" in d for d in defects), defects
    assert email["size"] == len(raw)


def test_deeply_nested_multipart_is_bounded(api: httpx.Client, server: RunningServer) -> None:
    levels = 10_000
    nest = "".join(
        f'--n{i}\r\nContent-Type: multipart/mixed; boundary="n{i + 1}"\r\n\r\n'
        for i in range(levels)
    )
    raw = (
        "From: deep@evil.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="n0"\r\n\r\n'
        "--n0\r\nContent-Type: text/plain\r\n\r\nsurface text\r\n"
        + nest
        + f"--n{levels}\r\nContent-Type: text/plain\r\n\r\nabyss text\r\n"
        + "".join(f"--n{i}--\r\n" for i in reversed(range(levels + 1)))
    ).encode()
    email_id = _one_email(api, server, raw)

    elapsed, email = _timed_get(api, email_id)
    assert elapsed < 1.0, f"first view took {elapsed:.2f} s"
    assert email["subject"] == "deep"
    assert "surface text" in str(email["text"])
    assert "abyss text" not in str(email["text"])
    defects = [str(d) for d in email["defects"]]  # type: ignore[attr-defined]
    assert any(f"nesting deeper than {MAX_DEPTH}" in d for d in defects), defects


def test_parse_happens_once_per_email_not_per_request(
    api: httpx.Client, server: RunningServer
) -> None:
    msg = EmailMessage()
    msg["From"] = "a@acme.test"
    msg["Subject"] = "parse once"
    msg.set_content("body")
    msg.add_attachment(b"\x00\x01payload", maintype="application", subtype="octet-stream")
    email_id = _one_email(api, server, msg.as_bytes())

    before = EmailService.parses_total
    with ThreadPoolExecutor(8) as pool:  # concurrent first views share one parse
        views = list(pool.map(lambda _: api.get(f"/api/v1/emails/{email_id}"), range(8)))
    assert all(v.status_code == 200 for v in views)
    for _ in range(3):
        assert api.get(f"/api/v1/emails/{email_id}").json()["subject"] == "parse once"
        got = api.get(f"/api/v1/emails/{email_id}/attachments/0")
        assert got.status_code == 200 and got.content == b"\x00\x01payload"
    assert api.get(f"/api/v1/emails/{email_id}/attachments/1").status_code == 404
    assert EmailService.parses_total - before == 1
