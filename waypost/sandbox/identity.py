"""Who a sandbox's processes run as: an unprivileged uid of its own when the server is root.

A server run as root (as `make run` and CI do) must not run agents' commands as root:
`RLIMIT_NPROC` does not bind uid 0, so a fork bomb would be unbounded, and root ignores file
permissions. Each sandbox gets a uid (and gid) of its own, derived from its id, in a range no
distribution hands out to users; its directory is owned by that uid, and both its command
processes and its file-tool worker run as it. A server that is not root runs everything as
itself, as before (its own uid is already unprivileged).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

# 0x70000000 .. 0x70ffffff: far above the ranges useradd, systemd and subuid maps use.
UID_BASE = 0x7000_0000
UID_SPAN = 1 << 24


@dataclass(frozen=True)
class Identity:
    """The uid and gid a sandbox's processes run as."""

    uid: int
    gid: int


def identity_for(sandbox_key: str) -> Identity | None:
    """The sandbox's own identity when this process is root; None (run as ourselves) otherwise.

    Derived from the key (the sandbox id), so every replica computes the same uid. Two
    sandboxes whose ids hash alike would share a process budget, never files: each sees only
    its own directory.
    """
    if os.geteuid() != 0:
        return None
    digest = hashlib.sha256(sandbox_key.encode("utf-8")).digest()
    uid = UID_BASE + int.from_bytes(digest[:4], "big") % UID_SPAN
    return Identity(uid, uid)


def give_to(root: Path, identity: Identity | None) -> None:
    """Make the sandbox directory (and, once, whatever is in it) belong to `identity`.

    Cheap when nothing is to do (one lstat). A directory made before sandboxes had their own
    uid is handed over whole, without following symlinks.
    """
    if identity is None:
        return
    st = os.lstat(root)
    if st.st_uid == identity.uid and st.st_gid == identity.gid:
        return
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), identity.uid, identity.gid)
    os.lchown(root, identity.uid, identity.gid)
    os.chmod(root, 0o700)


def drop_privileges(identity: Identity) -> None:
    """Become `identity` for good (no supplementary groups); called in a child process."""
    os.setgroups([])
    os.setresgid(identity.gid, identity.gid, identity.gid)
    os.setresuid(identity.uid, identity.uid, identity.uid)
