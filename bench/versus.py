"""Waypost side by side with two other servers, in one run on this machine (issue 14).

1. Agent runs against LangGraph's dev server. One "run" is a new conversation plus one
   user message answered:

   - LangGraph (``langgraph dev``, the in-memory dev server of ``langgraph-cli[inmem]``)
     serving bench/versus/echo_graph.py, a one-node graph that answers with the user's
     message: ``POST /threads`` then ``POST /threads/{id}/runs/wait``;
   - Waypost with a scripted agent (one text turn, no model call):
     ``POST /api/v1/sandboxes/{box}/sessions`` then the blocking
     ``POST /api/v1/sessions/{id}/messages``.

   Measured: ``--runs`` runs one after another (p50/p99 of a whole run), then
   ``--clients`` concurrent clients for ``--duration`` seconds (runs/s, p50/p99), with
   the server process's CPU use. Aim: Waypost >= 3x LangGraph's runs/s at 16 clients.

   ``langgraph dev`` is run as its CLI runs it: one process (uvicorn, no reload), the
   in-memory runtime, ``--n-jobs-per-worker`` = ``--clients`` (so that every client's run
   can execute at once; its default is 10), blockbuster on (its dev default), tracing and
   CLI analytics off. Its queue polls: when a look finds nothing it sleeps 0.5 s, and it
   takes only runs created before the look began, so each run waits 0.5-1 s before it
   executes (in a few ms). Its latency, and its runs/s until the job slots are full,
   measure that poll; the server CPU per run is printed to show the work itself.

2. Mail list calls against maildev (npm ``maildev``) holding one mail: its list API,
   ``GET /email`` (``GET /api/email`` from maildev 3), against Waypost's
   ``GET /api/v1/inboxes/{id}/emails?limit=20``, ``GET /api/v1/sessions?limit=1`` and
   ``GET /api/v1/sessions/{id}`` for a session whose inbox holds one mail, over
   ``--calls`` calls each on one keep-alive connection (p50/p99). Aim: a Waypost list
   or get within 2x of maildev's list call.

The third-party servers are installed at run time into a scratch directory under /tmp
(``python -m venv`` + pip, ``npm install --prefix``) and removed afterwards, unless
``--scratch DIR`` names a directory to keep and reuse. A server that cannot be
installed or started is skipped with a message (exit code 0). Each server runs alone:
it is started for its part and stopped after it. The client is httpx in this process,
sharing the machine's cores with the server it measures. The last line is JSON with
every figure.

Usage: .venv/bin/python bench/versus.py [--database sqlite|postgres] [--duration 20]
       [--clients 16] [--runs 100] [--calls 2000] [--skip-langgraph] [--skip-maildev]
       [--scratch DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    cpu_seconds,
    free_port,
    log_tail,
    machine,
    percentile,
    scratch_dir,
    stop_process,
    wait_http,
    waypost_server,
)

import waypost

HERE = Path(__file__).resolve().parent
LANGGRAPH_CONFIG = HERE / "versus" / "langgraph.json"
LANGGRAPH_PACKAGES = "langgraph-cli[inmem]"
LANGGRAPH_VERSIONS = (
    "langgraph-cli",
    "langgraph-api",
    "langgraph-runtime-inmem",
    "langgraph",
    "langgraph-checkpoint",
    "langchain-core",
    "uvicorn",
    "starlette",
)
INSTALL_TIMEOUT = 900
USER_TEXT = "hello from the benchmark"

Run = Callable[[httpx.AsyncClient], Awaitable[None]]


# --------------------------------------------------------------------------- figures


@dataclass
class Figures:
    """Latencies of one measurement (seconds) and what it took."""

    latencies: list[float]
    seconds: float
    errors: int = 0
    cpu_seconds: float = 0.0  # the server process's (and its children's) CPU time

    @property
    def rate(self) -> float:
        """Completed operations per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def server_cpu(self) -> float:
        """The server's CPU use over the measurement, in cores (1.0 = one core busy)."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_op(self) -> float:
        """Server CPU milliseconds per completed operation."""
        return self.cpu_seconds * 1000 / len(self.latencies) if self.latencies else 0.0

    def p(self, q: float) -> float:
        """The ``q`` quantile in milliseconds."""
        return percentile(self.latencies, q) * 1000

    def as_dict(self) -> dict[str, float | int]:
        """The figures for the JSON line."""
        return {
            "n": len(self.latencies),
            "per_s": round(self.rate, 1),
            "p50_ms": round(self.p(0.50), 2),
            "p99_ms": round(self.p(0.99), 2),
            "errors": self.errors,
            "server_cpu": round(self.server_cpu, 2),
            "server_cpu_ms_per_op": round(self.cpu_ms_per_op, 2),
        }

    def line(self, label: str) -> str:
        """One printed row."""
        return (
            f"  {label:<50} {self.rate:8.1f}/s  p50 {self.p(0.50):8.2f} ms  "
            f"p99 {self.p(0.99):8.2f} ms  errors {self.errors}  "
            f"server CPU {self.server_cpu:.2f} cores, {self.cpu_ms_per_op:.2f} ms/op"
        )


def ratio(a: float, b: float) -> float | None:
    """a / b, or None when b is zero."""
    return round(a / b, 2) if b else None


# --------------------------------------------------------------------------- installs


def run_logged(cmd: list[str], log: Path, cwd: Path | None = None) -> bool:
    """Run an install command, its output appended to ``log``; True when it succeeded."""
    with log.open("ab") as out:
        out.write(f"$ {' '.join(cmd)}\n".encode())
        out.flush()
        try:
            done = subprocess.run(
                cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, timeout=INSTALL_TIMEOUT
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.write(f"failed: {exc}\n".encode())
            return False
    return done.returncode == 0


def install_langgraph(scratch: Path) -> tuple[Path, dict[str, str]] | None:
    """A venv under ``scratch`` with ``langgraph-cli[inmem]``: (its ``langgraph``, versions)."""
    venv = scratch / "langgraph-venv"
    langgraph = venv / "bin" / "langgraph"
    log = scratch / "langgraph-install.log"
    if not langgraph.exists():
        print(f"installing {LANGGRAPH_PACKAGES} into {venv} (log: {log}) ...", flush=True)
        ok = run_logged([sys.executable, "-m", "venv", str(venv)], log) and run_logged(
            [str(venv / "bin" / "pip"), "install", "-q", LANGGRAPH_PACKAGES],
            log,
        )
        if not ok or not langgraph.exists():
            print(f"LangGraph: could not install {LANGGRAPH_PACKAGES}; skipped.\n{log_tail(log)}")
            return None
    listing = subprocess.run(
        [str(venv / "bin" / "pip"), "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
    )
    installed = {p["name"].lower(): p["version"] for p in json.loads(listing.stdout or "[]")}
    return langgraph, {name: installed.get(name, "?") for name in LANGGRAPH_VERSIONS}


def install_maildev(scratch: Path) -> tuple[Path, dict[str, str]] | None:
    """``npm install --prefix`` maildev under ``scratch``: (its CLI script, versions)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        print("maildev: node or npm is not installed; skipped.")
        return None
    prefix = scratch / "maildev"
    package = prefix / "node_modules" / "maildev" / "package.json"
    log = scratch / "maildev-install.log"
    if not package.exists():
        print(f"installing maildev into {prefix} (log: {log}) ...", flush=True)
        prefix.mkdir(parents=True, exist_ok=True)
        cmd = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "maildev"]
        if not run_logged(cmd, log) or not package.exists():
            print(f"maildev: could not install it; skipped.\n{log_tail(log)}")
            return None
    meta = json.loads(package.read_text())
    bin_field = meta.get("bin", {})
    script = bin_field if isinstance(bin_field, str) else bin_field.get("maildev", "")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    return package.parent / script, {"maildev": meta["version"], "node": node_version.strip()}


