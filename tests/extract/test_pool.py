"""The extraction workers: the same answers as the engine inline, and a worker that dies or
fails is replaced without losing the mail."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from waypost.extract._model import MailContent
from waypost.extract.pool import ExtractionPool, run
from waypost.extract.worker import answer
from waypost.mail import ipc

SHAPES = sorted((Path(__file__).parent.parent / "data" / "extract_shapes").glob("*.eml"))[:12]


@pytest.fixture
async def pool() -> object:
    workers = ExtractionPool(size=2)
    await workers.start()
    yield workers
    await workers.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


async def test_answers_equal_the_engine_inline(pool: ExtractionPool) -> None:
    assert SHAPES
    for path in SHAPES:
        raw = path.read_bytes()
        kinds = ("otp", "magic_link", "auto")
        assert await pool.run(raw, kinds) == run(raw, kinds), path.name
    content = MailContent(subject="Your code", text="Use 482913 to sign in.")
    assert await pool.run(content, ("otp",)) == run(content, ("otp",))
    assert (await pool.run(content, ("otp",)))["otp"].value == "482913"


async def test_a_dead_worker_is_replaced_and_the_mail_answered(pool: ExtractionPool) -> None:
    before = {w.child.pid for w in pool._workers}
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    found = await pool.run(b"Subject: code\r\n\r\nYour code is 771204\r\n", ("otp",))
    assert found["otp"].value == "771204"
    after = {w.child.pid for w in pool._workers}
    assert after and not after & before
    assert len(pool._workers) <= pool.size


def test_a_request_the_engine_cannot_take_is_an_error_reply_not_a_crash() -> None:
    bad = ipc.Frame(1, ipc.EXTRACT, {"kinds": ["otp"], "content": {"no_such_field": 1}})
    assert "TypeError" in str(answer(bad)["error"])
    good = ipc.Frame(2, ipc.EXTRACT, {"kinds": ["otp"]}, b"Subject: x\r\n\r\ncode 123456\r\n")
    assert answer(good)["found"]["otp"]["value"] == "123456"  # type: ignore[index]


async def test_close_ends_every_worker() -> None:
    workers = ExtractionPool(size=2)
    await workers.start()
    pids = [w.child.pid for w in workers._workers]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    await workers.close()
    assert not any(_alive(p) for p in pids)
