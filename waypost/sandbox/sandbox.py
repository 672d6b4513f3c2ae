"""The Sandbox: file tools confined to one directory, and run_command under bubblewrap."""

from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec

import re2

from waypost.sandbox.cache import ReadCache
from waypost.sandbox.paths import (
    MAX_WALK_ENTRIES,
    GlobMatcher,
    confine,
    open_beneath,
    split_pattern,
    walk,
)
from waypost.sandbox.types import Limits, ToolError, ToolResult

P = ParamSpec("P")

MAX_LIST_ENTRIES = 1000
MAX_GLOB_RESULTS = 1000
MAX_GREP_MATCHES = 200
MAX_GREP_LINE_CHARS = 300
MAX_GREP_SCAN_BYTES = 256 * 1024**2
BINARY_SNIFF_BYTES = 8192
GLOB_CHARS = frozenset("*?[")
WALK_SECONDS = 5.0  # glob and grep stop walking after this long and say so


def _guarded(fn: Callable[P, ToolResult]) -> Callable[P, ToolResult]:
    """Turn ToolError / OSError into an error ToolResult."""
    name = getattr(fn, "__name__", "tool")

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ToolResult:
        try:
            return fn(*args, **kwargs)
        except ToolError as exc:
            return ToolResult(str(exc), is_error=True)
        except OSError as exc:
            return ToolResult(f"{name} failed: {exc.strerror or exc}", is_error=True)

    return wrapper


def _is_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def _compile(pattern: str) -> re2._Regexp:
    """A linear-time (RE2) regex: no pattern can backtrack, whatever the agent sends."""
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise ToolError(
            f"invalid regular expression: {detail} (RE2 syntax: no backreferences or lookaround)"
        ) from exc


class _Walk:
    """A bounded walk: stops after MAX_WALK_ENTRIES entries or WALK_SECONDS, and says which."""

    def __init__(self, root: Path, start: Path) -> None:
        self.root = root
        self.start = start
        self.stopped: str | None = None

    def __iter__(self) -> Iterator[tuple[str, os.DirEntry[str]]]:
        deadline = time.monotonic() + WALK_SECONDS
        seen = 0
        for item in walk(self.root, self.start):
            seen += 1
            if seen > MAX_WALK_ENTRIES:
                self.stopped = f"stopped after {MAX_WALK_ENTRIES} entries"
                return
            if seen % 256 == 0 and time.monotonic() > deadline:
                self.stopped = f"stopped after {WALK_SECONDS:g} s"
                return
            yield item

    def note(self) -> str:
        return f"[walk {self.stopped}; results are partial: narrow the path or pattern]"


