"""A thousand sessions and a thousand emails show in under a second; keyboard and phone use."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.servers import RunningServer
from tests.ui.helpers import TIMEOUT_MS, client

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None

N = 1000


def many_sessions(api: httpx.Client) -> None:
    def make(i: int) -> None:
        r = api.post("/api/v1/sessions", json={"name": f"run {i:04d}"})
        assert r.status_code == 201, r.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(make, range(N)))


def many_emails(server: RunningServer, address: str) -> None:
    with smtplib.SMTP(*server.smtp, timeout=30) as smtp:
        for i in range(N):
            raw = f"From: a@acme.test\r\nTo: {address}\r\nSubject: note {i:04d}\r\n\r\nhi {i}\r\n"
            smtp.sendmail("a@acme.test", [address], raw.encode())


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_thousand_sessions_and_emails_by_keyboard_on_a_phone(
    browser: Any, ui_server: RunningServer, shot: Callable[[Any, str], Any]
) -> None:
    key = ui_server.key("ui-scale")
    api = client(ui_server, key)
    many_sessions(api)
    inbox = api.post("/api/v1/inboxes", json={}).json()
    many_emails(ui_server, inbox["email_address"])
    deadline = time.monotonic() + 20
    while api.get(f"/api/v1/inboxes/{inbox['id']}/emails?limit=1").json()["total"] < N:
        assert time.monotonic() < deadline, "the mail was not all stored"
        time.sleep(0.1)

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(ui_server.base_url + "/")
    # keyboard only: the key field has the focus, Enter signs in
    expect(page.get_by_label("API key")).to_be_focused()
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    summary = page.locator("#sessions-summary")
    expect(summary).to_have_text("1,000 sessions · showing 1–50")

    started = time.monotonic()
    page.reload()  # the key stays in this tab's session storage
    expect(summary).to_have_text("1,000 sessions · showing 1–50")
    assert time.monotonic() - started < 1.0
    expect(page.locator("#sessions-body tr")).to_have_count(50)
    assert no_horizontal_scroll(page)
    shot(page, "sessions-phone")

    next_page = page.get_by_role("button", name="Next")
    next_page.focus()
    page.keyboard.press("Enter")
    expect(summary).to_have_text("1,000 sessions · showing 51–100")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible

    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Previous")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the last row's link
    focused = page.evaluate("document.activeElement.getAttribute('href') || ''")
    assert focused.startswith("#/sessions/")
    page.keyboard.press("Enter")
    expect(page.locator("#stream-state")).to_have_text("live")
    assert no_horizontal_scroll(page)

    started = time.monotonic()
    page.goto(f"{ui_server.base_url}/#/inboxes/{inbox['id']}")
    expect(page.locator("#emails-summary")).to_have_text("1,000 emails")
    assert time.monotonic() - started < 1.0
    expect(page.locator("#inbox-emails li")).to_have_count(50)
    assert no_horizontal_scroll(page)
    context.close()
