"""The SDK reads like seed 000, sync and async, against a real server."""

from __future__ import annotations

import pytest

from tests.helpers import send
from tests.servers import RunningServer
from waypost import AsyncClient, AuthenticationError, Client, ConflictError, NotFoundError


def test_sync_client_reads_like_the_seed(server: RunningServer) -> None:
    client = Client(api_key=server.key("sdk-sync"), base_url=server.base_url)
    session = client.sessions.create(name="user-signup-flow", metadata={"run": 1})
    assert session.id.startswith("sess_") and session.status == "active"
    sessions = client.sessions.list(limit=10, status="active")
    assert [s.name for s in sessions.data] == ["user-signup-flow"]
    inbox = client.inboxes.create(session_id=session.id, ttl_seconds=600)
    send(server, inbox.email_address, subject="Hi from SDK")
    [summary] = client.inboxes.emails(inbox.id).data
    assert summary.from_ == "Acme <no-reply@acme.test>"
    email = client.emails.get(summary.id)
    assert email.subject == "Hi from SDK"
    assert client.emails.raw(summary.id).startswith(
        b"Content-Type"
    ) or b"Subject: Hi from SDK" in client.emails.raw(summary.id)
    assert client.sessions.get(session.id).inboxes == [inbox.id]
    client.sessions.complete(session.id)
    types = [e.type for e in client.sessions.timeline(session.id).events]
    assert types == ["session.created", "inbox.created", "email.received", "session.completed"]
    with pytest.raises(ConflictError) as conflict:
        client.sessions.complete(session.id)
    assert conflict.value.error == "session_not_active" and conflict.value.status == 409
    with pytest.raises(NotFoundError) as missing:
        client.sessions.get("sess_789")
    assert missing.value.message == "Session does not exist"
    with pytest.raises(AuthenticationError):
        Client(api_key="wp_wrong", base_url=server.base_url).sessions.list()
    client.close()


async def test_async_client_matches_sync(server: RunningServer) -> None:
    async with AsyncClient(api_key=server.key("sdk-async"), base_url=server.base_url) as client:
        session = await client.sessions.create(name="async-flow")
        inbox = await client.inboxes.create(session_id=session.id)
        assert (await client.inboxes.get(inbox.id)).email_address == inbox.email_address
        page = await client.sessions.list(limit=1)
        assert page.total == 1 and page.data[0].id == session.id
        events = []
        async for event in client.sessions.events(session.id):
            events.append(event.type)
            if len(events) == 2:
                break
        assert events == ["session.created", "inbox.created"]
        await client.inboxes.delete(inbox.id)
        with pytest.raises(NotFoundError):
            await client.inboxes.get(inbox.id)
