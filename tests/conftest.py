"""Fixtures: real servers on real sockets, on SQLite always and PostgreSQL when available."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.servers import (
    IN_CI,
    RunningServer,
    ThreadServer,
    fresh_postgres_database,
    make_settings,
    postgres_available,
)

_users = itertools.count()


def database_url_for(backend: str, stack: ExitStack) -> str | None:
    """None for SQLite (the default file in the data dir); a fresh database for PostgreSQL."""
    if backend == "sqlite":
        return None
    require_postgres()
    return stack.enter_context(fresh_postgres_database())


def require_postgres() -> None:
    """Skip without PostgreSQL on 127.0.0.1:5432; under CI=true, fail instead."""
    if not postgres_available():
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL is not reachable on 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432 (set CI=true to require it)")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """One running server per backend, shared by the tests of a run."""
    with ExitStack() as stack:
        url = database_url_for(request.param, stack)
        # chaos: workflows honour fail_at, so rollback can be proven through the real server
        settings = make_settings(tmp_path_factory.mktemp(f"data-{request.param}"), url, chaos=True)
        srv = ThreadServer(settings).start()
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture
def new_user() -> Callable[[], str]:
    """Unique user names, so tests sharing a server never see each other's data."""
    return lambda: f"user{next(_users)}"


@pytest.fixture
def api(server: RunningServer, new_user: Callable[[], str]) -> Iterator[httpx.Client]:
    """An HTTP client authenticated as a brand-new user."""
    with server.client(new_user()) as client:
        yield client


@pytest.fixture
def other_api(server: RunningServer, new_user: Callable[[], str]) -> Iterator[httpx.Client]:
    """A second user, for isolation checks."""
    with server.client(new_user()) as client:
        yield client


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
