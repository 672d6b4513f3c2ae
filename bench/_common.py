"""Shared helpers for the server benchmarks (not a benchmark itself).

- start a real ``waypost serve`` subprocess on free ports, with a fresh data dir or a
  scratch PostgreSQL database that is dropped afterwards, and an API key;
- a cluster's parts: ``waypost serve`` replicas and ``waypost worker`` processes on one
  database, a private ``redis-server``;
- a raw-socket asyncio SMTP client (per-message DATA→250 latency, and a multi-session
  load generator used when postfix's ``smtp-source`` is not available);
- a do-nothing aiosmtpd server (the ceiling of one Python SMTP event loop).

The two SMTP pieces can also be run as subprocesses, so that they never share an
event loop (or a GIL) with the code that measures::

    python bench/_common.py raw-smtp --port P
    python bench/_common.py smtp-load --port P --to ADDR --messages N --sessions C --size B
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
WAYPOST = VENV_BIN / "waypost"
PYTHON = sys.executable
COMMON_PY = Path(__file__).resolve()
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
SMTP_SOURCE = ROOT / "tools" / "postfix" / "usr" / "sbin" / "smtp-source"
SMTP_SOURCE_LIBS = ROOT / "tools" / "postfix" / "usr" / "lib" / "postfix"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; NaN for an empty list."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> str:
    """One line describing where the figures come from."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def cpu_seconds(*pids: int) -> float:
    """User + system CPU time processes and their live children have used (Linux /proc)."""
    return sum(sum(process_cpu_seconds(pid).values()) for pid in pids)


