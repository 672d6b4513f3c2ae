"""Revocation bites: a key revoked from another process (the CLI, or the key service on
the server's database) fails its next request, and its open SSE streams and long polls
end within about a second."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import httpx

from tests.helpers import make_inbox, make_session
from tests.servers import RunningServer
from waypost.auth.keys import KeyService
from waypost.db.database import Database

STREAM_GONE_WITHIN = 10.0  # generous: the bound is ~0.5 s, the machine may be loaded


def _revoke(server: RunningServer, key: str) -> None:
    """Revoke ``key`` through the key service on the server's database (another engine)."""

    async def go() -> None:
        db = Database(server.settings.resolved_database_url())
        try:
            keys = KeyService(db)
            [info] = [k for k in await keys.list() if k.prefix == key[:10]]
            await keys.revoke(info.id)
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, go()).result()


def _revoke_with_cli(server: RunningServer, key: str) -> None:
    s = server.settings
    where = (
        ["--database-url", s.database_url] if s.database_url else ["--data-dir", str(s.data_dir)]
    )
    done = subprocess.run(
        [sys.executable, "-m", "waypost.cli", "keys", "revoke", key[:10], *where],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def _client(server: RunningServer, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def _read_until_end(response: httpx.Response, connected: Future[None]) -> list[str]:
    """Every line of the stream until the server ends it."""
    lines: list[str] = []
    for line in response.iter_lines():
        lines.append(line)
        if line == ": connected":
            connected.set_result(None)
    return lines


def _stream_ends_after_revocation(
    server: RunningServer, new_user: Callable[[], str], revoke: Callable[[RunningServer, str], None]
) -> None:
    key = server.key(new_user())
    with _client(server, key) as api, ThreadPoolExecutor(1) as pool:
        session = make_session(api)
        url = f"/api/v1/sessions/{session['id']}/events"
        with api.stream("GET", url, timeout=httpx.Timeout(30, read=60)) as response:
            assert response.status_code == 200
            connected: Future[None] = Future()
            reader = pool.submit(_read_until_end, response, connected)
            connected.result(timeout=10)
            make_inbox(api, session_id=session["id"])  # live events still flow
            revoke(server, key)
            revoked_at = time.monotonic()
            lines = reader.result(timeout=STREAM_GONE_WITHIN)  # the server ended the stream
            took = time.monotonic() - revoked_at
        assert "event: inbox.created" in lines
        assert lines[-2:] == [": key revoked", ""], lines[-3:]
        assert took < STREAM_GONE_WITHIN
        # the next request with the key, REST or a reconnect, is refused at once
        assert api.get("/api/v1/sessions").status_code == 401
        again = api.get(url, headers={"Last-Event-ID": "1"})
        assert again.status_code == 401


def test_open_sse_stream_ends_when_its_key_is_revoked(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    _stream_ends_after_revocation(server, new_user, _revoke)


def test_cli_revocation_ends_the_stream_of_a_server_in_another_process(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    _stream_ends_after_revocation(server, new_user, _revoke_with_cli)


def test_next_request_after_revocation_is_401_without_delay(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    key = server.key(new_user())
    with _client(server, key) as api:
        assert api.get("/api/v1/sessions").status_code == 200  # a cache, if any, is warm
        _revoke(server, key)
        r = api.get("/api/v1/sessions")  # no sleep: no cache to wait out
        assert r.status_code == 401
        assert r.json() == {"error": "unauthorized", "message": "Invalid or missing API key"}


def test_other_keys_streams_and_polls_are_untouched(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    user = new_user()
    doomed, kept = server.key(user), server.key(user)
    with _client(server, kept) as api, ThreadPoolExecutor(1) as pool:
        inbox = make_inbox(api)
        wait = api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "timeout_seconds": 60})
        assert wait.status_code == 201, wait.text
        hold = pool.submit(
            api.get, f"/api/v1/waits/{wait.json()['id']}", params={"block": "true", "timeout": 3}
        )
        time.sleep(0.3)
        _revoke(server, doomed)
        r = hold.result(timeout=30)  # held its full 3 s, answered normally
        assert r.status_code == 200 and r.json()["status"] == "pending"
        assert api.get("/api/v1/sessions").status_code == 200


def test_blocked_wait_of_a_revoked_key_ends_with_401(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    key = server.key(new_user())
    with _client(server, key) as api, ThreadPoolExecutor(1) as pool:
        inbox = make_inbox(api)
        wait = api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "timeout_seconds": 300})
        assert wait.status_code == 201, wait.text
        url = f"/api/v1/waits/{wait.json()['id']}"
        started = time.monotonic()
        hold = pool.submit(api.get, url, params={"block": "true", "timeout": 120})
        time.sleep(0.5)  # the long poll is held
        assert not hold.done()
        _revoke(server, key)
        r = hold.result(timeout=STREAM_GONE_WITHIN)
        assert r.status_code == 401
        assert r.json()["error"] == "key_revoked"
        assert time.monotonic() - started < 60
        assert api.get(url).status_code == 401


def test_blocking_workflow_of_a_revoked_key_ends(
    server: RunningServer, new_user: Callable[[], str]
) -> None:
    key = server.key(new_user())
    with _client(server, key) as api, ThreadPoolExecutor(1) as pool:
        hold = pool.submit(
            api.post,
            "/api/v1/workflows/create-inbox-and-wait",
            json={"wait_type": "otp", "timeout_seconds": 300},
        )
        time.sleep(0.7)
        assert not hold.done()
        _revoke(server, key)
        r = hold.result(timeout=STREAM_GONE_WITHIN)
        assert r.status_code == 401 and r.json()["error"] == "key_revoked"
