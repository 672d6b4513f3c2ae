"""A hostile mail or posted text cannot stall the server (issue 10, point 5).

The extraction engine runs in worker processes with bounded work; while it chews on
adversarial input, ``/healthz`` and SMTP keep answering promptly.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.helpers import make_inbox, otp_email, send
from tests.probes import LatencyProbe
from tests.servers import RunningServer

DIGITS_24K = "123456 " * 3430  # 24 kB: took ~11 s on the event loop before the fix
DIGITS_1M = "123456 " * (1_000_000 // 7)
PROBE_LIMIT = 0.25  # seconds; the one latency bound the issue asks for


def _digits_mail(to: str) -> bytes:
    return (
        f"From: Acme <no-reply@acme.test>\r\nTo: {to}\r\nSubject: Your code\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{DIGITS_24K}\r\n"
    ).encode()


def test_hostile_mail_and_text_do_not_stall_the_server(
    api: httpx.Client, server: RunningServer
) -> None:
    inbox = make_inbox(api)
    addr = str(inbox["email_address"])
    r = api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp"})
    assert r.status_code == 201, r.text
    wait: dict[str, Any] = r.json()
    with LatencyProbe(server) as probe:
        time.sleep(0.2)  # a few calm probes first
        send(server, addr, raw=_digits_mail(addr))  # resolves nothing: no code in it
        r = api.post("/api/v1/extract", json={"text": DIGITS_1M, "type": "auto"}, timeout=60)
        assert r.status_code == 201, r.text
        assert r.json()["value"] is None
        # the wait engine went through the hostile mail and still works
        send(server, addr, raw=otp_email(addr, "482 913"))
        done = api.get(f"/api/v1/waits/{wait['id']}", params={"block": "true"}, timeout=60).json()
        assert done["status"] == "completed" and done["result"]["value"] == "482913"
        time.sleep(0.3)
    assert len(probe.http) >= 5 and len(probe.smtp) >= 5
    probe.assert_responsive(PROBE_LIMIT)
