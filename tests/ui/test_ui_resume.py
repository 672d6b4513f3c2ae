"""The session page's stream resumes after its connection drops, without losing or repeating.

The browser reaches the server through a small TCP relay that the test can cut, as a flaky
network would: every open connection is reset, new ones go through again.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers import RunningServer
from tests.ui.helpers import client, sign_in

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None


class Relay:
    """Forwards 127.0.0.1:<port> to the server; ``cut()`` resets every open connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client_sock, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client_sock, upstream]
            for a, b in ((client_sock, upstream), (upstream, client_sock)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        with self.lock:
            dropped, self.open = self.open, []
        for s in dropped:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def relay(ui_server: RunningServer) -> Iterator[Relay]:
    r = Relay((ui_server.settings.host, ui_server.settings.port))
    try:
        yield r
    finally:
        r.close()


def test_the_timeline_resumes_after_a_dropped_connection(
    browser: Any, ui_server: RunningServer, relay: Relay
) -> None:
    page, key = sign_in(browser, ui_server, "ui-resume")
    api = client(ui_server, key)
    sid = api.post("/api/v1/sessions", json={"name": "flaky network"}).json()["id"]
    api.post("/api/v1/inboxes", json={"session_id": sid})
    page.goto(f"http://127.0.0.1:{relay.port}/#/sessions/{sid}")  # a new origin: sign in again
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    state = page.locator("#stream-state")
    expect(state).to_have_text("live")
    items = page.locator("#timeline li")
    expect(items).to_have_count(2)

    resumed: list[str | None] = []
    page.on(
        "request",
        lambda r: r.url.endswith("/events") and resumed.append(r.headers.get("last-event-id")),
    )
    relay.cut()
    api.post("/api/v1/inboxes", json={"session_id": sid})  # while the stream is down
    expect(state).to_have_text("live")  # reconnected by itself
    expect(items).to_have_count(3)  # the missed event, once
    assert resumed and resumed[-1] == "2", resumed
    api.post(f"/api/v1/sessions/{sid}/complete", json={})
    expect(items).to_have_count(4)
    assert [el.get_attribute("data-seq") for el in items.all()] == ["1", "2", "3", "4"]
    page.context.close()
