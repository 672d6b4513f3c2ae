"""The real ``waypost`` process: CLI key contract, SIGTERM, and durability across SIGKILL."""

from __future__ import annotations

import concurrent.futures
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import database_url_for
from tests.servers import SubprocessServer, make_settings


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waypost.cli", *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    with ExitStack() as stack:
        yield database_url_for(request.param, stack)


def test_keys_create_prints_key_alone_on_last_line(tmp_path: Path) -> None:
    created = _cli("keys", "create", "--user", "ops", "--data-dir", str(tmp_path))
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("wp_") and " " not in key and len(key) > 40
    listed = _cli("keys", "list", "--json", "--data-dir", str(tmp_path))
    assert '"user": "ops"' in listed.stdout and key not in listed.stdout  # never shown again
    prefix = key[:10]
    revoked = _cli("keys", "revoke", prefix, "--data-dir", str(tmp_path))
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert '"revoked": true' in _cli("keys", "list", "--json", "--data-dir", str(tmp_path)).stdout
    assert _cli("keys", "revoke", "key_nope", "--data-dir", str(tmp_path)).returncode == 1


def test_env_vars_configure_the_server(tmp_path: Path) -> None:
    import os

    from tests.servers import free_port, wait_healthy

    port, smtp_port = free_port(), free_port()
    env = {
        **os.environ,
        "WAYPOST_PORT": str(port),
        "WAYPOST_SMTP_PORT": str(smtp_port),
        "WAYPOST_DATA_DIR": str(tmp_path),
        "WAYPOST_DOMAIN": "agents.example",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "waypost.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
        assert health["domains"] == ["agents.example"] and health["smtp"].endswith(str(smtp_port))
        assert (tmp_path / "waypost.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=20)[0].decode()
    assert proc.returncode == 0
    assert (
        "waypost keys create --user you" in out
    )  # an empty database tells the operator what to do


def test_sigterm_ends_streams_and_stops_smtp(tmp_path: Path) -> None:
    server = SubprocessServer(make_settings(tmp_path)).start()
    with server.client("alice") as api:
        session = api.post("/api/v1/sessions", json={"name": "s"}).json()
        lines: list[str] = []

        def follow() -> None:
            with api.stream("GET", f"/api/v1/sessions/{session['id']}/events") as r:
                lines.extend(r.iter_lines())

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            reader = pool.submit(follow)
            time.sleep(0.5)
            started = time.monotonic()
            assert server.signal(signal.SIGTERM) == 0
            reader.result(timeout=10)
            assert time.monotonic() - started < 8
    assert "event: session.created" in lines
    with pytest.raises(OSError):
        smtplib.SMTP(*server.smtp, timeout=2)


def test_every_250_survives_sigkill(tmp_path: Path, database_url: str | None) -> None:
    settings = make_settings(tmp_path, database_url)
    server = SubprocessServer(settings).start()
    key = server.key("durable")
    api = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {key}"})
    inbox = api.post("/api/v1/inboxes", json={}).json()
    address = inbox["email_address"]

    def send_batch(worker: int) -> list[bytes]:
        sent = []
        with smtplib.SMTP(*server.smtp, timeout=30) as smtp:
            for i in range(25):
                head = f"From: w{worker}@x.test\r\nSubject: m {worker}-{i}\r\n\r\n"
                raw = f"{head}body {worker} {i}\r\n".encode()
                smtp.sendmail("w@x.test", [address], raw)  # returns only after 250
                sent.append(raw)
        return sent

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        sent = [raw for batch in pool.map(send_batch, range(4)) for raw in batch]
    assert server.signal(signal.SIGKILL) == -signal.SIGKILL

    restarted = SubprocessServer(make_settings(tmp_path, database_url)).start()
    try:
        api = httpx.Client(base_url=restarted.base_url, headers={"Authorization": f"Bearer {key}"})
        stored: list[bytes] = []
        cursor = None
        while True:
            page = api.get(
                f"/api/v1/inboxes/{inbox['id']}/emails",
                params={"limit": 100, **({"cursor": cursor} if cursor else {})},
            ).json()
            stored += [api.get(f"/api/v1/emails/{e['id']}/raw").content for e in page["data"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(stored) == sorted(sent)
    finally:
        restarted.signal(signal.SIGTERM)


def test_pending_waits_survive_a_restart(tmp_path: Path, database_url: str | None) -> None:
    from tests.helpers import otp_email

    settings = make_settings(tmp_path, database_url)
    server = SubprocessServer(settings).start()
    key = server.key("restarts")
    headers = {"Authorization": f"Bearer {key}"}
    api = httpx.Client(base_url=server.base_url, headers=headers, timeout=30)
    inbox = api.post("/api/v1/inboxes", json={}).json()
    short = api.post(
        "/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 4}
    ).json()
    long = api.post(
        "/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 60}
    ).json()
    assert server.signal(signal.SIGKILL) == -signal.SIGKILL

    restarted = SubprocessServer(make_settings(tmp_path, database_url)).start()
    ready = datetime.now(UTC)
    try:
        api = httpx.Client(base_url=restarted.base_url, headers=headers, timeout=30)
        timed_out = api.get(f"/api/v1/waits/{short['id']}", params={"block": "true"}).json()
        assert timed_out["status"] == "timed_out"
        # Never early; within 1 s of the expiry, or of the restart if it expired while down.
        expires = datetime.fromisoformat(timed_out["expires_at"])
        fired = datetime.fromisoformat(timed_out["completed_at"])
        assert fired >= expires - timedelta(milliseconds=50)
        assert fired <= max(expires, ready) + timedelta(seconds=1)
        with smtplib.SMTP(*restarted.smtp) as smtp:
            smtp.sendmail(
                "a@b.test", [inbox["email_address"]], otp_email(inbox["email_address"], "808 707")
            )
        done = api.get(f"/api/v1/waits/{long['id']}", params={"block": "true"}).json()
        assert done["status"] == "completed" and done["result"]["value"] == "808707"
    finally:
        restarted.signal(signal.SIGTERM)


def test_demo_tours_a_running_server(tmp_path: Path) -> None:
    server = SubprocessServer(make_settings(tmp_path)).start()
    try:
        key = server.key("tourist")
        demo = _cli("demo", "--base-url", server.base_url, "--api-key", key)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert "✓" in demo.stdout and "wait.completed" in demo.stdout
    finally:
        server.signal(signal.SIGTERM)


def test_chat_streams_the_reply(tmp_path: Path) -> None:
    server = SubprocessServer(make_settings(tmp_path)).start()
    try:
        key = server.key("chatter")
        api = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {key}"})
        turns = [[{"type": "text", "text": "Hello from the agent"}]]
        agent = api.post(
            "/api/v1/agents",
            json={
                "name": "c",
                "chat_model_config": {"type": "scripted", "parameters": {"turns": turns}},
            },
        ).json()
        box = api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()
        sid = api.post(f"/api/v1/sandboxes/{box['id']}/sessions", json={}).json()["id"]
        chat = subprocess.run(
            [
                sys.executable,
                "-m",
                "waypost.cli",
                "chat",
                sid,
                "--base-url",
                server.base_url,
                "--api-key",
                key,
            ],
            input="hi there\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert chat.returncode == 0, chat.stdout + chat.stderr
        assert "Hello from the agent" in chat.stdout
        messages = api.get(f"/api/v1/sessions/{sid}").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"]
        assert messages[0]["content"] == [{"type": "text", "text": "hi there"}]
    finally:
        server.signal(signal.SIGTERM)


def test_cli_inboxes_and_tail(tmp_path: Path) -> None:
    server = SubprocessServer(make_settings(tmp_path)).start()
    try:
        key = server.key("cli-user")
        where = ["--base-url", server.base_url, "--api-key", key]
        api = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {key}"})
        session = api.post("/api/v1/sessions", json={"name": "tailed"}).json()
        made = _cli(
            "inboxes", "create", "--username", "cli-box", "--session", session["id"], *where
        )
        assert made.returncode == 0, made.stderr
        assert made.stdout.strip().splitlines()[-1] == f"cli-box@{server.settings.domain}"
        listed = _cli("inboxes", "list", *where)
        assert "cli-box@" in listed.stdout
        api.post(f"/api/v1/sessions/{session['id']}/complete")
        proc = subprocess.Popen(
            [sys.executable, "-m", "waypost.cli", "tail", session["id"], *where],
            stdout=subprocess.PIPE,
            text=True,
        )
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "session.completed" in line:
                break
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
        joined = "".join(lines)
        assert "session.created" in joined and "inbox.created" in joined
    finally:
        server.signal(signal.SIGTERM)
