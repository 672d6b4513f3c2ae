"""The ``waypost`` command: parses flags and delegates to the app and services."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from waypost.auth.keys import KeyService
from waypost.config import Settings, make_process_private
from waypost.db.database import Database

app = typer.Typer(
    help="Waypost: sessions, disposable inboxes and waits for AI agents.", no_args_is_help=True
)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
inboxes_app = typer.Typer(help="Create and list inboxes on a running server.", no_args_is_help=True)
app.add_typer(inboxes_app, name="inboxes")
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where SQLite and files live [env WAYPOST_DATA_DIR]."),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql+asyncpg://… [env WAYPOST_DATABASE_URL].",
    ),
]


def _settings(**flags: Any) -> Settings:
    """Flags given on the command line win over WAYPOST_* variables, which win over defaults."""
    return Settings(**{k: v for k, v in flags.items() if v is not None})


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="HTTP bind address [env WAYPOST_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [env WAYPOST_PORT].")] = None,
    smtp_host: Annotated[
        str | None, typer.Option(help="SMTP bind address [env WAYPOST_SMTP_HOST].")
    ] = None,
    smtp_port: Annotated[
        int | None, typer.Option(help="SMTP port [env WAYPOST_SMTP_PORT].")
    ] = None,
    smtp_workers: Annotated[
        int | None,
        typer.Option(
            help="SMTP worker processes sharing the SMTP port (SO_REUSEPORT); 0 serves SMTP "
            "in the main process [env WAYPOST_SMTP_WORKERS]."
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    domain: Annotated[
        str | None, typer.Option(help="Mail domain for inboxes [env WAYPOST_DOMAIN].")
    ] = None,
    max_message_bytes: Annotated[
        int | None,
        typer.Option(help="Largest SMTP message accepted [env WAYPOST_MAX_MESSAGE_BYTES]."),
    ] = None,
    trusted_gateway: Annotated[
        bool | None,
        typer.Option(help="Trust x-user-id from a gateway in front [env WAYPOST_TRUSTED_GATEWAY]."),
    ] = None,
    allow_permission_bypass: Annotated[
        bool | None,
        typer.Option(
            help="Let sessions use permission mode bypass [env WAYPOST_ALLOW_PERMISSION_BYPASS]."
        ),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="debug, info, warning [env WAYPOST_LOG_LEVEL].")
    ] = None,
    metrics: Annotated[
        bool | None,
        typer.Option(help="Serve Prometheus metrics at /metrics [env WAYPOST_METRICS]."),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve /metrics on this port instead of the HTTP port [env WAYPOST_METRICS_PORT]."
        ),
    ] = None,
    webhooks_allow_private: Annotated[
        bool | None,
        typer.Option(
            help="Let webhooks target loopback, private and link-local addresses "
            "[env WAYPOST_WEBHOOKS_ALLOW_PRIVATE].",
        ),
    ] = None,
    redis_url: Annotated[
        str | None,
        typer.Option(
            help="Redis carrying live events between replicas, e.g. redis://host:6379/0; "
            "unset: one process [env WAYPOST_REDIS_URL]."
        ),
    ] = None,
    no_runs: Annotated[
        bool | None,
        typer.Option(
            "--no-runs",
            help="Execute no agent runs here: `waypost worker` processes claim them "
            "[env WAYPOST_NO_RUNS].",
        ),
    ] = None,
) -> None:
    """Run the HTTP API and the SMTP server."""
    from waypost.app import run_server

    settings = _settings(
        host=host,
        port=port,
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        smtp_workers=smtp_workers,
        data_dir=data_dir,
        database_url=database_url,
        domain=domain,
        max_message_bytes=max_message_bytes,
        trusted_gateway=trusted_gateway,
        allow_permission_bypass=allow_permission_bypass,
        log_level=log_level,
        webhooks_allow_private=webhooks_allow_private,
        metrics=metrics,
        metrics_port=metrics_port,
        no_runs=no_runs,
        redis_url=redis_url,
    )
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    make_process_private(settings)  # before anything (the key check below) opens the database
    for noisy in ("mail.log", "alembic"):  # per-command SMTP chatter, migration banners
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    if not asyncio.run(_has_keys(settings)):
        err.print(
            "[bold]No API keys yet.[/] Create one in another terminal with:\n"
            f"  {_program()} keys create --user you{_where(settings)}\n"
        )
    err.print(
        f"Waypost on http://{settings.host}:{settings.port} (docs at /docs), "
        f"SMTP on {settings.smtp_host}:{settings.smtp_port}, domain {settings.domain}"
    )
    run_server(settings)


@app.command()
def worker(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    redis_url: Annotated[
        str | None,
        typer.Option(help="The replicas' Redis, e.g. redis://host:6379/0 [env WAYPOST_REDIS_URL]."),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Runs executed at once [env WAYPOST_RUN_CONCURRENCY]."),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve this worker's Prometheus /metrics (runs, model calls, tokens) on "
            "this port [env WAYPOST_METRICS_PORT]."
        ),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="debug, info, warning [env WAYPOST_LOG_LEVEL].")
    ] = None,
) -> None:
    """Execute agent runs claimed from the database's queue (no HTTP, no SMTP); SIGTERM
    drains (docs/deploy.md)."""
    from waypost.agents.worker import run_worker

    settings = _settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        run_concurrency=concurrency,
        metrics_port=metrics_port,
        log_level=log_level,
    )
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if settings.resolved_database_url().startswith("sqlite"):
        # SQLite is one process's database: `waypost serve` runs its agent runs itself
        err.print("waypost worker needs PostgreSQL: pass --database-url postgresql+asyncpg://…")
        raise typer.Exit(2)
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    make_process_private(settings)
    asyncio.run(run_worker(settings))


def _program() -> str:
    """How this command was started (``.venv/bin/waypost`` after ``make run``)."""
    import sys

    program = Path(sys.argv[0])
    if program.name == "waypost" and not shutil.which("waypost"):
        return os.path.relpath(program) if program.is_absolute() else str(program)
    return "waypost"


def _where(settings: Settings) -> str:
    if settings.database_url:
        return f" --database-url '{settings.database_url}'"
    if settings.data_dir != Path(".waypost"):
        return f" --data-dir {settings.data_dir}"
    return ""


async def _has_keys(settings: Settings) -> bool:
    db = Database(settings.resolved_database_url())
    try:
        await db.migrate()
        return await KeyService(db).count() > 0
    finally:
        await db.dispose()


async def _with_keys(settings: Settings, action: str, *args: Any) -> Any:
    db = Database(settings.resolved_database_url())
    try:
        await db.migrate()
        return await getattr(KeyService(db), action)(*args)
    finally:
        await db.dispose()


@keys_app.command("create")
def keys_create(
    user: Annotated[
        str, typer.Option("--user", help="The user the key belongs to (created if new).")
    ],
    name: Annotated[str, typer.Option("--name", help="A label for the key.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key; the key alone is printed on the last line."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    info, token = asyncio.run(_with_keys(settings, "create", user, name))
    err.print(f"Created key {info.id} for user '{info.user}'. It is shown only once:")
    typer.echo(token)


@keys_app.command("list")
def keys_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's keys.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List keys (ids and prefixes only; keys themselves are never stored)."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    keys = asyncio.run(_with_keys(settings, "list", user))
    if as_json:
        typer.echo(json.dumps([k.__dict__ for k in keys], indent=2))
        return
    table = Table("id", "user", "name", "prefix", "created", "revoked")
    for k in keys:
        table.add_row(
            k.id, k.user, k.name, k.prefix + "…", k.created_at[:19], "yes" if k.revoked else ""
        )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="Key id (key_…) or its shown prefix.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a key: every server on this database refuses its next request, and ends its
    open event streams and long polls within about half a second."""
    from waypost.errors import NotFound

    settings = _settings(data_dir=data_dir, database_url=database_url)
    try:
        info = asyncio.run(_with_keys(settings, "revoke", key))
    except NotFound:
        err.print(f"No key {key!r}.")
        raise typer.Exit(1) from None
    typer.echo(f"revoked {info.id}")


