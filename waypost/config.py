"""One Settings object for the whole server: CLI flags and ``WAYPOST_*`` env vars."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("waypost.config")

# The server's files (database, -wal, -shm, secret.key, sandboxes) are its alone.
PRIVATE_UMASK = 0o077


class Settings(BaseSettings):
    """Everything an operator can set. Every field is also ``WAYPOST_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WAYPOST_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8025
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_workers: int = Field(default=0, ge=0, le=64)  # 0: SMTP in the main process
    data_dir: Path = Path(".waypost")
    database_url: str | None = None
    # PostgreSQL connections per process: this many kept, as many more under load
    database_pool_size: int = Field(default=20, ge=1, le=500)
    # replicas (docs/deploy.md): the Redis that carries live events between them; None
    # keeps the bus in this process. Channels are named "<redis_prefix>:…": deployments
    # sharing one Redis need different prefixes.
    redis_url: str | None = None
    redis_prefix: str = Field(default="waypost", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    domain: str = "waypost.localhost"
    extra_domains: list[str] = Field(default_factory=list)
    max_message_bytes: int = 10 * 1024 * 1024
    max_request_bytes: int = 12 * 1024 * 1024
    default_inbox_ttl_seconds: int = 3600
    reaper_interval_seconds: float = 30.0
    sse_keepalive_seconds: float = 15.0
    trusted_gateway: bool = False
    # lets a session's permission mode be "bypass" (every tool call runs, no rule applies)
    allow_permission_bypass: bool = False
    log_level: str = "info"
    secret_key: str | None = None  # Fernet key for credentials; else <data dir>/secret.key
    chaos: bool = False  # fault injection for tests (workflows' fail_at); never in production
    schedule_poll_seconds: float = Field(default=1.0, gt=0, le=60)  # due schedules looked for
    # tests only: a file holding an ISO timestamp that is "now" for schedules
    # (waypost.schedules.clock); never in production
    clock_file: Path | None = None
    metrics: bool = True  # GET /metrics (Prometheus, no API key); docs/metrics.md
    metrics_port: int | None = Field(default=None, ge=1, le=65535)  # /metrics there, not on port
    # webhooks (issue 17): private/loopback targets are refused unless allowed (tests, LANs)
    webhooks_allow_private: bool = False
    webhook_retry_seconds: float = Field(default=24 * 3600, gt=0)  # then a delivery fails
    webhook_backoff_base_seconds: float = Field(default=5.0, gt=0)  # first retry's delay
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)  # one attempt, whole
    webhook_poll_seconds: float = Field(default=1.0, gt=0, le=60)  # other replicas' and retries
    # agent runs as claimed work (issue 15): serve --no-runs leaves them to `waypost worker`
    no_runs: bool = False
    run_lease_seconds: float = Field(default=15.0, gt=0, le=3600)  # a dead worker's runs end after
    run_heartbeat_seconds: float = Field(default=5.0, gt=0, le=600)  # renews the lease
    run_poll_seconds: float = Field(default=1.0, gt=0, le=60)  # queue looked at without a wake-up
    run_concurrency: int = Field(default=100, ge=1, le=10000)  # runs one process executes at once
    run_drain_seconds: float = Field(default=10.0, ge=0, le=3600)  # worker SIGTERM: finish first

    @property
    def domains(self) -> list[str]:
        """Every mail domain this server accepts, the default first."""
        return [self.domain.lower(), *(d.lower() for d in self.extra_domains)]

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'waypost.db').resolve()}"

    def secure_data_dir(self) -> None:
        """Make the data dir private: create it 0700, tighten it and its entries if looser.

        Entries directly inside (the database and its -wal/-shm, secret.key, the
        sandboxes folder) become 0600 (files) or 0700 (folders); nothing deeper is
        touched, the folder above already closes it. The dir is only created when this
        server will use it (a SQLite database or a key file kept there).
        """
        path = self.data_dir
        if not path.exists():
            if self.database_url is not None and self.secret_key is not None:
                return
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        _tighten(path)
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) or entry.is_file(follow_symlinks=False):
                    _tighten(Path(entry.path))


def make_process_private(settings: Settings) -> None:
    """For the server process: files it creates from now on are the owner's alone
    (umask 077), and the data dir it finds is made so (:meth:`Settings.secure_data_dir`)."""
    os.umask(PRIVATE_UMASK)
    settings.secure_data_dir()


def _tighten(path: Path) -> None:
    """Drop the group's and others' permissions from ``path`` (0644 → 0600, 0755 → 0700)."""
    current = stat.S_IMODE(path.lstat().st_mode)
    if current & 0o077:
        try:
            path.chmod(current & ~0o077)
        except OSError as exc:  # not ours to change: say so, do not refuse to start
            log.warning("cannot make %s private (mode %o): %s", path, current, exc)