def process_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time (user + system) of ``pid`` and of each live child, by pid (Linux /proc)."""
    seconds: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: parent pid
            ticks = int(fields[11]) + int(fields[12])
            seconds[int(stat.parent.name)] = ticks / os.sysconf("SC_CLK_TCK")
    return seconds


# --------------------------------------------------------------------------- waypost server


@dataclass
class Waypost:
    """A running ``waypost serve`` subprocess."""

    http_url: str
    smtp_port: int
    key: str
    data_dir: Path
    database_url: str | None
    proc: subprocess.Popen[bytes]
    log_path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header for the bench user."""
        return {"Authorization": f"Bearer {self.key}"}

    def client(self, **kwargs: Any) -> httpx.Client:
        """A synchronous client with the key set."""
        return httpx.Client(base_url=self.http_url, headers=self.headers, timeout=30, **kwargs)

    def create_inbox(self) -> tuple[str, str]:
        """A new inbox: (id, email address)."""
        with self.client() as c:
            r = c.post("/api/v1/inboxes", json={})
            r.raise_for_status()
            body = r.json()
        return str(body["id"]), str(body["email_address"])

    def email_total(self, inbox_id: str) -> int:
        """How many emails the inbox holds, as the API reports it."""
        with self.client() as c:
            r = c.get(f"/api/v1/inboxes/{inbox_id}/emails", params={"limit": 1})
            r.raise_for_status()
            return int(r.json()["total"])


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """Create a fresh PostgreSQL database, yield its SQLAlchemy URL, drop it afterwards."""
    import asyncpg  # the server's own driver; already in the venv

    name = f"waypost_bench_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.format(name=name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def scratch_dir(kept: Path | None, prefix: str) -> Iterator[Path]:
    """Where third-party servers are installed: ``kept`` (``--scratch``: made if missing,
    reused, left in place), else a fresh directory under /tmp, removed afterwards."""
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept.resolve()
        return
    scratch = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def waypost_server(
    database: str = "sqlite", log_level: str = "warning", extra_args: tuple[str, ...] = ()
) -> Iterator[Waypost]:
    """Start waypost on free ports with fresh storage; stop it (SIGTERM) and clean up after."""
    data_dir = Path(tempfile.mkdtemp(prefix="waypost-bench-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, data_dir, True)
        db_url = stack.enter_context(scratch_postgres()) if database == "postgres" else None
        where = ["--data-dir", str(data_dir)]
        if db_url:
            where += ["--database-url", db_url]
        out = subprocess.run(
            [str(WAYPOST), "keys", "create", "--user", "bench", *where],
            check=True,
            capture_output=True,
            text=True,
        )
        key = out.stdout.strip().splitlines()[-1].strip()
        port, smtp_port = free_port(), free_port()
        log_path = data_dir / "server.log"
        log_file = stack.enter_context(log_path.open("wb"))
        proc = subprocess.Popen(
            [
                str(WAYPOST),
                "serve",
                "--port",
                str(port),
                "--smtp-port",
                str(smtp_port),
                *where,
                "--log-level",
                log_level,
                *extra_args,
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop_process, proc)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/healthz", proc, log_path)
        yield Waypost(url, smtp_port, key, data_dir, db_url, proc, log_path)


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL after 20 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log, indented ('' if it cannot be read)."""
    with contextlib.suppress(OSError):
        text = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join("    " + line for line in text)
    return ""


def wait_http(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> None:
    """Wait until ``url`` answers 200; raise with the log's end if the server exits or never
    does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited early:\n{log_tail(log_path)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{log_tail(log_path)}")


def wait_tcp(port: int, proc: subprocess.Popen[Any] | None = None, timeout: float = 30) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("process exited before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


@contextlib.contextmanager
def raw_smtp_server(protocol: str = "aiosmtpd") -> Iterator[tuple[int, int]]:
    """Run a do-nothing SMTP server in a subprocess; yield its port and pid.

    ``protocol``: ``aiosmtpd`` (its stock protocol class) or ``waypost`` (the tuned
    subclass waypost serves with, :class:`waypost.mail.protocol.WaypostSMTP`).
    """
    port = free_port()
    proc = subprocess.Popen(
        [PYTHON, str(COMMON_PY), "raw-smtp", "--port", str(port), "--protocol", protocol]
    )
    try:
        wait_tcp(port, proc)
        yield port, proc.pid
    finally:
        stop_process(proc)


# --------------------------------------------------------------------------- clusters


@dataclass
class Replica:
    """One ``waypost serve`` of a cluster (processes on one database and one Redis)."""

    name: str
    port: int
    smtp_port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 180) -> None:
        """Until ``/readyz`` answers 200 (migrated, Redis subscribed)."""
        wait_http(f"{self.url}/readyz", self.proc, self.log_path, timeout=timeout)


@contextlib.contextmanager
def private_redis(workdir: Path) -> Iterator[tuple[str, int]]:
    """A ``redis-server`` of our own on a free port, nothing persisted: (its URL, its pid).
    The machine's Redis is shared with the tests and other runs."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    args += ["no", "--dir", str(workdir)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_tcp(port, proc, timeout=10)
        yield f"redis://127.0.0.1:{port}/0", proc.pid
    finally:
        stop_process(proc)


def cluster_env(redis_url: str) -> dict[str, str]:
    """The environment every process of one cluster shares: its Redis under a channel
    prefix of its own, and one secret key (workers decrypt what replicas encrypted)."""
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "WAYPOST_REDIS_URL": redis_url,
        "WAYPOST_REDIS_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
        "WAYPOST_SECRET_KEY": Fernet.generate_key().decode(),
    }


def start_serve(
    stack: contextlib.ExitStack,
    workdir: Path,
    name: str,
    database_url: str,
    env: dict[str, str],
    *extra_args: str,
    data_dir: Path | None = None,
) -> Replica:
    """Start ``waypost serve`` on free ports, its log ``workdir/<name>.log``, stopped
    (SIGTERM) when ``stack`` closes. Returns at once: :meth:`Replica.wait_ready`."""
    port, smtp_port = free_port(), free_port()
    log_path = workdir / f"{name}.log"
    log = stack.enter_context(log_path.open("wb"))
    args = [
        str(WAYPOST), "serve", "--port", str(port), "--smtp-port", str(smtp_port),
        "--data-dir", str(data_dir or workdir / name), "--database-url", database_url,
        "--log-level", "warning", *extra_args,
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    stack.callback(stop_process, proc)
    return Replica(name, port, smtp_port, proc, log_path)


def start_worker(
    stack: contextlib.ExitStack,
    workdir: Path,
    name: str,
    database_url: str,
    env: dict[str, str],
    data_dir: Path,
    timeout: float = 60,
) -> subprocess.Popen[bytes]:
    """Start ``waypost worker`` (log ``workdir/<name>.log``) and wait until it says it is
    ready; stopped (SIGTERM: it drains) when ``stack`` closes."""
    log_path = workdir / f"{name}.log"
    log = stack.enter_context(log_path.open("wb"))
    args = [
        str(WAYPOST), "worker", "--data-dir", str(data_dir), "--database-url", database_url,
        "--log-level", "info",  # info: the only way to hear "ready" (it serves no HTTP)
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    stack.callback(stop_process, proc)
    deadline = time.monotonic() + timeout
    while " ready\n" not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name}: the worker did not start:\n{log_tail(log_path)}")
        time.sleep(0.1)
    return proc


def create_key(database_url: str, env: dict[str, str], user: str = "bench") -> str:
    """``waypost keys create`` on the cluster's database: the new API key."""
    out = subprocess.run(
        [str(WAYPOST), "keys", "create", "--user", user, "--database-url", database_url],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return out.stdout.strip().splitlines()[-1].strip()


# --------------------------------------------------------------------------- SMTP client


def otp_email(to: str, code: str) -> bytes:
    """A plain-text verification email carrying ``code`` (shown as ``123 456``)."""
    return (
        f"From: Acme <no-reply@acme.test>\r\nTo: {to}\r\nSubject: Your Acme verification code\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Your verification code is:\r\n\r\n{code[:3]} {code[3:]}\r\n\r\n"
        "It expires in 10 minutes.\r\n"
    ).encode()


async def hold_blocked_wait(port: int, key: str, wait_id: str, answered: dict[str, float]) -> None:
    """Hold ``GET /api/v1/waits/{id}?block=true`` on a bare socket; note when it answers.

    A bare socket per blocked call: httpx's pool with 1,000 requests in flight costs the
    client more than the server spends answering."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /api/v1/waits/{wait_id}?block=true HTTP/1.1\r\nHost: bench\r\n"
        f"Authorization: Bearer {key}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    answered[wait_id] = time.perf_counter()
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    body = await reader.readexactly(length)
    writer.close()
    assert head.startswith(b"HTTP/1.1 200") and b'"completed"' in body, body


def make_message(size: int, to: str, n: int) -> bytes:
    """A ~``size``-byte plain-text message, dot-stuffing-safe, CRLF line ends."""
    head = (
        f"From: Bench <bench@example.test>\r\nTo: <{to}>\r\nSubject: bench message {n}\r\n"
        f"Message-ID: <bench-{n}-{uuid.uuid4().hex}@example.test>\r\n"
        "Date: Thu, 01 Jan 2025 00:00:00 +0000\r\n\r\n"
    ).encode()
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n"
    body = line * max(1, (size - len(head)) // len(line) + 1)
    return head + body[: max(0, size - len(head))] + b"\r\n"


class SMTPClient:
    """A minimal ESMTP client on asyncio streams: one connection, messages in sequence."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> SMTPClient:
        """Connect, read the greeting and say EHLO."""
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        client = cls(reader, writer)
        await client._expect(220)
        await client.command(b"EHLO bench.example.test", 250)
        return client

    async def _reply(self) -> tuple[int, str]:
        lines = []
        while True:
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            lines.append(line.decode(errors="replace").rstrip())
            if line[3:4] != b"-":
                return int(line[:3]), "\n".join(lines)

    async def _expect(self, code: int) -> str:
        got, text = await self._reply()
        if got != code:
            raise SMTPError(got, text)
        return text

    async def command(self, line: bytes, code: int) -> str:
        """Send one command line and require reply ``code``."""
        self.writer.write(line + b"\r\n")
        return await self._expect(code)

    async def send(self, mail_from: str, to: str, message: bytes) -> float:
        """Send one message; returns seconds from the end of DATA (``.``) to the 250."""
        await self.command(f"MAIL FROM:<{mail_from}>".encode(), 250)
        await self.command(f"RCPT TO:<{to}>".encode(), 250)
        await self.command(b"DATA", 354)
        self.writer.write(message)
        await self.writer.drain()
        start = time.perf_counter()
        self.writer.write(b".\r\n")
        await self._expect(250)
        return time.perf_counter() - start

    async def close(self) -> None:
        """QUIT and close."""
        with contextlib.suppress(Exception):
            self.writer.write(b"QUIT\r\n")
            await asyncio.wait_for(self._reply(), 2)
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


class SMTPError(Exception):
    """An unexpected SMTP reply."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code


@dataclass
class LoadResult:
    """What a load run did."""

    ok: int
    failed: int
    seconds: float
    latencies: list[float]

    def to_json(self) -> str:
        """Serialise (for the subprocess form)."""
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> LoadResult:
        """Parse the subprocess form's output."""
        return cls(**json.loads(text))


async def smtp_load(
    port: int, to: str, messages: int, sessions: int, size: int, stop: asyncio.Event | None = None
) -> LoadResult:
    """Send ``messages`` over ``sessions`` persistent connections; per-message latencies."""
    remaining = messages
    ok = failed = 0
    latencies: list[float] = []

    async def session(index: int) -> None:
        nonlocal remaining, ok, failed
        client = await SMTPClient.connect(port)
        try:
            while remaining > 0 and not (stop and stop.is_set()):
                remaining -= 1
                try:
                    latencies.append(
                        await client.send("bench@example.test", to, make_message(size, to, index))
                    )
                    ok += 1
                except SMTPError:
                    failed += 1
                    await client.command(b"RSET", 250)
        finally:
            await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(session(i) for i in range(sessions)))
    return LoadResult(ok, failed, time.perf_counter() - start, latencies)


def smtp_load_args(port: int, to: str, messages: int, sessions: int, size: int) -> list[str]:
    """Arguments for ``python bench/_common.py smtp-load``."""
    return [
        "smtp-load",
        "--port",
        str(port),
        "--to",
        to,
        "--messages",
        str(messages),
        "--sessions",
        str(sessions),
        "--size",
        str(size),
    ]


def run_smtp_load_subprocess(
    port: int, to: str, messages: int, sessions: int, size: int
) -> LoadResult:
    """:func:`smtp_load` in its own Python process (so the caller's loop is not loaded)."""
    out = subprocess.run(
        [PYTHON, str(COMMON_PY), *smtp_load_args(port, to, messages, sessions, size)],
        check=True,
        capture_output=True,
        text=True,
    )
    return LoadResult.from_json(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- raw aiosmtpd


class NullHandler:
    """Accepts every recipient and every message, stores nothing; advertises PIPELINING
    as waypost does (aiosmtpd handles pipelined commands but does not say so, and
    smtp-source pipelines only when told)."""

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [responses[0], "250-PIPELINING", *responses[1:]]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


async def _serve_raw(port: int, protocol: str) -> None:
    from aiosmtpd.smtp import SMTP

    from waypost.mail.protocol import WaypostSMTP

    loop = asyncio.get_running_loop()
    handler = NullHandler()
    smtp = WaypostSMTP if protocol == "waypost" else SMTP
    server = await loop.create_server(
        lambda: smtp(handler, decode_data=False, enable_SMTPUTF8=True, hostname="raw.bench"),
        "127.0.0.1",
        port,
    )
    async with server:
        await server.serve_forever()


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    raw = sub.add_parser("raw-smtp", help="do-nothing aiosmtpd server")
    raw.add_argument("--port", type=int, required=True)
    raw.add_argument("--protocol", choices=["aiosmtpd", "waypost"], default="aiosmtpd")
    load = sub.add_parser("smtp-load", help="Python SMTP load client; prints JSON")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--to", required=True)
    load.add_argument("--messages", type=int, default=5000)
    load.add_argument("--sessions", type=int, default=16)
    load.add_argument("--size", type=int, default=2048)
    args = parser.parse_args(argv)
    if args.cmd == "raw-smtp":
        # The loop waypost serves on (uvloop, which uvicorn[standard] brings), so that the
        # ceiling is measured on equal terms.
        import uvloop

        with contextlib.suppress(KeyboardInterrupt):
            uvloop.run(_serve_raw(args.port, args.protocol))
        return 0
    result = asyncio.run(smtp_load(args.port, args.to, args.messages, args.sessions, args.size))
    print(result.to_json())
    return 0


if __name__ == "__main__":
    import logging
    import signal

    logging.basicConfig(level=logging.WARNING)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.exit(_main(sys.argv[1:]))
