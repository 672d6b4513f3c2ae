"""A pids cgroup per command, where the host lets us make one.

`RLIMIT_NPROC` counts a uid's processes; a pids cgroup counts the processes of one command
however they are spawned, and lets the whole group be killed at once. Used on top of the
sandbox's own uid when the host offers a writable pids hierarchy (cgroup v1's `pids`
controller, or v2 with `pids` enabled); without one, commands run without it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from pathlib import Path

PARENT_NAME = "waypost-sandboxes"

_lock = threading.Lock()
_parent: Path | None = None
_probed = False


def _mounts() -> list[tuple[str, str, list[str]]]:
    found: list[tuple[str, str, list[str]]] = []
    try:
        with open("/proc/self/mounts", encoding="utf-8") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) >= 4:
                    found.append((fields[2], fields[1], fields[3].split(",")))
    except OSError:
        pass
    return found


def _own_path(controller: str | None) -> str:
    """This process's cgroup path in the v1 hierarchy of `controller` (None: the v2 one)."""
    with open("/proc/self/cgroup", encoding="utf-8") as fh:
        for line in fh:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            names = controllers.split(",") if controllers else []
            if (controller is None and not names) or (controller in names):
                return path
    return "/"


def _candidates() -> list[Path]:
    out: list[Path] = []
    for fstype, mountpoint, options in _mounts():
        try:
            if fstype == "cgroup" and "pids" in options:
                out.append(Path(mountpoint) / _own_path("pids").lstrip("/"))
            elif fstype == "cgroup2":
                base = Path(mountpoint) / _own_path(None).lstrip("/")
                if "pids" in (base / "cgroup.controllers").read_text().split():
                    out.append(base)
        except OSError:
            continue
    return out


def _make_parent() -> Path | None:
    for base in _candidates():
        parent = base / PARENT_NAME
        try:
            parent.mkdir(exist_ok=True)
            subtree = parent / "cgroup.subtree_control"
            if subtree.exists():  # v2: children of ours need the controller enabled here
                subtree.write_text("+pids")
            probe = parent / f"probe-{uuid.uuid4().hex}"
            probe.mkdir()
            ok = (probe / "pids.max").exists()
            probe.rmdir()
        except OSError:
            continue
        if ok:
            return parent
    return None


def pids_parent() -> Path | None:
    """Where per-command pids cgroups go, or None when the host offers none (probed once)."""
    global _parent, _probed
    with _lock:
        if not _probed:
            _parent = _make_parent()
            _probed = True
        return _parent


class PidsGroup:
    """One command's pids cgroup: a process cap, membership for the child, kill-all, removal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.procs_file = str(path / "cgroup.procs")

    @classmethod
    def create(cls, max_pids: int) -> PidsGroup | None:
        """A new group capped at `max_pids` processes, or None where cgroups are not ours."""
        parent = pids_parent()
        if parent is None:
            return None
        path = parent / uuid.uuid4().hex
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids))
        except OSError:
            with contextlib.suppress(OSError):
                path.rmdir()
            return None
        return cls(path)

    def join(self) -> None:
        """Move the calling process into the group (in the child, before it execs)."""
        fd = os.open(self.procs_file, os.O_WRONLY)
        try:
            os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)

    def pids(self) -> list[int]:
        """The processes in the group now."""
        try:
            with open(self.procs_file, encoding="ascii") as fh:
                return [int(line) for line in fh if line.strip()]
        except OSError:
            return []

    def kill_all(self) -> None:
        """SIGKILL every process in the group until it is empty (bounded: 2 s)."""
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and delete the group."""
        self.kill_all()
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # EBUSY while the last processes are being reaped
                time.sleep(0.01)
