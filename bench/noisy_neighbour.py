"""Noisy neighbours (issue 10): signup latency while eight agents run hostile tools.

Starts a real ``waypost serve`` (SQLite, or ``--database postgres``) and eight scripted
agents, each in a sandbox of its own, whose scripts are ``--turns`` calls of one hostile
tool (kinds dealt round-robin over the eight):

- ``grep``: the backtracking pattern ``(a+)+$`` over a ~1 MB file of ``aaaa…!`` lines
  (20,000 lines, written first with ``yes … | head``);
- ``glob``: ``**/*.nomatch`` over ``--files`` empty files (made first with one
  ``run_command``: ``mkdir d && cd d && seq N | xargs touch``);
- ``fork``: the fork bomb ``:(){ :|:& };:; sleep 100`` (max_processes 64, 5 s timeout);
- ``output``: 1 GB on stdout, ``head -c 1000000000 /dev/zero | tr '\\0' a``;
- ``busy``: ``while :; do :; done`` (2 s timeout).

A ninth client does signups one after another, ``--signups`` of them spread over
``--seconds``, alternating two shapes: the blocking workflow (``POST
/api/v1/workflows/create-inbox-and-wait`` streamed, ``inbox.created`` first), and
``respond: "immediately"`` followed by a blocked ``GET /api/v1/waits/{id}?block=true``.
For each it sends the verification email over SMTP and measures from the end of DATA
(``.``) to the moment the blocked call answers; the ``250`` itself is timed too. A
separate process polls ``GET /healthz`` and ``GET /api/v1/sessions?limit=5`` every
~20 ms. The same workload runs twice (more with ``--rounds``): quiet, then with the
hostile agents looping (a finished script is restarted in a new session). Prints a
table, hostile/quiet ratios (aim: within 2x) and one JSON line.

Run it as root: the server then runs each sandbox's commands as an unprivileged uid of
its own, which is what makes the fork bomb's process limit bind.

    .venv/bin/python bench/noisy_neighbour.py [--seconds 30] [--signups 150] [--files 150000]
                                              [--turns 50] [--rounds 1] [--database postgres]
                                              [--demote]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, SMTPClient, Waypost, machine, otp_email, percentile, waypost_server

from waypost.sandbox.identity import identity_for

THIS = Path(__file__).resolve()
AGENTS = 8
KINDS = ("grep", "glob", "fork", "output", "busy")
POLL_MS = 20.0
WARMUP_SECONDS = 3.0  # hostile runs start this long before the measured phase

LIMITS: dict[str, dict[str, Any]] = {
    "grep": {"tool_timeout_seconds": 10},
    "glob": {"tool_timeout_seconds": 10, "command_timeout_seconds": 600},
    "fork": {"max_processes": 64, "command_timeout_seconds": 5},
    "output": {"command_timeout_seconds": 30},
    "busy": {"command_timeout_seconds": 2, "cpu_seconds": 10},
}


def tool(name: str, input: dict[str, Any], id: str) -> list[dict[str, Any]]:
    return [{"type": "tool_use", "id": id, "name": name, "input": input}]


def hostile_call(kind: str, i: int) -> list[dict[str, Any]]:
    """One turn of the hostile script of ``kind``."""
    if kind == "grep":
        return tool("grep", {"pattern": "(a+)+$", "path": "big.txt"}, f"g{i}")
    if kind == "glob":
        return tool("glob", {"pattern": "**/*.nomatch"}, f"b{i}")
    command = {
        "fork": ":(){ :|:& };:; sleep 100",
        "output": "head -c 1000000000 /dev/zero | tr '\\0' a",
        "busy": "while :; do :; done",
    }[kind]
    return tool("run_command", {"command": command}, f"c{i}")


def setup_turns(kind: str, files: int) -> list[list[dict[str, Any]]]:
    """What an agent's sandbox needs before its hostile script (played by a setup agent)."""
    if kind == "grep":  # made by a command: a 1 MB script would weigh on every session list
        line = "a" * 48 + "!"
        return [tool("run_command", {"command": f"yes {line} | head -n 20000 > big.txt"}, "w")]
    if kind == "glob":
        make = f"mkdir -p d && cd d && seq {files} | xargs touch"
        return [
            tool("run_command", {"command": make}, "m"),
            tool("run_command", {"command": "ls d | wc -l"}, "n"),
        ]
    return []