# --------------------------------------------------------------------------- servers


@contextlib.contextmanager
def langgraph_server(
    langgraph: Path, scratch: Path, jobs: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``langgraph dev`` on a free port, cwd a fresh dir under ``scratch``: (url, process)."""
    workdir = Path(tempfile.mkdtemp(prefix="langgraph-dev-", dir=scratch))
    # langgraph dev resolves graph paths against its cwd, and keeps its in-memory state
    # there (.langgraph_api/): run it in the scratch dir, the graph path made absolute.
    config = json.loads(LANGGRAPH_CONFIG.read_text())
    config["dependencies"] = [str(LANGGRAPH_CONFIG.parent)]
    config["graphs"] = {
        name: str((LANGGRAPH_CONFIG.parent / spec).resolve()) if ":" in spec else spec
        for name, spec in config["graphs"].items()
    }
    (workdir / "langgraph.json").write_text(json.dumps(config))
    port = free_port()
    log = workdir / "server.log"
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
    }
    cmd = [
        str(langgraph),
        "dev",
        "--config",
        str(workdir / "langgraph.json"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
        "--n-jobs-per-worker",
        str(jobs),
        "--server-log-level",
        "warning",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/ok", proc, log, timeout=120)
        yield url, proc
    finally:
        stop_process(proc)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def maildev_server(script: Path, scratch: Path) -> Iterator[tuple[str, int, str]]:
    """maildev on free ports, mails in memory: (web url, SMTP port, list path)."""
    smtp_port, web_port = free_port(), free_port()
    log = scratch / "maildev-server.log"
    cmd = ["node", str(script), "--smtp", str(smtp_port), "--web", str(web_port)]
    cmd += ["--ip", "127.0.0.1", "--web-ip", "127.0.0.1"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=scratch, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{web_port}"
        deadline = time.monotonic() + 60
        while True:  # maildev 1-2 serve the list at /email, maildev 3 at /api/email
            path = next((p for p in ("/email", "/api/email") if _answers(url + p)), None)
            if path:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"maildev did not start:\n{log_tail(log, 30)}")
            time.sleep(0.2)
        yield url, smtp_port, path
    finally:
        stop_process(proc)


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=2).status_code == 200
    return False


# --------------------------------------------------------------------------- part 1: runs


async def langgraph_run(client: httpx.AsyncClient) -> None:
    """One run against LangGraph: a new thread, then one message answered by the echo graph."""
    thread = await client.post("/threads", json={})
    thread.raise_for_status()
    reply = await client.post(
        f"/threads/{thread.json()['thread_id']}/runs/wait",
        json={
            "assistant_id": "echo",
            "input": {"messages": [{"role": "user", "content": USER_TEXT}]},
        },
    )
    reply.raise_for_status()
    if reply.json()["messages"][-1]["content"] != USER_TEXT:
        raise RuntimeError(f"unexpected answer: {reply.text[:300]}")


def waypost_agent(http: httpx.Client) -> str:
    """A scripted agent that answers ``echo``, and a sandbox for it: the sandbox's id."""
    agent = http.post(
        "/api/v1/agents",
        json={
            "name": "echo",
            "chat_model_config": {
                "type": "scripted",
                "parameters": {"turns": [[{"type": "text", "text": "echo"}]]},
            },
        },
    )
    agent.raise_for_status()
    box = http.post("/api/v1/sandboxes", json={"agent_id": agent.json()["id"]})
    box.raise_for_status()
    return str(box.json()["id"])


def waypost_runner(box: str) -> Run:
    """One run against Waypost: a new session in ``box``, then one message answered."""

    async def run(client: httpx.AsyncClient) -> None:
        session = await client.post(f"/api/v1/sandboxes/{box}/sessions", json={})
        session.raise_for_status()
        reply = await client.post(
            f"/api/v1/sessions/{session.json()['id']}/messages", json={"content": USER_TEXT}
        )
        reply.raise_for_status()
        if reply.json()["content"][0]["text"] != "echo":
            raise RuntimeError(f"unexpected answer: {reply.text[:300]}")

    return run


async def one_after_another(
    url: str, headers: dict[str, str], run: Run, runs: int, pid: int
) -> Figures:
    """``runs`` runs in sequence on one connection."""
    return await concurrent(url, headers, run, 1, math.inf, pid, runs)


async def concurrent(
    url: str,
    headers: dict[str, str],
    run: Run,
    clients: int,
    duration: float,
    pid: int | Sequence[int],
    runs: int | None = None,
) -> Figures:
    """``clients`` loops, each starting runs until ``duration`` is over (or ``runs`` runs
    have been started); runs/s counts the runs completed over the time until the last one
    ended. The CPU figure is that of ``pid`` (one or several server processes)."""
    latencies: list[float] = []
    errors = started = 0
    pids = (pid,) if isinstance(pid, int) else tuple(pid)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=120, limits=limits
    ) as client:

        async def loop(deadline: float) -> None:
            nonlocal errors, started
            while time.perf_counter() < deadline and (runs is None or started < runs):
                started += 1
                began = time.perf_counter()
                try:
                    await run(client)
                    latencies.append(time.perf_counter() - began)
                except (httpx.HTTPError, RuntimeError, KeyError) as exc:
                    errors += 1
                    if errors == 1:
                        print(f"    first error: {exc!r}")

        cpu0, start = cpu_seconds(*pids), time.perf_counter()
        await asyncio.gather(*(loop(start + duration) for _ in range(clients)))
        elapsed = time.perf_counter() - start
    return Figures(latencies, elapsed, errors, cpu_seconds(*pids) - cpu0)