class Sandbox:
    """An isolated working directory with limits; every tool stays inside `root`.

    `read_cache`, when given (it may be shared between sandboxes), serves read_file.
    """

    def __init__(
        self,
        root: Path,
        limits: Limits = Limits(),
        read_cache: ReadCache | None = None,
    ) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = Path(os.path.realpath(root))
        if not self.root.is_dir():
            raise ValueError(f"sandbox root is not a directory: {root}")
        self.limits = limits
        self.read_cache = read_cache

    # -- helpers -----------------------------------------------------------------------------

    def _rel(self, resolved: Path) -> str:
        return os.path.relpath(resolved, self.root)

    def _read_bytes(self, resolved: Path, shown: str) -> tuple[bytes, os.stat_result]:
        fd = open_beneath(self.root, resolved, os.O_RDONLY)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > self.limits.max_file_bytes:
                raise ToolError(
                    f"file too large: {shown} is {st.st_size} bytes "
                    f"(limit {self.limits.max_file_bytes})"
                )
            data = fh.read(self.limits.max_file_bytes + 1)
        if len(data) > self.limits.max_file_bytes:
            raise ToolError(f"file too large: {shown} (limit {self.limits.max_file_bytes} bytes)")
        return data, st

    def _read_text(self, path: str, *, for_write: bool = False) -> tuple[Path, str]:
        resolved = confine(self.root, path, write=for_write)
        if not resolved.exists():
            raise ToolError(f"file not found: {path}")
        if self.read_cache is not None:
            try:
                st = os.stat(resolved, follow_symlinks=False)
            except OSError:
                st = None
            if st is not None and stat.S_ISREG(st.st_mode):
                cached = self.read_cache.get(resolved, st)
                if cached is not None:
                    return resolved, cached
        data, st = self._read_bytes(resolved, path)
        if _is_binary(data):
            raise ToolError(f"binary file, not shown: {path}")
        text = data.decode("utf-8", "replace")
        if self.read_cache is not None:
            self.read_cache.put(resolved, st, text)
        return resolved, text

    def _write_text(self, resolved: Path, path: str, content: str) -> int:
        data = content.encode("utf-8")
        if len(data) > self.limits.max_file_bytes:
            raise ToolError(
                f"content too large: {len(data)} bytes (limit {self.limits.max_file_bytes})"
            )
        fd = open_beneath(self.root, resolved, os.O_WRONLY | os.O_CREAT, create_dirs=True)
        with os.fdopen(fd, "wb") as fh:
            os.ftruncate(fh.fileno(), 0)
            fh.write(data)
        if self.read_cache is not None:
            self.read_cache.invalidate(resolved)
        return len(data)

    # -- file tools --------------------------------------------------------------------------

    @_guarded
    def read_file(self, path: str, offset: int = 0, limit: int | None = None) -> ToolResult:
        """Plain text of a file; `offset` (0-based) and `limit` count lines."""
        if offset < 0 or (limit is not None and limit < 0):
            raise ToolError("offset and limit must not be negative")
        _, text = self._read_text(path)
        if offset == 0 and limit is None:
            return ToolResult(text)
        lines = text.splitlines(keepends=True)
        if offset and offset >= len(lines):
            raise ToolError(f"offset {offset} is past the end: {path} has {len(lines)} lines")
        end = None if limit is None else offset + limit
        return ToolResult("".join(lines[offset:end]))

    @_guarded
    def write_file(self, path: str, content: str) -> ToolResult:
        """Create or replace a file, creating parent directories inside the sandbox."""
        resolved = confine(self.root, path, write=True)
        size = self._write_text(resolved, path, content)
        return ToolResult(f"wrote {size} bytes to {self._rel(resolved)}")

    @_guarded
    def edit_file(self, path: str, old: str, new: str, replace_all: bool = False) -> ToolResult:
        """Replace `old` by `new`; `old` must occur exactly once unless `replace_all`."""
        if old == "":
            raise ToolError("old must not be empty")
        if old == new:
            raise ToolError("old and new are identical; nothing to change")
        resolved, text = self._read_text(path, for_write=True)
        count = text.count(old)
        if count == 0:
            raise ToolError(f"old string not found in {path}")
        if count > 1 and not replace_all:
            raise ToolError(
                f"old string occurs {count} times in {path}; give more context to make it "
                "unique, or set replace_all"
            )
        updated = text.replace(old, new) if replace_all else text.replace(old, new, 1)
        self._write_text(resolved, path, updated)
        done = count if replace_all else 1
        return ToolResult(f"replaced {done} occurrence{'s' if done != 1 else ''} in {path}")

    @_guarded
    def list_files(self, path: str = ".") -> ToolResult:
        """Entries of a directory: directories end with '/', symlinks show their target."""
        resolved = confine(self.root, path)
        if not resolved.is_dir():
            raise ToolError(f"not a directory: {path}")
        with os.scandir(resolved) as it:
            entries = sorted(it, key=lambda e: e.name)
        lines: list[str] = []
        for entry in entries[:MAX_LIST_ENTRIES]:
            if entry.is_symlink():
                lines.append(f"{entry.name} -> {os.readlink(entry.path)}")
            elif entry.is_dir(follow_symlinks=False):
                lines.append(entry.name + "/")
            else:
                lines.append(entry.name)
        if len(entries) > MAX_LIST_ENTRIES:
            lines.append(f"[{len(entries) - MAX_LIST_ENTRIES} more entries not shown]")
        return ToolResult("\n".join(lines) if lines else "(empty directory)")

    def _walk_start(self, parts: list[str]) -> tuple[Path, bool]:
        """Where a walk for these pattern segments may start (a literal, real prefix dir)."""
        prefix: list[str] = []
        for part in parts[:-1]:
            if GLOB_CHARS & set(part) or part == "**":
                break
            prefix.append(part)
        start = self.root.joinpath(*prefix)
        if not prefix:
            return start, True
        resolved = confine(self.root, "/".join(prefix))
        return start, resolved == start and start.is_dir()

    @_guarded
    def glob(self, pattern: str) -> ToolResult:
        """Paths matching a glob ('**' spans directories), relative to the sandbox root."""
        parts = split_pattern(pattern)
        start, ok = self._walk_start(parts)
        if not ok:
            return ToolResult(f"no paths match: {pattern}")
        want = GlobMatcher(tuple(parts))
        found: list[str] = []
        more = False
        walker = _Walk(self.root, start)
        for rel, entry in walker:
            if want.match(rel.split("/")):
                if len(found) >= MAX_GLOB_RESULTS:
                    more = True
                    break
                found.append(rel + ("/" if entry.is_dir(follow_symlinks=False) else ""))
        found.sort()
        if more:
            found.append(f"[more than {MAX_GLOB_RESULTS} matches; narrow the pattern]")
        if walker.stopped:
            found.append(walker.note())
        if not found:
            return ToolResult(f"no paths match: {pattern}")
        return ToolResult("\n".join(found))

    @_guarded
    def grep(self, pattern: str, path: str = ".", glob: str | None = None) -> ToolResult:
        """Regex search (RE2: linear time); `file:line:text` lines, capped; no symlinks followed."""
        if "\x00" in pattern:
            raise ToolError("pattern contains a NUL byte")
        regex = _compile(pattern)
        file_glob = GlobMatcher(tuple(split_pattern(glob))) if glob is not None else None
        resolved = confine(self.root, path)
        walker: _Walk | None = None
        candidates: Iterator[tuple[str, Path]]
        if resolved.is_dir():
            walker = _Walk(self.root, resolved)
            candidates = (
                (rel, Path(entry.path))
                for rel, entry in walker
                if entry.is_file(follow_symlinks=False)
            )
        elif resolved.is_file():
            candidates = iter([(self._rel(resolved), resolved)])
        else:
            raise ToolError(f"no such file or directory: {path}")
        matches: list[str] = []
        scanned = 0
        for rel, file in candidates:
            if file_glob is not None:
                parts = tuple(rel.split("/"))
                target = parts[-1:] if len(file_glob.pattern) == 1 else parts
                if not file_glob.match(target):
                    continue
            try:
                data, _ = self._read_bytes(file, rel)
            except (ToolError, OSError):
                continue
            scanned += len(data)
            if _is_binary(data):
                continue
            for lineno, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                if regex.search(line):
                    if len(matches) >= MAX_GREP_MATCHES:
                        matches.append(f"[more than {MAX_GREP_MATCHES} matches; narrow the search]")
                        return ToolResult("\n".join(matches))
                    matches.append(f"{rel}:{lineno}:{line[:MAX_GREP_LINE_CHARS]}")
            if scanned > MAX_GREP_SCAN_BYTES:
                matches.append("[search stopped: too much data scanned; narrow the path]")
                break
        if walker is not None and walker.stopped:
            matches.append(walker.note())
        return ToolResult("\n".join(matches) if matches else f"no matches for {pattern!r}")

    # -- commands ----------------------------------------------------------------------------

    async def run_command(
        self,
        command: str,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the tool's interface
    ) -> ToolResult:
        """Run `bash -lc command` under bubblewrap in /workspace (the sandbox root).

        `timeout` may shorten, never lengthen, limits.command_timeout_seconds.
        """
        # imported here: the file-tool worker process imports this module, never asyncio's
        from waypost.sandbox.runner import run_in_bwrap

        try:
            seconds = command_seconds(command, timeout, self.limits)
        except ToolError as exc:
            return ToolResult(str(exc), is_error=True)
        return await run_in_bwrap(self.root, command, seconds, self.limits)


def command_seconds(command: object, timeout: float | None, limits: Limits) -> float:
    """Check a run_command call; its deadline in seconds (ToolError when refused)."""
    if not isinstance(command, str) or not command.strip():
        raise ToolError("command must be a non-empty string")
    if "\x00" in command:
        raise ToolError("command contains a NUL byte")
    if timeout is not None and not timeout > 0:
        raise ToolError("timeout must be a positive number of seconds")
    limit = limits.command_timeout_seconds
    return limit if timeout is None else min(timeout, limit)
