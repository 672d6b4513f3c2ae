"""Real Waypost servers for tests: in a thread (fast) or as a subprocess (for signals)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from waypost.app import create_app
from waypost.auth.keys import KeyService
from waypost.config import Settings
from waypost.db.database import Database

PG_ADMIN_URL = os.environ.get("WAYPOST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _admin(sql: str) -> None:
    """Run one admin statement on a loop of its own (in a thread: a session-scoped fixture may
    be set up from inside an async test's running loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_admin(sql)).result()


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test run; dropped afterwards."""
    name = f"waypost_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(data_dir: Path, database_url: str | None = None, **extra: object) -> Settings:
    return Settings(
        host="127.0.0.1",
        port=free_port(),
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        data_dir=data_dir,
        database_url=database_url,
        log_level="warning",
        **extra,  # type: ignore[arg-type]
    )


def create_key(settings: Settings, user: str) -> str:
    """A real API key, made through the key service against the server's database."""

    async def go() -> str:
        db = Database(settings.resolved_database_url())
        try:
            _, token = await KeyService(db).create(user)
            return token
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:  # usable from sync and async tests alike
        return pool.submit(asyncio.run, go()).result()


@dataclass
class RunningServer:
    settings: Settings

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    @property
    def smtp(self) -> tuple[str, int]:
        return self.settings.smtp_host, self.settings.smtp_port

    def key(self, user: str) -> str:
        return create_key(self.settings, user)

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.key(user)}"},
            timeout=30,
        )


class ThreadServer(RunningServer):
    """uvicorn + SMTP on their own event loop in a background thread."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings),
            host=self.settings.host,
            port=self.settings.port,
            log_level="warning",
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        asyncio.run(self._server.serve())

    def start(self) -> ThreadServer:
        self._thread.start()
        wait_healthy(self.base_url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=15)


class SubprocessServer(RunningServer):
    """``waypost serve`` as a child process, so tests can send it real signals."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SubprocessServer:
        s = self.settings
        args = [
            sys.executable, "-m", "waypost.cli", "serve",
            "--host", s.host, "--port", str(s.port),
            "--smtp-host", s.smtp_host, "--smtp-port", str(s.smtp_port),
            "--data-dir", str(s.data_dir), "--log-level", "warning",
        ]  # fmt: skip
        if s.database_url:
            args += ["--database-url", s.database_url]
        if s.smtp_workers:
            args += ["--smtp-workers", str(s.smtp_workers)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_healthy(self.base_url, self.proc)
        return self

    def signal(self, sig: signal.Signals) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=20)

    def output(self) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.read().decode(errors="replace")


def wait_healthy(
    base_url: str,
    proc: subprocess.Popen[bytes] | None = None,
    timeout: float = 30,
    *,
    path: str = "/healthz",
    output: Callable[[], str] | None = None,
) -> None:
    """Until ``path`` answers 200; a server that exits first raises with its output
    (``output``, or what it wrote to its stdout pipe)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            if output is not None:
                out = output()
            else:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode}:\n{out}")
        try:
            if httpx.get(f"{base_url}{path}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    tail = f":\n{output()}" if output is not None else ""
    raise RuntimeError(f"server at {base_url} did not answer 200 on {path}{tail}")