def measure_runs(
    name: str, url: str, headers: dict[str, str], run: Run, pid: int, args: argparse.Namespace
) -> dict[str, Figures]:
    """Warm up, then the sequential and the concurrent measurement; prints both."""
    warm_runs = max(10, args.runs // 10)
    asyncio.run(one_after_another(url, headers, run, warm_runs, pid))
    asyncio.run(concurrent(url, headers, run, args.clients, min(3.0, args.duration), pid))
    seq = asyncio.run(one_after_another(url, headers, run, args.runs, pid))
    print(seq.line(f"{name}: {args.runs} runs one after another"), flush=True)
    conc = asyncio.run(concurrent(url, headers, run, args.clients, args.duration, pid))
    print(conc.line(f"{name}: {args.clients} clients for {args.duration:g} s"), flush=True)
    return {"sequential": seq, "concurrent": conc}


def part_runs(args: argparse.Namespace, scratch: Path, report: dict[str, Any]) -> None:
    """Part 1: LangGraph dev's runs against Waypost's, sequential and concurrent."""
    print("\n== part 1: a new conversation + one message answered (one run) ==", flush=True)
    lg: dict[str, Figures] | None = None
    if args.skip_langgraph:
        print("LangGraph: skipped (--skip-langgraph)")
    elif installed := install_langgraph(scratch):
        langgraph, versions = installed
        report["versions"]["langgraph"] = versions
        print("LangGraph versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
        jobs = args.langgraph_jobs or args.clients
        print(f"langgraph dev: 1 process, --n-jobs-per-worker {jobs}, in-memory runtime")
        try:
            with langgraph_server(langgraph, scratch, jobs) as (url, proc):
                lg = measure_runs("LangGraph dev", url, {}, langgraph_run, proc.pid, args)
        except RuntimeError as exc:
            print(f"LangGraph: could not start `langgraph dev`; skipped.\n{exc}")

    with waypost_server(args.database) as wp, wp.client() as http:
        run = waypost_runner(waypost_agent(http))
        name = f"Waypost ({args.database})"
        ours = measure_runs(name, wp.http_url, wp.headers, run, wp.proc.pid, args)

    report["runs"] = {
        "waypost": {k: f.as_dict() for k, f in ours.items()},
        "langgraph": {k: f.as_dict() for k, f in lg.items()} if lg else None,
    }
    if lg:
        rate = ratio(ours["concurrent"].rate, lg["concurrent"].rate)
        seq_p50 = ratio(lg["sequential"].p(0.5), ours["sequential"].p(0.5))
        cpu = ratio(lg["concurrent"].cpu_ms_per_op, ours["concurrent"].cpu_ms_per_op)
        report["runs"]["ratio_runs_per_s"] = rate
        report["runs"]["ratio_sequential_p50_langgraph_over_waypost"] = seq_p50
        report["runs"]["ratio_cpu_per_run_langgraph_over_waypost"] = cpu
        verdict = "meets" if rate is not None and rate >= 3 else "misses"
        print(
            f"  Waypost/LangGraph runs/s at {args.clients} clients: {rate}x "
            f"({verdict} the >= 3x aim); one after another, LangGraph's p50 is "
            f"{seq_p50}x Waypost's; server CPU per run, LangGraph/Waypost: {cpu}x"
        )
        print(
            "  (langgraph dev's in-memory queue looks for pending runs every 0.5 s when idle,\n"
            "   taking only runs created before the look began: a run waits 0.5-1 s for it,\n"
            "   so its latency and its runs/s at few clients measure that poll, not CPU)"
        )


# --------------------------------------------------------------------------- part 2: mail


def send_mail(smtp_port: int, to: str) -> None:
    """One small plain-text mail over SMTP."""
    message = (
        f"From: Bench <bench@example.test>\r\nTo: <{to}>\r\nSubject: versus bench\r\n"
        "Message-ID: <versus-bench@example.test>\r\nDate: Thu, 01 Jan 2025 00:00:00 +0000\r\n"
        "\r\nHello from bench/versus.py.\r\n"
    )
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.sendmail("bench@example.test", [to], message)


def time_get(url: str, path: str, headers: dict[str, str], calls: int, pid: int) -> Figures:
    """``calls`` GETs of ``path`` on one keep-alive connection, after ``calls // 10`` warm-up
    calls; the last answer must be 200."""
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for _ in range(max(50, calls // 10)):
            client.get(path).raise_for_status()
        latencies: list[float] = []
        cpu0, start = cpu_seconds(pid), time.perf_counter()
        for _ in range(calls):
            began = time.perf_counter()
            reply = client.get(path)
            latencies.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start
        reply.raise_for_status()
    return Figures(latencies, elapsed, 0, cpu_seconds(pid) - cpu0)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll ``check`` until it holds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


def measure_maildev(script: Path, scratch: Path, calls: int) -> Figures | None:
    """maildev's list call with one mail stored."""
    try:
        with maildev_server(script, scratch) as (url, smtp_port, path):
            send_mail(smtp_port, "someone@example.test")
            wait_until(lambda: len(httpx.get(url + path).json()) == 1, "maildev to list the mail")
            pid = _listener_pid(url)
            figures = time_get(url, path, {}, calls, pid)
            print(figures.line(f"maildev GET {path} (1 mail)"), flush=True)
            return figures
    except (RuntimeError, OSError, smtplib.SMTPException) as exc:
        print(f"maildev: could not run it; skipped.\n{exc}")
        return None


def _listener_pid(url: str) -> int:
    """The pid of the process listening on ``url``'s port (the maildev node process)."""
    port = url.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    with contextlib.suppress(ValueError, IndexError):
        return int(out.stdout.split("pid=", 1)[1].split(",", 1)[0])
    return os.getpid()  # no ss: CPU figures are then this process's


def measure_waypost_mail(database: str, calls: int) -> dict[str, Figures]:
    """Waypost's list and get calls for a session whose inbox holds one mail."""
    results: dict[str, Figures] = {}
    with waypost_server(database) as wp:
        with wp.client() as http:
            session = http.post("/api/v1/sessions", json={"name": "versus"})
            session.raise_for_status()
            sid = session.json()["id"]
            inbox = http.post("/api/v1/inboxes", json={"session_id": sid})
            inbox.raise_for_status()
        inbox_id, address = inbox.json()["id"], inbox.json()["email_address"]
        send_mail(wp.smtp_port, address)
        wait_until(lambda: wp.email_total(inbox_id) == 1, "Waypost to store the mail")
        paths = {  # key: (label, path)
            "list_emails": ("inboxes/{id}/emails?limit=20", f"inboxes/{inbox_id}/emails?limit=20"),
            "list_sessions": ("sessions?limit=1", "sessions?limit=1"),
            "get_session": ("sessions/{id}", f"sessions/{sid}"),
        }
        for key, (label, path) in paths.items():
            figures = time_get(wp.http_url, "/api/v1/" + path, wp.headers, calls, wp.proc.pid)
            print(figures.line(f"Waypost GET /api/v1/{label}"), flush=True)
            results[key] = figures
    return results


def part_mail(args: argparse.Namespace, scratch: Path, report: dict[str, Any]) -> None:
    """Part 2: maildev's list call against Waypost's list and get calls."""
    print(f"\n== part 2: list/get calls, one mail stored, {args.calls} calls each ==", flush=True)
    md: Figures | None = None
    if args.skip_maildev:
        print("maildev: skipped (--skip-maildev)")
    elif installed := install_maildev(scratch):
        script, versions = installed
        report["versions"]["maildev"] = versions
        print(f"maildev {versions['maildev']} on node {versions['node']}")
        md = measure_maildev(script, scratch, args.calls)

    ours = measure_waypost_mail(args.database, args.calls)
    report["mail"] = {
        "maildev_list": md.as_dict() if md else None,
        "waypost": {k: f.as_dict() for k, f in ours.items()},
    }
    if md:
        ratios = {k: ratio(f.p(0.5), md.p(0.5)) for k, f in ours.items()}
        report["mail"]["ratio_p50_waypost_over_maildev"] = ratios
        best = min((r for r in ratios.values() if r is not None), default=None)
        verdict = "meets" if best is not None and best <= 2 else "misses"
        shown = ", ".join(f"{k} {r}x" for k, r in ratios.items())
        print(f"  p50 Waypost/maildev list: {shown} ({verdict} the within-2x aim)")


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds, concurrent part")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=100, help="runs one after another")
    parser.add_argument("--calls", type=int, default=2000, help="GETs per endpoint, part 2")
    parser.add_argument(
        "--langgraph-jobs", type=int, default=0, help="langgraph dev's --n-jobs-per-worker"
    )
    parser.add_argument("--skip-langgraph", action="store_true")
    parser.add_argument("--skip-maildev", action="store_true")
    parser.add_argument(
        "--scratch", type=Path, help="keep the installs in this directory and reuse them"
    )
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"machine: {machine()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"waypost {waypost.__version__}, database {args.database}; client httpx {httpx.__version__}"
    )
    report: dict[str, Any] = {
        "machine": machine(),
        "database": args.database,
        "clients": args.clients,
        "duration_s": args.duration,
        "runs": None,
        "mail": None,
        "versions": {"waypost": waypost.__version__, "httpx": httpx.__version__},
    }
    with scratch_dir(args.scratch, "waypost-versus-") as scratch:
        part_runs(args, scratch, report)
        part_mail(args, scratch, report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
