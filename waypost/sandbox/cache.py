"""A bounded LRU cache of file contents, keyed by (resolved path, mtime_ns, size)."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict

CacheKey = tuple[str, int, int]

# A file modified this recently may change again within the same timestamp tick without its
# (mtime_ns, size) key changing ("racy" entries, as git calls them), so it is not cached.
RACY_WINDOW_NS = 2_000_000_000


class ReadCache:
    """LRU of decoded file texts bounded by entry count and total bytes; thread-safe."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024**2) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be positive")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[CacheKey, tuple[str, int]] = OrderedDict()
        self._by_path: dict[str, CacheKey] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(path: str | os.PathLike[str], st: os.stat_result) -> CacheKey:
        """The cache key of a file given its stat result."""
        return (os.fspath(path), st.st_mtime_ns, st.st_size)

    @property
    def total_bytes(self) -> int:
        """Bytes currently held (file sizes)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, path: str | os.PathLike[str], st: os.stat_result) -> str | None:
        """The cached text for this exact file version, counting a hit or a miss."""
        k = self.key(path, st)
        with self._lock:
            found = self._entries.get(k)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(k)
            self.hits += 1
            return found[0]

    def put(self, path: str | os.PathLike[str], st: os.stat_result, text: str) -> bool:
        """Store a file version (replacing older versions of the path); False if not cached."""
        k = self.key(path, st)
        size = st.st_size
        with self._lock:
            self._drop_path(k[0])
            if size > self.max_bytes or time.time_ns() - st.st_mtime_ns < RACY_WINDOW_NS:
                return False
            self._entries[k] = (text, size)
            self._by_path[k[0]] = k
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                old_key, (_, old_size) = self._entries.popitem(last=False)
                self._by_path.pop(old_key[0], None)
                self._bytes -= old_size
            return True

    def invalidate(self, path: str | os.PathLike[str]) -> None:
        """Forget every cached version of a path."""
        with self._lock:
            self._drop_path(os.fspath(path))

    def clear(self) -> None:
        """Forget everything (counters are kept)."""
        with self._lock:
            self._entries.clear()
            self._by_path.clear()
            self._bytes = 0

    def _drop_path(self, path: str) -> None:
        old = self._by_path.pop(path, None)
        if old is not None:
            _, size = self._entries.pop(old)
            self._bytes -= size
