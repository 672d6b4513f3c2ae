"""``waypost serve --smtp-workers N``: SMTP in worker processes, storage in the main one."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import database_url_for
from tests.servers import SubprocessServer, make_settings


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    with ExitStack() as stack:
        yield database_url_for(request.param, stack)


def worker_pids(parent: int) -> list[int]:
    """Live ``waypost.mail.worker`` children of ``parent``."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = stat.read_text().rsplit(")", 1)[1].split()[1]
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == str(parent) and b"waypost.mail.worker" in cmdline:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: object, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def message(to: str, n: int) -> bytes:
    return (
        f"From: a@b.test\r\nTo: {to}\r\nSubject: worker {n}\r\nMessage-ID: <w{n}@b.test>\r\n"
        f"\r\nbody {n} \xe9\r\n"
    ).encode()


def test_workers_store_mail_refuse_strangers_and_come_back(
    tmp_path: Path, database_url: str | None
) -> None:
    server = SubprocessServer(make_settings(tmp_path, database_url, smtp_workers=2)).start()
    assert server.proc is not None
    try:
        assert len(worker_pids(server.proc.pid)) == 2
        with server.client("alice") as api:
            inbox = api.post("/api/v1/inboxes", json={}).json()
            address = inbox["email_address"]
            sent = {}
            for n in range(12):  # separate connections: the kernel spreads them over workers
                with smtplib.SMTP(*server.smtp) as smtp:
                    smtp.sendmail("a@b.test", [address], message(address, n))
                    sent[f"worker {n}"] = message(address, n)
            with smtplib.SMTP(*server.smtp) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("a@b.test", ["nobody@waypost.localhost"], b"Subject: x\r\n\r\nx")
            with smtplib.SMTP(*server.smtp) as smtp:  # relaying is refused too
                with pytest.raises(smtplib.SMTPRecipientsRefused):
                    smtp.sendmail("a@b.test", ["someone@example.com"], b"Subject: x\r\n\r\nx")
            emails = api.get(f"/api/v1/inboxes/{inbox['id']}/emails", params={"limit": 50}).json()
            assert emails["total"] == 12
            for email in emails["data"]:
                raw = api.get(f"/api/v1/emails/{email['id']}/raw").content
                assert raw == sent[email["subject"]]  # byte-identical through the worker

            # a worker that dies is replaced, and mail keeps flowing meanwhile
            victim = worker_pids(server.proc.pid)[0]
            os.kill(victim, signal.SIGKILL)
            wait_for(
                lambda: (
                    len(worker_pids(server.proc.pid)) == 2  # type: ignore[union-attr]
                    and victim not in worker_pids(server.proc.pid)
                )  # type: ignore[union-attr]
            )
            wait_for(lambda: _accepts(server.smtp, address))
            total = api.get(f"/api/v1/inboxes/{inbox['id']}/emails").json()["total"]
            assert total >= 13
    finally:
        assert server.signal(signal.SIGTERM) == 0
    assert worker_pids(server.proc.pid) == []


def _accepts(smtp_address: tuple[str, int], to: str) -> bool:
    try:
        with smtplib.SMTP(*smtp_address, timeout=5) as smtp:
            smtp.sendmail("a@b.test", [to], message(to, 99))
        return True
    except (OSError, smtplib.SMTPException):
        return False


def test_workers_leave_with_a_killed_main_process(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, smtp_workers=2)
    server = SubprocessServer(settings).start()
    assert server.proc is not None
    workers = worker_pids(server.proc.pid)
    assert len(workers) == 2
    assert server.signal(signal.SIGKILL) == -signal.SIGKILL
    wait_for(lambda: not any(alive(pid) for pid in workers), 10)
    with socket.socket() as sock:  # nobody holds the SMTP port any more
        sock.bind((settings.smtp_host, settings.smtp_port))