def create_agent(http: httpx.Client, name: str, turns: list[Any]) -> str:
    body = {
        "name": name,
        "chat_model_config": {"type": "scripted", "parameters": {"turns": turns}},
        "react_config": {"max_iters": len(turns) + 1},
    }
    r = http.post("/api/v1/agents", json=body)
    r.raise_for_status()
    return str(r.json()["id"])


def prepare(
    server: Waypost, turns: int, files: int, kinds: tuple[str, ...] = KINDS
) -> list[dict[str, str]]:
    """Eight hostile agents, each with its sandbox set up; returns their descriptions."""
    agents: list[dict[str, str]] = []
    with httpx.Client(base_url=server.http_url, headers=server.headers, timeout=900) as http:
        for n in range(AGENTS):
            kind = kinds[n % len(kinds)]
            script = [hostile_call(kind, i) for i in range(turns)]
            script.append([{"type": "text", "text": "done"}])
            agent = create_agent(http, f"hostile-{kind}-{n}", script)
            box = http.post(
                "/api/v1/sandboxes", json={"agent_id": agent, "limits": LIMITS[kind]}
            ).json()
            agents.append({"kind": kind, "agent_id": agent, "sandbox_id": str(box["id"])})

        def set_up(entry: dict[str, str]) -> str:
            setup = setup_turns(entry["kind"], files)
            if not setup:
                return ""
            # A client per thread: a shared pool may hand out a keep-alive connection the
            # server is closing at that moment (connection reset).
            with httpx.Client(base_url=server.http_url, headers=server.headers, timeout=900) as own:
                helper = create_agent(own, "setup", [*setup, [{"type": "text", "text": "ok"}]])
                sid = own.post(
                    f"/api/v1/sandboxes/{entry['sandbox_id']}/sessions", json={"agent_id": helper}
                ).json()["id"]
                own.post(f"/api/v1/sessions/{sid}/messages", json={"content": "set up"})
                messages = own.get(f"/api/v1/sessions/{sid}").json()["messages"]
            results = [
                block
                for m in messages
                for block in m["content"]
                if block.get("type") == "tool_result"
            ]
            bad = [r for r in results if r.get("is_error")]
            if bad or len(results) != len(setup):
                raise RuntimeError(f"setup of {entry['kind']} failed: {results}")
            return str(results[-1]["content"]).strip()

        started = time.perf_counter()
        with ThreadPoolExecutor(AGENTS) as pool:
            outputs = list(pool.map(set_up, agents))
        for entry, out in zip(agents, outputs, strict=True):
            if entry["kind"] == "glob":
                counts = [line for line in out.splitlines() if line.strip().isdigit()]
                entry["files"] = counts[0].strip() if counts else "?"
        print(f"setup: {time.perf_counter() - started:.1f} s")
    # Warm-up, not measured: the first signups pay for lazy imports and first connections.
    asyncio.run(signup_loop(server, 6, 1.0))
    return agents


# --------------------------------------------------------------------------- the ninth client


