"""Waypost's own work per call, without the network: the app called in process over ASGI.

Builds the app as ``waypost serve`` does (fresh SQLite data dir, lifespan run: migrations,
SMTP on a free port, the run queue), makes one API key, an inbox holding one mail and 50
sessions, then calls it directly (an ASGI scope, no socket, no HTTP parsing, no client)
``--calls`` times per call kind, and also times the service call under each read alone.
Prints µs p50 / mean per call. ``--profile KIND`` runs only that kind under cProfile
(cumulative, top 40); for sampling, run this under ``py-spy record``.

What ``request_costs.py`` measures over HTTP is this plus the client, loopback and
uvicorn (``framework_floor.py``), and the cache misses of two processes taking turns:
over HTTP the same work costs about 1.6x what it costs here.

    .venv/bin/python bench/asgi_costs.py [--calls 3000] [--profile get]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import smtplib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import free_port, machine, otp_email

from waypost.app import create_app
from waypost.config import Settings


class InProcess:
    """Calls an ASGI app the way uvicorn would, minus the socket."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.headers = [(b"authorization", f"Bearer {token}".encode()), (b"host", b"bench")]

    async def __call__(self, method: str, path: str, body: Any = None, query: bytes = b"") -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        headers = list(self.headers)
        if body is not None:
            headers += [(b"content-type", b"application/json")]
            headers += [(b"content-length", str(len(raw)).encode())]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query,
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 2),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # a disconnect never comes
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        status, chunks = 0, []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        assert status in (200, 201), (status, b"".join(chunks))
        return json.loads(b"".join(chunks))


async def run(calls: int, profile: str | None) -> dict[str, dict[str, float]]:
    data_dir = Path(tempfile.mkdtemp(prefix="waypost-asgi-"))
    smtp_port = free_port()
    settings = Settings(data_dir=data_dir, smtp_port=smtp_port, port=free_port())
    app = create_app(settings)
    figures: dict[str, dict[str, float]] = {}
    async with app.router.lifespan_context(app):
        svc = app.state.services
        _, token = await svc.keys.create("bench")
        user = await svc.keys.authenticate(token)
        call = InProcess(app, token)
        inbox = await call("POST", "/api/v1/inboxes", {})
        address = inbox["email_address"]
        await asyncio.to_thread(_send_mail, smtp_port, address)
        sessions = [
            (await call("POST", "/api/v1/sessions", {"name": "b"}))["id"] for _ in range(50)
        ]
        for _ in range(100):  # the mail is stored
            if (await svc.emails.list(user, inbox["id"], limit=1, cursor=None)).total:
                break
            await asyncio.sleep(0.05)
        wait = {"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 300}
        kinds: dict[str, Callable[[int], Awaitable[Any]]] = {
            "GET /healthz": lambda i: call("GET", "/healthz"),
            "GET /sessions/{id}": lambda i: call("GET", f"/api/v1/sessions/{sessions[i % 50]}"),
            "GET /sessions?limit=1": lambda i: call("GET", "/api/v1/sessions", query=b"limit=1"),
            "GET /inboxes/{id}/emails": lambda i: call(
                "GET", f"/api/v1/inboxes/{inbox['id']}/emails", query=b"limit=20"
            ),
            "  sessions.detail alone": lambda i: svc.sessions.detail(user, sessions[i % 50]),
            "  sessions.list alone": lambda i: svc.sessions.list(user, limit=1, cursor=None),
            "  emails.list alone": lambda i: svc.emails.list(
                user, inbox["id"], limit=20, cursor=None
            ),
            "POST /sessions": lambda i: call("POST", "/api/v1/sessions", {"name": "b"}),
            "POST /waits": lambda i: call("POST", "/api/v1/waits", wait),
        }
        for name, do in kinds.items():
            if profile and profile not in name:
                continue
            for i in range(200):
                await do(i)
            profiler = cProfile.Profile() if profile else None
            samples = []
            if profiler:
                profiler.enable()
            for i in range(calls):
                started = time.perf_counter()
                await do(i)
                samples.append((time.perf_counter() - started) * 1e6)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            got = {"p50": round(statistics.median(samples), 1)}
            got["mean"] = round(statistics.mean(samples), 1)
            figures[name.strip()] = got
            print(f"{name:28s} p50 {got['p50']:8.1f} µs   mean {got['mean']:8.1f} µs", flush=True)
    return figures


def _send_mail(port: int, address: str) -> None:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail("bench@example.com", [address], otp_email(address, "123456"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--profile", help="one call kind (a part of its name) under cProfile")
    ns = parser.parse_args()
    print(machine())
    figures = asyncio.run(run(ns.calls, ns.profile))
    print(json.dumps({"bench": "asgi_costs", "calls": ns.calls, "us": figures}))


if __name__ == "__main__":
    main()
