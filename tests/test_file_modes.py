"""The data dir is the server's alone: 0700, and everything in it 0600 (files) or 0700."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

from tests.servers import SubprocessServer, make_settings


def _modes(root: Path) -> dict[str, int]:
    """The permission bits of ``root`` and of everything below it, by relative path."""
    found = {".": stat.S_IMODE(root.lstat().st_mode)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            path = Path(dirpath) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _assert_private(root: Path) -> dict[str, int]:
    modes = _modes(root)
    loose = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (root / name).is_dir() else 0o600)
    }
    assert not loose, loose
    return modes


def _use(server: SubprocessServer) -> str:
    """Write to everything the data dir holds: the database (and WAL), a sandbox folder."""
    with server.client("modes") as api:
        assert api.post("/api/v1/sessions", json={"name": "s"}).status_code == 201
        agent = api.post(
            "/api/v1/agents", json={"name": "a", "chat_model_config": {"type": "scripted"}}
        )
        assert agent.status_code == 201, agent.text
        sandbox = api.post("/api/v1/sandboxes", json={"agent_id": agent.json()["id"]})
        assert sandbox.status_code == 201, sandbox.text
        sandbox_id: str = sandbox.json()["id"]
        return sandbox_id


def test_a_fresh_data_dir_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"  # does not exist yet: the server makes it
    server = SubprocessServer(make_settings(data)).start()
    try:
        _use(server)
        modes = _assert_private(data)
        for name in ("waypost.db", "waypost.db-wal", "waypost.db-shm", "secret.key"):
            assert name in modes, sorted(modes)  # the files the check is about were there
        assert any(name.startswith("sandboxes/sbx_") for name in modes), sorted(modes)
    finally:
        assert server.signal(signal.SIGTERM) == 0
    _assert_private(data)


def test_the_cli_creates_the_database_private_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "waypost.cli",
            "keys",
            "create",
            "--user",
            "u",
            "--data-dir",
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    assert _modes(data) == {".": 0o700, "waypost.db": 0o600}


def test_a_loose_data_dir_is_tightened_at_startup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = SubprocessServer(make_settings(data)).start()
    try:
        _use(server)
    finally:
        assert server.signal(signal.SIGTERM) == 0
    # as an older version (or a careless copy) would have left it
    for name in _modes(data):
        path = data / name
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data / "notes.txt").write_text("an operator's file")
    (data / "notes.txt").chmod(0o666)
    assert _modes(data)["waypost.db"] == 0o644
    restarted = SubprocessServer(make_settings(data)).start()
    try:
        new_sandbox = _use(restarted)
        modes = _modes(data)
        assert modes["."] == 0o700 and modes["notes.txt"] == 0o600
        for name in ("waypost.db", "secret.key", "sandboxes"):
            assert modes[name] == (0o700 if (data / name).is_dir() else 0o600), (name, modes)
        assert modes[f"sandboxes/{new_sandbox}"] == 0o700  # made under the server's umask
    finally:
        assert restarted.signal(signal.SIGTERM) == 0
