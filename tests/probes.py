"""Probes for hostile-load tests: the server's latency, and the host's processes of a uid."""

from __future__ import annotations

import gc
import os
import smtplib
import threading
import time
from types import TracebackType

import httpx

from tests.servers import RunningServer
from waypost.heap import freeze_startup_heap

PROBE_INTERVAL = 0.05


class LatencyProbe:
    """Calls /healthz and NOOP (on one open SMTP session) in a thread; keeps the slowest.

    The server under test runs in this process, beside everything the test run has built:
    a full collection of that heap (hundreds of ms late in the suite, seen once as a 262 ms
    /healthz) is a pause of the test process, not of a server. A served process freezes its
    startup heap (:func:`waypost.heap.freeze_startup_heap`); the probe does the same with
    what is alive when it starts, for as long as it runs.
    """

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.http: list[float] = []
        self.smtp: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LatencyProbe:
        freeze_startup_heap()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        gc.unfreeze()

    def _run(self) -> None:
        host, port = self.server.smtp
        with (
            httpx.Client(base_url=self.server.base_url, timeout=30) as client,
            smtplib.SMTP(host, port, timeout=30) as smtp,
        ):
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    ok = client.get("/healthz").status_code == 200
                except httpx.HTTPError as exc:
                    self.errors.append(f"healthz: {exc!r}")
                    ok = True
                if not ok:
                    self.errors.append("healthz: not 200")
                self.http.append(time.perf_counter() - started)
                started = time.perf_counter()
                try:
                    code, _ = smtp.noop()
                except smtplib.SMTPException as exc:
                    self.errors.append(f"NOOP: {exc!r}")
                    code = 250
                if code != 250:
                    self.errors.append(f"NOOP: {code}")
                self.smtp.append(time.perf_counter() - started)
                self._stop.wait(PROBE_INTERVAL)

    def assert_responsive(self, bound: float = 0.25) -> None:
        """Every probe answered, none slower than `bound` seconds (the issue's 250 ms)."""
        assert not self.errors, self.errors
        assert self.http and self.smtp, "the probe never ran"
        slow_http, slow_smtp = max(self.http), max(self.smtp)
        assert slow_http < bound, f"GET /healthz took {slow_http * 1000:.0f} ms"
        assert slow_smtp < bound, f"SMTP NOOP took {slow_smtp * 1000:.0f} ms"


def uid_pids(uid: int) -> list[int]:
    """Host pids whose real uid is `uid` (a sandbox's processes, when the server is root)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", encoding="ascii", errors="replace") as fh:
                uid_line = next(line for line in fh if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if int(uid_line.split()[1]) == uid:
            found.append(int(name))
    return found
