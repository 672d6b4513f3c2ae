"""Schedules (seed 002): CRUD over real HTTP, and firings driven by a clock the test moves."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import database_url_for
from tests.servers import RunningServer, SubprocessServer, ThreadServer, make_settings
from waypost.config import Settings
from waypost.db.database import Database
from waypost.db.models import Agent, Team, Workspace
from waypost.db.models import Session as SessionRow
from waypost.ids import new_id

T = TypeVar("T")
T0 = datetime(2030, 1, 1, 0, 0, 30, tzinfo=UTC)  # a Tuesday
POLL = 0.1  # the servers' schedule poll interval in these tests
YEARLY = "0 0 1 1 *"  # never due while a test runs on the shared server


# --- helpers ---------------------------------------------------------------------------------


def in_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` against the server's database (from sync tests, on its own loop)."""

    async def go() -> T:
        db = Database(settings.resolved_database_url())
        try:
            return await work(db)
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def insert_row(settings: Settings, user: str, model: type[Any], **fields: Any) -> str:
    """A workspace or team row owned by ``user`` (their HTTP APIs are not this test's)."""
    prefix = "ws" if model is Workspace else "team"
    row_id = new_id(prefix)

    async def work(db: Database) -> None:
        async with db.write() as tx:
            tx.s.add(model(id=row_id, user_id=user, **fields))

    in_db(settings, work)
    return row_id


def owner_of_agent(settings: Settings, agent_id: str) -> str:
    async def work(db: Database) -> str:
        async with db.read() as s:
            return (await s.execute(select(Agent.user_id).where(Agent.id == agent_id))).scalar_one()

    return in_db(settings, work)


def schedule_sessions(settings: Settings, schedule_id: str) -> list[SessionRow]:
    """The sessions a schedule started, oldest first (read in the database, which holds
    ``source_schedule_id`` whatever the session API shows)."""

    async def work(db: Database) -> list[SessionRow]:
        async with db.read() as s:
            query = (
                select(SessionRow)
                .where(SessionRow.source_schedule_id == schedule_id)
                .order_by(SessionRow.id)
            )
            return list((await s.execute(query)).scalars())

    return in_db(settings, work)


def scripted_agent(api: httpx.Client, reply: str = "Report ready.") -> str:
    body = {
        "name": "scripted",
        "chat_model_config": {
            "type": "scripted",
            "parameters": {"turns": [[{"type": "text", "text": reply}]]},
        },
    }
    r = api.post("/api/v1/agents", json=body)
    assert r.status_code == 201, r.text
    agent_id: str = r.json()["id"]
    return agent_id


def sandbox(api: httpx.Client, agent_id: str | None = None) -> str:
    r = api.post("/api/v1/sandboxes", json={"agent_id": agent_id} if agent_id else {})
    assert r.status_code == 201, r.text
    box: str = r.json()["id"]
    return box


