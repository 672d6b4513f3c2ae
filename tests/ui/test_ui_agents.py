"""The conversation in a real Chromium: text streaming in, approvals, interrupting a command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.servers import RunningServer
from tests.ui.helpers import client, scripted_session, sign_in, tool
from waypost.sandbox import bwrap_status

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None


def open_session(page: Any, sid: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/sessions/{sid}")
    expect(page.locator("#stream-state")).to_have_text("live")
    expect(page.locator("#run-state")).to_have_text("Idle: send the next message.")


def say(page: Any, text: str) -> None:
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_a_reply_streams_in_as_it_is_generated(
    browser: Any, ui_server: RunningServer, shot: Callable[[Any, str], Any]
) -> None:
    page, key = sign_in(browser, ui_server, "ui-stream")
    words = [f"word{i}" for i in range(60)]
    reply = " ".join(words)
    sid = scripted_session(
        client(ui_server, key),
        [[{"type": "text", "text": reply}]],
        params={"chunk_delay_ms": 40},  # ~2.4 s of streaming
    )
    client(ui_server, key).post("/api/v1/sessions", json={"name": "no agent here"})
    page.goto(page.url.split("#")[0] + "#/inboxes")
    page.goto(page.url.split("#")[0] + "#/")  # the list again, with the new agent known
    rows = page.locator("#sessions-body tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Agent").select_option(label="scripted")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("agent run")
    page.get_by_label("Source").fill("schedule")
    page.get_by_label("Source").press("Enter")
    expect(rows.first).to_have_text("No sessions yet.")
    page.get_by_label("Source").fill("user")
    page.get_by_label("Source").press("Enter")
    expect(rows).to_have_count(1)
    open_session(page, sid)
    say(page, "Tell me a long story")
    streaming = page.locator("#streaming-text")
    expect(streaming).to_contain_text("word3")
    partial = streaming.text_content() or ""
    assert partial.startswith("word0 word1") and "word59" not in partial, partial
    final = page.locator("#messages li.msg-assistant").first
    expect(final).to_contain_text("word59")
    expect(page.locator("#streaming")).to_be_hidden()
    expect(page.locator("#messages li.msg-user")).to_contain_text("Tell me a long story")
    expect(page.locator("#token-usage")).to_contain_text("output tokens")
    expect(page.locator("#run-state")).to_have_text("Idle: send the next message.")
    page.context.close()


def test_a_tool_call_waiting_for_approval_is_approved(
    browser: Any, ui_server: RunningServer, shot: Callable[[Any, str], Any]
) -> None:
    page, key = sign_in(browser, ui_server, "ui-approve")
    api = client(ui_server, key)
    sid = scripted_session(
        api,
        [
            [
                {"type": "text", "text": "I need an inbox to sign up."},
                tool("create_inbox", {"username": "signup-bot"}, "c1"),
            ],
            [{"type": "text", "text": "The inbox is ready."}],
        ],
        permissions={"ask": ["create_inbox"], "ask_timeout_seconds": 60},
    )
    open_session(page, sid)
    say(page, "Sign up at Acme")
    approval = page.locator('#approvals [data-tool-use-id="c1"]')
    expect(approval).to_contain_text("create_inbox")
    expect(approval).to_contain_text("signup-bot")
    call = page.locator('details.tool[data-tool-use-id="c1"]')
    expect(call.locator("summary")).to_contain_text("pending")
    call.locator("summary").click()  # folded open on click
    expect(call.locator("pre").first).to_contain_text('"username": "signup-bot"')
    expect(page.locator("#mail")).to_contain_text("This session has no inbox.")
    expect(page.locator("#streaming")).to_contain_text("Waiting for your approval")
    approval.scroll_into_view_if_needed()
    shot(page, "conversation")
    approval.get_by_role("button", name="Approve").click()
    expect(approval).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("The inbox is ready.")
    expect(call.locator("summary")).to_contain_text("done")
    expect(call).to_contain_text("signup-bot@")  # its result, in the fold
    expect(page.locator("#mail .inbox h3")).to_contain_text("signup-bot@")  # made, live
    page.context.close()


def test_interrupt_stops_a_long_command(browser: Any, ui_server: RunningServer) -> None:
    usable, reason = bwrap_status()
    if not usable:
        pytest.skip(f"run_command needs bubblewrap: {reason}")
    page, key = sign_in(browser, ui_server, "ui-interrupt")
    api = client(ui_server, key)
    sid = scripted_session(
        api,
        [[tool("run_command", {"command": "sleep 30"}, "c1")], [{"type": "text", "text": "ok"}]],
    )
    open_session(page, sid)
    say(page, "Wait a while")
    expect(page.locator("#streaming")).to_contain_text("Calling run_command")
    interrupt = page.get_by_role("button", name="Interrupt")
    expect(interrupt).to_be_enabled()
    expect(page.locator('#timeline li[data-type="tool_use_complete"]')).to_have_count(1)
    page.wait_for_timeout(300)  # the command is running in its sandbox
    interrupt.click()
    expect(page.locator("#timeline")).to_contain_text("session_interrupted", timeout=5000)
    expect(page.locator("#run-state")).to_have_text("Idle: send the next message.")
    expect(interrupt).to_be_disabled()
    assert api.get(f"/api/v1/sessions/{sid}").json()["is_running"] is False
    page.context.close()
