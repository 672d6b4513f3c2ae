"""Sandbox processes in cgroups of their own, where the host lets us make them.

- **pids**, one group per command: `RLIMIT_NPROC` counts a uid's processes; a pids cgroup
  counts one command's however they are spawned, and lets the whole group be killed at once.
- **cpu**, one group for every sandbox process (commands and file-tool workers): the lowest
  weight there is, and `cpu.idle` where the kernel has it, so agents' work gets the CPU the
  server leaves. Being in a cgroup also takes a process out of the kernel's autogroups, where
  each new session (a `setsid` in a command) would otherwise weigh as much as the server.

Used where the host offers writable hierarchies (cgroup v1's controllers, or v2 with them
enabled); without them, commands run without (and at nice 19, see `yielding_argv`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path

PARENT_NAME = "waypost-sandboxes"
SHELL = "/bin/sh"

_lock = threading.Lock()
_parents: dict[str, Path | None] = {}
_cpu: tuple[Path | None] | None = None


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


def _candidates(controller: str) -> list[Path]:
    out: list[Path] = []
    for fstype, mountpoint, options in _mounts():
        try:
            if fstype == "cgroup" and controller in options:
                out.append(Path(mountpoint) / _own_path(controller).lstrip("/"))
            elif fstype == "cgroup2":
                base = Path(mountpoint) / _own_path(None).lstrip("/")
                if controller in (base / "cgroup.controllers").read_text().split():
                    out.append(base)
        except OSError:
            continue
    return out


def _make_parent(controller: str, probe_files: tuple[str, ...]) -> Path | None:
    for base in _candidates(controller):
        parent = base / PARENT_NAME
        try:
            parent.mkdir(exist_ok=True)
            subtree = parent / "cgroup.subtree_control"
            if subtree.exists():  # v2: children of ours need the controller enabled here
                subtree.write_text(f"+{controller}")
            probe = parent / f"probe-{uuid.uuid4().hex}"
            probe.mkdir()
            ok = any((probe / name).exists() for name in probe_files)
            probe.rmdir()
        except OSError:
            continue
        if ok:
            return parent
    return None


def _parent(controller: str, probe_files: tuple[str, ...]) -> Path | None:
    with _lock:
        if controller not in _parents:
            _parents[controller] = _make_parent(controller, probe_files)
        return _parents[controller]


def pids_parent() -> Path | None:
    """Where per-command pids cgroups go, or None when the host offers none (probed once)."""
    return _parent("pids", ("pids.max",))


def _write_first(directory: Path, settings: list[tuple[str, str]]) -> bool:
    """Write the first of these (file, value) settings the kernel has; True if one took."""
    for name, value in settings:
        try:
            (directory / name).write_text(value)
            return True
        except OSError:
            continue
    return False


def cpu_group() -> Path | None:
    """The one low-weight cpu cgroup of every sandbox process (None where there is none)."""
    global _cpu
    with _lock:
        if _cpu is not None:
            return _cpu[0]
    parent = _parent("cpu", ("cpu.shares", "cpu.weight"))
    group: Path | None = None
    if parent is not None:
        # v2 keeps processes out of a group whose children have controllers: use a leaf
        group = parent / "workers" if (parent / "cgroup.subtree_control").exists() else parent
        try:
            group.mkdir(exist_ok=True)
            # an idle group refuses a weight (EINVAL): either one will do
            idle = _write_first(parent, [("cpu.idle", "1")])
            weighted = idle or _write_first(parent, [("cpu.shares", "2"), ("cpu.weight", "1")])
        except OSError:
            weighted = False
        group = group if weighted else None
    with _lock:
        _cpu = (group,)
    return group


# Run by /bin/sh in the new child: join each cgroup named (its cgroup.procs file), lower
# the autogroup's weight (where cgroups are not ours), then exec the rest under nice 19.
# Failing to join a group fails the command: its caps would not hold.
_ENTER = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ >"$1" || exit 126; shift; n=$((n-1)); done; '
    "{ echo 19 >/proc/self/autogroup; } 2>/dev/null; "
    'exec "$@"'
)


def yielding_argv(argv: list[str], cpu: Path | None, pids: PidsGroup | None = None) -> list[str]:
    """`argv`, started so that it runs in the sandbox cgroups at the lowest priority.

    The child does this itself, in a shell that execs `argv`, rather than in a `preexec_fn`:
    with one, Python forks (not vforks) the whole server and the server's event loop waits
    until the child has exec'd, and a child already in the idle cpu group, behind a fork
    bomb, can take 100 ms and more to get there.
    """
    procs = []
    if pids is not None:
        procs.append(pids.procs_file)
    # not when `pids` is a sibling in the same (v2) hierarchy: that leaf is under the
    # low-weight parent already, and a process is in one cgroup per hierarchy
    if cpu is not None and (pids is None or pids.path.parent != cpu.parent):
        procs.append(str(cpu / "cgroup.procs"))
    nice = shutil.which("nice", path="/usr/bin:/bin")
    lowered = [nice, "-n", "19", *argv] if nice else argv
    return [SHELL, "-c", _ENTER, "waypost-enter", str(len(procs)), *procs, *lowered]


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