def create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    r = api.post("/api/v1/schedules", json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def at(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def wait_for(
    check: Callable[[], T | None], what: str, seconds: float = 15, every: float = 0.05
) -> T:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def fired(api: httpx.Client, schedule_id: str, count: int) -> dict[str, Any]:
    """The schedule once its ``count``-th firing is recorded and has its session."""

    def check() -> dict[str, Any] | None:
        row: dict[str, Any] = api.get(f"/api/v1/schedules/{schedule_id}").json()
        assert row["fire_count"] <= count, row
        done = row["fire_count"] == count and (row["last_session_id"] or row["last_error"])
        return row if done else None

    return wait_for(check, f"firing {count} of {schedule_id}")


def answered(api: httpx.Client, session_id: str) -> list[dict[str, Any]]:
    """The session's messages once its run is over."""

    def check() -> list[dict[str, Any]] | None:
        session = api.get(f"/api/v1/sessions/{session_id}").json()
        messages: list[dict[str, Any]] = session.get("messages") or []
        if session.get("is_running") or len(messages) < 2:
            return None
        return messages

    return wait_for(check, f"the answer in {session_id}")


class FileClock:
    """The test's side of ``WAYPOST_CLOCK_FILE``."""

    def __init__(self, path: Path, start: datetime) -> None:
        self.path = path
        self.now = start
        self.set(start)

    def set(self, value: datetime) -> None:
        self.now = value
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(value.isoformat())
        tmp.replace(self.path)  # atomic: a server never reads half a timestamp

    def advance(self, **delta: float) -> None:
        self.set(self.now + timedelta(**delta))


@pytest.fixture
def clock(tmp_path: Path) -> FileClock:
    return FileClock(tmp_path / "clock", T0)


def clocked_settings(data_dir: Path, clock: FileClock, url: str | None = None) -> Settings:
    return make_settings(data_dir, url, clock_file=clock.path, schedule_poll_seconds=POLL)


@pytest.fixture
def clocked(tmp_path: Path, clock: FileClock) -> Iterator[RunningServer]:
    """A server of its own (SQLite) whose schedules go by ``clock``."""
    srv = ThreadServer(clocked_settings(tmp_path / "data", clock)).start()
    try:
        yield srv
    finally:
        srv.stop()


# --- CRUD and validation (the shared servers: SQLite and PostgreSQL) -----------------------


def test_create_read_list_update_delete(api: httpx.Client) -> None:
    agent = scripted_agent(api)
    box = sandbox(api)
    made = create(
        api,
        agent_id=agent,
        sandbox_id=box,
        cron="0 9 * * 1",
        timezone="Europe/Paris",
        message="Weekly report",
        name="weekly",
    )
    assert made["id"].startswith("sch_")
    assert (made["agent_id"], made["team_id"], made["sandbox_id"]) == (agent, None, box)
    assert (made["cron"], made["timezone"], made["message"]) == (
        "0 9 * * 1",
        "Europe/Paris",
        "Weekly report",
    )
    assert made["enabled"] is True and made["name"] == "weekly" and made["workspace_id"] is None
    assert made["fire_count"] == 0 and made["last_fired_at"] is None
    assert made["last_session_id"] is None and made["last_error"] is None
    first = at(made["next_fire_at"])
    assert first is not None and first > datetime.now(UTC)
    local = first.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)

    assert api.get(f"/api/v1/schedules/{made['id']}").json() == made
    default_tz = create(api, agent_id=agent, sandbox_id=box, cron=YEARLY, message="m")
    assert default_tz["timezone"] == "UTC" and default_tz["name"] is None
    assert at(default_tz["next_fire_at"]) == datetime(datetime.now(UTC).year + 1, 1, 1, tzinfo=UTC)

    # PATCH: a new cron moves the next firing; disabling clears it, enabling brings it back
    moved = api.patch(f"/api/v1/schedules/{made['id']}", json={"cron": "30 18 * * *"}).json()
    assert moved["cron"] == "30 18 * * *" and moved["next_fire_at"] != made["next_fire_at"]
    evening = at(moved["next_fire_at"])
    assert evening is not None and evening.astimezone(ZoneInfo("Europe/Paris")).hour == 18
    assert evening.minute == 30
    off = api.patch(f"/api/v1/schedules/{made['id']}", json={"enabled": False}).json()
    assert off["enabled"] is False and off["next_fire_at"] is None
    on = api.patch(f"/api/v1/schedules/{made['id']}", json={"enabled": True}).json()
    assert on["next_fire_at"] == moved["next_fire_at"]
    renamed = api.patch(f"/api/v1/schedules/{made['id']}", json={"name": None, "message": "x"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] is None and renamed.json()["message"] == "x"
    assert renamed.json()["next_fire_at"] == moved["next_fire_at"]  # not a timing field

    # list: newest first, the envelope, cursor pagination, filters
    other_agent = scripted_agent(api)
    third = create(api, agent_id=other_agent, sandbox_id=box, cron=YEARLY, message="m")
    listed = api.get("/api/v1/schedules").json()
    assert set(listed) == {"data", "total", "next_cursor"}
    assert [s["id"] for s in listed["data"]] == [third["id"], default_tz["id"], made["id"]]
    assert listed["total"] == 3 and listed["next_cursor"] is None
    page = api.get("/api/v1/schedules", params={"limit": 2}).json()
    assert [s["id"] for s in page["data"]] == [third["id"], default_tz["id"]]
    assert page["total"] == 3 and page["next_cursor"] == default_tz["id"]
    rest = api.get("/api/v1/schedules", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [s["id"] for s in rest["data"]] == [made["id"]] and rest["next_cursor"] is None
    by_agent = api.get("/api/v1/schedules", params={"agent_id": other_agent}).json()
    assert [s["id"] for s in by_agent["data"]] == [third["id"]] and by_agent["total"] == 1
    nowhere = api.get("/api/v1/schedules", params={"workspace_id": "ws_nope"}).json()
    assert nowhere["data"] == [] and nowhere["total"] == 0
    assert api.get("/api/v1/schedules", params={"limit": 0}).status_code == 400

    # delete
    assert api.delete(f"/api/v1/schedules/{made['id']}").status_code == 204
    gone = api.get(f"/api/v1/schedules/{made['id']}")
    assert gone.status_code == 404 and gone.json()["error"] == "schedule_not_found"
    assert api.delete(f"/api/v1/schedules/{made['id']}").status_code == 404
    assert api.get("/api/v1/schedules").json()["total"] == 2


def test_workspace_filter_and_switching_to_a_team(api: httpx.Client, server: RunningServer) -> None:
    agent = scripted_agent(api)
    box = sandbox(api)
    me = owner_of_agent(server.settings, agent)
    ws = insert_row(server.settings, me, Workspace, name="ops")
    team = insert_row(server.settings, me, Team, name="crew", leader_agent_id=agent, member_ids=[])
    inside = create(api, agent_id=agent, sandbox_id=box, cron=YEARLY, message="m", workspace_id=ws)
    create(api, agent_id=agent, sandbox_id=box, cron=YEARLY, message="m")
    in_ws = api.get("/api/v1/schedules", params={"workspace_id": ws}).json()
    assert [s["id"] for s in in_ws["data"]] == [inside["id"]] and in_ws["total"] == 1

    as_team = api.patch(f"/api/v1/schedules/{inside['id']}", json={"team_id": team}).json()
    assert (as_team["team_id"], as_team["agent_id"]) == (team, None)  # one replaces the other
    made = create(api, team_id=team, sandbox_id=box, cron=YEARLY, message="m")
    assert made["team_id"] == team and made["agent_id"] is None
    out = api.patch(f"/api/v1/schedules/{made['id']}", json={"workspace_id": None}).json()
    assert out["workspace_id"] is None


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "not a cron at all"}, "cron"),
        ({"cron": "* * * * * *"}, "five fields"),
        ({"cron": "0 0 30 2 *"}, "never fires"),
        ({"cron": ""}, "cron"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"team_id": "team_x"}, "exactly one of agent_id and team_id"),
        ({"agent_id": None}, "exactly one of agent_id and team_id"),
        ({"enabled": "sometimes"}, "enabled"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_bad_bodies_are_400(
    api: httpx.Client, server: RunningServer, change: dict[str, Any], needle: str
) -> None:
    agent = scripted_agent(api)
    box = sandbox(api)
    body = {"agent_id": agent, "sandbox_id": box, "cron": "0 * * * *", "message": "m", **change}
    r = api.post("/api/v1/schedules", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request" and needle in r.json()["message"]
    assert api.get("/api/v1/schedules").json()["total"] == 0


def test_bad_patches_are_400_and_change_nothing(api: httpx.Client) -> None:
    agent = scripted_agent(api)
    made = create(api, agent_id=agent, sandbox_id=sandbox(api), cron=YEARLY, message="m")
    for change in (
        {"cron": "every day"},
        {"timezone": "Nowhere/Town"},
        {"agent_id": agent, "team_id": "team_x"},
        {"agent_id": None},
        {"cron": None},
        {"message": ""},
    ):
        r = api.patch(f"/api/v1/schedules/{made['id']}", json=change)
        assert r.status_code == 400, (change, r.text)
        assert r.json()["error"] == "invalid_request", r.text
    assert api.get(f"/api/v1/schedules/{made['id']}").json() == made


def test_another_users_ids_are_404_and_nothing_is_stored(
    api: httpx.Client, other_api: httpx.Client, server: RunningServer
) -> None:
    mine_agent = scripted_agent(api)
    mine_box = sandbox(api)
    theirs_agent = scripted_agent(other_api)
    theirs_box = sandbox(other_api)
    them = owner_of_agent(server.settings, theirs_agent)
    theirs_ws = insert_row(server.settings, them, Workspace, name="theirs")
    theirs_team = insert_row(
        server.settings, them, Team, name="theirs", leader_agent_id=theirs_agent, member_ids=[]
    )
    base = {"agent_id": mine_agent, "sandbox_id": mine_box, "cron": YEARLY, "message": "m"}
    for change, code in (
        ({"agent_id": theirs_agent}, "agent_not_found"),
        ({"sandbox_id": theirs_box}, "sandbox_not_found"),
        ({"workspace_id": theirs_ws}, "workspace_not_found"),
        ({"agent_id": None, "team_id": theirs_team}, "team_not_found"),
        ({"agent_id": "agt_missing"}, "agent_not_found"),
        ({"workspace_id": "ws_missing"}, "workspace_not_found"),
    ):
        r = api.post("/api/v1/schedules", json={**base, **change})
        assert r.status_code == 404, (change, r.text)
        assert r.json()["error"] == code, r.text
    assert api.get("/api/v1/schedules").json()["total"] == 0

    made = create(api, **base)
    for change in (
        {"agent_id": theirs_agent},
        {"sandbox_id": theirs_box},
        {"workspace_id": theirs_ws},
        {"team_id": theirs_team},
    ):
        assert api.patch(f"/api/v1/schedules/{made['id']}", json=change).status_code == 404
    assert api.get(f"/api/v1/schedules/{made['id']}").json() == made
    # and the other user cannot see, change or delete mine
    for r in (
        other_api.get(f"/api/v1/schedules/{made['id']}"),
        other_api.patch(f"/api/v1/schedules/{made['id']}", json={"message": "x"}),
        other_api.delete(f"/api/v1/schedules/{made['id']}"),
    ):
        assert r.status_code == 404 and r.json()["error"] == "schedule_not_found"
    assert other_api.get("/api/v1/schedules").json()["total"] == 0
    assert api.get(f"/api/v1/schedules/{made['id']}").json() == made


def test_sdk_schedules(server: RunningServer, new_user: Callable[[], str]) -> None:
    from waypost.sdk import Client, NotFoundError

    with (
        server.client(new_user()) as api,
        Client(api_key=api.headers["authorization"][7:], base_url=server.base_url) as client,
    ):
        agent = scripted_agent(api)
        box = sandbox(api)
        made = client.schedules.create(agent_id=agent, sandbox_id=box, cron=YEARLY, message="hi")
        assert made.timezone == "UTC" and made.enabled and made.next_fire_at is not None
        assert client.schedules.get(made.id) == made
        assert [s.id for s in client.schedules.list(agent_id=agent).data] == [made.id]
        off = client.schedules.update(made.id, enabled=False, name="n")
        assert off.enabled is False and off.name == "n" and off.next_fire_at is None
        client.schedules.delete(made.id)
        with pytest.raises(NotFoundError):
            client.schedules.get(made.id)


async def test_async_sdk_schedules(server: RunningServer, new_user: Callable[[], str]) -> None:
    from waypost.sdk import AsyncClient

    key = server.key(new_user())
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        agent = scripted_agent(api)
        box = sandbox(api)
    async with AsyncClient(api_key=key, base_url=server.base_url) as client:
        made = await client.schedules.create(
            agent_id=agent, sandbox_id=box, cron="0 6 * * *", timezone="Asia/Tokyo", message="m"
        )
        assert (await client.schedules.get(made.id)).timezone == "Asia/Tokyo"
        assert (await client.schedules.list()).total == 1
        moved = await client.schedules.update(made.id, cron="0 7 * * *")
        assert moved.next_fire_at != made.next_fire_at
        await client.schedules.delete(made.id)
        assert (await client.schedules.list()).total == 0


# --- firing (servers of their own, with a clock the test moves) ------------------------------


def test_a_firing_starts_a_schedule_session_the_agent_answers(
    clocked: RunningServer, clock: FileClock
) -> None:
    with clocked.client("alice") as api:
        agent = scripted_agent(api, "Report ready.")
        box = sandbox(api)
        made = create(
            api,
            agent_id=agent,
            sandbox_id=box,
            cron="*/5 * * * *",
            message="Write the report",
            name="reports",
        )
        assert at(made["next_fire_at"]) == datetime(2030, 1, 1, 0, 5, tzinfo=UTC)
        idle = create(api, agent_id=agent, sandbox_id=box, cron="* * * * *", message="m")
        api.patch(f"/api/v1/schedules/{idle['id']}", json={"enabled": False})
        time.sleep(5 * POLL)
        assert api.get(f"/api/v1/schedules/{made['id']}").json()["fire_count"] == 0  # not yet

        clock.set(datetime(2030, 1, 1, 0, 5, 10, tzinfo=UTC))
        row = fired(api, made["id"], 1)
        assert at(row["last_fired_at"]) == clock.now
        assert at(row["next_fire_at"]) == datetime(2030, 1, 1, 0, 10, tzinfo=UTC)
        assert row["last_error"] is None
        session_id = row["last_session_id"]
        session = api.get(f"/api/v1/sessions/{session_id}").json()
        assert session["source"] == "schedule" and session["name"] == "reports"
        assert (session["agent_id"], session["sandbox_id"]) == (agent, box)
        messages = answered(api, session_id)
        assert [m["role"] for m in messages] == ["user", "assistant"]
        assert messages[0]["content"] == [{"type": "text", "text": "Write the report"}]
        assert messages[1]["content"] == [{"type": "text", "text": "Report ready."}]
        [stored] = schedule_sessions(clocked.settings, made["id"])
        assert stored.id == session_id and stored.source == "schedule"
        listed = api.get("/api/v1/sessions", params={"source": "schedule"}).json()
        assert [s["id"] for s in listed["data"]] == [session_id]

        # the agent is deleted: the next firing is recorded as failed, the loop goes on
        assert api.delete(f"/api/v1/agents/{agent}").status_code == 204
        clock.set(datetime(2030, 1, 1, 0, 10, 1, tzinfo=UTC))
        row = fired(api, made["id"], 2)
        assert row["last_error"] and "agent_not_found" in row["last_error"], row
        assert row["last_session_id"] is None  # this firing made no session
        assert len(schedule_sessions(clocked.settings, made["id"])) == 1
        assert api.get(f"/api/v1/schedules/{idle['id']}").json()["fire_count"] == 0

        # a new agent: firings work again, and the error is no longer the latest
        fresh = scripted_agent(api, "Back.")
        api.patch(f"/api/v1/schedules/{made['id']}", json={"agent_id": fresh})
        clock.set(datetime(2030, 1, 1, 0, 15, 1, tzinfo=UTC))
        row = fired(api, made["id"], 3)
        assert row["last_error"] is None and row["last_session_id"] != session_id
        assert answered(api, row["last_session_id"])[1]["content"][0]["text"] == "Back."


def test_a_team_schedule_runs_the_leader(clocked: RunningServer, clock: FileClock) -> None:
    with clocked.client("dora") as api:
        leader = scripted_agent(api, "Leader here.")
        me = owner_of_agent(clocked.settings, leader)
        team = insert_row(
            clocked.settings, me, Team, name="crew", leader_agent_id=leader, member_ids=[]
        )
        made = create(api, team_id=team, sandbox_id=sandbox(api), cron="0 0 * * *", message="go")
        clock.set(datetime(2030, 1, 2, 0, 0, 1, tzinfo=UTC))
        row = fired(api, made["id"], 1)
        assert row["last_error"] is None, row
        [stored] = schedule_sessions(clocked.settings, made["id"])
        assert (stored.agent_id, stored.team_id, stored.source) == (leader, team, "schedule")
        assert answered(api, stored.id)[1]["content"][0]["text"] == "Leader here."


def test_a_firing_missed_while_down_runs_once_at_start(tmp_path: Path, clock: FileClock) -> None:
    settings = clocked_settings(tmp_path / "data", clock)
    srv = ThreadServer(settings).start()
    try:
        with srv.client("bob") as api:
            agent = scripted_agent(api)
            made = create(
                api, agent_id=agent, sandbox_id=sandbox(api), cron="0 * * * *", message="m"
            )
            assert at(made["next_fire_at"]) == datetime(2030, 1, 1, 1, 0, tzinfo=UTC)
    finally:
        srv.stop()

    clock.set(T0 + timedelta(days=2))  # 48 hourly firings missed while no server ran
    srv = ThreadServer(settings).start()
    try:
        with srv.client("bob") as api:
            row = fired(api, made["id"], 1)
            time.sleep(10 * POLL)  # many polls: still one firing
            row = api.get(f"/api/v1/schedules/{made['id']}").json()
            assert row["fire_count"] == 1 and row["last_error"] is None
            assert at(row["last_fired_at"]) == clock.now
            assert at(row["next_fire_at"]) == datetime(2030, 1, 3, 1, 0, tzinfo=UTC)
            assert len(schedule_sessions(settings, made["id"])) == 1
            answered(api, row["last_session_id"])
    finally:
        srv.stop()


def test_two_servers_on_one_postgres_fire_each_firing_once(
    tmp_path: Path, clock: FileClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ``waypost serve`` processes share the database (and data dir); both poll every
    0.1 s and see the same due schedules, yet each firing starts one session."""
    monkeypatch.setenv("WAYPOST_CLOCK_FILE", str(clock.path))
    monkeypatch.setenv("WAYPOST_SCHEDULE_POLL_SECONDS", str(POLL))
    with ExitStack() as stack:
        url = database_url_for("postgres", stack)
        data = tmp_path / "data"
        servers = []
        for _ in range(2):
            srv = SubprocessServer(make_settings(data, url)).start()
            stack.callback(srv.signal, signal.SIGTERM)
            servers.append(srv)
        first, second = servers
        with first.client("carol") as api, second.client("carol") as api2:
            agent = scripted_agent(api, "Done.")
            box = sandbox(api)
            made = [
                create(api, agent_id=agent, sandbox_id=box, cron="* * * * *", message=f"job {i}")
                for i in range(5)
            ]
            for firing, minute in ((1, 1), (2, 2)):
                clock.set(datetime(2030, 1, 1, 0, minute, 5, tzinfo=UTC))
                for schedule in made:
                    fired(api2, schedule["id"], firing)
                time.sleep(10 * POLL)  # every server polls again: nothing fires twice
                for schedule in made:
                    row = api.get(f"/api/v1/schedules/{schedule['id']}").json()
                    assert row["fire_count"] == firing and row["last_error"] is None, row
                    assert at(row["next_fire_at"]) == datetime(
                        2030, 1, 1, 0, minute + 1, tzinfo=UTC
                    )
                    sessions = schedule_sessions(first.settings, schedule["id"])
                    assert len(sessions) == firing, [s.id for s in sessions]
                    assert sessions[-1].id == row["last_session_id"]
                    assert all(s.source == "schedule" for s in sessions)
            for schedule in made:
                for session in schedule_sessions(first.settings, schedule["id"]):
                    messages = answered(api, session.id)
                    assert messages[0]["content"][0]["text"] == schedule["message"]
                    assert messages[1]["content"][0]["text"] == "Done."
            total = api.get("/api/v1/sessions", params={"source": "schedule"}).json()["total"]
            assert total == 10
