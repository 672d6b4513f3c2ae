"""File tools: read, write, edit, list, glob, grep."""

from __future__ import annotations

from pathlib import Path

import pytest

from waypost.sandbox import Limits, Sandbox


def test_write_creates_parents_and_read_back(root: Path, sandbox: Sandbox) -> None:
    result = sandbox.write_file("a/b/c.txt", "one\ntwo\nthree\n")
    assert not result.is_error, result.content
    assert "14 bytes" in result.content
    assert (root / "a" / "b" / "c.txt").read_text() == "one\ntwo\nthree\n"
    assert sandbox.read_file("a/b/c.txt").content == "one\ntwo\nthree\n"
    assert sandbox.read_file("a/b/c.txt", offset=1, limit=1).content == "two\n"
    assert sandbox.read_file("a/b/c.txt", offset=2).content == "three\n"
    past = sandbox.read_file("a/b/c.txt", offset=9)
    assert past.is_error and "3 lines" in past.content
    assert sandbox.read_file("a/b/c.txt", offset=-1).is_error


def test_write_replaces_and_shrinks(root: Path, sandbox: Sandbox) -> None:
    (root / "f").write_text("a long original text")
    assert not sandbox.write_file("f", "short").is_error
    assert (root / "f").read_text() == "short"


def test_read_errors(root: Path, sandbox: Sandbox) -> None:
    missing = sandbox.read_file("nope.txt")
    assert missing.is_error and "not found" in missing.content
    (root / "bin.dat").write_bytes(b"\x00\x01\x02")
    assert "binary" in sandbox.read_file("bin.dat").content
    (root / "dir").mkdir()
    assert sandbox.read_file("dir").is_error


def test_size_limits(root: Path) -> None:
    box = Sandbox(root, Limits(max_file_bytes=10))
    (root / "big").write_text("x" * 11)
    big = box.read_file("big")
    assert big.is_error and "too large" in big.content
    assert box.write_file("w", "y" * 11).is_error
    assert not (root / "w").exists()
    assert not box.write_file("w", "y" * 10).is_error


def test_messages_do_not_leak_host_paths(root: Path, sandbox: Sandbox) -> None:
    for result in (sandbox.read_file("../x"), sandbox.read_file("nope"), sandbox.list_files("x")):
        assert result.is_error
        assert str(root) not in result.content


def test_edit_unique(root: Path, sandbox: Sandbox) -> None:
    (root / "f.py").write_text("a = 1\nb = 1\nc = 2\n")
    not_found = sandbox.edit_file("f.py", "zzz", "y")
    assert not_found.is_error and "not found" in not_found.content
    many = sandbox.edit_file("f.py", "= 1", "= 5")
    assert many.is_error and "2 times" in many.content
    assert (root / "f.py").read_text() == "a = 1\nb = 1\nc = 2\n"
    assert not sandbox.edit_file("f.py", "c = 2", "c = 3").is_error
    assert (root / "f.py").read_text() == "a = 1\nb = 1\nc = 3\n"
    both = sandbox.edit_file("f.py", "= 1", "= 5", replace_all=True)
    assert not both.is_error and "2 occurrences" in both.content
    assert (root / "f.py").read_text() == "a = 5\nb = 5\nc = 3\n"
    assert sandbox.edit_file("f.py", "", "x").is_error
    assert sandbox.edit_file("missing.py", "a", "b").is_error
    assert sandbox.edit_file("../f.py", "a", "b").is_error


def test_list_files(root: Path, outside: Path, sandbox: Sandbox) -> None:
    (root / "sub").mkdir()
    (root / "f.txt").write_text("x")
    (root / "ln").symlink_to(outside)
    listing = sandbox.list_files().content.splitlines()
    assert listing == ["f.txt", "ln -> " + str(outside), "sub/"]
    assert sandbox.list_files("sub").content == "(empty directory)"
    assert sandbox.list_files("f.txt").is_error
    assert sandbox.list_files("..").is_error


@pytest.fixture
def tree(root: Path, outside: Path) -> Path:
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "main.py").write_text("print('hello')\n")
    (root / "src" / "pkg" / "mod.py").write_text("def hello():\n    return 'hello world'\n")
    (root / "README.md").write_text("hello readme\n")
    (root / "escape").symlink_to(outside)
    (root / "escape_file.py").symlink_to(outside / "secret.py")
    return root


def test_glob(tree: Path, sandbox: Sandbox) -> None:
    assert sandbox.glob("**/*.py").content.splitlines() == [
        "escape_file.py",
        "src/main.py",
        "src/pkg/mod.py",
    ]
    assert sandbox.glob("src/*").content.splitlines() == ["src/main.py", "src/pkg/"]
    assert sandbox.glob("*.md").content == "README.md"
    assert "no paths match" in sandbox.glob("*.rs").content


@pytest.mark.parametrize("pattern", ["../*", "/etc/*", "src/../../*", "**/../../*", "a\x00"])
def test_glob_escapes(tree: Path, sandbox: Sandbox, pattern: str) -> None:
    result = sandbox.glob(pattern)
    assert result.is_error, result.content


def test_glob_does_not_descend_into_symlinks(tree: Path, sandbox: Sandbox) -> None:
    assert "secret" not in sandbox.glob("**/*").content
    into_link = sandbox.glob("escape/*")
    assert into_link.is_error and "secret" not in into_link.content


def test_grep(tree: Path, sandbox: Sandbox) -> None:
    found = sandbox.grep("hello").content.splitlines()
    assert found == [
        "README.md:1:hello readme",
        "src/main.py:1:print('hello')",
        "src/pkg/mod.py:1:def hello():",
        "src/pkg/mod.py:2:    return 'hello world'",
    ]
    assert sandbox.grep("hello", glob="*.py").content.count("\n") == 2
    assert sandbox.grep("hello", path="src/pkg").content.splitlines()[0] == (
        "src/pkg/mod.py:1:def hello():"
    )
    assert sandbox.grep(r"world'$", path="src/pkg/mod.py").content == (
        "src/pkg/mod.py:2:    return 'hello world'"
    )
    assert "no matches" in sandbox.grep("zzzz").content


def test_grep_never_reads_outside(tree: Path, sandbox: Sandbox) -> None:
    assert sandbox.grep("TOP[S]ECRET").content == "no matches for 'TOP[S]ECRET'"
    for kwargs in ({"path": "escape"}, {"path": "escape_file.py"}, {"path": ".."}):
        result = sandbox.grep("TOP[S]ECRET", **kwargs)
        assert result.is_error and "TOPSECRET" not in result.content
    assert sandbox.grep("x", glob="../*").is_error
    assert sandbox.grep("x", path="/etc").is_error


def test_grep_bad_regex_and_cap(root: Path, sandbox: Sandbox) -> None:
    bad = sandbox.grep("(unclosed")
    assert bad.is_error and "invalid regular expression" in bad.content
    (root / "many.txt").write_text("match\n" * 500)
    lines = sandbox.grep("match").content.splitlines()
    assert len(lines) == 201
    assert "more than 200 matches" in lines[-1]
