"""Live timeline over real SSE: frames, resume with Last-Event-ID, no loss, no duplicates."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.helpers import make_inbox, make_session
from tests.servers import RunningServer
from waypost import Client


def _read_frames(response: httpx.Response, count: int) -> list[dict[str, str]]:
    frames: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in response.iter_lines():
        if line == "":
            if current:
                frames.append(current)
                current = {}
                if len(frames) == count:
                    break
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        current[name] = value
    return frames


def test_frames_carry_seq_and_type_then_go_live(api: httpx.Client) -> None:
    session = make_session(api)
    url = f"/api/v1/sessions/{session['id']}/events"
    with api.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        producer = threading.Timer(0.2, lambda: make_inbox(api, session_id=session["id"]))
        producer.start()
        frames = _read_frames(response, 2)
        producer.join(10)  # its request must end before the client does
    assert [(f["id"], f["event"]) for f in frames] == [
        ("1", "session.created"),
        ("2", "inbox.created"),
    ]


def test_resume_with_last_event_id_loses_and_duplicates_nothing(
    api: httpx.Client, server: RunningServer
) -> None:
    session = make_session(api)
    sid = str(session["id"])
    key = api.headers["Authorization"].split(" ", 1)[1]
    client = Client(api_key=key, base_url=server.base_url)
    seen: list[int] = []
    producers = ThreadPoolExecutor(4)
    # events are produced concurrently while we read, disconnect and resume
    futures = [producers.submit(make_inbox, api, session_id=sid) for _ in range(20)]
    for event in client.sessions.events(sid):
        assert event.seq is not None
        seen.append(event.seq)
        if len(seen) == 7:
            break  # disconnect mid-stream
    futures += [producers.submit(make_inbox, api, session_id=sid) for _ in range(20)]
    for f in futures:
        f.result()
    for event in client.sessions.events(sid, after=seen[-1]):
        assert event.seq is not None
        seen.append(event.seq)
        if len(seen) == 41:
            break
    producers.shutdown()
    assert seen == list(range(1, 42))
    timeline = client.sessions.timeline(sid).events
    assert [e.seq for e in timeline] == seen


def test_stream_of_missing_session_is_404_and_bad_last_event_id_400(api: httpx.Client) -> None:
    assert api.get("/api/v1/sessions/sess_nope/events").status_code == 404
    session = make_session(api)
    r = api.get(f"/api/v1/sessions/{session['id']}/events", headers={"Last-Event-ID": "abc"})
    assert r.status_code == 400