async def signup_loop(server: Waypost, count: int, seconds: float) -> dict[str, Any]:
    """``count`` signups paced over ``seconds``; per-signup latencies in ms."""
    to_answer: list[float] = []
    after_250: list[float] = []
    data_250: list[float] = []
    by_shape: dict[str, list[float]] = {"workflow": [], "wait": []}
    failures: list[str] = []
    worst: list[tuple[float, str, float, float]] = []
    wrong = 0
    smtp = await SMTPClient.connect(server.smtp_port)
    timeout = httpx.Timeout(60, read=None)
    async with httpx.AsyncClient(
        base_url=server.http_url, headers=server.headers, timeout=timeout
    ) as http:

        async def send(address: str, code: str) -> tuple[float, float]:
            nonlocal smtp
            try:
                took = await smtp.send("no-reply@acme.test", address, otp_email(address, code))
            except (ConnectionError, OSError):
                smtp = await SMTPClient.connect(server.smtp_port)
                took = await smtp.send("no-reply@acme.test", address, otp_email(address, code))
            at_250 = time.perf_counter()
            return at_250 - took, at_250

        async def streamed(code: str) -> tuple[float, float, float, str | None]:
            body = {"wait_type": "otp", "timeout_seconds": 60}
            async with http.stream(
                "POST",
                "/api/v1/workflows/create-inbox-and-wait",
                json=body,
                headers={"Accept": "text/event-stream"},
            ) as r:
                lines = r.aiter_lines()
                event = ""
                while True:
                    line = await anext(lines)
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == "inbox.created":
                        address = json.loads(line[6:])["inbox"]["email_address"]
                        break
                sent, at_250 = await send(address, code)
                answered = 0.0
                while True:
                    line = await anext(lines)
                    if line.startswith("event: wait."):
                        answered = time.perf_counter()
                        if line != "event: wait.completed":
                            raise RuntimeError(line)
                    elif line.startswith("data: ") and answered:
                        result = json.loads(line[6:])["wait"]["result"]
                        return sent, at_250, answered, result and result["value"]

        async def blocked(code: str) -> tuple[float, float, float, str | None]:
            body = {"wait_type": "otp", "timeout_seconds": 60, "respond": "immediately"}
            r = await http.post("/api/v1/workflows/create-inbox-and-wait", json=body)
            r.raise_for_status()
            made = r.json()

            async def hold() -> tuple[float, httpx.Response]:
                got = await http.get(f"/api/v1/waits/{made['wait']['id']}?block=true")
                return time.perf_counter(), got

            holder = asyncio.create_task(hold())
            await asyncio.sleep(0.02)  # let the long poll reach the server first
            sent, at_250 = await send(made["inbox"]["email_address"], code)
            answered, got = await holder
            wait = got.json()
            if got.status_code != 200 or wait["status"] != "completed":
                raise RuntimeError(f"{got.status_code} {got.text[:200]}")
            return sent, at_250, answered, wait["result"] and wait["result"]["value"]

        start = time.perf_counter()
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i * seconds / count - time.perf_counter()))
            shape = "workflow" if i % 2 == 0 else "wait"
            code = f"{100000 + i * 7919 % 900000}"
            try:
                run = streamed if shape == "workflow" else blocked
                sent, at_250, answered, value = await asyncio.wait_for(run(code), 90)
            except Exception as exc:
                failures.append(f"{shape}: {type(exc).__name__}: {exc}"[:300])
                continue
            wrong += value != code
            to_answer.append((answered - sent) * 1000)
            by_shape[shape].append((answered - sent) * 1000)
            after_250.append((answered - at_250) * 1000)
            data_250.append((at_250 - sent) * 1000)
            worst.append(((answered - sent) * 1000, shape, sent - start, (at_250 - sent) * 1000))
        elapsed = time.perf_counter() - start
    await smtp.close()
    return {
        "to_answer": to_answer,
        "after_250": after_250,
        "data_250": data_250,
        "by_shape": by_shape,
        "failures": failures,
        "wrong_values": wrong,
        "worst": sorted(worst, reverse=True)[:3],
        "seconds": elapsed,
    }


# --------------------------------------------------------------------------- subprocesses