@app.command()
def demo(
    base_url: Annotated[
        str, typer.Option("--base-url", envvar="WAYPOST_BASE_URL", help="The running server.")
    ] = "http://127.0.0.1:8025",
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="WAYPOST_API_KEY", help="Key to use.")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Tour a running server: session, inbox + wait, a real email, the extracted code."""
    from waypost.demo import run_demo
    from waypost.sdk import Client, WaypostSDKError

    if not api_key:
        settings = _settings(data_dir=data_dir, database_url=database_url)
        _, api_key = asyncio.run(_with_keys(settings, "create", "demo", "waypost demo"))
        err.print("No API key given: created one for user 'demo' in the local database.")
    console = Console()
    try:
        with Client(api_key=api_key, base_url=base_url) as client:
            ok = run_demo(client, console)
    except WaypostSDKError as exc:
        err.print(f"[red]demo failed:[/] {exc}  (is `make run` going at {base_url}?)")
        raise typer.Exit(1) from None
    raise typer.Exit(0 if ok else 1)


@app.command("mcp")
def mcp_stdio(
    url: Annotated[
        str,
        typer.Option(
            "--url",
            envvar=["WAYPOST_URL", "WAYPOST_BASE_URL"],
            help="The running server [env WAYPOST_URL].",
        ),
    ] = "http://127.0.0.1:8025",
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", envvar="WAYPOST_API_KEY", help="Key to use."),
    ] = None,
) -> None:
    """Serve MCP on stdin/stdout for local clients (Claude Desktop, Cursor…), relaying
    every message to the running server's /mcp (docs/mcp.md)."""
    from waypost.mcp_server.bridge import main

    if not api_key:
        err.print("waypost mcp: set WAYPOST_API_KEY (or --api-key) to a key of the server.")
        raise typer.Exit(2)
    raise typer.Exit(main(url, api_key))


