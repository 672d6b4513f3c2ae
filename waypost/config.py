"""One Settings object for the whole server: CLI flags and ``WAYPOST_*`` env vars."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    domain: str = "waypost.localhost"
    extra_domains: list[str] = Field(default_factory=list)
    max_message_bytes: int = 10 * 1024 * 1024
    max_request_bytes: int = 12 * 1024 * 1024
    default_inbox_ttl_seconds: int = 3600
    reaper_interval_seconds: float = 30.0
    sse_keepalive_seconds: float = 15.0
    trusted_gateway: bool = False
    log_level: str = "info"
    secret_key: str | None = None  # Fernet key for credentials; else <data dir>/secret.key
    chaos: bool = False  # fault injection for tests (workflows' fail_at); never in production

    @property
    def domains(self) -> list[str]:
        """Every mail domain this server accepts, the default first."""
        return [self.domain.lower(), *(d.lower() for d in self.extra_domains)]

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'waypost.db').resolve()}"