async def poll(url: str, key: str, seconds: float) -> dict[str, list[float]]:
    """GET /healthz and GET /api/v1/sessions?limit=5, each every ~20 ms, for ``seconds``."""
    out: dict[str, list[float]] = {"healthz": [], "sessions": [], "errors": []}
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {key}"}

    async def loop(name: str, path: str) -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    r = await http.get(path)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - began
                out[name if ok else "errors"].append(took * 1000)
                await asyncio.sleep(max(0.0, POLL_MS / 1000 - took))

    await asyncio.gather(loop("healthz", "/healthz"), loop("sessions", "/api/v1/sessions?limit=5"))
    return out


async def drive(url: str, key: str, agents: list[dict[str, str]]) -> dict[str, Any]:
    """Keep every hostile agent running (a new session when a script ends) until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sessions: list[dict[str, str]] = []
    completed: Counter[str] = Counter()
    failed: list[str] = []
    headers = {"Authorization": f"Bearer {key}"}
    timeout = httpx.Timeout(60, read=None)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout) as http:

        async def slot(agent: dict[str, str]) -> None:
            while not stop.is_set():
                try:
                    await one_run(agent)
                except httpx.TransportError as exc:
                    failed.append(f"{agent['kind']}: {type(exc).__name__}: {exc}")
                    await asyncio.sleep(0.5)

        async def one_run(agent: dict[str, str]) -> None:
            r = await http.post(
                f"/api/v1/sandboxes/{agent['sandbox_id']}/sessions",
                json={"agent_id": agent["agent_id"]},
            )
            sid = r.json()["id"]
            sessions.append({"kind": agent["kind"], "id": sid})
            run = asyncio.create_task(
                http.post(f"/api/v1/sessions/{sid}/messages", json={"content": "go"})
            )
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({run, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not run.done():
                await http.post(f"/api/v1/sessions/{sid}/interrupt", timeout=60)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(run, 60)
                return
            reply = run.result()
            if reply.status_code == 200:
                completed[agent["kind"]] += 1
            else:
                failed.append(f"{agent['kind']}: {reply.status_code} {reply.text[:200]}")
                await asyncio.sleep(0.5)

        await asyncio.gather(*(slot(a) for a in agents))
    return {"sessions": sessions, "completed_scripts": completed, "failed": failed}


def run_child(argv: list[str]) -> subprocess.Popen[str]:
    """This script as a child in a session of its own, so that with autogroups (see
    :func:`demote`) the poller and the driver do not share the server's scheduling group."""
    return subprocess.Popen(
        [PYTHON, str(THIS), *argv], stdout=subprocess.PIPE, text=True, start_new_session=True
    )


def child_result(proc: subprocess.Popen[str], timeout: float) -> Any:
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"child exited {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- phases


