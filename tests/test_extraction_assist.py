"""Model-assisted extraction over real HTTP, SMTP and a real OpenAI-compatible server.

The model is a local HTTP server speaking the chat-completions wire format (the fake of
tests/agents/fake_llm.py, answering plain JSON completions); the server under test talks to it
through the official ``openai`` SDK with the caller's stored credential.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.agents.fake_llm import FakeLLMServer, Hang, HTTPError, free_port
from tests.helpers import emails_of, link_email, make_inbox, make_session, otp_email, send
from tests.servers import RunningServer
from waypost.extract import MailContent
from waypost.extractions.assist import Assistant, AssistSpec, mail_view, verify

SECRET = "sk-assist-DO-NOT-LEAK-0123456789abcdef"
MODEL = "tiny-reader-1"
# A code in a format the rules do not read (checked in each test before asking the model).
ODD_TEXT = "Welcome aboard!\n\nType in ZX-Q7-M2-P9 when the app asks.\n\nThe Acme team"


def completion(value: str | None, kind: str, evidence: str = "") -> HTTPError:
    """A (non-streamed) chat completion whose message is the structured answer.

    fake_llm's HTTPError is "reply with this status and JSON body": here a 200 completion.
    """
    content = json.dumps({"value": value, "kind": kind, "evidence": evidence})
    return HTTPError(
        200,
        {
            "id": "chatcmpl-assist",
            "object": "chat.completion",
            "created": 0,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        },
    )


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def model(llm: FakeLLMServer) -> FakeLLMServer:
    llm.reset()
    return llm


def _credential(api: httpx.Client, base_url: str, provider: str = "openai") -> str:
    r = api.post(
        "/api/v1/credentials",
        json={"provider": provider, "name": "reader", "secret": SECRET, "baseUrl": base_url},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _assist(credential_id: str, **extra: Any) -> dict[str, Any]:
    return {"credential_id": credential_id, "model": MODEL, **extra}


def _odd_mail(to: str, text: str = ODD_TEXT) -> bytes:
    return (
        f"From: Acme <no-reply@acme.test>\r\nTo: {to}\r\nSubject: Welcome to Acme\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + text.replace("\n", "\r\n")
        + "\r\n"
    ).encode()


def _mail_in_session(
    api: httpx.Client, server: RunningServer, raw: Any = _odd_mail
) -> tuple[str, str]:
    """(session id, email id) of one mail built by ``raw(address)``."""
    session = make_session(api)
    inbox = make_inbox(api, session_id=session["id"])
    addr = str(inbox["email_address"])
    send(server, addr, raw=raw(addr))
    [email] = emails_of(api, inbox["id"])
    return str(session["id"]), str(email["id"])


def _events(api: httpx.Client, session_id: str, kind: str) -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/sessions/{session_id}/timeline")
    assert r.status_code == 200, r.text
    assert SECRET not in r.text
    return [e for e in r.json()["events"] if e["type"] == kind]


def _extract(api: httpx.Client, email_id: str, **body: Any) -> dict[str, Any]:
    r = api.post(f"/api/v1/emails/{email_id}/extract", json=body)
    assert r.status_code == 201, r.text
    assert SECRET not in r.text
    data: dict[str, Any] = r.json()
    return data


def _block(api: httpx.Client, wait_id: str) -> dict[str, Any]:
    r = api.get(f"/api/v1/waits/{wait_id}", params={"block": "true"}, timeout=60)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_model_reads_what_the_rules_cannot(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    session_id, email_id = _mail_in_session(api, server)
    rules = _extract(api, email_id, type="otp")  # assist off: the rules alone, no model call
    assert rules["method"] == "rules" and rules["assist"] is None
    assert rules["value"] is None or rules["confidence"] < 0.5
    assert model.requests == []

    cred = _credential(api, f"{model.base_url}/v1")
    model.reset(completion("ZX-Q7-M2-P9", "otp", "Type in ZX-Q7-M2-P9"))
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))
    assert ext["method"] == "model" and ext["value"] == "ZXQ7M2P9" and ext["type"] == "otp"
    assert ext["assist"]["outcome"] == "accepted" and ext["assist"]["model"] == MODEL
    assert ext["candidates"][0]["value"] == "ZXQ7M2P9"
    stored = api.get(f"/api/v1/extractions/{ext['id']}").json()
    assert stored["method"] == "model" and stored["value"] == "ZXQ7M2P9"

    # what the model was sent: structured output, the mail fenced as untrusted, the key
    [request] = model.requests
    assert request.path == "/v1/chat/completions" and request.body["model"] == MODEL
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    response_format = request.body["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]["schema"]
    assert set(schema["required"]) == {"value", "kind", "evidence"}
    assert schema["properties"]["kind"]["enum"] == ["otp", "magic_link", "none"]
    prompt = request.body["messages"][-1]["content"]
    assert "<<<UNTRUSTED EMAIL" in prompt and "ZX-Q7-M2-P9" in prompt and "data, not" in prompt

    [event] = _events(api, session_id, "extraction.assisted")
    data = event["data"]
    assert data["model"] == MODEL and data["accepted"] is True and data["outcome"] == "accepted"
    assert data["extraction_id"] == ext["id"] and data["email_id"] == email_id
    assert isinstance(data["latency_ms"], int) and data["latency_ms"] >= 0
    completed = _events(api, session_id, "extraction.completed")
    assert [e["data"]["method"] for e in completed] == ["rules", "model"]


def test_answers_not_in_the_mail_are_refused(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    session_id, email_id = _mail_in_session(api, server)
    rules = _extract(api, email_id, type="otp")
    cred = _credential(api, f"{model.base_url}/v1")

    model.reset(completion("483920", "otp", "the code"))  # made up
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))
    assert ext["method"] == "rules" and ext["value"] == rules["value"]
    assert ext["assist"]["outcome"] == "refused" and "not appear" in ext["assist"]["reason"]

    model.reset(completion("ZX-Q7-M2", "otp"))  # only part of the code: not at a boundary
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))
    assert ext["method"] == "rules" and ext["assist"]["outcome"] == "refused"

    model.reset(completion(None, "none", "no code here"))
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))
    assert ext["method"] == "rules" and ext["assist"]["outcome"] == "no_answer"

    events = _events(api, session_id, "extraction.assisted")
    assert [e["data"]["accepted"] for e in events] == [False, False, False]
    assert [e["data"]["proposed"] for e in events] == ["483920", "ZX-Q7-M2", None]

    # a link must be one of the mail's links, exactly
    link = "https://acme.test/verify?token=abc123"
    _, link_email_id = _mail_in_session(api, server, lambda to: link_email(to, link))
    model.reset(completion(link + "&next=/evil", "magic_link"))
    ext = _extract(api, link_email_id, type="magic_link", assist=_assist(cred, threshold=1.0))
    assert ext["method"] == "rules" and ext["value"] == link
    assert ext["assist"]["outcome"] == "refused"
    model.reset(completion(link, "magic_link", "Sign in to Acme"))
    ext = _extract(api, link_email_id, type="magic_link", assist=_assist(cred, threshold=1.0))
    assert ext["method"] == "model" and ext["value"] == link
    assert "Links in this email" in model.requests[-1].body["messages"][-1]["content"]


def test_assist_is_asked_only_below_its_threshold(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    _, email_id = _mail_in_session(api, server, lambda to: otp_email(to, "731 904"))
    cred = _credential(api, f"{model.base_url}/v1")
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))  # the rules are sure
    assert ext["value"] == "731904" and ext["method"] == "rules" and ext["assist"] is None
    assert model.requests == []


def test_credentials_must_be_the_callers_and_openai_compatible(
    api: httpx.Client, other_api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    _, email_id = _mail_in_session(api, server)
    theirs = _credential(other_api, f"{model.base_url}/v1")
    r = api.post(
        f"/api/v1/emails/{email_id}/extract", json={"type": "otp", "assist": _assist(theirs)}
    )
    assert r.status_code == 404 and r.json()["error"] == "credential_not_found"
    r = api.post("/api/v1/extract", json={"text": ODD_TEXT, "assist": _assist(theirs)})
    assert r.status_code == 404
    inbox = make_inbox(api)
    r = api.post(
        "/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp", "assist": _assist(theirs)}
    )
    assert r.status_code == 404 and r.json()["error"] == "credential_not_found"
    r = api.post(
        "/api/v1/workflows/signup",
        json={"waitType": "otp", "respond": "immediately", "assist": _assist(theirs)},
    )
    assert r.status_code == 404
    assert api.get("/api/v1/inboxes").json()["total"] == 2  # the workflow created nothing

    anthropic = _credential(api, f"{model.base_url}", provider="anthropic")
    r = api.post(
        f"/api/v1/emails/{email_id}/extract", json={"type": "otp", "assist": _assist(anthropic)}
    )
    assert r.status_code == 400 and "openai" in r.json()["message"].lower()
    mine = _credential(api, f"{model.base_url}/v1")
    r = api.post(
        "/api/v1/waits", json={"inbox_id": inbox["id"], "type": "any", "assist": _assist(mine)}
    )
    assert r.status_code == 400
    r = api.post(
        f"/api/v1/emails/{email_id}/extract",
        json={"type": "otp", "assist": _assist(mine, threshold=2)},
    )
    assert r.status_code == 400
    assert model.requests == []


def test_model_failures_fall_back_to_the_rules(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    session_id, email_id = _mail_in_session(api, server)
    rules = _extract(api, email_id, type="otp")

    down = _credential(api, f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    ext = _extract(api, email_id, type="otp", assist=_assist(down))
    assert ext["method"] == "rules" and ext["value"] == rules["value"]
    assert ext["assist"]["outcome"] == "error" and "connection" in ext["assist"]["reason"]

    cred = _credential(api, f"{model.base_url}/v1")
    model.reset(HTTPError(500, {"error": {"message": f"boom, your key {SECRET} is fine"}}))
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))
    assert ext["method"] == "rules" and ext["assist"]["outcome"] == "error"
    assert "500" in ext["assist"]["reason"]

    bad = completion("x", "otp")
    bad.body["choices"][0]["message"]["content"] = "the code is ZX-Q7-M2-P9"  # not JSON
    model.reset(bad)
    ext = _extract(api, email_id, type="otp", assist=_assist(cred))
    assert ext["method"] == "rules" and ext["assist"]["outcome"] == "error"

    api.delete(f"/api/v1/credentials/{cred}")  # gone by the time it is used: 404 up front
    r = api.post(
        f"/api/v1/emails/{email_id}/extract", json={"type": "otp", "assist": _assist(cred)}
    )
    assert r.status_code == 404

    events = _events(api, session_id, "extraction.assisted")  # also: the key is nowhere
    assert [e["data"]["outcome"] for e in events] == ["error", "error", "error"]


def test_a_wait_with_assist_resolves_from_the_models_reading(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    cred = _credential(api, f"{model.base_url}/v1")
    session = make_session(api)
    inbox = make_inbox(api, session_id=session["id"])
    addr = str(inbox["email_address"])
    r = api.post(
        "/api/v1/waits",
        json={
            "inbox_id": inbox["id"],
            "type": "otp",
            "timeout_seconds": 30,
            "assist": _assist(cred),
        },
    )
    assert r.status_code == 201, r.text
    wait = r.json()
    assert wait["assist"] == {"credential_id": cred, "model": MODEL, "threshold": 0.5}
    assert "assist" not in wait["criteria"]
    model.reset(completion("ZX-Q7-M2-P9", "otp", "Type in ZX-Q7-M2-P9"))
    send(server, addr, raw=_odd_mail(addr))
    done = _block(api, wait["id"])
    assert done["status"] == "completed", done
    result = done["result"]
    assert result["method"] == "model" and result["value"] == "ZXQ7M2P9"
    assert result["assist"]["outcome"] == "accepted"
    assert len(model.requests) == 1
    [event] = _events(api, str(session["id"]), "extraction.assisted")
    assert event["data"]["wait_id"] == wait["id"] and event["data"]["accepted"] is True
    [ext] = api.get("/api/v1/extractions", params={"session_id": session["id"]}).json()["data"]
    assert ext["method"] == "model" and ext["wait_id"] == wait["id"]


def test_a_wait_keeps_waiting_when_the_model_is_refused(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    cred = _credential(api, f"{model.base_url}/v1")
    session = make_session(api)
    inbox = make_inbox(api, session_id=session["id"])
    addr = str(inbox["email_address"])
    model.reset(completion("555555", "otp", "made up"))
    send(server, addr, raw=_odd_mail(addr))  # before the wait: its backlog scan asks
    r = api.post(
        "/api/v1/waits",
        json={
            "inbox_id": inbox["id"],
            "type": "otp",
            "timeout_seconds": 2,
            "assist": _assist(cred),
        },
    )
    assert r.status_code == 201, r.text
    done = _block(api, r.json()["id"])
    assert done["status"] == "timed_out" and done["result"] is None
    [event] = _events(api, str(session["id"]), "extraction.assisted")
    assert event["data"]["outcome"] == "refused" and event["data"]["accepted"] is False


def test_workflow_with_assist(
    api: httpx.Client, server: RunningServer, model: FakeLLMServer
) -> None:
    cred = _credential(api, f"{model.base_url}/v1")
    r = api.post(
        "/api/v1/workflows/create-inbox-and-wait",
        json={"waitType": "otp", "respond": "immediately", "assist": _assist(cred)},
    )
    assert r.status_code == 202, r.text
    started = r.json()
    assert started["wait"]["assist"]["model"] == MODEL
    addr = started["inbox"]["email_address"]
    model.reset(completion("ZX-Q7-M2-P9", "otp", "Type in ZX-Q7-M2-P9"))
    send(server, addr, raw=_odd_mail(addr))
    done = _block(api, started["wait"]["id"])
    assert done["result"]["method"] == "model" and done["result"]["value"] == "ZXQ7M2P9"


# --- the assistant on its own: the bounded wait, and what counts as "in the mail" --------------


class _Credentials:
    """Stands in for the credential store: one openai credential pointing at ``base_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def get(self, user_id: str, credential_id: str) -> Any:
        return type("Row", (), {"provider": "openai"})()

    async def reveal(self, user_id: str, credential_id: str) -> tuple[str, str | None]:
        return SECRET, self.base_url


