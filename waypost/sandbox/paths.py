"""Path confinement: every user path is resolved by hand, never following a symlink out."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from waypost.sandbox.types import ToolError

MAX_SYMLINKS = 40
MAX_WALK_ENTRIES = 200_000
SKIP_DIRS = frozenset({".git"})


def _check_text(path: str, what: str = "path") -> None:
    """Refuse non-strings, empty strings and NUL bytes."""
    if not isinstance(path, str):
        raise ToolError(f"{what} must be a string")
    if path == "":
        raise ToolError(f"{what} is empty")
    if "\x00" in path:
        raise ToolError(f"{what} contains a NUL byte")


def _inside(root: str, candidate: str) -> bool:
    return candidate == root or candidate.startswith(root.rstrip("/") + "/")


def confine(root: Path, path: str, *, write: bool = False) -> Path:
    """Resolve `path` (relative to `root`) to a real path inside `root`, or raise ToolError.

    Every symlink met on the way is resolved component by component and must stay inside
    `root` at every step. Missing trailing components are allowed (for writes). With
    `write=True` an existing target must be a regular file.
    """
    _check_text(path)
    if os.path.isabs(path):
        raise ToolError(
            f"absolute paths are not allowed (use a path relative to the sandbox): {path}"
        )
    root_real = os.path.realpath(root)
    current = root_real
    pending: deque[str] = deque(path.split("/"))
    links = 0
    missing = False
    while pending:
        comp = pending.popleft()
        if comp in ("", "."):
            continue
        if comp == "..":
            if current == root_real:
                raise ToolError(f"path escapes the sandbox: {path}")
            current = os.path.dirname(current)
            continue
        nxt = os.path.join(current, comp)
        if missing:
            current = nxt
            continue
        try:
            st = os.lstat(nxt)
        except FileNotFoundError:
            missing = True
            current = nxt
            continue
        except NotADirectoryError as exc:
            raise ToolError(f"not a directory: {path}") from exc
        except OSError as exc:
            raise ToolError(f"cannot access {path}: {exc.strerror}") from exc
        if not stat.S_ISLNK(st.st_mode):
            current = nxt
            continue
        links += 1
        if links > MAX_SYMLINKS:
            raise ToolError(f"too many levels of symbolic links: {path}")
        target = os.readlink(nxt)
        if os.path.isabs(target):
            if not _inside(root_real, target):
                raise ToolError(f"path escapes the sandbox through a symlink: {path}")
            rest = target[len(root_real) :]
            current = root_real
        else:
            rest = target
        pending.extendleft(reversed(rest.split("/")))
    if not _inside(root_real, current):  # pragma: no cover - guarded above, kept as a backstop
        raise ToolError(f"path escapes the sandbox: {path}")
    if write and not missing:
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return Path(current)
        if not stat.S_ISREG(st.st_mode):
            raise ToolError(f"not a regular file, refusing to write: {path}")
    return Path(current)


def relative(root: Path, resolved: Path) -> str:
    """The sandbox-relative spelling of a resolved path ('.' for the root)."""
    rel = os.path.relpath(resolved, os.path.realpath(root))
    return rel


def open_beneath(
    root: Path, resolved: Path, flags: int, *, mode: int = 0o644, create_dirs: bool = False
) -> int:
    """Open a confined path walking from `root` with O_NOFOLLOW at every step.

    Guards against a symlink swapped in after `confine` checked the path (for example by a
    command running in the sandbox at the same time). The result is always a regular file.
    """
    root_real = os.path.realpath(root)
    rel = os.path.relpath(resolved, root_real)
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ToolError("not a regular file")
    dir_flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(root_real, dir_flags)
    try:
        for comp in parts[:-1]:
            try:
                nfd = os.open(comp, dir_flags, dir_fd=fd)
            except FileNotFoundError:
                if not create_dirs:
                    raise
                os.mkdir(comp, 0o755, dir_fd=fd)
                nfd = os.open(comp, dir_flags, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise ToolError(
                        "path changed to a symlink or non-directory while opening"
                    ) from exc
                raise
            os.close(fd)
            fd = nfd
        try:
            ffd = os.open(
                parts[-1], flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode, dir_fd=fd
            )
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ToolError("path changed to a symlink while opening") from exc
            if exc.errno in (errno.ENXIO, errno.ENODEV, errno.EISDIR):
                raise ToolError("not a regular file") from exc
            raise
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(ffd).st_mode):
        os.close(ffd)
        raise ToolError("not a regular file")
    return ffd


def split_pattern(pattern: str) -> list[str]:
    """Validate a glob pattern and split it into segments; refuses escapes."""
    _check_text(pattern, "pattern")
    if pattern.startswith("/"):
        raise ToolError(f"absolute patterns are not allowed: {pattern}")
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ToolError(f"pattern escapes the sandbox: {pattern}")
    if not parts:
        raise ToolError(f"empty pattern: {pattern}")
    return parts


class GlobMatcher:
    """A glob split in segments, compiled once; '**' matches zero or more path segments.

    Matching runs over the set of pattern positions reachable so far (a small NFA): time
    linear in the path's segments times the pattern's, with no recursion and no per-call
    set-up, whatever the pattern.
    """

    def __init__(self, pattern: tuple[str, ...]) -> None:
        self.pattern = pattern
        self._segments = [
            None if part == "**" else re.compile(fnmatch.translate(part)).match for part in pattern
        ]
        self._end = len(pattern)

    def _closure(self, states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            i = todo.pop()
            if i < self._end and self._segments[i] is None and i + 1 not in states:
                states.add(i + 1)
                todo.append(i + 1)
        return states

    def match(self, parts: tuple[str, ...] | list[str]) -> bool:
        """Whether the path segments `parts` match the whole pattern."""
        states = self._closure({0})
        for part in parts:
            following: set[int] = set()
            for i in states:
                if i == self._end:
                    continue
                segment = self._segments[i]
                if segment is None:
                    following.add(i)  # '**' takes this segment and stays
                elif segment(part):
                    following.add(i + 1)
            if not following:
                return False
            states = self._closure(following)
        return self._end in states


def walk(root: Path, start: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Yield (sandbox-relative path, entry) below `start`, never following symlinks.

    Skips .git directories. Unbounded: callers stop when they have seen enough.
    """
    root_real = os.path.realpath(root)
    first = os.path.relpath(start, root_real)
    stack = [(str(start), "" if first == "." else first + "/")]
    while stack:
        directory, prefix = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            rel = prefix + entry.name
            yield rel, entry
            if entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS:
                subdirs.append((entry.path, rel + "/"))
        stack.extend(reversed(subdirs))