def main_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sandbox_processes(uids: set[int]) -> list[str]:
    """``pid uid cmdline`` of live processes running as one of the sandboxes' uids."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmd = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) in uids:
                found.append(f"{status.parent.name} {line.split()[1]} {cmd.strip()[:80]}")
    return found


def demote(uids: set[int], stop: threading.Event) -> None:
    """Until ``stop``: nice 19 for every process of the sandboxes' uids, and for its autogroup.

    A diagnostic (``--demote``), applied from outside every 50 ms. With autogroups (Linux's
    default on desktops and in this VM: ``/proc/sys/kernel/sched_autogroup_enabled``) each
    ``setsid`` makes a scheduling group that competes as one peer of the server's group
    whatever its processes' nice values, so the group's own nice is set too.
    """
    while not stop.wait(0.05):
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                uid = next(
                    int(line.split()[1])
                    for line in status.read_text().splitlines()
                    if line.startswith("Uid:")
                )
                if uid in uids:
                    os.setpriority(os.PRIO_PROCESS, int(status.parent.name), 19)
                    (status.parent / "autogroup").write_text("19")
            except (OSError, StopIteration, ValueError):
                continue


def phase(
    server: Waypost, name: str, agents: list[dict[str, str]], ns: argparse.Namespace
) -> dict[str, Any]:
    load = os.getloadavg()
    driver = None
    if name == "hostile":
        path = server.data_dir / "hostile-agents.json"
        path.write_text(json.dumps(agents))
        driver = run_child(
            ["drive", "--url", server.http_url, "--key", server.key, "--agents", str(path)]
        )
        time.sleep(WARMUP_SECONDS)
    stop_demoting = threading.Event()
    if driver is not None and ns.demote:
        threading.Thread(target=demote, args=(ns.uids, stop_demoting), daemon=True).start()
    cpu0, wall0 = main_cpu_seconds(server.proc.pid), time.perf_counter()
    poller = run_child(
        ["poll", "--url", server.http_url, "--key", server.key, "--seconds", str(ns.seconds)]
    )
    signups = asyncio.run(signup_loop(server, ns.signups, ns.seconds))
    polled = child_result(poller, ns.seconds + 120)
    cpu = (main_cpu_seconds(server.proc.pid) - cpu0) / (time.perf_counter() - wall0)
    hostile: dict[str, Any] = {}
    if driver is not None:
        driver.send_signal(signal.SIGTERM)
        hostile = child_result(driver, 300)
    stop_demoting.set()
    return {
        "phase": name,
        "load_at_start": [round(x, 2) for x in load],
        "load_at_end": [round(x, 2) for x in os.getloadavg()],
        "server_cpu": cpu,
        "signups": signups,
        "polled": polled,
        "hostile": hostile,
    }


def tool_outcomes(server: Waypost, sessions: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Per kind: tool calls made, how many were errors, and a sample of each outcome."""
    out: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=server.http_url, headers=server.headers, timeout=120) as http:
        for s in sessions:
            entry = out.setdefault(s["kind"], {"calls": 0, "errors": 0, "samples": {}})
            messages = http.get(f"/api/v1/sessions/{s['id']}").json().get("messages", [])
            for m in messages:
                for block in m["content"]:
                    if block.get("type") != "tool_result":
                        continue
                    entry["calls"] += 1
                    entry["errors"] += bool(block.get("is_error"))
                    text = str(block.get("content"))
                    notes = [ln.strip() for ln in text.splitlines() if ln.startswith("[")]
                    last = " ".join(text.strip().splitlines()[-1:])[-100:]
                    sample = " | ".join([*notes, f"last line: {last}"])
                    key = "error" if block.get("is_error") else "ok"
                    entry["samples"].setdefault(key, sample[:240])
    return out


def stats(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.5), 2),
        "p99": round(percentile(values, 0.99), 2),
        "max": round(max(values), 2) if values else float("nan"),
    }


