"""Webhooks (issue 17) against a running server and a real local HTTP receiver.

Signatures are checked with ``standardwebhooks`` (an independent implementation of the
specification), deliveries survive SIGKILL, several servers on one database send each
delivery once, and private targets are refused unless the server allows them.
"""

from __future__ import annotations

import itertools
import json
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.conftest import database_url_for
from tests.helpers import make_inbox, make_session, send
from tests.servers import RunningServer, SubprocessServer, ThreadServer, make_settings

# small delays so retries, timeouts and the retry window fit in a test
FAST = {
    "webhooks_allow_private": True,
    "webhook_backoff_base_seconds": 0.2,
    "webhook_backoff_max_seconds": 0.5,
    "webhook_timeout_seconds": 1.0,
    "webhook_poll_seconds": 0.2,
    "webhook_retry_seconds": 4.0,
}
_paths = itertools.count()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """An HTTP server in a thread that records every request and answers as scripted.

    ``script[path]`` is consumed one answer per request: an int status, or
    ``("sleep", seconds)``; when it runs out the answer is 200.
    """

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    script: dict[str, list[Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def new_path(self, *answers: Any) -> str:
        path = f"/hook/{next(_paths)}"
        self.script[path] = list(answers)
        return path

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.to(path)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{path}: {len(self.to(path))} of {count} requests")
                self.arrived.wait(left)
        return self.to(path)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with rec.lock:
                answers = rec.script.get(self.path, [])
                answer = answers.pop(0) if answers else 200
            if isinstance(answer, tuple):  # ("sleep", seconds): record now, answer late
                self._record(body, -1)
                time.sleep(answer[1])
                answer = 200
            else:
                self._record(body, answer)
            try:
                self.send_response(answer)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok " + b"x" * 3000)  # longer than the kept excerpt
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (a timeout test)

        def _record(self, body: bytes, answered: int) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with rec.lock:
                rec.requests.append(Received(self.path, headers, body, answered))
            with rec.arrived:
                rec.arrived.notify_all()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    rec.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield rec
    httpd.shutdown()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def wh_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server that allows private targets, with short retry delays."""
    with ExitStack() as stack:
        url = database_url_for(request.param, stack)
        settings = make_settings(tmp_path_factory.mktemp(f"wh-{request.param}"), url, **FAST)
        srv = ThreadServer(settings).start()
        try:
            yield srv
        finally:
            srv.stop()


_users = itertools.count()


@pytest.fixture
def client(wh_server: RunningServer) -> Iterator[Callable[[], httpx.Client]]:
    """Clients of brand-new users of ``wh_server``."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(wh_server.client(f"whuser{next(_users)}"))


def hook(api: httpx.Client, url: str, events: list[str], **extra: Any) -> dict[str, Any]:
    response = api.post("/api/v1/webhooks", json={"url": url, "events": events, **extra})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def deliveries(api: httpx.Client, webhook_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params={"limit": 100})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def settled(api: httpx.Client, webhook_id: str, count: int = 1, timeout: float = 20) -> list[Any]:
    """The webhook's deliveries once ``count`` of them are no longer pending."""
    deadline = time.monotonic() + timeout
    while True:
        rows = deliveries(api, webhook_id)
        done = [r for r in rows if r["status"] != "pending"]
        if len(done) >= count:
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled: {rows}")
        time.sleep(0.1)


def verify(secret: str, request: Received) -> dict[str, Any]:
    """The payload, once ``standardwebhooks`` has verified its signature."""
    payload: dict[str, Any] = StandardWebhook(secret).verify(request.body, request.headers)
    return payload


# --- delivery ---------------------------------------------------------------------------


def test_email_received_is_delivered_signed_with_the_parsed_mail(
    wh_server: RunningServer, client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api = client()
    inbox = make_inbox(api)
    path = receiver.new_path()
    created = hook(api, receiver.url(path), ["email.received"], inbox_id=inbox["id"])
    secret = created["secret"]
    assert secret.startswith("whsec_")

    send(
        wh_server,
        str(inbox["email_address"]),
        subject="Your code",
        text="Your code is 482913",
        html="<p>Your code is <b>482913</b><script>alert(1)</script></p>",
    )
    [request] = receiver.wait_for(path)
    payload = verify(secret, request)
    assert payload["type"] == "email.received"
    data = payload["data"]
    assert data["inbox_id"] == inbox["id"]
    assert data["event_id"].startswith("evt_")
    email = data["email"]
    assert email["subject"] == "Your code"
    assert "482913" in email["text"]
    assert "482913" in email["html"] and "<script" not in email["html"]
    assert email["from_addresses"][0]["address"] == "no-reply@acme.test"
    assert email["to"][0]["address"] == inbox["email_address"]
    raw = api.get(email["raw_url"])
    assert raw.status_code == 200 and b"Subject: Your code" in raw.content
    # a tampered body fails the independent verifier
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(secret).verify(request.body + b" ", request.headers)

    [row] = settled(api, created["id"])
    assert row["status"] == "delivered" and row["attempts"] == 1
    assert row["id"] == request.headers["webhook-id"]
    assert row["last_status_code"] == 200 and row["delivered_at"] is not None
    assert row["last_response"].startswith("ok xxx") and len(row["last_response"]) <= 1024
    assert row["next_attempt_at"] is None


def test_secret_is_shown_once_and_a_given_secret_is_used(
    client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api = client()
    session = make_session(api)
    own = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    path = receiver.new_path()
    created = hook(api, receiver.url(path), ["session.completed"], secret=own)
    assert created["secret"] == own
    listed = api.get("/api/v1/webhooks").json()["data"]
    shown = [api.get(f"/api/v1/webhooks/{created['id']}").json(), *listed]
    patched = api.patch(f"/api/v1/webhooks/{created['id']}", json={"events": ["*"]})
    assert patched.status_code == 200
    for body in [*shown, patched.json()]:
        assert "secret" not in body and own not in json.dumps(body)

    assert api.post(f"/api/v1/sessions/{session['id']}/complete").status_code == 200
    requests = receiver.wait_for(path)
    assert verify(own, requests[0])["type"] == "session.completed"


def test_retried_after_500s_with_the_same_id_and_body(
    client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api = client()
    session = make_session(api)
    path = receiver.new_path(500, 503)
    created = hook(api, receiver.url(path), ["session.failed"], session_id=session["id"])
    assert api.post(f"/api/v1/sessions/{session['id']}/fail").status_code == 200

    requests = receiver.wait_for(path, 3)
    assert [r.answered for r in requests] == [500, 503, 200]
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert len({r.body for r in requests}) == 1
    for r in requests:
        assert verify(created["secret"], r)["data"]["session_id"] == session["id"]
    [row] = settled(api, created["id"])
    assert row["status"] == "delivered" and row["attempts"] == 3


def test_retried_after_a_timeout(client: Callable[[], httpx.Client], receiver: Receiver) -> None:
    api = client()
    session = make_session(api)
    path = receiver.new_path(("sleep", 2.5))  # longer than webhook_timeout_seconds
    created = hook(api, receiver.url(path), ["session.completed"])
    assert api.post(f"/api/v1/sessions/{session['id']}/complete").status_code == 200

    first, second = receiver.wait_for(path, 2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    [row] = settled(api, created["id"])
    assert row["status"] == "delivered" and row["attempts"] == 2


def test_fails_after_the_retry_window_then_a_manual_retry_delivers(
    client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api = client()
    session = make_session(api)
    path = receiver.new_path(*[500] * 100)
    created = hook(api, receiver.url(path), ["session.completed"])
    assert api.post(f"/api/v1/sessions/{session['id']}/complete").status_code == 200

    [row] = settled(api, created["id"], timeout=30)  # webhook_retry_seconds is 4
    assert row["status"] == "failed" and row["attempts"] >= 3
    assert row["last_status_code"] == 500 and row["last_error"] == "HTTP 500"
    attempts = len(receiver.to(path))

    receiver.script[path] = []  # the endpoint is fixed
    retried = api.post(f"/api/v1/webhooks/{created['id']}/deliveries/{row['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    requests = receiver.wait_for(path, attempts + 1)
    assert requests[-1].answered == 200
    assert requests[-1].body == requests[0].body
    assert requests[-1].headers["webhook-id"] == row["id"]
    [row] = settled(api, created["id"])
    assert row["status"] == "delivered"


def test_410_disables_the_webhook(client: Callable[[], httpx.Client], receiver: Receiver) -> None:
    api = client()
    path = receiver.new_path(410)
    created = hook(api, receiver.url(path), ["session.created"])
    make_session(api)
    receiver.wait_for(path)
    [row] = settled(api, created["id"])
    assert row["status"] == "failed" and row["last_status_code"] == 410
    webhook = api.get(f"/api/v1/webhooks/{created['id']}").json()
    assert webhook["enabled"] is False and "410" in webhook["disabled_reason"]

    make_session(api)  # a disabled webhook gets no delivery
    time.sleep(0.5)
    assert len(deliveries(api, created["id"])) == 1
    assert len(receiver.to(path)) == 1

    enabled = api.patch(f"/api/v1/webhooks/{created['id']}", json={"enabled": True})
    assert enabled.json()["enabled"] is True and enabled.json()["disabled_reason"] is None
    make_session(api)
    receiver.wait_for(path, 2)
    rows = settled(api, created["id"], 2)
    assert rows[0]["status"] == "delivered"


def test_filters_and_event_types_select_what_is_sent(
    wh_server: RunningServer, client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api = client()
    watched, other = make_inbox(api), make_inbox(api)
    s1, s2 = make_session(api), make_session(api)
    by_inbox, by_session, all_path = receiver.new_path(), receiver.new_path(), receiver.new_path()
    h1 = hook(api, receiver.url(by_inbox), ["email.received"], inbox_id=watched["id"])
    h2 = hook(api, receiver.url(by_session), ["*"], session_id=s1["id"])
    h3 = hook(api, receiver.url(all_path), ["session.completed", "session.failed"])

    send(wh_server, str(other["email_address"]), subject="not watched")
    send(wh_server, str(watched["email_address"]), subject="watched")
    api.post(f"/api/v1/sessions/{s2['id']}/complete")
    api.post(f"/api/v1/sessions/{s1['id']}/fail")

    [mail] = receiver.wait_for(by_inbox)
    assert verify(h1["secret"], mail)["data"]["email"]["subject"] == "watched"
    [ended] = receiver.wait_for(by_session)
    assert verify(h2["secret"], ended)["type"] == "session.failed"
    two = receiver.wait_for(all_path, 2)
    assert sorted(verify(h3["secret"], r)["type"] for r in two) == [
        "session.completed",
        "session.failed",
    ]
    time.sleep(0.5)  # nothing else trickles in
    assert (len(receiver.to(by_inbox)), len(receiver.to(by_session))) == (1, 1)
    assert len(receiver.to(all_path)) == 2


# --- ownership and input ----------------------------------------------------------------


def test_another_users_ids_are_not_found(
    client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api, other = client(), client()
    theirs = hook(other, receiver.url(receiver.new_path()), ["*"])
    their_inbox, their_session = make_inbox(other), make_session(other)
    base = f"/api/v1/webhooks/{theirs['id']}"
    for response in (
        api.get(base),
        api.patch(base, json={"enabled": False}),
        api.delete(base),
        api.get(f"{base}/deliveries"),
        api.post(f"{base}/deliveries/dlv_x_1/retry"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "webhook_not_found"
    assert api.get("/api/v1/webhooks/wh_missing").json()["error"] == "webhook_not_found"

    url = receiver.url(receiver.new_path())
    for field_name, value, code in (
        ("inbox_id", their_inbox["id"], "inbox_not_found"),
        ("inbox_id", "inb_missing", "inbox_not_found"),
        ("session_id", their_session["id"], "session_not_found"),
        ("session_id", "sess_missing", "session_not_found"),
    ):
        response = api.post(
            "/api/v1/webhooks", json={"url": url, "events": ["*"], field_name: value}
        )
        assert response.status_code == 404 and response.json()["error"] == code
    mine = hook(api, url, ["*"])
    patched = api.patch(f"/api/v1/webhooks/{mine['id']}", json={"inbox_id": their_inbox["id"]})
    assert patched.status_code == 404 and patched.json()["error"] == "inbox_not_found"
    assert other.get(base).status_code == 200  # untouched by the attempts above
    assert api.get("/api/v1/webhooks").json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"events": ["email.recieved"]}, "unknown event type"),
        ({"events": []}, "events"),
        ({"url": "ftp://example.com/x"}, "http"),
        ({"url": "not a url"}, "url"),
        ({"url": "http://user:pw@127.0.0.1/"}, "credentials"),
        ({"secret": "abc"}, "whsec_"),
        ({"secret": "whsec_!!!"}, "base64"),
        ({"secret": "whsec_c2hvcnQ="}, "24 to 64"),
        ({"color": "red"}, "color"),
    ],
)
def test_bad_input_is_a_400(
    client: Callable[[], httpx.Client], receiver: Receiver, body: dict[str, Any], fragment: str
) -> None:
    api = client()
    response = api.post(
        "/api/v1/webhooks", json={"url": receiver.url("/x"), "events": ["*"], **body}
    )
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_deliveries_list_rejects_a_bad_status_and_cursor(
    client: Callable[[], httpx.Client], receiver: Receiver
) -> None:
    api = client()
    created = hook(api, receiver.url(receiver.new_path()), ["*"])
    base = f"/api/v1/webhooks/{created['id']}/deliveries"
    assert api.get(base, params={"status": "weird"}).status_code == 400
    assert api.get(base, params={"cursor": "nope"}).status_code == 400
    assert api.post(f"{base}/dlv_zz_1/retry").status_code == 404


# --- safety -----------------------------------------------------------------------------


def test_private_targets_are_refused_without_the_flag(tmp_path: Path, receiver: Receiver) -> None:
    settings = make_settings(
        tmp_path / "data", webhook_backoff_base_seconds=0.2, webhook_poll_seconds=0.2
    )
    server = ThreadServer(settings).start()
    try:
        with server.client("guarded") as api:
            for url in (
                "http://127.0.0.1:9/hook",
                "http://localhost/hook",
                "http://10.1.2.3/hook",
                "http://192.168.0.10/hook",
                "http://169.254.169.254/latest/meta-data",
                "http://[::1]/hook",
                "http://[::ffff:127.0.0.1]/hook",
                "http://0.0.0.0/hook",
                "http://224.0.0.1/hook",
            ):
                response = api.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
                assert response.status_code == 400, (url, response.text)
                assert "webhooks-allow-private" in response.json()["message"], url
            public = api.post(
                "/api/v1/webhooks", json={"url": "https://93.184.216.34/hook", "events": ["*"]}
            )
            assert public.status_code == 201, public.text
            moved = api.patch(
                f"/api/v1/webhooks/{public.json()['id']}", json={"url": "http://127.0.0.1/x"}
            )
            assert moved.status_code == 400

            # a name re-pointed after the check (DNS rebinding): the row's URL is changed
            # underneath the API, and the sender checks again before each attempt
            path = receiver.new_path()
            created = api.post(
                "/api/v1/webhooks",
                json={"url": "https://93.184.216.34/", "events": ["*"], "enabled": False},
            ).json()
            with sqlite3.connect(tmp_path / "data" / "waypost.db") as db:
                db.execute(
                    "UPDATE webhooks SET url = ? WHERE id = ?",
                    (receiver.url(path), created["id"]),
                )
            api.patch(f"/api/v1/webhooks/{created['id']}", json={"enabled": True})
            make_session(api)
            deadline = time.monotonic() + 20
            while not (rows := deliveries(api, created["id"])) or rows[0]["attempts"] < 2:
                assert time.monotonic() < deadline, rows
                time.sleep(0.1)
            assert rows[0]["status"] == "pending" and "127.0.0.1" in rows[0]["last_error"]
            assert receiver.to(path) == []
    finally:
        server.stop()


# --- durability and replicas ------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_between_event_and_delivery_delivers_after_restart(
    backend: str,
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in FAST.items():
        monkeypatch.setenv(f"WAYPOST_{name.upper()}", str(value))
    with ExitStack() as stack:
        settings = make_settings(tmp_path / "data", database_url_for(backend, stack))
        first = SubprocessServer(settings).start()
        try:
            with first.client("killed") as api:
                path = receiver.new_path(("sleep", 30))  # the first attempt never answers
                created = hook(api, receiver.url(path), ["session.completed"])
                session = make_session(api)
                assert api.post(f"/api/v1/sessions/{session['id']}/complete").status_code == 200
                receiver.wait_for(path)  # the attempt is in flight...
                assert first.signal(signal.SIGKILL) == -signal.SIGKILL  # ...when the server dies
                receiver.script[path] = []

                second = SubprocessServer(settings).start()
                try:
                    requests = receiver.wait_for(path, 2, timeout=30)  # after the lease
                    [row] = settled(api, created["id"])
                    time.sleep(1)
                    requests = receiver.to(path)
                finally:
                    second.signal(signal.SIGTERM)
        finally:
            if first.proc is not None and first.proc.poll() is None:
                first.signal(signal.SIGKILL)
    assert row["status"] == "delivered"
    assert len({r.headers["webhook-id"] for r in requests}) == 1  # one delivery, one id
    assert [r.answered for r in requests] == [-1, 200]  # answered once
    assert verify(created["secret"], requests[1])["data"]["session_id"] == session["id"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_servers_on_one_database_send_each_delivery_once(
    backend: str, tmp_path: Path, receiver: Receiver
) -> None:
    with ExitStack() as stack:
        url = database_url_for(backend, stack)
        one = ThreadServer(make_settings(tmp_path / "data", url, **FAST)).start()
        stack.callback(one.stop)
        two = ThreadServer(make_settings(tmp_path / "data", url, **FAST)).start()
        stack.callback(two.stop)
        path = receiver.new_path()
        with one.client("replicas") as api_one, two.client("replicas") as api_two:
            created = hook(api_one, receiver.url(path), ["session.created"])
            for i in range(30):
                make_session(api_one if i % 2 else api_two)
            receiver.wait_for(path, 30)
            rows = settled(api_two, created["id"], 30)
            time.sleep(1)
    ids = [r.headers["webhook-id"] for r in receiver.to(path)]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert {r["status"] for r in rows} == {"delivered"}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_clean_shutdown_hands_attempts_in_flight_back(
    backend: str, tmp_path: Path, receiver: Receiver
) -> None:
    slow = {**FAST, "webhook_timeout_seconds": 30.0}  # a lease of 65 s
    with ExitStack() as stack:
        settings = make_settings(tmp_path / "data", database_url_for(backend, stack), **slow)
        first = ThreadServer(settings).start()
        path = receiver.new_path(("sleep", 60))
        with first.client("handed-back") as api:
            created = hook(api, receiver.url(path), ["session.created"])
            make_session(api)
            receiver.wait_for(path)  # in flight when the server stops
            first.stop()
            receiver.script[path] = []
            second = ThreadServer(make_settings(tmp_path / "data", settings.database_url, **slow))
            second.start()
            stack.callback(second.stop)
            started = time.monotonic()
            receiver.wait_for(path, 2, timeout=20)  # well before the lease would end
            assert time.monotonic() - started < 20
        with second.client("handed-back") as api:
            [row] = settled(api, created["id"])
    assert row["status"] == "delivered"
    ids = {r.headers["webhook-id"] for r in receiver.to(path)}
    assert ids == {row["id"]}
