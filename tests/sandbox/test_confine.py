"""Path confinement: every escape attempt is refused, in-sandbox paths resolve."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from waypost.sandbox import Sandbox, ToolError, confine
from waypost.sandbox.paths import open_beneath


def test_plain_paths_resolve_inside(root: Path) -> None:
    (root / "a").mkdir()
    assert confine(root, "a/b.txt") == root / "a" / "b.txt"
    assert confine(root, ".") == root
    assert confine(root, "./a/./b") == root / "a" / "b"
    assert confine(root, "a/../c") == root / "c"
    assert confine(root, "new/dir/file") == root / "new" / "dir" / "file"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../x", "escapes the sandbox: ../x"),
        ("a/../../x", "escapes the sandbox"),
        ("..", "escapes the sandbox"),
        ("missing/../../x", "escapes the sandbox"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("//etc/passwd", "absolute paths are not allowed"),
        ("a\x00b", "NUL byte"),
        ("", "empty"),
    ],
)
def test_escapes_are_refused(root: Path, path: str, message: str) -> None:
    (root / "a").mkdir()
    with pytest.raises(ToolError, match=message):
        confine(root, path)


def test_symlinked_file_pointing_out(root: Path, outside: Path, sandbox: Sandbox) -> None:
    (root / "link").symlink_to(outside / "secret.txt")
    with pytest.raises(ToolError, match="escapes the sandbox through a symlink"):
        confine(root, "link")
    result = sandbox.read_file("link")
    assert result.is_error
    assert "TOPSECRET" not in result.content
    assert sandbox.write_file("link", "overwritten").is_error
    assert (outside / "secret.txt").read_text() == "TOPSECRET\n"


def test_symlinked_dir_pointing_out(root: Path, outside: Path, sandbox: Sandbox) -> None:
    (root / "d").symlink_to(outside)
    (root / "rel").symlink_to("../outside")
    for path in ("d/secret.txt", "d", "rel/secret.txt", "d/../box/x"):
        with pytest.raises(ToolError, match="escapes the sandbox"):
            confine(root, path)
    assert sandbox.list_files("d").is_error
    assert sandbox.write_file("d/new.txt", "x").is_error
    assert sandbox.write_file("rel/sub/new.txt", "x").is_error
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py", "secret.txt"]


def test_etc_passwd_through_symlink(root: Path, sandbox: Sandbox) -> None:
    (root / "pw").symlink_to("/etc/passwd")
    (root / "etc").symlink_to("/etc")
    assert sandbox.read_file("pw").is_error
    result = sandbox.read_file("etc/passwd")
    assert result.is_error
    assert "root:" not in result.content


def test_symlink_chain_out_is_refused(root: Path, outside: Path) -> None:
    (root / "c").symlink_to("../outside/secret.txt")
    (root / "b").symlink_to("c")
    (root / "sub").mkdir()
    (root / "sub" / "a").symlink_to("../b")
    with pytest.raises(ToolError, match="escapes"):
        confine(root, "sub/a")


def test_symlink_chain_inside_is_followed(root: Path) -> None:
    (root / "real").mkdir()
    (root / "real" / "f.txt").write_text("hi")
    (root / "b").symlink_to("real")
    (root / "a").symlink_to("b")
    (root / "abs").symlink_to(root / "real" / "f.txt")
    assert confine(root, "a/f.txt") == root / "real" / "f.txt"
    assert confine(root, "abs") == root / "real" / "f.txt"


def test_intermediate_escape_is_refused_even_if_it_comes_back(root: Path) -> None:
    """A path that leaves the root through a symlink and '..' back in is still refused."""
    (root / "up").symlink_to("..")
    with pytest.raises(ToolError, match="escapes"):
        confine(root, f"up/{root.name}/x")


def test_symlink_loop(root: Path) -> None:
    (root / "x").symlink_to("y")
    (root / "y").symlink_to("x")
    with pytest.raises(ToolError, match="too many levels"):
        confine(root, "x")


def test_special_files_refused(root: Path, sandbox: Sandbox) -> None:
    os.mkfifo(root / "fifo")
    with pytest.raises(ToolError, match="not a regular file"):
        confine(root, "fifo", write=True)
    assert sandbox.write_file("fifo", "x").is_error
    box: list[object] = []
    reader = threading.Thread(target=lambda: box.append(sandbox.read_file("fifo")), daemon=True)
    reader.start()
    reader.join(5)
    assert box, "read_file blocked on a FIFO"
    assert getattr(box[0], "is_error", False)
    assert sandbox.write_file(".", "x").is_error


def test_swapped_symlink_after_confine_is_caught(root: Path, outside: Path) -> None:
    """A directory replaced by a symlink between check and open is not followed."""
    (root / "d").mkdir()
    (root / "d" / "secret.txt").write_text("inside")
    resolved = confine(root, "d/secret.txt")
    (root / "d" / "secret.txt").unlink()
    (root / "d").rmdir()
    (root / "d").symlink_to(outside)
    with pytest.raises(ToolError, match="symlink"):
        open_beneath(root, resolved, os.O_RDONLY)


def test_swapped_final_symlink_is_caught(root: Path, outside: Path) -> None:
    (root / "f").write_text("inside")
    resolved = confine(root, "f")
    (root / "f").unlink()
    (root / "f").symlink_to(outside / "secret.txt")
    with pytest.raises(ToolError, match="symlink"):
        open_beneath(root, resolved, os.O_WRONLY)
    assert (outside / "secret.txt").read_text() == "TOPSECRET\n"