def report(results: list[dict[str, Any]], agents: list[dict[str, str]], ns: argparse.Namespace,
           outcomes: dict[str, Any], leftovers: dict[str, list[str]]) -> None:  # fmt: skip
    pooled: dict[str, dict[str, list[float]]] = {}
    extra: dict[str, dict[str, Any]] = {}
    for r in results:
        p = pooled.setdefault(r["phase"], {k: [] for k in ("send", "250", "data", "hz", "sess")})
        p["send"] += r["signups"]["to_answer"]
        p["250"] += r["signups"]["after_250"]
        p["data"] += r["signups"]["data_250"]
        p["hz"] += r["polled"]["healthz"]
        p["sess"] += r["polled"]["sessions"]
        e = extra.setdefault(
            r["phase"],
            {"failures": [], "wrong": 0, "poll_errors": 0, "cpu": [], "load": [], "shapes": {}},
        )
        for shape, values in r["signups"]["by_shape"].items():
            e["shapes"].setdefault(shape, []).extend(values)
        e["failures"] += r["signups"]["failures"]
        e["wrong"] += r["signups"]["wrong_values"]
        e["poll_errors"] += len(r["polled"]["errors"])
        e["cpu"].append(round(r["server_cpu"] * 100))
        e["load"].append(r["load_at_start"][0])
    rows = [
        ("end of DATA → blocked call answers", "send"),
        ("  of which DATA → 250", "data"),
        ("  250 → blocked call answers", "250"),
        ("GET /healthz", "hz"),
        ("GET /api/v1/sessions?limit=5", "sess"),
    ]
    q, h = pooled["quiet"], pooled["hostile"]
    print()
    print(f"{'ms':38} {'quiet p50':>9} {'p99':>8} {'hostile p50':>11} {'p99':>8} "
          f"{'ratio p50':>9} {'p99':>6}")  # fmt: skip
    summary: dict[str, Any] = {}
    for label, key in rows:
        sq, sh = stats(q[key]), stats(h[key])
        r50, r99 = sh["p50"] / sq["p50"], sh["p99"] / sq["p99"]
        summary[key] = {"quiet": sq, "hostile": sh, "ratio_p50": r50, "ratio_p99": r99}
        print(
            f"{label:38} {sq['p50']:9.1f} {sq['p99']:8.1f} {sh['p50']:11.1f} {sh['p99']:8.1f} "
            f"{r50:9.2f} {r99:6.2f}"
        )
    print(
        f"samples: signups quiet {len(q['send'])}, hostile {len(h['send'])}; "
        f"API polls quiet {len(q['hz']) + len(q['sess'])}, hostile {len(h['hz']) + len(h['sess'])}"
    )
    for name in ("quiet", "hostile"):
        e = extra[name]
        e["shapes"] = {k: stats(v) for k, v in e["shapes"].items()}
        shapes = "; ".join(
            f"{k} p50 {v['p50']:.1f} / p99 {v['p99']:.1f} ms (n={v['n']})"
            for k, v in e["shapes"].items()
        )
        print(f"{name} by shape: {shapes}")
        print(
            f"{name}: load avg at start {e['load']}, server main process CPU {e['cpu']} %, "
            f"signup failures {len(e['failures'])}, wrong codes {e['wrong']}, "
            f"API poll errors {e['poll_errors']}"
        )
        for failure in e["failures"][:5]:
            print(f"  failure: {failure}")
    completed: Counter[str] = Counter()
    for r in results:
        completed.update(r["hostile"].get("completed_scripts", {}))
    driver_failed = [f for r in results for f in r["hostile"].get("failed", [])]
    print(f"hostile tools (all hostile phases; driver errors {len(driver_failed)}):")
    for failure in driver_failed[:3]:
        print(f"  driver: {failure}")
    for kind, o in sorted(outcomes.items()):
        print(
            f"  {kind:7} calls {o['calls']:5}, errors {o['errors']:5}, "
            f"scripts finished {completed.get(kind, 0)}"
        )
        for outcome, sample in o["samples"].items():
            print(f"          {outcome}: {sample}")
    for when, procs in leftovers.items():
        print(f"sandbox processes {when}: {len(procs)}")
        for p in procs[:10]:
            print(f"  {p}")
    aim = all(summary[k]["ratio_p99"] <= 2 for k in ("send", "hz", "sess"))
    print(
        f"aim (hostile p99 within 2x of quiet: signups, /healthz, /sessions): "
        f"{'met' if aim else 'NOT met'}"
    )
    files = [a.get("files") for a in agents if a["kind"] == "glob"]
    print(
        json.dumps(
            {
                "bench": "noisy_neighbour",
                "database": ns.database,
                "demote": ns.demote,
                "seconds": ns.seconds,
                "signups": ns.signups,
                "rounds": ns.rounds,
                "turns": ns.turns,
                "glob_files": files,
                "agents": Counter(a["kind"] for a in agents),
                "latency_ms": summary,
                "phases": extra,
                "hostile_tools": {
                    k: {"calls": v["calls"], "errors": v["errors"]} for k, v in outcomes.items()
                },
                "leftover_processes": {k: len(v) for k, v in leftovers.items()},
                "aim_met": aim,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd")
    child = sub.add_parser("poll", help="(internal) the API poller; prints JSON")
    child.add_argument("--url", required=True)
    child.add_argument("--key", required=True)
    child.add_argument("--seconds", type=float, default=30)
    child = sub.add_parser("drive", help="(internal) keeps the hostile agents running")
    child.add_argument("--url", required=True)
    child.add_argument("--key", required=True)
    child.add_argument("--agents", required=True, help="path of a JSON file")
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--signups", type=int, default=150, help="signups per phase")
    parser.add_argument("--files", type=int, default=150_000, help="files the glob runs over")
    parser.add_argument("--turns", type=int, default=50, help="tool turns per hostile script")
    parser.add_argument("--rounds", type=int, default=1, help="quiet+hostile pairs")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"hostile tools dealt over the eight agents (default: {','.join(KINDS)})",
    )
    parser.add_argument(
        "--demote",
        action="store_true",
        help="diagnostic: renice the sandboxes' processes (and autogroups) to 19 from outside",
    )
    ns = parser.parse_args()
    if ns.cmd == "poll":
        print(json.dumps(asyncio.run(poll(ns.url, ns.key, ns.seconds))))
        return
    if ns.cmd == "drive":
        agents = json.loads(Path(ns.agents).read_text())
        print(json.dumps(asyncio.run(drive(ns.url, ns.key, agents))))
        return
    if os.geteuid() != 0:
        print("warning: not root, so sandbox commands run as this user (no per-sandbox uid)")
    print(f"machine: {machine()}; load average at start: {os.getloadavg()}")
    with waypost_server(ns.database) as server:
        chosen = tuple(k for k in ns.kinds.split(",") if k)
        unknown = set(chosen) - set(KINDS)
        if unknown or not chosen:
            parser.error(f"--kinds: choose among {', '.join(KINDS)}")
        agents = prepare(server, ns.turns, ns.files, chosen)
        kinds = Counter(a["kind"] for a in agents)
        files = [a.get("files") for a in agents if a["kind"] == "glob"]
        print(f"hostile agents: {dict(kinds)}; glob over {files} files; {ns.turns} turns each")
        uids = {i.uid for a in agents if (i := identity_for(a["sandbox_id"])) is not None}
        ns.uids = uids
        results = []
        sessions: list[dict[str, str]] = []
        for _ in range(ns.rounds):
            for name in ("quiet", "hostile"):
                result = phase(server, name, agents, ns)
                sessions += result["hostile"].get("sessions", [])
                results.append(result)
                worst = ", ".join(
                    f"{ms:.0f} ms ({shape} at +{at:.1f} s, DATA→250 {d250:.0f} ms)"
                    for ms, shape, at, d250 in result["signups"]["worst"]
                )
                print(
                    f"{name}: {len(result['signups']['to_answer'])} signups in "
                    f"{result['signups']['seconds']:.1f} s, load avg {result['load_at_start']} "
                    f"→ {result['load_at_end']}; slowest: {worst}"
                )
        time.sleep(2)
        leftovers = {"after the hostile phase (+2 s)": sandbox_processes(uids)}
        outcomes = tool_outcomes(server, sessions)
        log = server.log_path.read_text(errors="replace").splitlines()
        errors = Counter(line.split(" ", 3)[-1][:120] for line in log if " ERROR " in line)
        raised = Counter(
            line[:160] for line in log if re.match(r"\w[\w.]*(Error|Exception)\b", line)
        )
        print(f"server log: {sum(errors.values())} ERROR lines, {sum(raised.values())} exceptions")
        for line, n in [*errors.most_common(3), *raised.most_common(3)]:
            print(f"  {n} x {line}")
    leftovers["after the server stopped"] = sandbox_processes(uids)
    report(results, agents, ns, outcomes, leftovers)


if __name__ == "__main__":
    main()
