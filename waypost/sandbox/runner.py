"""run_command under bubblewrap: no network, read-only system, the sandbox at /workspace."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from waypost.sandbox.cgroup import PidsGroup, cpu_group, yielding_argv
from waypost.sandbox.identity import Identity, identity_for
from waypost.sandbox.spawn import Child, spawn
from waypost.sandbox.types import Limits, ToolResult

WORKSPACE = "/workspace"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
# Secrets a root-run server would otherwise expose through the read-only /etc bind.
MASKED_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers")
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
# Every namespace but the user one (see _identity_args): no network, own pids, ipc, hostname.
NAMESPACES_AS_ROOT = (
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-uts",
    "--unshare-cgroup-try",
)
# Output a command may write before it is stopped. The command writes into a pipe that
# `head -c` copies into a file of the server's (never through the server's event loop):
# the file can hold no more than this and a byte, however starved of CPU the event loop
# that looks at its size (_watch) is; the command then meets a closed pipe.
MAX_STREAMED_BYTES = 16 * 1024**2
OUTPUT_POLL_SECONDS = 0.05
OUTPUT_POLL_MIN_SECONDS = 0.002
KILL_REAP_SECONDS = 5.0

_status_lock = threading.Lock()
_status: tuple[bool, str] | None = None


def _system_binds() -> list[str]:
    """Read-only binds (or symlinks, on merged-/usr systems) for the system directories."""
    args: list[str] = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for f in MASKED_FILES:
        if os.path.lexists(f) and not os.path.islink(f):
            args += ["--ro-bind", "/dev/null", f]
    return args


def _prlimit_args(limits: Limits) -> list[str]:
    """A prlimit(1) prefix setting the rlimits inside the sandbox ([] if prlimit is missing)."""
    prlimit = shutil.which("prlimit", path="/usr/bin:/bin")
    if prlimit is None:
        return []
    return [
        prlimit,
        f"--cpu={limits.cpu_seconds}",
        f"--as={limits.memory_bytes}",
        f"--nproc={limits.max_processes}",
        "--core=0",
        "--",
    ]


def _fallback_limits(limits: Limits) -> Callable[[], None]:
    """In the child, only where prlimit(1) is missing: the rlimits (this makes Python fork
    rather than vfork, so it is the exception)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _identity_args(identity: Identity | None) -> tuple[list[str], list[str]]:
    """bwrap's namespace options, and the prefix that becomes the sandbox's uid inside.

    As ourselves (not root): a user namespace, every capability dropped. As root: no user
    namespace (it would map the sandbox to uid 0 outside, which RLIMIT_NPROC does not bind);
    bwrap sets up the mounts as root and setpriv(1) turns the command into the sandbox's own
    unprivileged uid, with no capabilities, an empty bounding set and no_new_privs.
    """
    if identity is None:
        return ["--unshare-all", "--cap-drop", "ALL"], []
    setpriv = shutil.which("setpriv", path="/usr/bin:/bin") or "setpriv"
    return (
        list(NAMESPACES_AS_ROOT),
        [
            setpriv,
            f"--reuid={identity.uid}",
            f"--regid={identity.gid}",
            "--clear-groups",
            "--no-new-privs",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--",
        ],
    )


def build_argv(
    bwrap: str, root: Path, command: str, limits: Limits, identity: Identity | None = None
) -> list[str]:
    """The full bwrap command line running `bash -lc command` (no network in any case)."""
    namespaces, become = _identity_args(identity)
    return [
        bwrap,
        *namespaces,
        "--die-with-parent",
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--bind",
        os.path.realpath(root),
        WORKSPACE,
        "--chdir",
        WORKSPACE,
        "--clearenv",
        "--setenv",
        "PATH",
        SAFE_PATH,
        "--setenv",
        "HOME",
        WORKSPACE,
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--",
        *become,
        *_prlimit_args(limits),
        "bash",
        "-lc",
        command,
    ]


def _child_env() -> dict[str, str]:
    return {"PATH": SAFE_PATH, "HOME": WORKSPACE, "LANG": "C.UTF-8"}