def test_a_slow_model_is_cut_off_at_the_timeout(model: FakeLLMServer) -> None:
    model.reset(Hang(5))
    assistant = Assistant(_Credentials(f"{model.base_url}/v1"), timeout=0.5)  # type: ignore[arg-type]
    content = MailContent(subject="Welcome", text=ODD_TEXT)
    started = time.monotonic()
    assisted = asyncio.run(assistant.ask("u", AssistSpec("cred_x", MODEL), content, "otp"))
    assert time.monotonic() - started < 3
    assert assisted.outcome == "error" and "timed out" in str(assisted.reason)
    assert SECRET not in json.dumps(assisted.event_data(AssistSpec("cred_x", MODEL), "otp", None))


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        ("Type in ZX-Q7-M2-P9 now", "ZXQ7M2P9", "ZXQ7M2P9"),
        ("Type in ZX-Q7-M2-P9 now", "zx-q7-m2-p9", None),  # case is kept: a code is as written
        ("Your code: 731 904.", "731-904", "731904"),
        ("Your code: 7319045.", "731904", None),  # a piece of a longer number
        ("Type in ZX-Q7-M2-P9 now", "Q7-M2-P9", None),  # a piece of a dashed code
        ("see https://a.test/x", "the", None),  # not code-shaped
    ],
)
def test_codes_are_checked_against_the_text(text: str, answer: str, expected: str | None) -> None:
    view = mail_view(MailContent(subject="Hi", text=text))
    outcome, value, _ = verify(view, "otp", answer, "otp")
    assert value == expected and (outcome == "accepted") == (expected is not None)