BaseUrl = Annotated[
    str, typer.Option("--base-url", envvar="WAYPOST_BASE_URL", help="The running server.")
]
ApiKey = Annotated[
    str | None, typer.Option("--api-key", envvar="WAYPOST_API_KEY", help="Key to use.")
]


def _client(base_url: str, api_key: str | None) -> Any:
    from waypost.sdk import Client

    return Client(api_key=api_key, base_url=base_url)


@app.command()
def tail(
    session_id: Annotated[str, typer.Argument(help="The session to follow (sess_…).")],
    base_url: BaseUrl = "http://127.0.0.1:8025",
    api_key: ApiKey = None,
    after: Annotated[int, typer.Option(help="Start after this sequence number (0: all).")] = 0,
) -> None:
    """Print a session's timeline, then follow it live (Ctrl-C stops)."""
    from waypost.sdk import WaypostSDKError

    console = Console()
    try:
        with _client(base_url, api_key) as client:
            for event in client.sessions.events(session_id, after=after):
                console.print(
                    f"[dim]{event.seq:>4} {event.timestamp:%H:%M:%S}[/] [bold]{event.type}[/] "
                    f"{event.description}",
                    highlight=False,
                )
    except KeyboardInterrupt:
        return
    except WaypostSDKError as exc:
        err.print(f"[red]tail failed:[/] {exc}")
        raise typer.Exit(1) from None


