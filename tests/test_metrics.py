"""GET /metrics over real servers: known traffic (SMTP, HTTP, waits, extraction, an agent
run) scraped and parsed with prometheus_client's parser, counts checked exactly."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import database_url_for
from tests.helpers import make_inbox, make_session, otp_email, send
from tests.servers import RunningServer, ThreadServer, free_port, make_settings, wait_healthy

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    """Every sample of ``url`` (no API key sent), by name and labels."""
    r = httpx.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(r.text):
        assert family.name.startswith("waypost_"), family.name
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    """A server of its own: its counters start at zero."""
    with ExitStack() as stack:
        url = database_url_for(request.param, stack)
        settings = make_settings(tmp_path / "data", url, max_message_bytes=20_000)
        server = ThreadServer(settings).start()
        try:
            yield server
        finally:
            server.stop()


def test_known_traffic_is_counted_exactly(fresh_server: RunningServer) -> None:
    server = fresh_server
    metrics_url = f"{server.base_url}/metrics"
    scrapes = 0

    def take() -> Samples:
        nonlocal scrapes
        scrapes += 1
        return scrape(metrics_url)

    with server.client("metrics-user") as api:
        session = make_session(api)
        inbox = make_inbox(api, session_id=session["id"])
        address = str(inbox["email_address"])
        waited = api.post(
            "/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 60}
        ).json()
        cancelled = api.post(
            "/api/v1/waits",
            json={"inbox_id": inbox["id"], "type": "magic_link", "timeout_seconds": 60},
        ).json()
        eventually(lambda: value(take(), "waypost_waits_open") == 2)

        # three emails over real SMTP, one connection each: the first resolves the otp wait
        send(server, address, raw=otp_email(address))
        done = api.get(f"/api/v1/waits/{waited['id']}", params={"block": "true"}, timeout=30)
        assert done.json()["status"] == "completed", done.text
        send(server, address, raw=otp_email(address, code="482 913"))
        send(server, address, subject="plain", text="nothing to extract here")
        assert api.post(f"/api/v1/waits/{cancelled['id']}/cancel").status_code == 200
        # refused: two unknown recipients (one connection), one message over the size limit
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(server, ["nobody@waypost.localhost", "someone@elsewhere.example"])
        assert _data_without_size(server, address, b"x" * 30_000) == 552

        # one extraction through the API, on the second email
        emails = api.get(f"/api/v1/inboxes/{inbox['id']}/emails").json()["data"]
        assert len(emails) == 3
        second = next(e for e in emails if "482" in api.get(f"/api/v1/emails/{e['id']}").text)
        extracted = api.post(f"/api/v1/emails/{second['id']}/extract", json={"type": "otp"})
        assert extracted.status_code == 201, extracted.text
        assert api.get("/api/v1/sessions/sess_doesnotexist").status_code == 404
        assert api.get(f"/api/v1/sessions/{session['id']}").status_code == 200
        assert httpx.get(f"{server.base_url}/no/such/path").status_code == 404
        assert httpx.request("PROPFIND", f"{server.base_url}/no/such/path").status_code == 404

        wait_confidence = done.json()["result"]["confidence"]
        api_confidence = extracted.json()["confidence"]

    eventually(lambda: value(take(), "waypost_smtp_sessions_active") == 0)
    got = take()
    assert value(got, "waypost_emails_received_total") == 3
    assert value(got, "waypost_emails_rejected_total", reason="unknown_recipient") == 2
    assert value(got, "waypost_emails_rejected_total", reason="too_large") == 1
    assert value(got, "waypost_smtp_sessions_total") == 5
    assert value(got, "waypost_ingest_batch_size_count") == 3  # one commit per sequential send
    assert value(got, "waypost_ingest_batch_size_sum") == 3
    assert value(got, "waypost_waits_open") == 0
    assert value(got, "waypost_waits_created_total") == 2
    assert value(got, "waypost_waits_ended_total", outcome="completed") == 1
    assert value(got, "waypost_waits_ended_total", outcome="cancelled") == 1
    assert value(got, "waypost_wait_latency_seconds_count") == 1
    assert 0 < value(got, "waypost_wait_latency_seconds_sum") < 30
    assert value(got, "waypost_wait_duration_seconds_count", outcome="completed") == 1
    assert value(got, "waypost_wait_duration_seconds_count", outcome="cancelled") == 1
    bands = {_band(wait_confidence): 1.0}
    bands[_band(api_confidence)] = bands.get(_band(api_confidence), 0.0) + 1
    for band, count in bands.items():
        labels = {"type": "otp", "method": "rules", "confidence": band}
        assert value(got, "waypost_extractions_total", **labels) == count, band
    total = sum(v for (n, _), v in got.items() if n == "waypost_extractions_total")
    assert total == 2

    def requests(method: str, route: str, status: int) -> float:
        labels = {"method": method, "route": route, "status": str(status)}
        count = value(got, "waypost_http_requests_total", **labels)
        assert value(got, "waypost_http_request_duration_seconds_count", **labels) == count
        return count

    assert requests("GET", "/api/v1/sessions/{session_id}", 404) == 1
    assert requests("GET", "/api/v1/sessions/{session_id}", 200) == 1
    assert requests("POST", "/api/v1/sessions", 201) == 1
    assert requests("POST", "/api/v1/waits", 201) == 2
    assert requests("POST", "/api/v1/emails/{email_id}/extract", 201) == 1
    assert requests("GET", "unmatched", 404) == 1
    assert requests("other", "unmatched", 404) == 1  # made-up methods share one label
    assert requests("GET", "/metrics", 200) == scrapes - 1  # this scrape is still answering
    raw_paths = [labels for (n, labels) in got if n == "waypost_http_requests_total"]
    assert not any(dict(labels)["route"].count("sess_") for labels in raw_paths)


def _data_without_size(server: RunningServer, to: str, body: bytes) -> int:
    """DATA's reply code for ``body`` (no SIZE declared: the limit is met while reading)."""
    with smtplib.SMTP(*server.smtp, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.mail("no-reply@acme.test")[0] == 250
        assert smtp.rcpt(to)[0] == 250
        code, _ = smtp.data(b"Subject: big\r\n\r\n" + body)
        return code


def _band(confidence: float) -> str:
    index = min(int(confidence * 10), 9)
    return f"{index / 10:.1f}-{(index + 1) / 10:.1f}"


def test_event_streams_and_an_agent_run(fresh_server: RunningServer) -> None:
    server = fresh_server
    metrics_url = f"{server.base_url}/metrics"
    route = "/api/v1/sessions/{session_id}/events"
    with server.client("metrics-agent") as api:
        session = make_session(api)
        opened = threading.Event()
        stop = threading.Event()

        def listen() -> None:
            with api.stream("GET", f"/api/v1/sessions/{session['id']}/events") as r:
                for _ in r.iter_lines():
                    opened.set()
                    if stop.is_set():
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert opened.wait(10)
        assert value(scrape(metrics_url), "waypost_sse_subscribers", route=route) == 1

        reply = [{"type": "text", "text": "All done."}]
        agent = api.post(
            "/api/v1/agents",
            json={
                "name": "scripted",
                "chat_model_config": {"type": "scripted", "parameters": {"turns": [reply]}},
            },
        ).json()
        box = api.post("/api/v1/sandboxes", json={"agent_id": agent["id"]}).json()["id"]
        convo = api.post(f"/api/v1/sandboxes/{box}/sessions", json={}).json()["id"]
        sent = api.post(f"/api/v1/sessions/{convo}/messages", json={"content": "hello"})
        assert sent.status_code in (200, 201), sent.text
        events = api.get(f"/api/v1/sessions/{convo}/timeline").json()["events"]
        completed = [e for e in events if e["type"] == "session_completed"]
        assert len(completed) == 1
        usage: dict[str, Any] = completed[0]["data"]["usage"]
        assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0

        # a new event ends the listener's read loop (it checks `stop` per line)
        stop.set()
        api.post(f"/api/v1/sessions/{session['id']}/complete")
        listener.join(10)
    eventually(lambda: value(scrape(metrics_url), "waypost_sse_subscribers", route=route) == 0)
    got = scrape(metrics_url)
    assert value(got, "waypost_runs_finished_total", outcome="completed") == 1
    assert value(got, "waypost_runs_active") == 0
    calls = {"provider": "scripted", "purpose": "agent", "outcome": "ok"}
    assert value(got, "waypost_model_calls_total", **calls) == 1
    tokens = {"provider": "scripted"}
    assert (
        value(got, "waypost_model_tokens_total", direction="input", **tokens)
        == usage["input_tokens"]
    )
    assert (
        value(got, "waypost_model_tokens_total", direction="output", **tokens)
        == usage["output_tokens"]
    )


def test_smtp_workers_report_to_the_main_process(tmp_path: Path) -> None:
    """With SMTP in worker processes the main process counts what it hears of."""
    server = ThreadServer(make_settings(tmp_path / "data", smtp_workers=1)).start()
    try:
        with server.client("metrics-workers") as api:
            inbox = make_inbox(api)
            send(server, str(inbox["email_address"]), subject="via a worker")
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                send(server, "nobody@waypost.localhost")
        got = scrape(f"{server.base_url}/metrics")
        assert value(got, "waypost_emails_received_total") == 1
        assert value(got, "waypost_emails_rejected_total", reason="unknown_recipient") == 1
        assert value(got, "waypost_smtp_sessions_total") == 0  # a documented gap
    finally:
        server.stop()


def _serve(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[bytes], str]:
    settings = make_settings(tmp_path / "data")
    args = [
        sys.executable, "-m", "waypost.cli", "serve",
        "--host", settings.host, "--port", str(settings.port),
        "--smtp-host", settings.smtp_host, "--smtp-port", str(settings.smtp_port),
        "--data-dir", str(settings.data_dir), "--log-level", "warning", *flags,
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://{settings.host}:{settings.port}"
    wait_healthy(base, proc)
    return proc, base


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def test_no_metrics_flag_answers_404(tmp_path: Path) -> None:
    proc, base = _serve(tmp_path, "--no-metrics")
    try:
        r = httpx.get(f"{base}/metrics")
        assert r.status_code == 404 and r.json()["error"] == "not_found"
    finally:
        _stop(proc)


def test_metrics_port_serves_metrics_there_and_not_on_the_api_port(tmp_path: Path) -> None:
    port = free_port()
    server = ThreadServer(make_settings(tmp_path / "data", metrics_port=port)).start()
    try:
        assert httpx.get(f"{server.base_url}/metrics").status_code == 404
        got = scrape(f"http://127.0.0.1:{port}/metrics")
        labels = {"method": "GET", "route": "unmatched", "status": "404"}
        assert value(got, "waypost_http_requests_total", **labels) == 1
        assert value(got, "waypost_http_requests_total", method="GET", route="/healthz",
                     status="200") >= 1  # fmt: skip
    finally:
        server.stop()
    with pytest.raises(httpx.TransportError):  # stopped with the server
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
