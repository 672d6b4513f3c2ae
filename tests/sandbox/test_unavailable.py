"""Without a working bubblewrap, run_command refuses instead of running unconfined."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost.sandbox import Limits, Sandbox, bwrap_status, runner


@pytest.fixture
def fresh_status() -> Iterator[None]:
    runner.reset_bwrap_status()
    yield
    runner.reset_bwrap_status()


def test_missing_binary_is_reported(fresh_status: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    ok, reason = bwrap_status()
    assert not ok
    assert "bwrap not found" in reason


def test_namespace_failure_is_reported(
    fresh_status: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name, **k: str(fake))
    ok, reason = bwrap_status()
    assert not ok
    assert "cannot create its namespaces" in reason and "No permissions" in reason


async def test_run_command_refuses(
    fresh_status: None, monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    monkeypatch.setattr(runner, "bwrap_status", lambda: (False, "not found on PATH"))
    result = await Sandbox(root).run_command("touch ran")
    assert result.is_error
    assert result.content == "run_command is unavailable: bubblewrap (bwrap) not found on PATH"
    assert not (root / "ran").exists()


def test_build_argv_flags(root: Path) -> None:
    argv = runner.build_argv("bwrap", root, "true", Limits())
    for flag in ("--unshare-all", "--die-with-parent", "--clearenv"):
        assert flag in argv
    assert "--share-net" not in argv
    i = argv.index("--bind")
    assert argv[i + 1 : i + 3] == [str(root), "/workspace"]
    assert argv[-3:] == ["bash", "-lc", "true"]