@app.command()
def replay(
    session_id: Annotated[str, typer.Argument(help="The session (sess_…).")],
    retry: Annotated[bool, typer.Option("--retry", help="Run its failed workflows again.")] = False,
    reexecute: Annotated[
        bool, typer.Option("--reexecute", help="Re-run the agent session from its record.")
    ] = False,
    fork: Annotated[
        int | None, typer.Option("--fork", help="A new session with its history up to step N.")
    ] = None,
    base_url: BaseUrl = "http://127.0.0.1:8025",
    api_key: ApiKey = None,
) -> None:
    """Print a session's recorded steps, or act on them: --retry, --reexecute, --fork N.

    Acting prints what happened; the new session's id alone is on the last line.
    """
    from waypost.sdk import WaypostSDKError

    if retry + reexecute + (fork is not None) > 1:
        err.print("[red]choose one of --retry, --reexecute, --fork[/]")
        raise typer.Exit(2)
    console = Console()
    try:
        with _client(base_url, api_key) as client:
            if not (retry or reexecute or fork is not None):
                for step in client.sessions.replay(session_id).steps:
                    console.print(
                        f"[dim]{step.seq:>4}[/] [bold]{step.type}[/] {step.description}",
                        highlight=False,
                    )
                return
            if retry:
                result = client.sessions.retry(session_id, respond="immediately")
            elif reexecute:
                result = client.sessions.reexecute(session_id)
            else:
                result = client.sessions.fork(session_id, step=int(fork or 0))
    except WaypostSDKError as exc:
        err.print(f"[red]replay failed:[/] {exc}")
        raise typer.Exit(1) from None
    extra = result.model_extra or {}
    if reexecute:
        if result.divergence is None:
            err.print(f"no divergence ({extra.get('compared_events', 0)} events compared)")
        else:
            err.print_json(data=result.divergence)
    elif extra:
        err.print_json(data=extra)
    typer.echo(result.session.id)
    if reexecute and result.divergence is not None:
        raise typer.Exit(1)  # scripts can gate on a re-execution that diverged


@inboxes_app.command("create")
def inboxes_create(
    username: Annotated[str | None, typer.Option(help="Local part (random if omitted).")] = None,
    session: Annotated[str | None, typer.Option(help="Attach to this session.")] = None,
    ttl: Annotated[int | None, typer.Option(help="Seconds before it expires.")] = None,
    base_url: BaseUrl = "http://127.0.0.1:8025",
    api_key: ApiKey = None,
) -> None:
    """Create an inbox; its address alone is printed on the last line."""
    with _client(base_url, api_key) as client:
        inbox = client.inboxes.create(username=username, session_id=session, ttl_seconds=ttl)
    err.print(f"{inbox.id} expires {inbox.expires_at:%Y-%m-%d %H:%M:%S} UTC")
    typer.echo(inbox.email_address)


@inboxes_app.command("list")
def inboxes_list(base_url: BaseUrl = "http://127.0.0.1:8025", api_key: ApiKey = None) -> None:
    """List your inboxes, newest first."""
    with _client(base_url, api_key) as client:
        page = client.inboxes.list(limit=100)
    table = Table("id", "address", "session", "expires (UTC)")
    for inbox in page.data:
        table.add_row(
            inbox.id,
            inbox.email_address,
            inbox.session_id or "",
            f"{inbox.expires_at:%Y-%m-%d %H:%M}",
        )
    Console().print(table)


@app.command()
def chat(
    session_id: Annotated[str, typer.Argument(help="An agent session (sess_…).")],
    base_url: Annotated[
        str, typer.Option("--base-url", envvar="WAYPOST_BASE_URL", help="The running server.")
    ] = "http://127.0.0.1:8025",
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="WAYPOST_API_KEY", help="Key to use.")
    ] = None,
) -> None:
    """Chat with an agent session; the reply streams live, Ctrl-C interrupts it."""
    import sys

    from waypost.chat import chat_loop
    from waypost.sdk import Client, WaypostSDKError

    try:
        with Client(api_key=api_key, base_url=base_url, timeout=60) as client:
            chat_loop(client, session_id, Console(), sys.stdin)
    except WaypostSDKError as exc:
        err.print(f"[red]chat failed:[/] {exc}")
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