def _probe() -> tuple[bool, str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bwrap not found on PATH (install the 'bubblewrap' package)"
    with tempfile.TemporaryDirectory(prefix="waypost-bwrap-probe-") as tmp:
        probe_identity = identity_for("probe")
        if probe_identity is not None:
            os.chmod(tmp, 0o755)  # the probe's command only needs to enter it
        argv = build_argv(bwrap, Path(tmp), "echo ok", Limits(), probe_identity)
        try:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=20,
                env=_child_env(),
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"bwrap could not be started: {exc}"
    if done.returncode != 0 or done.stdout.strip() != b"ok":
        err = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        return False, f"bwrap cannot create its namespaces: {err[:300]}"
    try:
        version = subprocess.run(
            [bwrap, "--version"], capture_output=True, timeout=5, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        version = ""
    return True, f"bubblewrap works ({version.strip() or bwrap}); network is unshared"


def bwrap_status() -> tuple[bool, str]:
    """(available, reason): whether bwrap can sandbox commands here. Probed once, cached."""
    global _status
    with _status_lock:
        if _status is None:
            _status = _probe()
        return _status


def reset_bwrap_status() -> None:
    """Forget the cached probe (for tests)."""
    global _status
    with _status_lock:
        _status = None


def _head_and_tail(fd: int, limit: int) -> str:
    """A command's output file as the agent sees it: the first and last bytes of it (half of
    ``limit`` each), with a marker saying how much was left out in between."""
    size = os.fstat(fd).st_size
    if size <= limit:
        return os.pread(fd, size, 0).decode("utf-8", "replace")
    head_limit = limit // 2
    tail_limit = limit - head_limit
    head = os.pread(fd, head_limit, 0).decode("utf-8", "replace")
    tail = os.pread(fd, tail_limit, size - tail_limit).decode("utf-8", "replace")
    omitted = size - head_limit - tail_limit
    return f"{head}\n[output truncated: {omitted} bytes omitted]\n{tail}"


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (a command's own setsid takes it out of bwrap's group)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        fields = raw[raw.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_descendants(pid: int) -> list[int]:
    """SIGKILL every process below `pid`; the pids it found."""
    victims = _descendants(pid)
    for victim in victims:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(victim, signal.SIGKILL)
    return victims


def _all_gone(pids: list[int]) -> bool:
    return all(_gone(pid) for pid in pids)


def _gone(pid: int) -> bool:
    """True once a pid no longer names a live (non-zombie) process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return True
    return raw[raw.rfind(b")") + 2 :][:1] in (b"Z", b"X")


async def _terminate(proc: Child) -> None:
    """SIGKILL everything bwrap started, then bwrap's process group; reap; wait (bounded).

    The sandbox's processes go first: killing the sandbox's pid 1 tears down its whole pid
    namespace and lets bwrap reap it and exit by itself (no zombie left for init). The
    process group is then killed too in case bwrap is still there.
    """
    victims = await asyncio.to_thread(_kill_descendants, proc.pid)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), 0.5)
    if proc.returncode is None:  # the group leader is unreaped, so its pgid is still ours
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), KILL_REAP_SECONDS)
    deadline = time.monotonic() + KILL_REAP_SECONDS
    # polling /proc (off the loop: a fork bomb leaves many): nothing to wait on for
    # processes that are not our children
    while time.monotonic() < deadline and not await asyncio.to_thread(_all_gone, victims):  # noqa: ASYNC110
        await asyncio.sleep(0.02)


async def run_in_bwrap(
    root: Path, command: str, seconds: float, limits: Limits, identity: Identity | None = None
) -> ToolResult:
    """Run `command` confined; kill the whole tree on timeout or cancellation."""
    available, reason = await asyncio.to_thread(bwrap_status)
    bwrap = shutil.which("bwrap")
    if not available or bwrap is None:
        return ToolResult(f"run_command is unavailable: bubblewrap (bwrap) {reason}", is_error=True)
    argv = build_argv(bwrap, root, command, limits, identity)
    # bwrap's two root processes count too. The uid's RLIMIT_NPROC refuses first: it is
    # checked before a fork copies anything, the cgroup's cap only after the memory map.
    group = await asyncio.to_thread(PidsGroup.create, limits.max_processes + 4)
    cpu = await asyncio.to_thread(cpu_group)
    try:
        return await _run(argv, seconds, limits, group, cpu)
    finally:
        if group is not None:
            await asyncio.to_thread(group.remove)


async def _run(
    argv: list[str], seconds: float, limits: Limits, group: PidsGroup | None, cpu: Path | None
) -> ToolResult:
    fallback = not _prlimit_args(limits)
    # stdout and stderr go through a capped copy into an unnamed file (O_TMPFILE): the
    # kernel and `head` move the bytes on the sandbox's time, and the server reads only the
    # head and tail it keeps, once, at the end
    with tempfile.TemporaryFile(prefix="waypost-output-") as output:
        fd = output.fileno()
        capper, sink = await _capped_sink(fd)
        try:
            proc = await spawn(
                yielding_argv(argv, cpu, group),
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=_child_env(),
                # A session of our own (spawn's): no controlling terminal, which is what
                # bwrap's --new-session guards (TIOCSTI); a second setsid there would also
                # put the command in a new autogroup, weighing as much as the server where
                # cgroups are not ours.
                preexec_fn=_fallback_limits(limits) if fallback else None,
            )
        except BaseException:
            if capper is not None:
                capper.kill()
            raise
        finally:
            if capper is not None:
                os.close(sink)  # the command holds the pipe's writing end now
        started = time.monotonic()
        try:
            code = await _watch(proc, fd, started + seconds)
        except BaseException:  # cancellation (or anything else): never leave the tree running
            cleanup = asyncio.ensure_future(_stop(proc, group, capper))
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(cleanup)  # a second cancel leaves the cleanup running
            raise
        if code is None:
            await _stop(proc, group, capper)
            elapsed = time.monotonic() - started
            note = f"[command timed out after {elapsed:.1f}s; process group killed]"
        elif isinstance(code, str):
            await _stop(proc, group, capper)
            note = code
        else:
            await _drained(capper)
            note = f"[exit code {code}]"
        text = _head_and_tail(fd, limits.max_output_bytes)
    return ToolResult(_with_note(text, note), is_error=not isinstance(code, int) or code != 0)


async def _capped_sink(fd: int) -> tuple[Child | None, int]:
    """Where a command writes: a pipe that `head -c` copies, up to the ceiling and a byte,
    into ``fd``, and that copy; ``fd`` itself where there is no head. The copy runs at the
    server's priority: its work is bounded by the ceiling, and a starved copy would hold
    back the output of a command that has ended."""
    head = shutil.which("head", path="/usr/bin:/bin")
    if head is None:
        return None, fd
    readable, writable = os.pipe()
    try:
        capper = await spawn([head, "-c", str(MAX_STREAMED_BYTES + 1)], stdin=readable, stdout=fd)
    except BaseException:
        os.close(writable)
        raise
    finally:
        os.close(readable)
    return capper, writable


async def _drained(capper: Child | None) -> None:
    """The copy's last bytes in the file: `head` ends when the sandbox is gone (its PID
    namespace ends every process that held the pipe), or is killed after a while."""
    if capper is None:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(capper.wait(), KILL_REAP_SECONDS)
    if capper.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            capper.kill()
        await capper.wait()


async def _watch(proc: Child, fd: int, deadline: float) -> int | str | None:
    """The command's exit code; why it must be stopped (its output passed the ceiling); or
    None at the deadline.

    The output file is looked at after 2 ms, then twice as late each time up to
    OUTPUT_POLL_SECONDS, but sooner when it grows: when, at the rate seen, it would be
    halfway to the ceiling (2 ms at the soonest). A flood is caught within a few MB of the
    ceiling; a quiet command costs the loop 20 looks a second.
    """
    exited = asyncio.ensure_future(proc.wait())
    size, seen_at = 0, time.monotonic()
    pause = OUTPUT_POLL_MIN_SECONDS
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            await asyncio.wait((exited,), timeout=min(pause, remaining))
            now, grown = time.monotonic(), os.fstat(fd).st_size
            if grown > MAX_STREAMED_BYTES:  # also when it ended on the closed pipe
                return f"[output passed {MAX_STREAMED_BYTES // 1024**2} MB; command killed]"
            if exited.done():
                return exited.result()
            rate = (grown - size) / max(now - seen_at, 1e-6)
            room = MAX_STREAMED_BYTES - grown
            longest = min(pause * 2, OUTPUT_POLL_SECONDS)  # a quiet command: 2, 4, … 50 ms
            soonest = OUTPUT_POLL_MIN_SECONDS
            pause = longest if rate <= 0 else min(max(room / rate / 2, soonest), longest)
            size, seen_at = grown, now
        return None
    finally:
        exited.cancel()


async def _stop(proc: Child, group: PidsGroup | None, capper: Child | None = None) -> None:
    """Kill a command's whole tree, then its output's copy.

    With a pids cgroup, the group is the tree: killed until it is empty, with no scan of
    /proc (a fork bomb's many processes made those scans the server's main cost).
    """
    if group is None:
        await _terminate(proc)
    else:
        await asyncio.to_thread(group.kill_all)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), KILL_REAP_SECONDS)
        if proc.returncode is None:  # out of the group somehow: the slow way
            await _terminate(proc)
    await _drained(capper)


def _with_note(output: str, note: str) -> str:
    """Output followed by a status line on its own line."""
    if not output:
        return note
    sep = "" if output.endswith("\n") else "\n"
    return f"{output}{sep}{note}"
