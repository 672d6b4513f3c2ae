"""The floor under every Waypost call: one GET through uvicorn with nothing behind it.

Three apps answer ``GET /x`` with the same small JSON body, each served by uvicorn as
``waypost serve`` serves (uvloop, httptools, no access log) in its own process: a bare ASGI
callable, a Starlette route, a FastAPI route. The client is httpx on one keep-alive
connection, as in ``request_costs.py`` and ``versus.py``. What a call costs above these is
Waypost's own work; what these cost is the client, the loopback and the HTTP server.

    .venv/bin/python bench/framework_floor.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import free_port, machine, percentile, stop_process

APPS = """
import json
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

BODY = {"status": "ok", "data": [{"id": "ses_01", "name": "bench", "metadata": {"k": 1}}]}
PAYLOAD = json.dumps(BODY).encode()


async def asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(PAYLOAD))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": PAYLOAD})


async def _route(request):
    return JSONResponse(BODY)


starlette = Starlette(routes=[Route("/x", _route)])
fastapi = FastAPI()


@fastapi.get("/x")
async def x() -> dict:
    return BODY
"""


def measure(app: str, where: Path, calls: int) -> dict[str, float]:
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", f"floor_apps:{app}", "--port", str(port)]
    args += ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(args, cwd=where)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/x").raise_for_status()
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.1)
            for _ in range(300):
                client.get("/x")
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                client.get("/x").raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        stop_process(proc)
    return {
        "p50": round(statistics.median(samples), 3),
        "p99": round(percentile(samples, 0.99), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    calls = parser.parse_args().calls
    print(machine())
    figures = {}
    with tempfile.TemporaryDirectory() as where:
        (Path(where) / "floor_apps.py").write_text(APPS)
        for app in ("asgi", "starlette", "fastapi"):
            figures[app] = measure(app, Path(where), calls)
            got = figures[app]
            print(f"{app:10s} GET /x   p50 {got['p50']:6.3f} ms   p99 {got['p99']:6.3f} ms")
    print(json.dumps({"bench": "framework_floor", "calls": calls, "ms": figures}))


if __name__ == "__main__":
    main()
