"""ReadCache: hits, misses, invalidation on change, bounds."""

from __future__ import annotations

import os
import time
from pathlib import Path

from waypost.sandbox import Limits, ReadCache, Sandbox


def _age(path: Path, seconds: float = 60) -> None:
    """Backdate a file so it is not 'racy' (just modified) for the cache."""
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_hits_and_misses(root: Path) -> None:
    cache = ReadCache()
    box = Sandbox(root, Limits(), read_cache=cache)
    (root / "f.txt").write_text("v1")
    _age(root / "f.txt")
    assert box.read_file("f.txt").content == "v1"
    assert (cache.hits, cache.misses) == (0, 1)
    assert box.read_file("f.txt").content == "v1"
    assert box.read_file("f.txt", offset=0, limit=1).content == "v1"
    assert (cache.hits, cache.misses) == (2, 1)


def test_change_on_disk_invalidates(root: Path) -> None:
    cache = ReadCache()
    box = Sandbox(root, Limits(), read_cache=cache)
    f = root / "f.txt"
    f.write_text("v1")
    _age(f, 60)
    assert box.read_file("f.txt").content == "v1"
    f.write_text("v2 longer")
    _age(f, 30)
    assert box.read_file("f.txt").content == "v2 longer"
    assert (cache.hits, cache.misses) == (0, 2)
    assert len(cache) == 1  # the stale version was dropped
    f.write_text("v3 samesz")  # same size, only mtime differs
    _age(f, 20)
    assert box.read_file("f.txt").content == "v3 samesz"
    assert cache.hits == 0


def test_write_and_edit_invalidate(root: Path) -> None:
    cache = ReadCache()
    box = Sandbox(root, Limits(), read_cache=cache)
    f = root / "f.txt"
    f.write_text("alpha")
    _age(f)
    assert box.read_file("f.txt").content == "alpha"
    assert len(cache) == 1
    box.write_file("f.txt", "beta!")
    assert len(cache) == 0
    assert box.read_file("f.txt").content == "beta!"
    box.edit_file("f.txt", "beta", "gamma")
    assert box.read_file("f.txt").content == "gamma!"


def test_recently_modified_files_are_not_cached(root: Path) -> None:
    cache = ReadCache()
    box = Sandbox(root, Limits(), read_cache=cache)
    (root / "fresh").write_text("x")
    box.read_file("fresh")
    box.read_file("fresh")
    assert len(cache) == 0
    assert (cache.hits, cache.misses) == (0, 2)


def test_lru_bounds(tmp_path: Path) -> None:
    cache = ReadCache(max_entries=2, max_bytes=10)
    paths = []
    for i in range(3):
        p = tmp_path / f"f{i}"
        p.write_text("abcd")
        _age(p)
        paths.append(p)
    st = [p.stat() for p in paths]
    assert cache.put(paths[0], st[0], "abcd")
    assert cache.put(paths[1], st[1], "abcd")
    assert cache.get(paths[0], st[0]) == "abcd"  # f0 is now most recent
    assert cache.put(paths[2], st[2], "abcd")  # evicts f1 (entries bound)
    assert cache.get(paths[1], st[1]) is None
    assert cache.get(paths[0], st[0]) == "abcd"
    assert len(cache) == 2 and cache.total_bytes == 8
    big = tmp_path / "big"
    big.write_text("x" * 11)
    _age(big)
    assert not cache.put(big, big.stat(), "x" * 11)  # larger than max_bytes
    six = tmp_path / "six"
    six.write_text("x" * 6)
    _age(six)
    assert cache.put(six, six.stat(), "x" * 6)  # bytes bound: 8 + 6 > 10 evicts one
    assert cache.total_bytes <= 10
    assert len(cache) == 2
