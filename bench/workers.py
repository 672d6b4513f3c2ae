"""Agent runs per second with one and with two ``waypost worker`` processes, against
LangGraph's dev server under the same load (issue 15).

One run is a new conversation plus one message answered, the same run as
bench/versus.py's: for Waypost ``POST /api/v1/sandboxes/{box}/sessions`` then the
blocking ``POST /api/v1/sessions/{id}/messages``, answered by a scripted model turn (no
model call); for LangGraph ``POST /threads`` then ``POST /threads/{id}/runs/wait`` on a
one-node echo graph. ``--clients`` concurrent clients (httpx, asyncio, in this process)
do ``--runs`` runs (or stop after ``--duration`` seconds), after a warm-up, against:

a. one ``waypost serve --no-runs`` and one ``waypost worker``. The replica inserts the
   run ``queued`` in PostgreSQL and announces it on Redis; the worker claims it
   (``FOR UPDATE SKIP LOCKED``), runs it and commits its events; the replica's blocking
   call hears the last event over Redis and answers;
b. the same with a second worker;
c. for reference, one ``waypost serve`` that takes runs itself (the run's row is
   inserted already claimed by it: no queue hop);
d. ``langgraph dev`` (one process, in-memory runtime, ``--n-jobs-per-worker`` =
   ``--clients``), installed into a scratch venv by bench/versus.py's installer and run
   as there; skipped with a message when it cannot be installed or started
   (``--skip-langgraph``).

a-c run one after another on one fresh PostgreSQL database, one private redis-server,
one data dir (the sandboxes) and the default run settings (docs/deploy.md, *Agent
runs*). Printed for each: runs/s over the time until the last run ended, p50/p99 of a
whole run, errors, and CPU use in cores: the Waypost processes (replica, workers) or
LangGraph's, PostgreSQL (every backend of the machine's server), Redis, and this
client. Then the ratios (two workers / one; each setup / LangGraph) and one JSON line.

On a 2-core machine the client, the replica, the workers, PostgreSQL and Redis share
the cores: a second worker adds only what the first one leaves idle, so the two/one
ratio says whether one worker is the limit here, not what a second machine would add.

    .venv/bin/python bench/workers.py [--clients 16] [--runs 800] [--duration 120]
        [--skip-langgraph] [--scratch DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from _common import (
    cluster_env,
    cpu_seconds,
    create_key,
    machine,
    private_redis,
    scratch_dir,
    scratch_postgres,
    start_serve,
    start_worker,
)
from versus import (
    Figures,
    Run,
    concurrent,
    install_langgraph,
    langgraph_run,
    langgraph_server,
    ratio,
    waypost_agent,
    waypost_runner,
)

import waypost


@dataclass
class Result:
    """One setup's measurement: the figures (CPU: the measured server's processes) and
    the CPU use of every process involved, in cores."""

    label: str
    figures: Figures
    cores: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            **self.figures.as_dict(),
            "cores": {k: round(v, 2) for k, v in self.cores.items()},
        }


def postgres_pid() -> int | None:
    """The local PostgreSQL server's main process (its backends are its children), or
    None when it does not run on this machine."""
    names: dict[str, tuple[str, str]] = {}  # pid: (command name, parent pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            text = stat.read_text()
            names[stat.parent.name] = (
                text[text.index("(") + 1 : text.rindex(")")],
                text.rsplit(")", 1)[1].split()[1],
            )
    for pid, (name, parent) in names.items():
        if name == "postgres" and names.get(parent, ("", ""))[0] != "postgres":
            return int(pid)
    return None


def measure(
    label: str,
    url: str,
    headers: dict[str, str],
    run: Run,
    servers: dict[str, int],
    others: dict[str, int],
    args: argparse.Namespace,
) -> Result:
    """A warm-up, then ``args.runs`` runs by ``args.clients`` clients; ``servers`` are the
    measured server's processes, ``others`` the rest of the machine's parts (by name)."""
    warm_up = max(4 * args.clients, args.runs // 10)
    pids = list(servers.values())
    asyncio.run(concurrent(url, headers, run, args.clients, args.duration, pids, warm_up))
    watched = {**servers, **others}
    before = {name: cpu_seconds(pid) for name, pid in watched.items()}
    client = time.process_time()  # this process alone (the servers are its children)
    figures = asyncio.run(
        concurrent(url, headers, run, args.clients, args.duration, pids, args.runs)
    )
    used = {name: cpu_seconds(pid) - before[name] for name, pid in watched.items()}
    used["client"] = time.process_time() - client
    cores = {name: cpu / figures.seconds if figures.seconds else 0.0 for name, cpu in used.items()}
    result = Result(label, figures, cores)
    print(row(result), flush=True)
    return result


def row(result: Result) -> str:
    """One line of the table."""
    f = result.figures
    cores = ", ".join(f"{name} {used:.2f}" for name, used in result.cores.items())
    return (
        f"  {result.label:<34} {f.rate:7.1f}  {f.p(0.50):8.1f}  {f.p(0.99):8.1f}  "
        f"{f.errors:6d}  {f.cpu_ms_per_op:7.2f}   {cores}"
    )


def waypost_setups(args: argparse.Namespace, workdir: Path) -> dict[str, Result]:
    """Setups a-c on one scratch database, one private Redis and one data dir."""
    results: dict[str, Result] = {}
    data_dir = workdir / "data"
    with contextlib.ExitStack() as stack:
        redis_url, redis_pid = stack.enter_context(private_redis(workdir))
        db_url = stack.enter_context(scratch_postgres())
        env = cluster_env(redis_url)
        others = {"redis": redis_pid}
        if (pg := postgres_pid()) is not None:
            others = {"postgres": pg, **others}

        with contextlib.ExitStack() as cluster:  # a and b; stopped (workers drain) after b
            replica = start_serve(
                cluster, workdir, "serve-no-runs", db_url, env, "--no-runs", data_dir=data_dir
            )
            replica.wait_ready()
            headers = {"Authorization": f"Bearer {create_key(db_url, env)}"}
            with httpx.Client(base_url=replica.url, headers=headers, timeout=30) as http:
                run = waypost_runner(waypost_agent(http))
            servers = {"replica": replica.proc.pid}
            setups = {
                "one_worker": "a. serve --no-runs + 1 worker",
                "two_workers": "b. serve --no-runs + 2 workers",
            }
            for n, (name, label) in enumerate(setups.items(), 1):
                proc = start_worker(cluster, workdir, f"worker-{n}", db_url, env, data_dir)
                servers[f"worker {n}"] = proc.pid
                results[name] = measure(label, replica.url, headers, run, servers, others, args)

        serve = start_serve(stack, workdir, "serve", db_url, env, data_dir=data_dir)
        serve.wait_ready()
        results["serve"] = measure(
            "c. serve taking runs (reference)",
            serve.url,
            headers,
            run,
            {"serve": serve.proc.pid},
            others,
            args,
        )
    return results


def langgraph_setup(
    args: argparse.Namespace, scratch: Path, langgraph: Path | None
) -> Result | None:
    """Setup d, or None (with a message) when LangGraph was not installed or cannot start."""
    if langgraph is None:
        print("  d. LangGraph dev: skipped")
        return None
    try:
        with langgraph_server(langgraph, scratch, args.clients) as (url, proc):
            return measure(
                "d. LangGraph dev",
                url,
                {},
                langgraph_run,
                {"langgraph": proc.pid},
                {},
                args,
            )
    except RuntimeError as exc:
        print(f"  d. LangGraph dev: could not start `langgraph dev`; skipped.\n{exc}")
        return None


def ratios(results: dict[str, Result]) -> dict[str, float | None]:
    """runs/s: two workers over one, and each Waypost setup over LangGraph."""
    rate = {name: r.figures.rate for name, r in results.items()}
    out = {"two_workers_over_one_worker": ratio(rate["two_workers"], rate["one_worker"])}
    if "langgraph" in rate:
        for name in ("one_worker", "two_workers", "serve"):
            out[f"{name}_over_langgraph"] = ratio(rate[name], rate["langgraph"])
    return out


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=800, help="measured runs per setup")
    parser.add_argument(
        "--duration", type=float, default=120.0, help="seconds at most per setup's measurement"
    )
    parser.add_argument("--skip-langgraph", action="store_true")
    parser.add_argument(
        "--scratch", type=Path, help="keep LangGraph's install in this directory and reuse it"
    )
    args = parser.parse_args()

    load_before = load_average()
    print(f"machine: {machine()}; load average {' '.join(map(str, load_before))}")
    print(
        f"waypost {waypost.__version__}; PostgreSQL 127.0.0.1:5432 (scratch database), "
        f"a private redis-server; client httpx {httpx.__version__}, {args.clients} clients, "
        f"{args.runs} runs per setup"
    )
    versions: dict[str, object] = {"waypost": waypost.__version__, "httpx": httpx.__version__}
    workdir = Path(tempfile.mkdtemp(prefix="waypost-bench-workers-"))
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, workdir, True)
        scratch = cleanup.enter_context(scratch_dir(args.scratch, "waypost-workers-langgraph-"))
        langgraph: Path | None = None
        if args.skip_langgraph:
            print("LangGraph: skipped (--skip-langgraph)")
        elif installed := install_langgraph(scratch):  # prints why when it cannot
            langgraph, versions["langgraph"] = installed
            print("LangGraph versions: " + ", ".join(f"{k} {v}" for k, v in installed[1].items()))
        print(
            f"\n  {'setup':<34} {'runs/s':>7}  {'p50 ms':>8}  {'p99 ms':>8}  {'errors':>6}  "
            f"{'CPU ms':>7}   CPU use in cores (CPU ms: the server's, per run)"
        )
        results = waypost_setups(args, workdir)
        if (lg := langgraph_setup(args, scratch, langgraph)) is not None:
            results["langgraph"] = lg
    figures = ratios(results)
    print("\n  runs/s ratios: " + ", ".join(f"{k} {v}x" for k, v in figures.items()))
    load_after = load_average()
    print(f"load average after: {' '.join(map(str, load_after))}")
    report = {
        "bench": "workers",
        "machine": machine(),
        "load_average": {"before": load_before, "after": load_after},
        "clients": args.clients,
        "runs": args.runs,
        "results": {name: r.as_dict() for name, r in results.items()},
        "ratios": figures,
        "versions": versions,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
