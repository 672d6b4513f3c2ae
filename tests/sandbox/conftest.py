"""Fixtures for the sandbox tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from waypost.sandbox import Limits, ReadCache, Sandbox, Workspace, bwrap_status

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A host directory next to the sandbox, holding a secret the agent must never see."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "secret.txt").write_text("TOPSECRET\n")
    (d / "secret.py").write_text("TOPSECRET = 1\n")
    return d


@pytest.fixture
def root(tmp_path: Path) -> Path:
    d = tmp_path / "box"
    d.mkdir()
    return d


@pytest.fixture
def sandbox(root: Path) -> Sandbox:
    return Sandbox(root, Limits(command_timeout_seconds=20), read_cache=ReadCache())


@pytest.fixture
async def workspace(root: Path) -> AsyncIterator[Workspace]:
    """The server's view of the sandbox: file tools in a worker process, commands in bwrap."""
    ws = Workspace(root, Limits(command_timeout_seconds=20), f"sb_test_{uuid.uuid4().hex}")
    yield ws
    await ws.close()


@pytest.fixture
def bwrap() -> None:
    """Skip (or, with CI=true, fail) when bubblewrap cannot sandbox commands here."""
    ok, reason = bwrap_status()
    if ok:
        return
    if IN_CI:
        pytest.fail(f"CI=true but bubblewrap is unusable: {reason}")
    pytest.skip(f"bubblewrap unusable here ({reason}); set CI=true to make this a failure")
